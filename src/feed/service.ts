// What the API and the static export answer, as rendered bodies. Routes and exportStatic both call these
// functions, so a file under data/public/ is byte for byte what the API would have said (up to its own links).
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { splitKey, type LicenseClass, type NormalisedRecord, type OrgKind, type Platform, type Relation } from '../model.js';
import { listSnapshotDates, readSnapshot, snapshotPath, snapshotsDir } from '../snapshot/files.js';
import {
  METRICS,
  SCOPES,
  VIEWS,
  type Metric,
  type MetricBlock,
  type Scope,
  type ShareList,
  type Snapshot,
  type View,
} from '../snapshot/types.js';
import type { ModelPage, Store } from '../store/types.js';
import type { Rendered } from './cache.js';
import { ApiError, badParam, movedTo, notFound } from './errors.js';
import { capText, csvTable, displayText, xmlEscape } from './text.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const FEED_TYPE = 'application/feed+json; charset=utf-8';
export const ATOM_TYPE = 'application/atom+xml; charset=utf-8';
export const CSV_TYPE = 'text/csv; charset=utf-8';

export const CACHE = {
  live: 'public, max-age=60',
  day: 'public, max-age=3600',
  model: 'public, max-age=300',
} as const;

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

/** Where a rendered page points: the API builds query-string links, the static export file names. */
export interface PageLinks {
  home: string;
  self: string;
  /** The same page in the other format (Atom for JSON Feed and back). */
  alternate: string;
  /** Where the `_hubwatch` extension and the API are described. */
  about: string;
  /** The next page's URL for a store cursor, or null when the next page is not published (static export's end). */
  next(cursor: string): string | null;
}

export interface SharesQuery {
  metric: Metric;
  view: View;
  scope: Scope;
  platform: Platform | 'combined';
  from?: string;
  to?: string;
}

export function sharesQueryFrom(q: Record<string, unknown>): SharesQuery {
  const out: SharesQuery = {
    metric: (q.metric as Metric | undefined) ?? 'downloads30d',
    view: (q.view as View | undefined) ?? 'origin',
    scope: (q.scope as Scope | undefined) ?? 'all',
    platform: (q.platform as Platform | 'combined' | undefined) ?? 'combined',
  };
  for (const k of ['from', 'to'] as const) {
    const v = q[k];
    if (typeof v !== 'string') continue;
    if (!realDate(v)) throw badParam(k, `${k}: ${v} is not a calendar date`);
    out[k] = v;
  }
  if (out.from && out.to && out.from > out.to) throw badParam('from', `from (${out.from}) is after to (${out.to})`);
  return out;
}

export interface FeedServiceOptions {
  store: Store;
  dataDir: string;
  defaultLimit: number;
  registryEntries?: unknown[];
  /** Checks a response against its OpenAPI component before it is rendered (throws or logs, the caller decides). */
  check?: (component: string, value: unknown) => void;
  /** How often the snapshots directory may be stat'ed for a new file, in ms. */
  statIntervalMs?: number;
}

interface MetricsCacheEntry {
  mtimeNs: bigint;
  metrics: Snapshot['metrics'] | null;
}

const FEED_VERSION = 'https://jsonfeed.org/version/1.1';
const PLATFORM_LABEL: Record<Platform, string> = {
  huggingface: 'Hugging Face',
  modelscope: 'ModelScope',
  wisemodel: 'WiseModel',
};
const MAX_METRICS_CACHE = 1100;

export class FeedService {
  readonly store: Store;
  readonly dataDir: string;
  readonly defaultLimit: number;
  private readonly registryEntries: unknown[] | undefined;
  private readonly check: (component: string, value: unknown) => void;
  private readonly statIntervalMs: number;
  private manualGeneration = 0;
  private dirGeneration = 'none';
  /** manualGeneration.dirGeneration, rebuilt when either changes rather than on every request. */
  private gen = '0.none';
  private lastStat = 0;
  private statting: Promise<void> | null = null;
  private datesCache: { gen: string; dates: Promise<string[]> } | null = null;
  private readonly metricsCache = new Map<string, MetricsCacheEntry>();

  constructor(opts: FeedServiceOptions) {
    this.store = opts.store;
    this.dataDir = opts.dataDir;
    this.defaultLimit = opts.defaultLimit;
    this.registryEntries = opts.registryEntries;
    this.check = opts.check ?? (() => {});
    this.statIntervalMs = opts.statIntervalMs ?? 1000;
  }

