// Benchmark of the dashboard: a year of daily snapshots for three platforms (realistic snapshot objects, schema-
// checked: tests/dashboard/fixtures.ts) and a store of models. Measures the first load of `/` after start (every
// snapshot read and the page rendered) and of each page kind, then p50/p99 under 100 connections for each page
// kind against the same files from a static file server (bench/feed.ts's), and the bytes each page sends.
//
// As in bench/feed.ts, a child process prepares the data and exits, a second child serves the dashboard and the
// static files, and this process only runs autocannon.
//
//   npx tsx bench/dashboard.ts [--days 365] [--duration 3] [--rounds 2]
import type { ChildProcess } from 'node:child_process';
import { childOf, exited } from './processes.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const START = '2025-11-21';

interface CannonRun {
  totalCompletedRequests: number;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface Autocannon {
  (opts: {
    url: string;
    connections: number;
    duration: number;
    pipelining: number;
    skipAggregateResult?: boolean;
  }): Promise<CannonRun>;
  aggregateResult(
    results: CannonRun[],
    opts: { url: string; connections: number; duration: number; pipelining: number },
  ): { latency: { p50: number; p99: number } };
}
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Kind {
  kind: string;
  api: string;
  file: string;
}

/** Child: a year of snapshots, models in a store, and the static export of the dashboard. */
async function prepare(dir: string, days: number): Promise<void> {
  const { writeSpan, fillModels } = await import('../tests/dashboard/fixtures.js');
  const { openStore } = await import('../src/store/index.js');
  const { exportDashboard } = await import('../src/dashboard/export.js');
  const dates = await writeSpan(dir, START, days, { skip: [100, 101, 200], validate: false });
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  try {
    await fillModels(store, dates[dates.length - 1]!);
    await exportDashboard({ store, dataDir: dir });
  } finally {
    await store.close();
  }
}

/** Child: the API with the dashboard and a static server on the export; reports URLs and the first loads. */
async function serve(dir: string): Promise<void> {
  const { openStore } = await import('../src/store/index.js');
  const { buildServer } = await import('../src/feed/server.js');
  const { dashboard } = await import('../src/dashboard/plugin.js');
  const { silentLogger } = await import('../src/log.js');
  const { testConfig } = await import('../tests/feed/fixtures.js');
  const { staticServer } = await import('./feed.js');
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  const app = await buildServer({
    store,
    config: testConfig(dir, 50),
    logger: silentLogger,
    plugins: [dashboard(dir)],
  });
  const api = await app.listen({ host: '127.0.0.1', port: 0 });
  const files = staticServer(join(dir, 'public'));
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  process.send!({ type: 'urls', api, static: `http://127.0.0.1:${(files.address() as AddressInfo).port}` });
  const stop = async (): Promise<void> => {
    files.close();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
}

const child = (args: string[], ipc: boolean): ChildProcess => childOf(import.meta.url, args, ipc);

async function timed(url: string): Promise<{ ms: number; status: number; body: Buffer }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { ms: performance.now() - t, status: res.status, body };
}

export interface DashboardBenchRow {
  kind: string;
  firstMs: number;
  api: { p50: number; p99: number; reqPerSec: number; errors: number };
  static: { p50: number; p99: number; reqPerSec: number; errors: number };
  bytes: { raw: number; gzip: number; br: number };
}

export interface DashboardBenchResult {
  days: number;
  firstLoadMs: number;
  assets: { raw: number; br: number; gzip: number };
  rows: DashboardBenchRow[];
  connections: number;
  durationSec: number;
  rounds: number;
}

export async function runDashboardBench(
  opts: { days?: number; durationSec?: number; rounds?: number; log?: (l: string) => void } = {},
): Promise<DashboardBenchResult> {
  const days = opts.days ?? 365;
  const duration = opts.durationSec ?? 3;
  const rounds = opts.rounds ?? 2;
  const connections = 100;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-dashboard-bench-'));
  let server: ChildProcess | null = null;
  try {
    log(`writing ${days} daily snapshots, filling a store and exporting the dashboard (child process)…`);
    const code = await exited(child(['--prepare', dir, '--days', String(days)], false));
    if (code !== 0) throw new Error(`preparation exited with code ${code}`);
    const { slug } = await import('../src/dashboard/links.js');
    server = child(['--serve', dir], true);
    const urls = await new Promise<{ api: string; static: string }>((resolve, reject) => {
      server!.on('message', (m: { type: string; api: string; static: string }) => m.type === 'urls' && resolve(m));
      server!.once('exit', (c) => reject(new Error(`bench server exited early (code ${c})`)));
    });
    // The first request after start reads every snapshot file and renders the page.
    const first = await timed(`${urls.api}/`);
    if (first.status !== 200) throw new Error(`/ answered ${first.status}`);
    const releases = (await timed(`${urls.api}/releases`)).body.toString();
    const modelHref =
      /href="(\/model\/[^"]+)"/.exec(releases)?.[1]?.replace(/&amp;/g, '&') ?? '/model/huggingface/AlibabaQwen/model-0';
    const modelKey = decodeURIComponent(modelHref.slice('/model/'.length)).replace('/', ':');
    const kinds: Kind[] = [
      { kind: 'overview /', api: '/', file: '/index.html' },
      {
        kind: 'overview state',
        api: '/?metric=likes&view=publisher&scope=llm&platform=modelscope',
        file: '/overview-likes.publisher.llm.modelscope.html',
      },
      { kind: 'races', api: '/races', file: '/races.html' },
      { kind: 'releases', api: '/releases', file: '/releases.html' },
      { kind: 'organisation', api: '/org/Meta', file: `/org-${slug('Meta')}.html` },
      { kind: 'model', api: modelHref, file: `/model-${slug(modelKey)}.html` },
      {
        kind: 'chart .svg',
        api: '/chart/shares.svg?metric=downloads30d&view=origin&scope=all&platform=combined',
        file: '/charts/shares-downloads30d.origin.all.combined.svg',
      },
      {
        kind: 'badge .svg',
        api: '/badge/share.svg?metric=downloads30d&view=origin&scope=all&platform=combined&country=CN',
        file: '/badges/share-CN-downloads30d.origin.all.combined.svg',
      },
    ];
    const rows: DashboardBenchRow[] = [];
    const cssJs = await Promise.all(
      ['dashboard.css', 'dashboard.js'].map((n) => readFile(join(dir, 'public', 'assets', n))),
    );
    const assets = {
      raw: cssJs.reduce((s, b) => s + b.length, 0),
      gzip: cssJs.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0),
      br: cssJs.reduce((s, b) => s + brotliCompressSync(b).length, 0),
    };
    for (const k of kinds) {
      const f = await timed(urls.api + k.api);
      const s = await timed(urls.static + k.file);
      if (f.status !== 200 || s.status !== 200) throw new Error(`${k.kind}: api ${f.status}, static ${s.status}`);
      const figures = async (url: string) => {
        await autocannon({ url, connections, duration: 1, pipelining: 1 });
        const runs: CannonRun[] = [];
        for (let r = 0; r < rounds; r++)
          runs.push(await autocannon({ url, connections, duration, pipelining: 1, skipAggregateResult: true }));
        const agg = autocannon.aggregateResult(runs, { url, connections, duration: 1, pipelining: 1 });
        const req = runs.reduce((a, r) => a + r.totalCompletedRequests, 0);
        const sec = runs.reduce((a, r) => a + r.duration, 0);
        return {
          p50: agg.latency.p50,
          p99: agg.latency.p99,
          reqPerSec: req / sec,
          errors: runs.reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0),
        };
      };
      log(`measuring ${k.kind} (${rounds} × ${duration} s, ${connections} connections, api then static)…`);
      rows.push({
        kind: k.kind,
        firstMs: f.ms,
        api: await figures(urls.api + k.api),
        static: await figures(urls.static + k.file),
        bytes: {
          raw: f.body.length,
          gzip: gzipSync(f.body, { level: 6 }).length,
          br: brotliCompressSync(f.body).length,
        },
      });
    }
    return { days, firstLoadMs: first.ms, assets, rows, connections, durationSec: duration, rounds };
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatDashboardBench(r: DashboardBenchResult): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  const lines = [
    `dashboard bench: ${r.days} daily snapshots × 3 platforms; first load of / after start ${r.firstLoadMs.toFixed(0)} ms (reads every snapshot, renders)`,
    `script + stylesheet: ${kb(r.assets.raw)} raw, ${kb(r.assets.gzip)} gzip, ${kb(r.assets.br)} br (budget 200 KB compressed); cached a year by versioned URL`,
    `${r.connections} connections, ${r.rounds} × ${r.durationSec} s per server; bytes: the page itself (raw / gzip / br), assets above come on top on a first visit`,
    'page kind        first ms   api p50/p99 ms   api req/s  static p50/p99 ms  static req/s  errors   bytes raw / gzip / br',
  ];
  for (const x of r.rows) {
    lines.push(
      `${x.kind.padEnd(16)} ${x.firstMs.toFixed(0).padStart(8)} ${`${x.api.p50}/${x.api.p99}`.padStart(16)} ${x.api.reqPerSec.toFixed(0).padStart(11)} ` +
        `${`${x.static.p50}/${x.static.p99}`.padStart(18)} ${x.static.reqPerSec.toFixed(0).padStart(13)} ${String(x.api.errors + x.static.errors).padStart(7)}   ` +
        `${kb(x.bytes.raw)} / ${kb(x.bytes.gzip)} / ${kb(x.bytes.br)}`,
    );
  }
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const num = (n: string): number | undefined => (arg(n) === undefined ? undefined : Number(arg(n)));
  if (arg('--prepare')) await prepare(arg('--prepare')!, num('--days') ?? 365);
  else if (arg('--serve')) await serve(arg('--serve')!);
  else
    process.stdout.write(
      `${formatDashboardBench(await runDashboardBench({ days: num('--days'), durationSec: num('--duration'), rounds: num('--rounds') }))}\n`,
    );
}
