// The history routes of the API: the country-share series and the per-model history as JSON, CSV or Parquet
// (`format=` or Accept), each answer with its sources' terms (a `Link` to /api/v1/history/terms, a `terms` field in
// JSON, the terms in a Parquet file's footer). Bodies are bounded, so they are rendered whole and cached with their
// ETag like every other read; the whole series and every model's history are files of the static export
// (history-export.ts), which are written as streams.
import { capString, splitKey, type Platform } from '../model.js';
import { METRICS, SCOPES, VIEWS, type Metric, type Scope, type View } from '../snapshot/types.js';
import { badParam, movedTo, notFound } from './errors.js';
import {
  MODEL_COLUMNS,
  PLATFORM_OR_COMBINED_VALUES,
  SHARE_COLUMNS,
  modelHistoryRows,
  shareListCount,
  shareSeriesRows,
  type HistoryColumn,
  type HistoryRecord,
  type ShareSeriesQuery,
} from './history.js';
import {
  CONTENT_TYPE,
  HISTORY_FORMATS,
  MEDIA_TYPE,
  PARQUET_MEDIA,
  chooseFormat,
  collect,
  csvText,
  parquetBytes,
  type HistoryFormat,
} from './history-formats.js';
import { ATTRIBUTION, historyTerms, termsLink } from './history-terms.js';
import type { Rendered } from './cache.js';
import type { OkContent } from './openapi.js';
import type { RouteContext, RouteDef } from './routes.js';
import {
  bareModelParams,
  dateSchema,
  emptyQuery,
  filterProperties,
  modelParams,
  type JsonSchema,
  type ObjectSchema,
} from './schemas.js';
import { dateRangeFrom, filterSearch, filtersFromQuery } from './query.js';
import { CACHE, JSON_TYPE } from './responses.js';
import type { FeedService } from './service.js';

/** Share lists (date × metric × scope × view × platform) one answer may hold: about 50 countries each, 100,000 rows. */
export const MAX_SHARE_LISTS = 2000;
/** Models per page of the per-model history (each with every stored day). */
export const HISTORY_PAGE_DEFAULT = 20;
export const HISTORY_PAGE_MAX = 100;

const formatParam: JsonSchema = {
  type: 'string',
  enum: [...HISTORY_FORMATS],
  description:
    'json, csv or parquet; without it, Accept decides (application/json, text/csv, application/vnd.apache.parquet), JSON by default.',
};

export const historySharesQuery: ObjectSchema = {
  type: 'object',
  properties: {
    metric: { type: 'string', enum: [...METRICS], description: 'One metric; every metric when left out.' },
    scope: { type: 'string', enum: [...SCOPES], description: 'One scope; both when left out.' },
    view: { type: 'string', enum: [...VIEWS], description: 'One view; both when left out.' },
    platform: {
      type: 'string',
      enum: [...PLATFORM_OR_COMBINED_VALUES],
      description: 'One platform or `combined`; all four when left out.',
    },
    from: dateSchema('First snapshot date included (YYYY-MM-DD).'),
    to: dateSchema('Last snapshot date included (YYYY-MM-DD).'),
    format: formatParam,
  },
  additionalProperties: false,
};

export function historyModelsQuery(): ObjectSchema {
  return {
    type: 'object',
    properties: {
      ...filterProperties(HISTORY_PAGE_DEFAULT),
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: HISTORY_PAGE_MAX,
        default: HISTORY_PAGE_DEFAULT,
        description: 'Models per page (each with every stored day).',
      },
      format: formatParam,
    },
    additionalProperties: false,
  };
}

const formatOnlyQuery: ObjectSchema = {
  type: 'object',
  properties: { format: formatParam },
  additionalProperties: false,
};

function sharesQueryOf(q: Record<string, unknown>): ShareSeriesQuery {
  const out: ShareSeriesQuery = {};
  if (typeof q.metric === 'string') out.metric = q.metric as Metric;
  if (typeof q.scope === 'string') out.scope = q.scope as Scope;
  if (typeof q.view === 'string') out.view = q.view as View;
  if (typeof q.platform === 'string') out.platform = q.platform as ShareSeriesQuery['platform'];
  return { ...out, ...dateRangeFrom(q) };
}

const formatOf = (ctx: RouteContext): HistoryFormat =>
  chooseFormat(typeof ctx.query.format === 'string' ? (ctx.query.format as HistoryFormat) : undefined, ctx.accept);

/** The terms as Parquet footer metadata. */
function parquetMetadata(): Record<string, string> {
  return { 'hubwatch.attribution': ATTRIBUTION, 'hubwatch.terms': JSON.stringify(historyTerms()) };
}

interface Answer {
  format: HistoryFormat;
  columns: readonly HistoryColumn[];
  rows: HistoryRecord[];
  /** The JSON body around the rows (without columns and terms, added here). */
  envelope: Record<string, unknown>;
  /** The JSON answer's component, for the response check. */
  component: string;
  filename: string;
  cacheControl: string;
  links: string[];
}

