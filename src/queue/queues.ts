// The Queue objects (producer side) and the job options every producer uses. Scheduler templates and flow nodes
// do not inherit a Queue's defaultJobOptions, so all three take their options from jobOptions() here.
import { Queue, type JobsOptions } from 'bullmq';
import type { Config } from '../config.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { QUEUE_NAMES, isPlatformQueue, type QueueName } from './names.js';

/** Knobs tests (and operators with unusual platforms) turn; production uses the defaults. */
export interface Tuning {
  /** First retry delay of a failed job; doubles each attempt, with jitter. */
  backoffMs: number;
  /** How long a worker's lock on a job lives without renewal: the time a killed worker's job stays stuck. */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock expired (a killed worker) and put them back. */
  stalledIntervalMs: number;
  /** Sweeps get killed by deploys; a job that stalls more often than this fails. */
  maxStalledCount: number;
  /** Attempts of sweep jobs (polls try fewer: the next scheduled poll comes soon anyway). */
  sweepAttempts: number;
}

export const DEFAULT_TUNING: Tuning = {
  backoffMs: 30_000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 3,
  sweepAttempts: 6,
};

const DAY_S = 86_400;
// Bounded retention: BullMQ keeps finished jobs forever otherwise. Completed jobs are kept a week (status and
// Bull Board show recent history), failed ones a month so a person can still read why.
const RETENTION = {
  removeOnComplete: { age: 7 * DAY_S, count: 2_000 },
  removeOnFail: { age: 30 * DAY_S, count: 5_000 },
} as const;

export function jobOptions(queue: QueueName, name: string, tuning: Tuning): JobsOptions {
  const attempts = isPlatformQueue(queue) ? (name === 'sweep-stats' ? tuning.sweepAttempts : 3) : 4;
  return {
    attempts,
    backoff: { type: 'exponential', delay: tuning.backoffMs, jitter: 0.5 },
    ...RETENTION,
  };
}

export type QueueSet = Record<QueueName, Queue>;

export function createQueues(connection: Redis, prefix: string, logger: Logger, tuning: Tuning): QueueSet {
  const out = {} as QueueSet;
  for (const name of QUEUE_NAMES) {
    const q = new Queue(name, {
      connection,
      prefix,
      defaultJobOptions: jobOptions(name, '', tuning),
    });
    q.on('error', (err: Error) => logger.warn({ queue: name, err: errorMessage(err) }, 'queue error'));
    out[name] = q;
  }
  return out;
}

export async function closeQueues(queues: Partial<QueueSet>): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((q) => q.close()));
}

/**
 * How long the queue stays held by its rate limit: a 429 pause (worker.rateLimit) or the worker limiter's window
 * being full. getRateLimitTtl() without a maximum would report the limiter window of any recent job as a pause.
 */
export async function rateLimitedForMs(queue: Queue, config: Config): Promise<number> {
  const name = queue.name as QueueName;
  if (!isPlatformQueue(name)) return 0;
  return Math.max(0, await queue.getRateLimitTtl(config.file.sources[name].limiter.max));
}
