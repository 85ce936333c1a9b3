// The dashboard on the existing HTTP server (registered through buildServer's `plugins`). Pages are rendered once
// per state and snapshot generation (the feed's own: a new snapshot file changes it) and kept with their ETag and
// compressed bytes, so a hot page costs what a static file does. Every HTML answer carries a strict CSP.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  BodyCache,
  etagMatches,
  negotiateEncoding,
  type CacheEntry,
  type Encoding,
  type Rendered,
} from '../feed/cache.js';
import { assetFiles, assetVersions, ASSET_NAMES } from './assets.js';
import { SnapshotDays, type Day } from './data.js';
import { badgeFile, chartFile } from './embed.js';
import { PAGE_CSP, SVG_CSP } from './html.js';
import { serverLinks, type Asset, type Links } from './links.js';
import { cleanText } from '../digest/escape.js';
import { PLATFORMS } from '../model.js';
import { errorPage, modelPage, orgPage, overviewPage, racesPage, releasesPage } from './render.js';
import { licencesCsv, licencesJson } from './licences.js';
import {
  licenceKey,
  overviewKey,
  parseCountry,
  parseOverview,
  parseRaces,
  parseReleaseFilters,
  parseView,
  releaseSearch,
  StateError,
} from './state.js';

export interface DashboardOptions {
  dataDir: string;
}

export const HTML_TYPE = 'text/html; charset=utf-8';
export const SVG_TYPE = 'image/svg+xml; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** What a route needs to answer: a cache key for the request (throws StateError on a bad URL) and a renderer. */
export interface PagePlan {
  key: string;
  /** null: until the next snapshot; a number: store-backed pages, refreshed like the feed's. */
  ttlMs: number | null;
  render(days: Day[]): Promise<Rendered>;
}

export interface DashboardContext {
  links: Links;
  app: FastifyInstance;
}

const SNAPSHOT_CACHE = 'public, max-age=300';

export function html(body: string, cacheControl = SNAPSHOT_CACHE): Rendered {
  return { body, contentType: HTML_TYPE, cacheControl };
}

export type Planner = (req: FastifyRequest, ctx: DashboardContext) => PagePlan;

/** Store-backed pages (releases, organisations, models) are refreshed like the feed's bodies. */
const STORE_TTL_MS = 30_000;

