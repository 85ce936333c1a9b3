// `hubwatch backfill`: history from the Hub's public dumps. Each partition (one date) is read with DuckDB, every row
// goes through the live path's mapper (normaliseHuggingFace with the same NormaliseContext a first sweep uses), and
// batches are committed through the store's commit path with provenance `dump`, each with the checkpoint naming the
// rows committed so far: a run killed mid-way resumes in the partition it was in, after the last committed batch.
// After a partition: renames, quality flags, the coverage notes that say where the figures come from, the lineage
// pass and the date's snapshot, as the live cycle does. Live wins (store/types.ts Provenance): a dump row is never
// written over a live one, and an older partition never replaces a model's newer record.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { errorMessage, HubwatchError } from '../errors.js';
import type { Logger } from '../log.js';
import { LIMITS, capString, type NormalisedRecord } from '../model.js';
import type { NormaliseContext } from '../normalise/context.js';
import type { LicenseTable } from '../normalise/license.js';
import type { Registry } from '../normalise/registry.js';
import { resolveLineage } from '../cycle/lineage.js';
import { buildSnapshot } from '../snapshot/build.js';
import { writeSnapshot } from '../snapshot/files.js';
import type { StoredQuality } from '../snapshot/previous.js';
import { dumpPartitionName, type DumpPartitionRecord } from '../snapshot/sources.js';
import { normaliseHuggingFace } from '../sources/huggingface/record.js';
import type { HfModelInput } from '../sources/huggingface/schema.js';
import { addDays } from '../store/sql-shared.js';
import type { BackfillStore, LineageStore, QualityStore, QuarantineItem, SnapshotStore } from '../store/types.js';
import { listPartitions, parseDumpLocation, type DumpLocation, type Partition } from './partitions.js';
import { silentProgress, type BackfillProgress } from './progress.js';
import { assessDay } from './quality.js';
import { DUMP_COLUMNS, openReader, partitionSchema, readPartition, type DumpItem } from './reader.js';
import { fetchParquetColumns, fetchWhole } from './remote.js';

const PLATFORM = 'huggingface' as const;
/** Rows per commit: the live sweep's batch (ingest.ts DEFAULT_SWEEP_BATCH), so memory holds one batch of records. */
export const DEFAULT_BACKFILL_BATCH = 20_000;
/** How far back a vanished model may have been last seen to match a new id as its rename (five weekly files). */
const RENAME_LOOKBACK_DAYS = 35;

/** The licences of the dumps hubwatch knows (research/anchors.md §12), named in each date's coverage and method. */
const DUMP_LICENCES: Record<string, string> = {
  'hfmlsoc/hub_weekly_snapshots': 'ODbL-1.0',
  'cfahlgren1/hub-stats': 'Apache-2.0',
};

export const backfillCheckpointName = (dump: string): string => `backfill:${dump}`;

interface BackfillCheckpoint {
  /** Partitions finished (their snapshot written). */
  done: string[];
  /** The partition being read and the rows of it committed so far (in file order). */
  current: { date: string; rows: number } | null;
}

export interface BackfillDeps {
  /** A partition is committed, checked for quality, resolved for lineage and made a snapshot, as a live day is. */
  store: BackfillStore & QualityStore & LineageStore & SnapshotStore;
  registry: Registry;
  licenses: LicenseTable;
  logger: Logger;
  dataDir: string;
  llmTasks: readonly string[];
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  token?: string | null;
  progress?: BackfillProgress;
  /** Where remote partitions are fetched to (deleted after each); default the OS temp folder. */
  tmpDir?: string;
  /** Called after each committed batch (tests inject an interruption here, as a kill would land). */
  afterBatch?: (info: { date: string; rows: number }) => void | Promise<void>;
  /** Called after the last partition's snapshot (the runtime passes publishSnapshot's hooks: the static export). */
  afterLast?: (date: string) => Promise<void>;
}

export interface BackfillOptions {
  dump: string;
  since?: string;
  until?: string;
  batchRows?: number;
}

export interface PartitionResult {
  date: string;
  partition: string;
  rows: number;
  bytesRead: number;
  missingColumns: string[];
  flags: string[];
  complete: boolean;
  /** Already finished by an earlier run: nothing read or written. */
  skipped: boolean;
  error?: string;
}

export interface BackfillResult {
  dump: string;
  partitions: PartitionResult[];
  rows: number;
  bytesRead: number;
  seconds: number;
}

