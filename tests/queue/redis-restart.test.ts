// Restarting Redis under a running service. This test runs its OWN redis-server on a free loopback port (the
// shared one at 6379 must never be restarted), without persistence, so the restart also loses every key: the
// service has to reconnect and re-create its schedulers by itself.
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { silentLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/queue/service.js';
import { enqueueDaily } from '../../src/queue/produce.js';
import { jobIds } from '../../src/queue/names.js';
import { envFor, fastSources, PrivateRedis, tempDir, testConfig, uniquePrefix, waitFor } from './helpers.js';

describe('a Redis restart while the service runs', () => {
  let sim: Sim | null = null;
  let redis: PrivateRedis | null = null;
  let service: Service | null = null;
  let dir: Awaited<ReturnType<typeof tempDir>> | null = null;

  afterEach(async () => {
    if (service) await service.close('test done');
    service = null;
    await redis?.kill();
    redis = null;
    await sim?.close();
    sim = null;
    await dir?.remove();
    dir = null;
  });

  it('reconnects, re-registers its schedulers and carries on without intervention', async () => {
    sim = await startSim({
      seed: 3,
      models: 120,
      day: '2026-11-20',
      port: 0,
      faults: { huggingface: { rateLimit: null } },
    });
    redis = await PrivateRedis.start();
    dir = await tempDir('restart');
    const fast = fastSources(50) as Record<string, object>;
    const config = testConfig(envFor(sim.urls, dir.path, { REDIS_URL: redis.url }), {
      sources: {
        huggingface: { ...fast.huggingface, pollCron: '* * * * * *' },
        modelscope: { ...fast.modelscope, enabled: false },
        wisemodel: { ...fast.wisemodel, enabled: false },
      },
      shutdownGraceMs: 5_000,
    });
    service = await startService({
      config,
      logger: silentLogger,
      queues: 'all',
      http: false,
      prefix: uniquePrefix(),
      tuning: { backoffMs: 200, lockDurationMs: 3_000, stalledIntervalMs: 1_000 },
    });
    const svc = service;
    await waitFor('a first poll', async () => (await svc.ops.lastPolls()).huggingface, 20_000);

    await redis.kill();
    await new Promise((r) => setTimeout(r, 1_500));
    const restartedAt = Date.now();
    await redis.up();

    // Everything in Redis is gone; a new successful poll can only come from a re-registered scheduler.
    // (A poll that finished during the outage may still land its record after the restart, with its own time.)
    const poll = await waitFor(
      'a poll after the restart',
      async () => {
        const p = (await svc.ops.lastPolls()).huggingface;
        return p && Date.parse(p.at) > restartedAt ? p : null;
      },
      30_000,
      200,
    );
    expect(poll.models).toBeGreaterThan(0);
    expect(await svc.queues.huggingface.getJobScheduler('poll-huggingface')).toMatchObject({ key: 'poll-huggingface' });

    // Workers on the other queues came back too: a whole daily flow runs through.
    const date = '2026-11-19';
    await enqueueDaily(svc.queues, date, svc.tuning);
    const snap = await waitFor(
      'the snapshot after the restart',
      async () => {
        const j = await svc.queues.snapshot.getJob(jobIds.snapshot(date));
        return j && (await j.getState()) === 'completed' ? j : null;
      },
      40_000,
      200,
    );
    expect(snap.returnvalue).toMatchObject({ date, failedSweeps: [] });

    const t0 = Date.now();
    await svc.close('test');
    service = null;
    expect(Date.now() - t0).toBeLessThan(5_000);
  }, 120_000);
});
