// hubwatch backfill against the simulator's dumps (src/sim/dumps.ts), on both engines: a backfilled date gives the
// live run's shares within the fields its schema carries (old and new schemas), over HTTP only part of a Parquet file
// is read, a run killed mid-way and resumed stores what an uninterrupted run stores, a second run changes nothing,
// and live days and dump days meet without either overwriting the other silently.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUMP_COLUMNS, openReader } from '../../src/backfill/reader.js';
import { columnRanges } from '../../src/backfill/remote.js';
import { InterruptedBackfill } from '../../src/backfill/run.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { writeDumpFolder, type DumpSchema } from '../../src/sim/dumps.js';
import { snapshotPath } from '../../src/snapshot/files.js';
import type { Metric, Snapshot } from '../../src/snapshot/types.js';
import type { Store } from '../../src/store/types.js';
import { ENGINES } from '../cycle/days-harness.js';
import type { EngineHarness } from '../store/fixtures.js';
import { liveDay, runBackfill, storeState, tempDir } from './harness.js';

const MODELS = 1500;
const SEED = 11;
const D0 = '2026-11-06';
const D1 = '2026-11-13';
const D2 = '2026-11-20';

/** A store on a fresh place of the engine, closed and removed by `done`. */
async function freshStore(make: () => EngineHarness): Promise<{ store: Store; done(): Promise<void> }> {
  const h = make();
  const store = await h.open();
  return {
    store,
    done: async () => {
      await store.close();
      await h.destroy();
    },
  };
}

/** The shares of one metric, every scope and view, Hugging Face alone: what a dump and a live day must agree on. */
function hubShares(s: Snapshot, metric: Metric): unknown {
  const out: Record<string, unknown> = {};
  for (const scope of ['all', 'llm'] as const) {
    for (const view of ['publisher', 'origin'] as const) {
      const list = s.metrics[metric].scopes[scope][view].platforms.huggingface;
      out[`${scope}/${view}`] = list?.shares.map((e) => [e.country, e.value]) ?? null;
    }
  }
  return out;
}

describe.each(ENGINES)('backfill from simulator dumps on $name', ({ make }) => {
  let sim: Sim;
  const folder = tempDir('hubwatch-dumps-');
  const data = tempDir('hubwatch-backfill-data-');
  let live: Snapshot;

  beforeAll(async () => {
    sim = await startSim({
      seed: SEED,
      models: MODELS,
      day: D2,
      faults: { huggingface: { rateLimit: null } },
      dumps: { dir: folder.dir },
    });
    // The live run of D2, the date the dump also holds.
    const s = await freshStore(make);
    try {
      live = await liveDay(sim, s.store, D2);
    } finally {
      await s.done();
    }
  });
  afterAll(async () => {
    await sim.close();
    folder.remove();
    data.remove();
  });

  it.each([
    ['v0', ['downloads30d', 'likes', 'newReleases']],
    ['v1', ['downloads30d', 'likes', 'newReleases', 'derivatives']],
    ['v2', ['downloads30d', 'downloadsAllTime', 'likes', 'newReleases', 'derivatives']],
  ] as Array<[DumpSchema, Metric[]]>)(
    'a %s partition of a date the simulator served live gives the live shares of %j',
    async (schema, metrics) => {
      const dir = tempDir(`hubwatch-dump-${schema}-`);
      const s = await freshStore(make);
      try {
        await writeDumpFolder(sim.universe, dir.dir, { dates: [D2], schemaOf: () => schema });
        const res = await runBackfill(s.store, data.dir, { dump: dir.dir });
        expect(res.partitions.map((p) => [p.date, p.complete])).toEqual([[D2, true]]);
        const snap = JSON.parse(await readFile(snapshotPath(data.dir, D2), 'utf8')) as Snapshot;
        for (const m of metrics) expect(hubShares(snap, m), m).toEqual(hubShares(live, m));
        const source = snap.method.sources?.huggingface;
        expect(source?.provenance).toBe('dump');
        expect(source?.rows).toEqual({ live: 0, dump: snap.coverage.huggingface?.modelsSeen });
        expect(source?.dump?.missingColumns.includes('downloadsAllTime')).toBe(schema !== 'v2');
        if (schema !== 'v2')
          expect(snap.metrics.downloadsAllTime.scopes.all.origin.platforms.huggingface ?? null).toBeNull();
      } finally {
        await s.done();
        dir.remove();
      }
    },
  );

  it('a killed run resumed stores what an uninterrupted one does, and a rerun changes nothing', async () => {
    await writeDumpFolder(sim.universe, folder.dir, { dates: [D0, D1, D2], schemaOf: () => 'v2' });
    const url = sim.dumps!.url;
    const whole = await freshStore(make);
    const killed = await freshStore(make);
    try {
      const full = await runBackfill(whole.store, data.dir, { dump: url, batchRows: 400 });
      expect(full.partitions.map((p) => [p.date, p.complete])).toEqual([
        [D0, true],
        [D1, true],
        [D2, true],
      ]);

      // Killed in D1's third batch (an exception where a kill would land), then run again.
      let batches = 0;
      await expect(
        runBackfill(
          killed.store,
          data.dir,
          { dump: url, batchRows: 400 },
          {
            afterBatch: ({ date }) => {
              if (date === D1 && ++batches === 3) throw new InterruptedBackfill();
            },
          },
        ),
      ).rejects.toBeInstanceOf(InterruptedBackfill);
      const resumed = await runBackfill(killed.store, data.dir, { dump: url, batchRows: 400 });
      expect(resumed.partitions.map((p) => [p.date, p.skipped])).toEqual([
        [D0, true],
        [D1, false],
        [D2, false],
      ]);
      expect(await storeState(killed.store)).toEqual(await storeState(whole.store));

      // A second run over the same dump reads nothing and changes nothing.
      const before = await storeState(whole.store);
      const again = await runBackfill(whole.store, data.dir, { dump: url, batchRows: 400 });
      expect(again.partitions.every((p) => p.skipped)).toBe(true);
      expect(await storeState(whole.store)).toEqual(before);
    } finally {
      await whole.done();
      await killed.done();
    }
  }, 180_000);
});

