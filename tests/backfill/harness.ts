// What the backfill tests share: a simulator serving a dump folder it wrote from its own universe, throwaway stores
// on either engine, a live Hub day run the way the cycle runs it, and a whole-store fingerprint for "changes nothing".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { pollNew, sweepStats } from '../../src/cycle/ingest.js';
import { resolveLineage } from '../../src/cycle/lineage.js';
import { silentLogger } from '../../src/log.js';
import type { Platform } from '../../src/model.js';
import { loadReferenceData } from '../../src/reference-data.js';
import { assessDay } from '../../src/backfill/quality.js';
import { backfill, type BackfillDeps, type BackfillOptions, type BackfillResult } from '../../src/backfill/run.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { Sim } from '../../src/sim/index.js';
import { createSource } from '../../src/sources/registry.js';
import type { Store } from '../../src/store/types.js';

export const { registry, licenses } = loadReferenceData();
export const LLM_TASKS = ['text-generation', 'image-text-to-text'];

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function backfillDeps(store: Store, dataDir: string, over: Partial<BackfillDeps> = {}): BackfillDeps {
  return { store, registry, licenses, logger: silentLogger, dataDir, llmTasks: LLM_TASKS, ...over };
}

export function runBackfill(
  store: Store,
  dataDir: string,
  opts: BackfillOptions,
  over: Partial<BackfillDeps> = {},
): Promise<BackfillResult> {
  return backfill(backfillDeps(store, dataDir, over), opts);
}

/** One live day of a platform against the simulator, as runOnce runs it (poll, sweep, quality, lineage, snapshot). */
export async function liveDay(
  sim: Sim,
  store: Store,
  date: string,
  platforms: Platform[] = ['huggingface'],
): Promise<Snapshot> {
  sim.setDay(date);
  const config = loadConfig(
    {
      HUBWATCH_HF_URL: sim.urls.huggingface,
      HUBWATCH_MODELSCOPE_URL: sim.urls.modelscope,
      HUBWATCH_WISEMODEL_URL: sim.urls.wisemodel,
      LOG_LEVEL: 'silent',
    },
    {
      sources: {
        huggingface: { pageSize: 500, backoffMs: 1 },
        modelscope: { backoffMs: 1 },
        wisemodel: { backoffMs: 1 },
      },
    },
  );
  for (const p of platforms) {
    const source = createSource(p, { config, logger: silentLogger, rateLimitMode: 'wait' });
    const deps = { store, registry, licenses, logger: silentLogger, now: () => `${date}T23:59:59.000Z` };
    try {
      await pollNew(deps, source, { date, overlapMinutes: 60 });
      await sweepStats(deps, source, { date, batchRecords: 2000 });
    } finally {
      await source.close();
    }
  }
  await resolveLineage({ store, registry, logger: silentLogger });
  for (const p of await store.platformsOn(date)) await assessDay(store, p, date);
  return buildSnapshot({ store, llmTasks: LLM_TASKS }, date);
}

/** Everything a backfill writes that a rerun could change: every stored day's rows, coverage, models and renames. */
export async function storeState(store: Store): Promise<string> {
  const out: unknown[] = [];
  for (const date of await store.statsDates()) {
    const rows: unknown[] = [];
    for await (const chunk of store.streamSnapshotRows(date, null, 5000)) rows.push(...chunk);
    out.push({ date, rows, coverage: await store.getCoverage(date), provenance: await store.provenanceCounts(date) });
  }
  const models: unknown[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listModels({ limit: 1000, ...(cursor ? { cursor } : {}) });
    models.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return JSON.stringify({ out, models });
}
