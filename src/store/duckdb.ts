// The embedded engine: one DuckDB file under the data directory, for a single hubwatch process. Writes go through
// one connection, one at a time (DuckDB has a single writer anyway); reads use a second connection so a snapshot
// can read while a page commits.
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import {
  BIGINT,
  DATE,
  DOUBLE,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  JSDuckDBValueConverter,
  LIST,
  TIMESTAMPTZ,
  VARCHAR,
  listValue,
  type DuckDBResult,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { duckDbResources } from '../config.js';
import { ConfigError, HubwatchError, InputError, errorMessage } from '../errors.js';
import type { Platform } from '../model.js';
import { runMigrations } from './migrations.js';
import type { ModelWrite } from './sql-ingest.js';
import { SqlStore } from './sql.js';
import { MODEL_COLUMNS, objectKey, type ColKind } from './sql-columns.js';
import { clean, type Columns, type Db, type Dialect, type Row } from './sql-shared.js';
import { ORIGIN_SET, originBatches } from './sql-lineage.js';
import type { OriginUpdate, PageCommit, SeenModel } from './types.js';
import { dayNumber } from '../time.js';

const DIALECT: Dialect = {
  engine: 'duckdb',
  bytewise: '',
  double: 'DOUBLE',
  forUpdate: '',
  // timezone('UTC', …) gives the UTC wall clock whatever the session's TimeZone; %g is milliseconds.
  instantText: (e) => `strftime(timezone('UTC', ${e}), '%Y-%m-%dT%H:%M:%S.%gZ')`,
};

/**
 * DuckDB refuses a second process (file lock) but lets one process open the same file twice, and two instances
 * writing one file corrupt it. This set closes that gap inside the process.
 */
const openPaths = new Set<string>();

function inUse(path: string, cause?: unknown): ConfigError {
  return new ConfigError(
    `The store ${path} is in use by another hubwatch process; set DATABASE_URL to share a PostgreSQL store ` +
      'between processes, or stop the other process.',
    { cause },
  );
}

/** Runs tasks one after another: a DuckDB connection must not interleave statements of two callers. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const TEXT_LIST = LIST(VARCHAR);

/** Every array parameter is a text array (SqlStore.textArray); typed explicitly, since a list that starts with
 * null would otherwise be bound as a list of NULL type and lose its strings. */
function bindArgs(params: readonly unknown[] | undefined): [DuckDBValue[] | undefined, DuckDBType[] | undefined] {
  if (!params) return [undefined, undefined];
  const values: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  let typed = false;
  for (const v of params) {
    if (Array.isArray(v)) {
      values.push(listValue(v as DuckDBValue[]));
      types.push(TEXT_LIST);
      typed = true;
    } else {
      values.push(v === undefined ? null : (v as DuckDBValue));
      types.push(undefined as unknown as DuckDBType);
    }
  }
  return [values, typed ? types : undefined];
}

type Conv = (v: unknown) => Row[string];

/** A vector's item is the JS value already (text, floating and small whole numbers, booleans). */
const asIs: Conv = (v) => v as Row[string];
const fromClient: Conv = (v) => v as Row[string];
const toNumber: Conv = (v) => (v === null ? null : Number(v));
const toDate: Conv = (v) => (v === null ? null : (v as Date).toISOString().slice(0, 10));
const toInstant: Conv = (v) => (v === null ? null : (v as Date).toISOString());

function converterFor(typeId: DuckDBTypeId): Conv {
  switch (typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.DECIMAL:
      return toNumber;
    case DuckDBTypeId.INTEGER:
      return asIs;
    case DuckDBTypeId.DATE:
      return toDate;
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
      return toInstant;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UTINYINT:
      return asIs;
    default:
      // Lists, structs, blobs and the rest: the client's converter makes them plain JS values.
      return fromClient;
  }
}

/**
 * One column of a chunk, converted, appended to `out`. Values are read from the vector directly: the client's
 * getRowsJS converts every value through its generic converter, which cost about ten times as much (measured on
 * 10,000 lineage rows of 11 columns: 500 ms against 30-70 ms), and the lineage pass reads hundreds of thousands.
 */
function pushColumn(chunk: DuckDBDataChunk, j: number, conv: Conv, out: Row[string][]): void {
  const vector = chunk.getColumnVector(j);
  const rows = chunk.rowCount;
  if (conv === asIs) {
    // Text, doubles and booleans come out of the vector as JS values already.
    for (let i = 0; i < rows; i++) out.push(vector.getItem(i) as Row[string]);
    return;
  }
  const type = vector.type;
  for (let i = 0; i < rows; i++) {
    const v = vector.getItem(i);
    out.push(v === null ? null : conv(JSDuckDBValueConverter(v, type, JSDuckDBValueConverter)));
  }
}

/** A whole result as Rows, chunk by chunk, with one converter per column picked once. */
async function readRows(result: DuckDBResult): Promise<Row[]> {
  const names = result.columnNames();
  const convs = names.map((_, i) => converterFor(result.columnTypeId(i)));
  const rows: Row[] = [];
  const col: Row[string][] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const base = rows.length;
    for (let i = 0; i < chunk.rowCount; i++) rows.push({});
    for (let j = 0; j < names.length; j++) {
      col.length = 0;
      pushColumn(chunk, j, convs[j]!, col);
      const name = names[j]!;
      for (let i = 0; i < col.length; i++) rows[base + i]![name] = col[i]!;
    }
  }
  return rows;
}