/** The bytes a sparse read of `file` needs: the last 64 KiB, bytes 0-3 and every chunk of a needed column. */
async function neededBytes(file: string, size: number): Promise<number> {
  const { conn, close } = await openReader();
  try {
    const ranges = (await columnRanges(conn, file, new Set<string>(DUMP_COLUMNS))).concat([
      [0, 4],
      [Math.max(0, size - 64 * 1024), size],
    ]);
    ranges.sort((a, b) => a[0] - b[0]);
    let total = 0;
    let at = 0;
    for (const [from, to] of ranges) {
      const start = Math.max(from, at);
      if (to > start) total += to - start;
      at = Math.max(at, to);
    }
    return total;
  } finally {
    close();
  }
}

describe('backfill over HTTP', () => {
  it('fetches the footer and the needed columns of a Parquet partition, not the file, and deletes its copy', async () => {
    const folder = tempDir('hubwatch-dumps-http-');
    const data = tempDir('hubwatch-backfill-http-');
    const work = tempDir('hubwatch-backfill-tmp-');
    const sim = await startSim({
      seed: SEED,
      models: 20_000,
      day: D2,
      faults: { huggingface: { rateLimit: null } },
      dumps: { dir: folder.dir },
    });
    const s = await freshStore(ENGINES[0].make);
    try {
      await writeDumpFolder(sim.universe, folder.dir, { dates: [D2], schemaOf: () => 'v2' });
      const res = await runBackfill(s.store, data.dir, { dump: sim.dumps!.url }, { tmpDir: work.dir });
      const [p] = res.partitions;
      const file = join(folder.dir, p!.partition);
      const size = statSync(file).size;
      const served = sim.dumps!.server.bytesServed(p!.partition);
      expect(served).toBe(p!.bytesRead);
      // Exactly the footer (with the first request's tail), the leading magic and the needed columns' chunks:
      // trendingScore, gated, gguf and safetensors.parameters are never fetched.
      const needed = await neededBytes(file, size);
      expect(served).toBe(needed);
      expect(served).toBeLessThan(size);
      expect(p!.rows).toBe([...sim.universe.indices(sim.universe.checkDay(D2))].length);
      expect(readdirSync(work.dir)).toEqual([]);
    } finally {
      await s.done();
      await sim.close();
      folder.remove();
      data.remove();
      work.remove();
    }
  }, 120_000);
});
