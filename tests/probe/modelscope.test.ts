// `hubwatch probe --platform modelscope` against the simulator over real HTTP: the strict simulator (ModelScope as
// the evidence shows it) passes every check in under ten requests, and each drift switch is caught by the check that
// owns it, with what was seen and what to do.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { runProbes, type ProbeReport } from '../../src/probe/index.js';
import type { SimFaults } from '../../src/sim/index.js';
import { closedPort, reportOf, runProbeCommand, simulatorFor, withFaults } from './helpers.js';

const logger = createLogger({ level: 'silent' });
const IDS = ['envelope', 'total-count', 'item-types', 'order', 'depth', 'criteria', 'detail'];

function probe(url: string): Promise<ProbeReport> {
  return runProbes({
    config: loadConfig({ HUBWATCH_MODELSCOPE_URL: url, LOG_LEVEL: 'silent' }),
    logger,
    platforms: ['modelscope'],
  });
}

const { of: ms, check, drifted, expectAllOk } = reportOf('modelscope');

describe('hubwatch probe: ModelScope', () => {
  const sim = simulatorFor({ seed: 7, models: 3000 });

  it('passes every check against the strict simulator, in under ten requests', async () => {
    sim().setFaults('modelscope', {});
    const before = sim().requestCount('modelscope');
    const r = await probe(sim().urls.modelscope);
    expectAllOk(r, IDS);
    expect(check(r, 'total-count').seen).toBe(`TotalCount ${sim().universe.ms.countAt(sim().day())}`);
    expect(check(r, 'depth').seen).toMatch(/serves \d+ models: one listing reaches the end$/);
    expect(check(r, 'criteria').seen).toMatch(/^tasks=.+: \d+ of \d+; libraries=.+; tags=.+; organizations=.+$/);
    expect(sim().requestCount('modelscope') - before).toBeLessThan(10);
  });

  const cases: Array<[string, SimFaults, string[], RegExp, RegExp]> = [
    [
      'a depth limit below TotalCount',
      { depthLimit: 300 },
      ['depth'],
      /is empty: one listing stops between 300 and 400 models$/,
      /partitions the catalogue.*set sources\.modelscope\.sweep\.depthLimit to 300/,
    ],
    [
      'no TotalCount',
      { msDrift: { noTotalCount: true } },
      ['total-count', 'depth', 'criteria'],
      /^no TotalCount in Data\.Model$/,
      /each day is reported incomplete and nobody is marked missing/,
    ],
    [
      'an ignored criterion',
      { msDrift: { ignoreCriteria: ['tasks'] } },
      ['criteria'],
      /^ignored: tasks=.+ \(TotalCount (\d+) of \1\); honoured: libraries=/,
      /costs requests, not figures.*Remove it from sources\.modelscope\.sweep\.partitionBy/,
    ],
    [
      'GmtModified not sorting by LastUpdatedTime',
      { msDrift: { unsortedModified: true } },
      ['order'],
      /^LastUpdatedTime rises \d+ time\(s\) within the first page under SortBy GmtModified$/,
      /poll stops at its watermark by LastUpdatedTime/,
    ],
    [
      'naive times',
      { msDrift: { retypeField: 'LastUpdatedTime' } },
      ['item-types'],
      /^LastUpdatedTime not epoch seconds \(an integer\) in 100 of 100 items \(e\.g\. "\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", read as \d{4}-.*Z\)$/,
      /read as Beijing time \(UTC\+8\)/,
    ],
    [
      'a retyped count',
      { msDrift: { retypeField: 'Downloads' } },
      ['item-types'],
      /^Downloads not a non-negative integer in 100 of 100 items \(e\.g\. "[\d.]+k"\)$/,
      /quarantined/,
    ],
    [
      'a dropped field',
      { msDrift: { dropField: 'Path' } },
      ['item-types', 'detail'],
      /^Path missing in 100 of 100 items$/,
      /cannot be keyed/,
    ],
    [
      'the detail route gone',
      { msDrift: { detailGone: true } },
      ['detail'],
      /^HTTP 200, Success false for .+, listed a moment ago \(模型不存在\)$/,
      /fetchModel/,
    ],
    ['a snake_case envelope', { msDrift: { snakeEnvelope: true } }, IDS, /snake_case envelope/, /MsEnvelopeSchema/],
  ];

  it.each(cases)('catches %s in the check that owns it, with exit code 1', async (_name, faults, ids, seen, action) => {
    const r = await withFaults(sim(), 'modelscope', faults, () => probe(sim().urls.modelscope));
    expect(drifted(r)).toEqual(ids);
    expect(check(r, ids[0]!).verdict).toBe('drift');
    expect(check(r, ids[0]!).seen).toMatch(seen);
    expect(check(r, ids[0]!).action).toMatch(action);
    expect(r.exitCode).toBe(1);
  });

  it('reports every check unreachable, with the URL and what to do, and exit code 2', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await probe(url);
    expect(r.exitCode).toBe(2);
    expect(ms(r).checks).toHaveLength(IDS.length);
    for (const c of ms(r).checks) {
      expect(c.verdict).toBe('unreachable');
      expect(c.seen).toContain(`PUT ${url}/api/v1/dolphin/models`);
      expect(c.action).toContain(`HUBWATCH_MODELSCOPE_URL (now ${url})`);
    }
  });

  it('runs as a command: `probe --platform modelscope --json`', async () => {
    await withFaults(sim(), 'modelscope', { depthLimit: 300 }, async () => {
      const run = (args: string[]) => runProbeCommand(args, { HUBWATCH_MODELSCOPE_URL: sim().urls.modelscope });
      const json = await run(['--platform', 'modelscope', '--json']);
      expect(json.code).toBe(1);
      const doc = JSON.parse(json.stdout) as ProbeReport;
      expect(doc.platforms.map((p) => [p.platform, p.verdict])).toEqual([['modelscope', 'drift']]);
      expect(doc.platforms[0]!.checks.find((c) => c.id === 'depth')!.verdict).toBe('drift');
      const table = await run(['--platform', 'modelscope']);
      expect(table.stdout).toMatch(/^modelscope \(http:\/\/127\.0\.0\.1:\d+\): drift, 1 of 7 checks$/m);
      expect(table.stdout).toMatch(/^ {2}depth +drift +the last page \(offset \d+ of TotalCount \d+\) is empty/m);
      expect(table.stdout).toMatch(/^ {2}criteria +ok +tasks=/m);
      expect((JSON.parse(json.stdout) as { schema: string }).schema).toBe('hubwatch.probe/v1');
    });
  }, 120_000);
});