/** Prepared statements kept per connection; a statement with parameters is usually run again and again. */
const PREPARED_MAX = 64;

class Conn implements Db {
  readonly serial = new Serial();
  private readonly prepared = new Map<string, DuckDBPreparedStatement>();
  constructor(readonly conn: DuckDBConnection) {}

  /** The statement prepared, bound to `params`; parse and plan happen once per text (commitPage's coverage and
   * checkpoint upserts cost a few milliseconds each to plan). */
  private async bound(sql: string, params: readonly unknown[]): Promise<DuckDBPreparedStatement> {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      stmt = await this.conn.prepare(sql);
      if (this.prepared.size >= PREPARED_MAX) {
        const [oldest, old] = this.prepared.entries().next().value as [string, DuckDBPreparedStatement];
        this.prepared.delete(oldest);
        old.destroySync();
      }
      this.prepared.set(sql, stmt);
    }
    const [values, types] = bindArgs(params);
    stmt.bind(values!, types);
    return stmt;
  }

  async query(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    try {
      const result =
        params && params.length > 0 ? await (await this.bound(sql, params)).run() : await this.conn.run(sql);
      return await readRows(result);
    } catch (err) {
      throw outOfMemory(err, sql) ?? err;
    }
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<number> {
    try {
      const result =
        params && params.length > 0 ? await (await this.bound(sql, params)).run() : await this.conn.run(sql);
      return result.rowsChanged;
    } catch (err) {
      throw outOfMemory(err, sql) ?? err;
    }
  }

  close(): void {
    for (const stmt of this.prepared.values()) stmt.destroySync();
    this.prepared.clear();
    this.conn.closeSync();
  }
}

const closedError = () => new HubwatchError('The DuckDB store is closed.');

/**
 * DuckDB's "failed to pin block" names neither the statement nor the setting: the user's error says both, and what
 * to do (a larger buffer pool, or PostgreSQL for a catalogue that large).
 */
function outOfMemory(err: unknown, sql: string): HubwatchError | null {
  const message = errorMessage(err);
  if (!/Out of Memory Error/i.test(message)) return null;
  const statement = sql.replace(/\s+/g, ' ').trim().slice(0, 160);
  const { memoryLimit } = duckDbResources();
  return new HubwatchError(
    `The embedded store ran out of its memory limit (HUBWATCH_DUCKDB_MEMORY=${memoryLimit ?? '192MB'}) in: ${statement}… ` +
      'Raise HUBWATCH_DUCKDB_MEMORY (e.g. 1GB), or use PostgreSQL (DATABASE_URL) for a catalogue this large.',
    { cause: err },
  );
}

/** Outside a transaction, each call takes its turn on the connection. */
class SerialDb implements Db {
  constructor(
    private readonly c: Conn,
    private readonly isClosed: () => boolean,
  ) {}
  query(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    // Checked inside the turn: a closed native connection must never be touched.
    return this.c.serial.run(() => (this.isClosed() ? Promise.reject(closedError()) : this.c.query(sql, params)));
  }
  exec(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.c.serial.run(() => (this.isClosed() ? Promise.reject(closedError()) : this.c.exec(sql, params)));
  }
}

