// The Store contract (after Crawlee's StorageBackend): two real engines implement it, the embedded DuckDB file
// (default) and PostgreSQL (DATABASE_URL). One test suite runs against both.
import type { NormalisedRecord, Platform, Relation, LicenseClass, OrgKind, OriginBasis } from '../model.js';

export interface QuarantineItem {
  platform: Platform;
  /** `item` is one bad record of a page; `page` is a whole page that could not be read or yielded nothing. */
  kind: 'item' | 'page';
  reason: string;
  /** The raw payload as text, capped by the caller (see LIMITS.raw … the store caps again at 64 KiB). */
  payload: string;
  /** Where it came from (URL of the page), without tokens. */
  ref: string | null;
  at: string;
}

export interface QuarantineRow extends QuarantineItem {
  id: number;
}

/** Per-platform counters of one day's runs; added up across runs of the same day. */
export interface CoverageCounters {
  modelsSeen: number;
  requests: number;
  pages: number;
  http429: number;
  errors: number;
  quarantined: number;
  /**
   * Items read as records although a field the platform promises was missing or unreadable (its value is null);
   * counted on the items a run parsed, so models skipped as unchanged are not counted again.
   */
  incomplete: number;
  /** False when a sweep did not finish (a page kept failing, or it was interrupted and not resumed). */
  complete: boolean;
  /** True when a source's pages no longer look like what the parser expects (WiseModel layout drift). */
  degraded: boolean;
  /** Whether a full stats sweep ran for this day at all (polls alone do not make a day complete). */
  swept: boolean;
  notes: string[];
}

/** A model a sweep saw unchanged (same fingerprint as stored): only its figures for the day are written. */
export interface SeenModel {
  key: string;
  stats: NormalisedRecord['stats'];
  /** The fingerprint that matched the stored one. */
  fingerprint: string;
}

/**
 * Where a day's figures come from: a sweep of the live platform, or a public dump read by `hubwatch backfill`. Kept per
 * daily_stats row (migration 5). Live wins: a live row replaces a dump row of the same (date, key), and a dump row is
 * never written over a live one (the backfill leaves those out and counts them in the date's coverage).
 */
export type Provenance = 'live' | 'dump';
export const PROVENANCES: readonly Provenance[] = ['live', 'dump'];

export interface PageCommit {
  /** The stats day (YYYY-MM-DD) the page's figures belong to. */
  date: string;
  /**
   * Where the page's figures come from; default live. Applies to `models` and `figuresOnly` (`seen` is live). The store
   * never writes a dump stats row over a live one; a dump page's caller leaves out the models with live figures that
   * day (liveKeysOn), so their records are not replaced either.
   */
  provenance?: Provenance;
  /**
   * Figures for the day of models whose stored record is newer than the page (a backfill of an older partition):
   * only their daily_stats row for `date` is written; their record and latest figures stay as they are.
   */
  figuresOnly?: Array<{ key: string; stats: NormalisedRecord['stats'] }>;
  platform: Platform;
  models: NormalisedRecord[];
  /** Fingerprints of `models` by key (a source's `sight`); a model without one is stored with none. */
  fingerprints?: ReadonlyMap<string, string>;
  /**
   * The platform's immutable id of `models` by key (the Hub's `_id`). A key new to the store whose object id a
   * stored model has is that model renamed: its row and history move to the new key first (Store.renamedTo).
   */
  objectIds?: ReadonlyMap<string, string>;
  /**
   * False to store `objectIds` without looking for renames: a platform's first sweep into a store that holds none of
   * its models (a look-up per batch there costs much and finds nothing). Default true.
   */
  detectRenames?: boolean;
  /**
   * Known models whose stored fingerprint matched: the day's figures go to daily_stats and the model's latest
   * figures, and the model counts as seen on the day. A key also in `models` is taken from `models`.
   */
  seen?: SeenModel[];
  quarantine: QuarantineItem[];
  /** Checkpoint written in the same transaction, so a resumed sweep never skips or repeats a page. */
  checkpoint?: { name: string; value: unknown };
  /** Counters added to the day's coverage in the same transaction. */
  coverage?: Partial<Omit<CoverageCounters, 'complete' | 'degraded' | 'swept' | 'notes'>>;
}

