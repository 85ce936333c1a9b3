// Momentum (src/snapshot/momentum.ts) against numbers worked out by hand on a small universe with weekly history, on
// both store engines; the name parser; the 7-day growth on uneven dates; and the early stop of the cut-off pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../src/model.js';
import {
  CutoffBuilder,
  growth7d,
  growthDates,
  paramsFromName,
  peerGroup,
  sizeOf,
  type AdoptionCurve,
} from '../../src/snapshot/momentum.js';
import { buildMomentum, momentumOf } from '../../src/snapshot/momentum-build.js';
import { SnapshotSchema } from '../../src/snapshot/schema.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import type { MomentumEntry } from '../../src/snapshot/types.js';
import type { Store } from '../../src/store/types.js';
import { ENGINES, record, type EngineHarness } from '../store/fixtures.js';

describe('size from the name', () => {
  it.each([
    ['Qwen2.5-7B-Instruct', 7e9],
    ['Qwen2.5-0.5B', 0.5e9],
    ['Mixtral-8x7B-v0.1', 56e9],
    ['llama-2-70b', 70e9],
    ['deepseek-r1-distill-qwen-1.5b-instruct', 1.5e9],
    ['SmolLM2-135M-Instruct', 135e6],
    ['Qwen3-30B-A3B', 30e9],
    ['Qwen3-235B-A22B-Instruct-2507', 235e9],
    ['Qwen2.5-7B-Instruct-1M', 7e9],
    ['bloom-7b1', 7.1e9],
    ['Yi-34B-200K', 34e9],
    ['gpt_oss_120b', 120e9],
    ['Phi-3-mini-4k-instruct', null],
    ['Llama-3.1-Instruct', null],
    ['bert-base-uncased', null],
    ['gpt2', null],
  ])('%s → %s', (name, params) => {
    expect(paramsFromName(name)).toBe(params);
  });

  it('takes the record’s parameter count first, then the name, and states which', () => {
    expect(sizeOf(350e9, 'tiny-1B')).toEqual({ sizeClass: '250B+', basis: 'params' });
    expect(sizeOf(null, 'tiny-1B')).toEqual({ sizeClass: '1-9B', basis: 'name' });
    expect(sizeOf(0, 'Qwen2.5-0.5B')).toEqual({ sizeClass: '<1B', basis: 'name' });
    expect(sizeOf(9.99e9, 'x')).toEqual({ sizeClass: '1-9B', basis: 'params' });
    expect(sizeOf(10e9, 'x')).toEqual({ sizeClass: '10-29B', basis: 'params' });
    expect(sizeOf(100e9, 'x')).toEqual({ sizeClass: '100-249B', basis: 'params' });
    expect(sizeOf(null, 'mystery')).toBeNull();
  });
});

describe('7-day growth', () => {
  it('reads the last stored date at or before each day, scales uneven intervals to a week, and refuses stale points', () => {
    const dates = ['2026-10-01', '2026-10-20', '2026-10-29'];
    const g = growthDates(dates, '2026-10-29');
    // 7 days back is 10-22: the last stored date at or before it is 10-20 (2 days earlier, close enough).
    expect(g).toEqual({ asOf: '2026-10-29', d7: '2026-10-20', d28: '2026-10-01' });
    // 9 days since 10-20: 900 downloads, 700 a week. 19 days from 10-01 to 10-20: 1900 downloads, 700 a week.
    expect(growth7d(g, 3000, 2100, 200)).toEqual({ value: 0, last7: 700, priorWeeklyMean: 700 });
    // 10-12 is 10 days before 10-22: too far to stand for it.
    expect(growthDates(['2026-10-01', '2026-10-12', '2026-10-29'], '2026-10-29').d7).toBeNull();
    // The earlier weeks averaged 95 a week: under Model Pulse's floor of 100.
    const exact = { asOf: '2026-10-29', d7: '2026-10-22', d28: '2026-10-01' };
    expect(growth7d(exact, 1000, 500, 215)).toBeNull();
    expect(growth7d(exact, 1000, 500, 200)).toEqual({ value: 500 / 100 - 1, last7: 500, priorWeeklyMean: 100 });
    // A counter that went down counts 0, never negative downloads.
    expect(growth7d(exact, 400, 500, 200)).toEqual({ value: -1, last7: 0, priorWeeklyMean: 100 });
    expect(growth7d(exact, 1000, null, 200)).toBeNull();
  });
});

