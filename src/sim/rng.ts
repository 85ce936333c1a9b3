// Stateless hashing instead of a sequential PRNG: every attribute of model i is a pure function of (seed, i, salt),
// so a page deep in a 1,000,000-model catalogue can be rendered without generating the models before it, and two
// processes with the same seed answer byte for byte the same.
import { dayNumber as dayNumberOf } from '../time.js';

/** 32-bit avalanche mix (murmur3 fmix32). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function hash3(a: number, b: number, c = 0): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(b | 0, 0x27d4eb2d)) >>> 0);
  h = mix32((h + Math.imul(c | 0, 0x165667b1)) >>> 0);
  return h;
}

/** Uniform in [0, 1). */
export function unit(a: number, b: number, c = 0): number {
  return hash3(a, b, c) / 4294967296;
}

/** Standard normal from two hashed uniforms (Box–Muller). */
export function normal(a: number, b: number, c = 0): number {
  const u1 = (hash3(a, b, c * 2 + 1) + 1) / 4294967297;
  const u2 = unit(a, b, c * 2 + 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function pick<T>(arr: readonly T[], h: number): T {
  return arr[h % arr.length] as T;
}

/** FNV-1a over a string, for seeding per-request or per-page decisions from text. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

/** A small sequential PRNG for per-server fault decisions (deterministic given the order of requests). */
export class Sequence {
  private n = 0;
  constructor(private readonly seed: number) {}
  next(): number {
    this.n++;
    return unit(this.seed, this.n, 0x5eed);
  }
}

/** The day number of a YYYY-MM-DD day (src/time.ts), checked: the simulator refuses anything else. */
export function dayNumber(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`day must be YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const n = dayNumberOf(day);
  if (Number.isNaN(n)) throw new Error(`not a calendar day: ${day}`);
  return n;
}

export function isoSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString();
}
