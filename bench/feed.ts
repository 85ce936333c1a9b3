// Benchmark of the two hottest reads, /api/v1/snapshots/latest and /feed.json, against a plain node:http static
// file server on the exported files, in the same run and on the same machine. The servers run in a child process
// so autocannon (in this process) does not steal their event loop; on loopback with 100 connections.
//
//   npx tsx bench/feed.ts [--records 50000] [--duration 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { PROJECT_ROOT } from '../src/config.js';
import { exportStatic, publicDir } from '../src/feed/export.js';
import { buildServer } from '../src/feed/server.js';
import { silentLogger } from '../src/log.js';
import { buildSnapshot } from '../src/snapshot/build.js';
import { writeSnapshot } from '../src/snapshot/files.js';
import { openStore } from '../src/store/index.js';
import { fillStore, makeRecord, testConfig } from '../tests/feed/fixtures.js';

export interface FeedBenchOptions {
  records?: number;
  /** Seconds per measured run. */
  durationSec?: number;
  connections?: number;
  log?: (line: string) => void;
}

export interface RunFigures {
  p50: number;
  p99: number;
  reqPerSec: number;
  errors: number;
  non2xx: number;
  bytesPerReq: number;
}

export interface FeedBenchRow {
  endpoint: string;
  api: RunFigures;
  static: RunFigures;
  /** API p99 over static p99 (lower is better; the target is at most 2). */
  p99Ratio: number;
  /** Static req/s over API req/s (the target is at most 2). */
  throughputRatio: number;
  meetsTarget: boolean;
}

export interface FeedBenchResult {
  records: number;
  connections: number;
  durationSec: number;
  rows: FeedBenchRow[];
}

const DATE = '2025-06-01';

// autocannon ships no types; these are the parts of its result this bench reads.
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
  throughput: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<CannonResult>;

const TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

/** A static file server as a static host runs one: stat, ETag from size and mtime, stream from disk. */
export function staticServer(root: string): Server {
  return createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    stat(file).then(
      (s) => {
        if (!s.isFile()) {
          res.writeHead(404).end();
          return;
        }
        const etag = `W/"${s.size.toString(16)}-${s.mtimeMs.toString(16)}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { ETag: etag }).end();
          return;
        }
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Length': s.size,
          ETag: etag,
          'Cache-Control': 'public, max-age=60',
        });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
}

/** Child-process side: serve the API and the static files, print the two base URLs as one JSON line. */
async function serve(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir, databaseUrl: null });
  const app = await buildServer({ store, config: testConfig(dataDir, 50), logger: silentLogger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const apiPort = (app.server.address() as AddressInfo).port;
  const files = staticServer(publicDir(dataDir));
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const staticPort = (files.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ api: `http://127.0.0.1:${apiPort}`, static: `http://127.0.0.1:${staticPort}` })}\n`);
  const stop = async (): Promise<void> => {
    files.close();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
}

function figures(r: CannonResult): RunFigures {
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    reqPerSec: r.requests.average,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    bytesPerReq: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
  };
}

async function cannon(url: string, connections: number, duration: number): Promise<CannonResult> {
  return autocannon({ url, connections, duration, pipelining: 1 });
}

export async function runFeedBench(opts: FeedBenchOptions = {}): Promise<FeedBenchResult> {
  const n = opts.records ?? 50_000;
  const duration = opts.durationSec ?? 10;
  const connections = opts.connections ?? 100;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-feed-bench-'));
  let child: ChildProcess | null = null;
  try {
    log(`filling a DuckDB store with ${n} records…`);
    const store = await openStore({ dataDir: dir, databaseUrl: null });
    try {
      await fillStore(store, Array.from({ length: n }, (_, i) => makeRecord(i)), DATE);
      const config = testConfig(dir, 50);
      await writeSnapshot(dir, await buildSnapshot({ store, llmTasks: config.file.scopes.llm }, DATE));
      await exportStatic({ store, config, dataDir: dir, pages: 1 });
    } finally {
      // DuckDB holds a file lock: the serving process opens the store itself.
      await store.close();
    }

    child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', dir], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const urls = await new Promise<{ api: string; static: string }>((resolve, reject) => {
      const rl = createInterface({ input: child!.stdout! });
      rl.once('line', (line) => resolve(JSON.parse(line) as { api: string; static: string }));
      child!.once('exit', (code) => reject(new Error(`bench server exited early (code ${code})`)));
    });

    const endpoints: Array<[string, string, string]> = [
      ['/api/v1/snapshots/latest', '/api/v1/snapshots/latest', '/snapshots/latest.json'],
      ['/feed.json', '/feed.json', '/feed.json'],
    ];
    const rows: FeedBenchRow[] = [];
    for (const [name, apiPath, staticPath] of endpoints) {
      // Warm-up: fills the API's body cache and the page cache for the static file, and lets the JIT settle.
      await cannon(urls.api + apiPath, connections, 2);
      await cannon(urls.static + staticPath, connections, 2);
      log(`measuring ${name} (${duration} s, ${connections} connections) …`);
      const api = figures(await cannon(urls.api + apiPath, connections, duration));
      const stat_ = figures(await cannon(urls.static + staticPath, connections, duration));
      const p99Ratio = api.p99 / Math.max(stat_.p99, 1);
      const throughputRatio = stat_.reqPerSec / Math.max(api.reqPerSec, 1);
      rows.push({
        endpoint: name,
        api,
        static: stat_,
        p99Ratio,
        throughputRatio,
        meetsTarget: api.p99 < 20 && p99Ratio <= 2 && throughputRatio <= 2 && api.errors === 0 && api.non2xx === 0,
      });
    }
    return { records: n, connections, durationSec: duration, rows };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatFeedBench(r: FeedBenchResult): string {
  const lines = [
    `feed bench: ${r.records} records, ${r.connections} connections, ${r.durationSec} s per run, loopback`,
    'endpoint                   server   p50 ms   p99 ms     req/s   bytes/req  errors',
  ];
  for (const row of r.rows) {
    for (const [label, f] of [['api', row.api], ['static', row.static]] as const) {
      lines.push(
        `${row.endpoint.padEnd(26)} ${label.padEnd(7)} ${f.p50.toFixed(1).padStart(7)} ${f.p99.toFixed(1).padStart(8)} ` +
          `${f.reqPerSec.toFixed(0).padStart(9)} ${String(f.bytesPerReq).padStart(11)} ${String(f.errors + f.non2xx).padStart(7)}`,
      );
    }
    lines.push(
      `${''.padEnd(26)} ratio    p99 api/static ${row.p99Ratio.toFixed(2)}, req/s static/api ${row.throughputRatio.toFixed(2)} → ` +
        `${row.meetsTarget ? 'meets' : 'MISSES'} target (p99 < 20 ms, within 2x)`,
    );
  }
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const serveDir = arg('--serve');
  if (serveDir) {
    await serve(serveDir);
  } else {
    const result = await runFeedBench({
      records: arg('--records') ? Number(arg('--records')) : undefined,
      durationSec: arg('--duration') ? Number(arg('--duration')) : undefined,
    });
    process.stdout.write(`${formatFeedBench(result)}\n`);
    process.exitCode = result.rows.every((r) => r.meetsTarget) ? 0 : 1;
  }
}
