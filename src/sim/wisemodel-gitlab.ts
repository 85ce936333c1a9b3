// WiseModel's GitLab v4 API as GitLab itself answers (the WiseModel SDK reaches it anonymously with python-gitlab:
// research note §B3). Only what hubwatch and its probe touch is served, and served as strictly as GitLab does:
//
//   GET /api/v4/projects                       public projects, `simple` fields (ProjectIdentity + BasicProjectDetails,
//                                              lib/api/entities/*.rb): anonymous callers get nothing else
//     offset pagination (default)             `page`, `per_page` (default 20, at most 100); `x-page`, `x-per-page`,
//                                              `x-next-page`, `x-prev-page`, and `x-total`, `x-total-pages` and a
//                                              `rel="last"` link only up to 10,000 records; a Link with prev/next/first;
//                                              `page * per_page` above 50,000 is refused with 405 (lib/api/helpers/
//                                              pagination_strategies.rb, offset_pagination_limit)
//     keyset pagination                        `pagination=keyset`, only with `order_by=id` (else 405, "Keyset
//                                              pagination is not yet available for this type of request"); the next
//                                              page is named only by `Link: <…&id_before=N>; rel="next"` (id_after
//                                              for asc), sent while a page has records, on GitLab's configured host
//                                              (lib/gitlab/pagination/keyset/{request_context,header_builder}.rb); the
//                                              walk ends on an empty page without Link (docs: api/rest, "Keyset-based
//                                              pagination")
//   GET /api/v4/projects/:id                   one project by id or URL-encoded path; 404 {"message":"404 Project Not Found"}
//   GET /api/v4/projects/:id/repository/tree   `path`, `ref` (default branch `main`), offset pagination; 404 {"message":
//                                              "404 Tree Not Found"} for an unknown ref (the SDK's `repository_tree` call)
//
// Times carry their zone, as Rails serialises them; the instance is taken to run on Beijing time
// (`2024-05-07T12:27:17.000+08:00`), which GitLab writes when its time_zone is set so (an assumption: either form is
// GitLab's). Code repositories live under the `codes/` group (wisemodel-hub git_downloader.py); datasets share the
// `{owner}/{name}` form with models, so by default nothing on a project tells the two apart.
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Reply, type RequestInfo } from './http.js';
import { hostileFor, isHostile } from './hostile.js';
import { hashString } from './rng.js';
import { WmPart } from './wisemodel-part.js';
import type { WmDrift } from './wisemodel-faults.js';

const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 20;
/** GitLab leaves out x-total, x-total-pages and rel="last" beyond this many records. */
const COUNT_LIMIT = 10_000;
/** The default offset_pagination_limit for projects. */
const OFFSET_LIMIT = 50_000;
const ORDER_BY = new Set(['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at']);

/** Rails' JSON form of a time in the instance's zone (Asia/Shanghai). */
export function gitlabTime(sec: number, zoneless = false): string {
  const local = new Date(sec * 1000 + 8 * 3_600_000).toISOString().slice(0, 23);
  return zoneless ? local.slice(0, 19).replace('T', ' ') : `${local}+08:00`;
}

function numberParam(v: string | null, def: number): number | null {
  if (v === null || v === '') return def;
  return /^-?\d+$/.test(v) ? Number(v) : null;
}

export class WmGitlab extends WmPart {
  /** Project orders by a non-id key, per day (sorting the catalogue on every request would dominate a walk). */
  private orders = new Map<string, Int32Array>();

