// Operating the service: /healthz (200, and 503 with reasons), Bull Board behind the admin token, and the
// `hubwatch status` report.
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { checkHealth, formatStatus, opsPlugin, statusReport } from '../../src/queue/ops.js';
import { registerSchedulers } from '../../src/queue/schedules.js';
import { startService, type Service } from '../../src/queue/service.js';
import { opsFixture } from './ops-fixture.js';
import { REDIS_URL, cleanupPrefix, freePort, tempDir, testConfig, uniquePrefix } from './helpers.js';

const TOKEN = 'a-test-admin-token-0123456789';

describe('operating endpoints and status', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const fixture = (env: Record<string, string> = {}) => opsFixture('ops', cleanups, env);

  it('/healthz: healthy with fresh polls, 503 with a reason per stale platform, and when Redis is gone', async () => {
    const f = await fixture();
    const t0 = Date.now();
    const deps = { config: f.config, store: f.store, queues: f.queues, ops: f.ops, redis: f.conn, startedAt: t0 };
    // Just started, nothing polled yet: pending, not unhealthy.
    expect((await checkHealth(deps, t0)).status).toBe('ok');
    // 40 minutes on without a poll: Hugging Face (every 10 min) is overdue; ModelScope (30) and WiseModel (60) not.
    const late = await checkHealth(deps, t0 + 40 * 60_000);
    expect(late.status).toBe('unhealthy');
    expect(late.reasons).toEqual(['huggingface: no successful poll since the service started']);
    expect(late.checks.polls.modelscope!.state).toBe('pending');
    await f.ops.recordPoll('huggingface', {
      at: new Date(t0 + 39 * 60_000).toISOString(),
      jobId: 'x',
      models: 1,
      newModels: 0,
    });
    expect((await checkHealth(deps, t0 + 40 * 60_000)).status).toBe('ok');

    // Over HTTP, with a Redis that cannot be reached.
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const app = Fastify();
    await app.register(opsPlugin({ ...deps, redis: dead }));
    cleanups.push(() => app.close());
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    const body = res.json<{
      status: string;
      reasons: string[];
      checks: { redis: { ok: boolean }; store: { ok: boolean } };
    }>();
    expect(body.status).toBe('unhealthy');
    expect(body.checks.redis.ok).toBe(false);
    expect(body.checks.store.ok).toBe(true);
    expect(body.reasons[0]).toMatch(/^Redis unreachable/);
    // Bull Board is not mounted without a token.
    expect((await app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(404);
  });

  it('Bull Board at /admin/queues answers only to the admin token', async () => {
    const dir = await tempDir('board');
    const config = testConfig({
      REDIS_URL,
      LOG_LEVEL: 'silent',
      HUBWATCH_DATA_DIR: dir.path,
      HUBWATCH_ADMIN_TOKEN: TOKEN,
    });
    const prefix = uniquePrefix();
    const service: Service = await startService({
      config,
      logger: silentLogger,
      queues: ['export'],
      http: true,
      allowEmbeddedStore: true,
      listen: { host: '127.0.0.1', port: 0 },
      prefix,
    });
    cleanups.push(async () => {
      await service.close();
      await cleanupPrefix(prefix);
      await dir.remove();
    });
    const url = `${service.address}/admin/queues`;
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    // The API's one error shape (src/feed/errors.ts), here too.
    expect(await refused.json()).toEqual({
      error: 'unauthorized',
      message: expect.stringContaining('Bearer'),
      parameter: null,
    });
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<html/i);
    const api = await fetch(`${url}/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['digest', 'export', 'huggingface', 'modelscope', 'snapshot', 'wisemodel']);
    // The rest of the API stays open.
    expect((await fetch(`${service.address}/healthz`)).status).toBeLessThan(600);
  });

  it('status lists schedules with their next runs, queue depths and last runs, as tables', async () => {
    const f = await fixture();
    await registerSchedulers(f.queues, f.config);
    await f.queues.export.add('export', { date: '2026-11-20' });
    await f.ops.recordRun({
      queue: 'huggingface',
      job: 'poll-new',
      jobId: '1',
      status: 'completed',
      at: new Date().toISOString(),
      durationMs: 1500,
      attemptsMade: 1,
      detail: null,
    });
    const report = await statusReport(f.config, { prefix: f.prefix });
    expect(report.schedules.map((s) => s.id).sort()).toEqual([
      'daily-snapshot',
      'poll-huggingface',
      'poll-modelscope',
      'poll-wisemodel',
      'weekly-digest',
    ]);
    for (const s of report.schedules) expect(Date.parse(s.next!)).toBeGreaterThan(Date.now());
    expect(report.queues.find((q) => q.queue === 'export')!.counts.waiting).toBe(1);
    const text = formatStatus(report);
    expect(text).toMatch(/^Schedules$/m);
    expect(text).toMatch(/^snapshot\s+daily-snapshot\s+0 5 0 \* \* \*\s+UTC\s+\d{4}-\d{2}-\d{2} 00:05:00/m);
    expect(text).toMatch(/^export\s+0\s+1\s+0\s+0/m);
    expect(text).toMatch(/^huggingface\s+poll-new\s+completed/m);
    expect(text).toMatch(/^huggingface\s+never/m);
  });
});
