// The weekly digest, schema `hubwatch.digest/v1`. The JSON is the source: the Markdown and HTML are rendered from
// it alone, so everything a reader sees (numbers, flags, chart SVG, method) is in here.
import type { LicenseClass, OrgKind, Platform } from '../model.js';
import type { View } from '../snapshot/types.js';

export const DIGEST_SCHEMA = 'hubwatch.digest/v1';

/** One of the week's days: whether its snapshot exists and whether each platform's sweep for it was whole. */
export interface DayStatus {
  date: string;
  present: boolean;
  /** Platforms whose coverage that day was not complete (sweep unfinished, not swept, degraded), with why. */
  incomplete: Array<{ platform: Platform; reasons: string[] }>;
}

export interface WeekStatus {
  week: string;
  start: string;
  end: string;
  days: DayStatus[];
  missingDates: string[];
  /** True when all seven snapshots exist. Coverage gaps are reported per platform, not folded in here. */
  complete: boolean;
}

/** A weekly count and its change against the previous week. `null` where the week has no snapshot at all. */
export interface CountChange {
  thisWeek: number | null;
  previousWeek: number | null;
  /** thisWeek − previousWeek; null when either is null. */
  change: number | null;
  /** change / previousWeek × 100; null when previousWeek is 0 or null. */
  changePct: number | null;
  /** Every day of the week had a snapshot carrying this figure (and, per platform, a complete sweep). */
  complete: boolean;
  previousComplete: boolean;
  /** Days of the week that contributed nothing to this figure (no snapshot, or the platform missing from it). */
  missingDates: string[];
  previousMissingDates: string[];
}

export interface CountryCountRow {
  country: string;
  thisWeek: number;
  previousWeek: number;
  change: number;
  /** thisWeek / week total (0 when the total is 0). */
  share: number;
  previousShare: number;
  /** (share − previousShare) × 100. */
  deltaPp: number;
}

export interface NewReleasesByCountry {
  total: number;
  previousTotal: number;
  rows: CountryCountRow[];
}

export interface ShareChangeRow {
  country: string;
  /** 0 when the country is only in the previous list. */
  value: number;
  /** null when there is no previous list; 0 when the country was absent from it. */
  previousValue: number | null;
  /** value − previousValue. */
  change: number | null;
  share: number;
  previousShare: number | null;
  /** (share − previousShare) × 100. */
  deltaPp: number | null;
}

export interface ShareComparisonView {
  total: number;
  previousTotal: number | null;
  combinedPlatforms: Platform[];
  previousCombinedPlatforms: Platform[] | null;
  rows: ShareChangeRow[];
}

/** Shares at the week's last snapshot against the previous week's last snapshot. */
export interface ShareComparison {
  /** Date of the snapshot used for this week (the Sunday, or the latest day present when it is missing). */
  asOf: string | null;
  previousAsOf: string | null;
  /** False when asOf is not the week's Sunday (or there is none). */
  asOfIsWeekEnd: boolean;
  previousAsOfIsWeekEnd: boolean;
  /** The snapshot's own words on what the figure covers, per platform. */
  window: Partial<Record<Platform, string>>;
  views: Record<View, ShareComparisonView | null>;
}

export interface LicenseMixRow {
  licenseClass: LicenseClass;
  models: number;
  share: number;
}

/**
 * `all-time-since-creation`: created in the week, so its count started at zero; the figure is the all-time count at
 * the week's last stats day. `30d-since-creation`: the same from the 30-day count (the platform gave no all-time
 * count; a model under 30 days old has the two equal). `all-time-since-first-seen`: made public late (old createdAt),
 * so the figure is the all-time count at the week's last stats day minus the one on the first stats day in the week.
 * `none`: no figure stored for the week.
 */
export type FirstWeekBasis = 'all-time-since-creation' | '30d-since-creation' | 'all-time-since-first-seen' | 'none';

/**
 * A notable release's momentum on the week's last stats day (src/snapshot/momentum.ts; Digest.method.definitions.momentum):
 * RAM against the base models of its platform and size class at the same age, and 7-day growth. Null where the figure
 * cannot be given (too few or too thin peers, no size, no history 28 days back).
 */
export interface NotableMomentum {
  /** The stats day the figures are read on; null when the store has none on or before the week's end. */
  asOf: string | null;
  sizeClass: string | null;
  ageDays: number | null;
  ram: number | null;
  growth7d: number | null;
}

