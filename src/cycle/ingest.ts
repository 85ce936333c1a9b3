// The two ingestion jobs every platform runs: poll-new (newest first down to the watermark) and sweep-stats (the
// whole catalogue in the source's walk order, resumable). Both commit page by page, each page in one store transaction together
// with its checkpoint, so an interrupted run resumes exactly where it stopped and counts nothing twice.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { NormalisedRecord, Platform } from '../model.js';
import type { NormaliseContext } from '../normalise/context.js';
import type { LicenseTable } from '../normalise/license.js';
import type { Registry } from '../normalise/registry.js';
import type { Source, SourceCounters, SourcePage } from '../sources/types.js';
import type { CheckpointReader, IngestStore, QuarantineItem, SeenModel } from '../store/types.js';
import { normaliseSeed } from '../normalise/fingerprint.js';
import type { Sighting } from '../normalise/record.js';
import { PageFailedError, RateLimitedError, errorMessage } from '../errors.js';
import { LIMITS, capString } from '../model.js';
import { refusedFieldsName } from './checkpoint-names.js';

export interface IngestDeps {
  store: IngestStore;
  registry: Registry;
  licenses: LicenseTable;
  logger: Logger;
  signal?: AbortSignal;
  /** The clock for firstSeenAt; runs for a past simulated day use the end of that day. */
  now?: () => string;
}

export interface PollResult {
  platform: Platform;
  pages: number;
  models: number;
  newModels: number;
  quarantined: number;
  watermark: string | null;
}

export interface SweepResult {
  platform: Platform;
  date: string;
  pages: number;
  models: number;
  quarantined: number;
  /** Models read with a promised field missing (null in their records), in this run. */
  incomplete: number;
  /** After a complete sweep: models newly missing, and models confirmed deleted (docs/method.md, "Deletions"). */
  missing?: number;
  deleted?: number;
  /** Models whose fingerprint matched the stored one (only their figures were written), in this run. */
  unchanged: number;
  complete: boolean;
  resumed: boolean;
  reason?: string;
}

interface PollCheckpoint {
  watermark: string | null;
}

interface SweepCheckpoint {
  cursor: string | null;
  pages: number;
  models: number;
  done: boolean;
  complete: boolean;
}

export const pollCheckpointName = (p: Platform): string => `poll:${p}`;
export const sweepCheckpointName = (p: Platform, date: string): string => `sweep:${p}:${date}`;
/** Set once a platform has had one complete sweep: from then on firstSeenAt means "first seen", not backfill. */
export const backfilledName = (p: Platform): string => `backfilled:${p}`;

function counterDelta(now: SourceCounters, before: SourceCounters): SourceCounters {
  return {
    requests: now.requests - before.requests,
    pages: now.pages - before.pages,
    http429: now.http429 - before.http429,
    errors: now.errors - before.errors,
  };
}

/** One item normalised, or null with the item in `quarantine`. */
function normaliseItem<T>(
  source: Source<T>,
  item: T,
  ctx: NormaliseContext,
  ref: string,
  quarantine: QuarantineItem[],
): NormalisedRecord | null {
  try {
    return source.normalise(item, ctx);
  } catch (err) {
    // Normalisers are total by contract; if one ever throws, the item is kept for review, not lost.
    quarantine.push({
      platform: source.platform,
      kind: 'item',
      reason: `normalise failed: ${errorMessage(err)}`,
      payload: capString(JSON.stringify(item) ?? 'undefined', LIMITS.raw * 8),
      ref,
      at: new Date().toISOString(),
    });
    return null;
  }
}

function normalisePage<T>(
  source: Source<T>,
  page: SourcePage<T>,
  ctx: NormaliseContext,
): { models: NormalisedRecord[]; quarantine: QuarantineItem[]; objectIds: Map<string, string> } {
  const models: NormalisedRecord[] = [];
  const quarantine = [...page.quarantine];
  const seen = new Set<string>();
  const objectIds = new Map<string, string>();
  for (const item of page.items) {
    const rec = normaliseItem(source, item, ctx, page.url, quarantine);
    // A page can list the same model twice when the catalogue shifts under a cursor; one row per key per commit.
    if (!rec || seen.has(rec.key)) continue;
    seen.add(rec.key);
    models.push(rec);
    const oid = source.objectId?.(item) ?? null;
    if (oid !== null) objectIds.set(rec.key, oid);
  }
  return { models, quarantine, objectIds };
}