/**
 * DuckDB checkpoints (rewrites the file) every 16 MB of WAL by default, which in a sweep lands mid-run again and
 * again; a larger threshold lets a sweep append and checkpoint at the end (DuckDB also checkpoints on close).
 * The buffer pool is capped (HUBWATCH_DUCKDB_MEMORY, default 192MB) so that memory does not grow with the
 * catalogue: with no key indexes left (schema version 3) everything DuckDB holds is buffer-managed and spills to
 * the `.tmp` folder beside the file. At 200,000 models the file is smaller than the pool; at 1,000,000 the pool
 * fills, so the cap is what the two differ by. Peak RSS of the process in the daily sweep: 489 MB at 200,000 and
 * 573 MB at 1,000,000 with 192MB (478 and 615-639 MB with 256MB; 1,363 MB at 1,000,000 uncapped, before models
 * were replaced rather than updated in merges), at the same speed. 128MB once ran out of memory in a first sweep
 * of 1,000,000 models (merges of 100,000 staged rows); 192MB does not. DuckDB runs on one core fewer than the
 * machine has unless HUBWATCH_DUCKDB_THREADS says otherwise: the event loop that fetches, scans and hashes the next pages
 * needs a core of its own (on two cores a daily sweep ran at 26.8k against 19.9k records/s with DuckDB on both).
 */
function duckdbSettings(): Record<string, string> {
  // Read when a store opens, not at import, and checked by the config schema (a bad value is a ConfigError).
  const { memoryLimit, threads } = duckDbResources();
  return {
    checkpoint_threshold: '1GB',
    preserve_insertion_order: 'false',
    threads: String(threads ?? Math.max(1, availableParallelism() - 1)),
    memory_limit: memoryLimit ?? '192MB',
  };
}

const STAGE = 'stage_models';
/** Origin updates held before they are applied in one replace (DuckDBStore.updateOrigins). */
const ORIGINS_APPLY_AT = 250_000;
/** A DuckDB data chunk holds at most this many rows (STANDARD_VECTOR_SIZE). */
const CHUNK_ROWS = 2048;
/**
 * Staged rows that trigger a merge right after a commit. Merging is set-based, so a big batch costs far less per
 * row than a page-sized one (measured: about a tenth); the bound keeps one merge transaction's undo data and the
 * stage scans of existingKeys small.
 */
const MERGE_AT = 100_000;

const STAGE_TYPES: readonly DuckDBType[] = [
  BIGINT,
  DATE,
  ...MODEL_COLUMNS.map((c) => ({ text: VARCHAR, ts: TIMESTAMPTZ, bigint: BIGINT, double: DOUBLE })[c.kind]),
  VARCHAR, // provenance (migration 5), after every model column
];

function toDuckValue(kind: ColKind, v: string | number | null, column: string): DuckDBValue {
  if (v === null) return null;
  switch (kind) {
    case 'text':
      return v;
    case 'double':
      return v;
    case 'bigint':
      return BigInt(v);
    case 'ts': {
      const ms = Date.parse(v as string);
      if (Number.isNaN(ms)) throw new InputError(`${column} must be an ISO instant, got ${JSON.stringify(v)}`);
      return new DuckDBTimestampTZValue(BigInt(ms) * 1000n);
    }
  }
}

const COLS = MODEL_COLUMNS.map((c) => c.name);
const released = (createdAt: string, firstSeenAt: string) =>
  `CASE WHEN ${createdAt} IS NULL THEN ${firstSeenAt} WHEN ${firstSeenAt} > ${createdAt} + INTERVAL '2 days' THEN ${firstSeenAt} ELSE ${createdAt} END`;

/**
 * The merge of everything staged, in one transaction: what one commitPage per staged page would have done, in
 * page order. Per key the latest page gives the columns, the earliest staged sighting gives first_seen_at of a
 * new model, an existing model keeps its own; per (date, key) the latest page gives the day's figures.
 */
