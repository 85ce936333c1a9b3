// The scheduled service. `hubwatch start` runs schedulers, every worker and the HTTP server in one process;
// `hubwatch worker --queue X` runs one queue's worker, for scaling out around one Redis and one PostgreSQL.
//
// Shutdown (SIGTERM, SIGINT): workers stop taking jobs and active jobs get the grace period to finish. At 75 % of
// it the jobs still running are cancelled: a sweep drops the page in flight (every committed page carries its
// checkpoint) and its job goes back to the queue without spending an attempt. Then queues, the flow producer, the
// HTTP server, the store and the Redis connections close, in that order, and the process exits 0. A second
// signal exits at once.
import { FlowProducer, type Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { openRuntime, type AfterSnapshotHook, type Runtime } from '../cycle/run.js';
import { closeConnection, probeRedis, producerConnection, redactRedisUrl, workerConnection } from './connection.js';
import { QUEUE_NAMES, QueueName, resolvePrefix } from './names.js';
import { DEFAULT_TUNING, closeQueues, createQueues, type QueueSet, type Tuning } from './queues.js';
import { registerSchedulers } from './schedules.js';
import { enabledPlatforms } from './flows.js';
import { triggerPoll } from './produce.js';
import { OpsState } from './state.js';
import { createWorker, type DigestRunner } from './workers.js';
import { digestRunner } from './digest-job.js';

export interface StartServiceOptions {
  config: Config;
  logger: Logger;
  /** 'all' for `start`; one or more queues for `worker --queue`. */
  queues?: 'all' | QueueName[];
  /** Serve the HTTP API, /healthz, /metrics (and Bull Board when a token is set) from this process. */
  http: boolean;
  /** Register the Job Schedulers; default: when running all queues (`start`). */
  schedulers?: boolean;
  /** Redis key prefix; default HUBWATCH_QUEUE_PREFIX or `{hubwatch}`. Tests use their own. */
  prefix?: string;
  tuning?: Partial<Tuning>;
  /** The weekly digest job's body; default the digest module of this build. */
  digest?: DigestRunner;
  /** Allow the embedded DuckDB store with a subset of queues (one process that is not `start`, e.g. a test). */
  allowEmbeddedStore?: boolean;
  /** Bind address for the HTTP server; default the config's. Port 0 picks a free port (tests). */
  listen?: { host?: string; port?: number };
  /** Run after each snapshot this process writes (the static export, src/exports.ts); default none. */
  afterSnapshot?: readonly AfterSnapshotHook[];
}

export interface Service {
  readonly config: Config;
  readonly logger: Logger;
  readonly prefix: string;
  readonly tuning: Tuning;
  readonly queueNames: readonly QueueName[];
  readonly queues: QueueSet;
  readonly workers: ReadonlyMap<QueueName, Worker>;
  readonly flows: FlowProducer;
  readonly runtime: Runtime;
  readonly ops: OpsState;
  readonly http: FastifyInstance | null;
  /** `http://host:port` when serving HTTP. */
  readonly address: string | null;
  /** Graceful stop; safe to call more than once. Resolves when everything is closed. */
  close(reason?: string): Promise<void>;
  /** Resolves once close() has finished. */
  readonly closed: Promise<void>;
}

export function parseQueueNames(list: 'all' | readonly string[]): QueueName[] {
  if (list === 'all') return [...QUEUE_NAMES];
  const out: QueueName[] = [];
  for (const name of list) {
    const parsed = QueueName.safeParse(name);
    if (!parsed.success) {
      throw new ConfigError(`Unknown queue "${name}". Queues: ${QUEUE_NAMES.join(', ')}.`);
    }
    if (!out.includes(parsed.data)) out.push(parsed.data);
  }
  if (out.length === 0) throw new ConfigError(`Name a queue: ${QUEUE_NAMES.join(', ')}.`);
  return out;
}

export async function startService(opts: StartServiceOptions): Promise<Service> {
  const { config, logger } = opts;
  const queueNames = parseQueueNames(opts.queues ?? 'all');
  const all = queueNames.length === QUEUE_NAMES.length;
  const prefix = resolvePrefix(opts.prefix);
  const tuning: Tuning = { ...DEFAULT_TUNING, ...opts.tuning };

  // The DuckDB file takes one process's lock: a second process would fail at open, or worse, each machine would
  // keep its own file and the snapshot would see one machine's share of the work.
  if (!config.databaseUrl && !all && !opts.allowEmbeddedStore) {
    throw new ConfigError(
      'A worker for some queues runs next to other processes, and the embedded DuckDB store serves one process only: ' +
        'set DATABASE_URL to a PostgreSQL database shared by all processes (or run everything in one process with `hubwatch start`).',
    );
  }

  await probeRedis(config.redisUrl);
  const log = logger.child({ component: 'service' });
  log.info({ redis: redactRedisUrl(config.redisUrl), prefix, queues: queueNames }, 'starting');

  const runtime = await openRuntime(config, logger, { afterSnapshot: opts.afterSnapshot });
  const conns: Redis[] = [];
  const producer = producerConnection(config.redisUrl, logger, 'producer');
  const workerConn = workerConnection(config.redisUrl, logger, 'worker');
  const flowConn = workerConnection(config.redisUrl, logger, 'flow');
  conns.push(producer, workerConn, flowConn);
  const queues = createQueues(producer, prefix, logger, tuning);
  const flows = new FlowProducer({ connection: flowConn, prefix });
  flows.on('error', (err: Error) => log.warn({ err: errorMessage(err) }, 'flow producer error'));
  const ops = new OpsState(workerConn, prefix);
  const digest = opts.digest ?? digestRunner;

  const workers = new Map<QueueName, Worker>();
  let http: FastifyInstance | null = null;
  let address: string | null = null;
  let reregister: (() => void) | null = null;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | null = null;

  const close = (reason = 'close'): Promise<void> => {
    closing ??= (async () => {
      const started = Date.now();
      log.info({ reason, graceMs: config.file.shutdownGraceMs }, 'shutting down: no new jobs; waiting for active ones');
      if (reregister) producer.off('ready', reregister);
      const graceMs = config.file.shutdownGraceMs;
      const deadline = started + graceMs;
      await closeWorkers([...workers.values()], graceMs, log);
      // Each later step gets a share of what is left of the grace period: a library waiting on a Redis that is
      // gone must not keep the process past it.
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['queues', () => closeQueues(queues)],
        ['flow producer', () => flows.close()],
        ['HTTP server', () => (http ? http.close() : Promise.resolve())],
        ['store', () => runtime.close()],
        ['Redis connections', () => Promise.all(conns.map(closeConnection))],
      ];
      for (const [i, [what, step]] of steps.entries()) {
        const share = Math.max(100, (deadline - Date.now()) / (steps.length - i));
        await bounded(what, step(), log, share);
      }
      log.info({ ms: Date.now() - started }, 'stopped');
      resolveClosed();
    })();
    return closing;
  };

  try {
    if (opts.schedulers ?? all) {
      const res = await registerSchedulers(queues, config, tuning);
      log.info({ ...res }, 'job schedulers registered');
      // A Redis that comes back empty (no persistence, a failover to a fresh replica) has lost the schedulers;
      // upserting again is idempotent, so do it on every reconnect rather than wait for an operator.
      let first = true;
      reregister = () => {
        if (first) {
          first = false;
          return;
        }
        registerSchedulers(queues, config, tuning).then(
          (r) => log.info({ ...r }, 'job schedulers re-registered after a Redis reconnect'),
          (err: unknown) => log.warn({ err: errorMessage(err) }, 'could not re-register job schedulers'),
        );
      };
      if (producer.status === 'ready') first = false;
      producer.on('ready', reregister);
      // Cron patterns first fire at their next boundary (up to an hour away for WiseModel); poll once now so a
      // fresh start has news and a health record at once. Deduplicated: restarts and replicas still leave at most one
      // unfinished poll per platform.
      for (const p of enabledPlatforms(config)) await triggerPoll(queues, p, tuning);
    }

    const ctx = { rt: runtime, config, logger, connection: workerConn, prefix, queues, flows, ops, tuning, digest };
    for (const name of queueNames) workers.set(name, createWorker(ctx, name));
    await Promise.all([...workers.values()].map((w) => w.waitUntilReady()));

    if (opts.http) {
      // Loaded only here: a worker-only process never loads fastify, the API and the dashboard.
      const { buildHttpServer } = await import('./http.js');
      http = await buildHttpServer({
        config,
        logger,
        store: runtime.store,
        registry: runtime.registry,
        queues,
        ops,
        prefix,
        producer,
      });
      const host = opts.listen?.host ?? config.file.server.host;
      const port = opts.listen?.port ?? config.port;
      address = await http.listen({ host, port });
      // Snapshots written by this process change what the API answers; drop cached bodies at once.
      const app = http;
      for (const name of ['snapshot', 'export'] as const) {
        workers.get(name)?.on('completed', () => app.feed?.invalidate());
      }
      log.info({ address }, 'HTTP server listening');
    }
  } catch (err) {
    await close('start failed');
    throw err;
  }

  log.info({ queues: queueNames, workers: workers.size, http: address }, 'service running');
  return {
    config,
    logger,
    prefix,
    tuning,
    queueNames,
    queues,
    workers,
    flows,
    runtime,
    ops,
    get http() {
      return http;
    },
    get address() {
      return address;
    },
    close,
    closed,
  };
}

