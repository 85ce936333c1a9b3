// The ModelScope daily sweep as a plan of listings: which dolphin listing to ask next, what each answer shows, and
// what the whole walk can claim at its end (docs/method.md, "ModelScope"). No I/O here: the source (index.ts) asks
// `next()` for the request, fetches and validates it, hands the answer to `take()` and yields the page with
// `cursor()` as its resume point.
//
// Why it is built this way (research/modelscope-wisemodel.md §A2, §A7, §E):
// - The listing order is `SortBy: GmtModified`, newest `LastUpdatedTime` first [official: the MCP server's literal
//   and its updated_at mapping; that GmtModified sorts by LastUpdatedTime is inferred from the naming and checked
//   on every page]. It is not still, but it moves one way: a model updated or created during the walk jumps to the
//   front. So the walk counts only models whose LastUpdatedTime is at most `h0` (the newest time on the first page),
//   and a closing pass re-reads the front down to `h0`: every model that moved is there. Downloads and stars orders
//   move both ways with the counters and can skip a model for good.
// - Every answer carries `TotalCount`, and nothing but TotalCount can show that a walk saw everything: no cap is
//   documented, but none can be ruled out (the OpenAPI refuses offsets past 3,000; a third party read dolphin to
//   offset 9,000). A listing that stops (short, then empty pages) before its own TotalCount has met a depth limit.
// - Then the catalogue is partitioned by criteria the API honours (`tasks` official; `libraries`, `tags`,
//   `organizations` third party), recursively until each listing is within reach. Unknown criteria are ignored
//   silently, so a partition is trusted only by its own TotalCount: smaller than its parent's, and agreeing with the
//   parent's facet count (`FiledAgg`) where there is one.
// - Each model is counted by exactly one listing, decided from its own fields (its canonical partition: the first
//   value of each split it matches, or the split's rest), so the count needs no memory of earlier ids and survives a
//   resume; a set of id hashes only removes in-process repeats. The cursor carries the plan, the counts and the
//   walk's keyset boundary; after a resume, items sorting before the boundary are taken as seen before it.
import type { ModelScopeInput } from './schema.js';
import type { SweepReport } from '../types.js';
import { isoInstant } from '../../normalise/text.js';

export const MS_CATEGORIES = ['tasks', 'organizations', 'libraries', 'tags', 'license'] as const;
export type MsCategory = (typeof MS_CATEGORIES)[number];

export interface MsSweepSettings {
  pageSize: number;
  /** Models a listing serves at most, when known beforehand (config); null: found out by walking. */
  depthLimit: number | null;
  /** Criterion categories to partition by, in order. */
  partitionBy: readonly MsCategory[];
  /** Task names to partition by besides those the walk has seen in records (`Tasks[].Name`). */
  taskValues: readonly string[];
  /** Most partitions one split makes. */
  maxPartitions: number;
  /** Most listings one sweep starts; past it nothing is split further (the gap is reported). */
  maxListings: number;
}

export type Crit = readonly [MsCategory, string];
export type Facets = Record<string, Array<{ Count: number; Value: string }>>;

/** One dolphin answer, as the walk needs it. */
export interface MsAnswer {
  /** The page's validated items. */
  items: readonly ModelScopeInput[];
  /** Items the page listed (quarantined ones included). */
  listed: number;
  total: number | null;
  facets: Facets | null;
}

/** Where a listing sits in the plan: the root, child `i` of split `s`, or split `s`'s rest (`i` = -1). */
interface NodeRef {
  s: number;
  i: number;
}

interface Split {
  /** The node split. */
  p: NodeRef;
  /** Index in partitionBy of the category. */
  l: number;
  c: MsCategory;
  v: string[];
  /** The parent's facet count of each value, where FiledAgg had one. */
  f: Array<number | null>;
  /** The parent's TotalCount. */
  t: number;
  /** Models counted when the split was made: what its subtree counts is `counted - n0`. */
  n0: number;
  /** Models the split node may hold (its TotalCount; for a rest, what its split had left): once counted, stop. */
  g: number;
  /** When the split's rest began to be read: models counted then, and the plan's stack length (to undo it). */
  r0?: number;
  rsl?: number;
  /** How many splits there were when the rest began: those made since belong to it. */
  rsp?: number;
  /** Children whose own TotalCount was not below the parent's. */
  same: number;
  /** A child's TotalCount was below the parent's: the platform honours the criterion here. */
  ok?: boolean;
  dead?: boolean;
}

interface Entry {
  n: NodeRef;
  /** The first partitionBy index this node may still split by. */
  l: number;
  /** Split without walking (its listing is known to be out of reach). */
  force?: boolean;
  /** A rest whose reachable part was scanned for values already. */
  sc?: boolean;
  /** A child whose TotalCount was judged already (it waited for a sibling's). */
  chk?: boolean;
}

