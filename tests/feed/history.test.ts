// The history as data over real HTTP: the country-share series and the per-model history as JSON, CSV and Parquet
// (read back with DuckDB and compared with the JSON), content negotiation, ETags, limits, the sources' terms, hostile
// strings in CSV, and the static export's files.
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStatic, publicDir } from '../../src/feed/export.js';
import { MODEL_COLUMNS, SHARE_COLUMNS, type HistoryColumn, type HistoryRecord } from '../../src/feed/history.js';
import { dayFile, historyDir } from '../../src/feed/history-export.js';
import { csvLines } from '../../src/feed/history-formats.js';
import { MAX_SHARE_LISTS } from '../../src/feed/history-routes.js';
import { buildServer } from '../../src/feed/server.js';
import { silentLogger } from '../../src/log.js';
import { NormalisedRecord } from '../../src/model.js';
import { snapshotPath, writeSnapshot } from '../../src/snapshot/files.js';
import type { ShareList, Snapshot } from '../../src/snapshot/types.js';
import { addDays } from '../../src/time.js';
import { makeRecord, makeRecords, makeSnapshot, storeRenamed, testConfig } from './fixtures.js';
import { tempStore, type TempStore } from '../support/temp.js';
import { inMemoryDuckDb } from '../support/duckdb.js';
import { OasChecker } from './oas.js';

const DAYS = ['2025-05-30', '2025-05-31', '2025-06-01'] as const;
/** Enough snapshot dates that the unfiltered series (96 lists a date) passes the one-answer limit. */
const SNAPSHOT_DAYS = Math.ceil(MAX_SHARE_LISTS / 96) + 1;

let t: TempStore;
let app: FastifyInstance;
let base: string;
let oas: OasChecker;
let scratch: string;
const duck = inMemoryDuckDb();
const snapshots = new Map<string, Snapshot>();

const HOSTILE_NAME = `=HYPERLINK("http://evil"),"x"${'A'.repeat(2000)}`;

function withStats(r: NormalisedRecord, day: number): NormalisedRecord {
  return NormalisedRecord.parse({
    ...r,
    stats: {
      downloads30d: r.platform === 'huggingface' ? 100 * day + r.name.length : null,
      downloadsAllTime: 1000 * day + r.name.length,
      likes: day === 1 ? null : day,
    },
  });
}

function isoDay(offset: number): string {
  return addDays('2025-05-01', offset);
}

