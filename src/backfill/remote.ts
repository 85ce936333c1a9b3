// Dump partitions over HTTP(S) without DuckDB's httpfs (not available offline, and maybe not on users' machines).
// A Parquet file ends with its footer (the metadata, then its length in 4 bytes and "PAR1"), so: fetch the tail with
// a Range request, write it into a sparse local file of the file's full size, ask DuckDB's parquet_metadata() where
// the needed columns' chunks lie, fetch only those ranges into the same file, and read it locally. The bytes of
// columns never selected are never fetched (the Hub serves LFS files from a CDN that honours Range: the `resolve`
// route answers 302 to it). CSV partitions are streamed to disk whole.
import { createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { fetch, type Dispatcher } from 'undici';
import { HubwatchError } from '../errors.js';

/** The first request asks for this much of the tail; a larger footer costs one more request. */
const TAIL_BYTES = 64 * 1024;
/**
 * Ranges that touch are fetched as one request; a gap is never fetched. A real partition (about 2M rows, 1.5 GB) has
 * some tens of row groups of about ten needed column chunks each: a few hundred requests, against GBs not fetched.
 */
const MERGE_GAP = 0;

export interface FetchDeps {
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Called with every body byte count as it arrives (progress and the bytes-read total). */
  onBytes?: (n: number) => void;
  /** Sent as Authorization on the Hub (not on the CDN it redirects to: fetch drops it across origins). */
  token?: string | null;
}

/**
 * A dump file answered with another status than the one asked for; `hubwatch probe --dump` tells a server that sent
 * the whole file (200) to a Range request from one that refused it.
 */
export class DumpFileStatusError extends HubwatchError {
  constructor(
    readonly url: string,
    readonly status: number,
    what: string,
    /** The body's announced length (Content-Length), when the answer had one. */
    readonly contentLength: number | null,
  ) {
    super(
      `The dump file ${url} answered HTTP ${status} to ${what}. Check the --dump URL and the partition listing, or retry later.`,
    );
  }
}

function httpError(
  url: string,
  res: { status: number; headers: { get(name: string): string | null } },
  what: string,
): DumpFileStatusError {
  const length = Number(res.headers.get('content-length') ?? NaN);
  return new DumpFileStatusError(url, res.status, what, Number.isSafeInteger(length) ? length : null);
}

interface Ranged {
  /** The URL the bytes came from after redirects (the CDN's), used for the following ranges. */
  url: string;
  size: number;
}

/** Writes a response body into `fh` at `position`, streaming (never the whole body in memory). */
async function writeBody(
  body: ReadableStream<Uint8Array> | null,
  fh: FileHandle,
  position: number,
  deps: FetchDeps,
): Promise<number> {
  if (!body) return 0;
  let at = position;
  for await (const chunk of Readable.fromWeb(body)) {
    const buf = chunk as Buffer;
    await fh.write(buf, 0, buf.length, at);
    at += buf.length;
    deps.onBytes?.(buf.length);
  }
  return at - position;
}

function headers(deps: FetchDeps, range: string | null): Record<string, string> {
  const h: Record<string, string> = {};
  if (range) h.range = range;
  if (deps.token) h.authorization = `Bearer ${deps.token}`;
  return h;
}

/** Fetches the last bytes of the file into a sparse file of the file's size, and says the size and the final URL. */
async function fetchTail(url: string, fh: FileHandle, deps: FetchDeps): Promise<Ranged & { tail: number }> {
  const res = await fetch(url, {
    headers: headers(deps, `bytes=-${TAIL_BYTES}`),
    dispatcher: deps.dispatcher,
    signal: deps.signal,
    redirect: 'follow',
  });
  if (res.status !== 206) {
    await res.body?.cancel();
    throw httpError(url, res, 'a Range request for its footer (206 expected: the server must honour Range)');
  }
  const m = /bytes (\d+)-(\d+)\/(\d+)/.exec(res.headers.get('content-range') ?? '');
  if (!m) {
    await res.body?.cancel();
    throw new HubwatchError(
      `The dump file ${url} answered 206 without a Content-Range naming the file's size. Retry, or download the file and pass its folder to --dump.`,
    );
  }
  const start = Number(m[1]);
  const size = Number(m[3]);
  await fh.truncate(size); // a hole where nothing is fetched: the file takes only the bytes written
  const got = await writeBody(res.body, fh, start, deps);
  return { url: res.url || url, size, tail: got };
}

async function fetchRange(url: string, fh: FileHandle, from: number, to: number, deps: FetchDeps): Promise<void> {
  const res = await fetch(url, {
    headers: headers(deps, `bytes=${from}-${to - 1}`),
    dispatcher: deps.dispatcher,
    signal: deps.signal,
    redirect: 'follow',
  });
  if (res.status !== 206) {
    await res.body?.cancel();
    throw httpError(url, res, `a Range request for bytes ${from}-${to - 1}`);
  }
  await writeBody(res.body, fh, from, deps);
}

/** Byte ranges [start, end) of the column chunks of `columns` (top-level names), merged where close. */
export async function columnRanges(
  conn: DuckDBConnection,
  path: string,
  columns: ReadonlySet<string>,
): Promise<Array<[number, number]>> {
  const reader = await conn.runAndReadAll(
    `SELECT path_in_schema, data_page_offset, dictionary_page_offset, total_compressed_size
     FROM parquet_metadata('${path.replaceAll("'", "''")}')`,
  );
  const ranges: Array<[number, number]> = [];
  for (const r of reader.getRowObjectsJS()) {
    // Nested leaves read "tags, list, element": the top-level column is the first part.
    const top = String(r.path_in_schema).split(', ')[0]!;
    if (!columns.has(top)) continue;
    const data = Number(r.data_page_offset);
    const dict = r.dictionary_page_offset === null ? data : Number(r.dictionary_page_offset);
    const start = Math.min(data, dict);
    ranges.push([start, start + Number(r.total_compressed_size)]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1] + MERGE_GAP) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

export interface SparseResult {
  size: number;
  /** Body bytes fetched for this file (footer, magic and the column chunks). */
  bytesRead: number;
}

/**
 * Makes `localPath` a sparse copy of the remote Parquet file holding its magic, its footer and the chunks of
 * the columns `columnsFor` names: enough for DuckDB to read those columns locally.
 */
export async function fetchParquetColumns(
  url: string,
  localPath: string,
  conn: DuckDBConnection,
  /** Which top-level columns to fetch, decided once the footer is local (the file's schema is in it). */
  columnsFor: () => Promise<ReadonlySet<string>>,
  deps: FetchDeps,
): Promise<SparseResult> {
  let bytesRead = 0;
  const count: FetchDeps = { ...deps, onBytes: (n) => ((bytesRead += n), deps.onBytes?.(n)) };
  const fh = await open(localPath, 'w+');
  try {
    const tail = await fetchTail(url, fh, count);
    // The footer's length sits in the 4 bytes before the closing "PAR1".
    const end = Buffer.alloc(8);
    await fh.read(end, 0, 8, tail.size - 8);
    if (end.toString('latin1', 4) !== 'PAR1') {
      throw new HubwatchError(
        `The dump file ${url} does not end like a Parquet file. Check that the URL names a models.parquet partition.`,
      );
    }
    const footer = end.readUInt32LE(0) + 8;
    let have = tail.size - tail.tail; // bytes from here to the end are local
    if (footer > tail.tail) {
      await fetchRange(tail.url, fh, tail.size - footer, have, count);
      have = tail.size - footer;
    }
    if (have > 0) await fetchRange(tail.url, fh, 0, Math.min(4, have), count); // the leading magic, which readers check
    await fh.sync();
    const columns = await columnsFor();
    for (const [from, to] of await columnRanges(conn, localPath, columns)) {
      const end = Math.min(to, have);
      if (from < end) await fetchRange(tail.url, fh, from, end, count);
    }
    return { size: tail.size, bytesRead };
  } finally {
    await fh.close();
  }
}

/** A CSV partition: streamed to disk whole (CSV has no index to read parts of). */
export async function fetchWhole(url: string, localPath: string, deps: FetchDeps): Promise<SparseResult> {
  const res = await fetch(url, {
    headers: headers(deps, null),
    dispatcher: deps.dispatcher,
    signal: deps.signal,
    redirect: 'follow',
  });
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw httpError(url, res, 'a download');
  }
  let bytesRead = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => {
    bytesRead += c.length;
    deps.onBytes?.(c.length);
  });
  await pipeline(body, createWriteStream(localPath));
  return { size: bytesRead, bytesRead };
}
