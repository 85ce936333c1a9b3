// Calendar arithmetic on UTC days, in one place: every date hubwatch stores or names is a UTC day (YYYY-MM-DD).

/** One UTC day in milliseconds (UTC has no daylight-saving days; leap seconds are not in JavaScript's clock). */
export const DAY_MS = 86_400_000;

/** The UTC day of an instant, as YYYY-MM-DD. */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}
