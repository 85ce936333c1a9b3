import { describe, expect, it } from 'vitest';
import { cleanBaseId, familyOf, parseLineage, resolveRoot, type LineageInput } from '../../src/normalise/lineage.js';
import type { Relation } from '../../src/model.js';

type Case = [string, LineageInput, Relation, string[]];
const cases: Case[] = [
  ['no base = base', { platform: 'huggingface', hfTags: ['transformers'] }, 'base', []],
  ['relation without a base is still base', { platform: 'huggingface', cardRelation: 'finetune' }, 'base', []],
  [
    'quantized tag (real ggml-org sample)',
    {
      platform: 'huggingface',
      hfTags: ['base_model:google/gemma-3-1b-it', 'base_model:quantized:google/gemma-3-1b-it'],
    },
    'quantized',
    ['huggingface:google/gemma-3-1b-it'],
  ],
  [
    'finetune tag',
    { platform: 'huggingface', hfTags: ['base_model:finetune:Qwen/Qwen3-8B'] },
    'finetune',
    ['huggingface:Qwen/Qwen3-8B'],
  ],
  [
    'adapter tag',
    { platform: 'huggingface', hfTags: ['base_model:adapter:black-forest-labs/FLUX.1-dev'] },
    'adapter',
    ['huggingface:black-forest-labs/FLUX.1-dev'],
  ],
  [
    'merge tags',
    { platform: 'huggingface', hfTags: ['base_model:merge:a/x', 'base_model:merge:b/y'] },
    'merge',
    ['huggingface:a/x', 'huggingface:b/y'],
  ],
  [
    'card list of several bases = merge',
    { platform: 'huggingface', cardBaseModel: ['a/x', 'b/y'] },
    'merge',
    ['huggingface:a/x', 'huggingface:b/y'],
  ],
  [
    'several bases but the card says finetune',
    { platform: 'huggingface', cardBaseModel: ['a/x', 'b/y'], cardRelation: 'finetune' },
    'finetune',
    ['huggingface:a/x', 'huggingface:b/y'],
  ],
  [
    'card string base, no relation = finetune',
    { platform: 'huggingface', cardBaseModel: 'meta-llama/Llama-3.1-8B' },
    'finetune',
    ['huggingface:meta-llama/Llama-3.1-8B'],
  ],
  [
    'card relation wins over tags',
    { platform: 'huggingface', cardBaseModel: 'a/x', cardRelation: 'quantized', hfTags: ['base_model:finetune:a/x'] },
    'quantized',
    ['huggingface:a/x'],
  ],
  [
    'expand[]=baseModels object',
    { platform: 'huggingface', hfBaseModels: { relation: 'adapter', models: [{ id: 'Qwen/Qwen3-8B' }] } },
    'adapter',
    ['huggingface:Qwen/Qwen3-8B'],
  ],
  [
    'ModelScope @revision stripped',
    { platform: 'modelscope', msBaseModel: ['MusePublic/Qwen-image@v1'], msRelation: 'adapter' },
    'adapter',
    ['modelscope:MusePublic/Qwen-image'],
  ],
  [
    'ModelScope empty relation, lora hint',
    { platform: 'modelscope', msBaseModel: 'Qwen/Qwen-Image', msRelation: '', hintTags: ['LoRA'] },
    'adapter',
    ['modelscope:Qwen/Qwen-Image'],
  ],
  [
    'ModelScope gguf hint',
    { platform: 'modelscope', msBaseModel: ['Qwen/Qwen3-8B'], hintTags: ['gguf'] },
    'quantized',
    ['modelscope:Qwen/Qwen3-8B'],
  ],
  [
    'ModelScope mirror keeps HF tags',
    { platform: 'modelscope', hfTags: ['base_model:finetune:black-forest-labs/flux.1-dev'] },
    'finetune',
    ['huggingface:black-forest-labs/flux.1-dev'],
  ],
  [
    'WiseModel bases',
    { platform: 'wisemodel', wmBaseModels: ['ZhipuAI/GLM-4-9B-Chat'] },
    'finetune',
    ['wisemodel:ZhipuAI/GLM-4-9B-Chat'],
  ],
  [
    'URL base and /tree/ path',
    { platform: 'huggingface', cardBaseModel: 'https://huggingface.co/Qwen/Qwen3-8B/tree/main' },
    'finetune',
    ['huggingface:Qwen/Qwen3-8B'],
  ],
  [
    'duplicates across card and tags, any case',
    { platform: 'huggingface', cardBaseModel: 'Qwen/Qwen3-8B', hfTags: ['base_model:qwen/qwen3-8b'] },
    'finetune',
    ['huggingface:Qwen/Qwen3-8B'],
  ],
  [
    'hostile base ids are dropped',
    { platform: 'huggingface', cardBaseModel: ['<script>x</script>', 'a b/c', '', 'ok/model'] },
    'finetune',
    ['huggingface:ok/model'],
  ],
  [
    'legacy root-level id kept',
    { platform: 'huggingface', cardBaseModel: 'bert-base-uncased' },
    'finetune',
    ['huggingface:bert-base-uncased'],
  ],
  [
    'relation synonyms',
    { platform: 'huggingface', cardBaseModel: 'a/x', cardRelation: 'LoRA' },
    'adapter',
    ['huggingface:a/x'],
  ],
  [
    'wrong types',
    { platform: 'huggingface', cardBaseModel: { id: 1 }, hfTags: 'base_model:a/x', cardRelation: 5 } as never,
    'finetune',
    ['huggingface:a/x'],
  ],
];

