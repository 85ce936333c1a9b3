// The whole Hugging Face path end to end against the simulator over real HTTP, into a real DuckDB file:
// poll → sweep → normalise → store → snapshot, with faults, and a sweep killed halfway that resumes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { openRuntime, publishSnapshot, runOnce, runSweep, type Runtime } from '../../src/cycle/run.js';
import { SnapshotSchema } from '../../src/snapshot/schema.js';
import { snapshotPath } from '../../src/snapshot/files.js';
import type { Snapshot, ShareList } from '../../src/snapshot/types.js';
import { startSim, type Sim } from '../../src/sim/index.js';

const DAY = '2026-11-20';
const MODELS = 3000;

function configFor(sim: Sim, dataDir: string, overrides?: unknown): Config {
  return loadConfig(
    {
      HUBWATCH_HF_URL: sim.urls.huggingface,
      HUBWATCH_MODELSCOPE_URL: sim.urls.modelscope,
      HUBWATCH_WISEMODEL_URL: sim.urls.wisemodel,
      HUBWATCH_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    },
    deepFast(overrides),
  );
}

/** Fast retries and no politeness delay: the simulator is local. */
function deepFast(overrides?: unknown): unknown {
  const fast = { maxRetries: 2, backoffMs: 5, delayMs: 0, respectRobots: false };
  return {
    sources: { huggingface: { ...fast, pageSize: 500 }, modelscope: fast, wisemodel: fast },
    ...(overrides as object),
  };
}

function expectSharesSumToOne(list: ShareList | null | undefined): void {
  if (!list || list.total === 0) return;
  const sum = list.shares.reduce((s, e) => s + e.share, 0);
  expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
  const values = list.shares.map((s) => s.value);
  expect([...values].sort((a, b) => b - a)).toEqual(values);
}

async function countStats(rt: Runtime, date: string): Promise<number> {
  let n = 0;
  const keys = new Set<string>();
  for await (const chunk of rt.store.streamSnapshotRows(date, null, 997)) {
    for (const r of chunk) {
      if (r.platform !== 'huggingface') continue;
      keys.add(r.key);
      n += 1;
    }
  }
  expect(keys.size).toBe(n); // no model counted twice
  return n;
}

