// HTTP behaviour: caching headers and 304, compression, CORS, CSV, Atom escaping of hostile names, invalidation
// when a snapshot appears, error answers that leak nothing, and the static export equal to the API.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportStatic, publicDir } from '../../src/feed/export.js';
import { buildServer } from '../../src/feed/server.js';
import { csvCell, csvTable, xmlEscape } from '../../src/feed/text.js';
import { silentLogger } from '../../src/log.js';
import { NormalisedRecord } from '../../src/model.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import { METRICS } from '../../src/snapshot/types.js';
import { fillStore, makeRecord, makeRecords, makeSnapshot, storeRenamed, testConfig } from './fixtures.js';
import { tempStore, type TempStore } from '../support/temp.js';
import { OasChecker, xmlProblem, xmlUnescape } from './oas.js';

const PAGE = 4;
const HOSTILE_NAME =
  `<script>alert("pwn")</script>&amp;&#0;]]>\u0001\u001b[31m\u202Egnp.exe 😀 \uD800 ` + 'A'.repeat(10_000);

let t: TempStore;
let app: FastifyInstance;
let records: NormalisedRecord[];

function hostileRecord(): NormalisedRecord {
  const base = makeRecord(0, { namespace: 'evil', name: 'placeholder' });
  const id = `evil/${HOSTILE_NAME}`;
  return NormalisedRecord.parse({
    ...base,
    id,
    name: HOSTILE_NAME,
    key: `huggingface:${id}`,
    url: 'javascript:alert(1)',
    releasedAt: '2025-06-02T00:00:00.000Z',
    createdAt: '2025-06-02T00:00:00.000Z',
    firstSeenAt: '2025-06-02T00:00:00.000Z',
    lastModified: '2025-06-02T00:00:00.000Z',
    tags: ['=cmd|" /C calc"!A0', '<b>bold</b>', '\u202Etxt'],
    publisher: { ...base.publisher, org: '"Evil & Co" <evil@example>' },
    license: { ...base.license, id: 'LicenseRef-<x>&y' },
  });
}

beforeAll(async () => {
  t = await tempStore();
  records = [...makeRecords(14), hostileRecord()];
  await fillStore(t.store, records);
  await writeSnapshot(t.dir, makeSnapshot('2025-05-31', null));
  await writeSnapshot(t.dir, makeSnapshot('2025-06-01', '2025-05-31'));
  app = await buildServer({
    store: t.store,
    config: testConfig(t.dir, PAGE),
    logger: silentLogger,
    responseChecks: 'throw',
  });
});

afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

