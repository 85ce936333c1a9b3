// What a dashboard URL can say, parsed strictly: the URL is the state (a link shows what its sender saw), so an
// unknown parameter or value is a 400 naming it rather than a page that silently shows something else.
import { LICENSE_CLASSES, PLATFORMS, type LicenseClass, type Platform } from '../model.js';
import {
  LICENSE_COUNTRY_METRICS,
  MOMENTUM_METRICS,
  type LicenseCountryMetric,
  type Metric,
  type Scope,
  type View,
} from '../snapshot/types.js';

/** The metrics the dashboard charts (the four; all-time and daily downloads stay in the API). */
export const DASH_METRICS = [
  'downloads30d',
  'derivatives',
  'newReleases',
  'likes',
] as const satisfies readonly Metric[];
export type DashMetric = (typeof DASH_METRICS)[number];
export const DASH_PLATFORMS = ['combined', ...PLATFORMS] as const;
export type DashPlatform = (typeof DASH_PLATFORMS)[number];

export interface OverviewState {
  metric: DashMetric;
  view: View;
  scope: Scope;
  platform: DashPlatform;
}

export const DEFAULT_OVERVIEW: OverviewState = {
  metric: 'downloads30d',
  view: 'origin',
  scope: 'all',
  platform: 'combined',
};

/** How the releases are listed: by 30-day downloads (the default), or by one of the snapshot's momentum figures. */
export const RELEASE_ORDERS = ['downloads', ...MOMENTUM_METRICS] as const;
export type ReleaseOrder = (typeof RELEASE_ORDERS)[number];

export interface ReleaseFilters {
  view: View;
  platform?: Platform;
  country?: string;
  org?: string;
  licenseClass?: LicenseClass;
  /** Left out for the default, by 30-day downloads, so each list has one URL. */
  order?: Exclude<ReleaseOrder, 'downloads'>;
}

export class StateError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, unknown>;

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new StateError(name, `${name} is given more than once; give it once`);
  return v;
}

