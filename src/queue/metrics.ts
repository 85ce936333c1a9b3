// GET /metrics in the Prometheus text format, written by prom-client. Two registries, neither of them prom-client's
// global one (so that several servers in one process, as in the tests, never collide on a name):
// - the process registry, one per process: prom-client's default process metrics (CPU, memory, event-loop lag, GC,
//   handles), which are about this process only;
// - a registry built per scrape for hubwatch's own figures, read at that moment from what every process shares
//   (Redis, the store, the data directory), so any process that serves HTTP answers for the whole deployment and no
//   figure is kept in memory between scrapes.
// No label carries a date: the figures "today" are gauges that start again at 00:00 UTC, and the newest snapshot
// is a timestamp, so a day never opens a new series.
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Config } from '../config.js';
import { PLATFORMS } from '../model.js';
import { listSnapshotDates } from '../snapshot/files.js';
import type { OpsStore } from '../store/types.js';
import { todayUtc } from '../time.js';
import { rateLimitedForMs, type QueueSet } from './queues.js';
import type { DurationHistogram, OpsState } from './state.js';

export interface MetricsDeps {
  config: Config;
  store: OpsStore;
  queues: QueueSet;
  ops: OpsState;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let processRegistry: Registry | undefined;

/** The process metrics, registered once per process (each registration starts its own event-loop and GC probes). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Job durations as the workers record them: bucket counts already summed over every process in Redis. prom-client's
 * Histogram counts observations made in this process, so these are handed to the registry as a finished family
 * through `get()`, the one method a registry calls on any metric.
 */
function fleetHistogram(name: string, help: string, histograms: DurationHistogram[]): Metric {
  const values = histograms.flatMap((h) => {
    const labels = { queue: h.queue, job: h.job };
    return [
      ...h.buckets.map((b) => ({ metricName: `${name}_bucket`, labels: { ...labels, le: b.le }, value: b.count })),
      { metricName: `${name}_sum`, labels, value: h.sum },
      { metricName: `${name}_count`, labels, value: h.count },
    ];
  });
  const family = { name, help, type: 'histogram', aggregator: 'sum', values };
  return { name, get: async () => family } as unknown as Metric;
}

async function hubwatchMetrics(deps: MetricsDeps, now: Date): Promise<Registry> {
  const registry = new Registry();
  const registers = [registry];

  const jobs = new Gauge({
    name: 'bullmq_job_count',
    help: 'Number of jobs in the queue by state',
    labelNames: ['queue', 'state'],
    registers,
  });
  const limited = new Gauge({
    name: 'hubwatch_queue_rate_limited_seconds',
    help: 'Seconds until the queue rate limit (a 429 pause or a full limiter window) ends; 0 when not limited',
    labelNames: ['queue'],
    registers,
  });
  for (const q of Object.values(deps.queues)) {
    for (const [state, count] of Object.entries(await q.getJobCounts())) jobs.set({ queue: q.name, state }, count);
    limited.set({ queue: q.name }, (await rateLimitedForMs(q, deps.config)) / 1000);
  }

  registry.registerMetric(
    fleetHistogram('hubwatch_job_duration_seconds', 'Job processing time, all processes', await deps.ops.durations()),
  );

  const today = (help: string, name: string) =>
    new Gauge({ name, help: `${help} today (UTC), all processes`, labelNames: ['platform'], registers });
  const requests = today('HTTP requests to the platform', 'hubwatch_platform_requests_today');
  const http429 = today('Rate-limit answers (429) from the platform', 'hubwatch_platform_http_429_today');
  const errors = today('Failed requests to the platform', 'hubwatch_platform_errors_today');
  const quarantinedToday = today('Records quarantined', 'hubwatch_platform_quarantined_today');
  const quarantined = new Gauge({
    name: 'hubwatch_quarantined_records',
    help: 'Records in quarantine, all days',
    labelNames: ['platform'],
    registers,
  });
  const pauses = new Counter({
    name: 'hubwatch_rate_limit_pauses_total',
    help: 'Times a 429 paused the platform queue (all processes)',
    labelNames: ['platform'],
    registers,
  });
  const coverage = await deps.store.getCoverage(todayUtc(now));
  const pauseCounts = await deps.ops.rateLimitCounts();
  for (const platform of PLATFORMS) {
    const c = coverage[platform];
    requests.set({ platform }, c?.requests ?? 0);
    http429.set({ platform }, c?.http429 ?? 0);
    errors.set({ platform }, c?.errors ?? 0);
    quarantinedToday.set({ platform }, c?.quarantined ?? 0);
    quarantined.set({ platform }, await deps.store.countQuarantine(platform));
    pauses.inc({ platform }, pauseCounts[platform] ?? 0);
  }

  const lastPoll = new Gauge({
    name: 'hubwatch_last_successful_poll_timestamp_seconds',
    help: 'When the last poll of new releases succeeded',
    labelNames: ['platform'],
    registers,
  });
  for (const [platform, poll] of Object.entries(await deps.ops.lastPolls()))
    lastPoll.set({ platform }, Date.parse(poll.at) / 1000);

  const last = (await listSnapshotDates(deps.config.dataDir)).at(-1);
  if (last) {
    new Gauge({
      name: 'hubwatch_last_snapshot_date_timestamp_seconds',
      help: 'Start (UTC) of the day of the newest snapshot file',
      registers,
    }).set(Date.parse(`${last}T00:00:00Z`) / 1000);
  }
  return registry;
}

/** The text of one scrape: this process's metrics and the deployment's. */
export async function renderMetrics(deps: MetricsDeps, now = new Date()): Promise<string> {
  return Registry.merge([processMetrics(), await hubwatchMetrics(deps, now)]).metrics();
}
