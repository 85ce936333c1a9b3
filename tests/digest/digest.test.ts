// Golden tests over a simulated fortnight (2026-W46, 2026-W47): the digest's numbers are recomputed here straight
// from the snapshot files on disk and from the simulated universe itself, and must match exactly.
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS, type Platform } from '../../src/model.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { readSnapshot, writeSnapshot } from '../../src/snapshot/files.js';
import type { Snapshot, View } from '../../src/snapshot/types.js';
import { buildDigest } from '../../src/digest/build.js';
import { parseIsoWeek } from '../../src/digest/isoweek.js';
import { renderMarkdown } from '../../src/digest/markdown.js';
import { renderHtml } from '../../src/digest/html.js';
import { exportDigests, writeDigest } from '../../src/digest/files.js';
import { buildServer } from '../../src/feed/server.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import type { Digest } from '../../src/digest/types.js';
import {
  HOSTILE_NAME,
  INCOMPLETE_DAY,
  MISSING_DAY,
  MISSING_SUNDAY,
  NOW,
  W46,
  W47,
  figures,
  setupFortnight,
  type Fortnight,
} from './fixtures.js';

let root: string;
let store: Store;
let fx: Fortnight;
let d47: Digest;

async function readWeek(dataDir: string, week: string): Promise<Array<Snapshot | null>> {
  return Promise.all(parseIsoWeek(week).days.map((d) => readSnapshot(dataDir, d)));
}

/** Σ of the daily newReleases totals, straight from the files. */
function sumReleases(snaps: Array<Snapshot | null>, platform: Platform | 'combined', view: View = 'publisher'): number {
  let n = 0;
  for (const s of snaps) {
    if (!s) continue;
    const vs = s.metrics.newReleases.scopes.all[view];
    n += (platform === 'combined' ? vs.combined : vs.platforms[platform])?.total ?? 0;
  }
  return n;
}

function sumReleasesByCountry(snaps: Array<Snapshot | null>, view: View): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of snaps)
    for (const e of s?.metrics.newReleases.scopes.all[view].combined?.shares ?? [])
      m.set(e.country, (m.get(e.country) ?? 0) + e.value);
  return m;
}

function releasedIn(week: string) {
  const w = parseIsoWeek(week);
  return fx.world.models.filter((m) => m.releasedDay >= w.start && m.releasedDay <= w.end);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hubwatch-digest-'));
  store = await openStore({ dataDir: join(root, 'store'), databaseUrl: null });
  fx = await setupFortnight(store, root, writeSnapshot);
  d47 = await buildDigest({ store, dataDir: fx.dirs.full, week: W47, now: NOW });
}, 120_000);

