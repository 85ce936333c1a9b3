// `inspect` resolves lineage across the records of the payload it reads, as the daily cycle resolves it across the
// store: multi-hop roots, bases the payload lacks kept as dangling roots, cycles cut. The last cases hold the two
// together by running the cycle on the same records in a real (DuckDB) store.
import { describe, expect, it } from 'vitest';
import { readTrending } from '../scripts/bulk-lists.js';
import { MAX_DEPTH, resolveLineage } from '../src/cycle/lineage.js';
import { inspectFile, inspectHuggingFace, inspectModelScope } from '../src/inspect.js';
import { silentLogger } from '../src/log.js';
import { NormalisedRecord } from '../src/model.js';
import { loadReferenceData } from '../src/reference-data.js';
import { normaliseHuggingFace } from '../src/sources/huggingface/record.js';
import type { Store } from '../src/store/types.js';
import { withJsonFile, withTempStore } from './support/temp.js';

const reference = loadReferenceData();
const { registry } = reference;
const QWEN = registry.lookup('huggingface', 'Qwen');

let seq = 0;
/** A Hugging Face list item as the Hub returns it (`expand` not asked for: lineage only in tags and the card). */
function hfItem(id: string, base?: { relation: string; id: string }): Record<string, unknown> {
  seq += 1;
  const tags = ['transformers', 'safetensors', 'text-generation', 'conversational', 'license:apache-2.0', 'region:us'];
  if (base) tags.push(`base_model:${base.id}`, `base_model:${base.relation}:${base.id}`);
  return {
    _id: `6650${String(seq).padStart(20, '0')}`,
    id,
    likes: 3 * seq,
    downloads: 100 * seq,
    downloadsAllTime: 1000 * seq,
    tags,
    pipeline_tag: 'text-generation',
    library_name: 'transformers',
    createdAt: `2025-0${1 + (seq % 9)}-1${seq % 10}T08:00:00.000Z`,
    ...(base ? { cardData: { base_model: base.id, license: 'apache-2.0' } } : { cardData: { license: 'apache-2.0' } }),
  };
}

const A = 'Qwen/Qwen3-8B';
const B = 'alice-lab/chat-ft-v2';
const C = 'bob-quant/chat-ft-v2-GGUF';

function byId(records: NormalisedRecord[]): Map<string, NormalisedRecord> {
  return new Map(records.map((r) => [r.id, r]));
}

describe('inspect resolves lineage across the payload', () => {
  it('follows C → B → A to A, with A’s family and origin, whatever the order of the items', () => {
    // The registry must know A's namespace for the origin to say anything: the test is about the hops, not the data.
    expect(QWEN?.country).toBe('CN');
    const items = [hfItem(C, { relation: 'quantized', id: B }), hfItem(B, { relation: 'finetune', id: A }), hfItem(A)];

    const alone = inspectHuggingFace([items[0]], reference);
    // Alone, C's root is provisional: its direct base, an unregistered individual's finetune.
    expect(alone.records[0]!.lineage.root).toBe(`huggingface:${B}`);
    expect(alone.records[0]!.origin.country).toBe('ZZ');

    for (const payload of [items, [...items].reverse()]) {
      const res = inspectHuggingFace(payload, reference);
      expect(res.rejected).toEqual([]);
      const r = byId(res.records);
      const c = r.get(C)!;
      expect(c.lineage.relation).toBe('quantized');
      expect(c.lineage.baseModels).toEqual([`huggingface:${B}`]);
      expect(c.lineage.root).toBe(`huggingface:${A}`);
      expect(c.lineage.family).toBe('Qwen');
      expect(c.origin).toEqual({
        org: QWEN!.org,
        country: 'CN',
        countryAlt: QWEN!.countryAlt,
        kind: QWEN!.kind,
        basis: 'lineage',
      });
      // The publisher view stays the uploader's.
      expect(c.publisher.namespace).toBe('bob-quant');
      expect(c.publisher.country).toBe('ZZ');
      expect(r.get(B)!.lineage.root).toBe(`huggingface:${A}`);
      expect(r.get(B)!.origin.country).toBe('CN');
      // A base is its own root and keeps its registry origin.
      expect(r.get(A)!.lineage.root).toBe(`huggingface:${A}`);
      expect(r.get(A)!.origin.basis).toBe('registry');
      for (const rec of res.records) expect(NormalisedRecord.safeParse(rec).success).toBe(true);
    }
  });

  it('keeps a base the payload lacks as the dangling root, also at the end of a chain', () => {
    const res = inspectHuggingFace(
      [
        hfItem('carol/mystery-ft', { relation: 'finetune', id: 'ghost-org/never-published' }),
        hfItem('dave/mystery-ft-GGUF', { relation: 'quantized', id: 'carol/mystery-ft' }),
      ],
      reference,
    );
    const r = byId(res.records);
    for (const id of ['carol/mystery-ft', 'dave/mystery-ft-GGUF']) {
      expect(r.get(id)!.lineage.root).toBe('huggingface:ghost-org/never-published');
      // An unregistered root is its uploader's, as an individual with no known country.
      expect(r.get(id)!.origin).toMatchObject({
        org: 'ghost-org',
        country: 'ZZ',
        kind: 'individual',
        basis: 'lineage',
      });
    }
  });

  it('terminates on a cycle between two items and gives both the same root', () => {
    const res = inspectHuggingFace(
      [
        hfItem('loop-b/two', { relation: 'finetune', id: 'loop-a/one' }),
        hfItem('loop-a/one', { relation: 'finetune', id: 'loop-b/two' }),
      ],
      reference,
    );
    expect(res.records).toHaveLength(2);
    const [two, one] = res.records;
    expect(one!.lineage.root).toBe('huggingface:loop-a/one');
    expect(two!.lineage.root).toBe('huggingface:loop-a/one');
  });

  it('stops a chain longer than the cycle’s depth cap where the cycle stops', () => {
    const ids = Array.from({ length: MAX_DEPTH + 3 }, (_, i) => `chain-${i}/m`);
    const items = ids.map((id, i) =>
      i === ids.length - 1 ? hfItem(id) : hfItem(id, { relation: 'finetune', id: ids[i + 1]! }),
    );
    const r = byId(inspectHuggingFace(items, reference).records);
    expect(r.get(ids[0]!)!.lineage.root).toBe(`huggingface:${ids[MAX_DEPTH]}`);
    expect(r.get(ids[2]!)!.lineage.root).toBe(`huggingface:${ids.at(-1)}`);
  });

  it('resolves ModelScope chains through ModelScope bases in the same payload', () => {
    const ms = (path: string, name: string, base?: string) => ({
      Id: 1,
      Path: path,
      Name: name,
      Downloads: 10,
      License: 'Apache License 2.0',
      CreatedTime: 1_760_000_000,
      LastUpdatedTime: 1_760_000_000,
      Tags: [],
      Libraries: ['pytorch'],
      BaseModel: base ? [base] : [],
      BaseModelRelation: base ? 'finetune' : '',
    });
    const res = inspectModelScope(
      {
        Code: 200,
        Success: true,
        Data: {
          Model: {
            Models: [
              ms('someone', 'ft-gguf', 'someone/ft'),
              ms('someone', 'ft', 'Qwen/Qwen3-8B'),
              ms('Qwen', 'Qwen3-8B'),
            ],
            TotalCount: 3,
          },
        },
      },
      reference,
    );
    const gguf = res.records.find((r) => r.id === 'someone/ft-gguf')!;
    expect(gguf.lineage.root).toBe('modelscope:Qwen/Qwen3-8B');
    expect(gguf.origin.country).toBe('CN');
  });

  it('still reports bad items with their index and reason while resolving the good ones', async () => {
    const page = [
      hfItem(C, { relation: 'quantized', id: B }),
      { _id: 'a2', createdAt: 'yesterday', downloads: 'many', tags: 'x' },
      hfItem(B, { relation: 'finetune', id: A }),
      hfItem(A),
    ];
    await withJsonFile('page.json', page, async (file) => {
      const res = await inspectFile('huggingface', file, reference);
      expect(res.records.map((r) => r.id)).toEqual([C, B, A]);
      expect(res.records[0]!.lineage.root).toBe(`huggingface:${A}`);
      expect(res.rejected).toHaveLength(1);
      expect(res.rejected[0]!.index).toBe(1);
      expect(res.rejected[0]!.reason).toBeTruthy();
    });
  });
});