describe('parseLineage', () => {
  it.each(cases)('%s', (_label, input, relation, bases) => {
    expect(parseLineage(input)).toEqual({ relation, baseModels: bases });
  });

  it('caps the number of bases', () => {
    const many = Array.from({ length: 500 }, (_, i) => `org/m${i}`);
    expect(parseLineage({ platform: 'huggingface', cardBaseModel: many }).baseModels).toHaveLength(50);
  });

  it('cleanBaseId', () => {
    expect(cleanBaseId(' Qwen/Qwen3-8B@main ')).toBe('Qwen/Qwen3-8B');
    expect(cleanBaseId('a/b/c')).toBeNull();
    expect(cleanBaseId('x'.repeat(400))).toBeNull();
  });
});

describe('resolveRoot', () => {
  const graph: Record<string, { relation: Relation; baseModels: string[] }> = {
    'huggingface:q/gguf': { relation: 'quantized', baseModels: ['huggingface:ft/model'] },
    'huggingface:ft/model': { relation: 'finetune', baseModels: ['modelscope:Qwen/Qwen3-8B'] },
    'modelscope:Qwen/Qwen3-8B': { relation: 'base', baseModels: [] },
    'huggingface:a': { relation: 'finetune', baseModels: ['huggingface:b'] },
    'huggingface:b': { relation: 'finetune', baseModels: ['huggingface:c'] },
    'huggingface:c': { relation: 'finetune', baseModels: ['huggingface:a'] },
    'huggingface:lost': { relation: 'finetune', baseModels: ['huggingface:gone/base'] },
  };
  const lookup = (k: string) => graph[k];

  it('follows hops across platforms to the base', () => {
    expect(resolveRoot('huggingface:q/gguf', lookup)).toEqual({
      root: 'modelscope:Qwen/Qwen3-8B',
      hops: 2,
      dangling: false,
      cycle: false,
      capped: false,
    });
  });
  it('a base is its own root', () => {
    expect(resolveRoot('modelscope:Qwen/Qwen3-8B', lookup)).toMatchObject({
      root: 'modelscope:Qwen/Qwen3-8B',
      hops: 0,
    });
  });
  it('keeps an unknown base as a dangling root', () => {
    expect(resolveRoot('huggingface:lost', lookup)).toMatchObject({
      root: 'huggingface:gone/base',
      dangling: true,
      hops: 1,
    });
  });
  it('is cycle-safe and every cycle member gets the same root', () => {
    const roots = ['huggingface:a', 'huggingface:b', 'huggingface:c'].map((k) => resolveRoot(k, lookup));
    for (const r of roots) expect(r).toMatchObject({ cycle: true, root: 'huggingface:a' });
  });
  it('stops at the depth cap', () => {
    const chain = (k: string) => ({ relation: 'finetune' as const, baseModels: [`${k}x`] });
    const r = resolveRoot('huggingface:m', chain, 5);
    expect(r).toMatchObject({ capped: true, hops: 5, root: 'huggingface:mxxxxx' });
  });
  it('survives a throwing or malformed lookup', () => {
    expect(
      resolveRoot('k', () => {
        throw new Error('boom');
      }),
    ).toMatchObject({ root: 'k', dangling: true });
    expect(resolveRoot('k', () => ({ relation: 'x', baseModels: 'nope' as never }))).toMatchObject({
      root: 'k',
      dangling: false,
    });
  });
});

describe('familyOf', () => {
  const fam: Array<[string, string | null]> = [
    ['huggingface:Qwen/Qwen3-8B', 'Qwen'],
    ['huggingface:Qwen/QwQ-32B', 'Qwen'],
    ['modelscope:MusePublic/Qwen-image', 'Qwen'],
    ['huggingface:meta-llama/Llama-3.1-8B-Instruct', 'Llama'],
    ['huggingface:meta-llama/Meta-Llama-Guard-2-8B', 'Llama'],
    ['huggingface:google/gemma-3-1b-it', 'Gemma'],
    ['huggingface:deepseek-ai/DeepSeek-R1-Distill-Llama-8B', 'DeepSeek'],
    ['huggingface:mistralai/Mixtral-8x7B-v0.1', 'Mistral'],
    ['huggingface:zai-org/GLM-4.6', 'GLM'],
    ['huggingface:THUDM/chatglm3-6b', 'GLM'],
    ['huggingface:moonshotai/Kimi-K2-Thinking', 'Kimi'],
    ['huggingface:MiniMaxAI/MiniMax-M2', 'MiniMax'],
    ['huggingface:microsoft/Phi-3-mini-4k-instruct', 'Phi'],
    ['huggingface:01-ai/Yi-34B', 'Yi'],
    ['huggingface:internlm/internlm2_5-7b-chat', 'InternLM'],
    ['huggingface:baichuan-inc/Baichuan2-13B-Chat', 'Baichuan'],
    ['huggingface:tiiuae/falcon-7b', 'Falcon'],
    ['huggingface:stabilityai/stable-diffusion-xl-base-1.0', 'Stable Diffusion'],
    ['modelscope:AI-ModelScope/FLUX.1-dev', 'FLUX'],
    ['huggingface:openai/whisper-large-v3', 'Whisper'],
    ['huggingface:google-bert/bert-base-uncased', 'BERT'],
    ['huggingface:sentence-transformers/all-MiniLM-L6-v2', 'BERT'],
    ['modelscope:Wan-AI/Wan2.2-I2V-A14B', 'Wan'],
    ['huggingface:someone/my-model', null],
    ['huggingface:someone/philosophy-bot', null],
  ];
  it.each(fam)('%s → %s', (key, family) => {
    expect(familyOf(key)).toBe(family);
  });
  it('uses architecture hints only when the name says nothing', () => {
    expect(familyOf('huggingface:someone/my-model', { tags: ['qwen2'] })).toBe('Qwen');
    expect(familyOf('huggingface:google/gemma-2b', { tags: ['llama'] })).toBe('Gemma');
  });
});
