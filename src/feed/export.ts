// The static export under <dataDir>/public/: the feed's first pages, the latest snapshot, the shares series, the
// latest momentum list and the OpenAPI document, rendered by the same FeedService functions the routes call, so a
// static host serves what the API would (links aside: pages point at each other's files instead of at query
// strings); and the history as data under history/ (history-export.ts).
import { join } from 'node:path';
import type { Config } from '../config.js';
import { writeFileAtomic } from '../fsutil.js';
import { METRICS } from '../snapshot/types.js';
import type { ReadStore } from '../store/types.js';
import { ApiError } from './errors.js';
import { exportHistory } from './history-export.js';
import { feedRoutes, openApiDocument } from './routes.js';
import type { FeedFilters } from './query.js';
import type { PageLinks } from './render-feeds.js';
import { FeedService } from './service.js';

export interface ExportDeps {
  store: ReadStore;
  config: Config;
  dataDir: string;
  /** Public URL the files will be served from; without it, links between the files are relative. */
  publicUrl?: string;
  /** How many feed pages to write per feed (feed.json, feed-2.json, …). */
  pages?: number;
  registryEntries?: unknown[];
}

export function publicDir(dataDir: string): string {
  return join(dataDir, 'public');
}

/** The file name of a static feed page: feed.json, feed-2.json, feed-base.json, feed-base-2.json. */
export function pageFile(prefix: string, page: number, ext: 'json' | 'xml'): string {
  return page === 1 ? `${prefix}.${ext}` : `${prefix}-${page}.${ext}`;
}

/** Writes the static files atomically (each file on its own) and returns their paths. */
export async function exportStatic(deps: ExportDeps): Promise<string[]> {
  const defaultLimit = deps.config.file.server.feedPageSize;
  const svc = new FeedService({
    store: deps.store,
    dataDir: deps.dataDir,
    defaultLimit,
    registryEntries: deps.registryEntries,
  });
  const out = publicDir(deps.dataDir);
  const base = deps.publicUrl ? `${deps.publicUrl.replace(/\/+$/, '')}/` : '';
  const pages = Math.max(1, deps.pages ?? 3);
  const written: string[] = [];
  const write = async (rel: string, body: string | Uint8Array): Promise<void> => {
    const path = join(out, rel);
    await writeFileAtomic(path, body);
    written.push(path);
  };

  const feeds: Array<[string, Omit<FeedFilters, 'limit' | 'view'>]> = [
    ['feed', {}],
    ['feed-base', { relation: 'base' }],
  ];
  for (const [prefix, extra] of feeds) {
    for (const ext of ['json', 'xml'] as const) {
      let cursor: string | undefined;
      for (let page = 1; page <= pages; page++) {
        const f: FeedFilters = { view: 'origin', limit: defaultLimit, ...extra, ...(cursor ? { cursor } : {}) };
        let nextCursor: string | undefined;
        const links: PageLinks = {
          home: base || './',
          self: `${base}${pageFile(prefix, page, ext)}`,
          alternate: `${base}${pageFile(prefix, page, ext === 'json' ? 'xml' : 'json')}`,
          about: `${base}openapi.json`,
          next: (c) => {
            nextCursor = c;
            return page < pages ? `${base}${pageFile(prefix, page + 1, ext)}` : null;
          },
        };
        const r = ext === 'json' ? await svc.renderJsonFeed(f, links) : await svc.renderAtom(f, links);
        await write(pageFile(prefix, page, ext), r.body);
        if (nextCursor === undefined) break;
        cursor = nextCursor;
      }
    }
  }

  await write('snapshots/index.json', (await svc.renderSnapshotIndex()).body);
  try {
    await write('snapshots/latest.json', (await svc.renderSnapshot('latest', 'json')).body);
    await write('snapshots/latest.csv', (await svc.renderSnapshot('latest', 'csv')).body);
  } catch (err) {
    // No snapshot yet (first run before the first sweep): the index says so, and there is no latest to write.
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
  for (const metric of METRICS) {
    const q = { metric, view: 'origin', scope: 'all', platform: 'combined' } as const;
    await write(`shares/${metric}.json`, (await svc.renderShares(q, 'json')).body);
    await write(`shares/${metric}.csv`, (await svc.renderShares(q, 'csv')).body);
  }
  const routes = feedRoutes({ svc, defaultLimit, storeTtlMs: 0 });
  // GET /api/v1/momentum's answer to no parameters (the latest snapshot's RAM list, all models), rendered by the
  // route itself so the file cannot say anything else.
  const momentum = routes.find((r) => r.path === '/api/v1/momentum')!;
  try {
    const plan = momentum.plan({ query: {}, params: {}, base: '', acceptsCsv: false });
    await write('momentum.json', (await plan.render()).body);
  } catch (err) {
    // No snapshot yet, or the latest was written before momentum existed: the route answers 404, so no file.
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
  await write('openapi.json', JSON.stringify(openApiDocument(routes)));
  // The history as data (history/: the share series and every model's daily figures as CSV, JSON Lines, Parquet).
  written.push(...(await exportHistory({ store: deps.store, dataDir: deps.dataDir, publicDir: out })));
  return written;
}
