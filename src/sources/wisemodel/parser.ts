// WiseModel pages to models: the HTML fallback strategy's reader. No public WiseModel page could be studied
// (research note §B) and the site is most likely client-rendered (§E), so the parser is honest about what it reads
// and loud when it reads nothing; a client-rendered app shell (an empty mount and script bundles) is named as such.
//
// 1. Embedded state first: `<script id="__NEXT_DATA__" type="application/json">` (JSON), Nuxt 3's
//    `<script id="__NUXT_DATA__" type="application/json">` (devalue's flattened array, read with devalue), or
//    `window.__NUXT__=` / `window.__INITIAL_STATE__=` followed by a JSON literal (cut out with a string-aware
//    bracket scan and JSON.parse'd). Nuxt 2's IIFE form `window.__NUXT__=(function(a,b){…}(…))` is JavaScript, not
//    data: it is never evaluated; the parser notes it and reads the HTML instead. In the state, models are found
//    by shape (objects carrying an owner and a name, or an `owner/name` path), under the field names the pages'
//    scripts commonly use (see ALIASES).
// 2. Otherwise the HTML, with the CSS selectors from config (`sources.wisemodel.selectors`), so that an operator
//    can follow a layout change without a release.
//
// `problems` lists what did not fit (a page with no models, models missing required fields, unreadable state):
// the adapter marks such a page degraded and quarantines it.
import { load, type CheerioAPI } from 'cheerio';
import { unflatten } from 'devalue';
import { describeIssues } from '../validate.js';
import { WM_LIST_REQUIRED, WmModelSchema, type WiseModelInput } from './schema.js';
import { readInstant } from './times.js';

export interface WiseModelSelectors {
  listItem: string;
  listLink: string;
  nextPage: string;
  modelTitle: string;
  downloads: string;
  likes: string;
  license: string;
  task: string;
  createdAt: string;
  updatedAt: string;
  baseModel: string;
  tags: string;
}

export interface ParsedWiseModelPage {
  /** Models that passed the schema. */
  items: WiseModelInput[];
  /** Models found but rejected, with why (quarantined by the adapter). */
  rejected: Array<{ raw: unknown; reason: string }>;
  /** The next list page's href as the page gives it (relative or absolute), or null. */
  next: string | null;
  form: 'embedded' | 'html';
  kind: 'list' | 'model';
  problems: string[];
  /** The page is a client-rendered app shell: an empty mount and script bundles, nothing to read. */
  shell: boolean;
}

export interface ParseOptions {
  /** The page's URL: tells a model page (`/models/{owner}/{name}`) from a list page and gives a model page its id. */
  url?: string;
  /** `list` or `model`; guessed from the URL, then from the content, when absent. */
  kind?: 'list' | 'model';
  /** The fetch time, against which relative dates (`3天前`) are read; without it they are not read. */
  now?: Date;
}

