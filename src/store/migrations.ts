// Versioned schema migrations for both engines. Each migration runs once, in the same transaction as the row that
// records it in schema_migrations, so a crash mid-migration leaves the previous version intact and the next
// start simply runs it again. Never edit a released migration: append a new one.
import { HubwatchError } from '../errors.js';
import type { Db, Dialect } from './sql-shared.js';

export interface Migration {
  version: number;
  name: string;
  statements(d: Dialect): string[];
}

/** Key columns sort bytewise in PostgreSQL too, so keyset pagination walks keys in the same order as DuckDB. */
function keyType(d: Dialect): string {
  return d.engine === 'postgres' ? 'TEXT COLLATE "C"' : 'TEXT';
}

/** Writes column definitions as the released migrations wrote them, one per line, so their SQL stays the same. */
function columnList(columns: ReadonlyArray<readonly [name: string, definition: string]>): string {
  return columns.map(([name, definition]) => `\n          ${name} ${definition}`).join(',');
}

/**
 * The models table's columns as schema version 1 made them, in order (the record column became nullable in
 * version 2). Frozen here rather than taken from sql.ts MODEL_COLUMNS: a released migration must keep making the
 * same table whatever the code writes later.
 */
function modelsV1ColumnDefs(d: Dialect): Array<[name: string, definition: string]> {
  const key = keyType(d);
  return [
    ['key', `${key} PRIMARY KEY`],
    ['platform', 'TEXT NOT NULL'],
    ['id', 'TEXT NOT NULL'],
    ['namespace', 'TEXT NOT NULL'],
    ['namespace_lower', `${key} NOT NULL`],
    ['name', 'TEXT NOT NULL'],
    ['name_lower', `${key} NOT NULL`],
    ['url', 'TEXT NOT NULL'],
    ['created_at', 'TIMESTAMPTZ'],
    ['last_modified', 'TIMESTAMPTZ'],
    ['first_seen_at', 'TIMESTAMPTZ NOT NULL'],
    ['released_at', 'TIMESTAMPTZ'],
    ['last_seen_date', 'DATE'],
    ['deleted_at', 'DATE'],
    ['task', 'TEXT'],
    ['library', 'TEXT'],
    ['tags', 'TEXT NOT NULL'],
    ['params', `${d.double} CHECK (params >= 0)`],
    ['license_raw', 'TEXT'],
    ['license_id', 'TEXT NOT NULL'],
    ['license_name', 'TEXT NOT NULL'],
    ['license_class', 'TEXT NOT NULL'],
    ['license_basis', 'TEXT NOT NULL'],
    ['publisher_org', 'TEXT'],
    ['publisher_country', 'TEXT NOT NULL'],
    ['publisher_country_alt', 'TEXT'],
    ['publisher_kind', 'TEXT NOT NULL'],
    ['relation', 'TEXT NOT NULL'],
    ['base_models', 'TEXT NOT NULL'],
    ['root_key', `${key} NOT NULL`],
    ['family', 'TEXT'],
    ['origin_org', 'TEXT'],
    ['origin_country', 'TEXT NOT NULL'],
    ['origin_country_alt', 'TEXT'],
    ['origin_kind', 'TEXT NOT NULL'],
    ['origin_basis', 'TEXT NOT NULL'],
    ['downloads30d', 'BIGINT CHECK (downloads30d >= 0)'],
    ['downloads_all_time', 'BIGINT CHECK (downloads_all_time >= 0)'],
    ['likes', 'BIGINT CHECK (likes >= 0)'],
    ['mirrors', 'TEXT NOT NULL'],
    ['record', 'TEXT NOT NULL'],
  ];
}

/** The models table as schema version 1 made it. */
function modelsV1Columns(d: Dialect): string {
  return columnList(modelsV1ColumnDefs(d));
}

/** The same columns with no primary key and a nullable record: DuckDB's page stage (version 2), its models (version 3). */
function modelsUnkeyedColumnDefs(d: Dialect): Array<[name: string, definition: string]> {
  const key = keyType(d);
  return modelsV1ColumnDefs(d).map(([name, definition]) =>
    name === 'key' ? [name, `${key} NOT NULL`] : name === 'record' ? [name, 'TEXT'] : [name, definition],
  );
}

/** What the merge sets on models and a page does not carry, so DuckDB's page stage (version 2) leaves them out. */
const NOT_STAGED = new Set(['released_at', 'last_seen_date', 'deleted_at']);

/** DuckDB's page stage (version 2): a page's rows of models, numbered (page_seq) and dated. */
function stageModelsV2Columns(d: Dialect): string {
  const staged = modelsUnkeyedColumnDefs(d).filter(([name]) => !NOT_STAGED.has(name));
  return columnList([['page_seq', 'BIGINT NOT NULL'], ['date', 'DATE NOT NULL'], ...staged]);
}

