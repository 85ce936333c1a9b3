// The engine-neutral half of the two stores. Every query here is written once in the SQL that DuckDB and
// PostgreSQL share, so "both engines give identical results" holds by construction; the engines only supply a
// connection, a transaction and the fast bulk write of commitPage.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { PLATFORMS, capString, type NormalisedRecord, type OrgKind, type Platform, type Relation } from '../model.js';
import type {
  CoverageCounters,
  DerivativeCounts,
  LineageNode,
  ModelPage,
  ModelQuery,
  NamespaceDownloads,
  OriginUpdate,
  DayComparison,
  PageCommit,
  PreviousDates,
  Provenance,
  QuarantineItem,
  QuarantineRow,
  SeenModel,
  SnapshotRow,
  StatsPoint,
  AdoptionChunk,
  MomentumRow,
  Store,
  HistoryQuery,
  HistoryRow,
} from './types.js';
import { PROVENANCES } from './types.js';
import { streamAdoptionHistories, streamMomentumRows, type MomentumSqlContext } from './momentum-sql.js';

/** One result row after the engine turned its types into JS: strings, numbers, booleans, null. */
export type Row = Record<string, string | number | boolean | null>;

export interface Db {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement and returns the number of rows it changed. */
  exec(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface Dialect {
  readonly engine: 'duckdb' | 'postgres';
  /**
   * Appended to text in ORDER BY / MIN so PostgreSQL sorts bytewise like DuckDB does; without it a database
   * created with a linguistic collation would order keys, and so chunk boundaries and feed pages, differently.
   */
  readonly bytewise: string;
  readonly double: string;
  /** PostgreSQL takes a row lock so two processes merging coverage notes do not lose one; DuckDB has one writer. */
  readonly forUpdate: string;
  /** A TIMESTAMPTZ as the text toISOString gives (UTC, milliseconds): streams skip a Date per value that way. */
  instantText(expr: string): string;
}

/** A streamed chunk, column-major: a row object per row is most of a stream's garbage. */
export interface Columns {
  readonly length: number;
  col(name: string): ReadonlyArray<Row[string]>;
}

export const QUARANTINE_PAYLOAD_MAX_BYTES = 64 * 1024;
const QUARANTINE_TEXT_MAX = 2000;
const DEFAULT_CHUNK = 5000;
const MAX_LIST_LIMIT = 1000;
/** Keeps array parameters (and PostgreSQL's parse of them) to a sane size for callers that pass huge key lists. */
const KEY_BATCH = 10_000;
/** Sightings per changedKeys query: a sweep batch is one query (each query scans the models' keys once). */
const SIGHTING_BATCH = 100_000;
/** Former keys of one model looked for among derivatives' bases (each is one more LIKE in the same scan). */
const MAX_ALIASES = 16;

// ---------------------------------------------------------------------------------------------------------------
// Values in and out

/** PostgreSQL text cannot hold NUL and platform strings are hostile; both engines store the same replacement. */
export function clean(s: string): string;
export function clean(s: string | null): string | null;
export function clean(s: string | null): string | null {
  if (s === null) return null;
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

/** Cuts to at most `maxBytes` of UTF-8 without splitting a character. */
export function capUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function capText(s: string | null, max: number): string | null {
  return s === null ? null : capString(clean(s), max);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export function checkDate(date: string, what = 'date'): string {
  if (!DATE_RE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new InputError(`${what} must be a day as YYYY-MM-DD, got ${JSON.stringify(date)}`, { exitCode: 2 });
  }
  return date;
}

/** A LIKE pattern matching `s` literally, with backslash as the escape character. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function chunkSizeOf(n: number | undefined): number {
  if (n === undefined) return DEFAULT_CHUNK;
  if (!Number.isInteger(n) || n < 1) throw new InputError(`chunk size must be a positive integer, got ${n}`);
  return n;
}

function str(v: Row[string] | undefined): string {
  if (typeof v !== 'string') throw new Error(`store: expected text, got ${typeof v}`);
  return v;
}
function strOrNull(v: Row[string] | undefined): string | null {
  return v === null || v === undefined ? null : str(v);
}
function num(v: Row[string] | undefined): number {
  if (typeof v !== 'number') throw new Error(`store: expected a number, got ${typeof v}`);
  return v;
}
function numOrNull(v: Row[string] | undefined): number | null {
  return v === null || v === undefined ? null : num(v);
}
function bool(v: Row[string] | undefined): boolean {
  if (typeof v !== 'boolean') throw new Error(`store: expected a boolean, got ${typeof v}`);
  return v;
}
function jsonArray(v: Row[string] | undefined): string[] {
  return JSON.parse(str(v)) as string[];
}

// ---------------------------------------------------------------------------------------------------------------
// The models table as both engines stage it

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
  const hex = /^[0-9a-f]{24}$/i.test(oid) ? oid.slice(0, 13) : createHash('sha1').update(oid).digest('hex').slice(0, 13);
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

const isCountOrNull = (v: number | null): boolean => v === null || (Number.isSafeInteger(v) && v >= 0);

/** One row per key, the last one given; keys written whole in the same commit are left out. */
function dedupeSeen(seen: readonly SeenModel[], written: ReadonlySet<string>): SeenModel[] {
  const out = new Map<string, SeenModel>();
  for (const s of seen) {
    const key = clean(s.key);
    if (written.has(key)) continue;
    const { downloads30d: d, downloadsAllTime: a, likes: l } = s.stats;
    if (!isCountOrNull(d) || !isCountOrNull(a) || !isCountOrNull(l)) {
      throw new InputError(`figures of ${key} must be counts, got ${[d, a, l].join(', ')}`);
    }
    out.delete(key);
    out.set(key, key === s.key ? s : { ...s, key });
  }
  return [...out.values()];
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
  if (!PROVENANCES.includes(v)) throw new InputError(`provenance must be one of ${PROVENANCES.join(', ')}, got ${String(p)}`);
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// The shared store

const LINEAGE_COLS = `key, platform, namespace, name, relation, base_models, created_at, publisher_org,
  publisher_country, publisher_country_alt, publisher_kind`;

/** Every column a record is rebuilt from; where a whole record is stored, the columns the store changes after it
 * was written (first sighting, release instant, lineage root, origin, mirrors) override it. */
const RECORD_COLS = `record, platform, id, namespace, name, url, created_at, last_modified, first_seen_at, released_at,
  task, library, tags, params, license_raw, license_id, license_name, license_class, license_basis, publisher_org,
  publisher_country, publisher_country_alt, publisher_kind, relation, base_models, root_key, family, origin_org,
  origin_country, origin_country_alt, origin_kind, origin_basis, downloads30d, downloads_all_time, likes, mirrors`;

function toLineageNode(r: Row): LineageNode {
  return {
    key: str(r.key),
    platform: str(r.platform) as Platform,
    namespace: str(r.namespace),
    name: str(r.name),
    relation: str(r.relation) as Relation,
    baseModels: jsonArray(r.base_models),
    createdAt: strOrNull(r.created_at),
    publisherOrg: strOrNull(r.publisher_org),
    publisherCountry: str(r.publisher_country),
    publisherCountryAlt: strOrNull(r.publisher_country_alt),
    publisherKind: str(r.publisher_kind) as OrgKind,
  };
}

function toRecord(r: Row): NormalisedRecord {
  if (r.record === null) {
    const namespace = str(r.namespace);
    return {
      key: str(r.key),
      platform: str(r.platform) as Platform,
      id: str(r.id),
      namespace,
      name: str(r.name),
      url: str(r.url),
      createdAt: strOrNull(r.created_at),
      lastModified: strOrNull(r.last_modified),
      firstSeenAt: str(r.first_seen_at),
      releasedAt: strOrNull(r.released_at),
      task: strOrNull(r.task),
      library: strOrNull(r.library),
      tags: jsonArray(r.tags),
      params: numOrNull(r.params),
      license: {
        raw: strOrNull(r.license_raw),
        id: str(r.license_id),
        name: str(r.license_name),
        class: str(r.license_class) as NormalisedRecord['license']['class'],
        basis: str(r.license_basis),
      },
      publisher: {
        namespace,
        org: strOrNull(r.publisher_org),
        country: str(r.publisher_country),
        countryAlt: strOrNull(r.publisher_country_alt),
        kind: str(r.publisher_kind) as OrgKind,
      },
      lineage: {
        relation: str(r.relation) as Relation,
        baseModels: jsonArray(r.base_models),
        root: str(r.root_key),
        family: strOrNull(r.family),
      },
      origin: {
        org: strOrNull(r.origin_org),
        country: str(r.origin_country),
        countryAlt: strOrNull(r.origin_country_alt),
        kind: str(r.origin_kind) as OrgKind,
        basis: str(r.origin_basis) as NormalisedRecord['origin']['basis'],
      },
      stats: {
        downloads30d: numOrNull(r.downloads30d),
        downloadsAllTime: numOrNull(r.downloads_all_time),
        likes: numOrNull(r.likes),
      },
      mirrors: jsonArray(r.mirrors),
    };
  }
  const rec = JSON.parse(str(r.record)) as NormalisedRecord;
  return {
    ...rec,
    firstSeenAt: str(r.first_seen_at),
    releasedAt: strOrNull(r.released_at),
    lineage: { ...rec.lineage, root: str(r.root_key), family: strOrNull(r.family) },
    origin: {
      org: strOrNull(r.origin_org),
      country: str(r.origin_country),
      countryAlt: strOrNull(r.origin_country_alt),
      kind: str(r.origin_kind) as OrgKind,
      basis: str(r.origin_basis) as NormalisedRecord['origin']['basis'],
    },
    mirrors: jsonArray(r.mirrors),
  };
}

function toCoverage(r: Row): CoverageCounters {
  return {
    modelsSeen: num(r.models_seen),
    requests: num(r.requests),
    pages: num(r.pages),
    http429: num(r.http429),
    errors: num(r.errors),
    quarantined: num(r.quarantined),
    incomplete: num(r.incomplete ?? 0),
    complete: bool(r.complete),
    degraded: bool(r.degraded),
    swept: bool(r.swept),
    notes: jsonArray(r.notes),
  };
}

const COVERAGE_COUNTERS = [
  ['modelsSeen', 'models_seen'],
  ['incomplete', 'incomplete'],
  ['requests', 'requests'],
  ['pages', 'pages'],
  ['http429', 'http429'],
  ['errors', 'errors'],
  ['quarantined', 'quarantined'],
] as const;

interface Cursor {
  releasedAt: string | null;
  key: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.releasedAt, c.key]), 'utf8').toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (v[0] === null || typeof v[0] === 'string') && typeof v[1] === 'string') {
      if (v[0] !== null && Number.isNaN(Date.parse(v[0]))) throw new Error('bad instant');
      return { releasedAt: v[0], key: v[1] };
    }
  } catch {
    // fall through to the one error below
  }
  throw new InputError('The cursor is not one this service issued; start again without a cursor.', { exitCode: 2 });
}

