import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NormalisedRecord } from '../../src/model.js';
import { normaliseHuggingFace } from '../../src/sources/huggingface/record.js';
import type { HfModelInput } from '../../src/sources/huggingface/schema.js';
import { normaliseModelScope } from '../../src/sources/modelscope/record.js';
import type { ModelScopeInput } from '../../src/sources/modelscope/schema.js';
import { normaliseRecord } from '../../src/sources/registry.js';
import { normaliseWiseModel } from '../../src/sources/wisemodel/record.js';
import { ctx, NOW } from './helpers.js';
import { readTop10k, SAMPLES_DIR } from '../../scripts/bulk-lists.js';

const SAMPLES = SAMPLES_DIR;
const readJson = (p: string) => JSON.parse(readFileSync(`${SAMPLES}/${p}`, 'utf8')) as unknown;

function valid(r: unknown): NormalisedRecord {
  const p = NormalisedRecord.safeParse(r);
  if (!p.success) throw new Error(`invalid record: ${p.error.message}\n${JSON.stringify(r).slice(0, 500)}`);
  return p.data;
}

describe('real Hugging Face payloads', () => {
  const list = readJson('hf/list-models-default.burncloud-2025-11.json') as HfModelInput[];
  const detail = readJson('hf/model-info-default.ggml-org_gemma-3-1b-it-GGUF.json') as HfModelInput;

  it.each(list.map((m) => [m.id, m] as const))('list item %s', (_id, item) => {
    const r = valid(normaliseHuggingFace(item, ctx()));
    expect(r.origin.country).toBe('CN');
    expect(r.lineage.relation).toBe('base');
    expect(r.stats.downloads30d).toBe(item.downloads);
    expect(r.stats.downloadsAllTime).toBeNull();
  });

  it('list items: Kimi is license:other (unknown), MiniMax is MIT', () => {
    const [kimi, minimax] = list.map((m) => normaliseHuggingFace(m, ctx()));
    expect(kimi?.license).toMatchObject({ id: 'LicenseRef-hubwatch-other', class: 'unknown', raw: 'other' });
    expect(minimax?.license).toMatchObject({ id: 'MIT', class: 'permissive' });
    expect(minimax?.lineage.family).toBe('MiniMax');
    expect(minimax?.mirrors).toContain('modelscope:MiniMax/MiniMax-M2');
  });

  it('detail: ggml-org GGUF is a quantisation of Gemma, origin Google (US), publisher ggml-org (BG)', () => {
    const r = valid(normaliseHuggingFace(detail, ctx()));
    expect(r).toMatchObject({
      key: 'huggingface:ggml-org/gemma-3-1b-it-GGUF',
      url: 'https://huggingface.co/ggml-org/gemma-3-1b-it-GGUF',
      namespace: 'ggml-org',
      name: 'gemma-3-1b-it-GGUF',
      params: 999885952,
      createdAt: '2025-03-12T06:14:01.000Z',
      lastModified: '2025-03-12T10:30:05.000Z',
    });
    expect(r.license).toMatchObject({ id: 'LicenseRef-hubwatch-gemma', class: 'open-restricted' });
    expect(r.lineage).toEqual({
      relation: 'quantized',
      baseModels: ['huggingface:google/gemma-3-1b-it'],
      root: 'huggingface:google/gemma-3-1b-it',
      family: 'Gemma',
    });
    expect(r.publisher).toMatchObject({ kind: 'redistributor', country: 'BG' });
    expect(r.origin).toMatchObject({ country: 'US', countryAlt: 'GB', basis: 'lineage' });
  });
});

