// Backfill throughput from local Parquet: one weekly partition of N simulated Hub models (src/sim/dumps.ts, schema v2)
// read, normalised and committed into an empty embedded store, then the date's lineage pass and snapshot, as
// `hubwatch backfill` does. Each size runs in a child process of its own, so the peak RSS printed is that run's alone.
//   npx tsx bench/backfill.ts                      the pair, then both sizes (BENCH_BACKFILL_SIZES, default
//                                                  1000000,3000000; BENCH_BACKFILL_PAIR, default 200000, 0 to skip)
//   npx tsx bench/backfill.ts --write N DIR [W]    writes W weekly partitions (default 1) of N models (its own process)
//   npx tsx bench/backfill.ts --child N DIR S      backfills them (prints one JSON line)
// The projection for 100 weekly partitions is the first partition's whole time (read, commit, renames, quality,
// lineage, snapshot) plus 99 later ones, each costing the later/first ratio measured on two weekly partitions of the
// pair's size (projectHours).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';
import { createLogger, silentLogger } from '../src/log.js';
import { loadReferenceData } from '../src/reference-data.js';
import { backfill } from '../src/backfill/run.js';
import { writeDumpFolder } from '../src/sim/dumps.js';
import { addDays } from '../src/time.js';
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
  /** With two weekly partitions: the second's whole time, into a store that holds the first. */
  laterPartitionSeconds: number | null;
  /** 100 weekly partitions of this size, in hours (see projectHours). */
  projected100Hours: number;
}

/** Writes the partition in a process of its own: the simulated universe's memory is not the backfill's. */
async function writeChild(models: number, dumpDir: string, weeks: number): Promise<{ writeSeconds: number }> {
  const t = performance.now();
  const dates = Array.from({ length: weeks }, (_, k) => addDays(DATE, -7 * (weeks - 1 - k)));
  await writeDumpFolder(new Universe({ seed: 7, models }), dumpDir, { dates, schemaOf: () => 'v2' });
  return { writeSeconds: (performance.now() - t) / 1000 };
}

