// The history as data: what the rows of the two history tables are and where they come from. (a) The daily
// country-share series, one row per date × metric × scope × view × platform-or-combined × country, read from the
// snapshot files; (b) the per-model history, one row per date × model, read from the store's daily_stats. The
// column lists are the one definition the CSV header, the Parquet schema, the JSON Schema and the README share.
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../model.js';
import { listSnapshotDates, readSnapshot } from '../snapshot/files.js';
import {
  METRICS,
  SCOPES,
  VIEWS,
  type Metric,
  type Scope,
  type ShareList,
  type Snapshot,
  type View,
} from '../snapshot/types.js';
import type { HistoryRow, HistoryStore } from '../store/types.js';

/** A column's name, its Parquet type (as DuckDB writes it) and what it holds. */
export interface HistoryColumn {
  name: string;
  type: 'DATE' | 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN';
  nullable: boolean;
  description: string;
}

export type Cell = string | number | boolean | null;
export type HistoryRecord = Record<string, Cell>;

// The first eight columns are those of /api/v1/shares.csv, so a reader of that table reads this one too.
export const SHARE_COLUMNS: readonly HistoryColumn[] = [
  { name: 'date', type: 'DATE', nullable: false, description: 'Snapshot date (UTC day).' },
  { name: 'metric', type: 'VARCHAR', nullable: false, description: `One of ${METRICS.join(', ')} (docs/method.md).` },
  { name: 'scope', type: 'VARCHAR', nullable: false, description: 'all, or llm (generative language models).' },
  { name: 'view', type: 'VARCHAR', nullable: false, description: 'publisher (uploader) or origin (original model).' },
  { name: 'platform', type: 'VARCHAR', nullable: false, description: 'A platform, or combined.' },
  { name: 'country', type: 'VARCHAR', nullable: false, description: 'ISO 3166-1 alpha-2; ZZ is unattributed.' },
  { name: 'value', type: 'DOUBLE', nullable: false, description: 'The metric’s value for the country.' },
  {
    name: 'share',
    type: 'DOUBLE',
    nullable: false,
    description: 'value ÷ the list’s total (shares of a list sum to 1).',
  },
  {
    name: 'complete',
    type: 'BOOLEAN',
    nullable: true,
    description:
      'Whether the day’s sweep of the platform was complete (combined: every combined platform); null when the ' +
      'snapshot has no coverage for it.',
  },
  {
    name: 'provenance',
    type: 'VARCHAR',
    nullable: true,
    description:
      'Where the day’s figures come from when the snapshot says (method.sources): live, dump, or mixed (some of ' +
      'each, live winning per model; combined: platforms that differ); null otherwise.',
  },
];

export const MODEL_COLUMNS: readonly HistoryColumn[] = [
  { name: 'date', type: 'DATE', nullable: false, description: 'Stats day (UTC).' },
  {
    name: 'key',
    type: 'VARCHAR',
    nullable: false,
    description: 'platform:id of the model (its id today, after renames).',
  },
  { name: 'platform', type: 'VARCHAR', nullable: false, description: 'huggingface, modelscope or wisemodel.' },
  {
    name: 'downloadsAllTime',
    type: 'BIGINT',
    nullable: true,
    description: 'Cumulative downloads as reported; null if unknown.',
  },
  {
    name: 'downloads30d',
    type: 'BIGINT',
    nullable: true,
    description: 'The platform’s 30-day count (Hugging Face); null elsewhere.',
  },
  { name: 'likes', type: 'BIGINT', nullable: true, description: 'Likes or stars; null if unknown.' },
  {
    name: 'provenance',
    type: 'VARCHAR',
    nullable: true,
    description: 'live (read by hubwatch) or dump (backfilled from a public dump); null in a store without the column.',
  },
];

// ---- (a) the country-share series -------------------------------------------------------------------------------

/** A platform, or all of them combined: the platforms of a share list. */
export const PLATFORM_OR_COMBINED_VALUES = [...PLATFORMS, 'combined'] as const;

/** Which share lists to read; an absent field means every value. */
export interface ShareSeriesQuery {
  metric?: Metric;
  scope?: Scope;
  view?: View;
  platform?: Platform | 'combined';
  from?: string;
  to?: string;
}

/** How many share lists (date × metric × scope × view × platform) a query covers over `dates` dates. */
export function shareListCount(q: ShareSeriesQuery, dates: number): number {
  const n = (v: unknown, all: number): number => (v === undefined ? all : 1);
  return (
    dates *
    n(q.metric, METRICS.length) *
    n(q.scope, SCOPES.length) *
    n(q.view, VIEWS.length) *
    n(q.platform, PLATFORM_OR_COMBINED_VALUES.length)
  );
}

