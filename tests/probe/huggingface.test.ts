// `hubwatch probe` against the simulator over real HTTP: the strict simulator (the Hub as it is) passes every check,
// and each of the simulator's drift switches is caught by the check that owns it, in the table, the JSON and the
// exit code.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Platform } from '../../src/model.js';
import { renderJson, renderTable, runProbes, type ProbeReport } from '../../src/probe/index.js';
import type { SimFaults } from '../../src/sim/index.js';
import { HF_EXPAND_COST } from '../../src/sources/huggingface/schema.js';
import { closedPort, reportOf, runProbeCommand, simulatorFor } from './helpers.js';

const logger = createLogger({ level: 'silent' });

const TOKEN = 'hf_probeTestTokenNeverPrinted';

function probe(url: string, platforms: Platform[] = ['huggingface']): Promise<ProbeReport> {
  const config = loadConfig({ HUBWATCH_HF_URL: url, HF_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
  return runProbes({ config, logger, platforms });
}

const { of: hf, check, drifted, expectAllOk } = reportOf('huggingface');

describe('hubwatch probe: Hugging Face', () => {
  // A fresh simulator for each test: the first test counts every request it served.
  const sim = simulatorFor({ seed: 7, models: 600 }, 'test');

  it('passes every check against the strict simulator, within a few requests', async () => {
    const r = await probe(sim().urls.huggingface);
    expectAllOk(r, [
      'list-fields',
      'item-types',
      'list-refuses-detail',
      'pagination',
      'rate-limit',
      'detail',
      'missing-repo',
    ]);
    expect(hf(r).verdict).toBe('ok');
    expect(check(r, 'rate-limit').seen).toMatch(/of 500 requests left in this 300 s window/);
    expect(sim().requestCount('huggingface')).toBeLessThan(10);
    expect(renderTable(r) + renderJson(r)).not.toContain(TOKEN);
  });

  const cases: Array<[string, SimFaults, string, RegExp, RegExp]> = [
    [
      'a refused list field',
      { hfDrift: { refuseListExpand: ['gguf'] } },
      'list-fields',
      /^HTTP 400 refuses gguf$/,
      new RegExp(`drops the refused field and goes on, losing: gguf \\(${HF_EXPAND_COST.gguf}\\)`),
    ],
    // The message names only `likes` after "got"; `gguf` is found missing from its list of allowed values.
    [
      'two refused list fields',
      { hfDrift: { refuseListExpand: ['gguf', 'likes'] } },
      'list-fields',
      /^HTTP 400 refuses likes, gguf$/,
      /likes are null/,
    ],
    [
      'a dropped field',
      { hfDrift: { dropField: 'downloadsAllTime' } },
      'item-types',
      /^downloadsAllTime missing in 20 of 20 items$/,
      /quarantines.*all-time and daily downloads are null/,
    ],
    [
      'a retyped count',
      { hfDrift: { retypeField: 'downloads' } },
      'item-types',
      /^downloads not a non-negative integer in 20 of 20 items \(e\.g\. "\d+"\)$/,
      /30-day downloads are null/,
    ],
    [
      'a relative Link',
      { hfDrift: { linkForm: 'relative' } },
      'pagination',
      /^the Link is relative \(\/api\/models\?/,
      /harmless today/,
    ],
    [
      'no Link on a full page',
      { hfDrift: { linkForm: 'absent' } },
      'pagination',
      /^no Link rel="next" on a full first page \(20 items\)$/,
      /first page only/,
    ],
    [
      'offset paging',
      { hfDrift: { linkForm: 'offset' } },
      'pagination',
      /^offset paging \(skip=20\) instead of a cursor; page 2 repeats 20 _id\(s\) of page 1/,
      /offset pages shift/,
    ],
    [
      'no RateLimit headers',
      { hfDrift: { noRateLimitHeaders: true } },
      'rate-limit',
      /^RateLimit unreadable \(absent\); RateLimit-Policy unreadable \(absent\)$/,
      /falls back to 429 handling.*HF_TOKEN/,
    ],
    [
      '404 for a missing repo',
      { hfDrift: { missingRepoStatus: 404 } },
      'missing-repo',
      /^HTTP 404 for hubwatch-probe\/absent-[0-9a-f]{12} /,
      /^harmless: hubwatch treats 401 and 404 alike/,
    ],
    [
      '200 for a missing repo',
      { hfDrift: { missingRepoStatus: 200 } },
      'missing-repo',
      /^HTTP 200 for hubwatch-probe\/absent-[0-9a-f]{12}, a repo that cannot exist/,
      /catch-all/,
    ],
    [
      'detail-only fields accepted on lists',
      { listExpandPermissive: true },
      'list-refuses-detail',
      /^the list route now accepts baseModels/,
      /could ask for baseModels on lists/,
    ],
  ];

  it.each(cases)('catches %s in its own check, with exit code 1', async (_name, faults, id, seen, action) => {
    sim().setFaults('huggingface', faults);
    const r = await probe(sim().urls.huggingface);
    expect(drifted(r)).toEqual([id]);
    expect(check(r, id).verdict).toBe('drift');
    expect(check(r, id).seen).toMatch(seen);
    expect(check(r, id).action).toMatch(action);
    expect(hf(r).verdict).toBe('drift');
    expect(r.exitCode).toBe(1);
  });

  it('reports every check unreachable, with the URL and what to do, and exit code 2', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await probe(url);
    expect(r.exitCode).toBe(2);
    expect(hf(r).verdict).toBe('unreachable');
    expect(hf(r).checks).toHaveLength(7);
    for (const c of hf(r).checks) {
      expect(c.verdict).toBe('unreachable');
      expect(c.seen).toContain(`${url}/api/models`);
      expect(c.seen).toContain('ECONNREFUSED');
      expect(c.action).toContain(`HUBWATCH_HF_URL (now ${url})`);
    }
    expect(renderTable(r)).toMatch(/probe: unreachable/);
  });

  it('prints JSON carrying the same verdicts as the table', async () => {
    sim().setFaults('huggingface', { hfDrift: { noRateLimitHeaders: true } });
    const r = await probe(sim().urls.huggingface, ['huggingface']);
    const doc = JSON.parse(renderJson(r)) as ProbeReport & { schema: string };
    expect(doc.schema).toBe('hubwatch.probe/v1');
    expect(doc.exitCode).toBe(1);
    expect(doc.platforms.map((p) => [p.platform, p.verdict])).toEqual([['huggingface', 'drift']]);
    expect(doc.platforms[0]!.checks).toEqual(hf(r).checks);
    const table = renderTable(r);
    for (const c of hf(r).checks) expect(table).toMatch(new RegExp(`^  ${c.id} +${c.verdict} `, 'm'));
  });

  it('says plainly that a platform has no checks yet, and exits 0 for it', () => {
    // Every platform has checks now (ModelScope and WiseModel too): the table's wording for one without is what is left.
    const r: ProbeReport = {
      checkedAt: new Date().toISOString(),
      exitCode: 0,
      platforms: [{ platform: 'modelscope', url: 'https://www.modelscope.cn', verdict: 'unchecked', checks: [] }],
      dump: null,
    };
    expect(renderTable(r)).toMatch(
      /^modelscope \(https:\/\/www\.modelscope\.cn\): no checks for this platform yet; nothing was probed\.$/m,
    );
    expect(sim().requestCount('huggingface')).toBe(0);
  });

  it('runs as a command: the table and exit code 1 on drift, JSON on --json', async () => {
    sim().setFaults('huggingface', { hfDrift: { missingRepoStatus: 404 } });
    // WiseModel has checks of its own now: it is pointed at the simulator too, so that no request leaves the machine.
    const env = {
      HUBWATCH_HF_URL: sim().urls.huggingface,
      HUBWATCH_MODELSCOPE_URL: sim().urls.modelscope,
      HUBWATCH_WISEMODEL_URL: sim().urls.wisemodel,
    };
    const cli = (args: string[]) => runProbeCommand(args, env);
    const table = await cli([]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^huggingface \(http:\/\/127\.0\.0\.1:\d+\): drift, 1 of 7 checks$/m);
    expect(table.stdout).toMatch(/^ {2}list-fields +ok +HTTP 200, 20 items/m);
    expect(table.stdout).toMatch(/^ {2}missing-repo +drift +HTTP 404 for hubwatch-probe\/absent-/m);
    expect(table.stdout).toMatch(/→ harmless: hubwatch treats 401 and 404 alike/);
    expect(table.stdout).toMatch(/^wisemodel \(http:\/\/127\.0\.0\.1:\d+\): all 9 checks ok$/m);
    expect(table.stdout).toMatch(/^modelscope \(http:\/\/127\.0\.0\.1:\d+\): all 7 checks ok$/m);
    expect(table.stderr).toContain('hubwatch: huggingface: drift');
    const json = await cli(['--platform', 'huggingface', '--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as ProbeReport;
    expect(doc.platforms.map((p) => p.platform)).toEqual(['huggingface']);
    expect(doc.platforms[0]!.checks.find((c) => c.id === 'missing-repo')!.verdict).toBe('drift');
  }, 120_000);
});