async function renderAnswer(svc: FeedService, a: Answer): Promise<Rendered> {
  const headers: Record<string, string> = { Link: a.links.join(', ') };
  if (a.format !== 'json') headers['Content-Disposition'] = `attachment; filename="${a.filename}.${a.format}"`;
  if (a.format === 'csv')
    return { body: csvText(a.columns, a.rows), contentType: CONTENT_TYPE.csv, cacheControl: a.cacheControl, headers };
  if (a.format === 'parquet') {
    return {
      body: await parquetBytes(a.columns, a.rows, parquetMetadata()),
      contentType: CONTENT_TYPE.parquet,
      cacheControl: a.cacheControl,
      headers,
      compressible: false,
    };
  }
  const body = { ...a.envelope, columns: a.columns, rows: a.rows, terms: historyTerms() };
  svc.checkResponse(a.component, body);
  return { body: JSON.stringify(body), contentType: JSON_TYPE, cacheControl: a.cacheControl, headers };
}

function okContents(component: string, csvColumns: readonly HistoryColumn[]): OkContent[] {
  return [
    { contentType: MEDIA_TYPE.json, schema: { $ref: `#/components/schemas/${component}` } },
    {
      contentType: MEDIA_TYPE.csv,
      schema: { type: 'string' },
      description:
        `Columns ${csvColumns.map((c) => c.name).join(',')} (header row first; cells starting with = + - @ get a ` +
        "leading '; text cells capped at 1,000 characters).",
    },
    {
      contentType: PARQUET_MEDIA,
      schema: { type: 'string', contentMediaType: PARQUET_MEDIA },
      description:
        'The same columns as one Parquet file (zstd); the terms are in its footer metadata (hubwatch.terms).',
    },
  ];
}

const LINK_HEADER: Record<string, JsonSchema> = {
  Link: {
    description: 'rel="license": the terms of the sources (/api/v1/history/terms); rel="next": the next page, if any.',
    schema: { type: 'string' },
  },
};

