// One rate-limit efficiency run, in its own process: hubwatch's real Hugging Face sweep (sweepStats, the source from
// the registry, a store in DIR) against a simulator (another process, over loopback) that enforces a fixed-window
// rate limit, read from its RateLimit-Policy. Prints one JSON line: requests, pages, wall time, the policy's
// minimum wall time for that many requests, their ratio, 429s and window waits.
//   tsx bench/ratelimit.ts --url http://127.0.0.1:PORT --store DIR --date 2026-11-21 [--page-size 100]
// bench/index.ts (`npm run bench -- ratelimit`) starts the simulator with `--rate-limit 500/30` (the Hub's anonymous
// 500 requests per 5-minute window, time scaled down 10x), fills DIR with the previous day and runs this.
//
// The policy's minimum. A fixed window starts at the first request it counts and ends W later; q requests fit in
// it. N requests need at least k = ceil(N/q) windows, and the earliest the last of them can start is when the
// (k-1)-th ends: windows 1..k-1 take (k-1)·W whatever the client does, however fast it is. The last window then
// takes as long as its requests (and the sweep's work after them) take at full speed. So
//   minimum = (k - 1)·W + lastWindow
// where lastWindow is measured in this same run: from the moment the last window's first request was sent to the
// sweep's end (its pages fetched, validated, normalised and committed, the day's coverage written). Within a window
// the pacer never holds a request back (it waits only when the window is spent), so the last window runs at full
// speed and this is the time the same requests take unthrottled. The lead-in before the first request (opening
// the sweep, reading the checkpoint) is counted in the wall time and not in the minimum: against us, not for us.
// What the client can lose beyond the minimum is the idle time between a window's end and the next window's first
// request (reset margin, whole-second `t`), printed per window boundary as `idleAfterResetMs`.
import { subscribe } from 'node:diagnostics_channel';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { loadReferenceData } from '../src/reference-data.js';
import type { HttpClient } from '../src/sources/http.js';
import { createSource } from '../src/sources/registry.js';
import { openStore } from '../src/store/index.js';
import { sweepStats } from '../src/cycle/ingest.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    store: { type: 'string' },
    date: { type: 'string', default: '2026-11-21' },
    'page-size': { type: 'string', default: '100' },
    models: { type: 'string', default: '0' },
  },
});
const baseUrl = values.url!;
const pageSize = Number(values['page-size']);

/** One request to the platform's API, as undici saw it (every HTTP request in this process goes through undici). */
interface Seen {
  sentAt: number;
  path: string;
  status?: number;
  remaining?: number;
  resetSec?: number;
  quota?: number;
  windowSec?: number;
}

const apiOrigin = new URL(baseUrl).origin;
const seen: Seen[] = [];
const byRequest = new WeakMap<object, Seen>();
subscribe('undici:request:create', (msg) => {
  const { request } = msg as { request: { origin: string; path: string } };
  if (String(request.origin) !== apiOrigin || !request.path.startsWith('/api/')) return;
  const s: Seen = { sentAt: performance.now(), path: request.path };
  seen.push(s);
  byRequest.set(request, s);
});
subscribe('undici:request:headers', (msg) => {
  const { request, response } = msg as { request: object; response: { statusCode: number; headers: Buffer[] } };
  const s = byRequest.get(request);
  if (!s) return;
  s.status = response.statusCode;
  for (let i = 0; i + 1 < response.headers.length; i += 2) {
    const name = response.headers[i]!.toString('latin1').toLowerCase();
    const value = response.headers[i + 1]!.toString('latin1');
    if (name === 'ratelimit') {
      s.remaining = Number(/;\s*r=(\d+)/.exec(value)?.[1] ?? NaN);
      s.resetSec = Number(/;\s*t=(\d+)/.exec(value)?.[1] ?? NaN);
    } else if (name === 'ratelimit-policy') {
      s.quota = Number(/;\s*q=(\d+)/.exec(value)?.[1] ?? NaN);
      s.windowSec = Number(/;\s*w=(\d+)/.exec(value)?.[1] ?? NaN);
    }
  }
});

