// The licence × country block against a hand computation on a small store: two platforms (one with its own 30-day
// window, one from stored history), both views, both scopes, and the leading / other / ZZ rows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LicenseClass, NormalisedRecord } from '../../src/model.js';
import { buildSnapshot, licenseTable } from '../../src/snapshot/build.js';
import { SnapshotSchema } from '../../src/snapshot/schema.js';
import type { LicenseCountryTable } from '../../src/snapshot/types.js';
import { openStore } from '../../src/store/index.js';
import { record } from '../store/fixtures.js';

const D = '2026-11-20';
const D30 = '2026-10-21';

function model(
  platform: 'huggingface' | 'modelscope',
  id: string,
  o: {
    origin: string;
    publisher?: string;
    cls: LicenseClass;
    d30?: number | null;
    all?: number;
    created: string;
    task?: string;
  },
): NormalisedRecord {
  const r = record(platform, id, {
    originCountry: o.origin,
    publisherCountry: o.publisher ?? o.origin,
    licenseClass: o.cls,
    downloads30d: o.d30 ?? null,
    downloadsAllTime: o.all ?? 1000,
    createdAt: `${o.created}T08:00:00.000Z`,
    firstSeenAt: `${o.created}T09:00:00.000Z`,
  });
  return o.task ? { ...r, task: o.task } : r;
}

/** A table as [country, countries, total, [class, value, share]…] so a mismatch reads at a glance. */
const flat = (t: LicenseCountryTable | null | undefined) =>
  t
    ? {
        total: t.total,
        rows: t.rows.map((r) => [r.country, r.countries, r.total, r.classes.map((c) => [c.class, c.value, c.share])]),
      }
    : t;

