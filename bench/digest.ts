// Digest benchmark: a DuckDB store holding 1,000,000 models with eight days of daily stats written through
// commitPage, eight daily snapshot files aggregated from the same models (bench/digest-snapshots.ts says why not by
// the snapshot builder), and the time buildDigest takes over them (target: under 5 s).
//
// The snapshot files are aggregates (per country, family, licence), so their size does not grow with the model
// count; what does is the store: the week's new base models (listModels since the week's start) and a stats
// history per notable candidate. Run: `npx tsx bench/digest.ts` (BENCH_MODELS=… to change the count).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PLATFORMS, type NormalisedRecord, type Platform, type Relation } from '../src/model.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { writeSnapshot } from '../src/snapshot/files.js';
import { buildDigest } from '../src/digest/build.js';
import { parseIsoWeek } from '../src/digest/isoweek.js';
import { renderHtml } from '../src/digest/html.js';
import { renderMarkdown } from '../src/digest/markdown.js';
import { addDays } from '../src/time.js';
import { ORGS, makeRecord, rng, figures, type FxModel } from '../tests/digest/fixtures.js';
import { SnapshotAccumulator, rowFor } from './digest-snapshots.js';

export interface DigestBenchResult {
  models: number;
  /** Models a second through commitPage during the fill. */
  commitPageModelsPerSecond: number;
  newPerDay: number;
  week: string;
  statsRows: number;
  snapshotFiles: number;
  fillMs: number;
  snapshotMs: number;
  buildMs: number[];
  buildMedianMs: number;
  renderMs: number;
  /** buildDigest once a later stats day exists, so first-week downloads come from statsHistory per candidate. */
  historyPathMs: number;
  notableCandidates: number;
  newBaseModels: number;
  newReleases: number | null;
}

const WEEK = '2026-W47';
const PAGE = 25_000;
const COUNTRIES = [
  'ZZ',
  'ZZ',
  'ZZ',
  'US',
  'CN',
  'BR',
  'VN',
  'RU',
  'DE',
  'FR',
  'GB',
  'IN',
  'KR',
  'JP',
  'TR',
  'ID',
  'ES',
  'IT',
  'PL',
  'NL',
];
const LICENSES = [
  { id: 'Apache-2.0', cls: 'permissive' as const },
  { id: 'MIT', cls: 'permissive' as const },
  { id: 'LicenseRef-hubwatch-llama3', cls: 'open-restricted' as const },
  { id: 'CC-BY-NC-4.0', cls: 'non-commercial' as const },
  { id: 'LicenseRef-hubwatch-unknown', cls: 'unknown' as const },
];
const FAMILIES = ['Qwen', 'Llama', 'Gemma', 'DeepSeek', 'Mistral', 'Phi', 'GLM', null, null, null];
const TASKS = [
  'text-generation',
  'text-generation',
  'image-text-to-text',
  'feature-extraction',
  'text-to-image',
  'automatic-speech-recognition',
];

/** Awaits `call`, counting it and its wall time in milliseconds into `spent`, whether it succeeded or not. */
async function timeCall<R>(call: () => Promise<R>, spent: { calls: number; ms: number }): Promise<R> {
  const t = performance.now();
  try {
    return await call();
  } finally {
    spent.calls++;
    spent.ms += performance.now() - t;
  }
}

/**
 * Model `i` of the universe, as a pure function of `i` so the store fill and the snapshot aggregation need not keep
 * a million records in memory. The first `old` models are the catalogue; the rest are released during the week,
 * `newPerDay` a day. Shape of real hubs: most uploads are individuals' derivatives; about 3% of new base models
 * come from registry organisations.
 */