/** A refused list field is said in the day's coverage and kept for /healthz until a run meets none. */
async function noteRefusedFields<T>(store: IngestStore, source: Source<T>, date: string): Promise<void> {
  const fields = source.refusedFields?.() ?? [];
  const name = refusedFieldsName(source.platform);
  if (fields.length === 0) {
    if ((await store.getCheckpoint(name)) !== null) await store.setCheckpoint(name, null);
    return;
  }
  for (const f of fields) {
    await store.setCoverageFlags(date, source.platform, {
      note: `the platform refused the list field ${f.field}; the run went on without it (${f.cost})`,
    });
  }
  const prev = await store.getCheckpoint<{ since: string }>(name);
  await store.setCheckpoint(name, { fields, since: prev?.since ?? date, lastSeen: date });
}

async function isBackfill(store: CheckpointReader, platform: Platform): Promise<boolean> {
  return (await store.getCheckpoint(backfilledName(platform))) === null;
}

function subtractMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) - minutes * 60_000).toISOString();
}

/**
 * Newest first down to the stored watermark minus an overlap, then (where the platform has it) a pass by last
 * modification that catches models made public late with an old createdAt. Without a watermark (first run) it
 * reads back to the start of `date`: the day's sweep brings in the rest of the catalogue.
 */
export async function pollNew<T>(
  deps: IngestDeps,
  source: Source<T>,
  opts: { date: string; overlapMinutes: number },
): Promise<PollResult> {
  const { store, logger } = deps;
  const platform = source.platform;
  const log = logger.child({ source: platform, job: 'poll-new' });
  const cp = await store.getCheckpoint<PollCheckpoint>(pollCheckpointName(platform));
  const floor = cp?.watermark
    ? subtractMinutes(cp.watermark, opts.overlapMinutes)
    : subtractMinutes(`${opts.date}T00:00:00.000Z`, opts.overlapMinutes);
  const ctx: NormaliseContext = {
    registry: deps.registry,
    licenses: deps.licenses,
    now: deps.now?.() ?? new Date().toISOString(),
    backfill: await isBackfill(store, platform),
  };
  const result: PollResult = {
    platform,
    pages: 0,
    models: 0,
    newModels: 0,
    quarantined: 0,
    watermark: cp?.watermark ?? null,
  };
  let newest = cp?.watermark ?? null;

  const passes: Array<AsyncIterable<SourcePage<T>>> = [source.listNewest({ signal: deps.signal })];
  if (source.listRecentlyModified) passes.push(source.listRecentlyModified({ signal: deps.signal }));
  for (const [i, pass] of passes.entries()) {
    const byCreation = i === 0;
    let before = { ...source.counters };
    for await (const page of pass) {
      const { models, quarantine, objectIds } = normalisePage(source, page, ctx);
      const known = await store.existingKeys(models.map((m) => m.key));
      let reachedFloor = page.items.length === 0;
      for (const item of page.items) {
        const t = byCreation ? source.orderTime(item) : null;
        if (byCreation && t !== null && t > (newest ?? '')) newest = t;
      }
      // The listing is ordered; once the oldest item on a page is below the floor, later pages are older still.
      const times = byCreation
        ? page.items.map((it) => source.orderTime(it)).filter((t): t is string => t !== null)
        : models.map((m) => m.lastModified).filter((t): t is string => t !== null);
      if (times.length > 0 && times.reduce((a, b) => (a < b ? a : b)) < floor) reachedFloor = true;
      const delta = counterDelta(source.counters, before);
      before = { ...source.counters };
      const last = reachedFloor || page.next === null;
      await store.commitPage({
        date: opts.date,
        platform,
        models,
        objectIds,
        quarantine,
        coverage: { ...delta, quarantined: quarantine.length, incomplete: page.incomplete ?? 0 },
        ...(byCreation && last
          ? { checkpoint: { name: pollCheckpointName(platform), value: { watermark: newest } } }
          : {}),
      });
      if (page.degraded)
        await store.setCoverageFlags(opts.date, platform, { degraded: true, note: `degraded page ${page.url}` });
      result.pages += 1;
      result.models += models.length;
      result.newModels += models.filter((m) => !known.has(m.key)).length;
      result.quarantined += quarantine.length;
      if (last) break;
    }
  }
  result.watermark = newest;
  await noteRefusedFields(store, source, opts.date);
  log.info({ ...result }, 'poll finished');
  return result;
}

/** Records a sweep commits at once unless told otherwise (config `sources.<platform>.sweepBatch`). */
export const DEFAULT_SWEEP_BATCH = 20_000;
/** A batch is committed once its first page has waited this long, so a slow platform still checkpoints often. */
const SWEEP_BATCH_MS = 2_000;
/**
 * Reading and normalising a batch gives the event loop back this often. A batch of new models is about a second of
 * work; held in one piece, the next page's answer would sit unread and, under `start`, the HTTP API would not answer
 * (bench/sweep.ts prints the event-loop delay: first sweep p99 624 ms before, 110 ms with these turns).
 */
