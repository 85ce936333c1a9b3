// What `hubwatch backfill --dump` assumes about the Hub's public dumps, checked by `hubwatch probe --dump`. The
// evidence on the real files is partial (research/anchors.md §12, research/hf.md §7): the layout and the weekly dates
// are known, the columns readers select are known by name only, `downloadsAllTime` is dated from 2025-02-27, and
// nothing says whether the files carry each model's own `_id` or whether the file host honours Range. So this asks
// the dump itself: which partitions it lists, whether the newest Parquet partition's footer comes back by Range (the
// remote path reads only the footer and the needed column chunks, remote.ts), which of the reader's columns that
// partition has and with which types, and so how the backfill will match renames.
//
// Requests, through the backfill's own code (partitions.ts, remote.ts): the tree listing (a page per 1,000 entries),
// the footer's Range request (through the resolve route's redirect), one more when the footer is longer than the
// first request's 64 KiB, and the file's first 4 bytes. No column chunk is fetched.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HubApiError } from '@huggingface/hub';
import { InputError } from '../errors.js';
import { capString } from '../model.js';
import type { DumpProbe, DumpProbeContext } from '../probe/index.js';
import { rootCause } from '../probe/support.js';
import { HUB_WEEKLY_SNAPSHOTS, listPartitions, type Partition } from './partitions.js';
import {
  columnTypeProblem,
  DUMP_COLUMNS,
  openReader,
  partitionSchema,
  type DumpColumn,
  type PartitionSchema,
} from './reader.js';
import { columnRanges, DumpFileStatusError, fetchParquetColumns } from './remote.js';

/** Columns the dumps gained on a known date; before it their absence is the file's era, not drift. */
const APPEARS_FROM: Partial<Record<DumpColumn, string>> = {
  // research/anchors.md §12: "downloadsAllTime (from 2025-02-27; absent before)", Model Pulse's README.
  downloadsAllTime: '2025-02-27',
};

/** A request the dump does not answer within this is reported unreachable rather than waited on. */
const REQUEST_TIMEOUT_MS = 60_000;

export const dumpProbe: DumpProbe = {
  checks: [
    { id: 'partitions', title: 'the dump lists partitions models/<date>/models.{parquet,csv}' },
    { id: 'range', title: "the newest Parquet partition's footer is served by Range (HTTP 206), not the whole file" },
    { id: 'columns', title: 'it has the columns the backfill reads, with types the reader takes, as its date implies' },
    { id: 'object-id', title: "it carries each model's _id, by which renames are matched (else createdAt and count)" },
  ],
  run,
};

const AFTER_PARTITIONS = ['range', 'columns', 'object-id'];

const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;

/** A request that got no answer at all (network, timeout), as fetch reports it: the dump is unreachable. */
function noAnswer(err: unknown): boolean {
  return (
    (err instanceof TypeError && err.cause !== undefined) ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError'))
  );
}

