// Adding jobs by hand (CLI, Bull Board, tests), with the same ids and options the schedulers use.
import type { Job } from 'bullmq';
import type { Platform } from '../model.js';
import { JOB, jobIds, type DigestJobData, type ExportJobData, type PollJobData } from './names.js';
import { DEFAULT_TUNING, jobOptions, type QueueSet, type Tuning } from './queues.js';

/**
 * A poll now, unless one for the platform is already waiting or running (deduplication): asking twice in a row,
 * or from two machines, still polls once.
 */
export function triggerPoll(queues: QueueSet, platform: Platform, tuning: Tuning = DEFAULT_TUNING): Promise<Job> {
  const data: PollJobData = { platform, trigger: 'manual' };
  return queues[platform].add(JOB.pollNew, data, {
    ...jobOptions(platform, JOB.pollNew, tuning),
    deduplication: { id: jobIds.pollDedup(platform) },
  });
}

/** Rebuild a stored day's snapshot and static export; one job per date however often it is asked for. */
export function enqueueExport(queues: QueueSet, date: string, tuning: Tuning = DEFAULT_TUNING): Promise<Job> {
  const data: ExportJobData = { date };
  return queues.export.add(JOB.export, data, {
    ...jobOptions('export', JOB.export, tuning),
    deduplication: { id: jobIds.export(date) },
  });
}

export function enqueueDigest(queues: QueueSet, week: string, tuning: Tuning = DEFAULT_TUNING): Promise<Job> {
  const data: DigestJobData = { week };
  return queues.digest.add(JOB.digest, data, {
    ...jobOptions('digest', JOB.digest, tuning),
    deduplication: { id: jobIds.digest(week) },
  });
}

/** The daily job by hand, for a given date (a backfill); the worker turns it into the day's flow. */
export function enqueueDaily(queues: QueueSet, date: string, tuning: Tuning = DEFAULT_TUNING): Promise<Job> {
  return queues.snapshot.add(
    JOB.daily,
    { date },
    {
      ...jobOptions('snapshot', JOB.daily, tuning),
      deduplication: { id: `daily-${date}` },
    },
  );
}
