// From days of snapshots to what a chart draws and what its method line says. Kept apart from the HTML so the
// overview page, the standalone SVG and the badge say the same numbers.
import type { Platform } from '../model.js';
import type { ShareList } from '../snapshot/types.js';
import { PLATFORM_LABELS } from '../sources/registry.js';
import { daysBetween, listOf, type Day } from './data.js';
import { fmtPct } from './format.js';
import { countryName } from '../normalise/countries.js';
import type { OverviewState } from './state.js';
import type { Series } from './svg.js';

/** Countries drawn as their own band; the rest of the known ones are summed as "other countries". */
export const TOP_BANDS = 7;

export interface ShareSeries {
  dates: string[];
  series: Series[];
  latest: { date: string; list: ShareList | null } | null;
  /** Dates where this selection had no figure (the platform lacks the window, e.g. 30-day history not yet built). */
  nullDays: number;
}

export function shareSeries(days: Day[], s: OverviewState): ShareSeries {
  const lists = days.map((d) => listOf(d, s));
  let lastWith = -1;
  lists.forEach((l, i) => {
    if (l && l.total > 0) lastWith = i;
  });
  // The bands are the latest day's leaders, so the picture's right edge matches the table beside it.
  const ref = lastWith >= 0 ? lists[lastWith]! : null;
  const top = (ref?.shares ?? [])
    .filter((e) => e.country !== 'ZZ')
    .slice(0, TOP_BANDS)
    .map((e) => e.country);
  const topSet = new Set(top);
  const series: Series[] = top.map((c) => ({ key: c, label: countryName(c), values: [] }));
  const other: Series = { key: 'Other', label: 'other countries', values: [] };
  const zz: Series = { key: 'ZZ', label: 'unattributed', values: [] };
  let nullDays = 0;
  for (const l of lists) {
    if (!l || l.total === 0) {
      nullDays += 1;
      for (const x of [...series, other, zz]) x.values.push(null);
      continue;
    }
    const by = new Map(l.shares.map((e) => [e.country, e.share]));
    for (const x of series) x.values.push(by.get(x.key) ?? 0);
    let o = 0;
    for (const e of l.shares) if (e.country !== 'ZZ' && !topSet.has(e.country)) o += e.share;
    other.values.push(o);
    zz.values.push(by.get('ZZ') ?? 0);
  }
  if (other.values.some((v) => v !== null && v > 0)) series.push(other);
  if (zz.values.some((v) => v !== null && v > 0)) series.push(zz);
  const last = days[days.length - 1];
  return {
    dates: days.map((d) => d.date),
    series,
    latest: last ? { date: last.date, list: lists[lists.length - 1] ?? null } : null,
    nullDays,
  };
}

function platformWord(p: string): string {
  return PLATFORM_LABELS[p] ?? p;
}

/**
 * 7 when every snapshot is a whole number of weeks after the one before (a history backfilled from the Hub's weekly
 * dumps), else 1. A weekly history is not six days in seven missing: its gaps are counted in weeks.
 */
export function cadenceDays(days: Day[]): 1 | 7 {
  if (days.length < 2) return 1;
  for (let i = 1; i < days.length; i++) if (daysBetween(days[i - 1]!.date, days[i]!.date) % 7 !== 0) return 1;
  return 7;
}

/** One line: window, coverage, share attributed, missing days. Our words and the snapshot's own window texts. */
export function methodLine(days: Day[], s: OverviewState, nullDays: number): string {
  const last = days[days.length - 1];
  if (!last) return 'No snapshot yet: the first one is written after the first daily sweep.';
  const vs = last.metrics[s.metric]?.scopes?.[s.scope]?.[s.view];
  const window = last.metrics[s.metric]?.window ?? {};
  const platforms: string[] = s.platform === 'combined' ? (vs?.combinedPlatforms ?? []) : [s.platform];
  const windowText = platforms.length
    ? platforms.map((p) => `${platformWord(p)} ${String(window[p as Platform] ?? 'n/a').slice(0, 60)}`).join('; ')
    : 'no platform has this figure yet';
  const cov = Object.entries(last.coverage);
  const complete = cov.filter(([, c]) => c?.complete).length;
  const incomplete = cov.filter(([, c]) => !c?.complete).map(([p]) => platformWord(p));
  const list = listOf(last, s);
  const step = cadenceDays(days);
  const span = days.length ? daysBetween(days[0]!.date, last.date) / step + 1 : 0;
  const missing = span - days.length;
  return (
    `Window: ${windowText}. Coverage ${last.date}: ${complete} of ${cov.length} platforms complete` +
    (incomplete.length ? ` (incomplete: ${incomplete.join(', ')})` : '') +
    `. Attributed to a known country: ${list ? fmtPct(list.attributed) : 'n/a'}. ` +
    (step === 7 ? `Weekly snapshots; missing weeks: ${missing} of ${span}` : `Missing days: ${missing} of ${span}`) +
    (nullDays ? `; ${nullDays} day${nullDays === 1 ? '' : 's'} without this figure` : '') +
    '.'
  );
}

/** The share a country had `back` days before the last day (for the change column), or null. */
export function shareBefore(days: Day[], s: OverviewState, country: string, back: number): number | null {
  const last = days[days.length - 1];
  if (!last) return null;
  for (let i = days.length - 2; i >= 0; i--) {
    const gap = daysBetween(days[i]!.date, last.date);
    if (gap < back) continue;
    if (gap > back) return null;
    const l = listOf(days[i]!, s);
    if (!l || l.total === 0) return null;
    return l.shares.find((e) => e.country === country)?.share ?? 0;
  }
  return null;
}
