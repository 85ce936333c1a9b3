// Benchmark of the two hottest reads, /api/v1/snapshots/latest and /feed.json, against a plain node:http static
// file server on the exported files, in the same run and on the same machine, with 100 connections on loopback.
// A third server, node:http answering the same bytes from memory, is the floor of this layout: what any server
// gets when it does nothing but write the body, so a missed target can be told apart from a busy machine.
//
// Three processes, one role each: a child fills the store and exports the files, then exits; a second child
// serves the API, the static files and the floor; this process only runs autocannon and never imports the
// application. A load generator sharing the server's event loop measures itself, and one that had loaded the
// application (store, DuckDB, fastify) was seen spending up to twice the CPU per request in some runs. The
// servers are run in interleaved rounds (the order rotating each round) so drifting background load hits them
// alike, and a server's p50/p99 come from all its rounds' latencies together.
//
// Besides latency the bench prints where the CPU went: the server's CPU per request (its own figure, whoever is
// the bottleneck), the load generator's CPU per request and share of a core, and what other processes on the
// machine used meanwhile.
//
//   npx tsx bench/feed.ts [--records 50000] [--duration 4] [--rounds 3]
import type { ChildProcess } from 'node:child_process';
import { childOf, exited } from './processes.js';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export interface FeedBenchOptions {
  records?: number;
  /** Seconds per measured run; each server gets `rounds` of them per endpoint. */
  durationSec?: number;
  rounds?: number;
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
  /** The server process's CPU time per answered request, in microseconds. */
  serverUsPerReq: number;
  /** This process's (the load generator's) CPU, in % of one core, and per answered request in microseconds. */
  clientCpuPct: number;
  clientUsPerReq: number;
  /** CPU used by every other process on the machine meanwhile, in % of one core; null where /proc/stat is missing. */
  otherCpuPct: number | null;
}

export interface FeedBenchRow {
  endpoint: string;
  api: RunFigures;
  static: RunFigures;
  /** node:http writing the same bytes from memory: the best any server could do here. */
  floor: RunFigures;
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
  rounds: number;
  cores: number;
  rows: FeedBenchRow[];
}

const DATE = '2025-06-01';
const P99_TARGET_MS = 20;
const RATIO_TARGET = 2;

// autocannon ships no types; these are the parts this bench uses. With skipAggregateResult a run returns its
// encoded histograms, which aggregateResult merges across rounds.
interface CannonRun {
  totalCompletedRequests: number;
  totalBytes: number;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface CannonAggregate {
  latency: { p50: number; p99: number };
}
interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  skipAggregateResult?: boolean;
}
interface Autocannon {
  (opts: CannonOptions): Promise<CannonRun>;
  aggregateResult(results: CannonRun[], opts: CannonOptions): CannonAggregate;
}
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

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

// ---- child processes ------------------------------------------------------------------------------------------

/** The floor: the exported files' bytes from memory, with the same headers a static host sends, and nothing else. */
export function memoryServer(root: string): Server {
  const bodies = new Map<string, Buffer>();
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let body = bodies.get(path);
    if (!body) {
      const file = normalize(join(root, decodeURIComponent(path)));
      if (!file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        body = readFileSync(file);
      } catch {
        res.writeHead(404).end();
        return;
      }
      bodies.set(path, body);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      ETag: '"floor"',
      'Cache-Control': 'public, max-age=60',
    });
    res.end(body);
  });
}

/** Child: fill a DuckDB store, write the day's snapshot and the static export. */
async function prepare(dir: string, n: number): Promise<void> {
  const { openStore } = await import('../src/store/index.js');
  const { exportStatic } = await import('../src/feed/export.js');
  const { buildSnapshot } = await import('../src/snapshot/build.js');
  const { writeSnapshot } = await import('../src/snapshot/files.js');
  const { fillStore, makeRecord, testConfig } = await import('../tests/feed/fixtures.js');
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  try {
    await fillStore(
      store,
      Array.from({ length: n }, (_, i) => makeRecord(i)),
      DATE,
    );
    const config = testConfig(dir, 50);
    await writeSnapshot(dir, await buildSnapshot({ store, llmTasks: config.file.scopes.llm }, DATE));
    await exportStatic({ store, config, dataDir: dir, pages: 1 });
  } finally {
    await store.close();
  }
}

type ToServer = { type: 'cpu' };
type Servers = Record<'api' | 'static' | 'floor', string>;
type FromServer = ({ type: 'urls' } & Servers) | { type: 'cpu'; micros: number };

