// One platform item → one NormalisedRecord. Pure (the registry, clock and mode come in the context) and total:
// every field is read defensively, so nulls where a platform promises values, wrong types, hostile strings and
// random objects all give a record that validates against NormalisedRecord. No zod parse runs here: this is the
// hot path of a full sweep (millions of items a day).
import { LIMITS, type NormalisedRecord, type Platform, type Relation } from '../model.js';
import type { NormaliseContext } from './context.js';
import { mirrorCandidates } from './identity.js';
import type { HfModelInput, ModelScopeInput, WiseModelInput } from './inputs.js';
import { itemFingerprint } from './fingerprint.js';
import { normaliseLicense } from './license.js';
import { familyOf, parseLineage } from './lineage.js';
import { originOf, publisherOf } from './origin.js';
import { cap, cleanText, count, isoInstant, isRecord, listOf, str, stringList } from './text.js';

const URL_BASE: Record<Platform, string> = {
  huggingface: 'https://huggingface.co/',
  modelscope: 'https://modelscope.cn/models/',
  wisemodel: 'https://www.wisemodel.cn/models/',
};

/** A model made public late is news when hubwatch first sees it, not at its old createdAt (model.ts). */
const LATE_MS = 2 * 24 * 3600 * 1000;
const EPOCH = '1970-01-01T00:00:00.000Z';
// The Chinese platforms print naive times in Beijing time.
const CN_OFFSET = '+08:00';

function cleanId(v: string): string {
  let s = cleanText(v).trim();
  // A revision suffix is not part of the model's identity (MusePublic/Qwen-image@v1).
  const at = s.indexOf('@');
  if (at > 0) s = s.slice(0, at);
  return cap(s, LIMITS.id);
}

function splitId(id: string): { namespace: string; name: string } {
  const slash = id.indexOf('/');
  return slash >= 0 ? { namespace: id.slice(0, slash), name: id.slice(slash + 1) } : { namespace: '', name: id };
}

function cleanTags(v: unknown): string[] {
  const out: string[] = [];
  const list = listOf(v);
  for (let i = 0; i < list.length && out.length < LIMITS.tags; i++) {
    const t = list[i];
    if (typeof t !== 'string') continue;
    const s = str(t, LIMITS.tag);
    if (s !== null) out.push(s);
  }
  return out;
}

