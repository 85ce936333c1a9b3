// The committed JSON Schema is generated from the zod schema (one source of truth), and it accepts what the
// builder writes and rejects what it must not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { snapshotJsonSchema } from '../../src/snapshot/schema.js';
import { buildSnapshot, shareList } from '../../src/snapshot/build.js';
import { openStore } from '../../src/store/index.js';
import { NormalisedRecord } from '../../src/model.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const committed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'schemas', 'snapshot.v1.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;

describe('snapshot JSON Schema', () => {
  it('is the one generated from src/snapshot/schema.ts (regenerate with `hubwatch schema`)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(snapshotJsonSchema())));
  });

  it('accepts a snapshot the builder writes and rejects a negative share or a missing field', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(committed);
    const dir = await mkdtemp(join(tmpdir(), 'hubwatch-schema-'));
    const store = await openStore({ dataDir: dir, databaseUrl: null });
    try {
      await store.commitPage({ date: '2026-11-20', platform: 'huggingface', models: [record()], quarantine: [] });
      const snap = await buildSnapshot({ store, llmTasks: ['text-generation'] }, '2026-11-20');
      expect(validate(snap), JSON.stringify(validate.errors)).toBe(true);
      const bad = structuredClone(snap);
      bad.metrics.downloads30d.scopes.all.origin.combined!.shares[0]!.share = -0.5;
      expect(validate(bad)).toBe(false);
      const missing = structuredClone(snap) as Partial<typeof snap>;
      delete missing.coverage;
      expect(validate(missing)).toBe(false);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** One valid Hugging Face record, as the normaliser would give it. */
function record(): NormalisedRecord {
  return NormalisedRecord.parse({
    key: 'huggingface:Qwen/Qwen3-8B',
    platform: 'huggingface',
    id: 'Qwen/Qwen3-8B',
    namespace: 'Qwen',
    name: 'Qwen3-8B',
    url: 'https://huggingface.co/Qwen/Qwen3-8B',
    createdAt: '2026-11-20T08:00:00.000Z',
    lastModified: '2026-11-20T08:00:00.000Z',
    firstSeenAt: '2026-11-20T09:00:00.000Z',
    releasedAt: '2026-11-20T08:00:00.000Z',
    task: 'text-generation',
    library: 'transformers',
    tags: ['license:apache-2.0'],
    params: 8e9,
    license: { raw: 'apache-2.0', id: 'Apache-2.0', name: 'Apache License 2.0', class: 'permissive', basis: 'test' },
    publisher: { namespace: 'Qwen', org: 'Alibaba Qwen', country: 'CN', countryAlt: null, kind: 'big_tech' },
    lineage: { relation: 'base', baseModels: [], root: 'huggingface:Qwen/Qwen3-8B', family: 'Qwen' },
    origin: { org: 'Alibaba Qwen', country: 'CN', countryAlt: null, kind: 'big_tech', basis: 'registry' },
    stats: { downloads30d: 1000, downloadsAllTime: 5000, likes: 10 },
    mirrors: [],
  });
}

describe('shareList', () => {
  it('sorts by value, sums to one, keeps ZZ as its own bucket and reports attribution', () => {
    const l = shareList(
      new Map([
        ['CN', 30],
        ['US', 50],
        ['ZZ', 20],
        ['FR', 0],
      ]),
    );
    expect(l.total).toBe(100);
    expect(l.shares.map((s) => s.country)).toEqual(['US', 'CN', 'ZZ']);
    expect(l.shares.reduce((s, e) => s + e.share, 0)).toBeCloseTo(1, 12);
    expect(l.attributed).toBeCloseTo(0.8, 12);
  });

  it('breaks ties by country code so rebuilds are byte-identical', () => {
    const a = shareList(
      new Map([
        ['US', 5],
        ['CN', 5],
      ]),
    );
    const b = shareList(
      new Map([
        ['CN', 5],
        ['US', 5],
      ]),
    );
    expect(a).toEqual(b);
    expect(a.shares[0]!.country).toBe('CN');
  });

  it('is empty with a zero total rather than dividing by zero', () => {
    expect(shareList(new Map())).toEqual({ total: 0, attributed: 0, shares: [] });
  });
});
