// The store's momentum reads on both engines: the day's rows with the counts of two earlier stored dates, and the
// reference histories in descending order of their count, paged, with a bound that holds for everything after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../src/model.js';
import type { AdoptionChunk, Store } from '../../src/store/types.js';
import { duckdbHarness, postgresHarness, record, type EngineHarness } from './fixtures.js';

const DATES = ['2026-10-01', '2026-10-08', '2026-10-15'] as const;
const D = '2026-10-15';
/** More reference models than the first page holds (500), so the keyset between pages is exercised. */
const MODELS = 1203;

/** Count of model i on date j: several models share a count, so ties are broken by key across pages. */
const count = (i: number, j: number): number => Math.floor(i / 3) * (j + 1);

function models(j: number): NormalisedRecord[] {
  const out: NormalisedRecord[] = [];
  for (let i = 0; i < MODELS; i++) {
    const r = record('huggingface', `org/m${String(i).padStart(4, '0')}`, {
      createdAt: '2026-10-01T05:00:00.000Z',
      relation: 'base',
    });
    out.push({ ...r, stats: { downloads30d: null, downloadsAllTime: count(i, j), likes: null } });
  }
  // Not reference models: a fine-tune, one created before `createdFrom`, one without an all-time count on D.
  const ft = record('huggingface', 'org/ft', {
    createdAt: '2026-10-01T05:00:00.000Z',
    relation: 'finetune',
    downloadsAllTime: 1e9,
  });
  const old = record('huggingface', 'org/old', { createdAt: '2026-09-30T23:59:59.000Z', downloadsAllTime: 1e9 });
  const blind = record('huggingface', 'org/blind', {
    createdAt: '2026-10-02T00:00:00.000Z',
    downloadsAllTime: j === 2 ? null : 5,
  });
  return [...out, ft, old, blind];
}

async function collect(it: AsyncIterable<AdoptionChunk>): Promise<AdoptionChunk[]> {
  const out: AdoptionChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const results = new Map<string, unknown>();

describe.each([
  { name: 'duckdb', harness: duckdbHarness },
  { name: 'postgres', harness: postgresHarness },
])('momentum reads on $name', ({ name, harness }) => {
  let h: EngineHarness;
  let store: Store;
  beforeAll(async () => {
    h = harness();
    store = await h.open();
    for (const [j, date] of DATES.entries())
      await store.commitPage({ date, platform: 'huggingface', models: models(j), quarantine: [] });
  });
  afterAll(async () => {
    await store?.close();
    await h?.destroy();
  });

  it('streams the day with the counts of the two earlier dates asked for', async () => {
    const rows = [];
    for await (const chunk of store.streamMomentumRows(D, '2026-10-08', '2026-10-01', 400)) rows.push(...chunk);
    expect(rows).toHaveLength(MODELS + 3);
    const m7 = rows.find((r) => r.key === 'huggingface:org/m0007')!;
    expect(m7).toMatchObject({
      name: 'm0007',
      params: 8e9,
      relation: 'base',
      allTime: 6,
      allTimeAt7: 4,
      allTimeAt28: 2,
    });
    expect(m7.createdAt).toBe('2026-10-01T05:00:00.000Z');
    expect(rows.find((r) => r.key === 'huggingface:org/blind')).toMatchObject({ allTime: null, allTimeAt7: 5 });
    const none = [];
    for await (const chunk of store.streamMomentumRows(D, null, null)) none.push(...chunk);
    expect(none.every((r) => r.allTimeAt7 === null && r.allTimeAt28 === null)).toBe(true);
    results.set(`${name}:rows`, rows);
  });

  it('streams reference histories by descending count, in pages, each chunk bounding what follows', async () => {
    const chunks = await collect(store.streamAdoptionHistories(D, '2026-10-01', 700));
    const seen = chunks.flatMap((c) => c.models);
    expect(seen).toHaveLength(MODELS);
    expect(new Set(seen.map((m) => m.key)).size).toBe(MODELS);
    expect(seen.some((m) => /org\/(ft|old|blind)$/.test(m.key))).toBe(false);
    // Every model after a chunk counts at most that chunk's bound.
    chunks.forEach((c, i) => {
      for (const later of chunks.slice(i + 1).flatMap((x) => x.models))
        expect(later.current).toBeLessThanOrEqual(c.restAtMost);
    });
    // Pages of 500 then 2000 by (count desc, key): the first page is the 500 largest counts.
    const firstPage = new Set(seen.slice(0, 500).map((m) => m.key));
    const largest = [...Array(MODELS).keys()].sort((a, b) => count(b, 2) - count(a, 2) || a - b).slice(0, 500);
    expect(firstPage).toEqual(new Set(largest.map((i) => `huggingface:org/m${String(i).padStart(4, '0')}`)));
    const m7 = seen.find((m) => m.key === 'huggingface:org/m0007')!;
    expect(m7).toMatchObject({
      current: 6,
      dates: [...DATES],
      counts: [2, 4, 6],
      createdAt: '2026-10-01T05:00:00.000Z',
      params: 8e9,
    });
    results.set(`${name}:histories`, seen.map((m) => [m.key, m.current, m.counts]).sort());
  });

  it('stops reading when the caller stops, and the store keeps answering', async () => {
    let n = 0;
    for await (const c of store.streamAdoptionHistories(D, '2026-10-01', 50)) {
      n += c.models.length;
      if (n >= 100) break;
    }
    expect(n).toBeGreaterThanOrEqual(100);
    expect(await store.statsDates()).toEqual([...DATES]);
  });

  it('refuses a date that is not a day', async () => {
    await expect(collect(store.streamAdoptionHistories('2026-13-01', '2026-10-01'))).rejects.toThrow(/YYYY-MM-DD/);
  });
});

describe('momentum reads: engines agree', () => {
  it('returns the same rows and histories', () => {
    expect(results.get('postgres:rows')).toEqual(results.get('duckdb:rows'));
    expect(results.get('postgres:histories')).toEqual(results.get('duckdb:histories'));
  });
});
