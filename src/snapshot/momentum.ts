// Momentum: how fast a model is being picked up, from the stored history. Two figures, each after a published tracker
// (research notes ../shared/research/anchors.md §1 and §12):
// - RAM, after the ATOM Report's Relative Adoption Metric v2 (atom-website-v2.pages.dev/relative-adoption-metric):
//   a model's cumulative downloads at day t after release ÷ the 10th-largest cumulative downloads among the models of
//   its size class at the same day after release, with a cut-off that never falls as age grows ("monotonic top-10
//   cut-off"). > 1: on track for the top 10 of its size.
// - growth7d, after Model Pulse's growth_7d (tardellirs/modelpulse, pipeline/*.py): downloads of the last 7 days ÷
//   the mean weekly downloads of the 3 weeks before, minus 1, only where that mean is at least 100.
// History may be daily (live sweeps) or weekly (dump backfill), so every figure reads "the last stored date at or
// before" a day. Pure: no I/O; momentum-build.ts feeds it from the store.
import type { Platform } from '../model.js';
import { dateOfDayNumber, dayNumber } from '../time.js';
import type { Scope } from './types.js';

/** ATOM's cut-off: the 10th-largest cumulative downloads of the size class at the same age. */
export const RAM_PEERS = 10;
/**
 * No cut-off under this many downloads: a class whose 10th model had fewer at that age is too thin to compare against.
 * It also bounds the work: once the models still to read count fewer, none can lift a cut-off to it.
 */
export const RAM_MIN_CUTOFF = 100;
/** Model Pulse's floor: growth is given only where the 3 earlier weeks averaged at least this many downloads a week. */
export const GROWTH_MIN_WEEKLY_MEAN = 100;
/** A stored date more than this many days before the day it stands for is too far to stand for it. */
const MAX_POINT_LAG_DAYS = 6;

// ---- size classes ----------------------------------------------------------------------------------------------

/**
 * ATOM publishes the classes 1–9B, 100B+ and 250B+ only; hubwatch uses a full, disjoint set around them: [min, max)
 * in parameters.
 */
export const SIZE_CLASSES = [
  { name: '<1B', minParams: 0, maxParams: 1e9 },
  { name: '1-9B', minParams: 1e9, maxParams: 10e9 },
  { name: '10-29B', minParams: 10e9, maxParams: 30e9 },
  { name: '30-99B', minParams: 30e9, maxParams: 100e9 },
  { name: '100-249B', minParams: 100e9, maxParams: 250e9 },
  { name: '250B+', minParams: 250e9, maxParams: null },
] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number]['name'];
export const SIZE_CLASS_NAMES = SIZE_CLASSES.map((c) => c.name) as [SizeClass, ...SizeClass[]];

export function sizeClassOf(params: number): SizeClass {
  for (const c of SIZE_CLASSES) if (c.maxParams === null || params < c.maxParams) return c.name;
  return '250B+';
}

const UNIT = { b: 1e9, m: 1e6 } as const;
// Whole tokens of a name split at `-`, `_`, spaces and slashes (dots stay: 1.5B). Thousands (`4k`, `128K`) are context
// lengths, and a token led by a letter (`A22B`, `a3b`) is the active count of a mixture of experts: neither matches.
const SIZE_TOKEN = /^(?:(\d{1,3})x)?(\d{1,4}(?:\.\d{1,3})?)([bm])$/;
// BLOOM's form: 7b1 is 7.1B.
const SIZE_TOKEN_DECIMAL = /^(\d{1,4})b(\d{1,2})$/;

/**
 * Parameters as a model's name says them: 7B, 0.5B, 70b, 1.5b-instruct, 135M, 8x7B (experts × size), 7b1. The largest
 * size named wins, so Qwen2.5-7B-Instruct-1M (a 1M-token context) is 7B and Qwen3-30B-A3B (3B active) is 30B.
 */
export function paramsFromName(name: string): number | null {
  let best: number | null = null;
  for (const token of name.toLowerCase().split(/[-_\s/]+/)) {
    let n: number | null = null;
    const m = SIZE_TOKEN.exec(token);
    if (m) n = Number(m[1] ?? 1) * Number(m[2]) * UNIT[m[3] as 'b' | 'm'];
    else {
      const d = SIZE_TOKEN_DECIMAL.exec(token);
      if (d) n = Number(`${d[1]}.${d[2]}`) * 1e9;
    }
    if (n !== null && n > 0 && (best === null || n > best)) best = n;
  }
  return best;
}

export interface ModelSize {
  sizeClass: SizeClass;
  /** `params`: the record's parameter count (safetensors total); `name`: parsed from the model's name. */
  basis: 'params' | 'name';
}