function modelAt(i: number, old: number, newPerDay: number, days: string[]): FxModel {
  const r = rng(i * 2654435761);
  const isOld = i < old;
  const day = isOld ? days[0]! : days[1 + Math.floor((i - old) / newPerDay)]!;
  const x = r();
  const platform: Platform = x < 0.8 ? 'huggingface' : x < 0.95 ? 'modelscope' : 'wisemodel';
  const isBase = r() < 0.2;
  const fromOrg = isBase ? r() < 0.03 : r() < 0.01;
  const org = fromOrg ? ORGS[Math.floor(r() * ORGS.length)]! : null;
  const family = org ? org.family : FAMILIES[Math.floor(r() * FAMILIES.length)]!;
  const publisher = org
    ? { org: org.org, country: org.country, kind: org.kind }
    : { org: null, country: COUNTRIES[Math.floor(r() * COUNTRIES.length)]!, kind: 'individual' as const };
  const rootOrg = !isBase ? ORGS[Math.floor(r() * ORGS.length)]! : null;
  const origin = rootOrg ? { org: rootOrg.org, country: rootOrg.country, kind: rootOrg.kind } : publisher;
  const relation: Relation = isBase
    ? 'base'
    : (['finetune', 'quantized', 'adapter', 'merge'] as const)[Math.floor(r() * 4)]!;
  const hour = String(Math.floor(r() * 24)).padStart(2, '0');
  const createdAt = isOld
    ? `${addDays(days[0]!, -1 - Math.floor(r() * 900))}T${hour}:00:00.000Z`
    : `${day}T${hour}:00:00.000Z`;
  const record: NormalisedRecord = makeRecord({
    platform,
    namespace: org?.namespace ?? `user${i % 50_000}`,
    name: `${family ?? 'model'}-${i}`,
    createdAt,
    firstSeenAt: createdAt.replace(':00:00.000Z', ':10:00.000Z'),
    releasedAt: createdAt,
    relation,
    ...(rootOrg ? { rootKey: `huggingface:${rootOrg.namespace}/${rootOrg.family ?? 'base'}` } : {}),
    family: rootOrg ? rootOrg.family : family,
    license: LICENSES[Math.floor(r() * LICENSES.length)]!,
    publisher,
    origin,
    task: TASKS[Math.floor(r() * TASKS.length)]!,
    params: r() < 0.6 ? Math.round(r() * 70 + 1) * 1e9 : null,
    stats: { downloads30d: null, downloadsAllTime: null, likes: null },
  });
  return {
    record,
    firstSeen: day,
    releasedDay: createdAt.slice(0, 10),
    baseAllTime: isOld ? Math.floor(r() ** 4 * 5_000_000) : 0,
    perDay: Math.floor(r() ** 3 * (org ? 20_000 : 400)) + 1,
    likesPerDay: Math.floor(r() * 3),
  };
}

