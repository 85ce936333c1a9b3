// Contract tests: /feed.json against the JSON Feed 1.1 rules, and every API answer against /openapi.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../src/model.js';
import { buildServer } from '../../src/feed/server.js';
import { silentLogger } from '../../src/log.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import { fillStore, makeRecord, makeRecords, makeSnapshot, testConfig } from './fixtures.js';
import { tempStore, type TempStore } from '../support/temp.js';
import { OasChecker } from './oas.js';

const PAGE = 5;
let t: TempStore;
let app: FastifyInstance;
let oas: OasChecker;
let records: NormalisedRecord[];

beforeAll(async () => {
  t = await tempStore();
  records = makeRecords(37);
  // Three models released at the same instant: paging must break the tie, not skip or repeat one of them.
  const tie = '2025-05-31T12:00:00.000Z';
  records.push(
    makeRecord(100, { releasedAt: tie }),
    makeRecord(101, { releasedAt: tie }),
    makeRecord(102, { releasedAt: tie }),
  );
  await fillStore(t.store, records);
  await writeSnapshot(t.dir, makeSnapshot('2025-05-30', null));
  await writeSnapshot(t.dir, makeSnapshot('2025-05-31', '2025-05-30'));
  await writeSnapshot(t.dir, makeSnapshot('2025-06-01', '2025-05-31'));
  // A digest's Markdown as `hubwatch digest` writes it (the feed lists only weeks with their JSON).
  await mkdir(join(t.dir, 'digests'), { recursive: true });
  await writeFile(join(t.dir, 'digests', '2025-W22.md'), '# hubwatch digest 2025-W22\n');
  app = await buildServer({
    store: t.store,
    config: testConfig(t.dir, PAGE),
    logger: silentLogger,
    responseChecks: 'throw',
    registryEntries: [
      { org: 'Meta', country: 'US', kind: 'big_tech', hf: ['meta-llama'] },
      { org: 'Nobody Yet', country: 'DE', kind: 'academic', hf: [] },
    ],
  });
  oas = new OasChecker(JSON.parse((await app.inject('/openapi.json')).body));
});

afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

