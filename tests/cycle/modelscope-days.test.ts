// Four ModelScope days through the real sweep and poll into a real store, both engines, against the simulator with
// a depth limit a third of the catalogue: read whole through partitions (day 1), again while counts and update
// times move mid-walk (day 2), read short when the API ignores every partition criterion (day 3: incomplete with
// the numbers, and nobody marked missing although most models were not listed), and whole again (day 4).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { pollNew, sweepStats } from '../../src/cycle/ingest.js';
import { silentLogger } from '../../src/log.js';
import { loadReferenceData } from '../../src/reference-data.js';
import type { SimFaults } from '../../src/sim/index.js';
import { createSource } from '../../src/sources/registry.js';
import { ENGINES, keysSeenOn, simAndStore } from './days-harness.js';

const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'] as const;
const DEPTH = 330;
const { registry, licenses } = loadReferenceData();
const ALL_CRITERIA = ['tasks', 'libraries', 'tags', 'organizations'];

describe.each(ENGINES)('ModelScope days beyond the depth limit on $name', ({ make }) => {
  const days = simAndStore(make, { seed: 5, models: 4000, day: DAYS[0] });

  const visible = (day: string): Set<string> => {
    const ms = days.sim.universe.ms;
    const dayN = days.sim.universe.checkDay(day);
    const out = new Set<string>();
    for (let k = 0; k < ms.size; k++) if (ms.visible(k, dayN)) out.add(`modelscope:${ms.idOf(k)}`);
    return out;
  };

  /** The sweep first (the fault switches count the day's list pages from its first one), then the poll. */
  async function runDay(date: string, faults: SimFaults) {
    days.sim.setDay(date);
    days.sim.setFaults('modelscope', faults);
    const config = loadConfig(
      { HUBWATCH_MODELSCOPE_URL: days.sim.urls.modelscope, LOG_LEVEL: 'silent' },
      { sources: { modelscope: { delayMs: 0, backoffMs: 1, maxRetries: 1 } } },
    );
    const source = createSource('modelscope', { config, logger: silentLogger, rateLimitMode: 'wait' });
    const deps = { store: days.store, registry, licenses, logger: silentLogger, now: () => `${date}T23:59:59.000Z` };
    try {
      const sweep = await sweepStats(deps, source, { date, batchRecords: 400 });
      days.sim.setFaults('modelscope', {});
      const poll = await pollNew(deps, source, { date, overlapMinutes: 60 });
      return { sweep, poll, notes: (await days.store.getCoverage(date)).modelscope?.notes.join('\n') ?? '' };
    } finally {
      await source.close();
    }
  }

  /** Models marked missing at any time (deletion candidates of a far later day). */
  const everMissing = async () =>
    (await days.store.deletionCandidates('modelscope', '2027-01-01', 100_000)).map((c) => c.key);

  it('reads the catalogue whole through partitions, keeps it whole while it moves, and marks nobody missing on an incomplete day', async () => {
    expect(visible(DAYS[0]).size).toBeGreaterThanOrEqual(3 * DEPTH);

    // Day 1: three times the depth limit, read whole through partitions.
    const d1 = await runDay(DAYS[0], { depthLimit: DEPTH });
    expect(d1.sweep.complete).toBe(true);
    expect(await keysSeenOn(days.store, DAYS[0], 'modelscope')).toEqual(visible(DAYS[0]));
    expect(d1.sweep.missing).toBe(0);
    expect(d1.notes).toMatch(/depth limit: a listing serves 330 models at most/);
    expect((await days.store.getCoverage(DAYS[0])).modelscope).toMatchObject({ complete: true, swept: true });
    // The poll's watermark is the newest LastUpdatedTime it read: the field the GmtModified order sorts by.
    expect(d1.poll.watermark).toMatch(/^2026-11-20T\d{2}:\d{2}:\d{2}\.000Z$/);

    // Day 2: counts, update times and the catalogue move after the walk's third page.
    const d2 = await runDay(DAYS[1], { depthLimit: DEPTH, msMoveAfterPage: 3 });
    expect(d2.sweep.complete).toBe(true);
    expect(await keysSeenOn(days.store, DAYS[1], 'modelscope')).toEqual(visible(DAYS[1]));
    expect(d2.sweep.missing).toBe(0);
    expect(d2.notes).toMatch(
      /the order moved during the walk: \d+ models met twice in one listing, [1-9]\d* sightings after an update/,
    );

    // Day 3: every partition criterion ignored. One listing's worth is read; the day is incomplete, with the numbers,
    // and the models it did not list are not marked missing.
    const d3 = await runDay(DAYS[2], { depthLimit: DEPTH, msDrift: { ignoreCriteria: ALL_CRITERIA } });
    const seen3 = await keysSeenOn(days.store, DAYS[2], 'modelscope');
    const all3 = visible(DAYS[2]);
    expect(d3.sweep.complete).toBe(false);
    expect(d3.sweep.missing).toBeUndefined();
    expect(seen3.size).toBeLessThan(all3.size / 2);
    expect((await days.store.getCoverage(DAYS[2])).modelscope).toMatchObject({ complete: false, swept: true });
    const shown = Number(/ModelScope sweep: (\d+) of (\d+) models shown/.exec(d3.notes)![1]);
    expect(d3.notes).toMatch(new RegExp(`ModelScope sweep: ${shown} of ${all3.size} models shown`));
    expect(d3.notes).toMatch(
      new RegExp(
        `incomplete: ${all3.size - shown} of the ${all3.size} models TotalCount announces were not shown;.*nobody is marked missing today`,
      ),
    );
    expect(d3.notes).toMatch(/criteria the platform ignored \(TotalCount unchanged\): tasks on all/);
    expect(await everMissing()).toEqual([]);

    // Day 4: whole again; still nobody missing, and no model lost its history over the short day.
    const d4 = await runDay(DAYS[3], {});
    expect(d4.sweep.complete).toBe(true);
    expect(await keysSeenOn(days.store, DAYS[3], 'modelscope')).toEqual(visible(DAYS[3]));
    expect(d4.sweep.missing).toBe(0);
    expect(await everMissing()).toEqual([]);
    const unseenOnDay3 = [...all3].find((k) => !seen3.has(k))!;
    expect((await days.store.statsHistory(unseenOnDay3)).map((p) => p.date)).toEqual(
      DAYS.filter((d) => d !== DAYS[2] && visible(d).has(unseenOnDay3)),
    );
  }, 180_000);
});
