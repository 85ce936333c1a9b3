// Builds a week's digest from the stored daily snapshots (every share and count) and the store (the new base models,
// their licences and first-week downloads). Nothing is interpolated: a day without a snapshot contributes nothing
// and the figures it would have fed are flagged incomplete, with the missing dates named.
import { countryName } from '../normalise/countries.js';
import { PLATFORMS, LICENSE_CLASSES, ORG_KINDS, capString, LIMITS } from '../model.js';
import type { LicenseClass, NormalisedRecord, OrgKind, Platform } from '../model.js';
import type { Config } from '../config.js';
import { VERSION } from '../version.js';
import type { MomentumStore, ReadStore, StatsPoint } from '../store/types.js';
import { listSnapshotDates, readSnapshot } from '../snapshot/files.js';
import { momentumOf, type ModelMomentum } from '../snapshot/momentum-build.js';
import { VIEWS, type Metric, type ShareList, type Snapshot, type View } from '../snapshot/types.js';
import { addWeeks, parseIsoWeek, weeksEndingWith, type IsoWeek } from './isoweek.js';
import { countrySharesSpec, originSplitSpec, renderVegaLiteSvg, svgSize, type CountrySharePoint } from './charts.js';
import {
  DIGEST_SCHEMA,
  type ChartDigest,
  type CountChange,
  type CountryCountRow,
  type DayStatus,
  type Digest,
  type FamilyRowDigest,
  type FirstWeekBasis,
  type LicenseMixRow,
  type NewReleasesByCountry,
  type NotableGroup,
  type NotableRelease,
  type PlatformCoverageSummary,
  type ShareChangeRow,
  type ShareComparison,
  type ShareComparisonView,
  type WeekStatus,
} from './types.js';
import { fmtChangePct, fmtInt, fmtPct } from './escape.js';

export interface DigestDeps {
  /** The week's releases and their histories, and the momentum of the notable ones. */
  store: ReadStore & MomentumStore;
  dataDir: string;
  week: string;
  config?: Config;
  /** Stamped as generatedAt; tests pin it so a rebuilt digest is byte-identical. */
  now?: Date;
}

/** Weeks in the family trend and the country-share chart. */
export const TREND_WEEKS = 8;
/** Releases shown per organisation kind. */
export const NOTABLE_PER_KIND = 10;
/** Countries drawn separately in the share chart; the rest are "Other". */
const CHART_COUNTRIES = 6;
/** Bars in the origin-split chart; the rest are "Other". */
const SPLIT_COUNTRIES = 10;
const LIST_PAGE = 1000;
const HISTORY_CONCURRENCY = 16;

// Headlines use the `all` scope (every task); the `llm` scope stays in the snapshots for those who want it.
const SCOPE = 'all' as const;

/** Reads each snapshot once per build; the eight-week trends touch up to 63 files. */
class SnapshotCache {
  private readonly present: Set<string>;
  private readonly cache = new Map<string, Promise<Snapshot | null>>();
  constructor(
    private readonly dataDir: string,
    dates: string[],
  ) {
    this.present = new Set(dates);
  }
  get(date: string): Promise<Snapshot | null> {
    if (!this.present.has(date)) return Promise.resolve(null);
    let p = this.cache.get(date);
    if (!p) {
      p = readSnapshot(this.dataDir, date);
      this.cache.set(date, p);
    }
    return p;
  }
  async week(iso: IsoWeek): Promise<Array<{ date: string; snap: Snapshot | null }>> {
    return Promise.all(iso.days.map(async (date) => ({ date, snap: await this.get(date) })));
  }
}

type WeekSnaps = Array<{ date: string; snap: Snapshot | null }>;

function incompleteReasons(snap: Snapshot, p: Platform): string[] {
  const c = snap.coverage[p];
  if (!c) return snap.platforms.includes(p) ? ['no coverage record'] : [];
  const reasons: string[] = [];
  if (!c.swept) reasons.push('no stats sweep');
  if (!c.complete) reasons.push('sweep incomplete');
  if (c.degraded) reasons.push('parser degraded');
  return reasons;
}

function weekStatus(iso: IsoWeek, snaps: WeekSnaps): WeekStatus {
  const days: DayStatus[] = snaps.map(({ date, snap }) => ({
    date,
    present: snap !== null,
    incomplete: snap
      ? PLATFORMS.flatMap((p) => {
          const reasons = incompleteReasons(snap, p);
          return reasons.length ? [{ platform: p, reasons }] : [];
        })
      : [],
  }));
  const missingDates = days.filter((d) => !d.present).map((d) => d.date);
  return { week: iso.week, start: iso.start, end: iso.end, days, missingDates, complete: missingDates.length === 0 };
}