const TURN_MS = 5;

interface BatchPage<T> {
  page: SourcePage<T>;
  /**
   * Per item, its sighting (`page.deferred`'s, or what `source.sight` says of a parsed item); null for an item
   * that must be read to know, and for every item of a source without sightings.
   */
  sightings: Array<Sighting | null> | null;
}

/**
 * The whole catalogue by downloads for `date`, resumable from its checkpoint. Pages are committed in batches
 * (`batchRecords`), each in one transaction with the checkpoint naming the page after it, so an interrupted sweep
 * resumes after the last committed batch and counts nothing twice. A model whose fingerprint (its source's `sight`)
 * equals the stored one is not normalised again: only its figures for the day are written. A page that keeps
 * failing ends the sweep as incomplete (recorded in coverage), after the pages before it are committed; it never
 * passes for complete.
 */
export async function sweepStats<T>(
  deps: IngestDeps,
  source: Source<T>,
  opts: { date: string; batchRecords?: number; deletionChecks?: number },
): Promise<SweepResult> {
  const { store, logger } = deps;
  const platform = source.platform;
  const log = logger.child({ source: platform, job: 'sweep-stats', date: opts.date });
  const name = sweepCheckpointName(platform, opts.date);
  const cp = await store.getCheckpoint<SweepCheckpoint>(name);
  const result: SweepResult = {
    platform,
    date: opts.date,
    pages: cp?.pages ?? 0,
    models: cp?.models ?? 0,
    quarantined: 0,
    incomplete: 0,
    unchanged: 0,
    complete: cp?.complete ?? false,
    resumed: cp !== null && !cp.done,
  };
  if (cp?.done) {
    log.info({ pages: cp.pages }, 'sweep already done for this day');
    return result;
  }
  if (result.resumed) log.info({ cursor: cp?.cursor, pages: cp?.pages }, 'resuming sweep from checkpoint');
  const ctx: NormaliseContext = {
    registry: deps.registry,
    licenses: deps.licenses,
    now: deps.now?.() ?? new Date().toISOString(),
    backfill: await isBackfill(store, platform),
  };
  const seed = normaliseSeed(deps.registry, deps.licenses);
  const batchRecords = opts.batchRecords ?? DEFAULT_SWEEP_BATCH;
  let before = { ...source.counters };
  let degraded = false;

  /**
   * One batch in one transaction: the unchanged models' figures, the others normalised and written whole; `counted`
   * is what the source had counted when the batch was complete.
   */
  const commitBatch = async (batch: BatchPage<T>[], counted: SourceCounters): Promise<void> => {
    const delta = counterDelta(counted, before);
    before = counted;
    const sightings: Sighting[] = [];
    for (const b of batch) if (b.sightings) for (const s of b.sightings) if (s) sightings.push(s);
    const changed = sightings.length > 0 ? await store.changedKeys(sightings) : new Set<string>();
    // Per key the last sighting wins (a catalogue shifting under the cursor can list a model twice).
    const models = new Map<string, NormalisedRecord>();
    const seen = new Map<string, SeenModel>();
    const fingerprints = new Map<string, string>();
    const objectIds = new Map<string, string>();
    const quarantine: QuarantineItem[] = [];
    const unreadable: string[] = [];
    let incomplete = 0;
    let turnEnds = performance.now() + TURN_MS;
    for (const { page, sightings } of batch) {
      quarantine.push(...page.quarantine);
      incomplete += page.incomplete ?? 0;
      const n = page.deferred ? page.deferred.sightings.length : page.items.length;
      for (let i = 0; i < n; i++) {
        if ((i & 63) === 0 && performance.now() >= turnEnds) {
          await nextTurn();
          turnEnds = performance.now() + TURN_MS;
        }
        const s = sightings?.[i] ?? null;
        if (s && !changed.has(s.key)) {
          models.delete(s.key);
          seen.set(s.key, s); // a Sighting is a SeenModel
          continue;
        }
        let item: T;
        let fingerprint = s?.fingerprint ?? null;
        if (page.deferred) {
          const r = page.deferred.read(i);
          if ('quarantine' in r) {
            quarantine.push(r.quarantine);
            unreadable.push(r.quarantine.reason);
            continue;
          }
          item = r.item;
          fingerprint = r.fingerprint;
          if (r.incomplete) incomplete++;
        } else item = page.items[i]!;
        const rec = normaliseItem(source, item, ctx, page.url, quarantine);
        if (!rec) continue;
        seen.delete(rec.key);
        models.set(rec.key, rec);
        const oid = source.objectId?.(item) ?? null;
        if (oid !== null) objectIds.set(rec.key, oid);
        else objectIds.delete(rec.key);
        if (fingerprint !== null) fingerprints.set(rec.key, fingerprint);
        else fingerprints.delete(rec.key);
      }
    }
    // Eagerly parsed pages say so as they arrive (the sources log them); deferred items only now, when read.
    if (unreadable.length > 0) log.warn({ quarantined: unreadable.length, first: unreadable[0] }, 'items quarantined');
    if (incomplete > 0 && batch.some((b) => b.page.deferred))
      log.warn({ incomplete }, 'items read with missing fields (null in their records)');
    const last = batch.at(-1)!.page;
    const pages = result.pages + batch.length;
    const count = result.models + models.size + seen.size;
    const value: SweepCheckpoint = {
      cursor: last.next,
      pages,
      models: count,
      done: last.next === null,
      complete: last.next === null,
    };
    await store.commitPage({
      date: opts.date,
      platform,
      models: [...models.values()],
      fingerprints,
      objectIds,
      // Until a platform's first complete sweep the store holds none of its catalogue: nothing can have been renamed.
      detectRenames: !ctx.backfill,
      seen: [...seen.values()],
      quarantine,
      coverage: { ...delta, quarantined: quarantine.length, incomplete },
      checkpoint: { name, value },
    });
    result.pages = pages;
    result.models = count;
    result.quarantined += quarantine.length;
    result.incomplete += incomplete;
    result.unchanged += seen.size;
    for (const { page } of batch) {
      if (!page.degraded) continue;
      degraded = true;
      await store.setCoverageFlags(opts.date, platform, { degraded: true, note: `degraded page ${page.url}` });
    }
  };

  // Two things overlap: the next page is fetched while this one is looked at, and a full batch is committed
  // (mostly the store's native work) while the next batch's pages are fetched. Commits stay in page order, so the
  // checkpoint always names the page after the last committed one.
  const pages = source
    .sweep({ signal: deps.signal, cursor: cp?.cursor ?? null, ...(source.sight ? { fingerprintSeed: seed } : {}) })
    [Symbol.asyncIterator]();
  const fetchNext = (): Promise<IteratorResult<SourcePage<T>>> => {
    const p = pages.next();
    p.catch(() => {}); // rejections are taken when awaited below; this only keeps a pending one from being "unhandled"
    return p;
  };
  let batch: BatchPage<T>[] = [];
  let batchItems = 0;
  let batchStarted = 0;
  let committing: Promise<void> = Promise.resolve();
  let commitFailed = false;
  const flush = (counted: SourceCounters = { ...source.counters }): Promise<void> => {
    const full = batch;
    batch = [];
    batchItems = 0;
    committing = committing.then(() => commitBatch(full, counted));
    committing.catch(() => {
      commitFailed = true;
    });
    return committing;
  };
  let pending = fetchNext();
  try {
    for (;;) {
      const step = await pending;
      if (step.done) break;
      const page = step.value;
      // The source's counts up to this page. What it counts from here on (the next page, read while this batch
      // commits) goes with the next batch: a sweep interrupted after this commit resumes at that page, and its
      // coverage must not count it twice.
      const countedHere = { ...source.counters };
      if (page.next !== null) pending = fetchNext();
      if (batch.length === 0) batchStarted = performance.now();
      const sight = source.sight?.bind(source);
      const sightings = page.deferred?.sightings ?? (sight ? page.items.map((item) => sight(item, seed, null)) : null);
      batch.push({ page, sightings });
      batchItems += sightings?.length ?? page.items.length;
      const last = page.next === null;
      if (last || batchItems >= batchRecords || performance.now() - batchStarted >= SWEEP_BATCH_MS) {
        // One batch committing at a time: wait for the previous one before handing over the next.
        await committing;
        void flush(countedHere);
      }
      if (last) break;
    }
    await committing;
  } catch (err) {
    void pages.return?.(undefined)?.catch(() => {});
    // The pages fetched before the failure are kept: committed (with the checkpoint naming the failing page)
    // unless the failure was the store's own.
    if (!commitFailed && batch.length > 0) void flush();
    await committing.catch(() => {});
    if (commitFailed) {
      const storeErr = await committing.then(
        () => null,
        (e: unknown) => e,
      );
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the store's own failure, rethrown as it came
      if (storeErr !== null && storeErr !== err) throw storeErr;
    }
    if (err instanceof RateLimitedError) throw err; // the queue pauses and retries without spending an attempt
    const aborted = deps.signal?.aborted === true;
    const reason = err instanceof PageFailedError ? err.message : `sweep stopped: ${errorMessage(err)}`;
    await store.setCoverageFlags(opts.date, platform, { complete: false, swept: true, note: reason });
    await noteRefusedFields(store, source, opts.date);
    if (aborted) throw err;
    if (!(err instanceof PageFailedError)) throw err;
    // The checkpoint still points at the failing page: a later run of the same day resumes there, and the
    // coverage says incomplete until one does.
    log.error({ err, pages: result.pages }, 'sweep incomplete');
    return { ...result, complete: false, reason };
  }
  const report = source.sweepReport?.({ recordsSeen: result.models, resumed: result.resumed }) ?? null;
  const complete = !degraded && (report?.complete ?? true);
  await store.setCoverageFlags(opts.date, platform, {
    complete,
    swept: true,
    ...(degraded ? { note: 'sweep finished but some pages were degraded' } : {}),
  });
  for (const note of report?.notes ?? []) await store.setCoverageFlags(opts.date, platform, { note });
  if (!complete) {
    // A rerun of the day must not read "done, complete" from the checkpoint the last page wrote.
    const done = await store.getCheckpoint<SweepCheckpoint>(name);
    if (done?.complete) await store.setCheckpoint(name, { ...done, complete: false });
  }
  await noteRefusedFields(store, source, opts.date);
  let deletions: { missing: number; deleted: number } | null = null;
  if (complete) {
    // A quarantined item is a model we could not read, not a model that is gone: on such a day nobody is marked
    // missing, and the next clean sweep catches up.
    const day = (await store.getCoverage(opts.date))[platform];
    if ((day?.quarantined ?? 0) === 0)
      deletions = await confirmDeletions(deps, source, opts.date, opts.deletionChecks ?? 200);
    else
      await store.setCoverageFlags(opts.date, platform, {
        note: 'items were quarantined: no model marked missing or deleted today',
      });
    await store.setCheckpoint(backfilledName(platform), { date: opts.date });
  }
  log.info(
    {
      pages: result.pages,
      models: result.models,
      unchanged: result.unchanged,
      quarantined: result.quarantined,
      incomplete: result.incomplete,
    },
    'sweep finished',
  );
  return { ...result, complete, ...(deletions ?? {}) };
}

