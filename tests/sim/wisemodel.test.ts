// The WiseModel simulator as the evidence shows WiseModel (research note §B, §E): a client-rendered site, GitLab's
// v4 projects API with its two paginations and their headers, and the JSON gateway with its envelope, codes and
// login token; the invented server-rendered pages only behind `wmHtmlFixture`. All over real HTTP, and all from one
// WmCatalogue, so a model's figures agree wherever they are read.
import { readFileSync } from 'node:fs';
import * as cheerio from 'cheerio';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { PlatformContext, startPlatformServer } from '../../src/sim/http.js';
import { Universe } from '../../src/sim/universe.js';
import { WmSite } from '../../src/sim/wisemodel.js';
import type { WmItem as Item } from '../../src/sim/wisemodel-html.js';
import { WM_SIM_DOWNLOADS_PATH, WM_SIM_PASSWORD, WM_SIM_USER, simToken } from '../../src/sim/wisemodel-gateway.js';
import { get, getJson } from './helpers.js';

const DAY = '2026-11-20';
const selectors = (
  JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8')) as {
    sources: { wisemodel: { selectors: Record<string, string> } };
  }
).sources.wisemodel.selectors;

type Project = Record<string, unknown> & {
  id: number;
  path_with_namespace: string;
  created_at: string;
  star_count: number;
};

/** Reads the embedded state of a fixture page, whichever of the two builds rendered it. */
function embedded(html: string): Record<string, unknown> | null {
  const nuxt = /<script>window\.__NUXT__=\(function\(\)\{return (.*)\}\)\(\)<\/script>/s.exec(html);
  if (nuxt) return (JSON.parse(nuxt[1]!) as { data: Array<Record<string, unknown>> }).data[0]!;
  const next = /<script id="__NEXT_DATA__" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (next) return (JSON.parse(next[1]!) as { props: { pageProps: Record<string, unknown> } }).props.pageProps;
  return null;
}

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text) as Record<string, unknown> };
}

const nextOf = (link: string | undefined): string | undefined => /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1];

/** The Beijing wall-clock text of an ISO instant, as the fixture writes creation times. */
const beijing = (iso: string): string =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