export abstract class SqlStore implements Store {
  abstract readonly engine: 'duckdb' | 'postgres';
  protected abstract readonly dialect: Dialect;
  /** Reads outside any transaction. */
  protected abstract readonly db: Db;
  protected abstract tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Stages the page's models and upserts models and daily_stats, inside the transaction of commitPage. */
  protected abstract writeModels(
    db: Db,
    date: string,
    models: NormalisedRecord[],
    fingerprints: ReadonlyMap<string, string> | undefined,
    objectIds: ReadonlyMap<string, string> | undefined,
    provenance: Provenance,
  ): Promise<void>;
  /**
   * Writes the day's figures of known, unchanged models (daily_stats, the models' latest figures, last_seen_date,
   * deleted_at cleared), inside the transaction of commitPage.
   */
  protected abstract writeSeen(db: Db, date: string, platform: Platform, seen: readonly SeenModel[]): Promise<void>;
  /** Wraps a list of strings so the engine binds it as a text array (`CAST($n AS TEXT[])`). */
  protected abstract textArray(values: readonly (string | null)[]): unknown;
  /**
   * Runs one query and hands its rows over in chunks of exactly `chunkSize` (the last one shorter), holding no more
   * than about a chunk in memory; statements the caller runs between chunks must not wait for the stream.
   */
  protected abstract streamQuery(sql: string, params: readonly unknown[], chunkSize: number): AsyncIterable<Columns>;

  /** $1 is a text array; an engine that defers work of commitPage also looks at what it deferred. */
  protected readonly existingKeysSql: string = 'SELECT key FROM models WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))';
  /**
   * The keys of a sighting relation `s(key, fingerprint)` that are not stored with that fingerprint. An engine that
   * defers work of commitPage also returns keys with deferred rows: their stored fingerprint is not the latest.
   */
  protected changedKeysSql(sightings: string): string {
    return `WITH s AS (${sightings})
      SELECT s.key FROM s LEFT JOIN models m ON m.key = s.key AND m.fingerprint = s.fingerprint WHERE m.key IS NULL`;
  }
  /** The sightings as a relation (key, fingerprint) and its parameters; by default two JSON arrays of text. */
  protected sightingsRelation(keys: string[], fingerprints: string[]): { sql: string; params: unknown[] } {
    return {
      sql: `SELECT * FROM ROWS FROM (json_array_elements_text(CAST($1 AS JSON)),
        json_array_elements_text(CAST($2 AS JSON))) AS s(key, fingerprint)`,
      params: [JSON.stringify(keys), JSON.stringify(fingerprints)],
    };
  }

  /** Called before every read of models or daily_stats: an engine that defers work of commitPage finishes it here. */
  protected async prepareRead(): Promise<void> {}

  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;

  async ping(): Promise<void> {
    await this.db.query('SELECT 1 AS ok');
  }

  async commitPage(page: PageCommit): Promise<void> {
    const date = checkDate(page.date, 'page date');
    const models = dedupeByKey(page.models);
    // Serialised before the transaction opens, so a value JSON cannot encode fails without touching the store.
    const checkpoint = page.checkpoint ? { name: page.checkpoint.name, value: JSON.stringify(page.checkpoint.value) } : null;
    if (checkpoint && checkpoint.value === undefined) {
      throw new InputError(`checkpoint ${checkpoint.name}: value cannot be stored as JSON`);
    }
    const provenance = checkProvenance(page.provenance);
    const written = new Set(models.map((m) => m.key));
    const seen = dedupeSeen(page.seen ?? [], written);
    const figuresOnly = (page.figuresOnly ?? []).filter((f) => !written.has(f.key));
    await this.tx(async (db) => {
      // Quarantine first, models after: a failure anywhere later must also take these rows back with it.
      if (page.quarantine.length > 0) await this.insertQuarantine(db, page.quarantine);
      if (page.objectIds && page.objectIds.size > 0 && page.detectRenames !== false) {
        await this.applyRenames(db, date, page.platform, page.objectIds);
      }
      if (models.length > 0) await this.writeModels(db, date, models, page.fingerprints, page.objectIds, provenance);
      if (figuresOnly.length > 0) await this.writeFiguresOnly(db, date, page.platform, figuresOnly, provenance);
      if (seen.length > 0) await this.writeSeen(db, date, page.platform, seen);
      if (page.coverage) await this.addCoverage(db, date, page.platform, page.coverage);
      if (checkpoint) await this.writeCheckpoint(db, checkpoint.name, checkpoint.value);
    });
  }

