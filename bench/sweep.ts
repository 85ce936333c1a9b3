// One sweep benchmark run, in its own process so its peak RSS is its own: against a simulator (another process,
// over loopback), first a baseline that fetches and parses the same pages with undici and discards them, then
// hubwatch's sweep (fetch, validate, normalise, store). Prints one JSON line.
//   tsx bench/sweep.ts --platform huggingface --url http://127.0.0.1:PORT --models 200000
// With --store DIR the sweep goes into the store in DIR (kept) instead of a new one: bench/index.ts first fills DIR
// with the previous day's sweep (--prefill: no baseline) in another process, then measures the day after, the sweep
// the service runs every day.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import type { Platform } from '../src/model.js';
import { loadReferenceData } from '../src/reference-data.js';
import { createSource } from '../src/sources/registry.js';
import { openStore } from '../src/store/index.js';
import { sweepStats } from '../src/cycle/ingest.js';
import { HF_LIST_EXPAND } from '../src/sources/huggingface/schema.js';
import { endpoints } from '../src/sources/wisemodel/evidence.js';
import { linkNext, projectsUrl } from '../src/sources/wisemodel/gitlab.js';

const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: 'huggingface' },
    url: { type: 'string' },
    models: { type: 'string', default: '0' },
    date: { type: 'string', default: '2026-11-20' },
    store: { type: 'string' },
    prefill: { type: 'boolean', default: false },
  },
});
const platform = values.platform as Platform;
const baseUrl = values.url!;

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

/** The same page sequence the source reads, fetched and parsed with plain undici and thrown away. */
async function baseline(): Promise<{ records: number; ms: number; cpuMs: number }> {
  const agent = new Agent({ connections: 4, pipelining: 1, keepAliveTimeout: 10_000 });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let records = 0;
  if (platform === 'huggingface') {
    // The same walk as the source: by createdAt, with its list field set (HF_LIST_EXPAND).
    let url: string | null =
      `${baseUrl}/api/models?sort=createdAt&limit=1000&${HF_LIST_EXPAND.map((f) => `expand[]=${f}`).join('&')}`;
    while (url) {
      const res: Awaited<ReturnType<typeof request>> = await request(url, { dispatcher: agent });
      const body = (await res.body.json()) as unknown[];
      records += body.length;
      const link: unknown = res.headers.link;
      const m: RegExpExecArray | null = typeof link === 'string' ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
      url = m ? m[1]! : null;
    }
  } else if (platform === 'modelscope') {
    // The same walk as the source (src/sources/modelscope/sweep.ts) on a catalogue one listing reaches: GmtModified
    // pages to the end (a short page, or a full one at TotalCount), then the closing pass from page 1 while every
    // model on a page is newer than the first page's newest (one page when nothing moved during the walk).
    const put = async (page: number) => {
      const res = await request(`${baseUrl}/api/v1/dolphin/models`, {
        method: 'PUT',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          Name: '',
          PageNumber: page,
          PageSize: 100,
          SortBy: 'GmtModified',
          Target: '',
          Criterion: [],
          SingleCriterion: [],
        }),
      });
      const body = (await res.body.json()) as {
        Data: { Model: { Models: Array<{ LastUpdatedTime: number }>; TotalCount: number } };
      };
      records += body.Data.Model.Models.length;
      return body.Data.Model;
    };
    let h0 = -Infinity;
    for (let page = 1; ; page += 1) {
      const m = await put(page);
      if (page === 1) h0 = Math.max(...m.Models.map((x) => x.LastUpdatedTime));
      if (m.Models.length < 100 || page * 100 >= m.TotalCount) break;
    }
    for (let page = 1; ; page += 1) {
      const m = await put(page);
      if (m.Models.some((x) => x.LastUpdatedTime <= h0) || m.Models.length < 100) break;
    }
  } else {
    // The WiseModel source's walk: GitLab's projects list by keyset, newest id first, following the Link to the
    // empty page that ends it (src/sources/wisemodel/gitlab.ts). The records are GitLab projects: datasets and code
    // repositories included, which the source reads and then leaves out.
    const config = loadConfig({ HUBWATCH_WISEMODEL_URL: baseUrl, LOG_LEVEL: 'silent' });
    let url: string | null = projectsUrl(
      endpoints(config).gitlab,
      'keyset',
      config.file.sources.wisemodel.gitlab.perPage,
    );
    while (url) {
      const res: Awaited<ReturnType<typeof request>> = await request(url, { dispatcher: agent });
      const body = (await res.body.json()) as unknown[];
      records += body.length;
      const link: unknown = res.headers.link;
      url = linkNext(typeof link === 'string' ? link : null);
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await agent.close();
  return { records, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function pipeline(): Promise<{
  records: number;
  ms: number;
  cpuMs: number;
  complete: boolean;
  pages: number;
  unchanged: number;
  loopDelayMs: { p99: number; max: number };
}> {
  const dir = values.store ?? (await mkdtemp(join(tmpdir(), 'hubwatch-bench-')));
  const env: NodeJS.ProcessEnv = { ...process.env, HUBWATCH_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  if (platform === 'huggingface') env.HUBWATCH_HF_URL = baseUrl;
  if (platform === 'modelscope') env.HUBWATCH_MODELSCOPE_URL = baseUrl;
  if (platform === 'wisemodel') env.HUBWATCH_WISEMODEL_URL = baseUrl;
  // Politeness delays are for the real sites; the benchmark measures the pipeline itself.
  const config = loadConfig(env, { sources: { [platform]: { delayMs: 0, respectRobots: false } } });
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  const source = createSource(platform, { config, logger: silentLogger, rateLimitMode: 'wait' });
  const { registry, licenses } = loadReferenceData();
  // How long the event loop is held at a time: in `start` the HTTP API shares this process with the sweep.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const res = await sweepStats({ store, registry, licenses, logger: silentLogger }, source, {
    date: values.date,
    batchRecords: config.file.sources[platform].sweepBatch,
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  await source.close();
  await store.close();
  if (!values.store) await rm(dir, { recursive: true, force: true });
  return {
    records: res.models,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    complete: res.complete,
    pages: res.pages,
    unchanged: res.unchanged,
    loopDelayMs: { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
  };
}

if (values.prefill) {
  const run = await pipeline();
  process.stdout.write(
    `${JSON.stringify({ platform, date: values.date, records: run.records, ms: Math.round(run.ms), complete: run.complete })}\n`,
  );
  process.exit(0);
}

const base = await baseline();
const rssAfterBaseline = peakRss;
const run = await pipeline();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(
  `${JSON.stringify({
    platform,
    models: Number(values.models),
    // CPU of this process (all its threads, DuckDB's included) while each ran: what the simulator did not use.
    baseline: {
      records: base.records,
      ms: Math.round(base.ms),
      cpuMs: Math.round(base.cpuMs),
      perSec: Math.round((base.records / base.ms) * 1000),
    },
    pipeline: {
      records: run.records,
      unchanged: run.unchanged,
      ms: Math.round(run.ms),
      cpuMs: Math.round(run.cpuMs),
      perSec: Math.round((run.records / run.ms) * 1000),
      complete: run.complete,
      loopDelayMs: run.loopDelayMs,
    },
    ratio: Number((run.ms / base.ms).toFixed(2)),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    rssAfterBaselineMb: Math.round(rssAfterBaseline / 2 ** 20),
  })}\n`,
);
process.exit(0);
