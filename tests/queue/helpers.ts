// Shared by the queue tests: a unique Redis prefix per test (as BullMQ's own suite uses unique queue names), a
// config pointing at the simulator, a PostgreSQL schema per test file reachable from child processes, private
// redis-server instances for the restart test, child worker processes, and waits on what the code under test
// announces (a worker's events, a log line, a process's output) instead of on time.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.js';
import type { Logger } from '../../src/log.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_ADMIN_URL = process.env.HUBWATCH_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniquePrefix(): string {
  return `{hwtest-${randomUUID().slice(0, 8)}}`;
}

/** Deletes every key under the prefix: the queues (like obliterate) and the service's ops state. */
export async function cleanupPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface SimUrls {
  huggingface: string;
  modelscope: string;
  wisemodel: string;
}

/** Fast retries, no politeness delays, small pages: the simulator is local and the tests are bounded in time. */
export function fastSources(pageSize = 50): Record<string, unknown> {
  const fast = { maxRetries: 2, backoffMs: 5, delayMs: 0, timeoutMs: 5_000 };
  return {
    // A sweep commits every page here: the kill and hand-over tests need checkpoints all through a small catalogue.
    huggingface: { ...fast, pageSize, sweepBatch: pageSize },
    modelscope: { ...fast, pageSize: Math.min(pageSize, 100) },
    wisemodel: { ...fast, respectRobots: false },
  };
}

export function envFor(urls: SimUrls, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HUBWATCH_HF_URL: urls.huggingface,
    HUBWATCH_MODELSCOPE_URL: urls.modelscope,
    HUBWATCH_WISEMODEL_URL: urls.wisemodel,
    HUBWATCH_DATA_DIR: dataDir,
    REDIS_URL,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export function testConfig(env: Record<string, string>, overrides: unknown = {}): Config {
  return loadConfig(env, overrides);
}

export async function tempDir(tag: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `hubwatch-queue-${tag}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A PostgreSQL role whose search_path is its own schema. Child processes only get DATABASE_URL, so the schema has
 * to come with the login: every process of a test sees the same tables, and no test sees another's.
 */
export async function pgSchema(
  tag: string,
): Promise<{ url: string; schema: string; client: pg.Client; drop(): Promise<void> }> {
  const name = `hwq_${tag}_${randomUUID().slice(0, 8)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${name} LOGIN`);
  await admin.query(`CREATE SCHEMA ${name} AUTHORIZATION ${name}`);
  await admin.query(`ALTER ROLE ${name} SET search_path = ${name}`);
  const u = new URL(PG_ADMIN_URL);
  u.username = name;
  u.password = '';
  return {
    url: u.toString(),
    schema: name,
    client: admin,
    async drop() {
      await admin
        .query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [name])
        .catch(() => undefined);
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.query(`DROP ROLE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits for what `wait` listens for (it calls `settle` and returns how to stop listening) and turns a wait that never
 * ends into a failure naming `what` after `failAfterMs`. The bound only ever fails a test: nothing waits for it to
 * pass.
 */
function failingAfter<T>(
  what: string,
  failAfterMs: number,
  wait: (settle: (err: Error | null, value?: T) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let stop: (() => void) | null = null;
    const timer = setTimeout(
      () => settle(new Error(`gave up after ${failAfterMs} ms waiting for ${what}`)),
      failAfterMs,
    );
    timer.unref();
    function settle(err: Error | null, value?: T): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop?.();
      if (err) reject(err);
      else resolve(value as T);
    }
    stop = wait(settle);
    if (settled) stop();
  });
}

export type LogLine = { level: number; msg: string } & Record<string, unknown>;

export interface LogCapture {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: readonly LogLine[];
  /** The next line written that `accept` takes: what the service says it did, as it says it. */
  next(accept: (line: LogLine) => boolean, what: string, failAfterMs?: number): Promise<LogLine>;
}

/** A logger whose JSON lines the test reads and waits on. */
export function captureLog(level = 'info'): LogCapture {
  const written = new EventEmitter();
  const lines: LogLine[] = [];
  const logger = pino(
    { level },
    {
      write(text: string) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        written.emit('line', line);
      },
    },
  );
  return {
    logger,
    lines,
    next: (accept, what, failAfterMs = 30_000) =>
      failingAfter<LogLine>(what, failAfterMs, (settle) => {
        const on = (line: LogLine): void => {
          if (accept(line)) settle(null, line);
        };
        written.on('line', on);
        return () => written.off('line', on);
      }),
  };
}

/** The next job `worker` completes that `accept` takes: the worker's own event, no polling. */
export function nextCompleted(
  worker: Worker,
  accept: (job: Job) => boolean,
  what: string,
  failAfterMs = 60_000,
): Promise<Job> {
  return failingAfter<Job>(what, failAfterMs, (settle) => {
    const on = (job: Job): void => {
      if (accept(job)) settle(null, job);
    };
    worker.on('completed', on);
    return () => worker.off('completed', on);
  });
}

/** A private redis-server on a free loopback port, without persistence, that a test may kill and restart. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}
  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.up();
    return r;
  }
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async up(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    let log = '';
    // A real server process starting: its own "ready" line is the event; the bound only fails a server that never
    // gets there.
    await failingAfter<void>(`redis-server on port ${this.port} to be ready`, 10_000, (settle) => {
      const onData = (d: Buffer): void => {
        log += d.toString();
        if (/Ready to accept connections/.test(log)) settle(null);
      };
      const onExit = (code: number | null): void =>
        settle(new Error(`redis-server on port ${this.port} exited (${code}) before it was ready:\n${log}`));
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', onExit);
      return () => {
        proc.stdout?.off('data', onData);
        proc.stderr?.off('data', onData);
        proc.off('exit', onExit);
      };
    });
    // Its later log lines are not read; keep the pipes flowing so the server never blocks on a full one.
    proc.stdout?.resume();
    proc.stderr?.resume();
  }
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }
}

export interface ChildWorker {
  proc: ChildProcess;
  output(): string;
  /** Once the process has exited and its output is all read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the output matches `pattern`; rejects if the process ends first or after `failAfterMs`. */
  waitForOutput(pattern: RegExp, what: string, failAfterMs?: number): Promise<void>;
}

/** `tsx workers/worker.ts …` as a real child process, with its own env. */
export function spawnWorker(args: string[], env: Record<string, string>): ChildWorker {
  // `node --import tsx`, not the tsx binary: tsx's CLI runs the script in a child process, and a SIGKILL to the
  // parent would leave that child working.
  const proc = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'workers', 'worker.ts'), ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': the last lines the process wrote may still be in the pipes when it exits.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal })),
  );
  const waitForOutput = (pattern: RegExp, what: string, failAfterMs = 60_000): Promise<void> =>
    // A separate process: its log line is the event, and the bound only fails a worker that never writes it.
    failingAfter<void>(what, failAfterMs, (settle) => {
      const check = (): void => {
        if (pattern.test(out)) settle(null);
      };
      const onClose = (): void => settle(new Error(`the worker ended before ${what}:\n${out.slice(-4000)}`));
      proc.stdout?.on('data', check);
      proc.stderr?.on('data', check);
      proc.once('close', onClose);
      check();
      return () => {
        proc.stdout?.off('data', check);
        proc.stderr?.off('data', check);
        proc.off('close', onClose);
      };
    });
  return { proc, output: () => out, exited, waitForOutput };
}

export async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, JSON.stringify(value));
  return path;
}