describe('licence classes by country in the snapshot', () => {
  it('matches a hand computation per view, scope and platform, and agrees with the share lists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hubwatch-licence-'));
    const store = await openStore({ dataDir: dir, databaseUrl: null });
    try {
      const hf = [
        model('huggingface', 'cn/h1', { origin: 'CN', cls: 'permissive', d30: 1000, created: D }),
        // Published from the US, whose model is Chinese: the views disagree on its country.
        model('huggingface', 'us/h2', {
          origin: 'CN',
          publisher: 'US',
          cls: 'non-commercial',
          d30: 500,
          created: '2026-11-01',
        }),
        model('huggingface', 'us/h3', { origin: 'US', cls: 'permissive', d30: 300, created: D }),
        // Not a language model, and unattributed.
        model('huggingface', 'zz/h4', {
          origin: 'ZZ',
          cls: 'unknown',
          d30: 200,
          created: D,
          task: 'feature-extraction',
        }),
      ];
      const m1 = model('modelscope', 'cn/m1', {
        origin: 'CN',
        cls: 'open-restricted',
        all: 900,
        created: '2026-09-01',
      });
      // Created inside the window: everything it has counts.
      const m2 = model('modelscope', 'cn/m2', { origin: 'CN', cls: 'permissive', all: 100, created: '2026-11-10' });
      await store.commitPage({
        date: D30,
        platform: 'modelscope',
        models: [{ ...m1, stats: { ...m1.stats, downloadsAllTime: 400 } }],
        quarantine: [],
      });
      await store.commitPage({ date: D, platform: 'huggingface', models: hf, quarantine: [] });
      await store.commitPage({ date: D, platform: 'modelscope', models: [m1, m2], quarantine: [] });

      const snap = await buildSnapshot({ store, llmTasks: ['text-generation'] }, D);
      SnapshotSchema.parse(snap);
      const b = snap.licenseByCountry!;
      expect(b.topCountries).toBe(10);
      expect(b.method).toMatch(/share of each licence class/);

      const d30 = b.metrics.downloads30d.scopes;
      // Origin, all models, combined: CN = h1 1000 + m2 100 permissive, h2 500 non-commercial, m1 900 − 400 open-restricted.
      expect(d30.all.origin.combinedPlatforms).toEqual(['huggingface', 'modelscope']);
      expect(flat(d30.all.origin.combined)).toEqual({
        total: 2600,
        rows: [
          [
            'CN',
            1,
            2100,
            [
              ['permissive', 1100, 1100 / 2100],
              ['open-restricted', 500, 500 / 2100],
              ['non-commercial', 500, 500 / 2100],
            ],
          ],
          ['US', 1, 300, [['permissive', 300, 1]]],
          ['ZZ', 1, 200, [['unknown', 200, 1]]],
        ],
      });
      // Publisher: h2 moves to the US.
      expect(flat(d30.all.publisher.combined)).toEqual({
        total: 2600,
        rows: [
          [
            'CN',
            1,
            1600,
            [
              ['permissive', 1100, 1100 / 1600],
              ['open-restricted', 500, 500 / 1600],
            ],
          ],
          [
            'US',
            1,
            800,
            [
              ['non-commercial', 500, 500 / 800],
              ['permissive', 300, 300 / 800],
            ],
          ],
          ['ZZ', 1, 200, [['unknown', 200, 1]]],
        ],
      });
      // LLM scope: the embedding model (and with it ZZ) is out.
      expect(flat(d30.llm.origin.combined)!.rows.map((r) => r[0])).toEqual(['CN', 'US']);
      // Per platform: Hugging Face's own window, ModelScope's from stored counts.
      expect(flat(d30.all.origin.platforms.modelscope)).toEqual({
        total: 600,
        rows: [
          [
            'CN',
            1,
            600,
            [
              ['open-restricted', 500, 500 / 600],
              ['permissive', 100, 100 / 600],
            ],
          ],
        ],
      });
      expect(flat(d30.all.origin.platforms.huggingface)!.rows[0]).toEqual([
        'CN',
        1,
        1500,
        [
          ['permissive', 1000, 1000 / 1500],
          ['non-commercial', 500, 500 / 1500],
        ],
      ]);

      // New releases on D: h1 (CN), h3 (US), h4 (ZZ); h2 and the ModelScope models were released earlier.
      expect(flat(b.metrics.newReleases.scopes.all.origin.combined)).toEqual({
        total: 3,
        rows: [
          ['CN', 1, 1, [['permissive', 1, 1]]],
          ['US', 1, 1, [['permissive', 1, 1]]],
          ['ZZ', 1, 1, [['unknown', 1, 1]]],
        ],
      });
      expect(b.metrics.newReleases.scopes.all.origin.platforms.modelscope).toEqual({ total: 0, rows: [] });

      // Every country's row total is that country's value in the metric's own share list.
      for (const metric of ['downloads30d', 'newReleases'] as const)
        for (const scope of ['all', 'llm'] as const)
          for (const view of ['origin', 'publisher'] as const) {
            const shares = snap.metrics[metric].scopes[scope][view];
            const lic = b.metrics[metric].scopes[scope][view];
            expect(lic.combinedPlatforms).toEqual(shares.combinedPlatforms);
            for (const [list, table] of [
              [shares.combined, lic.combined],
              ...Object.entries(shares.platforms).map(([p, l]) => [l, lic.platforms[p as 'huggingface']] as const),
            ] as const) {
              expect(table?.total ?? null).toBe(list?.total ?? null);
              for (const row of table?.rows ?? [])
                expect(row.total).toBe(list!.shares.find((s) => s.country === row.country)!.value);
            }
          }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the leading countries, sums the rest as other and keeps ZZ last', () => {
    const m = (entries: Array<[string, Array<[LicenseClass, number]>]>) =>
      new Map(entries.map(([c, cls]) => [c, new Map(cls)]));
    const t = licenseTable(
      m([
        ['US', [['permissive', 10]]],
        ['ZZ', [['unknown', 7]]],
        [
          'FR',
          [
            ['copyleft', 2],
            ['permissive', 1],
          ],
        ],
        [
          'CN',
          [
            ['permissive', 6],
            ['open-restricted', 6],
          ],
        ],
        [
          'DE',
          [
            ['permissive', 3],
            ['copyleft', 1],
          ],
        ],
        ['JP', [['permissive', 0]]],
      ]),
      2,
    );
    expect(flat(t)).toEqual({
      total: 36,
      rows: [
        [
          'CN',
          1,
          12,
          [
            ['permissive', 6, 0.5],
            ['open-restricted', 6, 0.5],
          ],
        ],
        ['US', 1, 10, [['permissive', 10, 1]]],
        [
          'other',
          2,
          7,
          [
            ['permissive', 4, 4 / 7],
            ['copyleft', 3, 3 / 7],
          ],
        ],
        ['ZZ', 1, 7, [['unknown', 7, 1]]],
      ],
    });
  });

  it('is optional: a snapshot written before it existed still validates', async () => {
    const { yearSnapshot } = await import('../dashboard/fixtures.js');
    const old = yearSnapshot('2026-01-01', 0);
    delete old.licenseByCountry;
    expect(SnapshotSchema.safeParse(old).success).toBe(true);
  });
});
