// The embedded engine: one DuckDB file under the data directory, for a single hubwatch process. Writes go through
// one connection, one at a time (DuckDB has a single writer anyway); reads use a second connection so a snapshot
// can read while a page commits.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBTypeId,
  LIST,
  VARCHAR,
  listValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { ConfigError, HubwatchError, errorMessage } from '../errors.js';
import type { NormalisedRecord } from '../model.js';
import { runMigrations } from './migrations.js';
import {
  MODEL_COLUMNS,
  SqlStore,
  modelUpsertSql,
  statsUpsertSql,
  type Db,
  type Dialect,
  type Row,
} from './sql.js';

const DIALECT: Dialect = { engine: 'duckdb', bytewise: '', double: 'DOUBLE', forUpdate: '' };

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

const asIs: Conv = (v) => v as Row[string];
const toNumber: Conv = (v) => (v === null ? null : Number(v));
const toDate: Conv = (v) => (v === null ? null : (v as Date).toISOString().slice(0, 10));
const toInstant: Conv = (v) => (v === null ? null : (v as Date).toISOString());

function converterFor(typeId: DuckDBTypeId): Conv {
  switch (typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.DECIMAL:
      return toNumber;
    case DuckDBTypeId.DATE:
      return toDate;
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
      return toInstant;
    default:
      return asIs;
  }
}

class Conn implements Db {
  readonly serial = new Serial();
  constructor(readonly conn: DuckDBConnection) {}

  async query(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    const reader = await this.conn.runAndReadAll(sql, ...bindArgs(params));
    const names = reader.columnNames();
    const convs = names.map((_, i) => converterFor(reader.columnTypeId(i)));
    return reader.getRowsJS().map((values) => {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = convs[i]!(values[i] ?? null);
      return row;
    });
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<number> {
    const result = await this.conn.run(sql, ...bindArgs(params));
    return result.rowsChanged;
  }
}

const closedError = () => new HubwatchError('The DuckDB store is closed.');

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

const STAGE = 'hubwatch_stage_models';

export class DuckDBStore extends SqlStore {
  readonly engine = 'duckdb' as const;
  protected readonly dialect = DIALECT;
  protected readonly db: Db;
  private closed = false;
  /** The two upserts are long statements; preparing them once saves their parse and plan on every page. */
  private upserts: [DuckDBPreparedStatement, DuckDBPreparedStatement] | null = null;

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
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(abs);
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
    return this.writer.serial.run(async () => {
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
    });
  }

  async migrate(): Promise<void> {
    await runMigrations(DIALECT, (fn) => this.tx(fn));
  }

  async schemaVersions(): Promise<Array<{ version: number; appliedAt: string }>> {
    const rows = await this.db.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
    return rows.map((r) => ({ version: Number(r.version), appliedAt: String(r.applied_at) }));
  }

  protected async writeModels(db: Db, date: string, models: NormalisedRecord[]): Promise<void> {
    const conn = this.writer.conn;
    if (!this.upserts) {
      // A temp table lives as long as the connection, so it is made once and emptied per page.
      const cols = MODEL_COLUMNS.map(
        (c) => `${c.name} ${c.kind === 'bigint' ? 'BIGINT' : c.kind === 'double' ? 'DOUBLE' : 'TEXT'}`,
      );
      await db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (${cols.join(', ')})`);
      this.upserts = [
        await conn.prepare(modelUpsertSql(DIALECT, STAGE, '$1')),
        await conn.prepare(statsUpsertSql(STAGE, '$1')),
      ];
    }
    await db.exec(`DELETE FROM ${STAGE}`);
    const appender: DuckDBAppender = await conn.createAppender(STAGE, 'main', 'temp');
    try {
      for (const m of models) {
        for (const c of MODEL_COLUMNS) {
          const v = c.get(m);
          if (v === null) appender.appendNull();
          else if (c.kind === 'bigint') appender.appendBigInt(BigInt(v));
          else if (c.kind === 'double') appender.appendDouble(v as number);
          else appender.appendVarchar(v as string);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    for (const stmt of this.upserts) {
      stmt.bindVarchar(1, date);
      await stmt.run();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Wait for whatever is queued on either connection before pulling the instance from under it.
    await Promise.all([this.writer.serial.run(async () => {}), this.reader.serial.run(async () => {})]);
    for (const stmt of this.upserts ?? []) stmt.destroySync();
    this.writer.conn.closeSync();
    this.reader.conn.closeSync();
    this.instance.closeSync();
    openPaths.delete(this.path);
  }
}
