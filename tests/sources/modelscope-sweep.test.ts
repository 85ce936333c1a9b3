// The ModelScope sweep against the strict simulator over real HTTP: a catalogue three times larger than one listing
// can serve is either read whole through partitions the API honours, or reported incomplete with the numbers; counts
// and update times that move mid-walk are read back by the closing pass; a resumed sweep never claims more than
// the models it was given.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { startSim, type Sim, type SimFaults } from '../../src/sim/index.js';
import { createModelScopeSource, type ModelScopeSource } from '../../src/sources/modelscope/index.js';
import { collect, testConfig } from './helpers.js';

const DAY = '2026-11-21';
const DEPTH = 330;

const sources: ModelScopeSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

describe('ModelScope sweep against the simulator', () => {
  let sim: Sim;
  let visible: Set<string>;

  beforeAll(async () => {
    sim = await startSim({ seed: 5, models: 4000, day: DAY });
    const ms = sim.universe.ms;
    const dayN = sim.universe.checkDay(DAY);
    visible = new Set<string>();
    for (let k = 0; k < ms.size; k++) if (ms.visible(k, dayN)) visible.add(ms.idOf(k));
  });
  afterAll(async () => {
    await sim.close();
  });

  const source = (sweep: Record<string, unknown> = {}) => {
    const s = createModelScopeSource({
      config: testConfig({ modelscope: sim.urls.modelscope }, { modelscope: { pageSize: 100, sweep } }),
      logger: silentLogger,
      rateLimitMode: 'wait',
      http: { keepAliveTimeoutMs: 50, resetMarginMs: 20 },
    });
    sources.push(s);
    return s;
  };

  /** Runs one sweep on a fresh day counter (msMoveAfterPage counts the day's pages) and returns what it gave. */
  async function sweep(faults: SimFaults, sweepConfig: Record<string, unknown> = {}) {
    sim.setDay('2026-11-20');
    sim.setFaults('modelscope', {});
    await collect(source().listNewest()).catch(() => undefined); // one request on another day resets the counter
    sim.setDay(DAY);
    sim.setFaults('modelscope', faults);
    const before = sim.requestCount('modelscope');
    const src = source(sweepConfig);
    const pages = await collect(src.sweep());
    const ids = new Set(pages.flatMap((p) => p.items.map((i) => `${i.Path}/${i.Name}`)));
    const report = src.sweepReport!({ recordsSeen: ids.size, resumed: false });
    return { pages, ids, report, requests: sim.requestCount('modelscope') - before, notes: report.notes.join('\n') };
  }

  it('reads a catalogue one listing reaches in one listing plus one closing page', async () => {
    const r = await sweep({});
    expect(r.ids).toEqual(visible);
    expect(r.report.complete).toBe(true);
    expect(r.requests).toBe(Math.ceil(visible.size / 100) + 1);
    expect(r.notes).toMatch(
      new RegExp(`^ModelScope sweep: ${visible.size} of ${visible.size} models shown against TotalCount`),
    );
    expect(r.notes).not.toMatch(/depth limit/);
  });

  it('reads a catalogue three times the depth limit whole, through partitions whose TotalCounts it checks', async () => {
    expect(visible.size).toBeGreaterThanOrEqual(3 * DEPTH);
    const r = await sweep({ depthLimit: DEPTH });
    expect(r.ids).toEqual(visible);
    expect(r.report.complete).toBe(true);
    expect(r.notes).toMatch(new RegExp(`${visible.size} of ${visible.size} models shown`));
    expect(r.notes).toMatch(
      new RegExp(
        `depth limit: a listing serves ${DEPTH} models at most \\(found on a listing that stopped before its TotalCount\\); partitioned by tasks`,
      ),
    );
    // Partitioning costs requests, not an explosion of them.
    expect(r.requests).toBeLessThan(8 * Math.ceil(visible.size / 100));
    // Every listing asked for stayed within the limit or was split; the filters are the categories the API honours.
    const filters = new Set(
      r.pages.flatMap((p) => [...p.url.matchAll(/&(tasks|libraries|tags|organizations)=/g)].map((m) => m[1])),
    );
    expect([...filters].every((c) => ['tasks', 'libraries', 'tags', 'organizations'].includes(c!))).toBe(true);
    expect(filters.has('tasks')).toBe(true);
  });

  it('with the depth limit known from config, splits at the first page instead of walking into the limit', async () => {
    const found = await sweep({ depthLimit: DEPTH });
    const known = await sweep({ depthLimit: DEPTH }, { depthLimit: DEPTH });
    expect(known.ids).toEqual(visible);
    expect(known.report.complete).toBe(true);
    expect(known.requests).toBeLessThan(found.requests);
    expect(known.notes).toMatch(/sources\.modelscope\.sweep\.depthLimit/);
  });

  it('reports the gap when every partition criterion is ignored: seen, total, why', async () => {
    const r = await sweep({
      depthLimit: DEPTH,
      msDrift: { ignoreCriteria: ['tasks', 'libraries', 'tags', 'organizations'] },
    });
    expect(r.report.complete).toBe(false);
    expect(r.ids.size).toBeLessThan(visible.size);
    const m = /ModelScope sweep: (\d+) of (\d+) models shown/.exec(r.notes)!;
    expect(Number(m[2])).toBe(visible.size);
    expect(Number(m[1])).toBeLessThanOrEqual(r.ids.size);
    expect(Number(m[1])).toBeGreaterThanOrEqual(DEPTH - 100);
    expect(r.notes).toMatch(
      /criteria the platform ignored \(TotalCount unchanged\): tasks on all; libraries on all; tags on all; organizations on all/,
    );
    expect(r.notes).toMatch(
      new RegExp(
        `incomplete: ${visible.size - Number(m[1])} of the ${visible.size} models TotalCount announces were not shown; listings still beyond the depth limit after every partition: all \\(${visible.size} models, ${DEPTH} reachable\\); nobody is marked missing today$`,
      ),
    );
  });

  it('stays complete when counts and update times move mid-walk: what moved is read back at the front', async () => {
    for (const depth of [undefined, DEPTH]) {
      const r = await sweep({ msMoveAfterPage: 3, ...(depth ? { depthLimit: depth } : {}) });
      expect(r.ids, `depth ${depth}`).toEqual(visible);
      expect(r.report.complete, `depth ${depth}`).toBe(true);
      expect(r.notes).toMatch(
        /the order moved during the walk: \d+ models met twice in one listing, \d+ sightings after an update; the closing pass counted [1-9]\d* models/,
      );
    }
  });

  it(
    'resumes from any page: complete when nothing moved, and never claims more models than it was given',
    { timeout: 180_000 },
    async () => {
      const cuts = [1, 4, 5, 6, 12, 25];
      for (const moving of [false, true]) {
        for (const cut of cuts) {
          sim.setDay('2026-11-20');
          await collect(source().listNewest()).catch(() => undefined);
          sim.setDay(DAY);
          sim.setFaults('modelscope', { depthLimit: DEPTH, ...(moving ? { msMoveAfterPage: 3 } : {}) });
          const ids = new Set<string>();
          const a = source();
          let cursor: string | null = null;
          let n = 0;
          for await (const p of a.sweep()) {
            for (const i of p.items) ids.add(`${i.Path}/${i.Name}`);
            cursor = p.next;
            if (++n === cut) break;
          }
          expect(cursor).not.toBeNull();
          const b = source();
          for await (const p of b.sweep({ cursor })) for (const i of p.items) ids.add(`${i.Path}/${i.Name}`);
          const report = b.sweepReport!({ recordsSeen: ids.size, resumed: true });
          const shown = Number(/(\d+) of \d+ models shown/.exec(report.notes[0]!)![1]);
          expect(shown, `cut ${cut}${moving ? ', moving' : ''}`).toBeLessThanOrEqual(ids.size);
          expect(ids, `cut ${cut}`).toEqual(visible);
          if (!moving) expect(report.complete, `cut ${cut}`).toBe(true);
          if (!report.complete)
            expect(report.notes.join('\n')).toMatch(/resumed from a checkpoint.*could not be told apart/s);
          expect(report.notes.join('\n')).toMatch(/resumed from a checkpoint/);
        }
      }
      sim.setFaults('modelscope', {});
    },
  );

  it('stops splitting at its listing budget and says so', async () => {
    const r = await sweep({ depthLimit: DEPTH }, { maxListings: 4 });
    expect(r.report.complete).toBe(false);
    expect(r.notes).toMatch(
      /the plan reached sources\.modelscope\.sweep\.maxListings \(4 listings\) and split nothing further/,
    );
  });

  it('notes models out of LastUpdatedTime order when GmtModified stops sorting by it', async () => {
    const r = await sweep({ msDrift: { unsortedModified: true } });
    expect(r.notes).toMatch(/\d+ models came out of LastUpdatedTime order: GmtModified may not sort by it/);
  });

  it('refuses a cursor that is not its own', async () => {
    await expect(collect(source().sweep({ cursor: '{"not":"ours"}' }))).rejects.toBeInstanceOf(InputError);
  });
});