describe('WiseModel simulator', () => {
  let sim: Sim;
  let wm: string;
  let dayN: number;

  beforeAll(async () => {
    sim = await startSim({ seed: 9, models: 20_000, day: DAY, wisemodelForm: 'html' });
    wm = sim.urls.wisemodel;
    dayN = sim.universe.checkDay(DAY);
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('the site', () => {
    it('answers every page route with the same client-rendered shell: nothing in it names a model', async () => {
      const u = sim.universe.wm;
      const k = u.list(dayN, 'downloads')[0]!;
      for (const path of [
        '/',
        '/models',
        '/models?page=2&sort=downloads',
        `/models/${u.idOf(k)}`,
        '/datasets/a/b',
        '/organization/01.AI',
        '/no/such/page',
      ]) {
        const r = await get(`${wm}${path}`);
        expect(r.status).toBe(200);
        const $ = cheerio.load(r.text);
        expect($('#app').children().length).toBe(0);
        expect($('script[src]').length).toBeGreaterThan(0);
        expect(r.text).not.toContain(u.name[k]!);
        expect($(selectors.listItem).length).toBe(0);
        expect(embedded(r.text)).toBeNull();
      }
    });

    it('serves robots.txt allowing the pages and keeping crawlers out of the gateway and the API', async () => {
      const r = await get(`${wm}/robots.txt`);
      expect(r.status).toBe(200);
      expect(r.text).toMatch(/^Allow: \/models$/m);
      expect(r.text).toMatch(/^Disallow: \/gateway\/$/m);
      expect(r.text).toMatch(/^Disallow: \/api\/$/m);
    });
  });

  describe('GitLab v4', () => {
    it('walks public projects newest id first by keyset: a Link on every page with records, the end an empty page without one', async () => {
      const u = sim.universe.wm;
      let url: string | undefined =
        `${wm}/api/v4/projects?pagination=keyset&order_by=id&sort=desc&per_page=100&simple=true&visibility=public`;
      const seen: Project[] = [];
      let pages = 0;
      let lastEmpty = false;
      while (url) {
        const r: { status: number; headers: Record<string, string>; body: Project[] } = await getJson<Project[]>(url);
        expect(r.status).toBe(200);
        expect(r.body.length).toBeLessThanOrEqual(100);
        pages++;
        if (r.body.length > 0) expect(r.headers.link).toMatch(/; rel="next"$/);
        else expect(r.headers.link).toBeUndefined();
        lastEmpty = r.body.length === 0;
        seen.push(...r.body);
        url = nextOf(r.headers.link);
        if (url) expect(new URL(url).searchParams.get('id_before')).toBe(String(r.body.at(-1)!.id));
      }
      expect(lastEmpty).toBe(true);
      expect(seen).toHaveLength(u.visibleProjects(dayN));
      // A short last page still carries a Link: the walk ends on the empty page after it.
      expect(pages).toBe(Math.ceil(seen.length / 100) + 1);
      const ids = seen.map((p) => p.id);
      expect(ids.every((id, i) => i === 0 || ids[i - 1]! > id)).toBe(true);
      // Ids rise with creation time.
      const created = seen.map((p) => Date.parse(p.created_at));
      expect(created.every((t, i) => i === 0 || created[i - 1]! >= t)).toBe(true);
      // Every model is there under its WiseModel id, with its likes as star_count; code repos sit under codes/.
      const byPath = new Map(seen.map((p) => [p.path_with_namespace, p]));
      for (const k of u.list(dayN, 'newest')) {
        const p = byPath.get(u.idOf(k))!;
        expect(p).toBeDefined();
        expect(p.star_count).toBe(u.likes(k, dayN));
        expect(new Date(Date.parse(p.created_at)).toISOString()).toBe(new Date(u.created[k]! * 1000).toISOString());
      }
      const codes = seen.filter((p) => p.path_with_namespace.startsWith('codes/'));
      expect(codes.length).toBeGreaterThan(0);
      for (const c of codes) expect((c.namespace as { full_path: string }).full_path).toMatch(/^codes\//);
      // Datasets share the {owner}/{name} form with models and carry no mark by default.
      const datasets = seen.filter((p) => p.description === '数据集');
      expect(datasets.length).toBeGreaterThan(0);
      for (const d of datasets) {
        expect(d.path_with_namespace.split('/')).toHaveLength(2);
        expect(d.topics).toEqual([]);
      }
    });

    it('writes projects with the simple fields an anonymous caller gets, times with their zone', async () => {
      const r = await getJson<Project[]>(`${wm}/api/v4/projects?pagination=keyset&order_by=id&sort=desc&per_page=3`);
      expect(Object.keys(r.body[0]!).sort()).toEqual(
        [
          'avatar_url',
          'created_at',
          'default_branch',
          'description',
          'forks_count',
          'http_url_to_repo',
          'id',
          'last_activity_at',
          'name',
          'name_with_namespace',
          'namespace',
          'path',
          'path_with_namespace',
          'readme_url',
          'ssh_url_to_repo',
          'star_count',
          'tag_list',
          'topics',
          'web_url',
        ].sort(),
      );
      expect(r.body[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
      expect(r.body[0]).not.toHaveProperty('visibility');
    });

    it('walks oldest first by id_after, and keeps the id filters', async () => {
      const r = await getJson<Project[]>(`${wm}/api/v4/projects?pagination=keyset&order_by=id&sort=asc&per_page=5`);
      const ids = r.body.map((p) => p.id);
      expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
      expect(new URL(nextOf(r.headers.link)!).searchParams.get('id_after')).toBe(String(ids.at(-1)));
      const before = await getJson<Project[]>(
        `${wm}/api/v4/projects?pagination=keyset&order_by=id&sort=desc&per_page=5&id_before=${ids[3]}`,
      );
      expect(before.body.map((p) => p.id)).toEqual(ids.slice(0, 3).reverse());
    });

    it('refuses keyset pagination by anything but id, bad parameters, and caps per_page at 100', async () => {
      const k = await getJson<{ error: string }>(
        `${wm}/api/v4/projects?pagination=keyset&order_by=created_at&sort=desc`,
      );
      expect(k.status).toBe(405);
      expect(k.body.error).toBe('Keyset pagination is not yet available for this type of request');
      // GitLab's default order is created_at: keyset without order_by is refused too.
      expect((await get(`${wm}/api/v4/projects?pagination=keyset`)).status).toBe(405);
      expect((await getJson<{ error: string }>(`${wm}/api/v4/projects?order_by=stars`)).body.error).toBe(
        'order_by does not have a valid value',
      );
      expect((await get(`${wm}/api/v4/projects?sort=up`)).status).toBe(400);
      const big = await getJson<Project[]>(
        `${wm}/api/v4/projects?pagination=keyset&order_by=id&sort=desc&per_page=500`,
      );
      expect(big.body).toHaveLength(100);
    });

    it('pages by offset with x-page, x-next-page, x-total and a Link, and refuses offsets beyond 50,000', async () => {
      const n = sim.universe.wm.visibleProjects(dayN);
      const first = await getJson<Project[]>(`${wm}/api/v4/projects?order_by=id&sort=desc&per_page=50`);
      expect(first.headers).toMatchObject({
        'x-page': '1',
        'x-per-page': '50',
        'x-next-page': '2',
        'x-prev-page': '',
        'x-total': String(n),
        'x-total-pages': String(Math.ceil(n / 50)),
      });
      expect(first.headers.link).toMatch(/rel="next".*rel="first".*rel="last"/);
      const pages = Math.ceil(n / 50);
      const last = await getJson<Project[]>(`${wm}/api/v4/projects?order_by=id&sort=desc&per_page=50&page=${pages}`);
      expect(last.headers['x-next-page']).toBe('');
      expect(last.body).toHaveLength(n - (pages - 1) * 50);
      expect(last.body.at(-1)!.id).toBeLessThan(first.body.at(-1)!.id);
      const deep = await getJson<{ error: string }>(`${wm}/api/v4/projects?per_page=100&page=501`);
      expect(deep.status).toBe(405);
      expect(deep.body.error).toMatch(
        /^Offset pagination has a maximum allowed offset of 50000 for requests that return objects of type Project/,
      );
    });

    it('answers one project by id or URL-encoded path, and its repository tree', async () => {
      const u = sim.universe.wm;
      const k = u.list(dayN, 'newest')[0]!;
      const byPath = await getJson<Project>(`${wm}/api/v4/projects/${encodeURIComponent(u.idOf(k))}`);
      expect(byPath.status).toBe(200);
      expect(byPath.body).toMatchObject({ path_with_namespace: u.idOf(k), visibility: 'public', id: u.gid[k] });
      expect((await getJson<Project>(`${wm}/api/v4/projects/${u.gid[k]}`)).body.path_with_namespace).toBe(u.idOf(k));
      expect(await getJson(`${wm}/api/v4/projects/nobody%2Fnothing`)).toMatchObject({
        status: 404,
        body: { message: '404 Project Not Found' },
      });
      const tree = await getJson<Array<{ type: string; path: string }>>(
        `${wm}/api/v4/projects/${encodeURIComponent('SHYuanBest/ConsisID-Preview')}/repository/tree`,
      );
      expect(tree.status).toBe(200);
      expect(tree.body.map((e) => e.path)).toContain('README.md');
      expect(tree.headers['x-total']).toBe(String(tree.body.length));
      const sub = await getJson<Array<{ path: string }>>(
        `${wm}/api/v4/projects/${encodeURIComponent('SHYuanBest/ConsisID-Preview')}/repository/tree?path=tokenizer`,
      );
      expect(sub.body.map((e) => e.path)).toEqual(['tokenizer/added_tokens.json', 'tokenizer/tokenizer.json']);
      expect(
        await getJson(
          `${wm}/api/v4/projects/${encodeURIComponent('SHYuanBest/ConsisID-Preview')}/repository/tree?ref=nope`,
        ),
      ).toMatchObject({ status: 404, body: { message: '404 Tree Not Found' } });
    });

    it('leaves out x-total, x-total-pages and rel="last" beyond 10,000 projects', async () => {
      const universe = new Universe({ seed: 3, models: 20_000, wmShare: 0.6 });
      const n = universe.checkDay(DAY);
      expect(universe.wm.visibleProjects(n)).toBeGreaterThan(10_000);
      const server = await startPlatformServer(
        new WmSite(
          universe,
          () => n,
          () => 'html',
        ),
        new PlatformContext('wisemodel', 3, {}),
        { setDay: () => {}, day: () => DAY },
        0,
      );
      try {
        const r = await getJson<Project[]>(`${server.url}/api/v4/projects?order_by=id&per_page=100`);
        expect(r.headers['x-next-page']).toBe('2');
        expect(r.headers['x-total']).toBeUndefined();
        expect(r.headers['x-total-pages']).toBeUndefined();
        expect(r.headers.link).not.toMatch(/rel="last"/);
      } finally {
        await server.close();
      }
    });

    it('drifts on demand: a closed list, no GitLab at all, a foreign Link host, a dropped field, zoneless times, refused keyset', async () => {
      const list = `${wm}/api/v4/projects?pagination=keyset&order_by=id&sort=desc&per_page=5`;
      try {
        sim.setFaults('wisemodel', { wmDrift: { gitlab: 'closed' } });
        expect(await getJson(list)).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
        expect(
          (await get(`${wm}/api/v4/projects/${encodeURIComponent('SHYuanBest/ConsisID-Preview')}/repository/tree`))
            .status,
        ).toBe(200);
        sim.setFaults('wisemodel', { wmDrift: { gitlab: 'absent' } });
        const absent = await get(list);
        expect(absent.status).toBe(404);
        expect(absent.headers['content-type']).toMatch(/text\/html/);
        sim.setFaults('wisemodel', { wmDrift: { linkOrigin: 'http://gitlab.internal' } });
        expect((await get(list)).headers.link).toMatch(
          /^<http:\/\/gitlab\.internal\/api\/v4\/projects\?.*id_before=\d+/,
        );
        sim.setFaults('wisemodel', { wmDrift: { dropField: 'star_count', zonelessTimes: true } });
        const dropped = await getJson<Project[]>(list);
        expect(
          dropped.body.every(
            (p) => p.star_count === undefined && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(p.created_at),
          ),
        ).toBe(true);
        sim.setFaults('wisemodel', { wmDrift: { keysetRefused: true } });
        expect((await get(list)).status).toBe(405);
        expect((await get(`${wm}/api/v4/projects?order_by=id`)).status).toBe(200);
        sim.setFaults('wisemodel', { wmDrift: { datasetTopic: true } });
        const all = await getJson<Project[]>(`${wm}/api/v4/projects?order_by=id&per_page=100`);
        const ds = all.body.filter((p) => p.description === '数据集');
        expect(ds.length).toBeGreaterThan(0);
        expect(ds.every((p) => (p.topics as string[]).includes('dataset'))).toBe(true);
      } finally {
        sim.setFaults('wisemodel', {});
      }
    });
  });

  describe('the gateway', () => {
    it("logs in with the SDK body and hands out an HS256 JWT with the notebook tokens' claims", async () => {
      const ok = await postJson(`${wm}/gateway/user/api/v1/login`, {
        username: WM_SIM_USER,
        password: WM_SIM_PASSWORD,
        way: 'normal',
      });
      expect(ok).toMatchObject({ status: 200, body: { code: 0, message: 'Success' } });
      const token = (ok.body.data as { token: string }).token;
      const [head, body] = token
        .split('.')
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
      expect(head).toEqual({ typ: 'JWT', alg: 'HS256' });
      expect(Object.keys(body!).sort()).toEqual(['exp', 'iss', 'user_id', 'username']);
      const bad = await postJson(`${wm}/gateway/user/api/v1/login`, {
        username: WM_SIM_USER,
        password: 'wrong',
        way: 'normal',
      });
      expect(bad.status).toBe(200);
      expect(bad.body.code).not.toBe(0);
    });

    it('answers B2002 without a valid token, 10003 for a missing repository, and the branch list otherwise', async () => {
      const u = sim.universe.wm;
      const k = u.list(dayN, 'newest')[0]!;
      const path = { project_path: `https://www.wisemodel.cn/models/${u.idOf(k)}` };
      expect((await postJson(`${wm}/gateway/project/api/v1/branchlist`, path)).body.code).toBe('B2002');
      const auth = { authorization: `Bearer ${simToken()}` };
      expect((await postJson(`${wm}/gateway/project/api/v1/branchlist`, path, auth)).body).toEqual({
        code: 0,
        message: 'Success',
        data: { list: [{ branch: 'main' }] },
      });
      expect(
        (
          await postJson(
            `${wm}/gateway/project/api/v1/branchlist`,
            { project_path: `https://www.wisemodel.cn/datasets/${u.idOf(k)}` },
            auth,
          )
        ).body.code,
      ).toBe(10003);
      // A token issued three days ago has expired.
      expect(
        (
          await postJson(`${wm}/gateway/project/api/v1/branchlist`, path, {
            authorization: `Bearer ${simToken(Date.now() - 3 * 86_400_000 - 1000)}`,
          })
        ).body.code,
      ).toBe('B2002');
      try {
        sim.setFaults('wisemodel', { wmDrift: { revokeTokensBefore: Date.now() + 1000 } });
        expect((await postJson(`${wm}/gateway/project/api/v1/branchlist`, path, auth)).body.code).toBe('B2002');
        sim.setFaults('wisemodel', { wmDrift: { gateway: 'envelope' } });
        expect(
          Object.keys((await postJson(`${wm}/gateway/project/api/v1/branchlist`, path, auth)).body).sort(),
        ).toEqual(['msg', 'result', 'status']);
        sim.setFaults('wisemodel', { wmDrift: { gateway: 'absent' } });
        expect((await get(`${wm}/gateway/project/api/v1/branchlist`)).status).toBe(404);
      } finally {
        sim.setFaults('wisemodel', {});
      }
    });

    it('serves the stand-in downloads list: every model once, with the figures the other surfaces give', async () => {
      const u = sim.universe.wm;
      const auth = { authorization: `Bearer ${simToken()}` };
      const rows: Array<{ project_path: string; download_count: number; like_count: number }> = [];
      let total = 0;
      for (let page = 1; ; page++) {
        const r = await postJson(`${wm}${WM_SIM_DOWNLOADS_PATH}`, { baseReq: { page, pageSize: 100 } }, auth);
        expect(r.body.code).toBe(0);
        const data = r.body.data as { list: typeof rows; total: number };
        total = data.total;
        rows.push(...data.list);
        if (data.list.length < 100) break;
      }
      const models = u.list(dayN, 'newest');
      expect(total).toBe(models.length);
      expect(rows.map((r) => r.project_path)).toEqual(
        models.map((k) => `https://www.wisemodel.cn/models/${u.idOf(k)}`),
      );
      for (const [i, k] of models.entries())
        expect([rows[i]!.download_count, rows[i]!.like_count]).toEqual([u.downloads(k, dayN), u.likes(k, dayN)]);
      expect((await postJson(`${wm}${WM_SIM_DOWNLOADS_PATH}`, { baseReq: { page: 1, pageSize: 5 } })).body.code).toBe(
        'B2002',
      );
    });
  });

  describe('the HTML fallback fixture (wmHtmlFixture)', () => {
    beforeAll(() => sim.setFaults('wisemodel', { wmHtmlFixture: true }));
    afterAll(() => sim.setFaults('wisemodel', {}));

    it('renders list pages matching the configured selectors, newest first, with per-item fields, to the last page', async () => {
      const seen = new Set<string>();
      let url: string | undefined = `${wm}/models?page=1`;
      let prevCreated = Infinity;
      let pages = 0;
      const u = sim.universe.wm;
      while (url) {
        const r = await get(url);
        expect(r.status).toBe(200);
        const $ = cheerio.load(r.text);
        const items = $(selectors.listItem);
        if (url.endsWith('page=1')) expect(items.length).toBe(24);
        items.each((_, el) => {
          const li = $(el);
          const href = li.find(selectors.listLink).attr('href')!;
          expect(href).toMatch(/^\/models\/[^/]+\/[^/]+$/);
          const id = decodeURIComponent(href.slice('/models/'.length));
          seen.add(id);
          expect(li.find(selectors.downloads).text()).toMatch(/^\d+$/);
          expect(li.find(selectors.likes).text()).toMatch(/^\d+$/);
          // Creation times in Beijing time without a zone; update times relative to the end of the day.
          const created = li.find(selectors.createdAt).text();
          expect(created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
          const k = u.lookup(id, dayN)!;
          expect(created).toBe(beijing(new Date(u.created[k]! * 1000).toISOString()));
          const t = Date.parse(`${created.replace(' ', 'T')}+08:00`);
          expect(t).toBeLessThanOrEqual(prevCreated);
          prevCreated = t;
          expect(li.find(selectors.updatedAt).text()).toMatch(/^(刚刚|\d+ 分钟前|\d+ 小时前|\d+天前)$/);
          expect(li.find(selectors.license).length).toBe(1);
          expect(li.find(selectors.task).length).toBe(1);
        });
        pages++;
        const next = $(selectors.nextPage).attr('href');
        url = next ? `${wm}${next}` : undefined;
      }
      expect(seen.size).toBe(u.list(dayN, 'newest').length);
      expect(pages).toBe(Math.ceil(seen.size / 24));
    });

    it('renders model pages with the configured selectors, base-model links and tags, and the GitLab figures', async () => {
      const u = sim.universe.wm;
      const derived = u.list(dayN, 'downloads').find((k) => u.base[k]! >= 0)!;
      const r = await get(`${wm}/models/${u.idOf(derived)}`);
      const $ = cheerio.load(r.text);
      expect($(selectors.modelTitle).text().length).toBeGreaterThan(0);
      expect(Number($(selectors.downloads).first().text())).toBe(u.downloads(derived, dayN));
      const project = await getJson<Project>(`${wm}/api/v4/projects/${encodeURIComponent(u.idOf(derived))}`);
      expect(Number($(selectors.likes).first().text())).toBe(project.body.star_count);
      expect($(selectors.baseModel).first().text()).toBe(u.idOf(u.base[derived]!));
      expect($(selectors.baseModel).first().attr('href')).toBe(`/models/${u.idOf(u.base[derived]!)}`);
      expect($(selectors.tags).length).toBeGreaterThan(0);
      expect(['其他', 'Apache-2.0', '商用需授权', 'MIT', 'Apache License 2.0', '', '免费商用']).toContain(
        $(selectors.license).first().text(),
      );
      expect((await get(`${wm}/models/nobody/nothing`)).status).toBe(404);
      const mirror = u.list(dayN, 'downloads').find((k) => u.isMirror[k] === 1)!;
      const org = await get(`${wm}/organization/${encodeURIComponent(u.owner[mirror]!)}`);
      expect(org.status).toBe(200);
      const hrefs = cheerio
        .load(org.text)(selectors.listLink)
        .map((_, a) => cheerio.load(org.text)(a).attr('href'))
        .get();
      expect(hrefs.length).toBeGreaterThan(0);
      for (const h of hrefs) expect(h.startsWith(`/models/${encodeURIComponent(u.owner[mirror]!)}/`)).toBe(true);
    });

    it('renders the embedded-state form (Nuxt or Next) with the same data, and mixes forms per page', async () => {
      sim.setWisemodelForm('embedded');
      try {
        const kinds = new Set<string>();
        for (let p = 1; p <= 8; p++) {
          const r = await get(`${wm}/models?page=${p}`);
          expect(cheerio.load(r.text)(selectors.listItem).length).toBe(0);
          kinds.add(r.text.includes('__NUXT__') ? 'nuxt' : 'next');
          const state = embedded(r.text)!;
          expect(state).toMatchObject({ page: p, pageSize: 24, total: expect.any(Number) });
          const list = state.list as Item[];
          expect(list.length).toBe(24);
          for (const it of list)
            expect(Object.keys(it)).toEqual([
              'owner',
              'name',
              'title',
              'downloads',
              'likes',
              'license',
              'task',
              'createdAt',
              'updatedAt',
              'baseModels',
              'tags',
            ]);
        }
        expect(kinds.size).toBe(2);
        const one = (embedded((await get(`${wm}/models?page=1`)).text)!.list as Item[])[0]!;
        const model = embedded((await get(`${wm}/models/${one.owner}/${one.name}`)).text)!.model as Item;
        expect(model).toEqual(one);
        sim.setWisemodelForm('mixed');
        const forms = new Set<string>();
        for (let p = 1; p <= 12; p++)
          forms.add(embedded((await get(`${wm}/models?page=${p}`)).text) ? 'embedded' : 'html');
        expect(forms.size).toBe(2);
      } finally {
        sim.setWisemodelForm('html');
      }
    });

    it('renders a drifted layout with none of the configured selectors and no embedded state', async () => {
      sim.setFaults('wisemodel', { wmHtmlFixture: true, layoutDrift: true });
      try {
        const list = await get(`${wm}/models?page=1`);
        expect(list.status).toBe(200);
        const $ = cheerio.load(list.text);
        expect($(selectors.listItem).length).toBe(0);
        expect($(selectors.nextPage).length).toBe(0);
        expect(embedded(list.text)).toBeNull();
        expect($('.repo-card').length).toBe(24);
        const href = $('.repo-card a').first().attr('href')!;
        const page = await get(`${wm}${href}`);
        const $$ = cheerio.load(page.text);
        expect($$(selectors.modelTitle).length).toBe(0);
        expect($$(selectors.downloads).length).toBe(0);
      } finally {
        sim.setFaults('wisemodel', { wmHtmlFixture: true });
      }
    });

    it('escapes hostile titles in HTML and in embedded JSON, and can break fields', async () => {
      sim.setFaults('wisemodel', { wmHtmlFixture: true, hostileRate: 1 });
      try {
        const r = await get(`${wm}/models?page=1`);
        expect(r.text).not.toContain('<script>alert(1)</script>');
        const titles = cheerio
          .load(r.text)('p.model-title')
          .map((_, el) => cheerio.load(r.text)(el).text())
          .get();
        expect(
          titles.some(
            (t) =>
              t.includes('<script>alert(1)</script>') ||
              t.includes('\u202E') ||
              t.length >= 10_000 ||
              t.includes('onerror'),
          ),
        ).toBe(true);
        sim.setWisemodelForm('embedded');
        const e = await get(`${wm}/models?page=1`);
        // `</script>` inside a title must not end the state script early.
        expect(embedded(e.text)).not.toBeNull();
        expect((embedded(e.text)!.list as Item[]).length).toBe(24);
        sim.setFaults('wisemodel', { wmHtmlFixture: true, malformedRate: 1 });
        const bad = embedded((await get(`${wm}/models?page=2`)).text)!.list as Item[];
        for (const it of bad) expect(it.downloads === null || it.createdAt === null || it.title === null).toBe(true);
      } finally {
        sim.setFaults('wisemodel', { wmHtmlFixture: true });
        sim.setWisemodelForm('html');
      }
    });
  });

  it('mirrors ModelScope models of the registry organisations that publish on WiseModel', () => {
    const u = sim.universe;
    const wmc = u.wm;
    const owners = new Set<string>();
    for (let k = 0; k < wmc.size; k++) if (wmc.isMirror[k]) owners.add(wmc.owner[k]!);
    const registryWm = new Set(u.registry.flatMap((o) => o.wisemodel));
    for (const o of owners) expect(registryWm.has(o)).toBe(true);
    let matched = 0;
    for (let k = 0; k < wmc.size; k++) {
      if (!wmc.isMirror[k]) continue;
      const msK = u.ms.fromHf.get(wmc.src[k]!);
      if (msK !== undefined && u.ms.nameOf(msK) === wmc.name[k]) matched++;
    }
    expect(matched).toBeGreaterThan(0);
  });
});
