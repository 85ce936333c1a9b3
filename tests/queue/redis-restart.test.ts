// Restarting Redis under a running service. This test runs its OWN redis-server on a free loopback port (the
// shared one at 6379 must never be restarted), without persistence, so the restart also loses every key: the
// service has to reconnect and re-create its schedulers by itself.
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { startService, type Service } from '../../src/queue/service.js';
import { enqueueDaily } from '../../src/queue/produce.js';
import { JOB, jobIds, schedulerIds } from '../../src/queue/names.js';
import {
  captureLog,
  envFor,
  fastSources,
  nextCompleted,
  PrivateRedis,
  tempDir,
  testConfig,
  uniquePrefix,
} from './helpers.js';

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
    // What the service says it does (connections lost and restored, schedulers re-registered, shutdown steps).
    const log = captureLog('info');
    service = await startService({
      config,
      logger: log.logger,
      queues: 'all',
      http: false,
      prefix: uniquePrefix(),
      tuning: { backoffMs: 200, lockDurationMs: 3_000, stalledIntervalMs: 1_000 },
    });
    const svc = service;
    const pollWorker = svc.workers.get('huggingface')!;
    const isPoll = (job: { name: string }) => job.name === JOB.pollNew;
    await nextCompleted(pollWorker, isPoll, 'a first poll');
    expect((await svc.ops.lastPolls()).huggingface).toBeDefined();

    const lost = log.next(
      (l) => l.msg === 'Redis connection lost; reconnecting' && l.role === 'producer',
      'the service to see Redis go',
    );
    await redis.kill();
    await lost;
    const reregistered = log.next(
      (l) => l.msg === 'job schedulers re-registered after a Redis reconnect',
      'the schedulers re-registered',
    );
    await redis.up();
    await reregistered;

    // Everything in Redis is gone, so a poll completing from now on was created by a re-registered scheduler: a job
    // taken before the restart has no key left to complete (its record may still land, hence not lastPolls alone).
    const poll = await nextCompleted(pollWorker, isPoll, 'a poll after the restart');
    expect(poll.repeatJobKey).toBe(schedulerIds.poll('huggingface'));
    expect((poll.returnvalue as { models: number }).models).toBeGreaterThan(0);
    expect((await svc.ops.lastPolls()).huggingface).toBeDefined();
    expect(await svc.queues.huggingface.getJobScheduler(schedulerIds.poll('huggingface'))).toMatchObject({
      key: schedulerIds.poll('huggingface'),
    });

    // Workers on the other queues came back too: a whole daily flow runs through.
    const date = '2026-11-19';
    const snapshotDone = nextCompleted(
      svc.workers.get('snapshot')!,
      (job) => job.id === jobIds.snapshot(date),
      'the snapshot after the restart',
    );
    await enqueueDaily(svc.queues, date, svc.tuning);
    const snap = await snapshotDone;
    expect(snap.returnvalue).toMatchObject({ date, failedSweeps: [] });

    await svc.close('test');
    service = null;
    // Nothing of the shutdown waited on a connection the restart left dead: no step ran into its share of the grace
    // period (each would have said so), and no job had to be interrupted.
    const overran = /took longer than|grace period running out|did not stop/;
    expect(log.lines.filter((l) => overran.test(l.msg)).map((l) => l.msg)).toEqual([]);
  }, 120_000);
});
