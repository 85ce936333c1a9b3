// One whole cycle, and the pieces the scheduled service runs as jobs: poll, sweep, resolve lineage, snapshot,
// export. `run --once` calls runOnce in one process without Redis; the BullMQ processors call the same functions.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Platform } from '../model.js';
import { PLATFORMS } from '../model.js';
import type { LicenseTable } from '../normalise/license.js';
import type { Registry } from '../normalise/registry.js';
import { loadReferenceData } from '../reference-data.js';
import { createSource } from '../sources/registry.js';
import type { RateLimitMode, Source } from '../sources/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildSnapshot } from '../snapshot/build.js';
import { writeSnapshot } from '../snapshot/files.js';
import type { Snapshot } from '../snapshot/types.js';
import { pollNew, sweepStats, type IngestDeps, type PollResult, type SweepResult } from './ingest.js';
import { resolveLineage, type ResolveResult } from './lineage.js';
import { assessDay } from '../backfill/quality.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  store: Store;
  registry: Registry;
  licenses: LicenseTable;
  /** Run in order after each snapshot is written (the static export); given by whoever builds the runtime. */
  afterSnapshot: readonly AfterSnapshotHook[];
  close(): Promise<void>;
}

/** Work run after a snapshot is written, e.g. the static export (src/exports.ts); returns the paths it wrote. */
export type AfterSnapshotHook = (rt: Runtime, snapshot: Snapshot) => Promise<string[]>;

export interface RuntimeOptions {
  /** Default none: a runtime writes snapshots only, as tests and one-off tools want. */
  afterSnapshot?: readonly AfterSnapshotHook[];
}

export async function openRuntime(config: Config, logger: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  const { registry, licenses } = loadReferenceData();
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  return {
    config,
    logger,
    store,
    registry,
    licenses,
    afterSnapshot: opts.afterSnapshot ?? [],
    close: () => store.close(),
  };
}

/**
 * The clock a run uses for firstSeenAt: the real time for today, the last millisecond of the day for a past day
 * (a backfilled or simulated day must not stamp models with a time after the day it describes).
 */
export function runClock(date: string): () => string {
  const endOfDay = `${date}T23:59:59.999Z`;
  return () => {
    const now = new Date().toISOString();
    return now < endOfDay ? now : endOfDay;
  };
}

export interface JobOptions {
  date: string;
  rateLimitMode: RateLimitMode;
  signal?: AbortSignal;
}

async function withSource<R>(
  rt: Runtime,
  platform: Platform,
  mode: RateLimitMode,
  fn: (s: Source) => Promise<R>,
): Promise<R> {
  const source = createSource(platform, { config: rt.config, logger: rt.logger, rateLimitMode: mode });
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

/** What a poll or a sweep of the job's day works with: the runtime's store and tables, the day's clock. */
function ingestDeps(rt: Runtime, opts: JobOptions): IngestDeps {
  return {
    store: rt.store,
    registry: rt.registry,
    licenses: rt.licenses,
    logger: rt.logger,
    signal: opts.signal,
    now: runClock(opts.date),
  };
}

export function runPoll(rt: Runtime, platform: Platform, opts: JobOptions): Promise<PollResult> {
  return withSource(rt, platform, opts.rateLimitMode, (source) =>
    pollNew(ingestDeps(rt, opts), source, {
      date: opts.date,
      overlapMinutes: rt.config.file.sources[platform].overlapMinutes,
    }),
  );
}

export function runSweep(rt: Runtime, platform: Platform, opts: JobOptions): Promise<SweepResult> {
  return withSource(rt, platform, opts.rateLimitMode, (source) =>
    sweepStats(ingestDeps(rt, opts), source, {
      date: opts.date,
      batchRecords: rt.config.file.sources[platform].sweepBatch,
      deletionChecks: rt.config.file.sources[platform].deletionChecks,
    }),
  );
}

export interface PublishResult {
  path: string;
  snapshot: Snapshot;
  lineage: ResolveResult;
  exported: string[];
}

/** Resolves lineage over the stored graph, builds the day's snapshot, writes it atomically, runs the exports. */
export async function publishSnapshot(rt: Runtime, date: string): Promise<PublishResult> {
  const lineage = await resolveLineage({ store: rt.store, registry: rt.registry, logger: rt.logger });
  // Quality flags on live days as on dump days (src/backfill/quality.ts): stall, counters going backwards, partial.
  for (const p of await rt.store.platformsOn(date)) await assessDay(rt.store, p, date);
  const snapshot = await buildSnapshot({ store: rt.store, llmTasks: rt.config.file.scopes.llm }, date);
  const path = await writeSnapshot(rt.config.dataDir, snapshot);
  const exported: string[] = [];
  for (const hook of rt.afterSnapshot) exported.push(...(await hook(rt, snapshot)));
  rt.logger.info({ date, path, exported: exported.length }, 'snapshot written');
  return { path, snapshot, lineage, exported };
}

export interface RunOnceResult {
  date: string;
  polls: PollResult[];
  sweeps: SweepResult[];
  snapshotPath: string;
  snapshot: Snapshot;
}

/** poll → sweep → lineage → snapshot → export, for the given platforms, in this process. */
export async function runOnce(
  rt: Runtime,
  opts: { date: string; platforms?: readonly Platform[]; signal?: AbortSignal },
): Promise<RunOnceResult> {
  const platforms = (opts.platforms ?? PLATFORMS).filter((p) => rt.config.file.sources[p].enabled);
  const polls: PollResult[] = [];
  const sweeps: SweepResult[] = [];
  for (const p of platforms) {
    polls.push(await runPoll(rt, p, { date: opts.date, rateLimitMode: 'wait', signal: opts.signal }));
    sweeps.push(await runSweep(rt, p, { date: opts.date, rateLimitMode: 'wait', signal: opts.signal }));
  }
  const pub = await publishSnapshot(rt, opts.date);
  return { date: opts.date, polls, sweeps, snapshotPath: pub.path, snapshot: pub.snapshot };
}
