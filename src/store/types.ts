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

export interface PageCommit {
  /** The stats day (YYYY-MM-DD) the page's figures belong to. */
  date: string;
  platform: Platform;
  models: NormalisedRecord[];
  /** Fingerprints of `models` by key (record.ts `sight`); a model without one is stored with none. */
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

export interface Store {
  readonly engine: 'duckdb' | 'postgres';
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip for health checks. */
  ping(): Promise<void>;

  /**
   * Writes one page in one transaction: upserts the models (latest state; an existing model keeps its
   * firstSeenAt), upserts a daily_stats row per model for `date` (primary key date+key: writing a day twice
   * counts nothing twice), stores the quarantined items, adds the coverage counters and sets the checkpoint.
   */
  commitPage(page: PageCommit): Promise<void>;

  getCheckpoint<T = unknown>(name: string): Promise<T | null>;
  setCheckpoint(name: string, value: unknown | null): Promise<void>;

  /** Merges flags and notes into the day's coverage for a platform (complete, degraded, swept, notes). */
  setCoverageFlags(
    date: string,
    platform: Platform,
    flags: Partial<Pick<CoverageCounters, 'complete' | 'degraded' | 'swept'>> & { note?: string },
  ): Promise<void>;
  getCoverage(date: string): Promise<Partial<Record<Platform, CoverageCounters>>>;

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
  deletionCandidates(platform: Platform, date: string, limit: number): Promise<Array<{ key: string; id: string; missingSince: string }>>;
  /** Marks these missing models deleted on `date`; a model seen again since is not (it is no longer missing). */
  markDeleted(platform: Platform, keys: readonly string[], date: string): Promise<number>;
  /** The key a renamed model has now, following renames; null when `key` was never renamed. */
  renamedTo(key: string): Promise<string | null>;

  /** The dates that have at least one daily_stats row, ascending. */
  statsDates(): Promise<string[]>;

  /** Streams the models seen on `date`, in chunks, with the history the snapshot needs. Memory stays bounded. */
  streamSnapshotRows(date: string, prevDate: string | null, chunkSize?: number): AsyncIterable<SnapshotRow[]>;

  /** Streams keys of derivative models (relation other than base) in chunks, for lineage resolution. */
  streamDerivativeKeys(chunkSize?: number): AsyncIterable<string[]>;
  /** Streams keys of models whose publisher is a redistributor and that have no lineage, for identity matching. */
  streamUnlinkedRedistributedKeys(chunkSize?: number): AsyncIterable<string[]>;
  getLineageNodes(keys: string[]): Promise<Map<string, LineageNode>>;
  /** Keys of models on `platform` whose lower-cased name is one of `names` (for cross-platform identity). */
  findByNames(platform: Platform, names: string[]): Promise<Map<string, LineageNode[]>>;
  updateOrigins(updates: OriginUpdate[]): Promise<void>;

  listModels(q: ModelQuery): Promise<ModelPage>;
  getModel(key: string): Promise<NormalisedRecord | null>;
  /** Direct derivatives of a model by relation, and all descendants under it as a root (deleted models left out). */
  derivativeCounts(key: string): Promise<DerivativeCounts>;
  statsHistory(key: string): Promise<StatsPoint[]>;
  /** The histories of several models in one pass (keys without stats are absent from the map). */
  statsHistories(keys: string[]): Promise<Map<string, StatsPoint[]>>;
  /** Model counts per publisher organisation (and per origin organisation), for the orgs endpoint. */
  orgCounts(): Promise<Array<{ org: string; publisherModels: number; originModels: number }>>;
  /** Namespaces with no registry organisation, ranked by downloads on `date`. */
  unknownNamespaces(date: string, top: number): Promise<{ total: number; rows: NamespaceDownloads[] }>;

  listQuarantine(limit: number, platform?: Platform): Promise<QuarantineRow[]>;
  countQuarantine(platform?: Platform): Promise<number>;
}
