// The simulator's Hub dumps: every schema read back with DuckDB, a partition equal to the live simulated Hub's list
// answer of its day, each quality trap where the report says, and the dataset repo over real loopback HTTP
// (@huggingface/hub's own listFiles and fileDownloadInfo, 302 to the CDN, Range with exact bytes).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDownloadInfo, listFiles } from '@huggingface/hub';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTraps, dumpColumns, dumpFilePath, writeDumpFolder, type DumpPlan } from '../../src/sim/dumps.js';
import { parseRange } from '../../src/sim/dumps-http.js';
import { HOSTILE_STRINGS } from '../../src/sim/hostile.js';
import { PROJECT_ROOT } from '../../src/config.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { inMemoryDuckDb } from '../support/duckdb.js';
import { getJson, walk, type HfItem } from './helpers.js';

const REPO = 'hfmlsoc/hub_weekly_snapshots';
const V0 = '2024-06-26';
const V1 = '2024-08-07';
const V2 = '2025-03-05';
const LIVE_FIELDS = [
  'author',
  'createdAt',
  'lastModified',
  'downloads',
  'downloadsAllTime',
  'likes',
  'trendingScore',
  'tags',
  'pipeline_tag',
  'library_name',
  'gated',
  'cardData',
  'safetensors',
  'gguf',
];

type Row = Record<string, unknown>;

const PY_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };

/** Parses a Python list repr of strings (what the v0 CSV holds). */
function pythonList(text: string): string[] {
  return [...text.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/gs)].map((m) =>
    (m[1] ?? m[2])!.replace(/\\(.)/gs, (_, c: string) => PY_ESCAPES[c] ?? c),
  );
}

