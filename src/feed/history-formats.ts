// The three forms of the history tables: JSON (rows as objects; JSON Lines in files), CSV and Parquet, the forms
// pandas, polars and DuckDB load directly. Rows arrive as chunks and leave as chunks: nothing here holds a table.
//
// Parquet is written by DuckDB (@duckdb/node-api, Parquet built in) from the JSON Lines of the same rows: an
// in-memory instance reads the lines and COPYs them to Parquet as a stream under its memory limit. An appender into
// an in-memory table would hold the whole table until the COPY, which for a catalogue's day is most of a gigabyte.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Negotiator from 'negotiator';
import { capString } from '../model.js';
import { csvCell } from './text.js';
import type { Cell, HistoryColumn, HistoryRecord } from './history.js';

export const HISTORY_FORMATS = ['json', 'csv', 'parquet'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** IANA registered application/vnd.apache.parquet on 2024-02-14 (iana.org/assignments/media-types). */
export const PARQUET_MEDIA = 'application/vnd.apache.parquet';
export const MEDIA_TYPE: Record<HistoryFormat, string> = {
  json: 'application/json',
  csv: 'text/csv',
  parquet: PARQUET_MEDIA,
};
export const CONTENT_TYPE: Record<HistoryFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  parquet: PARQUET_MEDIA,
};

/**
 * The format of an answer: the `format` parameter when given, else the best of Accept (negotiator: q-values,
 * wildcards), JSON first on a tie and when nothing offered is acceptable, as every other route answers.
 */
export function chooseFormat(param: HistoryFormat | undefined, accept: string | undefined): HistoryFormat {
  if (param !== undefined) return param;
  if (!accept) return 'json';
  const offered = HISTORY_FORMATS.map((f) => MEDIA_TYPE[f]);
  let best: string | undefined;
  try {
    best = new Negotiator({ headers: { accept } }).mediaType(offered);
  } catch {
    // A header negotiator cannot parse is treated as no preference.
    best = undefined;
  }
  return HISTORY_FORMATS.find((f) => MEDIA_TYPE[f] === best) ?? 'json';
}

// ---- CSV ----------------------------------------------------------------------------------------------------------

/** Platform strings (model ids) are capped in CSV cells: a spreadsheet row is no place for a 10,000-character name. */
export const CSV_CELL_MAX = 1000;

function csvValue(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return csvCell(v);
  return csvCell(capString(v, CSV_CELL_MAX));
}

export function csvHeader(columns: readonly HistoryColumn[]): string {
  return `${columns.map((c) => csvCell(c.name)).join(',')}\r\n`;
}

/** RFC 4180 lines (CRLF), quoted where needed, formula starts defused with a leading ' (text.ts csvCell). */
export function csvLines(columns: readonly HistoryColumn[], rows: readonly HistoryRecord[]): string {
  let out = '';
  for (const r of rows) out += `${columns.map((c) => csvValue(r[c.name] ?? null)).join(',')}\r\n`;
  return out;
}

// ---- JSON Lines -------------------------------------------------------------------------------------------------

export function jsonLines(columns: readonly HistoryColumn[], rows: readonly HistoryRecord[]): string {
  let out = '';
  for (const r of rows) {
    const o: HistoryRecord = {};
    for (const c of columns) o[c.name] = r[c.name] ?? null;
    out += `${JSON.stringify(o)}\n`;
  }
  return out;
}

// ---- Parquet ----------------------------------------------------------------------------------------------------

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const sqlIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** One conversion at a time per process: each holds a DuckDB instance with its own memory budget. */
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

/** DuckDB's budget for one conversion: read_json → COPY streams row groups, so this bounds it whatever the rows. */
const PARQUET_MEMORY_LIMIT = '128MB';

/**
 * Converts a JSON Lines file of `columns` to a Parquet file (zstd), in the rows' order. `metadata` goes into the
 * file's footer as key-value pairs (the attribution and terms travel with a file that leaves its folder).
 */