describe('real ModelScope payload (30 records)', () => {
  const env = readJson('modelscope/dolphin-models-put-response.lora-search.json') as {
    Data: { Model: { Models: ModelScopeInput[] } };
  };
  const models = env.Data.Model.Models;

  it('has 30 records', () => expect(models).toHaveLength(30));

  it.each(models.map((m) => [`${m.Path}/${m.Name}`, m] as const))(
    '%s: licence, lineage and origin filled',
    (_id, m) => {
      const r = valid(normaliseModelScope(m, ctx()));
      expect(r.url).toBe(`https://modelscope.cn/models/${m.Path}/${m.Name}`);
      expect(r.license.class).not.toBe('unknown');
      expect(r.license.raw).toBe(m.License);
      expect(r.stats).toEqual({ downloads30d: null, downloadsAllTime: m.Downloads, likes: m.Stars });
      const bases = Array.isArray(m.BaseModel) ? m.BaseModel : [];
      if (bases.length > 0) {
        expect(r.lineage.relation).toBe('adapter');
        expect(r.lineage.root).toBe(`modelscope:${String(bases[0]).split('@')[0]}`);
        expect(r.lineage.baseModels.every((b) => !b.includes('@'))).toBe(true);
      } else {
        expect(r.lineage.relation).toBe('base');
      }
      expect(r.origin.org).not.toBeNull();
      // The one base model in the sample is by an unregistered uploader: origin is that individual (basis unknown).
      if (r.origin.basis === 'unknown')
        expect(r.origin).toMatchObject({ kind: 'individual', org: m.Path, country: 'ZZ' });
      expect(r.createdAt).toBe(new Date(Number(m.CreatedTime) * 1000).toISOString());
    },
  );

  it('Qwen-Image LoRAs are Chinese by lineage; FLUX LoRAs via the AI-ModelScope mirror are German; mirror publishers stay CN', () => {
    const by = new Map(models.map((m) => [`${m.Path}/${m.Name}`, normaliseModelScope(m, ctx())]));
    expect(by.get('DiffSynth-Studio/Qwen-Image-Edit-F2P')?.origin).toMatchObject({ country: 'CN', basis: 'lineage' });
    expect(by.get('DiffSynth-Studio/Qwen-Image-Edit-F2P')?.publisher).toMatchObject({
      kind: 'individual',
      country: 'ZZ',
    });
    expect(by.get('yiwanji/FLUX_xiao_hong_shu_ji_zhi_zhen_shi_V2')?.origin).toMatchObject({
      country: 'DE',
      basis: 'repo-name',
    });
    expect(by.get('merjic/majicbeauty-qwen1')?.lineage.baseModels).toEqual(['modelscope:MusePublic/Qwen-image']);
    expect(by.get('AI-ModelScope/next-scene-qwen-image-lora-2509')?.publisher).toMatchObject({
      kind: 'redistributor',
      country: 'CN',
    });
    expect(by.get('DiffSynth-Studio/Qwen-Image-Edit-F2P')?.params).toBe(235929600);
  });
});

describe('real bulk Hugging Face lists parse through normaliseHuggingFace', () => {
  it('9,715 records of the 2024 top-10k CSV all validate; licence and lineage tags are read', () => {
    const data = readTop10k();
    expect(data.length).toBe(9715);
    let licensed = 0;
    let derived = 0;
    for (const item of data) {
      const r = valid(normaliseHuggingFace(item, ctx()));
      if (r.license.raw !== null) licensed++;
      if (r.lineage.relation !== 'base') derived++;
    }
    expect(licensed).toBe(7667);
    expect(derived).toBe(1658);
  });

  it('1,000 trending records (2026) all validate; most downloads have a known origin country', () => {
    const doc = readJson('hf-bulk/hf-trending-1000.starscreener.2026-04-30.json') as {
      models: Array<Record<string, unknown>>;
    };
    expect(doc.models).toHaveLength(1000);
    let known = 0;
    let total = 0;
    for (const m of doc.models) {
      const item = { ...m, pipeline_tag: m.pipelineTag, library_name: m.libraryName } as unknown as HfModelInput;
      const r = valid(normaliseHuggingFace(item, ctx()));
      expect(r.key).toBe(`huggingface:${String(m.id)}`);
      const d = r.stats.downloads30d ?? 0;
      total += d;
      if (r.origin.country !== 'ZZ') known += d;
    }
    // Not the 99% target (that is the registry's job); a floor that catches a regression in attribution.
    expect(known / total).toBeGreaterThan(0.5);
  });
});

