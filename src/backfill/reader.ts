// Reads one dump partition (a local models.parquet or models.csv) with DuckDB's own readers, streaming result chunks,
// selecting only the columns the live mapper needs. The dumps' schema drifted over the years (research/anchors.md
// §12: CSV before Parquet; downloadsAllTime only from 2025-02-27; gated only in later files; dates as text or
// timestamps; tags a list; cardData JSON text; baseModels a struct {models: [{_id, id}], relation}; safetensors
// {total, parameters}), so each column is looked up in the file's own schema: a missing one is selected as NULL and
// named in `missing`, and each is turned into the form the Hub's list API gives (what normaliseHuggingFace reads).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A dump row as the Hub's list API would give the item (the live path's raw item), plus its `_id` if the file has it. */
export interface DumpItem {
  id: string | null;
  _id?: string;
  author: string | null;
  downloads: number | null;
  downloadsAllTime: number | null;
  likes: number | null;
  pipeline_tag: string | null;
  library_name: string | null;
  createdAt: string | null;
  lastModified: string | null;
  tags: string[] | null;
  cardData: Record<string, unknown> | null;
  baseModels: unknown;
  safetensors: { total: number } | null;
}

/** The columns read, in the dumps' own names. `_id` is read where a file carries it (renames by id). */
export const DUMP_COLUMNS = [
  'id',
  '_id',
  'author',
  'downloads',
  'downloadsAllTime',
  'likes',
  'pipeline_tag',
  'library_name',
  'createdAt',
  'lastModified',
  'tags',
  'cardData',
  'baseModels',
  'safetensors',
] as const;
export type DumpColumn = (typeof DUMP_COLUMNS)[number];

/** How each column is read (columnExpr) and which types it reads as intended (columnTypeProblem). */
type ColumnKind = 'text' | 'count' | 'instant' | 'tags' | 'cardData' | 'baseModels' | 'safetensors';
const KIND_OF: Record<DumpColumn, ColumnKind> = {
  id: 'text',
  _id: 'text',
  author: 'text',
  downloads: 'count',
  downloadsAllTime: 'count',
  likes: 'count',
  pipeline_tag: 'text',
  library_name: 'text',
  createdAt: 'instant',
  lastModified: 'instant',
  tags: 'tags',
  cardData: 'cardData',
  baseModels: 'baseModels',
  safetensors: 'safetensors',
};

/** Columns whose absence is normal and says nothing about the figures (no `_id`: renames are matched otherwise). */
const OPTIONAL: ReadonlySet<DumpColumn> = new Set(['_id']);

/** The only card fields the mapper reads (licence and lineage): extracted by DuckDB, so the rest is never parsed. */
const CARD_FIELDS = ['license', 'license_name', 'license_link', 'base_model', 'base_model_relation'];

export type DumpFormat = 'parquet' | 'csv';

export interface PartitionSchema {
  /** Columns present, with DuckDB's type for each. */
  present: Map<string, string>;
  /** Needed columns the file does not have: selected as NULL, and said in the date's coverage. */
  missing: DumpColumn[];
}

const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const quoteLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export function sourceSql(path: string, format: DumpFormat): string {
  // CSV: every column as text, so that a column type guessed from the first rows can never fail a later row; the
  // values are cast below with TRY_CAST (an unreadable count is null, as the live path reads "12k").
  return format === 'parquet'
    ? `read_parquet(${quoteLiteral(path)})`
    : `read_csv(${quoteLiteral(path)}, header = true, all_varchar = true, quote = '"', escape = '"', strict_mode = false)`;
}

const isText = (type: string): boolean => type === 'VARCHAR' || type === 'JSON' || /^VARCHAR\(\d+\)$/.test(type);
const isTimestamp = (type: string): boolean => type.startsWith('TIMESTAMP');

/**
 * The value of one column in the row's JSON object, given its type in the file: NULL when the file lacks it. DuckDB
 * builds one JSON text per row (json_object), so JavaScript takes one value per row from each chunk and parses it
 * natively: per-value reads through the client cost more than the whole read (measured: 4.9 s against 1.1 s for
 * 20,000 rows).
 */
