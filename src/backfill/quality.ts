// Quality flags of one platform's day against its previous stored day, on dump dates and live dates alike
// (Model Pulse's traps in the hub-stats dumps, research/anchors.md §12: stall days, counters going backwards, partial
// files, renames). Each raised flag is a note in that date's coverage and is kept with the day, where the snapshot
// builder reads it: a stall day has no daily downloads (they show in the next day's figure), a counter that went
// down gives no daily figure for that model (never zero, never negative), and a partial day is incomplete (nobody is
// ever marked missing by a backfill).
import type { Platform } from '../model.js';
import type { DayComparison, QualityStore } from '../store/types.js';
import { previousDates, qualityCheckpointName, type QualityFlag, type StoredQuality } from '../snapshot/previous.js';

/**
 * A model with at least this many downloads in the 30 days before (all-time where a day has no 30-day figure) should
 * see its counter move between two stored days: on average more than 3 a day, so the chance that such a model gets
 * none in a day is about 4% (Poisson). Chosen by us; Model Pulse does not publish its rule.
 */
export const ACTIVE_FLOOR = 100;
/** A stall day: more than this share of the active models' counters did not move. */
export const STALL_SHARE = 0.5;
/** Fewer active models than this prove nothing either way. */
const STALL_MIN_COMPARED = 20;
/** A partial day: fewer rows than this share of the previous day's (catalogues grow; a real drop is rare). */
export const PARTIAL_SHARE = 0.9;

export interface QualityReport extends StoredQuality {
  platform: Platform;
  date: string;
  comparison: DayComparison | null;
}

function pct(n: number, of: number): string {
  return `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
}

/** The flags a comparison raises (pure, so each rule is tested on its own). */
export function flagsOf(c: DayComparison, prevDate: string): StoredQuality['flags'] {
  const flags: StoredQuality['flags'] = [];
  if (c.activeCompared >= STALL_MIN_COMPARED && c.activeUnmoved / c.activeCompared > STALL_SHARE) {
    flags.push({
      flag: 'stall',
      detail: `stall: ${c.activeUnmoved} of ${c.activeCompared} active models (${pct(c.activeUnmoved, c.activeCompared)}) have the same counters as on ${prevDate}; no daily downloads for this day, the next day's figure covers them`,
    });
  }
  if (c.allTimeDecreased > 0) {
    flags.push({
      flag: 'backwards',
      detail: `backwards: ${c.allTimeDecreased} model(s) have a lower all-time count than on ${prevDate}; their daily downloads are unknown for this day (not zero, not negative)`,
    });
  }
  if (c.rowsPrev > 0 && c.rowsNow < PARTIAL_SHARE * c.rowsPrev) {
    flags.push({
      flag: 'partial',
      detail: `partial: ${c.rowsNow} models against ${c.rowsPrev} on ${prevDate} (${pct(c.rowsNow, c.rowsPrev)}); the day is incomplete and no model is marked missing`,
    });
  }
  return flags;
}

/**
 * Compares the platform's day with its previous stored (non-stall) day, records the flags in the day's coverage and
 * keeps them with the day. `extra` adds flags found elsewhere (a read error, renames). Idempotent: a rerun writes the
 * same notes once and the same record.
 */
export async function assessDay(
  store: QualityStore,
  platform: Platform,
  date: string,
  extra: StoredQuality['flags'] = [],
): Promise<QualityReport> {
  const prevDate = (await previousDates(store, date, await store.statsDates(), [platform]))[platform] ?? null;
  const comparison = prevDate === null ? null : await store.compareDays(platform, date, prevDate, ACTIVE_FLOOR);
  const flags = [...(comparison && prevDate ? flagsOf(comparison, prevDate) : []), ...extra];
  // Renames the day's commits recorded (by object id as they were written, or matched after the fact by the backfill).
  const renamed = await store.renamesOn(platform, date);
  if (renamed > 0) {
    flags.push({
      flag: 'renames',
      detail: `renames: ${renamed} model(s) renamed since the previous date; their history moved to the new id`,
    });
  }
  const kept = new Map<QualityFlag, string>();
  for (const f of flags) if (!kept.has(f.flag)) kept.set(f.flag, f.detail);
  const report: QualityReport = {
    platform,
    date,
    prevDate,
    comparison,
    flags: [...kept].map(([flag, detail]) => ({ flag, detail })),
  };
  for (const f of report.flags) await store.setCoverageFlags(date, platform, { note: `quality ${f.detail}` });
  if (report.flags.some((f) => f.flag === 'partial')) await store.setCoverageFlags(date, platform, { complete: false });
  await store.setCheckpoint(qualityCheckpointName(platform, date), {
    prevDate,
    flags: report.flags,
  } satisfies StoredQuality);
  return report;
}
