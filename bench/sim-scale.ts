// The simulator at scale: a 1,000,000-model Hugging Face catalogue built, then paged end to end at limit 1000 with
// three expanded fields, and 20 pages with the default field set. Prints one JSON line of figures (build time,
// models/s, KiB per page, RSS of server and client together). The walk is checked as it goes (every model exactly
// once, in download order, as many pages as models/1000): figures from a wrong walk would mean nothing, so a failed
// check fails the bench. Moved here from the test suite (issue 18): timing a million models is not a test.
//   npx tsx bench/sim-scale.ts [MODELS]      (default 1,000,000; also `npm run bench -- sim`)
import { request } from 'undici';
import { startSim } from '../src/sim/index.js';

export interface SimScaleFigures {
  bench: 'sim-scale';
  models: number;
  buildMs: number;
  paged: number;
  pages: number;
  pageMs: number;
  modelsPerSec: number;
  kibPerPage: number;
  defaultFieldsModelsPerSec: number;
  rssMb: number;
}

const nextLink = (link: string | string[] | undefined): string | undefined =>
  typeof link === 'string' ? /<([^>]+)>; rel="next"/.exec(link)?.[1] : undefined;

export async function runSimScaleBench(models = 1_000_000): Promise<SimScaleFigures> {
  const t0 = performance.now();
  const sim = await startSim({ seed: 1, models, faults: { huggingface: { rateLimit: null } } });
  const buildMs = performance.now() - t0;
  try {
    const expected = sim.universe.count(sim.universe.checkDay(sim.day()));
    const seen = new Uint8Array(sim.universe.capacity);
    let url: string | undefined =
      `${sim.urls.huggingface}/api/models?sort=downloads&limit=1000&expand[]=downloads&expand[]=likes&expand[]=createdAt`;
    let paged = 0;
    let pages = 0;
    let bytes = 0;
    let prev = Infinity;
    const problems: string[] = [];
    const t1 = performance.now();
    while (url) {
      const res = await request(url);
      const text = await res.body.text();
      if (res.statusCode !== 200)
        throw new Error(`the simulator answered ${res.statusCode} on page ${pages + 1}: ${text.slice(0, 200)}`);
      bytes += text.length;
      for (const x of JSON.parse(text) as Array<{ _id: string; downloads: number }>) {
        const i = parseInt(x._id.slice(8, 16), 16);
        if (seen[i]) problems.push(`model ${x._id} served twice`);
        seen[i] = 1;
        if (x.downloads > prev) problems.push(`model ${x._id} out of download order`);
        prev = x.downloads;
        paged++;
      }
      pages++;
      if (problems.length > 0) break;
      url = nextLink(res.headers.link);
    }
    const pageMs = performance.now() - t1;
    if (paged !== expected) problems.push(`paged ${paged} models, the catalogue holds ${expected}`);
    if (pages !== Math.ceil(expected / 1000)) problems.push(`${pages} pages for ${expected} models at 1000 a page`);
    if (problems.length > 0)
      throw new Error(`the walk is wrong, so its figures mean nothing: ${problems.slice(0, 5).join('; ')}`);

    const t2 = performance.now();
    let full = 0;
    let next: string | undefined = `${sim.urls.huggingface}/api/models?sort=createdAt&limit=1000`;
    for (let p = 0; p < 20 && next; p++) {
      const res: Awaited<ReturnType<typeof request>> = await request(next);
      full += (JSON.parse(await res.body.text()) as unknown[]).length;
      next = nextLink(res.headers.link);
    }
    const fullMs = performance.now() - t2;
    return {
      bench: 'sim-scale',
      models,
      buildMs: Math.round(buildMs),
      paged,
      pages,
      pageMs: Math.round(pageMs),
      modelsPerSec: Math.round(paged / (pageMs / 1000)),
      kibPerPage: Math.round(bytes / pages / 1024),
      defaultFieldsModelsPerSec: Math.round(full / (fullMs / 1000)),
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
  } finally {
    await sim.close();
  }
}

export function formatSimScale(f: SimScaleFigures): string {
  return (
    `sim scale: ${f.models} models built in ${f.buildMs} ms; paged ${f.paged} models in ${f.pages} pages, ${f.pageMs} ms ` +
    `(${f.modelsPerSec} models/s, ${f.kibPerPage} KiB/page, 3 expanded fields; every model once, in order); ` +
    `default fields ${f.defaultFieldsModelsPerSec} models/s; RSS ${f.rssMb} MiB (server and client in one process)`
  );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const arg = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isInteger(arg) || arg <= 0) {
    console.error(`bench/sim-scale.ts: MODELS must be a positive integer, got "${process.argv[2]}"`);
    process.exit(2);
  }
  console.log(JSON.stringify(await runSimScaleBench(arg)));
}