function columnExpr(col: DumpColumn, type: string | undefined): string {
  const c = quoteIdent(col);
  if (type === undefined) return 'NULL';
  switch (KIND_OF[col]) {
    case 'text':
      return `CAST(${c} AS VARCHAR)`;
    case 'count':
      return `TRY_CAST(${c} AS DOUBLE)`;
    case 'instant':
      // Timestamps without a zone are UTC in the Hub's exports (the API's own times end in Z); text stays as written
      // and is parsed by the live path's reader of instants.
      if (type.startsWith('TIMESTAMP WITH TIME ZONE'))
        return `strftime(timezone('UTC', ${c}), '%Y-%m-%dT%H:%M:%S.%gZ')`;
      if (isTimestamp(type)) return `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
      return `CAST(${c} AS VARCHAR)`;
    case 'tags':
      // A list in Parquet; text in CSV (a JSON or Python list literal, parsed in JS).
      return isText(type) ? `CAST(${c} AS VARCHAR)` : c;
    case 'cardData': {
      const src = isText(type) ? `TRY_CAST(${c} AS JSON)` : `to_json(${c})`;
      const fields = CARD_FIELDS.map((f) => `${quoteLiteral(f)}, json_extract(card.j, ${quoteLiteral(`$.${f}`)})`).join(
        ', ',
      );
      return `(SELECT CASE WHEN card.j IS NULL THEN NULL ELSE json_object(${fields}) END FROM (SELECT ${src} AS j) card)`;
    }
    case 'baseModels':
      return isText(type) ? `TRY_CAST(${c} AS JSON)` : c;
    case 'safetensors':
      // Only the total is read (the parameter count); `parameters` (JSON text or a MAP) is never touched.
      return isText(type)
        ? `TRY_CAST(json_extract_string(TRY_CAST(${c} AS JSON), '$.total') AS DOUBLE)`
        : `TRY_CAST(struct_extract(${c}, 'total') AS DOUBLE)`;
  }
}

const NUMERIC =
  /^(?:TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;

/** The field names of a STRUCT type as DESCRIBE prints it (`STRUCT(total BIGINT, parameters MAP(…))`), top level only. */
function structFields(type: string): string[] | null {
  const inner = /^STRUCT\((.*)\)$/s.exec(type)?.[1];
  if (inner === undefined) return null;
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= inner.length; i++) {
    const ch = inner[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if ((ch === ',' && depth === 0) || i === inner.length) {
      const name = /^\s*("(?:[^"]|"")*"|\S+)/.exec(inner.slice(start, i))?.[1];
      if (name) names.push(name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name);
      start = i + 1;
    }
  }
  return names;
}

/**
 * What `columnExpr` makes of a Parquet column of this type, when that is not the value the live path would read: the
 * reason, or null when the type reads as intended. For `hubwatch probe --dump`, in the reader's own terms (a CSV's
 * columns are all text, on purpose).
 */
export function columnTypeProblem(col: DumpColumn, type: string): string | null {
  switch (KIND_OF[col]) {
    case 'text':
      return isText(type) ? null : 'not text: read as its text form';
    case 'count':
      if (NUMERIC.test(type)) return null;
      return isText(type)
        ? 'text: read with TRY_CAST, a value that is not a number is null'
        : 'not a number: read as null';
    case 'instant':
      return isTimestamp(type) || isText(type) ? null : 'neither a timestamp nor text: read as an unreadable instant';
    case 'tags':
      return type.endsWith('[]') || isText(type) ? null : 'neither a list nor text: read as no tags';
    case 'cardData':
      return isText(type) || type.startsWith('STRUCT(') || type.startsWith('MAP(')
        ? null
        : 'neither JSON text nor a struct: no licence or base model is read from it';
    case 'baseModels':
      return isText(type) || type.startsWith('STRUCT(')
        ? null
        : 'neither JSON text nor a struct: no lineage is read from it';
    case 'safetensors': {
      if (isText(type)) return null;
      const fields = structFields(type);
      if (fields === null) return 'neither JSON text nor a struct: the partition cannot be read';
      return fields.includes('total') ? null : 'a struct without `total`: the partition cannot be read';
    }
  }
}

/** Reads a partition's schema: which of the needed columns it has, and their types. */
export async function partitionSchema(
  conn: DuckDBConnection,
  path: string,
  format: DumpFormat,
): Promise<PartitionSchema> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${sourceSql(path, format)}`);
  const present = new Map<string, string>();
  for (const row of reader.getRowObjectsJS()) present.set(String(row.column_name), String(row.column_type));
  const missing = DUMP_COLUMNS.filter((c) => !present.has(c) && !OPTIONAL.has(c));
  return { present, missing };
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Tags: JSON text from Parquet lists; in the CSV era a JSON list or a Python list literal (`['a', 'b']`). */
export function parseTags(text: unknown): string[] | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const json = parseJson(text);
  if (Array.isArray(json)) return json.filter((t): t is string => typeof t === 'string');
  const out: string[] = [];
  for (const m of text.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)) out.push(m[1] ?? m[2] ?? '');
  if (out.length > 0) return out;
  // DuckDB's and Arrow's text form of a list: [a, b] without quotes.
  const inner = /^\[(.*)\]$/s.exec(text.trim())?.[1];
  if (inner === undefined) return null;
  return inner
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