  private async insertQuarantine(db: Db, items: readonly QuarantineItem[]): Promise<void> {
    const per = 200;
    for (let i = 0; i < items.length; i += per) {
      const batch = items.slice(i, i + per);
      const params: unknown[] = [];
      const rows = batch.map((q) => {
        const b = params.length;
        params.push(
          new Date(q.at).toISOString(),
          q.platform,
          q.kind,
          capText(q.reason, QUARANTINE_TEXT_MAX),
          capUtf8(clean(q.payload), QUARANTINE_PAYLOAD_MAX_BYTES),
          capText(q.ref, QUARANTINE_TEXT_MAX),
        );
        return `(CAST($${b + 1} AS TIMESTAMPTZ), $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, CAST($${b + 6} AS TEXT))`;
      });
      await db.exec(
        `INSERT INTO quarantine (quarantined_at, platform, kind, reason, payload, ref) VALUES ${rows.join(', ')}`,
        params,
      );
    }
  }

  private async addCoverage(
    db: Db,
    date: string,
    platform: Platform,
    c: NonNullable<PageCommit['coverage']>,
  ): Promise<void> {
    const values = COVERAGE_COUNTERS.map(([k]) => {
      const v = c[k] ?? 0;
      if (!Number.isInteger(v) || v < 0) throw new InputError(`coverage counter ${k} must be a count, got ${v}`);
      return v;
    });
    const cols = COVERAGE_COUNTERS.map(([, col]) => col);
    await db.exec(
      `INSERT INTO coverage (date, platform, ${cols.join(', ')})
       VALUES (CAST($1 AS DATE), $2, ${cols.map((_, i) => `CAST($${i + 3} AS BIGINT)`).join(', ')})
       ON CONFLICT (date, platform) DO UPDATE SET ${cols.map((col) => `${col} = coverage.${col} + excluded.${col}`).join(', ')}`,
      [date, platform, ...values],
    );
  }

