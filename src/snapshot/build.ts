// Builds the daily snapshot from the store in one streaming pass: memory grows with the number of countries,
// organisations and licences, never with the number of models. The same store gives the same file, byte for byte.
import type { LicenseClass, OrgKind, Platform } from '../model.js';
import { LICENSE_CLASSES, PLATFORMS, UNKNOWN_COUNTRY } from '../model.js';
import type { SnapshotRow, SnapshotStore } from '../store/types.js';
import { isStallDay, previousDates } from './previous.js';
import { figureSources } from './sources.js';
import { buildMomentum } from './momentum-build.js';
import {
  LICENSE_COUNTRY_METRICS,
  METRICS,
  SCOPES,
  SNAPSHOT_SCHEMA,
  VIEWS,
  type FamilyRow,
  type KindRow,
  type LicenseByCountry,
  type LicenseCountryMetric,
  type LicenseCountryRow,
  type LicenseCountryShares,
  type LicenseCountryTable,
  type LicenseRow,
  type Metric,
  type MetricBlock,
  type OrgRow,
  type PlatformCoverage,
  type Scope,
  type SensitivityRow,
  type ShareList,
  type Snapshot,
  type View,
  type ViewShares,
} from './types.js';
import { addDays } from '../time.js';
import { VERSION } from '../version.js';

export const GENERATOR = `hubwatch ${VERSION}`;
const ORG_TOP = 50;
const ANOMALY_EXAMPLES = 10;
/** Countries with their own row in a licence × country table; the rest are summed, so its size is fixed. */
export const LICENSE_TOP_COUNTRIES = 10;

export interface BuildSnapshotDeps {
  store: SnapshotStore;
  /** Tasks that make up the `llm` scope (config `scopes.llm`). */
  llmTasks: readonly string[];
}

type CountryMap = Map<string, number>;

/** Sums per (metric, scope, view, platform, country), plus the same under the registry's alternative countries. */
class ShareAccumulator {
  private readonly main = new Map<string, CountryMap>();
  private readonly alt = new Map<string, CountryMap>();

  add(
    metric: Metric,
    scope: Scope,
    view: View,
    platform: Platform,
    country: string,
    countryAlt: string,
    v: number,
  ): void {
    if (v === 0) return;
    const k = `${metric}|${scope}|${view}|${platform}`;
    bump(this.main, k, country, v);
    bump(this.alt, k, countryAlt, v);
  }

  get(metric: Metric, scope: Scope, view: View, platform: Platform, alt = false): CountryMap {
    return (alt ? this.alt : this.main).get(`${metric}|${scope}|${view}|${platform}`) ?? new Map();
  }
}

type ClassMap = Map<LicenseClass, number>;

/**
 * Sums per (metric, scope, view, platform, country, licence class): countries × classes per key, never models.
 * The registry's alternative countries are left out; the sensitivity block covers the headline shares only.
 */
class LicenseCountryAccumulator {
  private readonly m = new Map<string, Map<string, ClassMap>>();

  add(
    metric: LicenseCountryMetric,
    scope: Scope,
    view: View,
    platform: Platform,
    country: string,
    cls: LicenseClass,
    v: number,
  ): void {
    const k = `${metric}|${scope}|${view}|${platform}`;
    let byCountry = this.m.get(k);
    if (!byCountry) this.m.set(k, (byCountry = new Map()));
    let byClass = byCountry.get(country);
    if (!byClass) byCountry.set(country, (byClass = new Map()));
    byClass.set(cls, (byClass.get(cls) ?? 0) + v);
  }

  get(metric: LicenseCountryMetric, scope: Scope, view: View, platform: Platform): Map<string, ClassMap> {
    return this.m.get(`${metric}|${scope}|${view}|${platform}`) ?? new Map();
  }
}

const byClassOrder = (a: LicenseClass, b: LicenseClass): number =>
  LICENSE_CLASSES.indexOf(a) - LICENSE_CLASSES.indexOf(b);

function licenseRow(country: string, countries: number, classes: ClassMap): LicenseCountryRow {
  let total = 0;
  for (const v of classes.values()) total += v;
  return {
    country,
    countries,
    total,
    classes: [...classes.entries()]
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1] || byClassOrder(a[0], b[0]))
      .map(([cls, value]) => ({ class: cls, value, share: value / total })),
  };
}

