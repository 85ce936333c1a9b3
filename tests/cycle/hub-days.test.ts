// Two simulated days against the strict Hub simulator (it refuses what the real Hub refuses), with what a real daily
// walk meets on day 2: a counter batch landing mid-sweep, pages shorter than the limit, a rename, a model made public
// late and a deletion. Every model is seen on both days, nobody is marked deleted on one sweep, the renamed model
// keeps one history, a deletion needs the detail route's answer, and a list field the Hub starts refusing costs a
// warning, a coverage note and a /healthz line, never the sweep. Both engines.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { refusedFieldsName } from '../../src/cycle/checkpoint-names.js';
import { pollNew, sweepStats } from '../../src/cycle/ingest.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { loadReferenceData } from '../../src/reference-data.js';
import { Redis } from 'ioredis';
import { checkHealth } from '../../src/queue/ops.js';
import { OpsState } from '../../src/queue/state.js';
import { createSource } from '../../src/sources/registry.js';
import { ENGINES, keysSeenOn, simAndStore } from './days-harness.js';

const D1 = '2026-11-20';
const D2 = '2026-11-21';
const D3 = '2026-11-22';
const { registry, licenses } = loadReferenceData();

describe.each(ENGINES)('two Hub days on $name', ({ make }) => {
  const days = simAndStore(make, { seed: 5, models: 3000, day: D1, faults: { huggingface: { rateLimit: null } } });

  const config = () =>
    loadConfig(
      { HUBWATCH_HF_URL: days.sim.urls.huggingface, LOG_LEVEL: 'silent' },
      { sources: { huggingface: { pageSize: 400, backoffMs: 1 } } },
    );
  const visibleKeys = (day: string): Set<string> => {
    const n = days.sim.universe.checkDay(day);
    return new Set([...days.sim.universe.indices(n)].map((i) => `huggingface:${days.sim.universe.idAt(i, n)}`));
  };

  async function runDay(date: string, logger = silentLogger) {
    days.sim.setDay(date);
    const source = createSource('huggingface', { config: config(), logger, rateLimitMode: 'wait' });
    const deps = { store: days.store, registry, licenses, logger, now: () => `${date}T23:59:59.000Z` };
    try {
      await pollNew(deps, source, { date, overlapMinutes: 60 });
      return await sweepStats(deps, source, { date, batchRecords: 700 });
    } finally {
      await source.close();
    }
  }

  it('sees every model once on each day while counts move, renames keep one history, and nothing is deleted on one sweep', async () => {
    const day1 = await runDay(D1);
    expect(day1.complete).toBe(true);
    expect(await keysSeenOn(days.store, D1)).toEqual(visibleKeys(D1));

    const events = days.sim.universe.eventsOn(D2);
    const ren = events.find((e) => e.type === 'rename')!;
    const late = events.find((e) => e.type === 'late-public')!;
    const del = events.find((e) => e.type === 'delete')!;
    expect(ren && late && del).toBeTruthy();
    const before = await days.store.getModel(`huggingface:${ren.id}`);
    expect(before).not.toBeNull();

    // Day 2: the counters move in one batch after the walk's second page, and pages come short.
    days.sim.setFaults('huggingface', { rateLimit: null, counterBatchAfterPage: 2, shortPages: true });
    const day2 = await runDay(D2);
    expect(day2.complete).toBe(true);
    expect(await keysSeenOn(days.store, D2)).toEqual(visibleKeys(D2));
    expect(day2.missing).toBe(1); // the deleted model: missing, not deleted
    expect(day2.deleted).toBe(0);
    expect(await days.store.getModel(`huggingface:${del.id}`)).toMatchObject({ id: del.id });
    expect((await days.store.listModels({ limit: 1000, platform: 'huggingface' })).items.length).toBeGreaterThan(0);

    // The renamed model: one history under its new id, its first sighting kept, not announced as new.
    const renamed = await days.store.getModel(`huggingface:${ren.newId}`);
    expect(await days.store.getModel(`huggingface:${ren.id}`)).toBeNull();
    expect(renamed?.firstSeenAt).toBe(before!.firstSeenAt);
    expect(renamed?.releasedAt).toBe(before!.releasedAt);
    expect((await days.store.statsHistory(`huggingface:${ren.newId}`)).map((p) => p.date)).toEqual([D1, D2]);
    expect(await days.store.renamedTo(`huggingface:${ren.id}`)).toBe(`huggingface:${ren.newId}`);

    // The model made public late: seen on day 2, released when first seen (it is news now, not months ago).
    const lateModel = await days.store.getModel(`huggingface:${late.id}`);
    expect(lateModel?.createdAt).toBe(late.createdAt);
    expect(lateModel?.releasedAt?.slice(0, 10)).toBe(D2);

    // Day 3: the deleted model is absent from a second complete sweep and the detail route answers 401: deleted.
    days.sim.setFaults('huggingface', { rateLimit: null });
    const day3 = await runDay(D3);
    expect(day3.complete).toBe(true);
    expect(day3.deleted).toBe(1);
    const listed = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await days.store.listModels({ limit: 1000, platform: 'huggingface', ...(cursor ? { cursor } : {}) });
      for (const m of page.items) listed.add(m.key);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(listed.has(`huggingface:${del.id}`)).toBe(false);
    expect(listed.size).toBe(
      visibleKeys(D3).size + days.sim.universe.eventsOn(D3).filter((e) => e.type === 'delete').length,
    );
    expect((await days.store.getCoverage(D3)).huggingface?.notes.join('\n')).toMatch(/1 confirmed deleted/);
  }, 120_000);

  it('goes on when the Hub refuses one more list field: a warning, a coverage note and /healthz say what it costs', async () => {
    const date = '2026-11-24';
    days.sim.setFaults('huggingface', { rateLimit: null, hfDrift: { refuseListExpand: ['gguf'] } });
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    try {
      const r = await runDay(date, logger);
      expect(r.complete).toBe(true);
      expect(await keysSeenOn(days.store, date)).toEqual(visibleKeys(date));
    } finally {
      days.sim.setFaults('huggingface', { rateLimit: null });
    }
    const warned = lines.map((l) => JSON.parse(l) as { msg: string; field?: string }).filter((l) => l.field === 'gguf');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]!.msg).toMatch(/refused expand\[\]=gguf.*parameter counts of GGUF repos are null/);
    expect((await days.store.getCoverage(date)).huggingface?.notes.join('\n')).toMatch(/refused the list field gguf/);
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const health = await checkHealth({
      config: config(),
      store: days.store,
      queues: {} as never, // checkHealth reads no queue
      ops: new OpsState(redis, `{hubwatch-test-${process.pid}}`),
      redis,
    }).finally(() => redis.quit());
    expect(health.warnings.join('\n')).toMatch(
      /huggingface: the platform refuses the list field\(s\) gguf since 2026-11-24/,
    );
    expect(health.checks.refusedFields.huggingface?.fields).toEqual([
      { field: 'gguf', cost: 'parameter counts of GGUF repos are null' },
    ]);
    // The next run that meets no refusal clears it.
    await runDay('2026-11-25');
    expect(await days.store.getCheckpoint(refusedFieldsName('huggingface'))).toBeNull();
  }, 120_000);
});