interface Boundary {
  /** Lowest LastUpdatedTime seen in the listing (epoch seconds), and the ids seen at exactly that time. */
  bt: number | null;
  bi: string[];
  /** More ids at `bt` than kept. */
  bo: boolean;
}

interface Walk extends Boundary {
  n: NodeRef;
  l: number;
  force: boolean;
  sc: boolean;
  chk: boolean;
  close: boolean;
  page: number;
  total: number | null;
  /** Models the listing has served so far (its offset after the last non-empty page). */
  reached: number;
  /** Models counted when the listing started: what it counted is given back if it is given up. */
  start: number;
  /** The boundary when this walk was resumed: what sorts before it was read before the resume. */
  rb?: Boundary;
}

interface Stats {
  pages: number;
  quarantined: number;
  /** Models met twice within one listing: the order moved under the walk. */
  dups: number;
  /** Models met with LastUpdatedTime after h0 (updated or created during the walk), left to the closing pass. */
  movers: number;
  /** Models sorted before the listing's lowest time so far, not met before in it: GmtModified is not LastUpdatedTime. */
  outOfOrder: number;
  /** Listings counted and then given up (a depth limit found on them, or a criterion found ignored). */
  rewalks: number;
  /** Rest listings read, and skipped because their split's children already made up its TotalCount. */
  rests: number;
  restsSkipped: number;
  /** Values found on a rest's reachable part and added to its split. */
  discovered: number;
  ignored: string[];
  noValues: string[];
  unreachable: Array<{ q: string; total: number; reached: number }>;
  /** Closing pass: models counted there, models it could not tell from earlier ones (after a resume), cut short. */
  closeCounted: number;
  closeUnsure: number;
  closeCut: boolean;
  leaves: number;
  /** Listings started (each costs at least one request). */
  listings: number;
  /** Splits refused because maxListings was reached. */
  budgetSpent: boolean;
}

interface State {
  v: 1;
  /** Newest LastUpdatedTime on the first page (epoch seconds): the walk counts models not changed since. */
  h0: number | null;
  depth: number | null;
  depthSeen: boolean;
  splits: Split[];
  stack: Entry[];
  cur: Walk | null;
  phase: 'walk' | 'close' | 'done';
  counted: number;
  /**
   * Models accounted for in the plan's arithmetic (rests, goals, give-backs): `counted` plus the models created
   * during the walk met in their own listing, which only the closing pass counts.
   */
  acc: number;
  total0: number | null;
  totalEnd: number | null;
  noTotal: boolean;
  /** Resumed from a checkpoint at least once. */
  rs: boolean;
  /** Resumed from a page-number cursor of an older version: what came before it cannot be accounted for. */
  legacy: boolean;
  st: Stats;
}

const ROOT: NodeRef = { s: -1, i: 0 };
const isRoot = (n: NodeRef): boolean => n.s < 0;
const isRest = (n: NodeRef): boolean => n.s >= 0 && n.i === -1;
/** Ids kept at a keyset boundary's exact time; beyond them every model at that time counts as seen (conservative). */
const BOUNDARY_IDS = 64;
/** A facet value held by this share of a listing or more splits nothing off. */
const NEAR_UNIVERSAL = 0.9;
/** Distinct values remembered per category from records (values to partition by). */
const OBSERVED_CAP = 5_000;
/** Criterion values remembered per namespace. */
const NS_VALUES = 64;

/** The record's id: `Path/Name` (there is no combined id field, note §A3). */
export const msItemId = (m: ModelScopeInput): string => `${m.Path}/${m.Name}`;

/** A time field as epoch seconds: numbers and numeric strings (s or ms), else the text read as Beijing time. */
export function msTimeSec(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? (v < 1e11 ? v : v / 1000) : null;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return msTimeSec(Number(v));
  const iso = isoInstant(v, '+08:00');
  return iso === null ? null : Date.parse(iso) / 1000;
}

/** 52-bit FNV-1a of an id (two 32-bit lanes): a collision makes the count lower, never higher. */
function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (b >>> 12) * 0x1_0000_0000 + (a >>> 0);
}

/** The values a record shows for a criterion category, lower-cased (matching is case-insensitive). */
export function valuesOf(m: ModelScopeInput, c: MsCategory): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.trim() !== '') out.push(v.trim().toLowerCase());
  };
  switch (c) {
    case 'tasks':
      for (const t of m.Tasks ?? []) add(t?.Name);
      break;
    case 'organizations':
      add(m.Path);
      add(m.Organization?.Name);
      break;
    case 'libraries':
      for (const x of m.Libraries ?? []) add(x);
      break;
    case 'tags':
      for (const x of m.Tags ?? []) add(x);
      break;
    case 'license':
      add(m.License);
      break;
  }
  return out;
}

