// Momentum as the dashboard shows it: the latest snapshot's top lists (its `momentum` block, src/snapshot/momentum.ts)
// looked up by model. The snapshot keeps only the largest figures of each list, so for a model missing from a list
// the page says why, from what the block's method and the model's record show: too little stored history (created
// before it began, too young for growth's four weeks, too few peers of its size that old), no size, no all-time
// count, or a figure below the list's last one. Nothing here reads the store: the page says what the snapshot says.
import type { NormalisedRecord } from '../model.js';
import { GROWTH_MIN_WEEKLY_MEAN, RAM_MIN_CUTOFF, RAM_PEERS, sizeOf } from '../snapshot/momentum.js';
import type { MomentumBlock, MomentumEntry, MomentumMetric } from '../snapshot/types.js';
import { PLATFORM_LABELS } from '../sources/registry.js';
import { addDays, dayNumber } from '../time.js';
import type { Day } from './data.js';
import { fmtGrowth, fmtRam } from './format.js';
import type { ReleaseOrder } from './state.js';

/** A model's place in one of the snapshot's lists. */
export interface Figure {
  kind: 'figure';
  entry: MomentumEntry;
  /** 1 for the largest. */
  rank: number;
}

/**
 * Why a model has no figure in a list: `history`, the stored history is too short for it; `none`, it cannot have
 * one (no size, no all-time count); `below`, it may have one, below the last the snapshot kept.
 */
export interface NoFigure {
  kind: 'history' | 'none' | 'below';
  why: string;
}

export type MomentumCell = Figure | NoFigure;

/** What a model page or a release row needs of a record. */
export type MomentumModel = Pick<
  NormalisedRecord,
  'key' | 'platform' | 'name' | 'params' | 'createdAt' | 'firstSeenAt' | 'stats'
>;

export const FIGURE_LABELS: Record<MomentumMetric, string> = { ram: 'RAM', growth7d: '7-day growth' };

/** An age in whole days, as the lists give it. */
export function fmtAge(days: number | null): string {
  return days === null ? 'an unknown age' : `${days} ${days === 1 ? 'day' : 'days'}`;
}

export function fmtFigure(metric: MomentumMetric, v: number): string {
  return metric === 'ram' ? fmtRam(v) : fmtGrowth(v);
}

function ranked(list: readonly MomentumEntry[]): Map<string, Figure> {
  return new Map(list.map((entry, i) => [entry.key, { kind: 'figure', entry, rank: i + 1 }]));
}

/** One snapshot's momentum block, indexed by model. */
export class SnapshotMomentum {
  private readonly all: Record<MomentumMetric, Map<string, Figure>>;
  private readonly llmRam: Map<string, Figure>;

  constructor(
    readonly date: string,
    readonly block: MomentumBlock,
  ) {
    this.all = { ram: ranked(block.scopes.all.ram), growth7d: ranked(block.scopes.all.growth7d) };
    this.llmRam = ranked(block.scopes.llm.ram);
  }

  /** The latest day's block, or null when its snapshot was written before momentum existed. */
  static latest(days: readonly Day[]): SnapshotMomentum | null {
    const last = days[days.length - 1];
    return last?.momentum ? new SnapshotMomentum(last.date, last.momentum) : null;
  }

  /** A model's figure among all models (RAM against its platform's peers of its size class, whatever its task). */
  figure(metric: MomentumMetric, key: string): Figure | undefined {
    return this.all[metric].get(key);
  }

  /** A language model's RAM against language models only (the `llm` scope's own peers). */
  llmRamFigure(key: string): Figure | undefined {
    return this.llmRam.get(key);
  }

  /** The model's figure, or why the snapshot has none for it. */
  cell(metric: MomentumMetric, m: MomentumModel): MomentumCell {
    return this.figure(metric, m.key) ?? (metric === 'ram' ? this.noRam(m) : this.noGrowth(m));
  }

  private get history(): MomentumBlock['method']['history'] {
    return this.block.method.history;
  }

  /** Reasons both figures share: no history at all, a model the snapshot's day did not know yet, no count. */
  private sharedReason(m: MomentumModel): NoFigure | null {
    if (this.history.from === null) return { kind: 'history', why: `no stored counts on ${this.date}` };
    const seen = m.firstSeenAt.slice(0, 10);
    if (seen > this.date) return { kind: 'history', why: `first seen ${seen}, after this snapshot` };
    if (m.stats.downloadsAllTime === null)
      return { kind: 'none', why: `${PLATFORM_LABELS[m.platform] ?? m.platform} gives no all-time count` };
    return null;
  }