function dumpLicence(loc: DumpLocation): string | null {
  return loc.kind === 'hub' ? (DUMP_LICENCES[loc.repo] ?? null) : null;
}

/** The live path's mapper over one batch; a row without an id cannot be a model and goes to quarantine. */
function normaliseBatch(
  items: DumpItem[],
  ctx: NormaliseContext,
  ref: string,
): { models: NormalisedRecord[]; objectIds: Map<string, string>; quarantine: QuarantineItem[] } {
  const byKey = new Map<string, NormalisedRecord>();
  const objectIds = new Map<string, string>();
  const quarantine: QuarantineItem[] = [];
  for (const item of items) {
    const reason = !item.id ? 'dump row without an id' : null;
    let rec: NormalisedRecord | null = null;
    if (reason === null) {
      try {
        rec = normaliseHuggingFace(item as unknown as HfModelInput, ctx);
      } catch (err) {
        quarantine.push(quarantined(item, `normalise failed: ${errorMessage(err)}`, ref));
        continue;
      }
    }
    if (!rec || rec.id === '') {
      quarantine.push(quarantined(item, reason ?? 'dump row without a readable id', ref));
      continue;
    }
    // A file listing a model twice: one row per key, the last one wins (as in a sweep's batch).
    byKey.set(rec.key, rec);
    if (item._id) objectIds.set(rec.key, item._id);
  }
  return { models: [...byKey.values()], objectIds, quarantine };
}

function quarantined(item: DumpItem, reason: string, ref: string): QuarantineItem {
  return {
    platform: PLATFORM,
    kind: 'item',
    reason,
    payload: capString(JSON.stringify(item) ?? 'null', LIMITS.raw * 8),
    ref,
    at: new Date().toISOString(),
  };
}

class Backfill {
  private readonly progress: BackfillProgress;
  private readonly log: Logger;
  private bytesRead = 0;

  constructor(
    private readonly deps: BackfillDeps,
    private readonly loc: DumpLocation,
    private readonly batchRows: number,
  ) {
    this.progress = deps.progress ?? silentProgress;
    this.log = deps.logger.child({ job: 'backfill', dump: loc.name });
  }

  private get cpName(): string {
    return backfillCheckpointName(this.loc.name);
  }

