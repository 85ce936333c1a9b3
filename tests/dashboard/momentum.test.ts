// Momentum on the dashboard over HTTP (fastify inject), from a latest snapshot whose momentum block the real builder
// made of four weeks of stored counts (momentum-fixtures.ts): each release's RAM and 7-day growth or the reason it
// has none, the order by either as a URL, the model page's figures, and the static export's copy of
// GET /api/v1/momentum.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDashboard } from '../../src/dashboard/export.js';
import { fmtGrowth, fmtRam } from '../../src/dashboard/format.js';
import { exportStatic } from '../../src/feed/export.js';
import type { MomentumBlock, MomentumEntry } from '../../src/snapshot/types.js';
import { addDays } from '../../src/time.js';
import { testConfig } from '../feed/fixtures.js';
import { MOMENTUM_KEYS } from './momentum-fixtures.js';
import { dashWorld, expectInert, modelPath, type DashWorld } from './setup.js';

let w: DashWorld;
let block: MomentumBlock;
let latest: string;

beforeAll(async () => {
  w = await dashWorld(30, { momentum: true });
  block = w.momentum!;
  latest = w.dates[w.dates.length - 1]!;
}, 120_000);
afterAll(async () => {
  await w?.close();
});

const entry = (metric: 'ram' | 'growth7d', key: string): MomentumEntry | undefined =>
  block.scopes.all[metric].find((e) => e.key === key);

const idOf = (key: string): string => key.slice(key.indexOf(':') + 1);

const unescape = (s: string): string =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

interface Row {
  id: string;
  platform: string;
  ram: string;
  growth: string;
}

