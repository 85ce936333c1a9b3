// The ingest role's SQL (types.ts IngestStore): commitPage's one transaction (quarantine, renames by object id,
// models, figures, coverage, checkpoint), checkpoints, coverage, which sighted models changed, missing and deleted
// models. The engine's own bulk writes come in through IngestSqlContext.
import { InputError } from '../errors.js';
import type { NormalisedRecord, Platform } from '../model.js';
import type { CoverageCounters, PageCommit, Provenance, QuarantineItem, SeenModel } from './types.js';
import {
  KEY_BATCH,
  bool,
  capText,
  capUtf8,
  checkDate,
  clean,
  jsonArray,
  num,
  str,
  type Db,
  type Row,
  type SqlContext,
} from './sql-shared.js';
import { checkProvenance, dedupeByKey } from './sql-columns.js';

export const QUARANTINE_PAYLOAD_MAX_BYTES = 64 * 1024;

const QUARANTINE_TEXT_MAX = 2000;

/** Sightings per changedKeys query: a sweep batch is one query (each query scans the models' keys once). */
const SIGHTING_BATCH = 100_000;

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

/** A page's new or changed models as commitPage hands them to the engine's write path. */
export interface ModelWrite {
  date: string;
  models: NormalisedRecord[];
  fingerprints: ReadonlyMap<string, string> | undefined;
  objectIds: ReadonlyMap<string, string> | undefined;
  provenance: Provenance;
}

/** The engine's own parts of the write path (SqlStore's protected hooks; DuckDB stages, PostgreSQL unnests). */
export interface IngestSqlContext extends SqlContext {
  /** Stages the page's models and upserts models and daily_stats, inside the transaction of commitPage. */
  writeModels(db: Db, write: ModelWrite): Promise<void>;
  /** The day's figures of known, unchanged models, inside the transaction of commitPage. */
  writeSeen(db: Db, date: string, platform: Platform, seen: readonly SeenModel[]): Promise<void>;
  /** Models renamed since they were last written (rows `old_key`, `new_key`, `oid`): defaultFindRenamed or the engine's. */
  findRenamed(db: Db, platform: Platform, keys: string[], oids: string[]): Promise<Row[]>;
  /** Moves models' rows and histories from old keys to new ones: defaultMoveKeys, plus what the engine defers. */
  moveKeys(db: Db, olds: string[], news: string[]): Promise<void>;
  /** $1 is a text array (DEFAULT_EXISTING_KEYS_SQL, or the engine's, which also looks at what it deferred). */
  readonly existingKeysSql: string;
  changedKeysSql(sightings: string): string;
  sightingsRelation(keys: string[], fingerprints: string[]): { sql: string; params: unknown[] };
}

/** The keys of $1 (a text array) that are stored; an engine that defers work of commitPage also looks there. */
export const DEFAULT_EXISTING_KEYS_SQL = 'SELECT key FROM models WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))';

/**
 * The keys of a sighting relation `s(key, fingerprint)` that are not stored with that fingerprint. An engine that
 * defers work of commitPage also returns keys with deferred rows: their stored fingerprint is not the latest.
 */
export function defaultChangedKeysSql(sightings: string): string {
  return `WITH s AS (${sightings})
    SELECT s.key FROM s LEFT JOIN models m ON m.key = s.key AND m.fingerprint = s.fingerprint WHERE m.key IS NULL`;
}