async function bounded(what: string, p: Promise<unknown>, log: Logger, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    p.then(
      () => 'ok' as const,
      (err: unknown) => {
        log.warn({ err: errorMessage(err) }, `closing ${what} failed`);
        return 'failed' as const;
      },
    ),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout') log.warn(`closing ${what} took longer than ${Math.round(timeoutMs)} ms; going on`);
}

/**
 * Lets active jobs finish, cancels what is still running at 75 % of the grace period (the processors put their
 * jobs back), and force-closes at 85 % so the rest of the shutdown fits inside the grace period.
 */
async function closeWorkers(workers: Worker[], graceMs: number, log: Logger): Promise<void> {
  if (workers.length === 0) return;
  const all = Promise.allSettled(workers.map((w) => w.close()));
  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number): Promise<'timeout'> => new Promise((r) => timers.push(setTimeout(() => r('timeout'), ms)));
  try {
    if ((await Promise.race([all, after(graceMs * 0.75)])) !== 'timeout') return;
    log.warn('grace period running out; interrupting active jobs (they resume from their checkpoints)');
    for (const w of workers) w.cancelAllJobs('shutdown: grace period exceeded');
    if ((await Promise.race([all, after(graceMs * 0.1)])) !== 'timeout') return;
    log.error('active jobs did not stop; closing anyway (their locks expire and another worker takes them)');
    await bounded('workers (forced)', Promise.allSettled(workers.map((w) => w.close(true))), log, graceMs * 0.05);
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}

