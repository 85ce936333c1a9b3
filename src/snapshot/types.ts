// The daily snapshot, schema `hubwatch.snapshot/v1` (JSON Schema: schemas/snapshot.v1.schema.json). Readers rely
// on it: the feed, the digest, the static export and whoever downloads the files. Change it only additively.
import type { CoverageCounters } from '../store/types.js';
import type { LicenseClass, OrgKind, Platform } from '../model.js';

export const SNAPSHOT_SCHEMA = 'hubwatch.snapshot/v1';

export const METRICS = [
  'downloads30d',
  'downloadsAllTime',
  'downloadsDaily',
  'newReleases',
  'derivatives',
  'likes',
] as const;
export type Metric = (typeof METRICS)[number];

export const VIEWS = ['publisher', 'origin'] as const;
export type View = (typeof VIEWS)[number];

export const SCOPES = ['all', 'llm'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ShareEntry {
  country: string;
  value: number;
  share: number;
}

/** One list of shares: sorted by value (then country), shares sum to 1 (empty when the total is 0). */
export interface ShareList {
  total: number;
  /** Share of the total attributed to a known country (not ZZ). */
  attributed: number;
  shares: ShareEntry[];
}

/** A metric's shares for one scope and view: per platform and combined. null where the platform has no figure. */
export interface ViewShares {
  combined: ShareList | null;
  /** Platforms whose figures make up `combined` (a platform without a figure for the window is left out and named). */
  combinedPlatforms: Platform[];
  platforms: Partial<Record<Platform, ShareList | null>>;
}

export interface MetricBlock {
  /** What the figure counts and over which window, per platform, in words. */
  window: Partial<Record<Platform, string>>;
  scopes: Record<Scope, Record<View, ViewShares>>;
}

export interface PlatformCoverage extends CoverageCounters {
  /** All-time counts that went down against the previous snapshot: recorded here, never as negative downloads. */
  anomalies: { allTimeDecreased: number; examples: string[] };
  /** Whether the 30-day figure exists for this platform today and where it comes from. */
  downloads30dSource: 'platform' | 'history' | 'unavailable';
}

export interface LicenseRow {
  key: string;
  models: number;
  newReleases: number;
  downloads30d: number;
}

export interface FamilyRow {
  family: string;
  models: number;
  downloads30d: number;
  derivatives: number;
  newDerivatives: number;
}

export interface OrgRow {
  org: string;
  country: string;
  kind: OrgKind;
  models: number;
  newReleases: number;
  downloads30d: number;
  derivatives: number;
}

export interface KindRow {
  kind: OrgKind;
  models: number;
  newReleases: number;
  downloads30d: number;
  share: number;
}

export interface SensitivityRow {
  metric: Metric;
  scope: Scope;
  view: View;
  country: string;
  share: number;
  /** The share when every organisation with a `country_alt` is counted under it instead. */
  shareAlt: number;
  /** shareAlt − share, in percentage points. */
  deltaPp: number;
}

/** The metrics the licence × country block is published for. */
export const LICENSE_COUNTRY_METRICS = ['downloads30d', 'newReleases'] as const satisfies readonly Metric[];
export type LicenseCountryMetric = (typeof LICENSE_COUNTRY_METRICS)[number];

/** One row of a licence × country table: a leading country, the rest summed (`other`), or unattributed (`ZZ`). */
export interface LicenseCountryRow {
  /** A country code, `ZZ` (unattributed) or `other` (every known country outside the leading ones). */
  country: string;
  /** How many countries the row sums (1 for a country or ZZ). */
  countries: number;
  /** The metric's total in this row, over every licence class. */
  total: number;
  /** Licence classes with a value above zero, largest first; shares sum to 1 within the row. */
  classes: Array<{ class: LicenseClass; value: number; share: number }>;
}

export interface LicenseCountryTable {
  total: number;
  /** Leading countries by total (ZZ excluded), then `other`, then `ZZ`; rows with nothing are left out. */
  rows: LicenseCountryRow[];
}

/** Licence classes within each country, for one metric, scope and view: per platform and combined, as ViewShares. */
export interface LicenseCountryShares {
  combined: LicenseCountryTable | null;
  combinedPlatforms: Platform[];
  platforms: Partial<Record<Platform, LicenseCountryTable | null>>;
}

export interface LicenseByCountry {
  /** What the block is, in words. */
  method: string;
  /** Leading countries kept as their own row in every table. */
  topCountries: number;
  metrics: Record<LicenseCountryMetric, { scopes: Record<Scope, Record<View, LicenseCountryShares>> }>;
}

/** The figures of the momentum block (src/snapshot/momentum.ts). */
export const MOMENTUM_METRICS = ['ram', 'growth7d'] as const;
export type MomentumMetric = (typeof MOMENTUM_METRICS)[number];

/** One model in a momentum top list. */
export interface MomentumEntry {
  key: string;
  name: string;
  platform: Platform;
  country: { publisher: string; origin: string };
  /** Size class (momentum.method.sizeClasses); null when neither the record nor the name gives a size. */
  sizeClass: string | null;
  /** Where the size came from: the record's parameter count or the name. */
  sizeBasis: 'params' | 'name' | null;
  /** Days since creation on the snapshot's day; null when the creation time is unknown. */
  ageDays: number | null;
  /** The figure: RAM, or 7-day growth (0.25 is +25%). */
  value: number;
  /** ram: cumulative downloads on the day; growth7d: downloads of the last 7 days. */
  downloads: number;
  /** ram: the size class's cut-off at this age; growth7d: mean weekly downloads of the 3 weeks before. */
  reference: number;
}

export interface MomentumBlock {
  method: {
    ram: string;
    growth7d: string;
    sizeClasses: string;
    /** The classes, [minParams, maxParams) in parameters; maxParams null for the open top class. */
    classes: Array<{ name: string; minParams: number; maxParams: number | null }>;
    referenceSet: string;
    cutoff: string;
    windows: string;
    /** The stored history the figures read: its first date, how many dates, and the dates growth7d compared. */
    history: { from: string | null; dates: number; growthDates: { d7: string | null; d28: string | null } };
  };
  /** Models per top list. */
  top: number;
  scopes: Record<Scope, Record<MomentumMetric, MomentumEntry[]>>;
}

/** Where one platform's figures on the day come from (method.sources; src/snapshot/sources.ts). */
export interface FigureSource {
  /** live: a sweep of the platform; dump: a public dump's partition (hubwatch backfill); mixed: both, live wins per model. */
  provenance: 'live' | 'dump' | 'mixed';
  /** The day's rows by provenance. */
  rows: { live: number; dump: number };
  /** The dump partition the figures were read from, when a backfill wrote this date. */
  dump?: {
    name: string;
    partition: string;
    format: 'parquet' | 'csv';
    license: string | null;
    /** Columns the partition lacks (their figures are null on this date). */
    missingColumns: string[];
    /** Dump rows not written because the date has live figures for those models. */
    liveKept: number;
    complete: boolean;
  };
  /** Figures the day does not have because its source lacks them. */
  missing: string[];
  /** Quality flags raised on the day (stall, backwards, partial, renames), each with what it means for the figures. */
  flags: Array<{ flag: 'stall' | 'backwards' | 'partial' | 'renames'; detail: string }>;
}

export interface Snapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  date: string;
  previousDate: string | null;
  generator: string;
  method: {
    views: Record<View, string>;
    scopes: Record<Scope, string> & { llmTasks: string[] };
    metrics: Record<Metric, string>;
    unknownCountry: 'ZZ';
    /** Where each platform's figures come from; absent in snapshots written before it existed. */
    sources?: Partial<Record<Platform, FigureSource>>;
  };
  platforms: Platform[];
  coverage: Partial<Record<Platform, PlatformCoverage>>;
  metrics: Record<Metric, MetricBlock>;
  licenses: {
    byClass: Array<LicenseRow & { key: LicenseClass }>;
    byId: LicenseRow[];
  };
  families: FamilyRow[];
  orgs: { publisher: OrgRow[]; origin: OrgRow[] };
  kinds: { publisher: KindRow[]; origin: KindRow[] };
  sensitivity: { rows: SensitivityRow[]; maxAbsDeltaPp: number };
  /** Licence classes by country; absent in snapshots written before it existed. */
  licenseByCountry?: LicenseByCountry;
  /** Top lists by RAM and 7-day growth; absent in snapshots written before it existed. */
  momentum?: MomentumBlock;
}