/** The record's parameter count where present, else the name's; null when neither says. */
export function sizeOf(params: number | null, name: string): ModelSize | null {
  if (params !== null && Number.isFinite(params) && params > 0)
    return { sizeClass: sizeClassOf(params), basis: 'params' };
  const fromName = paramsFromName(name);
  return fromName === null ? null : { sizeClass: sizeClassOf(fromName), basis: 'name' };
}

// ---- days ------------------------------------------------------------------------------------------------------

/** Momentum counts ages and windows in day numbers (src/time.ts). */
export { dayNumber };

/** The last of the ascending `dates` at or before `date`, or null. */
export function lastAtOrBefore(dates: readonly string[], date: string): string | null {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : dates[lo - 1]!;
}

// ---- growth7d --------------------------------------------------------------------------------------------------

/** The stored dates standing for asOf − 7 and asOf − 28 days (null: no stored date within 7 days before that day). */
export interface GrowthDates {
  asOf: string;
  d7: string | null;
  d28: string | null;
}

export function growthDates(storedDates: readonly string[], asOf: string): GrowthDates {
  const pick = (back: number): string | null => {
    const target = dayNumber(asOf) - back;
    const d = lastAtOrBefore(storedDates, dateOfDayNumber(target));
    return d !== null && dayNumber(d) >= target - MAX_POINT_LAG_DAYS ? d : null;
  };
  return { asOf, d7: pick(7), d28: pick(28) };
}

export interface Growth {
  /** last7 ÷ priorWeeklyMean − 1. */
  value: number;
  /** Downloads of the last 7 days (a stored interval of another length is scaled to 7 days). */
  last7: number;
  /** Mean weekly downloads of the 3 weeks before. */
  priorWeeklyMean: number;
}

/**
 * growth7d from a model's all-time counts on asOf, d7 and d28; null when a point is missing or the earlier weeks
 * averaged under GROWTH_MIN_WEEKLY_MEAN. A counter that went backwards counts 0 downloads, never fewer.
 */
export function growth7d(
  dates: GrowthDates,
  now: number | null,
  at7: number | null,
  at28: number | null,
): Growth | null {
  if (dates.d7 === null || dates.d28 === null || now === null || at7 === null || at28 === null) return null;
  const recentDays = dayNumber(dates.asOf) - dayNumber(dates.d7);
  const priorDays = dayNumber(dates.d7) - dayNumber(dates.d28);
  if (recentDays <= 0 || priorDays <= 0) return null;
  const last7 = (Math.max(0, now - at7) * 7) / recentDays;
  const priorWeeklyMean = (Math.max(0, at7 - at28) * 7) / priorDays;
  if (priorWeeklyMean < GROWTH_MIN_WEEKLY_MEAN) return null;
  return { value: last7 / priorWeeklyMean - 1, last7, priorWeeklyMean };
}

// ---- RAM -------------------------------------------------------------------------------------------------------

/** Peers are compared within one scope, platform and size class: each platform counts its own downloads. */
export function peerGroup(scope: Scope, platform: Platform, sizeClass: SizeClass): string {
  return `${scope}|${platform}|${sizeClass}`;
}

/** A reference model's stored all-time counts, ascending by date, up to the as-of day. */
export interface AdoptionCurve {
  /** The UTC day it was created (YYYY-MM-DD or an instant). */
  createdAt: string;
  /** Its all-time count on the as-of day. */
  current: number;
  dates: readonly string[];
  counts: readonly number[];
}

interface GroupState {
  /** Reference models of each age on the as-of day; from add() on, those at least `age` days old (suffix sums). */
  peers: Int32Array;
  /** The top RAM_PEERS values per age, descending: slots [age·10, age·10 + size). */
  top: Float64Array;
  size: Uint8Array;
}

/**
 * The size classes' cut-off curves as of one day, built in two steps over the reference models (base models created
 * inside the stored history): count() each one (its age only), then add() their histories in descending order of
 * current count until settled(). A count never falls, so a model's value at any age is at most its current count:
 * once a group's 10th-largest value at an age is at least the current count of every model still to come, no later
 * model can change it, and the models with small counts (most of the catalogue) are never read.
 */
export class CutoffBuilder {
  private readonly asOfDay: number;
  private readonly groups = new Map<string, GroupState>();
  private counting = true;
  /** Group and age pairs whose cut-off later models could still change. */
  private openGroup: GroupState[] = [];
  private openAge: number[] = [];
  private scratch: Float64Array;
  private maxAge: number;
  /** Day numbers of the stored dates (a few hundred strings, met once per history point). */
  private readonly days = new Map<string, number>();

