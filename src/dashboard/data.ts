// The snapshots the dashboard draws from, read once per file and kept in a compact form. A year of daily files is
// a few hundred reads on the first page after start (or after a new snapshot); afterwards a page renders from
// memory, and only files whose mtime changed are read again.
import type { Platform } from '../model.js';
import { listSnapshotDates, readSnapshot, snapshotMtimeNs } from '../snapshot/files.js';
import { DAY_MS } from '../time.js';
import type {
  FamilyRow,
  KindRow,
  LicenseByCountry,
  LicenseRow,
  Metric,
  MetricBlock,
  MomentumBlock,
  OrgRow,
  ShareList,
  Snapshot,
  View,
} from '../snapshot/types.js';
import { DASH_METRICS, type DashMetric, type OverviewState } from './state.js';

export interface DayCoverage {
  complete: boolean;
  swept: boolean;
  degraded: boolean;
  downloads30dSource: string;
}

/** What the dashboard keeps of one snapshot. */
export interface Day {
  date: string;
  platforms: Platform[];
  metrics: Record<DashMetric, MetricBlock>;
  families: FamilyRow[];
  orgs: Record<View, OrgRow[]>;
  kinds: Record<View, KindRow[]>;
  licenseClasses: LicenseRow[];
  /** Licence classes by country; kept for the latest day only (SnapshotDays), null before snapshots had it. */
  licenseByCountry: LicenseByCountry | null;
  /** The momentum top lists; kept for the latest day only, like licenseByCountry; null before snapshots had them. */
  momentum: MomentumBlock | null;
  coverage: Partial<Record<Platform, DayCoverage>>;
}

const FAMILY_KEEP = 30;

export function compactDay(s: Snapshot): Day {
  const metrics = {} as Record<DashMetric, MetricBlock>;
  for (const m of DASH_METRICS) metrics[m] = s.metrics[m as Metric];
  const coverage: Day['coverage'] = {};
  for (const [p, c] of Object.entries(s.coverage ?? {})) {
    if (!c) continue;
    coverage[p as Platform] = {
      complete: c.complete,
      swept: c.swept,
      degraded: c.degraded,
      downloads30dSource: c.downloads30dSource,
    };
  }
  return {
    date: s.date,
    platforms: s.platforms,
    metrics,
    families: (s.families ?? []).slice(0, FAMILY_KEEP),
    orgs: { publisher: s.orgs?.publisher ?? [], origin: s.orgs?.origin ?? [] },
    kinds: { publisher: s.kinds?.publisher ?? [], origin: s.kinds?.origin ?? [] },
    licenseClasses: s.licenses?.byClass ?? [],
    licenseByCountry: s.licenseByCountry ?? null,
    momentum: s.momentum ?? null,
    coverage,
  };
}

/** The share list a state selects on one day, or null where that platform has no figure. */
export function listOf(day: Day, s: OverviewState): ShareList | null {
  const vs = day.metrics[s.metric]?.scopes?.[s.scope]?.[s.view];
  if (!vs) return null;
  return (s.platform === 'combined' ? vs.combined : vs.platforms?.[s.platform]) ?? null;
}

/** Days between two ISO dates (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

export { addDays } from '../time.js';

export class SnapshotDays {
  private readonly cache = new Map<string, { mtimeNs: bigint; day: Day | null; slim?: true }>();
  private loading: { key: string; days: Promise<Day[]> } | null = null;

  constructor(private readonly dataDir: string) {}

  /** Every day with a snapshot, ascending. `generation` names the state of the directory (re-reads on change). */
  days(generation: string): Promise<Day[]> {
    if (this.loading?.key !== generation) {
      const days = this.read();
      this.loading = { key: generation, days };
      days.catch(() => {
        if (this.loading?.days === days) this.loading = null;
      });
    }
    return this.loading.days;
  }

  private async read(): Promise<Day[]> {
    const dates = await listSnapshotDates(this.dataDir);
    const out: Day[] = [];
    const keep = new Set(dates);
    for (const d of [...this.cache.keys()]) if (!keep.has(d)) this.cache.delete(d);
    // A few files at a time: enough to overlap the reads, few enough not to hold many parsed snapshots at once.
    for (let i = 0; i < dates.length; i += 8) {
      const batch = await Promise.all(dates.slice(i, i + 8).map((d) => this.one(d)));
      for (const day of batch) if (day) out.push(day);
    }
    // The pages draw the licence and momentum blocks of the latest day only, and they are tens of kilobytes a day:
    // a year of them would hold a hundred megabytes for nothing. Earlier days keep everything else (a new copy:
    // pages of the previous generation may still be rendering from the old one).
    for (let i = 0; i < out.length - 1; i++) {
      const day = out[i]!;
      if (day.licenseByCountry === null && day.momentum === null) continue;
      const slim = { ...day, licenseByCountry: null, momentum: null };
      const hit = this.cache.get(day.date);
      if (hit?.day === day) this.cache.set(day.date, { mtimeNs: hit.mtimeNs, day: slim, slim: true });
      out[i] = slim;
    }
    // The latest file was removed: the day before is latest again, and is read whole once more.
    const last = out[out.length - 1];
    if (last && this.cache.get(last.date)?.slim) {
      this.cache.delete(last.date);
      const again = await this.one(last.date);
      if (again) out[out.length - 1] = again;
    }
    return out;
  }

  private async one(date: string): Promise<Day | null> {
    const mtimeNs = await snapshotMtimeNs(this.dataDir, date);
    if (mtimeNs === null) return null;
    const hit = this.cache.get(date);
    if (hit && hit.mtimeNs === mtimeNs) return hit.day;
    let day: Day | null = null;
    try {
      const snap = await readSnapshot(this.dataDir, date);
      day = snap ? compactDay(snap) : null;
    } catch {
      // A file being replaced or hand-edited into bad JSON: the day is left out (and counted as missing) rather
      // than taking every page down.
      day = null;
    }
    this.cache.set(date, { mtimeNs, day });
    return day;
  }
}