const MERGE_SQL = [
  // A hash aggregate and a join back; measured ~3x cheaper than the same with window functions (a sort).
  `CREATE OR REPLACE TEMP TABLE hubwatch_merge AS
   SELECT s.*, g.first_seen0, g.max_date
   FROM ${STAGE} s
   JOIN (
     SELECT key, max(page_seq) AS seq, arg_min(first_seen_at, page_seq) AS first_seen0, max(date) AS max_date
     FROM ${STAGE} GROUP BY key
   ) g ON s.key = g.key AND s.page_seq = g.seq`,
  // No primary keys (migration 3): a day's row is replaced by deleting it first.
  `DELETE FROM daily_stats d USING (SELECT DISTINCT date, key FROM ${STAGE}) s WHERE d.date = s.date AND d.key = s.key`,
  `INSERT INTO daily_stats (date, key, platform, downloads_all_time, downloads30d, likes, provenance)
   SELECT date, key, platform, downloads_all_time, downloads30d, likes, COALESCE(provenance, 'live') FROM ${STAGE}
   QUALIFY row_number() OVER (PARTITION BY date, key ORDER BY page_seq DESC) = 1`,
  `INSERT INTO stats_days (date) SELECT DISTINCT date FROM ${STAGE} ON CONFLICT DO NOTHING`,
  // A model already stored is replaced, not updated: DuckDB updates column by column (measured: 213 ms to update
  // 4,000 rows of 40 columns, 70 ms to delete and insert them). It keeps its first_seen_at and the later of the
  // two last_seen_dates.
  `CREATE OR REPLACE TEMP TABLE hubwatch_kept AS
   SELECT m.key, m.first_seen_at, m.last_seen_date FROM models m SEMI JOIN hubwatch_merge l ON m.key = l.key`,
  `DELETE FROM models USING hubwatch_kept k WHERE models.key = k.key`,
  `INSERT INTO models (${COLS.join(', ')}, released_at, last_seen_date, deleted_at)
   SELECT ${COLS.map((c) => (c === 'first_seen_at' ? 'COALESCE(k.first_seen_at, l.first_seen0)' : `l.${c}`)).join(', ')},
     ${released('l.created_at', 'COALESCE(k.first_seen_at, l.first_seen0)')}, GREATEST(k.last_seen_date, l.max_date), NULL
   FROM hubwatch_merge l LEFT JOIN hubwatch_kept k ON k.key = l.key`,
  `DROP TABLE hubwatch_kept`,
  `DELETE FROM ${STAGE}`,
  `DROP TABLE hubwatch_merge`,
];

/**
 * Live wins (store/types.ts Provenance): a staged dump row neither replaces a live row of its (date, key) nor the
 * model's record. Run before MERGE_SQL only when dump rows are staged, so a live sweep's merge never pays for it.
 */
const DROP_DUMP_UNDER_LIVE = [
  `DELETE FROM ${STAGE} s USING daily_stats d
   WHERE s.provenance = 'dump' AND d.provenance = 'live' AND d.date = s.date AND d.key = s.key`,
  `DELETE FROM ${STAGE} s USING ${STAGE} l
   WHERE s.provenance = 'dump' AND l.provenance = 'live' AND l.date = s.date AND l.key = s.key`,
];

/**
 * Models renamed since they were written ($1 platform, $2 keys, $3 object ids, $4 their object keys): matched by the
 * numeric object key first (inline, and row groups outside the batch's range are skipped: a createdAt walk's batch
 * holds ids of one stretch of time), then by the exact id. A renamed model may still sit in the stage.
 */
const RENAMED_SQL = `WITH s AS (SELECT unnest(CAST($2 AS TEXT[])) AS key, unnest(CAST($3 AS TEXT[])) AS oid,
          CAST(unnest(CAST($4 AS TEXT[])) AS BIGINT) AS okey),
      known AS (
        SELECT m.key, m.object_id FROM models m JOIN s ON m.object_key = s.okey WHERE m.platform = $1
        UNION ALL
        SELECT m.key, m.object_id FROM ${STAGE} m JOIN s ON m.object_key = s.okey WHERE m.platform = $1),
      moved AS (SELECT DISTINCT m.key AS old_key, s.key AS new_key, s.oid AS oid FROM known m JOIN s ON m.object_id = s.oid
        WHERE m.key <> s.key)
      SELECT * FROM moved
      WHERE new_key NOT IN (SELECT key FROM models WHERE key IN (SELECT new_key FROM moved))
        AND new_key NOT IN (SELECT key FROM ${STAGE} WHERE key IN (SELECT new_key FROM moved))`;

const SEP = '\u0001';
const SEEN_TYPES: readonly DuckDBType[] = [VARCHAR, VARCHAR, BIGINT, BIGINT, BIGINT];
const bigintOrNull = (v: number | null): DuckDBValue => (v === null ? null : BigInt(v));