  private below(metric: MomentumMetric): NoFigure {
    const list = this.block.scopes.all[metric];
    const last = list[list.length - 1];
    return {
      kind: 'below',
      why: `below the ${this.block.top} the snapshot keeps${last ? ` (the last: ${fmtFigure(metric, last.value)})` : ''}`,
    };
  }

  // The reference set and the cut-off as src/snapshot/momentum-build.ts applies them (momentum.ts, MOMENTUM_METHOD).
  private noRam(m: MomentumModel): NoFigure {
    const first = this.sharedReason(m);
    if (first) return first;
    if (m.createdAt === null) return { kind: 'none', why: 'no creation date' };
    const created = m.createdAt.slice(0, 10);
    if (created < this.history.from!)
      return { kind: 'history', why: `created ${created}, before the history (from ${this.history.from})` };
    const size = sizeOf(m.params, m.name);
    if (size === null) return { kind: 'none', why: 'no size in its record or name' };
    // A list shorter than its length limit holds every figure there is: this model has no cut-off (the method line
    // says when there is none).
    if (this.block.scopes.all.ram.length < this.block.top) {
      const age = Math.max(0, dayNumber(this.date) - dayNumber(created));
      return {
        kind: 'history',
        why: `no cut-off for ${size.sizeClass} on ${PLATFORM_LABELS[m.platform] ?? m.platform} at ${fmtAge(age)}`,
      };
    }
    return this.below('ram');
  }

  private noGrowth(m: MomentumModel): NoFigure {
    const first = this.sharedReason(m);
    if (first) return first;
    const { d7, d28 } = this.history.growthDates;
    if (d28 === null || d7 === null) {
      const missing = addDays(this.date, d28 === null ? -28 : -7);
      return {
        kind: 'history',
        why: `no stored date near ${missing} (history from ${this.history.from})`,
      };
    }
    const created = m.createdAt?.slice(0, 10) ?? null;
    if (created !== null && created > d28)
      return { kind: 'history', why: `created ${created}, after ${d28} (4 weeks back)` };
    if (this.block.scopes.all.growth7d.length < this.block.top)
      return {
        kind: 'history',
        why: `no count on ${d28} or ${d7}, or a 3-week mean under ${GROWTH_MIN_WEEKLY_MEAN}`,
      };
    return this.below('growth7d');
  }
}

/** The words under a momentum table: the method of both figures, as src/snapshot/momentum.ts states it, in short. */
export function momentumMethodLine(m: SnapshotMomentum): string {
  const classes = m.block.method.classes.map((c) => c.name).join(', ');
  return (
    `RAM (Relative Adoption Metric, after the ATOM Report): a model's cumulative downloads on the day ÷ the cut-off of ` +
    `its size class at the same age (days since its creation), the cut-off being the ${RAM_PEERS}th-largest ` +
    `cumulative downloads at that age among the base models of its platform and size class created inside the ` +
    `stored history (from ${m.block.method.history.from ?? 'no date'}), never falling with age; none with fewer than ` +
    `${RAM_PEERS} such models that old or under ${RAM_MIN_CUTOFF} downloads. Above 1: on track for the top ` +
    `${RAM_PEERS} of its size class. Size classes ${classes} (parameters from the record, else from the name). ` +
    `7-day growth (after Model Pulse): downloads of the last 7 days ÷ the mean weekly downloads of the 3 weeks ` +
    `before, minus 1, only where that mean is at least ${GROWTH_MIN_WEEKLY_MEAN}. Both among all models, from the ` +
    `snapshot of ${m.date}, which keeps the ${m.block.top} largest of each.`
  );
}

/** 30-day downloads first, newest release on a tie: how releases are listed unless a momentum figure is chosen. */
function byDownloads(a: NormalisedRecord, b: NormalisedRecord): number {
  return (
    (b.stats.downloads30d ?? -1) - (a.stats.downloads30d ?? -1) ||
    (b.releasedAt ?? '').localeCompare(a.releasedAt ?? '')
  );
}

/** Releases in the chosen order: by a momentum figure, the models with one first (largest first), the rest after. */
export function orderReleases(
  items: NormalisedRecord[],
  order: ReleaseOrder,
  momentum: SnapshotMomentum | null,
): NormalisedRecord[] {
  if (order === 'downloads' || momentum === null) return items.sort(byDownloads);
  const value = (r: NormalisedRecord): number => momentum.figure(order, r.key)?.entry.value ?? -Infinity;
  return items.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    return va === vb ? byDownloads(a, b) : vb > va ? 1 : -1;
  });
}