describe('the cut-off pass', () => {
  const asOf = '2026-10-11';
  const g = peerGroup('all', 'huggingface', '1-9B');
  const run = (curves: AdoptionCurve[], stopEarly: boolean): { read: number; at: Array<number | null> } => {
    const b = new CutoffBuilder(asOf, 10);
    for (const c of curves) b.count([g], c.createdAt);
    let read = 0;
    for (const c of curves) {
      b.add([g], c);
      read++;
      if (stopEarly && b.settled(c.current)) break;
    }
    const r = b.result();
    return { read, at: [0, 9, 10].map((a) => r.at(g, a)) };
  };

  it('stops once no later model can change a cut-off, with the same curves as reading every model', () => {
    // 30 models created on 10-01 with half their count that day and all of it on 10-11: 3000, 2900, … 100.
    const curves: AdoptionCurve[] = Array.from({ length: 30 }, (_, i) => ({
      createdAt: '2026-10-01',
      current: 3000 - i * 100,
      dates: ['2026-10-01', '2026-10-11'],
      counts: [(3000 - i * 100) / 2, 3000 - i * 100],
    }));
    // Ages 0–9: the 10th-largest half is 1050 (of 2100); age 10: 2100. Age 10 is settled by the 10th model; ages 0–9
    // once the models left count at most 1050, after the 21st (1000).
    expect(run(curves, true)).toEqual({ read: 21, at: [1050, 1050, 2100] });
    expect(run(curves, false)).toEqual({ read: 30, at: [1050, 1050, 2100] });
  });

  it('stops under the floor of 100 downloads, where no cut-off is given', () => {
    // Only the 10-11 count is stored: every model counts 0 at ages 0–9, so those ages never settle by the bound.
    const curves: AdoptionCurve[] = [
      ...Array.from({ length: 30 }, (_, i) => 3000 - i * 100),
      ...Array(10).fill(50),
    ].map((c: number) => ({
      createdAt: '2026-10-01',
      current: c,
      dates: ['2026-10-11'],
      counts: [c],
    }));
    expect(run(curves, true)).toEqual({ read: 31, at: [null, null, 2100] });
    expect(run(curves, false)).toEqual({ read: 40, at: [null, null, 2100] });
  });
});

// ---- a small universe, by hand ------------------------------------------------------------------------------------
//
// Stored dates, weekly: 10-01, 10-08, 10-15, 10-22, 10-29 (the as-of day D). All models are Hugging Face text
// generators of 8B parameters (class 1-9B) unless said otherwise.
//   a01 … a10 (base, created 10-01, age 28): counts 10, 100i, 200i, 300i, 400i; but a10 ends at 4600, not 4000.
//   y (base, created 10-15, age 14): 50, 150, 250.        n (base, created 10-22, age 7): 500, 2500.
//   o (base, created 09-01, before the history): 1,000,000 on every date: not a reference model.
//   u (base, no parameter count, no size in its name): no class.
//   e (base, created 10-01, 100M, feature extraction: not llm): alone in <1B, so no cut-off.
//   f (fine-tune, created 09-01): 1000 on 10-01, 1300 on 10-22, 2000 on D.
//   b (fine-tune, created 09-01): 1000 on 10-01, 1600 on 10-22, 1500 on D (a counter going backwards).
//
// Value of each reference model at age a (last stored date at or before creation + a; 0 before its first):
//   ai: 10 (a 0–6), 100i (7–13), 200i (14–20), 300i (21–27), 400i (28; a10 4600).  y: 50, 150 (7–13), 250 (14).
//   n: 500 (0–6), 2500 (7).
// Peers at age a: 12 up to 7, 11 up to 14, 10 up to 28 (o, u and e are not in the class's reference set).
// 10th largest: ages 0–6: {500, 50, 10, 10, …} → 10; age 7: {2500, 1000 … 200, 150,
//   100} → 200; 8–13: {1000 … 200, 150, 100} → 150; 14: {2000 … 400, 250, 200} → 250; 15–20: 200; 21–27: 300;
//   28: {4600, 3600 … 400} → 400.
// Cut-off (running maximum): none under 100 downloads (0–6), 200 (7–13), 250 (14–20), 300 (21–27), 400 (28).
// RAM on D: n 2500 / 200 = 12.5; a10 4600 / 400 = 11.5; ai 400i / 400 = i; y 250 / 250 = 1.
// growth7d on D (d7 10-22, d28 10-01, exact weeks): f (2000 − 1300) / ((1300 − 1000) / 3) − 1 = 700 / 100 − 1 = 6;
//   a10 1600 / (2990 / 3) − 1 = 181 / 299; ai (i = 2 … 9) 100i / ((300i − 10) / 3) − 1 = 1 / (30i − 1); a1's weeks averaged 96.67:
//   none; e 10,000 / (30,000 / 3) − 1 = 0 and u 100,000 / (300,000 / 3) − 1 = 0; b 0 / 200 − 1 = −1; n, y (no row
//   on 10-01): none; o (nothing moved: weekly mean 0): none.