/** Leading countries by total (ties by code), then the other known countries summed, then ZZ. */
export function licenseTable(values: Map<string, ClassMap>, top = LICENSE_TOP_COUNTRIES): LicenseCountryTable {
  const totals = [...values.entries()]
    .map(([country, classes]) => ({ country, classes, total: [...classes.values()].reduce((s, v) => s + v, 0) }))
    .filter((x) => x.total > 0);
  const known = totals
    .filter((x) => x.country !== UNKNOWN_COUNTRY)
    .sort((a, b) => b.total - a.total || (a.country < b.country ? -1 : a.country > b.country ? 1 : 0));
  const rows = known.slice(0, top).map((x) => licenseRow(x.country, 1, x.classes));
  const rest = known.slice(top);
  if (rest.length > 0) {
    const sum: ClassMap = new Map();
    for (const x of rest) for (const [c, v] of x.classes) sum.set(c, (sum.get(c) ?? 0) + v);
    rows.push(licenseRow('other', rest.length, sum));
  }
  const zz = totals.find((x) => x.country === UNKNOWN_COUNTRY);
  if (zz) rows.push(licenseRow(UNKNOWN_COUNTRY, 1, zz.classes));
  return { total: totals.reduce((s, x) => s + x.total, 0), rows };
}

function mergeLicenseMaps(maps: Array<Map<string, ClassMap>>): Map<string, ClassMap> {
  const out = new Map<string, ClassMap>();
  for (const m of maps)
    for (const [country, classes] of m) {
      let o = out.get(country);
      if (!o) out.set(country, (o = new Map()));
      for (const [c, v] of classes) o.set(c, (o.get(c) ?? 0) + v);
    }
  return out;
}

const LICENSE_BY_COUNTRY_METHOD = `Licence classes within each country: for 30-day downloads and new releases, per scope, view and platform (and combined over the platforms that have the figure, as in metrics), the share of each licence class in the country's total. The ${LICENSE_TOP_COUNTRIES} leading countries by that total have their own row; the other known countries are summed as "other"; unattributed models (ZZ) are their own row. Windows as in metrics.<metric>.window; countries as in the view, without the registry's alternatives.`;

function bump(outer: Map<string, CountryMap>, k: string, country: string, v: number): void {
  let m = outer.get(k);
  if (!m) outer.set(k, (m = new Map()));
  m.set(country, (m.get(country) ?? 0) + v);
}

export function shareList(values: CountryMap): ShareList {
  let total = 0;
  for (const v of values.values()) total += v;
  const entries = [...values.entries()]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const unknown = values.get(UNKNOWN_COUNTRY) ?? 0;
  return {
    total,
    attributed: total > 0 ? (total - unknown) / total : 0,
    shares: total > 0 ? entries.map(([country, value]) => ({ country, value, share: value / total })) : [],
  };
}

