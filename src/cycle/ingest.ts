// The two ingestion jobs every platform runs: poll-new (newest first down to the watermark) and sweep-stats (the
// whole catalogue by downloads, resumable). Both commit page by page, each page in one store transaction together
// with its checkpoint, so an interrupted run resumes exactly where it stopped and counts nothing twice.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { NormalisedRecord, Platform } from '../model.js';
import type { NormaliseContext } from '../normalise/context.js';
import type { Registry } from '../normalise/registry.js';
import type { Source, SourceCounters, SourcePage } from '../sources/types.js';
import type { QuarantineItem, SeenModel, Store } from '../store/types.js';
import { normaliseSeed } from '../normalise/fingerprint.js';
import type { Sighting } from '../normalise/record.js';
import { PageFailedError, RateLimitedError, errorMessage } from '../errors.js';
import { LIMITS, capString } from '../model.js';

export interface IngestDeps {
  store: Store;
  registry: Registry;
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
): { models: NormalisedRecord[]; quarantine: QuarantineItem[] } {
  const models: NormalisedRecord[] = [];
  const quarantine = [...page.quarantine];
  const seen = new Set<string>();
  for (const item of page.items) {
    const rec = normaliseItem(source, item, ctx, page.url, quarantine);
    // A page can list the same model twice when the catalogue shifts under a cursor; one row per key per commit.
    if (!rec || seen.has(rec.key)) continue;
    seen.add(rec.key);
    models.push(rec);
  }
  return { models, quarantine };
}

async function isBackfill(store: Store, platform: Platform): Promise<boolean> {
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
      const { models, quarantine } = normalisePage(source, page, ctx);
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
        quarantine,
        coverage: { ...delta, quarantined: quarantine.length },
        ...(byCreation && last ? { checkpoint: { name: pollCheckpointName(platform), value: { watermark: newest } } } : {}),
      });
      if (page.degraded) await store.setCoverageFlags(opts.date, platform, { degraded: true, note: `degraded page ${page.url}` });
      result.pages += 1;
      result.models += models.length;
      result.newModels += models.filter((m) => !known.has(m.key)).length;
      result.quarantined += quarantine.length;
      if (last) break;
    }
  }
  result.watermark = newest;
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
 * resumes after the last committed batch and counts nothing twice. A model whose fingerprint (record.ts `sight`)
 * equals the stored one is not normalised again: only its figures for the day are written. A page that keeps
 * failing ends the sweep as incomplete (recorded in coverage), after the pages before it are committed; it never
 * passes for complete.
 */
export async function sweepStats<T>(
  deps: IngestDeps,
  source: Source<T>,
  opts: { date: string; batchRecords?: number },
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
    now: deps.now?.() ?? new Date().toISOString(),
    backfill: await isBackfill(store, platform),
  };
  const seed = normaliseSeed(deps.registry);
  const batchRecords = opts.batchRecords ?? DEFAULT_SWEEP_BATCH;
  let before = { ...source.counters };
  let degraded = false;

  /** One batch in one transaction: the unchanged models' figures, the others normalised and written whole. */
  const commitBatch = async (batch: BatchPage<T>[]): Promise<void> => {
    const delta = counterDelta(source.counters, before);
    before = { ...source.counters };
    const sightings: Sighting[] = [];
    for (const b of batch) if (b.sightings) for (const s of b.sightings) if (s) sightings.push(s);
    const changed = sightings.length > 0 ? await store.changedKeys(sightings) : new Set<string>();
    // Per key the last sighting wins (a catalogue shifting under the cursor can list a model twice).
    const models = new Map<string, NormalisedRecord>();
    const seen = new Map<string, SeenModel>();
    const fingerprints = new Map<string, string>();
    const quarantine: QuarantineItem[] = [];
    const unreadable: string[] = [];
    let turnEnds = performance.now() + TURN_MS;
    for (const { page, sightings } of batch) {
      quarantine.push(...page.quarantine);
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
        } else item = page.items[i]!;
        const rec = normaliseItem(source, item, ctx, page.url, quarantine);
        if (!rec) continue;
        seen.delete(rec.key);
        models.set(rec.key, rec);
        if (fingerprint !== null) fingerprints.set(rec.key, fingerprint);
        else fingerprints.delete(rec.key);
      }
    }
    // Eagerly parsed pages say so as they arrive (the sources log them); deferred items only now, when read.
    if (unreadable.length > 0) log.warn({ quarantined: unreadable.length, first: unreadable[0] }, 'items quarantined');
    const last = batch.at(-1)!.page;
    const pages = result.pages + batch.length;
    const count = result.models + models.size + seen.size;
    const value: SweepCheckpoint = { cursor: last.next, pages, models: count, done: last.next === null, complete: last.next === null };
    await store.commitPage({
      date: opts.date,
      platform,
      models: [...models.values()],
      fingerprints,
      seen: [...seen.values()],
      quarantine,
      coverage: { ...delta, quarantined: quarantine.length },
      checkpoint: { name, value },
    });
    result.pages = pages;
    result.models = count;
    result.quarantined += quarantine.length;
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
  const flush = (): Promise<void> => {
    const full = batch;
    batch = [];
    batchItems = 0;
    committing = committing.then(() => commitBatch(full));
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
        void flush();
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
      const storeErr = await committing.then(() => null, (e: unknown) => e);
      if (storeErr !== null && storeErr !== err) throw storeErr;
    }
    if (err instanceof RateLimitedError) throw err; // the queue pauses and retries without spending an attempt
    const aborted = deps.signal?.aborted === true;
    const reason = err instanceof PageFailedError ? err.message : `sweep stopped: ${errorMessage(err)}`;
    await store.setCoverageFlags(opts.date, platform, { complete: false, swept: true, note: reason });
    if (aborted) throw err;
    if (!(err instanceof PageFailedError)) throw err;
    // The checkpoint still points at the failing page: a later run of the same day resumes there, and the
    // coverage says incomplete until one does.
    log.error({ err, pages: result.pages }, 'sweep incomplete');
    return { ...result, complete: false, reason };
  }
  const complete = !degraded;
  await store.setCoverageFlags(opts.date, platform, {
    complete,
    swept: true,
    ...(degraded ? { note: 'sweep finished but some pages were degraded' } : {}),
  });
  if (complete) {
    // A quarantined item is a model we could not read, not a model that is gone: on such a day nobody is marked
    // deleted, and the next clean sweep catches up.
    const day = (await store.getCoverage(opts.date))[platform];
    if ((day?.quarantined ?? 0) === 0) {
      const deleted = await store.markUnseenDeleted(platform, opts.date);
      if (deleted > 0) log.info({ deleted }, 'models gone from the catalogue marked deleted');
    }
    await store.setCheckpoint(backfilledName(platform), { date: opts.date });
  }
  log.info({ pages: result.pages, models: result.models, unchanged: result.unchanged, quarantined: result.quarantined }, 'sweep finished');
  return { ...result, complete };
}
