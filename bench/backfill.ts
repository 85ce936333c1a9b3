// Backfill throughput from local Parquet: one weekly partition of N simulated Hub models (src/sim/dumps.ts, schema v2)
// read, normalised and committed into an empty embedded store, then the date's lineage pass and snapshot, as
// `hubwatch backfill` does. Each size runs in a child process of its own, so the peak RSS printed is that run's alone.
//   npx tsx bench/backfill.ts                      both sizes (BENCH_BACKFILL_SIZES, default 1000000,3000000)
//   npx tsx bench/backfill.ts --write N DIR        writes a partition of N models (a process of its own)
//   npx tsx bench/backfill.ts --child N DIR S      backfills it (prints one JSON line)
// The projection for 100 weekly partitions multiplies one partition's whole time (read, commit, renames, quality,
// lineage, snapshot): every later partition holds about the same models, all written whole again (a dump gives no
// fingerprints), so the first partition stands for the others.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { loadReferenceData } from '../src/reference-data.js';
import { backfill } from '../src/backfill/run.js';
import { writeDumpFolder } from '../src/sim/dumps.js';
import { Universe } from '../src/sim/universe.js';
import { openStore } from '../src/store/index.js';

const DATE = '2026-11-20';
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

export interface BackfillFigure {
  models: number;
  rows: number;
  writeSeconds: number;
  /** Reading, normalising and committing the partition's rows. */
  readSeconds: number;
  rowsPerSec: number;
  /** The whole partition: rows, renames, quality, lineage and snapshot. */
  partitionSeconds: number;
  peakRssMb: number;
  /** 100 weekly partitions of this size at this partition's whole time, in hours. */
  projected100Hours: number;
}

/** Writes the partition in a process of its own: the simulated universe's memory is not the backfill's. */
async function writeChild(models: number, dumpDir: string): Promise<{ writeSeconds: number }> {
  const t = performance.now();
  await writeDumpFolder(new Universe({ seed: 7, models }), dumpDir, { dates: [DATE], schemaOf: () => 'v2' });
  return { writeSeconds: (performance.now() - t) / 1000 };
}

async function child(models: number, dumpDir: string, writeSeconds: number): Promise<BackfillFigure> {
  const work = await mkdtemp(join(tmpdir(), 'hubwatch-bench-backfill-'));
  try {
    let t = performance.now();
    const store = await openStore({ dataDir: join(work, 'data'), databaseUrl: null });
    const { registry, licenses } = loadReferenceData();
    let readSeconds = 0;
    const started = performance.now();
    try {
      t = performance.now();
      const res = await backfill(
        {
          store,
          registry,
          licenses,
          logger: silentLogger,
          dataDir: join(work, 'data'),
          llmTasks: ['text-generation', 'image-text-to-text'],
          afterBatch: () => {
            readSeconds = (performance.now() - t) / 1000;
          },
        },
        { dump: dumpDir },
      );
      const partitionSeconds = (performance.now() - started) / 1000;
      return {
        models,
        rows: res.rows,
        writeSeconds,
        readSeconds,
        rowsPerSec: Math.round(res.rows / readSeconds),
        partitionSeconds,
        // maxRSS is in kilobytes: this process's peak (the dump was written by another).
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        projected100Hours: (100 * partitionSeconds) / 3600,
      };
    } finally {
      await store.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function runChild<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(TSX, ['bench/backfill.ts', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T)
        : reject(new Error(`backfill bench ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** Each size's figure is printed as soon as it is measured; a size that fails is said and the next one still runs. */
export async function runBackfillBench(
  sizes: number[],
  print: (line: string) => void = console.log,
): Promise<BackfillFigure[]> {
  const out: BackfillFigure[] = [];
  for (const n of sizes) {
    const dumpDir = await mkdtemp(join(tmpdir(), 'hubwatch-bench-dump-'));
    try {
      const { writeSeconds } = await runChild<{ writeSeconds: number }>(['--write', String(n), dumpDir]);
      const fig = await runChild<BackfillFigure>(['--child', String(n), dumpDir, String(writeSeconds)]);
      out.push(fig);
      print(formatBackfillBench([fig]));
    } catch (err) {
      print(`${n.toLocaleString('en')} models: failed (${String(err)})`);
    } finally {
      await rm(dumpDir, { recursive: true, force: true });
    }
  }
  return out;
}

export function formatBackfillBench(figs: BackfillFigure[]): string {
  const lines = figs.map(
    (f) =>
      `${f.models.toLocaleString('en')} models: ${f.rowsPerSec.toLocaleString('en')} rows/s (read ${f.readSeconds.toFixed(1)} s, partition ${f.partitionSeconds.toFixed(1)} s), peak RSS ${f.peakRssMb} MB, 100 weekly partitions ≈ ${f.projected100Hours.toFixed(1)} h (dump written in ${f.writeSeconds.toFixed(1)} s)`,
  );
  const [small, large] = [figs[0], figs.at(-1)];
  if (small && large && large !== small) {
    lines.push(
      `RSS ratio ${large.models.toLocaleString('en')} / ${small.models.toLocaleString('en')}: ${(large.peakRssMb / small.peakRssMb).toFixed(2)} (goal ≤ 1.3)`,
    );
  }
  return lines.join('\n');
}

const argv = process.argv.slice(2);
if (argv[0] === '--write') {
  process.stdout.write(`${JSON.stringify(await writeChild(Number(argv[1]), argv[2]!))}\n`);
} else if (argv[0] === '--child') {
  process.stdout.write(`${JSON.stringify(await child(Number(argv[1]), argv[2]!, Number(argv[3])))}\n`);
} else if (process.argv[1]?.endsWith('bench/backfill.ts')) {
  const sizes = (process.env.BENCH_BACKFILL_SIZES ?? '1000000,3000000').split(',').map(Number);
  const figs = await runBackfillBench(sizes);
  if (figs.length > 1) console.log(formatBackfillBench(figs).split('\n').at(-1));
}
