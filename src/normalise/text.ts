// Platform strings are hostile. They stay data here (markup, right-to-left text and emoji are kept verbatim:
// escaping belongs to whoever renders them), but three things are removed because no reader wants them and some
// stores reject them: C0/C1 control characters other than tab, newline and carriage return (NUL breaks
// PostgreSQL text, ESC sequences repaint terminals that tail the logs), and lone UTF-16 surrogates (not valid
// Unicode, so not valid UTF-8 once serialised).
import { capString } from '../model.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

// String.prototype.toWellFormed is Node 20 but not in the ES2023 lib this project compiles against.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_SURROGATE = /[\uD800-\uDFFF]/;

// One scan decides whether any repair is needed; almost every platform string needs none.
// eslint-disable-next-line no-control-regex
const NEEDS_REPAIR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF]/;

/** Removes control characters (but \t \n \r) and replaces lone surrogates with U+FFFD; never throws. */
export function cleanText(s: string): string {
  if (!NEEDS_REPAIR.test(s)) return s;
  let out = HAS_CONTROL.test(s) ? s.replace(CONTROL, '') : s;
  if (HAS_SURROGATE.test(out)) out = out.replace(LONE_SURROGATE, '\uFFFD');
  return out;
}

/** A platform value as a clean, capped string, or null when it is not a non-empty string. */
export function str(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return null;
  const c = cleanText(v);
  const last = c.length - 1;
  // Most platform strings carry no outer whitespace; trim() would still allocate on some engines' paths.
  const t = last >= 0 && c.charCodeAt(0) > 32 && c.charCodeAt(last) > 32 ? c : c.trim();
  return t === '' ? null : capString(t, max);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const EMPTY: readonly unknown[] = Object.freeze([]);

/**
 * The array to iterate for a value that should be a string or a list of strings, without copying (callers skip
 * non-strings themselves): the hot path reads the same tag list three times.
 */
export function listOf(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [v];
  return EMPTY;
}

/** Strings out of something that should be a string or a list of strings (cards say either). */
export function stringList(v: unknown, maxItems = 200): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (out.length >= maxItems) break;
    if (typeof x === 'string') out.push(x);
  }
  return out;
}

/** A count the platform reports: a finite non-negative integer, else null (negative or NaN counts are noise). */
export function count(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
  return n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : Math.floor(n);
}

const MIN_TIME = Date.UTC(1990, 0, 1);
const MAX_TIME = Date.UTC(2200, 0, 1);
// "2024-05-01 12:00:00" with no offset: the Chinese platforms print Beijing time.
const NAIVE_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// The platforms' own form (Hub: 2025-11-04T08:25:31.000Z) is returned as is once Date.parse accepts it: no
// re-formatting on the hot path.
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An instant as ISO-8601 UTC, or null. Accepts ISO strings, epoch seconds or milliseconds (number or numeric
 * string: ModelScope sends both), and naive date-times, read as `naiveOffset`. Outside 1990..2200 is null: the
 * platforms use year-1 sentinels and garbage would otherwise print as "+275760-…", which is not valid ISO.
 */
export function isoInstant(v: unknown, naiveOffset = 'Z'): string | null {
  let ms: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return null;
    ms = v < 1e11 ? v * 1000 : v;
  } else if (typeof v === 'string') {
    const s = v.trim();
    if (s === '' || s.length > 64) return null;
    if (s.length === 24 && CANONICAL.test(s)) {
      const t = Date.parse(s);
      return Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME ? s : null;
    }
    if (/^\d+(\.\d+)?$/.test(s)) return isoInstant(Number(s), naiveOffset);
    const naive = NAIVE_DATETIME.exec(s);
    if (naive) ms = Date.parse(`${naive[1]}T${naive[2]}${naiveOffset}`);
    else if (DATE_ONLY.test(s)) ms = Date.parse(`${s}T00:00:00Z`);
    else ms = Date.parse(s);
  } else {
    return null;
  }
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) return null;
  return new Date(ms).toISOString();
}
