// WiseModel as the platform-free code sees it: how one model (from GitLab's projects list, the gateway or the page
// reader) becomes a NormalisedRecord, which of its fields are the day's figures, what the platform is called and
// which configured token it takes. Pure and total (src/normalise/record.ts says why); the registry dispatches to it
// (src/sources/registry.ts).
import { LIMITS, type NormalisedRecord } from '../../model.js';
import type { NormaliseContext } from '../../normalise/context.js';
import { parseLineage } from '../../normalise/lineage.js';
import { assembleRecord, cleanTags, idFromParts } from '../../normalise/record.js';
import { count, isoInstant, isRecord, str } from '../../normalise/text.js';
import type { PlatformProfile } from '../types.js';
import type { WiseModelInput } from './schema.js';

const URL_BASE = 'https://www.wisemodel.cn/models/';
/** A time without a zone is Beijing time, as the site shows its readers (times.ts says on what evidence). */
const NAIVE_OFFSET = '+08:00';

function idOf(o: Record<string, unknown>): string {
  return idFromParts(o.owner, o.name);
}

function statsOf(o: Record<string, unknown>): NormalisedRecord['stats'] {
  return { downloads30d: null, downloadsAllTime: count(o.downloads), likes: count(o.likes) };
}

export function normaliseWiseModel(item: WiseModelInput, ctx: NormaliseContext): NormalisedRecord {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  const tags = cleanTags(o.tags);
  return assembleRecord(
    {
      platform: 'wisemodel',
      id: idOf(o),
      urlBase: URL_BASE,
      createdAt: isoInstant(o.createdAt, NAIVE_OFFSET),
      lastModified: isoInstant(o.updatedAt, NAIVE_OFFSET),
      task: str(o.task, LIMITS.tag),
      library: null,
      tags,
      params: null,
      license: { text: o.license },
      lineage: parseLineage({ platform: 'wisemodel', wmBaseModels: o.baseModels, hintTags: tags }),
      familyHints: tags,
      stats: statsOf(o),
    },
    ctx,
  );
}

export const wisemodelProfile: PlatformProfile = {
  platform: 'wisemodel',
  label: 'WiseModel',
  // WISEMODEL_TOKEN is a gateway login (gateway.ts), never a bearer token for every request to the site.
  bearerToken: () => null,
  volatileFields: new Set(['downloads', 'likes']),
  idOf,
  statsOf,
  normalise: (item, ctx) => normaliseWiseModel(item as WiseModelInput, ctx),
};