function newReleaseList(snap: Snapshot, view: View, platform: Platform | 'combined'): ShareList | null {
  const vs = snap.metrics.newReleases?.scopes[SCOPE]?.[view];
  if (!vs) return null;
  return platform === 'combined' ? vs.combined : (vs.platforms[platform] ?? null);
}

interface WeekSum {
  value: number | null;
  missingDates: string[];
  /** Days whose figure exists but whose sweep was incomplete for the platform(s) concerned. */
  partialDates: string[];
}

/** Σ of the daily snapshots' newReleases totals; the publisher view's total (both views count the same models). */
function sumNewReleases(snaps: WeekSnaps, platform: Platform | 'combined'): WeekSum {
  let value = 0;
  let days = 0;
  const missingDates: string[] = [];
  const partialDates: string[] = [];
  for (const { date, snap } of snaps) {
    const list = snap ? newReleaseList(snap, 'publisher', platform) : null;
    if (!snap || !list) {
      missingDates.push(date);
      continue;
    }
    days++;
    value += list.total;
    const concerned = platform === 'combined' ? snap.platforms : [platform];
    if (concerned.some((p) => incompleteReasons(snap, p).length > 0)) partialDates.push(date);
  }
  return { value: days === 0 ? null : value, missingDates, partialDates };
}

function countChange(cur: WeekSum, prev: WeekSum): CountChange {
  const change = cur.value !== null && prev.value !== null ? cur.value - prev.value : null;
  return {
    thisWeek: cur.value,
    previousWeek: prev.value,
    change,
    changePct: change !== null && prev.value ? (change / prev.value) * 100 : null,
    complete: cur.missingDates.length === 0 && cur.partialDates.length === 0,
    previousComplete: prev.missingDates.length === 0 && prev.partialDates.length === 0,
    missingDates: cur.missingDates,
    previousMissingDates: prev.missingDates,
  };
}

function sumByCountry(snaps: WeekSnaps, view: View, platform: Platform | 'combined'): Map<string, number> {
  const out = new Map<string, number>();
  for (const { snap } of snaps) {
    const list = snap ? newReleaseList(snap, view, platform) : null;
    if (!list) continue;
    for (const e of list.shares) out.set(e.country, (out.get(e.country) ?? 0) + e.value);
  }
  return out;
}

function byCountry(cur: Map<string, number>, prev: Map<string, number>): NewReleasesByCountry {
  const total = [...cur.values()].reduce((a, b) => a + b, 0);
  const previousTotal = [...prev.values()].reduce((a, b) => a + b, 0);
  const countries = new Set([...cur.keys(), ...prev.keys()]);
  const rows: CountryCountRow[] = [...countries].map((country) => {
    const thisWeek = cur.get(country) ?? 0;
    const previousWeek = prev.get(country) ?? 0;
    const share = total ? thisWeek / total : 0;
    const previousShare = previousTotal ? previousWeek / previousTotal : 0;
    return {
      country,
      thisWeek,
      previousWeek,
      change: thisWeek - previousWeek,
      share,
      previousShare,
      deltaPp: (share - previousShare) * 100,
    };
  });
  rows.sort((a, b) => b.thisWeek - a.thisWeek || b.previousWeek - a.previousWeek || a.country.localeCompare(b.country));
  return { total, previousTotal, rows };
}

/** The week's last snapshot that carries the metric: Sunday's, or the latest day present before it. */
function lastWith(snaps: WeekSnaps, metric: Metric): { date: string; snap: Snapshot } | null {
  for (let i = snaps.length - 1; i >= 0; i--) {
    const s = snaps[i]!;
    if (s.snap?.metrics[metric]) return { date: s.date, snap: s.snap };
  }
  return null;
}