describe('simulated Hub dumps', () => {
  let sim: Sim;
  let dir: string;
  const duck = inMemoryDuckDb();

  const rows = async (sql: string): Promise<Row[]> => (await duck.conn.runAndReadAll(sql)).getRowObjectsJson();
  /** The live Hub's whole list on a day, with every field the dumps carry. */
  const liveList = async (day: string): Promise<Map<string, HfItem>> => {
    sim.setDay(day);
    const q = LIVE_FIELDS.map((f) => `expand[]=${f}`).join('&');
    const { items } = await walk(`${sim.urls.huggingface}/api/models?sort=createdAt&limit=1000&${q}`);
    return new Map(items.map((x) => [x.id, x]));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubwatch-dumps-'));
    // No all-time dips of the universe's own: the backwards trap is then the only way a count goes down.
    sim = await startSim({
      seed: 11,
      models: 400,
      allTimeAnomalyRate: 0,
      faults: { huggingface: { rateLimit: null } },
      dumps: { dir, pageSize: 2 },
    });
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('schemas', () => {
    let sub: string;
    beforeAll(async () => {
      sub = join(dir, 'schemas');
      await writeDumpFolder(sim.universe, sub, { dates: [V0, V1, V2] });
      await writeDumpFolder(sim.universe, join(dir, 'with-oid'), {
        dates: [V0, V2],
        withObjectId: true,
        safetensorsParameters: 'json',
      });
    });

    it('writes v1 and v2 as Parquet with exactly their columns and types', async () => {
      for (const [date, schema] of [
        [V1, 'v1'],
        [V2, 'v2'],
      ] as const) {
        const described = await rows(`DESCRIBE SELECT * FROM '${dumpFilePath(sub, date, schema)}'`);
        expect(described.map((r) => ({ name: r.column_name, type: r.column_type }))).toEqual(dumpColumns(schema));
      }
      const v1 = dumpColumns('v1').map((c) => c.name);
      expect(v1).not.toContain('downloadsAllTime');
      expect(v1).not.toContain('gated');
      expect(dumpColumns('v1').find((c) => c.name === 'createdAt')!.type).toBe('VARCHAR');
      expect(dumpColumns('v2').find((c) => c.name === 'createdAt')!.type).toBe('TIMESTAMP');
      expect(dumpColumns('v2').find((c) => c.name === 'safetensors')!.type).toBe(
        'STRUCT(total BIGINT, parameters MAP(VARCHAR, BIGINT))',
      );
    });

    it('writes v0 as models.csv: flat text, pandas dates and Python list tags', async () => {
      const path = dumpFilePath(sub, V0, 'v0');
      expect(path.endsWith(join('models', V0, 'models.csv'))).toBe(true);
      const header = (await readFile(path, 'utf8')).split('\n', 1)[0]!;
      expect(header.split(',')).toEqual(dumpColumns('v0').map((c) => c.name));
      const typed = await rows(`DESCRIBE SELECT * FROM read_csv('${path}')`);
      // DuckDB's sniffer reads the pandas dates as zoned timestamps.
      expect(typed.find((r) => r.column_name === 'createdAt')!.column_type).toBe('TIMESTAMP WITH TIME ZONE');
      const text = await rows(`SELECT createdAt, tags FROM read_csv('${path}', all_varchar = true) LIMIT 3`);
      for (const r of text) {
        expect(r.createdAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/);
        expect(r.tags).toMatch(/^\['.*'\]$/);
      }
    });

    it("adds each model's own _id as the first column only when asked, and parameters as JSON text on request", async () => {
      const withOid = join(dir, 'with-oid');
      const cols = await rows(`DESCRIBE SELECT * FROM '${dumpFilePath(withOid, V2, 'v2')}'`);
      expect(cols[0]!.column_name).toBe('_id');
      expect(cols.find((r) => r.column_name === 'safetensors')!.column_type).toBe(
        'STRUCT(total BIGINT, parameters VARCHAR)',
      );
      const plain = await rows(`DESCRIBE SELECT * FROM '${dumpFilePath(sub, V2, 'v2')}'`);
      expect(plain.map((r) => r.column_name)).not.toContain('_id');
      const live = await liveList(V2);
      const oids = await rows(`SELECT _id, id FROM '${dumpFilePath(withOid, V2, 'v2')}'`);
      for (const r of oids) expect(r._id).toBe(live.get(r.id as string)!._id);
      const csv = await rows(`SELECT _id, id FROM read_csv('${dumpFilePath(withOid, V0, 'v0')}', all_varchar = true)`);
      expect(csv.length).toBeGreaterThan(0);
      expect(csv.every((r) => /^[0-9a-f]{24}$/.test(r._id as string))).toBe(true);
    });

    it('holds every model exactly as the live Hub lists it on that day (v2)', async () => {
      const live = await liveList(V2);
      const dump = await rows(`
        SELECT id, author, downloads::DOUBLE AS downloads, downloadsAllTime::DOUBLE AS downloadsAllTime, likes::DOUBLE AS likes,
               trendingScore, pipeline_tag, library_name, strftime(createdAt, '%Y-%m-%dT%H:%M:%S.000Z') AS createdAt,
               strftime(lastModified, '%Y-%m-%dT%H:%M:%S.000Z') AS lastModified, tags, cardData, gated,
               safetensors.total::DOUBLE AS st, gguf.total::DOUBLE AS gg, to_json(baseModels)::VARCHAR AS bm
        FROM '${dumpFilePath(sub, V2, 'v2')}'`);
      expect(dump.length).toBe(live.size);
      expect(live.size).toBeGreaterThan(100);
      for (const r of dump) {
        const x = live.get(r.id as string)!;
        expect(x, `${String(r.id)} is listed live`).toBeDefined();
        expect(r).toMatchObject({
          author: x.author,
          downloads: x.downloads,
          downloadsAllTime: x.downloadsAllTime,
          likes: x.likes,
          trendingScore: x.trendingScore,
          pipeline_tag: x.pipeline_tag ?? null,
          library_name: x.library_name ?? null,
          createdAt: x.createdAt,
          lastModified: x.lastModified,
          tags: x.tags,
          gated: String(x.gated),
          st: (x.safetensors as { total?: number } | undefined)?.total ?? null,
          gg: (x.gguf as { total?: number } | undefined)?.total ?? null,
        });
        expect(r.cardData === null ? undefined : JSON.parse(r.cardData as string)).toEqual(x.cardData);
      }
      // The list route refuses baseModels (research/hf.md §0.2): lineage is compared with the detail route.
      const derived = dump.filter((r) => r.bm !== null).slice(0, 25);
      expect(derived.length).toBeGreaterThan(5);
      for (const r of derived) {
        const detail = await getJson<{ baseModels: unknown }>(
          `${sim.urls.huggingface}/api/models/${r.id as string}?expand[]=baseModels`,
        );
        const bm = JSON.parse(r.bm as string) as {
          models: Array<{ _id: string | null; id: string }>;
          relation: string;
        };
        expect({ relation: bm.relation, models: bm.models.map((m) => (m._id === null ? { id: m.id } : m)) }).toEqual(
          detail.body.baseModels,
        );
      }
    });

    it('holds the same rows in v1 (text dates as the API writes them) and v0 (pandas text)', async () => {
      const live1 = await liveList(V1);
      const v1 = await rows(
        `SELECT id, downloads::DOUBLE AS downloads, likes::DOUBLE AS likes, createdAt, lastModified, tags FROM '${dumpFilePath(sub, V1, 'v1')}'`,
      );
      expect(v1.length).toBe(live1.size);
      for (const r of v1) {
        const x = live1.get(r.id as string)!;
        expect(r).toEqual({
          id: x.id,
          downloads: x.downloads,
          likes: x.likes,
          createdAt: x.createdAt,
          lastModified: x.lastModified,
          tags: x.tags,
        });
      }
      const live0 = await liveList(V0);
      const v0 = await rows(`SELECT * FROM read_csv('${dumpFilePath(sub, V0, 'v0')}', all_varchar = true)`);
      expect(v0.length).toBe(live0.size);
      for (const r of v0) {
        const x = live0.get(r.id as string)!;
        expect(Number(r.downloads)).toBe(x.downloads);
        expect(Number(r.likes)).toBe(x.likes);
        expect(`${(r.createdAt as string).slice(0, 19).replace(' ', 'T')}.000Z`).toBe(x.createdAt);
        expect(pythonList(r.tags as string)).toEqual(x.tags);
        expect(JSON.parse(r.cardData as string)).toEqual(x.cardData);
      }
    });
  });

  it('carries hostile free text (markup, bidi overrides, NUL, 10,000 characters) as the live Hub serves it', async () => {
    const sub = join(dir, 'hostile');
    await writeDumpFolder(sim.universe, sub, { dates: [V0, V2], hostileRate: 0.3 });
    sim.setFaults('huggingface', { rateLimit: null, hostileRate: 0.3 });
    try {
      for (const [date, schema] of [
        [V0, 'v0'],
        [V2, 'v2'],
      ] as const) {
        const live = await liveList(date);
        const dump = await rows(
          schema === 'v0'
            ? `SELECT id, tags, cardData FROM read_csv('${dumpFilePath(sub, date, schema)}', all_varchar = true)`
            : `SELECT id, tags, cardData FROM '${dumpFilePath(sub, date, schema)}'`,
        );
        expect(dump.length).toBe(live.size);
        const seen = new Set<string>();
        for (const r of dump) {
          const x = live.get(r.id as string)!;
          const tags = schema === 'v0' ? pythonList(r.tags as string) : r.tags;
          expect(tags).toEqual(x.tags);
          const card = JSON.parse(r.cardData as string) as Record<string, unknown>;
          expect(card).toEqual(x.cardData);
          for (const v of Object.values(card)) if (HOSTILE_STRINGS.includes(v as string)) seen.add(v as string);
        }
        // Every kind of hostile text went through the file and came back the same.
        expect(seen.size).toBe(HOSTILE_STRINGS.length);
      }
    } finally {
      sim.setFaults('huggingface', { rateLimit: null });
    }
  });

  describe('quality traps', () => {
    const D = ['2025-06-04', '2025-06-11', '2025-06-18', '2025-06-25', '2025-07-02'];
    const plan: DumpPlan = {
      dates: D,
      stall: [D[1]!],
      backwards: [D[2]!],
      partial: [{ date: D[3]!, share: 0.1 }],
      renames: [{ date: D[2]!, count: 2 }],
      withObjectId: true,
    };
    let sub: string;
    let report: Awaited<ReturnType<typeof writeDumpFolder>>['traps'];
    const byOid = async (date: string): Promise<Map<string, Row>> => {
      const r = await rows(
        `SELECT _id, id, downloads::DOUBLE AS downloads, downloadsAllTime::DOUBLE AS allTime, likes::DOUBLE AS likes, strftime(createdAt, '%Y-%m-%dT%H:%M:%S.000Z') AS createdAt FROM '${dumpFilePath(sub, date, 'v2')}'`,
      );
      return new Map(r.map((x) => [x._id as string, x]));
    };

    beforeAll(async () => {
      sub = join(dir, 'traps');
      report = (await writeDumpFolder(sim.universe, sub, plan)).traps;
    });

    it('says what each trap did, the same with or without writing', () => {
      expect(describeTraps(sim.universe, plan)).toEqual(report);
      expect(report.stall.map((s) => [s.date, s.previous])).toEqual([[D[1], D[0]]]);
      expect(report.backwards.map((s) => [s.date, s.previous, s.column])).toEqual([[D[2], D[1], 'downloadsAllTime']]);
      expect(report.partial.map((s) => [s.date, s.share])).toEqual([[D[3], 0.1]]);
      expect(report.renames[0]!.models).toHaveLength(2);
    });

    it("stalls most counters at the previous partition's, though the live Hub moved on", async () => {
      const prev = await byOid(D[0]!);
      const cur = await byOid(D[1]!);
      const stalled = new Set(report.stall[0]!.ids);
      const both = [...cur.values()].filter((r) => prev.has(r._id as string));
      expect(stalled.size / both.length).toBeGreaterThan(0.7);
      expect(stalled.size / both.length).toBeLessThan(0.9);
      const live = await liveList(D[1]!);
      let hidden = 0;
      for (const r of both) {
        const p = prev.get(r._id as string)!;
        const same = r.downloads === p.downloads && r.allTime === p.allTime && r.likes === p.likes;
        expect(same || !stalled.has(r.id as string)).toBe(true);
        if (stalled.has(r.id as string)) {
          expect(same).toBe(true);
          if (live.get(r.id as string)!.downloadsAllTime !== r.allTime) hidden++;
        }
      }
      expect(hidden).toBeGreaterThan(stalled.size / 2);
    });

    it("puts only the reported models below the previous partition's all-time count", async () => {
      const prev = await byOid(D[1]!);
      const cur = await byOid(D[2]!);
      const back = new Set(report.backwards[0]!.ids);
      expect(back.size).toBeGreaterThan(0);
      for (const r of cur.values()) {
        const p = prev.get(r._id as string);
        if (!p) continue;
        if (back.has(r.id as string)) expect(r.allTime as number).toBeLessThan(p.allTime as number);
        else expect(r.allTime as number).toBeGreaterThanOrEqual(p.allTime as number);
        expect(r.downloads as number).toBeLessThanOrEqual(r.allTime as number);
      }
    });

    it('leaves the reported share of rows out of a partial file, and only those', async () => {
      const live = await liveList(D[3]!);
      const cur = await byOid(D[3]!);
      const p = report.partial[0]!;
      const ids = new Set([...cur.values()].map((r) => r.id as string));
      expect(p.rows).toBe(cur.size);
      expect(p.missing.length + cur.size).toBe(live.size);
      expect(p.missing.length / live.size).toBeGreaterThan(0.03);
      expect(p.missing.length / live.size).toBeLessThan(0.2);
      for (const id of p.missing) expect(ids.has(id)).toBe(false);
      const back = await byOid(D[4]!);
      expect(back.size).toBeGreaterThan(cur.size);
    });

    it('renames models between two partitions, carrying _id, createdAt and counts over', async () => {
      const before = await byOid(D[1]!);
      const after = await byOid(D[2]!);
      const later = await byOid(D[4]!);
      const live = await liveList(D[2]!);
      const afterIds = new Set([...after.values()].map((r) => r.id));
      for (const m of report.renames[0]!.models) {
        expect(before.get(m.objectId)!.id).toBe(m.from);
        const r = after.get(m.objectId)!;
        expect(r.id).toBe(m.to);
        expect(afterIds.has(m.from)).toBe(false);
        expect(r.createdAt).toBe(m.createdAt);
        expect(r.createdAt).toBe(before.get(m.objectId)!.createdAt);
        // The counts are the model's own: the live Hub (which knows no such rename) serves them under the old id.
        expect(r.allTime).toBe(live.get(m.from)!.downloadsAllTime);
        expect(later.get(m.objectId)!.id).toBe(m.to);
      }
    });

    it('refuses a plan it cannot honour, saying what to change', async () => {
      await expect(writeDumpFolder(sim.universe, join(dir, 'bad'), { dates: D, stall: [D[0]!] })).rejects.toThrow(
        /first date.*previous partition/,
      );
      await expect(
        writeDumpFolder(sim.universe, join(dir, 'bad'), { dates: D, partial: [{ date: '2025-01-01', share: 0.5 }] }),
      ).rejects.toThrow(/not one of the plan's dates/);
      await expect(
        writeDumpFolder(sim.universe, join(dir, 'bad'), { dates: D, partial: [{ date: D[1]!, share: 1.5 }] }),
      ).rejects.toThrow(/partial\.0\.share/);
    });
  });

  describe('the dataset repo over HTTP', () => {
    const dates = ['2025-03-05', '2025-03-12', '2025-03-19'];
    let hub: string;
    let file: string;
    let bytes: Buffer;
    const repoPath = `models/${dates[1]}/models.parquet`;

    beforeAll(async () => {
      hub = sim.urls.huggingface;
      await writeDumpFolder(sim.universe, dir, { dates });
      file = dumpFilePath(dir, dates[1]!, 'v2');
      bytes = await readFile(file);
      // What a writer still at work leaves: never listed.
      await writeFile(join(dir, 'models', dates[2]!, '.models.parquet.partial'), 'half');
    });

    it('lists the partitions as @huggingface/hub listFiles reads them, page by page through Link', async () => {
      const before = sim.dumps!.server.counts().requests.tree;
      const top = [];
      for await (const e of listFiles({ repo: { type: 'dataset', name: REPO }, hubUrl: hub, path: 'models' }))
        top.push(e);
      const names = top.map((e) => e.path);
      for (const d of dates) expect(names).toContain(`models/${d}`);
      expect(top.every((e) => e.type === 'directory' && e.size === 0 && /^[0-9a-f]{40}$/.test(e.oid ?? ''))).toBe(true);
      // Two entries a page here: the listing came in several pages, each found through the Link header.
      expect(sim.dumps!.server.counts().requests.tree - before).toBeGreaterThanOrEqual(Math.ceil(top.length / 2));

      const files = [];
      for await (const e of listFiles({
        repo: { type: 'dataset', name: REPO },
        hubUrl: hub,
        path: 'models',
        recursive: true,
      }))
        files.push(e);
      const entry = files.find((e) => e.path === repoPath)!;
      expect(entry).toBeDefined();
      expect(files.some((e) => e.path.endsWith('.partial'))).toBe(false);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(entry).toMatchObject({ type: 'file', size: bytes.length, lfs: { oid: sha256, size: bytes.length } });
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`;
      expect(entry.lfs!.pointerSize).toBe(pointer.length);
      expect(entry.oid).toBe(createHash('sha1').update(`blob ${pointer.length}\0${pointer}`).digest('hex'));
    });

    it("answers the listing with the Hub's JSON, an absolute Link, and Hub errors", async () => {
      const r = await getJson<Array<Record<string, unknown>>>(
        `${hub}/api/datasets/${REPO}/tree/main/models/${dates[0]}?expand=true`,
      );
      expect(r.status).toBe(200);
      expect(Object.keys(r.body[0]!)).toEqual(['type', 'oid', 'size', 'lfs', 'path', 'lastCommit']);
      const page = await getJson<unknown[]>(`${hub}/api/datasets/${REPO}/tree/main/models`);
      expect(page.body).toHaveLength(2);
      expect(page.headers.link).toMatch(
        /^<http:\/\/127\.0\.0\.1:\d+\/api\/datasets\/hfmlsoc\/hub_weekly_snapshots\/tree\/main\/models\?cursor=[\w-]+>; rel="next"$/,
      );
      const noRepo = await getJson(`${hub}/api/datasets/someone/nothing/tree/main/models`);
      expect([noRepo.status, noRepo.headers['x-error-code']]).toEqual([401, 'RepoNotFound']);
      const noPath = await getJson(`${hub}/api/datasets/${REPO}/tree/main/nothing`);
      expect([noPath.status, noPath.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
      const noRev = await getJson(`${hub}/api/datasets/${REPO}/tree/v9/models`);
      expect([noRev.status, noRev.headers['x-error-code']]).toEqual([404, 'RevisionNotFound']);
    });

    it('resolves an LFS file with a 302 to the CDN that carries its size, and the CDN answers HEAD with it', async () => {
      sim.dumps!.server.resetCounters();
      const head = await request(`${hub}/datasets/${REPO}/resolve/main/${repoPath}`, { method: 'HEAD' });
      await head.body.dump();
      expect(head.statusCode).toBe(302);
      expect(head.headers['x-linked-size']).toBe(String(bytes.length));
      expect(head.headers['x-repo-commit']).toMatch(/^[0-9a-f]{40}$/);
      const location = head.headers.location as string;
      expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cdn-lfs\//);
      const cdn = await request(location, { method: 'HEAD' });
      await cdn.body.dump();
      expect(cdn.statusCode).toBe(200);
      expect(cdn.headers['content-length']).toBe(String(bytes.length));
      expect(cdn.headers['accept-ranges']).toBe('bytes');
      const missing = await request(`${hub}/datasets/${REPO}/resolve/main/models/1999-01-01/models.parquet`, {
        method: 'HEAD',
      });
      await missing.body.dump();
      expect([missing.statusCode, missing.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
      // @huggingface/hub's own metadata call (Range: bytes=0-0 through the redirect) reads the size and an ETag.
      const info = await fileDownloadInfo({ repo: { type: 'dataset', name: REPO }, path: repoPath, hubUrl: hub });
      expect(info!.size).toBe(bytes.length);
      expect(info!.etag).toBeTruthy();
      expect(sim.dumps!.server.bytesServed(repoPath)).toBe(1);
    });

    it('serves exact bytes for a range (206), the tail for a suffix, 416 past the end, and counts what it sent', async () => {
      sim.dumps!.server.resetCounters();
      const url = `${hub}/datasets/${REPO}/resolve/main/${repoPath}`;
      const mid = await fetch(url, { headers: { range: 'bytes=100-199' } });
      expect(mid.status).toBe(206);
      expect(mid.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
      expect(Buffer.from(await mid.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
      const tail = await fetch(url, { headers: { range: 'bytes=-8' } });
      const tailBytes = Buffer.from(await tail.arrayBuffer());
      expect(tail.status).toBe(206);
      expect(tailBytes.subarray(4).toString()).toBe('PAR1');
      expect(tailBytes.equals(bytes.subarray(bytes.length - 8))).toBe(true);
      expect(sim.dumps!.server.bytesServed(repoPath)).toBe(108);
      expect(sim.dumps!.server.bytesServed()).toBe(108);
      const whole = await fetch(url, { headers: { range: `bytes=-${bytes.length + 10}` } });
      expect(whole.headers.get('content-range')).toBe(`bytes 0-${bytes.length - 1}/${bytes.length}`);
      await whole.arrayBuffer();
      const past = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
      await past.arrayBuffer();
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
      const counters = await getJson<{ bytes: number; byPath: Record<string, number> }>(`${hub}/__sim/dumps`);
      expect(counters.body.bytes).toBe(108 + bytes.length);
      expect((await stat(file)).size).toBe(bytes.length);
    });

    it('reads one range per header the way RFC 9110 §14.1.2 spells them', () => {
      expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
      expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
      expect(parseRange('bytes=8-100', 10)).toEqual({ start: 8, end: 9 });
      expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
      expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
      expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
      expect(parseRange(undefined, 10)).toBeNull();
    });
  });

  describe('hubwatch sim --dumps', () => {
    const cli = ['--import', 'tsx', 'src/cli.ts', 'sim', '--models', '200', '--rate-limit', 'off'];

    it('writes weekly partitions, serves them, and prints their URL as "dumps"', async () => {
      const folder = join(dir, 'cli');
      const child = spawn(process.execPath, [...cli, '--day', '2026-11-20', '--dumps', folder, '--dump-weeks', '2'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, LOG_LEVEL: 'silent' },
      });
      try {
        let out = '';
        child.stdout.setEncoding('utf8');
        while (!out.includes('\n')) {
          const [chunk] = (await Promise.race([
            once(child.stdout, 'data'),
            once(child, 'exit').then(() => {
              throw new Error('hubwatch sim exited before printing its URLs');
            }),
          ])) as [string];
          out += chunk;
        }
        const urls = JSON.parse(out.split('\n')[0]!) as { huggingface: string; dumps: string };
        expect(urls.dumps).toBe(`${urls.huggingface}/datasets/${REPO}`);
        const listing = await getJson<Array<{ path: string }>>(
          `${urls.huggingface}/api/datasets/${REPO}/tree/main/models`,
        );
        expect(listing.body.map((e) => e.path)).toEqual(['models/2026-11-13', 'models/2026-11-20']);
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await once(child, 'exit');
      }
    }, 120_000);

    it('refuses a --dumps path that is not a folder, with exit code 2', async () => {
      const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [...cli, '--dumps', join(dir, 'no-such-folder')],
          { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 },
          (err, _stdout, stderr) => {
            resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
          },
        );
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/is not a folder.*--dump-weeks/);
    }, 120_000);
  });
});
