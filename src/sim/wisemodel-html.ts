// The HTML fallback's fixture: server-rendered WiseModel list and model pages. No real WiseModel page is public
// (research note §B1, samples/wisemodel/SOURCE.md) and the site is most likely a client-rendered Vue application
// (§E), so these pages are ours, served only when `SimFaults.wmHtmlFixture` is on. They exist to exercise what a
// scraper of a Chinese model hub meets, should WiseModel ever render server-side:
//
//   GET /models?page=N&sort=newest|downloads   24 models per page, newest first by default
//   GET /models/{owner}/{name}                 one model
//   GET /organization/{org}?page=N             an organisation's models (same list markup)
//
// Each page comes in one of two forms (`wisemodelForm`; `mixed` picks per page from a hash of the URL and day):
//  1. embedded state, as a Nuxt or Next build ships it: `<script>window.__NUXT__=(function(){return {...}})()</script>`
//     or `<script id="__NEXT_DATA__" type="application/json">{...}</script>`, with an empty app mount. The object
//     literal is plain JSON (with `<` escaped as \u003c). List pages carry `{list, total, page, pageSize}` under
//     `data[0]` (Nuxt) or `props.pageProps` (Next); model pages carry `{model}` there.
//  2. server-rendered HTML matching config/default.json `sources.wisemodel.selectors`: `ul.model-list >
//     li.model-item` with `a.model-link`, per-item `[data-field=…]` elements, `a[rel=next]` for the next page; model
//     pages with `h1.model-title`, `[data-field=…]`, `[data-field=base-model] a`, `ul.tags > li`. Numbers are plain
//     digits; the creation time is Beijing time without a zone (`2024-05-07 12:27:17`), the update time is relative
//     to the end of the simulated day (`3天前`, `5 小时前`), as Chinese sites write them.
// `layoutDrift` renders a redesigned layout (other class names, no data-field attributes, no embedded state).
import { hostileFor, isHostile } from './hostile.js';
import { html, type PlatformContext, type Reply, type RequestInfo } from './http.js';
import { hashString, isoSeconds } from './rng.js';
import { WmPart, type WmSiteContext } from './wisemodel-part.js';

export const WM_PAGE_SIZE = 24;
export type WisemodelForm = 'embedded' | 'html' | 'mixed';