export interface NotableRelease {
  key: string;
  platform: Platform;
  /** Platform strings, capped (escaped only when rendered). */
  id: string;
  name: string;
  url: string;
  org: string;
  country: string;
  kind: OrgKind;
  license: { id: string; class: LicenseClass };
  params: number | null;
  task: string | null;
  releasedAt: string;
  /** All-time downloads at the end of the week minus at release; null when the platform gave no all-time count. */
  firstWeekDownloads: number | null;
  /** Which figures made firstWeekDownloads (see Digest.method.notable). */
  firstWeekBasis: FirstWeekBasis;
  /** The date of the count used as the end of the week (the latest stats day on or before Sunday). */
  firstWeekEndDate: string | null;
  /** `record`: the record's stats (no later stats day stored yet); `history`: store.statsHistory. */
  firstWeekSource: 'record' | 'history';
  likes: number | null;
  momentum: NotableMomentum;
}

export interface NotableGroup {
  kind: OrgKind;
  /** How many qualifying releases this kind had; `items` holds the top ones. */
  count: number;
  items: NotableRelease[];
}

export interface FamilyTrendPoint {
  week: string;
  newDerivatives: number | null;
  complete: boolean;
  missingDates: number;
}

export interface FamilyRowDigest {
  family: string;
  thisWeek: number | null;
  previousWeek: number | null;
  change: number | null;
  /** Oldest first, ending with this week. */
  trend: FamilyTrendPoint[];
}

export interface ChartDigest {
  title: string;
  caption: string;
  /** The data the chart was drawn from, so a reader can check it. */
  data: Array<Record<string, string | number | null>>;
  /** Inline SVG rendered by vega-lite (headless); sanitised again when rendered into HTML. */
  svg: string;
  width: number;
  height: number;
}

export interface PlatformCoverageSummary {
  platform: Platform;
  daysWithSnapshot: number;
  daysComplete: number;
  incompleteDates: string[];
  /** Dates on which the platform was absent from an existing snapshot. */
  absentDates: string[];
  requests: number;
  pages: number;
  http429: number;
  errors: number;
  quarantined: number;
  allTimeDecreased: number;
  /** Models seen on the last snapshot day of the week. */
  modelsSeenLastDay: number | null;
  downloads30dSource: 'platform' | 'history' | 'unavailable' | null;
  notes: string[];
}

export interface Digest {
  schema: typeof DIGEST_SCHEMA;
  week: string;
  start: string;
  end: string;
  previousWeek: string;
  generatedAt: string;
  generator: string;
  title: string;
  /** One line for feeds and e-mail previews. */
  summary: string;
  status: { thisWeek: WeekStatus; previousWeek: WeekStatus; complete: boolean; warnings: string[] };
  headlines: {
    newReleases: {
      combined: CountChange;
      platforms: Record<Platform, CountChange>;
      byCountry: Record<View, NewReleasesByCountry>;
      /** The same per platform (from each platform's own list in the daily snapshots). */
      byPlatformCountry: Record<View, Partial<Record<Platform, NewReleasesByCountry>>>;
    };
    downloads30d: ShareComparison;
    derivatives: ShareComparison;
    licenseMix: {
      /** New base models released in the week, from the store (latest state of each record). */
      newBaseModels: { total: number; rows: LicenseMixRow[] };
      /** All new releases of the week by licence class: the sum of the daily snapshots' licenses.byClass.newReleases. */
      allNewReleases: { total: number; rows: LicenseMixRow[] };
    };
  };
  notable: {
    /** New base models from known organisations released in the week. */
    total: number;
    groups: NotableGroup[];
  };
  families: { rows: FamilyRowDigest[]; weeks: string[] };
  charts: { countryShares: ChartDigest; originSplit: ChartDigest };
  method: {
    windows: Partial<Record<Platform, string>>;
    views: Record<View, string>;
    scope: string;
    definitions: Record<string, string>;
    coverage: PlatformCoverageSummary[];
    /** Weeks of the eight-week trends and the dates they miss. */
    trendWeeks: Array<{ week: string; missingDates: string[]; asOf: string | null }>;
    incomplete: string[];
    contactUrl: string | null;
  };
}