/**
 * Nothing is deleted on the strength of one sweep. After a complete sweep, models it did not list become missing
 * (since that day). A model still missing at a later complete sweep is a candidate; where the source can ask the
 * platform (Hugging Face's detail route), only a "not found" answer (401/404) deletes it, a model the platform
 * still serves stays missing, and one renamed away is left to its new key; a source that cannot ask relies on the
 * two sweeps alone. A model seen again is no longer missing (its history was never touched).
 */
export async function confirmDeletions<T>(
  deps: IngestDeps,
  source: Source<T>,
  date: string,
  checks: number,
): Promise<{ missing: number; deleted: number }> {
  const { store } = deps;
  const platform = source.platform;
  const log = deps.logger.child({ source: platform, job: 'sweep-stats', date });
  const missing = await store.markMissing(platform, date);
  const limit = source.confirmGone ? checks : 100_000;
  const candidates = await store.deletionCandidates(platform, date, limit);
  let gone: string[] = candidates.map((c) => c.key);
  let kept = 0;
  if (source.confirmGone && candidates.length > 0) {
    const answers = await source.confirmGone(
      candidates.map((c) => c.id),
      { signal: deps.signal },
    );
    gone = [];
    for (const c of candidates) {
      const a = answers.get(c.id);
      if (a?.state === 'gone') gone.push(c.key);
      else {
        kept++;
        log.info(
          { id: c.id, missingSince: c.missingSince, answer: a },
          'missing model not deleted: the platform did not confirm it is gone',
        );
      }
    }
  }
  const deleted = await store.markDeleted(platform, gone, date);
  if (missing > 0 || deleted > 0 || kept > 0) {
    log.info(
      { missing, deleted, kept, checked: candidates.length },
      'deletions: models missing from the sweep, and those confirmed gone',
    );
    await store.setCoverageFlags(date, platform, {
      note: `${missing} model(s) missing from today's complete sweep for the first time (not deleted); ${deleted} confirmed deleted${kept > 0 ? `; ${kept} still served or unconfirmed` : ''}`,
    });
  }
  return { missing, deleted };
}