export interface WmItem {
  owner: string;
  name: string;
  title: string | null;
  downloads: number | null;
  likes: number;
  license: string;
  task: string;
  createdAt: string | null;
  updatedAt: string;
  baseModels: string[];
  tags: string[];
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** `2024-05-07 12:27:17`: the instant in Beijing time, without a zone. */
export function beijingText(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** How a Chinese site writes a past instant relative to `nowSec`: 刚刚, N 分钟前, N 小时前, N天前. */
export function relativeText(sec: number, nowSec: number): string {
  const d = Math.max(0, nowSec - sec);
  if (d < 60) return '刚刚';
  if (d < 3600) return `${Math.floor(d / 60)} 分钟前`;
  if (d < 86_400) return `${Math.floor(d / 3600)} 小时前`;
  return `${Math.floor(d / 86_400)}天前`;
}

/**
 * The client-rendered shell every HTML route answers with when the fixture is off: Vue CLI's default page (its
 * hashed asset names are what the SDK's logo URL shows), a noscript notice and an empty mount.
 */
export function appShell(title: string, head = '', body = '<div id="app"></div>'): string {
  const noscript = `<noscript><strong>We're sorry but 始智AI wisemodel doesn't work properly without JavaScript enabled. Please enable it to continue.</strong></noscript>`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)} - 始智AI wisemodel</title><meta name="viewport" content="width=device-width,initial-scale=1">${head}<link rel="stylesheet" href="/css/app.31fb6580.css"></head><body>${body === '<div id="app"></div>' ? noscript : ''}${body}<script src="/js/chunk-vendors.9a1c2e.js"></script><script src="/js/app.4e2b7d.js"></script></body></html>`;
}

export class WmHtmlFixture extends WmPart {
  constructor(
    site: WmSiteContext,
    public form: () => WisemodelForm,
  ) {
    super(site);
  }

  item(k: number, dayN: number, ctx: PlatformContext): WmItem {
    const wm = this.wm;
    const hostile = isHostile(this.u.seed, k + 9_000_000, ctx.faults.hostileRate);
    const base = wm.base[k] as number;
    const it: WmItem = {
      owner: wm.owner[k] as string,
      name: wm.name[k] as string,
      title: hostile ? hostileFor(this.u.seed, k, 8) : (wm.title[k] as string),
      downloads: wm.downloads(k, dayN),
      likes: wm.likes(k, dayN),
      license: wm.license[k] as string,
      task: wm.task[k] as string,
      createdAt: isoSeconds(wm.created[k] as number),
      updatedAt: isoSeconds(wm.updated(k, dayN)),
      baseModels: base >= 0 ? [wm.idOf(base)] : [],
      tags: [wm.task[k] as string, wm.isMirror[k] ? '官方' : '社区'].filter(Boolean),
    };
    if (ctx.chance(ctx.faults.malformedRate)) {
      const c = Math.floor(ctx.seq.next() * 3);
      if (c === 0) it.downloads = null;
      else if (c === 1) it.createdAt = null;
      else it.title = null;
    }
    return it;
  }

  private pageForm(req: RequestInfo, ctx: PlatformContext): 'drift' | 'nuxt' | 'next' | 'html' {
    if (ctx.faults.layoutDrift) return 'drift';
    const f = this.form();
    const h = hashString(`${req.path}?${req.url.search}#${this.dayN()}`, this.u.seed);
    const embedded = f === 'embedded' || (f === 'mixed' && h % 2 === 0);
    if (!embedded) return 'html';
    return (h >>> 3) % 2 === 0 ? 'nuxt' : 'next';
  }

  /** The fixture's answer, or null for a path it does not serve. */
  handle(req: RequestInfo, ctx: PlatformContext): Reply | null {
    if (req.path === '/models' || req.path === '/models/') return this.listPage(req, ctx, null);
    let m = /^\/organization\/([^/]+)\/?$/.exec(req.path);
    if (m) return this.listPage(req, ctx, decodeURIComponent(m[1]!));
    m = /^\/models\/([^/]+)\/([^/]+)\/?$/.exec(req.path);
    if (m) return this.modelPage(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`, req, ctx);
    return null;
  }

  notFound(): Reply {
    return html(
      404,
      '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在 - 始智AI</title></head><body><div class="error-page"><h1>404</h1><p>页面不存在</p></div></body></html>',
    );
  }

  private listPage(req: RequestInfo, ctx: PlatformContext, org: string | null): Reply {
    const sp = req.url.searchParams;
    const dayN = this.dayN();
    const sort = sp.get('sort') === 'downloads' ? 'downloads' : 'newest';
    const pageRaw = Number(sp.get('page') ?? '1');
    const page = Number.isInteger(pageRaw) && pageRaw >= 1 ? pageRaw : 1;
    let all = this.wm.list(dayN, sort);
    if (org !== null) {
      all = all.filter((k) => this.wm.owner[k] === org);
      if (!all.length) return this.notFound();
    }
    const slice = all.slice((page - 1) * WM_PAGE_SIZE, page * WM_PAGE_SIZE);
    const items = slice.map((k) => this.item(k, dayN, ctx));
    const base = org === null ? '/models' : `/organization/${encodeURIComponent(org)}`;
    const hasNext = page * WM_PAGE_SIZE < all.length;
    const link = (p: number): string => `${base}?page=${p}${org === null ? `&sort=${sort}` : ''}`;
    const form = this.pageForm(req, ctx);
    const title = org ? `${org} 的模型` : '模型库';
    const state = { list: items, total: all.length, page, pageSize: WM_PAGE_SIZE };
    if (form === 'nuxt' || form === 'next')
      return html(200, appShell(title, '', this.embedded(form, org ? '/organization/[org]' : '/models', state)));
    if (form === 'drift') {
      const cards = items
        .map(
          (it) =>
            `<div class="repo-card"><a class="repo-anchor" href="/models/${encodeURIComponent(it.owner)}/${encodeURIComponent(it.name)}">${escapeHtml(it.owner)}/${escapeHtml(it.name)}</a><div class="repo-desc">${escapeHtml(it.title ?? '')}</div><div class="repo-stats"><span class="stat-dl">${it.downloads ?? ''}</span><span class="stat-like">${it.likes}</span></div></div>`,
        )
        .join('');
      const pager = hasNext
        ? `<div class="pager"><button class="pager-next" data-href="${link(page + 1)}">下一页</button></div>`
        : '';
      return html(
        200,
        appShell(title, '', `<div id="root"><section class="repo-grid">${cards}</section>${pager}</div>`),
      );
    }
    const lis = items
      .map(
        (it) =>
          `<li class="model-item"><a class="model-link" href="/models/${encodeURIComponent(it.owner)}/${encodeURIComponent(it.name)}"><span class="model-name">${escapeHtml(it.owner)}/${escapeHtml(it.name)}</span></a>` +
          `<p class="model-title">${escapeHtml(it.title ?? '')}</p>` +
          `<div class="model-meta">${this.fields(it, dayN)}</div></li>`,
      )
      .join('');
    const pager = `<nav class="pagination">${page > 1 ? `<a rel="prev" href="${link(page - 1)}">上一页</a>` : ''}<span class="current">${page}</span>${hasNext ? `<a rel="next" href="${link(page + 1)}">下一页</a>` : ''}</nav>`;
    return html(
      200,
      appShell(
        title,
        '',
        `<div id="app"><main class="models-page"><h2 class="page-title">${escapeHtml(title)}</h2><ul class="model-list">${lis}</ul>${pager}</main></div>`,
      ),
    );
  }

  private fields(it: WmItem, dayN: number): string {
    const endSec = (dayN + 1) * 86_400;
    return (
      (it.downloads === null
        ? '<span data-field="downloads">--</span>'
        : `<span data-field="downloads">${it.downloads}</span>`) +
      `<span data-field="likes">${it.likes}</span>` +
      `<span data-field="license">${escapeHtml(it.license)}</span>` +
      `<span data-field="task">${escapeHtml(it.task)}</span>` +
      (it.createdAt === null ? '' : `<span data-field="created-at">${beijingText(it.createdAt)}</span>`) +
      `<span data-field="updated-at">${relativeText(Date.parse(it.updatedAt) / 1000, endSec)}</span>`
    );
  }

  private embedded(form: 'nuxt' | 'next', route: string, state: Record<string, unknown>): string {
    if (form === 'nuxt') {
      return `<div id="__nuxt"><div id="__layout"><div class="app-loading"></div></div></div><script>window.__NUXT__=(function(){return ${scriptJson({ layout: 'default', data: [state], fetch: {}, error: null, state: {}, serverRendered: true, routePath: route })}})()</script>`;
    }
    return `<div id="__next"></div><script id="__NEXT_DATA__" type="application/json">${scriptJson({ props: { pageProps: state }, page: route, query: {}, buildId: 'wm-7f3c2a1', isFallback: false, gssp: true })}</script>`;
  }

  private modelPage(id: string, req: RequestInfo, ctx: PlatformContext): Reply {
    const dayN = this.dayN();
    const k = this.wm.lookup(id, dayN);
    if (k === null) return this.notFound();
    const it = this.item(k, dayN, ctx);
    const form = this.pageForm(req, ctx);
    const title = `${it.owner}/${it.name}`;
    if (form === 'nuxt' || form === 'next')
      return html(200, appShell(title, '', this.embedded(form, '/models/[owner]/[name]', { model: it })));
    const desc = `<div class="model-readme">${escapeHtml(it.title ?? '')}</div>`;
    if (form === 'drift') {
      return html(
        200,
        appShell(
          title,
          '',
          `<div id="root"><header class="repo-header"><h2 class="repo-heading">${escapeHtml(it.title ?? it.name)}</h2></header><div class="repo-info"><span class="stat-dl">${it.downloads ?? ''}</span><span class="stat-like">${it.likes}</span><span class="lic">${escapeHtml(it.license)}</span></div>${desc}</div>`,
        ),
      );
    }
    const bases = it.baseModels.length
      ? `<div data-field="base-model">${it.baseModels.map((b) => `<a href="/models/${b.split('/').map(encodeURIComponent).join('/')}">${escapeHtml(b)}</a>`).join(' ')}</div>`
      : '';
    const tags = `<ul class="tags">${it.tags.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>`;
    return html(
      200,
      appShell(
        title,
        '',
        `<div id="app"><main class="model-page"><div class="model-header"><h1 class="model-title">${escapeHtml(it.title ?? '')}</h1><div class="model-path"><a href="/organization/${encodeURIComponent(it.owner)}">${escapeHtml(it.owner)}</a> / ${escapeHtml(it.name)}</div></div>` +
          `<div class="model-meta">${this.fields(it, dayN)}</div>${bases}${tags}${desc}</main></div>`,
      ),
    );
  }
}