describe('caching headers', () => {
  const reads = [
    '/feed.json',
    '/feed.xml',
    '/api/v1/snapshots',
    '/api/v1/snapshots/latest',
    '/api/v1/snapshots/2025-05-31',
    '/api/v1/snapshots/2025-05-31.csv',
    '/api/v1/shares',
    '/api/v1/shares.csv',
    '/api/v1/models',
    '/api/v1/models/huggingface/AlibabaQwen/model-0',
    '/api/v1/orgs',
    '/openapi.json',
  ];
  for (const url of reads) {
    it(`${url}: strong ETag, Cache-Control, 304 on If-None-Match`, async () => {
      const a = await app.inject(url);
      expect(a.statusCode).toBe(200);
      const etag = a.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
      expect(a.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
      const b = await app.inject(url);
      expect(b.headers.etag).toBe(etag);
      expect(b.body).toBe(a.body);
      const c = await app.inject({ url, headers: { 'if-none-match': `"nope", W/${etag}` } });
      expect(c.statusCode).toBe(304);
      expect(c.body).toBe('');
      expect(c.headers.etag).toBe(etag);
      expect(c.headers['cache-control']).toBe(a.headers['cache-control']);
      const d = await app.inject({ url, headers: { 'if-none-match': '"something-else"' } });
      expect(d.statusCode).toBe(200);
    });
  }

  it('different bodies have different ETags', async () => {
    const a = await app.inject('/feed.json');
    const b = await app.inject('/feed.json?relation=base');
    expect(a.headers.etag).not.toBe(b.headers.etag);
  });

  it('errors are not cacheable', async () => {
    const r = await app.inject('/api/v1/snapshots/2020-01-01');
    expect(r.statusCode).toBe(404);
    expect(r.headers['cache-control']).toBe('no-store');
  });
});

describe('compression and CORS', () => {
  it('gzip and br decode to the identity body, with their own ETag that still revalidates', async () => {
    const plain = await app.inject('/api/v1/snapshots/latest');
    const gz = await app.inject({ url: '/api/v1/snapshots/latest', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(plain.body);
    expect(gz.headers.etag).not.toBe(plain.headers.etag);
    expect(String(gz.headers.vary)).toContain('Accept-Encoding');
    const br = await app.inject({ url: '/api/v1/snapshots/latest', headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(plain.body);
    const reval = await app.inject({
      url: '/api/v1/snapshots/latest',
      headers: { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag as string },
    });
    expect(reval.statusCode).toBe(304);
    const refused = await app.inject({
      url: '/api/v1/snapshots/latest',
      headers: { 'accept-encoding': 'gzip;q=0, br;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('CORS is open for GET, and preflight answers', async () => {
    const r = await app.inject({ url: '/feed.json', headers: { origin: 'https://example.org' } });
    expect(r.headers['access-control-allow-origin']).toBe('*');
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/shares',
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    expect(pre.statusCode).toBeLessThan(300);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('GET');
  });
});

describe('CSV', () => {
  it('Accept: text/csv and the .csv suffix give the same long table', async () => {
    const viaAccept = await app.inject({ url: '/api/v1/snapshots/2025-05-31', headers: { accept: 'text/csv' } });
    const viaSuffix = await app.inject('/api/v1/snapshots/2025-05-31.csv');
    expect(viaAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(viaAccept.body).toBe(viaSuffix.body);
    expect(String(viaAccept.headers.vary)).toContain('Accept');
    const lines = viaSuffix.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('metric,scope,view,platform,country,value,share');
    const snap = makeSnapshot('2025-05-31', null);
    const us = snap.metrics.newReleases.scopes.llm.publisher.platforms.huggingface!.shares.find(
      (s) => s.country === 'US',
    )!;
    expect(lines).toContain(`newReleases,llm,publisher,huggingface,US,${us.value},${us.share}`);
    // JSON is still the default, and a browser's Accept does not turn into CSV.
    const browser = await app.inject({
      url: '/api/v1/snapshots/2025-05-31',
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(browser.headers['content-type']).toBe('application/json; charset=utf-8');
    // The cache keeps the two representations apart.
    expect((await app.inject('/api/v1/snapshots/2025-05-31')).headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
  });

  it('the shares series as CSV has one row per date and country', async () => {
    const json = JSON.parse((await app.inject('/api/v1/shares?metric=derivatives&scope=llm')).body);
    const csv = await app.inject({
      url: '/api/v1/shares?metric=derivatives&scope=llm',
      headers: { accept: 'text/csv' },
    });
    const rows = csv.body.trimEnd().split('\r\n');
    expect(rows[0]).toBe('date,metric,scope,view,platform,country,value,share');
    const n = json.points.reduce((s: number, p: { shares: unknown[] }) => s + p.shares.length, 0);
    expect(rows.length - 1).toBe(n);
    expect((await app.inject('/api/v1/shares.csv?metric=derivatives&scope=llm')).body).toBe(csv.body);
  });

  it('cells are quoted per RFC 4180 and formula starts are defused', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(null)).toBe('');
    expect(csvTable(['a', '=b'], [[1, '=1']])).toBe("a,'=b\r\n1,'=1\r\n");
  });
});

describe('hostile strings', () => {
  it('Atom is well-formed and escapes a hostile model name', async () => {
    const res = await app.inject('/feed.xml?limit=1');
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const xml = res.body;
    expect(xmlProblem(xml)).toBeNull();
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain('javascript:');
    // eslint-disable-next-line no-control-regex -- asserts that control characters were stripped
    expect(xml).not.toMatch(/[\u0001\u001b\u202E]/);
    const entry = /<entry>([\s\S]*?)<\/entry>/.exec(xml)![1]!;
    const title = xmlUnescape(/<title type="text">([\s\S]*?)<\/title>/.exec(entry)![1]!);
    expect(title.startsWith('evil/<script>alert("pwn")</script>&amp;&#0;]]>')).toBe(true);
    expect(title.length).toBeLessThanOrEqual(300);
    expect(xmlUnescape(/<author><name>([\s\S]*?)<\/name>/.exec(entry)![1]!)).toBe('"Evil & Co" <evil@example>');
    expect(entry).toContain('<category term="=cmd|&quot; /C calc&quot;!A0"/>');
    // Every page of the Atom feed, not just the hostile one, parses.
    for (const q of ['', '?relation=base', '?limit=100'])
      expect(xmlProblem((await app.inject(`/feed.xml${q}`)).body)).toBeNull();
  });

  it('JSON Feed shows a capped, cleaned title but keeps the record verbatim in _hubwatch', async () => {
    const feed = JSON.parse((await app.inject('/feed.json?limit=1')).body);
    const item = feed.items[0];
    expect(item.title.length).toBeLessThanOrEqual(300);
    // eslint-disable-next-line no-control-regex -- asserts that control characters were stripped
    expect(item.title).not.toMatch(/[\u0001\u001b\u202E]/);
    expect(item.url).toBeUndefined();
    expect(item.content_text).toContain('Licence: LicenseRef-<x>&y');
    expect(item._hubwatch.name.length).toBeGreaterThan(10_000);
  });

  it('xmlEscape drops what XML 1.0 cannot carry', () => {
    expect(xmlEscape('a\u0000b\u0008c\uFFFEd\uD800e<&>"\'')).toBe('abcde&lt;&amp;&gt;&quot;&apos;');
    expect(xmlEscape('😀 中文 עברית')).toBe('😀 中文 עברית');
  });
});

describe('errors', () => {
  it('a failing store is a 500 that says nothing about the failure', async () => {
    const failing = new Proxy(t.store, {
      get(target, prop, recv) {
        if (prop === 'listModels' || prop === 'orgCounts') {
          return async () => {
            throw new Error('connect ECONNREFUSED postgres://admin:s3cret@db/prod at /srv/app/store.ts:12');
          };
        }
        return Reflect.get(target, prop, recv) as unknown;
      },
    });
    const broken = await buildServer({ store: failing, config: testConfig(t.dir, PAGE), logger: silentLogger });
    try {
      for (const url of ['/feed.json', '/api/v1/orgs', '/api/v1/models?cursor=abc']) {
        const r = await broken.inject(url);
        expect(r.statusCode, url).toBe(500);
        const body = JSON.parse(r.body);
        expect(body.error).toBe('internal_error');
        expect(r.body).not.toMatch(/s3cret|ECONNREFUSED|store\.ts|at /);
      }
    } finally {
      await broken.close();
    }
  });

  it('the OpenAPI checker itself rejects answers that do not match', async () => {
    const oas = new OasChecker(JSON.parse((await app.inject('/openapi.json')).body));
    const ok = await app.inject('/api/v1/snapshots');
    expect(oas.check('/api/v1/snapshots', ok)).toEqual([]);
    expect(oas.check('/api/v1/snapshots', { ...ok, body: '{"dates":"2025-01-01"}' })).not.toEqual([]);
    expect(oas.check('/api/v1/snapshots', { ...ok, statusCode: 418 })).not.toEqual([]);
    expect(oas.check('/api/v1/snapshots', { ...ok, headers: { 'content-type': 'text/html' } })).not.toEqual([]);
  });
});

describe('renamed models', () => {
  it('answers an old id with 301 and the new URL; the history moved with the model', async () => {
    const { before, after } = await storeRenamed(t.store, ['2025-05-31', '2025-06-01']);
    const old = await app.inject({ method: 'GET', url: `/api/v1/models/${before.platform}/moved/old-name` });
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe(`/api/v1/models/${after.platform}/moved/new-name`);
    expect(old.json()).toMatchObject({
      error: 'moved_permanently',
      message: expect.stringContaining('was renamed to'),
    });
    const now = await app.inject({ method: 'GET', url: old.headers.location as string });
    expect(now.statusCode).toBe(200);
    expect(now.json<{ history: Array<{ date: string }> }>().history.map((h) => h.date)).toEqual([
      '2025-05-31',
      '2025-06-01',
    ]);
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/models/${before.platform}/moved/never-was` })).statusCode,
    ).toBe(404);
  });
});

describe('freshness', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a new snapshot file is served as latest within a second, and invalidate() is immediate', async () => {
    // The server stats the snapshots directory at most once a second (FeedService statIntervalMs, 1000 by default),
    // on Date.now(): a fake Date, set past any earlier stat, moves that second exactly and without waiting.
    const statIntervalMs = 1000;
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now() + statIntervalMs;
    vi.setSystemTime(t0);
    const before = JSON.parse((await app.inject('/api/v1/snapshots/latest')).body);
    expect(before.date).toBe('2025-06-01');
    await writeSnapshot(t.dir, makeSnapshot('2025-06-02', '2025-06-01'));
    vi.setSystemTime(t0 + statIntervalMs - 1);
    expect(JSON.parse((await app.inject('/api/v1/snapshots/latest')).body).date).toBe('2025-06-01'); // not looked yet
    vi.setSystemTime(t0 + statIntervalMs);
    expect(JSON.parse((await app.inject('/api/v1/snapshots/latest')).body).date).toBe('2025-06-02');
    expect(JSON.parse((await app.inject('/api/v1/snapshots')).body).latest).toBe('2025-06-02');

    const extra = makeRecord(500, { releasedAt: '2025-06-03T00:00:00.000Z' });
    await fillStore(t.store, [extra]);
    app.feed.invalidate();
    expect(JSON.parse((await app.inject('/feed.json?limit=1')).body).items[0].id).toBe(extra.key);
  });
});

describe('static export', () => {
  it('writes the files atomically and they equal the API answers', async () => {
    app.feed.invalidate();
    const files = await exportStatic({ store: t.store, config: testConfig(t.dir, PAGE), dataDir: t.dir, pages: 2 });
    const pub = publicDir(t.dir);
    const rel = files.map((f) => f.slice(pub.length + 1)).sort();
    for (const f of [
      'feed.json',
      'feed-2.json',
      'feed-base.json',
      'feed.xml',
      'snapshots/latest.json',
      'snapshots/index.json',
      'openapi.json',
      ...METRICS.map((m) => `shares/${m}.json`),
    ]) {
      expect(rel).toContain(f);
    }
    const read = (f: string): Promise<string> => readFile(join(pub, f), 'utf8');
    expect(await read('snapshots/latest.json')).toBe((await app.inject('/api/v1/snapshots/latest')).body);
    expect(await read('snapshots/latest.csv')).toBe((await app.inject('/api/v1/snapshots/latest.csv')).body);
    expect(await read('snapshots/index.json')).toBe((await app.inject('/api/v1/snapshots')).body);
    expect(await read('openapi.json')).toBe((await app.inject('/openapi.json')).body);
    for (const m of METRICS) {
      expect(await read(`shares/${m}.json`)).toBe((await app.inject(`/api/v1/shares?metric=${m}`)).body);
      expect(await read(`shares/${m}.csv`)).toBe((await app.inject(`/api/v1/shares.csv?metric=${m}`)).body);
    }

    // Feed pages: the same items in the same order, the links pointing at the static files.
    const stripLinks = (feed: Record<string, unknown>): unknown => ({
      ...feed,
      home_page_url: undefined,
      feed_url: undefined,
      next_url: undefined,
      authors: undefined,
      items: (feed.items as Array<Record<string, unknown>>).map((i) => ({
        ...i,
        _hubwatch: { ...(i._hubwatch as object), about: undefined },
      })),
    });
    for (const [prefix, q] of [
      ['feed', ''],
      ['feed-base', '?relation=base'],
    ] as const) {
      const s1 = JSON.parse(await read(`${prefix}.json`));
      const a1 = JSON.parse((await app.inject(`/feed.json${q}`)).body);
      expect(stripLinks(s1)).toEqual(stripLinks(a1));
      expect(s1.next_url).toBe(`${prefix}-2.json`);
      expect(s1.items[0]._hubwatch.about).toBe('openapi.json');
      const s2 = JSON.parse(await read(`${prefix}-2.json`));
      const a2 = JSON.parse((await app.inject(new URL(a1.next_url).pathname + new URL(a1.next_url).search)).body);
      expect(stripLinks(s2)).toEqual(stripLinks(a2));
      // The last exported page does not point at a file that does not exist.
      expect(s2.next_url).toBeUndefined();
    }
    const xml = await read('feed.xml');
    expect(xmlProblem(xml)).toBeNull();
    expect(xml).toContain('<link rel="next" type="application/atom+xml" href="feed-2.xml"/>');
    // No temp files left behind by the atomic writes.
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(pub)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('with a public URL the links are absolute', async () => {
    await exportStatic({
      store: t.store,
      config: testConfig(t.dir, PAGE),
      dataDir: t.dir,
      pages: 1,
      publicUrl: 'https://cdn.example/hw/',
    });
    const feed = JSON.parse(await readFile(join(publicDir(t.dir), 'feed.json'), 'utf8'));
    expect(feed.feed_url).toBe('https://cdn.example/hw/feed.json');
    expect(feed.next_url).toBeUndefined();
  });
});