  private async writeCheckpoint(db: Db, name: string, json: string): Promise<void> {
    await db.exec(
      `INSERT INTO checkpoints (name, value, updated_at) VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ))
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [clean(name), json, new Date().toISOString()],
    );
  }

  async getCheckpoint<T = unknown>(name: string): Promise<T | null> {
    const rows = await this.db.query('SELECT value FROM checkpoints WHERE name = $1', [clean(name)]);
    return rows[0] ? (JSON.parse(str(rows[0].value)) as T) : null;
  }

  async setCheckpoint(name: string, value: unknown | null): Promise<void> {
    if (value === null) {
      await this.tx((db) => db.exec('DELETE FROM checkpoints WHERE name = $1', [clean(name)]));
      return;
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new InputError(`checkpoint ${name}: value cannot be stored as JSON`);
    await this.tx((db) => this.writeCheckpoint(db, name, json));
  }

  async setCoverageFlags(
    date: string,
    platform: Platform,
    flags: Partial<Pick<CoverageCounters, 'complete' | 'degraded' | 'swept'>> & { note?: string },
  ): Promise<void> {
    checkDate(date);
    await this.tx(async (db) => {
      await db.exec(
        'INSERT INTO coverage (date, platform) VALUES (CAST($1 AS DATE), $2) ON CONFLICT (date, platform) DO NOTHING',
        [date, platform],
      );
      const cur = await db.query(
        `SELECT notes FROM coverage WHERE date = CAST($1 AS DATE) AND platform = $2${this.dialect.forUpdate}`,
        [date, platform],
      );
      const notes = jsonArray(cur[0]?.notes ?? '[]');
      // A rerun of the same day repeats its notes; keeping each once keeps the snapshot stable.
      if (flags.note !== undefined && !notes.includes(flags.note)) notes.push(capText(flags.note, QUARANTINE_TEXT_MAX)!);
      await db.exec(
        `UPDATE coverage SET complete = COALESCE(CAST($3 AS BOOLEAN), complete),
           degraded = COALESCE(CAST($4 AS BOOLEAN), degraded), swept = COALESCE(CAST($5 AS BOOLEAN), swept), notes = $6
         WHERE date = CAST($1 AS DATE) AND platform = $2`,
        [date, platform, flags.complete ?? null, flags.degraded ?? null, flags.swept ?? null, JSON.stringify(notes)],
      );
    });
  }

  async getCoverage(date: string): Promise<Partial<Record<Platform, CoverageCounters>>> {
    const rows = await this.db.query(
      `SELECT platform, models_seen, requests, pages, http429, errors, quarantined, incomplete, complete, degraded, swept, notes
       FROM coverage WHERE date = CAST($1 AS DATE) ORDER BY platform${this.dialect.bytewise}`,
      [checkDate(date)],
    );
    const out: Partial<Record<Platform, CoverageCounters>> = {};
    for (const r of rows) out[str(r.platform) as Platform] = toCoverage(r);
    return out;
  }

  async existingKeys(keys: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += KEY_BATCH) {
      const rows = await this.db.query(
        this.existingKeysSql,
        [this.textArray(keys.slice(i, i + KEY_BATCH).map(clean))],
      );
      for (const r of rows) out.add(str(r.key));
    }
    return out;
  }

  async changedKeys(sightings: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < sightings.length; i += SIGHTING_BATCH) {
      const part = sightings.slice(i, i + SIGHTING_BATCH);
      const rel = this.sightingsRelation(
        part.map((s) => clean(s.key)),
        part.map((s) => s.fingerprint),
      );
      const rows = await this.db.query(this.changedKeysSql(rel.sql), rel.params);
      for (const r of rows) out.add(str(r.key));
    }
    return out;
  }

  /**
   * Models of `platform` that carry one of these object ids under another key, and whose new key is not stored yet:
   * the repositories renamed since they were last written (rows `old_key`, `new_key`, `oid`). An engine that defers
   * work of commitPage also looks there.
   */
  protected findRenamed(db: Db, platform: Platform, keys: string[], oids: string[]): Promise<Row[]> {
    return db.query(
      `WITH s AS (SELECT unnest(CAST($2 AS TEXT[])) AS key, unnest(CAST($3 AS TEXT[])) AS oid)
       SELECT m.key AS old_key, s.key AS new_key, s.oid AS oid FROM models m JOIN s ON m.object_id = s.oid
       WHERE m.platform = $1 AND m.key <> s.key AND NOT EXISTS (SELECT 1 FROM models n WHERE n.key = s.key)`,
      [platform, this.textArray(keys), this.textArray(oids)],
    );
  }

  /**
   * Moves models' rows and histories from old keys to new ones (the models upserted next keep their first
   * sighting). One statement per table for all the commit's renames: daily_stats is the largest table and has no
   * index in the embedded store, so each statement scans it once.
   */
  protected async moveKeys(db: Db, olds: string[], news: string[]): Promise<void> {
    const pairs = `SELECT unnest(CAST($1 AS TEXT[])) AS old_key, unnest(CAST($2 AS TEXT[])) AS new_key`;
    const params = [this.textArray(olds), this.textArray(news)];
    // A day with rows under both keys (seen before and after the rename on the same day) keeps the newer one.
    await db.exec(
      `DELETE FROM daily_stats WHERE (key, date) IN (
         SELECT p.old_key, d.date FROM (${pairs}) p JOIN daily_stats d ON d.key = p.new_key)`,
      params,
    );
    await db.exec(`UPDATE daily_stats SET key = p.new_key FROM (${pairs}) p WHERE daily_stats.key = p.old_key`, params);
    await db.exec(`UPDATE models SET key = p.new_key FROM (${pairs}) p WHERE models.key = p.old_key`, params);
  }

  /**
   * Renames inside commitPage's transaction, before the page's models are written: a model listed under a new key
   * with the object id of a stored one is that model renamed. Its row and its daily figures move to the new key,
   * so it keeps its history and first sighting (and is not announced as a new release); the old key is kept as an
   * alias that the API answers with a pointer to the new one.
   */
  private async applyRenames(db: Db, date: string, platform: Platform, objectIds: ReadonlyMap<string, string>): Promise<void> {
    const keys = [...objectIds.keys()].map((k) => clean(k));
    const oids = [...objectIds.values()].map((o) => clean(o));
    const rows = await this.findRenamed(db, platform, keys, oids);
    const moved = new Set<string>();
    const pairs: Array<{ oldKey: string; newKey: string; oid: string }> = [];
    for (const r of rows) {
      const oldKey = str(r.old_key);
      const newKey = str(r.new_key);
      if (moved.has(oldKey) || moved.has(newKey)) continue;
      moved.add(oldKey).add(newKey);
      pairs.push({ oldKey, newKey, oid: str(r.oid) });
    }
    if (pairs.length === 0) return;
    await this.moveKeys(db, pairs.map((p) => p.oldKey), pairs.map((p) => p.newKey));
    for (const { oldKey, newKey, oid } of pairs) {
      await db.exec('DELETE FROM model_renames WHERE old_key = $1', [oldKey]);
      // Earlier names point straight at the newest one (lineage looks aliases up in one hop).
      await db.exec('UPDATE model_renames SET new_key = $2 WHERE new_key = $1', [oldKey, newKey]);
      await db.exec(
        'INSERT INTO model_renames (old_key, new_key, platform, object_id, renamed_on) VALUES ($1, $2, $3, $4, CAST($5 AS DATE))',
        [oldKey, newKey, platform, oid, date],
      );
    }
  }

  async renamedTo(key: string): Promise<string | null> {
    let cur = clean(key);
    // A chain of renames (a → b → c) ends at the key stored now; a loop (a → b → a) ends where it started.
    for (let hop = 0; hop < 8; hop++) {
      const rows = await this.db.query('SELECT new_key FROM model_renames WHERE old_key = $1', [cur]);
      const next = rows[0] ? str(rows[0].new_key) : null;
      if (next === null || next === key) break;
      cur = next;
    }
    return cur === clean(key) ? null : cur;
  }

  async markMissing(platform: Platform, date: string): Promise<number> {
    checkDate(date);
    await this.prepareRead();
    // commitPage keeps last_seen_date at the latest day with a stats row, so "< date" is exactly "no row on date"
    // without a scan of daily_stats, and a model seen on a later day is never missing on an earlier one.
    return this.tx((db) =>
      db.exec(
        `UPDATE models SET missing_since = CAST($2 AS DATE)
         WHERE platform = $1 AND deleted_at IS NULL AND missing_since IS NULL
           AND (last_seen_date IS NULL OR last_seen_date < CAST($2 AS DATE))`,
        [platform, date],
      ),
    );
  }

  async deletionCandidates(platform: Platform, date: string, limit: number): Promise<Array<{ key: string; id: string; missingSince: string }>> {
    checkDate(date);
    await this.prepareRead();
    const rows = await this.db.query(
      `SELECT key, id, missing_since FROM models
       WHERE platform = $1 AND deleted_at IS NULL AND missing_since < CAST($2 AS DATE)
       ORDER BY missing_since, key${this.dialect.bytewise} LIMIT ${Math.max(0, Math.floor(limit))}`,
      [platform, date],
    );
    return rows.map((r) => ({ key: str(r.key), id: str(r.id), missingSince: str(r.missing_since) }));
  }

  async markDeleted(platform: Platform, keys: readonly string[], date: string): Promise<number> {
    checkDate(date);
    if (keys.length === 0) return 0;
    await this.prepareRead();
    return this.tx((db) =>
      db.exec(
        `UPDATE models SET deleted_at = CAST($2 AS DATE)
         WHERE platform = $1 AND deleted_at IS NULL AND missing_since IS NOT NULL AND key IN (SELECT unnest(CAST($3 AS TEXT[])))`,
        [platform, date, this.textArray(keys.map(clean))],
      ),
    );
  }

  async statsDates(): Promise<string[]> {
    await this.prepareRead();
    // stats_days holds each date of daily_stats once (kept by commitPage), so this never scans daily_stats.
    const rows = await this.db.query('SELECT date FROM stats_days ORDER BY date');
    return rows.map((r) => str(r.date));
  }

  async *streamSnapshotRows(date: string, prevDate: PreviousDates, chunkSize?: number): AsyncIterable<SnapshotRow[]> {
    checkDate(date);
    // One previous day for all, or one per platform (snapshot/previous.ts: a dump date holds the Hub alone).
    const prevOf = (p: Platform): string | null => {
      const d = prevDate === null || typeof prevDate === 'string' ? prevDate : (prevDate[p] ?? null);
      return d === null ? null : checkDate(d, 'prevDate');
    };
    const n = chunkSizeOf(chunkSize);
    const ago30 = addDays(date, -30);
    await this.prepareRead();
    // One query for the whole day, streamed: no re-scan per chunk, and the engine reads each table once. Instants
    // and counts arrive as text and numbers, ready for the rows.
    const d = this.dialect;
    const sql = `SELECT k.key, m.platform, m.namespace, ${d.instantText('m.created_at')} AS created_at,
        ${d.instantText('m.released_at')} AS released_at, m.task, m.relation, m.root_key,
        m.family, m.license_class, m.license_id, m.publisher_org, m.publisher_country, m.publisher_country_alt,
        m.publisher_kind, m.origin_org, m.origin_country, m.origin_country_alt, m.origin_kind, m.origin_basis,
        CAST(k.downloads_all_time AS ${d.double}) AS downloads_all_time, CAST(k.downloads30d AS ${d.double}) AS downloads30d,
        CAST(k.likes AS ${d.double}) AS likes, CAST(p.downloads_all_time AS ${d.double}) AS prev_all_time,
        CAST(a.downloads_all_time AS ${d.double}) AS all_time_30d_ago
      FROM daily_stats k
      JOIN models m ON m.key = k.key
      LEFT JOIN (${PLATFORMS.map(
        (p, i) => `SELECT key, downloads_all_time FROM daily_stats WHERE date = CAST($${i + 3} AS DATE) AND platform = '${p}'`,
      ).join(' UNION ALL ')}) p ON p.key = k.key
      LEFT JOIN daily_stats a ON a.date = CAST($2 AS DATE) AND a.key = k.key
      WHERE k.date = CAST($1 AS DATE)
      ORDER BY k.key`;
    const params = [date, ago30, ...PLATFORMS.map(prevOf)];
    for await (const c of this.streamQuery(sql, params, n)) {
      const key = c.col('key');
      const platform = c.col('platform');
      const namespace = c.col('namespace');
      const createdAt = c.col('created_at');
      const releasedAt = c.col('released_at');
      const task = c.col('task');
      const relation = c.col('relation');
      const rootKey = c.col('root_key');
      const family = c.col('family');
      const licenseClass = c.col('license_class');
      const licenseId = c.col('license_id');
      const publisherOrg = c.col('publisher_org');
      const publisherCountry = c.col('publisher_country');
      const publisherCountryAlt = c.col('publisher_country_alt');
      const publisherKind = c.col('publisher_kind');
      const originOrg = c.col('origin_org');
      const originCountry = c.col('origin_country');
      const originCountryAlt = c.col('origin_country_alt');
      const originKind = c.col('origin_kind');
      const originBasis = c.col('origin_basis');
      const downloadsAllTime = c.col('downloads_all_time');
      const downloads30d = c.col('downloads30d');
      const likes = c.col('likes');
      const prevAllTime = c.col('prev_all_time');
      const allTime30dAgo = c.col('all_time_30d_ago');
      const out = new Array<SnapshotRow>(c.length);
      for (let i = 0; i < c.length; i++) {
        out[i] = {
          key: str(key[i]),
          platform: str(platform[i]) as Platform,
          namespace: str(namespace[i]),
          createdAt: strOrNull(createdAt[i]),
          releasedAt: strOrNull(releasedAt[i]),
          task: strOrNull(task[i]),
          relation: str(relation[i]) as Relation,
          rootKey: str(rootKey[i]),
          family: strOrNull(family[i]),
          licenseClass: str(licenseClass[i]) as SnapshotRow['licenseClass'],
          licenseId: str(licenseId[i]),
          publisherOrg: strOrNull(publisherOrg[i]),
          publisherCountry: str(publisherCountry[i]),
          publisherCountryAlt: strOrNull(publisherCountryAlt[i]),
          publisherKind: str(publisherKind[i]) as OrgKind,
          originOrg: strOrNull(originOrg[i]),
          originCountry: str(originCountry[i]),
          originCountryAlt: strOrNull(originCountryAlt[i]),
          originKind: str(originKind[i]) as OrgKind,
          originBasis: str(originBasis[i]) as SnapshotRow['originBasis'],
          downloadsAllTime: numOrNull(downloadsAllTime[i]),
          downloads30d: numOrNull(downloads30d[i]),
          likes: numOrNull(likes[i]),
          prevAllTime: numOrNull(prevAllTime[i]),
          allTime30dAgo: numOrNull(allTime30dAgo[i]),
        };
      }
      yield out;
    }
  }

  private async *streamKeys(where: string, chunkSize: number | undefined): AsyncIterable<string[]> {
    const n = chunkSizeOf(chunkSize);
    await this.prepareRead();
    for await (const c of this.streamQuery(`SELECT key FROM models WHERE ${where} ORDER BY key`, [], n)) {
      yield c.col('key').map(str);
    }
  }

  streamDerivativeKeys(chunkSize?: number): AsyncIterable<string[]> {
    return this.streamKeys(`relation <> 'base'`, chunkSize);
  }

  streamUnlinkedRedistributedKeys(chunkSize?: number): AsyncIterable<string[]> {
    // "No lineage" is no declared base model; such a copy is only linked to its original by name matching.
    return this.streamKeys(`publisher_kind = 'redistributor' AND base_models = '[]'`, chunkSize);
  }

  async getLineageNodes(keys: string[]): Promise<Map<string, LineageNode>> {
    await this.prepareRead();
    const out = new Map<string, LineageNode>();
    for (let i = 0; i < keys.length; i += KEY_BATCH) {
      const rows = await this.db.query(
        `SELECT ${LINEAGE_COLS} FROM models WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))`,
        [this.textArray(keys.slice(i, i + KEY_BATCH).map(clean))],
      );
      for (const r of rows) out.set(str(r.key), toLineageNode(r));
    }
    // A base named by an id it no longer has (a card written before the rename) is the renamed model: its node is
    // given under the asked key, carrying its own key, so the root is the key the model has now.
    const absent = keys.filter((k) => !out.has(clean(k)));
    for (let i = 0; i < absent.length; i += KEY_BATCH) {
      const rows = await this.db.query(
        `SELECT r.old_key AS asked, ${LINEAGE_COLS.split(',').map((c) => `m.${c.trim()}`).join(', ')}
         FROM model_renames r JOIN models m ON m.key = r.new_key
         WHERE r.old_key IN (SELECT unnest(CAST($1 AS TEXT[])))`,
        [this.textArray(absent.slice(i, i + KEY_BATCH).map(clean))],
      );
      for (const r of rows) out.set(str(r.asked), toLineageNode(r));
    }
    return out;
  }

  async findByNames(platform: Platform, names: string[]): Promise<Map<string, LineageNode[]>> {
    await this.prepareRead();
    const out = new Map<string, LineageNode[]>();
    const lowered = [...new Set(names.map((n) => clean(n.toLowerCase())))];
    for (let i = 0; i < lowered.length; i += KEY_BATCH) {
      // A deleted model is not a match target: linking a copy to it would point lineage at a dead key.
      const rows = await this.db.query(
        `SELECT name_lower, ${LINEAGE_COLS} FROM models
         WHERE platform = $1 AND deleted_at IS NULL AND name_lower IN (SELECT unnest(CAST($2 AS TEXT[])))
         ORDER BY key${this.dialect.bytewise}`,
        [platform, this.textArray(lowered.slice(i, i + KEY_BATCH))],
      );
      for (const r of rows) {
        const name = str(r.name_lower);
        const list = out.get(name);
        if (list) list.push(toLineageNode(r));
        else out.set(name, [toLineageNode(r)]);
      }
    }
    return out;
  }

  async updateOrigins(updates: OriginUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const byKey = new Map(updates.map((u) => [u.key, u]));
    const list = [...byKey.values()];
    const cols: Array<[string, (u: OriginUpdate) => string | null]> = [
      ['key', (u) => clean(u.key)],
      ['root_key', (u) => clean(u.rootKey)],
      ['family', (u) => clean(u.family)],
      ['origin_org', (u) => clean(u.originOrg)],
      ['origin_country', (u) => u.originCountry],
      ['origin_country_alt', (u) => u.originCountryAlt],
      ['origin_kind', (u) => u.originKind],
      ['origin_basis', (u) => u.originBasis],
      ['mirrors', (u) => JSON.stringify(u.mirrors)],
    ];
    const select = cols.map(([c], i) => `unnest(CAST($${i + 1} AS TEXT[])) AS ${c}`).join(', ');
    const set = cols
      .slice(1)
      .map(([c]) => `${c} = u.${c}`)
      .join(', ');
    await this.prepareRead();
    await this.tx(async (db) => {
      for (let i = 0; i < list.length; i += KEY_BATCH) {
        const batch = list.slice(i, i + KEY_BATCH);
        await db.exec(
          `UPDATE models SET ${set} FROM (SELECT ${select}) AS u WHERE models.key = u.key`,
          cols.map(([, get]) => this.textArray(batch.map(get))),
        );
      }
    });
  }

  async listModels(q: ModelQuery): Promise<ModelPage> {
    const limit = Math.min(Math.max(Math.floor(q.limit), 1), MAX_LIST_LIMIT);
    const view = q.view ?? 'origin';
    const params: unknown[] = [];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['deleted_at IS NULL'];
    if (q.platform) where.push(`platform = ${p(q.platform)}`);
    if (q.country) where.push(`${view}_country = ${p(q.country.toUpperCase())}`);
    // Registry org names are ASCII in practice; lower() on both sides keeps the match case-insensitive.
    if (q.org) where.push(`lower(${view}_org) = lower(${p(q.org)})`);
    if (q.kind) where.push(`${view}_kind = ${p(q.kind)}`);
    if (q.licenseClass) where.push(`license_class = ${p(q.licenseClass)}`);
    if (q.relation) where.push(`relation = ${p(q.relation)}`);
    if (q.since) {
      if (Number.isNaN(Date.parse(q.since))) throw new InputError(`since must be an ISO instant, got ${q.since}`, { exitCode: 2 });
      where.push(`released_at >= CAST(${p(new Date(q.since).toISOString())} AS TIMESTAMPTZ)`);
    }
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      const k = p(c.key);
      // Rows without a release instant sort last (NULLS LAST), so they follow every dated row.
      where.push(
        c.releasedAt === null
          ? `(released_at IS NULL AND key < ${k})`
          : `(released_at < CAST(${p(c.releasedAt)} AS TIMESTAMPTZ) OR (released_at = CAST($${params.length} AS TIMESTAMPTZ) AND key < ${k}) OR released_at IS NULL)`,
      );
    }
    await this.prepareRead();
    const rows = await this.db.query(
      `SELECT key, ${RECORD_COLS} FROM models WHERE ${where.join(' AND ')}
       ORDER BY released_at DESC NULLS LAST, key DESC LIMIT ${limit + 1}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toRecord),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ releasedAt: strOrNull(last.released_at), key: str(last.key) }) : null,
    };
  }

  async getModel(key: string): Promise<NormalisedRecord | null> {
    await this.prepareRead();
    const rows = await this.db.query(`SELECT key, ${RECORD_COLS} FROM models WHERE key = $1`, [clean(key)]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async derivativeCounts(key: string): Promise<DerivativeCounts> {
    await this.prepareRead();
    const own = clean(key);
    // A derivative whose card was written before a rename still names the old key (lineage resolves it for the
    // root, but base_models keeps the card's words), so the keys this model had count as its own.
    const names = new Set([key, own]);
    let frontier = [own];
    for (let hop = 0; hop < 8 && frontier.length > 0 && names.size < MAX_ALIASES; hop++) {
      const rows = await this.db.query(
        'SELECT old_key FROM model_renames WHERE new_key IN (SELECT unnest(CAST($1 AS TEXT[])))',
        [this.textArray(frontier)],
      );
      frontier = rows.map((r) => str(r.old_key)).filter((k) => !names.has(k));
      for (const k of frontier) names.add(k);
    }
    // base_models is JSON text and the two engines share no JSON containment operator (PostgreSQL's jsonb `?`,
    // DuckDB's json functions), nor an index on it. A LIKE on the key as JSON writes it, quotes included, is plain
    // SQL both run inside the one scan the root count needs anyway, and it finds every real derivative: an array's
    // text holds each element exactly as JSON.stringify writes that element alone. It can also match inside
    // another element (base `"x:a\` contains the text of key `x:a\` quoted), so it is only a pre-filter: rows are
    // grouped by their base list text (a popular model's thousands of derivatives share a handful of lists), and
    // each group is checked exactly here before it counts. `%`, `_` and the escape character in keys are escaped.
    const params: unknown[] = [own];
    const likes = [...names].map((k) => {
      params.push(`%${likeEscape(JSON.stringify(k))}%`);
      return `base_models LIKE $${params.length} ESCAPE '\\'`;
    });
    const direct = `(${likes.join(' OR ')})`;
    const rows = await this.db.query(
      `SELECT relation, CASE WHEN ${direct} THEN base_models END AS bases, COUNT(*) AS n,
         SUM(CASE WHEN root_key = $1 THEN 1 ELSE 0 END) AS under_root
       FROM models
       WHERE deleted_at IS NULL AND key <> $1 AND (root_key = $1 OR ${direct})
       GROUP BY relation, CASE WHEN ${direct} THEN base_models END`,
      params,
    );
    const byRelation = new Map<Relation, number>();
    let descendants = 0;
    for (const r of rows) {
      descendants += num(r.under_root);
      const bases = strOrNull(r.bases);
      if (bases === null || !jsonArray(bases).some((b) => names.has(b) || names.has(clean(b)))) continue;
      const rel = str(r.relation) as Relation;
      byRelation.set(rel, (byRelation.get(rel) ?? 0) + num(r.n));
    }
    const directRows = [...byRelation.entries()]
      .map(([relation, models]) => ({ relation, models }))
      .sort((a, b) => b.models - a.models || (a.relation < b.relation ? -1 : 1));
    return { direct: directRows, directTotal: directRows.reduce((t, r) => t + r.models, 0), descendants };
  }

  async statsHistory(key: string): Promise<StatsPoint[]> {
    await this.prepareRead();
    const rows = await this.db.query(
      'SELECT date, downloads_all_time, downloads30d, likes FROM daily_stats WHERE key = $1 ORDER BY date',
      [clean(key)],
    );
    return rows.map((r) => ({
      date: str(r.date),
      downloadsAllTime: numOrNull(r.downloads_all_time),
      downloads30d: numOrNull(r.downloads30d),
      likes: numOrNull(r.likes),
    }));
  }

  /** The protected parts the momentum reads need (src/store/momentum-sql.ts). */
  private momentumContext(): MomentumSqlContext {
    return {
      dialect: this.dialect,
      prepareRead: () => this.prepareRead(),
      query: (sql, params) => this.db.query(sql, params),
      streamQuery: (sql, params, n) => this.streamQuery(sql, params, n),
      textArray: (values) => this.textArray(values),
    };
  }

  streamMomentumRows(date: string, at7: string | null, at28: string | null, chunkSize?: number): AsyncIterable<MomentumRow[]> {
    return streamMomentumRows(this.momentumContext(), date, at7, at28, chunkSize);
  }

  streamAdoptionHistories(date: string, createdFrom: string, chunkSize?: number): AsyncIterable<AdoptionChunk> {
    return streamAdoptionHistories(this.momentumContext(), date, createdFrom, chunkSize);
  }

  async statsHistories(keys: string[]): Promise<Map<string, StatsPoint[]>> {
    await this.prepareRead();
    const out = new Map<string, StatsPoint[]>();
    // One scan per batch of keys instead of one per key: without a secondary index (DuckDB) a key lookup scans
    // daily_stats, so the digest's few hundred notable models would cost a few hundred scans.
    for (let i = 0; i < keys.length; i += KEY_BATCH) {
      const rows = await this.db.query(
        `SELECT key, date, downloads_all_time, downloads30d, likes FROM daily_stats
         WHERE key IN (SELECT unnest(CAST($1 AS TEXT[]))) ORDER BY key${this.dialect.bytewise}, date`,
        [this.textArray(keys.slice(i, i + KEY_BATCH).map(clean))],
      );
      for (const r of rows) {
        const k = str(r.key);
        let list = out.get(k);
        if (!list) out.set(k, (list = []));
        list.push({
          date: str(r.date),
          downloadsAllTime: numOrNull(r.downloads_all_time),
          downloads30d: numOrNull(r.downloads30d),
          likes: numOrNull(r.likes),
        });
      }
    }
    return out;
  }

  /** Whether daily_stats has the provenance column (migration 5): asked once per store, not per read. */
  private provenanceColumn: Promise<boolean> | null = null;

  private hasProvenanceColumn(): Promise<boolean> {
    this.provenanceColumn ??= this.db
      .query(
        `SELECT COUNT(*) AS n FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'daily_stats' AND column_name = 'provenance'`,
      )
      .then((rows) => Number(rows[0]?.n ?? 0) > 0);
    return this.provenanceColumn;
  }

  async *streamHistory(q: HistoryQuery, chunkSize?: number): AsyncIterable<HistoryRow[]> {
    const n = chunkSizeOf(chunkSize);
    if ((q.date === undefined) === (q.keys === undefined)) throw new InputError('streamHistory: give a date or keys, not both');
    if (q.keys !== undefined && q.keys.length > KEY_BATCH) {
      throw new InputError(`streamHistory: at most ${KEY_BATCH} keys at once, got ${q.keys.length}`);
    }
    await this.prepareRead();
    const provenance = (await this.hasProvenanceColumn()) ? 'provenance' : 'CAST(NULL AS TEXT)';
    const d = this.dialect;
    const select = `SELECT date, key, platform, CAST(downloads_all_time AS ${d.double}) AS downloads_all_time,
        CAST(downloads30d AS ${d.double}) AS downloads30d, CAST(likes AS ${d.double}) AS likes, ${provenance} AS provenance
      FROM daily_stats`;
    const [sql, params] =
      q.date !== undefined
        ? [`${select} WHERE date = CAST($1 AS DATE) ORDER BY key${d.bytewise}`, [checkDate(q.date)]]
        : [
            `${select} WHERE key IN (SELECT unnest(CAST($1 AS TEXT[]))) ORDER BY key${d.bytewise}, date`,
            [this.textArray(q.keys.map(clean))],
          ];
    for await (const c of this.streamQuery(sql, params, n)) {
      const [date, key, platform, all, d30, likes, prov] = [
        c.col('date'),
        c.col('key'),
        c.col('platform'),
        c.col('downloads_all_time'),
        c.col('downloads30d'),
        c.col('likes'),
        c.col('provenance'),
      ];
      const out = new Array<HistoryRow>(c.length);
      for (let i = 0; i < c.length; i++) {
        out[i] = {
          date: str(date[i]),
          key: str(key[i]),
          platform: str(platform[i]) as Platform,
          downloadsAllTime: numOrNull(all[i]),
          downloads30d: numOrNull(d30[i]),
          likes: numOrNull(likes[i]),
          provenance: strOrNull(prov[i]),
        };
      }
      yield out;
    }
  }

  async orgCounts(): Promise<Array<{ org: string; publisherModels: number; originModels: number }>> {
    await this.prepareRead();
    const rows = await this.db.query(
      `SELECT org, SUM(p) AS publisher_models, SUM(o) AS origin_models FROM (
         SELECT publisher_org AS org, 1 AS p, 0 AS o FROM models WHERE publisher_org IS NOT NULL AND deleted_at IS NULL
         UNION ALL
         SELECT origin_org AS org, 0 AS p, 1 AS o FROM models WHERE origin_org IS NOT NULL AND deleted_at IS NULL
       ) t GROUP BY org ORDER BY SUM(p) + SUM(o) DESC, org${this.dialect.bytewise}`,
    );
    return rows.map((r) => ({
      org: str(r.org),
      publisherModels: num(r.publisher_models),
      originModels: num(r.origin_models),
    }));
  }

  async unknownNamespaces(date: string, top: number): Promise<{ total: number; rows: NamespaceDownloads[] }> {
    checkDate(date);
    const n = Math.max(0, Math.floor(top));
    await this.prepareRead();
    // A platform "has" the 30-day window on a day when any of its rows carries one; the other platforms are
    // ranked by all-time counts. Deciding per platform, not per row, keeps one platform from mixing windows.
    const day = `WITH day AS (
        SELECT s.platform, m.namespace, m.namespace_lower, m.publisher_org,
          CASE WHEN COUNT(s.downloads30d) OVER (PARTITION BY s.platform) > 0
            THEN COALESCE(s.downloads30d, 0) ELSE COALESCE(s.downloads_all_time, 0) END AS dl
        FROM daily_stats s JOIN models m ON m.key = s.key
        WHERE s.date = CAST($1 AS DATE)
      )`;
    const [totalRows, rows] = await Promise.all([
      this.db.query(`${day} SELECT COALESCE(SUM(dl), 0) AS total FROM day`, [date]),
      this.db.query(
        `${day} SELECT platform, MIN(namespace${this.dialect.bytewise}) AS namespace, COUNT(*) AS models,
           SUM(dl) AS downloads
         FROM day WHERE publisher_org IS NULL
         GROUP BY platform, namespace_lower
         ORDER BY SUM(dl) DESC, COUNT(*) DESC, platform${this.dialect.bytewise}, namespace_lower${this.dialect.bytewise}
         LIMIT ${n}`,
        [date],
      ),
    ]);
    return {
      total: num(totalRows[0]?.total ?? 0),
      rows: rows.map((r) => ({
        platform: str(r.platform) as Platform,
        namespace: str(r.namespace),
        models: num(r.models),
        downloads: num(r.downloads),
      })),
    };
  }

  async listQuarantine(limit: number, platform?: Platform): Promise<QuarantineRow[]> {
    const n = Math.min(Math.max(Math.floor(limit), 0), 10_000);
    const rows = await this.db.query(
      `SELECT id, quarantined_at, platform, kind, reason, payload, ref FROM quarantine
       ${platform ? 'WHERE platform = $1' : ''} ORDER BY id DESC LIMIT ${n}`,
      platform ? [platform] : [],
    );
    return rows.map((r) => ({
      id: num(r.id),
      at: str(r.quarantined_at),
      platform: str(r.platform) as Platform,
      kind: str(r.kind) as QuarantineItem['kind'],
      reason: str(r.reason),
      payload: str(r.payload),
      ref: strOrNull(r.ref),
    }));
  }

  async countQuarantine(platform?: Platform): Promise<number> {
    const rows = await this.db.query(
      `SELECT COUNT(*) AS n FROM quarantine ${platform ? 'WHERE platform = $1' : ''}`,
      platform ? [platform] : [],
    );
    return num(rows[0]?.n ?? 0);
  }
  // -------------------------------------------------------------------------------------------------------------
  // Provenance and the backfill (src/backfill/): generic SQL, the same in both engines.

  /** PageCommit.figuresOnly: the day's rows only; live wins (a dump row never replaces a live one). */
  private async writeFiguresOnly(
    db: Db,
    date: string,
    platform: Platform,
    rows: ReadonlyArray<{ key: string; stats: NormalisedRecord['stats'] }>,
    provenance: Provenance,
  ): Promise<void> {
    const keys = this.textArray(rows.map((r) => clean(r.key)));
    const n = (v: number | null): string | null => (v === null ? null : String(v));
    await db.exec(
      `DELETE FROM daily_stats WHERE date = CAST($1 AS DATE) AND key IN (SELECT unnest(CAST($2 AS TEXT[])))${provenance === 'live' ? '' : ` AND provenance = 'dump'`}`,
      [date, keys],
    );
    await db.exec(
      `INSERT INTO daily_stats (date, key, platform, downloads_all_time, downloads30d, likes, provenance)
       SELECT CAST($1 AS DATE), s.key, $2, s.a, s.d, s.l, CAST($7 AS TEXT)
       FROM (SELECT unnest(CAST($3 AS TEXT[])) AS key, CAST(unnest(CAST($4 AS TEXT[])) AS BIGINT) AS a,
               CAST(unnest(CAST($5 AS TEXT[])) AS BIGINT) AS d, CAST(unnest(CAST($6 AS TEXT[])) AS BIGINT) AS l) s
       WHERE NOT EXISTS (SELECT 1 FROM daily_stats x WHERE x.date = CAST($1 AS DATE) AND x.key = s.key)`,
      [
        date,
        platform,
        keys,
        this.textArray(rows.map((r) => n(r.stats.downloadsAllTime))),
        this.textArray(rows.map((r) => n(r.stats.downloads30d))),
        this.textArray(rows.map((r) => n(r.stats.likes))),
        provenance,
      ],
    );
    await db.exec('INSERT INTO stats_days (date) VALUES (CAST($1 AS DATE)) ON CONFLICT DO NOTHING', [date]);
  }

  private async keysWhere(sql: string, date: string, keys: readonly string[]): Promise<Set<string>> {
    checkDate(date);
    await this.prepareRead();
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += KEY_BATCH) {
      const rows = await this.db.query(sql, [date, this.textArray(keys.slice(i, i + KEY_BATCH).map(clean))]);
      for (const r of rows) out.add(str(r.key));
    }
    return out;
  }

  liveKeysOn(date: string, keys: readonly string[]): Promise<Set<string>> {
    return this.keysWhere(
      `SELECT key FROM daily_stats WHERE date = CAST($1 AS DATE) AND provenance = 'live' AND key IN (SELECT unnest(CAST($2 AS TEXT[])))`,
      date,
      keys,
    );
  }

  keysNewerThan(date: string, keys: readonly string[]): Promise<Set<string>> {
    return this.keysWhere(
      `SELECT key FROM models WHERE last_seen_date > CAST($1 AS DATE) AND key IN (SELECT unnest(CAST($2 AS TEXT[])))`,
      date,
      keys,
    );
  }

  async provenanceCounts(date: string): Promise<Partial<Record<Platform, Record<Provenance, number>>>> {
    checkDate(date);
    await this.prepareRead();
    const rows = await this.db.query(
      `SELECT platform, COALESCE(provenance, 'live') AS provenance, COUNT(*) AS n FROM daily_stats
       WHERE date = CAST($1 AS DATE) GROUP BY platform, COALESCE(provenance, 'live')`,
      [date],
    );
    const out: Partial<Record<Platform, Record<Provenance, number>>> = {};
    for (const r of rows) {
      const p = str(r.platform) as Platform;
      const entry = (out[p] ??= { live: 0, dump: 0 });
      entry[str(r.provenance) === 'dump' ? 'dump' : 'live'] += num(r.n);
    }
    return out;
  }

  async platformsOn(date: string): Promise<Platform[]> {
    checkDate(date);
    await this.prepareRead();
    const rows = await this.db.query(
      `SELECT platform FROM daily_stats WHERE date = CAST($1 AS DATE) GROUP BY platform ORDER BY platform${this.dialect.bytewise}`,
      [date],
    );
    return rows.map((r) => str(r.platform) as Platform);
  }

  async compareDays(platform: Platform, date: string, prevDate: string, activeFloor: number): Promise<DayComparison> {
    checkDate(date);
    checkDate(prevDate, 'prevDate');
    await this.prepareRead();
    // "Active" models (at least activeFloor downloads in the 30 days before prevDate, or all-time where the day has no
    // 30-day figure) are those whose counters should move between two stored days; a stall is most of them not moving.
    const rows = await this.db.query(
      `WITH c AS (SELECT key, downloads_all_time AS a, downloads30d AS d FROM daily_stats WHERE date = CAST($2 AS DATE) AND platform = $1),
            p AS (SELECT key, downloads_all_time AS a, downloads30d AS d FROM daily_stats WHERE date = CAST($3 AS DATE) AND platform = $1),
            j AS (SELECT c.a AS ca, c.d AS cd, p.a AS pa, p.d AS pd, COALESCE(p.d, p.a) >= $4 AS active FROM c JOIN p ON p.key = c.key)
       SELECT (SELECT COUNT(*) FROM c) AS rows_now, (SELECT COUNT(*) FROM p) AS rows_prev,
         (SELECT COUNT(*) FROM j) AS both_days,
         (SELECT COUNT(*) FROM j WHERE ca IS NOT NULL AND pa IS NOT NULL) AS all_time_compared,
         (SELECT COUNT(*) FROM j WHERE ca < pa) AS all_time_decreased,
         (SELECT COUNT(*) FROM j WHERE active AND COALESCE(ca, cd) IS NOT NULL AND COALESCE(pa, pd) IS NOT NULL
            AND (ca IS NULL) = (pa IS NULL)) AS active_compared,
         (SELECT COUNT(*) FROM j WHERE active AND ((ca IS NOT NULL AND pa IS NOT NULL AND ca = pa)
            OR (ca IS NULL AND pa IS NULL AND cd = pd))) AS active_unmoved`,
      [platform, date, prevDate, activeFloor],
    );
    const r = rows[0] ?? {};
    return {
      rowsNow: num(r.rows_now ?? 0),
      rowsPrev: num(r.rows_prev ?? 0),
      bothDays: num(r.both_days ?? 0),
      allTimeCompared: num(r.all_time_compared ?? 0),
      allTimeDecreased: num(r.all_time_decreased ?? 0),
      activeCompared: num(r.active_compared ?? 0),
      activeUnmoved: num(r.active_unmoved ?? 0),
    };
  }

  async renameCandidates(platform: Platform, since: string, date: string): Promise<Array<{ oldKey: string; newKey: string }>> {
    checkDate(date);
    checkDate(since, 'since');
    await this.prepareRead();
    // A key last listed from `since` on but not on date (a partial file between may have left it out), and a key
    // first listed on date, with the same creation instant and
    // the same all-time count: the same repository under a new name (Model Pulse's rule on daily data, research/
    // anchors.md §12). Between two weekly files the count moves, so a count that did not go down also matches; where
    // neither day has all-time counts (older files) the creation instant alone does. Only pairs unique on both sides
    // count: an ambiguous match proves nothing.
    const rows = await this.db.query(
      `WITH gone AS (
         SELECT m.key, m.created_at, m.downloads_all_time AS a FROM models m
         WHERE m.platform = $1 AND m.created_at IS NOT NULL AND m.deleted_at IS NULL
           AND m.last_seen_date >= CAST($2 AS DATE) AND m.last_seen_date < CAST($3 AS DATE)),
       fresh AS (
         SELECT c.key, m.created_at, c.downloads_all_time AS a FROM daily_stats c JOIN models m ON m.key = c.key
         WHERE c.date = CAST($3 AS DATE) AND c.platform = $1 AND m.created_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM daily_stats e WHERE e.key = c.key AND e.date < CAST($3 AS DATE))),
       pairs AS (SELECT g.key AS old_key, f.key AS new_key FROM gone g JOIN fresh f ON f.created_at = g.created_at
         AND ((f.a IS NULL AND g.a IS NULL) OR f.a >= g.a))
       SELECT old_key, new_key FROM pairs
       WHERE old_key IN (SELECT old_key FROM pairs GROUP BY old_key HAVING COUNT(*) = 1)
         AND new_key IN (SELECT new_key FROM pairs GROUP BY new_key HAVING COUNT(*) = 1)
       ORDER BY old_key${this.dialect.bytewise}`,
      [platform, since, date],
    );
    return rows.map((r) => ({ oldKey: str(r.old_key), newKey: str(r.new_key) }));
  }

  async mergeRenamed(platform: Platform, pairs: ReadonlyArray<{ oldKey: string; newKey: string }>, date: string): Promise<number> {
    checkDate(date);
    if (pairs.length === 0) return 0;
    await this.prepareRead();
    const olds = pairs.map((p) => clean(p.oldKey));
    const news = pairs.map((p) => clean(p.newKey));
    const pairSql = `SELECT unnest(CAST($1 AS TEXT[])) AS old_key, unnest(CAST($2 AS TEXT[])) AS new_key`;
    const params = [this.textArray(olds), this.textArray(news)];
    return this.tx(async (db) => {
      // The history moves as the live path's renames move it (moveKeys): a day with rows under both keys keeps the new.
      await db.exec(
        `DELETE FROM daily_stats WHERE (key, date) IN (
           SELECT p.old_key, d.date FROM (${pairSql}) p JOIN daily_stats d ON d.key = p.new_key)`,
        params,
      );
      await db.exec(`UPDATE daily_stats SET key = p.new_key FROM (${pairSql}) p WHERE daily_stats.key = p.old_key`, params);
      for (let i = 0; i < olds.length; i++) {
        // The model keeps its first sighting (so it is not announced as a new release); the old row goes.
        await db.exec(
          `UPDATE models SET first_seen_at = o.first_seen_at, released_at = o.released_at FROM models o
           WHERE models.key = $2 AND o.key = $1 AND o.first_seen_at < models.first_seen_at`,
          [olds[i], news[i]],
        );
        await db.exec('DELETE FROM models WHERE key = $1', [olds[i]]);
        await db.exec('DELETE FROM model_renames WHERE old_key = $1', [olds[i]]);
        await db.exec('UPDATE model_renames SET new_key = $2 WHERE new_key = $1', [olds[i], news[i]]);
        await db.exec(
          'INSERT INTO model_renames (old_key, new_key, platform, object_id, renamed_on) VALUES ($1, $2, $3, NULL, CAST($4 AS DATE))',
          [olds[i], news[i], platform, date],
        );
      }
      return olds.length;
    });
  }

  async renamesOn(platform: Platform, date: string): Promise<number> {
    checkDate(date);
    const rows = await this.db.query(
      'SELECT COUNT(*) AS n FROM model_renames WHERE platform = $1 AND renamed_on = CAST($2 AS DATE)',
      [platform, date],
    );
    return num(rows[0]?.n ?? 0);
  }
}
