// One suite, both engines: every case runs against a real DuckDB file and a real PostgreSQL schema, records what
// the store returned, and the last block demands the two engines returned the same thing.
import { spawn } from 'node:child_process';
import { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, ServiceUnavailableError } from '../../src/errors.js';
import type { NormalisedRecord } from '../../src/model.js';
import { DuckDBStore, openStore } from '../../src/store/index.js';
import { QUARANTINE_PAYLOAD_MAX_BYTES } from '../../src/store/sql-ingest.js';
import type { OriginUpdate, PageCommit, SnapshotRow, Store } from '../../src/store/types.js';
import { drain, duckdbHarness, postgresHarness, record, type EngineHarness } from './fixtures.js';

const D1 = '2025-11-04';
const D2 = '2025-11-05';
const D3 = '2025-11-06';

/** What each engine returned, per case; compared across engines at the end. */
const outputs: Record<string, Record<string, unknown>> = { duckdb: {}, postgres: {} };

function page(date: string, models: NormalisedRecord[], extra: Partial<PageCommit> = {}): PageCommit {
  return { date, platform: models[0]?.platform ?? 'huggingface', models, quarantine: [], ...extra };
}

async function allModels(store: Store, q: Omit<Parameters<Store['listModels']>[0], 'limit' | 'cursor'> = {}) {
  const items: NormalisedRecord[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const p = await store.listModels({ ...q, limit: 3, ...(cursor ? { cursor } : {}) });
    items.push(...p.items);
    if (!p.nextCursor) return items;
    cursor = p.nextCursor;
  }
  throw new Error('cursor paging did not end');
}

const ENGINES: Array<{ name: 'duckdb' | 'postgres'; make: () => EngineHarness }> = [
  { name: 'duckdb', make: duckdbHarness },
  { name: 'postgres', make: postgresHarness },
];

/**
 * Counts the statements a store sends its engine: every execution through the driver, prepared or not, and on
 * DuckDB every appender it opens (its bulk path: a page's rows go through one appender, not a statement each).
 */
