// WiseModel's GitLab v4 projects list: the best-evidenced way to enumerate its repositories (research note §B3, §E).
// What GitLab does, from its own code and docs (gitlabhq; docs.gitlab.com/api/rest "Pagination"):
// - `GET /api/v4/projects` answers anonymous callers with public projects and their simple fields only
//   (lib/api/entities/project_identity.rb, basic_project_details.rb): id, path_with_namespace, created_at,
//   last_activity_at, star_count, topics, namespace… but no visibility, licence or statistics.
// - Keyset pagination (`pagination=keyset`) is offered for projects with `order_by=id` only, else 405 "Keyset
//   pagination is not yet available for this type of request" (lib/api/helpers/pagination_strategies.rb). The next
//   page is named only by `Link: <…id_before=N…>; rel="next"` (id_after when ascending), built on GitLab's
//   configured host (lib/gitlab/pagination/keyset/request_context.rb, header_builder.rb); it is sent while a page has
//   records, so a walk ends on an empty page without Link. Ids never change and new projects get higher ones, so a
//   walk by id, newest first, holds still: it sees every project that existed when it started, once.
// - Offset pagination (`page`, `per_page` at most 100) sends `x-next-page` (empty on the last page) and a Link; it
//   leaves out `x-total`, `x-total-pages` and rel="last" beyond 10,000 records, and refuses `page * per_page` above
//   offset_pagination_limit (50,000 for projects) with 405. Offsets shift as projects come and go, so an offset walk
//   cannot show it saw everything.
// Sources: docs.gitlab.com/api/rest/#pagination ("Keyset-based pagination", "Supported resources": projects,
// `order_by=id` only, authenticated and unauthenticated; "Pagination response headers"); gitlabhq/gitlabhq
// lib/api/helpers/pagination_strategies.rb, lib/gitlab/pagination/keyset/{pager,request_context,header_builder}.rb,
// lib/api/entities/{project_identity,basic_project_details}.rb; gitlab-org/gitlab!214356 (the offset limit applied
// to unauthenticated project lists). What WiseModel's instance does with them is not seen: `hubwatch probe` checks.
import type { WmKindRule } from '../../config.js';
import type { QuarantineItem } from '../../store/types.js';
import type { HeaderBag, HttpClient } from '../http.js';
import { describeIssues, toQuarantine } from '../validate.js';
import { GlProjectSchema, type WiseModelInput } from './schema.js';
import { readInstant } from './times.js';
import { capString } from '../../model.js';

/** A WiseModel model as hubwatch reads it, with the GitLab project id where it came from GitLab (kept across renames). */
export interface WmSourceItem extends WiseModelInput {
  projectId?: number | null;
}

export type WmKind = 'models' | 'datasets' | 'codes';

export const KEYSET_REFUSED = 'Keyset pagination is not yet available';

/** One answer of the projects list. */
export type GlAnswer =
  | {
      kind: 'page';
      items: unknown[];
      next: string | null;
      total: number | null;
      url: string;
      linkOrigin: string | null;
    }
  | { kind: 'keyset-refused'; url: string }
  | { kind: 'refused'; url: string; why: string; status: number; text: string };

/** The first page's URL: public projects, newest id first, simple fields. */
export function projectsUrl(gitlab: string, mode: 'keyset' | 'offset', perPage: number): string {
  const u = new URL(`${gitlab}/api/v4/projects`);
  if (mode === 'keyset') u.searchParams.set('pagination', 'keyset');
  u.searchParams.set('order_by', 'id');
  u.searchParams.set('sort', 'desc');
  u.searchParams.set('per_page', String(perPage));
  u.searchParams.set('simple', 'true');
  u.searchParams.set('visibility', 'public');
  return u.toString();
}

const LINK_NEXT = /<([^>]+)>\s*;\s*rel="?next"?/i;

export function linkNext(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = LINK_NEXT.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

/**
 * The next page's URL on the configured origin. GitLab builds its links on its own configured host, which behind a
 * proxy need not be the one asked (an internal name): the path and query are what name the page.
 */
export function onOrigin(target: string, asked: string): { url: string; foreign: string | null } {
  const t = new URL(target, asked);
  const a = new URL(asked);
  if (t.origin === a.origin) return { url: t.toString(), foreign: null };
  return { url: `${a.origin}${t.pathname}${t.search}`, foreign: t.origin };
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return capString(t, 161);
}

function messageOf(json: unknown, text: string): string {
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const k of ['error', 'message']) {
      const v = (json as Record<string, unknown>)[k];
      if (typeof v === 'string') return v;
    }
  }
  return snippet(text);
}

const ALL_4XX = Array.from({ length: 100 }, (_, i) => 400 + i).filter((s) => s !== 429 && s !== 408);

