// Operating the service: /healthz, /metrics (Prometheus text, written in metrics.ts), Bull Board behind a bearer token, and the
// `hubwatch status` report. Everything here reads state that all processes share (Redis, the store), so any
// process that serves HTTP answers for the whole deployment.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { createLogger, silentLogger, type Logger } from '../log.js';
import { PLATFORMS, type Platform } from '../model.js';
import type { OpsStore } from '../store/types.js';
import { refusedFieldsName } from '../cycle/checkpoint-names.js';
import { ApiError } from '../feed/errors.js';
import { closeConnection, probeRedis, producerConnection, redactRedisUrl } from './connection.js';
import { QUEUE_NAMES, resolvePrefix, type QueueName } from './names.js';
import { DEFAULT_TUNING, closeQueues, createQueues, rateLimitedForMs, type QueueSet } from './queues.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import { cronIntervalMs, desiredSchedules } from './schedules.js';
import { OpsState, type LastPoll, type LastRun } from './state.js';

export interface OpsDeps {
  config: Config;
  store: OpsStore;
  queues: QueueSet;
  ops: OpsState;
  /** A fail-fast connection for the Redis ping. */
  redis: Redis;
  /** When this process started; a platform never polled is "pending", not unhealthy, during its first intervals. */
  startedAt?: number;
}

/** A poll is overdue after this many of its intervals (plus a minute): one slow or rate-limited poll is normal. */
const STALE_INTERVALS = 3;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

export interface PollHealth {
  ok: boolean;
  state: 'fresh' | 'pending' | 'stale';
  lastSuccess: string | null;
  expectedEverySeconds: number;
}

export interface Health {
  status: 'ok' | 'unhealthy';
  reasons: string[];
  /**
   * What works but costs figures: a list field the platform refused (dropped so that the runs go on). The status
   * stays ok: the service runs; the operator should run `hubwatch probe` and read the day's coverage notes.
   */
  warnings: string[];
  checks: {
    redis: { ok: boolean; error?: string };
    store: { ok: boolean; engine: string; error?: string };
    polls: Partial<Record<Platform, PollHealth>>;
    refusedFields: Partial<
      Record<Platform, { fields: Array<{ field: string; cost: string }>; since: string; lastSeen: string }>
    >;
  };
}

export async function checkHealth(deps: OpsDeps, now = Date.now()): Promise<Health> {
  const reasons: string[] = [];
  const checks: Health['checks'] = {
    redis: { ok: true },
    store: { ok: true, engine: deps.store.engine },
    polls: {},
    refusedFields: {},
  };
  const warnings: string[] = [];
  try {
    await withTimeout(deps.redis.ping(), 1_000, 'Redis ping');
  } catch (err) {
    checks.redis = { ok: false, error: errorMessage(err) };
    reasons.push(`Redis unreachable: ${errorMessage(err)}`);
  }
  try {
    await withTimeout(deps.store.ping(), 2_000, 'store ping');
  } catch (err) {
    checks.store = { ok: false, engine: deps.store.engine, error: errorMessage(err) };
    reasons.push(`store unreachable: ${errorMessage(err)}`);
  }
  let polls: Partial<Record<Platform, LastPoll>> = {};
  if (checks.redis.ok) {
    try {
      polls = await withTimeout(deps.ops.lastPolls(), 1_000, 'reading last polls');
    } catch (err) {
      reasons.push(`cannot read last polls: ${errorMessage(err)}`);
    }
  }
  const startedAt = deps.startedAt ?? now;
  for (const p of PLATFORMS) {
    const src = deps.config.file.sources[p];
    if (!src.enabled) continue;
    const every = cronIntervalMs(src.pollCron, deps.config.file.schedule.tz, new Date(now));
    const limit = STALE_INTERVALS * every + 60_000;
    const last = polls[p]?.at ?? null;
    const since = last ? now - Date.parse(last) : now - startedAt;
    const state: PollHealth['state'] = since <= limit ? (last ? 'fresh' : 'pending') : 'stale';
    checks.polls[p] = {
      ok: state !== 'stale',
      state,
      lastSuccess: last,
      expectedEverySeconds: Math.round(every / 1000),
    };
    if (state === 'stale' && checks.redis.ok) {
      reasons.push(
        last
          ? `${p}: last successful poll ${last}, more than ${STALE_INTERVALS} intervals ago`
          : `${p}: no successful poll since the service started`,
      );
    }
  }
  if (checks.store.ok) {
    for (const p of PLATFORMS) {
      const refused = await deps.store
        .getCheckpoint<Health['checks']['refusedFields'][Platform]>(refusedFieldsName(p))
        .catch(() => null);
      if (!refused || !Array.isArray(refused.fields) || refused.fields.length === 0) continue;
      checks.refusedFields[p] = refused;
      warnings.push(
        `${p}: the platform refuses the list field(s) ${refused.fields.map((f) => f.field).join(', ')} since ${refused.since} ` +
          `(runs go on without them: ${refused.fields.map((f) => f.cost).join('; ')}); run \`hubwatch probe --platform ${p}\``,
      );
    }
  }
  return { status: reasons.length === 0 ? 'ok' : 'unhealthy', reasons, warnings, checks };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function registerBullBoard(app: FastifyInstance, deps: OpsDeps, token: string): Promise<void> {
  const { createBullBoard } = await import('@bull-board/api');
  const { BullMQAdapter } = await import('@bull-board/api/bullMQAdapter');
  const { FastifyAdapter } = await import('@bull-board/fastify');
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  // The cast bridges two copies of @bull-board/api's types (the fastify adapter pins its own patch release);
  // the runtime contract is the same.
  createBullBoard({
    queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q)),
    serverAdapter: serverAdapter,
  });
  // Its own encapsulated scope, so the token check guards Bull Board and nothing else.
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!tokenMatches(req.headers.authorization, token)) {
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="hubwatch admin"')
          .send(new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <HUBWATCH_ADMIN_TOKEN>.').body);
      }
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: '/admin/queues' });
  });
}