/** Applies stage_seen and empties it: what commitPage does for a seen model. */
const SEEN_SQL = {
  // $1 the day. A model has a stats row on a day exactly when its last_seen_date reached that day (commitPage
  // keeps the two together, and seen keys are never in the stage), so which rows must be replaced is found in
  // models' short columns; daily_stats, the largest table, is only searched when there are any.
  restated: `SELECT count(*) AS n FROM models m JOIN stage_seen s ON m.fingerprint = s.fingerprint
   WHERE m.last_seen_date >= CAST($1 AS DATE)`,
  unstat: `DELETE FROM daily_stats WHERE date = CAST($1 AS DATE) AND key IN (
     SELECT s.key FROM stage_seen s JOIN models m ON m.fingerprint = s.fingerprint
     WHERE m.last_seen_date >= CAST($1 AS DATE))`,
  // $1 the day, $2 the platform
  stats: `INSERT INTO daily_stats (date, key, platform, downloads_all_time, downloads30d, likes)
   SELECT CAST($1 AS DATE), key, $2, downloads_all_time, downloads30d, likes FROM stage_seen`,
  // $1 the day. Matched by fingerprint, which names the model (fingerprint.ts) and is short enough to be compared
  // inline: a join on the keys read and hashed every stored key for each batch.
  models: `UPDATE models SET downloads30d = s.downloads30d, downloads_all_time = s.downloads_all_time, likes = s.likes,
     last_seen_date = GREATEST(models.last_seen_date, CAST($1 AS DATE)), deleted_at = NULL, missing_since = NULL
   FROM stage_seen s WHERE models.fingerprint = s.fingerprint`,
  day: `INSERT INTO stats_days (date) VALUES (CAST($1 AS DATE)) ON CONFLICT DO NOTHING`,
  clear: `DELETE FROM stage_seen`,
};

export class DuckDBStore extends SqlStore {
  readonly engine = 'duckdb' as const;
  protected readonly dialect = DIALECT;
  protected readonly db: Db;
  /** A key is known once merged into models or staged by a committed page. */
  protected override readonly existingKeysSql = `SELECT key FROM models WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))
    UNION SELECT key FROM ${STAGE} WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))`;
  /**
   * Which sightings differ from what is stored. A fingerprint names one model and its content (fingerprint.ts), so
   * a sighting is unchanged exactly when models holds its fingerprint: one anti join of the batch's fingerprints
   * (bound as one string, split natively) against that single inline 12-byte column, with no key compared at all.
   * Keys with rows still in the stage also count as changed (their models row is older than the stage); which
   * those are is kept here rather than asked of the stage, whose scan cost more than the join.
   */
  override async changedKeys(sightings: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>> {
    if (this.closed) throw closedError();
    // After an open the stage may hold an earlier process's rows, unknown here: merging empties it.
    if (this.stagedKeys === null) await this.mergeStaged();
    const out = new Set<string>();
    if (sightings.length === 0) return out;
    const fps = sightings.map((s) => s.fingerprint);
    const rel = fps.some((f) => f.includes(SEP))
      ? { sql: `SELECT unnest(from_json($1, '["VARCHAR"]')) AS f`, param: JSON.stringify(fps) }
      : { sql: `SELECT unnest(string_split($1, chr(1))) AS f`, param: fps.join(SEP) };
    const rows = await this.db.query(
      `SELECT DISTINCT t.f FROM (${rel.sql}) t ANTI JOIN models m ON m.fingerprint = t.f`,
      [rel.param],
    );
    const unknown = new Set(rows.map((r) => String(r.f)));
    const staged = this.stagedKeys ?? new Set<string>();
    for (const s of sightings) if (unknown.has(s.fingerprint) || staged.has(clean(s.key))) out.add(s.key);
    return out;
  }
  private closed = false;
  /** Rows staged and not merged yet; may count rows of a rolled-back page (a merge then just finds fewer). Unknown
   * at open, so the first read merges whatever an earlier process left staged. */
  private staged = 1;
  /** Whether dump rows may be staged (true at open: an earlier process may have left some). */
  private stagedDump = true;
  /**
   * Keys staged since the last merge (at most MERGE_AT and a batch); null until the first merge after open, while
   * the stage may hold rows of an earlier process. May hold keys of a rolled-back page: they only count as changed.
   */
  private stagedKeys: Set<string> | null = null;
  /** The last page_seq used; read from the stage on the first commit. */
  private pageSeq: bigint | null = null;
  /** Connections of streams still open, closed with the store. */
  private readonly streams = new Set<DuckDBConnection>();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: Conn,
    private readonly reader: Conn,
  ) {
    super();
    this.db = new SerialDb(reader, () => this.closed);
  }

