// The lineage pass over a real stored graph: multi-hop roots, dangling bases, cycles, and re-uploads linked to
// their original by identity. Runs on the embedded DuckDB file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveLineage } from '../../src/cycle/lineage.js';
import { silentLogger } from '../../src/log.js';
import type { NormalisedRecord } from '../../src/model.js';
import type { NormaliseContext } from '../../src/normalise/context.js';
import { loadReferenceData } from '../../src/reference-data.js';
import { normaliseHuggingFace } from '../../src/sources/huggingface/record.js';
import type { HfModelInput } from '../../src/sources/huggingface/schema.js';
import { normaliseModelScope } from '../../src/sources/modelscope/record.js';
import type { Store } from '../../src/store/types.js';
import { tempStore, type TempStore } from '../support/temp.js';

const { registry, licenses } = loadReferenceData();
const ctx: NormaliseContext = { registry, licenses, now: '2026-11-20T12:00:00.000Z', backfill: false };
const DAY = '2026-11-20';

function hf(id: string, extra: Partial<HfModelInput> = {}): NormalisedRecord {
  return normaliseHuggingFace(
    {
      _id: id.replace(/\W/g, '').slice(0, 24),
      id,
      createdAt: '2026-10-01T00:00:00.000Z',
      downloads: 100,
      downloadsAllTime: 1000,
      likes: 1,
      tags: [],
      pipeline_tag: 'text-generation',
      ...extra,
    },
    ctx,
  );
}

function derived(id: string, relation: string, base: string): NormalisedRecord {
  return hf(id, { tags: [`base_model:${base}`, `base_model:${relation}:${base}`], cardData: { base_model: base } });
}

describe('resolveLineage', () => {
  let temp: TempStore;
  let store: Store;

  beforeEach(async () => {
    temp = await tempStore();
    store = temp.store;
  });
  afterEach(() => temp.cleanup());

  async function put(models: NormalisedRecord[]): Promise<void> {
    await store.commitPage({ date: DAY, platform: models[0]!.platform, models, quarantine: [] });
  }

  it('follows bases across hops to the original and takes its publisher as origin', async () => {
    await put([
      hf('Qwen/Qwen3-8B'),
      derived('someone/qwen3-8b-chat-ft', 'finetune', 'Qwen/Qwen3-8B'),
      derived('bartowski/qwen3-8b-chat-ft-GGUF', 'quantized', 'someone/qwen3-8b-chat-ft'),
    ]);
    // Alone, the quantisation's provisional root is its direct base: an individual's finetune.
    const before = await store.getModel('huggingface:bartowski/qwen3-8b-chat-ft-GGUF');
    expect(before!.lineage.root).toBe('huggingface:someone/qwen3-8b-chat-ft');

    const res = await resolveLineage({ store, registry, logger: silentLogger });
    expect(res.derivatives).toBe(2);
    expect(res.multiHop).toBe(1);

    const quant = await store.getModel('huggingface:bartowski/qwen3-8b-chat-ft-GGUF');
    expect(quant!.lineage.root).toBe('huggingface:Qwen/Qwen3-8B');
    expect(quant!.lineage.family).toBe('Qwen');
    expect(quant!.origin.country).toBe('CN');
    expect(quant!.origin.basis).toBe('lineage');
    // The publisher view is untouched: the quantiser is still the uploader.
    expect(quant!.publisher.namespace).toBe('bartowski');
  });

  it('keeps an unknown base as a dangling root instead of dropping it', async () => {
    await put([derived('someone/mystery-ft', 'finetune', 'ghost/never-published')]);
    const res = await resolveLineage({ store, registry, logger: silentLogger });
    expect(res.dangling).toBe(1);
    const m = await store.getModel('huggingface:someone/mystery-ft');
    expect(m!.lineage.root).toBe('huggingface:ghost/never-published');
    expect(m!.origin.country).toBe('ZZ');
  });

  it('terminates on a cycle and gives every member the same root', async () => {
    await put([derived('a/one', 'finetune', 'b/two'), derived('b/two', 'finetune', 'a/one')]);
    const res = await resolveLineage({ store, registry, logger: silentLogger });
    expect(res.cycles).toBe(2);
    const one = await store.getModel('huggingface:a/one');
    const two = await store.getModel('huggingface:b/two');
    expect(one!.lineage.root).toBe(two!.lineage.root);
  });

  it('links a ModelScope mirror re-upload without lineage to the original on Hugging Face', async () => {
    await put([hf('stabilityai/stable-diffusion-xl-base-1.0', { pipeline_tag: 'text-to-image' })]);
    await put([
      normaliseModelScope(
        {
          Path: 'AI-ModelScope',
          Name: 'stable-diffusion-xl-base-1.0',
          Downloads: 5000,
          License: 'other',
          CreatedTime: 1_760_000_000,
          LastUpdatedTime: 1_760_000_000,
          BaseModel: [],
          BaseModelRelation: '',
        },
        ctx,
      ),
    ]);
    // Stable Diffusion is a family several organisations published, so the name alone does not say whose it is.
    const alone = await store.getModel('modelscope:AI-ModelScope/stable-diffusion-xl-base-1.0');
    expect(alone!.origin.country).toBe('ZZ');
    const res = await resolveLineage({ store, registry, logger: silentLogger });
    expect(res.identityLinked).toBe(1);
    const mirror = await store.getModel('modelscope:AI-ModelScope/stable-diffusion-xl-base-1.0');
    // A mirror namespace never lends its own country: the re-upload is Stability AI's model.
    expect(mirror!.origin.country).toBe('GB');
    expect(mirror!.lineage.root).toBe('huggingface:stabilityai/stable-diffusion-xl-base-1.0');
    expect(mirror!.mirrors).toContain('huggingface:stabilityai/stable-diffusion-xl-base-1.0');
  });
});
