// The route table: each route's parameter schemas, its documented answers and how it renders. server.ts registers
// these with fastify and openapi.ts documents them, from the same objects.
import { digestRoutes } from '../digest/routes.js';
import type { Platform } from '../model.js';
import type { Rendered } from './cache.js';
import { historyRoutes } from './history-routes.js';
import { momentumRoutes } from './momentum-routes.js';
import { buildOpenApi, type RouteDoc } from './openapi.js';
import { bareModelParams, emptyQuery, filterQuery, modelParams, sharesQuery, snapshotDateParams } from './schemas.js';
import { filterSearch, filtersFromQuery, sharesQueryFrom } from './query.js';
import type { PageLinks } from './render-feeds.js';
import { ATOM_TYPE, CACHE, FEED_TYPE, JSON_TYPE } from './responses.js';
import type { FeedService } from './service.js';

export interface RouteContext {
  query: Record<string, unknown>;
  params: Record<string, string>;
  /** Absolute base URL for links in bodies (no trailing slash). */
  base: string;
  /** The client asked for CSV through Accept. */
  acceptsCsv: boolean;
  /** The Accept header as sent, for routes that offer more than JSON and CSV (the history downloads). */
  accept?: string;
}

/** How to answer: the cache key (without the data generation), how long a body may live, and how to render it. */
export interface Plan {
  key: string;
  /** null: until the data generation changes (snapshot files); a number: store-backed, refreshed after ttl. */
  ttlMs: number | null;
  /**
   * Called only on a cache miss. A method rather than an arrow property: under tsx (esbuild's keepNames) each arrow
   * property is named through Object.defineProperty when created, which a plan would pay on every request.
   */
  render(): Promise<Rendered>;
  /** Whether the answer depends on Accept (CSV negotiation), for Vary. */
  variesOnAccept?: boolean;
}

export interface RouteDef extends RouteDoc {
  plan(ctx: RouteContext): Plan;
}

export interface RouteOptions {
  svc: FeedService;
  defaultLimit: number;
  /** How long store-backed bodies (feeds, models, orgs) are served from memory before the store is asked again. */
  storeTtlMs: number;
}

const csvContent = {
  contentType: 'text/csv',
  schema: { type: 'string' },
  description: "Long table: one row per share entry (header row first; cells starting with = + - @ get a leading ').",
};

/** Links of a live feed page: same filters, the store's cursor for the next page. */
export function apiFeedLinks(
  base: string,
  path: string,
  altPath: string,
  search: string,
  next: (c: string) => string,
): PageLinks {
  return {
    home: `${base}/`,
    self: `${base}${path}${search}`,
    alternate: `${base}${altPath}${search}`,
    about: `${base}/openapi.json`,
    next,
  };
}

