// Feeds the momentum figures (momentum.ts) from the store, in streamed passes: (1) every model seen on the day, for the
// 7-day growth and to count the reference models of each size class by age; (2) the reference models' histories in
// descending order of their current count, stopped as soon as no later model can change a cut-off; (3) for the
// snapshot, every model again, for its RAM. Memory follows the top lists, the classes × ages and one chunk.
import type { MomentumRow, MomentumStore } from '../store/types.js';
import {
  CutoffBuilder,
  MOMENTUM_METHOD,
  SIZE_CLASSES,
  TopList,
  dayNumber,
  growth7d,
  growthDates,
  lastAtOrBefore,
  peerGroup,
  sizeOf,
  type Cutoffs,
  type GrowthDates,
  type ModelSize,
} from './momentum.js';
import { SCOPES, type MomentumBlock, type MomentumEntry, type MomentumMetric, type Scope } from './types.js';

/** Models per top list in the snapshot. */
export const MOMENTUM_TOP = 20;

export interface MomentumDeps {
  store: MomentumStore;
  /** Tasks that make up the `llm` scope (config `scopes.llm`). */
  llmTasks: readonly string[];
}

interface Frame {
  asOf: string;
  /** The first stored date: models created before it are not reference models (not released inside the history). */
  first: string;
  dates: number;
  growth: GrowthDates;
}

function scopesOf(task: string | null, llm: ReadonlySet<string>): Scope[] {
  return task !== null && llm.has(task) ? ['all', 'llm'] : ['all'];
}

type ReferenceLike = Pick<MomentumRow, 'platform' | 'relation' | 'createdAt'> & {
  current: number | null;
  size: ModelSize | null;
};

/** The peer groups a model belongs to as a reference model, or null when it is not one (momentum.ts, referenceSet). */
function referenceGroups(m: ReferenceLike, f: Frame, scopes: readonly Scope[]): string[] | null {
  if (m.relation !== 'base' || m.current === null || m.createdAt === null || m.size === null) return null;
  const created = m.createdAt.slice(0, 10);
  if (created < f.first || created > f.asOf) return null;
  return scopes.map((s) => peerGroup(s, m.platform, m.size!.sizeClass));
}

async function frameOf(store: MomentumStore, date: string): Promise<Frame | null> {
  const dates = await store.statsDates();
  const asOf = lastAtOrBefore(dates, date);
  if (asOf === null) return null;
  return { asOf, first: dates[0]!, dates: dates.filter((d) => d <= asOf).length, growth: growthDates(dates, asOf) };
}

/** Pass 2: the reference histories, largest current count first, until the cut-offs are settled. */
async function readCutoffs(
  store: MomentumStore,
  f: Frame,
  builder: CutoffBuilder,
  scopes: (task: string | null) => Scope[],
): Promise<Cutoffs> {
  for await (const chunk of store.streamAdoptionHistories(f.asOf, f.first)) {
    for (const m of chunk.models) {
      const groups = referenceGroups({ ...m, relation: 'base', size: sizeOf(m.params, m.name) }, f, scopes(m.task));
      if (groups) builder.add(groups, m);
    }
    if (builder.settled(chunk.restAtMost)) break;
  }
  return builder.result();
}

function ageOf(f: Frame, createdAt: string | null): number | null {
  return createdAt === null ? null : Math.max(0, dayNumber(f.asOf) - dayNumber(createdAt));
}

function entry(
  r: MomentumRow,
  size: ModelSize | null,
  age: number | null,
  value: number,
  downloads: number,
  reference: number,
): MomentumEntry {
  return {
    key: r.key,
    name: r.name,
    platform: r.platform,
    country: { publisher: r.publisherCountry, origin: r.originCountry },
    sizeClass: size?.sizeClass ?? null,
    sizeBasis: size?.basis ?? null,
    ageDays: age,
    value,
    downloads,
    reference,
  };
}

function emptyScopes(): MomentumBlock['scopes'] {
  return { all: { ram: [], growth7d: [] }, llm: { ram: [], growth7d: [] } };
}

function methodOf(f: Frame | null): MomentumBlock['method'] {
  return {
    ram: MOMENTUM_METHOD.ram,
    growth7d: MOMENTUM_METHOD.growth7d,
    sizeClasses: MOMENTUM_METHOD.sizeClasses,
    classes: SIZE_CLASSES.map((c) => ({ name: c.name, minParams: c.minParams, maxParams: c.maxParams })),
    referenceSet: MOMENTUM_METHOD.referenceSet,
    cutoff: MOMENTUM_METHOD.cutoff,
    windows: MOMENTUM_METHOD.windows,
    history: {
      from: f?.first ?? null,
      dates: f?.dates ?? 0,
      growthDates: { d7: f?.growth.d7 ?? null, d28: f?.growth.d28 ?? null },
    },
  };
}

