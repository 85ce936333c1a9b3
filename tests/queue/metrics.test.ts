// GET /metrics: prom-client's text with the process metrics and the deployment's figures, no label that changes
// with the date, and two servers in one process that do not collide on a registry.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/queue/metrics.js';
import { opsPlugin } from '../../src/queue/ops.js';
import { opsFixture } from './ops-fixture.js';

describe('/metrics', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const fixture = () => opsFixture('metrics', cleanups);

  it('gives queue depths, fleet job durations, per-platform gauges and process metrics, with no date label', async () => {
    const f = await fixture();
    await f.queues.huggingface.add('poll-new', {}, { delay: 60_000 });
    await f.ops.observeDuration('huggingface', 'sweep-stats', 0.3);
    await f.ops.observeDuration('huggingface', 'sweep-stats', 42);
    await f.ops.countRateLimit('modelscope');
    await f.ops.recordPoll('huggingface', { at: '2026-12-06T10:00:00.000Z', jobId: 'x', models: 3, newModels: 1 });
    await mkdir(join(f.dataDir, 'snapshots'), { recursive: true });
    await writeFile(join(f.dataDir, 'snapshots', '2026-12-05.json'), '{}');

    const text = await renderMetrics(f, new Date('2026-12-06T12:00:00Z'));
    const lines = text.split('\n');
    expect(lines).toContain('bullmq_job_count{queue="huggingface",state="delayed"} 1');
    expect(lines).toContain('hubwatch_job_duration_seconds_count{queue="huggingface",job="sweep-stats"} 2');
    expect(lines).toContain('hubwatch_job_duration_seconds_bucket{queue="huggingface",job="sweep-stats",le="+Inf"} 2');
    expect(lines).toContain('hubwatch_job_duration_seconds_sum{queue="huggingface",job="sweep-stats"} 42.3');
    expect(lines).toContain('hubwatch_rate_limit_pauses_total{platform="modelscope"} 1');
    expect(lines).toContain('hubwatch_platform_requests_today{platform="wisemodel"} 0');
    expect(lines).toContain(
      `hubwatch_last_successful_poll_timestamp_seconds{platform="huggingface"} ${Date.parse('2026-12-06T10:00:00Z') / 1000}`,
    );
    expect(lines).toContain(
      `hubwatch_last_snapshot_date_timestamp_seconds ${Date.parse('2026-12-05T00:00:00Z') / 1000}`,
    );
    expect(text).not.toMatch(/date="/);
    // The process's own figures, from prom-client's default collectors.
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds [0-9.e+-]+$/m);
    // Each family is described once, as the text format requires.
    const types = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(new Set(types).size).toBe(types.length);
  });

  it('serves two servers in one process, each scrape complete, in the Prometheus content type', async () => {
    const f = await fixture();
    const apps = [Fastify(), Fastify()];
    for (const app of apps) {
      await app.register(opsPlugin({ ...f, redis: f.conn }));
      cleanups.push(() => app.close());
    }
    for (const app of apps) {
      for (let i = 0; i < 2; i++) {
        const res = await app.inject({ method: 'GET', url: '/metrics' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(res.body.match(/^# TYPE bullmq_job_count gauge$/gm)).toHaveLength(1);
        expect(res.body.match(/^# TYPE process_cpu_user_seconds_total counter$/gm)).toHaveLength(1);
      }
    }
  });
});