function compareShares(cur: ShareList, prev: ShareList | null): ShareChangeRow[] {
  const prevBy = new Map((prev?.shares ?? []).map((e) => [e.country, e]));
  const rows: ShareChangeRow[] = cur.shares.map((e) => {
    const p = prevBy.get(e.country);
    prevBy.delete(e.country);
    const previousValue = prev ? (p?.value ?? 0) : null;
    const previousShare = prev ? (p?.share ?? 0) : null;
    return {
      country: e.country,
      value: e.value,
      previousValue,
      change: previousValue === null ? null : e.value - previousValue,
      share: e.share,
      previousShare,
      deltaPp: previousShare === null ? null : (e.share - previousShare) * 100,
    };
  });
  // A country that fell out of the list is a change too (to zero), not something to drop.
  for (const p of prevBy.values()) {
    rows.push({
      country: p.country,
      value: 0,
      previousValue: p.value,
      change: -p.value,
      share: 0,
      previousShare: p.share,
      deltaPp: -p.share * 100,
    });
  }
  rows.sort(
    (a, b) =>
      b.value - a.value || (b.previousValue ?? 0) - (a.previousValue ?? 0) || a.country.localeCompare(b.country),
  );
  return rows;
}

function shareComparison(
  metric: Metric,
  iso: IsoWeek,
  prevIso: IsoWeek,
  cur: WeekSnaps,
  prev: WeekSnaps,
): ShareComparison {
  const c = lastWith(cur, metric);
  const p = lastWith(prev, metric);
  const views = {} as Record<View, ShareComparisonView | null>;
  for (const view of VIEWS) {
    const cv = c?.snap.metrics[metric].scopes[SCOPE]?.[view];
    const pv = p?.snap.metrics[metric].scopes[SCOPE]?.[view];
    if (!cv?.combined) {
      views[view] = null;
      continue;
    }
    const pl = pv?.combined ?? null;
    views[view] = {
      total: cv.combined.total,
      previousTotal: pl?.total ?? null,
      combinedPlatforms: cv.combinedPlatforms,
      previousCombinedPlatforms: pl ? (pv?.combinedPlatforms ?? null) : null,
      rows: compareShares(cv.combined, pl),
    };
  }
  return {
    asOf: c?.date ?? null,
    previousAsOf: p?.date ?? null,
    asOfIsWeekEnd: c?.date === iso.end,
    previousAsOfIsWeekEnd: p?.date === prevIso.end,
    window: c?.snap.metrics[metric].window ?? {},
    views,
  };
}

function mixRows(counts: Map<LicenseClass, number>): { total: number; rows: LicenseMixRow[] } {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const rows = LICENSE_CLASSES.filter((k) => (counts.get(k) ?? 0) > 0)
    .map((k) => ({ licenseClass: k, models: counts.get(k)!, share: total ? counts.get(k)! / total : 0 }))
    .sort(
      (a, b) =>
        b.models - a.models || LICENSE_CLASSES.indexOf(a.licenseClass) - LICENSE_CLASSES.indexOf(b.licenseClass),
    );
  return { total, rows };
}

function licenseMixFromSnapshots(snaps: WeekSnaps): { total: number; rows: LicenseMixRow[] } {
  const counts = new Map<LicenseClass, number>();
  for (const { snap } of snaps) {
    for (const r of snap?.licenses?.byClass ?? []) counts.set(r.key, (counts.get(r.key) ?? 0) + r.newReleases);
  }
  return mixRows(counts);
}