/** The snapshot's momentum block for `date`: top lists by RAM and by 7-day growth, per scope. */
export async function buildMomentum(deps: MomentumDeps, date: string, top = MOMENTUM_TOP): Promise<MomentumBlock> {
  const { store } = deps;
  const llm = new Set(deps.llmTasks);
  const f = await frameOf(store, date);
  if (f === null || f.asOf !== date) return { method: methodOf(f), top, scopes: emptyScopes() };
  const builder = new CutoffBuilder(f.asOf, Math.max(0, dayNumber(f.asOf) - dayNumber(f.first)));
  const lists = (): Record<MomentumMetric, TopList<MomentumEntry>> => ({
    ram: new TopList(top),
    growth7d: new TopList(top),
  });
  const tops: Record<Scope, Record<MomentumMetric, TopList<MomentumEntry>>> = { all: lists(), llm: lists() };

  // Pass 1: growth, and the reference models counted by class and age.
  for await (const chunk of store.streamMomentumRows(f.asOf, f.growth.d7, f.growth.d28)) {
    for (const r of chunk) {
      const size = sizeOf(r.params, r.name);
      const scopes = scopesOf(r.task, llm);
      const groups = referenceGroups({ ...r, current: r.allTime, size }, f, scopes);
      if (groups && r.createdAt !== null) builder.count(groups, r.createdAt);
      const g = growth7d(f.growth, r.allTime, r.allTimeAt7, r.allTimeAt28);
      if (g === null) continue;
      const e = entry(r, size, ageOf(f, r.createdAt), g.value, g.last7, g.priorWeeklyMean);
      for (const s of scopes) tops[s].growth7d.add(e);
    }
  }

  // Pass 2: the cut-offs.
  const cutoffs = await readCutoffs(store, f, builder, (task) => scopesOf(task, llm));

  // Pass 3: RAM of every reference model.
  for await (const chunk of store.streamMomentumRows(f.asOf, null, null)) {
    for (const r of chunk) {
      const size = sizeOf(r.params, r.name);
      const scopes = scopesOf(r.task, llm);
      const groups = referenceGroups({ ...r, current: r.allTime, size }, f, scopes);
      if (!groups) continue;
      const age = ageOf(f, r.createdAt)!;
      scopes.forEach((s, i) => {
        const cutoff = cutoffs.at(groups[i]!, age);
        const ram = cutoffs.ram(groups[i]!, age, r.allTime!);
        if (ram !== null && cutoff !== null) tops[s].ram.add(entry(r, size, age, ram, r.allTime!, cutoff));
      });
    }
  }

  const scopesOut = emptyScopes();
  for (const s of SCOPES) scopesOut[s] = { ram: tops[s].ram.list(), growth7d: tops[s].growth7d.list() };
  return { method: methodOf(f), top, scopes: scopesOut };
}

/** One model's momentum as of a day (the digest's notable releases). */
export interface ModelMomentum {
  /** The stored date the figures are read on: the last at or before the day asked for. */
  asOf: string;
  sizeClass: string | null;
  ageDays: number | null;
  /** RAM against the `all` scope's peers of its platform and size class; null where not defined (momentum.ts). */
  ram: number | null;
  growth7d: number | null;
}

/**
 * The figures of some models as of the last stored date at or before `date`, against the `all` scope's peers: pass 1
 * counts the reference models and reads the asked models' counts, pass 2 reads cut-offs only up to the oldest age
 * asked for. Models without a row on that date are absent.
 */
export async function momentumOf(
  deps: MomentumDeps,
  date: string,
  keys: readonly string[],
): Promise<Map<string, ModelMomentum>> {
  const out = new Map<string, ModelMomentum>();
  if (keys.length === 0) return out;
  const f = await frameOf(deps.store, date);
  if (f === null) return out;
  const wanted = new Set(keys);
  const allScope = (): Scope[] => ['all'];
  const builder = new CutoffBuilder(f.asOf, Math.max(0, dayNumber(f.asOf) - dayNumber(f.first)));
  const found: Array<{ row: MomentumRow; size: ModelSize | null; groups: string[] | null }> = [];
  let maxAge = -1;
  for await (const chunk of deps.store.streamMomentumRows(f.asOf, f.growth.d7, f.growth.d28)) {
    for (const r of chunk) {
      const size = sizeOf(r.params, r.name);
      const groups = referenceGroups({ ...r, current: r.allTime, size }, f, allScope());
      if (groups) builder.count(groups, r.createdAt!);
      if (!wanted.has(r.key)) continue;
      found.push({ row: r, size, groups });
      if (groups) maxAge = Math.max(maxAge, ageOf(f, r.createdAt)!);
    }
  }
  let cutoffs: Cutoffs | null = null;
  if (maxAge >= 0) {
    builder.narrowAges(maxAge);
    cutoffs = await readCutoffs(deps.store, f, builder, allScope);
  }
  for (const { row, size, groups } of found) {
    const age = ageOf(f, row.createdAt);
    out.set(row.key, {
      asOf: f.asOf,
      sizeClass: size?.sizeClass ?? null,
      ageDays: age,
      ram: groups && cutoffs && age !== null ? cutoffs.ram(groups[0]!, age, row.allTime!) : null,
      growth7d: growth7d(f.growth, row.allTime, row.allTimeAt7, row.allTimeAt28)?.value ?? null,
    });
  }
  return out;
}
