// The real Hugging Face bulk lists (tests/fixtures/samples/hf-bulk, see its SOURCE.md), read into the raw Hub
// item shape the normaliser takes. One reader for the maintainer script and the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PROJECT_ROOT } from '../src/config.js';
import type { HfModelInput } from '../src/sources/huggingface/schema.js';

/**
 * The real captured payloads, copied unmodified into the repository (tests/fixtures/README.md says from where), so
 * that tests and scripts read the checkout only; HUBWATCH_SAMPLES points the maintainer scripts at another copy.
 */
export const FIXTURES_DIR = join(PROJECT_ROOT, 'tests', 'fixtures');
export const SAMPLES_DIR = process.env.HUBWATCH_SAMPLES ?? join(FIXTURES_DIR, 'samples');
export const TOP10K_FILE = join(SAMPLES_DIR, 'hf-bulk', 'hf-list-models-full-top10k-downloads.cs573.2024-09-20.csv');
export const TRENDING_FILE = join(SAMPLES_DIR, 'hf-bulk', 'hf-trending-1000.starscreener.2026-04-30.json');

/**
 * RFC 4180 CSV (quoted fields may hold commas, doubled quotes and newlines), read by csv-parse. Rows whose field
 * count differs from the header's are kept here and left out by the reader.
 */
export function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: true, skip_empty_lines: true });
}

/** The collector wrote `tags` as a Python list repr: ['a', "b's"]. */
export function parsePyList(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g))
    out.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
  return out;
}

/** The top 10,000 by downloads (Sept 2024, CSV; 9,715 records after the collector's filter). */
export function readTop10k(file = TOP10K_FILE): HfModelInput[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const [id, author, downloads, lastModified, tags, task] = [
    col('modelId'),
    col('author'),
    col('downloads'),
    col('lastModified'),
    col('tags'),
    col('pipeline_tag'),
  ];
  return rows
    .filter((r) => r.length === header!.length)
    .map((r) => ({
      id: r[id]!,
      author: r[author] || null,
      downloads: Number(r[downloads]) || 0,
      // "2023-09-06 14:49:15+00:00" → ISO
      lastModified: r[lastModified] ? r[lastModified].replace(' ', 'T') : null,
      tags: parsePyList(r[tags] ?? ''),
      pipeline_tag: r[task] || null,
    }));
}

/** 1,000 trending models (April 2026, JSON; the collector renamed pipeline_tag and library_name). */
export function readTrending(file = TRENDING_FILE): HfModelInput[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    models: Array<{
      id: string;
      author?: string;
      downloads?: number;
      likes?: number;
      tags?: string[];
      pipelineTag?: string | null;
      libraryName?: string | null;
      createdAt?: string;
      lastModified?: string;
    }>;
  };
  return doc.models.map((m) => ({
    id: m.id,
    author: m.author ?? null,
    downloads: m.downloads ?? 0,
    likes: m.likes ?? null,
    tags: m.tags ?? [],
    pipeline_tag: m.pipelineTag ?? null,
    library_name: m.libraryName ?? null,
    createdAt: m.createdAt ?? null,
    lastModified: m.lastModified ?? null,
  }));
}
