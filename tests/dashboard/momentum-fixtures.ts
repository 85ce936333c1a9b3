// Momentum for the dashboard tests: four weeks of stored counts for a size class's reference models and for this
// week's releases, and the latest snapshot given the momentum block the real builder (buildMomentum) makes of them.
//
// Stored dates: D−28, D−21, D−14, D−7, D−1 and D (the latest snapshot's day). All on Hugging Face, 14B parameters
// (class 10-29B), base models, unless said otherwise.
//   peer-01 … peer-12: created D−28, counts 200i, 400i, 600i, 800i, 1000i, 1100i: the class's yardstick.
//   rocket: created D−3; 3000 on D−1, 6000 on D. steady: created D−2; 300, 900. Both get a RAM.
//   late: created D−200 and first seen D−2 (made public late; its counts come from a backfill): 1000, 1400, 1800,
//     2200, 4800, 5000. No RAM (created before the history began), 7-day growth 2800 / 400 − 1 = +600%.
//   quiet: created D−300, first seen D−1: 50, 60, 70, 80, 90, 500. No RAM; no growth (the 3 weeks averaged 10).
//   mystery-model: no parameter count, no size in its name; created D−2: 100, 400. No size class, so no RAM.
//   ModelScope's ms-14B: created D−1; 2000 on D. No ModelScope model of its class to compare with: no cut-off.
import { addDays } from '../../src/time.js';
import type { NormalisedRecord } from '../../src/model.js';
import { readSnapshot, writeSnapshot } from '../../src/snapshot/files.js';
import { buildMomentum } from '../../src/snapshot/momentum-build.js';
import { SnapshotSchema } from '../../src/snapshot/schema.js';
import type { MomentumBlock } from '../../src/snapshot/types.js';
import type { Store } from '../../src/store/types.js';
import { record } from '../store/fixtures.js';

export const MOMENTUM_KEYS = {
  rocket: 'huggingface:momentumlab/rocket-14B',
  steady: 'huggingface:momentumlab/steady-14B',
  late: 'huggingface:momentumlab/late-14B',
  quiet: 'huggingface:momentumlab/quiet-14B',
  mystery: 'huggingface:momentumlab/mystery-model',
  modelscope: 'modelscope:momentumlab/ms-14B',
} as const;

/** Days before D of the stored dates. */
const BACK = [28, 21, 14, 7, 1, 0] as const;

interface Planned {
  rec: NormalisedRecord;
  /** One all-time count per stored date (BACK), null where the model has no row. */
  counts: Array<number | null>;
}

export async function fillMomentum(store: Store, dataDir: string, lastDate: string): Promise<MomentumBlock> {
  const at = (back: number, time: string): string => `${addDays(lastDate, -back)}T${time}.000Z`;
  const planned: Planned[] = [];
  const add = (
    key: string,
    created: number,
    counts: Array<number | null>,
    over: { firstSeen?: number; params?: number | null; country?: string } = {},
  ): void => {
    const [platform, id] = key.split(':') as [NormalisedRecord['platform'], string];
    const base = record(platform, id, {
      createdAt: at(created, '06:00:00'),
      firstSeenAt: at(over.firstSeen ?? created, '07:00:00'),
      publisherOrg: 'Momentum Lab',
      publisherCountry: over.country ?? 'FR',
      originOrg: 'Momentum Lab',
      originCountry: over.country ?? 'FR',
    });
    // A model made public late is news from when it was first seen (src/model.ts, releasedAt).
    const releasedAt = over.firstSeen !== undefined ? base.firstSeenAt : base.createdAt;
    planned.push({ rec: { ...base, releasedAt, params: over.params === undefined ? 14e9 : over.params }, counts });
  };
  for (let i = 1; i <= 12; i++) {
    const n = String(i).padStart(2, '0');
    add(
      `huggingface:momentumlab/peer-${n}-14B`,
      28,
      [200, 400, 600, 800, 1000, 1100].map((c) => c * i),
    );
  }
  add(MOMENTUM_KEYS.rocket, 3, [null, null, null, null, 3000, 6000], { country: 'CN' });
  add(MOMENTUM_KEYS.steady, 2, [null, null, null, null, 300, 900]);
  add(MOMENTUM_KEYS.late, 200, [1000, 1400, 1800, 2200, 4800, 5000], { firstSeen: 2, country: 'US' });
  add(MOMENTUM_KEYS.quiet, 300, [50, 60, 70, 80, 90, 500], { firstSeen: 1 });
  add(MOMENTUM_KEYS.mystery, 2, [null, null, null, null, 100, 400], { params: null });
  add(MOMENTUM_KEYS.modelscope, 1, [null, null, null, null, null, 2000]);

  for (const [j, back] of BACK.entries()) {
    const date = addDays(lastDate, -back);
    for (const platform of ['huggingface', 'modelscope'] as const) {
      const models = planned
        .filter((p) => p.rec.platform === platform && p.counts[j] !== null)
        .map((p) => ({ ...p.rec, stats: { downloads30d: p.counts[j]!, downloadsAllTime: p.counts[j]!, likes: 3 } }));
      if (models.length) await store.commitPage({ date, platform, models, quarantine: [] });
    }
  }

  const momentum = await buildMomentum({ store, llmTasks: ['text-generation', 'image-text-to-text'] }, lastDate);
  const snap = await readSnapshot(dataDir, lastDate);
  if (!snap) throw new Error(`fillMomentum: no snapshot for ${lastDate}`);
  const withMomentum = { ...snap, momentum };
  SnapshotSchema.parse(withMomentum);
  await writeSnapshot(dataDir, withMomentum);
  return momentum;
}