function mergeMaps(maps: CountryMap[]): CountryMap {
  const out: CountryMap = new Map();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/** One entry per scope, each with one per view, in the snapshot's order of both. */
function byScopeAndView<T>(entry: (scope: Scope, view: View) => T): Record<Scope, Record<View, T>> {
  const out = {} as Record<Scope, Record<View, T>>;
  for (const scope of SCOPES) {
    const views = {} as Record<View, T>;
    for (const view of VIEWS) views[view] = entry(scope, view);
    out[scope] = views;
  }
  return out;
}

/**
 * Each platform's table, null where it has no figure (`figureOf` gives null), and the table of the platforms that
 * have one combined, with their names.
 */
function acrossPlatforms<M, T>(
  platforms: readonly Platform[],
  figureOf: (p: Platform) => M | null,
  tableOf: (m: M) => T,
  merge: (maps: M[]) => M,
): { combined: T | null; combinedPlatforms: Platform[]; platforms: Partial<Record<Platform, T | null>> } {
  const per: Partial<Record<Platform, T | null>> = {};
  const included: Platform[] = [];
  const maps: M[] = [];
  for (const p of platforms) {
    const m = figureOf(p);
    per[p] = m === null ? null : tableOf(m);
    if (m !== null) {
      included.push(p);
      maps.push(m);
    }
  }
  return { combined: included.length > 0 ? tableOf(merge(maps)) : null, combinedPlatforms: included, platforms: per };
}

function dayOf(iso: string | null): string | null {
  return iso ? iso.slice(0, 10) : null;
}

interface Tally {
  models: number;
  newReleases: number;
  downloads30d: number;
  derivatives: number;
  newDerivatives: number;
}
const emptyTally = (): Tally => ({ models: 0, newReleases: 0, downloads30d: 0, derivatives: 0, newDerivatives: 0 });

interface PlatformState {
  rows: number;
  /** Rows that carry an all-time figure 30 days back: the history a 30-day window needs exists. */
  with30dHistory: number;
  anomalies: number;
  examples: string[];
}

const METHOD_METRICS: Record<Metric, string> = {
  downloads30d:
    'Downloads over the last 30 days. Hugging Face gives it directly; ModelScope and WiseModel give cumulative counts only, so theirs is the all-time count minus the stored count 30 days earlier, and null until that history exists.',
  downloadsAllTime: 'Cumulative downloads as the platform reports them on the day.',
  downloadsDaily:
    "All-time downloads minus those of the platform's previous stored day that is not a stall day (window says which; null on the first day and on a stall day). A count that went down is recorded as an anomaly in coverage and gives that model no daily figure, never zero or negative downloads.",
  newReleases:
    'Models released that day: created that day, or first seen that day when made public more than two days after creation.',
  derivatives:
    'Models whose relation is not base (fine-tunes, adapters, quantisations, merges), counted by the country of their lineage root in the origin view and of their uploader in the publisher view.',
  likes: 'Likes (Hugging Face, WiseModel) or stars (ModelScope) on the day.',
};

/** The snapshot of `date` from the store. Throws nothing for an empty day: the snapshot then says so in coverage. */
export async function buildSnapshot(deps: BuildSnapshotDeps, date: string): Promise<Snapshot> {
  const { store } = deps;
  const llm = new Set(deps.llmTasks);
  const dates = await store.statsDates();
  const prevDate = [...dates].reverse().find((d) => d < date) ?? null;
  // Daily downloads per platform from its own previous non-stall day (previous.ts): a dump date holds the Hub alone,
  // and a stall day's counters did not move. A stall day itself has no daily figure.
  const prevDates = await previousDates(store, date, dates, await store.platformsOn(date));
  const prevOf = (p: Platform): string | null => prevDates[p] ?? null;
  const stalled = new Set<Platform>();
  for (const p of PLATFORMS) if (await isStallDay(store, p, date)) stalled.add(p);
  const date30 = addDays(date, -30);

  const acc = new ShareAccumulator();
  // The 30-day figure for cumulative-only platforms is decided after the pass, once we know whether history exists.
  const hist30 = new ShareAccumulator();
  const licCountry = new LicenseCountryAccumulator();
  const licCountryHist30 = new LicenseCountryAccumulator();
  const platformState = new Map<Platform, PlatformState>();
  const licClass = new Map<string, Tally>();
  const licId = new Map<string, Tally>();
  const families = new Map<string, Tally>();
  const orgs: Record<View, Map<string, Tally & { country: string; kind: OrgKind }>> = {
    publisher: new Map(),
    origin: new Map(),
  };
  const kinds: Record<View, Map<OrgKind, Tally>> = { publisher: new Map(), origin: new Map() };

  const tallyInto = <K>(m: Map<K, Tally>, k: K, f: (t: Tally) => void): void => {
    let t = m.get(k);
    if (!t) m.set(k, (t = emptyTally()));
    f(t);
  };

  /**
   * `metric|platform` pairs with at least one known figure: a platform whose every figure is null (WiseModel without a
   * configured gateway has no downloads) has no share list and is not among the combined platforms.
   */
  const figured = new Set<string>();
  for await (const chunk of store.streamSnapshotRows(date, prevDates)) {
    for (const r of chunk) {
      let ps = platformState.get(r.platform);
      if (!ps) platformState.set(r.platform, (ps = { rows: 0, with30dHistory: 0, anomalies: 0, examples: [] }));
      ps.rows += 1;
      const released = dayOf(r.releasedAt) === date;
      const derivative = r.relation !== 'base';

      // downloads30d: the platform's own window, or the stored history for cumulative-only platforms.
      const d30: number | null = r.downloads30d;
      let d30hist: number | null = null;
      if (r.downloadsAllTime !== null) {
        if (r.allTime30dAgo !== null) {
          ps.with30dHistory += 1;
          d30hist = Math.max(0, r.downloadsAllTime - r.allTime30dAgo);
        } else if (r.createdAt !== null && r.createdAt.slice(0, 10) > date30) {
          // Created inside the window: everything it has was downloaded within the last 30 days.
          d30hist = r.downloadsAllTime;
        }
      }

      let daily: number | null = null;
      const rPrev = prevOf(r.platform);
      if (rPrev !== null && r.downloadsAllTime !== null && !stalled.has(r.platform)) {
        if (r.prevAllTime !== null) {
          const delta = r.downloadsAllTime - r.prevAllTime;
          // A counter that went down says nothing about the day's downloads: no figure (never 0, never negative).
          if (delta < 0) {
            ps.anomalies += 1;
            if (ps.examples.length < ANOMALY_EXAMPLES) ps.examples.push(r.key);
          } else daily = delta;
        } else if (r.createdAt !== null && r.createdAt.slice(0, 10) >= rPrev) {
          daily = r.downloadsAllTime;
        }
      }

      const values: Record<Metric, number | null> = {
        downloads30d: d30,
        downloadsAllTime: r.downloadsAllTime,
        downloadsDaily: daily,
        newReleases: released ? 1 : 0,
        derivatives: derivative ? 1 : 0,
        likes: r.likes,
      };
      for (const metric of METRICS) if (values[metric] !== null) figured.add(`${metric}|${r.platform}`);
      const scopes: Scope[] = r.task !== null && llm.has(r.task) ? ['all', 'llm'] : ['all'];
      for (const scope of scopes) {
        for (const metric of METRICS) {
          const v = values[metric];
          if (v === null || v === 0) continue;
          acc.add(
            metric,
            scope,
            'publisher',
            r.platform,
            r.publisherCountry,
            r.publisherCountryAlt ?? r.publisherCountry,
            v,
          );
          acc.add(metric, scope, 'origin', r.platform, r.originCountry, r.originCountryAlt ?? r.originCountry, v);
        }
        if (d30 === null && d30hist !== null && d30hist > 0) {
          hist30.add(
            'downloads30d',
            scope,
            'publisher',
            r.platform,
            r.publisherCountry,
            r.publisherCountryAlt ?? r.publisherCountry,
            d30hist,
          );
          hist30.add(
            'downloads30d',
            scope,
            'origin',
            r.platform,
            r.originCountry,
            r.originCountryAlt ?? r.originCountry,
            d30hist,
          );
        }
        // The same split as the shares: the platform's own window here, stored history in its own sums, chosen after.
        for (const view of VIEWS) {
          const country = view === 'publisher' ? r.publisherCountry : r.originCountry;
          if (released) licCountry.add('newReleases', scope, view, r.platform, country, r.licenseClass, 1);
          if (d30 !== null && d30 > 0)
            licCountry.add('downloads30d', scope, view, r.platform, country, r.licenseClass, d30);
          if (d30 === null && d30hist !== null && d30hist > 0) {
            licCountryHist30.add('downloads30d', scope, view, r.platform, country, r.licenseClass, d30hist);
          }
        }
      }

      const dl30 = d30 ?? d30hist ?? 0;
      const tally = (t: Tally): void => {
        t.models += 1;
        if (released) t.newReleases += 1;
        t.downloads30d += dl30;
        if (derivative) t.derivatives += 1;
        if (derivative && released) t.newDerivatives += 1;
      };
      tallyInto(licClass, r.licenseClass, tally);
      tallyInto(licId, r.licenseId, tally);
      if (r.family !== null) tallyInto(families, r.family, tally);
      for (const view of VIEWS) {
        const org = view === 'publisher' ? r.publisherOrg : r.originOrg;
        const kind = view === 'publisher' ? r.publisherKind : r.originKind;
        tallyInto(kinds[view], kind, tally);
        if (org !== null) {
          let o = orgs[view].get(org);
          if (!o) {
            o = {
              ...emptyTally(),
              country: view === 'publisher' ? r.publisherCountry : r.originCountry,
              kind,
            };
            orgs[view].set(org, o);
          }
          tally(o);
        }
      }
    }
  }

  const coverageFromStore = await store.getCoverage(date);
  const platforms = PLATFORMS.filter((p) => platformState.has(p) || coverageFromStore[p] !== undefined);

  // A cumulative-only platform has a 30-day figure once any of its models has a stored count 30 days back.
  const d30Source = (p: Platform): PlatformCoverage['downloads30dSource'] => {
    if (p === 'huggingface') return 'platform';
    return (platformState.get(p)?.with30dHistory ?? 0) > 0 ? 'history' : 'unavailable';
  };

  const metricBlock = (metric: Metric): MetricBlock => {
    const scopesOut = byScopeAndView((scope, view): ViewShares =>
      acrossPlatforms(
        platforms,
        (p) => {
          let m: CountryMap | null = figured.has(`${metric}|${p}`) ? acc.get(metric, scope, view, p) : null;
          if (metric === 'downloads30d' && p !== 'huggingface') {
            m = d30Source(p) === 'history' ? hist30.get(metric, scope, view, p) : null;
          }
          if (metric === 'downloadsDaily' && (prevOf(p) === null || stalled.has(p))) m = null;
          return m;
        },
        shareList,
        mergeMaps,
      ),
    );
    const window: MetricBlock['window'] = {};
    for (const p of platforms) {
      if (metric === 'downloads30d') {
        const s = d30Source(p);
        window[p] =
          s === 'platform'
            ? 'last 30 days, as the platform reports it'
            : s === 'history'
              ? 'last 30 days, from stored cumulative counts'
              : 'unavailable: no stored history 30 days back yet';
      } else if (metric === 'downloadsDaily') {
        const since = prevOf(p);
        window[p] = stalled.has(p)
          ? 'unavailable: a stall day (most counters did not move; the next day covers it)'
          : since
            ? `since the snapshot of ${since}`
            : 'unavailable: first snapshot';
      } else if (metric === 'newReleases') {
        window[p] = `released on ${date}`;
      } else {
        window[p] = `as of ${date}`;
      }
    }
    return { window, scopes: scopesOut };
  };

  const metrics = {} as Snapshot['metrics'];
  for (const m of METRICS) metrics[m] = metricBlock(m);

  // Platforms in and out of each combined table exactly as in the metric's own shares.
  const licenseByCountry: LicenseByCountry = {
    method: LICENSE_BY_COUNTRY_METHOD,
    topCountries: LICENSE_TOP_COUNTRIES,
    metrics: {} as LicenseByCountry['metrics'],
  };
  for (const metric of LICENSE_COUNTRY_METRICS) {
    const scopesOut = byScopeAndView((scope, view): LicenseCountryShares =>
      acrossPlatforms(
        platforms,
        (p) => {
          if (metric === 'downloads30d' && p !== 'huggingface') {
            return d30Source(p) === 'history' ? licCountryHist30.get(metric, scope, view, p) : null;
          }
          return licCountry.get(metric, scope, view, p);
        },
        (m) => licenseTable(m),
        mergeLicenseMaps,
      ),
    );
    licenseByCountry.metrics[metric] = { scopes: scopesOut };
  }

  const coverage: Snapshot['coverage'] = {};
  for (const p of platforms) {
    const c = coverageFromStore[p];
    const ps = platformState.get(p);
    coverage[p] = {
      requests: c?.requests ?? 0,
      pages: c?.pages ?? 0,
      http429: c?.http429 ?? 0,
      errors: c?.errors ?? 0,
      quarantined: c?.quarantined ?? 0,
      incomplete: c?.incomplete ?? 0,
      complete: c?.complete ?? false,
      degraded: c?.degraded ?? false,
      swept: c?.swept ?? false,
      notes: c?.notes ?? [],
      modelsSeen: ps?.rows ?? 0,
      anomalies: { allTimeDecreased: ps?.anomalies ?? 0, examples: ps?.examples ?? [] },
      downloads30dSource: d30Source(p),
    };
  }

  const byKeyRows = <K extends string>(m: Map<K, Tally>): Array<LicenseRow & { key: K }> =>
    [...m.entries()]
      .map(([key, t]) => ({ key, models: t.models, newReleases: t.newReleases, downloads30d: t.downloads30d }))
      .sort((a, b) => b.downloads30d - a.downloads30d || b.models - a.models || (a.key < b.key ? -1 : 1));

  const familyRows: FamilyRow[] = [...families.entries()]
    .map(([family, t]) => ({
      family,
      models: t.models,
      downloads30d: t.downloads30d,
      derivatives: t.derivatives,
      newDerivatives: t.newDerivatives,
    }))
    .sort((a, b) => b.downloads30d - a.downloads30d || b.derivatives - a.derivatives || (a.family < b.family ? -1 : 1));

  const orgRows = (view: View): OrgRow[] =>
    [...orgs[view].entries()]
      .map(([org, t]) => ({
        org,
        country: t.country,
        kind: t.kind,
        models: t.models,
        newReleases: t.newReleases,
        downloads30d: t.downloads30d,
        derivatives: t.derivatives,
      }))
      .sort((a, b) => b.downloads30d - a.downloads30d || b.models - a.models || (a.org < b.org ? -1 : 1))
      .slice(0, ORG_TOP);

  const kindRows = (view: View): KindRow[] => {
    const total = [...kinds[view].values()].reduce((s, t) => s + t.downloads30d, 0);
    return [...kinds[view].entries()]
      .map(([kind, t]) => ({
        kind,
        models: t.models,
        newReleases: t.newReleases,
        downloads30d: t.downloads30d,
        share: total > 0 ? t.downloads30d / total : 0,
      }))
      .sort((a, b) => b.downloads30d - a.downloads30d || b.models - a.models || (a.kind < b.kind ? -1 : 1));
  };

  // Sensitivity: the headline shares (combined, every scope and view) under the registry's alternative countries.
  const sensitivity: SensitivityRow[] = [];
  for (const metric of ['downloads30d', 'newReleases', 'derivatives'] as const) {
    for (const scope of SCOPES) {
      for (const view of VIEWS) {
        const included = metrics[metric].scopes[scope][view].combinedPlatforms;
        const pick = (alt: boolean): CountryMap =>
          mergeMaps(
            included.map((p) =>
              metric === 'downloads30d' && p !== 'huggingface'
                ? hist30.get(metric, scope, view, p, alt)
                : acc.get(metric, scope, view, p, alt),
            ),
          );
        const main = shareList(pick(false));
        const alt = shareList(pick(true));
        const altShare = new Map(alt.shares.map((s) => [s.country, s.share]));
        const mainShare = new Map(main.shares.map((s) => [s.country, s.share]));
        const countries = [...new Set([...mainShare.keys(), ...altShare.keys()])].sort();
        for (const country of countries) {
          const share = mainShare.get(country) ?? 0;
          const shareAlt = altShare.get(country) ?? 0;
          if (share === shareAlt) continue;
          sensitivity.push({ metric, scope, view, country, share, shareAlt, deltaPp: (shareAlt - share) * 100 });
        }
      }
    }
  }
  sensitivity.sort(
    (a, b) =>
      Math.abs(b.deltaPp) - Math.abs(a.deltaPp) ||
      `${a.metric}${a.scope}${a.view}${a.country}`.localeCompare(`${b.metric}${b.scope}${b.view}${b.country}`),
  );

  return {
    schema: SNAPSHOT_SCHEMA,
    date,
    previousDate: prevDate,
    generator: GENERATOR,
    method: {
      views: {
        publisher: 'Who uploaded the model: the namespace owner from the organisation registry, or an individual (ZZ).',
        origin:
          'Whose model it is: the publisher of the lineage root, following base models across hops and platforms; redistributors and mirrors take the origin of what they redistribute.',
      },
      scopes: {
        all: 'Every model the platform lists.',
        llm: 'Generative language and vision-language models, by task (see llmTasks).',
        llmTasks: [...deps.llmTasks],
      },
      metrics: METHOD_METRICS,
      unknownCountry: 'ZZ',
      sources: await figureSources(store, date, platforms),
    },
    platforms,
    coverage,
    metrics,
    licenses: {
      byClass: byKeyRows(licClass as Map<LicenseClass, Tally>).filter((r) =>
        (LICENSE_CLASSES as readonly string[]).includes(r.key),
      ),
      byId: byKeyRows(licId),
    },
    families: familyRows,
    orgs: { publisher: orgRows('publisher'), origin: orgRows('origin') },
    kinds: { publisher: kindRows('publisher'), origin: kindRows('origin') },
    sensitivity: {
      rows: sensitivity,
      maxAbsDeltaPp: sensitivity.reduce((m, r) => Math.max(m, Math.abs(r.deltaPp)), 0),
    },
    licenseByCountry,
    // Its own streamed passes over the store (momentum-build.ts), after the shares'.
    momentum: await buildMomentum(deps, date),
  };
}

export type { SnapshotRow };
