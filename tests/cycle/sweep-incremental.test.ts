// A daily sweep writes only the figures of models whose fingerprint did not change. Whatever it skips, the store
// must end up exactly as if every model had been normalised and written whole: two stores sweep the same simulated
// days, one with fingerprints and one without, and must agree on every model and every stats row. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { sweepStats } from '../../src/cycle/ingest.js';
import { silentLogger } from '../../src/log.js';
import type { NormalisedRecord } from '../../src/model.js';
import { buildRegistry } from '../../src/normalise/registry.js';
import { loadReferenceData } from '../../src/reference-data.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { createSource } from '../../src/sources/registry.js';
import type { Source } from '../../src/sources/types.js';
import type { SnapshotRow, Store } from '../../src/store/types.js';
import { ENGINES, type EngineHarness } from '../store/fixtures.js';

const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22'];
const { registry, licenses } = loadReferenceData();

async function everyModel(store: Store): Promise<NormalisedRecord[]> {
  const out: NormalisedRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listModels({ limit: 1000, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (!page.nextCursor) return out.sort((a, b) => (a.key < b.key ? -1 : 1));
    cursor = page.nextCursor;
  }
}

async function dayRows(store: Store, date: string, prev: string | null): Promise<SnapshotRow[]> {
  const rows: SnapshotRow[] = [];
  for await (const chunk of store.streamSnapshotRows(date, prev, 1000)) rows.push(...chunk);
  return rows.sort((a, b) => (a.key < b.key ? -1 : 1));
}

describe.each(ENGINES)('daily sweeps on $name', ({ make }) => {
  let sim: Sim;
  const harnesses: EngineHarness[] = [];

  beforeAll(async () => {
    sim = await startSim({ seed: 11, models: 4000, day: DAYS[0], faults: { huggingface: { rateLimit: null } } });
  });
  afterAll(async () => {
    await sim.close();
    for (const h of harnesses) await h.destroy();
  });

  it('skips unchanged models and stores exactly what a full rewrite stores', async () => {
    const config = loadConfig({ HUBWATCH_HF_URL: sim.urls.huggingface, LOG_LEVEL: 'silent' }, {});
    const open = async () => {
      const h = make();
      harnesses.push(h);
      return h.open();
    };
    const [fast, full] = [await open(), await open()];
    try {
      for (const [i, date] of DAYS.entries()) {
        sim.setDay(date);
        const deps = (store: Store) => ({
          store,
          registry,
          licenses,
          logger: silentLogger,
          now: () => `${date}T23:59:59.000Z`,
        });
        const source = createSource('huggingface', { config, logger: silentLogger, rateLimitMode: 'wait' });
        // The same adapter without `sight`: every model normalised and written whole, as before fingerprints.
        const plain: Source = { ...source, sight: undefined };
        try {
          // Small batches: several commits a day, so keys move between batches as the catalogue reorders.
          const a = await sweepStats(deps(fast), source, { date, batchRecords: 1500 });
          const b = await sweepStats(deps(full), plain, { date, batchRecords: 1500 });
          expect(a.complete && b.complete).toBe(true);
          expect(a.models).toBe(b.models);
          expect(b.unchanged).toBe(0);
          if (i === 0) expect(a.unchanged).toBe(0);
          else expect(a.unchanged).toBeGreaterThan(a.models * 0.8);
          expect(a.unchanged).toBeLessThan(a.models);
        } finally {
          await source.close();
        }
        expect(await dayRows(fast, date, DAYS[i - 1] ?? null)).toEqual(await dayRows(full, date, DAYS[i - 1] ?? null));
      }
      expect(await everyModel(fast)).toEqual(await everyModel(full));
      // A registry that says something else changes every fingerprint: the next sweep rewrites every model.
      const other = buildRegistry(
        registry.entries.map((e, i) => (i === 0 ? { ...e, entry: { ...e.entry, notes: 'reviewed again' } } : e)),
      );
      const source = createSource('huggingface', { config, logger: silentLogger, rateLimitMode: 'wait' });
      try {
        const again = await sweepStats({ store: fast, registry: other, licenses, logger: silentLogger }, source, {
          date: '2026-11-23',
        });
        expect(again.unchanged).toBe(0);
      } finally {
        await source.close();
      }
    } finally {
      await fast.close();
      await full.close();
    }
  }, 120_000);
});