export function jsonLinesToParquet(
  jsonlPath: string,
  columns: readonly HistoryColumn[],
  parquetPath: string,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  return serially(async () => {
    const spill = await mkdtemp(join(tmpdir(), 'hubwatch-parquet-'));
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: PARQUET_MEMORY_LIMIT,
      threads: '1',
      temp_directory: spill,
    });
    try {
      const conn = await instance.connect();
      try {
        const types = columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
        const names = columns.map((c) => sqlIdent(c.name)).join(', ');
        const kv = Object.entries(metadata)
          .map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`)
          .join(', ');
        await conn.run(
          `COPY (SELECT ${names} FROM read_json(${sqlString(jsonlPath)}, format = 'newline_delimited',
             columns = {${types}})) TO ${sqlString(parquetPath)}
           (FORMAT parquet, COMPRESSION zstd${kv ? `, KV_METADATA {${kv}}` : ''})`,
        );
      } finally {
        conn.closeSync();
      }
    } finally {
      instance.closeSync();
      await rm(spill, { recursive: true, force: true });
    }
  });
}

// ---- whole answers (bounded by the routes' limits) -------------------------------------------------------------

export async function collect(rows: AsyncIterable<HistoryRecord[]>): Promise<HistoryRecord[]> {
  const out: HistoryRecord[] = [];
  for await (const chunk of rows) for (const r of chunk) out.push(r);
  return out;
}

export function csvText(columns: readonly HistoryColumn[], rows: readonly HistoryRecord[]): string {
  return csvHeader(columns) + csvLines(columns, rows);
}

/** The rows as one Parquet file's bytes (through a temporary directory, removed after). */
export async function parquetBytes(
  columns: readonly HistoryColumn[],
  rows: readonly HistoryRecord[],
  metadata: Readonly<Record<string, string>> = {},
): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-history-'));
  try {
    const jsonl = join(dir, 'rows.jsonl');
    const parquet = join(dir, 'rows.parquet');
    const fh = await open(jsonl, 'w');
    try {
      for (let i = 0; i < rows.length; i += 5000) await fh.write(jsonLines(columns, rows.slice(i, i + 5000)));
    } finally {
      await fh.close();
    }
    await jsonLinesToParquet(jsonl, columns, parquet, metadata);
    return await readFile(parquet);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- files (the static export) ---------------------------------------------------------------------------------

/** A file written under a temporary name and renamed into place by commit(): readers see the old file or the new. */
class PendingFile {
  readonly tmp: string;
  private fh: FileHandle | null = null;
  constructor(readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  }
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.fh = await open(this.tmp, 'w');
  }
  async write(s: string): Promise<void> {
    if (s) await this.fh!.write(s);
  }
  async close(): Promise<void> {
    if (this.fh) {
      await this.fh.sync();
      await this.fh.close();
      this.fh = null;
    }
  }
  async commit(): Promise<void> {
    await this.close();
    await rename(this.tmp, this.path);
  }
  async abandon(): Promise<void> {
    await this.fh?.close().catch(() => {});
    this.fh = null;
    await rm(this.tmp, { force: true });
  }
}

export interface TableFiles {
  csv: string;
  jsonl: string;
  parquet: string;
}

/**
 * Writes one table as CSV, JSON Lines and Parquet, chunk by chunk (memory: one chunk, and DuckDB's budget), each file
 * replaced atomically once all three are complete. Returns the paths written and the number of rows.
 */
export async function writeTableFiles(
  columns: readonly HistoryColumn[],
  rows: AsyncIterable<HistoryRecord[]>,
  files: TableFiles,
  metadata: Readonly<Record<string, string>> = {},
): Promise<{ paths: string[]; rows: number }> {
  const csv = new PendingFile(files.csv);
  const jsonl = new PendingFile(files.jsonl);
  const parquet = new PendingFile(files.parquet);
  let count = 0;
  try {
    await csv.open();
    await jsonl.open();
    await csv.write(csvHeader(columns));
    for await (const chunk of rows) {
      await csv.write(csvLines(columns, chunk));
      await jsonl.write(jsonLines(columns, chunk));
      count += chunk.length;
    }
    await csv.close();
    await jsonl.close();
    await mkdir(dirname(files.parquet), { recursive: true });
    await jsonLinesToParquet(jsonl.tmp, columns, parquet.tmp, metadata);
    await csv.commit();
    await jsonl.commit();
    await parquet.commit();
  } catch (err) {
    await Promise.all([csv.abandon(), jsonl.abandon(), parquet.abandon()]);
    throw err;
  }
  return { paths: [files.csv, files.jsonl, files.parquet], rows: count };
}