describe('hand-written records', () => {
  const hf = (over: Partial<HfModelInput> & Record<string, unknown>) =>
    normaliseHuggingFace({ id: 'org/model', ...over }, ctx());

  it('releasedAt: createdAt, or firstSeenAt when first seen more than two days later', () => {
    expect(hf({ createdAt: '2025-11-24T12:00:00.000Z' })).toMatchObject({
      firstSeenAt: NOW,
      releasedAt: '2025-11-24T12:00:00.000Z',
    });
    expect(hf({ createdAt: '2025-01-01T00:00:00.000Z' })).toMatchObject({ firstSeenAt: NOW, releasedAt: NOW });
    expect(hf({ createdAt: null })).toMatchObject({ createdAt: null, releasedAt: NOW });
  });

  it('backfill: firstSeenAt is createdAt', () => {
    const r = normaliseHuggingFace({ id: 'a/b', createdAt: '2023-05-01T00:00:00.000Z' }, ctx({ backfill: true }));
    expect(r).toMatchObject({ firstSeenAt: '2023-05-01T00:00:00.000Z', releasedAt: '2023-05-01T00:00:00.000Z' });
  });

  it('stats: HF 30-day and all-time; negative or non-numeric counts are null', () => {
    expect(hf({ downloads: 5, downloadsAllTime: 50, likes: 2 }).stats).toEqual({
      downloads30d: 5,
      downloadsAllTime: 50,
      likes: 2,
    });
    expect(hf({ downloads: -1, downloadsAllTime: Number.NaN, likes: '7' as never }).stats).toEqual({
      downloads30d: null,
      downloadsAllTime: null,
      likes: 7,
    });
  });

  it('hostile strings stay data: markup kept, control characters stripped, lengths capped', () => {
    const r = hf({
      id: 'evil/<script>alert(1)</script>\u0000\u001b[31m',
      pipeline_tag: 'x'.repeat(10_000),
      tags: ['<b>ok</b>', '\u202Eevil', '😀'.repeat(500), 42 as never],
    });
    const v = valid(r);
    expect(v.id).toBe('evil/<script>alert(1)</script>[31m');
    expect(v.task?.length).toBeLessThanOrEqual(200);
    expect(v.tags[0]).toBe('<b>ok</b>');
    expect(v.tags[1]).toBe('\u202Eevil');
    expect(v.tags[2]?.length).toBeLessThanOrEqual(200);
    expect(v.tags[2]).not.toMatch(/[\uD800-\uDBFF]…$/); // a cut never leaves half an emoji
    expect(v.tags).toHaveLength(3);
  });

  it('a 10,000-character id is capped', () => {
    expect(hf({ id: `a/${'b'.repeat(10_000)}` }).id.length).toBeLessThanOrEqual(300);
  });

  it('lone surrogates are repaired', () => {
    expect(hf({ id: 'a/b\uD800c' }).id).toBe('a/b\uFFFDc');
  });

  it('@revision ids are stripped from the record id', () => {
    expect(hf({ id: 'Qwen/Qwen3-8B@main' }).key).toBe('huggingface:Qwen/Qwen3-8B');
  });

  it('legacy root-level id: namespace from author', () => {
    const r = hf({ id: 'gpt2', author: 'openai-community' });
    expect(r).toMatchObject({ namespace: 'openai-community', name: 'gpt2', url: 'https://huggingface.co/gpt2' });
  });

  it('renamed namespace attributed as of creation: a 2022 THUDM model is academic, a 2024 one a start-up', () => {
    expect(hf({ id: 'THUDM/chatglm-6b', createdAt: '2022-03-01T00:00:00.000Z' }).publisher.kind).toBe('academic');
    expect(hf({ id: 'THUDM/glm-4-9b', createdAt: '2024-06-01T00:00:00.000Z' }).publisher.kind).toBe('ai_startup');
  });

  it('card base_model list = merge with the first base as provisional root', () => {
    const r = hf({ id: 'm/merged', cardData: { base_model: ['Qwen/Qwen2.5-7B', 'meta-llama/Llama-3.1-8B'] } });
    expect(r.lineage).toMatchObject({ relation: 'merge', root: 'huggingface:Qwen/Qwen2.5-7B', family: 'Qwen' });
    expect(r.origin.country).toBe('CN');
  });

  it('a license: tag beyond the 200 stored tags (and beyond 2,000, as in cis-lmu/glotlid) still counts', () => {
    const tags = [
      ...Array.from({ length: 2500 }, (_, i) => `t${i}`),
      'license:apache-2.0',
      'base_model:finetune:Qwen/Qwen3-8B',
    ];
    const r = hf({ tags });
    expect(r.tags).toHaveLength(200);
    expect(r.license.id).toBe('Apache-2.0');
    expect(r.lineage.relation).toBe('finetune');
  });

  it('ModelScope: epoch milliseconds and numeric strings; Likes when Stars is absent; task from Tasks', () => {
    const r = normaliseModelScope(
      {
        Path: 'Qwen',
        Name: 'Qwen3-8B',
        CreatedTime: '1760583023000',
        Likes: 3,
        Tasks: [null, { Name: '' }, { Name: 'text-generation' }],
        License: 'apache-2.0',
      },
      ctx(),
    );
    expect(r).toMatchObject({
      createdAt: '2025-10-16T02:50:23.000Z',
      task: 'text-generation',
      stats: { likes: 3 },
      origin: { country: 'CN', basis: 'registry' },
    });
    expect(r.mirrors).toContain('huggingface:Qwen/Qwen3-8B');
    expect(normaliseModelScope({ Path: 'x', Name: 'y', CreatedTime: -62135596800 }, ctx()).createdAt).toBeNull();
  });

  it('ModelScope mirror upload of Llama without lineage is Meta (US) by repo name', () => {
    const r = normaliseModelScope({ Path: 'LLM-Research', Name: 'Meta-Llama-3-8B-Instruct', License: 'llama3' }, ctx());
    expect(r.publisher).toMatchObject({ kind: 'redistributor', country: 'CN' });
    expect(r.origin).toMatchObject({ country: 'US', basis: 'repo-name' });
    expect(r.license.class).toBe('open-restricted');
    expect(r.mirrors).toContain('huggingface:meta-llama/Meta-Llama-3-8B-Instruct');
  });

  it('WiseModel: Chinese licence text, naive Beijing time, bases, ZhipuAI mirrors', () => {
    const r = normaliseWiseModel(
      {
        owner: 'ZhipuAI',
        name: 'GLM-4-9B-Chat',
        license: '其他',
        createdAt: '2024-06-05 10:00:00',
        downloads: 1200,
        likes: 9,
        baseModels: ['ZhipuAI/glm-4-9b'],
      },
      ctx(),
    );
    expect(valid(r)).toMatchObject({
      url: 'https://www.wisemodel.cn/models/ZhipuAI/GLM-4-9B-Chat',
      createdAt: '2024-06-05T02:00:00.000Z',
      license: { id: 'LicenseRef-hubwatch-other', class: 'unknown' },
      lineage: { relation: 'finetune', root: 'wisemodel:ZhipuAI/glm-4-9b', family: 'GLM' },
      origin: { country: 'CN', basis: 'lineage' },
      stats: { downloads30d: null, downloadsAllTime: 1200, likes: 9 },
    });
    expect(r.mirrors).toEqual(
      expect.arrayContaining(['huggingface:zai-org/GLM-4-9B-Chat', 'modelscope:ZhipuAI/GLM-4-9B-Chat']),
    );
    expect(normaliseWiseModel({ owner: 'a', name: 'b', license: '商用需授权' }, ctx()).license.class).toBe(
      'non-commercial',
    );
  });

  it('normaliseRecord dispatches by platform', () => {
    expect(normaliseRecord('modelscope', { Path: 'a', Name: 'b' }, ctx()).key).toBe('modelscope:a/b');
    expect(normaliseRecord('wisemodel', { owner: 'a', name: 'b' }, ctx()).key).toBe('wisemodel:a/b');
    expect(normaliseRecord('huggingface', { id: 'a/b' }, ctx()).key).toBe('huggingface:a/b');
  });

  it('nulls where values are promised, and garbage, still validate', () => {
    for (const item of [
      null,
      undefined,
      42,
      'str',
      [],
      {},
      { id: null, tags: null, cardData: null, safetensors: { total: 'x' } },
      { id: 5, cardData: [], gguf: null },
    ])
      valid(normaliseHuggingFace(item as never, ctx()));
    for (const item of [null, {}, { Path: null, Name: 7, Tasks: 'x', ModelInfos: [] }])
      valid(normaliseModelScope(item as never, ctx()));
    for (const item of [null, {}, { owner: [], name: {}, baseModels: 'x' }])
      valid(normaliseWiseModel(item as never, ctx()));
  });

  it('a broken context does not throw either', () => {
    valid(normaliseHuggingFace({ id: 'a/b' }, { now: 'not a date', backfill: false } as never));
  });
});
