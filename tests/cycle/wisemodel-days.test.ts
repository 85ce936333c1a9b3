// WiseModel through the real poll and sweep into a real store, both engines, against the simulator over HTTP:
// GitLab fills releases and likes, the gateway (where an operator configured it) the downloads; without it the
// downloads are null and the day's coverage says why; with only the app shell answering the day is degraded and
// its coverage names `hubwatch probe`. The gateway's downloads endpoint is the simulator's stand-in, configured as an
// operator would configure the real one (src/sim/wisemodel-gateway.ts).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { pollNew, sweepStats } from '../../src/cycle/ingest.js';
import { silentLogger } from '../../src/log.js';
import { loadReferenceData } from '../../src/reference-data.js';
import type { SimFaults } from '../../src/sim/index.js';
import { WM_SIM_DOWNLOADS_PATH } from '../../src/sim/wisemodel-gateway.js';
import { createSource } from '../../src/sources/registry.js';
import type { SnapshotRow, Store } from '../../src/store/types.js';
import { WM_SIM_DOWNLOADS, WM_SIM_KINDS, WM_SIM_LOGIN } from '../support/wisemodel-sim.js';
import { ENGINES, simAndStore } from './days-harness.js';

const D1 = '2026-11-20';
const D2 = '2026-11-21';
const { registry, licenses } = loadReferenceData();

async function rowsOn(store: Store, date: string, prevDate: string | null = null): Promise<Map<string, SnapshotRow>> {
  const out = new Map<string, SnapshotRow>();
  for await (const chunk of store.streamSnapshotRows(date, prevDate, 1000))
    for (const r of chunk) if (r.platform === 'wisemodel') out.set(r.key, r);
  return out;
}