const matches = (m: ModelScopeInput, [c, v]: Crit): boolean => valuesOf(m, c).includes(v.toLowerCase());

/** A record's values for a category as written (trimmed, not lower-cased): what a Criterion would name. */
function rawValues(m: ModelScopeInput, c: MsCategory): string[] {
  const raw: unknown[] =
    c === 'tasks'
      ? (m.Tasks ?? []).map((t) => t?.Name)
      : c === 'organizations'
        ? [m.Path, m.Organization?.Name]
        : c === 'libraries'
          ? (m.Libraries ?? [])
          : c === 'tags'
            ? (m.Tags ?? [])
            : [m.License];
  const out: string[] = [];
  for (const v of raw) if (typeof v === 'string' && v.trim() !== '' && !out.includes(v.trim())) out.push(v.trim());
  return out;
}

export class MsSweepPlan {
  private readonly s: MsSweepSettings;
  private st: State;
  private readonly counted = new Set<number>();
  /** Hashes in the order this process counted them, for giving counts back. */
  private log: number[] = [];
  private readonly walkSeen = new Set<number>();
  private readonly deferred = new Set<number>();
  /** Values of `restSplit`'s category on the models its rest owns (see restructure). */
  private readonly discovered = new Map<string, { v: string; n: number }>();
  private restSplit: number | null = null;
  /** Per namespace seen: how often, and the criterion values its models showed (to pick organisation partitions). */
  private readonly namespaces = new Map<string, { v: string; n: number; vals: Set<string>; full: boolean }>();
  private q: Crit[] = [];
  private x: Crit[] = [];
  private readonly observed = new Map<MsCategory, Map<string, { v: string; n: number }>>();

  constructor(settings: MsSweepSettings, cursor: string | null) {
    this.s = settings;
    this.st = cursor ? this.restore(cursor) : fresh();
    // A depth limit known beforehand (config) lets the root split at its first page instead of being walked first.
    if (!cursor && settings.depthLimit !== null) this.st.depth = settings.depthLimit;
    this.enter();
  }

  /** The listing and page to ask for next; null once the walk is over. */
  next(): { criteria: Crit[]; pageNumber: number; close: boolean } | null {
    const w = this.st.cur;
    return w ? { criteria: this.q, pageNumber: w.page, close: w.close } : null;
  }

  /** The resume point after the last answer taken (JSON; null after the last page). */
  cursor(): string | null {
    return this.st.phase === 'done' ? null : JSON.stringify(this.st);
  }

  /** Human-readable listing, for logs and quarantine refs. */
  describe(criteria: readonly Crit[] = this.q): string {
    return criteria.length ? criteria.map(([c, v]) => `${c}=${v}`).join('&') : 'all';
  }

  take(a: MsAnswer): void {
    const st = this.st;
    const w = st.cur;
    if (!w) throw new Error('modelscope sweep: an answer with no request outstanding');
    st.st.pages++;
    // Unreadable sightings, counted where models are counted (the closing pass lists the front a second time).
    if (!w.close) st.st.quarantined += Math.max(0, a.listed - a.items.length);
    for (const m of a.items) this.observe(m);
    const T = a.total;
    if (T === null) st.noTotal = true;
    if (w.close) return this.takeClose(w, a);
    if (w.page === 1) {
      w.total = T;
      if (isRoot(w.n)) {
        if (st.h0 === null) st.h0 = maxTime(a.items);
        if (st.total0 === null) st.total0 = T;
      }
      // A listing read again after a depth limit was found on it has been judged already.
      if (!isRoot(w.n) && w.n.i >= 0 && !w.force && !w.chk && T !== null && this.judge(w, T)) return this.advance();
      if (T === 0) return this.finish();
      const splittable = w.l < this.s.partitionBy.length;
      const outOfReach = st.depth !== null && T !== null && T > st.depth - reachMargin(st.depth, this.s.pageSize);
      // A rest is read to its depth once before it is split: values of its split's category it shows there become
      // partitions of their own (task names have no facet, and a rare one may lie beyond the first listing's reach).
      const scanFirst = isRest(w.n) && !w.sc;
      if (splittable && T !== null && (w.force || (outOfReach && !scanFirst))) {
        this.split(w, a.facets, T);
        return this.advance();
      }
    }
    this.count(w, a.items);
    if (this.restSplit !== null && this.discovered.size > 0 && this.restructure(this.restSplit)) return;
    const n = a.listed;
    const offset = (w.page - 1) * this.s.pageSize;
    if (n > 0) {
      w.reached = offset + n;
      const full = n >= this.s.pageSize;
      if (T === null ? !full : w.reached >= T || (full && w.page * this.s.pageSize >= T)) return this.finish();
      // A short page alone never ends a walk: the next page says whether the listing goes on.
      w.page++;
      return;
    }
    if (T === null || offset >= T) return this.finish();
    this.depthHit(w, T);
  }