afterAll(async () => {
  await store?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('digest numbers against the stored snapshots', () => {
  it('counts weekly new releases as the sum of the daily snapshots, per platform and combined', async () => {
    const cur = await readWeek(fx.dirs.full, W47);
    const prev = await readWeek(fx.dirs.full, W46);
    for (const p of PLATFORMS) {
      const c = d47.headlines.newReleases.platforms[p];
      expect(c.thisWeek, p).toBe(sumReleases(cur, p));
      expect(c.previousWeek, p).toBe(sumReleases(prev, p));
      expect(c.change).toBe(sumReleases(cur, p) - sumReleases(prev, p));
      expect(c.complete).toBe(true);
      // And against the universe itself, independently of how the snapshots were aggregated.
      expect(c.thisWeek).toBe(releasedIn(W47).filter((m) => m.record.platform === p).length);
      expect(c.previousWeek).toBe(releasedIn(W46).filter((m) => m.record.platform === p).length);
    }
    const all = d47.headlines.newReleases.combined;
    expect(all.thisWeek).toBe(releasedIn(W47).length);
    expect(all.previousWeek).toBe(releasedIn(W46).length);
    expect(all.change).toBe(releasedIn(W47).length - releasedIn(W46).length);
    expect(all.changePct).toBeCloseTo(
      ((releasedIn(W47).length - releasedIn(W46).length) / releasedIn(W46).length) * 100,
      10,
    );
    expect(all.thisWeek).toBeGreaterThan(150);
  });

  it('splits new releases by country in both views, with week-over-week changes', async () => {
    const cur = await readWeek(fx.dirs.full, W47);
    const prev = await readWeek(fx.dirs.full, W46);
    for (const view of ['publisher', 'origin'] as const) {
      const got = d47.headlines.newReleases.byCountry[view];
      const c = sumReleasesByCountry(cur, view);
      const p = sumReleasesByCountry(prev, view);
      expect(got.total).toBe([...c.values()].reduce((a, b) => a + b, 0));
      expect(got.previousTotal).toBe([...p.values()].reduce((a, b) => a + b, 0));
      expect(new Set(got.rows.map((r) => r.country))).toEqual(new Set([...c.keys(), ...p.keys()]));
      for (const r of got.rows) {
        expect(r.thisWeek, `${view} ${r.country}`).toBe(c.get(r.country) ?? 0);
        expect(r.previousWeek).toBe(p.get(r.country) ?? 0);
        expect(r.change).toBe(r.thisWeek - r.previousWeek);
        expect(r.share).toBeCloseTo(r.thisWeek / got.total, 12);
        expect(r.deltaPp).toBeCloseTo((r.thisWeek / got.total - r.previousWeek / got.previousTotal) * 100, 10);
        const truth = releasedIn(W47).filter((m) => m.record[view].country === r.country).length;
        expect(r.thisWeek).toBe(truth);
      }
      // Sorted by this week's count.
      for (let i = 1; i < got.rows.length; i++)
        expect(got.rows[i - 1]!.thisWeek).toBeGreaterThanOrEqual(got.rows[i]!.thisWeek);
      expect(got.rows.length).toBeGreaterThan(10);
    }
    // The per-platform split adds up to the combined one.
    const hf = d47.headlines.newReleases.byPlatformCountry.origin.huggingface!;
    expect(hf.total).toBe(d47.headlines.newReleases.platforms.huggingface.thisWeek);
  });

  it("compares 30-day download and derivative shares at the week's last snapshot against the previous week's", async () => {
    const sun = (await readSnapshot(fx.dirs.full, '2026-11-22'))!;
    const prevSun = (await readSnapshot(fx.dirs.full, '2026-11-15'))!;
    for (const metric of ['downloads30d', 'derivatives'] as const) {
      const cmp = d47.headlines[metric];
      expect(cmp.asOf).toBe('2026-11-22');
      expect(cmp.previousAsOf).toBe('2026-11-15');
      expect(cmp.asOfIsWeekEnd && cmp.previousAsOfIsWeekEnd).toBe(true);
      for (const view of ['publisher', 'origin'] as const) {
        const list = sun.metrics[metric].scopes.all[view].combined!;
        const plist = prevSun.metrics[metric].scopes.all[view].combined!;
        const v = cmp.views[view]!;
        expect(v.total).toBe(list.total);
        expect(v.previousTotal).toBe(plist.total);
        expect(v.rows.filter((r) => r.value > 0).length).toBe(list.shares.length);
        for (const e of list.shares) {
          const row = v.rows.find((r) => r.country === e.country)!;
          const pe = plist.shares.find((x) => x.country === e.country);
          expect(row.share).toBe(e.share);
          expect(row.previousShare).toBe(pe?.share ?? 0);
          expect(row.deltaPp).toBe((e.share - (pe?.share ?? 0)) * 100);
          expect(row.change).toBe(e.value - (pe?.value ?? 0));
        }
      }
    }
    // HF gives the only 30-day figure here, and the digest says which platforms make up the combined list.
    expect(d47.headlines.downloads30d.views.origin!.combinedPlatforms).toEqual(['huggingface']);
    expect(d47.headlines.downloads30d.window.modelscope).toMatch(/unavailable/);
    // Net new derivatives over the week equal the derivatives released in it (nothing was deleted).
    const netNew = d47.headlines.derivatives.views.origin!.rows.reduce((a, r) => a + (r.change ?? 0), 0);
    expect(netNew).toBe(releasedIn(W47).filter((m) => m.record.lineage.relation !== 'base').length);
  });

  it('gives the licence mix of new base models from the store and of all releases from the snapshots', async () => {
    const bases = releasedIn(W47).filter((m) => m.record.lineage.relation === 'base');
    const mix = d47.headlines.licenseMix.newBaseModels;
    expect(mix.total).toBe(bases.length);
    for (const r of mix.rows) {
      expect(r.models, r.licenseClass).toBe(bases.filter((m) => m.record.license.class === r.licenseClass).length);
      expect(r.share).toBeCloseTo(r.models / bases.length, 12);
    }
    const cur = await readWeek(fx.dirs.full, W47);
    const all = d47.headlines.licenseMix.allNewReleases;
    for (const r of all.rows) {
      const fromFiles = cur.reduce(
        (a, s) => a + (s?.licenses.byClass.find((x) => x.key === r.licenseClass)?.newReleases ?? 0),
        0,
      );
      expect(r.models).toBe(fromFiles);
    }
    expect(all.total).toBe(releasedIn(W47).length);
  });

  it('ranks notable base releases from known organisations by first-week downloads, grouped by kind', () => {
    const expected = releasedIn(W47).filter(
      (m) => m.record.lineage.relation === 'base' && m.record.publisher.org !== null,
    );
    expect(d47.notable.total).toBe(expected.length);
    expect(d47.notable.groups.reduce((a, g) => a + g.count, 0)).toBe(expected.length);
    for (const g of d47.notable.groups) {
      expect(g.items.length).toBe(Math.min(g.count, 10));
      for (const it of g.items) {
        expect(it.kind).toBe(g.kind);
        const m = expected.find((x) => x.record.key === it.key)!;
        expect(m, it.key).toBeDefined();
        // Created in the week: its count began at zero, so first-week downloads are the count at the week's end.
        if (m !== fx.late) {
          expect(it.firstWeekBasis).toBe('all-time-since-creation');
          expect(it.firstWeekDownloads).toBe(figures(m, '2026-11-22', '2026-11-21').downloadsAllTime);
        }
        expect(it.likes).toBe(figures(m, '2026-11-22', '2026-11-21').likes);
        expect(it.params).toBe(m.record.params);
        expect(it.org).toBe(m.record.publisher.org);
      }
      for (let i = 1; i < g.items.length; i++) {
        expect(g.items[i - 1]!.firstWeekDownloads!).toBeGreaterThanOrEqual(g.items[i]!.firstWeekDownloads!);
      }
    }
    // Stats stop at the week's Sunday here, so the records' stats are the week-end figures.
    expect(
      new Set(
        d47.notable.groups.flatMap((g) =>
          g.items.filter((i) => i.key !== fx.late.record.key).map((i) => i.firstWeekSource),
        ),
      ),
    ).toEqual(new Set(['record']));
    // Kinds in registry order: big tech first.
    expect(d47.notable.groups[0]!.kind).toBe('big_tech');
    const startups = d47.notable.groups.find((g) => g.kind === 'ai_startup')!;
    expect(startups.items[0]!.name).toBe(HOSTILE_NAME);
    expect(startups.items[0]!.firstWeekDownloads).toBe(6_000_000);
    // Made public late: old createdAt, first seen on Wednesday; only the downloads since then count.
    const late = d47.notable.groups.flatMap((g) => g.items).find((i) => i.key === fx.late.record.key);
    const bigTech = d47.notable.groups.find((g) => g.kind === 'big_tech')!;
    if (late) {
      expect(late.firstWeekBasis).toBe('all-time-since-first-seen');
      expect(late.firstWeekDownloads).toBe(700 * 4);
      expect(late.releasedAt).toBe('2026-11-18T08:00:00.000Z');
    } else {
      expect(bigTech.count).toBeGreaterThan(10); // ranked below the top ten shown
    }
  });

  it('reads first-week downloads from the stats history once later stats days are stored', async () => {
    const d46 = await buildDigest({ store, dataDir: fx.dirs.full, week: W46, now: NOW });
    const expected = releasedIn(W46).filter(
      (m) => m.record.lineage.relation === 'base' && m.record.publisher.org !== null,
    );
    expect(d46.notable.total).toBe(expected.length);
    const items = d46.notable.groups.flatMap((g) => g.items);
    expect(items.length).toBeGreaterThan(10);
    for (const it of items) {
      const m = expected.find((x) => x.record.key === it.key)!;
      expect(it.firstWeekSource).toBe('history');
      expect(it.firstWeekEndDate).toBe('2026-11-15');
      expect(it.firstWeekDownloads).toBe(figures(m, '2026-11-15', '2026-11-14').downloadsAllTime);
      expect(it.likes).toBe(figures(m, '2026-11-15', '2026-11-14').likes);
    }
  });

  it('sums new derivatives per family per week over eight weeks, marking weeks without snapshots', async () => {
    expect(d47.families.weeks).toEqual([
      '2026-W40',
      '2026-W41',
      '2026-W42',
      '2026-W43',
      '2026-W44',
      '2026-W45',
      W46,
      W47,
    ]);
    const cur = await readWeek(fx.dirs.full, W47);
    const prev = await readWeek(fx.dirs.full, W46);
    const sum = (snaps: Array<Snapshot | null>, fam: string) =>
      snaps.reduce((a, s) => a + (s?.families.find((f) => f.family === fam)?.newDerivatives ?? 0), 0);
    expect(d47.families.rows.length).toBeGreaterThan(5);
    for (const r of d47.families.rows) {
      expect(r.thisWeek, r.family).toBe(sum(cur, r.family));
      expect(r.previousWeek).toBe(sum(prev, r.family));
      expect(r.change).toBe(r.thisWeek! - r.previousWeek!);
      expect(r.trend.map((t) => t.newDerivatives)).toEqual([
        null,
        null,
        null,
        null,
        null,
        null,
        r.previousWeek,
        r.thisWeek,
      ]);
      expect(r.trend.slice(0, 6).every((t) => !t.complete && t.missingDates === 7)).toBe(true);
      const truth = releasedIn(W47).filter(
        (m) => m.record.lineage.family === r.family && m.record.lineage.relation !== 'base',
      ).length;
      expect(r.thisWeek).toBe(truth);
    }
    expect(d47.method.trendWeeks[0]).toEqual({
      week: '2026-W40',
      missingDates: parseIsoWeek('2026-W40').days,
      asOf: null,
    });
  });

  it('draws both charts from the digest data', () => {
    const { countryShares, originSplit } = d47.charts;
    for (const c of [countryShares, originSplit]) {
      expect(c.svg.startsWith('<svg')).toBe(true);
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(50);
      expect(c.svg).toMatch(/role-mark/);
    }
    // Only the two weeks with snapshots have bars; the others are said to be empty.
    expect(new Set(countryShares.data.map((p) => p.week))).toEqual(new Set([W46, W47]));
    expect(countryShares.caption).toMatch(/No snapshot in 2026-W40, .*2026-W45: left empty/);
    const w47Shares = countryShares.data.filter((p) => p.week === W47).reduce((a, p) => a + Number(p.share), 0);
    expect(w47Shares).toBeCloseTo(1, 9);
    const rows = d47.headlines.newReleases.byCountry.origin.rows;
    expect(originSplit.data.reduce((a, p) => a + Number(p.releases), 0)).toBe(
      d47.headlines.newReleases.byCountry.origin.total,
    );
    expect(originSplit.data[0]).toEqual({ country: rows[0]!.country, releases: rows[0]!.thisWeek });
  });

  it('reports a complete week as complete, and the method footer carries coverage and windows', () => {
    expect(d47.status.thisWeek.missingDates).toEqual([]);
    expect(d47.status.complete).toBe(true);
    expect(d47.method.coverage.map((c) => c.daysWithSnapshot)).toEqual([7, 7, 7]);
    expect(d47.method.coverage.find((c) => c.platform === 'huggingface')!.downloads30dSource).toBe('platform');
    expect(d47.method.windows.huggingface).toMatch(/30 days/);
  });

  it('is rebuilt byte for byte from the same inputs', async () => {
    const again = await buildDigest({ store, dataDir: fx.dirs.full, week: W47, now: NOW });
    expect(JSON.stringify(again)).toBe(JSON.stringify(d47));
  });
});

describe('weeks with missing or incomplete snapshots', () => {
  it('says which day is missing and does not fill it in', async () => {
    const d = await buildDigest({ store, dataDir: fx.dirs.gaps, week: W47, now: NOW });
    expect(d.status.thisWeek.missingDates).toEqual([MISSING_DAY]);
    expect(d.status.complete).toBe(false);
    const cur = await readWeek(fx.dirs.gaps, W47);
    expect(cur.filter((s) => s === null)).toHaveLength(1);
    const c = d.headlines.newReleases.combined;
    expect(c.complete).toBe(false);
    expect(c.previousComplete).toBe(true);
    expect(c.missingDates).toEqual([MISSING_DAY]);
    // The six days there are, exactly: less than the full week by what the missing day held.
    const missingDayCount = fx.world.models.filter((m) => m.releasedDay === MISSING_DAY).length;
    expect(c.thisWeek).toBe(sumReleases(cur, 'combined'));
    expect(c.thisWeek).toBe(d47.headlines.newReleases.combined.thisWeek! - missingDayCount);
    for (const p of PLATFORMS) expect(d.headlines.newReleases.platforms[p].complete).toBe(false);
    expect(d.status.warnings.join('\n')).toContain(`missing the snapshot for ${MISSING_DAY}`);
    const md = renderMarkdown(d);
    const html = renderHtml(d);
    for (const out of [md, html]) {
      expect(out).toContain(MISSING_DAY);
      expect(out).toMatch(/no snapshot for 2026-11-19/);
      expect(out).toContain('†');
    }
    // The previous week is whole, and the previous digest says so.
    const d46 = await buildDigest({ store, dataDir: fx.dirs.gaps, week: W46, now: NOW });
    expect(d46.status.thisWeek.missingDates).toEqual([]);
  });

  it('takes shares from the latest day present when Sunday is missing, and flags an unfinished sweep', async () => {
    const d = await buildDigest({ store, dataDir: fx.dirs.sundayless, week: W47, now: NOW });
    expect(d.status.thisWeek.missingDates).toEqual([MISSING_SUNDAY]);
    expect(d.headlines.downloads30d.asOf).toBe('2026-11-21');
    expect(d.headlines.downloads30d.asOfIsWeekEnd).toBe(false);
    const sat = (await readSnapshot(fx.dirs.sundayless, '2026-11-21'))!;
    expect(d.headlines.downloads30d.views.origin!.total).toBe(
      sat.metrics.downloads30d.scopes.all.origin.combined!.total,
    );
    expect(d.method.incomplete.join('\n')).toContain('no snapshot for 2026-11-22; shares are as of 2026-11-21');
    const wm = d.method.coverage.find((c) => c.platform === 'wisemodel')!;
    expect(wm.incompleteDates).toEqual([INCOMPLETE_DAY]);
    expect(wm.notes).toEqual([`${INCOMPLETE_DAY}: page 7 kept failing (HTTP 503)`]);
    expect(d.status.thisWeek.days.find((x) => x.date === INCOMPLETE_DAY)!.incomplete).toEqual([
      { platform: 'wisemodel', reasons: ['sweep incomplete'] },
    ]);
    expect(d.headlines.newReleases.platforms.wisemodel.complete).toBe(false);
    expect(renderMarkdown(d)).toContain('page 7 kept failing \\(HTTP 503\\)');
  });

  it('gives no figure, not zero, for a week without any snapshot', async () => {
    const d = await buildDigest({ store, dataDir: fx.dirs.full, week: '2026-W45', now: NOW });
    expect(d.headlines.newReleases.combined.thisWeek).toBeNull();
    expect(d.headlines.newReleases.combined.change).toBeNull();
    expect(d.headlines.downloads30d.asOf).toBeNull();
    expect(d.status.warnings[0]).toBe('2026-W45 has no snapshots at all: its figures are absent, not zero.');
    expect(renderMarkdown(d)).toMatch(/\| Hugging Face \| – † \| – † \| – \|/);
  });
});

describe('rendering', () => {
  it('matches the golden Markdown', () => {
    const md = renderMarkdown(d47);
    const golden = join(import.meta.dirname, 'golden', `${W47}.md`);
    // Regenerate on purpose only (UPDATE_GOLDEN=1), and review the diff: a missing golden file is a failure.
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(join(import.meta.dirname, 'golden'), { recursive: true });
      writeFileSync(golden, md);
    }
    expect(existsSync(golden), `${golden} is missing; run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(md).toBe(readFileSync(golden, 'utf8'));
  });

  it('shows hostile platform strings as text in Markdown', () => {
    const md = renderMarkdown(d47);
    expect(md).not.toMatch(/<script|<img|<svg|javascript:/i);
    expect(md).toContain('&lt;script&gt;window\\.\\_\\_pwned=1;alert\\(1\\)&lt;/script&gt;');
    expect(md).toContain('مرحبا بالعالم 🚀🔥');
    // The bidi override is removed and the name is isolated so it cannot reorder the row.
    expect(md).not.toContain('\u202E');
    expect(md).toContain('\u2068evil\\-labs/&lt;script&gt;');
    expect(md).toContain(
      '&lt;img src=x onerror=&quot;window\\.\\_\\_pwned=2&quot;&gt;Evil\\|Labs \\*bold\\* \\[x\\]\\(javascript\\:alert\\(1\\)\\)',
    );
    // The javascript: URL is not linked: the name appears as plain text right before the platform label.
    expect(md).toMatch(/gnp\\\.exe\u2069 \(Hugging Face\)/);
    expect(md).toContain('&lt;svg onload=window\\.\\_\\_pwned=3&gt;');
  });

  it('shows hostile platform strings as text in HTML, with no script, handler or script URL', () => {
    const html = renderHtml(d47);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;');
    expect(html).toContain('<bdi>&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;Evil|Labs');
    expect(html).toContain('&lt;svg onload=window.__pwned=3&gt;');
    expect(html).toContain('مرحبا بالعالم 🚀🔥');
    expect(html).not.toContain('\u202E');
    // Stands alone: inline styles, no style sheets or external resources, both charts inline.
    expect(html).not.toMatch(/<style|<link|<iframe|src=["']?https?:/i);
    expect(html.match(/<svg\b/g)).toHaveLength(2);
  });

  it('caps long platform strings', async () => {
    const long = {
      ...d47,
      notable: {
        ...d47.notable,
        groups: d47.notable.groups.map((g) => ({
          ...g,
          items: g.items.map((i) => ({ ...i, name: 'x'.repeat(10_000), id: 'y'.repeat(10_000) })),
        })),
      },
    };
    const md = renderMarkdown(long);
    const html = renderHtml(long);
    expect(md).not.toContain('y'.repeat(121));
    expect(html).not.toContain('y'.repeat(121));
    expect(md).toContain(`${'y'.repeat(119)}…`);
  });
});

describe('files, HTTP routes and the static export', () => {
  it('writes json, md, html and svg atomically, serves them and a JSON Feed, and exports them', async () => {
    const dataDir = fx.dirs.full;
    const w46 = await writeDigest({ store, dataDir, now: NOW }, W46);
    const w47 = await writeDigest({ store, dataDir, now: NOW }, W47);
    expect(w47.paths.json).toBe(join(dataDir, 'digests', `${W47}.json`));
    expect(JSON.parse(readFileSync(w47.paths.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(d47)));
    expect(readFileSync(w47.paths.md, 'utf8')).toBe(renderMarkdown(d47));
    expect(readFileSync(w46.paths.html, 'utf8')).toBe(renderHtml(w46.digest));
    expect(readFileSync(w47.paths['country-shares.svg'], 'utf8')).toMatch(/^<svg/);

    const app = await buildServer({
      store,
      config: loadConfig({ HUBWATCH_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      logger: silentLogger,
      dataDir,
      publicUrl: 'https://hubwatch.example',
    });
    try {
      const feed = await app.inject({ method: 'GET', url: '/digests/feed.json' });
      expect(feed.statusCode).toBe(200);
      expect(feed.headers['content-type']).toBe('application/feed+json; charset=utf-8');
      const body = feed.json();
      expect(body.version).toBe('https://jsonfeed.org/version/1.1');
      expect(body.feed_url).toBe('https://hubwatch.example/digests/feed.json');
      expect(body.items.map((i: { id: string }) => i.id)).toEqual([`hubwatch:digest:${W47}`, `hubwatch:digest:${W46}`]);
      expect(body.items[0].url).toBe(`https://hubwatch.example/digests/${W47}.html`);
      expect(body.items[0].date_published).toBe('2026-11-23T00:00:00.000Z');
      expect(body.items[0].summary).toBe(d47.summary);
      expect(body.items[0]._hubwatch.newReleases).toBe(d47.headlines.newReleases.combined.thisWeek);

      const types = {
        md: 'text/markdown; charset=utf-8',
        html: 'text/html; charset=utf-8',
        json: 'application/json; charset=utf-8',
      };
      for (const [ext, type] of Object.entries(types)) {
        const res = await app.inject({ method: 'GET', url: `/digests/${W47}.${ext}` });
        expect(res.statusCode, ext).toBe(200);
        expect(res.headers['content-type']).toBe(type);
        expect(res.body).toBe(readFileSync(join(dataDir, 'digests', `${W47}.${ext}`), 'utf8'));
      }
      const html = await app.inject({ method: 'GET', url: `/digests/${W47}.html` });
      expect(html.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(html.headers['x-content-type-options']).toBe('nosniff');
      // Reads like every other answer: an ETag, and 304 when it is sent back.
      expect(html.headers.etag).toMatch(/^"/);
      const again = await app.inject({
        method: 'GET',
        url: `/digests/${W47}.html`,
        headers: { 'if-none-match': html.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
      expect(feed.headers.etag).toMatch(/^"/);
      const svg = await app.inject({ method: 'GET', url: `/digests/${W47}.country-shares.svg` });
      expect(svg.statusCode).toBe(200);
      expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');

      const missing = await app.inject({ method: 'GET', url: '/digests/2026-W40.md' });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/json/);
      expect(missing.json().message).toMatch(/No digest for 2026-W40/);
      // A bad parameter is a 400 in the API's error shape, naming it.
      for (const bad of ['2026-W99.html', '2026-48.json', 'banana.md', `${W47}.exe`, '2025-W53.md']) {
        const res = await app.inject({ method: 'GET', url: `/digests/${bad}` });
        expect(res.statusCode, bad).toBe(400);
        expect(res.json()).toMatchObject({ error: 'bad_request', parameter: 'file' });
      }
      expect((await app.inject({ method: 'GET', url: '/digests/2025-W53.md' })).json().message).toMatch(
        /Malformed week .*does not exist/,
      );
      expect((await app.inject({ method: 'GET', url: '/digests/feed.json?x=1' })).statusCode).toBe(400);
    } finally {
      await app.close();
    }

    const exported = await exportDigests(dataDir);
    const pub = join(dataDir, 'public', 'digests');
    for (const ext of ['json', 'md', 'html', 'country-shares.svg', 'origin-split.svg']) {
      expect(readFileSync(join(pub, `${W47}.${ext}`), 'utf8')).toBe(
        readFileSync(join(dataDir, 'digests', `${W47}.${ext}`), 'utf8'),
      );
    }
    const staticFeed = JSON.parse(readFileSync(join(pub, 'feed.json'), 'utf8'));
    expect(staticFeed.items.map((i: { url: string }) => i.url)).toEqual([`${W47}.html`, `${W46}.html`]);
    expect(exported.paths).toContain(join(pub, 'feed.json'));
    expect(exported.paths.at(-1)).toBe(join(pub, 'feed.json'));
  });
});
