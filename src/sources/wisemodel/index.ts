// The WiseModel source. WiseModel is most likely a client-rendered web app with nothing to read in its HTML; what
// the evidence supports is the GitLab v4 API its SDK talks to, and the JSON gateway behind its pages (research note
// §B, §E; src/sources/wisemodel/evidence.ts). So a walk tries, in the configured order (`sources.wisemodel.strategies`):
//
// 1. `gitlab` (gitlab.ts): `GET /api/v4/projects` on WiseModel's GitLab, public projects by id, newest first, keyset
//    pages (offset where keyset is refused). New releases, the catalogue and likes (`star_count`). Ids never change
//    and rise with creation, so the walk holds still (docs/method.md, "Walk order"); the GitLab id is the model's
//    object id, so a renamed project keeps one history.
// 2. `html` (html.ts): the server-rendered list pages, kept as a fallback only.
//
// A strategy that does not answer as itself (a 4xx, an HTML page where JSON belongs, an app shell where a list page
// belongs) gives way to the next; one that fails the way servers fail (5xx, timeouts) fails the page, as everywhere.
// When none can read the catalogue, the walk yields one degraded page whose quarantine entry, log line and coverage
// note name `hubwatch probe --platform wisemodel` and the config keys to set.
//
// Downloads come from the gateway (gateway.ts), only where an operator configured the endpoint that lists them
// (`sources.wisemodel.gateway.downloads`) and, where it needs one, WISEMODEL_TOKEN. A sweep reads that list once and
// joins it to the GitLab walk; polls do not (new releases carry downloads from the day's sweep on). Without it,
// downloads are null and the day's coverage says why. After each sweep, `sweepReport` says which strategy ran,
// what it rests on and which figures it could give.
import { InputError, PageFailedError, PermanentHttpError } from '../../errors.js';
import { capString } from '../../model.js';
import { sightItem } from '../../normalise/record.js';
import type { QuarantineItem } from '../../store/types.js';
import { createHttpClient, type HttpClient, type SourceOptions } from '../http.js';
import type { GoneCheck, ListOptions, Source, SourcePage, SweepReport } from '../types.js';
import { toQuarantine } from '../validate.js';
import { CONFIG_KEYS, EVIDENCE, degradedMessage, endpoints, type WmStrategy } from './evidence.js';
import { Gateway, GatewayError, type DownloadFigures } from './gateway.js';
import {
  emptyTally,
  fetchProjects,
  projectRoute,
  projectsUrl,
  readProjects,
  type ProjectTally,
  type WmSourceItem,
} from './gitlab.js';
import { createHtmlStrategy, type WmSort } from './html.js';
import { normaliseWiseModel, wisemodelProfile } from './record.js';
import type { RobotsRules } from './robots.js';
import type { WiseModelInput } from './schema.js';

export { RobotsDisallowedError, ROBOTS_TOKEN, type WmSort } from './html.js';
export type { WmSourceItem } from './gitlab.js';

export interface WiseModelSource extends Source<WmSourceItem> {
  readonly platform: 'wisemodel';
  readonly http: HttpClient;
  /** One model page by id (`owner/name`), through the HTML fallback. PermanentHttpError when it yields no model. */
  fetchModel(id: string, opts?: { signal?: AbortSignal }): Promise<WiseModelInput>;
  /** robots.txt as read (fetched on first use; it governs the HTML pages). */
  robots(signal?: AbortSignal): Promise<RobotsRules>;
  /** The strategy the last walk read with, or null before any walk or when none could. */
  readonly strategy: WmStrategy | null;
}

export interface WiseModelSourceOptions extends SourceOptions {
  /** Read each listed model's page in the HTML fallback's polls (default true). */
  enrichNewest?: boolean;
}