/** One model as the snapshot needs it, for one day, with the history the day's figures depend on. */
export interface SnapshotRow {
  key: string;
  platform: Platform;
  namespace: string;
  createdAt: string | null;
  releasedAt: string | null;
  task: string | null;
  relation: Relation;
  rootKey: string;
  family: string | null;
  licenseClass: LicenseClass;
  licenseId: string;
  publisherOrg: string | null;
  publisherCountry: string;
  publisherCountryAlt: string | null;
  publisherKind: OrgKind;
  originOrg: string | null;
  originCountry: string;
  originCountryAlt: string | null;
  originKind: OrgKind;
  originBasis: OriginBasis;
  /** The day's figures from daily_stats. */
  downloadsAllTime: number | null;
  /** As the platform gives it (Hugging Face); null on platforms without a 30-day window. */
  downloads30d: number | null;
  likes: number | null;
  /** All-time downloads on the previous snapshot day (for downloadsDaily), null when unknown. */
  prevAllTime: number | null;
  /** All-time downloads 30 days before (for platforms that only give cumulative counts), null when unknown. */
  allTime30dAgo: number | null;
}

/** What lineage resolution needs to know about a stored model. */
export interface LineageNode {
  key: string;
  platform: Platform;
  namespace: string;
  name: string;
  relation: Relation;
  baseModels: string[];
  createdAt: string | null;
  publisherOrg: string | null;
  publisherCountry: string;
  publisherCountryAlt: string | null;
  publisherKind: OrgKind;
}

export interface OriginUpdate {
  key: string;
  rootKey: string;
  family: string | null;
  originOrg: string | null;
  originCountry: string;
  originCountryAlt: string | null;
  originKind: OrgKind;
  originBasis: OriginBasis;
  mirrors: string[];
}

