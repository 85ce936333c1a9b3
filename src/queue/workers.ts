// The processors. A platform queue runs poll-new and sweep-stats through the same functions `run --once` uses
// (src/cycle/run.ts), in 'throw' rate-limit mode so that a 429 pauses the whole queue instead of one process
// sleeping on it. Errors are sorted into four kinds:
//   429                         → worker.rateLimit(reset) + RateLimitError: the job waits, no attempt is spent;
//   parse / 4xx / bad payload   → UnrecoverableError: retrying cannot help (the source already quarantined it);
//   shutdown ran out of grace   → back to delayed without spending an attempt; the sweep resumes from its checkpoint;
//   anything else               → thrown as is: retried with exponential backoff and jitter.
import { hostname } from 'node:os';
import { DelayedError, UnrecoverableError, Worker, type Job, type FlowProducer, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { ZodError } from 'zod';
import type { Config } from '../config.js';
import { InputError, PermanentHttpError, RateLimitedError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Platform } from '../model.js';
import { publishSnapshot, runPoll, runSweep, type Runtime } from '../cycle/run.js';
import { todayUtc } from '../time.js';
import {
  DailyJobData,
  DigestJobData,
  ExportJobData,
  JOB,
  JOBS_BY_QUEUE,
  PollJobData,
  SnapshotJobData,
  SweepJobData,
  isPlatformQueue,
  type QueueName,
} from './names.js';
import { addDailyFlow, dailySnapshotDate, enabledPlatforms, platformOfJobKey } from './flows.js';
import type { QueueSet, Tuning } from './queues.js';
import type { OpsState } from './state.js';

/** Thrown when a sweep ended incomplete (a page kept failing): retried later, resuming from the checkpoint. */
export class SweepIncompleteError extends Error {
  constructor(platform: Platform, date: string, reason: string | undefined) {
    super(`${platform} sweep for ${date} incomplete: ${reason ?? 'unknown reason'}; will resume from its checkpoint`);
    this.name = 'SweepIncompleteError';
  }
}

export interface DigestRunner {
  (rt: Runtime, week: string | undefined, fireMs: number): Promise<{ week: string; paths: string[] }>;
}

export interface WorkerContext {
  rt: Runtime;
  config: Config;
  logger: Logger;
  /** maxRetriesPerRequest: null: shared by the workers, duplicated by BullMQ for their blocking reads. */
  connection: Redis;
  prefix: string;
  queues: QueueSet;
  flows: FlowProducer;
  ops: OpsState;
  tuning: Tuning;
  /** The weekly digest; absent when the digest module is not part of this build. */
  digest?: DigestRunner;
}

/** The shortest pause a 429 imposes: a platform that says "retry after 0" still needs a breath. */
const MIN_RATE_LIMIT_MS = 250;

function isPermanent(err: unknown): boolean {
  return err instanceof PermanentHttpError || err instanceof ZodError || err instanceof InputError;
}

function fireTimeOf(job: Job): number {
  return job.opts.prevMillis ?? job.timestamp;
}

type Handler = (job: Job, log: Logger, signal: AbortSignal | undefined) => Promise<unknown>;

/**
 * The page that met the 429 is never committed, so its counters would be lost with it; the day's coverage (and
 * /metrics) must still show that the platform pushed back.
 */
async function count429(
  ctx: WorkerContext,
  platform: Platform,
  date: string,
  err: unknown,
  log: Logger,
): Promise<never> {
  if (err instanceof RateLimitedError) {
    await Promise.allSettled([
      ctx.rt.store.commitPage({ date, platform, models: [], quarantine: [], coverage: { requests: 1, http429: 1 } }),
      ctx.ops.countRateLimit(platform),
    ]).then((r) => {
      for (const x of r)
        if (x.status === 'rejected') log.debug({ err: errorMessage(x.reason) }, 'could not count the 429');
    });
  }
  throw err;
}

function platformHandlers(ctx: WorkerContext, platform: Platform): Record<string, Handler> {
  return {
    [JOB.pollNew]: async (job, log, signal) => {
      const data = PollJobData.parse(job.data);
      if (data.platform !== platform)
        throw new UnrecoverableError(`poll for ${data.platform} on the ${platform} queue`);
      const date = todayUtc();
      const res = await runPoll({ ...ctx.rt, logger: log }, platform, {
        date,
        rateLimitMode: 'throw',
        signal,
      }).catch((err: unknown) => count429(ctx, platform, date, err, log));
      await ctx.ops.recordPoll(platform, {
        at: new Date().toISOString(),
        jobId: job.id ?? null,
        models: res.models,
        newModels: res.newModels,
      });
      return res;
    },
    [JOB.sweepStats]: async (job, log, signal) => {
      const data = SweepJobData.parse(job.data);
      if (data.platform !== platform)
        throw new UnrecoverableError(`sweep for ${data.platform} on the ${platform} queue`);
      const res = await runSweep({ ...ctx.rt, logger: log }, platform, {
        date: data.date,
        rateLimitMode: 'throw',
        signal,
      }).catch((err: unknown) => count429(ctx, platform, data.date, err, log));
      // An incomplete sweep is already recorded in coverage; failing the job lets BullMQ retry it with backoff,
      // and when attempts run out the snapshot goes ahead with this platform marked incomplete.
      if (!res.complete) throw new SweepIncompleteError(platform, data.date, res.reason);
      return res;
    },
  };
}

function snapshotHandlers(ctx: WorkerContext): Record<string, Handler> {
  return {
    [JOB.daily]: async (job, log) => {
      const data = DailyJobData.parse(job.data);
      const date = data.date ?? dailySnapshotDate(fireTimeOf(job));
      const res = await addDailyFlow(ctx.flows, ctx.queues, {
        date,
        platforms: enabledPlatforms(ctx.config),
        tuning: ctx.tuning,
      });
      log.info({ ...res }, res.created ? 'daily snapshot flow added' : 'daily snapshot flow already exists');
      return res;
    },
    [JOB.snapshot]: async (job, log) => {
      const data = SnapshotJobData.parse(job.data);
      const failures = await job.getIgnoredChildrenFailures();
      const failed: Array<{ platform: Platform | null; reason: string }> = [];
      for (const [key, reason] of Object.entries(failures)) {
        const platform = platformOfJobKey(key, ctx.prefix);
        failed.push({ platform, reason });
        if (platform) {
          await ctx.rt.store.setCoverageFlags(data.date, platform, {
            complete: false,
            note: `sweep job failed after its retries: ${reason}`,
          });
        }
      }
      if (failed.length > 0) log.warn({ failed }, 'snapshot goes ahead without some complete sweeps');
      const pub = await publishSnapshot({ ...ctx.rt, logger: log }, data.date);
      return { date: data.date, path: pub.path, exported: pub.exported.length, failedSweeps: failed };
    },
  };
}

function digestHandlers(ctx: WorkerContext): Record<string, Handler> {
  return {
    [JOB.digest]: async (job, log) => {
      const data = DigestJobData.parse(job.data);
      if (!ctx.digest) throw new UnrecoverableError('this build has no digest module');
      return ctx.digest({ ...ctx.rt, logger: log }, data.week, fireTimeOf(job));
    },
  };
}

function exportHandlers(ctx: WorkerContext): Record<string, Handler> {
  return {
    [JOB.export]: async (job, log) => {
      const data = ExportJobData.parse(job.data);
      const dates = await ctx.rt.store.statsDates();
      if (!dates.includes(data.date)) throw new UnrecoverableError(`no stats are stored for ${data.date}`);
      const pub = await publishSnapshot({ ...ctx.rt, logger: log }, data.date);
      return { date: data.date, path: pub.path, exported: pub.exported.length };
    },
  };
}

function handlersFor(ctx: WorkerContext, queue: QueueName): Record<string, Handler> {
  if (isPlatformQueue(queue)) return platformHandlers(ctx, queue);
  if (queue === 'snapshot') return snapshotHandlers(ctx);
  if (queue === 'digest') return digestHandlers(ctx);
  return exportHandlers(ctx);
}

export function createWorker(ctx: WorkerContext, queue: QueueName, opts: { autorun?: boolean } = {}): Worker {
  const handlers = handlersFor(ctx, queue);
  const platformCfg = isPlatformQueue(queue) ? ctx.config.file.sources[queue] : null;
  // Assigned right below; the processor only runs after the constructor returns.
  let worker!: Worker;

  const processor: Processor = async (job, token, signal) => {
    const log = ctx.logger.child({ queue, job: job.name, jobId: job.id, attempt: job.attemptsMade + 1 });
    const handler = handlers[job.name];
    if (!handler || !JOBS_BY_QUEUE[queue].includes(job.name as never)) {
      throw new UnrecoverableError(`queue ${queue} does not run jobs named "${job.name}"`);
    }
    log.debug('job started');
    try {
      return await handler(job, log, signal);
    } catch (err) {
      if (err instanceof RateLimitedError) {
        const ms = Math.max(MIN_RATE_LIMIT_MS, err.retryAfterMs);
        log.warn({ retryAfterMs: ms }, 'rate limited by the platform; pausing the queue');
        // worker.rateLimit sets the queue-wide limiter key through the worker's never-give-up connection.
        await worker.rateLimit(ms);
        await recordRun(ctx, queue, job, 'rate-limited', `paused ${ms} ms`);
        throw Worker.RateLimitError();
      }
      if (signal?.aborted) {
        // The grace period ran out during shutdown. Put the job back without spending an attempt; whoever takes
        // it next resumes from the checkpoint the sweep committed with its last page.
        log.warn('interrupted by shutdown; job goes back to the queue');
        if (token) await job.moveToDelayed(Date.now(), token);
        await recordRun(ctx, queue, job, 'interrupted', errorMessage(signal.reason ?? err));
        throw new DelayedError();
      }
      if (isPermanent(err)) {
        log.error({ err }, 'job failed permanently; not retrying');
        throw new UnrecoverableError(errorMessage(err));
      }
      log.warn({ err: errorMessage(err) }, 'job failed; BullMQ retries it with backoff');
      throw err;
    }
  };

  worker = new Worker(queue, processor, {
    // Shows up as job.processedBy and in `hubwatch status`: which machine and process holds a job.
    name: `${hostname()}/${process.pid}`,
    connection: ctx.connection,
    prefix: ctx.prefix,
    concurrency: platformCfg?.concurrency ?? 1,
    ...(platformCfg ? { limiter: platformCfg.limiter } : {}),
    lockDuration: ctx.tuning.lockDurationMs,
    stalledInterval: ctx.tuning.stalledIntervalMs,
    maxStalledCount: ctx.tuning.maxStalledCount,
    autorun: opts.autorun ?? true,
  });

  worker.on('error', (err) => ctx.logger.error({ queue, err: errorMessage(err) }, 'worker error'));
  worker.on('completed', (job) => {
    void observe(ctx, queue, job, 'completed', null);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    // Rate-limited and interrupted jobs are not failures; they were recorded where they happened.
    if (err instanceof DelayedError || err.name === 'RateLimitError' || err.message === 'bullmq:rateLimitExceeded')
      return;
    void observe(ctx, queue, job, 'failed', errorMessage(err));
  });
  worker.on('stalled', (jobId) =>
    ctx.logger.warn({ queue, jobId }, 'job stalled (its worker died); put back in the queue'),
  );
  return worker;
}

async function recordRun(
  ctx: WorkerContext,
  queue: QueueName,
  job: Job,
  status: 'completed' | 'failed' | 'rate-limited' | 'interrupted',
  detail: string | null,
): Promise<void> {
  try {
    const durationMs = job.processedOn && job.finishedOn ? job.finishedOn - job.processedOn : null;
    await ctx.ops.recordRun({
      queue,
      job: job.name,
      jobId: job.id ?? null,
      status,
      at: new Date().toISOString(),
      durationMs,
      attemptsMade: job.attemptsMade,
      detail,
    });
  } catch (err) {
    ctx.logger.debug({ err: errorMessage(err) }, 'could not record the run (Redis unavailable)');
  }
}

async function observe(
  ctx: WorkerContext,
  queue: QueueName,
  job: Job,
  status: 'completed' | 'failed',
  detail: string | null,
): Promise<void> {
  await recordRun(ctx, queue, job, status, detail);
  if (job.processedOn && job.finishedOn) {
    try {
      await ctx.ops.observeDuration(queue, job.name, (job.finishedOn - job.processedOn) / 1000);
    } catch {
      /* metrics are best effort */
    }
  }
}