export async function runDigestBench(
  opts: { models?: number; newPerDay?: number; log?: (s: string) => void } = {},
): Promise<DigestBenchResult> {
  const total = opts.models ?? 1_000_000;
  const newPerDay = opts.newPerDay ?? Math.min(8_000, Math.floor(total / 50));
  const log = opts.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const week = parseIsoWeek(WEEK);
  // The previous Sunday (the week-over-week share baseline) and the seven days of the week.
  const days = [addDays(week.start, -1), ...week.days];
  const old = total - newPerDay * 7;
  const root = mkdtempSync(join(tmpdir(), 'hubwatch-bench-digest-'));
  const store = await openStore({ dataDir: root, databaseUrl: null });
  try {
    let statsRows = 0;
    let fillMs = 0;
    let snapshotMs = 0;
    for (let d = 0; d < days.length; d++) {
      const date = days[d]!;
      const prev = d > 0 ? days[d - 1]! : null;
      // Models seen by this day: the catalogue plus the releases of the days so far.
      const seen = old + newPerDay * d;
      const acc = new SnapshotAccumulator(date, prev);
      const buffers = new Map<Platform, NormalisedRecord[]>(PLATFORMS.map((p) => [p, []]));
      // Through commitPage, as a daily sweep writes it, one page per PAGE models of a platform.
      const flush = async (p: Platform) => {
        const models = buffers.get(p)!;
        if (!models.length) return;
        const t = performance.now();
        await store.commitPage({
          date,
          platform: p,
          models,
          quarantine: [],
          coverage: { modelsSeen: models.length, requests: 1, pages: 1 },
        });
        fillMs += performance.now() - t;
        statsRows += models.length;
        buffers.set(p, []);
      };
      for (let i = 0; i < seen; i++) {
        const m = modelAt(i, old, newPerDay, days);
        const f = figures(m, date, prev);
        const t = performance.now();
        acc.push(rowFor(m, date, prev));
        snapshotMs += performance.now() - t;
        const buf = buffers.get(m.record.platform)!;
        buf.push({
          ...m.record,
          stats: { downloads30d: f.downloads30d, downloadsAllTime: f.downloadsAllTime, likes: f.likes },
        });
        if (buf.length >= PAGE) await flush(m.record.platform);
      }
      for (const p of PLATFORMS) await flush(p);
      const t = performance.now();
      await writeSnapshot(root, acc.build());
      snapshotMs += performance.now() - t;
      log(
        `day ${date}: ${seen.toLocaleString('en-US')} models; commitPage so far ${(fillMs / 1000).toFixed(1)} s, aggregation ${(snapshotMs / 1000).toFixed(1)} s`,
      );
    }

    const buildMs: number[] = [];
    let digest: Awaited<ReturnType<typeof buildDigest>> | null = null;
    // Time spent in the two store calls the digest makes, to show where the build goes.
    const inStore = { listModels: { calls: 0, ms: 0 }, statsHistory: { calls: 0, ms: 0 } };
    const s = store;
    const timed: Store = Object.create(s) as Store;
    timed.listModels = (q) => timeCall(() => s.listModels(q), inStore.listModels);
    timed.statsHistory = (k) => timeCall(() => s.statsHistory(k), inStore.statsHistory);
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      digest = await buildDigest({ store: timed, dataDir: root, week: WEEK });
      buildMs.push(performance.now() - t);
    }
    const sources = digest!.notable.groups.flatMap((g) => g.items.map((i) => i.firstWeekSource));
    log(
      `first-week figures from: record ${sources.filter((x) => x === 'record').length}, history ${sources.filter((x) => x === 'history').length} (shown items)`,
    );
    log(
      `store calls over 3 builds: listModels ${inStore.listModels.calls}× ${(inStore.listModels.ms / 1000).toFixed(2)} s, ` +
        `statsHistory ${inStore.statsHistory.calls}× ${(inStore.statsHistory.ms / 1000).toFixed(2)} s (concurrent, summed per call)`,
    );
    // Once a stats day after the week is stored (Monday's sweep ran first), each notable candidate's history is
    // read instead of its record: one statsHistory per candidate.
    const one = modelAt(0, old, newPerDay, days).record;
    await store.commitPage({ date: addDays(week.end, 1), platform: one.platform, models: [one], quarantine: [] });
    const th = performance.now();
    await buildDigest({ store, dataDir: root, week: WEEK });
    const historyPathMs = performance.now() - th;
    log(`buildDigest with a later stats day stored (history path): ${(historyPathMs / 1000).toFixed(2)} s`);
    const t = performance.now();
    renderMarkdown(digest!);
    renderHtml(digest!);
    const renderMs = performance.now() - t;
    const sorted = [...buildMs].sort((a, b) => a - b);
    return {
      models: total,
      commitPageModelsPerSecond: statsRows / (fillMs / 1000),
      newPerDay,
      week: WEEK,
      statsRows,
      snapshotFiles: days.length,
      fillMs,
      snapshotMs,
      buildMs,
      buildMedianMs: sorted[1]!,
      renderMs,
      historyPathMs,
      notableCandidates: digest!.notable.total,
      newBaseModels: digest!.headlines.licenseMix.newBaseModels.total,
      newReleases: digest!.headlines.newReleases.combined.thisWeek,
    };
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const models = process.env.BENCH_MODELS ? Number(process.env.BENCH_MODELS) : undefined;
  const r = await runDigestBench(models ? { models } : {});
  process.stdout.write(
    `digest bench: ${r.models.toLocaleString('en-US')} models (${r.newPerDay.toLocaleString('en-US')} new a day), ` +
      `${r.statsRows.toLocaleString('en-US')} daily stats rows, ${r.snapshotFiles} snapshot files\n` +
      `  store fill through commitPage ${(r.fillMs / 1000).toFixed(1)} s (${r.commitPageModelsPerSecond.toFixed(0)} models/s)\n` +
      `  snapshot aggregation ${(r.snapshotMs / 1000).toFixed(1)} s\n` +
      `  buildDigest ${r.buildMs.map((m) => `${(m / 1000).toFixed(2)} s`).join(', ')} (median ${(r.buildMedianMs / 1000).toFixed(2)} s, target < 5 s)` +
      ` · render md+html ${r.renderMs.toFixed(0)} ms\n` +
      `  buildDigest once a later stats day is stored (statsHistory per notable candidate): ${(r.historyPathMs / 1000).toFixed(2)} s\n` +
      `  ${r.newReleases?.toLocaleString('en-US')} new releases, ${r.newBaseModels.toLocaleString('en-US')} new base models, ` +
      `${r.notableCandidates} from known organisations (one statsHistory each)\n`,
  );
}
