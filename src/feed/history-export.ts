// The history in the static export (data/public/history/): the whole country-share series and every model's daily
// history as CSV, JSON Lines and Parquet, with the terms of their sources beside them (LICENSE.md, terms.json, and in
// each Parquet file's footer). Written as streams: one snapshot or one chunk of a day's rows in memory at a time.
//
//   history/shares.{csv,jsonl,parquet}             the series, rewritten on every export (one row per list entry)
//   history/models/{csv,jsonl,parquet}/D.{ext}      one file per stats day up to the latest snapshot: written when
//                                                   missing, or when the day's snapshot is newer than the file (the
//                                                   day was rebuilt or backfilled)
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unlessMissing, writeFileAtomic } from '../fsutil.js';
import { listSnapshotDates, snapshotPath } from '../snapshot/files.js';
import type { HistoryStore } from '../store/types.js';
import { MODEL_COLUMNS, SHARE_COLUMNS, dayHistoryRows, shareSeriesRows, type HistoryColumn } from './history.js';
import { writeTableFiles } from './history-formats.js';
import { ATTRIBUTION, historyTerms, termsMarkdown } from './history-terms.js';

export interface HistoryExportDeps {
  store: HistoryStore;
  dataDir: string;
  /** The export's root (data/public); the history goes under its `history/`. */
  publicDir: string;
}

const FORMATS = ['csv', 'jsonl', 'parquet'] as const;

export function historyDir(publicDir: string): string {
  return join(publicDir, 'history');
}

export function dayFile(publicDir: string, date: string, ext: (typeof FORMATS)[number]): string {
  return join(historyDir(publicDir), 'models', ext, `${date}.${ext}`);
}

async function mtimeMs(path: string): Promise<number | null> {
  return (await unlessMissing(stat(path)))?.mtimeMs ?? null;
}

/** A day's files are due when one is missing or the day's snapshot was written after them. */
async function dayDue(deps: HistoryExportDeps, date: string): Promise<boolean> {
  const times = await Promise.all(FORMATS.map((ext) => mtimeMs(dayFile(deps.publicDir, date, ext))));
  if (times.some((t) => t === null)) return true;
  const snapshot = await mtimeMs(snapshotPath(deps.dataDir, date));
  return snapshot !== null && times.some((t) => t! < snapshot);
}

const parquetMetadata = (): Record<string, string> => ({
  'hubwatch.attribution': ATTRIBUTION,
  'hubwatch.terms': JSON.stringify(historyTerms()),
});

function columnTable(columns: readonly HistoryColumn[]): string[] {
  return [
    '| column | type | null | meaning |',
    '|---|---|---|---|',
    ...columns.map((c) => `| \`${c.name}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${c.description} |`),
  ];
}

export function historyReadme(): string {
  return [
    '# hubwatch history as data',
    '',
    ATTRIBUTION,
    'The terms of each source are in LICENSE.md (and as JSON in terms.json, and in every Parquet file’s footer',
    'metadata under `hubwatch.terms`).',
    '',
    '## shares.{parquet,csv,jsonl}: the daily country-share series',
    '',
    'One row per snapshot date × metric × scope × view × platform-or-combined × country (docs/method.md).',
    '',
    ...columnTable(SHARE_COLUMNS),
    '',
    '## models/{parquet,csv,jsonl}/YYYY-MM-DD.*: every model’s daily figures',
    '',
    'One file per stats day, one row per model seen that day.',
    '',
    ...columnTable(MODEL_COLUMNS),
    '',
    '## Loading',
    '',
    '```python',
    'import pandas as pd, polars as pl, duckdb',
    'shares = pd.read_parquet("shares.parquet")',
    'models = pl.scan_parquet("models/parquet/*.parquet")',
    "duckdb.sql(\"SELECT * FROM 'models/parquet/*.parquet' WHERE key = 'huggingface:Qwen/Qwen3-8B'\")",
    '```',
    '',
    "CSV cells that start with = + - @ carry a leading ' (so no spreadsheet runs them) and text cells are capped at",
    '1,000 characters; the Parquet and JSON Lines files hold the values as stored.',
    '',
  ].join('\n');
}

/** Writes the history files; returns the paths written. */
export async function exportHistory(deps: HistoryExportDeps): Promise<string[]> {
  const dir = historyDir(deps.publicDir);
  const written: string[] = [];
  for (const [name, body] of [
    ['LICENSE.md', termsMarkdown()],
    ['README.md', historyReadme()],
    ['terms.json', `${JSON.stringify(historyTerms(), null, 2)}\n`],
  ] as const) {
    await writeFileAtomic(join(dir, name), body);
    written.push(join(dir, name));
  }

  const shares = await writeTableFiles(
    SHARE_COLUMNS,
    shareSeriesRows(deps.dataDir, {}),
    { csv: join(dir, 'shares.csv'), jsonl: join(dir, 'shares.jsonl'), parquet: join(dir, 'shares.parquet') },
    parquetMetadata(),
  );
  written.push(...shares.paths);

  // A day after the latest snapshot is still being swept (polls write today's figures as they come): its file is
  // written once its snapshot exists.
  const latest = (await listSnapshotDates(deps.dataDir)).at(-1);
  for (const date of await deps.store.statsDates()) {
    if (latest === undefined || date > latest) continue;
    if (!(await dayDue(deps, date))) continue;
    const day = await writeTableFiles(
      MODEL_COLUMNS,
      dayHistoryRows(deps.store, date),
      {
        csv: dayFile(deps.publicDir, date, 'csv'),
        jsonl: dayFile(deps.publicDir, date, 'jsonl'),
        parquet: dayFile(deps.publicDir, date, 'parquet'),
      },
      parquetMetadata(),
    );
    written.push(...day.paths);
  }
  return written;
}
