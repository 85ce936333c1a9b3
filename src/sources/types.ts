// The one Source interface every platform adapter implements (after Renovate's datasources): a new platform is a
// new folder under src/sources/ plus one line in src/sources/registry.ts.
import type { Config } from '../config.js';
import type { NormalisedRecord, Platform } from '../model.js';
import type { QuarantineItem } from '../store/types.js';
import type { NormaliseContext } from '../normalise/context.js';
import type { PlatformRecords, Sighting } from '../normalise/record.js';

/**
 * What the rest of hubwatch knows of a platform without talking to it (src/sources/<platform>/record.ts): its
 * record mapping, its name for readers, and which configured token its HTTP client sends.
 */
export interface PlatformProfile extends PlatformRecords {
  /** The platform's name as readers know it ("Hugging Face"), for feeds, digests and the dashboard. */
  readonly label: string;
  /** The token sent as a bearer token to the platform's own origin (http.ts), or null for none. */
  bearerToken(tokens: Config['tokens']): string | null;
}

/** Counters a source keeps while it talks to its platform; they feed the snapshot's coverage. */
export interface SourceCounters {
  requests: number;
  pages: number;
  http429: number;
  errors: number;
}

/** One validated page of a listing. Bad items are already in `quarantine`; good ones in `items`. */
export interface SourcePage<T> {
  items: T[];
  quarantine: QuarantineItem[];
  /** Opaque cursor from which the next page is fetched (resume point); null after the last page. */
  next: string | null;
  /** The URL of this page, tokens stripped (for logs and quarantine). */
  url: string;
  /**
   * Asked for with ListOptions.fingerprintSeed, a source that can read its items' sightings from the response text
   * leaves them unparsed here instead of in `items` (which is then empty, as is `quarantine`).
   */
  deferred?: DeferredItems<T>;
  /**
   * How many of `items` were read with a promised field missing or unreadable (null in their records); they
   * count in the day's coverage as incomplete items.
   */
  incomplete?: number;
  /**
   * True when a 200 page yielded nothing usable although the platform should have had something there
   * (layout drift): the runner marks the source degraded in coverage.
   */
  degraded?: boolean;
}

/** A page's items, sighted from their text and parsed only when read (src/sources/raw-items.ts). */
export interface DeferredItems<T> {
  /**
   * One per listed item, in page order: its key, figures and fingerprint under the seed, or null where the text
   * did not say them plainly (the item must be read to know: it is then usually quarantined).
   */
  sightings: Array<Sighting | null>;
  /**
   * Parses and validates item `i`: the item and its fingerprint (and whether a promised field was missing), or its
   * quarantine entry.
   */
  read(i: number): { item: T; fingerprint: string; incomplete?: boolean } | { quarantine: QuarantineItem };
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Resume point from a previous page's `next`; absent to start at the beginning. */
  cursor?: string | null;
  /** The sweep's fingerprint seed (fingerprint.ts): where the source can, it defers its items (SourcePage.deferred). */
  fingerprintSeed?: string;
}

/**
 * How a source behaves on a 429: `wait` sleeps the platform's reset time in-process (run --once),
 * `throw` raises RateLimitedError so the queue can call worker.rateLimit(ms) and spend no attempt.
 */
export type RateLimitMode = 'wait' | 'throw';

export interface Source<T = unknown> {
  readonly platform: Platform;
  readonly counters: SourceCounters;
  /** Newest first (Hugging Face by createdAt, ModelScope by GmtModified, WiseModel list pages). */
  listNewest(opts?: ListOptions): AsyncIterable<SourcePage<T>>;
  /**
   * Recently modified first, to catch models made public late with an old createdAt. Sources whose newest
   * listing already orders by modification time leave it undefined.
   */
  listRecentlyModified?(opts?: ListOptions): AsyncIterable<SourcePage<T>>;
  /**
   * The whole catalogue, resumable from `cursor`, in an order that holds still during the walk where the platform
   * offers one (Hugging Face: creation time; docs/method.md, "Walk order").
   */
  sweep(opts?: ListOptions): AsyncIterable<SourcePage<T>>;
  /** The platform's immutable id of an item (the Hub's `_id`, kept across renames), or null. */
  objectId?(item: T): string | null;
  /**
   * Asks the platform about models a complete sweep no longer lists (by id): `gone` when it answers that the
   * repository does not exist (Hub: 401 or 404), `present` when it still serves it, `renamed` with the id it has
   * now, `unknown` when it could not say. Sources without it confirm a deletion by two complete sweeps alone.
   */
  confirmGone?(ids: readonly string[], opts?: { signal?: AbortSignal }): Promise<Map<string, GoneCheck>>;
  /**
   * After the walk's last page: whether it can show that it saw the whole catalogue (ModelScope: the models seen
   * against `TotalCount`), and notes for the day's coverage. A walk that cannot show it is incomplete, and then
   * nobody is marked missing that day. `recordsSeen` counts the records the whole sweep committed (across a resume).
   */
  sweepReport?(ctx: { recordsSeen: number; resumed: boolean }): SweepReport;
  /** List fields the platform refused during this source's life (dropped so that the walk goes on), with their cost. */
  refusedFields?(): ReadonlyArray<{ field: string; cost: string }>;
  /** The instant the newest listing orders by, for the watermark (ISO), or null when the item lacks it. */
  orderTime(item: T): string | null;
  /** Pure: one validated platform item to the normalised record. */
  normalise(item: T, ctx: NormaliseContext): NormalisedRecord;
  /**
   * Pure: the key, figures and fingerprint `normalise` would give (normalise/record.ts `sightItem`), so that a
   * sweep can skip normalising and rewriting a model whose stored fingerprint is the same. Sources without it
   * always normalise.
   */
  sight?(item: T, seed: string, fingerprint: string | null): Sighting;
  /** Releases sockets. */
  close(): Promise<void>;
}

export interface SweepReport {
  complete: boolean;
  /** Said in the day's coverage: the numbers (seen, total), why it fell short, which strategy ran and its evidence. */
  notes: string[];
}

export type GoneCheck = { state: 'gone' | 'present' | 'unknown'; detail?: string } | { state: 'renamed'; to: string };

export function emptyCounters(): SourceCounters {
  return { requests: 0, pages: 0, http429: 0, errors: 0 };
}