  async run(opts: BackfillOptions): Promise<BackfillResult> {
    const started = performance.now();
    const { store } = this.deps;
    const partitions = await listPartitions(this.loc, {
      since: opts.since,
      until: opts.until,
      token: this.deps.token ?? null,
    });
    if (partitions.length === 0) {
      throw new HubwatchError(
        `The dump ${this.loc.name} has no partitions models/<date>/models.{parquet,csv}${opts.since || opts.until ? ' in the dates asked for' : ''}. Check --dump, --since and --until.`,
      );
    }
    const results: PartitionResult[] = [];
    const reader = await openReader();
    let lastWritten: string | null = null;
    try {
      for (const [i, part] of partitions.entries()) {
        this.deps.signal?.throwIfAborted();
        const cp = (await store.getCheckpoint<BackfillCheckpoint>(this.cpName)) ?? { done: [], current: null };
        if (cp.done.includes(part.date)) {
          results.push({
            date: part.date,
            partition: part.path,
            rows: 0,
            bytesRead: 0,
            missingColumns: [],
            flags: [],
            complete: true,
            skipped: true,
          });
          continue;
        }
        this.progress.partitionStarted({
          date: part.date,
          index: i + 1,
          of: partitions.length,
          path: part.path,
          size: part.size,
        });
        const resumeRows = cp.current?.date === part.date ? cp.current.rows : 0;
        if (resumeRows > 0)
          this.log.info(
            { date: part.date, rows: resumeRows },
            'backfill: resuming the partition after its committed rows',
          );
        const res = await this.partition(part, reader.conn, cp.done, resumeRows);
        results.push(res);
        lastWritten = part.date;
      }
    } finally {
      reader.close();
      this.progress.stop();
    }
    if (lastWritten !== null) await this.deps.afterLast?.(lastWritten);
    const rows = results.reduce((s, r) => s + r.rows, 0);
    return {
      dump: this.loc.name,
      partitions: results,
      rows,
      bytesRead: this.bytesRead,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** One partition: fetch (remote), read and commit, then renames, quality, notes, lineage and the snapshot. */
  private async partition(
    part: Partition,
    conn: Awaited<ReturnType<typeof openReader>>['conn'],
    done: string[],
    resumeRows: number,
  ): Promise<PartitionResult> {
    const { store } = this.deps;
    const t0 = performance.now();
    const date = part.date;
    const tmp =
      this.loc.kind === 'hub' ? await mkdtemp(join(this.deps.tmpDir ?? tmpdir(), 'hubwatch-backfill-')) : null;
    let bytesRead = 0;
    let rows = resumeRows;
    let error: string | null = null;
    let missing: string[] = [];
    let hasObjectIds = false;
    let liveKept = 0;
    let figuresOnly = 0;
    try {
      const local = tmp === null ? part.source : join(tmp, `models.${part.format}`);
      const onBytes = (n: number): void => {
        bytesRead += n;
        this.bytesRead += n;
      };
      try {
        if (tmp !== null) {
          const fetchDeps = {
            dispatcher: this.deps.dispatcher,
            signal: this.deps.signal,
            onBytes,
            token: this.deps.token ?? null,
          };
          if (part.format === 'parquet') {
            // Only the columns the mapper reads (present in the file: the rest are NULL and said in coverage).
            const got = await fetchParquetColumns(
              part.source,
              local,
              conn,
              async () => {
                const schema = await partitionSchema(conn, local, part.format);
                return new Set<string>(DUMP_COLUMNS.filter((c) => schema.present.has(c)));
              },
              fetchDeps,
            );
            this.log.debug({ date, size: got.size, bytesRead: got.bytesRead }, 'backfill: partition columns fetched');
          } else {
            await fetchWhole(part.source, local, fetchDeps);
          }
        }
        const schema = await partitionSchema(conn, local, part.format);
        missing = schema.missing;
        hasObjectIds = schema.present.has('_id');
        const counts = await this.commitRows(part, conn, local, schema, done, resumeRows, (r, k, f) => {
          rows = r;
          liveKept += k;
          figuresOnly += f;
          this.progress.rows({ date, rows, bytesRead });
        });
        rows = counts;
      } catch (err) {
        if (this.deps.signal?.aborted) throw err;
        if (err instanceof InterruptedBackfill) throw err;
        error = errorMessage(err);
        this.log.error({ err, date, partition: part.path }, 'backfill: the partition could not be read to its end');
      }
    } finally {
      if (tmp !== null) await rm(tmp, { recursive: true, force: true });
    }

    // Renames: by `_id` the store moved them while committing; without it, matched after the fact (quality.ts).
    const extra: StoredQuality['flags'] = [];
    if (!hasObjectIds && error === null) {
      // Models gone within the last RENAME_LOOKBACK_DAYS: a weekly file or two may have left a renamed model out.
      const pairs = await store.renameCandidates(PLATFORM, addDays(date, -RENAME_LOOKBACK_DAYS), date);
      if (pairs.length > 0) await store.mergeRenamed(PLATFORM, pairs, date);
    }
    if (error !== null) {
      extra.push({
        flag: 'partial',
        detail: `partial: the partition could not be read to its end (${error}); the date is incomplete and no model is marked missing`,
      });
    }

    const licence = dumpLicence(this.loc);
    const record: DumpPartitionRecord = {
      dump: this.loc.name,
      partition: part.path,
      format: part.format,
      license: licence,
      missingColumns: missing,
      rows,
      liveKept,
      figuresOnly,
      bytesRead,
      complete: error === null,
    };
    await store.setCheckpoint(dumpPartitionName(date), record);
    const notes = [
      `figures from the dump ${this.loc.name}, partition ${part.path} (${part.format}${licence ? `, ${licence}` : ''}): ${rows} rows, ${this.loc.kind === 'hub' ? `${bytesRead} bytes fetched` : 'read from a local file'}`,
      ...(missing.length > 0
        ? [`the partition has no ${missing.join(', ')}: those figures are null on this date`]
        : []),
      ...(liveKept > 0
        ? [`${liveKept} dump row(s) not written: the date has live figures for those models (live wins)`]
        : []),
      ...(figuresOnly > 0
        ? [`${figuresOnly} model(s) have a newer stored record: only this date's figures were written`]
        : []),
    ];
    for (const note of notes) await store.setCoverageFlags(date, PLATFORM, { note });
    await store.setCoverageFlags(date, PLATFORM, { swept: true, complete: error === null });
    const quality = await assessDay(store, PLATFORM, date, extra);

    // Lineage over the stored graph and the date's snapshot, as publishSnapshot does.
    const tRead = performance.now();
    await resolveLineage({ store, registry: this.deps.registry, logger: this.deps.logger });
    const tLineage = performance.now();
    const snapshot = await buildSnapshot({ store, llmTasks: this.deps.llmTasks }, date);
    await writeSnapshot(this.deps.dataDir, snapshot);
    this.log.info(
      {
        date,
        readSeconds: (tRead - t0) / 1000,
        lineageSeconds: (tLineage - tRead) / 1000,
        snapshotSeconds: (performance.now() - tLineage) / 1000,
      },
      'backfill: partition timings',
    );
    // A partition that failed stays out of `done`: the next run tries it again from its committed rows.
    if (error === null)
      await store.setCheckpoint(this.cpName, { done: [...done, date], current: null } satisfies BackfillCheckpoint);
    const flags = quality.flags.map((f) => f.flag);
    const seconds = (performance.now() - t0) / 1000;
    this.progress.partitionDone({ date, rows, bytesRead, flags, seconds });
    return {
      date,
      partition: part.path,
      rows,
      bytesRead,
      missingColumns: missing,
      flags,
      complete: error === null && !flags.includes('partial'),
      skipped: false,
      ...(error !== null ? { error } : {}),
    };
  }

  /** Reads and commits the partition's rows in batches, each with the checkpoint; returns the rows committed. */
  private async commitRows(
    part: Partition,
    conn: Awaited<ReturnType<typeof openReader>>['conn'],
    local: string,
    schema: Awaited<ReturnType<typeof partitionSchema>>,
    done: string[],
    resumeRows: number,
    onBatch: (rows: number, liveKept: number, figuresOnly: number) => void,
  ): Promise<number> {
    const { store } = this.deps;
    const date = part.date;
    // The same context a platform's first sweep uses: firstSeenAt is the model's createdAt, and no instant after
    // the day the partition describes is stamped on anything.
    const ctx: NormaliseContext = {
      registry: this.deps.registry,
      licenses: this.deps.licenses,
      now: `${date}T23:59:59.999Z`,
      backfill: true,
    };
    const dates = await store.statsDates();
    // Per-batch look-ups only where they can find something: live rows on this date, records newer than it.
    const hasLive = ((await store.provenanceCounts(date))[PLATFORM]?.live ?? 0) > 0;
    const hasNewer = dates.some((d) => d > date);
    const storeHasModels = dates.some((d) => d !== date);
    let rows = resumeRows;
    for await (const items of readPartition(conn, local, part.format, schema, {
      batchRows: this.batchRows,
      skipRows: resumeRows,
    })) {
      this.deps.signal?.throwIfAborted();
      const { models, objectIds, quarantine } = normaliseBatch(items, ctx, part.path);
      let keep = models;
      let live = 0;
      const older: Array<{ key: string; stats: NormalisedRecord['stats'] }> = [];
      if (hasLive) {
        const liveKeys = await store.liveKeysOn(
          date,
          keep.map((m) => m.key),
        );
        live = liveKeys.size;
        keep = keep.filter((m) => !liveKeys.has(m.key));
      }
      if (hasNewer && keep.length > 0) {
        const newer = await store.keysNewerThan(
          date,
          keep.map((m) => m.key),
        );
        for (const m of keep) if (newer.has(m.key)) older.push({ key: m.key, stats: m.stats });
        keep = keep.filter((m) => !newer.has(m.key));
      }
      rows += items.length;
      await store.commitPage({
        date,
        platform: PLATFORM,
        provenance: 'dump',
        models: keep,
        figuresOnly: older,
        objectIds,
        // Until the store holds some of the platform's history nothing can have been renamed (as a first sweep).
        detectRenames: storeHasModels,
        quarantine,
        coverage: { pages: 1, quarantined: quarantine.length },
        checkpoint: { name: this.cpName, value: { done, current: { date, rows } } satisfies BackfillCheckpoint },
      });
      onBatch(rows, live, older.length);
      await this.deps.afterBatch?.({ date, rows });
    }
    return rows;
  }
}

/** Thrown by a test's afterBatch to stand for a kill: the partition is left as a killed process would leave it. */
export class InterruptedBackfill extends Error {
  constructor() {
    super('backfill interrupted');
  }
}

export async function backfill(deps: BackfillDeps, opts: BackfillOptions): Promise<BackfillResult> {
  const batchRows = opts.batchRows ?? DEFAULT_BACKFILL_BATCH;
  if (!Number.isInteger(batchRows) || batchRows < 1)
    throw new HubwatchError(`--batch must be a positive whole number, got ${opts.batchRows}.`);
  const job = new Backfill(deps, parseDumpLocation(opts.dump), batchRows);
  return job.run(opts);
}