describe('inspect agrees with the cycle’s lineage pass on the same records', () => {
  /** Stores the records normalised alone in a fresh store, runs the cycle's pass, compares what the store reads back. */
  function expectSameAsCycle(items: unknown[]): Promise<number> {
    return withTempStore((store) => compareWithCycle(store, items));
  }

  async function compareWithCycle(store: Store, items: unknown[]): Promise<number> {
    const printed = inspectHuggingFace(items, reference).records;
    const ctx = { ...reference, now: '2026-05-01T00:00:00.000Z', backfill: true };
    const alone = printed.map((p) =>
      normaliseHuggingFace(items.find((i) => (i as { id: string }).id === p.id) as never, ctx),
    );
    await store.commitPage({ date: '2026-05-01', platform: 'huggingface', models: alone, quarantine: [] });
    await resolveLineage({ store, registry, logger: silentLogger });
    let compared = 0;
    for (const rec of printed) {
      // The cycle's second pass links redistributors' lineage-less uploads by name; inspect does not.
      if (rec.publisher.kind === 'redistributor' && rec.lineage.baseModels.length === 0) continue;
      const stored = await store.getModel(rec.key);
      expect({ key: rec.key, lineage: stored!.lineage, origin: stored!.origin, mirrors: stored!.mirrors }).toEqual({
        key: rec.key,
        lineage: rec.lineage,
        origin: rec.origin,
        mirrors: rec.mirrors,
      });
      compared += 1;
    }
    return compared;
  }

  it('on the chain, the dangling base, the cycle and the capped chain', async () => {
    const chain = Array.from({ length: MAX_DEPTH + 3 }, (_, i) => `chain-${i}/m`);
    const n = await expectSameAsCycle([
      hfItem(C, { relation: 'quantized', id: B }),
      hfItem(B, { relation: 'finetune', id: A }),
      hfItem(A),
      hfItem('carol/mystery-ft', { relation: 'finetune', id: 'ghost-org/never-published' }),
      hfItem('dave/mystery-ft-GGUF', { relation: 'quantized', id: 'carol/mystery-ft' }),
      hfItem('loop-b/two', { relation: 'finetune', id: 'loop-a/one' }),
      hfItem('loop-a/one', { relation: 'finetune', id: 'loop-b/two' }),
      ...chain.map((id, i) =>
        i === chain.length - 1 ? hfItem(id) : hfItem(id, { relation: 'finetune', id: chain[i + 1]! }),
      ),
    ]);
    expect(n).toBe(7 + chain.length);
  });

  it('on the real trending list (tests/fixtures, 1,000 models, many chains within it)', async () => {
    // The list was collected without _id and createdAt; the values given here play no part in lineage.
    const items = readTrending().map((x, i) => ({
      _id: String(i).padStart(24, '0'),
      createdAt: '2026-04-01T00:00:00.000Z',
      likes: 0,
      downloads: 0,
      ...x,
    }));
    const n = await expectSameAsCycle(items);
    expect(n).toBeGreaterThan(900);
  }, 60_000);
});