export function feedRoutes(opts: RouteOptions): RouteDef[] {
  const { svc, defaultLimit, storeTtlMs } = opts;
  const filters = filterQuery(defaultLimit);

  const feedPlan =
    (format: 'json' | 'xml') =>
    (ctx: RouteContext): Plan => {
      const f = filtersFromQuery(ctx.query, defaultLimit);
      const path = format === 'json' ? '/feed.json' : '/feed.xml';
      const alt = format === 'json' ? '/feed.xml' : '/feed.json';
      const search = filterSearch(f, defaultLimit, f.cursor);
      return {
        key: `${path}${search}|${ctx.base}`,
        ttlMs: storeTtlMs,
        render() {
          const links = apiFeedLinks(
            ctx.base,
            path,
            alt,
            search,
            (c) => `${ctx.base}${path}${filterSearch(f, defaultLimit, c)}`,
          );
          return format === 'json' ? svc.renderJsonFeed(f, links) : svc.renderAtom(f, links);
        },
      };
    };

  const snapshotPlan =
    (which: (ctx: RouteContext) => string, forceCsv: boolean) =>
    (ctx: RouteContext): Plan => {
      const w = which(ctx);
      const format = forceCsv || ctx.acceptsCsv ? 'csv' : 'json';
      return {
        key: `snapshot:${w}:${format}`,
        ttlMs: null,
        render() {
          return svc.renderSnapshot(w, format);
        },
        variesOnAccept: !forceCsv,
      };
    };

  const sharesPlan =
    (forceCsv: boolean) =>
    (ctx: RouteContext): Plan => {
      const q = sharesQueryFrom(ctx.query);
      const format = forceCsv || ctx.acceptsCsv ? 'csv' : 'json';
      return {
        key: `shares:${q.metric}:${q.view}:${q.scope}:${q.platform}:${q.from ?? ''}:${q.to ?? ''}:${format}`,
        ttlMs: null,
        render() {
          return svc.renderShares(q, format);
        },
        variesOnAccept: !forceCsv,
      };
    };

  const modelPlan = (ctx: RouteContext): Plan => {
    const platform = ctx.params.platform as Platform;
    const id = ctx.params.namespace === undefined ? ctx.params.name! : `${ctx.params.namespace}/${ctx.params.name!}`;
    return {
      key: `model:${platform}:${id}`,
      ttlMs: storeTtlMs,
      render() {
        return svc.renderModel(platform, id);
      },
    };
  };

  const snapshotOk = [
    { contentType: 'application/json', schema: { $ref: '#/components/schemas/Snapshot' } },
    csvContent,
  ];
  const sharesOk = [
    { contentType: 'application/json', schema: { $ref: '#/components/schemas/SharesSeries' } },
    csvContent,
  ];

  const routes: RouteDef[] = [
    {
      operationId: 'getFeedJson',
      url: '/feed.json',
      path: '/feed.json',
      summary: 'New releases as a JSON Feed 1.1',
      description:
        'Newest first by release instant. Item ids are `platform:id`; `_hubwatch` holds the normalised record. ' +
        'Follow `next_url` for older items.',
      tag: 'feeds',
      query: filters,
      ok: [{ contentType: FEED_TYPE.split(';')[0]!, schema: { $ref: '#/components/schemas/JsonFeed' } }],
      notFound: false,
      plan: feedPlan('json'),
    },
    {
      operationId: 'getFeedAtom',
      url: '/feed.xml',
      path: '/feed.xml',
      summary: 'New releases as an Atom 1.0 feed',
      description: 'The same items as /feed.json; the next page is `<link rel="next">`.',
      tag: 'feeds',
      query: filters,
      ok: [{ contentType: ATOM_TYPE.split(';')[0]!, schema: { type: 'string' } }],
      notFound: false,
      plan: feedPlan('xml'),
    },
    {
      operationId: 'listSnapshots',
      url: '/api/v1/snapshots',
      path: '/api/v1/snapshots',
      summary: 'Dates that have a daily snapshot',
      description: 'Ascending, with the latest date.',
      tag: 'snapshots',
      query: emptyQuery,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/SnapshotIndex' } }],
      notFound: false,
      plan: () => ({
        key: 'snapshots',
        ttlMs: null,
        render() {
          return svc.renderSnapshotIndex();
        },
      }),
    },
    {
      operationId: 'getLatestSnapshot',
      url: '/api/v1/snapshots/latest',
      path: '/api/v1/snapshots/latest',
      summary: 'The latest daily snapshot',
      description: 'The `hubwatch.snapshot/v1` document; `Accept: text/csv` gives the share lists as a long table.',
      tag: 'snapshots',
      query: emptyQuery,
      ok: snapshotOk,
      notFound: true,
      plan: snapshotPlan(() => 'latest', false),
    },
    {
      operationId: 'getLatestSnapshotCsv',
      url: '/api/v1/snapshots/latest.csv',
      path: '/api/v1/snapshots/latest.csv',
      summary: 'The latest snapshot’s share lists as CSV',
      description: 'Columns metric,scope,view,platform,country,value,share.',
      tag: 'snapshots',
      query: emptyQuery,
      ok: [csvContent],
      notFound: true,
      plan: snapshotPlan(() => 'latest', true),
    },
    {
      operationId: 'getSnapshot',
      url: '/api/v1/snapshots/:date',
      path: '/api/v1/snapshots/{date}',
      summary: 'One day’s snapshot',
      description: 'The `hubwatch.snapshot/v1` document of that date; `Accept: text/csv` gives the long table.',
      tag: 'snapshots',
      query: emptyQuery,
      params: snapshotDateParams,
      ok: snapshotOk,
      notFound: true,
      plan: snapshotPlan((ctx) => ctx.params.date!, false),
    },
    {
      operationId: 'getSnapshotCsv',
      url: '/api/v1/snapshots/:date.csv',
      path: '/api/v1/snapshots/{date}.csv',
      summary: 'One day’s share lists as CSV',
      description: 'Columns metric,scope,view,platform,country,value,share.',
      tag: 'snapshots',
      query: emptyQuery,
      params: snapshotDateParams,
      ok: [csvContent],
      notFound: true,
      plan: snapshotPlan((ctx) => ctx.params.date!, true),
    },
    {
      operationId: 'getShares',
      url: '/api/v1/shares',
      path: '/api/v1/shares',
      summary: 'Shares by country over time',
      description:
        'One point per snapshot date in [from, to]: the share list of one metric, scope, view and platform ' +
        '(or `combined`). A point whose platform has no figure for the window has total null and no shares.',
      tag: 'snapshots',
      query: sharesQuery,
      ok: sharesOk,
      notFound: false,
      plan: sharesPlan(false),
    },
    {
      operationId: 'getSharesCsv',
      url: '/api/v1/shares.csv',
      path: '/api/v1/shares.csv',
      summary: 'Shares by country over time, as CSV',
      description: 'Columns date,metric,scope,view,platform,country,value,share.',
      tag: 'snapshots',
      query: sharesQuery,
      ok: [csvContent],
      notFound: false,
      plan: sharesPlan(true),
    },
    {
      operationId: 'listModels',
      url: '/api/v1/models',
      path: '/api/v1/models',
      summary: 'Tracked models, newest release first',
      description: 'The same filters as the feed; follow `nextUrl` (or pass `nextCursor` as `cursor`).',
      tag: 'models',
      query: filters,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/ModelPage' } }],
      notFound: false,
      plan: (ctx) => {
        const f = filtersFromQuery(ctx.query, defaultLimit);
        const search = filterSearch(f, defaultLimit, f.cursor);
        return {
          key: `models${search}|${ctx.base}`,
          ttlMs: storeTtlMs,
          render() {
            return svc.renderModels(f, (c) => `${ctx.base}/api/v1/models${filterSearch(f, defaultLimit, c)}`);
          },
        };
      },
    },
    {
      operationId: 'getModel',
      url: '/api/v1/models/:platform/:namespace/:name',
      path: '/api/v1/models/{platform}/{namespace}/{name}',
      summary: 'One model with its daily stats history',
      description: 'The normalised record and one stats point per day the model was seen.',
      tag: 'models',
      query: emptyQuery,
      params: modelParams,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/ModelDetail' } }],
      notFound: true,
      plan: modelPlan,
    },
    {
      operationId: 'getBareModel',
      url: '/api/v1/models/:platform/:name',
      path: '/api/v1/models/{platform}/{name}',
      summary: 'One model without a namespace (root-level Hugging Face ids such as gpt2)',
      description: 'As getModel.',
      tag: 'models',
      query: emptyQuery,
      params: bareModelParams,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/ModelDetail' } }],
      notFound: true,
      plan: modelPlan,
    },
    {
      operationId: 'listOrgs',
      url: '/api/v1/orgs',
      path: '/api/v1/orgs',
      summary: 'The organisation registry with model counts',
      description:
        'Each registry entry with the number of tracked models it published and the number that originate ' +
        'from it (derivatives included), plus organisations the store counts that the registry no longer lists.',
      tag: 'orgs',
      query: emptyQuery,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/OrgList' } }],
      notFound: false,
      plan: () => ({
        key: 'orgs',
        ttlMs: storeTtlMs,
        render() {
          return svc.renderOrgs();
        },
      }),
    },
  ];

  // The history as data (CSV, JSON, Parquet): its own module, listed here so /openapi.json documents it.
  routes.push(...historyRoutes({ svc, storeTtlMs }));
  // Momentum top lists from the snapshots (momentum-routes.ts).
  routes.push(...momentumRoutes(svc));

  // The weekly digests' files and their feed: read like every other answer, and documented with them.
  routes.push(...digestRoutes({ dataDir: svc.dataDir, ttlMs: storeTtlMs }));

  const openapiRoute: RouteDef = {
    operationId: 'getOpenApi',
    url: '/openapi.json',
    path: '/openapi.json',
    summary: 'This document',
    description: 'OpenAPI 3.1; its schemas are the ones requests are validated with.',
    tag: 'meta',
    query: emptyQuery,
    ok: [{ contentType: 'application/json', schema: { type: 'object' } }],
    notFound: false,
    plan: () => ({
      key: 'openapi',
      ttlMs: null,
      async render() {
        return { body: openapiBody(), contentType: JSON_TYPE, cacheControl: CACHE.day };
      },
    }),
  };
  routes.push(openapiRoute);
  let doc: string | null = null;
  const openapiBody = (): string => (doc ??= JSON.stringify(buildOpenApi(routes)));
  return routes;
}

/** The OpenAPI document for a route table (the same bytes /openapi.json serves). */
export function openApiDocument(routes: readonly RouteDef[]): Record<string, unknown> {
  return buildOpenApi(routes);
}
