// Renders a digest's HTML in headless Chromium: the charts must be drawn and no hostile string may run. CSP is
// bypassed on purpose, so the test checks our escaping, not the page's Content-Security-Policy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_LAUNCH, HAVE_CHROMIUM } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import { buildDigest } from '../../src/digest/build.js';
import { renderHtml } from '../../src/digest/html.js';
import { HOSTILE_NAME, NOW, W47, setupFortnight } from './fixtures.js';

if (!HAVE_CHROMIUM) {
  console.warn(`digest Chromium test skipped: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`);
}

describe.skipIf(!HAVE_CHROMIUM)(`digest HTML in headless Chromium (${CHROMIUM})`, () => {
  let root: string;
  let store: Store;
  let html: string;
  let context: BrowserContext;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hubwatch-digest-chromium-'));
    store = await openStore({ dataDir: join(root, 'store'), databaseUrl: null });
    const fx = await setupFortnight(store, root, writeSnapshot, { perDay: 12, older: 60, seed: 7 });
    html = renderHtml(await buildDigest({ store, dataDir: fx.dirs.full, week: W47, now: NOW }));
    context = await chromium.launchPersistentContext(join(root, 'profile'), { ...CHROMIUM_LAUNCH, bypassCSP: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await store?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('draws both charts and runs nothing from the hostile model', async () => {
    const page = await context.newPage();
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Nothing in a stand-alone digest may load anything; every request is recorded and refused.
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    await page.setContent(html, { waitUntil: 'load' });

    // Runs in the page; typed loosely because the project compiles without the DOM library.
    /* eslint-disable @typescript-eslint/no-explicit-any */
    // By 'load' every inline script and load handler a hostile string could have slipped in has run; one rendered
    // frame later the charts are laid out. Nothing can run later unnoticed: no script, handler or javascript: link
    // may exist at all (asserted below).
    await page.evaluate(() => new Promise((frame) => (globalThis as any).requestAnimationFrame(frame)));
    const result = await page.evaluate(() => {
      const g = globalThis as any;
      const doc = g.document;
      const handlers: string[] = [];
      for (const el of Array.from<any>(doc.querySelectorAll('*'))) {
        for (const a of Array.from<any>(el.attributes))
          if (/^on/i.test(a.name)) handlers.push(`${el.tagName}[${a.name}]`);
      }
      const charts = Array.from<any>(doc.querySelectorAll('svg.marks')).map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = Array.from<any>(svg.querySelectorAll('.role-mark path, .role-mark rect, .role-mark text'));
        const drawn = marks.filter((m) => {
          const b = m.getBBox();
          return b.width > 0 && b.height > 0;
        });
        return { width: box.width as number, height: box.height as number, marks: marks.length, drawn: drawn.length };
      });
      return {
        pwned: (g.__pwned ?? null) as unknown,
        scripts: doc.querySelectorAll('script').length as number,
        images: doc.querySelectorAll('img, iframe, object, embed').length as number,
        scriptLinks: Array.from<any>(doc.querySelectorAll('a')).filter((a) =>
          /^\s*javascript:/i.test(a.getAttribute('href') ?? ''),
        ).length,
        handlers,
        charts,
        text: doc.body.innerText as string,
      };
    });
    /* eslint-enable @typescript-eslint/no-explicit-any */

    expect(dialogs).toEqual([]);
    expect(result.pwned).toBeNull();
    expect(result.scripts).toBe(0);
    expect(result.images).toBe(0);
    expect(result.scriptLinks).toBe(0);
    expect(result.handlers).toEqual([]);
    expect(requests).toEqual([]);
    // The hostile name is on the page as text, right-to-left part and emoji included.
    expect(result.text).toContain('<script>window.__pwned=1;alert(1)</script>');
    expect(result.text).toContain(HOSTILE_NAME.split(' \u202E')[0]!.split('</script> ')[1]!);
    expect(result.text).toContain('<svg onload=window.__pwned=3>');

    expect(result.charts).toHaveLength(2);
    for (const c of result.charts) {
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(50);
      expect(c.marks).toBeGreaterThan(0);
      expect(c.drawn).toBeGreaterThan(0);
    }
    await page.close();
  }, 60_000);
});
