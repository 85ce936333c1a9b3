// Calendar arithmetic on UTC days, in one place: every date hubwatch stores or names is a UTC day (YYYY-MM-DD).

/** One UTC day in milliseconds (UTC has no daylight-saving days; leap seconds are not in JavaScript's clock). */
export const DAY_MS = 86_400_000;

/** The UTC day of an instant, as YYYY-MM-DD. */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a YYYY-MM-DD date or an ISO instant (its UTC day); NaN when it names no day. */
export function dayNumber(dateOrInstant: string): number {
  return Math.floor(Date.parse(`${dateOrInstant.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** The YYYY-MM-DD date of a day number (days since 1970-01-01). */
export function dateOfDayNumber(day: number): string {
  return todayUtc(new Date(day * DAY_MS));
}

/** The YYYY-MM-DD date `days` after `date` (before it when negative); a RangeError when `date` names no day. */
export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}