beforeAll(async () => {
  t = await tempStore();
  scratch = await mkdtemp(join(tmpdir(), 'hubwatch-history-test-'));
  const records = [
    ...makeRecords(9),
    makeRecord(20, { platform: 'huggingface', namespace: 'evil', name: HOSTILE_NAME }),
  ];
  // Three stats days; the last one's Hugging Face figures come from a dump (provenance kept per row).
  for (const [d, date] of DAYS.entries()) {
    for (const platform of ['huggingface', 'modelscope', 'wisemodel'] as const) {
      const models = records.filter((r) => r.platform === platform).map((r) => withStats(r, d + 1));
      const provenance = d === 2 && platform === 'huggingface' ? 'dump' : 'live';
      await t.store.commitPage({ date, platform, models, quarantine: [], provenance });
    }
  }
  // Snapshots for many dates (the series' limit), the last three being the stats days; one incomplete ModelScope
  // sweep, and one date whose Hugging Face figures the snapshot says came from a dump.
  const dates = [...Array.from({ length: SNAPSHOT_DAYS - 3 }, (_, i) => isoDay(i)), ...DAYS];
  let prev: string | null = null;
  for (const [i, date] of dates.entries()) {
    const snap = makeSnapshot(date, prev, i + 1);
    if (date === DAYS[1]) snap.coverage.modelscope!.complete = false;
    if (date === DAYS[2]) {
      // As the backfill states it (method.sources, src/snapshot/sources.ts); ModelScope stays live: combined is mixed.
      (snap.method as unknown as Record<string, unknown>).sources = {
        huggingface: { provenance: 'dump', rows: { live: 0, dump: 4 }, missing: [], flags: [] },
        modelscope: { provenance: 'live', rows: { live: 3, dump: 0 }, missing: [], flags: [] },
      };
    }
    await writeSnapshot(t.dir, snap);
    snapshots.set(date, snap);
    prev = date;
  }
  app = await buildServer({ store: t.store, config: testConfig(t.dir), logger: silentLogger, responseChecks: 'throw' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no TCP address');
  base = `http://127.0.0.1:${addr.port}`;
  oas = new OasChecker(JSON.parse(await (await fetch(`${base}/openapi.json`)).text()));
});

afterAll(async () => {
  await app?.close();
  await t?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Got {
  status: number;
  headers: Headers;
  bytes: Buffer;
  text: string;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
  const bytes = Buffer.from(await res.arrayBuffer());
  const got = { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  const problems = oas.check(path, {
    statusCode: got.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: got.status === 304 ? '' : got.text,
  });
  expect(problems, path).toEqual([]);
  return got;
}

let fileSeq = 0;
/** A Parquet file read back with DuckDB, values typed as the JSON answer types them. */
async function readParquet(source: Buffer | string, columns: readonly HistoryColumn[]): Promise<HistoryRecord[]> {
  let path = source as string;
  if (Buffer.isBuffer(source)) {
    path = join(scratch, `answer-${++fileSeq}.parquet`);
    await writeFile(path, source);
  }
  const result = await duck.conn.runAndReadAll(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
  expect(result.columnNames()).toEqual(columns.map((c) => c.name));
  return result.getRowObjectsJson().map((row) => {
    const out: HistoryRecord = {};
    for (const c of columns) {
      const v = row[c.name];
      out[c.name] =
        v === null || v === undefined ? null : c.type === 'BIGINT' ? Number(v) : (v as string | number | boolean);
    }
    return out;
  });
}

async function parquetMetadata(path: string): Promise<Record<string, string>> {
  const r = await duck.conn.runAndReadAll(
    `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path.replaceAll("'", "''")}')`,
  );
  return Object.fromEntries(r.getRowObjectsJson().map((x) => [String(x.k), String(x.v)]));
}

/** A minimal RFC 4180 reader for the test's own checks (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

/** The series rows of a snapshot, flattened here by hand from the fixture (not by the code under test). */
function expectedShareRows(date: string, metric: 'downloads30d'): HistoryRecord[] {
  const snap = snapshots.get(date)!;
  const rows: HistoryRecord[] = [];
  for (const scope of ['all', 'llm'] as const) {
    for (const view of ['publisher', 'origin'] as const) {
      const vs = snap.metrics[metric].scopes[scope][view];
      const hf = snap.coverage.huggingface!;
      const ms = snap.coverage.modelscope!;
      const stated = date === DAYS[2];
      const lists: Array<[string, ShareList | null | undefined, boolean | null, string | null]> = [
        ['huggingface', vs.platforms.huggingface, hf.complete, stated ? 'dump' : null],
        ['modelscope', vs.platforms.modelscope, ms.complete, stated ? 'live' : null],
        // Combined adds Hugging Face and ModelScope in the fixture.
        ['combined', vs.combined, hf.complete && ms.complete, stated ? 'mixed' : null],
      ];
      for (const [platform, list, complete, provenance] of lists) {
        const key = { date, metric, scope, view, platform };
        for (const { country, value, share } of list?.shares ?? [])
          rows.push({ ...key, country, value, share, complete, provenance });
      }
    }
  }
  const order = (r: HistoryRecord): string =>
    `${r.scope}|${r.view === 'publisher' ? 0 : 1}|${['huggingface', 'modelscope', 'wisemodel', 'combined'].indexOf(r.platform as string)}`;
  // Stable sort: entries of one list keep their order.
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

describe('the country-share series', () => {
  it('JSON, CSV and Parquet carry the same rows, flattened from the snapshots', async () => {
    const q = `/api/v1/history/shares?metric=downloads30d&from=${DAYS[0]}`;
    const json = JSON.parse((await get(q)).text) as { rows: HistoryRecord[]; dates: number; columns: HistoryColumn[] };
    expect(json.dates).toBe(3);
    expect(json.columns.map((c) => c.name)).toEqual(SHARE_COLUMNS.map((c) => c.name));
    expect(json.rows).toEqual(DAYS.flatMap((d) => expectedShareRows(d, 'downloads30d')));
    // The incomplete ModelScope sweep makes its lists and the combined ones incomplete that day, and only those.
    const day2 = json.rows.filter((r) => r.date === DAYS[1]);
    expect(new Set(day2.filter((r) => r.platform !== 'huggingface').map((r) => r.complete))).toEqual(new Set([false]));
    expect(new Set(day2.filter((r) => r.platform === 'huggingface').map((r) => r.complete))).toEqual(new Set([true]));
    expect(
      new Set(json.rows.filter((r) => r.date === DAYS[2] && r.platform === 'huggingface').map((r) => r.provenance)),
    ).toEqual(new Set(['dump']));
    expect(new Set(json.rows.filter((r) => r.date !== DAYS[2]).map((r) => r.provenance))).toEqual(new Set([null]));

    const parquet = await get(`${q}&format=parquet`);
    expect(parquet.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(parquet.bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(await readParquet(parquet.bytes, SHARE_COLUMNS)).toEqual(json.rows);

    const csv = parseCsv((await get(`${q}&format=csv`)).text);
    expect(csv[0]).toEqual(SHARE_COLUMNS.map((c) => c.name));
    expect(csv.length - 1).toBe(json.rows.length);
    const cellOf = (v: unknown): string => (v === null ? '' : String(v));
    expect(csv.slice(1)).toEqual(json.rows.map((r) => SHARE_COLUMNS.map((c) => cellOf(r[c.name]))));
  });

  it('Accept chooses the form when format= is absent; format= wins over Accept; both vary correctly', async () => {
    const q = `/api/v1/history/shares?metric=likes&scope=llm&view=origin&platform=combined&from=${DAYS[0]}`;
    const viaAccept = await get(q, { accept: 'application/vnd.apache.parquet' });
    expect(viaAccept.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(viaAccept.headers.get('vary')!.split(/,\s*/)).toContain('Accept');
    expect((await get(q, { accept: 'text/csv' })).headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await get(q, { accept: 'image/png' })).headers.get('content-type')).toMatch(/^application\/json/);
    expect(
      (await get(q, { accept: 'text/csv;q=0.5, application/vnd.apache.parquet;q=0.9' })).headers.get('content-type'),
    ).toBe('application/vnd.apache.parquet');
    const forced = await get(`${q}&format=json`, { accept: 'text/csv' });
    expect(forced.headers.get('content-type')).toMatch(/^application\/json/);
    expect(forced.headers.get('vary')!.split(/,\s*/)).not.toContain('Accept');
    const bad = await get(`${q}&format=xlsx`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).parameter).toBe('format');
  });

  it('every form has an ETag that answers 304, a licence Link, and the terms', async () => {
    const q = `/api/v1/history/shares?metric=newReleases&from=${DAYS[1]}`;
    for (const format of ['json', 'csv', 'parquet']) {
      const first = await get(`${q}&format=${format}`);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers.get('link')).toBe(`<${base}/api/v1/history/terms>; rel="license"; type="application/json"`);
      if (format !== 'json')
        expect(first.headers.get('content-disposition')).toBe(`attachment; filename="hubwatch-shares.${format}"`);
      const again = await get(`${q}&format=${format}`, { 'if-none-match': etag! });
      expect(again.status).toBe(304);
      expect(again.headers.get('link')).toContain('rel="license"');
    }
    const terms = JSON.parse((await get('/api/v1/history/terms')).text);
    const dump = terms.sources.find((s: { id: string }) => s.id === 'hub-weekly-snapshots');
    expect(dump).toMatchObject({ license: 'ODbL-1.0', provenance: 'dump', platform: 'huggingface' });
    expect(terms.sources.find((s: { id: string }) => s.id === 'hub-stats').license).toBe('Apache-2.0');
    expect(
      terms.sources
        .filter((s: { platform: string }) => s.platform !== 'huggingface')
        .map((s: { license: unknown }) => s.license),
    ).toEqual([null, null]);
    const json = JSON.parse((await get(`${q}&format=json`)).text);
    expect(json.terms).toEqual(terms);
    const parquetPath = join(scratch, 'terms.parquet');
    await writeFile(parquetPath, (await get(`${q}&format=parquet`)).bytes);
    const meta = await parquetMetadata(parquetPath);
    expect(JSON.parse(meta['hubwatch.terms']!)).toEqual(terms);
    expect(meta['hubwatch.attribution']).toBe(terms.attribution);
  });

  it('one answer is bounded: the whole unfiltered series is a 400 that points at the file', async () => {
    const all = await get('/api/v1/history/shares');
    expect(all.status).toBe(400);
    const err = JSON.parse(all.text);
    expect(err.parameter).toBe('from');
    expect(err.message).toContain(`${SNAPSHOT_DAYS * 96} share lists`);
    expect(err.message).toContain('history/shares.parquet');
    // One metric over every date is within the limit.
    const one = JSON.parse((await get('/api/v1/history/shares?metric=derivatives')).text);
    expect(one.dates).toBe(SNAPSHOT_DAYS);
    const reversed = await get(`/api/v1/history/shares?from=${DAYS[2]}&to=${DAYS[0]}`);
    expect(JSON.parse(reversed.text).parameter).toBe('from');
  });
});

describe('the per-model history', () => {
  const key = makeRecord(3).key;
  const [platform, id] = [key.split(':')[0]!, key.slice(key.indexOf(':') + 1)];

  it('one model: every stored day with its provenance, the same in JSON, CSV and Parquet', async () => {
    const path = `/api/v1/history/models/${platform}/${id}`;
    const json = JSON.parse((await get(path)).text) as { keys: string[]; rows: HistoryRecord[] };
    expect(json.keys).toEqual([key]);
    const name = makeRecord(3).name;
    expect(json.rows).toEqual(
      DAYS.map((date, d) => ({
        date,
        key,
        platform,
        downloadsAllTime: 1000 * (d + 1) + name.length,
        downloads30d: platform === 'huggingface' ? 100 * (d + 1) + name.length : null,
        likes: d === 0 ? null : d + 1,
        provenance: d === 2 && platform === 'huggingface' ? 'dump' : 'live',
      })),
    );
    expect(await readParquet((await get(`${path}?format=parquet`)).bytes, MODEL_COLUMNS)).toEqual(json.rows);
    const csv = parseCsv((await get(`${path}?format=csv`)).text);
    expect(csv[0]).toEqual(MODEL_COLUMNS.map((c) => c.name));
    expect(csv.slice(1)).toEqual(
      json.rows.map((r) => MODEL_COLUMNS.map((c) => (r[c.name] === null ? '' : String(r[c.name])))),
    );
  });

  it('a Hugging Face model backfilled on a day says dump for that day', async () => {
    const hf = makeRecord(0);
    const json = JSON.parse((await get(`/api/v1/history/models/huggingface/${hf.id}`)).text) as {
      rows: HistoryRecord[];
    };
    expect(json.rows.map((r) => r.provenance)).toEqual(['live', 'live', 'dump']);
  });

  it('an unknown model is a 404 that says where to look; a bad platform a 400', async () => {
    const missing = await get('/api/v1/history/models/huggingface/nobody/nothing');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).message).toContain('/api/v1/models');
    const bad = await get('/api/v1/history/models/github/a/b');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).parameter).toBe('platform');
  });

  it('a filtered set pages through its models with nextUrl and Link rel=next, in every form', async () => {
    const seen: string[] = [];
    let next: string | null = '/api/v1/history/models?platform=huggingface&limit=2';
    let pages = 0;
    while (next !== null) {
      const res = await get(next);
      const json = JSON.parse(res.text) as { keys: string[]; rows: HistoryRecord[]; nextUrl: string | null };
      expect(json.keys.length).toBeLessThanOrEqual(2);
      expect(new Set(json.rows.map((r) => r.key))).toEqual(new Set(json.keys));
      expect(json.rows.length).toBe(json.keys.length * DAYS.length);
      if (json.nextUrl !== null) expect(res.headers.get('link')).toContain(`<${json.nextUrl}>; rel="next"`);
      seen.push(...json.keys);
      next = json.nextUrl === null ? null : new URL(json.nextUrl).pathname + new URL(json.nextUrl).search;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(
      [...makeRecords(9), makeRecord(20, { platform: 'huggingface', namespace: 'evil', name: HOSTILE_NAME })]
        .filter((r) => r.platform === 'huggingface')
        .map((r) => r.key)
        .sort(),
    );
    // In CSV the next page travels in Link, with format=csv kept.
    const csvPage = await get('/api/v1/history/models?platform=huggingface&limit=2&format=csv');
    expect(csvPage.headers.get('link')).toMatch(/<[^>]*format=csv[^>]*>; rel="next"/);
    const over = await get(`/api/v1/history/models?limit=101`);
    expect(JSON.parse(over.text).parameter).toBe('limit');
  });

  it('hostile ids are quoted and capped in CSV, and kept verbatim in Parquet and JSON', async () => {
    // The hostile id is longer than a path segment may be (300), so it is read through the filtered set.
    const q = '/api/v1/history/models?platform=huggingface&limit=100';
    const hostileKey = `huggingface:evil/${HOSTILE_NAME}`;
    const json = JSON.parse((await get(q)).text) as { rows: HistoryRecord[] };
    const hostile = json.rows.filter((r) => r.key === hostileKey);
    expect(hostile).toHaveLength(DAYS.length);
    const parquet = await readParquet((await get(`${q}&format=parquet`)).bytes, MODEL_COLUMNS);
    expect(parquet).toEqual(json.rows);
    const csvText = (await get(`${q}&format=csv`)).text;
    const rows = parseCsv(csvText);
    const cells = rows.find((r) => r[1]!.startsWith('huggingface:evil/'))!;
    // Quoted (it holds quotes and commas), capped at 1,000 characters with an ellipsis.
    expect(cells[1]!.length).toBe(1000);
    expect(cells[1]!.endsWith('…')).toBe(true);
    expect(csvText).toContain(',"huggingface:evil/=HYPERLINK(""http://evil""),""x""');
    expect(rows.every((r) => r.length === MODEL_COLUMNS.length)).toBe(true);
  });

  it('CSV cells that start like a formula get a leading quote; numbers, booleans and nulls are plain', () => {
    const cols: HistoryColumn[] = [
      { name: 'text', type: 'VARCHAR', nullable: true, description: '' },
      { name: 'n', type: 'DOUBLE', nullable: true, description: '' },
      { name: 'b', type: 'BOOLEAN', nullable: true, description: '' },
    ];
    const rows: HistoryRecord[] = [
      { text: '=1+1', n: -5, b: true },
      { text: '@SUM(A1)', n: null, b: false },
      { text: '+cmd|" /C calc"!A0', n: 0.25, b: null },
      { text: '-2', n: 1e21, b: null },
    ];
    expect(csvLines(cols, rows)).toBe(
      `'=1+1,-5,true\r\n'@SUM(A1),,false\r\n"'+cmd|"" /C calc""!A0",0.25,\r\n'-2,1e+21,\r\n`,
    );
  });

  it('a renamed model answers 301 with its new URL (format kept), where its whole history is', async () => {
    // Days of their own, before the fixture's, so the other cases' days are unchanged.
    await storeRenamed(t.store, ['2025-04-01', '2025-04-02'], { platform: 'huggingface' });
    app.feed.invalidate();
    const old = await get('/api/v1/history/models/huggingface/moved/old-name?format=csv');
    expect(old.status).toBe(301);
    expect(old.headers.get('location')).toBe('/api/v1/history/models/huggingface/moved/new-name?format=csv');
    const now = parseCsv((await get(old.headers.get('location')!)).text);
    expect(now.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['2025-04-01', 'huggingface:moved/new-name'],
      ['2025-04-02', 'huggingface:moved/new-name'],
    ]);
  });
});

describe('the static export', () => {
  it('writes the series and every day of every model as CSV, JSON Lines and Parquet, with the terms beside them', async () => {
    const files = await exportStatic({ store: t.store, config: testConfig(t.dir), dataDir: t.dir, pages: 1 });
    const pub = publicDir(t.dir);
    const dir = historyDir(pub);
    for (const f of ['LICENSE.md', 'README.md', 'terms.json', 'shares.csv', 'shares.jsonl', 'shares.parquet']) {
      expect(files).toContain(join(dir, f));
    }
    const licence = await readFile(join(dir, 'LICENSE.md'), 'utf8');
    expect(licence).toContain('ODbL-1.0');
    expect(licence).toContain('Apache-2.0');
    expect(licence).toContain('not stated');
    expect(JSON.parse(await readFile(join(dir, 'terms.json'), 'utf8'))).toEqual(
      JSON.parse((await get('/api/v1/history/terms')).text),
    );

    // The whole series: the API's answer for the same dates, one metric at a time, in the file's order.
    const jsonl = (await readFile(join(dir, 'shares.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryRecord);
    const parquet = await readParquet(join(dir, 'shares.parquet'), SHARE_COLUMNS);
    expect(parquet).toEqual(jsonl);
    const last = jsonl.filter((r) => r.date === DAYS[2]);
    const api = JSON.parse((await get(`/api/v1/history/shares?from=${DAYS[2]}`)).text) as { rows: HistoryRecord[] };
    expect(last).toEqual(api.rows);
    expect(new Set(jsonl.map((r) => r.date)).size).toBe(SNAPSHOT_DAYS);
    const csvRows = parseCsv(await readFile(join(dir, 'shares.csv'), 'utf8'));
    expect(csvRows.length - 1).toBe(jsonl.length);
    expect(JSON.parse((await parquetMetadata(join(dir, 'shares.parquet')))['hubwatch.terms']!).sources).toHaveLength(5);

    // One file per stats day; a day's rows equal the API's rows of its models on that day.
    for (const date of DAYS) {
      const day = await readParquet(dayFile(pub, date, 'parquet'), MODEL_COLUMNS);
      expect(day.length).toBe(10);
      const dayJsonl = (await readFile(dayFile(pub, date, 'jsonl'), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(day).toEqual(dayJsonl);
      const one = day.find((r) => r.key === makeRecord(3).key)!;
      const history = JSON.parse(
        (await get(`/api/v1/history/models/${one.platform}/${String(one.key).slice(String(one.platform).length + 1)}`))
          .text,
      );
      expect(history.rows.find((r: HistoryRecord) => r.date === date)).toEqual(one);
    }
    const dayCsv = parseCsv(await readFile(dayFile(pub, DAYS[0], 'csv'), 'utf8'));
    expect(dayCsv[0]).toEqual(MODEL_COLUMNS.map((c) => c.name));
  });

  it('rewrites a day only when its snapshot is newer than its files', async () => {
    const pub = publicDir(t.dir);
    const before = await Promise.all(DAYS.map(async (d) => (await stat(dayFile(pub, d, 'parquet'))).mtimeMs));
    // A rebuilt snapshot of the middle day (its mtime moved past the files').
    const later = new Date(Date.now() + 60_000);
    await utimes(snapshotPath(t.dir, DAYS[1]), later, later);
    // A day after the latest snapshot is still being swept: no file for it yet.
    const today = '2025-06-02';
    await t.store.commitPage({
      date: today,
      platform: 'wisemodel',
      models: [withStats(makeRecord(2), 4)],
      quarantine: [],
    });
    const files = await exportStatic({ store: t.store, config: testConfig(t.dir), dataDir: t.dir, pages: 1 });
    await expect(stat(dayFile(pub, today, 'parquet'))).rejects.toThrow(/ENOENT/);
    expect(files).not.toContain(dayFile(pub, DAYS[0], 'parquet'));
    expect(files).toContain(dayFile(pub, DAYS[1], 'parquet'));
    expect(files).not.toContain(dayFile(pub, DAYS[2], 'parquet'));
    const after = await Promise.all(DAYS.map(async (d) => (await stat(dayFile(pub, d, 'parquet'))).mtimeMs));
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    const { readdir } = await import('node:fs/promises');
    const leftovers = (await readdir(historyDir(pub), { recursive: true })).filter((n) => String(n).endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });
});