function statementCounter(engine: 'duckdb' | 'postgres'): {
  during(fn: () => Promise<unknown>): Promise<number>;
  restore(): void;
} {
  const spies =
    engine === 'postgres'
      ? [vi.spyOn(pg.Client.prototype, 'query')]
      : [
          vi.spyOn(DuckDBConnection.prototype, 'run'),
          vi.spyOn(DuckDBPreparedStatement.prototype, 'run'),
          vi.spyOn(DuckDBConnection.prototype, 'createAppender'),
        ];
  const count = () => spies.reduce((n, s) => n + s.mock.calls.length, 0);
  return {
    async during(fn) {
      const before = count();
      await fn();
      return count() - before;
    },
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

describe.each(ENGINES)('store on $name', ({ name, make }) => {
  let h: EngineHarness;
  let store: Store;
  const out = outputs[name]!;

  beforeEach(async () => {
    h = make();
    store = await h.open();
  });
  afterEach(async () => {
    try {
      await store?.close();
    } finally {
      await h.destroy();
    }
  });

  it('migrates once: a second migrate and a reopen change nothing', async () => {
    const versions = async (s: Store) => (s as unknown as DuckDBStore).schemaVersions();
    const before = await versions(store);
    expect(before.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    await store.commitPage(page(D1, [record('huggingface', 'Qwen/Qwen3-8B')]));
    await store.migrate();
    await store.migrate();
    expect(await versions(store)).toEqual(before);
    await store.close();
    store = await h.open();
    expect(await versions(store)).toEqual(before);
    expect((await store.getModel('huggingface:Qwen/Qwen3-8B'))?.key).toBe('huggingface:Qwen/Qwen3-8B');
    await store.ping();
  });

  it('commits a page idempotently and keeps first_seen_at', async () => {
    const a = record('huggingface', 'Qwen/Qwen3-8B', { downloadsAllTime: 1000 });
    // Made public late: created a month before hubwatch first saw it, so it is news on the day it was seen.
    const late = record('huggingface', 'Qwen/Old', {
      createdAt: '2025-10-01T00:00:00.000Z',
      firstSeenAt: '2025-11-04T08:25:31.000Z',
    });
    const noDate = record('huggingface', 'Qwen/NoDate', { createdAt: null, firstSeenAt: '2025-11-04T09:00:00.000Z' });
    const p1 = page(D1, [a, late, noDate], { coverage: { modelsSeen: 3, pages: 1 } });
    await store.commitPage(p1);
    await store.commitPage(p1);

    expect(await store.statsHistory(a.key)).toEqual([
      { date: D1, downloadsAllTime: 1000, downloads30d: 100, likes: 5 },
    ]);
    expect(await store.statsDates()).toEqual([D1]);
    expect((await allModels(store)).map((m) => m.key).sort()).toEqual([a.key, noDate.key, late.key].sort());
    // Counters are added per commit: the caller counts requests, and two commits were two runs of work.
    expect((await store.getCoverage(D1)).huggingface?.modelsSeen).toBe(6);

    const gotLate = await store.getModel(late.key);
    expect(gotLate?.releasedAt).toBe('2025-11-04T08:25:31.000Z');
    expect((await store.getModel(noDate.key))?.releasedAt).toBe('2025-11-04T09:00:00.000Z');
    expect((await store.getModel(a.key))?.releasedAt).toBe('2025-11-01T10:00:00.000Z');

    // Seen again a day later by a run that thinks it is seeing them first: the stored first sighting wins, and
    // releasedAt follows from it (the late model stays news of 2025-11-04, not of the re-sighting).
    const again = (r: NormalisedRecord, over: Partial<NormalisedRecord['stats']>) => ({
      ...r,
      firstSeenAt: '2025-11-05T07:00:00.000Z',
      stats: { ...r.stats, ...over },
    });
    const noDateNowDated = { ...again(noDate, {}), createdAt: '2025-10-20T00:00:00.000Z' };
    await store.commitPage(page(D2, [again(a, { downloadsAllTime: 1500 }), again(late, {}), noDateNowDated]));
    const a2 = await store.getModel(a.key);
    expect(a2?.firstSeenAt).toBe('2025-11-01T12:00:00.000Z');
    expect(a2?.stats.downloadsAllTime).toBe(1500);
    expect((await store.getModel(late.key))?.firstSeenAt).toBe('2025-11-04T08:25:31.000Z');
    expect((await store.getModel(late.key))?.releasedAt).toBe('2025-11-04T08:25:31.000Z');
    expect((await store.getModel(noDate.key))?.releasedAt).toBe('2025-11-04T09:00:00.000Z');
    expect(await store.statsHistory(a.key)).toEqual([
      { date: D1, downloadsAllTime: 1000, downloads30d: 100, likes: 5 },
      { date: D2, downloadsAllTime: 1500, downloads30d: 100, likes: 5 },
    ]);
    expect(await store.existingKeys([a.key, 'huggingface:nobody/none'])).toEqual(new Set([a.key]));
    // The batched read gives each key's history exactly as the one-key read does, and leaves out unknown keys.
    const many = await store.statsHistories([a.key, late.key, 'huggingface:nobody/none']);
    expect([...many.keys()].sort()).toEqual([a.key, late.key].sort());
    expect(many.get(a.key)).toEqual(await store.statsHistory(a.key));
    expect(many.get(late.key)).toEqual(await store.statsHistory(late.key));
    out.idempotent = { a: a2, late: await store.getModel(late.key), dates: await store.statsDates() };
  });

  it('keeps fingerprints and writes only the figures of models seen unchanged', async () => {
    const a = record('huggingface', 'o/a', { downloadsAllTime: 10, downloads30d: 5, likes: 1 });
    const b = record('huggingface', 'o/b', { downloadsAllTime: 20 });
    const c = record('huggingface', 'o/c');
    await store.commitPage(
      page(D1, [a, b, c], {
        fingerprints: new Map([
          [a.key, 'fa'],
          [b.key, 'fb'],
        ]),
      }),
    );
    const sighted = (fps: Record<string, string>) =>
      Object.entries(fps).map(([key, fingerprint]) => ({ key, fingerprint }));
    // An engine may count keys whose commit it has not applied yet as changed (DuckDB's stage, merged before any read).
    expect(await store.changedKeys(sighted({ [c.key]: 'fc', 'huggingface:o/none': 'x' }))).toEqual(
      new Set([c.key, 'huggingface:o/none']),
    );
    expect(await store.markMissing('huggingface', D2)).toBe(3);
    // c was stored without one: it never matches, so a sweep writes it whole again; b's changed.
    expect(
      await store.changedKeys(sighted({ [a.key]: 'fa', [b.key]: 'fb2', [c.key]: 'fc', 'huggingface:o/none': 'x' })),
    ).toEqual(new Set([b.key, c.key, 'huggingface:o/none']));
    expect(await store.changedKeys([])).toEqual(new Set());
    // Any text in a key, separators of the engine's own encoding included.
    const odd = { key: 'huggingface:o/\u0001,"x\n', fingerprint: 'fodd' };
    expect(await store.changedKeys([odd, { key: a.key, fingerprint: 'fa' }])).toEqual(new Set([odd.key]));
    // …and in fingerprints, which the engine may bind joined by such a separator.
    const oddFingerprint = { key: 'huggingface:o/y', fingerprint: 'f\u0001a' };
    expect(await store.changedKeys([oddFingerprint, { key: a.key, fingerprint: 'fa' }])).toEqual(
      new Set([oddFingerprint.key]),
    );

    // Day 2: a and b unchanged (figures only), c written whole with a fingerprint; a listed twice, last one wins.
    const seen = [
      { key: a.key, fingerprint: 'fa', stats: { downloads30d: 6, downloadsAllTime: 11, likes: 1 } },
      { key: b.key, fingerprint: 'fb', stats: { downloads30d: null, downloadsAllTime: 25, likes: 2 } },
      { key: a.key, fingerprint: 'fa', stats: { downloads30d: 7, downloadsAllTime: 12, likes: 2 } },
    ];
    const c2 = { ...c, stats: { ...c.stats, downloadsAllTime: 99 } };
    const p2 = page(D2, [c2], {
      fingerprints: new Map([[c.key, 'fc']]),
      seen,
      checkpoint: { name: 'sweep:x', value: 1 },
    });
    await store.commitPage(p2);
    await store.commitPage(p2); // idempotent, like every commit
    expect(await store.statsHistory(a.key)).toEqual([
      { date: D1, downloadsAllTime: 10, downloads30d: 5, likes: 1 },
      { date: D2, downloadsAllTime: 12, downloads30d: 7, likes: 2 },
    ]);
    expect((await store.statsHistory(b.key)).at(-1)).toEqual({
      date: D2,
      downloadsAllTime: 25,
      downloads30d: null,
      likes: 2,
    });
    // The model's latest figures follow, everything else stays, and being seen undoes the deletion.
    const gotA = await store.getModel(a.key);
    expect(gotA).toEqual({ ...a, stats: { downloads30d: 7, downloadsAllTime: 12, likes: 2 } });
    expect((await allModels(store)).map((m) => m.key).sort()).toEqual([a.key, b.key, c.key].sort());
    expect(await store.markMissing('huggingface', D2)).toBe(0);
    expect(await store.deletionCandidates('huggingface', D3, 10)).toEqual([]);
    expect(await store.statsDates()).toEqual([D1, D2]);
    expect(await store.changedKeys(sighted({ [a.key]: 'fa', [b.key]: 'fb', [c.key]: 'fc' }))).toEqual(new Set());
    // A key in both lists is taken from the models.
    await store.commitPage(
      page(D3, [c2], {
        seen: [{ key: c.key, fingerprint: 'fc', stats: { downloads30d: 1, downloadsAllTime: 1, likes: 1 } }],
      }),
    );
    expect((await store.statsHistory(c.key)).at(-1)).toEqual({
      date: D3,
      downloadsAllTime: 99,
      downloads30d: 100,
      likes: 5,
    });
    await expect(
      store.commitPage(
        page(D3, [], {
          platform: 'huggingface',
          seen: [{ key: a.key, fingerprint: 'fa', stats: { downloads30d: -1, downloadsAllTime: 1, likes: 1 } }],
        }),
      ),
    ).rejects.toThrow(/must be counts/);
    out.seen = { a: gotA, b: await store.getModel(b.key), history: await store.statsHistories([a.key, b.key, c.key]) };
  });

  it('writes the figures of seen models whatever their keys hold, separators of the engine included', async () => {
    const odd = record('huggingface', 'o/\u0001,"x');
    const plain = record('huggingface', 'o/plain');
    await store.commitPage(
      page(D1, [odd, plain], {
        fingerprints: new Map([
          [odd.key, 'fo'],
          [plain.key, 'fp'],
        ]),
      }),
    );
    const figures = { downloads30d: 3, downloadsAllTime: 30, likes: 0 };
    for (const batch of [[odd, plain], [plain]]) {
      await store.commitPage(
        page(D2, [], {
          seen: batch.map((m) => ({ key: m.key, fingerprint: m === odd ? 'fo' : 'fp', stats: figures })),
        }),
      );
    }
    expect((await store.statsHistory(odd.key)).at(-1)).toEqual({ date: D2, ...figures });
    expect((await store.statsHistory(plain.key)).at(-1)).toEqual({ date: D2, ...figures });
    // A figure left unknown is stored as null, not as zero.
    await store.commitPage(
      page(D3, [], {
        seen: [{ key: plain.key, fingerprint: 'fp', stats: { downloads30d: null, downloadsAllTime: 0, likes: null } }],
      }),
    );
    expect((await store.statsHistory(plain.key)).at(-1)).toEqual({
      date: D3,
      downloads30d: null,
      downloadsAllTime: 0,
      likes: null,
    });
  });

  it('keeps the latest day a model was seen when an earlier day is committed after it', async () => {
    const m = record('huggingface', 'o/late-day');
    await store.commitPage(page(D2, [m]));
    await store.statsDates(); // applied (DuckDB merges its stage), so the next commit meets a stored model
    await store.commitPage(page(D1, [{ ...m, stats: { ...m.stats, likes: 1 } }]));
    expect(await store.markMissing('huggingface', D2)).toBe(0);
    expect((await store.statsHistory(m.key)).map((r) => r.date)).toEqual([D1, D2]);
  });

  it('counts a model whose latest commit is not applied yet as changed', async () => {
    const m = record('huggingface', 'o/staged');
    const fingerprints = new Map([[m.key, 'fs']]);
    await store.commitPage(page(D1, [m], { fingerprints }));
    await store.statsDates(); // a read: whatever an engine deferred is applied
    expect(await store.changedKeys([{ key: m.key, fingerprint: 'fs' }])).toEqual(new Set());
    // DuckDB stages the day's commit and merges it before the next read: until then the models row is older.
    await store.commitPage(page(D2, [{ ...m, stats: { ...m.stats, likes: 9 } }], { fingerprints }));
    expect(await store.changedKeys([{ key: m.key, fingerprint: 'fs' }])).toEqual(
      store.engine === 'duckdb' ? new Set([m.key]) : new Set(),
    );
    expect((await store.getModel(m.key))?.stats.likes).toBe(9);
  });

  it('writes nothing of a page that fails mid-commit, checkpoint included', async () => {
    await store.commitPage(
      page(D1, [record('huggingface', 'org/first')], {
        checkpoint: { name: 'sweep', value: { page: 1 } },
        coverage: { pages: 1 },
      }),
    );
    const quarantinedBefore = await store.countQuarantine();
    const bad = page(
      D1,
      [record('huggingface', 'org/good'), record('huggingface', 'org/bad', { downloadsAllTime: -5 })],
      {
        checkpoint: { name: 'sweep', value: { page: 2 } },
        coverage: { pages: 1 },
        quarantine: [
          {
            platform: 'huggingface',
            kind: 'item',
            reason: 'bad',
            payload: '{}',
            ref: null,
            at: '2025-11-04T00:00:00.000Z',
          },
        ],
      },
    );
    await expect(store.commitPage(bad)).rejects.toThrow(/CHECK|check constraint/i);
    expect(await store.getModel('huggingface:org/good')).toBeNull();
    expect(await store.getCheckpoint('sweep')).toEqual({ page: 1 });
    expect(await store.countQuarantine()).toBe(quarantinedBefore);
    expect((await store.getCoverage(D1)).huggingface?.pages).toBe(1);
    expect(await store.statsHistory('huggingface:org/good')).toEqual([]);
    // The failed transaction is gone: the next page commits normally.
    await store.commitPage(
      page(D1, [record('huggingface', 'org/good')], { checkpoint: { name: 'sweep', value: { page: 2 } } }),
    );
    expect(await store.getCheckpoint('sweep')).toEqual({ page: 2 });
    await store.setCheckpoint('sweep', null);
    expect(await store.getCheckpoint('sweep')).toBeNull();
    await store.setCheckpoint('other', { cursor: 'abc', n: 3 });
    expect(await store.getCheckpoint('other')).toEqual({ cursor: 'abc', n: 3 });
  });

  it('streams every row exactly once across chunk boundaries, the snapshot’s in bytewise key order', async () => {
    // Keys whose order differs between a linguistic collation and bytes: upper before lower, '_' and non-ASCII.
    const ids = ['Zeta/a', 'alpha/a', 'Alpha/b', '_under/x', 'émile/x', '中文/模型', 'a-b/c', 'a_b/c', 'ab/c'];
    for (let i = 0; i < 44; i++) ids.push(`org${String(i).padStart(2, '0')}/m`);
    const models = ids.map((id, i) =>
      record('huggingface', id, {
        relation: i % 3 === 0 ? 'finetune' : 'base',
        baseModels: i % 3 === 0 ? ['huggingface:Qwen/Qwen3-8B'] : [],
        publisherKind: i % 4 === 0 ? 'redistributor' : 'big_tech',
      }),
    );
    await store.commitPage(page(D1, models.slice(0, 30)));
    await store.commitPage(page(D1, models.slice(30)));
    // A row on another day must not leak into this day's stream.
    await store.commitPage(page(D2, [record('huggingface', 'other/day')]));

    const keys = models.map((m) => m.key);
    const bytewise = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    for (const size of [7, 53, 1000]) {
      const { rows, sizes } = await drain(store.streamSnapshotRows(D1, null, size));
      expect(rows.map((r) => r.key)).toEqual(bytewise);
      expect(sizes.every((s) => s <= size)).toBe(true);
    }
    const { sizes } = await drain(store.streamSnapshotRows(D1, null, 7));
    expect(sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 4]);

    // The lineage pass's key streams come in no particular order (sql-lineage.ts streamKeys), each key once.
    const inBytes = (ks: string[]): string[] => [...ks].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const derivStream = await drain(store.streamDerivativeKeys(5));
    const deriv = { rows: inBytes(derivStream.rows) };
    expect(derivStream.sizes.every((n) => n <= 5)).toBe(true);
    expect(deriv.rows).toEqual(bytewise.filter((k) => models.find((m) => m.key === k)!.lineage.relation !== 'base'));
    const unlinkedStream = await drain(store.streamUnlinkedRedistributedKeys(4));
    const unlinked = { rows: inBytes(unlinkedStream.rows) };
    expect(unlinked.rows).toEqual(
      bytewise.filter((k) => {
        const m = models.find((x) => x.key === k)!;
        return m.publisher.kind === 'redistributor' && m.lineage.baseModels.length === 0;
      }),
    );
    expect(unlinked.rows.length).toBeGreaterThan(0);
    out.stream = { keys: bytewise, deriv: deriv.rows, unlinked: unlinked.rows };
  });

  it('joins the previous day and the day 30 days before', async () => {
    const date = '2025-11-04';
    const prev = '2025-11-03';
    const ago = '2025-10-05';
    const m = (id: string, all: number, platform: 'huggingface' | 'modelscope' = 'modelscope') =>
      record(platform, id, { downloadsAllTime: all, downloads30d: platform === 'huggingface' ? 10 : null });
    await store.commitPage(page(ago, [m('a/all-three', 100)]));
    await store.commitPage(page(ago, [m('c/ago-only', 7)]));
    await store.commitPage(page('2025-10-06', [m('b/today-only', 1)])); // 29 days before: not "30 days ago"
    await store.commitPage(page(prev, [m('a/all-three', 180)]));
    await store.commitPage(page(date, [m('a/all-three', 200), m('b/today-only', 50), m('c/ago-only', 9)]));
    await store.commitPage(page(date, [m('h/hf', 500, 'huggingface')]));

    const rows = (await drain(store.streamSnapshotRows(date, prev, 2))).rows;
    const pick = (r: SnapshotRow) => [r.key, r.downloadsAllTime, r.downloads30d, r.prevAllTime, r.allTime30dAgo];
    expect(rows.map(pick)).toEqual([
      ['huggingface:h/hf', 500, 10, null, null],
      ['modelscope:a/all-three', 200, null, 180, 100],
      ['modelscope:b/today-only', 50, null, null, null],
      ['modelscope:c/ago-only', 9, null, null, 7],
    ]);
    const first = rows[1]!;
    expect(first).toMatchObject({
      platform: 'modelscope',
      namespace: 'a',
      createdAt: '2025-11-01T10:00:00.000Z',
      releasedAt: '2025-11-01T10:00:00.000Z',
      relation: 'base',
      rootKey: 'modelscope:a/all-three',
      licenseClass: 'permissive',
      licenseId: 'Apache-2.0',
      publisherCountry: 'CN',
      originBasis: 'registry',
      likes: 5,
    });
    const noPrev = (await drain(store.streamSnapshotRows(date, null))).rows;
    expect(noPrev.map((r) => r.prevAllTime)).toEqual([null, null, null, null]);
    expect(await store.statsDates()).toEqual([ago, '2025-10-06', prev, date]);
    out.joins = { rows, noPrev };
  });

  it('marks a model missing after one complete sweep and deletes it only when asked to, per platform', async () => {
    const a = record('huggingface', 'o/a');
    const b = record('huggingface', 'o/b');
    const c = record('modelscope', 'o/c');
    await store.commitPage(page(D1, [a, b]));
    await store.commitPage(page(D1, [c]));
    await store.commitPage(page(D2, [a]));
    expect(await store.markMissing('huggingface', D2)).toBe(1);
    expect(await store.markMissing('huggingface', D2)).toBe(0);
    // A model seen on a later day is not missing as of an earlier one.
    expect(await store.markMissing('huggingface', D1)).toBe(0);
    // Missing since D2: not a candidate on D2 itself (one sweep is not enough), a candidate on a later day.
    expect(await store.deletionCandidates('huggingface', D2, 10)).toEqual([]);
    expect(await store.deletionCandidates('huggingface', D3, 10)).toEqual([{ key: b.key, id: b.id, missingSince: D2 }]);
    expect((await allModels(store)).map((m) => m.key).sort()).toEqual([c.key, a.key, b.key].sort());
    expect(await store.markDeleted('huggingface', [b.key, a.key], D3)).toBe(1); // a is not missing: never deleted
    expect((await allModels(store)).map((m) => m.key).sort()).toEqual([c.key, a.key].sort());
    expect((await store.getModel(b.key))?.key).toBe(b.key);
    expect(await store.orgCounts()).toEqual([{ org: 'Qwen', publisherModels: 2, originModels: 2 }]);
    // Back in the catalogue: no longer deleted nor missing, with its history.
    await store.commitPage(page(D3, [b]));
    expect((await allModels(store)).map((m) => m.key).sort()).toEqual([c.key, a.key, b.key].sort());
    expect((await store.statsHistory(b.key)).map((p) => p.date)).toEqual([D1, D3]);
    expect(await store.deletionCandidates('huggingface', '2026-12-31', 10)).toEqual([]);
    expect(await store.markMissing('modelscope', D3)).toBe(1);
    out.deleted = await allModels(store);
  });

  it('moves a renamed model (same object id, new key) with its history and first sighting', async () => {
    const old = record('huggingface', 'o/old-name');
    await store.commitPage(page(D1, [old], { objectIds: new Map([[old.key, 'oid-1']]) }));
    await store.commitPage(page(D2, [old], { objectIds: new Map([[old.key, 'oid-1']]) }));
    const renamed = { ...record('huggingface', 'o/new-name'), firstSeenAt: `${D3}T12:00:00.000Z` };
    await store.commitPage(page(D3, [renamed], { objectIds: new Map([[renamed.key, 'oid-1']]) }));
    expect(await store.getModel(old.key)).toBeNull();
    const got = await store.getModel(renamed.key);
    expect(got?.firstSeenAt).toBe(old.firstSeenAt);
    expect(got?.releasedAt).toBe((await store.getModel(renamed.key))?.releasedAt);
    expect((await store.statsHistory(renamed.key)).map((p) => p.date)).toEqual([D1, D2, D3]);
    expect(await store.statsHistory(old.key)).toEqual([]);
    expect(await store.renamedTo(old.key)).toBe(renamed.key);
    expect(await store.renamedTo(renamed.key)).toBeNull();
    expect((await allModels(store)).map((m) => m.key)).toEqual([renamed.key]);
    // Renamed again: the first id still leads to the model.
    const again = record('huggingface', 'o/newest-name');
    await store.commitPage(page(D3, [again], { objectIds: new Map([[again.key, 'oid-1']]) }));
    expect(await store.renamedTo(old.key)).toBe(again.key);
    // A derivative whose card still names the first id finds the model under its new key.
    expect((await store.getLineageNodes([old.key])).get(old.key)?.key).toBe(again.key);
    expect((await store.statsHistory(again.key)).map((p) => p.date)).toEqual([D1, D2, D3]);
    // A new model with its own object id is not a rename.
    const other = record('huggingface', 'o/other');
    await store.commitPage(page(D3, [other], { objectIds: new Map([[other.key, 'oid-2']]) }));
    expect((await allModels(store)).map((m) => m.key).sort()).toEqual([again.key, other.key].sort());
  });

  it('lists models with filters and a cursor that reaches every item exactly once', async () => {
    const models: NormalisedRecord[] = [];
    for (let i = 0; i < 23; i++) {
      // Pairs share a release instant, so the key decides their order and the cursor must carry it.
      const day = String(1 + Math.floor(i / 2)).padStart(2, '0');
      models.push(
        record(i % 5 === 0 ? 'modelscope' : 'huggingface', `ns${i % 4}/m${String(i).padStart(2, '0')}`, {
          createdAt: `2025-10-${day}T00:00:00.000Z`,
          firstSeenAt: `2025-10-${day}T01:00:00.000Z`,
          publisherOrg: i % 3 === 0 ? 'Meta' : 'Qwen',
          publisherCountry: i % 3 === 0 ? 'US' : 'CN',
          originOrg: i % 2 === 0 ? 'Meta' : 'DeepSeek',
          originCountry: i % 2 === 0 ? 'US' : 'CN',
          relation: i % 4 === 0 ? 'quantized' : 'base',
          licenseClass: i % 6 === 0 ? 'open-restricted' : 'permissive',
        }),
      );
    }
    await store.commitPage(
      page(
        D1,
        models.filter((m) => m.platform === 'huggingface'),
      ),
    );
    await store.commitPage(
      page(
        D1,
        models.filter((m) => m.platform === 'modelscope'),
      ),
    );

    const order = (list: NormalisedRecord[]) =>
      [...list]
        .sort((x, y) =>
          x.releasedAt! < y.releasedAt! ? 1 : x.releasedAt! > y.releasedAt! ? -1 : x.key < y.key ? 1 : -1,
        )
        .map((m) => m.key);
    const all = await allModels(store);
    expect(all.map((m) => m.key)).toEqual(order(models));
    expect(new Set(all.map((m) => m.key)).size).toBe(models.length);
    expect(all.find((m) => m.key === models[0]!.key)).toEqual(models[0]);

    const cases: Array<[Parameters<Store['listModels']>[0], (m: NormalisedRecord) => boolean]> = [
      [{ limit: 3, platform: 'modelscope' }, (m) => m.platform === 'modelscope'],
      [{ limit: 3, country: 'us' }, (m) => m.origin.country === 'US'],
      [{ limit: 3, country: 'US', view: 'publisher' }, (m) => m.publisher.country === 'US'],
      [{ limit: 3, org: 'deepseek' }, (m) => m.origin.org === 'DeepSeek'],
      [{ limit: 3, org: 'META', view: 'publisher' }, (m) => m.publisher.org === 'Meta'],
      [{ limit: 3, kind: 'big_tech' }, () => true],
      [{ limit: 3, licenseClass: 'open-restricted' }, (m) => m.license.class === 'open-restricted'],
      [{ limit: 3, relation: 'quantized' }, (m) => m.lineage.relation === 'quantized'],
      [{ limit: 3, since: '2025-10-08T00:00:00Z' }, (m) => m.releasedAt! >= '2025-10-08T00:00:00.000Z'],
      [
        { limit: 3, org: 'Meta', country: 'US', relation: 'base' },
        (m) => m.origin.org === 'Meta' && m.lineage.relation === 'base',
      ],
    ];
    const filtered: string[][] = [];
    for (const [q, pred] of cases) {
      const { limit: _l, ...rest } = q;
      const got = (await allModels(store, rest)).map((m) => m.key);
      const want = order(models.filter(pred));
      expect(want.length).toBeGreaterThan(0);
      expect(got, JSON.stringify(q)).toEqual(want);
      filtered.push(got);
    }
    const first = await store.listModels({ limit: 5 });
    expect(first.items).toHaveLength(5);
    const lastPage = await store.listModels({ limit: 1000 });
    expect(lastPage.nextCursor).toBeNull();
    await expect(store.listModels({ limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
    out.list = { all, filtered, firstCursor: first.nextCursor };
  });

  it('serves lineage nodes, name lookups and origin updates', async () => {
    const base = record('huggingface', 'Qwen/Qwen3-8B');
    const ft = record('huggingface', 'someone/Qwen3-8B-ft', {
      relation: 'finetune',
      baseModels: [base.key],
      publisherOrg: null,
      publisherKind: 'individual',
      publisherCountry: 'ZZ',
      originOrg: null,
      originCountry: 'ZZ',
    });
    const copy = record('modelscope', 'mirror/qwen3-8b', { publisherKind: 'redistributor', publisherOrg: null });
    await store.commitPage(page(D1, [base, ft]));
    await store.commitPage(page(D1, [copy]));

    const nodes = await store.getLineageNodes([ft.key, base.key, 'huggingface:missing/x']);
    expect([...nodes.keys()].sort()).toEqual([base.key, ft.key].sort());
    expect(nodes.get(ft.key)).toEqual({
      key: ft.key,
      platform: 'huggingface',
      namespace: 'someone',
      name: 'Qwen3-8B-ft',
      relation: 'finetune',
      baseModels: [base.key],
      createdAt: '2025-11-01T10:00:00.000Z',
      publisherOrg: null,
      publisherCountry: 'ZZ',
      publisherCountryAlt: null,
      publisherKind: 'individual',
    });
    const byName = await store.findByNames('huggingface', ['QWEN3-8b', 'nothing-here']);
    expect([...byName.keys()]).toEqual(['qwen3-8b']);
    expect(byName.get('qwen3-8b')!.map((n) => n.key)).toEqual([base.key]);
    expect((await store.findByNames('modelscope', ['Qwen3-8B'])).get('qwen3-8b')?.[0]?.key).toBe(copy.key);

    await store.updateOrigins([
      {
        key: ft.key,
        rootKey: base.key,
        family: 'Qwen',
        originOrg: 'Qwen',
        originCountry: 'CN',
        originCountryAlt: null,
        originKind: 'big_tech',
        originBasis: 'lineage',
        mirrors: [],
      },
      {
        key: copy.key,
        rootKey: base.key,
        family: 'Qwen',
        originOrg: 'Qwen',
        originCountry: 'CN',
        originCountryAlt: 'US',
        originKind: 'big_tech',
        originBasis: 'repo-name',
        mirrors: [base.key],
      },
    ]);
    const gotFt = await store.getModel(ft.key);
    expect(gotFt?.origin).toEqual({ org: 'Qwen', country: 'CN', countryAlt: null, kind: 'big_tech', basis: 'lineage' });
    expect(gotFt?.lineage.root).toBe(base.key);
    const gotCopy = await store.getModel(copy.key);
    expect(gotCopy?.mirrors).toEqual([base.key]);
    expect(gotCopy?.origin.countryAlt).toBe('US');
    const snap = (await drain(store.streamSnapshotRows(D1, null))).rows.find((r) => r.key === copy.key);
    expect(snap).toMatchObject({ rootKey: base.key, originBasis: 'repo-name', originOrg: 'Qwen' });
    // The next sweep rewrites the record, but updateOrigins ran after resolution and is re-run after each sweep.
    out.lineage = {
      nodes: [...nodes.entries()],
      byName: [...byName.entries()],
      gotFt,
      gotCopy,
      orgs: await store.orgCounts(),
    };
  });

  it('origin updates: the last one of a key wins, a later page is not undone by them, and a reopen keeps them', async () => {
    const base = record('huggingface', 'Qwen/Qwen3-8B', { publisherOrg: 'Qwen', publisherCountry: 'CN' });
    const ft = record('huggingface', 'someone/ft', { relation: 'finetune', baseModels: [base.key] });
    const other = record('huggingface', 'someone/other', { relation: 'finetune', baseModels: [base.key] });
    await store.commitPage(page(D1, [base, ft, other]));
    const origin = (key: string, org: string, country: string): OriginUpdate => ({
      key,
      rootKey: base.key,
      family: 'Qwen',
      originOrg: org,
      originCountry: country,
      originCountryAlt: null,
      originKind: 'big_tech',
      originBasis: 'lineage',
      mirrors: [],
    });
    // The embedded store holds updates until a read or write could see them (DuckDBStore.updateOrigins).
    await store.updateOrigins([origin(ft.key, 'First', 'US'), origin(other.key, 'Qwen', 'CN')]);
    await store.updateOrigins([origin(ft.key, 'Qwen', 'CN')]);
    expect((await store.getModel(ft.key))?.origin.org).toBe('Qwen');
    // Held again, then a later page of the same model: the page comes after the update, as it did in time.
    await store.updateOrigins([origin(other.key, 'Held', 'FR')]);
    await store.commitPage(page(D2, [{ ...other, stats: { ...other.stats, downloadsAllTime: 999 } }]));
    const got = await store.getModel(other.key);
    expect(got?.stats.downloadsAllTime).toBe(999);
    expect(got?.origin.org).toBe(other.origin.org);
    // Held when the store closes: written before it does.
    await store.updateOrigins([origin(base.key, 'Qwen', 'CN'), origin(ft.key, 'Closing', 'DE')]);
    await store.close();
    store = await h.open();
    expect((await store.getModel(ft.key))?.origin).toMatchObject({ org: 'Closing', country: 'DE' });
    expect((await allModels(store)).length).toBe(3);
  });

  it("counts a model's direct derivatives by relation and its descendants as a root", async () => {
    // A key with LIKE's wildcards and JSON's escape character in it, so neither may be taken for a pattern.
    const base = record('huggingface', 'o/a_b\\');
    const other = record('huggingface', 'o/other');
    const under = (id: string, relation: NormalisedRecord['lineage']['relation'], bases: string[], root = base.key) => {
      const r = record('huggingface', id, { relation, baseModels: bases });
      return { ...r, lineage: { ...r.lineage, root } };
    };
    const models = [
      base,
      other,
      under('u/ft1', 'finetune', [base.key]),
      under('u/ft2', 'finetune', [other.key, base.key]),
      under('u/ad', 'adapter', [base.key]),
      under('u/q', 'quantized', [base.key]),
      under('u/merge', 'merge', [other.key, base.key], other.key),
      // Depth two: a descendant under the root, not a direct derivative.
      under('u/ft1-q', 'quantized', ['huggingface:u/ft1']),
      // Wrong on purpose: `_` as a wildcard would match `axb`; the key's text inside another element
      // (`"huggingface:o/a_b\` holds `"huggingface:o/a_b\\"` as JSON writes it) passes LIKE but not the exact check.
      under('u/wild', 'finetune', ['huggingface:o/axb\\'], other.key),
      under('u/inside', 'finetune', ['"huggingface:o/a_b\\'], other.key),
      // Deleted below: never counted.
      under('u/gone', 'finetune', [base.key]),
    ];
    await store.commitPage(page(D1, models));
    await store.commitPage(
      page(
        D2,
        models.filter((m) => m.id !== 'u/gone'),
      ),
    );
    expect(await store.markMissing('huggingface', D2)).toBe(1);
    expect(await store.markDeleted('huggingface', ['huggingface:u/gone'], D2)).toBe(1);

    const got = await store.derivativeCounts(base.key);
    expect(got).toEqual({
      direct: [
        { relation: 'finetune', models: 2 },
        { relation: 'adapter', models: 1 },
        { relation: 'merge', models: 1 },
        { relation: 'quantized', models: 1 },
      ],
      directTotal: 5,
      descendants: 5,
    });
    // A fine-tune's own derivative is direct; its descendants are counted at the root, not here.
    expect(await store.derivativeCounts('huggingface:u/ft1')).toEqual({
      direct: [{ relation: 'quantized', models: 1 }],
      directTotal: 1,
      descendants: 0,
    });
    expect(await store.derivativeCounts('huggingface:nobody/none')).toEqual({
      direct: [],
      directTotal: 0,
      descendants: 0,
    });

    // Renamed: derivatives whose cards name the old key still count for the model under its new key.
    const old = record('huggingface', 'r/old');
    await store.commitPage(
      page(D2, [old, under('u/of-old', 'adapter', [old.key], old.key)], { objectIds: new Map([[old.key, 'oid-r']]) }),
    );
    const renamed = record('huggingface', 'r/new');
    await store.commitPage(page(D3, [renamed], { objectIds: new Map([[renamed.key, 'oid-r']]) }));
    const afterRename = await store.derivativeCounts(renamed.key);
    expect(afterRename.direct).toEqual([{ relation: 'adapter', models: 1 }]);
    out.derivatives = { got, afterRename };
  });

  it('ranks namespaces without an organisation by the day’s downloads', async () => {
    await store.commitPage(
      page(D1, [
        record('huggingface', 'anon/a', { publisherOrg: null, downloads30d: 300, downloadsAllTime: 9000 }),
        record('huggingface', 'anon/b', { publisherOrg: null, downloads30d: 200, downloadsAllTime: 9000 }),
        record('huggingface', 'ANON/c', { publisherOrg: null, downloads30d: null, downloadsAllTime: 9000 }),
        record('huggingface', 'solo/x', { publisherOrg: null, downloads30d: 450, downloadsAllTime: 1 }),
        record('huggingface', 'Qwen/big', { downloads30d: 1000, downloadsAllTime: 99999 }),
      ]),
    );
    await store.commitPage(
      page(D1, [
        record('modelscope', 'mslab/m', { publisherOrg: null, downloads30d: null, downloadsAllTime: 700 }),
        record('modelscope', 'Qwen/m', { downloads30d: null, downloadsAllTime: 50 }),
      ]),
    );
    // Another day's figures must not count.
    await store.commitPage(page(D2, [record('huggingface', 'anon/a', { publisherOrg: null, downloads30d: 99999 })]));
    const got = await store.unknownNamespaces(D1, 3);
    expect(got.total).toBe(300 + 200 + 0 + 450 + 1000 + 700 + 50);
    expect(got.rows).toEqual([
      { platform: 'modelscope', namespace: 'mslab', models: 1, downloads: 700 },
      { platform: 'huggingface', namespace: 'ANON', models: 3, downloads: 500 },
      { platform: 'huggingface', namespace: 'solo', models: 1, downloads: 450 },
    ]);
    expect((await store.unknownNamespaces('2025-01-01', 10)).total).toBe(0);
    out.unknown = got;
  });

  it('stores quarantine with the payload capped at 64 KiB of UTF-8', async () => {
    const huge = 'é'.repeat(50_000) + 'tail'; // 100,004 bytes
    const items: PageCommit['quarantine'] = [
      {
        platform: 'huggingface',
        kind: 'item',
        reason: 'bad id',
        payload: huge,
        ref: 'http://sim/api/models?p=1',
        at: '2025-11-04T01:00:00Z',
      },
      {
        platform: 'huggingface',
        kind: 'page',
        reason: 'truncated',
        payload: 'a\u0000b',
        ref: null,
        at: '2025-11-04T01:00:01.500Z',
      },
    ];
    await store.commitPage({ date: D1, platform: 'huggingface', models: [], quarantine: items });
    await store.commitPage({
      date: D1,
      platform: 'modelscope',
      models: [],
      quarantine: [
        { platform: 'modelscope', kind: 'item', reason: 'x', payload: '{}', ref: null, at: '2025-11-04T02:00:00.000Z' },
      ],
    });
    const rows = await store.listQuarantine(10, 'huggingface');
    expect(rows.map((r) => [r.id, r.kind, r.at])).toEqual([
      [2, 'page', '2025-11-04T01:00:01.500Z'],
      [1, 'item', '2025-11-04T01:00:00.000Z'],
    ]);
    const capped = rows[1]!.payload;
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(QUARANTINE_PAYLOAD_MAX_BYTES);
    expect(Buffer.byteLength(capped)).toBeGreaterThan(QUARANTINE_PAYLOAD_MAX_BYTES - 4);
    expect(huge.startsWith(capped)).toBe(true);
    expect(rows[0]!.payload).toBe('a\uFFFDb');
    expect(await store.countQuarantine()).toBe(3);
    expect(await store.countQuarantine('modelscope')).toBe(1);
    expect(await store.listQuarantine(1)).toHaveLength(1);
    out.quarantine = {
      rows: rows.map((r) => ({ ...r, payload: r.payload.length })),
      all: await store.listQuarantine(10),
    };
  });

  it('keeps provenance per row: live wins both ways, and figures of an older page leave the newer record alone', async () => {
    const a = record('huggingface', 'Qwen/A', { downloadsAllTime: 100 });
    const b = record('huggingface', 'Qwen/B', { downloadsAllTime: 200 });
    await store.commitPage(page(D2, [a]));
    // A dump page of the same date: its row for A is not written over the live one; B's is written as dump.
    await store.commitPage(page(D2, [{ ...a, stats: { ...a.stats, downloadsAllTime: 1 } }, b], { provenance: 'dump' }));
    expect(await store.provenanceCounts(D2)).toEqual({ huggingface: { live: 1, dump: 1 } });
    expect(await store.liveKeysOn(D2, [a.key, b.key])).toEqual(new Set([a.key]));
    expect((await store.statsHistory(a.key)).map((p) => p.downloadsAllTime)).toEqual([100]);
    // A live page replaces the dump row of its date.
    await store.commitPage(page(D2, [{ ...b, stats: { ...b.stats, downloadsAllTime: 250 } }]));
    expect(await store.provenanceCounts(D2)).toEqual({ huggingface: { live: 2, dump: 0 } });
    // An older partition's figures only: the day's row, the record (last seen D2) untouched.
    expect(await store.keysNewerThan(D1, [a.key, b.key])).toEqual(new Set([a.key, b.key]));
    const before = await store.getModel(a.key);
    await store.commitPage({
      ...page(D1, []),
      provenance: 'dump',
      figuresOnly: [{ key: a.key, stats: { downloads30d: 5, downloadsAllTime: 50, likes: 1 } }],
    });
    expect((await store.statsHistory(a.key)).map((p) => [p.date, p.downloadsAllTime])).toEqual([
      [D1, 50],
      [D2, 100],
    ]);
    expect(await store.getModel(a.key)).toEqual(before);
    expect(await store.platformsOn(D1)).toEqual(['huggingface']);
    out.provenance = await store.provenanceCounts(D1);
  });

  it('adds coverage counters and merges flags and notes', async () => {
    await store.commitPage({
      date: D1,
      platform: 'huggingface',
      models: [],
      quarantine: [],
      coverage: { requests: 3, pages: 1, http429: 1 },
    });
    await store.commitPage({
      date: D1,
      platform: 'huggingface',
      models: [],
      quarantine: [],
      coverage: { requests: 2, errors: 1, quarantined: 4, incomplete: 2 },
    });
    await store.setCoverageFlags(D1, 'huggingface', { degraded: true, note: 'degraded page x' });
    await store.setCoverageFlags(D1, 'huggingface', { degraded: true, note: 'degraded page x' });
    await store.setCoverageFlags(D1, 'huggingface', { complete: true, swept: true });
    await store.setCoverageFlags(D1, 'wisemodel', { complete: false, note: 'layout drift' });
    const cov = await store.getCoverage(D1);
    expect(cov).toEqual({
      huggingface: {
        modelsSeen: 0,
        requests: 5,
        pages: 1,
        http429: 1,
        errors: 1,
        quarantined: 4,
        incomplete: 2,
        complete: true,
        degraded: true,
        swept: true,
        notes: ['degraded page x'],
      },
      wisemodel: {
        modelsSeen: 0,
        requests: 0,
        pages: 0,
        http429: 0,
        errors: 0,
        quarantined: 0,
        incomplete: 0,
        complete: false,
        degraded: false,
        swept: false,
        notes: ['layout drift'],
      },
    });
    expect(await store.getCoverage(D2)).toEqual({});
    await expect(store.getCoverage('04/11/2025')).rejects.toThrow(/YYYY-MM-DD/);
    out.coverage = cov;
  });

  it('commits a 1000-model page in as many statements as a one-model page, and streams them back', async () => {
    const N = 5_000;
    const models = Array.from({ length: N }, (_, i) =>
      record(i % 2 ? 'huggingface' : 'modelscope', `org${i % 97}/model-${i}`, {
        downloadsAllTime: i,
        downloads30d: i % 2 ? i : null,
      }),
    );
    // Batched writes send a page, whatever its size, in the same few statements; a statement per model would send
    // about a thousand more for a 1000-model page. Counted at the engine's driver rather than timed, so a busy
    // machine cannot change the verdict (the throughput figures are tests/store/bench.ts's).
    const statements = statementCounter(name);
    try {
      // The first commit of a store reads what earlier commits left (DuckDB's stage sequence); not a page's cost.
      await store.commitPage({
        date: D3,
        platform: 'huggingface',
        models: [record('huggingface', 'one/m')],
        quarantine: [],
      });
      const perPage = { single: [] as number[], insert: [] as number[], update: [] as number[] };
      for (let i = 0; i < N; i += 1000) {
        perPage.single.push(
          await statements.during(() =>
            store.commitPage({
              date: D3,
              platform: 'huggingface',
              models: [record('huggingface', `one/m${i}`)],
              quarantine: [],
              checkpoint: { name: 'bench', value: { i } },
            }),
          ),
        );
        perPage.insert.push(
          await statements.during(() =>
            store.commitPage({
              date: D1,
              platform: 'huggingface',
              models: models.slice(i, i + 1000),
              quarantine: [],
              checkpoint: { name: 'bench', value: { i } },
            }),
          ),
        );
      }
      // The same pages again: the update path (every row conflicts).
      for (let i = 0; i < N; i += 1000) {
        perPage.update.push(
          await statements.during(() =>
            store.commitPage({
              date: D2,
              platform: 'huggingface',
              models: models.slice(i, i + 1000),
              quarantine: [],
              checkpoint: { name: 'bench', value: { i } },
            }),
          ),
        );
      }
      const one = perPage.single[0]!;
      expect(one).toBeGreaterThan(0); // the counter sees the engine's statements at all
      expect(perPage).toEqual({ single: Array(5).fill(one), insert: Array(5).fill(one), update: Array(5).fill(one) });
    } finally {
      statements.restore();
    }
    let n = 0;
    for await (const chunk of store.streamSnapshotRows(D2, D1)) n += chunk.length;
    expect(n).toBe(N);
  }, 120_000);
});

describe('engine-specific behaviour', () => {
  it('DuckDB refuses a file another process holds, with the way out', async () => {
    const h = duckdbHarness();
    const store = await h.open();
    const path = (store as DuckDBStore).path;
    await store.close();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(${JSON.stringify(path)});
         process.stdout.write('locked\\n');
         process.stdin.on('data', () => { i.closeSync(); process.exit(0); });`,
      ],
      { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => (b.toString().includes('locked') ? resolve() : undefined));
        child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const err = await DuckDBStore.open(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/in use by another hubwatch process; set DATABASE_URL/);
    } finally {
      child.stdin.write('x');
      await new Promise((r) => child.on('exit', r));
    }
    // Released: it opens again, and a second open in the same process is refused rather than corrupting the file.
    const again = await DuckDBStore.open(path);
    await expect(DuckDBStore.open(path)).rejects.toBeInstanceOf(ConfigError);
    await again.close();
    await h.destroy();
  });

  it('PostgreSQL unreachable: a clear error that names the URL without its password', async () => {
    const err = await openStore({
      dataDir: '/nonexistent',
      databaseUrl: 'postgres://hubwatch:s3cret-pw@127.0.0.1:1/hubwatch',
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toContain('127.0.0.1:1');
    expect(msg).toMatch(/Start it/);
    expect(msg).not.toContain('s3cret-pw');
  });
});

describe('engines agree', () => {
  it('returns deep-equal results for identical calls', () => {
    const cases = Object.keys(outputs.duckdb!);
    expect(cases.length).toBeGreaterThanOrEqual(9);
    expect(Object.keys(outputs.postgres!)).toEqual(cases);
    for (const c of cases) expect(outputs.postgres![c], c).toEqual(outputs.duckdb![c]);
  });
});