/** Paths relative to the server, from the absolute links the server writes. */
function local(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The JSON Feed 1.1 rules a reader relies on, as assertions. */
function assertJsonFeed(feed: Record<string, unknown>): void {
  expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
  expect(typeof feed.title).toBe('string');
  expect(Array.isArray(feed.items)).toBe(true);
  for (const k of ['home_page_url', 'feed_url', 'next_url', 'description']) {
    if (k in feed) expect(typeof feed[k], k).toBe('string');
  }
  for (const k of ['home_page_url', 'feed_url', 'next_url']) {
    if (k in feed) expect(() => new URL(feed[k] as string), k).not.toThrow();
  }
  if ('authors' in feed) {
    for (const a of feed.authors as Array<Record<string, unknown>>) expect(Object.keys(a).length).toBeGreaterThan(0);
  }
  const ids = new Set<string>();
  for (const item of feed.items as Array<Record<string, unknown>>) {
    expect(typeof item.id).toBe('string');
    expect((item.id as string).length).toBeGreaterThan(0);
    expect(ids.has(item.id as string), `duplicate id ${String(item.id)}`).toBe(false);
    ids.add(item.id as string);
    // 1.1: an item must have content_html or content_text.
    expect(typeof item.content_text === 'string' || typeof item.content_html === 'string').toBe(true);
    for (const k of ['date_published', 'date_modified']) {
      if (k in item) expect(item[k]).toMatch(RFC3339);
    }
    if ('url' in item) expect(() => new URL(item.url as string)).not.toThrow();
    if ('tags' in item) for (const tag of item.tags as unknown[]) expect(typeof tag).toBe('string');
    // Extensions are objects whose key starts with an underscore; anything else must be a spec field.
    for (const k of Object.keys(item)) {
      if (k.startsWith('_')) expect(typeof item[k]).toBe('object');
      else
        expect([
          'id',
          'url',
          'external_url',
          'title',
          'content_html',
          'content_text',
          'summary',
          'image',
          'banner_image',
          'date_published',
          'date_modified',
          'authors',
          'tags',
          'language',
          'attachments',
        ]).toContain(k);
    }
  }
}

describe('JSON Feed 1.1', () => {
  it('follows the spec and pages through every item exactly once, newest first', async () => {
    const seen: string[] = [];
    const dates: number[] = [];
    let url: string | null = '/feed.json';
    let pages = 0;
    while (url !== null) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
      expect(oas.check(url, res)).toEqual([]);
      const feed = JSON.parse(res.body) as Record<string, unknown>;
      assertJsonFeed(feed);
      const items = feed.items as Array<Record<string, unknown>>;
      expect(items.length).toBeLessThanOrEqual(PAGE);
      for (const it of items) {
        seen.push(it.id as string);
        dates.push(Date.parse(it.date_published as string));
      }
      url = typeof feed.next_url === 'string' ? local(feed.next_url) : null;
      if (url !== null) expect(items.length).toBe(PAGE);
      pages++;
      expect(pages).toBeLessThan(50);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(records.map((r) => r.key)));
    for (let i = 1; i < dates.length; i++) expect(dates[i]!).toBeLessThanOrEqual(dates[i - 1]!);
  });

  it('items carry the stable id, the platform URL, a summary and the normalised record', async () => {
    const feed = JSON.parse((await app.inject('/feed.json?limit=1')).body);
    const item = feed.items[0];
    const rec = records[0]!;
    expect(item.id).toBe(`${rec.platform}:${rec.id}`);
    expect(item.url).toBe(rec.url);
    expect(item.title).toBe(rec.id);
    expect(item.date_published).toBe(rec.releasedAt);
    expect(item.content_text).toContain('Publisher: Alibaba Qwen (CN, big_tech)');
    expect(item.content_text).toContain('Licence: Apache-2.0 (permissive)');
    expect(item.content_text).toContain('Relation: base model');
    expect(item.authors).toEqual([{ name: 'Alibaba Qwen' }]);
    const { about, ...ext } = item._hubwatch;
    expect(about).toMatch(/\/openapi\.json$/);
    expect(ext).toEqual(rec);
  });

  it('applies every filter, and relation=base gives original models only', async () => {
    const cases: Array<[string, (r: NormalisedRecord) => boolean]> = [
      ['relation=base', (r) => r.lineage.relation === 'base'],
      ['platform=modelscope', (r) => r.platform === 'modelscope'],
      ['country=cn', (r) => r.origin.country === 'CN'],
      ['view=publisher&country=FR', (r) => r.publisher.country === 'FR'],
      ['org=meta', (r) => r.origin.org === 'Meta'],
      ['kind=individual', (r) => r.origin.kind === 'individual'],
      ['license_class=non-commercial', (r) => r.license.class === 'non-commercial'],
      ['since=2025-05-31T23:50:00Z', (r) => Date.parse(r.releasedAt!) >= Date.parse('2025-05-31T23:50:00Z')],
      ['since=2025-06-01', (r) => Date.parse(r.releasedAt!) >= Date.parse('2025-06-01T00:00:00Z')],
    ];
    for (const [q, pred] of cases) {
      const res = await app.inject(`/api/v1/models?limit=1000&${q}`);
      expect(res.statusCode, q).toBe(200);
      const keys = (JSON.parse(res.body).items as NormalisedRecord[]).map((r) => r.key).sort();
      const want = records
        .filter(pred)
        .map((r) => r.key)
        .sort();
      expect(want.length, q).toBeGreaterThan(0);
      expect(keys, q).toEqual(want);
      const feed = JSON.parse((await app.inject(`/feed.json?limit=1000&${q}`)).body);
      expect(feed.items.map((i: { id: string }) => i.id).sort(), q).toEqual(want);
    }
  });
});