  /** What the walk can show, for the day's coverage (Source.sweepReport). */
  report(ctx: { recordsSeen: number; resumed: boolean }): SweepReport {
    const st = this.st;
    const s = st.st;
    const total = st.totalEnd ?? st.total0;
    const shown = st.counted;
    const why: string[] = [];
    if (st.phase !== 'done') why.push('the walk did not reach its end');
    if (st.noTotal || total === null)
      why.push('the platform sent no TotalCount, so no walk can show that it saw every model');
    else if (shown < total) why.push(`${total - shown} of the ${total} models TotalCount announces were not shown`);
    if (s.unreachable.length && (total === null || shown < total)) {
      const list = s.unreachable
        .slice(0, 5)
        .map((u) => `${u.q} (${u.total} models, ${u.reached} reachable)`)
        .join('; ');
      why.push(
        `listings still beyond the depth limit after every partition: ${list}${s.unreachable.length > 5 ? `; and ${s.unreachable.length - 5} more` : ''}`,
      );
    }
    if (s.budgetSpent && (total === null || shown < total))
      why.push(
        `the plan reached sources.modelscope.sweep.maxListings (${this.s.maxListings} listings) and split nothing further`,
      );
    if (s.closeCut)
      why.push("the closing pass could not read back to the walk's start (more models moved than one listing serves)");
    if (st.legacy)
      why.push(
        'resumed from a page-number checkpoint of an older version: the pages before it cannot be accounted for',
      );
    if (!ctx.resumed && !st.rs && ctx.recordsSeen < shown)
      why.push(`only ${ctx.recordsSeen} records were committed for ${shown} models shown`);
    const complete = why.length === 0;
    const notes: string[] = [];
    const order =
      'listings by GmtModified (LastUpdatedTime, newest first), models changed during the walk read back by a closing pass';
    notes.push(`ModelScope sweep: ${shown} of ${total ?? '?'} models shown against TotalCount (${order})`);
    if (st.depth !== null || st.splits.length > 0) {
      const seenOn = 'found on a listing that stopped before its TotalCount';
      const from =
        this.s.depthLimit === null ? seenOn : `sources.modelscope.sweep.depthLimit${st.depthSeen ? `; ${seenOn}` : ''}`;
      const cats = [...new Set(st.splits.filter((x) => !x.dead).map((x) => x.c))].join(', ') || 'nothing';
      notes.push(
        `depth limit: a listing serves ${st.depth ?? '?'} models at most (${from}); ` +
          `partitioned by ${cats} into ${s.leaves} listings (${s.rests} rests read, ${s.restsSkipped} not needed, ${s.discovered} values found on rests; ${s.rewalks} listings given up and read again)`,
      );
    }
    if (s.ignored.length) notes.push(`criteria the platform ignored (TotalCount unchanged): ${s.ignored.join('; ')}`);
    if (s.noValues.length)
      notes.push(
        `no value to partition by (none seen, or every value on nearly every model): ${s.noValues.slice(0, 10).join('; ')}`,
      );
    if (s.dups || s.movers || s.closeCounted) {
      notes.push(
        `the order moved during the walk: ${s.dups} models met twice in one listing, ${s.movers} sightings after an update; the closing pass counted ${s.closeCounted} models changed or created during the walk`,
      );
    }
    if (s.outOfOrder)
      notes.push(
        `${s.outOfOrder} models came out of LastUpdatedTime order: GmtModified may not sort by it (run hubwatch probe)`,
      );
    if (s.quarantined)
      notes.push(`${s.quarantined} listed items were unreadable (quarantined) and are not counted as shown`);
    if (st.rs)
      notes.push(
        `resumed from a checkpoint: counts carried by the cursor${s.closeUnsure ? `; ${s.closeUnsure} models updated during the walk could not be told apart from models counted before the resume and were not counted` : ''}`,
      );
    if (!complete) notes.push(`incomplete: ${why.join('; ')}; nobody is marked missing today`);
    return { complete, notes };
  }

  // ------------------------------------------------------------------------------------------------ the plan