/** GET /healthz, GET /metrics, and Bull Board at /admin/queues when HUBWATCH_ADMIN_TOKEN is set. */
export function opsPlugin(deps: OpsDeps): FastifyPluginAsync {
  const startedAt = deps.startedAt ?? Date.now();
  return async (app) => {
    app.get('/healthz', async (_req, reply) => {
      const health = await checkHealth({ ...deps, startedAt });
      return reply
        .code(health.status === 'ok' ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(health);
    });
    app.get('/metrics', async (_req, reply) => {
      try {
        const text = await renderMetrics(deps);
        return reply.header('content-type', METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
      } catch (err) {
        return reply.code(503).send(new ApiError(503, 'unavailable', `metrics unavailable: ${errorMessage(err)}`).body);
      }
    });
    if (deps.config.adminToken) await registerBullBoard(app, deps, deps.config.adminToken);
  };
}

export interface StatusReport {
  redis: string;
  prefix: string;
  schedules: Array<{
    queue: string;
    id: string;
    pattern: string;
    tz: string;
    next: string | null;
    registered: boolean;
  }>;
  queues: Array<{ queue: QueueName; counts: Record<string, number>; rateLimitedForMs: number; workers: number }>;
  lastPolls: Partial<Record<Platform, LastPoll>>;
  lastRuns: LastRun[];
}

/** Reads schedules, queue depths and last runs from Redis. Throws ServiceUnavailableError when Redis is down. */
export async function statusReport(
  config: Config,
  opts: { prefix?: string; logger?: Logger } = {},
): Promise<StatusReport> {
  const prefix = resolvePrefix(opts.prefix);
  const logger = opts.logger ?? silentLogger;
  await probeRedis(config.redisUrl);
  const conn = producerConnection(config.redisUrl, logger, 'status');
  const queues = createQueues(conn, prefix, logger, DEFAULT_TUNING);
  try {
    const ops = new OpsState(conn, prefix);
    const schedules: StatusReport['schedules'] = [];
    const desired = desiredSchedules(config);
    for (const q of QUEUE_NAMES) {
      for (const s of await queues[q].getJobSchedulers(0, -1)) {
        const want = desired.find((d) => d.queue === q && d.id === s.key);
        schedules.push({
          queue: q,
          id: s.key,
          pattern: s.pattern ?? (s.every ? `every ${s.every} ms` : '?'),
          tz: s.tz ?? 'UTC',
          next: s.next ? new Date(s.next).toISOString() : null,
          registered: want !== undefined,
        });
      }
    }
    for (const d of desired) {
      if (!schedules.some((s) => s.queue === d.queue && s.id === d.id)) {
        schedules.push({ queue: d.queue, id: d.id, pattern: d.pattern, tz: d.tz, next: null, registered: false });
      }
    }
    const depth: StatusReport['queues'] = [];
    for (const q of QUEUE_NAMES) {
      const counts = await queues[q].getJobCounts(
        'waiting',
        'active',
        'delayed',
        'waiting-children',
        'prioritized',
        'completed',
        'failed',
      );
      const ttl = await rateLimitedForMs(queues[q], config);
      const workers = (await queues[q].getWorkers().catch(() => [])).length;
      depth.push({ queue: q, counts, rateLimitedForMs: ttl, workers });
    }
    return {
      redis: redactRedisUrl(config.redisUrl),
      prefix,
      schedules,
      queues: depth,
      lastPolls: await ops.lastPolls(),
      lastRuns: await ops.lastRuns(),
    };
  } finally {
    await closeQueues(queues);
    await closeConnection(conn);
  }
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 0) return `in ${formatSpan(-s)}`;
  return `${formatSpan(s)} ago`;
}

function formatSpan(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function formatStatus(r: StatusReport, now = Date.now()): string {
  const parts: string[] = [];
  parts.push(`Redis ${r.redis}   prefix ${r.prefix}`);
  parts.push('');
  parts.push('Schedules');
  parts.push(
    table(
      ['queue', 'scheduler', 'cron', 'tz', 'next run (UTC)', ''],
      r.schedules.map((s) => [
        s.queue,
        s.id,
        s.pattern,
        s.tz,
        s.next
          ? `${s.next.replace('T', ' ').slice(0, 19)} (${ago(s.next, now)})`
          : 'not registered: is `hubwatch start` running?',
        s.registered ? '' : 'not in config',
      ]),
    ),
  );
  parts.push('');
  parts.push('Queues');
  parts.push(
    table(
      ['queue', 'workers', 'waiting', 'active', 'delayed', 'children', 'completed', 'failed', 'rate limit'],
      r.queues.map((q) => [
        q.queue,
        String(q.workers),
        String((q.counts.waiting ?? 0) + (q.counts.prioritized ?? 0)),
        String(q.counts.active ?? 0),
        String(q.counts.delayed ?? 0),
        String(q.counts['waiting-children'] ?? 0),
        String(q.counts.completed ?? 0),
        String(q.counts.failed ?? 0),
        q.rateLimitedForMs > 0 ? `paused ${Math.ceil(q.rateLimitedForMs / 1000)}s` : '-',
      ]),
    ),
  );
  parts.push('');
  parts.push('Last successful polls');
  parts.push(
    table(
      ['platform', 'when', 'models', 'new'],
      PLATFORMS.map((p) => {
        const l = r.lastPolls[p];
        return [
          p,
          l ? `${l.at.replace('T', ' ').slice(0, 19)} (${ago(l.at, now)})` : 'never',
          String(l?.models ?? '-'),
          String(l?.newModels ?? '-'),
        ];
      }),
    ),
  );
  parts.push('');
  parts.push('Last runs');
  parts.push(
    r.lastRuns.length === 0
      ? '(none yet)'
      : table(
          ['queue', 'job', 'status', 'when', 'took', 'attempts', 'detail'],
          r.lastRuns.map((x) => [
            x.queue,
            x.job,
            x.status,
            ago(x.at, now),
            x.durationMs === null ? '-' : formatSpan(Math.round(x.durationMs / 1000)),
            String(x.attemptsMade),
            (x.detail ?? '').slice(0, 80),
          ]),
        ),
  );
  return `${parts.join('\n')}\n`;
}

/** `hubwatch status`: the report as tables on stdout. */
export async function printStatus(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const report = await statusReport(config, { logger: createLogger({ level: 'silent' }) });
  out.write(formatStatus(report));
}