function pick<T extends string>(q: Query, name: string, allowed: readonly T[], fallback: T): T {
  const v = one(q, name);
  if (v === undefined || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new StateError(name, `${name} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function onlyKnown(q: Query, known: readonly string[]): void {
  for (const k of Object.keys(q)) {
    if (!known.includes(k)) throw new StateError(k.slice(0, 40), `unknown parameter ${JSON.stringify(k.slice(0, 40))}`);
  }
}

export const OVERVIEW_PARAMS = ['metric', 'view', 'scope', 'platform'] as const;

export function parseOverview(q: Query, extra: readonly string[] = []): OverviewState {
  onlyKnown(q, [...OVERVIEW_PARAMS, ...extra]);
  return {
    metric: pick(q, 'metric', DASH_METRICS, DEFAULT_OVERVIEW.metric),
    view: pick(q, 'view', ['publisher', 'origin'] as const, DEFAULT_OVERVIEW.view),
    scope: pick(q, 'scope', ['all', 'llm'] as const, DEFAULT_OVERVIEW.scope),
    platform: pick(q, 'platform', DASH_PLATFORMS, DEFAULT_OVERVIEW.platform),
  };
}

export function parseView(q: Query, extra: readonly string[] = []): View {
  onlyKnown(q, ['view', ...extra]);
  return pick(q, 'view', ['publisher', 'origin'] as const, 'origin');
}

/** The Races page: its view, and which licence × country table its licence figure draws. */
export interface RacesState {
  view: View;
  licMetric: LicenseCountryMetric;
  licScope: Scope;
  licPlatform: DashPlatform;
}

export const DEFAULT_RACES: RacesState = {
  view: 'origin',
  licMetric: 'downloads30d',
  licScope: 'all',
  licPlatform: 'combined',
};

export function parseRaces(q: Query): RacesState {
  onlyKnown(q, ['view', 'lic_metric', 'lic_scope', 'lic_platform']);
  return {
    view: pick(q, 'view', ['publisher', 'origin'] as const, DEFAULT_RACES.view),
    licMetric: pick(q, 'lic_metric', LICENSE_COUNTRY_METRICS, DEFAULT_RACES.licMetric),
    licScope: pick(q, 'lic_scope', ['all', 'llm'] as const, DEFAULT_RACES.licScope),
    licPlatform: pick(q, 'lic_platform', DASH_PLATFORMS, DEFAULT_RACES.licPlatform),
  };
}

/** Defaults left out, so `/races` is the default page and `?view=publisher` stays what it was. */
export function racesSearch(s: RacesState): string {
  const p = new URLSearchParams();
  if (s.view !== DEFAULT_RACES.view) p.set('view', s.view);
  if (s.licMetric !== DEFAULT_RACES.licMetric) p.set('lic_metric', s.licMetric);
  if (s.licScope !== DEFAULT_RACES.licScope) p.set('lic_scope', s.licScope);
  if (s.licPlatform !== DEFAULT_RACES.licPlatform) p.set('lic_platform', s.licPlatform);
  const out = p.toString();
  return out ? `?${out}` : '';
}

/** The licence part of a races state, for cache keys and file names. */
export function licenceKey(s: RacesState): string {
  return `${s.licMetric}.${s.licScope}.${s.licPlatform}`;
}

export function allRacesStates(): RacesState[] {
  const out: RacesState[] = [];
  for (const view of ['origin', 'publisher'] as const)
    for (const licMetric of LICENSE_COUNTRY_METRICS)
      for (const licScope of ['all', 'llm'] as const)
        for (const licPlatform of DASH_PLATFORMS) out.push({ view, licMetric, licScope, licPlatform });
  return out;
}

export function parseCountry(q: Query, name = 'country'): string | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^[A-Za-z]{2}$/.test(v))
    throw new StateError(name, `${name} must be a two-letter country code (ZZ: unattributed)`);
  return v.toUpperCase();
}

export function parseReleaseFilters(q: Query): ReleaseFilters {
  onlyKnown(q, ['view', 'platform', 'country', 'org', 'license_class', 'order']);
  const f: ReleaseFilters = { view: pick(q, 'view', ['publisher', 'origin'] as const, 'origin') };
  const platform = one(q, 'platform');
  if (platform) f.platform = pick(q, 'platform', PLATFORMS, 'huggingface');
  const country = parseCountry(q);
  if (country) f.country = country;
  const org = one(q, 'org');
  if (org) {
    if (org.length > 200) throw new StateError('org', 'org is longer than 200 characters');
    f.org = org;
  }
  const lc = one(q, 'license_class');
  if (lc) f.licenseClass = pick(q, 'license_class', LICENSE_CLASSES, 'unknown');
  const order = pick(q, 'order', RELEASE_ORDERS, 'downloads');
  if (order !== 'downloads') f.order = order;
  return f;
}

/** The canonical key of a state (fixed order, every field), for caches and file names. */
export function overviewKey(s: OverviewState): string {
  return `${s.metric}.${s.view}.${s.scope}.${s.platform}`;
}

/** The state as a query string with defaults left out, so the plain `/` is the default overview. */
export function overviewSearch(s: OverviewState): string {
  const p = new URLSearchParams();
  for (const k of OVERVIEW_PARAMS) if (s[k] !== DEFAULT_OVERVIEW[k]) p.set(k, s[k]);
  const out = p.toString();
  return out ? `?${out}` : '';
}

export function releaseSearch(f: ReleaseFilters): string {
  const p = new URLSearchParams();
  if (f.view !== 'origin') p.set('view', f.view);
  if (f.platform) p.set('platform', f.platform);
  if (f.country) p.set('country', f.country);
  if (f.org) p.set('org', f.org);
  if (f.licenseClass) p.set('license_class', f.licenseClass);
  if (f.order) p.set('order', f.order);
  const out = p.toString();
  return out ? `?${out}` : '';
}

export function allOverviewStates(): OverviewState[] {
  const out: OverviewState[] = [];
  for (const metric of DASH_METRICS)
    for (const view of ['origin', 'publisher'] as const)
      for (const scope of ['all', 'llm'] as const)
        for (const platform of DASH_PLATFORMS) out.push({ metric, view, scope, platform });
  return out;
}
