// Worker PROCESSES (workers/worker.ts) around the real Redis, one PostgreSQL schema and the simulator: a worker
// killed with SIGKILL mid-sweep, SIGTERM during a sweep, and two workers sharing one sweep. The stats table is
// the judge: exactly one row per simulated model for the day, and the coverage counts each page once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { startSim, type RequestHold, type Sim } from '../../src/sim/index.js';
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
  let events: QueueEvents | null = null;
  const holds: RequestHold[] = [];

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
    for (const h of holds.splice(0)) h.release();
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGKILL');
        await c.exited;
      }
    }
    if (queues) await closeQueues(queues);
    queues = null;
    await events?.close();
    events = null;
    conn?.disconnect();
    conn = null;
    if (prefix) await cleanupPrefix(prefix);
    sim.setFaults('huggingface', { rateLimit: null });
  });

  async function setup(): Promise<QueueSet> {
    prefix = uniquePrefix();
    conn = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    queues = createQueues(conn, prefix, silentLogger, TUNING);
    // The queue's own event stream: how this process hears that a job in a worker process finished.
    const redis = new URL(REDIS_URL);
    events = new QueueEvents('huggingface', {
      connection: { host: redis.hostname, port: Number(redis.port || 6379) },
      prefix,
    });
    await events.waitUntilReady();
    return queues;
  }

  /**
   * Holds the simulator's n-th Hugging Face request from now unanswered, so the sweep is at a known page when the
   * test acts, and waits until a worker asks for it (failing at once if every worker died first).
   */
  function holdRequest(n: number): { arrived: (...workers: ChildWorker[]) => Promise<void>; release(): void } {
    const hold = sim.holdRequest('huggingface', n);
    holds.push(hold);
    return {
      arrived: async (...workers) => {
        const died = Promise.all(workers.map((w) => w.exited)).then(() => {
          throw new Error(`every worker ended before request ${n}:\n${workers.map((w) => w.output()).join('\n')}`);
        });
        await Promise.race([hold.arrived, died]);
      },
      release: () => hold.release(),
    };
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

  /** The job once a worker completed it (BullMQ's completed event; a failure rejects with its reason). */
  async function completed(q: QueueSet, id: string) {
    // Worker processes do the work: the bound only fails a sweep that never ends.
    await (await q.huggingface.getJob(id))!.waitUntilFinished(events!, 60_000);
    const job = (await q.huggingface.getJob(id))!;
    expect(await job.getState()).toBe('completed');
    return job;
  }

  it('a worker killed with SIGKILL mid-sweep: the stalled job is taken over and resumes from its checkpoint', async () => {
    const q = await setup();
    const date = '2026-10-01';
    // Commits trail the reading by a page or two, so while its 8th page is held the sweep has committed the first
    // few and waits mid-walk: that is where the worker dies.
    const eighth = holdRequest(8);
    const a = worker();
    const id = await addSweep(q, date);
    await eighth.arrived(a);
    a.proc.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    eighth.release();
    const atKill = (await checkpoint(date))!;
    expect(atKill.done).toBe(false);
    expect(atKill.pages).toBeGreaterThan(0);

    worker();
    const job = await completed(q, id);
    expect(job.stalledCounter).toBe(1);
    expect(job.returnvalue).toMatchObject({ resumed: true, complete: true });
    // Resumed where the killed worker stopped, not from the start.
    expect(job.returnvalue.pages).toBe((await checkpoint(date))!.pages);
    await expectExactDay(date);
  }, 120_000);

  it('SIGTERM during a sweep: the active job finishes within the grace period, exit code 0, nothing lost', async () => {
    const q = await setup();
    const date = '2026-10-02';
    const third = holdRequest(3);
    // Info level: the worker's shutdown announces itself.
    const a = worker({ LOG_LEVEL: 'info' });
    const id = await addSweep(q, date);
    await third.arrived(a);
    expect((await checkpoint(date))?.done ?? false).toBe(false);
    a.proc.kill('SIGTERM');
    // The signal is taken while the sweep waits on its held page; only then does the page come.
    await a.waitForOutput(
      /"msg":"shutting down: no new jobs; waiting for active ones"/,
      'the worker to start its shutdown',
    );
    third.release();
    const exit = await a.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Finished within the grace period: the worker never had to interrupt it.
    expect(a.output()).not.toMatch(/grace period running out/);
    const job = (await q.huggingface.getJob(id))!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    expect(job.stalledCounter).toBe(0);
    await expectExactDay(date);
  }, 120_000);

  it('two workers share one sweep: SIGTERM with a short grace hands it over, without an attempt spent or a row twice', async () => {
    const q = await setup();
    const date = '2026-10-03';
    // The sweep's 6th page is held until the first worker has exited: whatever its grace (2 s), the sweep outlasts it,
    // so it must interrupt the job and hand it over.
    const sixth = holdRequest(6);
    const short = await writeJson(join(dir.path, 'short-grace.json'), {
      sources: fastSources(PAGE),
      shutdownGraceMs: 2_000,
    });
    const a = worker({ HUBWATCH_CONFIG: short });
    const b = worker({ HUBWATCH_CONFIG: short });
    const id = await addSweep(q, date);
    await sixth.arrived(a, b);
    const holder = (await q.huggingface.getJob(id))!.processedBy ?? '';
    const [owner, other] = holder.endsWith(`/${a.proc.pid}`) ? [a, b] : [b, a];
    expect(holder.endsWith(`/${owner.proc.pid}`)).toBe(true);

    owner.proc.kill('SIGTERM');
    const exit = await owner.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Interrupted when the grace period ran out, and stopped then: never forced.
    expect(owner.output()).toMatch(/grace period running out; interrupting active jobs/);
    expect(owner.output()).not.toMatch(/active jobs did not stop/);
    sixth.release();
    const handedOver = (await checkpoint(date))!;
    expect(handedOver.done).toBe(false);
    expect(handedOver.pages).toBeGreaterThan(0);

    const job = await completed(q, id);
    expect(job.processedBy?.endsWith(`/${other.proc.pid}`)).toBe(true);
    // Put back by the interrupted worker without spending an attempt, and not via the stalled checker.
    expect(job.attemptsMade).toBe(1);
    expect(job.stalledCounter).toBe(0);
    expect(job.returnvalue).toMatchObject({ resumed: true, complete: true });
    await expectExactDay(date);
    expect(other.proc.exitCode).toBeNull();
  }, 120_000);
});