export interface ModelQuery {
  platform?: Platform;
  /** Country filter, applied to the view's country column. */
  country?: string;
  view?: 'publisher' | 'origin';
  /** Organisation name (exact, case-insensitive). */
  org?: string;
  kind?: OrgKind;
  licenseClass?: LicenseClass;
  relation?: Relation;
  /** Only models released at or after this instant (ISO). */
  since?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface ModelPage {
  items: NormalisedRecord[];
  nextCursor: string | null;
}

export interface StatsPoint {
  date: string;
  downloadsAllTime: number | null;
  downloads30d: number | null;
  likes: number | null;
}

/** One daily_stats row as the history exports give it. */
export interface HistoryRow extends StatsPoint {
  key: string;
  platform: Platform;
  /** `live` or `dump` (where the day's figures come from); null in a store without the column. */
  provenance: string | null;
}

/** Which rows streamHistory gives: one day of every model, or every day of some models (at most 10,000 keys). */
export type HistoryQuery = { date: string; keys?: undefined } | { keys: readonly string[]; date?: undefined };

export interface NamespaceDownloads {
  platform: Platform;
  namespace: string;
  models: number;
  downloads: number;
}

/** What a model's page says about the models built on it. */
export interface DerivativeCounts {
  /** Models that name this one (or a key it had before a rename) among their direct bases, by relation, most first. */
  direct: Array<{ relation: Relation; models: number }>;
  directTotal: number;
  /**
   * Models whose lineage root is this model, at any depth, itself excluded. Zero for a model that is not a root:
   * the lineage pass counts every descendant under the root alone.
   */
  descendants: number;
}

/** One platform's figures on a day against an earlier stored day (src/backfill/quality.ts). */
export interface DayComparison {
  rowsNow: number;
  rowsPrev: number;
  /** Models with a row on both days. */
  bothDays: number;
  allTimeCompared: number;
  /** Models whose all-time count is lower than on the earlier day. */
  allTimeDecreased: number;
  /** Active models (enough downloads to move) compared on a counter both days carry, and those whose counter did not move. */
  activeCompared: number;
  activeUnmoved: number;
}

/** One model seen on a day, as the momentum figures need it (src/snapshot/momentum-build.ts). */
export interface MomentumRow {
  key: string;
  platform: Platform;
  name: string;
  /** Parameter count from the record (safetensors total), null when the platform gave none. */
  params: number | null;
  relation: Relation;
  createdAt: string | null;
  task: string | null;
  publisherCountry: string;
  originCountry: string;
  /** All-time downloads on the day, and on the two earlier stored dates asked for (null where the model has no row). */
  allTime: number | null;
  allTimeAt7: number | null;
  allTimeAt28: number | null;
}

/** A reference model for the RAM cut-offs: its metadata and its all-time counts up to the day, ascending by date. */
export interface AdoptionHistory {
  key: string;
  platform: Platform;
  name: string;
  params: number | null;
  createdAt: string;
  task: string | null;
  /** All-time downloads on the day. */
  current: number;
  dates: string[];
  counts: number[];
}

/** A chunk of reference histories; every history streamed after it has `current` at most `restAtMost`. */
export interface AdoptionChunk {
  models: AdoptionHistory[];
  restAtMost: number;
}

/** The day prevAllTime is read from: one for every platform, or one per platform (null: none). */
export type PreviousDates = string | null | Partial<Record<Platform, string | null>>;

// The Store contract in roles. Each consumer names the role(s) it uses (the ingest jobs an IngestStore, the API a
// ReadStore, …), so what a module may do to the store is visible in its signature, and a test double or a third
// engine knows what it must provide. `Store` is every role at once: what the engines implement and openStore returns.

/** A checkpoint's reader: health checks and the snapshot read checkpoints that others write. */
export interface CheckpointReader {
  getCheckpoint<T = unknown>(name: string): Promise<T | null>;
}

export interface CheckpointStore extends CheckpointReader {
  setCheckpoint(name: string, value: unknown | null): Promise<void>;
}

/** A day's coverage counters, as the snapshot's method and /metrics read them. */
export interface CoverageReader {
  getCoverage(date: string): Promise<Partial<Record<Platform, CoverageCounters>>>;
}

export interface CoverageStore extends CoverageReader {
  /** Merges flags and notes into the day's coverage for a platform (complete, degraded, swept, notes). */
  setCoverageFlags(
    date: string,
    platform: Platform,
    flags: Partial<Pick<CoverageCounters, 'complete' | 'degraded' | 'swept'>> & { note?: string },
  ): Promise<void>;
}

/** Which days hold figures, and of which platforms. */
export interface StoredDays {
  /** The dates that have at least one daily_stats row, ascending. */
  statsDates(): Promise<string[]>;
  /** The platforms with daily_stats rows on `date`. */
  platformsOn(date: string): Promise<Platform[]>;
}

/** Schema and connection: whoever opens a store migrates and closes it. */
export interface StoreLifecycle {
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The ingest jobs (poll-new, sweep-stats, src/cycle/ingest.ts): pages in, models missing and deleted. */
export interface IngestStore extends CheckpointStore, CoverageStore {
  /**
   * Writes one page in one transaction: upserts the models (latest state; an existing model keeps its
   * firstSeenAt), upserts a daily_stats row per model for `date` (primary key date+key: writing a day twice
   * counts nothing twice), stores the quarantined items, adds the coverage counters and sets the checkpoint.
   */
  commitPage(page: PageCommit): Promise<void>;

  /** Keys already stored, of those given (to tell new models from known ones). */
  existingKeys(keys: string[]): Promise<Set<string>>;

