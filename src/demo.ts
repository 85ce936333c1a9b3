// `npm run demo`: the whole thing offline for a newcomer. Starts the platform simulator on loopback, runs two
// simulated days of the cycle against it into data/demo/, and prints who holds the shares.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, PROJECT_ROOT } from './config.js';
import { createLogger } from './log.js';
import type { Snapshot, ShareList, Metric, Scope, View } from './snapshot/types.js';

const SIM_DAYS = ['2026-11-19', '2026-11-20'];

function pct(x: number): string {
  return `${(x * 100).toFixed(1).padStart(5)}%`;
}

function topRows(list: ShareList | null | undefined, n: number): string[] {
  if (!list || list.total === 0) return ['  (no figure)'];
  return list.shares.slice(0, n).map((s) => `  ${s.country}  ${pct(s.share)}`);
}

export function renderDemoTable(snap: Snapshot, n = 6): string {
  const out: string[] = [];
  const blocks: Array<[Metric, string]> = [
    ['downloads30d', 'Share of 30-day downloads'],
    ['derivatives', 'Share of derivative models'],
  ];
  for (const [metric, title] of blocks) {
    for (const scope of ['all', 'llm'] as Scope[]) {
      out.push(`\n${title} — scope ${scope} (${snap.date}, all platforms)`);
      const cols = (['publisher', 'origin'] as View[]).map((view) => {
        const list = snap.metrics[metric].scopes[scope][view].combined;
        return [`${view} view`, ...topRows(list, n), `  attributed ${list ? pct(list.attributed) : '   n/a'}`];
      });
      const height = Math.max(...cols.map((c) => c.length));
      for (let i = 0; i < height; i += 1) out.push(`  ${(cols[0]![i] ?? '').padEnd(26)}${cols[1]![i] ?? ''}`);
    }
  }
  out.push('\nCoverage:');
  for (const [p, c] of Object.entries(snap.coverage)) {
    out.push(
      `  ${p.padEnd(12)} models ${String(c.modelsSeen).padStart(6)}  requests ${String(c.requests).padStart(4)}  429s ${c.http429}  quarantined ${c.quarantined}  complete ${c.complete}  30d ${c.downloads30dSource}`,
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { startSim } = await import('./sim/index.js');
  const dataDir = join(PROJECT_ROOT, 'data', 'demo');
  await rm(dataDir, { recursive: true, force: true });
  const sim = await startSim({ seed: 42, models: 20_000, day: SIM_DAYS[0]!, port: 0 });
  const config = loadConfig({
    ...process.env,
    HUBWATCH_HF_URL: sim.urls.huggingface,
    HUBWATCH_MODELSCOPE_URL: sim.urls.modelscope,
    HUBWATCH_WISEMODEL_URL: sim.urls.wisemodel,
    HUBWATCH_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const logger = createLogger({ level: config.logLevel, destination: 2 });
  const { staticExports } = await import('./exports.js');
  const { openRuntime, runOnce } = await import('./cycle/run.js');
  const rt = await openRuntime(config, logger, { afterSnapshot: staticExports });
  let last: Snapshot | null = null;
  try {
    for (const day of SIM_DAYS) {
      sim.setDay(day);
      process.stderr.write(`demo: simulated day ${day}: polling and sweeping three platforms…\n`);
      const res = await runOnce(rt, { date: day });
      last = res.snapshot;
      process.stderr.write(`demo: wrote ${res.snapshotPath}\n`);
    }
  } finally {
    await rt.close();
    await sim.close();
  }
  if (last) process.stdout.write(`${renderDemoTable(last)}\n\nFiles: ${dataDir}/snapshots, ${dataDir}/public\n`);
  // The dashboard over what the two days wrote (HUBWATCH_DEMO_SERVE=0 to end here; the static copy is in public/).
  if (process.env.HUBWATCH_DEMO_SERVE !== '0') {
    const { serveDashboard } = await import('./dashboard/serve-demo.js');
    const url = await serveDashboard(config, logger);
    process.stdout.write(`\nDashboard: ${url}  (static copy: ${dataDir}/public/index.html; Ctrl-C to stop)\n`);
  }
}

if (process.argv[1] && /demo\.(ts|js)$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
