// What every part of the SQL store shares: the connection and dialect an engine hands over, the defaults that bound
// a query's size, and the values in and out of both engines (text cleaning, dates, typed reads of a result row). It
// imports nothing from the other store modules, so each role's SQL (sql-ingest.ts, sql-read.ts, …) can import it.
import { InputError } from '../errors.js';
import { capString } from '../model.js';

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

/**
 * What the role modules need of a SqlStore: its protected parts, handed over by the store itself (SqlStore builds one
 * per store), so the SQL lives in plain functions and the class only forwards.
 */
export interface SqlContext {
  readonly dialect: Dialect;
  /** Reads outside any transaction. */
  readonly db: Db;
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Called before every read of models or daily_stats: an engine that defers work of commitPage finishes it here. */
  prepareRead(): Promise<void>;
  /** Called before the lineage pass's reads (sql-lineage.ts), which never read origins. */
  prepareLineageRead(): Promise<void>;
  /**
   * Runs one query and hands its rows over in chunks of exactly `chunkSize` (the last one shorter), holding no more
   * than about a chunk in memory; statements the caller runs between chunks must not wait for the stream.
   */
  streamQuery(sql: string, params: readonly unknown[], chunkSize: number): AsyncIterable<Columns>;
  /** Wraps a list of strings so the engine binds it as a text array (`CAST($n AS TEXT[])`). */
  textArray(values: readonly (string | null)[]): unknown;
}

export const DEFAULT_CHUNK = 5000;

/** Keeps array parameters (and PostgreSQL's parse of them) to a sane size for callers that pass huge key lists. */
export const KEY_BATCH = 10_000;

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

export function capText(s: string | null, max: number): string | null {
  return s === null ? null : capString(clean(s), max);
}

// The date helper's home is src/time.ts; re-exported for the readers that still import it from here.
export { addDays } from '../time.js';

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

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

export function chunkSizeOf(n: number | undefined): number {
  if (n === undefined) return DEFAULT_CHUNK;
  if (!Number.isInteger(n) || n < 1) throw new InputError(`chunk size must be a positive integer, got ${n}`);
  return n;
}

export function str(v: Row[string] | undefined): string {
  if (typeof v !== 'string') throw new Error(`store: expected text, got ${typeof v}`);
  return v;
}

export function strOrNull(v: Row[string] | undefined): string | null {
  return v === null || v === undefined ? null : str(v);
}

export function num(v: Row[string] | undefined): number {
  if (typeof v !== 'number') throw new Error(`store: expected a number, got ${typeof v}`);
  return v;
}

export function numOrNull(v: Row[string] | undefined): number | null {
  return v === null || v === undefined ? null : num(v);
}

export function bool(v: Row[string] | undefined): boolean {
  if (typeof v !== 'boolean') throw new Error(`store: expected a boolean, got ${typeof v}`);
  return v;
}

export function jsonArray(v: Row[string] | undefined): string[] {
  return JSON.parse(str(v)) as string[];
}
