// `hubwatch probe --platform wisemodel` against the simulator over real HTTP: WiseModel as the evidence shows it
// passes every check, and each drift or degraded switch of the simulator is caught by the check that owns it. These
// run with the default WiseModel config (no gateway endpoint, no WISEMODEL_TOKEN): wisemodel-gateway.test.ts runs
// with one.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { renderJson, renderTable, runProbes, type ProbeReport } from '../../src/probe/index.js';
import type { SimFaults } from '../../src/sim/index.js';
import { closedPort, reportOf, runProbeCommand, simulatorFor, withFaults } from './helpers.js';

const logger = createLogger({ level: 'silent' });
const CHECKS = [
  'gitlab-list',
  'gitlab-fields',
  'gitlab-keyset',
  'gitlab-offset',
  'gitlab-tree',
  'gateway',
  'gateway-downloads',
  'html',
  'strategy',
];

/** The runner's requests without WiseModel's one-second politeness delay (the simulator is local). */
function probe(url: string): Promise<ProbeReport> {
  const config = loadConfig(
    { HUBWATCH_WISEMODEL_URL: url, LOG_LEVEL: 'silent' },
    { sources: { wisemodel: { delayMs: 0 } } },
  );
  return runProbes({ config, logger, platforms: ['wisemodel'] });
}

const { of: wm, check, drifted, expectAllOk } = reportOf('wisemodel');