  /**
   * The keys of `sightings` not stored with the given fingerprint: new models, changed ones, ones stored without
   * a fingerprint (see PageCommit.seen). Fingerprints cover the model's id, so an engine may match by fingerprint
   * alone. An engine that defers part of commitPage also counts keys it has not
   * applied yet as changed: the caller then writes those models whole.
   */
  changedKeys(sightings: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>>;

  /**
   * After a complete sweep: marks the platform's models without a stats row on `date` as missing since `date` (those
   * not already missing). Nothing is deleted on the strength of one sweep (docs/method.md, "Deletions").
   */
  markMissing(platform: Platform, date: string): Promise<number>;
  /** Models missing since a day before `date` (so absent from two complete sweeps) and not yet deleted, oldest first. */
  deletionCandidates(
    platform: Platform,
    date: string,
    limit: number,
  ): Promise<Array<{ key: string; id: string; missingSince: string }>>;
  /** Marks these missing models deleted on `date`; a model seen again since is not (it is no longer missing). */
  markDeleted(platform: Platform, keys: readonly string[], date: string): Promise<number>;
}

/** The lineage pass over the stored graph (src/cycle/lineage.ts). */
export interface LineageStore {
  /** Streams keys of derivative models (relation other than base) in chunks, for lineage resolution. */
  streamDerivativeKeys(chunkSize?: number): AsyncIterable<string[]>;
  /** Streams keys of models whose publisher is a redistributor and that have no lineage, for identity matching. */
  streamUnlinkedRedistributedKeys(chunkSize?: number): AsyncIterable<string[]>;
  getLineageNodes(keys: string[]): Promise<Map<string, LineageNode>>;
  /** Keys of models on `platform` whose lower-cased name is one of `names` (for cross-platform identity). */
  findByNames(platform: Platform, names: string[]): Promise<Map<string, LineageNode[]>>;
  updateOrigins(updates: OriginUpdate[]): Promise<void>;
  /**
   * Folds what was written since the last checkpoint into the store's file. The lineage pass rewrites the origins of
   * every derivative: in the embedded store those updates stay in memory until a checkpoint, where they crowd the
   * buffer pool the snapshot's joins need (a 300,000-model backfill ran out of memory at 192MB without it). A no-op
   * where the engine does this itself (PostgreSQL).
   */
  checkpoint(): Promise<void>;
}

/** What the momentum figures read (src/snapshot/momentum-build.ts: the snapshot's block, the digest's releases). */
export interface MomentumStore extends StoredDays {
  /**
   * Momentum (src/snapshot/momentum-build.ts): the models with a row on `date`, with their all-time counts on the stored
   * dates `at7` and `at28` (null: not asked), by key. Memory stays at a chunk.
   */
  streamMomentumRows(
    date: string,
    at7: string | null,
    at28: string | null,
    chunkSize?: number,
  ): AsyncIterable<MomentumRow[]>;
  /**
   * Momentum: base models created on or after `createdFrom` (and by the end of `date`) with an all-time count on `date`,
   * in descending order of that count, each with its all-time counts up to `date`. Read in pages of models, so a
   * caller that stops early never makes the store read the rest.
   */
  streamAdoptionHistories(date: string, createdFrom: string, chunkSize?: number): AsyncIterable<AdoptionChunk>;
}

/** What the daily snapshot's builder reads (src/snapshot/): the day's rows, coverage, quality flags, provenance. */
export interface SnapshotStore extends MomentumStore, CoverageReader, CheckpointReader {
  /** Streams the models seen on `date`, in chunks, with the history the snapshot needs. Memory stays bounded. */
  streamSnapshotRows(date: string, prevDate: PreviousDates, chunkSize?: number): AsyncIterable<SnapshotRow[]>;
  /** The daily_stats rows of `date` per platform and provenance. */
  provenanceCounts(date: string): Promise<Partial<Record<Platform, Record<Provenance, number>>>>;
}

/** The history as data (src/feed/history*.ts). */
export interface HistoryStore extends StoredDays {
  /**
   * Streams daily_stats rows with their provenance (null before migration 5): one day's rows by key, or some models'
   * rows by key and date. For the history exports (src/feed/history*.ts); memory stays at a chunk.
   */
  streamHistory(q: HistoryQuery, chunkSize?: number): AsyncIterable<HistoryRow[]>;
}

/** The read side: the HTTP API, the static export, the dashboard and the digest (src/feed/, src/dashboard/, src/digest/). */
export interface ReadStore extends HistoryStore {
  listModels(q: ModelQuery): Promise<ModelPage>;
  getModel(key: string): Promise<NormalisedRecord | null>;
  /** The key a renamed model has now, following renames; null when `key` was never renamed. */
  renamedTo(key: string): Promise<string | null>;
  /** Direct derivatives of a model by relation, and all descendants under it as a root (deleted models left out). */
  derivativeCounts(key: string): Promise<DerivativeCounts>;
  statsHistory(key: string): Promise<StatsPoint[]>;
  /** The histories of several models in one pass (keys without stats are absent from the map). */
  statsHistories(keys: string[]): Promise<Map<string, StatsPoint[]>>;
  /** Model counts per publisher organisation (and per origin organisation), for the orgs endpoint. */
  orgCounts(): Promise<Array<{ org: string; publisherModels: number; originModels: number }>>;
  /** Namespaces with no registry organisation, ranked by downloads on `date`. */
  unknownNamespaces(date: string, top: number): Promise<{ total: number; rows: NamespaceDownloads[] }>;
}

/** The operating endpoints (src/queue/ops.ts, metrics.ts): health, quarantine, the day's coverage. */
export interface OpsStore extends CheckpointReader, CoverageReader {
  readonly engine: 'duckdb' | 'postgres';
  /** Cheap round trip for health checks. */
  ping(): Promise<void>;
  listQuarantine(limit: number, platform?: Platform): Promise<QuarantineRow[]>;
  countQuarantine(platform?: Platform): Promise<number>;
}

/** Data-quality flags of a platform's day, on dumps and on live days (src/backfill/quality.ts). */
export interface QualityStore extends StoredDays, CheckpointStore, CoverageStore {
  /** One platform's figures on `date` against `prevDate` (stall, counters going backwards, partial days). */
  compareDays(platform: Platform, date: string, prevDate: string, activeFloor: number): Promise<DayComparison>;
  /** Renames recorded on `date` for the platform (by object id in commitPage, or by mergeRenamed). */
  renamesOn(platform: Platform, date: string): Promise<number>;
}

/** What `hubwatch backfill` adds to the ingest path (src/backfill/run.ts): provenance and renames after the fact. */
export interface BackfillStore extends IngestStore {
  /** Of `keys`, those with a live daily_stats row on `date`: a dump row is never written over them. */
  liveKeysOn(date: string, keys: readonly string[]): Promise<Set<string>>;
  /** Of `keys`, those whose stored record was last seen after `date`: an older partition must not replace it. */
  keysNewerThan(date: string, keys: readonly string[]): Promise<Set<string>>;
  /**
   * Renames without object ids: a key last seen from `since` up to before `date`, and a key first seen on `date`, with
   * the same createdAt and an all-time count that did not go down; unique matches only.
   */
  renameCandidates(platform: Platform, since: string, date: string): Promise<Array<{ oldKey: string; newKey: string }>>;
  /** Moves the history of each old key to its new key (both stored), keeps the first sighting, records the rename. */
  mergeRenamed(
    platform: Platform,
    pairs: ReadonlyArray<{ oldKey: string; newKey: string }>,
    date: string,
  ): Promise<number>;
}

/** Every role: what both engines implement and openStore returns. */
export interface Store
  extends StoreLifecycle, IngestStore, LineageStore, SnapshotStore, ReadStore, OpsStore, QualityStore, BackfillStore {}
