// The day a platform's daily figures are measured from. Stored dates are not all alike: a public dump holds the Hub
// alone (weekly), live days hold every platform swept, and a stall day's counters did not move. So the previous day
// is chosen per platform: the latest stored date before `date` with rows of that platform that is not a stall day
// (src/backfill/quality.ts records those); a stall day's downloads show in the next day's figure instead.
import { PLATFORMS, type Platform } from '../model.js';
import type { CheckpointReader, StoredDays } from '../store/types.js';

/** Stored quality flags of a platform's day (src/backfill/quality.ts). */
export const qualityCheckpointName = (platform: Platform, date: string): string => `quality:${platform}:${date}`;

export interface StoredQuality {
  prevDate: string | null;
  flags: Array<{ flag: QualityFlag; detail: string }>;
}
export type QualityFlag = 'stall' | 'backwards' | 'partial' | 'renames';

/** How far back to look for a platform's previous day (a weekly dump's gap, with room). */
const LOOKBACK_DATES = 60;

export async function isStallDay(store: CheckpointReader, platform: Platform, date: string): Promise<boolean> {
  const q = await store.getCheckpoint<StoredQuality>(qualityCheckpointName(platform, date));
  return q?.flags.some((f) => f.flag === 'stall') ?? false;
}

/**
 * Per platform of `wanted`, its previous non-stall stored date before `date` (null when none), given the stored
 * dates. Looks back no further than it must: it stops once every wanted platform has its day.
 */
export async function previousDates(
  store: StoredDays & CheckpointReader,
  date: string,
  dates: readonly string[],
  wanted: readonly Platform[] = PLATFORMS,
): Promise<Partial<Record<Platform, string | null>>> {
  const out: Partial<Record<Platform, string | null>> = {};
  const earlier = dates
    .filter((d) => d < date)
    .reverse()
    .slice(0, LOOKBACK_DATES);
  for (const d of earlier) {
    if (wanted.every((p) => out[p] !== undefined)) break;
    for (const p of await store.platformsOn(d)) {
      if (out[p] !== undefined || !wanted.includes(p)) continue;
      if (await isStallDay(store, p, d)) continue;
      out[p] = d;
    }
  }
  for (const p of PLATFORMS) out[p] ??= null;
  return out;
}