  /**
   * Whether a child's TotalCount shows its split's criterion honoured. One child below the parent's total settles it;
   * a child at the parent's total waits until a sibling has answered (a value every model has is possible, an
   * ignored criterion gives the same total twice). True when the plan changed and the walk must move on.
   */
  private judge(w: Walk, T: number): boolean {
    const st = this.st;
    const sp = st.splits[w.n.s]!;
    if (sp.ok || sp.t <= 0) return false;
    if (T < sp.t) {
      sp.ok = true;
      return false;
    }
    const facet = sp.f[w.n.i] ?? null;
    sp.same++;
    if ((facet !== null && facet < sp.t) || sp.same >= 2 || sp.v.length === 1) {
      this.abandon(w.n.s);
      return true;
    }
    const next = st.stack.at(-1);
    if (next && next.n.s === w.n.s && next.n.i >= 0) {
      st.stack.pop();
      st.stack.push({ n: w.n, l: w.l, chk: true }, next);
      st.cur = null;
      return true;
    }
    return false;
  }

  /** A split whose criterion the platform ignores: its counts are given back and the node splits by the next one. */
  private abandon(s: number): void {
    const st = this.st;
    const sp = st.splits[s]!;
    sp.dead = true;
    st.st.ignored.push(`${sp.c} on ${this.describe(this.nodeQ(sp.p))}`);
    for (;;) {
      const e = st.stack.pop();
      if (!e || (e.n.s === s && e.n.i === -1)) break;
    }
    this.rollback(sp.n0);
    st.st.rewalks++;
    st.stack.push({ n: sp.p, l: sp.l + 1, force: true, sc: isRest(sp.p) });
    st.cur = null;
  }

  private split(w: Walk, facets: Facets | null, T: number): void {
    const st = this.st;
    // A plan that keeps splitting costs the platform requests without end: past the budget, what a listing serves
    // is read and the rest is reported as a gap.
    if (st.st.listings >= this.s.maxListings) st.st.budgetSpent = true;
    for (let l = st.st.budgetSpent ? this.s.partitionBy.length : w.l; l < this.s.partitionBy.length; l++) {
      const c = this.s.partitionBy[l]!;
      const vals = this.valuesFor(c, facets, T);
      if (vals.length === 0) {
        st.st.noValues.push(`${c} on ${this.describe()}`);
        continue;
      }
      const g = isRest(w.n) ? this.restLeft(w.n.s) : T;
      const s =
        st.splits.push({
          p: w.n,
          l,
          c,
          v: vals.map((x) => x.v),
          f: vals.map((x) => x.n),
          t: T,
          n0: st.acc,
          g,
          same: 0,
        }) - 1;
      st.stack.push({ n: { s, i: -1 }, l: l + 1 });
      for (let i = vals.length - 1; i >= 0; i--) st.stack.push({ n: { s, i }, l: l + 1 });
      st.cur = null;
      return;
    }
    // Nothing left to split by: read what the listing serves, and say what it does not.
    st.stack.push({ n: w.n, l: this.s.partitionBy.length });
    st.cur = null;
  }

  /** What a split's rest may still hold: the split node's models not counted by its children. */
  private restLeft(s: number): number {
    const sp = this.st.splits[s]!;
    return sp.g - (this.st.acc - sp.n0);
  }

  /** Whether the node's split, or a split above it, has counted all it may hold. */
  private accounted(n: NodeRef): boolean {
    for (let s = n.s; s >= 0; s = this.st.splits[s]!.p.s) if (this.restLeft(s) <= 0) return true;
    return false;
  }

  private valuesFor(c: MsCategory, facets: Facets | null, T: number): Array<{ v: string; n: number | null }> {
    const out: Array<{ v: string; n: number | null }> = [];
    const seen = new Set<string>();
    const add = (v: string, n: number | null): void => {
      const k = v.trim().toLowerCase();
      if (!k || seen.has(k) || out.length >= this.s.maxPartitions) return;
      seen.add(k);
      out.push({ v: v.trim(), n });
    };
    const facet = facets?.[c];
    if (Array.isArray(facet)) {
      // FiledAgg counts this very listing: a value nearly every model has splits nothing off. Smallest first: the
      // cheap listings come first, and a subtree that has counted all it may hold stops before the large ones.
      const usable = facet.filter((f) => typeof f?.Value === 'string' && f.Count > 0 && f.Count < NEAR_UNIVERSAL * T);
      for (const f of usable.sort((a, b) => a.Count - b.Count)) add(f.Value, f.Count);
      return out;
    }
    if (c === 'organizations') {
      // Namespaces whose models showed every other criterion of this listing: the ones that can have models in it.
      const need = this.q.filter(([qc]) => qc !== 'organizations').map(([qc, v]) => `${qc}=${v.toLowerCase()}`);
      const fit = [...this.namespaces.values()].filter((e) => e.full || need.every((p) => e.vals.has(p)));
      for (const e of fit.sort((a, b) => b.n - a.n || (a.v < b.v ? -1 : 1))) add(e.v, null);
      return out;
    }
    const obs = [...(this.observed.get(c)?.values() ?? [])].sort((a, b) => b.n - a.n || (a.v < b.v ? -1 : 1));
    for (const o of obs) add(o.v, null);
    if (c === 'tasks') for (const t of this.s.taskValues) add(t, null);
    return out;
  }

