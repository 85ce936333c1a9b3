// List items read from the response bytes themselves, without decoding or parsing them. A daily sweep compares each
// model's fingerprint with the stored one to skip unchanged models (src/normalise/fingerprint.ts); for those it
// needs only the key and the day's figures, and decoding the body and parsing every item (JSON.parse builds every
// tag and card field, and the collector then frees them) was the largest cost of such a sweep. So the scan finds
// each item's span in the UTF-8 body, hashes its bytes minus the volatile members, and reads the few members a
// sighting needs; the source decodes and parses an item's span only when the runner asks for it. JSON's structural
// characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so bytes can be scanned as they are. A
// scan that finds anything it does not expect gives up (null) and the caller parses the body whole: a fingerprint
// can only ever cause extra work, never a missed change.
import { fingerprintDigest } from '../normalise/fingerprint.js';

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
function skipString(b: Uint8Array, i: number): number {
  let j = i + 1;
  const n = b.length;
  while (j < n) {
    const c = b[j]!;
    if (c === QUOTE) return j + 1;
    j += c === BACKSLASH ? 2 : 1;
  }
  return -1;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i]!)) i++;
  return i;
}

/** Index just past the value starting at `i` (any JSON value), or -1. */
function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === undefined) return -1;
  if (c === QUOTE) return skipString(b, i);
  const n = b.length;
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter.
    let j = i;
    while (j < n) {
      const d = b[j]!;
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  let j = i;
  while (j < n) {
    const d = b[j]!;
    if (d === QUOTE) {
      j = skipString(b, j);
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
  /** The element's UTF-8 text is `body.subarray(start, end)`. */
  start: number;
  end: number;
  /** fingerprintOf(seed, …) of the element's text with the volatile members left out. */
  fingerprint: string;
  /**
   * The values of the asked-for top-level members, by name (the last one where a name repeats, as JSON.parse
   * does): a string, number, boolean or null as JSON.parse gives it, undefined for an object, an array or text
   * that is not JSON. A member the element lacks is absent.
   */
  values: Record<string, unknown>;
}

/** A member name the scan looks for, as the UTF-8 bytes it is written with. */
interface Wanted {
  name: string;
  bytes: Uint8Array;
  volatile: boolean;
  pick: boolean;
}

/** The wanted names by byte length: a key is compared only with names of its own length. */
function wantedByLength(volatile: ReadonlySet<string>, pick: ReadonlySet<string>): Map<number, Wanted[]> {
  const out = new Map<number, Wanted[]>();
  for (const name of new Set([...volatile, ...pick])) {
    const bytes = Buffer.from(name, 'utf8');
    const list = out.get(bytes.length) ?? [];
    list.push({ name, bytes, volatile: volatile.has(name), pick: pick.has(name) });
    out.set(bytes.length, list);
  }
  return out;
}

function matchKey(b: Uint8Array, from: number, to: number, byLength: Map<number, Wanted[]>): Wanted | null {
  const candidates = byLength.get(to - from);
  if (!candidates) return null;
  next: for (const w of candidates) {
    for (let k = 0; k < w.bytes.length; k++) if (b[from + k] !== w.bytes[k]) continue next;
    return w;
  }
  return null;
}

/** The value of a scalar member from its UTF-8 text: as JSON.parse reads it, or undefined (see ScannedItem.values). */
export function scalarValue(b: Buffer, from: number, to: number): unknown {
  const c = b[from];
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return undefined;
  if (to - from <= 15 && c !== undefined && c >= 48 && c <= 57 && (c !== 48 || to - from === 1)) {
    // A plain non-negative integer (the figures): read without making a string.
    let n = 0;
    for (let k = from; k < to; k++) {
      const d = b[k]! - 48;
      if (d < 0 || d > 9) return jsonScalar(b, from, to);
      n = n * 10 + d;
    }
    return n;
  }
  if (c === QUOTE && to - from >= 2 && b[to - 1] === QUOTE) {
    let plain = true;
    for (let k = from + 1; k < to - 1; k++) {
      const d = b[k]!;
      if (d === BACKSLASH || d === QUOTE || d < 32) {
        plain = false;
        break;
      }
    }
    if (plain) return b.toString('utf8', from + 1, to - 1);
  }
  return jsonScalar(b, from, to);
}

function jsonScalar(b: Buffer, from: number, to: number): unknown {
  try {
    const v: unknown = JSON.parse(b.toString('utf8', from, to));
    return typeof v === 'object' && v !== null ? undefined : v;
  } catch {
    return undefined;
  }
}

/**
 * Splits a list body (the UTF-8 bytes of a JSON array of objects) into its elements without parsing them: per
 * element its span, its fingerprint under `seed` with the top-level members named in `volatile` left out, and the
 * values of the top-level members named in `pick`. Null for a body that is not an array of objects, or has
 * anything after the closing bracket. The scan checks structure, not every token: a caller parses an element's
 * span before using anything else in it, and a fingerprint stands only for bytes that parsed before.
 */
export function scanItems(
  body: Buffer,
  volatile: ReadonlySet<string>,
  pick: ReadonlySet<string>,
  seed: string,
): ScannedItem[] | null {
  const byLength = wantedByLength(volatile, pick);
  const seedBytes = Buffer.from(seed, 'utf8');
  // The bytes hashed per element: the seed, then the element's text minus its volatile members.
  let scratch = Buffer.allocUnsafe(Math.max(4096, seedBytes.length * 2));
  seedBytes.copy(scratch, 0);
  let kept = 0;
  let from = 0;
  /** Appends body[from, to) to the scratch. */
  const keep = (to: number): void => {
    const need = kept + (to - from);
    if (need > scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
      scratch.copy(bigger, 0, 0, kept);
      scratch = bigger;
    }
    kept += body.copy(scratch, kept, from, to);
  };
  const out: ScannedItem[] = [];
  const n = body.length;
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_BRACKET) return null;
  i = skipSpace(body, i + 1);
  if (body[i] === CLOSE_BRACKET) return skipSpace(body, i + 1) === n ? out : null;
  for (;;) {
    if (body[i] !== OPEN_BRACE) return null;
    const start = i;
    const values: Record<string, unknown> = {};
    kept = seedBytes.length;
    from = start;
    i = skipSpace(body, i + 1);
    if (body[i] !== CLOSE_BRACE) {
      for (;;) {
        if (body[i] !== QUOTE) return null;
        const memberStart = i;
        const keyEnd = skipString(body, i);
        if (keyEnd < 0) return null;
        i = skipSpace(body, keyEnd);
        if (body[i] !== COLON) return null;
        const valueStart = skipSpace(body, i + 1);
        i = skipValue(body, valueStart);
        if (i < 0) return null;
        // Keys are compared as written: an escaped spelling of a volatile name is simply kept in the hash.
        const wanted = matchKey(body, memberStart + 1, keyEnd - 1, byLength);
        if (wanted?.pick) values[wanted.name] = scalarValue(body, valueStart, i);
        if (wanted?.volatile) {
          keep(memberStart);
          from = i;
        }
        i = skipSpace(body, i);
        const c = body[i];
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) return null;
        i = skipSpace(body, i + 1);
      }
    }
    i += 1;
    keep(i);
    const fingerprint = fingerprintDigest(scratch.subarray(0, kept));
    out.push({ start, end: i, fingerprint, values });
    i = skipSpace(body, i);
    const c = body[i];
    if (c === CLOSE_BRACKET) break;
    if (c !== COMMA) return null;
    i = skipSpace(body, i + 1);
  }
  return skipSpace(body, i + 1) === n ? out : null;
}
