// The models table as both engines stage it: the columns commitPage writes and how a record gives each, and the
// upsert statements from a staged relation (DuckDB's temp table, PostgreSQL's unnest) into models and daily_stats.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { NormalisedRecord } from '../model.js';
import { PROVENANCES, type Provenance } from './types.js';
import { clean, type Dialect } from './sql-shared.js';

export type ColKind = 'text' | 'ts' | 'bigint' | 'double';

export type ColValue = string | number | null;

export interface StagedColumn {
  name: string;
  kind: ColKind;
  /**
   * The column's value for a record; `fingerprint` is the one the sweep computed for it, `objectId` the platform's
   * immutable id of the model (each null when none was given).
   */
  get(r: NormalisedRecord, fingerprint: string | null, objectId: string | null): ColValue;
}

/**
 * The columns commitPage writes, in staging order. Arrays (tags, base models, mirrors) are JSON text: PostgreSQL's
 * unnest cannot take an array of arrays of different lengths, and the values are only ever read back whole.
 */
export const MODEL_COLUMNS: readonly StagedColumn[] = [
  { name: 'key', kind: 'text', get: (r) => clean(r.key) },
  { name: 'platform', kind: 'text', get: (r) => r.platform },
  { name: 'id', kind: 'text', get: (r) => clean(r.id) },
  { name: 'namespace', kind: 'text', get: (r) => clean(r.namespace) },
  // Lower-cased in JS, not SQL: PostgreSQL's lower() under a C collation only folds ASCII, DuckDB's folds all.
  { name: 'namespace_lower', kind: 'text', get: (r) => clean(r.namespace.toLowerCase()) },
  { name: 'name', kind: 'text', get: (r) => clean(r.name) },
  { name: 'name_lower', kind: 'text', get: (r) => clean(r.name.toLowerCase()) },
  { name: 'url', kind: 'text', get: (r) => clean(r.url) },
  { name: 'created_at', kind: 'ts', get: (r) => r.createdAt },
  { name: 'last_modified', kind: 'ts', get: (r) => r.lastModified },
  { name: 'first_seen_at', kind: 'ts', get: (r) => r.firstSeenAt },
  { name: 'task', kind: 'text', get: (r) => clean(r.task) },
  { name: 'library', kind: 'text', get: (r) => clean(r.library) },
  { name: 'tags', kind: 'text', get: (r) => JSON.stringify(r.tags) },
  { name: 'params', kind: 'double', get: (r) => r.params },
  { name: 'license_raw', kind: 'text', get: (r) => clean(r.license.raw) },
  { name: 'license_id', kind: 'text', get: (r) => clean(r.license.id) },
  { name: 'license_name', kind: 'text', get: (r) => clean(r.license.name) },
  { name: 'license_class', kind: 'text', get: (r) => r.license.class },
  { name: 'license_basis', kind: 'text', get: (r) => clean(r.license.basis) },
  { name: 'publisher_org', kind: 'text', get: (r) => clean(r.publisher.org) },
  { name: 'publisher_country', kind: 'text', get: (r) => r.publisher.country },
  { name: 'publisher_country_alt', kind: 'text', get: (r) => r.publisher.countryAlt },
  { name: 'publisher_kind', kind: 'text', get: (r) => r.publisher.kind },
  { name: 'relation', kind: 'text', get: (r) => r.lineage.relation },
  { name: 'base_models', kind: 'text', get: (r) => JSON.stringify(r.lineage.baseModels) },
  { name: 'root_key', kind: 'text', get: (r) => clean(r.lineage.root) },
  { name: 'family', kind: 'text', get: (r) => clean(r.lineage.family) },
  { name: 'origin_org', kind: 'text', get: (r) => clean(r.origin.org) },
  { name: 'origin_country', kind: 'text', get: (r) => r.origin.country },
  { name: 'origin_country_alt', kind: 'text', get: (r) => r.origin.countryAlt },
  { name: 'origin_kind', kind: 'text', get: (r) => r.origin.kind },
  { name: 'origin_basis', kind: 'text', get: (r) => r.origin.basis },
  { name: 'downloads30d', kind: 'bigint', get: (r) => r.stats.downloads30d },
  { name: 'downloads_all_time', kind: 'bigint', get: (r) => r.stats.downloadsAllTime },
  { name: 'likes', kind: 'bigint', get: (r) => r.stats.likes },
  { name: 'mirrors', kind: 'text', get: (r) => JSON.stringify(r.mirrors) },
  // Only for the rare record the columns cannot give back exactly (see needsRecord); NULL otherwise, which keeps
  // most of a page's bytes out of both engines. JSON.stringify escapes NUL, so the record text needs no cleaning.
  { name: 'record', kind: 'text', get: (r) => (needsRecord(r) ? JSON.stringify(r) : null) },
  // Schema version 3; last, since DuckDB's stage gained it with ADD COLUMN and its appender writes in this order.
  { name: 'fingerprint', kind: 'text', get: (_r, fp) => fp },
  // Schema version 4, after fingerprint for the same reason.
  { name: 'object_id', kind: 'text', get: (_r, _fp, oid) => (oid === null ? null : clean(oid)) },
  { name: 'object_key', kind: 'bigint', get: (_r, _fp, oid) => (oid === null ? null : objectKey(clean(oid))) },
];

/**
 * A number standing for an object id, for a fast first match (the exact id is compared after it). A Mongo ObjectId
 * (the Hub's `_id`: 24 hex digits, the first 8 the creation second) gives its first 13 digits, so ids of models
 * created close together are close together; any other id a 52-bit hash. 52 bits stay exact in a JS number.
 */