/** Every base model released in the week, from the store, paged (only the week's releases are held). */
async function newBaseModels(store: ReadStore, iso: IsoWeek): Promise<NormalisedRecord[]> {
  const out: NormalisedRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listModels({
      relation: 'base',
      since: iso.startInstant,
      limit: LIST_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const r of page.items) {
      // `since` bounds the start; a digest built late must not take the following week's releases.
      if (
        r.releasedAt &&
        r.releasedAt >= iso.startInstant &&
        r.releasedAt < iso.endExclusiveInstant &&
        r.lineage.relation === 'base'
      ) {
        out.push(r);
      }
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** First-week figures of a created-in-week model from its record, when the record's stats are the week's last. */
function fromRecord(
  r: NormalisedRecord,
  latest: string,
): Pick<NotableRelease, 'firstWeekDownloads' | 'firstWeekBasis' | 'firstWeekEndDate' | 'firstWeekSource' | 'likes'> {
  const allTime = r.stats.downloadsAllTime;
  const d30 = r.stats.downloads30d;
  return {
    firstWeekDownloads: allTime ?? d30,
    firstWeekBasis: allTime !== null ? 'all-time-since-creation' : d30 !== null ? '30d-since-creation' : 'none',
    firstWeekEndDate: allTime !== null || d30 !== null ? latest : null,
    firstWeekSource: 'record',
    likes: r.stats.likes,
  };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

function firstWeek(
  r: NormalisedRecord,
  history: StatsPoint[],
  iso: IsoWeek,
): Pick<NotableRelease, 'firstWeekDownloads' | 'firstWeekBasis' | 'firstWeekEndDate' | 'likes'> {
  const inWeek = history
    .filter((h) => h.date >= iso.start && h.date <= iso.end)
    .sort((a, b) => a.date.localeCompare(b.date));
  const last = inWeek[inWeek.length - 1];
  const createdInWeek =
    r.createdAt !== null && r.createdAt >= iso.startInstant && r.createdAt < iso.endExclusiveInstant;
  let downloads: number | null = null;
  let basis: FirstWeekBasis = 'none';
  let endDate: string | null = null;
  const lastAllTime = [...inWeek].reverse().find((h) => h.downloadsAllTime !== null);
  if (createdInWeek && lastAllTime) {
    downloads = lastAllTime.downloadsAllTime;
    basis = 'all-time-since-creation';
    endDate = lastAllTime.date;
  } else if (createdInWeek) {
    const last30 = [...inWeek].reverse().find((h) => h.downloads30d !== null);
    if (last30) {
      downloads = last30.downloads30d;
      basis = '30d-since-creation';
      endDate = last30.date;
    }
  } else if (lastAllTime) {
    const first = inWeek.find((h) => h.downloadsAllTime !== null)!;
    // A count that went down (the Hub's sometimes do) is clamped: never negative downloads.
    downloads = Math.max(0, lastAllTime.downloadsAllTime! - first.downloadsAllTime!);
    basis = 'all-time-since-first-seen';
    endDate = lastAllTime.date;
  }
  return {
    firstWeekDownloads: downloads,
    firstWeekBasis: basis,
    firstWeekEndDate: endDate,
    likes: last?.likes ?? null,
  };
}

function momentumFigures(m: ModelMomentum | undefined): NotableRelease['momentum'] {
  return {
    asOf: m?.asOf ?? null,
    sizeClass: m?.sizeClass ?? null,
    ageDays: m?.ageDays ?? null,
    ram: m?.ram ?? null,
    growth7d: m?.growth7d ?? null,
  };
}

async function notableReleases(
  store: ReadStore & MomentumStore,
  bases: NormalisedRecord[],
  iso: IsoWeek,
): Promise<{ total: number; groups: NotableGroup[] }> {
  const known = bases.filter((r) => r.publisher.org !== null);
  // When no stats day after the week is stored yet, each record's stats are its figures on its last stats day of
  // the week, so a created-in-week model needs no history lookup. Otherwise, and for models made public late, the
  // histories are read, all in one store pass (statsHistories).
  const dates = known.length ? await store.statsDates() : [];
  const latest = dates[dates.length - 1] ?? null;
  const recordsAreWeekEnd = latest !== null && latest >= iso.start && latest <= iso.end;
  const createdInWeek = (r: NormalisedRecord): boolean =>
    r.createdAt !== null && r.createdAt >= iso.startInstant && r.createdAt < iso.endExclusiveInstant;
  const needHistory = known.filter((r) => !(recordsAreWeekEnd && createdInWeek(r))).map((r) => r.key);
  const histories = needHistory.length ? await store.statsHistories(needHistory) : new Map<string, StatsPoint[]>();
  // Momentum as of the week's last stats day, for all of them in two streamed passes (momentum-build.ts).
  const momentum = await momentumOf(
    { store, llmTasks: [] },
    iso.end,
    known.map((r) => r.key),
  );
  const items = await mapLimit(known, HISTORY_CONCURRENCY, async (r): Promise<NotableRelease> => {
    const figures =
      recordsAreWeekEnd && createdInWeek(r)
        ? fromRecord(r, latest)
        : { ...firstWeek(r, histories.get(r.key) ?? [], iso), firstWeekSource: 'history' as const };
    return {
      key: capString(r.key, LIMITS.id),
      platform: r.platform,
      id: capString(r.id, LIMITS.id),
      name: capString(r.name, LIMITS.text),
      url: capString(r.url, 2000),
      org: capString(r.publisher.org!, LIMITS.text),
      country: r.publisher.country,
      kind: r.publisher.kind,
      license: { id: capString(r.license.id, LIMITS.text), class: r.license.class },
      params: r.params,
      task: r.task === null ? null : capString(r.task, LIMITS.tag),
      releasedAt: r.releasedAt!,
      ...figures,
      momentum: momentumFigures(momentum.get(r.key)),
    };
  });
  items.sort(
    (a, b) =>
      (b.firstWeekDownloads ?? -1) - (a.firstWeekDownloads ?? -1) ||
      (b.likes ?? -1) - (a.likes ?? -1) ||
      a.key.localeCompare(b.key),
  );
  const byKind = new Map<OrgKind, NotableRelease[]>();
  for (const it of items) {
    const list = byKind.get(it.kind) ?? [];
    list.push(it);
    byKind.set(it.kind, list);
  }
  const groups = ORG_KINDS.filter((k) => byKind.has(k)).map((kind) => {
    const list = byKind.get(kind)!;
    return { kind, count: list.length, items: list.slice(0, NOTABLE_PER_KIND) };
  });
  return { total: items.length, groups };
}

function familyWeek(snaps: WeekSnaps): { values: Map<string, number>; days: number } {
  const values = new Map<string, number>();
  let days = 0;
  for (const { snap } of snaps) {
    if (!snap) continue;
    days++;
    for (const f of snap.families ?? []) values.set(f.family, (values.get(f.family) ?? 0) + f.newDerivatives);
  }
  return { values, days };
}

async function chart(
  title: string,
  caption: string,
  data: Array<Record<string, string | number | null>>,
  spec: Parameters<typeof renderVegaLiteSvg>[0],
): Promise<ChartDigest> {
  const svg = await renderVegaLiteSvg(spec);
  return { title, caption, data, svg, ...svgSize(svg) };
}

function coverageSummary(snaps: WeekSnaps): PlatformCoverageSummary[] {
  return PLATFORMS.map((platform) => {
    const s: PlatformCoverageSummary = {
      platform,
      daysWithSnapshot: 0,
      daysComplete: 0,
      incompleteDates: [],
      absentDates: [],
      requests: 0,
      pages: 0,
      http429: 0,
      errors: 0,
      quarantined: 0,
      allTimeDecreased: 0,
      modelsSeenLastDay: null,
      downloads30dSource: null,
      notes: [],
    };
    for (const { date, snap } of snaps) {
      if (!snap) continue;
      const c = snap.coverage[platform];
      if (!c) {
        s.absentDates.push(date);
        continue;
      }
      s.daysWithSnapshot++;
      if (incompleteReasons(snap, platform).length === 0) s.daysComplete++;
      else s.incompleteDates.push(date);
      s.requests += c.requests;
      s.pages += c.pages;
      s.http429 += c.http429;
      s.errors += c.errors;
      s.quarantined += c.quarantined;
      s.allTimeDecreased += c.anomalies?.allTimeDecreased ?? 0;
      s.modelsSeenLastDay = c.modelsSeen;
      s.downloads30dSource = c.downloads30dSource ?? null;
      for (const n of c.notes ?? []) {
        const note = `${date}: ${capString(n, LIMITS.text)}`;
        if (s.notes.length < 20) s.notes.push(note);
      }
    }
    return s;
  });
}

export async function buildDigest(deps: DigestDeps): Promise<Digest> {
  const iso = parseIsoWeek(deps.week);
  const prevIso = parseIsoWeek(addWeeks(iso.week, -1));
  const trendWeeks = weeksEndingWith(iso.week, TREND_WEEKS).map(parseIsoWeek);
  const cache = new SnapshotCache(deps.dataDir, await listSnapshotDates(deps.dataDir));

  // Started first: on a large store the new-base-model scan is the slow part, the snapshot reads overlap it.
  const storePart = (async () => {
    const bases = await newBaseModels(deps.store, iso);
    const licenseCounts = new Map<LicenseClass, number>();
    for (const r of bases) licenseCounts.set(r.license.class, (licenseCounts.get(r.license.class) ?? 0) + 1);
    return { licenseMix: mixRows(licenseCounts), notable: await notableReleases(deps.store, bases, iso) };
  })();

  const weekSnaps = await Promise.all(trendWeeks.map((w) => cache.week(w)));
  const cur = weekSnaps[weekSnaps.length - 1]!;
  const prev = weekSnaps[weekSnaps.length - 2]!;
  const status = { thisWeek: weekStatus(iso, cur), previousWeek: weekStatus(prevIso, prev) };

  // New releases: Σ of the week's daily snapshot totals, per platform, combined and per country in each view.
  const platforms = {} as Record<Platform, CountChange>;
  for (const p of PLATFORMS) platforms[p] = countChange(sumNewReleases(cur, p), sumNewReleases(prev, p));
  const combined = countChange(sumNewReleases(cur, 'combined'), sumNewReleases(prev, 'combined'));
  const byCountryViews = {} as Record<View, NewReleasesByCountry>;
  const byPlatformCountry = {} as Record<View, Partial<Record<Platform, NewReleasesByCountry>>>;
  for (const view of VIEWS) {
    byCountryViews[view] = byCountry(sumByCountry(cur, view, 'combined'), sumByCountry(prev, view, 'combined'));
    byPlatformCountry[view] = {};
    for (const p of PLATFORMS) {
      const c = sumByCountry(cur, view, p);
      const q = sumByCountry(prev, view, p);
      if (c.size || q.size) byPlatformCountry[view][p] = byCountry(c, q);
    }
  }

  const downloads30d = shareComparison('downloads30d', iso, prevIso, cur, prev);
  const derivatives = shareComparison('derivatives', iso, prevIso, cur, prev);

  // Families: Σ of the daily snapshots' families[].newDerivatives per week, eight weeks.
  const famWeeks = weekSnaps.map((s, i) => ({
    iso: trendWeeks[i]!,
    ...familyWeek(s),
    missing: s.filter((d) => !d.snap).length,
  }));
  const familyNames = new Set<string>();
  for (const fw of famWeeks) for (const f of fw.values.keys()) familyNames.add(f);
  const familyRows: FamilyRowDigest[] = [...familyNames].map((family) => {
    const trend = famWeeks.map((fw) => ({
      week: fw.iso.week,
      newDerivatives: fw.days === 0 ? null : (fw.values.get(family) ?? 0),
      complete: fw.missing === 0,
      missingDates: fw.missing,
    }));
    const thisWeek = trend[trend.length - 1]!.newDerivatives;
    const previousWeek = trend[trend.length - 2]!.newDerivatives;
    return {
      family: capString(family, LIMITS.text),
      thisWeek,
      previousWeek,
      change: thisWeek !== null && previousWeek !== null ? thisWeek - previousWeek : null,
      trend,
    };
  });
  familyRows.sort((a, b) => (b.thisWeek ?? -1) - (a.thisWeek ?? -1) || a.family.localeCompare(b.family));

  // Chart 1: origin-view shares of combined 30-day downloads at each week's last snapshot.
  const weekEnds = weekSnaps.map((s, i) => ({ week: trendWeeks[i]!.week, last: lastWith(s, 'downloads30d') }));
  const latestWithData = [...weekEnds]
    .reverse()
    .find((w) => w.last?.snap.metrics.downloads30d.scopes[SCOPE]?.origin.combined);
  const topCountries = (latestWithData?.last?.snap.metrics.downloads30d.scopes[SCOPE]?.origin.combined?.shares ?? [])
    .slice(0, CHART_COUNTRIES)
    .map((e) => e.country)
    .filter((c) => /^[A-Z]{2}$/.test(c));
  const sharePoints: CountrySharePoint[] = [];
  for (const w of weekEnds) {
    const list = w.last?.snap.metrics.downloads30d.scopes[SCOPE]?.origin.combined;
    if (!list || list.total === 0) continue;
    let other = 0;
    for (const e of list.shares) {
      if (topCountries.includes(e.country)) sharePoints.push({ week: w.week, country: e.country, share: e.share });
      else other += e.share;
    }
    if (other > 0) sharePoints.push({ week: w.week, country: 'Other', share: other });
  }
  const chartCountries = [...topCountries, ...(sharePoints.some((p) => p.country === 'Other') ? ['Other'] : [])];
  const missingChartWeeks = weekEnds.filter((w) => !w.last).map((w) => w.week);
  const countryShares = await chart(
    'Share of 30-day downloads by origin country, last eight weeks',
    `Origin view (whose model it is), all platforms with a 30-day figure combined, at each week's last snapshot.` +
      (missingChartWeeks.length ? ` No snapshot in ${missingChartWeeks.join(', ')}: left empty.` : ''),
    sharePoints.map((p) => ({ ...p })),
    countrySharesSpec(
      sharePoints,
      trendWeeks.map((w) => w.week),
      chartCountries,
    ),
  );

  // Chart 2: this week's new releases by origin country.
  const originRows = byCountryViews.origin.rows.filter((r) => r.thisWeek > 0);
  const splitPoints = originRows.slice(0, SPLIT_COUNTRIES).map((r) => ({ country: r.country, releases: r.thisWeek }));
  const restReleases = originRows.slice(SPLIT_COUNTRIES).reduce((a, r) => a + r.thisWeek, 0);
  if (restReleases > 0) splitPoints.push({ country: 'Other', releases: restReleases });
  const originSplit = await chart(
    `New releases by origin country, ${iso.week}`,
    `Σ of the daily snapshots' new releases, origin view, all platforms.` +
      (status.thisWeek.missingDates.length
        ? ` Incomplete: no snapshot for ${status.thisWeek.missingDates.join(', ')}.`
        : ''),
    splitPoints.map((p) => ({ ...p })),
    originSplitSpec(splitPoints),
  );

  const { licenseMix, notable } = await storePart;

  const lastSnap =
    [...cur].reverse().find((d) => d.snap)?.snap ?? [...prev].reverse().find((d) => d.snap)?.snap ?? null;
  const coverage = coverageSummary(cur);

  const incomplete: string[] = [];
  const warnings: string[] = [];
  for (const ws of [status.thisWeek, status.previousWeek]) {
    if (ws.missingDates.length === 7) {
      warnings.push(`${ws.week} has no snapshots at all: its figures are absent, not zero.`);
    } else if (ws.missingDates.length) {
      warnings.push(
        `${ws.week} is missing the snapshot${ws.missingDates.length > 1 ? 's' : ''} for ${ws.missingDates.join(', ')}: ` +
          `its weekly figures cover ${7 - ws.missingDates.length} of 7 days and are marked incomplete.`,
      );
    }
  }
  for (const c of coverage) {
    if (c.incompleteDates.length) {
      incomplete.push(
        `${c.platform}: coverage incomplete on ${c.incompleteDates.join(', ')} (see the snapshots' coverage).`,
      );
    }
    if (c.absentDates.length)
      incomplete.push(`${c.platform}: absent from the snapshots of ${c.absentDates.join(', ')}.`);
  }
  for (const [name, cmp] of [
    ['30-day downloads', downloads30d],
    ['derivatives', derivatives],
  ] as const) {
    if (cmp.asOf && !cmp.asOfIsWeekEnd)
      incomplete.push(`${name}: no snapshot for ${iso.end}; shares are as of ${cmp.asOf}.`);
    if (cmp.previousAsOf && !cmp.previousAsOfIsWeekEnd) {
      incomplete.push(`${name}: no snapshot for ${prevIso.end}; previous-week shares are as of ${cmp.previousAsOf}.`);
    }
    if (!cmp.asOf) incomplete.push(`${name}: no snapshot in ${iso.week}; no shares.`);
  }
  const trendMissing = famWeeks.filter((fw) => fw.missing > 0);
  if (trendMissing.length) {
    incomplete.push(
      `Eight-week trends: ${trendMissing.map((fw) => `${fw.iso.week} misses ${fw.missing} day${fw.missing > 1 ? 's' : ''}`).join('; ')}.`,
    );
  }
  warnings.push(...incomplete);

  const topOrigin = byCountryViews.origin.rows.slice(0, 3).filter((r) => r.thisWeek > 0);
  const summary =
    `${iso.week}: ${fmtInt(combined.thisWeek)} new releases${fmtChangePct(combined.changePct)}` +
    `${combined.complete ? '' : ' (incomplete week)'}; ${fmtInt(notable.total)} new base models from known organisations` +
    (topOrigin.length
      ? `; top origins ${topOrigin.map((r) => `${countryName(r.country)} ${fmtPct(r.share)}`).join(', ')}`
      : '') +
    '.';

  return {
    schema: DIGEST_SCHEMA,
    week: iso.week,
    start: iso.start,
    end: iso.end,
    previousWeek: prevIso.week,
    generatedAt: (deps.now ?? new Date()).toISOString(),
    generator: `hubwatch ${VERSION} digest`,
    title: `hubwatch weekly digest, ${iso.week} (${iso.start} to ${iso.end})`,
    summary,
    status: {
      ...status,
      // The trend weeks and the previous week carry their own flags; this says whether the week itself is whole.
      complete:
        status.thisWeek.complete &&
        coverage.every((c) => c.incompleteDates.length === 0 && c.absentDates.length === 0) &&
        downloads30d.asOfIsWeekEnd &&
        derivatives.asOfIsWeekEnd,
      warnings,
    },
    headlines: {
      newReleases: { combined, platforms, byCountry: byCountryViews, byPlatformCountry },
      downloads30d,
      derivatives,
      licenseMix: { newBaseModels: licenseMix, allNewReleases: licenseMixFromSnapshots(cur) },
    },
    notable,
    families: { rows: familyRows, weeks: trendWeeks.map((w) => w.week) },
    charts: { countryShares, originSplit },
    method: {
      windows: lastSnap?.metrics.downloads30d?.window ?? {},
      // The snapshot's method speaks the data's code for no known country (ZZ); readers are told "unattributed".
      views: Object.fromEntries(
        Object.entries(
          lastSnap?.method?.views ?? {
            publisher: 'who uploaded the model',
            origin: "whose model it is: the lineage root's publisher",
          },
        ).map(([view, text]) => [view, text.replace(/\bZZ\b/g, 'unattributed')]),
      ) as Record<View, string>,
      scope: `${SCOPE}: every task (the snapshots' llm scope is not used here)`,
      definitions: {
        newReleases:
          "Σ over the week's daily snapshots (Monday to Sunday, UTC) of metrics.newReleases.scopes.all totals, per view, platform and country; the previous week the same. A day without a snapshot adds nothing and marks the week incomplete.",
        downloads30d:
          "metrics.downloads30d.scopes.all combined shares at the week's last snapshot (Sunday, or the latest day present) against the previous week's last snapshot; change in percentage points.",
        derivatives:
          "metrics.derivatives.scopes.all combined shares (derivative models counted by their root's country) at the week's last snapshot against the previous week's; the change in count is new derivatives net of deletions.",
        licenseMixNewBase:
          'New base models (relation base) whose releasedAt falls in the week, from the store (latest state of each record, so a licence corrected since counts as corrected, and a model deleted since is not counted), by licence class.',
        licenseMixAllReleases: "Σ of the daily snapshots' licenses.byClass newReleases (all relations).",
        notable:
          'New base models whose publisher is a registry organisation (org not null), releasedAt in the week, ranked by first-week downloads (likes shown apart, used only to break ties), top ' +
          `${NOTABLE_PER_KIND} per organisation kind.`,
        firstWeekDownloads:
          "For a model created in the week, its count began at zero, so the figure is its all-time count at its last stats day in the week (the 30-day count where the platform gives no all-time count; under 30 days old the two are equal). For a model made public late (old createdAt), the all-time count at its last stats day in the week minus the one at its first stats day in the week. Read from the record's stats when no later stats day is stored yet (they are then the week's last figures), otherwise from store.statsHistory (firstWeekSource says which). Null when no stats day exists in the week.",
        momentum:
          "Each notable release's momentum on the last stats day on or before the week's end (the snapshot's momentum block has the method in full). RAM, after the ATOM Report's Relative Adoption Metric: its all-time downloads ÷ the 10th-largest among base models of its platform and size class created inside the stored history, at the same age (a cut-off that never falls with age); null with fewer than 10 such peers, a cut-off under 100 downloads, or no size (parameters from the record, else from the name). 7-day growth, after Model Pulse: the last 7 days' downloads ÷ the mean weekly downloads of the 3 weeks before, minus 1, where that mean is at least 100; null for a model without a count 28 days back, so for most new releases.",
        families: "Σ of the daily snapshots' families[].newDerivatives per ISO week, eight weeks ending with this one.",
        charts:
          "Country shares: origin view, combined 30-day downloads at each week's last snapshot; the top countries of the latest week, the rest as Other. Origin split: this week's new releases, origin view.",
        ...(lastSnap?.method?.metrics
          ? Object.fromEntries(Object.entries(lastSnap.method.metrics).map(([k, v]) => [`snapshot.${k}`, v]))
          : {}),
      },
      coverage,
      trendWeeks: famWeeks.map((fw, i) => ({
        week: fw.iso.week,
        missingDates: weekSnaps[i]!.filter((d) => !d.snap).map((d) => d.date),
        asOf: weekEnds[i]!.last?.date ?? null,
      })),
      incomplete,
      contactUrl: deps.config?.file.contactUrl ?? null,
    },
  };
}