const DATES = ['2026-10-01', '2026-10-08', '2026-10-15', '2026-10-22', '2026-10-29'] as const;
const D = '2026-10-29';

function universe(): Map<string, { rec: NormalisedRecord; counts: Array<number | null> }> {
  const out = new Map<string, { rec: NormalisedRecord; counts: Array<number | null> }>();
  const add = (
    id: string,
    created: string,
    counts: Array<number | null>,
    over: Partial<NormalisedRecord> = {},
    relation: NormalisedRecord['lineage']['relation'] = 'base',
  ) => {
    const rec = {
      ...record('huggingface', id, {
        createdAt: `${created}T06:00:00.000Z`,
        firstSeenAt: `${created}T07:00:00.000Z`,
        relation,
      }),
      ...over,
    };
    out.set(rec.key, { rec, counts });
  };
  for (let i = 1; i <= 10; i++) {
    const c = [10, 100 * i, 200 * i, 300 * i, 400 * i];
    if (i === 10) c[4] = 4600;
    add(`lab/a${String(i).padStart(2, '0')}`, '2026-10-01', c, {
      publisher: { namespace: 'lab', org: 'Lab', country: i % 2 ? 'US' : 'CN', countryAlt: null, kind: 'big_tech' },
    });
  }
  add('lab/y', '2026-10-15', [null, null, 50, 150, 250]);
  add('lab/n', '2026-10-22', [null, null, null, 500, 2500], {
    origin: { org: 'Lab', country: 'FR', countryAlt: null, kind: 'big_tech', basis: 'registry' },
  });
  add('lab/o', '2026-09-01', [1e6, 1e6, 1e6, 1e6, 1e6]);
  add('lab/u', '2026-10-01', [1e5, 2e5, 3e5, 4e5, 5e5], { params: null, name: 'mystery-model' });
  add('lab/e', '2026-10-01', [1e4, 2e4, 3e4, 4e4, 5e4], { params: 1e8, task: 'feature-extraction' });
  add('lab/f', '2026-09-01', [1000, null, null, 1300, 2000], {}, 'finetune');
  add('lab/b', '2026-09-01', [1000, null, null, 1600, 1500], {}, 'finetune');
  return out;
}

async function fill(store: Store): Promise<void> {
  const u = universe();
  for (const [i, date] of DATES.entries()) {
    const models = [...u.values()]
      .filter((m) => m.counts[i] !== null)
      .map((m) => ({ ...m.rec, stats: { downloads30d: null, downloadsAllTime: m.counts[i]!, likes: 1 } }));
    await store.commitPage({ date, platform: 'huggingface', models, quarantine: [] });
  }
}

const brief = (list: MomentumEntry[]) =>
  list.map((e) => [e.key.slice('huggingface:lab/'.length), e.value, e.downloads, e.reference, e.ageDays, e.sizeClass]);

