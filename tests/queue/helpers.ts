// Shared by the queue tests: a unique Redis prefix per test (as BullMQ's own suite uses unique queue names), a
// config pointing at the simulator, a PostgreSQL schema per test file reachable from child processes, private
// redis-server instances for the restart test, and child worker processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.js';

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
      { stdio: 'ignore' },
    );
    this.proc = proc;
    await waitFor(
      'private redis-server to answer',
      async () => {
        const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => undefined);
        try {
          await c.connect();
          return (await c.ping()) === 'PONG';
        } finally {
          c.disconnect();
        }
      },
      10_000,
    );
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
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => out, exited };
}

export async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, JSON.stringify(value));
  return path;
}