/** daily_stats' columns (version 1 added the primary key (date, key); DuckDB dropped it in version 3). */
function dailyStatsColumns(d: Dialect): string {
  const key = keyType(d);
  return `
          date DATE NOT NULL,
          key ${key} NOT NULL,
          platform TEXT NOT NULL,
          downloads_all_time BIGINT CHECK (downloads_all_time >= 0),
          downloads30d BIGINT CHECK (downloads30d >= 0),
          likes BIGINT CHECK (likes >= 0)`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: (d) => {
      const stmts = [
        `CREATE TABLE models (${modelsV1Columns(d)})`,
        `CREATE TABLE daily_stats (${dailyStatsColumns(d)}, PRIMARY KEY (date, key))`,
        `CREATE TABLE checkpoints (
          name TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL
        )`,
        `CREATE SEQUENCE quarantine_id_seq`,
        `CREATE TABLE quarantine (
          id BIGINT PRIMARY KEY DEFAULT nextval('quarantine_id_seq'),
          quarantined_at TIMESTAMPTZ NOT NULL,
          platform TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('item', 'page')),
          reason TEXT NOT NULL,
          payload TEXT NOT NULL,
          ref TEXT
        )`,
        `CREATE TABLE coverage (
          date DATE NOT NULL,
          platform TEXT NOT NULL,
          models_seen BIGINT NOT NULL DEFAULT 0,
          requests BIGINT NOT NULL DEFAULT 0,
          pages BIGINT NOT NULL DEFAULT 0,
          http429 BIGINT NOT NULL DEFAULT 0,
          errors BIGINT NOT NULL DEFAULT 0,
          quarantined BIGINT NOT NULL DEFAULT 0,
          complete BOOLEAN NOT NULL DEFAULT FALSE,
          degraded BOOLEAN NOT NULL DEFAULT FALSE,
          swept BOOLEAN NOT NULL DEFAULT FALSE,
          notes TEXT NOT NULL DEFAULT '[]',
          PRIMARY KEY (date, platform)
        )`,
      ];
      if (d.engine === 'postgres') {
        // DuckDB gets no secondary indexes on purpose: its ART indexes serve neither ORDER BY nor range scans,
        // and ON CONFLICT DO UPDATE may not assign to an indexed column, which the upsert of models must do.
        stmts.push(
          `CREATE INDEX models_feed_idx ON models (released_at DESC NULLS LAST, key DESC) WHERE deleted_at IS NULL`,
          `CREATE INDEX models_platform_idx ON models (platform, last_seen_date)`,
          `CREATE INDEX models_name_lower_idx ON models (platform, name_lower)`,
          `CREATE INDEX models_derivative_idx ON models (key) WHERE relation <> 'base'`,
          `CREATE INDEX daily_stats_key_idx ON daily_stats (key, date)`,
          `CREATE INDEX quarantine_platform_idx ON quarantine (platform, id)`,
        );
      }
      return stmts;
    },
  },
  {
    version: 2,
    name: 'lean rows: record only where the columns cannot rebuild it; stats_days; DuckDB page staging',
    statements: (d) => {
      const stmts = [
        // NULL from now on for every record the columns give back exactly (sql.ts needsRecord): most of the bytes.
        `ALTER TABLE models ALTER COLUMN record DROP NOT NULL`,
        // The days daily_stats has rows for, kept by commitPage, so statsDates never scans daily_stats.
        `CREATE TABLE stats_days (date DATE PRIMARY KEY)`,
        `INSERT INTO stats_days (date) SELECT DISTINCT date FROM daily_stats`,
      ];
      if (d.engine === 'duckdb') {
        // DuckDB's commitPage appends the page here, in the transaction of its checkpoint; the rows reach models
        // and daily_stats in one set-based merge (DuckDBStore.mergeStaged) before any read, or once enough are
        // staged. The constraints are those of models and daily_stats, so a bad page fails in its own commit and
        // the merge cannot. page_seq orders pages: a later page of the same key wins.
        stmts.push(`CREATE TABLE stage_models (${stageModelsV2Columns(d)}
        )`);
      }
      return stmts;
    },
  },
  {
    version: 3,
    name: 'fingerprints: a sweep writes only the figures of models that did not change; DuckDB keeps no key indexes',
    statements: (d) => {
      if (d.engine === 'postgres') {
        // NULL (never matches) for every model stored before: the next sweep writes each of them whole once.
        return [`ALTER TABLE models ADD COLUMN fingerprint TEXT`];
      }
      // DuckDB: models and daily_stats lose their primary keys. Their ART indexes live in memory whole, so memory
      // grew with the catalogue (and daily_stats' with every day kept), and every insert paid for them; nothing
      // read through them (key lookups by list are hash joins). One writer keeps keys unique: the merges delete
      // before they insert. The tables are rebuilt (DuckDB cannot drop a primary key), rows and order kept.
      return [
        `CREATE TABLE models_v3 (${columnList(modelsUnkeyedColumnDefs(d))},
          fingerprint TEXT)`,
        `INSERT INTO models_v3 SELECT *, NULL FROM models`,
        `DROP TABLE models`,
        `ALTER TABLE models_v3 RENAME TO models`,
        `CREATE TABLE daily_stats_v3 (${dailyStatsColumns(d)})`,
        `INSERT INTO daily_stats_v3 SELECT * FROM daily_stats ORDER BY date`,
        `DROP TABLE daily_stats`,
        `ALTER TABLE daily_stats_v3 RENAME TO daily_stats`,
        `ALTER TABLE stage_models ADD COLUMN fingerprint TEXT`,
        // Unchanged models of one commit, appended and applied in that commit's transaction (always empty
        // after it): an appender fills it far faster than bound parameters could.
        `CREATE TABLE stage_seen (
          key ${keyType(d)} NOT NULL,
          fingerprint TEXT NOT NULL,
          downloads30d BIGINT CHECK (downloads30d >= 0),
          downloads_all_time BIGINT CHECK (downloads_all_time >= 0),
          likes BIGINT CHECK (likes >= 0)
        )`,
      ];
    },
  },
  {
    version: 4,
    name: 'platform object ids and renames; deletion confirmed before it is recorded; incomplete items in coverage',
    statements: (d) => {
      const key = keyType(d);
      const stmts = [
        // The platform's own immutable id (the Hub's `_id`): a renamed repository keeps it, so its history follows.
        `ALTER TABLE models ADD COLUMN object_id TEXT`,
        // A 52-bit number from it (sql.ts objectKey) that DuckDB compares inline and, for the Hub's ObjectIds whose
        // first digits are the creation time, skips row groups by: the rename look-up of each commit stays cheap.
        `ALTER TABLE models ADD COLUMN object_key BIGINT`,
        // The first day a complete sweep did not list the model; deletion needs a second one and (where the
        // platform can say) a confirmation from its detail route (ingest.ts confirmDeletions).
        `ALTER TABLE models ADD COLUMN missing_since DATE`,
        `ALTER TABLE coverage ADD COLUMN incomplete BIGINT DEFAULT 0`,
        `CREATE TABLE model_renames (
          old_key ${key} NOT NULL${d.engine === 'postgres' ? ' PRIMARY KEY' : ''},
          new_key ${key} NOT NULL,
          platform TEXT NOT NULL,
          object_id TEXT,
          renamed_on DATE NOT NULL
        )`,
      ];
      if (d.engine === 'postgres') {
        stmts.push(`CREATE INDEX models_object_id_idx ON models (platform, object_id) WHERE object_id IS NOT NULL`);
      } else {
        // After fingerprint: the appender writes the stage in MODEL_COLUMNS order.
        stmts.push(
          `ALTER TABLE stage_models ADD COLUMN object_id TEXT`,
          `ALTER TABLE stage_models ADD COLUMN object_key BIGINT`,
        );
      }
      return stmts;
    },
  },
  {
    version: 5,
    name: 'provenance of daily figures: a live sweep or a public dump (hubwatch backfill)',
    statements: (d) => {
      if (d.engine === 'postgres') {
        return [
          `ALTER TABLE daily_stats ADD COLUMN provenance TEXT NOT NULL DEFAULT 'live' CHECK (provenance IN ('live', 'dump'))`,
        ];
      }
      // DuckDB cannot add a column with a constraint: the default keeps old rows and live writes 'live', and the
      // one writer (sql.ts PROVENANCES) only ever writes the two values. The stage carries it to the merge.
      return [
        `ALTER TABLE daily_stats ADD COLUMN provenance TEXT DEFAULT 'live'`,
        `ALTER TABLE stage_models ADD COLUMN provenance TEXT DEFAULT 'live'`,
      ];
    },
  },
];

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL
)`;

/**
 * Applies the pending migrations inside `tx`. `lock` runs first inside the transaction (PostgreSQL takes an
 * advisory lock so two processes starting at once do not both migrate). Returns the versions applied.
 */
export async function runMigrations(
  dialect: Dialect,
  tx: <T>(fn: (db: Db) => Promise<T>) => Promise<T>,
  lock?: (db: Db) => Promise<void>,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return tx(async (db) => {
    if (lock) await lock(db);
    await db.exec(MIGRATIONS_TABLE);
    const rows = await db.query('SELECT version FROM schema_migrations ORDER BY version');
    const done = new Set(rows.map((r) => Number(r.version)));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new HubwatchError(
        `The ${dialect.engine} store is at schema version ${newest}, newer than this hubwatch knows (${known}). ` +
          'Upgrade hubwatch, or point it at another database.',
        { exitCode: 2 },
      );
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      for (const sql of m.statements(dialect)) await db.exec(sql);
      await db.exec(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ))',
        [m.version, m.name, new Date().toISOString()],
      );
      applied.push(m.version);
    }
    return applied;
  });
}
