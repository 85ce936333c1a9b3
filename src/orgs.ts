// `hubwatch orgs check` and `hubwatch orgs unknown`: the tools that keep the organisation registry true.
import type { Config } from './config.js';
import { HubwatchError } from './errors.js';
import { formatProblem } from './normalise/registry.js';
import { defaultRegistryDir, loadRegistry, RegistryError } from './reference-data.js';
import { openStore } from './store/index.js';

export async function orgsCheckCommand(dir = defaultRegistryDir()): Promise<void> {
  try {
    const registry = loadRegistry(dir);
    const files = new Set(registry.entries.map((e) => e.file));
    const uncertain = registry.entries.filter((e) => e.entry.uncertain === true).length;
    process.stdout.write(
      `registry OK: ${registry.entries.length} organisations in ${files.size} file(s) (${[...files].join(', ')}); ${uncertain} marked uncertain\n`,
    );
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    for (const p of err.problems) process.stdout.write(`${formatProblem(p)}\n`);
    throw new HubwatchError(
      `the registry has ${err.problems.length || 1} problem(s)${err.problems.length ? ' (listed above)' : `: ${err.message}`}; fix the files under ${dir}`,
    );
  }
}

export async function orgsUnknownCommand(config: Config, opts: { date?: string; top: number }): Promise<void> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const dates = await store.statsDates();
    const date = opts.date ?? dates.at(-1);
    if (!date || !dates.includes(date)) {
      throw new HubwatchError(
        `no stats stored for ${opts.date ?? 'any day'}; run \`hubwatch run --once\` first (stored days: ${dates.length ? `${dates[0]} … ${dates.at(-1)}` : 'none'})`,
      );
    }
    const { total, rows } = await store.unknownNamespaces(date, opts.top);
    const unknownSum = rows.reduce((s, r) => s + r.downloads, 0);
    process.stdout.write(
      `Namespaces without a registry entry on ${date}, by downloads (30-day where the platform has it, else all-time)\n`,
    );
    process.stdout.write(
      `${'share'.padStart(7)}  ${'downloads'.padStart(12)}  ${'models'.padStart(6)}  platform     namespace\n`,
    );
    for (const r of rows) {
      const share = total > 0 ? `${((r.downloads / total) * 100).toFixed(2)}%` : 'n/a';
      process.stdout.write(
        `${share.padStart(7)}  ${String(r.downloads).padStart(12)}  ${String(r.models).padStart(6)}  ${r.platform.padEnd(11)}  ${r.namespace}\n`,
      );
    }
    process.stdout.write(
      `the ${rows.length} listed hold ${total > 0 ? ((unknownSum / total) * 100).toFixed(2) : '0.00'}% of the day's downloads; add them to config/registry/ (orgs with evidence, or explicit individuals)\n`,
    );
  } finally {
    await store.close();
  }
}