/** Child: serve the API, the static files and the floor; report the URLs, and this process's CPU time when asked. */
async function serve(dataDir: string): Promise<void> {
  const { openStore } = await import('../src/store/index.js');
  const { buildServer } = await import('../src/feed/server.js');
  const { publicDir } = await import('../src/feed/export.js');
  const { silentLogger } = await import('../src/log.js');
  const { testConfig } = await import('../tests/feed/fixtures.js');
  const store = await openStore({ dataDir, databaseUrl: null });
  const api = await buildServer({ store, config: testConfig(dataDir, 50), logger: silentLogger });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const files = staticServer(publicDir(dataDir));
  const floor = memoryServer(publicDir(dataDir));
  for (const s of [files, floor]) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const send = (m: FromServer): boolean => process.send!(m);
  process.on('message', (m: ToServer) => {
    if (m.type !== 'cpu') return;
    const u = process.cpuUsage();
    send({ type: 'cpu', micros: u.user + u.system });
  });
  send({ type: 'urls', api: url(api.server), static: url(files), floor: url(floor) });
  const stop = async (): Promise<void> => {
    files.close();
    floor.close();
    await api.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
}

const child = (args: string[], ipc: boolean): ChildProcess => childOf(import.meta.url, args, ipc);

// ---- CPU accounting -------------------------------------------------------------------------------------------

/** Busy CPU time of the whole machine in microseconds, from /proc/stat (Linux); null elsewhere. */
function machineBusyMicros(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal …, in USER_HZ ticks (100 per second on Linux).
    const t = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = t[0]! + t[1]! + t[2]! + t[5]! + t[6]! + t[7]!;
    return busy * 10_000;
  } catch {
    return null;
  }
}

interface CpuMark {
  server: number;
  client: number;
  machine: number | null;
}

class ServerHandle {
  private waiters: Array<(micros: number) => void> = [];

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: FromServer) => {
      if (m.type === 'cpu') this.waiters.shift()?.(m.micros);
    });
  }

  cpuMicros(): Promise<number> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.proc.send({ type: 'cpu' } satisfies ToServer);
    });
  }

  async mark(): Promise<CpuMark> {
    const server = await this.cpuMicros();
    const u = process.cpuUsage();
    return { server, client: u.user + u.system, machine: machineBusyMicros() };
  }
}

// ---- measuring ------------------------------------------------------------------------------------------------

interface Measured {
  run: CannonRun;
  cpu: { server: number; client: number; machine: number | null };
}

async function measure(server: ServerHandle, url: string, connections: number, duration: number): Promise<Measured> {
  const before = await server.mark();
  const run = await autocannon({ url, connections, duration, pipelining: 1, skipAggregateResult: true });
  const after = await server.mark();
  return {
    run,
    cpu: {
      server: after.server - before.server,
      client: after.client - before.client,
      machine: after.machine === null || before.machine === null ? null : after.machine - before.machine,
    },
  };
}

function figures(url: string, connections: number, runs: Measured[]): RunFigures {
  const agg = autocannon.aggregateResult(
    runs.map((m) => m.run),
    { url, connections, duration: 1, pipelining: 1 },
  );
  const sum = (f: (m: Measured) => number): number => runs.reduce((s, m) => s + f(m), 0);
  const requests = sum((m) => m.run.totalCompletedRequests);
  const seconds = sum((m) => m.run.duration);
  const server = sum((m) => m.cpu.server);
  const client = sum((m) => m.cpu.client);
  const machine = runs.every((m) => m.cpu.machine !== null) ? sum((m) => m.cpu.machine!) : null;
  const pctOfCore = (micros: number): number => (100 * micros) / (seconds * 1e6);
  return {
    p50: agg.latency.p50,
    p99: agg.latency.p99,
    reqPerSec: requests / seconds,
    errors: sum((m) => m.run.errors + m.run.timeouts),
    non2xx: sum((m) => m.run.non2xx),
    bytesPerReq: requests ? Math.round(sum((m) => m.run.totalBytes) / requests) : 0,
    serverUsPerReq: requests ? server / requests : 0,
    clientCpuPct: pctOfCore(client),
    clientUsPerReq: requests ? client / requests : 0,
    // Whatever the machine was busy with beyond these two processes (the kernel's loopback work included).
    otherCpuPct: machine === null ? null : Math.max(0, pctOfCore(machine - server - client)),
  };
}