/** The sightings as a relation (key, fingerprint) and its parameters; by default two JSON arrays of text. */
export function defaultSightingsRelation(keys: string[], fingerprints: string[]): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT * FROM ROWS FROM (json_array_elements_text(CAST($1 AS JSON)),
      json_array_elements_text(CAST($2 AS JSON))) AS s(key, fingerprint)`,
    params: [JSON.stringify(keys), JSON.stringify(fingerprints)],
  };
}

/**
 * Models of `platform` that carry one of these object ids under another key, and whose new key is not stored yet:
 * the repositories renamed since they were last written (rows `old_key`, `new_key`, `oid`). An engine that defers
 * work of commitPage also looks there.
 */
export function defaultFindRenamed(
  ctx: SqlContext,
  db: Db,
  platform: Platform,
  keys: string[],
  oids: string[],
): Promise<Row[]> {
  return db.query(
    `WITH s AS (SELECT unnest(CAST($2 AS TEXT[])) AS key, unnest(CAST($3 AS TEXT[])) AS oid)
     SELECT m.key AS old_key, s.key AS new_key, s.oid AS oid FROM models m JOIN s ON m.object_id = s.oid
     WHERE m.platform = $1 AND m.key <> s.key AND NOT EXISTS (SELECT 1 FROM models n WHERE n.key = s.key)`,
    [platform, ctx.textArray(keys), ctx.textArray(oids)],
  );
}

/**
 * Moves models' rows and histories from old keys to new ones (the models upserted next keep their first
 * sighting). One statement per table for all the commit's renames: daily_stats is the largest table and has no
 * index in the embedded store, so each statement scans it once.
 */
export async function defaultMoveKeys(ctx: SqlContext, db: Db, olds: string[], news: string[]): Promise<void> {
  const pairs = `SELECT unnest(CAST($1 AS TEXT[])) AS old_key, unnest(CAST($2 AS TEXT[])) AS new_key`;
  const params = [ctx.textArray(olds), ctx.textArray(news)];
  // A day with rows under both keys (seen before and after the rename on the same day) keeps the newer one.
  await db.exec(
    `DELETE FROM daily_stats WHERE (key, date) IN (
       SELECT p.old_key, d.date FROM (${pairs}) p JOIN daily_stats d ON d.key = p.new_key)`,
    params,
  );
  await db.exec(`UPDATE daily_stats SET key = p.new_key FROM (${pairs}) p WHERE daily_stats.key = p.old_key`, params);
  await db.exec(`UPDATE models SET key = p.new_key FROM (${pairs}) p WHERE models.key = p.old_key`, params);
}

export async function commitPage(ctx: IngestSqlContext, page: PageCommit): Promise<void> {
  const date = checkDate(page.date, 'page date');
  const models = dedupeByKey(page.models);
  // Serialised before the transaction opens, so a value JSON cannot encode fails without touching the store.
  const checkpoint = page.checkpoint
    ? { name: page.checkpoint.name, value: JSON.stringify(page.checkpoint.value) }
    : null;
  if (checkpoint && checkpoint.value === undefined) {
    throw new InputError(`checkpoint ${checkpoint.name}: value cannot be stored as JSON`);
  }
  const provenance = checkProvenance(page.provenance);
  const written = new Set(models.map((m) => m.key));
  const seen = dedupeSeen(page.seen ?? [], written);
  const figuresOnly = (page.figuresOnly ?? []).filter((f) => !written.has(f.key));
  await ctx.tx(async (db) => {
    // Quarantine first, models after: a failure anywhere later must also take these rows back with it.
    if (page.quarantine.length > 0) await insertQuarantine(db, page.quarantine);
    if (page.objectIds && page.objectIds.size > 0 && page.detectRenames !== false) {
      await applyRenames(ctx, db, date, page.platform, page.objectIds);
    }
    if (models.length > 0)
      await ctx.writeModels(db, {
        date,
        models,
        fingerprints: page.fingerprints,
        objectIds: page.objectIds,
        provenance,
      });
    if (figuresOnly.length > 0) await writeFiguresOnly(ctx, db, date, page.platform, figuresOnly, provenance);
    if (seen.length > 0) await ctx.writeSeen(db, date, page.platform, seen);
    if (page.coverage) await addCoverage(db, date, page.platform, page.coverage);
    if (checkpoint) await writeCheckpoint(db, checkpoint.name, checkpoint.value);
  });
}

async function insertQuarantine(db: Db, items: readonly QuarantineItem[]): Promise<void> {
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

async function addCoverage(
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

async function writeCheckpoint(db: Db, name: string, json: string): Promise<void> {
  await db.exec(
    `INSERT INTO checkpoints (name, value, updated_at) VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ))
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [clean(name), json, new Date().toISOString()],
  );
}

/** PageCommit.figuresOnly: the day's rows only; live wins (a dump row never replaces a live one). */
async function writeFiguresOnly(
  ctx: SqlContext,
  db: Db,
  date: string,
  platform: Platform,
  rows: ReadonlyArray<{ key: string; stats: NormalisedRecord['stats'] }>,
  provenance: Provenance,
): Promise<void> {
  const keys = ctx.textArray(rows.map((r) => clean(r.key)));
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
      ctx.textArray(rows.map((r) => n(r.stats.downloadsAllTime))),
      ctx.textArray(rows.map((r) => n(r.stats.downloads30d))),
      ctx.textArray(rows.map((r) => n(r.stats.likes))),
      provenance,
    ],
  );
  await db.exec('INSERT INTO stats_days (date) VALUES (CAST($1 AS DATE)) ON CONFLICT DO NOTHING', [date]);
}

/**
 * Renames inside commitPage's transaction, before the page's models are written: a model listed under a new key
 * with the object id of a stored one is that model renamed. Its row and its daily figures move to the new key,
 * so it keeps its history and first sighting (and is not announced as a new release); the old key is kept as an
 * alias that the API answers with a pointer to the new one.
 */
