// Where every dashboard page points. The live server carries state in query strings; the static export cannot read
// a query string, so each state it publishes is its own file, and a link to a state it did not publish is null
// (shown as plain text). Pages are written once against this interface and render the same either way.
import { createHash } from 'node:crypto';
import type { View } from '../snapshot/types.js';
import {
  DEFAULT_RACES,
  licenceKey,
  overviewKey,
  overviewSearch,
  racesSearch,
  releaseSearch,
  type OverviewState,
  type RacesState,
  type ReleaseFilters,
} from './state.js';

export type Asset = 'dashboard.css' | 'dashboard.js';

export interface Links {
  readonly mode: 'server' | 'static';
  overview(s: OverviewState): string;
  races(view: View): string;
  /** A races state with its licence figure's choice. */
  racesState(s: RacesState): string;
  /** The latest day's licence × country tables, every metric, scope, view and platform. */
  licencesCsv(): string;
  licencesJson(): string;
  releases(f: ReleaseFilters): string | null;
  org(name: string): string | null;
  model(key: string): string | null;
  sharesJson(s: OverviewState): string;
  sharesCsv(s: OverviewState): string;
  chartSvg(s: OverviewState): string;
  badge(s: OverviewState, country: string): string | null;
  asset(name: Asset): string;
  /** The API description (live) or the exported copy. */
  openapi(): string;
  /** The latest snapshot's momentum list as GET /api/v1/momentum gives it by default (live) or the exported copy. */
  momentumJson(): string;
}

function sharesParams(s: OverviewState): string {
  return new URLSearchParams({ metric: s.metric, view: s.view, scope: s.scope, platform: s.platform }).toString();
}

export function serverLinks(assetVersion: Record<Asset, string>): Links {
  return {
    mode: 'server',
    overview: (s) => `/${overviewSearch(s)}`,
    races: (view) => (view === 'origin' ? '/races' : `/races?view=${view}`),
    racesState: (s) => `/races${racesSearch(s)}`,
    licencesCsv: () => '/races/licences.csv',
    licencesJson: () => '/races/licences.json',
    releases: (f) => `/releases${releaseSearch(f)}`,
    org: (name) => `/org/${encodeURIComponent(name)}`,
    model: (key) => {
      const i = key.indexOf(':');
      if (i < 0) return null;
      return `/model/${encodeURIComponent(key.slice(0, i))}/${key
        .slice(i + 1)
        .split('/')
        .map(encodeURIComponent)
        .join('/')}`;
    },
    sharesJson: (s) => `/api/v1/shares?${sharesParams(s)}`,
    sharesCsv: (s) => `/api/v1/shares.csv?${sharesParams(s)}`,
    chartSvg: (s) => `/chart/shares.svg?${sharesParams(s)}`,
    badge: (s, country) => `/badge/share.svg?${sharesParams(s)}&country=${encodeURIComponent(country)}`,
    asset: (name) => `/dashboard/assets/${name}?v=${assetVersion[name]}`,
    openapi: () => '/openapi.json',
    momentumJson: () => '/api/v1/momentum',
  };
}

/** A file-name-safe, collision-free name for a platform string (readable part plus a hash of the whole). */
export function slug(s: string): string {
  const readable = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${readable || 'x'}-${createHash('sha1').update(s).digest('hex').slice(0, 8)}`;
}

export interface StaticSets {
  orgs: Set<string>;
  models: Set<string>;
  badges: Set<string>;
}

export const staticFiles = {
  overview: (s: OverviewState): string => (overviewSearch(s) === '' ? 'index.html' : `overview-${overviewKey(s)}.html`),
  races: (view: View): string => (view === 'origin' ? 'races.html' : `races-${view}.html`),
  racesState: (s: RacesState): string =>
    licenceKey(s) === licenceKey(DEFAULT_RACES) ? staticFiles.races(s.view) : `races-${s.view}-${licenceKey(s)}.html`,
  licencesCsv: (): string => 'dashboard-data/licences-by-country.csv',
  licencesJson: (): string => 'dashboard-data/licences-by-country.json',
  releases: (f: ReleaseFilters): string | null => {
    if (f.country || f.org || f.licenseClass || f.view !== 'origin') return null;
    const list = f.platform ? `releases-${f.platform}` : 'releases';
    return f.order ? `${list}-by-${f.order}.html` : `${list}.html`;
  },
  org: (name: string): string => `org-${slug(name)}.html`,
  model: (key: string): string => `model-${slug(key)}.html`,
  sharesJson: (s: OverviewState): string => `dashboard-data/shares-${overviewKey(s)}.json`,
  sharesCsv: (s: OverviewState): string => `dashboard-data/shares-${overviewKey(s)}.csv`,
  chartSvg: (s: OverviewState): string => `charts/shares-${overviewKey(s)}.svg`,
  badge: (s: OverviewState, country: string): string => `badges/share-${country}-${overviewKey(s)}.svg`,
  asset: (name: Asset): string => `assets/${name}`,
};

/** Links between the exported files, all relative to the export's root (every page sits at the top level). */
export function staticLinks(sets: StaticSets): Links {
  return {
    mode: 'static',
    overview: staticFiles.overview,
    races: staticFiles.races,
    racesState: staticFiles.racesState,
    licencesCsv: staticFiles.licencesCsv,
    licencesJson: staticFiles.licencesJson,
    releases: staticFiles.releases,
    org: (name) => (sets.orgs.has(name) ? staticFiles.org(name) : null),
    model: (key) => (sets.models.has(key) ? staticFiles.model(key) : null),
    sharesJson: staticFiles.sharesJson,
    sharesCsv: staticFiles.sharesCsv,
    chartSvg: staticFiles.chartSvg,
    badge: (s, country) => (sets.badges.has(staticFiles.badge(s, country)) ? staticFiles.badge(s, country) : null),
    asset: staticFiles.asset,
    openapi: () => 'openapi.json',
    // Written by the feed's export (src/feed/export.ts) beside the dashboard's files.
    momentumJson: () => 'momentum.json',
  };
}