export async function runFeedBench(opts: FeedBenchOptions = {}): Promise<FeedBenchResult> {
  const n = opts.records ?? 50_000;
  const duration = opts.durationSec ?? 4;
  const rounds = opts.rounds ?? 3;
  const connections = opts.connections ?? 100;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-feed-bench-'));
  let server: ChildProcess | null = null;
  try {
    log(`filling a DuckDB store with ${n} records (child process)…`);
    const code = await exited(child(['--prepare', dir, '--records', String(n)], false));
    if (code !== 0) throw new Error(`bench preparation exited with code ${code}`);

    server = child(['--serve', dir], true);
    const handle = new ServerHandle(server);
    const urls = await new Promise<Servers>((resolve, reject) => {
      server!.on('message', (m: FromServer) => {
        if (m.type === 'urls') resolve(m);
      });
      server!.once('exit', (c) => reject(new Error(`bench server exited early (code ${c})`)));
    });

    const endpoints: Array<[string, string, string]> = [
      ['/api/v1/snapshots/latest', '/api/v1/snapshots/latest', '/snapshots/latest.json'],
      ['/feed.json', '/feed.json', '/feed.json'],
    ];
    const rows: FeedBenchRow[] = [];
    for (const [name, apiPath, staticPath] of endpoints) {
      const targets: Servers = {
        api: urls.api + apiPath,
        static: urls.static + staticPath,
        floor: urls.floor + staticPath,
      };
      const servers = ['api', 'static', 'floor'] as const;
      // Warm-up: fills the API's body cache and the page cache for the static file, and lets the JIT settle.
      for (const which of servers) await autocannon({ url: targets[which], connections, duration: 2, pipelining: 1 });
      log(`measuring ${name} (${rounds} rounds of ${duration} s per server, ${connections} connections) …`);
      const runs: Record<(typeof servers)[number], Measured[]> = { api: [], static: [], floor: [] };
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < servers.length; i++) {
          const which = servers[(r + i) % servers.length]!;
          runs[which].push(await measure(handle, targets[which], connections, duration));
        }
      }
      const api = figures(targets.api, connections, runs.api);
      const stat_ = figures(targets.static, connections, runs.static);
      const p99Ratio = api.p99 / Math.max(stat_.p99, 1);
      const throughputRatio = stat_.reqPerSec / Math.max(api.reqPerSec, 1);
      rows.push({
        endpoint: name,
        api,
        static: stat_,
        floor: figures(targets.floor, connections, runs.floor),
        p99Ratio,
        throughputRatio,
        meetsTarget:
          api.p99 < P99_TARGET_MS &&
          p99Ratio <= RATIO_TARGET &&
          throughputRatio <= RATIO_TARGET &&
          api.errors === 0 &&
          api.non2xx === 0,
      });
    }
    return { records: n, connections, durationSec: duration, rounds, cores: cpus().length, rows };
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exited(server);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatFeedBench(r: FeedBenchResult): string {
  const lines = [
    `feed bench: ${r.records} records, ${r.connections} connections, ${r.rounds} × ${r.durationSec} s per server and endpoint, ` +
      `loopback, ${r.cores} cores; the servers in one child process, autocannon in this one`,
    'endpoint                   server   p50 ms   p99 ms     req/s   bytes/req  errors   server µs/req  load gen µs/req  %core  others %core',
  ];
  for (const row of r.rows) {
    for (const [label, f] of [
      ['api', row.api],
      ['static', row.static],
      ['floor', row.floor],
    ] as const) {
      lines.push(
        `${row.endpoint.padEnd(26)} ${label.padEnd(7)} ${f.p50.toFixed(1).padStart(7)} ${f.p99.toFixed(1).padStart(8)} ` +
          `${f.reqPerSec.toFixed(0).padStart(9)} ${String(f.bytesPerReq).padStart(11)} ${String(f.errors + f.non2xx).padStart(7)} ` +
          `${f.serverUsPerReq.toFixed(0).padStart(15)} ${f.clientUsPerReq.toFixed(0).padStart(16)} ${f.clientCpuPct.toFixed(0).padStart(6)} ` +
          `${f.otherCpuPct === null ? '—'.padStart(13) : f.otherCpuPct.toFixed(0).padStart(13)}`,
      );
    }
    lines.push(
      `${''.padEnd(26)} ratio    p99 api/static ${row.p99Ratio.toFixed(2)}, req/s static/api ${row.throughputRatio.toFixed(2)} → ` +
        `${row.meetsTarget ? 'meets' : 'MISSES'} target (p99 < ${P99_TARGET_MS} ms, within ${RATIO_TARGET}x of static)`,
    );
    // With 100 closed-loop connections, latency is roughly connections / throughput, set by the slower side.
    if (row.api.clientCpuPct >= 90) {
      lines.push(
        `${''.padEnd(26)} note     autocannon used ${row.api.clientCpuPct.toFixed(0)}% of a core: the API figures are bounded by the load generator`,
      );
    }
    if (row.floor.p99 >= P99_TARGET_MS) {
      lines.push(
        `${''.padEnd(26)} note     even the floor (bytes from memory, no framework) had p99 ${row.floor.p99} ms in this run`,
      );
    }
    const others = Math.max(...[row.api, row.static, row.floor].map((f) => f.otherCpuPct ?? 0));
    if (others >= 25) {
      lines.push(
        `${''.padEnd(26)} note     other processes used up to ${others.toFixed(0)}% of a core during these runs: figures are disturbed`,
      );
    }
  }
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)));
  const prepareDir = arg('--prepare');
  const serveDir = arg('--serve');
  if (prepareDir) {
    await prepare(prepareDir, num('--records') ?? 50_000);
  } else if (serveDir) {
    await serve(serveDir);
  } else {
    const result = await runFeedBench({
      records: num('--records'),
      durationSec: num('--duration'),
      rounds: num('--rounds'),
    });
    // Figures, not a timed test: the verdicts are printed, and the exit code only says whether the bench ran.
    process.stdout.write(`${formatFeedBench(result)}\n`);
  }
}