describe.each(ENGINES)('momentum on a hand-computed universe ($name)', ({ make }) => {
  let h: EngineHarness;
  let store: Store;
  beforeAll(async () => {
    h = make();
    store = await h.open();
    await fill(store);
  });
  afterAll(async () => {
    await store?.close();
    await h?.destroy();
  });

  it('gives the RAM and 7-day growth top lists worked out above', async () => {
    const m = await buildMomentum({ store, llmTasks: ['text-generation'] }, D, 5);
    expect(brief(m.scopes.all.ram)).toEqual([
      ['n', 12.5, 2500, 200, 7, '1-9B'],
      ['a10', 11.5, 4600, 400, 28, '1-9B'],
      ['a09', 9, 3600, 400, 28, '1-9B'],
      ['a08', 8, 3200, 400, 28, '1-9B'],
      ['a07', 7, 2800, 400, 28, '1-9B'],
    ]);
    expect(brief(m.scopes.all.growth7d)).toEqual(
      [
        ['f', 6, 700, 100, 58, '1-9B'],
        ['a10', 181 / 299, 1600, 2990 / 3, 28, '1-9B'],
        ['a02', 1 / 59, 200, 590 / 3, 28, '1-9B'],
        ['a03', 1 / 89, 300, 890 / 3, 28, '1-9B'],
        ['a04', 1 / 119, 400, 1190 / 3, 28, '1-9B'],
      ].map(([k, v, d, r, a, c]) => [
        k,
        expect.closeTo(v as number, 12),
        expect.closeTo(d as number, 9),
        expect.closeTo(r as number, 9),
        a,
        c,
      ]),
    );
    // e is not a language model, but it is not among the first five of either list, so the llm lists are the same.
    expect(m.scopes.llm).toEqual(m.scopes.all);
    expect(m.method.history).toEqual({
      from: '2026-10-01',
      dates: 5,
      growthDates: { d7: '2026-10-22', d28: '2026-10-01' },
    });
    expect(m.scopes.all.ram[0]!.country).toEqual({ publisher: 'CN', origin: 'FR' });
  });

  it('ranks the whole list: the tail and the models without a figure', async () => {
    const m = await buildMomentum({ store, llmTasks: ['text-generation'] }, D, 20);
    expect(brief(m.scopes.all.ram).map((r) => [r[0], r[1]])).toEqual([
      ['n', 12.5],
      ['a10', 11.5],
      ...[9, 8, 7, 6, 5, 4, 3, 2, 1].map((i) => [`a0${i}`, i]),
      ['y', 1],
    ]);
    const growth = brief(m.scopes.all.growth7d).map((r) => r[0]);
    expect(growth).toEqual(['f', 'a10', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07', 'a08', 'a09', 'e', 'u', 'b']);
    // e is not a language model: the llm scope has the same list without it.
    expect(brief(m.scopes.llm.growth7d).map((r) => r[0])).toEqual(growth.filter((k) => k !== 'e'));
    expect(m.scopes.all.growth7d.at(-1)!.value).toBe(-1);
  });

  it('gives the same figures for chosen models (the digest’s), with cut-offs read only as far as their ages', async () => {
    const keys = ['n', 'y', 'a10', 'o', 'f', 'e'].map((k) => `huggingface:lab/${k}`);
    const figs = await momentumOf({ store, llmTasks: [] }, '2026-11-01', keys);
    const get = (k: string) => figs.get(`huggingface:lab/${k}`);
    expect(get('n')).toEqual({ asOf: D, sizeClass: '1-9B', ageDays: 7, ram: 12.5, growth7d: null });
    expect(get('y')).toEqual({ asOf: D, sizeClass: '1-9B', ageDays: 14, ram: 1, growth7d: null });
    expect(get('a10')).toMatchObject({ ram: 11.5, growth7d: expect.closeTo(181 / 299, 12) });
    expect(get('o')).toMatchObject({ ram: null, growth7d: null });
    expect(get('f')).toMatchObject({ ram: null, growth7d: 6 });
    expect(get('e')).toMatchObject({ sizeClass: '<1B', ram: null });
  });

  // The whole snapshot once: the engines' agreement on the rest of it is the store suite's to show.
  it('is part of the snapshot, valid against its schema', async () => {
    const snap = await buildSnapshot({ store, llmTasks: ['text-generation'] }, D);
    expect(() => SnapshotSchema.parse(snap)).not.toThrow();
    expect(snap.momentum!.scopes.all.ram[0]!.key).toBe('huggingface:lab/n');
    expect(snap.momentum!.top).toBe(20);
  });
});