  /** `maxAge`: the oldest age a cut-off can be wanted for (narrowAges() may lower it before add()). */
  constructor(asOf: string, maxAge: number) {
    this.asOfDay = dayNumber(asOf);
    this.maxAge = maxAge;
    this.scratch = new Float64Array(0);
  }

  /** Age in whole days on the as-of day (0 for a model dated after it). */
  ageOf(createdAt: string): number {
    return Math.max(0, this.asOfDay - dayNumber(createdAt));
  }

  private group(g: string): GroupState {
    let s = this.groups.get(g);
    if (!s) {
      s = { peers: new Int32Array(this.maxAge + 1), top: new Float64Array(0), size: new Uint8Array(0) };
      this.groups.set(g, s);
    }
    return s;
  }

  /** Step 1: one reference model of these groups, created on `createdAt`. */
  count(groups: readonly string[], createdAt: string): void {
    if (!this.counting) throw new Error('CutoffBuilder: count() after add()');
    const age = Math.min(this.ageOf(createdAt), this.maxAge);
    for (const g of groups) this.group(g).peers[age]! += 1;
  }

  /**
   * Between count() and add(): cut-offs are wanted only up to `maxAge` (the digest's models are a week old), so the
   * histories are read only as far as those ages need.
   */
  narrowAges(maxAge: number): void {
    if (!this.counting) throw new Error('CutoffBuilder: narrowAges() after add()');
    this.maxAge = Math.max(0, Math.min(this.maxAge, maxAge));
  }

  private startAdding(): void {
    this.counting = false;
    const n = this.maxAge + 1;
    this.scratch = new Float64Array(n);
    for (const s of this.groups.values()) {
      // Models older than maxAge are peers at every age kept.
      let older = 0;
      for (let a = n; a < s.peers.length; a++) older += s.peers[a]!;
      s.peers = s.peers.slice(0, n);
      s.peers[n - 1]! += older;
      for (let a = n - 2; a >= 0; a--) s.peers[a]! += s.peers[a + 1]!;
      s.top = new Float64Array(n * RAM_PEERS);
      s.size = new Uint8Array(n);
      for (let a = 0; a <= this.maxAge && s.peers[a]! >= RAM_PEERS; a++) {
        this.openGroup.push(s);
        this.openAge.push(a);
      }
    }
  }

  /** Step 2: a reference model's history (counted in step 1), in descending order of `current`. */
  add(groups: readonly string[], curve: AdoptionCurve): void {
    if (this.counting) this.startAdding();
    const created = dayNumber(curve.createdAt);
    const ages = Math.min(this.ageOf(curve.createdAt), this.maxAge);
    // Its cumulative count at each age: the count on the last stored date at or before that day, 0 before its first
    // stored date (it started from 0), and never above its current count (an earlier, higher count was corrected).
    let p = 0;
    let last = 0;
    for (let a = 0; a <= ages; a++) {
      const day = created + a;
      while (p < curve.dates.length && this.dayOf(curve.dates[p]!) <= day) last = curve.counts[p++]!;
      this.scratch[a] = Math.min(last, curve.current);
    }
    for (const g of groups) {
      const s = this.groups.get(g);
      if (!s) continue;
      for (let a = 0; a <= ages; a++) insertTop(s, a, this.scratch[a]!);
    }
  }

  private dayOf(date: string): number {
    let d = this.days.get(date);
    if (d === undefined) this.days.set(date, (d = dayNumber(date)));
    return d;
  }

  /** True once no model whose current count is at most `bound` can change any cut-off. */
  settled(bound: number): boolean {
    if (this.counting) this.startAdding();
    // Later models can lift a 10th-largest value only up to `bound`: under RAM_MIN_CUTOFF, where none is given.
    if (bound < RAM_MIN_CUTOFF) {
      this.openGroup.length = 0;
      this.openAge.length = 0;
      return true;
    }
    let w = 0;
    for (let i = 0; i < this.openGroup.length; i++) {
      const s = this.openGroup[i]!;
      const a = this.openAge[i]!;
      if (s.size[a] === RAM_PEERS && s.top[a * RAM_PEERS + RAM_PEERS - 1]! >= bound) continue;
      this.openGroup[w] = s;
      this.openAge[w] = a;
      w++;
    }
    this.openGroup.length = w;
    this.openAge.length = w;
    return w === 0;
  }