  private depthHit(w: Walk, T: number): void {
    const st = this.st;
    const d = w.reached;
    // A listing that cannot serve one page is broken, not deep: splitting it would only multiply the failure.
    if (d >= this.s.pageSize) {
      st.depth = Math.min(st.depth ?? Infinity, d);
      st.depthSeen = true;
      if (w.l < this.s.partitionBy.length) {
        this.rollback(w.start);
        st.st.rewalks++;
        st.stack.push({ n: w.n, l: w.l, force: true, sc: true });
        st.cur = null;
        return this.advance();
      }
    }
    st.st.unreachable.push({ q: this.describe(), total: T, reached: d });
    this.finish();
  }

  private finish(): void {
    const w = this.st.cur!;
    if (!w.close) this.st.st.leaves++;
    this.st.cur = null;
    this.advance();
  }

  /** Moves to the next listing that needs reading (the closing pass last), or to the end. */
  private advance(): void {
    const st = this.st;
    while (st.cur === null) {
      if (st.phase === 'close') {
        st.phase = 'done';
        return;
      }
      if (st.phase === 'done') return;
      const e = st.stack.pop();
      if (!e) {
        st.phase = 'close';
        st.cur = newWalk(ROOT, this.s.partitionBy.length, false, true, st.acc);
        break;
      }
      if (!isRoot(e.n)) {
        if (st.splits[e.n.s]!.dead) continue;
        // A split whose subtree has counted every model its node may hold has nothing left to find: the rest of its
        // listings (and of any split above that is done) are not read.
        if (this.accounted(e.n)) {
          if (e.n.i === -1) st.st.restsSkipped++;
          continue;
        }
        if (e.n.i === -1) {
          if (!e.sc) st.st.rests++;
          const sp = st.splits[e.n.s]!;
          sp.r0 = st.acc;
          sp.rsl = st.stack.length;
          sp.rsp = st.splits.length;
        }
      }
      st.cur = newWalk(e.n, e.l, e.force === true, false, st.acc, e.sc === true, e.chk === true);
      st.st.listings++;
    }
    this.enter();
  }

  /** Sets up the in-memory side of the current listing. */
  private enter(): void {
    this.walkSeen.clear();
    this.discovered.clear();
    this.restSplit = null;
    const w = this.st.cur;
    if (!w) return;
    this.q = this.nodeQ(w.n);
    this.x = this.nodeX(w.n);
    // The outermost rest this listing lies in: a model it owns that shows a value of that split's category is a
    // value the split missed (and the cheapest place to fix it).
    if (!w.close) for (let n = w.n; !isRoot(n); n = this.st.splits[n.s]!.p) if (isRest(n)) this.restSplit = n.s;
  }

  /**
   * Values found on models a rest owns join its split as partitions after the others; everything read in the rest
   * since it began is given back, and the rest (now excluding them too) is read again after them. False when there
   * was nothing new to add (the walk goes on as it was).
   */
  private restructure(s: number): boolean {
    const st = this.st;
    const sp = st.splits[s]!;
    const known = new Set(sp.v.map((v) => v.toLowerCase()));
    const add = [...this.discovered.values()]
      .filter((x) => !known.has(x.v.toLowerCase()))
      .sort((a, b) => b.n - a.n || (a.v < b.v ? -1 : 1))
      .slice(0, Math.max(0, this.s.maxPartitions * 4 - sp.v.length));
    this.discovered.clear();
    if (add.length === 0 || sp.r0 === undefined || sp.rsl === undefined || sp.rsp === undefined) return false;
    for (let k = sp.rsp; k < st.splits.length; k++) st.splits[k]!.dead = true;
    st.stack.length = Math.min(st.stack.length, sp.rsl);
    this.rollback(sp.r0);
    const first = sp.v.length;
    for (const x of add) {
      sp.v.push(x.v);
      sp.f.push(null);
    }
    st.st.discovered += add.length;
    st.stack.push({ n: { s, i: -1 }, l: sp.l + 1, sc: true });
    for (let i = sp.v.length - 1; i >= first; i--) st.stack.push({ n: { s, i }, l: sp.l + 1 });
    st.cur = null;
    this.advance();
    return true;
  }

  private nodeQ(n: NodeRef): Crit[] {
    if (isRoot(n)) return [];
    const sp = this.st.splits[n.s]!;
    const base = this.nodeQ(sp.p);
    return n.i >= 0 ? [...base, [sp.c, sp.v[n.i]!]] : base;
  }

