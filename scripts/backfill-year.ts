// Maintainer tool: the chart of a backfilled year in the docs (docs/backfill-year.svg and .png), drawn by hubwatch
// itself from simulated dumps, so that anyone can make it again byte for byte.
//
//   npx tsx scripts/backfill-year.ts [--models N] [--seed S] [--out DIR]
//
// 1. Writes 52 weekly partitions of the Hub's public dumps (Wednesdays 2025-11-26 … 2026-11-18, the real weekday of
//    hub_weekly_snapshots) from the simulator's universe (src/sim/dumps.ts) into a temporary folder. Each date gets
//    the schema the real dumps had on it (defaultSchemaOf): every date of this year is `v2` (Parquet, timestamps,
//    downloadsAllTime), because the one dated drift, downloadsAllTime from 2025-02-27, lies before it (when `gated`
//    arrived is not dated in the evidence; the simulator's v2 has it on every date).
// 2. Backfills them through the real `backfill()` into a temporary embedded store and data directory, as
//    `hubwatch backfill --dump DIR` does: 52 dates of stats (provenance `dump`) and snapshots.
// 3. Serves that data directory as `hubwatch serve` does, on 127.0.0.1, and saves what the dashboard answers: the
//    embeddable chart (`/chart/shares.svg`, share of 30-day downloads by country, origin view, all models, Hugging
//    Face: the dumps are Hugging Face's only) and a screenshot of the overview page in Debian's Chromium.
//
// The figures are the simulator's universe, not the Hub's: the caption in README.md says so. The universe is small
// (--models, 8,000 at the anchor day: 5,020 rows in the first partition, 7,756 in the last, 331,438 in all)
// so that the whole run takes a few minutes on two cores; the same options give the same SVG, byte for byte.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { backfill, type BackfillResult } from '../src/backfill/run.js';
import { backfillProgress } from '../src/backfill/progress.js';
import { loadConfig, PROJECT_ROOT } from '../src/config.js';
import { dashboard } from '../src/dashboard/plugin.js';
import { overviewSearch, type OverviewState } from '../src/dashboard/state.js';
import { buildServer } from '../src/feed/server.js';
import { createLogger, silentLogger } from '../src/log.js';
import { loadReferenceData } from '../src/reference-data.js';
import { defaultSchemaOf, writeDumpFolder } from '../src/sim/dumps.js';
import { Universe } from '../src/sim/universe.js';
import { listSnapshotDates } from '../src/snapshot/files.js';
import { openStore } from '../src/store/index.js';
import { addDays } from '../src/time.js';
import { CHROMIUM_LAUNCH, HAVE_CHROMIUM } from '../tests/support/chromium.js';

/** The last partition: the Wednesday before the simulator's anchor day (2026-11-20). */
const LAST_PARTITION = '2026-11-18';
const WEEKS = 52;
/** The chart the dashboard draws by default, narrowed to the one platform the dumps describe. */
const CHART_STATE: OverviewState = {
  metric: 'downloads30d',
  view: 'origin',
  scope: 'all',
  platform: 'huggingface',
};

/** `weeks` dates a week apart, ending on `last`, oldest first. */
function weeklyDates(last: string, weeks: number): string[] {
  return Array.from({ length: weeks }, (_, i) => addDays(last, -7 * (weeks - 1 - i)));
}

const USAGE = `npx tsx scripts/backfill-year.ts [--models N] [--seed S] [--out DIR]
  --models N  the simulated Hub's catalogue at its anchor day, 2026-11-20 (default 8000)
  --seed S    the simulated universe's seed (default 42, as \`hubwatch sim\`)
  --out DIR   where backfill-year.svg and backfill-year.png are written (default docs/)
The backfill logs to stderr (LOG_LEVEL=warn to quiet it); stdout gets one JSON line: sizes, seconds, files.`;