async function simRequests(): Promise<number> {
  const res = await fetch(`${baseUrl}/__sim/state`);
  if (!res.ok) throw new Error(`simulator state: HTTP ${res.status}`);
  return ((await res.json()) as { requests: number }).requests;
}

const dir = values.store!;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  HUBWATCH_DATA_DIR: dir,
  HUBWATCH_HF_URL: baseUrl,
  LOG_LEVEL: 'silent',
};
// Pages of `pageSize` items; no politeness delay (pacing from the RateLimit headers is what is measured here).
const config = loadConfig(env, { sources: { huggingface: { pageSize, delayMs: 0 } } });
const store = await openStore({ dataDir: dir, databaseUrl: null });
const source = createSource('huggingface', { config, logger: silentLogger, rateLimitMode: 'wait' });
const http = (source as unknown as { http?: HttpClient }).http;
const { registry, licenses } = loadReferenceData();

const simBefore = await simRequests();
const t0 = performance.now();
const res = await sweepStats({ store, registry, licenses, logger: silentLogger }, source, {
  date: values.date,
  batchRecords: config.file.sources.huggingface.sweepBatch,
});
const t1 = performance.now();
const simAfter = await simRequests();
await source.close();
await store.close();

// The policy, as the simulator announced it.
const withPolicy = seen.find((s) => s.quota !== undefined && s.windowSec !== undefined);
if (!withPolicy) throw new Error('no RateLimit-Policy seen: is the simulator rate limited (--rate-limit q/w)?');
const quota = withPolicy.quota!;
const windowMs = withPolicy.windowSec! * 1000;

// The server counts every request to /api/ (429s too) against its window.
const requests = seen.length;
const windows = Math.ceil(requests / quota);
// The first request of each window: the server answers it with r = q - 1 (a window starts at the first request it
// counts). In send order; the count of them is checked against `windows` below.
const sorted = [...seen].sort((a, b) => a.sentAt - b.sentAt);
const starts = sorted.filter((s) => s.status !== 429 && s.remaining === quota - 1);
const lastStart = starts.at(-1) ?? sorted[(windows - 1) * quota]!;
const lastWindowMs = t1 - lastStart.sentAt;
const minMs = (windows - 1) * windowMs + lastWindowMs;
// Per window: how long its requests took (first sent to last sent), and past each window's end (its first request
// plus W) how long the client left the next window unstarted.
const windowSpans = starts.map((s, i) => {
  const next = starts[i + 1];
  const inWindow = sorted.filter((x) => x.sentAt >= s.sentAt && (!next || x.sentAt < next.sentAt));
  return { requests: inWindow.length, burstMs: Math.round(inWindow.at(-1)!.sentAt - s.sentAt) };
});
const idleAfterResetMs = starts.slice(1).map((s, i) => Math.round(s.sentAt - (starts[i]!.sentAt + windowMs)));
const sort = new URL(sorted[0]!.path, baseUrl).searchParams.get('sort');

process.stdout.write(
  `${JSON.stringify({
    platform: 'huggingface',
    models: Number(values.models),
    sort,
    pageSize,
    quota,
    windowSec: windowMs / 1000,
    requests,
    clientRequests: source.counters.requests,
    simRequests: simAfter - simBefore,
    pages: res.pages,
    records: res.models,
    unchanged: res.unchanged,
    complete: res.complete,
    wallMs: Math.round(t1 - t0),
    leadMs: Math.round(sorted[0]!.sentAt - t0),
    windows,
    windowsSeen: starts.length,
    lastWindowRequests: sorted.filter((x) => x.sentAt >= lastStart.sentAt).length,
    lastWindowMs: Math.round(lastWindowMs),
    minMs: Math.round(minMs),
    ratio: Number(((t1 - t0) / minMs).toFixed(3)),
    http429: source.counters.http429,
    http429Seen: seen.filter((s) => s.status === 429).length,
    windowWaits: http?.windowWaits ?? null,
    idleAfterResetMs,
    windowSpans,
  })}\n`,
);
process.exit(0);