/** The releases table's rows as text: model id, platform, and the RAM and 7-day growth cells. */
function releaseRows(body: string): Row[] {
  const tbody = body.slice(body.indexOf('<tbody>'), body.indexOf('</tbody>'));
  return [...tbody.matchAll(/<tr>(.*?)<\/tr>/g)].map((tr) => {
    const cells = [...tr[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => unescape(c[1]!));
    return { id: cells[0]!, platform: cells[1]!, ram: cells[2]!, growth: cells[3]! };
  });
}

const rowOf = (rows: Row[], key: string): Row => {
  const row = rows.find((r) => r.id === idOf(key));
  expect(row, key).toBeDefined();
  return row!;
};

describe('momentum on the releases page', () => {
  it('the snapshot the page reads has the figures this test expects (the real builder on the fixture history)', () => {
    expect(block.method.history.from).toBe(addDays(latest, -28));
    expect(block.method.history.growthDates).toEqual({ d7: addDays(latest, -7), d28: addDays(latest, -28) });
    expect(entry('ram', MOMENTUM_KEYS.rocket)?.value).toBeCloseTo(6000 / 900, 9);
    expect(entry('ram', MOMENTUM_KEYS.steady)?.value).toBeCloseTo(1, 9);
    expect(entry('growth7d', MOMENTUM_KEYS.late)?.value).toBeCloseTo(6, 9);
    for (const key of [MOMENTUM_KEYS.late, MOMENTUM_KEYS.quiet, MOMENTUM_KEYS.mystery, MOMENTUM_KEYS.modelscope])
      expect(entry('ram', key), key).toBeUndefined();
    // Both lists are shorter than their limit: a release missing from one has no figure at all.
    expect(block.scopes.all.ram.length).toBeLessThan(block.top);
    expect(block.scopes.all.growth7d.length).toBeLessThan(block.top);
  });

  it("shows each release's RAM and 7-day growth from the snapshot, and a marker saying why where it has none", async () => {
    const r = await w.app.inject('/releases');
    expect(r.statusCode).toBe(200);
    expectInert(r.body);
    expect(r.body).not.toContain('not yet available');
    expect(r.body).not.toContain('has no momentum figures');
    const rows = releaseRows(r.body);
    expect(rowOf(rows, MOMENTUM_KEYS.rocket).ram).toBe(`${fmtRam(entry('ram', MOMENTUM_KEYS.rocket)!.value)} 10-29B`);
    expect(rowOf(rows, MOMENTUM_KEYS.steady).ram).toBe('1.00 10-29B');
    expect(rowOf(rows, MOMENTUM_KEYS.late).growth).toBe('+600%');
    const from = addDays(latest, -28);
    expect(rowOf(rows, MOMENTUM_KEYS.late).ram).toBe(
      `not enough history created ${addDays(latest, -200)}, before the history (from ${from})`,
    );
    expect(rowOf(rows, MOMENTUM_KEYS.quiet).growth).toBe(
      `not enough history no count on ${from} or ${addDays(latest, -7)}, or a 3-week mean under 100`,
    );
    expect(rowOf(rows, MOMENTUM_KEYS.rocket).growth).toBe(
      `not enough history created ${addDays(latest, -3)}, after ${from} (4 weeks back)`,
    );
    expect(rowOf(rows, MOMENTUM_KEYS.mystery).ram).toBe('no figure no size in its record or name');
    expect(rowOf(rows, MOMENTUM_KEYS.modelscope).ram).toBe(
      'not enough history no cut-off for 10-29B on ModelScope at 1 day',
    );
    // Every release has a figure or a marker in both columns, never an empty cell.
    for (const row of rows)
      for (const cell of [row.ram, row.growth])
        expect(cell, row.id).toMatch(
          /^(?:[\d.]+ \S+|[+−±]\d+%|not enough history .+|no figure .+|not in the top 20 .+)$/,
        );

    // Picture, then table, then the method line, in one figure.
    const fig = r.body.slice(r.body.indexOf('id="releases-momentum"'));
    const [svg, table, method] = ['<svg', '<table', 'class="method"'].map((s) => fig.indexOf(s)) as [
      number,
      number,
      number,
    ];
    expect(svg).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(svg);
    expect(method).toBeGreaterThan(table);
    const picture = fig.slice(svg, fig.indexOf('</svg>'));
    expect(picture).toContain('<title id="momentum-bars-t">RAM of the releases listed</title>');
    // Bars for the two releases with a RAM, largest first, named and valued in words; the line at RAM 1 named too.
    const names = [...picture.matchAll(/text-anchor="end" font-size="12"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(names).toEqual([idOf(MOMENTUM_KEYS.rocket), idOf(MOMENTUM_KEYS.steady)]);
    expect(picture).toMatch(/>6\.67<\/text>/);
    expect(picture).toContain('RAM 1: the 10th of its size class');
    expect(picture).toMatch(/<g class="legend">.*>10-29B<\/text>/);
    const line = unescape(fig.slice(method, fig.indexOf('</figcaption>')));
    expect(line).toContain("a model's cumulative downloads on the day ÷ the cut-off of its size class at the same age");
    expect(line).toContain('the 10th-largest cumulative downloads at that age');
    expect(line).toContain(`created inside the stored history (from ${from})`);
    expect(line).toContain('Size classes <1B, 1-9B, 10-29B, 30-99B, 100-249B, 250B+');
    expect(line).toContain(
      'downloads of the last 7 days ÷ the mean weekly downloads of the 3 weeks before, minus 1, only where that mean is at least 100',
    );
    expect(line).toContain(`from the snapshot of ${latest}, which keeps the 20 largest of each`);
    expect(fig).toContain('href="/api/v1/momentum"');
  });

  it('orders by RAM or 7-day growth from links whose URL carries the order and keeps the filters', async () => {
    const plain = await w.app.inject('/releases');
    expect(plain.body).toMatch(/<a href="\/releases" aria-current="true" data-swap>30-day downloads<\/a>/);
    expect(plain.body).toContain('<a href="/releases?order=ram" data-swap>RAM</a>');
    expect(plain.body).toContain('<a href="/releases?order=growth7d" data-swap>7-day growth</a>');
    const byDownloads = releaseRows(plain.body).map((r) => r.id);

    const byRam = await w.app.inject('/releases?order=ram');
    expect(byRam.statusCode).toBe(200);
    expect(byRam.body).toMatch(/<a href="\/releases\?order=ram" aria-current="true" data-swap>RAM<\/a>/);
    expect(byRam.body).toContain('largest RAM first, then the rest by 30-day downloads');
    const ramIds = releaseRows(byRam.body).map((r) => r.id);
    // The two releases with a RAM, largest first, then the rest in the default order.
    const withRam = [idOf(MOMENTUM_KEYS.rocket), idOf(MOMENTUM_KEYS.steady)];
    expect(ramIds.slice(0, 2)).toEqual(withRam);
    expect(ramIds.slice(2)).toEqual(byDownloads.filter((id) => !withRam.includes(id)));

    const byGrowth = await w.app.inject('/releases?order=growth7d');
    expect(releaseRows(byGrowth.body)[0]!.id).toBe(idOf(MOMENTUM_KEYS.late));
    expect(byGrowth.body).toContain('<title id="momentum-bars-t">7-day growth of the releases listed</title>');

    // The default order has one URL; a filter keeps the order and the order keeps the filter.
    expect((await w.app.inject('/releases?order=downloads')).body).toBe(plain.body);
    const filtered = await w.app.inject('/releases?platform=huggingface&order=ram');
    expect(filtered.statusCode).toBe(200);
    expect(filtered.body).toContain('<input type="hidden" name="order" value="ram">');
    expect(filtered.body).toContain('<a href="/releases?platform=huggingface" data-swap>30-day downloads</a>');
    const hf = releaseRows(filtered.body);
    expect(hf[0]!.id).toBe(idOf(MOMENTUM_KEYS.rocket));
    for (const row of hf) expect(row.platform).toMatch(/^Hugging Face/);

    for (const url of ['/releases?order=likes', '/releases?order=ram&order=growth7d']) {
      const bad = await w.app.inject(url);
      expect(bad.statusCode, url).toBe(400);
      expect(bad.body).toContain('Bad parameter order');
    }
  });
});

describe('momentum on the model page', () => {
  it("shows a model's figures when the snapshot has them, and nothing when it has none", async () => {
    const rocket = await w.app.inject(modelPath(MOMENTUM_KEYS.rocket));
    expect(rocket.statusCode).toBe(200);
    expectInert(rocket.body);
    const fig = rocket.body.slice(rocket.body.indexOf('id="momentum"'));
    expect(fig).toContain(`<h2 id="momentum-h">Momentum on ${latest}</h2>`);
    const [svg, table, method] = ['<svg', '<table', 'class="method"'].map((s) => fig.indexOf(s)) as [
      number,
      number,
      number,
    ];
    expect(svg).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(svg);
    expect(method).toBeGreaterThan(table);
    const text = unescape(fig);
    expect(text).toContain(
      'RAM among all models6.676,000 downloads since creation ÷ 900, the cut-off of base models of 10-29B on Hugging Face at 3 days1 of 20',
    );
    expect(text).toContain('RAM among language models6.67');
    expect(text).not.toContain('7-day growth+');
    expect(fig).toContain('<title id="mom-ram-t">RAM</title>');

    const late = unescape((await w.app.inject(modelPath(MOMENTUM_KEYS.late))).body);
    expect(late).toContain(
      `7-day growth${fmtGrowth(6)}2,800 downloads in the last 7 days against 400 a week in the 3 weeks before1 of 20`,
    );
    expect(late).not.toContain('RAM among');

    const mystery = await w.app.inject(modelPath(MOMENTUM_KEYS.mystery));
    expect(mystery.statusCode).toBe(200);
    expect(mystery.body).not.toContain('id="momentum"');
  });
});

describe('static export of momentum', () => {
  it('writes GET /api/v1/momentum as momentum.json, and the releases in every order, linked by file name', async () => {
    const feedFiles = await exportStatic({ store: w.store, config: testConfig(w.dir), dataDir: w.dir, pages: 1 });
    const files = await exportDashboard({ store: w.store, dataDir: w.dir, orgs: 3 });
    const pub = join(w.dir, 'public');
    expect(feedFiles).toContain(join(pub, 'momentum.json'));
    const route = await w.app.inject('/api/v1/momentum');
    expect(route.statusCode).toBe(200);
    const file = await readFile(join(pub, 'momentum.json'), 'utf8');
    expect(file).toBe(route.body);
    expect(JSON.parse(file)).toMatchObject({ date: latest, scope: 'all', metric: 'ram' });

    const rel = files.map((f) => f.slice(pub.length + 1));
    for (const name of ['releases.html', 'releases-by-ram.html', 'releases-by-growth7d.html'])
      expect(rel).toContain(name);
    expect(rel).toContain('releases-modelscope-by-ram.html');
    const names = new Set([...(await readdir(pub, { recursive: true }))].map(String));
    for (const page of ['releases.html', 'releases-huggingface-by-ram.html']) {
      const html = await readFile(join(pub, page), 'utf8');
      expect(html, page).toContain('href="momentum.json"');
      for (const m of html.matchAll(/(?:href|src)="([^"#:]+)"/g))
        expect(names, `${page} → ${m[1]}`).toContain(m[1]!.replace(/&amp;/g, '&'));
    }
    const releases = await readFile(join(pub, 'releases.html'), 'utf8');
    expect(releases).toContain('href="releases-by-ram.html"');
    const byRam = await readFile(join(pub, 'releases-by-ram.html'), 'utf8');
    expect(releaseRows(byRam)[0]!.id).toBe(idOf(MOMENTUM_KEYS.rocket));
    // The platform links keep the order.
    expect(byRam).toContain('href="releases-huggingface-by-ram.html"');
  }, 60_000);
});