  handle(req: RequestInfo, ctx: PlatformContext): Reply {
    const drift: WmDrift = ctx.faults.wmDrift ?? {};
    // The site's 404 page: what an /api/v4 path answers where no GitLab is behind the host.
    if (drift.gitlab === 'absent') return this.site.notFound();
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { message: '405 Method Not Allowed' });
    if (req.path === '/api/v4/projects') {
      if (drift.gitlab === 'closed') return json(403, { message: '403 Forbidden' });
      return this.list(req, ctx, drift);
    }
    const m = /^\/api\/v4\/projects\/([^/]+)(\/repository\/tree)?\/?$/.exec(req.path);
    if (m) {
      const dayN = this.dayN();
      let ref: string;
      try {
        ref = decodeURIComponent(m[1]!);
      } catch {
        return json(400, { error: 'id is invalid' });
      }
      const p = this.wm.project(/^\d+$/.test(ref) ? Number(ref) : ref, dayN);
      if (p === null) return json(404, { message: '404 Project Not Found' });
      if (m[2]) return this.tree(p, req);
      return json(200, {
        ...this.project(p, dayN, req, ctx, drift, false),
        visibility: 'public',
        archived: false,
        open_issues_count: 0,
      });
    }
    return json(404, { error: '404 Not Found' });
  }

  /** The origin GitLab writes into its links: its configured host, which need not be the one asked. */
  private origin(req: RequestInfo, drift: WmDrift): string {
    return drift.linkOrigin ?? `http://${req.headers.host ?? '127.0.0.1'}`;
  }

  project(
    p: number,
    dayN: number,
    req: RequestInfo,
    ctx: PlatformContext,
    drift: WmDrift,
    listed: boolean,
  ): Record<string, unknown> {
    const wm = this.wm;
    const kind = wm.kindOf(p);
    const owner = wm.projectOwner(p);
    const name = wm.projectName(p);
    const path = wm.pathOf(p);
    const ns = kind === 'codes' ? `codes/${owner}` : owner;
    const host = `http://${req.headers.host ?? '127.0.0.1'}`;
    const zoneless = drift.zonelessTimes === true;
    const topics =
      kind === 'models'
        ? [wm.task[p] as string].filter(Boolean)
        : kind === 'datasets' && drift.datasetTopic
          ? ['dataset']
          : [];
    const description =
      kind === 'models'
        ? isHostile(this.u.seed, p + 9_000_000, ctx.faults.hostileRate)
          ? hostileFor(this.u.seed, p, 8)
          : (wm.title[p] as string)
        : kind === 'datasets'
          ? '数据集'
          : '代码';
    const o: Record<string, unknown> = {
      id: wm.gid[p],
      description,
      name,
      name_with_namespace: `${ns.replace('/', ' / ')} / ${name}`,
      path: name,
      path_with_namespace: path,
      created_at: gitlabTime(wm.projectCreated(p), zoneless),
      default_branch: 'main',
      tag_list: topics,
      topics,
      ssh_url_to_repo: `git@${host.replace(/^https?:\/\//, '').replace(/:\d+$/, '')}:${path}.git`,
      http_url_to_repo: `${host}/${path}.git`,
      web_url: `${host}/${path}`,
      readme_url: `${host}/${path}/-/blob/main/README.md`,
      forks_count: 0,
      avatar_url: null,
      star_count: wm.stars(p, dayN),
      last_activity_at: gitlabTime(wm.lastActivity(p, dayN), zoneless),
      namespace: {
        id: 100 + (hashString(ns, this.u.seed) % 900_000),
        name: owner,
        path: owner,
        kind: 'group',
        full_path: ns,
        parent_id: kind === 'codes' ? 99 : null,
        avatar_url: null,
        web_url: `${host}/groups/${ns}`,
      },
    };
    if (listed && drift.dropField) delete o[drift.dropField];
    if (listed && ctx.chance(ctx.faults.malformedRate)) {
      const c = Math.floor(ctx.seq.next() * 3);
      if (c === 0) delete o.star_count;
      else if (c === 1) o.created_at = null;
      else delete o.path_with_namespace;
    }
    return o;
  }

  /** Visible project indices in `order_by` order, ascending. */
  private ordered(orderBy: string, dayN: number): Int32Array | null {
    if (orderBy === 'id' || orderBy === 'created_at') return null; // the catalogue's own order
    const key = orderBy === 'updated_at' ? 'last_activity_at' : orderBy === 'name' ? 'path' : orderBy;
    const cacheKey = `${dayN}:${key}`;
    let o = this.orders.get(cacheKey);
    if (!o) {
      const wm = this.wm;
      const n = wm.visibleProjects(dayN);
      o = wm.order.slice(0, n);
      if (key === 'last_activity_at') {
        const t = new Map<number, number>();
        for (const p of o) t.set(p, wm.lastActivity(p, dayN));
        o.sort((a, b) => t.get(a)! - t.get(b)! || (wm.gid[a] as number) - (wm.gid[b] as number));
      } else {
        o.sort((a, b) => (wm.pathOf(a) < wm.pathOf(b) ? -1 : wm.pathOf(a) > wm.pathOf(b) ? 1 : 0));
      }
      if (this.orders.size > 8) this.orders.clear();
      this.orders.set(cacheKey, o);
    }
    return o;
  }

  private list(req: RequestInfo, ctx: PlatformContext, drift: WmDrift): Reply {
    const sp = req.url.searchParams;
    const dayN = this.dayN();
    const wm = this.wm;
    const orderBy = sp.get('order_by') ?? 'created_at';
    const sort = sp.get('sort') ?? 'desc';
    if (!ORDER_BY.has(orderBy)) return json(400, { error: 'order_by does not have a valid value' });
    if (sort !== 'asc' && sort !== 'desc') return json(400, { error: 'sort does not have a valid value' });
    const perPageRaw = numberParam(sp.get('per_page'), DEFAULT_PER_PAGE);
    const pageRaw = numberParam(sp.get('page'), 1);
    const before = numberParam(sp.get('id_before'), 0);
    const after = numberParam(sp.get('id_after'), 0);
    if (perPageRaw === null) return json(400, { error: 'per_page is invalid' });
    if (pageRaw === null) return json(400, { error: 'page is invalid' });
    if (before === null) return json(400, { error: 'id_before is invalid' });
    if (after === null) return json(400, { error: 'id_after is invalid' });
    const perPage = perPageRaw < 1 ? DEFAULT_PER_PAGE : Math.min(perPageRaw, MAX_PER_PAGE);
    const page = pageRaw < 1 ? 1 : pageRaw;
    const visibility = sp.get('visibility');
    // Anonymous callers see public projects only; every simulated project is public.
    const none = visibility !== null && visibility !== 'public';
    const n = none ? 0 : wm.visibleProjects(dayN);
    const desc = sort === 'desc';
    const keyset = sp.get('pagination') === 'keyset';
    const base = `${this.origin(req, drift)}/api/v4/projects`;
    const query = (over: Record<string, string>): string => {
      const q: Record<string, string> = {};
      for (const [k, v] of sp) q[k] = v;
      Object.assign(q, over);
      // Rails' to_query: keys in order.
      return Object.keys(q)
        .sort()
        .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(q[k]!)}`)
        .join('&');
    };

    if (keyset) {
      if (drift.keysetRefused || orderBy !== 'id')
        return json(405, { error: 'Keyset pagination is not yet available for this type of request' });
      // Positions in `order` (ids ascending) that pass the id filters: [lo, hi).
      let lo = after > 0 ? wm.orderPositionOf(after + 1) : 0;
      let hi = before > 0 ? wm.orderPositionOf(before) : n;
      hi = Math.min(hi, n);
      lo = Math.min(lo, hi);
      const picked: number[] = [];
      if (desc) for (let i = hi - 1; i >= lo && picked.length < perPage; i--) picked.push(wm.order[i] as number);
      else for (let i = lo; i < hi && picked.length < perPage; i++) picked.push(wm.order[i] as number);
      const items = picked.map((p) => this.project(p, dayN, req, ctx, drift, true));
      const headers: Record<string, string> = {};
      if (picked.length > 0) {
        const last = String(wm.gid[picked[picked.length - 1]!]);
        headers.link = `<${base}?${query(desc ? { id_before: last } : { id_after: last })}>; rel="next"`;
      }
      return json(200, items, headers);
    }

    if (page * perPage > OFFSET_LIMIT) {
      return json(405, {
        error: `Offset pagination has a maximum allowed offset of ${OFFSET_LIMIT} for requests that return objects of type Project. Remaining records can be retrieved using keyset pagination.`,
      });
    }
    // The id filters apply in offset mode too.
    const ordered = this.ordered(orderBy, dayN);
    const lo = ordered === null && after > 0 ? wm.orderPositionOf(after + 1) : 0;
    const hi = ordered === null && before > 0 ? Math.min(n, wm.orderPositionOf(before)) : n;
    const seq = (i: number): number => {
      // i-th project of the filtered listing in the requested direction
      if (ordered !== null) return ordered[desc ? ordered.length - 1 - i : i] as number;
      return wm.order[desc ? hi - 1 - i : lo + i] as number;
    };
    const total = ordered !== null ? (none ? 0 : ordered.length) : Math.max(0, hi - lo);
    const start = (page - 1) * perPage;
    const picked: number[] = [];
    for (let i = start; i < Math.min(total, start + perPage); i++) picked.push(seq(i));
    const items = picked.map((p) => this.project(p, dayN, req, ctx, drift, true));
    const pages = Math.max(1, Math.ceil(total / perPage));
    const hasNext = start + perPage < total;
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': hasNext ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${base}?${query({ page: String(page - 1), per_page: String(perPage) })}>; rel="prev"`);
    if (hasNext) links.push(`<${base}?${query({ page: String(page + 1), per_page: String(perPage) })}>; rel="next"`);
    links.push(`<${base}?${query({ page: '1', per_page: String(perPage) })}>; rel="first"`);
    if (total <= COUNT_LIMIT) {
      headers['x-total'] = String(total);
      headers['x-total-pages'] = String(pages);
      links.push(`<${base}?${query({ page: String(pages), per_page: String(perPage) })}>; rel="last"`);
    }
    headers.link = links.join(', ');
    return json(200, items, headers);
  }

  /** The files of a project's top level (or `path`), as GitLab's repository tree lists them. */
  private tree(p: number, req: RequestInfo): Reply {
    const sp = req.url.searchParams;
    const ref = sp.get('ref') ?? 'main';
    if (ref !== 'main') return json(404, { message: '404 Tree Not Found' });
    const dir = (sp.get('path') ?? '').replace(/^\/+|\/+$/g, '');
    const entries = treeOf(this.wm.kindOf(p), this.wm.pathOf(p)).filter((e) => parentOf(e.path) === dir);
    if (dir !== '' && entries.length === 0) return json(404, { message: '404 Tree Not Found' });
    const perPage = Math.min(
      MAX_PER_PAGE,
      Math.max(1, numberParam(sp.get('per_page'), DEFAULT_PER_PAGE) ?? DEFAULT_PER_PAGE),
    );
    const page = Math.max(1, numberParam(sp.get('page'), 1) ?? 1);
    const slice = entries.slice((page - 1) * perPage, page * perPage);
    const hasNext = page * perPage < entries.length;
    return json(200, slice, {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': hasNext ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(entries.length),
      'x-total-pages': String(Math.max(1, Math.ceil(entries.length / perPage))),
    });
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

interface TreeEntry {
  id: string;
  name: string;
  type: 'tree' | 'blob';
  path: string;
  mode: string;
}

/** A plausible file list per kind; a code repo's is the one in the SDK notebook's output. */
function treeOf(kind: string, projectPath: string): TreeEntry[] {
  const files =
    kind === 'models'
      ? [
          '.gitattributes',
          'README.md',
          'config.json',
          'configuration.json',
          'model.safetensors',
          'tokenizer/added_tokens.json',
          'tokenizer/tokenizer.json',
        ]
      : kind === 'datasets'
        ? ['.gitattributes', 'README.md', 'data/train.jsonl', 'data/test.jsonl']
        : ['file/results.csv', '.gitattributes', 'README.md', 'app.py', 'constants.py', 'requirements.txt'];
  const dirs = [...new Set(files.map(parentOf).filter((d) => d !== ''))];
  const sha = (s: string): string => createHash('sha1').update(`${projectPath}:${s}`).digest('hex');
  return [
    ...dirs.map((d): TreeEntry => ({ id: sha(d), name: d.split('/').pop()!, type: 'tree', path: d, mode: '040000' })),
    ...files.map((f): TreeEntry => ({ id: sha(f), name: f.split('/').pop()!, type: 'blob', path: f, mode: '100644' })),
  ];
}
