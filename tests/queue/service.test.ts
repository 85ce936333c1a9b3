// The service in this process against the real Redis and the simulator, with the embedded DuckDB store in a temp
// directory: a compressed schedule end to end, a 429 storm, and the start-up refusals.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { silentLogger } from '../../src/log.js';
import { ConfigError, ServiceUnavailableError } from '../../src/errors.js';
import { todayUtc } from '../../src/time.js';
import { snapshotPath } from '../../src/snapshot/files.js';
import { startService, type Service } from '../../src/queue/service.js';
import { JOB, jobIds } from '../../src/queue/names.js';
import { jobOptions } from '../../src/queue/queues.js';
import { enqueueDaily } from '../../src/queue/produce.js';
import {
  REDIS_URL,
  cleanupPrefix,
  envFor,
  fastSources,
  freePort,
  tempDir,
  testConfig,
  uniquePrefix,
  waitFor,
} from './helpers.js';

const SIM_DAY = '2026-11-20';
const MODELS = 300;

describe('the scheduled service in one process', () => {
  let sim: Sim;
  let service: Service | null = null;
  let prefix = '';
  let dir: { path: string; remove(): Promise<void> } | null = null;

  beforeAll(async () => {
    sim = await startSim({ seed: 7, models: MODELS, day: SIM_DAY, port: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(async () => {
    if (service) await service.close('test done');
    service = null;
    if (prefix) await cleanupPrefix(prefix);
    if (dir) await dir.remove();
    dir = null;
    sim.setFaults('huggingface', { rateLimit: null });
  });

  it('a compressed schedule drives polls, the daily sweep flow and the snapshot end to end', async () => {
    sim.setFaults('huggingface', { rateLimit: null });
    prefix = uniquePrefix();
    dir = await tempDir('e2e');
    const config = testConfig(envFor(sim.urls, dir.path), {
      sources: {
        ...fastSources(50),
        // Seconds instead of minutes; the daily flow fires every few seconds and finds its day's flow already
        // added after the first time.
      },
      schedule: { sweepCron: '*/3 * * * * *', digestCron: '0 0 6 1 1 *' },
    });
    const over = testConfig(envFor(sim.urls, dir.path), {
      sources: {
        huggingface: { ...(fastSources(50).huggingface as object), pollCron: '*/2 * * * * *' },
        modelscope: { ...(fastSources(50).modelscope as object), pollCron: '*/2 * * * * *' },
        wisemodel: { ...(fastSources(50).wisemodel as object), pollCron: '*/2 * * * * *' },
      },
      schedule: config.file.schedule,
    });
    const started = Date.now();
    service = await startService({
      config: over,
      logger: silentLogger,
      queues: 'all',
      http: true,
      listen: { host: '127.0.0.1', port: 0 },
      prefix,
      tuning: { backoffMs: 200 },
    });
    const svc = service;
    /** The daily jobs that have run, with what each found (flows.ts addDailyFlow's answer). */
    const dailyRuns = async () =>
      (await svc.queues.snapshot.getJobs(['completed'], 0, -1))
        .filter((j) => j.name === JOB.daily)
        .map((j) => j.returnvalue as { date: string; created: boolean; state: string });

    const polls = await waitFor(
      'a successful poll on every platform',
      async () => {
        const p = await svc.ops.lastPolls();
        return p.huggingface && p.modelscope && p.wisemodel ? p : null;
      },
      40_000,
    );
    for (const p of Object.values(polls)) expect(Date.parse(p.at)).toBeGreaterThanOrEqual(started);
    // The day is the one the scheduler's firing names (its fire time), not one this test reads off the wall clock,
    // which would disagree with it around midnight.
    const { date } = await waitFor(
      "the daily job to add the day's snapshot flow",
      async () => (await dailyRuns()).find((r) => r.created),
      40_000,
    );

    const parent = await waitFor(
      'the snapshot job of the daily flow to complete',
      async () => {
        const job = await svc.queues.snapshot.getJob(jobIds.snapshot(date));
        return job && (await job.getState()) === 'completed' ? job : null;
      },
      60_000,
    );
    expect(parent.returnvalue).toMatchObject({ date, failedSweeps: [] });
    expect(existsSync(snapshotPath(dir.path, date))).toBe(true);
    for (const platform of ['huggingface', 'modelscope', 'wisemodel'] as const) {
      const child = await svc.queues[platform].getJob(jobIds.sweep(platform, date));
      expect(await child!.getState()).toBe('completed');
    }
    const coverage = await svc.runtime.store.getCoverage(date);
    for (const platform of ['huggingface', 'modelscope', 'wisemodel'] as const) {
      expect(coverage[platform]).toMatchObject({ complete: true, swept: true });
    }
    // Every Hugging Face model of the simulated catalogue has its row for the day.
    let hf = 0;
    for await (const chunk of svc.runtime.store.streamSnapshotRows(date, null, 500)) {
      hf += chunk.filter((r) => r.platform === 'huggingface').length;
    }
    expect(hf).toBe(sim.universe.totalsAt(SIM_DAY).count);

    // The daily job keeps firing (every 3 s): one that fires after the flow completed finds it and adds nothing.
    await waitFor(
      'the daily job to fire again and find the completed flow',
      async () => (await dailyRuns()).some((r) => r.date === date && !r.created && r.state === 'completed'),
      20_000,
    );
    const snapshots = await svc.queues.snapshot.getJobs(['completed', 'waiting-children', 'waiting', 'active'], 0, -1);
    expect(snapshots.filter((j) => j.name === JOB.snapshot).map((j) => j.id)).toEqual([jobIds.snapshot(date)]);

    // Operating endpoints on the same server.
    const health = await fetch(`${svc.address}/healthz`);
    expect(health.status).toBe(200);
    const h = (await health.json()) as { status: string; checks: { polls: Record<string, { state: string }> } };
    expect(h.status).toBe('ok');
    expect(h.checks.polls.huggingface!.state).toBe('fresh');
    const metrics = await (await fetch(`${svc.address}/metrics`)).text();
    expect(metrics).toMatch(/^bullmq_job_count\{queue="huggingface",state="completed"\} [1-9]/m);
    expect(metrics).toMatch(/^hubwatch_job_duration_seconds_count\{queue="huggingface",job="sweep-stats"\} 1$/m);
    expect(metrics).toMatch(/^hubwatch_platform_requests_today\{platform="huggingface"/m);
    expect(metrics).toMatch(
      new RegExp(`^hubwatch_last_snapshot_date_timestamp_seconds ${Date.parse(`${date}T00:00:00Z`) / 1000}$`, 'm'),
    );
    // No label carries a date (a new series every day); the process metrics come with the deployment's.
    expect(metrics).not.toMatch(/date="/);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total [0-9.e+-]+$/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds [0-9.e+-]+$/m);
    expect(metrics.match(/^# TYPE bullmq_job_count /gm)).toHaveLength(1);
    expect(metrics).toMatch(/^# TYPE hubwatch_job_duration_seconds histogram$/m);
    expect(metrics).toMatch(
      /^hubwatch_job_duration_seconds_bucket\{queue="huggingface",job="sweep-stats",le="\+Inf"\} 1$/m,
    );
    // Every sample line parses as name{labels} value. prom-client writes NaN as `Nan` (lib/util.js
    // getValueAsString: the event-loop lag's mean before its first sample), which Prometheus reads: its text parser
    // takes values with Go's strconv.ParseFloat, where "nan" and "inf" are case-insensitive.
    for (const line of metrics.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_][a-z0-9_]*(\{(\s*[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|Nan|NaN|[+-]Inf)$/);
    }
    // Bull Board is off without a token.
    expect((await fetch(`${svc.address}/admin/queues`)).status).toBe(404);
  }, 120_000);

  it('absorbs a 429 storm: the queue pauses for the reset time, no attempt is spent, the sweep completes', async () => {
    prefix = uniquePrefix();
    dir = await tempDir('429');
    sim.setFaults('huggingface', { rateLimit: { max: 3, windowMs: 2_000 } });
    const config = testConfig(envFor(sim.urls, dir.path), { sources: fastSources(50) });
    service = await startService({
      config,
      logger: silentLogger,
      queues: ['huggingface'],
      http: false,
      prefix,
      allowEmbeddedStore: true,
      tuning: { backoffMs: 60_000 },
    });
    const svc = service;
    const date = todayUtc();
    const id = jobIds.sweep('huggingface', date);
    // Spend the window's quota so the sweep's very first request meets a 429 (a fresh source knows nothing of
    // the window until its first answer); wait for a window with more than a second left.
    await waitFor(
      'a spent rate-limit window',
      async () => {
        const r = await fetch(`${sim.urls.huggingface}/api/models?limit=1`);
        await r.arrayBuffer();
        return r.status === 429 && Number(r.headers.get('retry-after')) >= 2;
      },
      10_000,
      10,
    );
    await svc.queues.huggingface.add(
      JOB.sweepStats,
      { platform: 'huggingface', date },
      {
        ...jobOptions('huggingface', JOB.sweepStats, svc.tuning),
        jobId: id,
      },
    );

    // Another client on the same address spends the shared quota again each time the queue resumes, so the
    // source's pacing (which normally avoids 429s) keeps running into them: a storm of pauses, not a single 429.
    // Driven by the resumes the test observes, not by a timer. How many more pauses that makes depends on who
    // reaches the fresh window first (a spent window the source's pacer already waits for costs it nothing), so the
    // assertions below hold for any number of pauses from one up.
    const RESPENDS = 2;
    let respent = 0;
    const spendWindow = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        const r = await fetch(`${sim.urls.huggingface}/api/models?limit=1`);
        await r.arrayBuffer();
        if (r.status === 429) return;
      }
    };

    const seen = { pauses: 0, limited: false, maxTtl: 0, attemptsWhileLimited: new Set<number>() };
    const job = await waitFor(
      'the sweep to complete through the storm',
      async () => {
        // Only a 429 pause sets the limiter key to MAX_SAFE_INTEGER; asking with that maximum ignores the limiter's
        // ordinary window, which is open whenever a job ran recently.
        const ttl = await svc.queues.huggingface.getRateLimitTtl(Number.MAX_SAFE_INTEGER);
        const j = await svc.queues.huggingface.getJob(id);
        if (!j) return null;
        const state = await j.getState();
        const limited = ttl > 0 && state !== 'completed' && state !== 'failed';
        if (limited && !seen.limited) seen.pauses += 1;
        const resumed = seen.limited && !limited && state !== 'completed' && state !== 'failed';
        seen.limited = limited;
        if (resumed && respent < RESPENDS) {
          respent += 1;
          await spendWindow();
        }
        if (limited) seen.attemptsWhileLimited.add(j.attemptsMade);
        if (limited) seen.maxTtl = Math.max(seen.maxTtl, ttl);
        return state === 'completed' || state === 'failed' ? { j, state } : null;
      },
      60_000,
      25,
    );

    expect(job.state).toBe('completed');
    job.j = (await svc.queues.huggingface.getJob(id))!;
    expect(respent).toBeGreaterThanOrEqual(1); // the sweep outlived its first pause: it needs more than one window
    expect(seen.pauses).toBeGreaterThanOrEqual(1);
    // The pause is the platform's reset time (Retry-After, at most the 2 s window), not a backoff.
    expect(seen.maxTtl).toBeGreaterThan(0);
    expect(seen.maxTtl).toBeLessThanOrEqual(2_000 + 1_000);
    // While paused by 429s the job never spent an attempt; the backoff of 60 s would have blown the timeout.
    expect([...seen.attemptsWhileLimited]).toEqual([0]);
    const runs = await svc.ops.lastRuns();
    expect(runs.find((r) => r.queue === 'huggingface' && r.job === JOB.sweepStats)).toMatchObject({
      status: 'completed',
    });
    expect(job.j.attemptsMade).toBeLessThanOrEqual(1);
    expect(job.j.returnvalue).toMatchObject({ complete: true });
    // Started again after every pause, each time from the sweep's checkpoint.
    expect(job.j.attemptsStarted).toBeGreaterThanOrEqual(seen.pauses + 1);
    const coverage = await svc.runtime.store.getCoverage(date);
    expect(coverage.huggingface!.http429).toBeGreaterThanOrEqual(seen.pauses);
    expect((await svc.ops.rateLimitCounts()).huggingface).toBeGreaterThanOrEqual(seen.pauses);
    expect(coverage.huggingface!.complete).toBe(true);
    let n = 0;
    for await (const chunk of svc.runtime.store.streamSnapshotRows(date, null, 500)) n += chunk.length;
    expect(n).toBe(sim.universe.totalsAt(SIM_DAY).count);
  }, 90_000);

  it('a sweep that fails for good does not block the snapshot, which marks that platform incomplete', async () => {
    sim.setFaults('huggingface', { rateLimit: null });
    sim.setFaults('wisemodel', { error5xxRate: 1 });
    prefix = uniquePrefix();
    dir = await tempDir('failed-child');
    const config = testConfig(envFor(sim.urls, dir.path), { sources: fastSources(50) });
    service = await startService({
      config,
      logger: silentLogger,
      queues: 'all',
      http: false,
      schedulers: false,
      prefix,
      tuning: { backoffMs: 100, sweepAttempts: 2 },
    });
    const svc = service;
    const date = '2026-11-19';
    await enqueueDaily(svc.queues, date, svc.tuning);
    const parent = await waitFor(
      'the snapshot despite the failed sweep',
      async () => {
        const j = await svc.queues.snapshot.getJob(jobIds.snapshot(date));
        return j && (await j.getState()) === 'completed' ? j : null;
      },
      60_000,
      100,
    ).finally(() => sim.setFaults('wisemodel', {}));

    const wm = (await svc.queues.wisemodel.getJob(jobIds.sweep('wisemodel', date)))!;
    expect(await wm.getState()).toBe('failed');
    expect(wm.attemptsMade).toBe(2);
    expect(wm.failedReason).toMatch(/incomplete/);
    expect(parent.returnvalue.failedSweeps).toEqual([{ platform: 'wisemodel', reason: wm.failedReason }]);
    const coverage = await svc.runtime.store.getCoverage(date);
    expect(coverage.wisemodel!.complete).toBe(false);
    expect(coverage.wisemodel!.notes.join('\n')).toMatch(/sweep job failed after its retries/);
    expect(coverage.huggingface!.complete).toBe(true);
    expect(coverage.modelscope!.complete).toBe(true);
    const snap = JSON.parse(await readFile(snapshotPath(dir.path, date), 'utf8')) as {
      coverage: Record<string, { complete: boolean }>;
    };
    expect(snap.coverage.wisemodel!.complete).toBe(false);
    expect(snap.coverage.huggingface!.complete).toBe(true);
  }, 90_000);

  it('refuses to start without Redis: one message naming the URL without its password, exit code 2', async () => {
    dir = await tempDir('noredis');
    const port = await freePort();
    const config = testConfig({ ...envFor(sim.urls, dir.path), REDIS_URL: `redis://user:s3cret@127.0.0.1:${port}` });
    const err = await startService({
      config,
      logger: silentLogger,
      queues: 'all',
      http: false,
      prefix: uniquePrefix(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    const e = err as ServiceUnavailableError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).not.toContain('s3cret');
    expect(e.message).toContain('redis-server --daemonize yes');
    expect(e.message).toContain('docker compose up -d redis');
  });

  it('refuses a worker for some queues on the embedded store: it serves one process only', async () => {
    dir = await tempDir('duck');
    const config = testConfig(envFor(sim.urls, dir.path));
    const err = await startService({
      config,
      logger: silentLogger,
      queues: ['huggingface'],
      http: false,
      prefix: uniquePrefix(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('set DATABASE_URL to a PostgreSQL database shared by all processes');
    expect(REDIS_URL).toMatch(/^redis:/);
  });
});