function parseCli(): { models: number; seed: number; out: string } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        models: { type: 'string', default: '8000' },
        seed: { type: 'string', default: '42' },
        out: { type: 'string', default: join(PROJECT_ROOT, 'docs') },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const whole = (name: string, v: string, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      process.stderr.write(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}\n`);
      process.exit(2);
    }
    return n;
  };
  return {
    models: whole('models', values.models, 50, 5_000_000),
    seed: whole('seed', values.seed, 0, 2 ** 31 - 1),
    out: resolve(values.out),
  };
}

/** A partition that failed or stopped short would draw a year with a hole in it: say so and stop. */
function checkBackfill(res: BackfillResult, dates: string[]): void {
  const bad = res.partitions.filter((p) => p.error !== undefined || !p.complete);
  if (bad.length) throw new Error(`partitions not read to their end: ${bad.map((p) => p.date).join(', ')}`);
  const done = res.partitions.map((p) => p.date);
  if (done.join() !== dates.join()) throw new Error(`backfilled ${done.length} dates of ${dates.length}`);
}

async function main(): Promise<void> {
  const opts = parseCli();
  if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM_LAUNCH.executablePath} is absent: apt-get install -y chromium`);
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info', destination: 2 });
  const dates = weeklyDates(LAST_PARTITION, WEEKS);
  const work = await mkdtemp(join(tmpdir(), 'hubwatch-backfill-year-'));
  const dumpDir = join(work, 'dump');
  const dataDir = join(work, 'data');
  const seconds: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    seconds[name] = Math.round((performance.now() - t) / 100) / 10;
    t = performance.now();
  };
  try {
    const universe = new Universe({ seed: opts.seed, models: opts.models });
    const written = await writeDumpFolder(universe, dumpDir, { dates, schemaOf: defaultSchemaOf });
    lap('writeDump');
    log.info({ partitions: written.files.length, seconds: seconds.writeDump }, 'dump written');

    // A minimal environment, not the caller's: DATABASE_URL or HUBWATCH_DATA_DIR must not send this elsewhere.
    const config = loadConfig({ HUBWATCH_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const { registry, licenses } = loadReferenceData();
    const store = await openStore({ dataDir, databaseUrl: null });
    let res: BackfillResult;
    try {
      res = await backfill(
        {
          store,
          registry,
          licenses,
          logger: log,
          dataDir,
          llmTasks: config.file.scopes.llm,
          progress: backfillProgress(log, process.stderr.isTTY === true),
        },
        { dump: dumpDir },
      );
    } finally {
      await store.close();
    }
    checkBackfill(res, dates);
    lap('backfill');
    const snapshots = await listSnapshotDates(dataDir);
    if (snapshots.join() !== dates.join()) throw new Error(`${snapshots.length} snapshots for ${dates.length} dates`);

    // What `hubwatch serve` runs (src/serve.ts), on loopback and a free port.
    const served = await openStore({ dataDir, databaseUrl: null });
    const app = await buildServer({
      store: served,
      config,
      logger: silentLogger,
      registryEntries: registry.entries.map((e) => e.entry),
      plugins: [dashboard(dataDir)],
    });
    try {
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const search = overviewSearch(CHART_STATE);
      const chart = await fetch(`${base}/chart/shares.svg${search}`);
      if (chart.status !== 200 || !chart.headers.get('content-type')?.startsWith('image/svg+xml'))
        throw new Error(`GET /chart/shares.svg${search} answered ${chart.status} ${chart.headers.get('content-type')}`);
      await mkdir(opts.out, { recursive: true });
      const svgPath = join(opts.out, 'backfill-year.svg');
      await writeFile(svgPath, await chart.text());

      const pngPath = join(opts.out, 'backfill-year.png');
      const browser = await chromium.launch(CHROMIUM_LAUNCH);
      try {
        // As wide as docs/dashboard.png, and as tall as the page down to the chart's method line and data links.
        const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
        const answer = await page.goto(`${base}/${search}`, { waitUntil: 'load' });
        if (answer?.status() !== 200) throw new Error(`GET /${search} answered ${answer?.status()}`);
        const figure = await page.locator('#shares').boundingBox();
        if (!figure) throw new Error('the overview page has no #shares figure');
        await page.setViewportSize({ width: 1280, height: Math.ceil(figure.y + figure.height + 16) });
        await page.screenshot({ path: pngPath });
      } finally {
        await browser.close();
      }
      lap('render');
      process.stdout.write(
        `${JSON.stringify({
          models: opts.models,
          seed: opts.seed,
          partitions: res.partitions.length,
          first: dates[0],
          last: dates.at(-1),
          schemas: [...new Set(dates.map(defaultSchemaOf))],
          rows: res.rows,
          seconds,
          svg: svgPath,
          png: pngPath,
        })}\n`,
      );
    } finally {
      await app.close();
      await served.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