const MODEL_PATH = /^\/models\/([^/?#\s]+)\/([^/?#\s]+)\/?(?:[?#].*)?$/;

/** `/models/{owner}/{name}` (absolute or relative) to its parts, or null. */
export function modelIdFromHref(
  href: string | undefined | null,
  base = 'http://x.invalid',
): { owner: string; name: string } | null {
  if (!href) return null;
  let path: string;
  try {
    path = new URL(href, base).pathname;
  } catch {
    return null;
  }
  const m = MODEL_PATH.exec(path);
  if (!m) return null;
  try {
    return { owner: decodeURIComponent(m[1]!), name: decodeURIComponent(m[2]!) };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values as pages show them

const CN_UNITS: Record<string, number> = {
  万: 1e4,
  亿: 1e8,
  k: 1e3,
  K: 1e3,
  m: 1e6,
  M: 1e6,
  b: 1e9,
  B: 1e9,
  w: 1e4,
  W: 1e4,
};

/** `1234`, `"1,234"`, `"1.2k"`, `"3.4万"`, `"下载 1,234"` to an integer; null when there is no number. */
export function parseCount(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  const m = /(\d[\d,]*(?:\.\d+)?)\s*([万亿kKmMbBwW])?/.exec(v.replace(/\s+/g, ' '));
  if (!m) return null;
  const n = Number(m[1]!.replace(/,/g, ''));
  if (!Number.isFinite(n)) return null;
  const unit = m[2] ? (CN_UNITS[m[2]] ?? 1) : 1;
  const r = Math.round(n * unit);
  return Number.isSafeInteger(r) ? r : null;
}

/**
 * A date as a page writes it, to a UTC ISO instant (times.ts): zoneless values are Beijing time, relative ones
 * (`3天前`) are read against `now`, the fetch time.
 */
export function parseDate(v: unknown, now?: Date): string | null {
  return readInstant(v, now);
}

const clean = (s: string | undefined | null): string | null => {
  if (s === undefined || s === null) return null;
  const t = s.replace(/\s+/g, ' ').trim();
  return t === '' ? null : t;
};

// ---------------------------------------------------------------------------------------------------------------
// Embedded state

/** Field names seen in the state of Next/Nuxt model hubs, per WiseModelInput field (first match wins). */
const ALIASES = {
  owner: [
    'owner',
    'namespace',
    'owner_name',
    'ownerName',
    'org',
    'org_name',
    'orgName',
    'organization',
    'author',
    'username',
    'user_name',
  ],
  name: ['name', 'model_name', 'modelName', 'repo_name', 'repoName', 'slug'],
  path: ['path', 'full_name', 'fullName', 'repo_id', 'repoId', 'model_id', 'modelId', 'path_with_namespace', 'id'],
  title: ['title', 'display_name', 'displayName', 'chinese_name', 'chineseName', 'cn_name', 'nickname', 'show_name'],
  downloads: [
    'downloads',
    'download_count',
    'downloadCount',
    'downloads_count',
    'downloadsCount',
    'download_num',
    'downloadNum',
    'download',
  ],
  likes: [
    'likes',
    'like_count',
    'likeCount',
    'likes_count',
    'likesCount',
    'stars',
    'star_count',
    'starCount',
    'favorites',
  ],
  license: ['license', 'license_name', 'licenseName', 'licence'],
  task: ['task', 'pipeline_tag', 'task_name', 'taskName', 'tasks', 'task_type'],
  createdAt: ['createdAt', 'created_at', 'create_time', 'createTime', 'gmt_create', 'gmtCreate', 'created'],
  updatedAt: [
    'updatedAt',
    'updated_at',
    'update_time',
    'updateTime',
    'last_modified',
    'lastModified',
    'gmt_modified',
    'gmtModified',
    'updated',
  ],
  baseModels: ['baseModels', 'base_models', 'base_model', 'baseModel'],
  tags: ['tags', 'labels', 'tag_list', 'tagList'],
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pick(o: Obj, keys: readonly string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null && o[k] !== '') return o[k];
  return undefined;
}

function asText(v: unknown): string | null {
  if (typeof v === 'string') return clean(v);
  if (typeof v === 'number') return String(v);
  if (isObj(v)) return asText(pick(v, ['name', 'title', 'label', 'value', 'id']));
  if (Array.isArray(v)) return v.length ? asText(v[0]) : null;
  return null;
}

function asIdList(v: unknown): string[] | null {
  if (v === undefined || v === null || v === '') return null;
  const arr = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of arr) {
    const s =
      typeof x === 'string' ? x : isObj(x) ? asText(pick(x, ['path', 'full_name', 'id', 'model_id', 'name'])) : null;
    if (!s) continue;
    const fromHref = modelIdFromHref(s.startsWith('/') || s.includes('://') ? s : null);
    out.push(fromHref ? `${fromHref.owner}/${fromHref.name}` : s.trim());
  }
  return out;
}

function asTags(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string')
    return v
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean);
  if (!Array.isArray(v)) return null;
  return v.map(asText).filter((s): s is string => s !== null);
}

/** The owner and name of a state object, when it looks like a model; null otherwise. */
function idOf(o: Obj): { owner: string; name: string } | null {
  const path = pick(o, ALIASES.path);
  if (typeof path === 'string') {
    const m = /^\/?(?:models\/)?([^/\s]+)\/([^/\s]+)$/.exec(path.trim());
    if (m) return { owner: m[1]!, name: m[2]! };
  }
  const owner = asText(pick(o, ALIASES.owner));
  const name = pick(o, ALIASES.name);
  if (owner && typeof name === 'string' && name.trim()) return { owner, name: name.trim() };
  return null;
}

/** A state object mapped onto WiseModelInput's names (values still as found: the schema checks them). */
function fromState(o: Obj, id: { owner: string; name: string }, now: Date | undefined): Record<string, unknown> {
  const dl = pick(o, ALIASES.downloads);
  const lk = pick(o, ALIASES.likes);
  const created = pick(o, ALIASES.createdAt);
  const updated = pick(o, ALIASES.updatedAt);
  return {
    owner: id.owner,
    name: id.name,
    title: asText(pick(o, ALIASES.title)),
    downloads: dl === undefined ? null : (parseCount(dl) ?? dl),
    likes: lk === undefined ? null : (parseCount(lk) ?? lk),
    license: asText(pick(o, ALIASES.license)),
    task: asText(pick(o, ALIASES.task)),
    createdAt: created === undefined ? null : (parseDate(created, now) ?? created),
    updatedAt: updated === undefined ? null : (parseDate(updated, now) ?? updated),
    baseModels: asIdList(pick(o, ALIASES.baseModels)),
    tags: asTags(pick(o, ALIASES.tags)),
  };
}

const MAX_NODES = 200_000;

/** All arrays of model-like objects in the state, and all model-like objects (bounded walk, cycle-safe). */
function findModels(state: unknown): { lists: Obj[][]; singles: Obj[] } {
  const lists: Obj[][] = [];
  const singles: Obj[] = [];
  const seen = new Set<unknown>();
  const stack: Array<{ v: unknown; depth: number }> = [{ v: state, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0 && nodes < MAX_NODES) {
    const { v, depth } = stack.pop()!;
    nodes++;
    if (typeof v !== 'object' || v === null || seen.has(v) || depth > 24) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      const models = v.filter((x): x is Obj => isObj(x) && idOf(x) !== null);
      if (models.length > 0 && models.length >= v.length / 2) lists.push(models);
      for (const x of v) stack.push({ v: x, depth: depth + 1 });
    } else {
      if (idOf(v as Obj)) singles.push(v as Obj);
      for (const x of Object.values(v)) stack.push({ v: x, depth: depth + 1 });
    }
  }
  return { lists, singles };
}

// Nuxt's own payload types (nuxt/src/app/plugins/revive-payload.client.ts): Vue refs and reactive wrappers stand
// for the value they hold; an empty ref carries its value as JSON text, or "_" for undefined. An application's own
// payload types are unknown here: devalue refuses them and the page is read from its HTML instead.
function emptyRef(data: unknown): unknown {
  if (data === '_') return undefined;
  if (data === '0n') return 0n;
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}
const NUXT_REVIVERS: Record<string, (value: unknown) => unknown> = {
  NuxtError: (data) => data,
  EmptyShallowRef: emptyRef,
  EmptyRef: emptyRef,
  ShallowRef: (data) => data,
  ShallowReactive: (data) => data,
  Ref: (data) => data,
  Reactive: (data) => data,
  Island: (data) => data,
};

/**
 * Nuxt 3's `__NUXT_DATA__` (devalue's flattened array, whose values index into it) to plain data, read by devalue
 * itself. Dates stay the ISO strings they were written as: the readers downstream take text.
 */
export function unflattenDevalue(flat: unknown): unknown {
  return unflatten(flat as number | unknown[], NUXT_REVIVERS, { operations: { fromISOString: (iso: string) => iso } });
}

/** The JSON text that starts at `start` (an object or array literal), found with a string-aware bracket scan. */
export function cutJsonLiteral(s: string, start: number): string | null {
  const open = s[start];
  if (open !== '{' && open !== '[') return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return s.slice(start, i + 1);
    }
  }
  return null;
}

