// The dashboard in a real Chromium (Debian's /usr/bin/chromium through playwright-core), CSP enforced: every page
// kind loads with no console error, a control changes the chart and the URL and that URL reproduces it (releases
// ordered by momentum too), it works with script off, a hostile model name is inert, axe-core finds no serious or
// critical violation, and a screenshot of each page is written to .tmp/dashboard-screenshots/ (gitignored) as a test
// artefact. The latest snapshot carries a momentum block from the real builder (momentum-fixtures.ts).
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_LAUNCH, HAVE_CHROMIUM } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { HOSTILE_MODEL, HOSTILE_ORG } from './fixtures.js';
import { MOMENTUM_KEYS } from './momentum-fixtures.js';
import { dashWorld, modelPath, type DashWorld } from './setup.js';

if (!HAVE_CHROMIUM) {
  console.warn(`dashboard Chromium test skipped: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`);
}
export const SCREENSHOT_DIR = join(PROJECT_ROOT, '.tmp', 'dashboard-screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/* eslint-disable @typescript-eslint/no-explicit-any -- page code; the project compiles without the DOM library */
describe.skipIf(!HAVE_CHROMIUM)(`dashboard in headless Chromium (${CHROMIUM})`, () => {
  let w: DashWorld;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    w = await dashWorld(120, { momentum: true });
    base = await w.app.listen({ host: '127.0.0.1', port: 0 });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    browser = await chromium.launch(CHROMIUM_LAUNCH);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await w?.close();
  });

  /** Opens a page and records console errors, page errors and CSP violations. */
  async function open(path: string, ctx = context): Promise<{ page: Page; problems: string[] }> {
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const res = await page.goto(base + path, { waitUntil: 'load' });
    expect(res?.status(), path).toBe(200);
    return { page, problems };
  }

  async function axe(page: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern (the page itself stays strict).
    await page.evaluate(AXE);
    const result = await page.evaluate(async () => {
      const r = await (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] });
      return (r.violations as any[]).map((v) => ({
        id: v.id as string,
        impact: v.impact as string,
        nodes: v.nodes.length as number,
      }));
    });
    return result
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes)`);
  }

  const evilPath = (): string => modelPath(w.records.find((r) => r.name === HOSTILE_MODEL)!.key);
  const pages = (): Array<[string, string]> => [
    ['overview', '/'],
    ['overview-llm-modelscope', '/?scope=llm&platform=modelscope&metric=derivatives'],
    ['races', '/races'],
    [
      'races-licences-llm-modelscope',
      '/races?view=publisher&lic_metric=newReleases&lic_scope=llm&lic_platform=modelscope',
    ],
    ['releases', '/releases'],
    ['releases-by-growth', '/releases?order=growth7d'],
    ['org', '/org/Alibaba%20Qwen'],
    ['org-hostile', `/org/${encodeURIComponent(HOSTILE_ORG)}`],
    ['model', modelPath(w.records.find((r) => r.name === 'qwen-ft-GGUF')!.key)],
    ['model-hostile', evilPath()],
    ['model-momentum', modelPath(MOMENTUM_KEYS.rocket)],
  ];

  it('loads every page kind with no console error, no axe serious/critical violation, and screenshots it', async () => {
    for (const [name, path] of pages()) {
      const { page, problems } = await open(path);
      const charts = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        return Array.from<any>(doc.querySelectorAll('main svg.chart')).map((s) => {
          const b = s.getBoundingClientRect();
          return { w: b.width as number, h: b.height as number, paths: s.querySelectorAll('path').length as number };
        });
      });
      if (name !== 'releases') expect(charts.length, name).toBeGreaterThan(0);
      for (const c of charts) {
        expect(c.w).toBeGreaterThan(200);
        expect(c.paths).toBeGreaterThan(0);
      }
      expect(await axe(page), name).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
      expect(problems, name).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('switches the chart without a reload, puts the state in the URL, and that URL reproduces it', async () => {
    const { page, problems } = await open('/');
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));
    const before = await page.locator('main svg.chart title').first().textContent();
    await page.getByRole('link', { name: 'likes' }).click();
    await page.waitForURL(/metric=likes/);
    await page.getByRole('link', { name: 'ModelScope' }).click();
    await page.waitForURL(/platform=modelscope/);
    await expect.poll(() => page.locator('main svg.chart title').first().textContent()).toContain('ModelScope');
    const after = await page.locator('main svg.chart title').first().textContent();
    expect(after).not.toBe(before);
    expect(after).toContain('likes');
    // No navigation happened: the marker set on the first document is still there.
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
    // Focus stays on the control just used, for keyboard users.
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toContain('ModelScope');
    const url = page.url();
    const svg = await page.locator('main svg.chart').first().innerHTML();
    // Back goes to the previous state.
    await page.goBack();
    await page.waitForURL((u) => !u.search.includes('platform=modelscope'));
    await expect.poll(() => page.locator('main svg.chart title').first().textContent()).not.toContain('ModelScope');
    expect(problems).toEqual([]);
    await page.close();
    const fresh = await open(url.slice(base.length));
    expect(await fresh.page.locator('main svg.chart').first().innerHTML()).toBe(svg);
    await fresh.page.close();
  }, 60_000);

  it('switches the licence-by-country chart in place and its URL reproduces it', async () => {
    const { page, problems } = await open('/races');
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));
    const title = () => page.locator('#licences-by-country svg.chart title').first().textContent();
    expect(await title()).toContain('30-day downloads');
    const group = page
      .getByRole('group', { name: 'Metric' })
      .filter({ has: page.getByRole('link', { name: 'new releases' }) });
    await group.getByRole('link', { name: 'new releases' }).click();
    await page.waitForURL(/lic_metric=newReleases/);
    await expect.poll(title).toContain('new releases');
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
    const svg = await page.locator('#licences-by-country svg.chart').innerHTML();
    expect(problems).toEqual([]);
    const url = page.url();
    await page.close();
    const fresh = await open(url.slice(base.length));
    expect(await fresh.page.locator('#licences-by-country svg.chart').innerHTML()).toBe(svg);
    await fresh.page.close();
  }, 60_000);

  it('filters releases with the keyboard, in place', async () => {
    const { page, problems } = await open('/releases');
    await page.getByLabel('Platform').selectOption('modelscope');
    await page.waitForURL(/platform=modelscope/);
    const platforms = await page.locator('main table tbody tr td:nth-child(2)').allTextContents();
    expect(platforms.length).toBeGreaterThan(0);
    for (const p of platforms) expect(p).toContain('ModelScope');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('orders releases by momentum in place, with the order in the URL, and that URL reproduces it', async () => {
    const { page, problems } = await open('/releases');
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));
    const firstModel = () => page.locator('main table tbody tr th').first().textContent();
    const rocket = MOMENTUM_KEYS.rocket.slice(MOMENTUM_KEYS.rocket.indexOf(':') + 1);
    expect(await firstModel()).not.toBe(rocket);
    await page.getByRole('group', { name: 'Order by' }).getByRole('link', { name: 'RAM' }).click();
    await page.waitForURL(/\/releases\?order=ram$/);
    await expect.poll(firstModel).toBe(rocket);
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
    expect(await page.locator('main table caption').textContent()).toContain('largest RAM first');
    expect(await page.locator('#releases-momentum svg.chart title').first().textContent()).toBe(
      'RAM of the releases listed',
    );
    // A filter applied now keeps the order.
    await page.getByLabel('Platform').selectOption('huggingface');
    await page.waitForURL(/platform=huggingface/);
    expect(page.url()).toContain('order=ram');
    await expect.poll(firstModel).toBe(rocket);
    const table = await page.locator('main table').innerHTML();
    const url = page.url();
    expect(problems).toEqual([]);
    await page.close();
    const fresh = await open(url.slice(base.length));
    expect(await fresh.page.locator('main table').innerHTML()).toBe(table);
    expect(fresh.problems).toEqual([]);
    await fresh.page.close();
  }, 60_000);

  it('works without JavaScript: charts, tables and option links are all there', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const { page, problems } = await open('/', noJs);
      expect(await page.locator('main svg.chart').count()).toBeGreaterThan(0);
      expect(await page.locator('main table').count()).toBeGreaterThan(0);
      await page.getByRole('link', { name: 'derivative models' }).click();
      await page.waitForURL(/metric=derivatives/);
      expect(await page.locator('h1').textContent()).toContain('derivative models');
      expect(problems).toEqual([]);
      // The order of the releases is a link too.
      const releases = await open('/releases', noJs);
      await releases.page.getByRole('link', { name: '7-day growth' }).click();
      await releases.page.waitForURL(/order=growth7d/);
      const late = MOMENTUM_KEYS.late.slice(MOMENTUM_KEYS.late.indexOf(':') + 1);
      expect(await releases.page.locator('main table tbody tr th').first().textContent()).toBe(late);
      expect(releases.problems).toEqual([]);
    } finally {
      await noJs.close();
    }
  }, 60_000);

  it('shows a hostile model name as inert text', async () => {
    const { page, problems } = await open(evilPath());
    const r = await page.evaluate(() => {
      const g = globalThis as any;
      return {
        pwned: g.__pwned ?? null,
        h1: g.document.querySelector('h1').textContent as string,
        imgs: g.document.querySelectorAll('main img').length as number,
      };
    });
    expect(r.pwned).toBeNull();
    expect(r.imgs).toBe(0);
    expect(r.h1).toContain('<script>window.__pwned=1</script>');
    expect(r.h1).not.toContain('\u202E');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
