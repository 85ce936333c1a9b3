// The shared engine: PostgreSQL through a pg Pool, for several hubwatch processes (workers on more machines).
// commitPage sends each page as column arrays in one statement, so a 1000-model page is one round trip.
import pg from 'pg';
import { HubwatchError, ServiceUnavailableError, errorMessage } from '../errors.js';
import type { Platform } from '../model.js';
import { runMigrations } from './migrations.js';
import type { SeenModel } from './types.js';
import type { ModelWrite } from './sql-ingest.js';
import { SqlStore } from './sql.js';
import { MODEL_COLUMNS, modelUpsertSql, statsUpsertSql } from './sql-columns.js';
import type { Columns, Db, Dialect, Row } from './sql-shared.js';

const DIALECT: Dialect = {
  engine: 'postgres',
  bytewise: ' COLLATE "C"',
  double: 'DOUBLE PRECISION',
  forUpdate: ' FOR UPDATE',
  instantText: (e) => `to_char(${e} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL as it may appear in a message or a log line: no password, ever. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the DATABASE_URL (not a valid URL)';
  }
}

const parseInstant = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (v: string) => Date;
const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMP, 'text') as (v: string) => Date;

// Per pool, not global (pg.types.setTypeParser would change every other pg user in the process).
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (v: string) => unknown {
    switch (oid) {
      case pg.types.builtins.INT8:
      case pg.types.builtins.NUMERIC:
        return Number;
      case pg.types.builtins.DATE:
        return (v: string) => v;
      case pg.types.builtins.TIMESTAMPTZ:
        return (v: string) => parseInstant(v).toISOString();
      case pg.types.builtins.TIMESTAMP:
        return (v: string) => parseTimestamp(v).toISOString();
      default:
        return pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown;
    }
  },
};

/**
 * The page as a relation `s`, one JSON array per column zipped by ROWS FROM; $1 is the stats day. JSON rather than
 * pg's array literals: JSON.stringify is native, pg escapes array elements in JS, and measured on 1000-model pages
 * the JSON form costs about a third less end to end.
 */
const PAGE_SQL = (() => {
  const columns = MODEL_COLUMNS.map((c, i) => `json_array_elements_text(CAST($${i + 2} AS JSON))`);
  const names = MODEL_COLUMNS.map((c) => c.name);
  return `WITH s AS (SELECT * FROM ROWS FROM (${columns.join(', ')}) AS s(${names.join(', ')})),
upserted AS (${modelUpsertSql(DIALECT, 's', '$1')} RETURNING 1),
day AS (INSERT INTO stats_days (date) VALUES (CAST($1 AS DATE)) ON CONFLICT DO NOTHING RETURNING 1)
${statsUpsertSql('s', '$1', `$${MODEL_COLUMNS.length + 2}`)}`;
})();

/** Unchanged models (PageCommit.seen) as a relation `s` the same way; $1 the day, $2 the platform. */
const SEEN_SQL = `WITH s AS (
  SELECT *, CAST($2 AS TEXT) AS platform FROM ROWS FROM (${[3, 4, 5, 6].map((i) => `json_array_elements_text(CAST($${i} AS JSON))`).join(', ')})
    AS s(key, downloads30d, downloads_all_time, likes)),
touched AS (UPDATE models m SET downloads30d = CAST(s.downloads30d AS BIGINT),
  downloads_all_time = CAST(s.downloads_all_time AS BIGINT), likes = CAST(s.likes AS BIGINT),
  last_seen_date = GREATEST(m.last_seen_date, CAST($1 AS DATE)), deleted_at = NULL, missing_since = NULL
  FROM s WHERE m.key = s.key RETURNING 1),
day AS (INSERT INTO stats_days (date) VALUES (CAST($1 AS DATE)) ON CONFLICT DO NOTHING RETURNING 1)
${statsUpsertSql('s', '$1')}`;

class ClientDb implements Db {
  constructor(private readonly c: pg.Pool | pg.PoolClient) {}
  async query(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    const r = await this.c.query(sql, params as unknown[] | undefined);
    return r.rows as Row[];
  }
  async exec(sql: string, params?: readonly unknown[]): Promise<number> {
    const r = await this.c.query(sql, params as unknown[] | undefined);
    return r.rowCount ?? 0;
  }
}

function unreachable(url: string, err: unknown): HubwatchError {
  const code = (err as { code?: string }).code;
  const where = redactUrl(url);
  if (code === '28P01' || code === '28000') {
    return new ServiceUnavailableError(
      `PostgreSQL at ${where} rejected the login (${errorMessage(err)}). Check the user and password in DATABASE_URL.`,
      { cause: err },
    );
  }
  if (code === '3D000') {
    return new ServiceUnavailableError(
      `PostgreSQL at ${where} has no such database (${errorMessage(err)}). Create it (createdb) or fix DATABASE_URL.`,
      { cause: err },
    );
  }
  return new ServiceUnavailableError(
    `PostgreSQL at ${where} is not reachable (${errorMessage(err)}). Start it (for example ` +
      '`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`, or `sudo service postgresql start`), ' +
      'or unset DATABASE_URL to use the embedded DuckDB file.',
    { cause: err },
  );
}

export interface PostgresOptions {
  url: string;
  /** Schema for every table (created if missing); test runs use their own. Default: the server's search_path. */
  schema?: string;
  /** Pool size; default 10. */
  max?: number;
}

export class PostgresStore extends SqlStore {
  readonly engine = 'postgres' as const;
  protected readonly dialect = DIALECT;
  protected readonly db: Db;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string | null,
  ) {
    super();
    this.db = new ClientDb(pool);
  }

  /** Connects (one round trip, so a wrong URL fails here) and creates the schema. Does not migrate. */
  static async open(opts: PostgresOptions): Promise<PostgresStore> {
    const schema = opts.schema ?? null;
    if (schema !== null && !SCHEMA_RE.test(schema)) {
      throw new HubwatchError(`PostgreSQL schema name ${JSON.stringify(schema)} must match ${SCHEMA_RE}`, {
        exitCode: 2,
      });
    }
    // UTC and ISO dates on every connection, whatever the server defaults, so values parse the same everywhere.
    const settings = ['-c TimeZone=UTC', '-c DateStyle=ISO'];
    if (schema !== null) settings.push(`-c search_path=${schema}`);
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      options: settings.join(' '),
      types: TYPES,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client that loses its server emits here; without a listener that would crash the process. The next
    // query checks out a fresh client and reports any lasting outage itself.
    pool.on('error', () => undefined);
    try {
      if (schema !== null) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      else await pool.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw unreachable(opts.url, err);
    }
    return new PostgresStore(pool, schema);
  }

  protected textArray(values: readonly (string | null)[]): unknown {
    return values;
  }

  protected async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.closed) throw new HubwatchError('The PostgreSQL store is closed.');
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(new ClientDb(client));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // A connection that cannot roll back is not put back in the pool.
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async migrate(): Promise<void> {
    await runMigrations(
      DIALECT,
      (fn) => this.tx(fn),
      // Per schema, so test runs in their own schemas do not wait for each other.
      async (db) => {
        await db.query(`SELECT pg_advisory_xact_lock(hashtext('hubwatch.migrate.' || current_schema()))`);
      },
    );
  }

  async schemaVersions(): Promise<Array<{ version: number; appliedAt: string }>> {
    const rows = await this.db.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
    return rows.map((r) => ({ version: Number(r.version), appliedAt: String(r.applied_at) }));
  }

  protected async writeModels(db: Db, write: ModelWrite): Promise<void> {
    const { date, models, fingerprints, objectIds, provenance } = write;
    const fps = models.map((m) => fingerprints?.get(m.key) ?? null);
    const oids = models.map((m) => objectIds?.get(m.key) ?? null);
    const columns = MODEL_COLUMNS.map((c) => JSON.stringify(models.map((m, i) => c.get(m, fps[i]!, oids[i]!))));
    await db.exec(PAGE_SQL, [date, ...columns, provenance]);
  }

  protected async writeSeen(db: Db, date: string, platform: Platform, seen: readonly SeenModel[]): Promise<void> {
    await db.exec(SEEN_SQL, [
      date,
      platform,
      JSON.stringify(seen.map((s) => s.key)),
      JSON.stringify(seen.map((s) => s.stats.downloads30d)),
      JSON.stringify(seen.map((s) => s.stats.downloadsAllTime)),
      JSON.stringify(seen.map((s) => s.stats.likes)),
    ]);
  }

  /** A cursor on a client of its own, fetched a chunk at a time; other statements use other clients meanwhile. */
  protected async *streamQuery(sql: string, params: readonly unknown[], chunkSize: number): AsyncIterable<Columns> {
    if (this.closed) throw new HubwatchError('The PostgreSQL store is closed.');
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN READ ONLY');
      // The whole result is read: plan for all of it, not for the first rows (the cursor default of 0.1 picks
      // nested loops that cost ten times more over a whole day).
      await client.query('SET LOCAL cursor_tuple_fraction = 1.0');
      await client.query(`DECLARE hubwatch_stream NO SCROLL CURSOR FOR ${sql}`, params as unknown[]);
      for (;;) {
        const r = await client.query<Row[string][]>({
          text: `FETCH FORWARD ${chunkSize} FROM hubwatch_stream`,
          rowMode: 'array',
        });
        const rows = r.rows;
        if (rows.length > 0) {
          const index = new Map(r.fields.map((f, i) => [f.name, i]));
          yield {
            length: rows.length,
            col: (name) => {
              const i = index.get(name);
              if (i === undefined) throw new Error(`store: no column ${name} in the stream`);
              return rows.map((row) => row[i]!);
            },
          };
        }
        if (rows.length < chunkSize) break;
      }
      await client.query('COMMIT');
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      // Also reached when the caller stops early: the transaction (and its cursor) must not go back to the pool.
      if (!broken) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
      }
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