  /**
   * Changes whenever a snapshot file is written or invalidate() is called. Writes are atomic renames into the
   * snapshots directory, and a rename updates the directory's mtime, so one stat notices any new or rebuilt file.
   */
  async generation(): Promise<string> {
    const now = Date.now();
    if (now - this.lastStat >= this.statIntervalMs) {
      this.statting ??= this.statDir(now).finally(() => {
        this.statting = null;
      });
      await this.statting;
    }
    return this.gen;
  }

  /** The generation without waiting, or null when the directory is due for a stat (then await generation()). */
  currentGeneration(): string | null {
    return Date.now() - this.lastStat < this.statIntervalMs ? this.gen : null;
  }

  invalidate(): void {
    this.manualGeneration += 1;
    this.gen = `${this.manualGeneration}.${this.dirGeneration}`;
    this.lastStat = 0;
    this.metricsCache.clear();
  }

  private async statDir(now: number): Promise<void> {
    try {
      const s = await stat(snapshotsDir(this.dataDir), { bigint: true });
      this.dirGeneration = `${s.mtimeNs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.dirGeneration = 'none';
    }
    this.gen = `${this.manualGeneration}.${this.dirGeneration}`;
    this.lastStat = now;
  }

  async snapshotDates(): Promise<string[]> {
    const gen = await this.generation();
    if (this.datesCache?.gen !== gen) {
      const dates = listSnapshotDates(this.dataDir);
      this.datesCache = { gen, dates };
      dates.catch(() => {
        if (this.datesCache?.dates === dates) this.datesCache = null;
      });
    }
    return this.datesCache.dates;
  }

  async latestDate(): Promise<string | null> {
    const dates = await this.snapshotDates();
    return dates[dates.length - 1] ?? null;
  }

  // ---- models and feeds --------------------------------------------------------------------------------------

  async modelPage(f: FeedFilters): Promise<ModelPage> {
    const q = {
      platform: f.platform,
      country: f.country,
      view: f.view,
      org: f.org,
      kind: f.kind,
      licenseClass: f.licenseClass,
      relation: f.relation,
      since: f.since,
      limit: f.limit,
    };
    try {
      return await this.store.listModels(f.cursor ? { ...q, cursor: f.cursor } : q);
    } catch (err) {
      if (!f.cursor) {
        if (err instanceof InputError) throw badParam('since', err.message);
        throw err;
      }
      // The cursor is opaque to us, so whether the store choked on it or on itself is told by asking again
      // without it: a forged cursor is the client's fault (400), a store that fails anyway is ours.
      if (err instanceof InputError) throw badParam('cursor', 'cursor is not one this service issued; start again without it');
      await this.store.listModels({ ...q, limit: 1 });
      throw badParam('cursor', 'cursor is not one this service issued; start again without it');
    }
  }

  async renderJsonFeed(f: FeedFilters, links: PageLinks): Promise<Rendered> {
    const page = await this.modelPage(f);
    const feed: Record<string, unknown> = {
      version: FEED_VERSION,
      title: feedTitle(f),
      home_page_url: links.home,
      feed_url: links.self,
      description:
        'New open AI model releases on Hugging Face, ModelScope and WiseModel, newest first, with licence, ' +
        'origin and lineage. The _hubwatch object of each item holds the normalised record.',
      language: 'en',
      authors: [{ name: 'hubwatch', url: links.home }],
    };
    const next = page.nextCursor === null ? null : links.next(page.nextCursor);
    if (next !== null) feed.next_url = next;
    feed.items = page.items.map((r) => feedItem(r, links.about));
    this.check('JsonFeed', feed);
    return { body: JSON.stringify(feed), contentType: FEED_TYPE, cacheControl: CACHE.live };
  }

  async renderAtom(f: FeedFilters, links: PageLinks): Promise<Rendered> {
    const page = await this.modelPage(f);
    const next = page.nextCursor === null ? null : links.next(page.nextCursor);
    return { body: atomFeed(f, page.items, links, next), contentType: ATOM_TYPE, cacheControl: CACHE.live };
  }

  async renderModels(f: FeedFilters, nextUrl: (cursor: string) => string): Promise<Rendered> {
    const page = await this.modelPage(f);
    const body = {
      items: page.items,
      nextCursor: page.nextCursor,
      nextUrl: page.nextCursor === null ? null : nextUrl(page.nextCursor),
    };
    this.check('ModelPage', body);
    return json(body, CACHE.live);
  }

  async renderModel(platform: Platform, id: string): Promise<Rendered> {
    const key = `${platform}:${id}`;
    const model = await this.store.getModel(key);
    if (!model) {
      const now = await this.store.renamedTo(key);
      const to = now === null ? null : splitKey(now);
      if (to) {
        const path = to.id.split('/').map(encodeURIComponent).join('/');
        throw movedTo(`/api/v1/models/${to.platform}/${path}`, `${capText(key, 200)} was renamed to ${capText(now!, 200)}`);
      }
      throw notFound(`no model ${capText(key, 200)} is tracked`);
    }
    const history = await this.store.statsHistory(key);
    const body = { model, history };
    this.check('ModelDetail', body);
    return json(body, CACHE.model);
  }

  async renderOrgs(): Promise<Rendered> {
    const counts = await this.store.orgCounts();
    const byOrg = new Map(counts.map((c) => [c.org, c]));
    const orgs: Array<Record<string, unknown>> = [];
    const listed = new Set<string>();
    for (const entry of this.registryEntries ?? []) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const e = entry as Record<string, unknown>;
      if (typeof e.org !== 'string' || listed.has(e.org)) continue;
      listed.add(e.org);
      const c = byOrg.get(e.org);
      orgs.push({
        org: e.org,
        country: typeof e.country === 'string' ? e.country : null,
        kind: typeof e.kind === 'string' ? e.kind : null,
        inRegistry: true,
        publisherModels: c?.publisherModels ?? 0,
        originModels: c?.originModels ?? 0,
        entry: e,
      });
    }
    // Counts for names the registry no longer lists (renamed entries, an older store) are still shown.
    for (const c of counts) {
      if (listed.has(c.org)) continue;
      orgs.push({
        org: c.org,
        country: null,
        kind: null,
        inRegistry: false,
        publisherModels: c.publisherModels,
        originModels: c.originModels,
        entry: null,
      });
    }
    const body = { orgs };
    this.check('OrgList', body);
    return json(body, CACHE.model);
  }

  // ---- snapshots ---------------------------------------------------------------------------------------------

  async renderSnapshotIndex(): Promise<Rendered> {
    const dates = await this.snapshotDates();
    const body = { dates, latest: dates[dates.length - 1] ?? null, count: dates.length };
    this.check('SnapshotIndex', body);
    return json(body, CACHE.live);
  }

  /** `latest` or a date; CSV is the long table of every share list. */
  async renderSnapshot(which: string, format: 'json' | 'csv'): Promise<Rendered> {
    const date = which === 'latest' ? await this.latestDate() : which;
    if (date === null) throw notFound('no snapshot has been written yet');
    if (which !== 'latest' && !realDate(date)) throw badParam('date', `date: ${date} is not a calendar date`);
    const snap = await readSnapshot(this.dataDir, date);
    if (!snap) throw notFound(`no snapshot for ${date}`);
    // A moving target (latest) is cached for a minute; a dated snapshot changes only if the day is rebuilt.
    const cacheControl = which === 'latest' ? CACHE.live : CACHE.day;
    if (format === 'csv') return { body: snapshotCsv(snap), contentType: CSV_TYPE, cacheControl };
    this.check('Snapshot', snap);
    return json(snap, cacheControl);
  }

  private async metricsOf(date: string): Promise<Snapshot['metrics'] | null> {
    let mtimeNs: bigint;
    try {
      mtimeNs = (await stat(snapshotPath(this.dataDir, date), { bigint: true })).mtimeNs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const hit = this.metricsCache.get(date);
    if (hit && hit.mtimeNs === mtimeNs) return hit.metrics;
    const snap = await readSnapshot(this.dataDir, date);
    const metrics = snap?.metrics ?? null;
    if (this.metricsCache.size >= MAX_METRICS_CACHE) {
      const oldest = this.metricsCache.keys().next().value;
      if (oldest !== undefined) this.metricsCache.delete(oldest);
    }
    this.metricsCache.set(date, { mtimeNs, metrics });
    return metrics;
  }

  async sharesSeries(q: SharesQuery): Promise<Record<string, unknown>> {
    const dates = (await this.snapshotDates()).filter(
      (d) => (q.from === undefined || d >= q.from) && (q.to === undefined || d <= q.to),
    );
    const points: Array<Record<string, unknown>> = [];
    let window: MetricBlock['window'] = {};
    for (const date of dates) {
      const block = (await this.metricsOf(date))?.[q.metric];
      const vs = block?.scopes?.[q.scope]?.[q.view];
      let list: ShareList | null = null;
      let platforms: Platform[] = [];
      if (vs) {
        if (q.platform === 'combined') {
          list = vs.combined ?? null;
          platforms = list ? [...(vs.combinedPlatforms ?? [])] : [];
        } else {
          list = vs.platforms?.[q.platform] ?? null;
          platforms = list ? [q.platform] : [];
        }
      }
      if (block?.window) window = block.window;
      points.push({
        date,
        total: list?.total ?? null,
        attributed: list?.attributed ?? null,
        shares: list?.shares ?? [],
        platforms,
      });
    }
    return {
      metric: q.metric,
      view: q.view,
      scope: q.scope,
      platform: q.platform,
      from: q.from ?? null,
      to: q.to ?? null,
      window,
      points,
    };
  }

  async renderShares(q: SharesQuery, format: 'json' | 'csv'): Promise<Rendered> {
    const series = await this.sharesSeries(q);
    if (format === 'csv') return { body: sharesCsv(series), contentType: CSV_TYPE, cacheControl: CACHE.live };
    this.check('SharesSeries', series);
    return json(series, CACHE.live);
  }
}

function json(value: unknown, cacheControl: string): Rendered {
  return { body: JSON.stringify(value), contentType: JSON_TYPE, cacheControl };
}

// ---- feed rendering ------------------------------------------------------------------------------------------

function feedTitle(f: FeedFilters): string {
  const parts: string[] = [];
  if (f.platform) parts.push(PLATFORM_LABEL[f.platform]);
  if (f.country) parts.push(`${f.country} (${f.view})`);
  if (f.org) parts.push(displayText(f.org, 100));
  if (f.kind) parts.push(f.kind);
  if (f.licenseClass) parts.push(f.licenseClass);
  const what = f.relation === 'base' ? 'new base models' : f.relation ? `new ${f.relation} models` : 'new open model releases';
  return `hubwatch: ${what}${parts.length ? ` · ${parts.join(' · ')}` : ''}`;
}

function httpUrl(u: string): string | null {
  if (!/^https?:\/\//i.test(u)) return null;
  try {
    return new URL(u).href;
  } catch {
    return null;
  }
}

function publisherName(r: NormalisedRecord): string {
  return displayText(r.publisher.org ?? r.namespace, 200) || 'unknown';
}

/** The plain-text summary a reader shows under the title: who, where from, under which licence, derived from what. */
export function contentText(r: NormalisedRecord): string {
  const lines = [
    `${displayText(r.id, 300)} on ${PLATFORM_LABEL[r.platform]}`,
    `Publisher: ${publisherName(r)} (${r.publisher.country}, ${r.publisher.kind})`,
    `Origin: ${displayText(r.origin.org ?? 'unknown', 200)} (${r.origin.country}, ${r.origin.kind}; by ${r.origin.basis})`,
    `Licence: ${displayText(r.license.id, 200)} (${r.license.class})`,
  ];
  if (r.lineage.relation === 'base') lines.push('Relation: base model');
  else {
    const bases = r.lineage.baseModels.slice(0, 5).map((b) => displayText(b, 200));
    lines.push(
      `Relation: ${r.lineage.relation} of ${bases.length ? bases.join(', ') : 'an unknown model'}` +
        (r.lineage.root !== r.key ? `; root ${displayText(r.lineage.root, 300)}` : ''),
    );
  }
  if (r.lineage.family) lines.push(`Family: ${displayText(r.lineage.family, 100)}`);
  if (r.task) lines.push(`Task: ${displayText(r.task, 100)}`);
  return capText(lines.join('\n'), 3000);
}

function itemTags(r: NormalisedRecord): string[] {
  const raw = [r.platform, r.lineage.relation, r.license.class, r.task, r.library, ...r.tags.slice(0, 50)];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of raw) {
    if (!t) continue;
    const d = displayText(t, 100);
    if (!d || seen.has(d)) continue;
    seen.add(d);
    out.push(d);
    if (out.length >= 30) break;
  }
  return out;
}

export function feedItem(r: NormalisedRecord, about: string): Record<string, unknown> {
  const item: Record<string, unknown> = { id: r.key };
  const url = httpUrl(r.url);
  if (url) item.url = url;
  item.title = displayText(r.id, 300) || r.key;
  item.content_text = contentText(r);
  if (r.releasedAt) item.date_published = r.releasedAt;
  if (r.lastModified) item.date_modified = r.lastModified;
  item.tags = itemTags(r);
  item.authors = [{ name: publisherName(r) }];
  item._hubwatch = { about, ...r };
  return item;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

function atomId(s: string): string {
  return `urn:hubwatch:${encodeURIComponent(s.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'))}`;
}

function atomFeed(f: FeedFilters, items: NormalisedRecord[], links: PageLinks, next: string | null): string {
  const updatedOf = (r: NormalisedRecord): string => r.lastModified ?? r.releasedAt ?? r.firstSeenAt;
  // The feed's own updated is the newest entry's, so an unchanged page renders to the same bytes (same ETag).
  let updated = EPOCH;
  for (const r of items) {
    const u = updatedOf(r);
    if (Date.parse(u) > Date.parse(updated)) updated = u;
  }
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${xmlEscape(atomId(`feed:${filterSearch({ ...f, cursor: undefined }, f.limit)}`))}</id>`,
    `<title type="text">${xmlEscape(feedTitle(f))}</title>`,
    `<updated>${xmlEscape(updated)}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xmlEscape(links.self)}"/>`,
    `<link rel="alternate" type="application/feed+json" href="${xmlEscape(links.alternate)}"/>`,
    `<link rel="related" type="text/html" href="${xmlEscape(links.home)}"/>`,
  ];
  if (next !== null) out.push(`<link rel="next" type="application/atom+xml" href="${xmlEscape(next)}"/>`);
  out.push('<author><name>hubwatch</name></author>', '<generator>hubwatch</generator>');
  for (const r of items) {
    out.push('<entry>');
    out.push(`<id>${xmlEscape(atomId(`model:${r.key}`))}</id>`);
    out.push(`<title type="text">${xmlEscape(displayText(r.id, 300) || r.key)}</title>`);
    const url = httpUrl(r.url);
    if (url) out.push(`<link rel="alternate" type="text/html" href="${xmlEscape(url)}"/>`);
    if (r.releasedAt) out.push(`<published>${xmlEscape(r.releasedAt)}</published>`);
    out.push(`<updated>${xmlEscape(updatedOf(r))}</updated>`);
    out.push(`<author><name>${xmlEscape(publisherName(r))}</name></author>`);
    for (const t of itemTags(r)) out.push(`<category term="${xmlEscape(t)}"/>`);
    out.push(`<summary type="text">${xmlEscape(contentText(r))}</summary>`);
    out.push('</entry>');
  }
  out.push('</feed>');
  return `${out.join('\n')}\n`;
}

// ---- CSV -----------------------------------------------------------------------------------------------------

export const SNAPSHOT_CSV_HEADER = ['metric', 'scope', 'view', 'platform', 'country', 'value', 'share'] as const;
export const SHARES_CSV_HEADER = ['date', 'metric', 'scope', 'view', 'platform', 'country', 'value', 'share'] as const;

function snapshotCsv(snap: Snapshot): string {
  const rows: Array<Array<string | number | null>> = [];
  for (const metric of METRICS) {
    const block = snap.metrics?.[metric];
    for (const scope of SCOPES) {
      for (const view of VIEWS) {
        const vs = block?.scopes?.[scope]?.[view];
        if (!vs) continue;
        const lists: Array<[string, ShareList | null | undefined]> = [
          ['combined', vs.combined],
          ...Object.entries(vs.platforms ?? {}),
        ];
        for (const [platform, list] of lists) {
          for (const e of list?.shares ?? []) rows.push([metric, scope, view, platform, e.country, e.value, e.share]);
        }
      }
    }
  }
  return csvTable(SNAPSHOT_CSV_HEADER, rows);
}

function sharesCsv(series: Record<string, unknown>): string {
  const rows: Array<Array<string | number | null>> = [];
  const points = series.points as Array<{ date: string; shares: ShareList['shares'] }>;
  for (const p of points) {
    for (const e of p.shares) {
      rows.push([
        p.date,
        series.metric as string,
        series.scope as string,
        series.view as string,
        series.platform as string,
        e.country,
        e.value,
        e.share,
      ]);
    }
  }
  return csvTable(SHARES_CSV_HEADER, rows);
}

export { ApiError };