export interface ReadOptions {
  /** Rows per yielded batch (the last one shorter). */
  batchRows: number;
  /** Rows at the start to pass over without building items (a resumed partition). */
  skipRows?: number;
}

/**
 * Streams the partition's rows as Hub list items, in file order (insertion order is kept so that a resumed
 * partition can skip exactly the rows it committed). Memory holds one batch, whatever the file's size.
 */
export async function* readPartition(
  conn: DuckDBConnection,
  path: string,
  format: DumpFormat,
  schema: PartitionSchema,
  opts: ReadOptions,
): AsyncGenerator<DumpItem[]> {
  const fields = DUMP_COLUMNS.map((c) => `${quoteLiteral(c)}, ${columnExpr(c, schema.present.get(c))}`).join(', ');
  const result = await conn.stream(
    `SELECT CAST(json_object(${fields}) AS VARCHAR) AS row FROM ${sourceSql(path, format)}`,
  );
  let skip = opts.skipRows ?? 0;
  let batch: DumpItem[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const rows = chunk.getColumnValues(0);
    for (let i = skip; i < n; i++) batch.push(itemOf(JSON.parse(rows[i] as string) as Record<string, unknown>));
    skip = 0;
    while (batch.length >= opts.batchRows) {
      yield batch.slice(0, opts.batchRows);
      batch = batch.slice(opts.batchRows);
    }
  }
  if (batch.length > 0) yield batch;
}

const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The row's JSON as the Hub list item the live mapper reads. */
function itemOf(o: Record<string, unknown>): DumpItem {
  const total = numberOrNull(o.safetensors);
  const item: DumpItem = {
    id: textOrNull(o.id),
    author: textOrNull(o.author),
    downloads: numberOrNull(o.downloads),
    downloadsAllTime: numberOrNull(o.downloadsAllTime),
    likes: numberOrNull(o.likes),
    pipeline_tag: textOrNull(o.pipeline_tag),
    library_name: textOrNull(o.library_name),
    createdAt: textOrNull(o.createdAt),
    lastModified: textOrNull(o.lastModified),
    tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === 'string') : parseTags(o.tags),
    // json_object gives null for fields the card lacks; the mapper reads absent and null alike.
    cardData:
      o.cardData !== null && typeof o.cardData === 'object' && !Array.isArray(o.cardData)
        ? (o.cardData as Record<string, unknown>)
        : null,
    baseModels: o.baseModels ?? null,
    safetensors: total === null ? null : { total },
  };
  const oid = textOrNull(o._id);
  if (oid) item._id = oid;
  return item;
}

/**
 * A DuckDB instance of its own for reading dumps, separate from the store: a small buffer pool (a partition streams
 * through it), insertion order kept (resume by row count), one thread by default (the event loop normalises).
 */
export async function openReader(
  opts: { memoryLimit?: string; threads?: number } = {},
): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: opts.memoryLimit ?? '256MB',
    threads: String(opts.threads ?? 1),
    preserve_insertion_order: 'true',
    enable_external_access: 'true',
  });
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
