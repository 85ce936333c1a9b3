// The daily snapshot flow: a parent `snapshot` job per date that waits for one `sweep-stats` child per enabled
// platform. Children ignore their own failure (ignoreDependencyOnFailure), so one platform that cannot be swept
// delays nobody: the snapshot is written with that platform marked incomplete.
//
// Which day a scheduled sweep describes. The daily scheduler fires at 00:05 UTC on day D+1 and builds the flow
// for day D: the last complete UTC day before the fire time. Its figures are the catalogue as observed just after
// D ended, the closest observation to "the end of D"; the polls of D have all run, so D's new releases are
// complete; and runClock(D) stamps models first seen in that sweep at D's last millisecond, not on D+1.
// `hubwatch run --once` without --date describes today so far (todayUtc()); `run --once --date D` run at 00:05
// on D+1 does exactly what the scheduled flow does. The rule both share: a snapshot dated D holds D's figures as
// observed at the latest observation made for D.
import type { FlowProducer, JobNode } from 'bullmq';
import type { Platform } from '../model.js';
import { PLATFORMS } from '../model.js';
import type { Config } from '../config.js';
import { JOB, jobIds, type SnapshotJobData, type SweepJobData } from './names.js';
import { jobOptions, type QueueSet, type Tuning } from './queues.js';
import { DAY_MS, todayUtc } from '../time.js';

/** The UTC day a daily job fired at `fireMs` describes: the last complete UTC day before it. */
export function dailySnapshotDate(fireMs: number): string {
  return todayUtc(new Date(fireMs - DAY_MS));
}

export function enabledPlatforms(config: Config): Platform[] {
  return PLATFORMS.filter((p) => config.file.sources[p].enabled);
}

export interface DailyFlowResult {
  date: string;
  snapshotJobId: string;
  /** False when the day's flow already existed (done, or still running): nothing was added. */
  created: boolean;
  state: string;
}

/**
 * Adds the flow for `date` unless it exists. A snapshot that failed for good is removed with its children and
 * built again, so re-running a day after fixing the cause needs no manual clean-up; sweeps already done for the
 * day return at once from their checkpoint.
 */
export async function addDailyFlow(
  flows: FlowProducer,
  queues: QueueSet,
  opts: { date: string; platforms: readonly Platform[]; tuning: Tuning },
): Promise<DailyFlowResult> {
  const snapshotJobId = jobIds.snapshot(opts.date);
  const existing = await queues.snapshot.getJob(snapshotJobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'failed') return { date: opts.date, snapshotJobId, created: false, state };
    await existing.remove({ removeChildren: true });
  }
  const data: SnapshotJobData = { date: opts.date, platforms: [...opts.platforms] };
  const children: Array<Parameters<FlowProducer['add']>[0]> = opts.platforms.map((platform) => {
    const child: SweepJobData = { platform, date: opts.date };
    return {
      name: JOB.sweepStats,
      queueName: platform,
      data: child,
      opts: {
        ...jobOptions(platform, JOB.sweepStats, opts.tuning),
        jobId: jobIds.sweep(platform, opts.date),
        ignoreDependencyOnFailure: true,
      },
    };
  });
  const node: JobNode = await flows.add({
    name: JOB.snapshot,
    queueName: 'snapshot',
    data,
    opts: { ...jobOptions('snapshot', JOB.snapshot, opts.tuning), jobId: snapshotJobId },
    children,
  });
  return { date: opts.date, snapshotJobId: node.job.id ?? snapshotJobId, created: true, state: 'waiting-children' };
}

/** Reads the platform out of a child job key (`<prefix>:<queue>:<id>`); the queue is the platform. */
export function platformOfJobKey(jobKey: string, prefix: string): Platform | null {
  const rest = jobKey.startsWith(`${prefix}:`) ? jobKey.slice(prefix.length + 1) : jobKey;
  const queue = rest.split(':')[0];
  return (PLATFORMS as readonly string[]).includes(queue ?? '') ? (queue as Platform) : null;
}