async function run(ctx: DumpProbeContext): Promise<void> {
  const parts = await checkPartitions(ctx);
  if (parts === null) {
    for (const id of AFTER_PARTITIONS) ctx.notChecked(id, 'no partition was listed', 'partitions');
    return;
  }
  const newest = parts.filter((p) => p.format === 'parquet').at(-1);
  if (!newest) {
    const why = `no Parquet partition among the ${parts.length} listed (CSV partitions are downloaded whole and read as text)`;
    for (const id of AFTER_PARTITIONS) ctx.notChecked(id, why, 'partitions');
    return;
  }
  const tmp = await mkdtemp(join(tmpdir(), 'hubwatch-probe-dump-'));
  const reader = await openReader();
  try {
    const schema = await checkRange(ctx, newest, join(tmp, 'footer.parquet'), reader.conn);
    if (schema === null) {
      for (const id of ['columns', 'object-id'])
        ctx.notChecked(id, `the footer of ${newest.path} could not be read`, 'range');
      return;
    }
    checkColumns(ctx, newest, schema);
    checkObjectId(ctx, newest, schema);
  } finally {
    reader.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

function dumpName(ctx: DumpProbeContext): string {
  const loc = ctx.location;
  return loc.kind === 'dir' ? loc.dir : `${loc.hubUrl}/datasets/${loc.repo}`;
}

/** partitions: what listPartitions finds, as the backfill lists them (Parquet preferred where a date has both). */
async function checkPartitions(ctx: DumpProbeContext): Promise<Partition[] | null> {
  const id = 'partitions';
  const name = dumpName(ctx);
  let parts: Partition[];
  try {
    parts = await listPartitions(ctx.location, {
      token: ctx.token,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
    });
  } catch (err) {
    if (err instanceof InputError) {
      ctx.drift(
        id,
        err.message,
        'point --dump at a folder holding models/<YYYY-MM-DD>/models.parquet, or a Hub dataset',
      );
      return null;
    }
    if (err instanceof HubApiError && err.statusCode < 500) {
      const said = capString(err.message.replace(/\s+/g, ' '), 161);
      const status = err.statusCode;
      ctx.drift(
        id,
        `HTTP ${status} listing models/ of ${name}: ${said}`,
        status === 401 || status === 403
          ? `the Hub does not show this dataset to this caller: check --dump (the weekly mirror is ${HUB_WEEKLY_SNAPSHOTS}), or set HF_TOKEN for a private or gated one`
          : status === 404
            ? `no models/ folder at this revision: check --dump (the weekly mirror is ${HUB_WEEKLY_SNAPSHOTS}, revision main)`
            : 'the listing was refused: read the message (HTTP 429: the Hub rate-limits this caller; set HF_TOKEN or wait) and probe again',
      );
      return null;
    }
    if (!noAnswer(err) && !(err instanceof HubApiError)) throw err;
    return ctx.unreachable(`no usable answer listing the partitions of ${name}: ${rootCause(err)}`);
  }
  if (parts.length === 0) {
    ctx.drift(
      id,
      `no models/<YYYY-MM-DD>/models.{parquet,csv} under ${name}`,
      `the backfill would find nothing to load: check --dump (the weekly mirror is ${HUB_WEEKLY_SNAPSHOTS}); if the dump moved its files, partitions.ts must learn the new layout`,
    );
    return null;
  }
  const parquet = parts.filter((p) => p.format === 'parquet').length;
  const last = parts.at(-1)!;
  ctx.ok(
    id,
    `${parts.length} partitions, ${parts[0]!.date} to ${last.date}: ${parquet} parquet, ${parts.length - parquet} csv; the newest, ${last.path}, is ${last.size === null ? 'of unlisted size' : bytes(last.size)}`,
  );
  return parts;
}

interface FooterFacts {
  rows: number;
  rowGroups: number;
  /** The Thrift footer's length, without the 8 bytes of length and magic after it. */
  footer: number;
  size: number;
}

async function footerFacts(conn: DuckDBConnection, path: string): Promise<FooterFacts> {
  const reader = await conn.runAndReadAll(
    `SELECT num_rows, num_row_groups, footer_size, file_size_bytes FROM parquet_file_metadata('${path.replaceAll("'", "''")}')`,
  );
  const r = reader.getRowObjectsJS()[0]!;
  return {
    rows: Number(r.num_rows),
    rowGroups: Number(r.num_row_groups),
    footer: Number(r.footer_size),
    size: Number(r.file_size_bytes),
  };
}

/**
 * range: the newest Parquet partition's footer, fetched as the backfill fetches it (a sparse local copy holding the
 * tail, the footer and the leading magic), or read in place from a folder. Gives the file's schema to the next checks.
 */
async function checkRange(
  ctx: DumpProbeContext,
  part: Partition,
  sparse: string,
  conn: DuckDBConnection,
): Promise<PartitionSchema | null> {
  const id = 'range';
  let local = part.source;
  let read: number | null = null;
  if (ctx.location.kind === 'hub') {
    try {
      const got = await fetchParquetColumns(part.source, sparse, conn, async () => new Set(), {
        token: ctx.token,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      local = sparse;
      read = got.bytesRead;
    } catch (err) {
      if (err instanceof DumpFileStatusError && err.status === 200) {
        ctx.drift(
          id,
          `HTTP 200 with the whole file${err.contentLength === null ? '' : ` (${bytes(err.contentLength)})`} to a Range request for the footer of ${part.path}; the probe read none of it`,
          `\`hubwatch backfill --dump ${dumpName(ctx)}\` stops at the first Parquet partition (it needs 206 to read only the footer and the needed columns). Download the partitions (models/<date>/models.parquet) and pass their folder to --dump, which reads them in place`,
        );
        return null;
      }
      if (err instanceof DumpFileStatusError) {
        ctx.drift(
          id,
          `HTTP ${err.status} to a Range request for the footer of ${part.path}, which the listing names`,
          'the backfill cannot read this partition: check HF_TOKEN (a gated or private dump) and probe again; if it stays, the listing names files the host does not serve',
        );
        return null;
      }
      if (noAnswer(err))
        return ctx.unreachable(`no answer to the Range request for the footer of ${part.path}: ${rootCause(err)}`);
      // Not a Parquet file's end, a 206 without the file's size, a footer DuckDB cannot read.
      ctx.drift(
        id,
        `the footer of ${part.path} could not be read: ${capString(rootCause(err), 300)}`,
        'the backfill stops at this partition the same way: check that the file is a whole Parquet file (a partial upload?) and probe again',
      );
      return null;
    }
  }
  let facts: FooterFacts;
  let schema: PartitionSchema;
  let chunks: number;
  let columns: number;
  try {
    facts = await footerFacts(conn, local);
    schema = await partitionSchema(conn, local, 'parquet');
    const needed = new Set(DUMP_COLUMNS.filter((c) => schema.present.has(c)));
    columns = needed.size;
    chunks = (await columnRanges(conn, local, needed)).reduce((sum, [from, to]) => sum + (to - from), 0);
  } catch (err) {
    ctx.drift(
      id,
      `DuckDB cannot read the footer of ${part.path}: ${capString(rootCause(err), 200)}`,
      'the backfill cannot read this partition either: check that the file is a whole Parquet file (a partial upload?) and probe again',
    );
    return null;
  }
  const file = `${part.path} (${bytes(facts.size)}, ${facts.rows.toLocaleString('en-US')} rows in ${facts.rowGroups} row group${facts.rowGroups === 1 ? '' : 's'}, a footer of ${bytes(facts.footer + 8)})`;
  const share = facts.size > 0 ? Math.round((chunks / facts.size) * 1000) / 10 : 0;
  const need = `the chunks of its ${columns} needed columns are ${bytes(chunks)}, ${share}% of the file`;
  if (read === null) ctx.ok(id, `a local folder, read in place (no Range needed): ${file}; ${need}`);
  else ctx.ok(id, `HTTP 206: ${bytes(read)} read for ${file}; ${need}, what a backfill fetches besides the footer`);
  return schema;
}

/** columns: DUMP_COLUMNS in the newest Parquet partition, each judged by the file's date and the reader's types. */
function checkColumns(ctx: DumpProbeContext, part: Partition, schema: PartitionSchema): void {
  const id = 'columns';
  const present: string[] = [];
  const asExpected: string[] = [];
  const missing: DumpColumn[] = [];
  const badTypes: string[] = [];
  for (const c of DUMP_COLUMNS) {
    const type = schema.present.get(c);
    if (type !== undefined) {
      present.push(`${c} ${capString(type, 80)}`);
      const problem = columnTypeProblem(c, type);
      if (problem) badTypes.push(`${c} is ${capString(type, 80)}, ${problem}`);
    } else if (!schema.missing.includes(c)) asExpected.push(`${c} (optional, see object-id)`);
    else if (APPEARS_FROM[c] !== undefined && part.date < APPEARS_FROM[c])
      asExpected.push(`${c} (as expected before ${APPEARS_FROM[c]}: null on such dates)`);
    else missing.push(c);
  }
  const absent = [...missing.map((c) => `${c} (expected on ${part.date})`), ...asExpected];
  const seen = `${part.date}: ${present.length} of ${DUMP_COLUMNS.length} present: ${present.join(', ')}${absent.length ? `; missing: ${absent.join(', ')}` : ''}`;
  if (missing.length === 0 && badTypes.length === 0) {
    ctx.ok(id, seen);
    return;
  }
  const actions: string[] = [];
  if (missing.includes('id')) actions.push('without id no row can be keyed: every row of such a file is quarantined');
  if (missing.some((c) => c !== 'id'))
    actions.push(
      `${missing.filter((c) => c !== 'id').join(', ')} ${missing.length > 1 ? 'are' : 'is'} null on every date whose file lacks ${missing.length > 1 ? 'them' : 'it'} (said in the date's coverage and method.sources); if the dump renamed a column, map the new name in src/backfill/reader.ts`,
    );
  if (badTypes.length)
    actions.push('adapt columnExpr (src/backfill/reader.ts) to the new types before backfilling such dates');
  ctx.drift(id, `${seen}${badTypes.length ? `; ${badTypes.join('; ')}` : ''}`, actions.join('; '));
}

/** object-id: present or not, the backfill handles it; what changes is how renames are matched (docs/method.md). */
function checkObjectId(ctx: DumpProbeContext, part: Partition, schema: PartitionSchema): void {
  const id = 'object-id';
  const type = schema.present.get('_id');
  if (type !== undefined) {
    ctx.ok(
      id,
      `_id (${capString(type, 40)}) in ${part.path}: renames are matched by _id, the store moving a renamed model's history as it commits, as live sweeps do`,
    );
    return;
  }
  ctx.ok(
    id,
    `no _id in ${part.path}: renames are matched after each partition by createdAt and an all-time count that did not go down (a model gone within 35 days, unique matches only); each partition is judged on its own`,
  );
}
