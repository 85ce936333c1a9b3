// Query strings into what the feed service reads: the model feed's filters and the share series' query. ajv (the
// route schemas in schemas.ts) has already checked types and patterns; what a pattern cannot say is checked here,
// each failure a 400 naming its parameter.
import type { LicenseClass, OrgKind, Platform, Relation } from '../model.js';
import type { Metric, Scope, View } from '../snapshot/types.js';
import { badParam } from './errors.js';

export interface FeedFilters {
  platform?: Platform;
  country?: string;
  view: View;
  org?: string;
  kind?: OrgKind;
  licenseClass?: LicenseClass;
  relation?: Relation;
  /** Normalised to an ISO instant. */
  since?: string;
  limit: number;
  cursor?: string;
}

/** Turns a validated query (ajv already checked types and patterns) into filters; checks what a pattern cannot. */
export function filtersFromQuery(q: Record<string, unknown>, defaultLimit: number): FeedFilters {
  const f: FeedFilters = {
    view: (q.view as View | undefined) ?? 'origin',
    limit: typeof q.limit === 'number' ? q.limit : defaultLimit,
  };
  if (typeof q.platform === 'string') f.platform = q.platform as Platform;
  if (typeof q.country === 'string') f.country = q.country.toUpperCase();
  if (typeof q.org === 'string') f.org = q.org;
  if (typeof q.kind === 'string') f.kind = q.kind as OrgKind;
  if (typeof q.license_class === 'string') f.licenseClass = q.license_class as LicenseClass;
  if (typeof q.relation === 'string') f.relation = q.relation as Relation;
  if (typeof q.since === 'string') f.since = parseSince(q.since);
  if (typeof q.cursor === 'string') f.cursor = q.cursor;
  return f;
}

/** A calendar date that exists (the pattern lets 2025-02-30 through). */
export function realDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function parseSince(s: string): string {
  if (!realDate(s)) throw badParam('since', `since: ${s.slice(0, 10)} is not a calendar date`);
  let iso = s.length === 10 ? `${s}T00:00:00Z` : s;
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  iso = iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw badParam('since', 'since must be a date (YYYY-MM-DD) or an RFC 3339 date-time');
  // Nothing was released before 1970, and years before it (0000 included) are not instants every engine casts.
  return new Date(Math.max(t, 0)).toISOString();
}

/** The filters as a canonical query string (fixed order, defaults left out), for links and cache keys. */
export function filterSearch(f: FeedFilters, defaultLimit: number, cursor?: string | null): string {
  const p = new URLSearchParams();
  if (f.platform) p.set('platform', f.platform);
  if (f.country) p.set('country', f.country);
  if (f.view !== 'origin') p.set('view', f.view);
  if (f.org) p.set('org', f.org);
  if (f.kind) p.set('kind', f.kind);
  if (f.licenseClass) p.set('license_class', f.licenseClass);
  if (f.relation) p.set('relation', f.relation);
  if (f.since) p.set('since', f.since);
  if (f.limit !== defaultLimit) p.set('limit', String(f.limit));
  if (cursor) p.set('cursor', cursor);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface SharesQuery {
  metric: Metric;
  view: View;
  scope: Scope;
  platform: Platform | 'combined';
  from?: string;
  to?: string;
}

/** The `from`/`to` pair of a series query: each a real calendar date when given, and in order. */
export function dateRangeFrom(q: Record<string, unknown>): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  for (const k of ['from', 'to'] as const) {
    const v = q[k];
    if (typeof v !== 'string') continue;
    if (!realDate(v)) throw badParam(k, `${k}: ${v} is not a calendar date`);
    out[k] = v;
  }
  if (out.from && out.to && out.from > out.to) throw badParam('from', `from (${out.from}) is after to (${out.to})`);
  return out;
}

export function sharesQueryFrom(q: Record<string, unknown>): SharesQuery {
  return {
    metric: (q.metric as Metric | undefined) ?? 'downloads30d',
    view: (q.view as View | undefined) ?? 'origin',
    scope: (q.scope as Scope | undefined) ?? 'all',
    platform: (q.platform as Platform | 'combined' | undefined) ?? 'combined',
    ...dateRangeFrom(q),
  };
}