class NotFound extends Error {}

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  const days = new SnapshotDays(opts.dataDir);
  const cache = new BodyCache({ maxEntries: 1000, maxBytes: 128 * 1024 * 1024 });
  const links = serverLinks(assetVersions());
  const ctx: DashboardContext = { links, app };
  const assets = assetFiles();

  const send = async (req: FastifyRequest, reply: FastifyReply, plan: PagePlan): Promise<FastifyReply> => {
    const gen = await app.feed.service.generation();
    const entry = await cache.get(`${plan.key}|${gen}`, plan.ttlMs, async () => plan.render(await days.days(gen)));
    return respond(req, reply, entry);
  };

  const route = (url: string, planner: Planner): void => {
    app.get(url, { config: { compress: false } }, async (req, reply) => {
      let plan: PagePlan;
      try {
        plan = planner(req, ctx);
      } catch (err) {
        if (err instanceof StateError) {
          const isSvg = url.endsWith('.svg');
          return reply
            .code(400)
            .header('Cache-Control', 'no-store')
            .header('Content-Security-Policy', PAGE_CSP)
            .header('X-Content-Type-Options', 'nosniff')
            .type(isSvg ? 'text/plain; charset=utf-8' : HTML_TYPE)
            .send(
              isSvg
                ? `bad parameter ${err.parameter}: ${err.message}`
                : errorPage(links, 400, `Bad parameter ${err.parameter}: ${err.message}.`),
            );
        }
        throw err;
      }
      try {
        return await send(req, reply, plan);
      } catch (err) {
        if (!(err instanceof NotFound)) throw err;
        return reply
          .code(404)
          .header('Cache-Control', 'no-store')
          .header('Content-Security-Policy', PAGE_CSP)
          .header('X-Content-Type-Options', 'nosniff')
          .type(HTML_TYPE)
          .send(errorPage(links, 404, err.message));
      }
    });
  };

  route('/', (req) => {
    const s = parseOverview(req.query as Record<string, unknown>);
    return {
      key: `overview|${overviewKey(s)}`,
      ttlMs: null,
      render: async (d) => html(overviewPage({ days: d, links }, s)),
    };
  });
  route('/chart/shares.svg', (req) => {
    const s = parseOverview(req.query as Record<string, unknown>);
    return {
      key: `chart|${overviewKey(s)}`,
      ttlMs: null,
      render: async (d) => ({ body: chartFile(d, s), contentType: SVG_TYPE, cacheControl: SNAPSHOT_CACHE }),
    };
  });
  route('/badge/share.svg', (req) => {
    const q = { ...(req.query as Record<string, unknown>) };
    const country = parseCountry(q) ?? 'CN';
    delete q.country;
    const s = parseOverview(q);
    return {
      key: `badge|${country}|${overviewKey(s)}`,
      ttlMs: null,
      render: async (d) => ({ body: badgeFile(d, s, country), contentType: SVG_TYPE, cacheControl: SNAPSHOT_CACHE }),
    };
  });
  route('/races', (req) => {
    const s = parseRaces(req.query as Record<string, unknown>);
    return {
      key: `races|${s.view}|${licenceKey(s)}`,
      ttlMs: null,
      render: async (d) => html(racesPage({ days: d, links }, s)),
    };
  });
  const noParams = (req: FastifyRequest): void => {
    const k = Object.keys(req.query as object)[0];
    if (k !== undefined) throw new StateError(k.slice(0, 40), 'this file takes no parameters');
  };
  route('/races/licences.csv', (req) => {
    noParams(req);
    return {
      key: 'licences.csv',
      ttlMs: null,
      render: async (d) => ({ body: licencesCsv(d), contentType: CSV_TYPE, cacheControl: SNAPSHOT_CACHE }),
    };
  });
  route('/races/licences.json', (req) => {
    noParams(req);
    return {
      key: 'licences.json',
      ttlMs: null,
      render: async (d) => ({ body: licencesJson(d), contentType: JSON_TYPE, cacheControl: SNAPSHOT_CACHE }),
    };
  });
  route('/releases', (req) => {
    const f = parseReleaseFilters(req.query as Record<string, unknown>);
    return {
      key: `releases|${releaseSearch(f)}`,
      ttlMs: STORE_TTL_MS,
      render: async (d) =>
        html(await releasesPage({ days: d, links }, app.feed.service.store, f), 'public, max-age=60'),
    };
  });
  route('/org/:name', (req) => {
    const name = (req.params as { name: string }).name;
    if (name.length > 300) throw new StateError('name', 'organisation name longer than 300 characters');
    const view = parseView(req.query as Record<string, unknown>);
    return {
      key: `org|${view}|${name}`,
      ttlMs: STORE_TTL_MS,
      render: async (d) => {
        const body = await orgPage(
          { days: d, links },
          app.feed.service.store,
          name,
          view,
          (v) => `${links.org(name)}${v === 'origin' ? '' : `?view=${v}`}`,
        );
        if (body === null)
          throw new NotFound(`No organisation named ${cleanText(name, 100)} is in a snapshot or the store.`);
        return html(body, 'public, max-age=300');
      },
    };
  });
  route('/model/:platform/*', (req) => {
    const { platform, '*': rest } = req.params as { platform: string; '*': string };
    if (!(PLATFORMS as readonly string[]).includes(platform))
      throw new StateError('platform', `platform must be one of ${PLATFORMS.join(', ')}`);
    if (!rest || rest.length > 400) throw new StateError('id', 'model id missing or longer than 400 characters');
    if (Object.keys(req.query as object).length)
      throw new StateError(Object.keys(req.query as object)[0]!.slice(0, 40), 'model pages take no parameters');
    const key = `${platform}:${rest}`;
    return {
      key: `model|${key}`,
      ttlMs: STORE_TTL_MS,
      render: async (d) => {
        const body = await modelPage({ days: d, links }, app.feed.service.store, key);
        if (body === null) throw new NotFound(`No model ${cleanText(key, 200)} is tracked.`);
        return html(body, 'public, max-age=300');
      },
    };
  });

  app.get<{ Params: { name: string } }>(
    '/dashboard/assets/:name',
    { config: { compress: false } },
    async (req, reply) => {
      const name = req.params.name as Asset;
      if (!ASSET_NAMES.includes(name)) return reply.code(404).type('text/plain; charset=utf-8').send('no such asset');
      const a = assets[name];
      const enc = negotiateEncoding(req.headers['accept-encoding']);
      const etag = `"${a.version}${enc ? `-${enc}` : ''}"`;
      const versioned = (req.query as Record<string, unknown>).v === a.version;
      void reply
        .header('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
        .header('Vary', 'Accept-Encoding')
        .header('ETag', etag)
        .header('X-Content-Type-Options', 'nosniff');
      if (etagMatches(req.headers['if-none-match'], a.version)) return reply.code(304).send();
      if (enc) void reply.header('Content-Encoding', enc);
      return reply.type(a.contentType).send(enc === 'br' ? a.br : enc === 'gzip' ? a.gzip : a.body);
    },
  );
};

function respond(req: FastifyRequest, reply: FastifyReply, entry: CacheEntry): Promise<FastifyReply> | FastifyReply {
  const accepted = negotiateEncoding(req.headers['accept-encoding']);
  const encoding: Encoding | null = entry.encodingFor(accepted);
  void reply
    .header('Cache-Control', entry.cacheControl)
    .header('Vary', 'Accept-Encoding')
    .header('ETag', entry.etag(encoding))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('Content-Security-Policy', entry.contentType === HTML_TYPE ? PAGE_CSP : SVG_CSP);
  if (etagMatches(req.headers['if-none-match'], entry.hash)) return reply.code(304).send();
  const ready = entry.bytes(encoding);
  const finish = (body: Buffer): FastifyReply => {
    void reply.type(entry.contentType);
    if (encoding !== null) void reply.header('Content-Encoding', encoding);
    return reply.send(body);
  };
  return ready !== undefined ? finish(ready) : entry.compressed(encoding!).then(finish);
}

/** For `plugins` in buildServer: `plugins: [dashboard(config.dataDir)]`. */
export function dashboard(dataDir: string): FastifyPluginAsync {
  return async (instance) => {
    await instance.register(dashboardPlugin, { dataDir });
  };
}