/** What one walk did, for `sweepReport`. */
interface Walk {
  purpose: 'newest' | 'sweep';
  resumed: boolean;
  strategy: WmStrategy | null;
  pagination: 'keyset' | 'offset' | null;
  /** Why each strategy that was tried gave way. */
  tried: string[];
  tally: ProjectTally;
  ended: boolean;
  total: number | null;
  degraded: boolean;
  keysetRefused: boolean;
  linkOrigin: string | null;
  /** The gateway's figures, the reason there are none, and how many models the list did not name. */
  gateway: { figures: DownloadFigures | null; why: string | null; unmatched: number; matched: number };
}

function newWalk(purpose: Walk['purpose'], resumed: boolean): Walk {
  return {
    purpose,
    resumed,
    strategy: null,
    pagination: null,
    tried: [],
    tally: emptyTally(),
    ended: false,
    total: null,
    degraded: false,
    keysetRefused: false,
    linkOrigin: null,
    gateway: { figures: null, why: null, unmatched: 0, matched: 0 },
  };
}

type Cursor = { strategy: 'gitlab'; path: string } | { strategy: 'html'; page: number };

function readCursor(c: string): Cursor {
  // A bare page number is a checkpoint written before the GitLab strategy existed.
  const html = /^(?:html:)?([1-9]\d{0,6})$/.exec(c);
  if (html) return { strategy: 'html', page: Number(html[1]) };
  const gl = /^gl:(\/\S*\/api\/v4\/projects\?\S+|\/api\/v4\/projects\?\S+)$/.exec(c);
  if (gl) return { strategy: 'gitlab', path: gl[1]! };
  throw new InputError(`wisemodel: not a cursor of this source: ${JSON.stringify(capString(c, 100))}`);
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export function createWiseModelSource(opts: WiseModelSourceOptions): WiseModelSource {
  const { config } = opts;
  const platform = 'wisemodel' as const;
  const log = opts.logger.child({ source: platform });
  const settings = config.file.sources.wisemodel;
  const ep = endpoints(config);
  const http = createHttpClient(
    wisemodelProfile,
    { config, logger: log, rateLimitMode: opts.rateLimitMode },
    { serial: true, ...opts.http },
  );
  const now = opts.now ?? (() => new Date());
  const html = createHtmlStrategy({ config, http, log, now, enrichNewest: opts.enrichNewest ?? true });
  const gateway = new Gateway({
    http,
    base: ep.gateway,
    settings: settings.gateway,
    token: config.tokens.wisemodel,
    log,
  });
  const gitlabOrigin = new URL(ep.gitlab).origin;
  let lastSweep: Walk | null = null;
  let strategy: WmStrategy | null = null;
  if (ep.gitlabRebased)
    log.info({ gitlab: ep.gitlab }, 'GitLab asked at HUBWATCH_WISEMODEL_URL, which points away from wisemodel.cn');

  function degradedPage(walk: Walk, url: string, payload: string): SourcePage<WmSourceItem> {
    const message = degradedMessage(walk.tried);
    walk.degraded = true;
    log.error({ tried: walk.tried }, message);
    return {
      items: [],
      quarantine: [toQuarantine(platform, 'page', payload, message, url, now())],
      next: null,
      url,
      degraded: true,
    };
  }

  /** The sweep's download figures, read once before its first GitLab page is handed on. */
  async function loadDownloads(walk: Walk, signal?: AbortSignal): Promise<void> {
    if (settings.gateway.downloads === null) {
      walk.gateway.why = `no gateway endpoint for downloads is configured (sources.wisemodel.gateway.downloads)`;
      return;
    }
    try {
      walk.gateway.figures = await gateway.downloads(signal);
      log.info(
        { listed: walk.gateway.figures.listed, pages: walk.gateway.figures.pages },
        'gateway download figures read',
      );
    } catch (err) {
      if (!(err instanceof GatewayError) && !(err instanceof PermanentHttpError) && !(err instanceof PageFailedError))
        throw err;
      walk.gateway.why = `the gateway failed: ${err.message}`;
      log.warn({ err: err.message }, 'no WiseModel downloads today: the gateway failed');
    }
  }

  async function* gitlabWalk(
    walk: Walk,
    resume: string | null,
    signal?: AbortSignal,
  ): AsyncGenerator<SourcePage<WmSourceItem>, boolean> {
    let mode: 'keyset' | 'offset' =
      resume === null ? settings.gitlab.pagination : resume.includes('pagination=keyset') ? 'keyset' : 'offset';
    let url = resume === null ? projectsUrl(ep.gitlab, mode, settings.gitlab.perPage) : `${gitlabOrigin}${resume}`;
    let first = true;
    // A page of datasets and code repos alone holds no model: it is not handed on by itself (a runner takes an empty
    // page for the end of the list); its quarantine goes with the next page that has models, or the last.
    let carried: QuarantineItem[] = [];
    for (;;) {
      const res = await fetchProjects(http, url, signal);
      if (res.kind === 'keyset-refused' && first && resume === null) {
        walk.keysetRefused = true;
        log.warn({ url: res.url }, 'GitLab refuses keyset pagination here; walking by offset');
        mode = 'offset';
        url = projectsUrl(ep.gitlab, mode, settings.gitlab.perPage);
        continue;
      }
      if (res.kind !== 'page') {
        const why = res.kind === 'keyset-refused' ? 'HTTP 405: keyset pagination refused' : res.why;
        if (first && resume === null) {
          walk.tried.push(`GitLab projects list at ${ep.gitlab}/api/v4/projects: ${why}`);
          log.warn({ url: res.url, why }, 'the GitLab projects list does not answer; trying the next strategy');
          return false;
        }
        throw new PageFailedError(`wisemodel: GitLab projects page ${res.url} answered ${why}`);
      }
      if (first) {
        first = false;
        walk.strategy = strategy = 'gitlab';
        walk.pagination = mode;
        walk.total = res.total;
        if (walk.purpose === 'sweep') await loadDownloads(walk, signal);
      }
      if (res.linkOrigin !== null && walk.linkOrigin === null) {
        walk.linkOrigin = res.linkOrigin;
        log.warn(
          { linkOrigin: res.linkOrigin, followed: gitlabOrigin },
          "GitLab's Link names another host; following its path on the configured one",
        );
      }
      const read = readProjects(res.items, {
        rules: settings.gitlab.kinds,
        ref: res.url,
        at: now(),
        tally: walk.tally,
      });
      let incomplete = read.incomplete;
      const figures = walk.gateway.figures;
      if (figures) {
        for (const it of read.items) {
          const f = figures.figures.get(`${it.owner}/${it.name}`);
          if (f) {
            it.downloads = f.downloads;
            if (f.likes !== null) it.likes = f.likes;
          }
          if (f?.downloads == null) {
            walk.gateway.unmatched++;
            incomplete++;
          } else walk.gateway.matched++;
        }
      }
      if (read.quarantine.length)
        log.warn(
          { url: res.url, quarantined: read.quarantine.length, first: read.quarantine[0]!.reason },
          'GitLab projects quarantined',
        );
      http.counters.pages++;
      const quarantine = carried.length ? [...carried, ...read.quarantine] : read.quarantine;
      if (read.items.length === 0 && res.next !== null) {
        carried = quarantine;
        signal?.throwIfAborted();
        url = res.next;
        continue;
      }
      carried = [];
      const next = res.next === null ? null : `gl:${pathOf(res.next)}`;
      // Said before the last page is handed on: a runner stops asking once it sees `next: null`.
      if (next === null) walk.ended = true;
      yield { items: read.items, quarantine, next, url: res.url, ...(incomplete ? { incomplete } : {}) };
      if (res.next === null) return true;
      signal?.throwIfAborted();
      url = res.next;
    }
  }

  async function* walk(purpose: Walk['purpose'], o: ListOptions = {}): AsyncGenerator<SourcePage<WmSourceItem>> {
    const signal = o.signal;
    const cursor = o.cursor ? readCursor(o.cursor) : null;
    const w = newWalk(purpose, cursor !== null);
    if (purpose === 'sweep') lastSweep = w;
    const sort: WmSort = purpose === 'sweep' ? 'downloads' : 'newest';
    if (cursor?.strategy === 'gitlab') {
      yield* gitlabWalk(w, cursor.path, signal);
      return;
    }
    let lastUrl = ep.site;
    let lastPayload = '';
    for (const s of cursor?.strategy === 'html' ? (['html'] as const) : settings.strategies) {
      if (s === 'gitlab') {
        if (yield* gitlabWalk(w, null, signal)) return;
        lastUrl = `${ep.gitlab}/api/v4/projects`;
        continue;
      }
      const pages = html.list(sort, cursor?.strategy === 'html' ? cursor.page : 1, signal);
      let r = await pages.next();
      if (r.done && r.value.shell) {
        w.tried.push(`HTML list page ${r.value.shell.url}: a client-rendered app shell, nothing to read`);
        lastUrl = r.value.shell.url;
        lastPayload = r.value.shell.html;
        continue;
      }
      w.strategy = strategy = 'html';
      while (!r.done) {
        const page = r.value;
        if (page.degraded) w.degraded = true;
        if (page.next === null) w.ended = true;
        yield { ...page, next: page.next === null ? null : `html:${page.next}` };
        if (page.next === null) return;
        r = await pages.next();
      }
      w.ended = true;
      return;
    }
    strategy = null;
    yield degradedPage(w, lastUrl, lastPayload || w.tried.join('\n'));
  }

  function downloadsNote(w: Walk): string {
    const d = settings.gateway.downloads;
    if (w.gateway.figures && d) {
      const f = w.gateway.figures;
      return (
        `downloads from the gateway endpoint ${d.path} (configured by the operator; evidence: ${EVIDENCE.gateway.level}): ` +
        `${f.listed} listed in ${f.pages} page(s), ${w.gateway.matched} of ${w.gateway.matched + w.gateway.unmatched} models matched` +
        `${w.gateway.unmatched ? `, ${w.gateway.unmatched} without a figure (null, counted incomplete)` : ''}` +
        `${f.unreadable ? `, ${f.unreadable} listed item(s) unreadable under the configured fields` : ''}` +
        `${f.short ? `; ${f.short}` : ''}` +
        `${d.likesField ? '; likes from the gateway where it gives them' : ''}`
      );
    }
    return `downloads are null: ${w.gateway.why ?? 'not read'}. See \`hubwatch probe --platform wisemodel\`; set sources.wisemodel.gateway.downloads and WISEMODEL_TOKEN to read them`;
  }

  function sweepReport(ctx: { recordsSeen: number; resumed: boolean }): SweepReport {
    const w = lastSweep;
    if (!w) return { complete: false, notes: ['wisemodel: no sweep walk was recorded'] };
    if (w.strategy === null) {
      return { complete: false, notes: [degradedMessage(w.tried)] };
    }
    const resumed = ctx.resumed ? ' (this run resumed a sweep: its counts cover the pages after the checkpoint)' : '';
    if (w.strategy === 'html') {
      return {
        complete: w.ended && !w.degraded,
        notes: [
          `WiseModel read from its HTML list pages, the fallback strategy (evidence: ${EVIDENCE.html.level}: ${EVIDENCE.html.rests})${w.tried.length ? `; before it: ${w.tried.join('; ')}` : ''}${resumed}`,
          ...(w.degraded
            ? [
                `some pages yielded no usable models: run \`hubwatch probe --platform wisemodel\` and set ${CONFIG_KEYS}`,
              ]
            : []),
        ],
      };
    }
    const t = w.tally;
    const rules = settings.gitlab.kinds;
    const datasetsKnown = rules.some((r) => r.kind === 'datasets');
    const notes = [
      `WiseModel read through GitLab's projects list at ${ep.gitlab}/api/v4/projects, ${w.pagination} pages by id, newest first (evidence: ${EVIDENCE.gitlab.level}: ${EVIDENCE.gitlab.rests})${resumed}`,
      `${t.projects} public project(s) read: ${datasetsKnown ? `${t.models} model(s), ${t.datasets} dataset(s)` : `${t.models} model(s) or dataset(s)`}, ${t.codes} code repo(s)` +
        `${t.otherPaths ? `; ${t.otherPaths} model-kind project(s) deeper than {owner}/{name} left out` : ''}` +
        `${t.notPublic ? `; ${t.notPublic} not public, left out` : ''}`,
      `figures: new releases from created_at, likes from star_count (GitLab stars taken for the site's likes [inferred]); licence, task and base models are not in GitLab's list: null (no WiseModel model counts as a derivative, none in the llm scope)`,
      downloadsNote(w),
    ];
    if (!datasetsKnown) {
      notes.push(
        `GitLab paths do not tell datasets from models (both are {owner}/{name}; only code repos sit under codes/): the ${t.models} model(s) may include datasets. Set sources.wisemodel.gitlab.kinds once a mark is known`,
      );
    }
    if (w.keysetRefused) notes.push('GitLab refused keyset pagination (HTTP 405): the walk went by offset');
    if (w.linkOrigin) notes.push(`GitLab's Link named ${w.linkOrigin}; its path was followed on ${gitlabOrigin}`);
    if (ep.gitlabRebased)
      notes.push(`GitLab asked at ${ep.gitlab}: HUBWATCH_WISEMODEL_URL points away from wisemodel.cn`);
    let complete = w.ended;
    if (w.pagination === 'offset') {
      const shown = !w.resumed && w.total !== null && t.projects >= w.total;
      if (!shown) {
        notes.push(
          `offset pages shift as projects come and go${w.total === null ? ' and GitLab gave no x-total (over 10,000 projects)' : ` (${t.projects} read, x-total ${w.total})`}: the walk cannot show it saw every project; use keyset (sources.wisemodel.gitlab.pagination)`,
        );
      }
      complete &&= shown;
    }
    return { complete, notes };
  }

  /** GitLab's project route answers for a project that exists: 404 means gone, another path means renamed. */
  async function confirmGone(
    ids: readonly string[],
    o: { signal?: AbortSignal } = {},
  ): Promise<Map<string, GoneCheck>> {
    const out = new Map<string, GoneCheck>();
    for (const id of ids) {
      if (strategy !== 'gitlab') {
        out.set(id, { state: 'unknown', detail: 'the last walk did not read GitLab' });
        continue;
      }
      try {
        const res = await http.send<unknown>(projectRoute(ep.gitlab, id), {
          signal: o.signal,
          what: 'GitLab project',
          headers: { accept: 'application/json' },
          passStatuses: [401, 403, 404, 410],
          parse: (t) => JSON.parse(t) as unknown,
        });
        const path = (res.body as { path_with_namespace?: unknown } | null)?.path_with_namespace;
        if (res.status === 404 || res.status === 410) out.set(id, { state: 'gone', detail: `HTTP ${res.status}` });
        else if (res.status !== 200 || typeof path !== 'string')
          out.set(id, { state: 'unknown', detail: `HTTP ${res.status}` });
        else if (path === id) out.set(id, { state: 'present' });
        else if (/^[^/\s]+\/[^/\s]+$/.test(path)) out.set(id, { state: 'renamed', to: path });
        else out.set(id, { state: 'unknown', detail: `now at ${path}` });
      } catch (err) {
        o.signal?.throwIfAborted();
        out.set(id, { state: 'unknown', detail: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  return {
    platform,
    http,
    counters: http.counters,
    get strategy() {
      return strategy;
    },
    listNewest: (o) => walk('newest', o),
    sweep: (o) => walk('sweep', o),
    sweepReport,
    confirmGone,
    objectId: (item) => (typeof item.projectId === 'number' ? String(item.projectId) : null),
    fetchModel: (id, o) => html.fetchModel(id, o),
    robots: (signal) => html.robots(signal),
    orderTime: (item) => item.createdAt ?? null,
    normalise: (item, ctx) => normaliseWiseModel(item, ctx),
    sight: (item, seed, fingerprint) => sightItem(wisemodelProfile, item, seed, fingerprint),
    close: () => http.close(),
  };
}
