// The HTML fallback: WiseModel's list pages read with cheerio (parser.ts). Evidence level: none. No WiseModel page
// was ever seen and the site is most likely a client-rendered Vue app (research note §B1, §E), so on the real site
// this finds an app shell and says so; it is kept for the day the site renders server-side, or a mirror does.
//
// Politely: one request at a time, the configured delay between requests (raised to robots.txt's Crawl-delay when
// that is longer), robots.txt fetched once and obeyed (a disallowed path is not fetched: RobotsDisallowedError says
// which rule), and a User-Agent that names hubwatch and its contact URL.
//
// Listing: `GET /models?page=N&sort=newest` (polls) and `sort=downloads` (sweeps); the next page comes from the page's
// own next link (or its embedded state). A poll also reads the page (`/models/{owner}/{name}`) of each listed model
// whose card leaves out what a new release needs (base models, tags). Dates without a zone are Beijing time, relative
// ones (`3天前`) are read against the fetch time.
//
// Drift is loud: a 200 page that yields no models, or models missing required fields, comes back with
// `degraded: true`, is logged at error level, and is quarantined whole (kind `page`), next to the rejected models.
import type { Config } from '../../config.js';
import { InputError, PageFailedError, PermanentHttpError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { capString } from '../../model.js';
import type { WiseModelInput } from './schema.js';
import type { QuarantineItem } from '../../store/types.js';
import type { HttpClient } from '../http.js';
import type { SourcePage } from '../types.js';
import { toQuarantine } from '../validate.js';
import { parseWiseModelPage, type ParsedWiseModelPage, type WiseModelSelectors } from './parser.js';
import { ALLOW_ALL, parseRobots, type RobotsRules } from './robots.js';

/** robots.txt forbids the path: it was not fetched. Retrying does not help; the operator must decide. */
export class RobotsDisallowedError extends PermanentHttpError {
  readonly path: string;
  constructor(path: string, robotsUrl: string) {
    super(`wisemodel: ${robotsUrl} disallows ${path} for hubwatch; the page was not fetched`, null);
    this.path = path;
  }
}

export type WmSort = 'newest' | 'downloads';

/** The product token robots.txt groups are matched against. */
export const ROBOTS_TOKEN = 'hubwatch';

function pageParam(href: string, base: string): number | null {
  try {
    const p = new URL(href, base).searchParams.get('page');
    return p !== null && /^\d+$/.test(p) ? Number(p) : null;
  } catch {
    return null;
  }
}

export interface HtmlStrategy {
  /**
   * List pages from `page`. When the first page is a client-rendered app shell nothing is yielded: the return value
   * says so (with the page, for quarantine), and the caller decides what that means.
   */
  list(
    sort: WmSort,
    page: number,
    signal?: AbortSignal,
  ): AsyncGenerator<SourcePage<WiseModelInput>, { shell: { url: string; html: string } | null }>;
  fetchModel(id: string, opts?: { signal?: AbortSignal }): Promise<WiseModelInput>;
  robots(signal?: AbortSignal): Promise<RobotsRules>;
}

export function createHtmlStrategy(opts: {
  config: Config;
  http: HttpClient;
  log: Logger;
  now: () => Date;
  enrichNewest: boolean;
}): HtmlStrategy {
  const { http, log, now, enrichNewest } = opts;
  const platform = 'wisemodel' as const;
  const settings = opts.config.file.sources.wisemodel;
  const base = opts.config.urls.wisemodel;
  const selectors: WiseModelSelectors = settings.selectors;
  const robotsUrl = `${base}/robots.txt`;
  let robotsMemo: Promise<RobotsRules> | null = null;

  async function loadRobots(signal?: AbortSignal): Promise<RobotsRules> {
    if (!settings.respectRobots) return ALLOW_ALL;
    const res = await http.send(robotsUrl, {
      signal,
      what: 'robots.txt',
      headers: { accept: 'text/plain' },
      passStatuses: [400, 401, 403, 404, 410],
      parse: (text) => text,
    });
    // RFC 9309: a robots.txt that is "unavailable" (4xx) means no rules.
    if (res.status >= 400) {
      log.info({ status: res.status }, 'no robots.txt; no rules apply');
      return ALLOW_ALL;
    }
    const rules = parseRobots(res.body, ROBOTS_TOKEN);
    if (rules.crawlDelayMs !== null && rules.crawlDelayMs > http.delayMs) {
      log.info({ crawlDelayMs: rules.crawlDelayMs }, 'robots.txt asks for a longer delay; using it');
      http.raiseDelay(rules.crawlDelayMs);
    }
    return rules;
  }

  function robots(signal?: AbortSignal): Promise<RobotsRules> {
    // Fetched once; a failed fetch is not remembered (the next request tries again), and until robots.txt has
    // been read no page is fetched (RFC 9309: an unreachable robots.txt means complete disallow).
    robotsMemo ??= loadRobots(signal).catch((err: unknown) => {
      robotsMemo = null;
      throw err instanceof PageFailedError
        ? new PageFailedError(`wisemodel: robots.txt could not be read, so no page is fetched: ${err.message}`, {
            cause: err,
          })
        : err;
    });
    return robotsMemo;
  }

  async function getHtml(url: string, what: string, signal?: AbortSignal) {
    const rules = await robots(signal);
    const u = new URL(url);
    const path = `${u.pathname}${u.search}`;
    if (!rules.isAllowed(path)) {
      const err = new RobotsDisallowedError(path, robotsUrl);
      log.error({ path }, err.message);
      throw err;
    }
    return http.send(url, { signal, what, headers: { accept: 'text/html,application/xhtml+xml' }, parse: (t) => t });
  }

  function pageQuarantine(html: string, parsed: ParsedWiseModelPage, ref: string): QuarantineItem[] {
    const at = now();
    const q = parsed.rejected.map((r) => toQuarantine(platform, 'item', r.raw, `invalid item: ${r.reason}`, ref, at));
    q.push(
      toQuarantine(
        platform,
        'page',
        html,
        `degraded ${parsed.kind} page (${parsed.form}): ${parsed.problems.join('; ') || 'no usable models'}`,
        ref,
        at,
      ),
    );
    return q;
  }

  const isDegraded = (parsed: ParsedWiseModelPage): boolean => parsed.items.length === 0 || parsed.rejected.length > 0;

  async function readModelPage(
    owner: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<{ item: WiseModelInput | null; quarantine: QuarantineItem[]; url: string }> {
    const url = `${base}/models/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
    const res = await getHtml(url, 'model page', signal);
    const parsed = parseWiseModelPage(res.body, selectors, { url, kind: 'model', now: now() });
    if (isDegraded(parsed)) {
      log.error({ url: res.url, form: parsed.form, problems: parsed.problems }, 'model page yields no usable model');
      return { item: null, quarantine: pageQuarantine(res.body, parsed, res.url), url: res.url };
    }
    return { item: parsed.items[0]!, quarantine: [], url: res.url };
  }

  async function fetchModel(id: string, o: { signal?: AbortSignal } = {}): Promise<WiseModelInput> {
    const m = /^([^/\s]+)\/([^/\s]+)$/.exec(id);
    if (!m) throw new InputError(`wisemodel: a model id is owner/name, got ${JSON.stringify(capString(id, 200))}`);
    const r = await readModelPage(m[1]!, m[2]!, o.signal);
    if (!r.item)
      throw new PermanentHttpError(`wisemodel: ${r.url} yields no usable model (${r.quarantine.at(-1)?.reason})`, 200);
    return r.item;
  }

  /** The list item with what its model page adds (the model page wins where it says something). */
  function merge(listed: WiseModelInput, page: WiseModelInput): WiseModelInput {
    const out: WiseModelInput = { ...listed };
    for (const [k, v] of Object.entries(page) as Array<[keyof WiseModelInput, unknown]>) {
      if (v !== null && v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
    }
    return out;
  }

  async function* list(
    sort: WmSort,
    startPage: number,
    signal?: AbortSignal,
  ): AsyncGenerator<SourcePage<WiseModelInput>, { shell: { url: string; html: string } | null }> {
    let page = startPage;
    let first = true;
    for (;;) {
      const url = `${base}/models?page=${page}&sort=${sort}`;
      const res = await getHtml(url, 'page', signal);
      const fetchedAt = now();
      const parsed = parseWiseModelPage(res.body, selectors, { url, kind: 'list', now: fetchedAt });
      if (parsed.shell && first) return { shell: { url: res.url, html: res.body } };
      first = false;
      let items = parsed.items;
      let quarantine: QuarantineItem[] = [];
      const degraded = isDegraded(parsed);
      if (degraded) {
        log.error(
          {
            url: res.url,
            form: parsed.form,
            models: parsed.items.length,
            rejected: parsed.rejected.length,
            problems: parsed.problems,
          },
          'WiseModel page does not look as expected (layout drift?): page degraded and quarantined',
        );
        quarantine = pageQuarantine(res.body, parsed, res.url);
      }
      let nextPage: number | null = null;
      if (parsed.next !== null) {
        const n = pageParam(parsed.next, url) ?? page + 1;
        nextPage = n > page ? n : null;
      }
      if (sort === 'newest' && enrichNewest && items.length > 0) {
        const enriched: WiseModelInput[] = [];
        for (const it of items) {
          // Embedded list state carries everything; server-rendered cards leave out base models and tags.
          if (it.baseModels != null && it.tags != null) {
            enriched.push(it);
            continue;
          }
          try {
            const r = await readModelPage(it.owner, it.name, signal);
            quarantine.push(...r.quarantine);
            enriched.push(r.item ? merge(it, r.item) : it);
          } catch (err) {
            if (!(err instanceof PermanentHttpError) && !(err instanceof PageFailedError)) throw err;
            log.warn(
              { model: `${it.owner}/${it.name}`, err: err.message },
              'model page not read; keeping the list card',
            );
            enriched.push(it);
          }
        }
        items = enriched;
      }
      http.counters.pages++;
      const next = nextPage === null ? null : String(nextPage);
      yield {
        items,
        quarantine,
        next,
        url: res.url,
        ...(degraded || quarantine.some((q) => q.kind === 'page') ? { degraded: true } : {}),
      };
      if (next === null) return { shell: null };
      signal?.throwIfAborted();
      page = nextPage!;
    }
  }

  return { list, fetchModel, robots };
}