async function applyRenames(
  ctx: IngestSqlContext,
  db: Db,
  date: string,
  platform: Platform,
  objectIds: ReadonlyMap<string, string>,
): Promise<void> {
  const keys = [...objectIds.keys()].map((k) => clean(k));
  const oids = [...objectIds.values()].map((o) => clean(o));
  const rows = await ctx.findRenamed(db, platform, keys, oids);
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
  await ctx.moveKeys(
    db,
    pairs.map((p) => p.oldKey),
    pairs.map((p) => p.newKey),
  );
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

export async function getCheckpoint<T = unknown>(ctx: SqlContext, name: string): Promise<T | null> {
  const rows = await ctx.db.query('SELECT value FROM checkpoints WHERE name = $1', [clean(name)]);
  return rows[0] ? (JSON.parse(str(rows[0].value)) as T) : null;
}

export async function setCheckpoint(ctx: SqlContext, name: string, value: unknown | null): Promise<void> {
  if (value === null) {
    await ctx.tx((db) => db.exec('DELETE FROM checkpoints WHERE name = $1', [clean(name)]));
    return;
  }
  const json = JSON.stringify(value);
  if (json === undefined) throw new InputError(`checkpoint ${name}: value cannot be stored as JSON`);
  await ctx.tx((db) => writeCheckpoint(db, name, json));
}

export async function setCoverageFlags(
  ctx: SqlContext,
  date: string,
  platform: Platform,
  flags: Partial<Pick<CoverageCounters, 'complete' | 'degraded' | 'swept'>> & { note?: string },
): Promise<void> {
  checkDate(date);
  await ctx.tx(async (db) => {
    await db.exec(
      'INSERT INTO coverage (date, platform) VALUES (CAST($1 AS DATE), $2) ON CONFLICT (date, platform) DO NOTHING',
      [date, platform],
    );
    const cur = await db.query(
      `SELECT notes FROM coverage WHERE date = CAST($1 AS DATE) AND platform = $2${ctx.dialect.forUpdate}`,
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

export async function getCoverage(ctx: SqlContext, date: string): Promise<Partial<Record<Platform, CoverageCounters>>> {
  const rows = await ctx.db.query(
    `SELECT platform, models_seen, requests, pages, http429, errors, quarantined, incomplete, complete, degraded, swept, notes
     FROM coverage WHERE date = CAST($1 AS DATE) ORDER BY platform${ctx.dialect.bytewise}`,
    [checkDate(date)],
  );
  const out: Partial<Record<Platform, CoverageCounters>> = {};
  for (const r of rows) out[str(r.platform) as Platform] = toCoverage(r);
  return out;
}

export async function existingKeys(ctx: IngestSqlContext, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += KEY_BATCH) {
    const rows = await ctx.db.query(ctx.existingKeysSql, [ctx.textArray(keys.slice(i, i + KEY_BATCH).map(clean))]);
    for (const r of rows) out.add(str(r.key));
  }
  return out;
}

export async function changedKeys(
  ctx: IngestSqlContext,
  sightings: ReadonlyArray<{ key: string; fingerprint: string }>,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < sightings.length; i += SIGHTING_BATCH) {
    const part = sightings.slice(i, i + SIGHTING_BATCH);
    const rel = ctx.sightingsRelation(
      part.map((s) => clean(s.key)),
      part.map((s) => s.fingerprint),
    );
    const rows = await ctx.db.query(ctx.changedKeysSql(rel.sql), rel.params);
    for (const r of rows) out.add(str(r.key));
  }
  return out;
}

export async function markMissing(ctx: SqlContext, platform: Platform, date: string): Promise<number> {
  checkDate(date);
  await ctx.prepareRead();
  // commitPage keeps last_seen_date at the latest day with a stats row, so "< date" is exactly "no row on date"
  // without a scan of daily_stats, and a model seen on a later day is never missing on an earlier one.
  return ctx.tx((db) =>
    db.exec(
      `UPDATE models SET missing_since = CAST($2 AS DATE)
       WHERE platform = $1 AND deleted_at IS NULL AND missing_since IS NULL
         AND (last_seen_date IS NULL OR last_seen_date < CAST($2 AS DATE))`,
      [platform, date],
    ),
  );
}

export async function deletionCandidates(
  ctx: SqlContext,
  platform: Platform,
  date: string,
  limit: number,
): Promise<Array<{ key: string; id: string; missingSince: string }>> {
  checkDate(date);
  await ctx.prepareRead();
  const rows = await ctx.db.query(
    `SELECT key, id, missing_since FROM models
     WHERE platform = $1 AND deleted_at IS NULL AND missing_since < CAST($2 AS DATE)
     ORDER BY missing_since, key${ctx.dialect.bytewise} LIMIT ${Math.max(0, Math.floor(limit))}`,
    [platform, date],
  );
  return rows.map((r) => ({ key: str(r.key), id: str(r.id), missingSince: str(r.missing_since) }));
}

export async function markDeleted(
  ctx: SqlContext,
  platform: Platform,
  keys: readonly string[],
  date: string,
): Promise<number> {
  checkDate(date);
  if (keys.length === 0) return 0;
  await ctx.prepareRead();
  return ctx.tx((db) =>
    db.exec(
      `UPDATE models SET deleted_at = CAST($2 AS DATE)
       WHERE platform = $1 AND deleted_at IS NULL AND missing_since IS NOT NULL AND key IN (SELECT unnest(CAST($3 AS TEXT[])))`,
      [platform, date, ctx.textArray(keys.map(clean))],
    ),
  );
}
