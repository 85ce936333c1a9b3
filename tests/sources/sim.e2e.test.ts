// End to end: the three adapters against the platform simulator (src/sim) over real loopback HTTP.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageFailedError, PermanentHttpError, RateLimitedError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { loadReferenceData } from '../../src/reference-data.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { createHuggingFaceSource } from '../../src/sources/huggingface/index.js';
import { createModelScopeSource } from '../../src/sources/modelscope/index.js';
import { createSource } from '../../src/sources/registry.js';
import type { Source, SourcePage } from '../../src/sources/types.js';
import { createWiseModelSource } from '../../src/sources/wisemodel/index.js';
import type { WiseModelInput } from '../../src/sources/wisemodel/schema.js';
import { collect, testConfig } from './helpers.js';

const HTTP = { keepAliveTimeoutMs: 50, resetMarginMs: 50 };
const ctx = () => ({ ...loadReferenceData(), now: '2026-11-20T12:00:00.000Z', backfill: false });

async function drain<T>(src: Source<T>, it: AsyncIterable<SourcePage<T>>) {
  const pages = await collect(it);
  await src.close();
  return pages;
}

describe('Hugging Face adapter against the simulator', () => {
  let sim: Sim;
  let expected: number;
  beforeAll(async () => {
    sim = await startSim({ models: 5000, seed: 11 });
    expected = sim.universe.count(sim.universe.checkDay(sim.day()));
  });
  afterAll(async () => {
    await sim.close();
  });

  const hf = (over: Record<string, unknown> = {}, mode: 'wait' | 'throw' = 'wait') =>
    createHuggingFaceSource({
      config: testConfig({ huggingface: sim.urls.huggingface }, { huggingface: { pageSize: 1000, ...over } }),
      logger: silentLogger,
      rateLimitMode: mode,
      http: HTTP,
    });

  it('pages through every model exactly once via Link, with no 429 under the default 500/300 s window', async () => {
    sim.setFaults('huggingface', {}); // default rate limit: 500 requests per 300 s
    const before = sim.requestCount('huggingface');
    const src = hf();
    const pages = await drain(src, src.sweep());
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    expect(pages.every((p) => p.quarantine.length === 0)).toBe(true);
    expect(pages.at(-1)!.next).toBeNull();
    expect(src.counters).toMatchObject({ pages: Math.ceil(expected / 1000), http429: 0, errors: 0 });
    expect(sim.requestCount('huggingface') - before).toBe(src.counters.requests);
    // createdAt order, newest first: the order that holds still while counters move
    const created = pages.flatMap((p) => p.items.map((i) => Date.parse(i.createdAt!)));
    expect(created.every((d, i) => i === 0 || created[i - 1]! >= d)).toBe(true);
    expect(pages[0]!.items[0]!.downloadsAllTime).toBeGreaterThanOrEqual(pages[0]!.items[0]!.downloads!);
  });

  it('normalises every swept model (hostile strings included) through the registry', async () => {
    sim.setFaults('huggingface', { hostileRate: 0.2 });
    const src = hf();
    const pages = await drain(src, src.sweep());
    const c = ctx();
    const recs = pages.flatMap((p) => p.items.map((i) => src.normalise(i, c)));
    expect(recs).toHaveLength(expected);
    expect(recs.every((r) => r.key === `huggingface:${r.id}`)).toBe(true);
    expect(recs.some((r) => r.lineage.relation !== 'base')).toBe(true);
  });

  it('resumes from a next cursor exactly after the last page read', async () => {
    sim.setFaults('huggingface', {});
    const full = hf({ pageSize: 700 });
    const all = (await drain(full, full.sweep())).flatMap((p) => p.items.map((i) => i.id));
    const first = hf({ pageSize: 700 });
    const head: string[] = [];
    let cursor: string | null = null;
    for await (const p of first.sweep()) {
      head.push(...p.items.map((i) => i.id));
      cursor = p.next;
      if (head.length >= 1400) break; // interrupted after two pages
    }
    await first.close();
    expect(cursor).toMatch(/cursor=/);
    const rest = hf({ pageSize: 700 });
    const tail = (await drain(rest, rest.sweep({ cursor }))).flatMap((p) => p.items.map((i) => i.id));
    expect([...head, ...tail]).toEqual(all);
  });

  it('retries 5xx bursts and truncated bodies, and still sees every model once', async () => {
    sim.setFaults('huggingface', { error5xxRate: 0.15, truncateRate: 0.15 });
    const src = hf({ pageSize: 250, maxRetries: 8 });
    const pages = await drain(src, src.sweep());
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(expected);
    expect(ids).toHaveLength(expected);
    expect(src.counters.errors).toBeGreaterThan(0);
    expect(src.counters.requests).toBe(src.counters.pages + src.counters.errors);
  });

  it('ends with PageFailedError when a page keeps failing', async () => {
    sim.setFaults('huggingface', { error5xxRate: 1 });
    const src = hf({ maxRetries: 2 });
    await expect(drain(src, src.sweep())).rejects.toBeInstanceOf(PageFailedError);
    expect(src.counters).toMatchObject({ requests: 3, errors: 3, pages: 0 });
  });

  it('quarantines malformed items with reasons while the rest of each page goes on', async () => {
    sim.setFaults('huggingface', { malformedRate: 0.05 });
    const src = hf();
    const pages = await drain(src, src.sweep());
    const good = pages.reduce((n, p) => n + p.items.length, 0);
    const incomplete = pages.reduce((n, p) => n + (p.incomplete ?? 0), 0);
    const bad = pages.flatMap((p) => p.quarantine);
    expect(good + bad.length).toBe(expected);
    // Only an item without an id cannot be read; a null count, a wrong type or no createdAt leaves a record with nulls.
    expect(bad.length).toBeGreaterThan(0);
    expect(incomplete).toBeGreaterThan(bad.length);
    expect(incomplete + bad.length).toBeGreaterThan(expected * 0.02);
    expect(
      bad.every((q) => q.kind === 'item' && q.platform === 'huggingface' && q.ref?.startsWith(sim.urls.huggingface)),
    ).toBe(true);
    expect(new Set(bad.map((q) => q.reason.replace(/^.*#\d+: /, '')))).toEqual(new Set(['id: missing']));
  });

  it('fetches one model through modelInfo', async () => {
    sim.setFaults('huggingface', {});
    const src = hf();
    const [page] = await collect(src.listNewest());
    const id = page!.items[0]!.id;
    const m = await src.fetchModel(id);
    expect(m.id).toBe(id);
    expect(typeof m.downloadsAllTime).toBe('number');
    await expect(src.fetchModel('nobody-at-all/none')).rejects.toBeInstanceOf(PermanentHttpError);
    await src.close();
  });
});

describe('Hugging Face pacing under a tiny window (5 requests per 2 s)', () => {
  let sim: Sim;
  let expected: number;
  beforeAll(async () => {
    sim = await startSim({ models: 800, seed: 5, faults: { huggingface: { rateLimit: { max: 5, windowMs: 2000 } } } });
    expected = sim.universe.count(sim.universe.checkDay(sim.day()));
  });
  afterAll(async () => {
    await sim.close();
  });
  const hf = (mode: 'wait' | 'throw') =>
    createHuggingFaceSource({
      config: testConfig({ huggingface: sim.urls.huggingface }, { huggingface: { pageSize: 100 } }),
      logger: silentLogger,
      rateLimitMode: mode,
      http: HTTP,
    });
  /** Another client spends the window's whole quota first. */
  async function noisyNeighbour(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const r = await request(`${sim.urls.huggingface}/api/models?limit=1`);
      await r.body.dump();
    }
  }

  it('paces itself: a sweep of several windows meets no 429 of its own', async () => {
    sim.setFaults('huggingface', { rateLimit: { max: 5, windowMs: 2000 } });
    const src = hf('wait');
    const pages = await drain(src, src.sweep());
    expect(pages.flatMap((p) => p.items)).toHaveLength(expected);
    expect(src.counters.http429).toBe(0);
    expect(src.http.windowWaits).toBeGreaterThanOrEqual(1);
  });

  it('absorbs a 429 in wait mode (the wait is not a retry)', async () => {
    sim.setFaults('huggingface', { rateLimit: { max: 5, windowMs: 2000 } });
    await noisyNeighbour();
    const src = createHuggingFaceSource({
      config: testConfig({ huggingface: sim.urls.huggingface }, { huggingface: { pageSize: 100, maxRetries: 0 } }),
      logger: silentLogger,
      rateLimitMode: 'wait',
      http: HTTP,
    });
    const pages = await drain(src, src.sweep());
    expect(new Set(pages.flatMap((p) => p.items.map((i) => i.id))).size).toBe(expected);
    expect(src.counters.http429).toBe(1);
    expect(src.counters.errors).toBe(0);
  });

  it('surfaces the 429 as RateLimitedError with the wait in throw mode', async () => {
    sim.setFaults('huggingface', { rateLimit: { max: 5, windowMs: 2000 } });
    await noisyNeighbour();
    const src = hf('throw');
    const err = await drain(src, src.sweep()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((err as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(2000 + HTTP.resetMarginMs);
    expect(src.counters.http429).toBe(1);
  });
});

describe('ModelScope adapter against the simulator', () => {
  let sim: Sim;
  let expected: number;
  beforeAll(async () => {
    sim = await startSim({ models: 4000, seed: 3 });
    expected = sim.universe.ms.countAt(sim.day());
  });
  afterAll(async () => {
    await sim.close();
  });
  const ms = (over: Record<string, unknown> = {}) =>
    createModelScopeSource({
      config: testConfig({ modelscope: sim.urls.modelscope }, { modelscope: { pageSize: 100, ...over } }),
      logger: silentLogger,
      rateLimitMode: 'wait',
      http: HTTP,
    });

  it('sweeps by GmtModified page by page, each model once, then reads the front again (the closing pass)', async () => {
    sim.setFaults('modelscope', {});
    const src = ms();
    const pages = await drain(src, src.sweep());
    // The walk's pages, then the closing pass: page 1 again, which holds no model changed since the walk began.
    const walk = pages.slice(0, -1);
    const ids = walk.flatMap((p) => p.items.map((i) => `${i.Path}/${i.Name}`));
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    expect(pages.at(-1)!.next).toBeNull();
    expect(pages.at(-1)!.items.map((i) => i.Name)).toEqual(pages[0]!.items.map((i) => i.Name));
    expect(walk.slice(0, -1).every((p) => p.items.length === 100)).toBe(true);
    const t = walk.flatMap((p) => p.items.map((i) => Number(i.LastUpdatedTime)));
    expect(t.every((d, i) => i === 0 || t[i - 1]! >= d)).toBe(true);
  });

  it('keeps @revision base ids as given, and the normaliser strips the revision', async () => {
    sim.setFaults('modelscope', {});
    const src = ms();
    const items = (await drain(src, src.sweep())).flatMap((p) => p.items);
    const pinned = items.filter((i) =>
      (Array.isArray(i.BaseModel) ? i.BaseModel : [i.BaseModel ?? '']).some((b) => b.includes('@')),
    );
    expect(pinned.length).toBeGreaterThan(0);
    const rec = src.normalise(pinned[0]!, ctx());
    expect(rec.lineage.baseModels.length).toBeGreaterThan(0);
    expect(rec.lineage.baseModels.every((k) => !k.includes('@'))).toBe(true);
  });

  it('quarantines malformed records and retries busy refusals, 5xx and truncated bodies', async () => {
    sim.setFaults('modelscope', { malformedRate: 0.05, businessErrorRate: 0.1, error5xxRate: 0.1, truncateRate: 0.1 });
    const src = ms({ maxRetries: 8 });
    const pages = (await drain(src, src.sweep())).slice(0, -1); // without the closing pass's page 1
    const good = pages.reduce((n, p) => n + p.items.length, 0);
    const bad = pages.flatMap((p) => p.quarantine);
    expect(good + bad.length).toBe(expected);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.map((q) => q.reason).join('\n')).toMatch(/Downloads|Path|Name/);
    expect(src.counters.errors).toBeGreaterThan(0);
  });

  it('fetches one model, and an unknown one is PermanentHttpError with 模型不存在', async () => {
    sim.setFaults('modelscope', {});
    const src = ms();
    const [page] = await collect(src.listNewest());
    const first = page!.items[0]!;
    const m = await src.fetchModel(`${first.Path}/${first.Name}`);
    expect(m.Name).toBe(first.Name);
    const err = await src.fetchModel('nobody/nothing-here').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentHttpError);
    expect((err as Error).message).toContain('模型不存在');
    await src.close();
  });
});

// The HTML fallback against the simulator's fixture pages (`wmHtmlFixture`: invented pages, since WiseModel's real
// ones are client-rendered); the GitLab strategy has its own file (wisemodel-gitlab.test.ts).
describe('WiseModel HTML fallback against the simulator', () => {
  let sim: Sim;
  let expected: number;
  const FIXTURE = { wmHtmlFixture: true } as const;
  beforeAll(async () => {
    sim = await startSim({ models: 6000, seed: 9 });
    expected = sim.universe.wm.list(sim.universe.checkDay(sim.day()), 'downloads').length;
  });
  afterAll(async () => {
    await sim.close();
  });
  const wm = () =>
    createWiseModelSource({
      config: testConfig({ wisemodel: sim.urls.wisemodel }, { wisemodel: { delayMs: 2, strategies: ['html'] } }),
      logger: silentLogger,
      rateLimitMode: 'wait',
      http: HTTP,
    });

  it('reads the same catalogue from embedded-state pages, server-rendered pages and a mix', async () => {
    sim.setFaults('wisemodel', FIXTURE);
    const seen: Record<string, string[]> = {};
    for (const form of ['embedded', 'html', 'mixed'] as const) {
      sim.setWisemodelForm(form);
      const src = wm();
      const pages = await drain(src, src.sweep());
      expect(pages.every((p) => !p.degraded && p.quarantine.length === 0)).toBe(true);
      seen[form] = pages.flatMap((p) => p.items.map((i) => `${i.owner}/${i.name}:${i.downloads}:${i.createdAt}`));
    }
    expect(seen.embedded).toHaveLength(expected);
    expect(new Set(seen.embedded).size).toBe(expected);
    expect(seen.html).toEqual(seen.embedded);
    expect(seen.mixed).toEqual(seen.embedded);
  });

  it('listNewest gives models with base models and tags in both forms, newest first', async () => {
    sim.setFaults('wisemodel', FIXTURE);
    for (const form of ['embedded', 'html'] as const) {
      sim.setWisemodelForm(form);
      const src = wm();
      const it = src.listNewest()[Symbol.asyncIterator]();
      const page = (await it.next()).value as SourcePage<WiseModelInput>;
      await it.return?.(undefined);
      await src.close();
      expect(page.items.length).toBe(24);
      expect(page.items.filter((i) => !Array.isArray(i.baseModels) || !Array.isArray(i.tags))).toEqual([]);
      const times: string[] = page.items.map((i) => src.orderTime(i)!);
      expect(times.every((t: string, i: number) => i === 0 || times[i - 1]! >= t)).toBe(true);
      const rec = src.normalise(page.items[0]!, ctx());
      expect(rec.key).toBe(`wisemodel:${page.items[0]!.owner}/${page.items[0]!.name}`);
    }
  });

  it('is loud about layout drift: degraded page, logged, quarantined whole', async () => {
    sim.setFaults('wisemodel', { ...FIXTURE, layoutDrift: true });
    const src = wm();
    const pages = await drain(src, src.sweep());
    expect(pages).toHaveLength(1);
    expect(pages[0]!.degraded).toBe(true);
    expect(pages[0]!.items).toEqual([]);
    expect(pages[0]!.quarantine).toEqual([
      expect.objectContaining({
        kind: 'page',
        platform: 'wisemodel',
        reason: expect.stringContaining('matched nothing'),
      }),
    ]);
    expect(pages[0]!.quarantine[0]!.payload).toContain('repo-card');
  });

  it('marks pages with models missing downloads degraded, keeping the good ones', async () => {
    sim.setFaults('wisemodel', { ...FIXTURE, malformedRate: 0.1 });
    sim.setWisemodelForm('mixed');
    const src = wm();
    const pages = await drain(src, src.sweep());
    const bad = pages.filter((p) => p.degraded);
    expect(bad.length).toBeGreaterThan(0);
    const items = pages.reduce((n, p) => n + p.items.length, 0);
    const rejected = pages.flatMap((p) => p.quarantine.filter((q) => q.kind === 'item'));
    expect(items + rejected.length).toBe(expected);
    expect(rejected.every((q) => /downloads/.test(q.reason))).toBe(true);
  });

  it('falls back to the fixture pages by itself when the GitLab list is closed', async () => {
    sim.setFaults('wisemodel', { ...FIXTURE, wmDrift: { gitlab: 'closed' } });
    sim.setWisemodelForm('mixed');
    const src = createWiseModelSource({
      config: testConfig({ wisemodel: sim.urls.wisemodel }, { wisemodel: { delayMs: 2 } }),
      logger: silentLogger,
      rateLimitMode: 'wait',
      http: HTTP,
    });
    const pages = await drain(src, src.sweep());
    expect(src.strategy).toBe('html');
    expect(pages.reduce((n, p) => n + p.items.length, 0)).toBe(expected);
  });

  it('reads the simulator robots.txt and obeys it', async () => {
    sim.setFaults('wisemodel', FIXTURE);
    const src = wm();
    const rules = await src.robots();
    expect(rules.isAllowed('/models?page=1&sort=downloads')).toBe(true);
    expect(rules.isAllowed('/gateway/project/api/v1/listfiles')).toBe(false);
    await src.close();
  });
});

describe('registry', () => {
  it('creates each platform source from the config', async () => {
    const sim = await startSim({ models: 200, seed: 1 });
    try {
      const config = testConfig(sim.urls);
      for (const platform of ['huggingface', 'modelscope', 'wisemodel'] as const) {
        const src = createSource(platform, { config, logger: silentLogger, rateLimitMode: 'wait' });
        expect(src.platform).toBe(platform);
        const it = src.sweep()[Symbol.asyncIterator]();
        const first = await it.next();
        await it.return?.(undefined);
        expect((first.value as SourcePage<unknown>).items.length).toBeGreaterThan(0);
        await src.close();
      }
    } finally {
      await sim.close();
    }
  });
});
