// A 1,000,000-model Hugging Face catalogue: built within memory bounds and paged end to end at limit 1000.
// Timings are printed, not asserted (shared machines vary); counts and uniqueness are asserted.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';

const MODELS = 1_000_000;

describe('simulator at 1,000,000 models', () => {
  let sim: Sim;
  let buildMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    sim = await startSim({ seed: 1, models: MODELS, faults: { huggingface: { rateLimit: null } } });
    buildMs = performance.now() - t0;
  }, 180_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('pages the whole catalogue at limit 1000, every model exactly once', async () => {
    const expected = sim.universe.count(sim.universe.checkDay(sim.day()));
    expect(expected).toBeGreaterThan(MODELS * 0.98);
    const seen = new Uint8Array(sim.universe.capacity);
    let url: string | undefined = `${sim.urls.huggingface}/api/models?sort=downloads&limit=1000&expand[]=downloads&expand[]=likes&expand[]=createdAt`;
    let n = 0;
    let pages = 0;
    let bytes = 0;
    let prev = Infinity;
    // Counted rather than asserted per item: three million expect() calls would dominate the measurement.
    let duplicates = 0;
    let outOfOrder = 0;
    const t0 = performance.now();
    while (url) {
      const res = await request(url);
      expect(res.statusCode).toBe(200);
      const text = await res.body.text();
      bytes += text.length;
      const items = JSON.parse(text) as Array<{ _id: string; downloads: number }>;
      for (const x of items) {
        const i = parseInt(x._id.slice(8, 16), 16);
        if (seen[i]) duplicates++;
        seen[i] = 1;
        if (x.downloads > prev) outOfOrder++;
        prev = x.downloads;
      }
      n += items.length;
      pages++;
      const link = res.headers.link as string | undefined;
      url = link ? /<([^>]+)>; rel="next"/.exec(link)?.[1] : undefined;
    }
    const ms = performance.now() - t0;
    expect(duplicates).toBe(0);
    expect(outOfOrder).toBe(0);
    expect(n).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 1000));
    const t1 = performance.now();
    let full = 0;
    let next: string | undefined = `${sim.urls.huggingface}/api/models?sort=createdAt&limit=1000`;
    for (let p = 0; p < 20 && next; p++) {
      const res: Awaited<ReturnType<typeof request>> = await request(next);
      full += (JSON.parse(await res.body.text()) as unknown[]).length;
      next = (res.headers.link as string | undefined)?.match(/<([^>]+)>/)?.[1];
    }
    const fullMs = performance.now() - t1;
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `[sim scale] build ${Math.round(buildMs)} ms; paged ${n} models in ${pages} pages, ${Math.round(ms)} ms ` +
        `(${Math.round(n / (ms / 1000))} models/s, ${Math.round(bytes / pages / 1024)} KiB/page, 3 expanded fields); ` +
        `default fields: ${Math.round(full / (fullMs / 1000))} models/s; RSS ${Math.round(rss)} MiB (server and client in one process)`,
    );
  }, 600_000);
});