  /**
   * The curves: per group and age, the running maximum of the 10th-largest value; NaN where fewer than 10 peers are
   * that old or the maximum is under RAM_MIN_CUTOFF. A value read before settled() stopped the pass is exact where it is
   * at least RAM_MIN_CUTOFF, and known to be under it otherwise (a slot never filled counts 0).
   */
  result(): Cutoffs {
    if (this.counting) this.startAdding();
    const curves = new Map<string, Float64Array>();
    for (const [g, s] of this.groups) {
      const c = new Float64Array(this.maxAge + 1).fill(Number.NaN);
      let runMax = 0;
      for (let a = 0; a <= this.maxAge; a++) {
        if (s.peers[a]! < RAM_PEERS) break;
        if (s.size[a] === RAM_PEERS) runMax = Math.max(runMax, s.top[a * RAM_PEERS + RAM_PEERS - 1]!);
        if (runMax >= RAM_MIN_CUTOFF) c[a] = runMax;
      }
      curves.set(g, c);
    }
    return new Cutoffs(curves, this.maxAge);
  }
}

function insertTop(s: GroupState, age: number, v: number): void {
  const base = age * RAM_PEERS;
  let n = s.size[age]!;
  if (n === RAM_PEERS) {
    if (v <= s.top[base + RAM_PEERS - 1]!) return;
    n -= 1;
  } else s.size[age] = n + 1;
  let i = n;
  while (i > 0 && s.top[base + i - 1]! < v) {
    s.top[base + i] = s.top[base + i - 1]!;
    i--;
  }
  s.top[base + i] = v;
}

export class Cutoffs {
  constructor(
    private readonly curves: ReadonlyMap<string, Float64Array>,
    readonly maxAge: number,
  ) {}

  /** The group's cut-off at `age`, or null (fewer than 10 peers that old, under RAM_MIN_CUTOFF, or past maxAge). */
  at(group: string, age: number): number | null {
    if (age < 0 || age > this.maxAge) return null;
    const v = this.curves.get(group)?.[age];
    return v === undefined || Number.isNaN(v) ? null : v;
  }

  /** RAM of a model with `current` downloads at `age`; null without a cut-off. */
  ram(group: string, age: number, current: number): number | null {
    const c = this.at(group, age);
    return c === null ? null : current / c;
  }
}

// ---- top lists -------------------------------------------------------------------------------------------------

/** The `n` largest items by value (ties by key), kept in memory as at most 2n items. */
export class TopList<T extends { key: string; value: number }> {
  private items: T[] = [];
  constructor(private readonly n: number) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= 2 * this.n + 16) this.trim();
  }

  private trim(): void {
    this.items.sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.items.length = Math.min(this.items.length, this.n);
  }

  list(): T[] {
    this.trim();
    return [...this.items];
  }
}

// ---- method text -----------------------------------------------------------------------------------------------

export const MOMENTUM_METHOD = {
  ram: "Relative Adoption Metric, after the ATOM Report's RAM v2: a model's cumulative downloads on the day ÷ the cut-off of its size class at the same age (days since its creation). Above 1: on track for the top 10 of its size class. Given for reference models only, and only where the cut-off exists (see cutoff).",
  growth7d:
    "7-day growth, after Model Pulse's growth_7d: downloads of the last 7 days ÷ the mean weekly downloads of the 3 weeks before, minus 1; only where that mean is at least 100. Downloads are differences of all-time counts on the last stored date at or before the day, 7 days before and 28 days before (each within 7 days of it, else null); where the stored dates are not exactly 7 and 21 days apart (weekly history), each difference is scaled to a week. A count that went down counts 0 downloads. Every model with the three counts, any relation.",
  sizeClasses:
    'Parameters from the record (safetensors total) where present, else parsed from the name (7B, 0.5B, 70b, 8x7B as 56B, 135M; the largest size the name gives, so A3B-style active counts and 1M contexts do not count); models with neither have no class and no RAM.',
  referenceSet:
    'Base models (relation base: original releases, not fine-tunes, adapters, quantisations or merges) created inside the stored history (on or after its first date) with an all-time count on the day, compared within the same scope (all, or llm), platform (each counts its own downloads) and size class.',
  cutoff:
    "For each age a, the 10th-largest cumulative downloads at age a among the reference models at least a days old; a model's count at age a is its all-time count on the last stored date at or before creation + a days (0 before its first, never above its count on the day). The cut-off is the running maximum of that over ages up to a (ATOM's monotonic top-10 cut-off, non-decreasing in age); none where fewer than 10 reference models are that old, or where it is under 100 downloads (too thin to compare against; on weekly history the first days after creation usually are).",
  windows:
    'RAM: cumulative since creation, as of the day. growth7d: the last 7 days against the 21 days before them. History may be daily (live sweeps) or weekly (dump backfill): every count is read on the last stored date at or before the day it stands for.',
} as const;
