// Job Schedulers against the real Redis: idempotent across restarts and replicas, patterns and time zone from
// config, disabled platforms dropped, bad patterns refused at start; and the date rule of the daily flow.
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { ConfigError } from '../../src/errors.js';
import { QUEUE_NAMES } from '../../src/queue/names.js';
import { DEFAULT_TUNING, closeQueues, createQueues, type QueueSet } from '../../src/queue/queues.js';
import { nextFireTimes, registerSchedulers } from '../../src/queue/schedules.js';
import { dailySnapshotDate } from '../../src/queue/flows.js';
import { triggerPoll } from '../../src/queue/produce.js';
import { REDIS_URL, cleanupPrefix, testConfig, uniquePrefix } from './helpers.js';

const env = { REDIS_URL, LOG_LEVEL: 'silent', HUBWATCH_DATA_DIR: '/tmp/hubwatch-queue-unused' };

describe('job schedulers', () => {
  const open: Array<{ conn: Redis; queues: QueueSet }> = [];
  const prefixes: string[] = [];

  function replica(prefix: string): QueueSet {
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const queues = createQueues(conn, prefix, silentLogger, DEFAULT_TUNING);
    open.push({ conn, queues });
    return queues;
  }

  afterEach(async () => {
    for (const o of open.splice(0)) {
      await closeQueues(o.queues);
      o.conn.disconnect();
    }
    for (const p of prefixes.splice(0)) await cleanupPrefix(p);
  });

  async function schedulerState(queues: QueueSet) {
    const out: Record<string, { ids: string[]; delayed: number; patterns: string[]; tz: string[] }> = {};
    for (const q of QUEUE_NAMES) {
      const s = await queues[q].getJobSchedulers(0, -1);
      out[q] = {
        ids: s.map((x) => x.key).sort(),
        delayed: await queues[q].getDelayedCount(),
        patterns: s.map((x) => x.pattern ?? ''),
        tz: s.map((x) => x.tz ?? ''),
      };
    }
    return out;
  }

  it('registers one scheduler per job, however often and from however many replicas it runs', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const config = testConfig(env);
    const a = replica(prefix);
    const b = replica(prefix);
    await registerSchedulers(a, config);
    // Two replicas starting at the same moment, and a restart of the first.
    await Promise.all([registerSchedulers(a, config), registerSchedulers(b, config)]);
    await registerSchedulers(a, config);

    const state = await schedulerState(a);
    expect(state.huggingface).toEqual({
      ids: ['poll-huggingface'],
      delayed: 1,
      patterns: ['0 */10 * * * *'],
      tz: ['UTC'],
    });
    expect(state.modelscope).toEqual({
      ids: ['poll-modelscope'],
      delayed: 1,
      patterns: ['0 */30 * * * *'],
      tz: ['UTC'],
    });
    expect(state.wisemodel).toEqual({ ids: ['poll-wisemodel'], delayed: 1, patterns: ['0 0 * * * *'], tz: ['UTC'] });
    expect(state.snapshot).toEqual({ ids: ['daily-snapshot'], delayed: 1, patterns: ['0 5 0 * * *'], tz: ['UTC'] });
    expect(state.digest).toEqual({ ids: ['weekly-digest'], delayed: 1, patterns: ['0 0 6 * * 1'], tz: ['UTC'] });
    expect(state.export).toEqual({ ids: [], delayed: 0, patterns: [], tz: [] });

    // The next runs are where the defaults say: the daily flow at 00:05 UTC, the digest on Monday 06:00 UTC.
    const daily = await a.snapshot.getJobScheduler('daily-snapshot');
    const next = new Date(daily!.next!);
    expect([next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()]).toEqual([0, 5, 0]);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const digest = await a.digest.getJobScheduler('weekly-digest');
    const d = new Date(digest!.next!);
    expect([d.getUTCDay(), d.getUTCHours(), d.getUTCMinutes()]).toEqual([1, 6, 0]);
  });

  it('takes patterns and time zone from config, and drops the poll of a platform that is switched off', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const queues = replica(prefix);
    await registerSchedulers(queues, testConfig(env));
    const changed = testConfig(env, {
      sources: { wisemodel: { enabled: false }, huggingface: { pollCron: '0 */5 * * * *' } },
      schedule: { tz: 'Europe/Berlin' },
    });
    const res = await registerSchedulers(queues, changed);
    expect(res.removed).toEqual(['wisemodel/poll-wisemodel']);
    const state = await schedulerState(queues);
    expect(state.wisemodel).toEqual({ ids: [], delayed: 0, patterns: [], tz: [] });
    expect(state.huggingface!).toMatchObject({
      ids: ['poll-huggingface'],
      delayed: 1,
      patterns: ['0 */5 * * * *'],
      tz: ['Europe/Berlin'],
    });
  });

  it('deduplicates polls asked for by hand: at most one unfinished poll per platform', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const a = replica(prefix);
    const b = replica(prefix);
    const [j1, j2, j3] = await Promise.all([
      triggerPoll(a, 'huggingface'),
      triggerPoll(b, 'huggingface'),
      triggerPoll(a, 'huggingface'),
    ]);
    expect(new Set([j1.id, j2.id, j3.id]).size).toBe(1);
    expect(await a.huggingface.getWaitingCount()).toBe(1);
    await triggerPoll(a, 'modelscope');
    expect(await a.modelscope.getWaitingCount()).toBe(1);
  });

  it('refuses a bad cron pattern with the config key named, before touching Redis', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const queues = replica(prefix);
    const bad = testConfig(env, { schedule: { sweepCron: '61 * * * *' } });
    await expect(registerSchedulers(queues, bad)).rejects.toThrow(ConfigError);
    await expect(registerSchedulers(queues, bad)).rejects.toThrow(/schedule\.sweepCron/);
    expect((await schedulerState(queues)).huggingface!.ids).toEqual([]);
  });
});

describe('the date a daily flow describes', () => {
  it('is the last complete UTC day before the fire time', () => {
    expect(dailySnapshotDate(Date.parse('2026-11-26T00:05:00Z'))).toBe('2026-11-25');
    // A late run (a backlog, Redis down at 00:05) still describes the same day.
    expect(dailySnapshotDate(Date.parse('2026-11-26T09:41:00Z'))).toBe('2026-11-25');
    expect(dailySnapshotDate(Date.parse('2027-01-01T00:05:00Z'))).toBe('2026-12-31');
    expect(dailySnapshotDate(Date.parse('2028-03-01T00:05:00Z'))).toBe('2028-02-29');
  });

  it('fires at 00:05 UTC by default', () => {
    const [a, b] = nextFireTimes('0 5 0 * * *', 'UTC', 2, new Date('2026-11-25T12:00:00Z'));
    expect(a!.toISOString()).toBe('2026-11-26T00:05:00.000Z');
    expect(b!.toISOString()).toBe('2026-11-27T00:05:00.000Z');
  });
});
