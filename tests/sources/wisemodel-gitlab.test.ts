// The WiseModel source against the simulator over real HTTP: the GitLab strategy (releases, catalogue, likes), the
// gateway's downloads where an operator configured them (and null, said why, where not), the token forms, the
// degraded source when only the app shell answers, and GitLab's pagination drifts. The gateway's downloads endpoint
// is the simulator's stand-in (src/sim/wisemodel-gateway.ts): no real one is known, so these tests configure it the
// way an operator would configure the real one, through `sources.wisemodel.gateway.downloads`.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/log.js';
import { startSim, type Sim, type SimFaults } from '../../src/sim/index.js';
import { WM_SIM_DOWNLOADS_PATH, WM_SIM_PASSWORD, simToken } from '../../src/sim/wisemodel-gateway.js';
import { createWiseModelSource, type WiseModelSource, type WmSourceItem } from '../../src/sources/wisemodel/index.js';
import type { SourcePage } from '../../src/sources/types.js';
import { WM_SIM_DOWNLOADS, WM_SIM_KINDS, WM_SIM_LOGIN } from '../support/wisemodel-sim.js';
import { collect, testConfig } from './helpers.js';

const DAY = '2026-11-20';

describe('WiseModel source through GitLab and the gateway (simulator)', () => {
  let sim: Sim;
  let dayN: number;
  const sources: WiseModelSource[] = [];

  beforeAll(async () => {
    sim = await startSim({ models: 6000, seed: 11, day: DAY });
    dayN = sim.universe.checkDay(DAY);
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await sim.close();
  });

  function source(
    wisemodel: Record<string, unknown> = {},
    env: Record<string, string> = {},
    logger: Logger = silentLogger,
  ): WiseModelSource {
    const src = createWiseModelSource({
      config: testConfig({ wisemodel: sim.urls.wisemodel }, { wisemodel }, env),
      logger,
      rateLimitMode: 'wait',
      http: { keepAliveTimeoutMs: 50 },
    });
    sources.push(src);
    return src;
  }

  const faults = (f: SimFaults): void => sim.setFaults('wisemodel', f);
  const models = (): number[] => sim.universe.wm.list(dayN, 'newest');
  const items = (pages: SourcePage<WmSourceItem>[]): WmSourceItem[] => pages.flatMap((p) => p.items);

  it('sweeps the catalogue through GitLab: every model once, with its creation time, likes and GitLab id; downloads null and said why', async () => {
    faults({ wmDrift: { datasetTopic: true } });
    const src = source({ gitlab: { kinds: WM_SIM_KINDS } });
    const pages = await collect(src.sweep());
    const wm = sim.universe.wm;
    const got = items(pages);
    expect(got.map((i) => `${i.owner}/${i.name}`).sort()).toEqual(
      models()
        .map((k) => wm.idOf(k))
        .sort(),
    );
    for (const it of got) {
      const k = wm.lookup(`${it.owner}/${it.name}`, dayN)!;
      expect(it.createdAt).toBe(new Date(wm.created[k]! * 1000).toISOString());
      expect(it.likes).toBe(wm.likes(k, dayN));
      expect(it.downloads).toBeNull();
      expect(src.objectId!(it)).toBe(String(wm.gid[k]));
    }
    expect(pages.every((p) => !p.degraded && p.quarantine.length === 0 && !p.incomplete)).toBe(true);
    expect(pages.at(-1)!.next).toBeNull();
    expect(pages[0]!.next).toMatch(/^gl:\/api\/v4\/projects\?.*id_before=\d+/);
    expect(src.strategy).toBe('gitlab');
    const report = src.sweepReport!({ recordsSeen: got.length, resumed: false });
    expect(report.complete).toBe(true);
    const notes = report.notes.join('\n');
    expect(notes).toMatch(
      /through GitLab's projects list at .*\/api\/v4\/projects, keyset pages by id, newest first \(evidence: official \+ inferred/,
    );
    expect(notes).toMatch(new RegExp(`${got.length} model\\(s\\), \\d+ dataset\\(s\\), \\d+ code repo\\(s\\)`));
    expect(notes).toMatch(
      /downloads are null: no gateway endpoint for downloads is configured \(sources\.wisemodel\.gateway\.downloads\)\. See `hubwatch probe --platform wisemodel`/,
    );
    expect(notes).toMatch(/likes from star_count/);
    expect(notes).not.toMatch(/may include datasets/);
    // A keyset walk ends on the empty page after the last one; nothing else is asked.
    expect(src.counters.pages).toBe(pages.length);
  });

  it('cannot tell datasets from models without a configured mark, and says so', async () => {
    faults({});
    const src = source();
    const got = items(await collect(src.sweep()));
    const wm = sim.universe.wm;
    const n = wm.visibleProjects(dayN);
    let datasets = 0;
    for (let i = 0; i < n; i++) if (wm.kindOf(wm.order[i]!) === 'datasets') datasets++;
    expect(got).toHaveLength(models().length + datasets);
    const notes = src.sweepReport!({ recordsSeen: got.length, resumed: false }).notes.join('\n');
    expect(notes).toMatch(
      /GitLab paths do not tell datasets from models .* may include datasets\. Set sources\.wisemodel\.gitlab\.kinds/,
    );
    expect(notes).toMatch(/model\(s\) or dataset\(s\)/);
  });

  it('polls newest first by id, with the creation time the watermark goes by', async () => {
    faults({ wmDrift: { datasetTopic: true } });
    const src = source({ gitlab: { kinds: WM_SIM_KINDS } });
    const it = src.listNewest()[Symbol.asyncIterator]();
    const page = (await it.next()).value as SourcePage<WmSourceItem>;
    await it.return?.(undefined);
    const times = page.items.map((i) => src.orderTime(i)!);
    expect(times.every((t, i) => i === 0 || times[i - 1]! >= t)).toBe(true);
    const wm = sim.universe.wm;
    expect(`${page.items[0]!.owner}/${page.items[0]!.name}`).toBe(wm.idOf(models()[0]!));
  });

  it('reads downloads from the configured gateway endpoint, logging in with WISEMODEL_TOKEN as username:password', async () => {
    faults({ wmDrift: { datasetTopic: true } });
    const lines: Array<{ msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const src = source(
      { gitlab: { kinds: WM_SIM_KINDS }, gateway: { downloads: WM_SIM_DOWNLOADS } },
      { WISEMODEL_TOKEN: WM_SIM_LOGIN },
      logger,
    );
    const pages = await collect(src.sweep());
    const wm = sim.universe.wm;
    for (const it of items(pages))
      expect(it.downloads).toBe(wm.downloads(wm.lookup(`${it.owner}/${it.name}`, dayN)!, dayN));
    expect(pages.some((p) => p.incomplete)).toBe(false);
    const notes = src.sweepReport!({ recordsSeen: 0, resumed: false }).notes.join('\n');
    expect(notes).toMatch(
      new RegExp(
        `downloads from the gateway endpoint ${WM_SIM_DOWNLOADS_PATH} \\(configured by the operator; evidence: official envelope, operator-supplied endpoint\\): ${models().length} listed in \\d+ page\\(s\\), ${models().length} of ${models().length} models matched`,
      ),
    );
    expect(lines.filter((l) => l.msg === 'logged in to the WiseModel gateway')).toHaveLength(1);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(WM_SIM_PASSWORD);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);

    // The next sweep of the same source finds its token revoked (B2002): it logs in again, once, and goes on.
    faults({ wmDrift: { datasetTopic: true, revokeTokensBefore: Date.now() } });
    const again = await collect(src.sweep());
    expect(items(again).every((i) => i.downloads !== null)).toBe(true);
    expect(lines.filter((l) => l.msg === 'logged in to the WiseModel gateway')).toHaveLength(2);
    expect(lines.some((l) => /token expired \(B2002\); logging in again/.test(l.msg))).toBe(true);
  });

  it('takes a JWT as WISEMODEL_TOKEN, and says to renew it once the gateway calls it expired', async () => {
    faults({ wmDrift: { datasetTopic: true } });
    const ok = source(
      { gitlab: { kinds: WM_SIM_KINDS }, gateway: { downloads: WM_SIM_DOWNLOADS } },
      { WISEMODEL_TOKEN: simToken() },
    );
    expect(items(await collect(ok.sweep())).every((i) => i.downloads !== null)).toBe(true);

    faults({ wmDrift: { datasetTopic: true, revokeTokensBefore: Date.now() + 1000 } });
    const old = source(
      { gitlab: { kinds: WM_SIM_KINDS }, gateway: { downloads: WM_SIM_DOWNLOADS } },
      { WISEMODEL_TOKEN: simToken(Date.now() - 60_000) },
    );
    const pages = await collect(old.sweep());
    expect(items(pages).every((i) => i.downloads === null)).toBe(true);
    const report = old.sweepReport!({ recordsSeen: 0, resumed: false });
    // The GitLab walk is whole: the catalogue is complete, its downloads are not.
    expect(report.complete).toBe(true);
    expect(report.notes.join('\n')).toMatch(
      /downloads are null: the gateway failed: the gateway refused the token as expired \(B2002: .*\); renew WISEMODEL_TOKEN/,
    );
  });

  it('without a token the configured endpoint answers B2002: downloads null, and the note says WISEMODEL_TOKEN is not set', async () => {
    faults({});
    const src = source({ gateway: { downloads: WM_SIM_DOWNLOADS } });
    const pages = await collect(src.sweep());
    expect(items(pages).every((i) => i.downloads === null)).toBe(true);
    expect(src.sweepReport!({ recordsSeen: 0, resumed: false }).notes.join('\n')).toMatch(
      /downloads are null: the gateway failed: the gateway wants a login token \(B2002\) and WISEMODEL_TOKEN is not set/,
    );
  });

  it('with a wrong field mapping the gateway figures are refused whole, said in the note', async () => {
    faults({});
    const src = source(
      { gateway: { downloads: { ...WM_SIM_DOWNLOADS, downloadsField: 'downloads' } } },
      { WISEMODEL_TOKEN: WM_SIM_LOGIN },
    );
    await collect(src.sweep());
    expect(src.sweepReport!({ recordsSeen: 0, resumed: false }).notes.join('\n')).toMatch(
      /the gateway failed: .*none of \d+ items had a readable id and download count under the configured fields \(project_path, downloads\)/,
    );
  });

  it('is degraded when only the app shell answers: one page, quarantined, naming the probe and the config keys', async () => {
    faults({ wmDrift: { gitlab: 'absent' } });
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const src = source({}, {}, logger);
    const pages = await collect(src.sweep());
    expect(pages).toHaveLength(1);
    const page = pages[0]!;
    expect(page).toMatchObject({ items: [], next: null, degraded: true });
    expect(page.quarantine).toHaveLength(1);
    const reason = page.quarantine[0]!.reason;
    expect(reason).toMatch(/GitLab projects list at .*\/api\/v4\/projects: HTTP 404 with an HTML page/);
    expect(reason).toMatch(
      /HTML list page .*\/models\?page=1&sort=downloads: a client-rendered app shell, nothing to read/,
    );
    expect(reason).toContain('Run `hubwatch probe --platform wisemodel`');
    for (const key of ['sources.wisemodel.gitlab.url', 'sources.wisemodel.gateway.downloads', 'WISEMODEL_TOKEN'])
      expect(reason).toContain(key);
    expect(page.quarantine[0]!.payload).toContain('<div id="app"></div>');
    expect(src.strategy).toBeNull();
    const report = src.sweepReport!({ recordsSeen: 0, resumed: false });
    expect(report.complete).toBe(false);
    expect(report.notes).toEqual([reason]);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toContain(reason);
  });

  it('is degraded too when the list is closed and the pages are a shell; the poll says the same', async () => {
    faults({ wmDrift: { gitlab: 'closed' } });
    const src = source();
    const pages = await collect(src.listNewest());
    expect(pages).toHaveLength(1);
    expect(pages[0]!.degraded).toBe(true);
    expect(pages[0]!.quarantine[0]!.reason).toMatch(/HTTP 403: 403 Forbidden.*hubwatch probe --platform wisemodel/);
  });

  it('walks by offset where keyset is refused, and can then show it is complete only by x-total', async () => {
    faults({ wmDrift: { keysetRefused: true, datasetTopic: true } });
    const src = source({ gitlab: { kinds: WM_SIM_KINDS } });
    const pages = await collect(src.sweep());
    expect(items(pages)).toHaveLength(models().length);
    expect(pages[0]!.next).toMatch(/^gl:\/api\/v4\/projects\?.*page=2/);
    const report = src.sweepReport!({ recordsSeen: 0, resumed: false });
    expect(report.complete).toBe(true);
    expect(report.notes.join('\n')).toMatch(/offset pages by id/);
    expect(report.notes.join('\n')).toMatch(/GitLab refused keyset pagination \(HTTP 405\): the walk went by offset/);
    // Resumed, the offset walk has no count of its own to hold against x-total.
    const resumed = await collect(src.sweep({ cursor: pages[0]!.next! }));
    expect(items(resumed)).toHaveLength(models().length - pages[0]!.items.length);
    expect(src.sweepReport!({ recordsSeen: 0, resumed: true }).complete).toBe(false);
  });

  it("follows a Link naming GitLab's internal host on the configured one, and reads zoneless times as Beijing time", async () => {
    faults({ wmDrift: { linkOrigin: 'http://gitlab.internal', zonelessTimes: true, datasetTopic: true } });
    const src = source({ gitlab: { kinds: WM_SIM_KINDS } });
    const pages = await collect(src.sweep());
    const wm = sim.universe.wm;
    const got = items(pages);
    expect(got).toHaveLength(models().length);
    for (const it of got)
      expect(it.createdAt).toBe(new Date(wm.created[wm.lookup(`${it.owner}/${it.name}`, dayN)!]! * 1000).toISOString());
    expect(src.sweepReport!({ recordsSeen: 0, resumed: false }).notes.join('\n')).toMatch(
      /GitLab's Link named http:\/\/gitlab\.internal; its path was followed on http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('never hands on a page without models before the last one: a runner takes an empty page for the end', async () => {
    faults({ wmDrift: { datasetTopic: true } });
    const src = source({ gitlab: { kinds: WM_SIM_KINDS, perPage: 1 } });
    const pages = await collect(src.sweep());
    expect(pages.slice(0, -1).every((p) => p.items.length > 0)).toBe(true);
    expect(items(pages)).toHaveLength(models().length);
    // More GitLab pages were read than handed on: some held datasets and code repos only.
    expect(src.counters.pages).toBeGreaterThan(pages.length);
  });

  it('resumes from a page cursor, and refuses a cursor that is not its own', async () => {
    faults({ wmDrift: { datasetTopic: true } });
    const src = source({ gitlab: { kinds: WM_SIM_KINDS, perPage: 50 } });
    const all = await collect(src.sweep());
    const rest = await collect(src.sweep({ cursor: all[1]!.next! }));
    expect(items(rest).map((i) => i.name)).toEqual(items(all.slice(2)).map((i) => i.name));
    await expect(collect(src.sweep({ cursor: 'gl:/somewhere/else' }))).rejects.toThrow(/not a cursor of this source/);
  });

  it('reads broken projects generously: no path is quarantined, a missing star count or time is a null figure counted incomplete', async () => {
    faults({ malformedRate: 0.2 });
    const src = source();
    const pages = await collect(src.sweep());
    const q = pages.flatMap((p) => p.quarantine);
    expect(q.length).toBeGreaterThan(0);
    expect(q.every((e) => e.kind === 'item' && /invalid GitLab project: path_with_namespace/.test(e.reason))).toBe(
      true,
    );
    const got = items(pages);
    const nulls = got.filter((i) => i.likes === null || i.createdAt === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(pages.reduce((n, p) => n + (p.incomplete ?? 0), 0)).toBe(nulls);
  });

  it('asks GitLab about models a sweep no longer lists: 404 is gone, the same path present, another path renamed', async () => {
    faults({});
    const src = source();
    const one = models()[0]!;
    const id = sim.universe.wm.idOf(one);
    const before = await src.confirmGone!([id]);
    expect(before.get(id)).toEqual({ state: 'unknown', detail: 'the last walk did not read GitLab' });
    await collect(src.listNewest());
    const answers = await src.confirmGone!([id, 'nobody/nothing-here']);
    expect(answers.get(id)).toEqual({ state: 'present' });
    expect(answers.get('nobody/nothing-here')).toEqual({ state: 'gone', detail: 'HTTP 404' });
  });
});
