// `hubwatch probe --platform wisemodel` with a gateway downloads endpoint configured and WISEMODEL_TOKEN set, as an
// operator would run it: through runProbes with that configuration, and through the command line for the others. The endpoint is the simulator's stand-in
// (src/sim/wisemodel-gateway.ts), mapped the way the real one would be.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { runProbes, type ProbeReport } from '../../src/probe/index.js';
import { WM_SIM_DOWNLOADS_PATH, WM_SIM_PASSWORD, WM_SIM_USER, simToken } from '../../src/sim/wisemodel-gateway.js';
import { reportOf, runProbeCommand, simulatorFor, withFaults } from './helpers.js';

const LOGIN = `${WM_SIM_USER}:${WM_SIM_PASSWORD}`;
const DOWNLOADS = {
  path: WM_SIM_DOWNLOADS_PATH,
  itemsPath: 'data.list',
  totalPath: 'data.total',
  idField: 'project_path',
  downloadsField: 'download_count',
};
const dir = mkdtempSync(join(tmpdir(), 'hubwatch-probe-wm-'));
const configFile = (name: string, downloads: Record<string, unknown>): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ sources: { wisemodel: { delayMs: 0, gateway: { downloads } } } }));
  return file;
};

const { check, drifted } = reportOf('wisemodel');

describe('hubwatch probe: WiseModel with a gateway endpoint and a token', () => {
  const sim = simulatorFor({ seed: 7, models: 3000 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const probe = (): Promise<ProbeReport> =>
    runProbes({
      config: loadConfig(
        {
          HUBWATCH_WISEMODEL_URL: sim().urls.wisemodel,
          LOG_LEVEL: 'silent',
          HUBWATCH_CONFIG: configFile('good.json', DOWNLOADS),
          WISEMODEL_TOKEN: LOGIN,
        },
        { sources: { wisemodel: { delayMs: 0 } } },
      ),
      logger: createLogger({ level: 'silent' }),
      platforms: ['wisemodel'],
    });

  it('logs in, reads a page of downloads and says the sweep would give them; the token is in no row', async () => {
    sim().setFaults('wisemodel', {});
    const before = sim().requestCount('wisemodel');
    const r = await probe();
    expect(r.exitCode).toBe(0);
    expect(drifted(r)).toEqual([]);
    expect(sim().requestCount('wisemodel') - before).toBeLessThan(10);
    expect(check(r, 'gateway').seen).toMatch(
      /^login with WISEMODEL_TOKEN \(username:password\) ok; branchlist answered code 0 \(Success\)/,
    );
    expect(check(r, 'gateway-downloads').seen).toMatch(
      new RegExp(
        `^${WM_SIM_DOWNLOADS_PATH}: 20 items on page 1, 20 with an id and a download count \\(e\\.g\\. [^:]+/[^:]+: \\d+\\)$`,
      ),
    );
    expect(check(r, 'strategy').seen).toMatch(/downloads from the configured gateway endpoint/);
    expect(JSON.stringify(r)).not.toContain(WM_SIM_PASSWORD);
  });

  it('catches tokens the gateway keeps refusing (B2002 even after a fresh login)', async () => {
    const r = await withFaults(sim(), 'wisemodel', { wmDrift: { revokeTokensBefore: Date.now() + 3_600_000 } }, probe);
    expect(drifted(r)).toEqual(['gateway', 'gateway-downloads']);
    expect(check(r, 'gateway').seen).toMatch(/code B2002 \(token expired\) with WISEMODEL_TOKEN/);
    expect(check(r, 'gateway-downloads').seen).toMatch(/refused the token as expired .* even after a fresh login/);
    // GitLab still lists the catalogue: the sweep runs, without downloads.
    expect(check(r, 'strategy').seen).toMatch(
      /downloads null \(the configured gateway endpoint does not answer, see gateway-downloads\)/,
    );
  });

  const cli = async (env: Record<string, string>) => {
    const { code, stdout } = await runProbeCommand(['--platform', 'wisemodel', '--json'], {
      HUBWATCH_WISEMODEL_URL: sim().urls.wisemodel,
      ...env,
    });
    return { code, doc: JSON.parse(stdout || '{}') as ProbeReport };
  };

  it('catches a field mapping that reads nothing, and an expired JWT', async () => {
    sim().setFaults('wisemodel', {});
    const bad = await cli({
      HUBWATCH_CONFIG: configFile('bad.json', { ...DOWNLOADS, downloadsField: 'downloads' }),
      WISEMODEL_TOKEN: LOGIN,
    });
    expect(bad.code).toBe(1);
    expect(drifted(bad.doc)).toEqual(['gateway-downloads']);
    expect(check(bad.doc, 'gateway-downloads').seen).toMatch(
      /^20 items, none with a readable id and count under the configured fields \(item keys: project_path, download_count, like_count\)$/,
    );
    expect(check(bad.doc, 'gateway-downloads').action).toMatch(/fix the field mapping/);

    const expired = await cli({
      HUBWATCH_CONFIG: configFile('good.json', DOWNLOADS),
      WISEMODEL_TOKEN: simToken(Date.now() - 4 * 86_400_000),
    });
    expect(drifted(expired.doc)).toEqual(['gateway', 'gateway-downloads']);
    expect(check(expired.doc, 'gateway').seen).toMatch(
      /^the WISEMODEL_TOKEN JWT expired at \d{4}-.*; code B2002 \(token expired\) with WISEMODEL_TOKEN$/,
    );
    expect(check(expired.doc, 'gateway').action).toMatch(/renew WISEMODEL_TOKEN, or give it as username:password/);
  }, 120_000);
});