function params(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

interface Common {
  platform: Platform;
  id: string;
  namespaceHint?: string | null;
  createdAt: string | null;
  lastModified: string | null;
  task: string | null;
  library: string | null;
  tags: string[];
  params: number | null;
  license: NormalisedRecord['license'];
  lineage: { relation: Relation; baseModels: string[] };
  familyHints: unknown;
  stats: NormalisedRecord['stats'];
}

let lastNowRaw: unknown;
let lastNow: string | null = null;

function nowOf(ctx: NormaliseContext): string | null {
  const raw = isRecord(ctx) ? ctx.now : null;
  if (raw !== lastNowRaw) {
    lastNowRaw = raw;
    lastNow = isoInstant(raw);
  }
  return lastNow;
}

function assemble(c: Common, ctx: NormaliseContext): NormalisedRecord {
  const now = nowOf(ctx);
  const backfill = isRecord(ctx) && ctx.backfill === true;
  const firstSeenAt = backfill ? (c.createdAt ?? now ?? EPOCH) : (now ?? c.createdAt ?? EPOCH);
  let releasedAt: string | null = c.createdAt ?? firstSeenAt;
  if (c.createdAt !== null && Date.parse(firstSeenAt) - Date.parse(c.createdAt) > LATE_MS) releasedAt = firstSeenAt;

  const split = splitId(c.id);
  const namespace = split.namespace !== '' ? split.namespace : (c.namespaceHint ?? '');
  const key = `${c.platform}:${c.id}`;
  const root = c.lineage.relation === 'base' || c.lineage.baseModels.length === 0 ? key : (c.lineage.baseModels[0] as string);
  const registry = isRecord(ctx) ? ctx.registry : undefined;

  const publisher = registry
    ? publisherOf(c.platform, namespace, c.createdAt, registry)
    : { namespace, org: null, country: 'ZZ', countryAlt: null, kind: 'individual' as const };
  const origin = registry
    ? originOf({
        platform: c.platform,
        id: c.id,
        namespace,
        createdAt: c.createdAt,
        relation: c.lineage.relation,
        root,
        registry,
      })
    : { org: null, country: 'ZZ', countryAlt: null, kind: 'unknown' as const, basis: 'unknown' as const };

  return {
    key,
    platform: c.platform,
    id: c.id,
    namespace,
    name: split.name,
    url: `${URL_BASE[c.platform]}${c.id}`,
    createdAt: c.createdAt,
    lastModified: c.lastModified,
    firstSeenAt,
    releasedAt,
    task: c.task,
    library: c.library,
    tags: c.tags,
    params: c.params,
    license: c.license,
    publisher,
    lineage: {
      relation: c.lineage.relation,
      baseModels: c.lineage.baseModels,
      root,
      family: familyOf(root, { tags: c.familyHints }, { cache: root !== key }),
    },
    origin,
    stats: c.stats,
    mirrors: registry ? mirrorCandidates(c.platform, c.id, registry) : [],
  };
}

function hfId(o: Record<string, unknown>): string {
  return cleanId(typeof o.id === 'string' ? o.id : typeof o.modelId === 'string' ? o.modelId : '');
}

function hfStats(o: Record<string, unknown>): NormalisedRecord['stats'] {
  return { downloads30d: count(o.downloads), downloadsAllTime: count(o.downloadsAllTime), likes: count(o.likes) };
}

export function normaliseHuggingFace(item: HfModelInput, ctx: NormaliseContext): NormalisedRecord {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  const id = hfId(o);
  const card = isRecord(o.cardData) ? o.cardData : {};
  const tags = cleanTags(o.tags);
  // Tags are capped for storage, but lineage and licence read the full list: a trailing base_model: tag counts.
  const allTags = o.tags;
  const safetensors = isRecord(o.safetensors) ? o.safetensors : {};
  const gguf = isRecord(o.gguf) ? o.gguf : {};
  const familyHints = typeof gguf.architecture === 'string' ? [gguf.architecture, ...tags.slice(0, 20)] : tags.slice(0, 20);
  return assemble(
    {
      platform: 'huggingface',
      id,
      namespaceHint: str(o.author, LIMITS.id),
      createdAt: isoInstant(o.createdAt),
      lastModified: isoInstant(o.lastModified),
      task: str(o.pipeline_tag, LIMITS.tag),
      library: str(o.library_name, LIMITS.tag),
      tags,
      params: params(safetensors.total) ?? params(gguf.total),
      license: normaliseLicense({
        hfTags: allTags,
        cardLicense: card.license,
        licenseName: card.license_name,
        licenseLink: card.license_link,
      }),
      lineage: parseLineage({
        platform: 'huggingface',
        hfTags: allTags,
        cardBaseModel: card.base_model,
        cardRelation: card.base_model_relation,
        hfBaseModels: o.baseModels,
        hintTags: allTags,
      }),
      familyHints,
      stats: hfStats(o),
    },
    ctx,
  );
}

function msId(o: Record<string, unknown>): string {
  const path = typeof o.Path === 'string' ? o.Path.trim() : '';
  const name = typeof o.Name === 'string' ? o.Name.trim() : '';
  return cleanId(path !== '' && name !== '' ? `${path}/${name}` : path || name);
}

function msStats(o: Record<string, unknown>): NormalisedRecord['stats'] {
  return { downloads30d: null, downloadsAllTime: count(o.Downloads), likes: count(o.Stars) ?? count(o.Likes) };
}

export function normaliseModelScope(item: ModelScopeInput, ctx: NormaliseContext): NormalisedRecord {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  const id = msId(o);
  let task: string | null = null;
  if (Array.isArray(o.Tasks)) {
    for (const t of o.Tasks) {
      const n = isRecord(t) ? str(t.Name, LIMITS.tag) : null;
      if (n !== null) {
        task = n;
        break;
      }
    }
  }
  const libraries = stringList(o.Libraries, 20);
  const frameworks = stringList(o.Frameworks, 20);
  const library = str(libraries[0], LIMITS.tag)?.toLowerCase() ?? str(frameworks[0], LIMITS.tag)?.toLowerCase() ?? null;
  const infos = isRecord(o.ModelInfos) ? o.ModelInfos : {};
  const safetensor = isRecord(infos.safetensor) ? infos.safetensor : {};
  const tags = cleanTags(o.Tags);
  const allTags = stringList(o.Tags, 2000);
  return assemble(
    {
      platform: 'modelscope',
      id,
      createdAt: isoInstant(o.CreatedTime, CN_OFFSET),
      lastModified: isoInstant(o.LastUpdatedTime, CN_OFFSET),
      task,
      library,
      tags,
      params: params(safetensor.model_size),
      license: normaliseLicense({ hfTags: allTags, text: o.License }),
      lineage: parseLineage({
        platform: 'modelscope',
        hfTags: allTags,
        msBaseModel: o.BaseModel,
        msRelation: o.BaseModelRelation,
        hintTags: [...libraries, ...allTags],
      }),
      familyHints: [...stringList(o.ModelType, 10), ...stringList(o.Architectures, 10)],
      stats: msStats(o),
    },
    ctx,
  );
}

function wmId(o: Record<string, unknown>): string {
  const owner = typeof o.owner === 'string' ? o.owner.trim() : '';
  const name = typeof o.name === 'string' ? o.name.trim() : '';
  return cleanId(owner !== '' && name !== '' ? `${owner}/${name}` : owner || name);
}

function wmStats(o: Record<string, unknown>): NormalisedRecord['stats'] {
  return { downloads30d: null, downloadsAllTime: count(o.downloads), likes: count(o.likes) };
}

export function normaliseWiseModel(item: WiseModelInput, ctx: NormaliseContext): NormalisedRecord {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  const id = wmId(o);
  const tags = cleanTags(o.tags);
  return assemble(
    {
      platform: 'wisemodel',
      id,
      createdAt: isoInstant(o.createdAt, CN_OFFSET),
      lastModified: isoInstant(o.updatedAt, CN_OFFSET),
      task: str(o.task, LIMITS.tag),
      library: null,
      tags,
      params: null,
      license: normaliseLicense({ text: o.license }),
      lineage: parseLineage({ platform: 'wisemodel', wmBaseModels: o.baseModels, hintTags: tags }),
      familyHints: tags,
      stats: wmStats(o),
    },
    ctx,
  );
}

/**
 * What a sweep needs of an item before deciding whether to normalise it: the key and the day's figures its
 * normalised record would have, and the fingerprint of everything else (fingerprint.ts). Pure and total like the
 * normalisers, and built from the same helpers, so `key` and `stats` equal those of the normalised record.
 */
export interface Sighting {
  key: string;
  stats: NormalisedRecord['stats'];
  fingerprint: string;
}

/** The top-level fields each platform's figures come from: left out of the fingerprint, stored as the day's row. */
export const VOLATILE_FIELDS: Record<Platform, ReadonlySet<string>> = {
  huggingface: new Set(['downloads', 'downloadsAllTime', 'likes']),
  modelscope: new Set(['Downloads', 'Stars', 'Likes']),
  wisemodel: new Set(['downloads', 'likes']),
};

const SIGHT: Record<Platform, { id(o: Record<string, unknown>): string; stats(o: Record<string, unknown>): NormalisedRecord['stats'] }> = {
  huggingface: { id: hfId, stats: hfStats },
  modelscope: { id: msId, stats: msStats },
  wisemodel: { id: wmId, stats: wmStats },
};

/**
 * `fingerprint` is the one the source took from the item's own text in the response, under the same seed
 * (raw-items.ts); without it the parsed item is fingerprinted (fingerprint.ts).
 */
export function sight(platform: Platform, item: unknown, seed: string, fingerprint: string | null = null): Sighting {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  const s = SIGHT[platform];
  return {
    key: `${platform}:${s.id(o)}`,
    stats: s.stats(o),
    fingerprint: fingerprint ?? itemFingerprint(o, VOLATILE_FIELDS[platform], seed),
  };
}

/** Dispatch by platform; an unknown platform string is read as Hugging Face rather than thrown on. */
export function normaliseRecord(platform: Platform, item: unknown, ctx: NormaliseContext): NormalisedRecord {
  if (platform === 'modelscope') return normaliseModelScope(item as ModelScopeInput, ctx);
  if (platform === 'wisemodel') return normaliseWiseModel(item as WiseModelInput, ctx);
  return normaliseHuggingFace(item as HfModelInput, ctx);
}
