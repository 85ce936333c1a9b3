// The ready-made bodies behind the hot reads: one render per key and generation, ETag and compressed variants
// computed once, a store-backed body refreshed in the background rather than in a reader's request, and a new
// snapshot reaching readers with a new ETag and matching compressed bytes.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BodyCache, CacheEntry, type Rendered } from '../../src/feed/cache.js';
import { buildServer } from '../../src/feed/server.js';
import { silentLogger } from '../../src/log.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import { fillStore, makeRecords, makeSnapshot, testConfig } from './fixtures.js';
import { tempStore, type TempStore } from '../support/temp.js';

const TTL = 30_000;

function renderer(bodies: string[]): { render: () => Promise<Rendered>; calls: () => number } {
  let n = 0;
  return {
    render: async () => {
      const body = bodies[Math.min(n, bodies.length - 1)]!;
      n += 1;
      return { body, contentType: 'application/json; charset=utf-8', cacheControl: 'public, max-age=60' };
    },
    calls: () => n,
  };
}

// Large enough to be compressed (the threshold is 1 KiB).
const big = (tag: string): string => JSON.stringify({ tag, filler: 'x'.repeat(4000) });

describe('BodyCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('renders a burst of misses once and answers later hits synchronously', async () => {
    const cache = new BodyCache();
    const r = renderer([big('a')]);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => cache.get('k', null, r.render)));
    expect(r.calls()).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(cache.peek('k', null, r.render)).toBe(a);
  });

  it('serves an expired body while one background render replaces it, then the new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new BodyCache();
    const r = renderer([big('old'), big('new')]);
    const old = await cache.get('k', TTL, r.render);
    vi.setSystemTime(Date.now() + TTL + 1);
    // Stale within its grace: answered at once, and many readers start one render between them.
    expect(cache.peek('k', TTL, r.render)).toBe(old);
    expect(cache.peek('k', TTL, r.render)).toBe(old);
    expect(r.calls()).toBe(2);
    await cache.settled();
    const fresh = cache.peek('k', TTL, r.render)!;
    expect(fresh).not.toBe(old);
    expect(fresh.body.toString()).toBe(big('new'));
    expect(fresh.hash).not.toBe(old.hash);
  });

  it('renders in the request once a body is past its grace (one more ttl)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new BodyCache();
    const r = renderer([big('old'), big('new')]);
    await cache.get('k', TTL, r.render);
    vi.setSystemTime(Date.now() + 2 * TTL + 1);
    expect(cache.peek('k', TTL, r.render)).toBeUndefined();
    expect((await cache.get('k', TTL, r.render)).body.toString()).toBe(big('new'));
  });

  it('a failed background render keeps the stale body and raises nothing', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new BodyCache();
    const old = await cache.get('k', TTL, renderer([big('old')]).render);
    vi.setSystemTime(Date.now() + TTL + 1);
    const failing = async (): Promise<Rendered> => {
      throw new Error('store down');
    };
    expect(cache.peek('k', TTL, failing)).toBe(old);
    expect(cache.stats.pending).toBe(1);
    await cache.settled();
    expect(cache.stats.pending).toBe(0);
    expect(cache.peek('k', TTL, failing)).toBe(old);
  });

  it('a refresh with the same bytes keeps the compressed variants; a changed body has them ready before the swap', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new BodyCache();
    const r = renderer([big('a'), big('a'), big('b')]);
    const first = await cache.get('k', TTL, r.render);
    const gz = await first.compressed('gzip');
    expect(first.bytes('br')).toBeUndefined();

    vi.setSystemTime(Date.now() + TTL + 1);
    cache.peek('k', TTL, r.render);
    await cache.settled();
    const same = cache.peek('k', TTL, r.render)!;
    expect(same).not.toBe(first);
    expect(same.hash).toBe(first.hash);
    expect(same.bytes('gzip')).toBe(gz);

    vi.setSystemTime(Date.now() + TTL + 1);
    cache.peek('k', TTL, r.render);
    await cache.settled();
    const changed = cache.peek('k', TTL, r.render)!;
    expect(changed.hash).not.toBe(first.hash);
    expect(gunzipSync(changed.bytes('gzip')!).toString()).toBe(big('b'));
    expect(changed.bytes('br')).toBeUndefined();
  });

  it('ETags are computed once per body, per encoding, and small bodies are never compressed', async () => {
    const e = new CacheEntry({ body: big('a'), contentType: 'application/json', cacheControl: 'no-cache' }, Infinity);
    expect(e.etag(null)).toBe(`"${e.hash}"`);
    expect(e.etag('gzip')).toBe(`"${e.hash}-gz"`);
    expect(e.etag('br')).toBe(`"${e.hash}-br"`);
    expect(e.encodingFor('br')).toBe('br');
    const small = new CacheEntry({ body: '{}', contentType: 'application/json', cacheControl: 'no-cache' }, Infinity);
    expect(small.encodingFor('br')).toBeNull();
    expect(small.bytes(null)!.toString()).toBe('{}');
  });
});

