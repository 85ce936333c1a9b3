// What the API and the static export answer, as rendered bodies. Routes and exportStatic both call these
// functions, so a file under data/public/ is byte for byte what the API would have said (up to its own links).
// This file fetches (store, snapshot files) and checks; query parsing is query.ts, which snapshot files exist and
// their cached figures snapshot-file-stats.ts, the documents render-feeds.ts (JSON Feed, Atom) and render-csv.ts.
import { InputError } from '../errors.js';
import { capString, splitKey, type Platform } from '../model.js';
import { readSnapshot } from '../snapshot/files.js';
import type { MetricBlock, ShareList } from '../snapshot/types.js';
import type { ModelPage, ReadStore } from '../store/types.js';
import type { Rendered } from './cache.js';
import { badParam, movedTo, notFound } from './errors.js';
import { realDate, type FeedFilters, type SharesQuery } from './query.js';
import { sharesCsv, snapshotCsv } from './render-csv.js';
import { atomFeed, jsonFeedDocument, type PageLinks } from './render-feeds.js';
import { ATOM_TYPE, CACHE, CSV_TYPE, FEED_TYPE, jsonAnswer } from './responses.js';
import { SnapshotFileStats } from './snapshot-file-stats.js';

export interface FeedServiceOptions {
  store: ReadStore;
  dataDir: string;
  defaultLimit: number;
  registryEntries?: unknown[];
  /** Checks a response against its OpenAPI component before it is rendered (throws or logs, the caller decides). */
  check?: (component: string, value: unknown) => void;
  /** How often the snapshots directory may be stat'ed for a new file, in ms. */
  statIntervalMs?: number;
}

export class FeedService {
  readonly store: ReadStore;
  readonly dataDir: string;
  readonly defaultLimit: number;
  private readonly registryEntries: unknown[] | undefined;
  private readonly check: (component: string, value: unknown) => void;
  private readonly files: SnapshotFileStats;

  constructor(opts: FeedServiceOptions) {
    this.store = opts.store;
    this.dataDir = opts.dataDir;
    this.defaultLimit = opts.defaultLimit;
    this.registryEntries = opts.registryEntries;
    this.check = opts.check ?? (() => {});
    this.files = new SnapshotFileStats(opts.dataDir, opts.statIntervalMs ?? 1000);
  }

  /** Changes whenever a snapshot file is written or invalidate() is called (see SnapshotFileStats). */
  generation(): Promise<string> {
    return this.files.generation();
  }

  /** The generation without waiting, or null when the directory is due for a stat (then await generation()). */
  currentGeneration(): string | null {
    return this.files.currentGeneration();
  }

  /** Checks a response against its OpenAPI component (when the server asked for checks), for renderers outside this file. */
  checkResponse(component: string, value: unknown): void {
    this.check(component, value);
  }

  invalidate(): void {
    this.files.invalidate();
  }

  snapshotDates(): Promise<string[]> {
    return this.files.dates();
  }

  latestDate(): Promise<string | null> {
    return this.files.latestDate();
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
      if (err instanceof InputError)
        throw badParam('cursor', 'cursor is not one this service issued; start again without it');
      await this.store.listModels({ ...q, limit: 1 });
      throw badParam('cursor', 'cursor is not one this service issued; start again without it');
    }
  }

  async renderJsonFeed(f: FeedFilters, links: PageLinks): Promise<Rendered> {
    const page = await this.modelPage(f);
    const next = page.nextCursor === null ? null : links.next(page.nextCursor);
    const feed = jsonFeedDocument(f, page.items, links, next);
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
    return jsonAnswer(body, CACHE.live);
  }

  async renderModel(platform: Platform, id: string): Promise<Rendered> {
    const key = `${platform}:${id}`;
    const model = await this.store.getModel(key);
    if (!model) {
      const now = await this.store.renamedTo(key);
      const to = now === null ? null : splitKey(now);
      if (to) {
        const path = to.id.split('/').map(encodeURIComponent).join('/');
        throw movedTo(
          `/api/v1/models/${to.platform}/${path}`,
          `${capString(key, 200)} was renamed to ${capString(now!, 200)}`,
        );
      }
      throw notFound(`no model ${capString(key, 200)} is tracked`);
    }
    const history = await this.store.statsHistory(key);
    const body = { model, history };
    this.check('ModelDetail', body);
    return jsonAnswer(body, CACHE.model);
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
    return jsonAnswer(body, CACHE.model);
  }

  // ---- snapshots ---------------------------------------------------------------------------------------------

  async renderSnapshotIndex(): Promise<Rendered> {
    const dates = await this.snapshotDates();
    const body = { dates, latest: dates[dates.length - 1] ?? null, count: dates.length };
    this.check('SnapshotIndex', body);
    return jsonAnswer(body, CACHE.live);
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
    return jsonAnswer(snap, cacheControl);
  }

  async sharesSeries(q: SharesQuery): Promise<Record<string, unknown>> {
    const dates = (await this.snapshotDates()).filter(
      (d) => (q.from === undefined || d >= q.from) && (q.to === undefined || d <= q.to),
    );
    const points: Array<Record<string, unknown>> = [];
    let window: MetricBlock['window'] = {};
    for (const date of dates) {
      const block = (await this.files.metricsOf(date))?.[q.metric];
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
    return jsonAnswer(series, CACHE.live);
  }
}
