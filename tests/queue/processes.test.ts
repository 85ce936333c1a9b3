// Worker PROCESSES (workers/worker.ts) around the real Redis, one PostgreSQL schema and the simulator: a worker
// killed with SIGKILL mid-sweep, SIGTERM during a sweep, and two workers sharing one sweep. The stats table is
// the judge: exactly one row per simulated model for the day, and the coverage counts each page once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { startSim, type Sim } from '../../src/sim/index.js';
import { silentLogger } from '../../src/log.js';
import { JOB, jobIds } from '../../src/queue/names.js';
import {
  DEFAULT_TUNING,
  closeQueues,
  createQueues,
  jobOptions,
  type QueueSet,
  type Tuning,
} from '../../src/queue/queues.js';
import {
  REDIS_URL,
  cleanupPrefix,
  envFor,
  fastSources,
  pgSchema,
  spawnWorker,
  tempDir,
  uniquePrefix,
  waitFor,
  writeJson,
  type ChildWorker,
} from './helpers.js';

const SIM_DAY = '2026-11-20';
const MODELS = 600;
const PAGE = 25;
// Short locks so a killed worker's job is taken over in seconds, not the production 30 s.
const TUNING: Tuning = { ...DEFAULT_TUNING, lockDurationMs: 2_000, stalledIntervalMs: 1_000, backoffMs: 500 };
const TUNING_ARGS = ['--lock-ms', '2000', '--stalled-ms', '1000', '--backoff-ms', '500'];

