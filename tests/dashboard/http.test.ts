// The dashboard over HTTP (fastify inject): states in the URL, strict parameters, CSP and escaping, embeddables,
// caching, the weight of the assets, and the static export.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDashboard } from '../../src/dashboard/export.js';
import { exportStatic } from '../../src/feed/export.js';
import { testConfig } from '../feed/fixtures.js';
import { countryName } from '../../src/normalise/countries.js';
import { spread } from '../../src/dashboard/svg.js';
import { HOSTILE_MODEL, HOSTILE_ORG } from './fixtures.js';
import { dashWorld, expectInert, modelPath, type DashWorld } from './setup.js';

let w: DashWorld;

beforeAll(async () => {
  w = await dashWorld(120);
}, 60_000);
afterAll(async () => {
  await w?.close();
});

describe('dashboard pages', () => {
  it('serves the overview at / with a strict CSP, the method line, the table and the data links', async () => {
    const r = await w.app.inject('/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expectInert(r.body);
    expect(r.body).toContain('<svg');
    expect(r.body).toContain('class="method"');
    expect(r.body).toMatch(/Missing days: 2 of 120/);
    expect(r.body).toContain('China');
    expect(r.body).toContain('unattributed');
    expect(r.body).toContain(
      '/api/v1/shares.csv?metric=downloads30d&amp;view=origin&amp;scope=all&amp;platform=combined',
    );
    expect(r.body).toContain('/chart/shares.svg?');
    expect(r.body).toContain('aria-current="true"');
  });

  it('takes its state from the URL and refuses what it does not know', async () => {
    const a = await w.app.inject('/');
    const b = await w.app.inject('/?metric=likes&platform=modelscope&view=publisher&scope=llm');
    expect(b.statusCode).toBe(200);
    expect(b.body).not.toBe(a.body);
    expect(b.body).toContain('Share of likes by country: language models (llm), ModelScope, publisher view');
    // The default state has one URL: `/`.
    expect(b.body).toContain('href="/?view=publisher&amp;scope=llm&amp;platform=modelscope"');
    for (const [url, param] of [
      ['/?metric=bogus', 'metric'],
      ['/?colour=red', 'colour'],
      ['/?view=origin&view=publisher', 'view'],
      ['/races?view=x', 'view'],
      ['/releases?country=China', 'country'],
    ] as const) {
      const r = await w.app.inject(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain(`Bad parameter ${param}`);
      expectInert(r.body);
    }
  });

  it('answers 304 to a matching ETag and compresses', async () => {
    const r = await w.app.inject({ url: '/', headers: { 'accept-encoding': 'br' } });
    expect(r.headers['content-encoding']).toBe('br');
    const again = await w.app.inject({
      url: '/',
      headers: { 'accept-encoding': 'br', 'if-none-match': String(r.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('renders races, releases, organisation and model pages, escaping every platform string', async () => {
    for (const url of [
      '/races',
      '/races?view=publisher',
      '/releases',
      '/releases?platform=huggingface&license_class=permissive',
      '/org/Meta',
    ]) {
      const r = await w.app.inject(url);
      expect(r.statusCode, url).toBe(200);
      expectInert(r.body);
    }
    const releases = (await w.app.inject('/releases')).body;
    // The fixture snapshots predate momentum: the page says so and how to rebuild, and offers no order by it.
    expect(releases).toContain(
      `The snapshot of ${w.dates[w.dates.length - 1]} has no momentum figures: it was written before momentum existed.`,
    );
    expect(releases).not.toContain('order=ram');
    expect(releases).not.toContain('qwen-ft'); // fine-tunes and quantisations are not base releases
    expect(releases).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(releases).not.toContain('\u202E');
    const evil = w.records.find((r) => r.name === HOSTILE_MODEL)!;
    const page = await w.app.inject(modelPath(evil.key));
    expect(page.statusCode).toBe(200);
    expectInert(page.body);
    expect(page.body).not.toContain('<img src=x');
    const org = await w.app.inject(`/org/${encodeURIComponent(HOSTILE_ORG)}`);
    expect(org.statusCode).toBe(200);
    expectInert(org.body);
    expect(org.body).toContain('&lt;svg onload=window.__pwned=3&gt;Evil&quot;Labs');
    // The quantisation's page walks up its lineage to the root.
    const quant = w.records.find((r) => r.lineage.relation === 'quantized' && r.name === 'qwen-ft-GGUF')!;
    const q = (await w.app.inject(modelPath(quant.key))).body;
    expect(q).toContain('someone/qwen-ft');
    expect(q).toMatch(/— root/);
    expect((await w.app.inject('/model/huggingface/nobody/nothing')).statusCode).toBe(404);
    expect((await w.app.inject('/org/Nobody%20At%20All')).statusCode).toBe(404);
    expect((await w.app.inject('/model/nowhere/x/y')).statusCode).toBe(400);
  });

  it('shows licence classes by country on the Races page, with its state in the URL and its data', async () => {
    const r = await w.app.inject('/races');
    expect(r.statusCode).toBe(200);
    expectInert(r.body);
    expect(r.body).not.toContain('not in the daily snapshot yet');
    const fig = r.body.slice(r.body.indexOf('id="licences-by-country"'));
    expect(fig).toContain(
      'Licence classes within each country: 30-day downloads, all models, all platforms, origin view',
    );
    // One bar per country with its name, a legend naming each class beside its pattern, and shares in words.
    expect(fig).toMatch(/<text[^>]*>China<\/text>/);
    expect(fig).toMatch(/<text[^>]*>unattributed<\/text>/);
    expect(fig).toMatch(/<text[^>]*>other countries \(2\)<\/text>/);
    expect(fig).toContain('<pattern id="licc-p');
    expect(fig).toMatch(/<g class="legend">.*>permissive<\/text>/);
    expect(fig).toMatch(/<title>China: permissive 70%<\/title>/);
    // Its table: China's row, with the classes as columns.
    expect(fig).toMatch(
      /<th scope="row">China <span class="code">CN<\/span><\/th><td class="num">[\d,]+<\/td><td class="num">70\.0%<\/td>/,
    );
    expect(fig).toContain('href="/races/licences.csv"');
    expect(fig).toContain('href="/races/licences.json"');
    expect(fig).toContain('href="/races?lic_metric=newReleases#licences-by-country"');
    expect(fig).toMatch(/class="method">Share of each licence class within the country/);

    const other = await w.app.inject(
      '/races?view=publisher&lic_metric=newReleases&lic_scope=llm&lic_platform=modelscope',
    );
    expect(other.statusCode).toBe(200);
    expect(other.body).toContain(
      'Licence classes within each country: new releases, language models (llm), ModelScope, publisher view',
    );
    // The view control keeps the licence choice.
    expect(other.body).toContain('href="/races?lic_metric=newReleases&amp;lic_scope=llm&amp;lic_platform=modelscope"');
    for (const [url, param] of [
      ['/races?lic_metric=likes', 'lic_metric'],
      ['/races?lic_platform=github', 'lic_platform'],
      ['/races/licences.csv?view=origin', 'view'],
    ] as const) {
      const bad = await w.app.inject(url);
      expect(bad.statusCode, url).toBe(400);
      expect(bad.body).toContain(`Bad parameter ${param}`);
    }

    const csv = await w.app.inject('/races/licences.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('date,metric,scope,view,platform,country,countries,class,value,share');
    const last = w.dates[w.dates.length - 1]!;
    expect(lines.some((l) => l.startsWith(`${last},downloads30d,all,origin,combined,CN,1,permissive,`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${last},newReleases,llm,publisher,huggingface,other,2,`))).toBe(true);
    const json = JSON.parse((await w.app.inject('/races/licences.json')).body);
    expect(json.date).toBe(last);
    const cn = json.licenseByCountry.metrics.downloads30d.scopes.all.origin.combined.rows[0];
    expect(cn.country).toBe('CN');
    expect(cn.classes.reduce((t: number, c: { share: number }) => t + c.share, 0)).toBeCloseTo(1, 9);
  });

  it("counts a model's derivatives by relation on its page", async () => {
    const root = w.records[0]!;
    const page = (await w.app.inject(modelPath(root.key))).body;
    const der = page.slice(page.indexOf('id="der-h"'));
    expect(der).toContain('Models built directly on this one (1)');
    expect(der).toMatch(/<th scope="row">fine-tunes<\/th><td class="num">1<\/td>/);
    // The fine-tune and the quantisation of it both have this model as their root.
    expect(der).toMatch(/All descendants with this model as their lineage root, at any depth: <strong>2<\/strong>/);
    const ft = w.records.find((r) => r.name === 'qwen-ft')!;
    const ftPage = (await w.app.inject(modelPath(ft.key))).body;
    expect(ftPage).toMatch(/<th scope="row">quantisations<\/th><td class="num">1<\/td>/);
    expect(ftPage).toContain('counted at the lineage root');
    const quant = (await w.app.inject(modelPath(w.records.find((r) => r.name === 'qwen-ft-GGUF')!.key))).body;
    expect(quant).toContain('No tracked model names this one as its base.');
  });

  it('serves any chart as a standalone SVG and a README badge', async () => {
    const svg = await w.app.inject('/chart/shares.svg?metric=derivatives&scope=llm');
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg.body).toContain('Share of derivative models by country');
    expect(svg.body).toContain('Window:');
    expect(svg.body).not.toMatch(/<script|\son[a-z]+=/i);
    const badge = await w.app.inject('/badge/share.svg?country=CN&scope=llm');
    expect(badge.statusCode).toBe(200);
    expect(badge.body).toMatch(/CN share of LLM downloads: \d+%/);
    expect((await w.app.inject('/badge/share.svg?country=C1')).statusCode).toBe(400);
  });

  it('keeps script and style under 200 KB compressed, cached for a year by version', async () => {
    const page = (await w.app.inject('/')).body;
    let total = 0;
    for (const m of page.matchAll(/(?:href|src)="(\/dashboard\/assets\/[^"]+)"/g)) {
      const r = await w.app.inject({ url: m[1]!.replace(/&amp;/g, '&'), headers: { 'accept-encoding': 'br' } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['cache-control']).toContain('immutable');
      total += r.rawPayload.length;
    }
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(200 * 1024);
    expect(gzipSync(page).length).toBeLessThan(200 * 1024);
    expect(brotliCompressSync(page).length).toBeGreaterThan(0);
  });
});

describe('dashboard pieces', () => {
  it('names countries, with ZZ as unattributed', () => {
    expect(countryName('CN')).toBe('China');
    expect(countryName('ZZ')).toBe('unattributed');
  });
  it('spreads direct labels apart without reordering them', () => {
    const ys = spread([10, 11, 12, 100], 13, 0, 200);
    expect(ys[1]! - ys[0]!).toBeGreaterThanOrEqual(13);
    expect(ys[2]! - ys[1]!).toBeGreaterThanOrEqual(13);
    expect(ys[3]).toBe(100);
  });
});

describe('static export of the dashboard', () => {
  it('writes every overview state, its chart and data, and the other pages, linked by file name', async () => {
    const feedFiles = await exportStatic({ store: w.store, config: testConfig(w.dir), dataDir: w.dir, pages: 1 });
    const files = await exportDashboard({ store: w.store, dataDir: w.dir, orgs: 5 });
    const pub = join(w.dir, 'public');
    // The latest snapshot has no momentum block, so /api/v1/momentum answers 404 and there is no file of it.
    expect((await w.app.inject('/api/v1/momentum')).statusCode).toBe(404);
    expect(feedFiles).not.toContain(join(pub, 'momentum.json'));
    const rel = files.map((f) => f.slice(pub.length + 1));
    expect(rel).toContain('index.html');
    expect(rel).toContain('overview-likes.publisher.llm.wisemodel.html');
    expect(rel).toContain('charts/shares-downloads30d.origin.all.combined.svg');
    expect(rel).toContain('dashboard-data/shares-downloads30d.origin.all.combined.csv');
    expect(rel).toContain('races.html');
    expect(rel).toContain('releases-modelscope.html');
    expect(rel.some((f) => f.startsWith('org-'))).toBe(true);
    expect(rel.some((f) => f.startsWith('model-'))).toBe(true);
    expect(rel.some((f) => f.startsWith('badges/share-CN-'))).toBe(true);
    const index = await readFile(join(pub, 'index.html'), 'utf8');
    expect(index).toContain('http-equiv="Content-Security-Policy"');
    expect(index).toContain('href="overview-likes.origin.all.combined.html"');
    expect(index).toContain('src="assets/dashboard.js"');
    // Every local link in the index points at a file that exists.
    const names = new Set([...(await readdir(pub, { recursive: true }))].map(String));
    for (const m of index.matchAll(/(?:href|src)="([^"#:]+)"/g))
      expect(names, m[1]).toContain(m[1]!.replace(/&amp;/g, '&'));
    // Every licence choice on the Races page is its own file, and the page's links lead to files that exist.
    expect(rel).toContain('races-publisher-newReleases.llm.modelscope.html');
    expect(rel).toContain('dashboard-data/licences-by-country.csv');
    const races = await readFile(join(pub, 'races.html'), 'utf8');
    expect(races).toContain('href="races-origin-newReleases.all.combined.html#licences-by-country"');
    expect(races).toContain('href="dashboard-data/licences-by-country.json"');
    for (const m of races.matchAll(/(?:href|src)="([^"#:]+)(?:#[^"]*)?"/g))
      expect(names, m[1]).toContain(m[1]!.replace(/&amp;/g, '&'));
    expect(await readFile(join(pub, 'dashboard-data/licences-by-country.csv'), 'utf8')).toBe(
      (await w.app.inject('/races/licences.csv')).body,
    );
    const csv = await readFile(join(pub, 'dashboard-data/shares-downloads30d.origin.all.combined.csv'), 'utf8');
    expect(csv).toBe(
      (await w.app.inject('/api/v1/shares.csv?metric=downloads30d&view=origin&scope=all&platform=combined')).body,
    );
  }, 60_000);
});
