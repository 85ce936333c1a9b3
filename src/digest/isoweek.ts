// ISO 8601 weeks in UTC. A digest covers Monday 00:00 to Sunday 24:00 UTC; the week-numbering year is the year of
// the week's Thursday, so 2026-12-31 can belong to 2027-W53's neighbour and 2027-01-01 to 2026-W53.
import { InputError } from '../errors.js';
import { DAY_MS } from '../time.js';

export interface IsoWeek {
  /** `YYYY-Www`, zero-padded. */
  week: string;
  year: number;
  number: number;
  /** Monday, YYYY-MM-DD. */
  start: string;
  /** Sunday, YYYY-MM-DD. */
  end: string;
  /** The seven dates Monday to Sunday. */
  days: string[];
  /** First instant of the week and first instant of the next one (ISO, UTC): the half-open release window. */
  startInstant: string;
  endExclusiveInstant: string;
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Monday 00:00 UTC of week 1 of an ISO year (the week that holds 4 January), in ms. */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const dow = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - dow * DAY_MS;
}

export function weeksInIsoYear(year: number): number {
  return (week1Monday(year + 1) - week1Monday(year)) / (7 * DAY_MS);
}

function formatWeek(year: number, n: number): string {
  return `${String(year).padStart(4, '0')}-W${String(n).padStart(2, '0')}`;
}

function fromMonday(mondayMs: number): IsoWeek {
  // The Thursday decides the week-numbering year.
  const thursday = mondayMs + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const number = Math.round((mondayMs - week1Monday(year)) / (7 * DAY_MS)) + 1;
  const days = Array.from({ length: 7 }, (_, i) => isoDate(mondayMs + i * DAY_MS));
  return {
    week: formatWeek(year, number),
    year,
    number,
    start: days[0]!,
    end: days[6]!,
    days,
    startInstant: new Date(mondayMs).toISOString(),
    endExclusiveInstant: new Date(mondayMs + 7 * DAY_MS).toISOString(),
  };
}

export function isValidIsoWeek(s: string): boolean {
  const m = WEEK_RE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const n = Number(m[2]);
  return year >= 1970 && n >= 1 && n <= weeksInIsoYear(year);
}

/** Parses `YYYY-Www`; a malformed or nonexistent week is an InputError with exit code 2 (a usage error). */
export function parseIsoWeek(s: string): IsoWeek {
  const m = WEEK_RE.exec(s);
  if (!m) {
    throw new InputError(
      `Bad week ${JSON.stringify(s.slice(0, 40))}: expected an ISO week like 2026-W48 (year, "-W", two-digit week).`,
      { exitCode: 2 },
    );
  }
  const year = Number(m[1]);
  const n = Number(m[2]);
  const max = year >= 1970 ? weeksInIsoYear(year) : 0;
  if (year < 1970 || n < 1 || n > max) {
    throw new InputError(
      `Bad week ${s}: ${year < 1970 ? 'years before 1970 are not supported' : `ISO year ${year} has weeks 01 to ${max}`}.`,
      { exitCode: 2 },
    );
  }
  return fromMonday(week1Monday(year) + (n - 1) * 7 * DAY_MS);
}

/** The ISO week holding an instant (UTC). */
export function isoWeekOf(at: Date | string): IsoWeek {
  const d = typeof at === 'string' ? new Date(at.length === 10 ? `${at}T00:00:00Z` : at) : at;
  if (Number.isNaN(d.getTime()))
    throw new InputError(`Bad date ${JSON.stringify(String(at).slice(0, 40))}.`, { exitCode: 2 });
  const dayMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const dow = (new Date(dayMs).getUTCDay() + 6) % 7;
  return fromMonday(dayMs - dow * DAY_MS);
}

/** Moves a week by `n` weeks (negative goes back), across year boundaries. */
export function addWeeks(week: string, n: number): string {
  const w = parseIsoWeek(week);
  return fromMonday(Date.parse(w.startInstant) + n * 7 * DAY_MS).week;
}

/** The last week that has ended by `now`: the week before the one holding `now` (the digest default). */
export function lastFullWeek(now: Date = new Date()): string {
  return addWeeks(isoWeekOf(now).week, -1);
}

/** `count` consecutive weeks ending with `week`, oldest first. */
export function weeksEndingWith(week: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addWeeks(week, i - count + 1));
}