describe.each(ENGINES)('WiseModel days on $name', ({ make }) => {
  const days = simAndStore(make, { seed: 21, models: 6000, day: D1 });

  async function runDay(
    date: string,
    wisemodel: Record<string, unknown>,
    env: Record<string, string> = {},
    faults: SimFaults = {},
  ) {
    days.sim.setDay(date);
    days.sim.setFaults('wisemodel', faults);
    const config = loadConfig(
      { HUBWATCH_WISEMODEL_URL: days.sim.urls.wisemodel, LOG_LEVEL: 'silent', ...env },
      { sources: { wisemodel: { delayMs: 0, backoffMs: 1, maxRetries: 1, ...wisemodel } } },
    );
    const source = createSource('wisemodel', { config, logger: silentLogger, rateLimitMode: 'wait' });
    const deps = { store: days.store, registry, licenses, logger: silentLogger, now: () => `${date}T23:59:59.000Z` };
    try {
      const poll = await pollNew(deps, source, { date, overlapMinutes: 120 });
      const sweep = await sweepStats(deps, source, { date, batchRecords: 100 });
      return { poll, sweep };
    } finally {
      await source.close();
    }
  }

  const modelIds = (date: string): string[] => {
    const n = days.sim.universe.checkDay(date);
    return days.sim.universe.wm.list(n, 'newest').map((k) => `wisemodel:${days.sim.universe.wm.idOf(k)}`);
  };

  it('two days with the gateway configured: every model stored with its release time, likes and downloads', async () => {
    const settings = { gitlab: { kinds: WM_SIM_KINDS }, gateway: { downloads: WM_SIM_DOWNLOADS } };
    const env = { WISEMODEL_TOKEN: WM_SIM_LOGIN };
    const faults = { wmDrift: { datasetTopic: true } };
    const day1 = await runDay(D1, settings, env, faults);
    expect(day1.sweep.complete).toBe(true);
    // The first poll reads back to the start of the day (whole pages): at least the models created that day, and
    // its watermark is the newest model's creation time.
    const n1 = days.sim.universe.checkDay(D1);
    const wm = days.sim.universe.wm;
    const newest = wm.list(n1, 'newest');
    const createdOnD1 = newest.filter((k) => new Date(wm.created[k]! * 1000).toISOString().slice(0, 10) === D1).length;
    expect(day1.poll.newModels).toBeGreaterThanOrEqual(createdOnD1);
    expect(day1.poll.watermark).toBe(new Date(wm.created[newest[0]!]! * 1000).toISOString());

    const rows1 = await rowsOn(days.store, D1);
    expect([...rows1.keys()].sort()).toEqual(modelIds(D1).sort());
    for (const k of wm.list(n1, 'newest')) {
      const r = rows1.get(`wisemodel:${wm.idOf(k)}`)!;
      expect(r.likes).toBe(wm.likes(k, n1));
      expect(r.downloadsAllTime).toBe(wm.downloads(k, n1));
      expect(r.createdAt).toBe(new Date(wm.created[k]! * 1000).toISOString());
    }
    const cov1 = (await days.store.getCoverage(D1)).wisemodel!;
    expect(cov1).toMatchObject({ complete: true, swept: true, degraded: false, quarantined: 0, incomplete: 0 });
    expect(cov1.notes.join('\n')).toMatch(/through GitLab's projects list/);
    expect(cov1.notes.join('\n')).toMatch(new RegExp(`downloads from the gateway endpoint ${WM_SIM_DOWNLOADS_PATH}`));

    const day2 = await runDay(D2, settings, env, faults);
    expect(day2.sweep.complete).toBe(true);
    // Day 2's poll reads down to yesterday's watermark (less the overlap): the models created since are new.
    const n2 = days.sim.universe.checkDay(D2);
    expect(day2.poll.newModels).toBe(wm.list(n2, 'newest').length - newest.length);
    const rows2 = await rowsOn(days.store, D2, D1);
    expect([...rows2.keys()].sort()).toEqual(modelIds(D2).sort());
    const k = wm.list(n1, 'downloads')[0]!;
    const r2 = rows2.get(`wisemodel:${wm.idOf(k)}`)!;
    expect(r2.downloadsAllTime).toBe(wm.downloads(k, n2));
    expect(r2.prevAllTime).toBe(wm.downloads(k, n1));
    // Yesterday's models released yesterday, today's today.
    const released = [...rows2.values()].filter((r) => r.releasedAt?.slice(0, 10) === D2).length;
    expect(released).toBe(
      wm.list(n2, 'newest').filter((x) => new Date(wm.created[x]! * 1000).toISOString().slice(0, 10) === D2).length,
    );
  }, 120_000);

  it('without a gateway endpoint: likes stored, downloads null, and the coverage says why and what to set', async () => {
    const date = '2026-11-22';
    const { sweep } = await runDay(date, { gitlab: { kinds: WM_SIM_KINDS } }, {}, { wmDrift: { datasetTopic: true } });
    expect(sweep.complete).toBe(true);
    const rows = await rowsOn(days.store, date);
    expect(rows.size).toBe(modelIds(date).length);
    expect([...rows.values()].every((r) => r.downloadsAllTime === null && r.likes !== null)).toBe(true);
    const notes = (await days.store.getCoverage(date)).wisemodel!.notes.join('\n');
    expect(notes).toMatch(
      /downloads are null: no gateway endpoint for downloads is configured \(sources\.wisemodel\.gateway\.downloads\)/,
    );
    expect(notes).toMatch(/hubwatch probe --platform wisemodel/);
  }, 60_000);

  it('with only the app shell answering: the day is degraded and incomplete, its coverage names the probe, nobody is marked missing', async () => {
    const date = '2026-11-23';
    const { poll, sweep } = await runDay(date, {}, {}, { wmDrift: { gitlab: 'absent' } });
    expect(poll.models).toBe(0);
    expect(sweep.complete).toBe(false);
    expect(sweep.missing).toBeUndefined();
    const cov = (await days.store.getCoverage(date)).wisemodel!;
    expect(cov).toMatchObject({ complete: false, swept: true, degraded: true });
    const notes = cov.notes.join('\n');
    expect(notes).toContain('Run `hubwatch probe --platform wisemodel`');
    expect(notes).toMatch(
      /sources\.wisemodel\.gitlab\.url .* sources\.wisemodel\.gateway\.downloads .* WISEMODEL_TOKEN/,
    );
    const q = await days.store.listQuarantine(10, 'wisemodel');
    expect(q.some((e) => e.kind === 'page' && e.reason.includes('hubwatch probe --platform wisemodel'))).toBe(true);
    expect((await rowsOn(days.store, date)).size).toBe(0);
  }, 60_000);
});
