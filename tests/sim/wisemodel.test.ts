import { readFileSync } from 'node:fs';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/index.js';
import { get } from './helpers.js';

const DAY = '2026-11-20';
const selectors = (JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8')) as {
  sources: { wisemodel: { selectors: Record<string, string> } };
}).sources.wisemodel.selectors;

interface Item {
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

/** Reads the embedded state of a page, whichever of the two builds rendered it. */
function embedded(html: string): Record<string, unknown> | null {
  const nuxt = /<script>window\.__NUXT__=\(function\(\)\{return (.*)\}\)\(\)<\/script>/s.exec(html);
  if (nuxt) return (JSON.parse(nuxt[1]!) as { data: Array<Record<string, unknown>> }).data[0]!;
  const next = /<script id="__NEXT_DATA__" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (next) return (JSON.parse(next[1]!) as { props: { pageProps: Record<string, unknown> } }).props.pageProps;
  return null;
}

describe('WiseModel simulator', () => {
  let sim: Sim;
  let wm: string;

  beforeAll(async () => {
    sim = await startSim({ seed: 9, models: 20_000, day: DAY, wisemodelForm: 'html' });
    wm = sim.urls.wisemodel;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('serves robots.txt allowing /models and disallowing the gateway and API', async () => {
    const r = await get(`${wm}/robots.txt`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^Allow: \/models$/m);
    expect(r.text).toMatch(/^Disallow: \/gateway\/$/m);
    expect(r.text).toMatch(/^Disallow: \/api\/$/m);
  });

  it('renders list pages matching the configured selectors, newest first, with per-item fields, to the last page', async () => {
    const seen = new Set<string>();
    let url: string | undefined = `${wm}/models?page=1`;
    let prevCreated = Infinity;
    let pages = 0;
    while (url) {
      const r = await get(url);
      expect(r.status).toBe(200);
      const $ = cheerio.load(r.text);
      const items = $(selectors.listItem!);
      if (url.endsWith('page=1')) expect(items.length).toBe(24);
      items.each((_, el) => {
        const li = $(el);
        const href = li.find(selectors.listLink!).attr('href')!;
        expect(href).toMatch(/^\/models\/[^/]+\/[^/]+$/);
        seen.add(decodeURIComponent(href));
        expect(li.find(selectors.downloads!).text()).toMatch(/^\d+$/);
        expect(li.find(selectors.likes!).text()).toMatch(/^\d+$/);
        const created = li.find(selectors.createdAt!).text();
        expect(Date.parse(created)).toBeLessThanOrEqual(prevCreated);
        prevCreated = Date.parse(created);
        expect(li.find(selectors.updatedAt!).text()).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(li.find(selectors.license!).length).toBe(1);
        expect(li.find(selectors.task!).length).toBe(1);
      });
      pages++;
      const next = $(selectors.nextPage!).attr('href');
      url = next ? `${wm}${next}` : undefined;
    }
    expect(seen.size).toBe(sim.universe.wm.list(sim.universe.checkDay(DAY), 'newest').length);
    expect(pages).toBe(Math.ceil(seen.size / 24));
  });

  it('renders model pages with the configured selectors, base-model links and tags', async () => {
    const u = sim.universe.wm;
    const dayN = sim.universe.checkDay(DAY);
    const derived = u.list(dayN, 'downloads').find((k) => u.base[k]! >= 0)!;
    const r = await get(`${wm}/models/${u.idOf(derived)}`);
    const $ = cheerio.load(r.text);
    expect($(selectors.modelTitle!).text().length).toBeGreaterThan(0);
    expect(Number($(selectors.downloads!).first().text())).toBe(u.downloads(derived, dayN));
    expect($(selectors.baseModel!).first().text()).toBe(u.idOf(u.base[derived]!));
    expect($(selectors.baseModel!).first().attr('href')).toBe(`/models/${u.idOf(u.base[derived]!)}`);
    expect($(selectors.tags!).length).toBeGreaterThan(0);
    expect(['其他', 'Apache-2.0', '商用需授权', 'MIT', 'Apache License 2.0', '', '免费商用']).toContain($(selectors.license!).first().text());
    expect((await get(`${wm}/models/nobody/nothing`)).status).toBe(404);
    const mirror = u.list(dayN, 'downloads').find((k) => u.isMirror[k] === 1)!;
    const org = await get(`${wm}/organization/${encodeURIComponent(u.owner[mirror]!)}`);
    expect(org.status).toBe(200);
    const hrefs = cheerio.load(org.text)(selectors.listLink!).map((_, a) => cheerio.load(org.text)(a).attr('href')).get();
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h.startsWith(`/models/${encodeURIComponent(u.owner[mirror]!)}/`)).toBe(true);
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

  it('renders the embedded-state form (Nuxt or Next) with the same data, and mixes forms per page', async () => {
    sim.setWisemodelForm('embedded');
    const kinds = new Set<string>();
    for (let p = 1; p <= 8; p++) {
      const r = await get(`${wm}/models?page=${p}`);
      expect(cheerio.load(r.text)(selectors.listItem!).length).toBe(0);
      kinds.add(r.text.includes('__NUXT__') ? 'nuxt' : 'next');
      const state = embedded(r.text)!;
      expect(state).toMatchObject({ page: p, pageSize: 24, total: expect.any(Number) });
      const list = state.list as Item[];
      expect(list.length).toBe(24);
      for (const it of list) expect(Object.keys(it)).toEqual(['owner', 'name', 'title', 'downloads', 'likes', 'license', 'task', 'createdAt', 'updatedAt', 'baseModels', 'tags']);
    }
    expect(kinds.size).toBe(2);
    const one = (embedded((await get(`${wm}/models?page=1`)).text)!.list as Item[])[0]!;
    const model = embedded((await get(`${wm}/models/${one.owner}/${one.name}`)).text)!.model as Item;
    expect(model).toEqual(one);
    sim.setWisemodelForm('mixed');
    const forms = new Set<string>();
    for (let p = 1; p <= 12; p++) forms.add(embedded((await get(`${wm}/models?page=${p}`)).text) ? 'embedded' : 'html');
    expect(forms.size).toBe(2);
    sim.setWisemodelForm('html');
  });

  it('renders a drifted layout with none of the configured selectors and no embedded state', async () => {
    sim.setFaults('wisemodel', { layoutDrift: true });
    try {
      const list = await get(`${wm}/models?page=1`);
      expect(list.status).toBe(200);
      const $ = cheerio.load(list.text);
      expect($(selectors.listItem!).length).toBe(0);
      expect($(selectors.nextPage!).length).toBe(0);
      expect(embedded(list.text)).toBeNull();
      expect($('.repo-card').length).toBe(24);
      const href = $('.repo-card a').first().attr('href')!;
      const page = await get(`${wm}${href}`);
      const $$ = cheerio.load(page.text);
      expect($$(selectors.modelTitle!).length).toBe(0);
      expect($$(selectors.downloads!).length).toBe(0);
    } finally {
      sim.setFaults('wisemodel', {});
    }
  });

  it('escapes hostile titles in HTML and in embedded JSON, and can break fields', async () => {
    sim.setFaults('wisemodel', { hostileRate: 1 });
    try {
      const r = await get(`${wm}/models?page=1`);
      expect(r.text).not.toContain('<script>alert(1)</script>');
      const titles = cheerio.load(r.text)('p.model-title').map((_, el) => cheerio.load(r.text)(el).text()).get();
      expect(titles.some((t) => t.includes('<script>alert(1)</script>') || t.includes('\u202E') || t.length >= 10_000 || t.includes('onerror'))).toBe(true);
      sim.setWisemodelForm('embedded');
      const e = await get(`${wm}/models?page=1`);
      // `</script>` inside a title must not end the state script early.
      expect(embedded(e.text)).not.toBeNull();
      expect((embedded(e.text)!.list as Item[]).length).toBe(24);
      sim.setFaults('wisemodel', { malformedRate: 1 });
      const bad = embedded((await get(`${wm}/models?page=2`)).text)!.list as Item[];
      for (const it of bad) expect(it.downloads === null || it.createdAt === null || it.title === null).toBe(true);
    } finally {
      sim.setFaults('wisemodel', {});
      sim.setWisemodelForm('html');
    }
  });
});