export function historyRoutes(opts: { svc: FeedService; storeTtlMs: number }): RouteDef[] {
  const { svc, storeTtlMs } = opts;

  const sharesPlan = (ctx: RouteContext) => {
    const q = sharesQueryOf(ctx.query);
    const format = formatOf(ctx);
    const explicit = typeof ctx.query.format === 'string';
    return {
      key: `history-shares:${q.metric ?? '*'}:${q.scope ?? '*'}:${q.view ?? '*'}:${q.platform ?? '*'}:${q.from ?? ''}:${q.to ?? ''}:${format}|${ctx.base}`,
      ttlMs: null,
      variesOnAccept: !explicit,
      async render(): Promise<Rendered> {
        const dates = (await svc.snapshotDates()).filter(
          (d) => (q.from === undefined || d >= q.from) && (q.to === undefined || d <= q.to),
        );
        const lists = shareListCount(q, dates.length);
        if (lists > MAX_SHARE_LISTS) {
          throw badParam(
            q.from === undefined ? 'from' : 'to',
            `this range holds ${lists} share lists (${dates.length} dates), more than the ${MAX_SHARE_LISTS} one answer ` +
              'gives: narrow from/to, or choose metric, scope, view and platform; the whole series is a file of the ' +
              'static export (history/shares.parquet, .csv, .jsonl).',
          );
        }
        return renderAnswer(svc, {
          format,
          columns: SHARE_COLUMNS,
          rows: await collect(shareSeriesRows(svc.dataDir, q, dates)),
          envelope: {
            query: {
              metric: q.metric ?? null,
              scope: q.scope ?? null,
              view: q.view ?? null,
              platform: q.platform ?? null,
              from: q.from ?? null,
              to: q.to ?? null,
            },
            dates: dates.length,
          },
          component: 'HistorySharesAnswer',
          filename: 'hubwatch-shares',
          cacheControl: CACHE.live,
          links: [termsLink(ctx.base)],
        });
      },
    };
  };

  const modelsPlan = (ctx: RouteContext) => {
    const f = filtersFromQuery(ctx.query, HISTORY_PAGE_DEFAULT);
    const format = formatOf(ctx);
    const explicit = typeof ctx.query.format === 'string' ? (ctx.query.format as HistoryFormat) : null;
    const search = (cursor: string | null | undefined): string => {
      const s = filterSearch(f, HISTORY_PAGE_DEFAULT, cursor);
      return explicit === null ? s : `${s}${s ? '&' : '?'}format=${explicit}`;
    };
    return {
      key: `history-models${search(f.cursor)}:${format}|${ctx.base}`,
      ttlMs: storeTtlMs,
      variesOnAccept: explicit === null,
      async render(): Promise<Rendered> {
        const page = await svc.modelPage(f);
        const keys = page.items.map((m) => m.key);
        const nextUrl = page.nextCursor === null ? null : `${ctx.base}/api/v1/history/models${search(page.nextCursor)}`;
        const links = [termsLink(ctx.base)];
        if (nextUrl !== null) links.push(`<${nextUrl}>; rel="next"`);
        return renderAnswer(svc, {
          format,
          columns: MODEL_COLUMNS,
          rows: await collect(modelHistoryRows(svc.store, keys)),
          envelope: { keys, nextCursor: page.nextCursor, nextUrl },
          component: 'HistoryModelsAnswer',
          filename: 'hubwatch-models-history',
          cacheControl: CACHE.model,
          links,
        });
      },
    };
  };

  const modelPlan = (ctx: RouteContext) => {
    const platform = ctx.params.platform as Platform;
    const id = ctx.params.namespace === undefined ? ctx.params.name! : `${ctx.params.namespace}/${ctx.params.name!}`;
    const key = `${platform}:${id}`;
    const format = formatOf(ctx);
    const explicit = typeof ctx.query.format === 'string';
    return {
      key: `history-model:${key}:${format}|${ctx.base}`,
      ttlMs: storeTtlMs,
      variesOnAccept: !explicit,
      async render(): Promise<Rendered> {
        if ((await svc.store.getModel(key)) === null) {
          const now = await svc.store.renamedTo(key);
          const to = now === null ? null : splitKey(now);
          if (to) {
            const path = to.id.split('/').map(encodeURIComponent).join('/');
            const query = explicit ? `?format=${String(ctx.query.format)}` : '';
            throw movedTo(
              `/api/v1/history/models/${to.platform}/${path}${query}`,
              `${capString(key, 200)} was renamed to ${capString(now!, 200)}`,
            );
          }
          throw notFound(`no model ${capString(key, 200)} is tracked; find models with /api/v1/models`);
        }
        const safeName = id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
        return renderAnswer(svc, {
          format,
          columns: MODEL_COLUMNS,
          rows: await collect(modelHistoryRows(svc.store, [key])),
          envelope: { keys: [key], nextCursor: null, nextUrl: null },
          component: 'HistoryModelsAnswer',
          filename: `hubwatch-history-${platform}-${safeName}`,
          cacheControl: CACHE.model,
          links: [termsLink(ctx.base)],
        });
      },
    };
  };

  const modelRoute = (bare: boolean): RouteDef => ({
    operationId: bare ? 'getBareModelHistory' : 'getModelHistory',
    url: bare ? '/api/v1/history/models/:platform/:name' : '/api/v1/history/models/:platform/:namespace/:name',
    path: bare ? '/api/v1/history/models/{platform}/{name}' : '/api/v1/history/models/{platform}/{namespace}/{name}',
    summary: bare ? 'One model’s daily history, for ids without a namespace' : 'One model’s daily history as data',
    description:
      'Every stored day of one model: date, key, platform, downloadsAllTime, downloads30d, likes, provenance; as ' +
      'JSON, CSV or Parquet. A renamed model answers 301 with its new URL (its history moved with it).',
    tag: 'history',
    query: formatOnlyQuery,
    params: bare ? bareModelParams : modelParams,
    ok: okContents('HistoryModelsAnswer', MODEL_COLUMNS),
    okHeaders: LINK_HEADER,
    notFound: true,
    movedPermanently: true,
    plan: modelPlan,
  });

  return [
    {
      operationId: 'getHistoryShares',
      url: '/api/v1/history/shares',
      path: '/api/v1/history/shares',
      summary: 'The daily country-share series as data',
      description:
        'One row per date × metric × scope × view × platform-or-combined × country, with value, share, the ' +
        'day’s completeness and provenance; from the stored snapshots. Leave a dimension out for all its values. ' +
        `One answer holds at most ${MAX_SHARE_LISTS} share lists (400 otherwise); the whole series is ` +
        'history/shares.{parquet,csv,jsonl} in the static export.',
      tag: 'history',
      query: historySharesQuery,
      ok: okContents('HistorySharesAnswer', SHARE_COLUMNS),
      okHeaders: LINK_HEADER,
      notFound: false,
      plan: sharesPlan,
    },
    {
      operationId: 'listModelHistories',
      url: '/api/v1/history/models',
      path: '/api/v1/history/models',
      summary: 'The daily history of a filtered set of models, a page of models at a time',
      description:
        'The filters of /api/v1/models; every stored day of each model of the page, by key then date. The next ' +
        `page is \`nextUrl\` (and \`Link: rel="next"\` in every format). At most ${HISTORY_PAGE_MAX} models per page; ` +
        'every model’s history is history/models/ in the static export.',
      tag: 'history',
      query: historyModelsQuery(),
      ok: okContents('HistoryModelsAnswer', MODEL_COLUMNS),
      okHeaders: LINK_HEADER,
      notFound: false,
      plan: modelsPlan,
    },
    modelRoute(false),
    modelRoute(true),
    {
      operationId: 'getHistoryTerms',
      url: '/api/v1/history/terms',
      path: '/api/v1/history/terms',
      summary: 'The licence terms of the history data’s sources',
      description:
        'Which source each row comes from (by platform and provenance), its licence, and the attribution line.',
      tag: 'history',
      query: emptyQuery,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/HistoryTerms' } }],
      notFound: false,
      plan: () => ({
        key: 'history-terms',
        ttlMs: null,
        async render(): Promise<Rendered> {
          const body = historyTerms();
          svc.checkResponse('HistoryTerms', body);
          return { body: JSON.stringify(body), contentType: JSON_TYPE, cacheControl: CACHE.day };
        },
      }),
    },
  ];
}