export interface ShutdownHandlers {
  dispose(): void;
}

/**
 * SIGTERM/SIGINT: graceful close, then exit 0 (1 if closing failed). A second signal exits at once, with the
 * conventional 128 + signal number.
 */
export function installShutdownHandlers(
  service: Pick<Service, 'close'>,
  opts: { logger: Logger; exit?: (code: number) => void; signals?: NodeJS.Signals[] },
): ShutdownHandlers {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count += 1;
    if (count > 1) {
      opts.logger.warn({ signal: sig }, 'second signal: exiting now');
      exit(128 + (sig === 'SIGINT' ? 2 : 15));
      return;
    }
    opts.logger.info({ signal: sig }, 'signal received');
    service.close(sig).then(
      () => exit(0),
      (err: unknown) => {
        opts.logger.error({ err: errorMessage(err) }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, handler);
  return {
    dispose() {
      for (const s of signals) process.off(s, handler);
    },
  };
}

export interface ServiceCommandOptions {
  config: Config;
  logger: Logger;
  mode: 'start' | 'worker';
  /** For `worker`: one queue name, or several comma-separated. */
  queue?: string;
  prefix?: string;
  tuning?: Partial<Tuning>;
  afterSnapshot?: readonly AfterSnapshotHook[];
}

/** What `hubwatch start` and `hubwatch worker --queue X` run: start, install the signal handlers, run until stopped. */
export async function runServiceCommand(opts: ServiceCommandOptions): Promise<void> {
  const queues =
    opts.mode === 'start'
      ? 'all'
      : parseQueueNames(
          (opts.queue ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
  const service = await startService({
    config: opts.config,
    logger: opts.logger,
    queues,
    http: opts.mode === 'start',
    schedulers: opts.mode === 'start',
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    ...(opts.tuning ? { tuning: opts.tuning } : {}),
    ...(opts.afterSnapshot ? { afterSnapshot: opts.afterSnapshot } : {}),
  });
  installShutdownHandlers(service, { logger: opts.logger });
  await service.closed;
}