const WINDOW_STATE = /window\.(__NUXT__|__INITIAL_STATE__|__PRELOADED_STATE__|__APP_STATE__)\s*=\s*/;
const IIFE_RETURN = /^\(\s*function\s*\(\s*\)\s*\{\s*return\s+/;

function readEmbeddedState($: CheerioAPI, problems: string[]): { state: unknown; source: string } | null {
  const next = $('script#__NEXT_DATA__').first();
  if (next.length) {
    try {
      return { state: JSON.parse(next.text()), source: '__NEXT_DATA__' };
    } catch (err) {
      problems.push(`__NEXT_DATA__ is not valid JSON (${(err as Error).message}); read the HTML instead`);
    }
  }
  const nuxt3 = $('script#__NUXT_DATA__').first();
  if (nuxt3.length) {
    try {
      return { state: unflattenDevalue(JSON.parse(nuxt3.text())), source: '__NUXT_DATA__' };
    } catch (err) {
      problems.push(
        `__NUXT_DATA__ is not a devalue payload hubwatch can read (${(err as Error).message}); read the HTML instead`,
      );
    }
  }
  for (const el of $('script:not([src])').toArray()) {
    const text = $(el).text();
    const m = WINDOW_STATE.exec(text);
    if (!m) continue;
    let at = m.index + m[0].length;
    // `(function(){return {…}})()`: a function without parameters that returns one literal. The literal is cut out
    // and read as JSON; the function is never run. With parameters (Nuxt 2's `(function(a,b){…}(1,2))`) the
    // literal refers to them, is not JSON, and the HTML is read instead.
    const iife = IIFE_RETURN.exec(text.slice(at));
    if (iife) at += iife[0].length;
    else if (/^\(?\s*function\b/.test(text.slice(at))) {
      problems.push(
        `window.${m[1]} is a script (IIFE with parameters), not data; it is not evaluated; read the HTML instead`,
      );
      continue;
    }
    const literal = cutJsonLiteral(text, at);
    if (literal === null) {
      problems.push(`window.${m[1]} holds no JSON literal; read the HTML instead`);
      continue;
    }
    try {
      return { state: JSON.parse(literal), source: `window.${m[1]}` };
    } catch (err) {
      problems.push(
        `window.${m[1]} is a JavaScript literal, not JSON (${(err as Error).message}); read the HTML instead`,
      );
    }
  }
  return null;
}

/** A next-page pointer in the state: a URL, a page number, or page/pageCount (hasMore) pairs. */
function nextFromState(state: unknown, url: string | undefined): string | null {
  const seen = new Set<unknown>();
  const stack: unknown[] = [state];
  let nodes = 0;
  while (stack.length > 0 && nodes++ < 20_000) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    const o = v as Obj;
    const nextVal = pick(o, ['next', 'nextPage', 'next_page', 'nextUrl', 'next_url']);
    if (typeof nextVal === 'string' && nextVal.trim()) return nextVal.trim();
    const page = parseCount(
      pick(o, ['page', 'current', 'currentPage', 'current_page', 'pageNum', 'page_num', 'pageNo']),
    );
    if (page !== null && page >= 1) {
      if (typeof nextVal === 'number') return withPage(url, nextVal);
      let pages = parseCount(pick(o, ['totalPages', 'total_pages', 'pageCount', 'page_count', 'pages', 'lastPage']));
      const total = parseCount(pick(o, ['total', 'totalCount', 'total_count', 'count']));
      const size = parseCount(pick(o, ['pageSize', 'page_size', 'size', 'limit', 'perPage', 'per_page']));
      if (pages === null && total !== null && size !== null && size > 0) pages = Math.ceil(total / size);
      const more = pick(o, ['hasMore', 'has_more', 'hasNext', 'has_next']);
      if (typeof more === 'boolean') return more ? withPage(url, page + 1) : null;
      if (pages !== null) return page < pages ? withPage(url, page + 1) : null;
    }
    stack.push(...Object.values(o));
  }
  return null;
}

function withPage(url: string | undefined, page: number): string {
  const u = new URL(url ?? '/models', 'http://x.invalid');
  u.searchParams.set('page', String(page));
  return url && /^https?:/.test(url) ? u.toString() : `${u.pathname}${u.search}`;
}

// ---------------------------------------------------------------------------------------------------------------
// HTML with selectors

function fieldText($: CheerioAPI, scope: ReturnType<CheerioAPI>, selector: string): string | null {
  const el = scope.find(selector).first();
  if (!el.length) return null;
  return clean(el.attr('data-value') ?? el.attr('datetime') ?? el.attr('content') ?? el.attr('title') ?? el.text());
}

function fromHtmlScope(
  $: CheerioAPI,
  scope: ReturnType<CheerioAPI>,
  sel: WiseModelSelectors,
  id: { owner: string; name: string },
  title: string | null,
  base: string,
  /** A model page shows its base models and tags when it has any: none shown means none (not unknown). */
  wholePage: boolean,
  now: Date | undefined,
): Record<string, unknown> {
  const dl = fieldText($, scope, sel.downloads);
  const lk = fieldText($, scope, sel.likes);
  const created = fieldText($, scope, sel.createdAt);
  const updated = fieldText($, scope, sel.updatedAt);
  const bases = scope
    .find(sel.baseModel)
    .toArray()
    .map((a) => {
      const href = $(a).attr('href');
      const m = modelIdFromHref(href, base);
      return m ? `${m.owner}/${m.name}` : clean($(a).text());
    })
    .filter((s): s is string => s !== null);
  const tags = scope
    .find(sel.tags)
    .toArray()
    .map((t) => clean($(t).text()))
    .filter((s): s is string => s !== null);
  return {
    owner: id.owner,
    name: id.name,
    title,
    downloads: dl === null ? null : (parseCount(dl) ?? dl),
    likes: lk === null ? null : (parseCount(lk) ?? lk),
    license: fieldText($, scope, sel.license),
    task: fieldText($, scope, sel.task),
    createdAt: created === null ? null : (parseDate(created, now) ?? created),
    updatedAt: updated === null ? null : (parseDate(updated, now) ?? updated),
    baseModels: bases.length || wholePage ? bases : null,
    tags: tags.length || wholePage ? tags : null,
  };
}

function modelIdOfPage($: CheerioAPI, url: string | undefined): { owner: string; name: string } | null {
  const candidates = [url, $('link[rel=canonical]').attr('href'), $('meta[property="og:url"]').attr('content')];
  for (const c of candidates) {
    const m = modelIdFromHref(c ?? null);
    if (m) return m;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------

/** Reads one WiseModel page (a list page or a model page) into validated models. Pure; never throws on input. */
export function parseWiseModelPage(
  html: string,
  selectors: WiseModelSelectors,
  opts: ParseOptions = {},
): ParsedWiseModelPage {
  const problems: string[] = [];
  const base = opts.url && /^https?:/.test(opts.url) ? opts.url : 'http://x.invalid/';
  let $: CheerioAPI;
  try {
    $ = load(html);
  } catch (err) {
    return {
      items: [],
      rejected: [],
      next: null,
      form: 'html',
      kind: opts.kind ?? 'list',
      problems: [`not HTML: ${(err as Error).message}`],
      shell: false,
    };
  }
  const urlId = opts.url ? modelIdFromHref(opts.url, base) : null;
  // The kind: as given, else from the URL, else from the content (for `inspect` on a saved file).
  const guess = !opts.kind && !opts.url;
  let kind: 'list' | 'model' = opts.kind ?? (urlId ? 'model' : 'list');
  if (guess && $(selectors.listItem).length === 0 && $(selectors.modelTitle).length > 0) kind = 'model';

  let candidates: Record<string, unknown>[] = [];
  let form: 'embedded' | 'html' = 'html';
  let next: string | null = clean($(selectors.nextPage).first().attr('href')) ?? null;

  const embedded = readEmbeddedState($, problems);
  if (embedded) {
    const { lists, singles } = findModels(embedded.state);
    if (guess) kind = lists.length > 0 ? 'list' : singles.length > 0 ? 'model' : kind;
    if (kind === 'list') {
      const best = lists.sort((a, b) => b.length - a.length)[0];
      if (best) {
        candidates = best.map((o) => fromState(o, idOf(o)!, opts.now));
        next ??= nextFromState(embedded.state, opts.url);
      }
    } else {
      const id = urlId ?? modelIdOfPage($, opts.url);
      const match =
        singles.find((o) => {
          const i = idOf(o);
          return id !== null && i !== null && i.owner === id.owner && i.name === id.name;
        }) ?? (id === null ? singles[0] : undefined);
      if (match) candidates = [fromState(match, idOf(match)!, opts.now)];
    }
    if (candidates.length > 0) form = 'embedded';
    else
      problems.push(
        `embedded state (${embedded.source}) holds no ${kind === 'list' ? 'model list' : 'model'}; read the HTML instead`,
      );
  }

  if (form === 'html') {
    if (kind === 'list') {
      for (const el of $(selectors.listItem).toArray()) {
        const scope = $(el);
        const link = scope.find(selectors.listLink).first();
        const id = modelIdFromHref(link.attr('href'), base);
        if (!id) {
          candidates.push({
            owner: null,
            name: null,
            href: link.attr('href') ?? null,
            text: clean(scope.text())?.slice(0, 200),
          });
          continue;
        }
        // The card's title: the link text, unless it only repeats the id.
        const text = clean(link.text());
        const title = text === `${id.owner}/${id.name}` || text === id.name ? null : text;
        candidates.push(fromHtmlScope($, scope, selectors, id, title, base, false, opts.now));
      }
    } else {
      const id = urlId ?? modelIdOfPage($, opts.url);
      const title = clean($(selectors.modelTitle).first().text());
      if (id && title !== null) candidates.push(fromHtmlScope($, $.root(), selectors, id, title, base, true, opts.now));
      else if (id || title !== null) {
        candidates.push({ owner: id?.owner ?? null, name: id?.name ?? null, title });
        if (title === null) problems.push(`model page: selector modelTitle (${selectors.modelTitle}) matched nothing`);
      }
    }
  }

  const items: WiseModelInput[] = [];
  const rejected: Array<{ raw: unknown; reason: string }> = [];
  for (const c of candidates) {
    const r = WmModelSchema.safeParse(c);
    if (!r.success) {
      rejected.push({ raw: c, reason: describeIssues(r.error) });
      continue;
    }
    const missing =
      kind === 'list' ? WM_LIST_REQUIRED.filter((f) => r.data[f] === null || r.data[f] === undefined) : [];
    if (missing.length > 0) {
      rejected.push({ raw: c, reason: `missing ${missing.join(', ')}` });
      continue;
    }
    items.push(r.data);
  }
  const shell = candidates.length === 0 && embedded === null && isAppShell($);
  if (shell) {
    problems.push(
      'a client-rendered app shell (an empty app mount and script bundles): the models are fetched by its JavaScript, there is nothing in the HTML to read',
    );
  } else if (candidates.length === 0) {
    problems.push(
      form === 'html'
        ? kind === 'list'
          ? `no models: selector listItem (${selectors.listItem}) matched nothing and no embedded state was usable`
          : 'no model: the page names no /models/{owner}/{name} and no embedded state was usable'
        : 'no models found',
    );
  }
  if (rejected.length > 0)
    problems.push(`${rejected.length} of ${candidates.length} models rejected: ${rejected[0]!.reason}`);
  return { items, rejected, next, form, kind, problems, shell };
}

/** An empty mount point (`#app`, `#root`, `#__nuxt`, `#__next`) and a script bundle, and no text of its own. */
function isAppShell($: CheerioAPI): boolean {
  const mount = $('#app, #root, #__nuxt, #__next').first();
  if (!mount.length || mount.children().length > 0 || clean(mount.text()) !== null) return false;
  return (
    $('script[src]').length > 0 &&
    (clean($('body').clone().find('script, noscript').remove().end().text()) ?? '') === ''
  );
}