describe('ready-made answers over HTTP', () => {
  let t: TempStore;
  let app: FastifyInstance;
  /** FeedService's default: how often the server may stat the snapshots directory for a new file. */
  const STAT_INTERVAL_MS = 1000;

  beforeAll(async () => {
    t = await tempStore();
    await fillStore(t.store, makeRecords(6));
    await writeSnapshot(t.dir, makeSnapshot('2025-06-01', null));
    app = await buildServer({ store: t.store, config: testConfig(t.dir, 4), logger: silentLogger });
  });

  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const get = (url: string, encoding?: string, etag?: string) =>
    app.inject({
      url,
      headers: { ...(encoding ? { 'accept-encoding': encoding } : {}), ...(etag ? { 'if-none-match': etag } : {}) },
    });

  it('every encoding of a body decodes to the identity JSON, request after request', async () => {
    for (const url of ['/api/v1/snapshots/latest', '/feed.json']) {
      const plain = await get(url);
      for (let i = 0; i < 2; i++) {
        const gz = await get(url, 'gzip');
        expect(gz.headers['content-encoding']).toBe('gzip');
        expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(JSON.parse(plain.body));
        const br = await get(url, 'br');
        expect(br.headers['content-encoding']).toBe('br');
        expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(plain.body);
        expect((await get(url)).body).toBe(plain.body);
      }
    }
  });

  it('a revalidation is a 304 for the tag of any encoding, without a body', async () => {
    const gz = await get('/api/v1/snapshots/latest', 'gzip');
    const r = await get('/api/v1/snapshots/latest', 'br', gz.headers.etag);
    expect(r.statusCode).toBe(304);
    expect(r.rawPayload.length).toBe(0);
    expect(r.headers.etag).toMatch(/-br"$/);
  });

  it('a new snapshot replaces the ready-made body, its ETag and its compressed variants', async () => {
    const before = await get('/api/v1/snapshots/latest');
    const beforeGz = await get('/api/v1/snapshots/latest', 'gzip');
    await writeSnapshot(t.dir, makeSnapshot('2025-06-02', '2025-06-01'));
    // The server looks at the snapshots directory at most once a second (FeedService statIntervalMs): let the
    // second pass on a fake Date instead of waiting it out.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + STAT_INTERVAL_MS);
    const after = await get('/api/v1/snapshots/latest');
    expect(JSON.parse(after.body).date).toBe('2025-06-02');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const afterGz = await get('/api/v1/snapshots/latest', 'gzip');
    expect(afterGz.headers.etag).not.toBe(beforeGz.headers.etag);
    expect(gunzipSync(afterGz.rawPayload).toString('utf8')).toBe(after.body);
    // The old tag no longer revalidates.
    expect((await get('/api/v1/snapshots/latest', undefined, before.headers.etag as string)).statusCode).toBe(200);
  });
});