describe('every answer matches /openapi.json', () => {
  it('documents OpenAPI 3.1 with every route, parameter and response', async () => {
    const doc = JSON.parse((await app.inject('/openapi.json')).body);
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/feed.json',
      '/feed.xml',
      '/api/v1/snapshots',
      '/api/v1/snapshots/{date}',
      '/api/v1/snapshots/latest',
      '/api/v1/shares',
      '/api/v1/shares.csv',
      '/api/v1/snapshots/{date}.csv',
      '/api/v1/models',
      '/api/v1/models/{platform}/{namespace}/{name}',
      '/api/v1/orgs',
      '/openapi.json',
      '/digests/feed.json',
      '/digests/{file}',
    ]) {
      expect(paths).toContain(p);
    }
    const feedParams = doc.paths['/feed.json'].get.parameters.map((p: { name: string }) => p.name);
    for (const n of [
      'platform',
      'country',
      'view',
      'org',
      'kind',
      'license_class',
      'relation',
      'since',
      'limit',
      'cursor',
    ]) {
      expect(feedParams).toContain(n);
    }
    // The request schemas in the document are the ones fastify enforces: a value the document forbids is a 400.
    const limit = doc.paths['/api/v1/models'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect((await app.inject(`/api/v1/models?limit=${limit.schema.maximum + 1}`)).statusCode).toBe(400);
    expect((await app.inject(`/api/v1/models?limit=${limit.schema.maximum}`)).statusCode).toBe(200);
  });

  const urls = [
    '/feed.json',
    '/feed.json?relation=base&view=publisher&country=US',
    '/feed.xml',
    '/feed.xml?platform=wisemodel',
    '/api/v1/snapshots',
    '/api/v1/snapshots/latest',
    '/api/v1/snapshots/latest.csv',
    '/api/v1/snapshots/2025-05-31',
    '/api/v1/snapshots/2025-05-31.csv',
    '/api/v1/snapshots/2024-01-01',
    '/api/v1/snapshots/2024-02-30',
    '/api/v1/snapshots/yesterday',
    '/api/v1/shares',
    '/api/v1/shares?metric=derivatives&view=publisher&scope=llm&platform=huggingface&from=2025-05-31&to=2025-06-01',
    '/api/v1/shares?platform=wisemodel',
    '/api/v1/shares.csv?metric=newReleases',
    '/api/v1/shares?from=2025-06-02&to=2025-06-01',
    '/api/v1/shares?metric=everything',
    '/api/v1/models',
    '/api/v1/models?limit=2&cursor=%%%',
    '/api/v1/models/huggingface/AlibabaQwen/model-0',
    '/api/v1/models/modelscope/Meta/model-1',
    '/api/v1/models/huggingface/nobody/nothing',
    '/api/v1/models/huggingface/gpt2',
    '/api/v1/models/github/a/b',
    '/api/v1/orgs',
    '/openapi.json',
    '/digests/feed.json',
    '/digests/2025-W22.md',
    '/digests/2025-W23.html',
    '/digests/2025-W99.md',
    '/digests/2020-W53.md',
    '/digests/2025-W22.exe',
    '/nothing/here',
  ];
  for (const url of urls) {
    it(`GET ${url}`, async () => {
      const res = await app.inject(url);
      expect(res.statusCode).toBeLessThan(500);
      expect(oas.check(url, res)).toEqual([]);
    });
  }

  it('pages of /api/v1/models follow nextUrl to the end and validate', async () => {
    let url: string | null = '/api/v1/models?limit=7&relation=finetune';
    const keys: string[] = [];
    while (url) {
      const res = await app.inject(url);
      expect(oas.check(url, res)).toEqual([]);
      const body = JSON.parse(res.body);
      keys.push(...body.items.map((r: NormalisedRecord) => r.key));
      url = body.nextUrl ? local(body.nextUrl) : null;
      if (url) expect(new URL(body.nextUrl).searchParams.get('cursor')).toBe(body.nextCursor);
    }
    expect(keys.sort()).toEqual(
      records
        .filter((r) => r.lineage.relation === 'finetune')
        .map((r) => r.key)
        .sort(),
    );
  });

  it('a model answer carries its stats history; orgs carry registry entries with counts', async () => {
    const m = JSON.parse((await app.inject('/api/v1/models/huggingface/AlibabaQwen/model-0')).body);
    expect(m.model).toEqual(records[0]);
    expect(m.history).toEqual([{ date: '2025-06-01', downloadsAllTime: 5000, downloads30d: 1000, likes: 0 }]);
    const orgs = JSON.parse((await app.inject('/api/v1/orgs')).body).orgs as Array<Record<string, unknown>>;
    const meta = orgs.find((o) => o.org === 'Meta')!;
    const metaCount = records.filter((r) => r.publisher.org === 'Meta').length;
    expect(meta).toMatchObject({
      inRegistry: true,
      country: 'US',
      publisherModels: metaCount,
      originModels: metaCount,
    });
    expect(orgs.find((o) => o.org === 'Nobody Yet')).toMatchObject({ publisherModels: 0, originModels: 0 });
    expect(orgs.find((o) => o.org === 'Mistral AI')).toMatchObject({ inRegistry: false, entry: null });
  });

  it('shares are one point per snapshot date, in range', async () => {
    const all = JSON.parse((await app.inject('/api/v1/shares?metric=likes')).body);
    expect(all.points.map((p: { date: string }) => p.date)).toEqual(['2025-05-30', '2025-05-31', '2025-06-01']);
    const snap = makeSnapshot('2025-05-31', '2025-05-30');
    const one = JSON.parse(
      (await app.inject('/api/v1/shares?metric=likes&from=2025-05-31&to=2025-05-31&view=publisher&platform=modelscope'))
        .body,
    );
    expect(one.points).toEqual([
      {
        date: '2025-05-31',
        total: snap.metrics.likes.scopes.all.publisher.platforms.modelscope!.total,
        attributed: snap.metrics.likes.scopes.all.publisher.platforms.modelscope!.attributed,
        shares: snap.metrics.likes.scopes.all.publisher.platforms.modelscope!.shares,
        platforms: ['modelscope'],
      },
    ]);
    const none = JSON.parse((await app.inject('/api/v1/shares?platform=wisemodel')).body);
    expect(
      none.points.every((p: { total: null; shares: unknown[] }) => p.total === null && p.shares.length === 0),
    ).toBe(true);
  });
});