describe('worker processes sharing one Redis and one PostgreSQL', () => {
  let sim: Sim;
  let db: Awaited<ReturnType<typeof pgSchema>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configFile: string;
  let expected: number;
  const children: ChildWorker[] = [];
  let prefix = '';
  let conn: Redis | null = null;
  let queues: QueueSet | null = null;

  beforeAll(async () => {
    sim = await startSim({
      seed: 5,
      models: MODELS,
      day: SIM_DAY,
      port: 0,
      faults: { huggingface: { rateLimit: null } },
    });
    expected = sim.universe.totalsAt(SIM_DAY).count;
    db = await pgSchema('proc');
    dir = await tempDir('proc');
    configFile = await writeJson(join(dir.path, 'config.json'), {
      sources: fastSources(PAGE),
      shutdownGraceMs: 20_000,
    });
  }, 60_000);
  afterAll(async () => {
    await sim.close();
    await db.drop();
    await dir.remove();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGKILL');
        await c.exited;
      }
    }
    if (queues) await closeQueues(queues);
    queues = null;
    conn?.disconnect();
    conn = null;
    if (prefix) await cleanupPrefix(prefix);
    sim.setFaults('huggingface', { rateLimit: null });
  });

  function setup(): QueueSet {
    prefix = uniquePrefix();
    conn = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    queues = createQueues(conn, prefix, silentLogger, TUNING);
    return queues;
  }

  function worker(extraEnv: Record<string, string> = {}): ChildWorker {
    const c = spawnWorker(
      ['--queue', 'huggingface', '--prefix', prefix, ...TUNING_ARGS],
      envFor(sim.urls, dir.path, {
        DATABASE_URL: db.url,
        HUBWATCH_CONFIG: configFile,
        LOG_LEVEL: 'warn',
        ...extraEnv,
      }),
    );
    children.push(c);
    return c;
  }

  async function addSweep(q: QueueSet, date: string): Promise<string> {
    const id = jobIds.sweep('huggingface', date);
    await q.huggingface.add(
      JOB.sweepStats,
      { platform: 'huggingface', date },
      { ...jobOptions('huggingface', JOB.sweepStats, TUNING), jobId: id },
    );
    return id;
  }

  async function checkpoint(date: string): Promise<{ pages: number; done: boolean } | null> {
    const r = await db.client.query<{ value: string }>(`SELECT value FROM ${db.schema}.checkpoints WHERE name = $1`, [
      `sweep:huggingface:${date}`,
    ]);
    return r.rows[0] ? (JSON.parse(r.rows[0].value) as { pages: number; done: boolean }) : null;
  }

  /** One row per model, none twice, none missing; and each page counted once in coverage. */
  async function expectExactDay(date: string): Promise<void> {
    const rows = await db.client.query<{ n: string; keys: string }>(
      `SELECT count(*) AS n, count(DISTINCT key) AS keys FROM ${db.schema}.daily_stats WHERE date = $1 AND platform = 'huggingface'`,
      [date],
    );
    expect(Number(rows.rows[0]!.n)).toBe(expected);
    expect(Number(rows.rows[0]!.keys)).toBe(expected);
    const cp = await checkpoint(date);
    expect(cp).toMatchObject({ done: true });
    const cov = await db.client.query<{ pages: string; complete: boolean }>(
      `SELECT pages, complete FROM ${db.schema}.coverage WHERE date = $1 AND platform = 'huggingface'`,
      [date],
    );
    expect(cov.rows[0]!.complete).toBe(true);
    expect(Number(cov.rows[0]!.pages)).toBe(cp!.pages);
  }

  async function finished(q: QueueSet, id: string, timeoutMs: number) {
    return waitFor(
      `job ${id} to finish`,
      async () => {
        const j = await q.huggingface.getJob(id);
        const state = j ? await j.getState() : null;
        return state === 'completed' || state === 'failed' ? { job: (await q.huggingface.getJob(id))!, state } : null;
      },
      timeoutMs,
      100,
    );
  }

  it('a worker killed with SIGKILL mid-sweep: the stalled job is taken over and resumes from its checkpoint', async () => {
    const q = setup();
    const date = '2026-10-01';
    sim.setFaults('huggingface', { rateLimit: null, slowRate: 1, slowMs: 120 });
    const a = worker();
    const id = await addSweep(q, date);
    await waitFor(
      'a few pages committed by the first worker',
      async () => ((await checkpoint(date))?.pages ?? 0) >= 4,
      40_000,
      50,
    );
    a.proc.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const atKill = (await checkpoint(date))!;
    expect(atKill.done).toBe(false);

    sim.setFaults('huggingface', { rateLimit: null });
    worker();
    const res = await finished(q, id, 60_000);
    expect(res.state).toBe('completed');
    expect(res.job.stalledCounter).toBe(1);
    expect(res.job.returnvalue).toMatchObject({ resumed: true, complete: true });
    // Resumed where the killed worker stopped, not from the start.
    expect(res.job.returnvalue.pages).toBe((await checkpoint(date))!.pages);
    await expectExactDay(date);
  }, 120_000);

  it('SIGTERM during a sweep: the active job finishes within the grace period, exit code 0, nothing lost', async () => {
    const q = setup();
    const date = '2026-10-02';
    sim.setFaults('huggingface', { rateLimit: null, slowRate: 1, slowMs: 60 });
    const a = worker();
    const id = await addSweep(q, date);
    await waitFor('the sweep under way', async () => ((await checkpoint(date))?.pages ?? 0) >= 2, 40_000, 50);
    expect((await checkpoint(date))!.done).toBe(false);
    const t0 = Date.now();
    a.proc.kill('SIGTERM');
    const exit = await a.exited;
    const took = Date.now() - t0;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(20_000);
    const job = (await q.huggingface.getJob(id))!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    expect(job.stalledCounter).toBe(0);
    await expectExactDay(date);
  }, 120_000);

  it('two workers share one sweep: SIGTERM with a short grace hands it over, without an attempt spent or a row twice', async () => {
    const q = setup();
    const date = '2026-10-03';
    sim.setFaults('huggingface', { rateLimit: null, slowRate: 1, slowMs: 120 });
    // The first one's grace (2 s) is far shorter than the sweep: it must interrupt and hand over.
    const short = await writeJson(join(dir.path, 'short-grace.json'), {
      sources: fastSources(PAGE),
      shutdownGraceMs: 2_000,
    });
    const a = worker({ HUBWATCH_CONFIG: short });
    const b = worker({ HUBWATCH_CONFIG: short });
    const id = await addSweep(q, date);
    await waitFor('the sweep under way', async () => ((await checkpoint(date))?.pages ?? 0) >= 3, 40_000, 50);
    const holder = (await q.huggingface.getJob(id))!.processedBy ?? '';
    const [owner, other] = holder.endsWith(`/${a.proc.pid}`) ? [a, b] : [b, a];
    expect(holder.endsWith(`/${owner.proc.pid}`)).toBe(true);

    const t0 = Date.now();
    owner.proc.kill('SIGTERM');
    const exit = await owner.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(2_000 + 1_500);
    const handedOver = (await checkpoint(date))!;
    expect(handedOver.done).toBe(false);

    sim.setFaults('huggingface', { rateLimit: null });
    const res = await finished(q, id, 60_000);
    expect(res.state).toBe('completed');
    expect(res.job.processedBy?.endsWith(`/${other.proc.pid}`)).toBe(true);
    // Put back by the interrupted worker without spending an attempt, and not via the stalled checker.
    expect(res.job.attemptsMade).toBe(1);
    expect(res.job.stalledCounter).toBe(0);
    expect(res.job.returnvalue).toMatchObject({ resumed: true, complete: true });
    await expectExactDay(date);
    expect(other.proc.exitCode).toBeNull();
  }, 120_000);
});
