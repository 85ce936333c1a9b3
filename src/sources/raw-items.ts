// List items read from the response text itself, without parsing them. A daily sweep compares each model's
// fingerprint with the stored one to skip unchanged models (src/normalise/fingerprint.ts); for those it needs only
// the key and the day's figures, and parsing the whole item (JSON.parse builds every tag and card field, and the
// collector then frees them) was the largest cost of such a sweep. So the scan finds each item's span, hashes its
// bytes minus the volatile members, and picks out the few members a sighting needs; the source parses an item's
// span only when the runner asks for it. A scan that finds anything it does not expect gives up (null) and the
// caller parses the body whole: a fingerprint can only ever cause extra work, never a missed change.
import { fingerprintOf } from '../normalise/fingerprint.js';

const QUOTE = 34; // "
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index just past the string whose opening quote is at `i`, or -1 when it does not end. */
function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    // A quote ends the string unless an odd number of backslashes escapes it.
    let b = q - 1;
    while (b > i && text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the value starting at `i` (any JSON value), or -1. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter.
    let j = i;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === QUOTE) {
      j = skipString(text, j);
      if (j < 0) return -1;
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return -1;
}

/** One element of a list body as the scan found it. */
export interface ScannedItem {
  /** The element's text is `text.slice(start, end)`. */
  start: number;
  end: number;
  /** fingerprintOf(seed, …) of the element's text with the volatile members left out. */
  fingerprint: string;
  /** The raw text of the asked-for top-level members' values, by name (the last one where a name repeats, as
   * JSON.parse does); a member the element lacks is absent. */
  values: Record<string, string>;
}

/**
 * Splits a list body (a JSON array of objects) into its elements without parsing them: per element its span, its
 * fingerprint under `seed` with the top-level members named in `volatile` left out, and the raw values of the
 * top-level members named in `pick`. Null for a text that is not an array of objects, or has anything after the
 * closing bracket. The scan checks structure, not every token: a caller parses an element's span before using
 * anything else in it, and a fingerprint stands only for bytes that parsed before.
 */
export function scanItems(text: string, volatile: ReadonlySet<string>, pick: ReadonlySet<string>, seed: string): ScannedItem[] | null {
  const out: ScannedItem[] = [];
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACKET) return null;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return skipSpace(text, i + 1) === text.length ? out : null;
  for (;;) {
    if (text.charCodeAt(i) !== OPEN_BRACE) return null;
    const start = i;
    const values: Record<string, string> = {};
    let kept = '';
    let from = start;
    i = skipSpace(text, i + 1);
    if (text.charCodeAt(i) !== CLOSE_BRACE) {
      for (;;) {
        if (text.charCodeAt(i) !== QUOTE) return null;
        const memberStart = i;
        const keyEnd = skipString(text, i);
        if (keyEnd < 0) return null;
        i = skipSpace(text, keyEnd);
        if (text.charCodeAt(i) !== COLON) return null;
        const valueStart = skipSpace(text, i + 1);
        i = skipValue(text, valueStart);
        if (i < 0) return null;
        // Keys are compared as written: an escaped spelling of a volatile name is simply kept in the hash.
        const name = text.slice(memberStart + 1, keyEnd - 1);
        if (pick.has(name)) values[name] = text.slice(valueStart, i);
        if (volatile.has(name)) {
          kept += text.slice(from, memberStart);
          from = i;
        }
        i = skipSpace(text, i);
        const c = text.charCodeAt(i);
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) return null;
        i = skipSpace(text, i + 1);
      }
    }
    i += 1;
    kept += text.slice(from, i);
    out.push({ start, end: i, fingerprint: fingerprintOf(seed, kept), values });
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) break;
    if (c !== COMMA) return null;
    i = skipSpace(text, i + 1);
  }
  return skipSpace(text, i + 1) === text.length ? out : null;
}

/**
 * The value of a scalar member from its raw text (ScannedItem.values): a string, a number, true, false or null;
 * undefined for anything else or for text that is not JSON.
 */
export function scalarValue(raw: string): unknown {
  const c = raw.charCodeAt(0);
  if (c === QUOTE && raw.indexOf('\\') < 0 && raw.indexOf('"', 1) === raw.length - 1) return raw.slice(1, -1);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return undefined;
  if (/^(?:0|[1-9]\d{0,14})$/.test(raw)) return Number(raw);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
