// Queue names, job names, job ids and job payloads of the scheduled service, in one module: producers (schedulers,
// flows, the CLI) and consumers (workers) must agree on them, and a payload is validated where it is consumed.
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { PLATFORMS, Platform } from '../model.js';

/** One queue per platform, so each upstream gets its own limiter and concurrency. */
export const PLATFORM_QUEUES = PLATFORMS;
export const QUEUE_NAMES = [...PLATFORMS, 'snapshot', 'digest', 'export'] as const;
export const QueueName = z.enum(QUEUE_NAMES);
export type QueueName = z.infer<typeof QueueName>;

export function isPlatformQueue(name: QueueName): name is Platform {
  return (PLATFORMS as readonly string[]).includes(name);
}

/**
 * Every queue shares one hash tag, so all their keys land in one Redis Cluster slot (Valkey and Dragonfly with
 * lock_on_hashtags too): a flow is written atomically across the platform queues and the snapshot queue.
 */
export const DEFAULT_PREFIX = '{hubwatch}';

/** A prefix must carry a hash tag, or flows across queues break on a cluster. */
export const QueuePrefix = z
  .string()
  .regex(/^[^{}]*\{[^{}:]+\}[^{}]*$/, 'must contain one hash tag in braces, e.g. {hubwatch} or {hubwatch-test-1}');

/** The queue prefix a process uses: the explicit one, else HUBWATCH_QUEUE_PREFIX, else the default; checked. */
export function resolvePrefix(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const prefix = explicit ?? env.HUBWATCH_QUEUE_PREFIX ?? DEFAULT_PREFIX;
  const parsed = QueuePrefix.safeParse(prefix);
  if (!parsed.success) {
    throw new ConfigError(
      `Queue prefix ${JSON.stringify(prefix)} ${parsed.error.issues[0]!.message} (HUBWATCH_QUEUE_PREFIX).`,
    );
  }
  return prefix;
}

export const JOB = {
  pollNew: 'poll-new',
  sweepStats: 'sweep-stats',
  /** The 00:05 scheduler job that creates the day's snapshot flow. */
  daily: 'daily',
  snapshot: 'snapshot',
  digest: 'digest',
  export: 'export',
} as const;
export type JobName = (typeof JOB)[keyof typeof JOB];

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const IsoWeek = z.string().regex(/^\d{4}-W\d{2}$/, 'must be YYYY-Www');

export const PollJobData = z.object({
  platform: Platform,
  /** Who asked: the scheduler, or a person (CLI, Bull Board). Only for logs. */
  trigger: z.enum(['schedule', 'manual']).default('schedule'),
});
export type PollJobData = z.infer<typeof PollJobData>;

export const SweepJobData = z.object({ platform: Platform, date: IsoDay });
export type SweepJobData = z.infer<typeof SweepJobData>;

/** Empty from the scheduler (the date follows from the fire time); a date when a person backfills a day. */
export const DailyJobData = z.object({ date: IsoDay.optional() });
export type DailyJobData = z.infer<typeof DailyJobData>;

export const SnapshotJobData = z.object({ date: IsoDay, platforms: z.array(Platform) });
export type SnapshotJobData = z.infer<typeof SnapshotJobData>;

/** Empty from the scheduler: the digest covers the last full ISO week before the fire time. */
export const DigestJobData = z.object({ week: IsoWeek.optional() });
export type DigestJobData = z.infer<typeof DigestJobData>;

/** Rebuild a stored day's snapshot and its static export (what `hubwatch snapshot --date D` does, on the queue). */
export const ExportJobData = z.object({ date: IsoDay });
export type ExportJobData = z.infer<typeof ExportJobData>;

export interface JobDataByName {
  'poll-new': PollJobData;
  'sweep-stats': SweepJobData;
  daily: DailyJobData;
  snapshot: SnapshotJobData;
  digest: DigestJobData;
  export: ExportJobData;
}

/** Which job names each queue carries; a worker refuses anything else as unrecoverable. */
export const JOBS_BY_QUEUE: Record<QueueName, readonly JobName[]> = {
  huggingface: [JOB.pollNew, JOB.sweepStats],
  modelscope: [JOB.pollNew, JOB.sweepStats],
  wisemodel: [JOB.pollNew, JOB.sweepStats],
  snapshot: [JOB.daily, JOB.snapshot],
  digest: [JOB.digest],
  export: [JOB.export],
};

// Custom job ids must not contain ':' (BullMQ reserves it for scheduler ids) and must not be all digits.
export const jobIds = {
  sweep: (platform: Platform, date: string): string => `sweep-${platform}-${date}`,
  snapshot: (date: string): string => `snapshot-${date}`,
  digest: (week: string): string => `digest-${week}`,
  export: (date: string): string => `export-${date}`,
  /** Deduplication id: at most one unfinished poll per platform, however many are asked for. */
  pollDedup: (platform: Platform): string => `poll-${platform}`,
} as const;

export const schedulerIds = {
  poll: (platform: Platform): string => `poll-${platform}`,
  daily: 'daily-snapshot',
  digest: 'weekly-digest',
} as const;