export function objectKey(oid: string): number {
  const hex = /^[0-9a-f]{24}$/i.test(oid)
    ? oid.slice(0, 13)
    : createHash('sha1').update(oid).digest('hex').slice(0, 13);
  return parseInt(hex, 16);
}

const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function exactInstant(s: string | null): boolean {
  return s === null || (CANONICAL_INSTANT.test(s) && new Date(s).toISOString() === s);
}

function hasNul(s: string | null): boolean {
  return s !== null && s.includes('\u0000');
}

/**
 * Whether reading the model back from its columns would not give this exact record: a NUL in a text column (the
 * engines store U+FFFD), an instant not in toISOString form (the engines normalise it), a publisher namespace other
 * than the model's. Normalised records never do; such a record is then stored whole, as before schema version 2.
 */
export function needsRecord(r: NormalisedRecord): boolean {
  return (
    r.publisher.namespace !== r.namespace ||
    !exactInstant(r.createdAt) ||
    !exactInstant(r.lastModified) ||
    !exactInstant(r.firstSeenAt) ||
    hasNul(r.key) ||
    hasNul(r.id) ||
    hasNul(r.namespace) ||
    hasNul(r.name) ||
    hasNul(r.url) ||
    hasNul(r.task) ||
    hasNul(r.library) ||
    hasNul(r.license.raw) ||
    hasNul(r.license.id) ||
    hasNul(r.license.name) ||
    hasNul(r.license.basis) ||
    hasNul(r.publisher.org) ||
    hasNul(r.lineage.root) ||
    hasNul(r.lineage.family) ||
    hasNul(r.origin.org)
  );
}

/** The same model twice in one page would make ON CONFLICT update a row twice (an error in both engines). */
export function dedupeByKey(models: readonly NormalisedRecord[]): NormalisedRecord[] {
  const seen = new Map<string, NormalisedRecord>();
  for (const m of models) {
    seen.delete(m.key);
    seen.set(m.key, m);
  }
  return seen.size === models.length ? (models as NormalisedRecord[]) : [...seen.values()];
}

/** releasedAt per src/model.ts: createdAt, or firstSeenAt when first seen more than two days after createdAt. */
function releasedAtSql(createdAt: string, firstSeenAt: string): string {
  return `CASE WHEN ${createdAt} IS NULL THEN ${firstSeenAt} WHEN ${firstSeenAt} > ${createdAt} + INTERVAL '2 days' THEN ${firstSeenAt} ELSE ${createdAt} END`;
}

function castOf(kind: ColKind, dialect: Dialect): string {
  switch (kind) {
    case 'text':
      return 'TEXT';
    case 'ts':
      return 'TIMESTAMPTZ';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return dialect.double;
  }
}

/**
 * Upserts models from a staged relation `src` (DuckDB: a temp table; PostgreSQL: an unnest). An existing model
 * keeps its first_seen_at, releasedAt is recomputed from the kept one, and a model seen again is no longer deleted.
 */
export function modelUpsertSql(dialect: Dialect, src: string, dateParam: string): string {
  const cols = MODEL_COLUMNS.map((c) => c.name);
  const select = MODEL_COLUMNS.map((c) => `CAST(${src}.${c.name} AS ${castOf(c.kind, dialect)})`);
  const sCreated = `CAST(${src}.created_at AS TIMESTAMPTZ)`;
  const sFirst = `CAST(${src}.first_seen_at AS TIMESTAMPTZ)`;
  const updates = MODEL_COLUMNS.filter((c) => c.name !== 'key' && c.name !== 'first_seen_at').map(
    (c) => `${c.name} = excluded.${c.name}`,
  );
  return `INSERT INTO models (${cols.join(', ')}, released_at, last_seen_date, deleted_at)
SELECT ${select.join(', ')}, ${releasedAtSql(sCreated, sFirst)}, CAST(${dateParam} AS DATE), NULL
FROM ${src}
ON CONFLICT (key) DO UPDATE SET ${updates.join(', ')},
  released_at = ${releasedAtSql('excluded.created_at', 'models.first_seen_at')},
  last_seen_date = GREATEST(models.last_seen_date, excluded.last_seen_date),
  deleted_at = NULL, missing_since = NULL`;
}

/**
 * Upserts the day's figures from `src`. `provenanceParam` names the rows' provenance (default live). Live wins
 * (types.ts Provenance): a dump row never replaces a live one, in the statement itself where the engine has the key.
 */
export function statsUpsertSql(src: string, dateParam: string, provenanceParam = `'live'`): string {
  return `INSERT INTO daily_stats (date, key, platform, downloads_all_time, downloads30d, likes, provenance)
SELECT CAST(${dateParam} AS DATE), ${src}.key, ${src}.platform, CAST(${src}.downloads_all_time AS BIGINT),
  CAST(${src}.downloads30d AS BIGINT), CAST(${src}.likes AS BIGINT), CAST(${provenanceParam} AS TEXT)
FROM ${src}
ON CONFLICT (date, key) DO UPDATE SET platform = excluded.platform,
  downloads_all_time = excluded.downloads_all_time, downloads30d = excluded.downloads30d, likes = excluded.likes,
  provenance = excluded.provenance
WHERE daily_stats.provenance = 'dump' OR excluded.provenance = 'live'`;
}

/** A provenance checked before it reaches SQL text or a parameter. */
export function checkProvenance(p: Provenance | undefined): Provenance {
  const v = p ?? 'live';
  if (!PROVENANCES.includes(v))
    throw new InputError(`provenance must be one of ${PROVENANCES.join(', ')}, got ${String(p)}`);
  return v;
}
