// Quality flags on their days (stall, counters going backwards, partial files, renames by `_id` and without it),
// never a negative or zero-filled figure; and the seam between dump dates and live dates: daily and 30-day figures of
// every platform read across it, live wins over a dump on the same date and says so. Both engines.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagsOf } from '../../src/backfill/quality.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { writeDumpFolder } from '../../src/sim/dumps.js';
import { snapshotPath } from '../../src/snapshot/files.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { Store } from '../../src/store/types.js';
import { ENGINES } from '../cycle/days-harness.js';
import type { EngineHarness } from '../store/fixtures.js';
import { liveDay, runBackfill, tempDir } from './harness.js';

const DATES = ['2026-10-09', '2026-10-16', '2026-10-23', '2026-10-30', '2026-11-06', '2026-11-13'] as const;
const [Q0, Q1, STALL, BACK, PARTIAL, RENAME] = DATES;

async function fresh(make: () => EngineHarness): Promise<{ store: Store; done(): Promise<void> }> {
  const h = make();
  const store = await h.open();
  return { store, done: async () => (await store.close(), await h.destroy()) };
}

const readSnapshot = async (dir: string, date: string): Promise<Snapshot> =>
  JSON.parse(await readFile(snapshotPath(dir, date), 'utf8')) as Snapshot;
/** Renames among the simulated Hub's own daily events after `from`, up to `to`. */
function universeRenamesBetween(sim: Sim, from: string, to: string): number {
  let n = 0;
  for (let t = Date.parse(`${from}T00:00:00Z`) + 86_400_000; t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    n += sim.universe.eventsOn(new Date(t).toISOString().slice(0, 10)).filter((e) => e.type === 'rename').length;
  }
  return n;
}

const flags = (s: Snapshot): string[] => (s.method.sources?.huggingface?.flags ?? []).map((f) => f.flag);

describe('quality rules', () => {
  it('flags a stall only on most active counters unmoved, backwards on any decrease, partial far below the previous day', () => {
    const base = {
      rowsNow: 1000,
      rowsPrev: 1000,
      bothDays: 1000,
      allTimeCompared: 1000,
      allTimeDecreased: 0,
      activeCompared: 100,
      activeUnmoved: 10,
    };
    expect(flagsOf(base, Q0)).toEqual([]);
    expect(flagsOf({ ...base, activeUnmoved: 51 }, Q0).map((f) => f.flag)).toEqual(['stall']);
    expect(flagsOf({ ...base, activeCompared: 10, activeUnmoved: 10 }, Q0)).toEqual([]); // too few to judge
    expect(flagsOf({ ...base, allTimeDecreased: 1 }, Q0).map((f) => f.flag)).toEqual(['backwards']);
    expect(flagsOf({ ...base, rowsNow: 899 }, Q0).map((f) => f.flag)).toEqual(['partial']);
    expect(flagsOf({ ...base, rowsNow: 950 }, Q0)).toEqual([]);
  });
});

