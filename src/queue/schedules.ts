// Job Schedulers from config: new-release polls per platform, the daily snapshot flow, the weekly digest.
// upsertJobScheduler keeps its state in Redis under a fixed id, so every replica may call registerSchedulers at
// boot (and again after Redis comes back empty): there is always exactly one scheduler per job.
import { CronExpressionParser } from 'cron-parser';
import type { Config } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';
import { PLATFORMS, type Platform } from '../model.js';
import { JOB, schedulerIds, type QueueName } from './names.js';
import { DEFAULT_TUNING, jobOptions, type QueueSet, type Tuning } from './queues.js';

export interface ScheduleSpec {
  queue: QueueName;
  id: string;
  jobName: string;
  pattern: string;
  tz: string;
  data: Record<string, unknown>;
  /** The config key the pattern comes from, for error messages. */
  configKey: string;
}

/** What the config asks for: one poll per enabled platform, the daily flow, the weekly digest. */
export function desiredSchedules(config: Config): ScheduleSpec[] {
  const tz = config.file.schedule.tz;
  const specs: ScheduleSpec[] = [];
  for (const p of PLATFORMS) {
    if (!config.file.sources[p].enabled) continue;
    specs.push({
      queue: p,
      id: schedulerIds.poll(p),
      jobName: JOB.pollNew,
      pattern: config.file.sources[p].pollCron,
      tz,
      data: { platform: p, trigger: 'schedule' },
      configKey: `sources.${p}.pollCron`,
    });
  }
  specs.push({
    queue: 'snapshot',
    id: schedulerIds.daily,
    jobName: JOB.daily,
    pattern: config.file.schedule.sweepCron,
    tz,
    data: {},
    configKey: 'schedule.sweepCron',
  });
  specs.push({
    queue: 'digest',
    id: schedulerIds.digest,
    jobName: JOB.digest,
    pattern: config.file.schedule.digestCron,
    tz,
    data: {},
    configKey: 'schedule.digestCron',
  });
  return specs;
}

/** A bad cron pattern or time zone is a config error at start, not a scheduler that silently never fires. */
export function validateSchedules(config: Config): void {
  for (const s of desiredSchedules(config)) {
    try {
      CronExpressionParser.parse(s.pattern, { tz: s.tz }).next();
    } catch (err) {
      throw new ConfigError(
        `Config key ${s.configKey}: "${s.pattern}" (time zone ${s.tz}) is not a valid cron pattern: ${errorMessage(err)}. ` +
          'Use six fields with seconds, e.g. "0 */10 * * * *".',
      );
    }
  }
}

/** The next `count` fire times of a pattern, for `hubwatch status` and health checks. */
export function nextFireTimes(pattern: string, tz: string, count: number, from = new Date()): Date[] {
  const it = CronExpressionParser.parse(pattern, { tz, currentDate: from });
  return Array.from({ length: count }, () => it.next().toDate());
}

/** The gap between two consecutive fires after `from`: how often a poll is expected. */
export function cronIntervalMs(pattern: string, tz: string, from = new Date()): number {
  const [a, b] = nextFireTimes(pattern, tz, 2, from);
  return b!.getTime() - a!.getTime();
}

export interface RegisterResult {
  upserted: string[];
  removed: string[];
}

/**
 * Upserts every desired scheduler and removes the ones this service owns but no longer wants (a platform
 * disabled in config), so what Redis holds always matches the config of the last replica that started.
 */
export async function registerSchedulers(
  queues: QueueSet,
  config: Config,
  tuning: Tuning = DEFAULT_TUNING,
): Promise<RegisterResult> {
  validateSchedules(config);
  const specs = desiredSchedules(config);
  const upserted: string[] = [];
  for (const s of specs) {
    await queues[s.queue].upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: s.tz },
      { name: s.jobName, data: s.data, opts: jobOptions(s.queue, s.jobName, tuning) },
    );
    upserted.push(`${s.queue}/${s.id}`);
  }
  const removed: string[] = [];
  const wanted = new Set(specs.map((s) => `${s.queue}/${s.id}`));
  for (const [name, queue] of Object.entries(queues) as Array<[QueueName, QueueSet[QueueName]]>) {
    for (const existing of await queue.getJobSchedulers(0, -1)) {
      const key = `${name}/${existing.key}`;
      if (!wanted.has(key)) {
        await queue.removeJobScheduler(existing.key);
        removed.push(key);
      }
    }
  }
  return { upserted, removed };
}

export function pollScheduleOf(config: Config, platform: Platform): { pattern: string; tz: string } {
  return { pattern: config.file.sources[platform].pollCron, tz: config.file.schedule.tz };
}
