// The snapshot and the share series as CSV: one long table, one row per country share, the forms a spreadsheet or
// a data frame reads without reshaping.
import { METRICS, SCOPES, VIEWS, type ShareList, type Snapshot } from '../snapshot/types.js';
import { csvTable } from './text.js';

export const SNAPSHOT_CSV_HEADER = ['metric', 'scope', 'view', 'platform', 'country', 'value', 'share'] as const;
export const SHARES_CSV_HEADER = ['date', 'metric', 'scope', 'view', 'platform', 'country', 'value', 'share'] as const;

export function snapshotCsv(snap: Snapshot): string {
  const rows: Array<Array<string | number | null>> = [];
  for (const metric of METRICS) {
    const block = snap.metrics?.[metric];
    for (const scope of SCOPES) {
      for (const view of VIEWS) {
        const vs = block?.scopes?.[scope]?.[view];
        if (!vs) continue;
        const lists: Array<[string, ShareList | null | undefined]> = [
          ['combined', vs.combined],
          ...Object.entries(vs.platforms ?? {}),
        ];
        for (const [platform, list] of lists) {
          for (const e of list?.shares ?? []) rows.push([metric, scope, view, platform, e.country, e.value, e.share]);
        }
      }
    }
  }
  return csvTable(SNAPSHOT_CSV_HEADER, rows);
}

export function sharesCsv(series: Record<string, unknown>): string {
  const rows: Array<Array<string | number | null>> = [];
  const points = series.points as Array<{ date: string; shares: ShareList['shares'] }>;
  for (const p of points) {
    for (const e of p.shares) {
      rows.push([
        p.date,
        series.metric as string,
        series.scope as string,
        series.view as string,
        series.platform as string,
        e.country,
        e.value,
        e.share,
      ]);
    }
  }
  return csvTable(SHARES_CSV_HEADER, rows);
}