  /** Opens (creating if needed) the DuckDB file at `path`. Does not migrate: openStore does. */
  static async open(path: string): Promise<DuckDBStore> {
    const abs = resolve(path);
    if (openPaths.has(abs)) throw inUse(abs);
    mkdirSync(dirname(abs), { recursive: true });
    const settings = duckdbSettings();
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(abs, settings);
    } catch (err) {
      if (/Could not set lock on file/i.test(errorMessage(err))) throw inUse(abs, err);
      throw new HubwatchError(`Cannot open the DuckDB store ${abs}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      const writer = new Conn(await instance.connect());
      const reader = new Conn(await instance.connect());
      openPaths.add(abs);
      return new DuckDBStore(abs, instance, writer, reader);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  protected textArray(values: readonly (string | null)[]): unknown {
    return values;
  }

  protected tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    // A write after held origin updates comes after them, as it would had they been written at once.
    return this.writer.serial.run(async () => {
      await this.applyOrigins();
      return this.inTx(fn);
    });
  }

  /** BEGIN … COMMIT on the writer; the caller holds the writer's turn. */
  private async inTx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    await this.writer.exec('BEGIN TRANSACTION');
    try {
      const out = await fn(this.writer);
      await this.writer.exec('COMMIT');
      return out;
    } catch (err) {
      try {
        await this.writer.exec('ROLLBACK');
      } catch {
        // The transaction is already gone (DuckDB rolls back on some errors); the original error matters.
      }
      throw err;
    }
  }

  async migrate(): Promise<void> {
    await runMigrations(DIALECT, (fn) => this.tx(fn));
  }

  async schemaVersions(): Promise<Array<{ version: number; appliedAt: string }>> {
    const rows = await this.db.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
    return rows.map((r) => ({ version: Number(r.version), appliedAt: String(r.applied_at) }));
  }

  protected override findRenamed(db: Db, platform: Platform, keys: string[], oids: string[]): Promise<Row[]> {
    const okeys = oids.map((o) => String(objectKey(o)));
    return db.query(RENAMED_SQL, [platform, this.textArray(keys), this.textArray(oids), this.textArray(okeys)]);
  }

  protected override async moveKeys(db: Db, olds: string[], news: string[]): Promise<void> {
    await super.moveKeys(db, olds, news);
    await db.exec(
      `UPDATE ${STAGE} SET key = p.new_key
       FROM (SELECT unnest(CAST($1 AS TEXT[])) AS old_key, unnest(CAST($2 AS TEXT[])) AS new_key) p
       WHERE ${STAGE}.key = p.old_key`,
      [this.textArray(olds), this.textArray(news)],
    );
    olds.forEach((k, i) => {
      if (this.stagedKeys?.delete(k)) this.stagedKeys.add(news[i]!);
    });
  }

  override async commitPage(page: PageCommit): Promise<void> {
    await super.commitPage(page);
    if (this.staged >= MERGE_AT) await this.mergeStaged();
  }

  /**
   * Appends `rows` to `table` in data chunks of CHUNK_ROWS rows, each filled column by column by `fill`. The appender
   * converts value by value on the event loop (20-40 µs per model): between chunks the sweep's next page and, under
   * `start`, the HTTP API get their turn rather than waiting for the whole batch.
   */
  private async appendChunks<T>(
    table: string,
    types: readonly DuckDBType[],
    rows: readonly T[],
    fill: (chunk: DuckDBDataChunk, part: readonly T[]) => void,
  ): Promise<void> {
    const appender = await this.writer.conn.createAppender(table);
    try {
      for (let from = 0; from < rows.length; from += CHUNK_ROWS) {
        if (from > 0) await nextTurn();
        const part = rows.slice(from, from + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, part.length);
        fill(chunk, part);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      try {
        appender.closeSync();
      } catch {
        // A failed append (a CHECK) also fails the close; the append's error is the one to report.
      }
    }
  }

  /** Appends the page to the stage, column by column, inside commitPage's transaction. */
  protected async writeModels(db: Db, write: ModelWrite): Promise<void> {
    const { date, models, fingerprints, objectIds, provenance } = write;
    if (this.pageSeq === null) {
      const rows = await db.query(`SELECT COALESCE(MAX(page_seq), 0) AS seq FROM ${STAGE}`);
      this.pageSeq = BigInt(Number(rows[0]?.seq ?? 0));
    }
    this.pageSeq += 1n;
    const seq = this.pageSeq;
    const day = new DuckDBDateValue(dayNumber(date));
    await this.appendChunks(STAGE, STAGE_TYPES, models, (chunk, part) => {
      chunk.setColumnValues(0, new Array<DuckDBValue>(part.length).fill(seq));
      chunk.setColumnValues(1, new Array<DuckDBValue>(part.length).fill(day));
      const fps = part.map((m) => fingerprints?.get(m.key) ?? null);
      const oids = part.map((m) => objectIds?.get(m.key) ?? null);
      MODEL_COLUMNS.forEach((c, j) => {
        chunk.setColumnValues(
          j + 2,
          part.map((m, i) => toDuckValue(c.kind, c.get(m, fps[i]!, oids[i]!), c.name)),
        );
      });
      chunk.setColumnValues(MODEL_COLUMNS.length + 2, new Array<DuckDBValue>(part.length).fill(provenance));
    });
    this.staged += models.length;
    if (provenance === 'dump') this.stagedDump = true;
    if (this.stagedKeys) for (const m of models) this.stagedKeys.add(clean(m.key));
  }

  /**
   * Unchanged models: appended to stage_seen and applied straight away, in commitPage's transaction. A key with
   * rows still in the stage is not among them (changedKeys counts such keys as changed), so the later merge of the
   * stage never overwrites these figures with older ones.
   */
  protected async writeSeen(db: Db, date: string, platform: Platform, seen: readonly SeenModel[]): Promise<void> {
    await this.appendChunks('stage_seen', SEEN_TYPES, seen, (chunk, part) => {
      chunk.setColumnValues(
        0,
        part.map((s) => s.key),
      );
      chunk.setColumnValues(
        1,
        part.map((s) => s.fingerprint),
      );
      chunk.setColumnValues(
        2,
        part.map((s) => bigintOrNull(s.stats.downloads30d)),
      );
      chunk.setColumnValues(
        3,
        part.map((s) => bigintOrNull(s.stats.downloadsAllTime)),
      );
      chunk.setColumnValues(
        4,
        part.map((s) => bigintOrNull(s.stats.likes)),
      );
    });
    const [restated] = await db.query(SEEN_SQL.restated, [date]);
    if (Number(restated?.n ?? 0) > 0) await db.exec(SEEN_SQL.unstat, [date]);
    await db.exec(SEEN_SQL.stats, [date, platform]);
    await db.exec(SEEN_SQL.models, [date]);
    await db.exec(SEEN_SQL.day, [date]);
    await db.exec(SEEN_SQL.clear);
  }

  /** Merges the stage into models, daily_stats and stats_days (see MERGE_SQL). */
  async mergeStaged(): Promise<void> {
    if (this.closed) throw closedError();
    await this.writer.serial.run(async () => {
      if (this.closed) throw closedError();
      if (this.staged === 0) {
        this.stagedKeys ??= new Set();
        return;
      }
      await this.inTx(async (db) => {
        if (this.stagedDump) for (const sql of DROP_DUMP_UNDER_LIVE) await db.exec(sql);
        for (const sql of MERGE_SQL) await db.exec(sql);
      });
      this.staged = 0;
      this.stagedDump = false;
      this.stagedKeys = new Set();
    });
  }

  /** Origin updates held in hubwatch_origins and not yet applied to models (see updateOrigins). */
  private pendingOrigins = 0;

  /**
   * Origins are held in a temporary table and applied to models in one pass by the next read or write that could
   * see them (prepareRead, tx, checkpoint, close), by replacing the rows as the merge replaces models. DuckDB keeps an
   * UPDATE's changed values in memory outside its buffer pool until a checkpoint: a lineage pass over 1,000,000
   * models (900,000 derivatives) ran out of the 192MB pool on them. Replacing the rows batch by batch scans the whole
   * table each time (94 scans at 1,000,000); applying every ORIGINS_APPLY_AT updates scans it a few times while the
   * held table and the join stay bounded. The lineage pass's own reads never read origins, so they leave the updates
   * pending (prepareLineageRead).
   */
  override async updateOrigins(updates: OriginUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await this.prepareLineageRead();
    await this.writer.serial.run(async () => {
      if (this.closed) throw closedError();
      await this.inTx(async (db) => {
        for (const b of originBatches((v) => this.textArray(v), updates)) {
          // Created once and emptied, never dropped: the INSERT is a cached prepared statement, and a statement
          // prepared against a dropped table does not find the columns of its replacement.
          await db.exec(
            `CREATE TEMP TABLE IF NOT EXISTS hubwatch_origins (key VARCHAR, ${b.set.map((c) => `${c} VARCHAR`).join(', ')})`,
          );
          // The last update of a key wins: an earlier one still held is dropped (params: the keys first).
          await db.exec(
            `DELETE FROM hubwatch_origins WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))`,
            b.params.slice(0, 1),
          );
          await db.exec(`INSERT INTO hubwatch_origins SELECT ${b.select}`, b.params);
        }
      });
      this.pendingOrigins += updates.length;
      // Held updates are bounded: the table and the join that applies them grow with what is held.
      if (this.pendingOrigins >= ORIGINS_APPLY_AT) await this.applyOrigins();
    });
  }

  /** Applies the held origin updates; the caller holds the writer's turn. */
  private async applyOrigins(): Promise<void> {
    if (this.pendingOrigins === 0) return;
    const set = ORIGIN_SET;
    await this.inTx(async (db) => {
      await db.exec(
        `CREATE OR REPLACE TEMP TABLE hubwatch_replaced AS
         SELECT m.* REPLACE (${set.map((c) => `o.${c} AS ${c}`).join(', ')})
         FROM models m JOIN hubwatch_origins o ON m.key = o.key`,
      );
      await db.exec(`DELETE FROM models USING hubwatch_origins o WHERE models.key = o.key`);
      await db.exec(`INSERT INTO models BY NAME SELECT * FROM hubwatch_replaced`);
      await db.exec(`DROP TABLE hubwatch_replaced`);
      await db.exec(`DELETE FROM hubwatch_origins`);
    });
    this.pendingOrigins = 0;
  }

  /** DuckDB's CHECKPOINT, after staged rows and origins are in models (types.ts LineageStore). */
  override async checkpoint(): Promise<void> {
    await this.prepareRead();
    await this.writer.serial.run(async () => {
      if (this.closed) throw closedError();
      await this.writer.exec('CHECKPOINT');
    });
  }

  protected override async prepareRead(): Promise<void> {
    await this.prepareLineageRead();
    if (this.pendingOrigins === 0) return;
    await this.writer.serial.run(async () => {
      if (this.closed) throw closedError();
      await this.applyOrigins();
    });
  }

  /** The lineage pass's reads: staged rows merged, origins left pending (those reads never look at origins). */
  protected override prepareLineageRead(): Promise<void> {
    return this.staged === 0 ? Promise.resolve() : this.mergeStaged();
  }

  /** A streamed result on its own connection: a pending result would block its connection for anything else. */
  protected async *streamQuery(sql: string, params: readonly unknown[], chunkSize: number): AsyncIterable<Columns> {
    if (this.closed) throw closedError();
    const conn = await this.instance.connect();
    this.streams.add(conn);
    try {
      const result: DuckDBResult = await conn.stream(sql, ...bindArgs(params)).catch((err: unknown) => {
        throw outOfMemory(err, sql) ?? err;
      });
      const names = result.columnNames();
      const convs = names.map((_, i) => converterFor(result.columnTypeId(i)));
      const index = new Map(names.map((name, i) => [name, i]));
      let buf: Row[string][][] = names.map(() => []);
      let have = 0;
      const take = (n: number): Columns => {
        const cols = buf.map((col) => col.slice(0, n));
        buf = buf.map((col) => col.slice(n));
        have -= n;
        return {
          length: n,
          col: (name) => {
            const i = index.get(name);
            if (i === undefined) throw new Error(`store: no column ${name} in the stream`);
            return cols[i]!;
          },
        };
      };
      for (;;) {
        const chunk = await result.fetchChunk().catch((err: unknown) => {
          throw outOfMemory(err, sql) ?? err;
        });
        if (!chunk || chunk.rowCount === 0) break;
        for (let j = 0; j < names.length; j++) pushColumn(chunk, j, convs[j]!, buf[j]!);
        have += chunk.rowCount;
        while (have >= chunkSize) yield take(chunkSize);
      }
      if (have > 0) yield take(have);
    } finally {
      if (this.streams.delete(conn)) conn.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Held origin updates are written before the store closes; if that fails, the store still closes (the next
    // lineage pass writes them again) and the error is thrown after.
    const unwritten = await this.writer.serial
      .run(() => this.applyOrigins())
      .then(
        () => null,
        (err: unknown) => (err instanceof Error ? err : new HubwatchError(errorMessage(err))),
      );
    this.closed = true;
    // Wait for whatever is queued on either connection before pulling the instance from under it.
    await Promise.all([this.writer.serial.run(async () => {}), this.reader.serial.run(async () => {})]);
    for (const conn of this.streams) conn.closeSync();
    this.streams.clear();
    this.writer.close();
    this.reader.close();
    this.instance.closeSync();
    openPaths.delete(this.path);
    if (unwritten !== null) throw unwritten;
  }
}