async function child(models: number, dumpDir: string, writeSeconds: number): Promise<BackfillFigure> {
  const work = await mkdtemp(join(tmpdir(), 'hubwatch-bench-backfill-'));
  try {
    let t = performance.now();
    const store = await openStore({ dataDir: join(work, 'data'), databaseUrl: null });
    const { registry, licenses } = loadReferenceData();
    let readSeconds = 0;
    const partitionSeconds: number[] = [];
    const started = performance.now();
    // BENCH_LOG=info shows the backfill's own log lines (partition timings, errors) on stderr.
    const logger = process.env.BENCH_LOG
      ? createLogger({ level: process.env.BENCH_LOG, destination: 2 })
      : silentLogger;
    // BENCH_RSS_EVERY=SECONDS prints the resident set on stderr as the run goes, to see which step holds the peak.
    const every = Number(process.env.BENCH_RSS_EVERY ?? 0);
    const trace =
      every > 0
        ? setInterval(() => {
            const s = ((performance.now() - started) / 1000).toFixed(0);
            const m = process.memoryUsage();
            const mb = (n: number): number => Math.round(n / 2 ** 20);
            process.stderr.write(
              `rss ${mb(m.rss)} MB (heap ${mb(m.heapUsed)}, external ${mb(m.external)}) at ${s} s\n`,
            );
          }, every * 1000)
        : null;
    try {
      t = performance.now();
      const res = await backfill(
        {
          store,
          registry,
          licenses,
          logger,
          dataDir: join(work, 'data'),
          llmTasks: ['text-generation', 'image-text-to-text'],
          // The first partition's rows: later ones replace stored models rather than insert them.
          afterBatch: () => {
            if (partitionSeconds.length === 0) readSeconds = (performance.now() - t) / 1000;
          },
          progress: {
            partitionStarted: () => {},
            rows: () => {},
            partitionDone: (i) => partitionSeconds.push(i.seconds),
            stop: () => {},
          },
        },
        { dump: dumpDir },
      );
      // A partition that failed is recorded as a partial date by the backfill; a bench of it would measure nothing.
      const failed = res.partitions.find((p) => p.error !== undefined);
      if (failed) throw new Error(`the partition ${failed.partition} failed: ${failed.error}`);
      if (res.rows === 0 || readSeconds === 0) throw new Error('the backfill committed no rows: nothing to measure');
      const first = res.partitions[0]!;
      return {
        models,
        rows: first.rows,
        writeSeconds,
        readSeconds,
        rowsPerSec: Math.round(first.rows / readSeconds),
        partitionSeconds: partitionSeconds[0]!,
        laterPartitionSeconds: partitionSeconds[1] ?? null,
        // maxRSS is in kilobytes: this process's peak (the dump was written by another).
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        projected100Hours: projectHours(partitionSeconds[0]!, null),
      };
    } finally {
      if (trace) clearInterval(trace);
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

/**
 * 100 weekly partitions: the first partition's time, then 99 later ones. A later partition replaces models the store
 * holds (a dump gives no fingerprints, so every row is written again) and its snapshot reads more history, so its
 * cost is measured once on two weekly partitions of a smaller catalogue and applied as a ratio; without it, every
 * partition is assumed to cost as much as the first.
 */
export function projectHours(firstSeconds: number, laterRatio: number | null): number {
  return (firstSeconds + 99 * firstSeconds * (laterRatio ?? 1)) / 3600;
}

async function measure(n: number, weeks: number): Promise<BackfillFigure> {
  const dumpDir = await mkdtemp(join(tmpdir(), 'hubwatch-bench-dump-'));
  try {
    const { writeSeconds } = await runChild<{ writeSeconds: number }>(['--write', String(n), dumpDir, String(weeks)]);
    return await runChild<BackfillFigure>(['--child', String(n), dumpDir, String(writeSeconds)]);
  } finally {
    await rm(dumpDir, { recursive: true, force: true });
  }
}

/**
 * First two weekly partitions at `pairModels` (BENCH_BACKFILL_PAIR, 0 to skip) for the later/first ratio, then one
 * partition at each size. Each figure is printed as soon as it is measured; a size that fails is said and the next
 * one still runs.
 */
export async function runBackfillBench(
  sizes: number[],
  pairModels = 200_000,
  print: (line: string) => void = console.log,
): Promise<BackfillFigure[]> {
  let ratio: number | null = null;
  if (pairModels > 0) {
    try {
      const pair = await measure(pairModels, 2);
      if (pair.laterPartitionSeconds !== null) ratio = pair.laterPartitionSeconds / pair.partitionSeconds;
      print(
        `${pairModels.toLocaleString('en')} models, two weekly partitions: first ${pair.partitionSeconds.toFixed(1)} s, second ${pair.laterPartitionSeconds?.toFixed(1) ?? '?'} s (a later partition costs ${ratio?.toFixed(2) ?? '?'}× the first)`,
      );
    } catch (err) {
      print(`${pairModels.toLocaleString('en')} models, two partitions: failed (${String(err)})`);
    }
  }
  const out: BackfillFigure[] = [];
  for (const n of sizes) {
    try {
      const fig = await measure(n, 1);
      fig.projected100Hours = projectHours(fig.partitionSeconds, ratio);
      out.push(fig);
      print(formatBackfillBench([fig]));
    } catch (err) {
      print(`${n.toLocaleString('en')} models: failed (${String(err)})`);
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
  process.stdout.write(`${JSON.stringify(await writeChild(Number(argv[1]), argv[2]!, Number(argv[3] ?? 1)))}\n`);
} else if (argv[0] === '--child') {
  process.stdout.write(`${JSON.stringify(await child(Number(argv[1]), argv[2]!, Number(argv[3])))}\n`);
} else if (process.argv[1]?.endsWith('bench/backfill.ts')) {
  const sizes = (process.env.BENCH_BACKFILL_SIZES ?? '1000000,3000000').split(',').map(Number);
  const figs = await runBackfillBench(sizes, Number(process.env.BENCH_BACKFILL_PAIR ?? 200_000));
  if (figs.length > 1) console.log(formatBackfillBench(figs).split('\n').at(-1));
}
