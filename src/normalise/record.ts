// The platform-free half of "one platform item → one NormalisedRecord": each platform's mapper
// (src/sources/<platform>/record.ts) reads its own fields into RecordParts, and assembleRecord derives the rest
// (firstSeenAt, releasedAt, key, publisher, origin, licence, root, family, mirrors) by the same rules for every
// platform. Pure (the registry, the licence table, the clock and the mode come in the context) and total: every
// field is read defensively, so nulls where a platform promises values, wrong types, hostile strings and random
// objects all give a record that validates against NormalisedRecord. No zod parse runs here: this is the hot path of
// a full sweep (millions of items a day).
import { LIMITS, capString, type NormalisedRecord, type Platform, type Relation } from '../model.js';
import type { NormaliseContext } from './context.js';
import { mirrorCandidates } from './identity.js';
import { itemFingerprint } from './fingerprint.js';
import { normaliseLicense, type LicenseInput, type LicenseTable } from './license.js';
import { familyOf } from './lineage.js';
import { originOf, publisherOf } from './origin.js';
import { cleanText, isoInstant, isRecord, listOf, str } from './text.js';

/** A model made public late is news when hubwatch first sees it, not at its old createdAt (model.ts). */
const LATE_MS = 2 * 24 * 3600 * 1000;
const EPOCH = '1970-01-01T00:00:00.000Z';

/** A platform's model id, cleaned for storage: control characters out, capped, revision suffix dropped. */
export function cleanId(v: string): string {
  let s = cleanText(v).trim();
  // A revision suffix is not part of the model's identity (MusePublic/Qwen-image@v1).
  const at = s.indexOf('@');
  if (at > 0) s = s.slice(0, at);
  return capString(s, LIMITS.id);
}

/** An id from a namespace and a name that a platform gives apart: `namespace/name`, or the one given when one is missing. */
export function idFromParts(namespace: unknown, name: unknown): string {
  const ns = typeof namespace === 'string' ? namespace.trim() : '';
  const n = typeof name === 'string' ? name.trim() : '';
  return cleanId(ns !== '' && n !== '' ? `${ns}/${n}` : ns || n);
}

function splitId(id: string): { namespace: string; name: string } {
  const slash = id.indexOf('/');
  return slash >= 0 ? { namespace: id.slice(0, slash), name: id.slice(slash + 1) } : { namespace: '', name: id };
}

/** The tags kept on the record: strings only, each capped, at most LIMITS.tags of them. */
export function cleanTags(v: unknown): string[] {
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

/** A parameter count as the platform states it, or null when it is not a finite non-negative number. */
export function paramCount(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** What a platform's mapper reads from its item; assembleRecord derives the rest of the record. */
export interface RecordParts {
  platform: Platform;
  id: string;
  /** The record's URL is this followed by the id. */
  urlBase: string;
  /** The namespace when the id has none (Hugging Face's `author`). */
  namespaceHint?: string | null;
  createdAt: string | null;
  lastModified: string | null;
  task: string | null;
  library: string | null;
  tags: string[];
  params: number | null;
  /** What the platform says about the licence; read against the context's licence table. */
  license: LicenseInput;
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

export function assembleRecord(c: RecordParts, ctx: NormaliseContext): NormalisedRecord {
  const now = nowOf(ctx);
  const backfill = isRecord(ctx) && ctx.backfill === true;
  const firstSeenAt = backfill ? (c.createdAt ?? now ?? EPOCH) : (now ?? c.createdAt ?? EPOCH);
  let releasedAt: string | null = c.createdAt ?? firstSeenAt;
  if (c.createdAt !== null && Date.parse(firstSeenAt) - Date.parse(c.createdAt) > LATE_MS) releasedAt = firstSeenAt;

  const split = splitId(c.id);
  const namespace = split.namespace !== '' ? split.namespace : (c.namespaceHint ?? '');
  const key = `${c.platform}:${c.id}`;
  const root =
    c.lineage.relation === 'base' || c.lineage.baseModels.length === 0 ? key : (c.lineage.baseModels[0] as string);
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
    url: `${c.urlBase}${c.id}`,
    createdAt: c.createdAt,
    lastModified: c.lastModified,
    firstSeenAt,
    releasedAt,
    task: c.task,
    library: c.library,
    tags: c.tags,
    params: c.params,
    // A hostile context without a table gets the empty table's answers (normaliseLicense stays total).
    license: normaliseLicense(c.license, (isRecord(ctx) ? ctx.licenses : null) as LicenseTable),
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

/**
 * One platform's mapping from its raw items to records, as the platform-free code calls it: the contract each
 * src/sources/<platform>/record.ts fulfils.
 */
export interface PlatformRecords {
  readonly platform: Platform;
  /** The top-level fields the day's figures come from: left out of the fingerprint, stored as the day's row. */
  readonly volatileFields: ReadonlySet<string>;
  /** The id `normalise` gives the item (the record's key is `platform:id`). */
  idOf(o: Record<string, unknown>): string;
  /** The figures `normalise` gives the item. */
  statsOf(o: Record<string, unknown>): NormalisedRecord['stats'];
  /** Pure and total: any value gives a valid record. */
  normalise(item: unknown, ctx: NormaliseContext): NormalisedRecord;
}

/**
 * `fingerprint` is the one the source took from the item's own text in the response, under the same seed
 * (src/sources/raw-items.ts); without it the parsed item is fingerprinted (fingerprint.ts).
 */
export function sightItem(
  records: PlatformRecords,
  item: unknown,
  seed: string,
  fingerprint: string | null = null,
): Sighting {
  const o: Record<string, unknown> = isRecord(item) ? item : {};
  return {
    key: `${records.platform}:${records.idOf(o)}`,
    stats: records.statsOf(o),
    fingerprint: fingerprint ?? itemFingerprint(o, records.volatileFields, seed),
  };
}
