// The store query behind the history exports (Store.streamHistory), on both engines: one day of every model by key,
// or every day of some models by key then date, with each row's provenance, in chunks; the engines give the same.
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryRow, Store } from '../../src/store/types.js';
import { drain, ENGINES, record, type EngineHarness } from '../store/fixtures.js';

const D1 = '2025-11-04';
const D2 = '2025-11-05';
const results: Record<string, unknown> = {};

// Upper and lower case: bytewise order (B before a) whatever the database's collation.
const IDS = ['org/a-model', 'Org/B-model', 'org/c-model'] as const;

async function fill(store: Store): Promise<void> {
  const models = (day: number) =>
    IDS.map((id, i) =>
      record('huggingface', id, {
        downloadsAllTime: 100 * day + i,
        downloads30d: i === 2 ? null : 10 * day + i,
        likes: i,
      }),
    );
  await store.commitPage({ date: D1, platform: 'huggingface', models: models(1), quarantine: [], provenance: 'dump' });
  await store.commitPage({ date: D2, platform: 'huggingface', models: models(2), quarantine: [] });
  await store.commitPage({
    date: D2,
    platform: 'modelscope',
    models: [record('modelscope', 'ms/one', { downloadsAllTime: 7 })],
    quarantine: [],
  });
}

describe.each(ENGINES)('streamHistory on $name', ({ name, make }) => {
  let h: EngineHarness;
  let store: Store;

  afterAll(async () => {
    await store?.close();
    await h?.destroy();
  });

  it('gives one day of every model by key, in chunks, with provenance', async () => {
    h = make();
    store = await h.open();
    await fill(store);
    const { rows, sizes } = await drain(store.streamHistory({ date: D2 }, 2));
    expect(sizes).toEqual([2, 2]);
    expect(rows.map((r) => r.key)).toEqual([
      'huggingface:Org/B-model',
      'huggingface:org/a-model',
      'huggingface:org/c-model',
      'modelscope:ms/one',
    ]);
    expect(rows[0]).toEqual<HistoryRow>({
      date: D2,
      key: 'huggingface:Org/B-model',
      platform: 'huggingface',
      downloadsAllTime: 201,
      downloads30d: 21,
      likes: 1,
      provenance: 'live',
    });
    expect(rows[2]!.downloads30d).toBeNull();
    expect(rows[3]).toMatchObject({ platform: 'modelscope', downloadsAllTime: 7, provenance: 'live' });
    results[`${name}:day`] = rows;
  });

  it('gives every day of some models by key then date; a dump day says so', async () => {
    const { rows } = await drain(
      store.streamHistory({ keys: ['huggingface:org/c-model', 'huggingface:Org/B-model', 'huggingface:nobody/x'] }),
    );
    expect(rows.map((r) => [r.key, r.date, r.provenance])).toEqual([
      ['huggingface:Org/B-model', D1, 'dump'],
      ['huggingface:Org/B-model', D2, 'live'],
      ['huggingface:org/c-model', D1, 'dump'],
      ['huggingface:org/c-model', D2, 'live'],
    ]);
    expect(rows.find((r) => r.key === 'huggingface:org/c-model' && r.date === D1)).toMatchObject({
      downloadsAllTime: 102,
      downloads30d: null,
      likes: 2,
    });
    expect((await drain(store.streamHistory({ keys: [] }))).rows).toEqual([]);
    results[`${name}:keys`] = rows;
  });

  it('refuses a query that names both or neither, and a malformed date', async () => {
    await expect(drain(store.streamHistory({ date: D1, keys: [] } as never))).rejects.toThrow(/a date or keys/);
    await expect(drain(store.streamHistory({} as never))).rejects.toThrow(/a date or keys/);
    await expect(drain(store.streamHistory({ date: '2025-13-45' }))).rejects.toThrow(/YYYY-MM-DD/);
  });
});

describe('engines agree', () => {
  it('DuckDB and PostgreSQL stream the same rows', () => {
    expect(results['postgres:day']).toEqual(results['duckdb:day']);
    expect(results['postgres:keys']).toEqual(results['duckdb:keys']);
    expect(results['duckdb:day']).toBeDefined();
  });
});
