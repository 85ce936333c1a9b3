// Maintainer tool: how much of the real Hugging Face download lists the organisation registry covers.
//
//   npx tsx scripts/registry-coverage.ts [--top N] [--samples DIR]
//
// Reads the two shared bulk lists (top 10k by downloads, Sept 2024; 1,000 trending, April 2026) and every
// config/registry/*.json, joins on lower(namespace) against the entries' `hf` lists, and prints per list:
//   - classified %: downloads whose namespace has a registry entry (an organisation or an explicit individual)
//   - country %:    downloads whose entry has a real country (not ZZ)
//   - the top unclassified namespaces by downloads;
//   - the top classified namespaces whose entry has country ZZ, by downloads (the to-do list for country evidence).
// Namespace-level only: it does not resolve redistributors through base_model (the normaliser does that).
// It may later be replaced by `hubwatch orgs unknown`.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HfModelInput } from '../src/sources/huggingface/schema.js';
import { readTop10k, readTrending, SAMPLES_DIR } from './bulk-lists.js';

interface Entry {
  org: string;
  country: string;
  kind: string;
  hf?: string[];
}

interface ListedModel {
  id: string;
  downloads: number;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const TOP = Number(arg('--top', '40'));
const SAMPLES = resolve(arg('--samples', join(SAMPLES_DIR, 'hf-bulk')));

function listed(items: HfModelInput[]): ListedModel[] {
  return items.map((m) => ({ id: m.id, downloads: m.downloads ?? 0 }));
}

function loadEntries(): Array<Entry & { file: string }> {
  const dir = join(ROOT, 'config', 'registry');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Entry[]).map((e) => ({ ...e, file: f })));
}

function pct(part: number, total: number): string {
  return total === 0 ? '-' : `${((100 * part) / total).toFixed(2)}%`;
}

function report(name: string, models: ListedModel[], byNs: Map<string, Entry>): void {
  let total = 0;
  let classified = 0;
  let country = 0;
  const unknown = new Map<string, { downloads: number; models: number; example: string }>();
  const noCountry = new Map<string, { downloads: number; models: number; example: string; entry: Entry }>();
  for (const m of models) {
    const ns = m.id.includes('/') ? m.id.slice(0, m.id.indexOf('/')) : '(root)';
    total += m.downloads;
    const entry = byNs.get(ns.toLowerCase());
    if (entry) {
      classified += m.downloads;
      if (entry.country !== 'ZZ') country += m.downloads;
      else {
        const z = noCountry.get(ns.toLowerCase()) ?? { downloads: 0, models: 0, example: m.id, entry };
        z.downloads += m.downloads;
        z.models += 1;
        noCountry.set(ns.toLowerCase(), z);
      }
      continue;
    }
    const u = unknown.get(ns) ?? { downloads: 0, models: 0, example: m.id };
    u.downloads += m.downloads;
    u.models += 1;
    unknown.set(ns, u);
  }
  console.log(`\n== ${name}: ${models.length} models, ${total.toLocaleString('en')} downloads`);
  console.log(`classified: ${pct(classified, total)}   attributed to a country: ${pct(country, total)}`);
  console.log(`unclassified namespaces: ${unknown.size}; top ${TOP} by downloads:`);
  const top = [...unknown.entries()].sort((a, b) => b[1].downloads - a[1].downloads).slice(0, TOP);
  for (const [ns, u] of top) {
    console.log(
      `  ${pct(u.downloads, total).padStart(7)}  ${String(u.downloads).padStart(11)}  ${String(u.models).padStart(4)}  ${ns}  (${u.example})`,
    );
  }
  const zz = [...noCountry.values()].sort((a, b) => b.downloads - a.downloads);
  const zzTotal = zz.reduce((s, z) => s + z.downloads, 0);
  const needed = Math.max(0, 0.9 * total - country);
  console.log(
    `classified with country ZZ: ${zz.length} namespaces, ${pct(zzTotal, total)} of downloads` +
      (needed > 0 ? `; ${Math.ceil(needed).toLocaleString('en')} more downloads needed for a 90% country share` : ''),
  );
  console.log(`top ${TOP} ZZ namespaces by downloads:`);
  let cum = 0;
  for (const z of zz.slice(0, TOP)) {
    cum += z.downloads;
    console.log(
      `  ${pct(z.downloads, total).padStart(7)}  cum ${pct(cum, total).padStart(7)}  ${String(z.downloads).padStart(11)}  ${String(z.models).padStart(4)}  ${z.entry.kind.padEnd(13)}  ${z.entry.org}  (${z.example})`,
    );
  }
}

const entries = loadEntries();
const byNs = new Map<string, Entry & { file: string }>();
for (const e of entries) {
  for (const ns of e.hf ?? []) {
    const key = ns.toLowerCase();
    const prior = byNs.get(key);
    if (prior)
      console.warn(`warning: hf namespace "${ns}" is in "${prior.org}" (${prior.file}) and "${e.org}" (${e.file})`);
    else byNs.set(key, e);
  }
}
console.log(`registry: ${entries.length} entries, ${byNs.size} hf namespaces`);

report(
  'top 10k by downloads (2024-09-20)',
  listed(readTop10k(join(SAMPLES, 'hf-list-models-full-top10k-downloads.cs573.2024-09-20.csv'))),
  byNs,
);
report(
  'trending 1000 (2026-04-30)',
  listed(readTrending(join(SAMPLES, 'hf-trending-1000.starscreener.2026-04-30.json'))),
  byNs,
);