describe.each(ENGINES)('quality flags and the seam on $name', ({ make }) => {
  let sim: Sim;
  const data = tempDir('hubwatch-quality-data-');
  beforeAll(async () => {
    sim = await startSim({ seed: 23, models: 1500, day: RENAME, faults: { huggingface: { rateLimit: null } } });
  });
  afterAll(async () => {
    await sim.close();
    data.remove();
  });

  it.each([false, true])(
    'raises each flag on its day, with _id in the files: %s, and no negative or zero-filled figure',
    async (withObjectId) => {
      const dump = tempDir('hubwatch-quality-dump-');
      const s = await fresh(make);
      try {
        const { traps } = await writeDumpFolder(sim.universe, dump.dir, {
          dates: [...DATES],
          schemaOf: () => 'v2',
          stall: [STALL],
          backwards: [BACK],
          partial: [{ date: PARTIAL, share: 0.3 }],
          renames: [{ date: RENAME, count: 2 }],
          withObjectId,
        });
        const res = await runBackfill(s.store, data.dir, { dump: dump.dir, batchRows: 500 });
        const byDate = Object.fromEntries(res.partitions.map((p) => [p.date, p.flags]));
        expect(
          Object.fromEntries(Object.entries(byDate).map(([d, f]) => [d, f.filter((x) => x !== 'renames')])),
        ).toEqual({
          [Q0]: [],
          [Q1]: [],
          [STALL]: ['stall'],
          [BACK]: ['backwards'],
          [PARTIAL]: ['partial'],
          [RENAME]: [],
        });
        // Renames: the trap's on its date, and the simulated Hub's own renames (its daily events) on the dates after them.
        expect(byDate[RENAME]).toContain('renames');
        for (const [i, d] of DATES.entries()) {
          if (!byDate[d]!.includes('renames') || d === RENAME) continue;
          expect(universeRenamesBetween(sim, DATES[i - 1]!, d), d).toBeGreaterThan(0);
        }

        const stall = await readSnapshot(data.dir, STALL);
        expect(flags(stall)).toContain('stall');
        expect(stall.metrics.downloadsDaily.scopes.all.origin.platforms.huggingface).toBeNull();
        expect(stall.metrics.downloadsDaily.window.huggingface).toMatch(/stall/);

        // The day after a stall measures from the last day that moved; a counter that went down gives no figure.
        const back = await readSnapshot(data.dir, BACK);
        expect(flags(back)).toContain('backwards');
        expect(back.metrics.downloadsDaily.window.huggingface).toBe(`since the snapshot of ${Q1}`);
        expect(back.coverage.huggingface?.anomalies.allTimeDecreased).toBeGreaterThan(0);
        const daily = back.metrics.downloadsDaily.scopes.all.origin.platforms.huggingface!;
        expect(daily.total).toBeGreaterThan(0);
        for (const e of daily.shares) expect(e.value).toBeGreaterThan(0);
        const rows: Array<{ now: number; prev: number }> = [];
        for await (const chunk of s.store.streamSnapshotRows(BACK, { huggingface: Q1 })) {
          for (const r of chunk)
            if (r.downloadsAllTime !== null && r.prevAllTime !== null)
              rows.push({ now: r.downloadsAllTime, prev: r.prevAllTime });
        }
        const decreased = rows.filter((r) => r.now < r.prev).length;
        expect(back.coverage.huggingface?.anomalies.allTimeDecreased).toBe(decreased);
        const upward = rows.filter((r) => r.now >= r.prev).reduce((a, r) => a + r.now - r.prev, 0);
        expect(daily.total).toBeGreaterThanOrEqual(upward); // plus models new since Q1, never minus the decreases

        const partial = await readSnapshot(data.dir, PARTIAL);
        expect(flags(partial)).toContain('partial');
        expect(partial.coverage.huggingface?.complete).toBe(false);
        expect(await s.store.deletionCandidates('huggingface', '2100-01-01', 100_000)).toEqual([]);

        // Renames: one history under the new id, the old id answers with the new one.
        expect(flags(await readSnapshot(data.dir, RENAME))).toContain('renames');
        const renamed = traps.renames.find((r) => r.date === RENAME)!.models;
        expect(renamed).toHaveLength(2);
        for (const m of renamed) {
          expect(await s.store.renamedTo(`huggingface:${m.from}`)).toBe(`huggingface:${m.to}`);
          expect(await s.store.getModel(`huggingface:${m.from}`)).toBeNull();
          const history = (await s.store.statsHistory(`huggingface:${m.to}`)).map((p) => p.date);
          expect(history).toEqual([Q0, Q1, STALL, BACK, ...(history.includes(PARTIAL) ? [PARTIAL] : []), RENAME]);
        }
      } finally {
        await s.done();
        dump.remove();
      }
    },
    180_000,
  );

  it('reads daily and 30-day figures across dump and live dates, and live wins over a dump on the same date, saying so', async () => {
    const dump = tempDir('hubwatch-seam-dump-');
    const s = await fresh(make);
    try {
      // Live on 10-21 (Hub and ModelScope), dumps of the Hub on 10-30, 11-06 and 11-13, live again on 11-20.
      await liveDay(sim, s.store, '2026-10-21', ['huggingface', 'modelscope']);
      await writeDumpFolder(sim.universe, dump.dir, {
        dates: ['2026-10-21', '2026-10-30', '2026-11-06', '2026-11-13'],
        schemaOf: () => 'v2',
      });
      const res = await runBackfill(s.store, data.dir, { dump: dump.dir });
      expect(res.partitions.map((p) => p.date)).toEqual(['2026-10-21', '2026-10-30', '2026-11-06', '2026-11-13']);
      const live = await liveDay(sim, s.store, '2026-11-20', ['huggingface', 'modelscope']);

      // The Hub's daily figure measures from the last dump date, ModelScope's from its own last live day.
      expect(live.metrics.downloadsDaily.window).toMatchObject({
        huggingface: 'since the snapshot of 2026-11-13',
        modelscope: 'since the snapshot of 2026-10-21',
      });
      expect(live.metrics.downloadsDaily.scopes.all.origin.platforms.modelscope?.total).toBeGreaterThan(0);
      expect(live.metrics.downloadsDaily.scopes.all.origin.platforms.huggingface?.total).toBeGreaterThan(0);
      // ModelScope's 30-day window reads the stored day 30 days back, whatever else lies between.
      expect(live.coverage.modelscope?.downloads30dSource).toBe('history');
      expect(live.method.sources?.huggingface?.provenance).toBe('live');

      // 10-21 was live before the dump's partition of that date: the live rows stay, and the date says so.
      const seam = await readSnapshot(data.dir, '2026-10-21');
      expect(seam.method.sources?.huggingface).toMatchObject({ provenance: 'live', rows: { dump: 0 } });
      expect(seam.method.sources?.huggingface?.dump?.liveKept).toBe(seam.method.sources?.huggingface?.rows.live);
      expect(seam.coverage.huggingface?.notes.some((n) => /not written: the date has live figures/.test(n))).toBe(true);
      expect(await s.store.provenanceCounts('2026-10-30')).toMatchObject({ huggingface: { live: 0 } });

      // A live sweep of a dump date replaces the dump's rows (live wins): the date turns live.
      await liveDay(sim, s.store, '2026-11-13', ['huggingface']);
      expect((await s.store.provenanceCounts('2026-11-13')).huggingface?.dump ?? 0).toBe(0);
    } finally {
      await s.done();
      dump.remove();
    }
  }, 180_000);
});