export async function shareSeriesDates(dataDir: string, q: Pick<ShareSeriesQuery, 'from' | 'to'>): Promise<string[]> {
  const dates = await listSnapshotDates(dataDir);
  return dates.filter((d) => (q.from === undefined || d >= q.from) && (q.to === undefined || d <= q.to));
}

// Where a platform's figures on the day come from: `method.sources` (src/snapshot/sources.ts), which snapshots
// written before `hubwatch backfill` lack. Read leniently, so a snapshot without it gives null, not an error.
const FigureProvenance = z.object({ provenance: z.enum(['live', 'dump', 'mixed']) });

function platformProvenance(snap: Snapshot, platform: Platform): string | null {
  const sources = (snap.method as { sources?: Record<string, unknown> } | undefined)?.sources;
  const parsed = FigureProvenance.safeParse(sources?.[platform]);
  return parsed.success ? parsed.data.provenance : null;
}

/**
 * The completeness and provenance of one list: its platform's, or those of every platform combined in it (complete
 * when each is; one provenance when all agree, `mixed` when they differ, null when one is unknown).
 */
function listQuality(
  snap: Snapshot,
  platforms: readonly Platform[],
): { complete: boolean | null; provenance: string | null } {
  if (platforms.length === 0) return { complete: null, provenance: null };
  let complete: boolean | null = true;
  const provenances = new Set<string | null>();
  for (const p of platforms) {
    const cov = snap.coverage?.[p];
    if (cov === undefined || typeof cov.complete !== 'boolean') complete = null;
    else if (complete !== null) complete = complete && cov.complete;
    provenances.add(platformProvenance(snap, p));
  }
  const provenance = provenances.has(null) ? null : provenances.size === 1 ? [...provenances][0]! : 'mixed';
  return { complete, provenance };
}

/** One snapshot's rows for a query, in a fixed order (metric, scope, view, platform as listed, then the list's own order). */
export function snapshotShareRows(snap: Snapshot, q: ShareSeriesQuery): HistoryRecord[] {
  const rows: HistoryRecord[] = [];
  for (const metric of METRICS) {
    if (q.metric !== undefined && q.metric !== metric) continue;
    const block = snap.metrics?.[metric];
    for (const scope of SCOPES) {
      if (q.scope !== undefined && q.scope !== scope) continue;
      for (const view of VIEWS) {
        if (q.view !== undefined && q.view !== view) continue;
        const vs = block?.scopes?.[scope]?.[view];
        if (!vs) continue;
        for (const platform of PLATFORM_OR_COMBINED_VALUES) {
          if (q.platform !== undefined && q.platform !== platform) continue;
          const list: ShareList | null | undefined = platform === 'combined' ? vs.combined : vs.platforms?.[platform];
          if (!list) continue;
          const members = platform === 'combined' ? (vs.combinedPlatforms ?? []) : [platform];
          const { complete, provenance } = listQuality(snap, members);
          for (const e of list.shares) {
            rows.push({
              date: snap.date,
              metric,
              scope,
              view,
              platform,
              country: e.country,
              value: e.value,
              share: e.share,
              complete,
              provenance,
            });
          }
        }
      }
    }
  }
  return rows;
}

/** The series date by date: one snapshot file in memory at a time. */
export async function* shareSeriesRows(
  dataDir: string,
  q: ShareSeriesQuery,
  dates?: readonly string[],
): AsyncIterable<HistoryRecord[]> {
  for (const date of dates ?? (await shareSeriesDates(dataDir, q))) {
    const snap = await readSnapshot(dataDir, date);
    if (snap) yield snapshotShareRows(snap, q);
  }
}

// ---- (b) the per-model history ---------------------------------------------------------------------------------

function modelRecord(r: HistoryRow): HistoryRecord {
  return {
    date: r.date,
    key: r.key,
    platform: r.platform,
    downloadsAllTime: r.downloadsAllTime,
    downloads30d: r.downloads30d,
    likes: r.likes,
    provenance: r.provenance,
  };
}

/** Every day of some models (ordered by key, then date), streamed from the store. */
export async function* modelHistoryRows(store: HistoryStore, keys: readonly string[]): AsyncIterable<HistoryRecord[]> {
  if (keys.length === 0) return;
  for await (const chunk of store.streamHistory({ keys })) yield chunk.map(modelRecord);
}

/** One day of every model (ordered by key), streamed from the store. */
export async function* dayHistoryRows(
  store: HistoryStore,
  date: string,
  chunkSize?: number,
): AsyncIterable<HistoryRecord[]> {
  for await (const chunk of store.streamHistory({ date }, chunkSize)) yield chunk.map(modelRecord);
}
