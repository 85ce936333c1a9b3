// Redis connections for the service. Workers wait out a Redis restart (maxRetriesPerRequest: null, reconnect with
// capped backoff); producers on the request path fail fast so an HTTP handler never hangs on a dead Redis.
import { Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** The URL with any password (and user name) removed, safe for logs and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && u.username !== 'default') u.username = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** Reconnect forever, with jittered backoff capped at 5 s: a Redis restart must not need an operator. */
export function reconnectDelay(times: number): number {
  const base = Math.min(200 * 2 ** Math.min(times, 5), 5_000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function attachLogging(conn: Redis, logger: Logger, role: string, url: string): Redis {
  // One warning per outage instead of one per reconnect attempt; ioredis emits 'error' on every failed try.
  let down = false;
  conn.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ redis: redactRedisUrl(url), role, err: errorMessage(err) }, 'Redis connection lost; reconnecting');
  });
  conn.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ redis: redactRedisUrl(url), role }, 'Redis connection restored');
  });
  return conn;
}

/** A connection named for its role in Redis's CLIENT LIST, with the shared reconnect delay and state logging. */
function roleConnection(url: string, logger: Logger, role: string, options: RedisOptions): Redis {
  return attachLogging(
    new Redis(url, { retryStrategy: reconnectDelay, connectionName: `hubwatch-${role}`, ...options }),
    logger,
    role,
    url,
  );
}

/** For Workers, QueueEvents and the flow producer run by the daily job: blocking commands, never give up. */
export function workerConnection(url: string, logger: Logger, role = 'worker', extra: RedisOptions = {}): Redis {
  return roleConnection(url, logger, role, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

/** For Queues used by HTTP handlers, the status command and scheduler registration: fail fast. */
export function producerConnection(url: string, logger: Logger, role = 'producer', extra: RedisOptions = {}): Redis {
  return roleConnection(url, logger, role, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 5_000,
    ...extra,
  });
}

export function redisHint(url: string): string {
  return (
    `Cannot reach Redis at ${redactRedisUrl(url)}. Start it with \`redis-server --daemonize yes\` ` +
    '(or `docker compose up -d redis`), or point REDIS_URL at a running Redis 6.2+.'
  );
}

/** One attempt, bounded in time: at start an unreachable Redis is a configuration problem (exit code 2). */
export async function probeRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    connectionName: 'hubwatch-probe',
  });
  // The 'error' event carries the socket's reason (ECONNREFUSED, ENOTFOUND, WRONGPASS); connect() only says closed.
  let cause: unknown = null;
  probe.on('error', (err: Error) => {
    cause ??= err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const why = cause ?? err;
    throw new ServiceUnavailableError(`${redisHint(url)} (${errorMessage(why)})`, { cause: why });
  } finally {
    probe.disconnect();
  }
}

/** quit() when the link is up (flushes replies), disconnect() otherwise so shutdown never waits on a dead Redis. */
export async function closeConnection(conn: Redis): Promise<void> {
  if (conn.status === 'end') return;
  if (conn.status !== 'ready') {
    conn.disconnect();
    return;
  }
  try {
    await Promise.race([conn.quit(), new Promise((r) => setTimeout(r, 1_000).unref())]);
  } catch {
    /* already closing */
  }
  // quit() may have timed out above; status is mutated by ioredis, so read it again rather than trust narrowing.
  if ((conn.status as string) !== 'end') conn.disconnect();
}