describe('run --once on Hugging Face against the simulator', () => {
  let sim: Sim;
  let dir: string;
  let rt: Runtime | null = null;

  beforeAll(async () => {
    sim = await startSim({ seed: 11, models: MODELS, day: DAY, port: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(async () => {
    if (rt) await rt.close();
    rt = null;
    if (dir) await rm(dir, { recursive: true, force: true });
    sim.setFaults('huggingface', {});
  });

  it('polls, sweeps and writes a snapshot that validates, sums to one and rebuilds identically', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubwatch-cycle-'));
    const config = configFor(sim, dir);
    rt = await openRuntime(config, silentLogger);
    const res = await runOnce(rt, { date: DAY, platforms: ['huggingface'] });
    expect(res.sweeps[0]!.complete).toBe(true);

    const text = await readFile(snapshotPath(dir, DAY), 'utf8');
    const snap = SnapshotSchema.parse(JSON.parse(text)) as Snapshot;
    expect(snap.coverage.huggingface!.complete).toBe(true);
    expect(snap.coverage.huggingface!.http429).toBe(0);
    const seen = await countStats(rt, DAY);
    expect(snap.coverage.huggingface!.modelsSeen).toBe(seen);
    expect(seen).toBeGreaterThan(MODELS * 0.9);

    for (const block of Object.values(snap.metrics)) {
      for (const scope of Object.values(block.scopes)) {
        for (const view of Object.values(scope)) {
          expectSharesSumToOne(view.combined);
          for (const l of Object.values(view.platforms)) expectSharesSumToOne(l);
        }
      }
    }
    // Unknown is its own bucket, never dropped: the origin view's total equals the publisher view's.
    const d30 = snap.metrics.downloads30d.scopes.all;
    expect(d30.origin.combined!.total).toBe(d30.publisher.combined!.total);
    // The simulator's universe draws almost all downloads from registry organisations.
    expect(d30.origin.combined!.attributed).toBeGreaterThanOrEqual(0.99);
    // First day: no previous snapshot, so no daily delta.
    expect(snap.metrics.downloadsDaily.scopes.all.origin.combined).toBeNull();

    await publishSnapshot(rt, DAY);
    expect(await readFile(snapshotPath(dir, DAY), 'utf8')).toBe(text);
  }, 120_000);

  it('marks the sweep incomplete when pages keep failing, and quarantines malformed items with reasons', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubwatch-cycle-'));
    rt = await openRuntime(configFor(sim, dir), silentLogger);
    sim.setFaults('huggingface', { malformedRate: 0.02 });
    await runOnce(rt, { date: DAY, platforms: ['huggingface'] });
    const quarantined = await rt.store.listQuarantine(100, 'huggingface');
    expect(quarantined.length).toBeGreaterThan(0);
    for (const q of quarantined) {
      expect(q.reason.length).toBeGreaterThan(3);
      expect(q.payload.length).toBeGreaterThan(0);
    }

    const next = '2026-11-21';
    sim.setDay(next);
    sim.setFaults('huggingface', { error5xxRate: 1 });
    const sweep = await runSweep(rt, 'huggingface', { date: next, rateLimitMode: 'wait' });
    expect(sweep.complete).toBe(false);
    const { snapshot } = await publishSnapshot(rt, next);
    SnapshotSchema.parse(snapshot);
    expect(snapshot.coverage.huggingface?.complete).toBe(false);
    expect(snapshot.coverage.huggingface?.notes.join(' ')).toMatch(/page|fail|5\d\d/i);
    sim.setDay(DAY);
  }, 120_000);

  it('runs all three platforms: per-platform and combined shares, and no 30-day figure without history', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubwatch-cycle-'));
    rt = await openRuntime(configFor(sim, dir), silentLogger);
    const res = await runOnce(rt, { date: DAY });
    expect(res.sweeps.map((s) => [s.platform, s.complete])).toEqual([
      ['huggingface', true],
      ['modelscope', true],
      ['wisemodel', true],
    ]);
    const snap = SnapshotSchema.parse(res.snapshot) as Snapshot;
    expect(snap.platforms).toEqual(['huggingface', 'modelscope', 'wisemodel']);
    for (const p of snap.platforms) expect(snap.coverage[p]!.modelsSeen).toBeGreaterThan(0);

    // ModelScope and WiseModel give cumulative counts only: on the first day their 30-day figure does not exist,
    // and the combined 30-day share says it is made of Hugging Face alone rather than mixing windows.
    const d30 = snap.metrics.downloads30d.scopes.all.origin;
    expect(snap.coverage.modelscope!.downloads30dSource).toBe('unavailable');
    expect(snap.coverage.wisemodel!.downloads30dSource).toBe('unavailable');
    expect(d30.platforms.modelscope).toBeNull();
    expect(d30.platforms.wisemodel).toBeNull();
    expect(d30.combinedPlatforms).toEqual(['huggingface']);
    expect(snap.metrics.downloads30d.window.modelscope).toMatch(/unavailable/);

    // All-time downloads: Hugging Face and ModelScope give them; WiseModel without a configured gateway endpoint
    // gives none, so it has no share list and is not among the combined platforms (its likes still count).
    const all = snap.metrics.downloadsAllTime.scopes.all.publisher;
    expect(all.combinedPlatforms).toEqual(['huggingface', 'modelscope']);
    expect(all.platforms.wisemodel).toBeNull();
    const sum = (['huggingface', 'modelscope'] as const).reduce((s, p) => s + all.platforms[p]!.total, 0);
    expect(all.combined!.total).toBe(sum);
    expectSharesSumToOne(all.platforms.modelscope);
    expect(snap.metrics.likes.scopes.all.publisher.combinedPlatforms).toEqual([
      'huggingface',
      'modelscope',
      'wisemodel',
    ]);
    expectSharesSumToOne(snap.metrics.likes.scopes.all.publisher.platforms.wisemodel);
    expect(snap.coverage.wisemodel!.notes.join('\n')).toMatch(/download/i);
  }, 180_000);

  it('resumes a sweep killed halfway from its checkpoint, with no stats row missing or twice', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubwatch-cycle-'));
    const cfgFile = join(dir, 'config.json');
    // Small pages and commits of two pages. The poll needs only a few requests on a first run, so by its 12th request
    // the child is well into the sweep with batches committed; that request is held unanswered until the kill.
    const small = { sources: { huggingface: { pageSize: 100, sweepBatch: 200 } } };
    await writeFile(cfgFile, JSON.stringify(deepFast(small)));
    const halfway = sim.holdRequest('huggingface', 12);
    // One process (node with tsx's loader, not the tsx wrapper) so that SIGKILL hits the process holding the store.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'run', '--once', '--date', DAY, '--sources', 'huggingface'],
      {
        cwd: PROJECT_ROOT,
        stdio: 'ignore',
        env: {
          ...process.env,
          HUBWATCH_HF_URL: sim.urls.huggingface,
          HUBWATCH_DATA_DIR: dir,
          HUBWATCH_CONFIG: cfgFile,
          LOG_LEVEL: 'silent',
        },
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const reached = await Promise.race([halfway.arrived.then(() => true), exited.then(() => false)]);
      expect(reached, 'the child ended before its 12th request').toBe(true);
      child.kill('SIGKILL');
      await exited;
    } finally {
      halfway.release(); // answered into a closed connection, or never held if the child ended first
    }

    rt = await openRuntime(configFor(sim, dir, small), silentLogger);
    const partial = await rt.store.getCheckpoint<{ pages: number; done: boolean }>(`sweep:huggingface:${DAY}`);
    expect(partial).not.toBeNull();
    expect(partial!.done).toBe(false);
    expect(partial!.pages).toBeGreaterThan(0);

    const resumed = await runSweep(rt, 'huggingface', { date: DAY, rateLimitMode: 'wait' });
    expect(resumed.resumed).toBe(true);
    expect(resumed.complete).toBe(true);

    // Every model of the catalogue has exactly one stats row for the day.
    const fresh = await mkdtemp(join(tmpdir(), 'hubwatch-cycle-ref-'));
    const ref = await openRuntime(configFor(sim, fresh), silentLogger);
    try {
      await runSweep(ref, 'huggingface', { date: DAY, rateLimitMode: 'wait' });
      expect(await countStats(rt, DAY)).toBe(await countStats(ref, DAY));
    } finally {
      await ref.close();
      await rm(fresh, { recursive: true, force: true });
    }
  }, 180_000);
});