describe('hubwatch probe: WiseModel', () => {
  const sim = simulatorFor({ seed: 7, models: 3000 });

  it('passes every check against WiseModel as the evidence shows it, in under 10 requests', async () => {
    sim().setFaults('wisemodel', {});
    const before = sim().requestCount('wisemodel');
    const r = await probe(sim().urls.wisemodel);
    expectAllOk(r, CHECKS);
    expect(sim().requestCount('wisemodel') - before).toBeLessThan(10);
    expect(check(r, 'gitlab-keyset').seen).toMatch(
      /^Link rel="next" with id_before=\d+ on the same host; page 2: 20 projects/,
    );
    expect(check(r, 'gateway').seen).toMatch(
      /code B2002 .* without a token, as the SDK expects; reading downloads through it needs WISEMODEL_TOKEN/,
    );
    expect(check(r, 'gateway-downloads').seen).toMatch(
      /^not configured: WiseModel downloads are null .* set sources\.wisemodel\.gateway\.downloads and WISEMODEL_TOKEN$/,
    );
    expect(check(r, 'html').seen).toMatch(/client-rendered app shell/);
    expect(check(r, 'strategy').seen).toMatch(
      /^gitlab \(evidence: official \+ inferred\): new releases, catalogue, likes from star_count; downloads null \(no gateway endpoint configured\)/,
    );
    expect(renderTable(r)).toMatch(/^wisemodel \(http:\/\/127\.0\.0\.1:\d+\): all 9 checks ok$/m);
  });

  const cases: Array<[string, SimFaults, string[], string, RegExp, RegExp]> = [
    [
      'no GitLab at the host (only the app shell)',
      { wmDrift: { gitlab: 'absent' } },
      ['gitlab-list', 'gitlab-fields', 'gitlab-keyset', 'gitlab-offset', 'gitlab-tree', 'strategy'],
      'gitlab-list',
      /^HTTP 404: an HTML page at /,
      /set sources\.wisemodel\.gitlab\.url/,
    ],
    [
      'a closed projects list',
      { wmDrift: { gitlab: 'closed' } },
      ['gitlab-list', 'gitlab-fields', 'gitlab-keyset', 'gitlab-offset', 'strategy'],
      'gitlab-list',
      /^HTTP 403: 403 Forbidden at /,
      /closed to anonymous callers/,
    ],
    [
      'refused keyset pagination',
      { wmDrift: { keysetRefused: true } },
      ['gitlab-keyset'],
      'gitlab-keyset',
      /^HTTP 405: Keyset pagination is not yet available/,
      /falls back to offset pages by itself/,
    ],
    [
      "a Link on GitLab's internal host",
      { wmDrift: { linkOrigin: 'http://gitlab.internal' } },
      ['gitlab-keyset'],
      'gitlab-keyset',
      /^the Link names http:\/\/gitlab\.internal/,
      /^harmless/,
    ],
    [
      'a dropped star_count',
      { wmDrift: { dropField: 'star_count' } },
      ['gitlab-fields'],
      'gitlab-fields',
      /^star_count missing in 20 of 20 projects$/,
      /likes are null/,
    ],
    [
      'a dropped created_at',
      { wmDrift: { dropField: 'created_at' } },
      ['gitlab-fields'],
      'gitlab-fields',
      /^created_at missing in 20 of 20 projects$/,
      /new releases cannot be dated/,
    ],
    [
      'zoneless times',
      { wmDrift: { zonelessTimes: true } },
      ['gitlab-fields'],
      'gitlab-fields',
      /^created_at without a zone in 20 of 20 projects/,
      /read as Beijing time \(UTC\+8\)/,
    ],
    [
      'a changed gateway envelope',
      { wmDrift: { gateway: 'envelope' } },
      ['gateway'],
      'gateway',
      /did not answer with its \{code, message, data\} envelope \(HTTP 200, keys status, msg, result\)/,
      /set sources\.wisemodel\.gateway\.url/,
    ],
    [
      'no gateway at the host',
      { wmDrift: { gateway: 'absent' } },
      ['gateway'],
      'gateway',
      /did not answer with its \{code, message, data\} envelope \(HTTP 404, an HTML page\)/,
      /downloads are null/,
    ],
    [
      'server-rendered list pages',
      { wmHtmlFixture: true },
      ['html'],
      'html',
      /^the list page renders 24 models server-side/,
      /the HTML fallback can read WiseModel, downloads included/,
    ],
  ];

  it.each(cases)('catches %s in its own check(s), with exit code 1', async (_name, faults, ids, id, seen, action) => {
    const r = await withFaults(sim(), 'wisemodel', faults, () => probe(sim().urls.wisemodel));
    expect(drifted(r)).toEqual(ids);
    expect(check(r, id).verdict).toBe('drift');
    expect(check(r, id).seen).toMatch(seen);
    expect(check(r, id).action).toMatch(action);
    expect(r.exitCode).toBe(1);
  });

  it('with only the app shell answering, the strategy row says the source is degraded and names the config keys', async () => {
    const r = await withFaults(sim(), 'wisemodel', { wmDrift: { gitlab: 'absent' } }, () =>
      probe(sim().urls.wisemodel),
    );
    const s = check(r, 'strategy');
    expect(s.seen).toMatch(
      /^none: the projects list did not answer \(HTTP 404: an HTML page\); the HTML pages are an app shell\. The source is degraded/,
    );
    for (const key of ['sources.wisemodel.gitlab.url', 'sources.wisemodel.gateway.downloads', 'WISEMODEL_TOKEN'])
      expect(s.action).toContain(key);
    expect(check(r, 'gitlab-tree').seen).toMatch(
      /SHYuanBest\/ConsisID-Preview \(sources\.wisemodel\.gitlab\.probeProject\)/,
    );
  });

  it('with the list closed, single projects still answer: the tree check reads the configured probe project', async () => {
    const r = await withFaults(sim(), 'wisemodel', { wmDrift: { gitlab: 'closed' } }, () =>
      probe(sim().urls.wisemodel),
    );
    expect(check(r, 'gitlab-tree')).toMatchObject({
      verdict: 'ok',
      seen: expect.stringMatching(
        /^HTTP 200 for SHYuanBest\/ConsisID-Preview: \d+ entries \(sources\.wisemodel\.gitlab\.probeProject, the list being closed/,
      ),
    });
  });

  it('reports every check unreachable, with the URL and what to do, and exit code 2', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await probe(url);
    expect(r.exitCode).toBe(2);
    expect(wm(r).checks).toHaveLength(CHECKS.length);
    for (const c of wm(r).checks) {
      expect(c.verdict).toBe('unreachable');
      expect(c.seen).toContain(`${url}/api/v4/projects`);
      expect(c.action).toContain(`HUBWATCH_WISEMODEL_URL (now ${url})`);
    }
  });

  it('runs as a command: `probe --platform wisemodel` prints the table, --json the same verdicts', async () => {
    await withFaults(sim(), 'wisemodel', { wmDrift: { keysetRefused: true } }, async () => {
      const cli = (args: string[]) =>
        runProbeCommand(['--platform', 'wisemodel', ...args], { HUBWATCH_WISEMODEL_URL: sim().urls.wisemodel });
      const table = await cli([]);
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/^wisemodel \(http:\/\/127\.0\.0\.1:\d+\): drift, 1 of 9 checks$/m);
      expect(table.stdout).toMatch(/^ {2}gitlab-keyset +drift +HTTP 405: Keyset pagination is not yet available/m);
      expect(table.stderr).toContain('hubwatch: wisemodel: drift');
      const json = await cli(['--json']);
      const doc = JSON.parse(json.stdout) as ProbeReport;
      expect(doc.platforms.map((p) => [p.platform, p.verdict])).toEqual([['wisemodel', 'drift']]);
      expect(JSON.parse(renderJson(doc)).exitCode).toBe(1);
    });
  }, 120_000);
});