  private nodeX(n: NodeRef): Crit[] {
    if (isRoot(n)) return [];
    const sp = this.st.splits[n.s]!;
    const earlier = n.i >= 0 ? sp.v.slice(0, n.i) : sp.v;
    return [...this.nodeX(sp.p), ...earlier.map((v): Crit => [sp.c, v])];
  }

  // ------------------------------------------------------------------------------------------------ counting

  private count(w: Walk, items: readonly ModelScopeInput[]): void {
    const st = this.st;
    const h0 = st.h0 ?? Infinity;
    const restOf = this.restSplit === null ? null : st.splits[this.restSplit]!.c;
    for (const m of items) {
      const id = msItemId(m);
      const h = idHash(id);
      if (this.walkSeen.has(h)) {
        st.st.dups++;
        continue;
      }
      this.walkSeen.add(h);
      const t = msTimeSec(m.LastUpdatedTime) ?? -Infinity;
      const before = sortsBefore(w, t, id);
      bound(w, t, id);
      if (w.rb && sortsBefore(w.rb, t, id)) continue; // read before the resume
      const moved = t > h0;
      if (moved) st.st.movers++;
      else if (before) st.st.outOfOrder++;
      if (!this.owns(m)) continue;
      if (restOf) for (const v of rawValues(m, restOf)) this.discover(v);
      if (!moved) this.add(h);
      // A model updated during the walk, met in its own listing, is seen: in-process the hash set keeps it from
      // counting twice. After a resume only the closing pass may count it, and a new model always waits for it; the
      // plan still learns of both (a rest need not be read for them).
      else if (!st.rs && (msTimeSec(m.CreatedTime) ?? Infinity) <= h0) this.add(h);
      else this.defer(h);
    }
  }

  private discover(v: string): void {
    const k = v.toLowerCase();
    const o = this.discovered.get(k);
    if (o) o.n++;
    else if (this.discovered.size < OBSERVED_CAP) this.discovered.set(k, { v, n: 1 });
  }

  private takeClose(w: Walk, a: MsAnswer): void {
    const st = this.st;
    if (w.page === 1) {
      w.total = a.total;
      st.totalEnd = a.total;
    }
    // No first page ever set h0 (a legacy resume): there is no walk start to read back to.
    if (st.h0 === null) return this.finish();
    const h0 = st.h0;
    let old = false;
    for (const m of a.items) {
      const id = msItemId(m);
      const h = idHash(id);
      if (this.walkSeen.has(h)) continue;
      this.walkSeen.add(h);
      const t = msTimeSec(m.LastUpdatedTime) ?? -Infinity;
      const resumedBefore = w.rb !== undefined && sortsBefore(w.rb, t, id);
      bound(w, t, id);
      if (t <= h0) {
        old = true;
        continue;
      }
      if (resumedBefore || this.counted.has(h)) continue;
      // After a resume the hashes of earlier counts are gone: only a model created after h0 cannot have been counted.
      if (st.rs && (msTimeSec(m.CreatedTime) ?? -Infinity) <= h0) {
        st.st.closeUnsure++;
        continue;
      }
      this.add(h);
      st.st.closeCounted++;
    }
    const n = a.listed;
    const offset = (w.page - 1) * this.s.pageSize;
    if (n > 0) w.reached = offset + n;
    if (
      old ||
      (a.total !== null && (w.reached >= a.total || (n >= this.s.pageSize && w.page * this.s.pageSize >= a.total)))
    )
      return this.finish();
    if (n === 0 || (a.total === null && n < this.s.pageSize)) {
      if (a.total !== null && offset < a.total) st.st.closeCut = true;
      return this.finish();
    }
    w.page++;
  }

  /** Whether the current listing is this model's canonical one (its criteria match, no earlier sibling's does). */
  private owns(m: ModelScopeInput): boolean {
    for (const c of this.q) if (!matches(m, c)) return false;
    for (const c of this.x) if (matches(m, c)) return false;
    return true;
  }

  private add(h: number): void {
    if (this.counted.has(h)) return;
    this.counted.add(h);
    this.log.push(h);
    this.st.counted++;
    this.st.acc++;
  }

  /** A model created during the walk, met in its own listing: the closing pass counts it; the plan knows of it now. */
  private defer(h: number): void {
    if (this.counted.has(h) || this.deferred.has(h)) return;
    this.deferred.add(h);
    this.log.push(-1 - h);
    this.st.acc++;
  }