/** One page of the projects list. 5xx, timeouts and 429s are the client's (retried, then PageFailedError). */
export async function fetchProjects(http: HttpClient, url: string, signal?: AbortSignal): Promise<GlAnswer> {
  const res = await http.send<{ text: string; headers: HeaderBag }>(url, {
    signal,
    what: 'GitLab projects page',
    headers: { accept: 'application/json' },
    passStatuses: ALL_4XX,
    parse: (text, head) => ({ text, headers: head.headers }),
  });
  const { text, headers } = res.body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status === 405 && messageOf(json, text).includes(KEYSET_REFUSED))
    return { kind: 'keyset-refused', url: res.url };
  if (res.status !== 200) {
    const said =
      json === undefined
        ? /<html|<!doctype/i.test(text)
          ? ' with an HTML page (no GitLab API at this URL)'
          : text.trim()
            ? `: ${snippet(text)}`
            : ''
        : `: ${messageOf(json, text)}`;
    return { kind: 'refused', url: res.url, status: res.status, text, why: `HTTP ${res.status}${said}` };
  }
  if (!Array.isArray(json)) {
    const what =
      json === undefined ? (/<html|<!doctype/i.test(text) ? 'an HTML page' : 'not JSON') : 'JSON that is not an array';
    return { kind: 'refused', url: res.url, status: 200, text, why: `HTTP 200 with ${what} (${snippet(text)})` };
  }
  const target = linkNext(headers.get('link'));
  let next: string | null = null;
  let linkOrigin: string | null = null;
  if (url.includes('pagination=keyset')) {
    if (target !== null) {
      const o = onOrigin(target, url);
      next = o.url;
      linkOrigin = o.foreign;
    }
  } else {
    const n = headers.get('x-next-page');
    if (n !== null && /^\d+$/.test(n.trim())) {
      const u = new URL(url);
      u.searchParams.set('page', n.trim());
      next = u.toString();
    } else if (n === null && target !== null) {
      next = onOrigin(target, url).url;
    }
  }
  const totalRaw = headers.get('x-total');
  const total = totalRaw !== null && /^\d+$/.test(totalRaw.trim()) ? Number(totalRaw) : null;
  return { kind: 'page', items: json, next, total, url: res.url, linkOrigin };
}

/** A project's kind by the configured rules (first match wins); unmatched projects are models. */
export function kindOf(path: string, topics: readonly string[], rules: readonly WmKindRule[]): WmKind {
  for (const r of rules) {
    if (r.pathPrefix !== undefined && !path.startsWith(r.pathPrefix)) continue;
    if (r.topic !== undefined && !topics.includes(r.topic)) continue;
    return r.kind;
  }
  return 'models';
}

export interface ProjectTally {
  projects: number;
  models: number;
  datasets: number;
  codes: number;
  /** Model-kind projects whose path is not `{owner}/{name}` (a subgroup): no WiseModel model URL names them. */
  otherPaths: number;
  /** Projects a caller with a token would see beyond the public ones. */
  notPublic: number;
}

export function emptyTally(): ProjectTally {
  return { projects: 0, models: 0, datasets: 0, codes: 0, otherPaths: 0, notPublic: 0 };
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

/**
 * A page of projects to models: validated (no id or path: quarantined), sorted by kind, the models mapped onto
 * WiseModel's ids (`owner/name`, as in its URLs). Times go to UTC; a time or star count missing or unreadable is a
 * null figure and counts as incomplete.
 */
export function readProjects(
  raw: readonly unknown[],
  opts: { rules: readonly WmKindRule[]; ref: string; at: Date; tally: ProjectTally },
): { items: WmSourceItem[]; quarantine: QuarantineItem[]; incomplete: number } {
  const items: WmSourceItem[] = [];
  const quarantine: QuarantineItem[] = [];
  let incomplete = 0;
  for (const r of raw) {
    const p = GlProjectSchema.safeParse(r);
    if (!p.success) {
      quarantine.push(
        toQuarantine('wisemodel', 'item', r, `invalid GitLab project: ${describeIssues(p.error)}`, opts.ref, opts.at),
      );
      continue;
    }
    const g = p.data;
    opts.tally.projects++;
    if (g.visibility != null && g.visibility !== 'public') {
      opts.tally.notPublic++;
      continue;
    }
    const topics = g.topics ?? g.tag_list ?? [];
    const kind = kindOf(g.path_with_namespace, topics, opts.rules);
    opts.tally[kind]++;
    if (kind !== 'models') continue;
    const parts = g.path_with_namespace.split('/');
    if (parts.length !== 2) {
      opts.tally.otherPaths++;
      continue;
    }
    const [owner, name] = parts as [string, string];
    const createdAt = readInstant(g.created_at);
    const likes = count(g.star_count);
    if (createdAt === null || likes === null) incomplete++;
    items.push({
      owner,
      name,
      title: g.name && g.name !== name ? g.name : null,
      downloads: null,
      likes,
      license: null,
      task: null,
      createdAt,
      updatedAt: readInstant(g.last_activity_at),
      baseModels: null,
      tags: topics.length ? [...topics] : null,
      projectId: g.id,
    });
  }
  return { items, quarantine, incomplete };
}

/** The GitLab path of a WiseModel model id, for the single-project routes. */
export function projectRoute(gitlab: string, id: string, tail = ''): string {
  return `${gitlab}/api/v4/projects/${encodeURIComponent(id)}${tail}`;
}
