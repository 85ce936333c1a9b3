// Fingerprints of list items taken from the response text itself. A sweep compares each model's fingerprint with
// the stored one to skip unchanged models (src/normalise/fingerprint.ts); hashing the item's own bytes costs a
// fraction of serialising the parsed object again, which was the largest cost of a daily sweep after JSON.parse.
// A scan that finds anything it does not expect gives up (null) and the caller fingerprints the parsed items:
// a fingerprint can only ever cause extra work, never a missed change.
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

/**
 * For a JSON array of objects, one fingerprint per element (fingerprintOf under `seed`) of the element's text with
 * the members named in `volatile` (top level only) left out. `expected` is the element count JSON.parse found; any
 * other count, or a text that is not an array of objects, gives null.
 */
export function rawItemFingerprints(text: string, volatile: ReadonlySet<string>, expected: number, seed: string): string[] | null {
  const out: string[] = [];
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACKET) return null;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return expected === 0 ? out : null;
  for (;;) {
    if (text.charCodeAt(i) !== OPEN_BRACE) return null;
    const start = i;
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
        i = skipValue(text, skipSpace(text, i + 1));
        if (i < 0) return null;
        // Keys are compared as written: an escaped spelling of a volatile name is simply kept in the hash.
        if (volatile.has(text.slice(memberStart + 1, keyEnd - 1))) {
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
    out.push(fingerprintOf(seed, kept));
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) break;
    if (c !== COMMA) return null;
    i = skipSpace(text, i + 1);
  }
  return out.length === expected ? out : null;
}
