// Operational state kept in Redis next to the queues (same hash tag, so one slot on a cluster): the last
// successful poll per platform, the last run of each job kind, and job-duration histograms. Redis rather than
// process memory because workers run in many processes and the one serving /metrics and /healthz sees them all.
import type { Redis } from 'ioredis';
import type { Platform } from '../model.js';

/** Upper bounds in seconds: polls take seconds, sweeps of a large catalogue hours. */
export const DURATION_BUCKETS_S = [1, 5, 15, 60, 300, 900, 3_600, 14_400] as const;

export interface LastPoll {
  at: string;
  jobId: string | null;
  models: number;
  newModels: number;
}

export interface LastRun {
  queue: string;
  job: string;
  jobId: string | null;
  status: 'completed' | 'failed' | 'rate-limited' | 'interrupted';
  at: string;
  durationMs: number | null;
  attemptsMade: number;
  detail: string | null;
}

export interface DurationHistogram {
  queue: string;
  job: string;
  /** Cumulative counts per upper bound, Prometheus style (`le`), the last one being +Inf. */
  buckets: Array<{ le: string; count: number }>;
  sum: number;
  count: number;
}

export class OpsState {
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  private key(name: string): string {
    return `${this.prefix}:ops:${name}`;
  }

  async recordPoll(platform: Platform, poll: LastPoll): Promise<void> {
    await this.redis.hset(this.key('last-poll'), platform, JSON.stringify(poll));
  }

  async lastPolls(): Promise<Partial<Record<Platform, LastPoll>>> {
    const raw = await this.redis.hgetall(this.key('last-poll'));
    const out: Partial<Record<Platform, LastPoll>> = {};
    for (const [k, v] of Object.entries(raw)) out[k as Platform] = JSON.parse(v) as LastPoll;
    return out;
  }

  /** 429s that paused a platform queue, since the deployment began (a Prometheus counter). */
  async countRateLimit(platform: Platform): Promise<void> {
    await this.redis.hincrby(this.key('rate-limited'), platform, 1);
  }

  async rateLimitCounts(): Promise<Partial<Record<Platform, number>>> {
    const raw = await this.redis.hgetall(this.key('rate-limited'));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async recordRun(run: LastRun): Promise<void> {
    await this.redis.hset(this.key('last-run'), `${run.queue}/${run.job}`, JSON.stringify(run));
  }

  async lastRuns(): Promise<LastRun[]> {
    const raw = await this.redis.hgetall(this.key('last-run'));
    return Object.values(raw)
      .map((v) => JSON.parse(v) as LastRun)
      .sort((a, b) => `${a.queue}/${a.job}`.localeCompare(`${b.queue}/${b.job}`));
  }

  /** One pipeline per observation: per-bucket counters (non-cumulative), sum and count. */
  async observeDuration(queue: string, job: string, seconds: number): Promise<void> {
    const key = this.key(`duration:${queue}:${job}`);
    const bucket = DURATION_BUCKETS_S.find((b) => seconds <= b);
    await this.redis
      .multi()
      .hincrby(key, bucket === undefined ? '+Inf' : String(bucket), 1)
      .hincrbyfloat(key, 'sum', seconds)
      .hincrby(key, 'count', 1)
      .sadd(this.key('durations'), `${queue}:${job}`)
      .exec();
  }

  async durations(): Promise<DurationHistogram[]> {
    const members = (await this.redis.smembers(this.key('durations'))).sort();
    const out: DurationHistogram[] = [];
    for (const m of members) {
      const [queue, job] = m.split(':') as [string, string];
      const raw = await this.redis.hgetall(this.key(`duration:${m}`));
      let cumulative = 0;
      const buckets = [...DURATION_BUCKETS_S.map(String), '+Inf'].map((le) => {
        cumulative += Number(raw[le] ?? 0);
        return { le, count: cumulative };
      });
      out.push({ queue, job, buckets, sum: Number(raw.sum ?? 0), count: Number(raw.count ?? 0) });
    }
    return out;
  }
}
