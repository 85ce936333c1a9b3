// What the WiseModel source assumes, checked against the configured URLs (`hubwatch probe --platform wisemodel`):
// which strategy a sweep would read with (the GitLab projects list, the HTML fallback), what the gateway answers,
// what each can give and which config keys to set. Seven to nine requests: three GitLab list pages (keyset, its next
// page, offset), one repository tree, one or two gateway calls (a login when WISEMODEL_TOKEN is username:password),
// the configured downloads page when there is one, and the site's model list page.
//
// The WiseModel section of the config (GitLab URL, gateway, kinds) and WISEMODEL_TOKEN come from the runner's
// config (ctx.config), with ctx.baseUrl as the site's URL.
import type { Config } from '../../config.js';
import { HubwatchError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import type { Answer, PlatformProbe, ProbeContext } from '../../probe/index.js';
import {
  fieldProblems,
  isObject,
  jsonMessage,
  nonNegativeInteger,
  stringArray,
  type FieldRule,
  type Item,
} from '../../probe/support.js';
import { CONFIG_KEYS, EVIDENCE, endpoints } from './evidence.js';
import {
  Gateway,
  GatewayError,
  at,
  exactCount,
  isOk,
  jwtExpiry,
  modelIdOf,
  readToken,
  CODE_TOKEN_EXPIRED,
} from './gateway.js';
import { KEYSET_REFUSED, linkNext, projectRoute, projectsUrl } from './gitlab.js';
import { parseWiseModelPage } from './parser.js';
import { readInstant } from './times.js';

const PAGE = 20;
const ZONED = /(?:Z|[+-]\d{2}:?\d{2})$/i;

export const wisemodelProbe: PlatformProbe = {
  checks: [
    { id: 'gitlab-list', title: "GitLab's projects list answers anonymously with public projects" },
    {
      id: 'gitlab-fields',
      title: 'projects carry id, path_with_namespace, created_at and last_activity_at with a zone, star_count, topics',
    },
    { id: 'gitlab-keyset', title: 'keyset pages by id: a Link rel="next" with id_before, newer ids first, no repeats' },
    { id: 'gitlab-offset', title: 'offset pages carry x-page and x-next-page (the fallback when keyset is refused)' },
    { id: 'gitlab-tree', title: "a project's repository tree answers anonymously (the SDK's own call)" },
    { id: 'gateway', title: 'the gateway answers with its {code, message, data} envelope (and the login works)' },
    { id: 'gateway-downloads', title: 'downloads: the configured gateway endpoint lists models with download counts' },
    { id: 'html', title: "the site's pages are a client-rendered shell (the HTML fallback has nothing to read)" },
    { id: 'strategy', title: 'which strategy a sweep reads with, and the figures it gives' },
  ],
  run,
};

function message(a: Answer): string {
  return (
    jsonMessage(a) ??
    (/<html|<!doctype/i.test(a.text) ? 'an HTML page' : a.text.replace(/\s+/g, ' ').trim().slice(0, 120))
  );
}

interface ListState {
  /** The projects of the first page that answered, keyset or offset. */
  items: Item[] | null;
  /** Why the list did not answer, for the checks that depend on it. */
  why: string;
}

async function run(ctx: ProbeContext): Promise<void> {
  const config = ctx.config;
  const s = config.file.sources.wisemodel;
  const ep = endpoints(config);
  const keysetUrl = projectsUrl(ep.gitlab, 'keyset', PAGE);
  const offsetUrl = projectsUrl(ep.gitlab, 'offset', PAGE);

  const k1 = await ctx.get(keysetUrl, 'GitLab projects (keyset)');
  const o1 = await ctx.get(offsetUrl, 'GitLab projects (offset)');
  const list = checkList(ctx, ep.gitlab, k1, o1);
  checkFields(ctx, list);
  await checkKeyset(ctx, k1, keysetUrl, list);
  checkOffset(ctx, o1, list);
  await checkTree(ctx, ep.gitlab, list, s.gitlab.probeProject);
  const gw = await checkGateway(ctx, ep.gateway, list, s.gitlab.probeProject);
  const html = await checkHtml(ctx, config);
  checkStrategy(ctx, list, html, gw, s.strategies);
}

function refusedWhy(a: Answer): string {
  if (a.status === 200)
    return `HTTP 200 with ${a.json === undefined ? (/<html|<!doctype/i.test(a.text) ? 'an HTML page' : 'a body that is not JSON') : 'JSON that is not an array'}`;
  return `HTTP ${a.status}: ${message(a)}`;
}

function checkList(ctx: ProbeContext, gitlab: string, k1: Answer, o1: Answer): ListState {
  const id = 'gitlab-list';
  const api = `${gitlab}/api/v4/projects`;
  const keysetRefused = k1.status === 405 && message(k1).includes(KEYSET_REFUSED);
  const a = keysetRefused ? o1 : k1;
  if (a.status === 200 && Array.isArray(a.json)) {
    ctx.ok(
      id,
      `HTTP 200 at ${api}, ${a.json.length} projects on the first page${keysetRefused ? ' (by offset: keyset is refused, see gitlab-keyset)' : ''}`,
    );
    return { items: a.json.filter(isObject), why: '' };
  }
  const why = refusedWhy(a);
  const notGitlab = a.status === 404 || a.status === 200;
  ctx.drift(
    id,
    `${why} at ${api}`,
    notGitlab
      ? "no GitLab API answers there: set sources.wisemodel.gitlab.url to WiseModel's GitLab (the SDK uses https://wisemodel.cn); until then the source cannot list WiseModel through GitLab and falls back to its HTML pages (see html and strategy)"
      : 'the list is closed to anonymous callers (single projects may still answer, see gitlab-tree): the GitLab strategy cannot enumerate WiseModel; the source falls back to the HTML pages (see html and strategy)',
  );
  return { items: null, why: `the projects list did not answer (${why})` };
}

interface ProjectRule extends FieldRule {
  /** What a sweep loses when a project breaks the rule. */
  cost: string;
}

const time = (v: unknown): boolean => typeof v === 'string' && readInstant(v) !== null;

// Every field is wanted of every project: each one missing costs a figure (or the project), as `cost` says.
const FIELD_RULES: readonly ProjectRule[] = [
  {
    field: 'id',
    required: true,
    test: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0,
    expect: 'a positive integer',
    cost: 'the project cannot be keyed and is quarantined',
  },
  {
    field: 'path_with_namespace',
    required: true,
    test: (v) => typeof v === 'string' && /^[^/\s]+(?:\/[^/\s]+)+$/.test(v),
    expect: 'a group/project path',
    cost: 'the project cannot be keyed and is quarantined',
  },
  {
    field: 'created_at',
    required: true,
    test: time,
    expect: 'a time',
    cost: 'new releases cannot be dated (created_at null, counted incomplete)',
  },
  { field: 'last_activity_at', required: true, test: time, expect: 'a time', cost: 'lastModified is null' },
  {
    field: 'star_count',
    required: true,
    test: nonNegativeInteger,
    expect: 'a non-negative integer',
    cost: 'likes are null (counted incomplete)',
  },
  {
    field: 'topics',
    required: true,
    test: stringArray,
    expect: 'an array of strings',
    cost: 'tags are null and topic kind rules cannot match',
  },
];

function checkFields(ctx: ProbeContext, list: ListState): void {
  const id = 'gitlab-fields';
  if (list.items === null) {
    ctx.notChecked(id, list.why, 'gitlab-list');
    return;
  }
  const items = list.items;
  if (items.length === 0) {
    ctx.drift(
      id,
      'the first page lists no project',
      "check sources.wisemodel.gitlab.url: WiseModel's GitLab has thousands of public projects",
    );
    return;
  }
  const { problems, broken } = fieldProblems(items, FIELD_RULES, { unit: 'projects', nullIsAbsent: true });
  const costs = broken.map((r) => `${r.field}: ${r.cost}`);
  const zoneless = items.filter((x) => typeof x.created_at === 'string' && !ZONED.test(x.created_at)).length;
  if (zoneless) {
    problems.push(
      `created_at without a zone in ${zoneless} of ${items.length} projects (e.g. ${JSON.stringify(items.find((x) => typeof x.created_at === 'string' && !ZONED.test(x.created_at))!.created_at)})`,
    );
    costs.push(
      'times without a zone are read as Beijing time (UTC+8) [inferred]; if the instance runs on UTC, every date is 8 hours early',
    );
  }
  if (problems.length === 0) {
    ctx.ok(
      id,
      `${items.length} projects: ${FIELD_RULES.map((r) => r.field).join(', ')} as expected, times with their zone`,
    );
    return;
  }
  ctx.drift(id, problems.join('; '), costs.join('; '));
}

async function checkKeyset(ctx: ProbeContext, k1: Answer, asked: string, list: ListState): Promise<void> {
  const id = 'gitlab-keyset';
  if (k1.status === 405 && message(k1).includes(KEYSET_REFUSED)) {
    ctx.drift(
      id,
      `HTTP 405: ${message(k1)}`,
      'the source falls back to offset pages by itself (coverage says so), but an offset walk cannot show it saw every project: set sources.wisemodel.gitlab.pagination to "offset" to save the refused request',
    );
    return;
  }
  if (!(k1.status === 200 && Array.isArray(k1.json))) {
    ctx.notChecked(id, list.why || refusedWhy(k1), 'gitlab-list');
    return;
  }
  const first = k1.json.filter(isObject);
  const target = linkNext(k1.headers.get('link'));
  if (target === null) {
    if (first.length === 0) ctx.ok(id, 'an empty first page without a Link: the list ends there');
    else {
      ctx.drift(
        id,
        `no Link rel="next" on a page of ${first.length} projects`,
        'a keyset walk ends where the Link ends: sweeps would read the first page only and pass for complete. Set sources.wisemodel.gitlab.pagination to "offset" until GitLab sends it again',
      );
    }
    return;
  }
  const problems: string[] = [];
  const actions: string[] = [];
  const t = new URL(target, asked);
  const a = new URL(asked);
  if (t.origin !== a.origin) {
    problems.push(`the Link names ${t.origin} (GitLab's configured host), not ${a.origin}`);
    actions.push('harmless: hubwatch follows its path and query on the configured host');
  }
  if (!t.searchParams.has('id_before')) {
    problems.push(`the Link carries no id_before (${t.search.slice(0, 80)})`);
    actions.push('hubwatch follows the Link as given; check a sweep for repeats and misses');
  }
  const b = await ctx.get(`${a.origin}${t.pathname}${t.search}`, 'GitLab projects (keyset, page 2)');
  let second = '';
  if (b.status !== 200 || !Array.isArray(b.json)) {
    problems.push(`following it answered ${refusedWhy(b)}`);
    actions.push('sweeps stop after the first page and are incomplete');
  } else {
    const ids = first.map((x) => x.id).filter((v): v is number => typeof v === 'number');
    const min = Math.min(...ids);
    const next = b.json
      .filter(isObject)
      .map((x) => x.id)
      .filter((v): v is number => typeof v === 'number');
    const repeats = next.filter((v) => ids.includes(v)).length;
    const rising = next.filter((v) => v >= min).length;
    const order = [...ids, ...next].filter((v, i, all) => i > 0 && v > all[i - 1]!).length;
    if (repeats) problems.push(`page 2 repeats ${repeats} id(s) of page 1`);
    if (rising && !repeats) problems.push(`page 2 has ${rising} id(s) not below page 1's lowest`);
    if (order) problems.push(`ids rise ${order} time(s) across the two pages (sort=desc should be newest first)`);
    if (repeats || rising || order)
      actions.push(
        'the walk is not a keyset by id: polls could stop early and sweeps repeat or miss projects; the WiseModel source needs a review',
      );
    second = `; page 2: ${next.length} projects, ids below page 1's`;
  }
  if (problems.length === 0)
    ctx.ok(id, `Link rel="next" with id_before=${t.searchParams.get('id_before')} on the same host${second}`);
  else ctx.drift(id, problems.join('; '), actions.join('; '));
}

function checkOffset(ctx: ProbeContext, o1: Answer, list: ListState): void {
  const id = 'gitlab-offset';
  if (!(o1.status === 200 && Array.isArray(o1.json))) {
    ctx.notChecked(id, list.why || refusedWhy(o1), 'gitlab-list');
    return;
  }
  const page = o1.headers.get('x-page');
  const next = o1.headers.get('x-next-page');
  const total = o1.headers.get('x-total');
  if (page === null || next === null) {
    ctx.drift(
      id,
      `x-page ${page ?? 'absent'}, x-next-page ${next ?? 'absent'}${o1.headers.get('link') ? '; a Link is sent' : ''}`,
      'an offset walk follows x-next-page (or the Link): without them it reads one page. Keep sources.wisemodel.gitlab.pagination on "keyset"',
    );
    return;
  }
  ctx.ok(
    id,
    `x-page ${page}, x-next-page ${next || '(last page)'}, ${total !== null ? `x-total ${total}` : 'no x-total (over 10,000 projects)'}`,
  );
}

async function checkTree(ctx: ProbeContext, gitlab: string, list: ListState, probeProject: string): Promise<void> {
  const id = 'gitlab-tree';
  const listed = list.items
    ?.map((x) => x.path_with_namespace)
    .find((p): p is string => typeof p === 'string' && /^[^/\s]+\/[^/\s]+$/.test(p));
  const project = listed ?? probeProject;
  const a = await ctx.get(
    `${projectRoute(gitlab, project, '/repository/tree')}?per_page=${PAGE}`,
    'GitLab repository tree',
  );
  if (
    a.status === 200 &&
    Array.isArray(a.json) &&
    a.json.every((e) => isObject(e) && typeof e.path === 'string' && (e.type === 'blob' || e.type === 'tree'))
  ) {
    ctx.ok(
      id,
      `HTTP 200 for ${project}: ${a.json.length} entries${listed ? '' : ` (sources.wisemodel.gitlab.probeProject, the list being closed: single projects still answer)`}`,
    );
    return;
  }
  ctx.drift(
    id,
    `${refusedWhy(a)} for ${project}${listed ? '' : ' (sources.wisemodel.gitlab.probeProject)'}`,
    a.status === 404 && !/<html|<!doctype/i.test(a.text)
      ? 'GitLab answers but does not know this project: pick a public WiseModel model for sources.wisemodel.gitlab.probeProject'
      : "not even the SDK's own GitLab call answers here: sources.wisemodel.gitlab.url is probably not WiseModel's GitLab",
  );
}

interface GatewayState {
  /** Download figures readable from the configured endpoint. */
  downloads: boolean;
  configured: boolean;
}

async function checkGateway(
  ctx: ProbeContext,
  base: string,
  list: ListState,
  probeProject: string,
): Promise<GatewayState> {
  const s = ctx.config.file.sources.wisemodel;
  const token = ctx.config.tokens.wisemodel;
  const creds = readToken(token);
  // The probe's own client: its shorter retries and waits, closed by the runner.
  const gateway = new Gateway({ http: ctx.http, base, settings: s.gateway, token, log: silentLogger });
  const state: GatewayState = { downloads: false, configured: s.gateway.downloads !== null };
  /** A gateway call that went wrong, as a finding; anything else is a bug and is thrown. */
  const explain = (err: unknown): string => {
    if (err instanceof GatewayError) return err.message;
    if (err instanceof HubwatchError) return `no usable answer from the gateway at ${base}: ${err.message}`;
    throw err;
  };
  // gateway: the envelope, and the token where there is one.
  const listed = list.items
    ?.map((x) => x.path_with_namespace)
    .find((p): p is string => typeof p === 'string' && /^[^/\s]+\/[^/\s]+$/.test(p));
  const project = `https://www.wisemodel.cn/models/${listed ?? probeProject}`;
  try {
    let said = '';
    if (creds?.kind === 'login') {
      await gateway.login();
      said = 'login with WISEMODEL_TOKEN (username:password) ok; ';
    } else if (creds?.kind === 'jwt') {
      const exp = jwtExpiry(creds.token);
      if (exp !== null && exp * 1000 < Date.now())
        said = `the WISEMODEL_TOKEN JWT expired at ${new Date(exp * 1000).toISOString()}; `;
    }
    const env = await gateway.call(
      'POST',
      '/gateway/project/api/v1/branchlist',
      { project_path: project },
      { auth: true, what: 'gateway branchlist' },
    );
    const code = String(env.code);
    if (isOk(env.code) || env.code === 10003) {
      ctx.ok(
        'gateway',
        `${said}branchlist answered code ${code}${env.message ? ` (${env.message})` : ''} for ${project}`,
      );
    } else if (env.code === CODE_TOKEN_EXPIRED && creds === null) {
      ctx.ok(
        'gateway',
        `the envelope answers: code B2002 (${env.message ?? 'token'}) without a token, as the SDK expects; reading downloads through it needs WISEMODEL_TOKEN`,
      );
    } else if (env.code === CODE_TOKEN_EXPIRED) {
      ctx.drift(
        'gateway',
        `${said}code B2002 (token expired) with WISEMODEL_TOKEN`,
        'renew WISEMODEL_TOKEN, or give it as username:password so that hubwatch logs in itself',
      );
    } else {
      ctx.drift(
        'gateway',
        `${said}branchlist answered code ${code}: ${env.message ?? 'no message'}`,
        'a code the SDK does not know: read the message; gateway calls may fail',
      );
    }
  } catch (err) {
    const why = explain(err);
    ctx.drift(
      'gateway',
      why,
      /login refused/.test(why)
        ? 'check WISEMODEL_TOKEN (username:password): the gateway refused the login'
        : `set sources.wisemodel.gateway.url to where WiseModel's gateway answers (default: HUBWATCH_WISEMODEL_URL, now ${base}); until then downloads are null`,
    );
  }

  // gateway-downloads: the operator's endpoint, one page.
  const d = s.gateway.downloads;
  if (d === null) {
    ctx.ok(
      'gateway-downloads',
      'not configured: WiseModel downloads are null (said in coverage). No endpoint giving them is known: find the one the site calls (browser developer tools), then set sources.wisemodel.gateway.downloads and WISEMODEL_TOKEN',
    );
    return state;
  }
  try {
    const body =
      d.paging === 'baseReq' && d.method === 'POST'
        ? { ...d.body, baseReq: { page: 1, pageSize: Math.min(d.pageSize, PAGE) } }
        : { ...d.body, page: 1, pageSize: Math.min(d.pageSize, PAGE) };
    const env = d.auth
      ? await gateway.authed(d.method, d.path, body, { what: 'gateway downloads page' })
      : await gateway.call(d.method, d.path, body, { auth: false, what: 'gateway downloads page' });
    if (!isOk(env.code)) {
      ctx.drift(
        'gateway-downloads',
        `${d.path} answered code ${String(env.code)}: ${env.message ?? 'no message'}`,
        'check sources.wisemodel.gateway.downloads.path and body: downloads are null until it answers code 0',
      );
      return state;
    }
    const items = at(env, d.itemsPath);
    if (!Array.isArray(items)) {
      ctx.drift(
        'gateway-downloads',
        `code 0, but no array at ${d.itemsPath} (data keys: ${isObject(env.data) ? Object.keys(env.data).join(', ') : typeof env.data})`,
        'fix sources.wisemodel.gateway.downloads.itemsPath',
      );
      return state;
    }
    const read = items.map((it) => ({
      id:
        d.idField !== null
          ? modelIdOf(at(it, d.idField))
          : modelIdOf(`${String(at(it, d.ownerField!) ?? '')}/${String(at(it, d.nameField!) ?? '')}`),
      downloads: exactCount(at(it, d.downloadsField)),
    }));
    const good = read.filter((r) => r.id !== null && r.downloads !== null);
    if (items.length > 0 && good.length === 0) {
      const keys = isObject(items[0]) ? Object.keys(items[0]).join(', ') : typeof items[0];
      ctx.drift(
        'gateway-downloads',
        `${items.length} items, none with a readable id and count under the configured fields (item keys: ${keys})`,
        'fix the field mapping in sources.wisemodel.gateway.downloads (idField or ownerField/nameField, downloadsField)',
      );
      return state;
    }
    state.downloads = items.length > 0;
    ctx.ok(
      'gateway-downloads',
      `${d.path}: ${items.length} items on page 1, ${good.length} with an id and a download count${good[0] ? ` (e.g. ${good[0].id}: ${good[0].downloads})` : ''}`,
    );
  } catch (err) {
    ctx.drift(
      'gateway-downloads',
      explain(err),
      'downloads are null until the configured endpoint answers: check sources.wisemodel.gateway.downloads and WISEMODEL_TOKEN',
    );
  }
  return state;
}

type HtmlState = 'shell' | 'models' | 'other';

async function checkHtml(ctx: ProbeContext, config: Config): Promise<HtmlState> {
  const id = 'html';
  const url = `${config.urls.wisemodel}/models?page=1&sort=newest`;
  const a = await ctx.get(url, 'model list page');
  const parsed = parseWiseModelPage(a.text, config.file.sources.wisemodel.selectors, {
    url,
    kind: 'list',
    now: new Date(),
  });
  if (a.status === 200 && parsed.shell) {
    ctx.ok(
      id,
      'HTTP 200, a client-rendered app shell, as inferred: the HTML fallback (whose page shapes have no evidence) has nothing to read here',
    );
    return 'shell';
  }
  if (a.status === 200 && parsed.items.length > 0) {
    ctx.drift(
      id,
      `the list page renders ${parsed.items.length} models server-side (${parsed.form}), ${parsed.items.filter((i) => i.downloads != null).length} with downloads`,
      'good news: the HTML fallback can read WiseModel, downloads included. Keep "html" in sources.wisemodel.strategies (after "gitlab", or first for its downloads) and check its selectors',
    );
    return 'models';
  }
  ctx.drift(
    id,
    `HTTP ${a.status}, neither an app shell nor a readable list: ${parsed.problems.join('; ').slice(0, 200) || message(a)}`,
    'the HTML fallback cannot read this page; it does not matter while GitLab answers (see strategy)',
  );
  return 'other';
}

function checkStrategy(
  ctx: ProbeContext,
  list: ListState,
  html: HtmlState,
  gw: GatewayState,
  strategies: readonly string[],
): void {
  const id = 'strategy';
  const downloads = gw.downloads
    ? 'downloads from the configured gateway endpoint'
    : `downloads null (${gw.configured ? 'the configured gateway endpoint does not answer, see gateway-downloads' : 'no gateway endpoint configured'})`;
  const order = strategies.join(', ');
  if (list.items !== null && strategies.includes('gitlab')) {
    ctx.ok(
      id,
      `gitlab (evidence: ${EVIDENCE.gitlab.level}): new releases, catalogue, likes from star_count; ${downloads}; licence, task and base models null`,
    );
    return;
  }
  if (html === 'models' && strategies.includes('html')) {
    ctx.drift(
      id,
      `html, the fallback (strategies: ${order}): ${list.items === null ? list.why : 'gitlab is not among the strategies'}`,
      `figures come from unevidenced pages; see gitlab-list, and set ${CONFIG_KEYS}`,
    );
    return;
  }
  ctx.drift(
    id,
    `none: ${list.items === null ? list.why : 'gitlab is not among the strategies'}${html === 'shell' ? '; the HTML pages are an app shell' : ''}. The source is degraded: no WiseModel models are read`,
    `set ${CONFIG_KEYS}; sources.wisemodel.strategies is now [${order}]`,
  );
}
