// `npm run bench`: every benchmark, figures printed (not timed tests). Each sweep figure comes from a child process
// (bench/sweep.ts) that runs a baseline and hubwatch's pipeline against the same simulator, so the ratio is
// measured in one process and the peak RSS is that process's own.
//   npm run bench                 all of them
//   npm run bench -- sweep        only the sweeps (also: sweep-daily, ratelimit, normalise, sim, feed, digest, dashboard, backfill)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';
import type { SimScaleFigures } from './sim-scale.js';

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const only = new Set(process.argv.slice(2));
const want = (name: string): boolean => only.size === 0 || only.has(name);

async function startSimProcess(
  models: number,
  rateLimit = 'off',
): Promise<{ urls: Record<string, string>; stop(): void }> {
  const child = spawn(
    TSX,
    ['src/cli.ts', 'sim', '--port', '0', '--seed', '7', '--models', String(models), '--rate-limit', rateLimit],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  );
  const rl = createInterface({ input: child.stdout });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { urls: JSON.parse(line) as Record<string, string>, stop: () => child.kill('SIGTERM') };
}

async function runChild(args: string[]): Promise<Record<string, unknown>> {
  const child = spawn(TSX, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

interface SweepFigure {
  platform: string;
  models: number;
  baseline: { records: number; perSec: number; ms: number };
  pipeline: {
    records: number;
    unchanged: number;
    perSec: number;
    ms: number;
    complete: boolean;
    loopDelayMs: { p99: number; max: number };
  };
  ratio: number;
  peakRssMb: number;
}

/** The simulated day the daily sweep is measured on; the store holds the day before (see `sweepBench`). */
const DAY = '2026-11-21';
const PREVIOUS_DAY = '2026-11-20';

async function setSimDay(url: string, day: string): Promise<void> {
  const res = await fetch(`${url}/__sim/day`, { method: 'POST', body: JSON.stringify({ day }) });
  if (!res.ok) throw new Error(`simulator refused day ${day}: ${res.status} ${await res.text()}`);
}

/**
 * `first`: the first sweep of a platform into an empty store (every model new, normalised and written whole).
 * `daily`: the sweep the service runs every day: the store already holds the previous day's sweep (filled by
 * another process, so the measured process's peak RSS is its own), and the simulator has moved on a day (new
 * models, changed ones, growing downloads).
 */
async function sweepBench(
  platform: string,
  hfModels: number,
  mode: 'first' | 'daily',
  runs = 1,
): Promise<SweepFigure[]> {
  const sim = await startSimProcess(hfModels);
  const url = sim.urls[platform]!;
  const dir = mode === 'daily' ? await mkdtemp(join(tmpdir(), 'hubwatch-bench-daily-')) : null;
  try {
    const args = ['bench/sweep.ts', '--platform', platform, '--url', url, '--models', String(hfModels)];
    if (!dir) return [(await runChild([...args, '--date', PREVIOUS_DAY])) as unknown as SweepFigure];
    return await runsOnPreviousDay(
      url,
      dir,
      args,
      runs,
      async (store) => (await runChild([...args, '--store', store, '--date', DAY])) as unknown as SweepFigure,
    );
  } finally {
    sim.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

function middle(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Each figure's own median over the runs (the rate of one run and the ratio of another can be the middle ones). */
function median(figures: SweepFigure[]): SweepFigure {
  const f = figures[0]!;
  return {
    ...f,
    baseline: { ...f.baseline, perSec: middle(figures.map((x) => x.baseline.perSec)) },
    pipeline: {
      ...f.pipeline,
      perSec: middle(figures.map((x) => x.pipeline.perSec)),
      loopDelayMs: {
        p99: middle(figures.map((x) => x.pipeline.loopDelayMs.p99)),
        max: middle(figures.map((x) => x.pipeline.loopDelayMs.max)),
      },
      complete: figures.every((x) => x.pipeline.complete),
    },
    ratio: middle(figures.map((x) => x.ratio)),
    peakRssMb: middle(figures.map((x) => x.peakRssMb)),
  };
}

function range(figures: SweepFigure[], pick: (f: SweepFigure) => number, digits = 0): string {
  const v = figures.map(pick);
  return `${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)}`;
}

function printSweep(label: string, figures: SweepFigure[]): SweepFigure {
  const f = median(figures);
  console.log(
    `${label.padEnd(6)} ${f.platform.padEnd(12)} catalogue(HF)=${String(f.models).padStart(8)}  records=${String(f.pipeline.records).padStart(8)}  ` +
      `unchanged=${String(f.pipeline.unchanged).padStart(8)}  ` +
      `pipeline ${String(f.pipeline.perSec).padStart(7)} rec/s  baseline ${String(f.baseline.perSec).padStart(7)} rec/s  ` +
      `ratio ${f.ratio.toFixed(2)}  peak RSS ${f.peakRssMb} MB  event-loop delay p99/max ${f.pipeline.loopDelayMs.p99}/${f.pipeline.loopDelayMs.max} ms  ` +
      `complete=${f.pipeline.complete}`,
  );
  if (figures.length > 1) {
    console.log(
      `       medians of ${figures.length} runs; ranges: pipeline ${range(figures, (x) => x.pipeline.perSec)} rec/s, ` +
        `baseline ${range(figures, (x) => x.baseline.perSec)} rec/s, ratio ${range(figures, (x) => x.ratio, 2)}, ` +
        `peak RSS ${range(figures, (x) => x.peakRssMb)} MB`,
    );
  }
  return f;
}

/** Daily runs per figure (BENCH_RUNS): on a small shared machine one run can land on a busy moment. */
const DAILY_RUNS = ((n) => (Number.isInteger(n) && n > 0 ? n : 3))(Number(process.env.BENCH_RUNS ?? 3));

if (want('sweep')) {
  console.log('== Sweep: fetch → validate → normalise → store, against a plain undici fetch+parse baseline ==');
  console.log(
    'daily: the day after a stored sweep (what runs every day); first: into an empty store (once per platform)',
  );
  const small = printSweep('daily', await sweepBench('huggingface', 200_000, 'daily', DAILY_RUNS));
  const large = printSweep('daily', await sweepBench('huggingface', 1_000_000, 'daily', DAILY_RUNS));
  console.log(
    `targets (daily sweep, medians): ratio <= 1.5 (got ${small.ratio.toFixed(2)}), >= 30,000 rec/s (got ${small.pipeline.perSec}), ` +
      `peak RSS 1M/200k <= 1.3 (got ${(large.peakRssMb / small.peakRssMb).toFixed(2)})`,
  );
  printSweep('first', await sweepBench('huggingface', 200_000, 'first'));
  for (const p of ['modelscope', 'wisemodel']) printSweep('daily', await sweepBench(p, 200_000, 'daily'));
}

// `npm run bench -- sweep-daily`: only the daily Hugging Face sweep of 200,000 models (BENCH_RUNS runs), the figure
// compared before and after a refactor; not part of a full run, which measures it within `sweep`.
if (only.has('sweep-daily')) {
  console.log('== Daily Hugging Face sweep, 200,000 models (before/after check) ==');
  printSweep('daily', await sweepBench('huggingface', 200_000, 'daily', DAILY_RUNS));
}

interface RateLimitFigure {
  models: number;
  sort: string | null;
  pageSize: number;
  quota: number;
  windowSec: number;
  requests: number;
  simRequests: number;
  pages: number;
  records: number;
  complete: boolean;
  wallMs: number;
  windows: number;
  lastWindowRequests: number;
  lastWindowMs: number;
  minMs: number;
  ratio: number;
  http429: number;
  windowWaits: number | null;
  idleAfterResetMs: number[];
}

/**
 * Stores the previous day's sweep in `dir` (bench/sweep.ts with `sweepArgs`, in another process, so the measured
 * process's peak RSS is its own), moves the simulator to DAY, and runs `measure` `runs` times: every run on its own
 * copy of that store (a run commits its own day), against the same pages.
 */
async function runsOnPreviousDay<F>(
  url: string,
  dir: string,
  sweepArgs: string[],
  runs: number,
  measure: (store: string) => Promise<F>,
): Promise<F[]> {
  await setSimDay(url, PREVIOUS_DAY);
  await runChild([...sweepArgs, '--store', dir, '--date', PREVIOUS_DAY, '--prefill']);
  await setSimDay(url, DAY);
  const figures: F[] = [];
  for (let k = 0; k < runs; k++) {
    const copy = `${dir}-run${k}`;
    await cp(dir, copy, { recursive: true });
    try {
      figures.push(await measure(copy));
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }
  return figures;
}

/** The simulator's own faults posted back unchanged: the rate-limit window starts afresh at the next request. */
async function resetSimWindow(url: string): Promise<void> {
  const state = (await (await fetch(`${url}/__sim/state`)).json()) as { faults: unknown };
  const res = await fetch(`${url}/__sim/faults`, { method: 'POST', body: JSON.stringify(state.faults) });
  if (!res.ok) throw new Error(`simulator refused its own faults: ${res.status} ${await res.text()}`);
}

/**
 * The daily Hugging Face sweep under the anonymous policy, 500 requests per fixed window, the window scaled from
 * 5 minutes down to RATELIMIT_WINDOW seconds (default 30, i.e. 10x faster) so that the figure takes minutes: pages
 * of 100 models, so 200,000 models are 2,000 requests, four windows. The store holds the previous day (filled at
 * 1,000 per page, 200 requests, within one window); each run starts in a fresh window. See bench/ratelimit.ts.
 */
async function rateLimitBench(models: number, windowSec: number, runs: number): Promise<RateLimitFigure[]> {
  const sim = await startSimProcess(models, `500/${windowSec}`);
  const url = sim.urls.huggingface!;
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-bench-ratelimit-'));
  try {
    const sweepArgs = ['bench/sweep.ts', '--platform', 'huggingface', '--url', url, '--models', String(models)];
    return await runsOnPreviousDay(url, dir, sweepArgs, runs, async (store) => {
      await resetSimWindow(url);
      return (await runChild([
        'bench/ratelimit.ts',
        '--url',
        url,
        '--store',
        store,
        '--date',
        DAY,
        '--page-size',
        '100',
        '--models',
        String(models),
      ])) as unknown as RateLimitFigure;
    });
  } finally {
    sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (want('ratelimit')) {
  const windowSec = ((n) => (Number.isInteger(n) && n > 0 ? n : 30))(Number(process.env.RATELIMIT_WINDOW ?? 30));
  const runs = ((n) => (Number.isInteger(n) && n > 0 ? n : 2))(Number(process.env.RATELIMIT_RUNS ?? 2));
  console.log(
    `\n== Rate-limit efficiency: the daily HF sweep under 500 requests per fixed window (5 min scaled to ${windowSec} s) ==`,
  );
  console.log(
    "minimum = (ceil(N/q) - 1) * W + the last window (its first request sent to the sweep's end, measured in the same run)",
  );
  for (const f of await rateLimitBench(200_000, windowSec, runs)) {
    console.log(
      `ratelimit huggingface catalogue(HF)=${f.models} sort=${f.sort} pageSize=${f.pageSize} policy ${f.quota}/${f.windowSec}s  ` +
        `requests=${f.requests} (sim counted ${f.simRequests}) pages=${f.pages} records=${f.records}  wall ${(f.wallMs / 1000).toFixed(1)} s  ` +
        `minimum ${(f.minMs / 1000).toFixed(1)} s = ${f.windows - 1} x ${f.windowSec} s + last window ${(f.lastWindowMs / 1000).toFixed(1)} s (${f.lastWindowRequests} requests)  ` +
        `ratio ${f.ratio.toFixed(3)} (goal <= 1.05)  429s=${f.http429} (goal 0)  window waits=${f.windowWaits}  ` +
        `idle after each reset ${f.idleAfterResetMs.join('/')} ms  complete=${f.complete}`,
    );
  }
}

if (want('normalise')) {
  console.log('\n== Normalise 1,000,000 records ==');
  await runChild(['bench/normalise.ts'])
    .then((r) =>
      console.log(`${JSON.stringify(r)}\ntarget: < 10 s of CPU per 1,000,000 records (got ${String(r.cpuSeconds)} s)`),
    )
    .catch((e: unknown) => console.log(`normalise bench failed: ${String(e)}`));
}

if (want('sim')) {
  console.log('\n== Simulator at 1,000,000 models: build, then page the whole Hugging Face catalogue ==');
  // A child process of its own, so that its RSS is the simulator's and its client's alone.
  const { formatSimScale } = await import('./sim-scale.js');
  await runChild(['bench/sim-scale.ts'])
    .then((r) => console.log(formatSimScale(r as unknown as SimScaleFigures)))
    .catch((e: unknown) => console.log(`sim scale bench failed: ${String(e)}`));
}

if (want('feed')) {
  console.log('\n== HTTP API and feed vs a static file server ==');
  const { runFeedBench, formatFeedBench } = await import('./feed.js');
  console.log(formatFeedBench(await runFeedBench()));
}

if (want('digest')) {
  console.log('\n== Weekly digest from a week of snapshots ==');
  // The store fill dominates (a million models through commitPage); BENCH_MODELS sizes it down for a quick look.
  const { runDigestBench } = await import('./digest.js');
  const r = await runDigestBench({ models: Number(process.env.BENCH_MODELS ?? 1_000_000) });
  console.log(
    `digest of ${r.week} from ${r.snapshotFiles} snapshots over ${r.models} models: build ${Math.round(r.buildMedianMs)} ms median ` +
      `(runs ${r.buildMs.map(Math.round).join(', ')} ms), render ${Math.round(r.renderMs)} ms; with a later stats day stored ${Math.round(r.historyPathMs)} ms; target < 5000 ms`,
  );
}
if (want('dashboard')) {
  console.log(
    '\n== Dashboard: a year of daily snapshots, each page kind against the same files from a static server ==',
  );
  const { runDashboardBench, formatDashboardBench } = await import('./dashboard.js');
  console.log(formatDashboardBench(await runDashboardBench({ days: Number(process.env.BENCH_DAYS ?? 365) })));
}
if (want('backfill')) {
  console.log(
    '\n== Backfill from local Parquet: one weekly partition into an empty store (BENCH_BACKFILL_SIZES, default 1000000,3000000) ==',
  );
  const { runBackfillBench, formatBackfillBench } = await import('./backfill.js');
  const sizes = (process.env.BENCH_BACKFILL_SIZES ?? '1000000,3000000').split(',').map(Number);
  const figs = await runBackfillBench(sizes, Number(process.env.BENCH_BACKFILL_PAIR ?? 200_000));
  if (figs.length > 1) console.log(formatBackfillBench(figs).split('\n').at(-1));
}
process.exit(0);