  /**
   * Gives back everything accounted since `acc0` (the plan changed under it). Before a resume the log is gone: what
   * remains to give back comes off `counted`, which can only make the count lower than the truth.
   */
  private rollback(acc0: number): void {
    let drop = this.st.acc - acc0;
    if (drop <= 0) return;
    this.st.acc = acc0;
    while (drop > 0 && this.log.length > 0) {
      const h = this.log.pop()!;
      drop--;
      if (h >= 0) {
        this.counted.delete(h);
        this.st.counted--;
      } else this.deferred.delete(-1 - h);
    }
    this.st.counted = Math.max(0, this.st.counted - drop);
  }

  private observe(m: ModelScopeInput): void {
    const pairs: string[] = [];
    for (const c of this.s.partitionBy) {
      let map = this.observed.get(c);
      if (!map) this.observed.set(c, (map = new Map()));
      for (const v of rawValues(m, c)) {
        const k = v.toLowerCase();
        const o = map.get(k);
        if (o) o.n++;
        else if (map.size < OBSERVED_CAP) map.set(k, { v, n: 1 });
        if (c !== 'organizations') pairs.push(`${c}=${k}`);
      }
    }
    if (!this.s.partitionBy.includes('organizations')) return;
    for (const ns of rawValues(m, 'organizations')) {
      const k = ns.toLowerCase();
      let e = this.namespaces.get(k);
      if (!e) {
        if (this.namespaces.size >= OBSERVED_CAP * 4) continue;
        this.namespaces.set(k, (e = { v: ns, n: 0, vals: new Set(), full: false }));
      }
      e.n++;
      for (const p of pairs) {
        if (e.vals.size >= NS_VALUES) {
          e.full = true;
          break;
        }
        e.vals.add(p);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ cursor

  private restore(cursor: string): State {
    if (/^[1-9]\d{0,6}$/.test(cursor)) {
      // A checkpoint of the page-number walk this replaced: go on from that page, claiming nothing about before it.
      const st = fresh();
      st.cur!.page = Number(cursor);
      st.rs = true;
      st.legacy = true;
      return st;
    }
    let st: State;
    try {
      st = JSON.parse(cursor) as State;
    } catch {
      throw new TypeError('not a ModelScope sweep cursor');
    }
    if (
      !st ||
      st.v !== 1 ||
      !Array.isArray(st.stack) ||
      !Array.isArray(st.splits) ||
      typeof st.counted !== 'number' ||
      !st.st
    ) {
      throw new TypeError('not a ModelScope sweep cursor');
    }
    st.rs = true;
    if (st.cur) st.cur.rb = { bt: st.cur.bt, bi: [...st.cur.bi], bo: st.cur.bo };
    return st;
  }
}

function fresh(): State {
  return {
    v: 1,
    h0: null,
    depth: null,
    depthSeen: false,
    splits: [],
    stack: [],
    cur: newWalk(ROOT, 0, false, false, 0),
    phase: 'walk',
    counted: 0,
    acc: 0,
    total0: null,
    totalEnd: null,
    noTotal: false,
    rs: false,
    legacy: false,
    st: {
      pages: 0,
      quarantined: 0,
      dups: 0,
      movers: 0,
      outOfOrder: 0,
      rewalks: 0,
      rests: 0,
      restsSkipped: 0,
      discovered: 0,
      ignored: [],
      noValues: [],
      unreachable: [],
      closeCounted: 0,
      closeUnsure: 0,
      closeCut: false,
      leaves: 0,
      listings: 0,
      budgetSpent: false,
    },
  };
}

function newWalk(n: NodeRef, l: number, force: boolean, close: boolean, start: number, sc = false, chk = false): Walk {
  return { n, l, force, sc, chk, close, page: 1, total: null, reached: 0, bt: null, bi: [], bo: false, start };
}

function maxTime(items: readonly ModelScopeInput[]): number | null {
  let max: number | null = null;
  for (const m of items) {
    const t = msTimeSec(m.LastUpdatedTime);
    if (t !== null && (max === null || t > max)) max = t;
  }
  return max;
}

/** Whether (t, id) sorts before a listing's boundary, i.e. was already passed. */
function sortsBefore(b: Boundary, t: number, id: string): boolean {
  if (b.bt === null) return false;
  return t > b.bt || (t === b.bt && (b.bo || b.bi.includes(id)));
}

function bound(b: Boundary, t: number, id: string): void {
  if (b.bt === null || t < b.bt) {
    b.bt = t;
    b.bi = [id];
    b.bo = false;
  } else if (t === b.bt) {
    if (b.bi.length < BOUNDARY_IDS) b.bi.push(id);
    else b.bo = true;
  }
}

/**
 * How far below the depth limit a listing must stay to be read whole: models created while it is read push it
 * deeper. A page, or a twentieth of the limit when that is smaller (a limit of one page leaves no room for a page).
 */
function reachMargin(depth: number, pageSize: number): number {
  return Math.min(pageSize, Math.floor(depth / 20));
}
