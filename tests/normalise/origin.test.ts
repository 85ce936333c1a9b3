import { describe, expect, it } from 'vitest';
import { canonicalIdentity, mirrorCandidates } from '../../src/normalise/identity.js';
import { embeddedOrigin, originOf, publisherOf, type OriginArgs } from '../../src/normalise/origin.js';
import { registry } from './helpers.js';

const o = (a: Omit<OriginArgs, 'registry' | 'namespace'>) =>
  originOf({ ...a, namespace: a.id.includes('/') ? a.id.slice(0, a.id.indexOf('/')) : '', registry: registry() });

describe('publisherOf', () => {
  it('a registry org', () => {
    expect(publisherOf('huggingface', 'Qwen', null, registry())).toMatchObject({
      org: expect.stringMatching(/Qwen/),
      country: 'CN',
      kind: 'big_tech',
    });
  });
  it('an unknown uploader is an individual in ZZ', () => {
    expect(publisherOf('huggingface', 'some-random-user', null, registry())).toEqual({
      namespace: 'some-random-user',
      org: null,
      country: 'ZZ',
      countryAlt: null,
      kind: 'individual',
    });
  });
  it('a redistributor keeps its own country in the publisher view', () => {
    expect(publisherOf('huggingface', 'unsloth', null, registry())).toMatchObject({
      kind: 'redistributor',
      country: 'US',
    });
    expect(publisherOf('modelscope', 'LLM-Research', null, registry())).toMatchObject({
      kind: 'redistributor',
      country: 'CN',
    });
  });
  it('dated: THUDM in 2022 is academic, in 2024 a start-up', () => {
    expect(publisherOf('huggingface', 'THUDM', '2022-03-01T00:00:00Z', registry()).kind).toBe('academic');
    expect(publisherOf('huggingface', 'THUDM', '2024-03-01T00:00:00Z', registry()).kind).toBe('ai_startup');
  });
});

describe('originOf', () => {
  it('a registry org’s own base model: registry', () => {
    expect(
      o({ platform: 'huggingface', id: 'Qwen/Qwen3-8B', relation: 'base', root: 'huggingface:Qwen/Qwen3-8B' }),
    ).toMatchObject({ country: 'CN', basis: 'registry' });
  });
  it('a derivative takes its root’s publisher: lineage', () => {
    expect(
      o({
        platform: 'huggingface',
        id: 'someone/ft',
        relation: 'finetune',
        root: 'huggingface:meta-llama/Llama-3.1-8B',
      }),
    ).toMatchObject({ country: 'US', basis: 'lineage', kind: 'big_tech' });
  });
  it('a quantiser with lineage: lineage, not the quantiser’s country', () => {
    expect(
      o({
        platform: 'huggingface',
        id: 'unsloth/gemma-3-1b-it-GGUF',
        relation: 'quantized',
        root: 'huggingface:google/gemma-3-1b-it',
      }),
    ).toMatchObject({ country: 'US', org: expect.stringMatching(/Google/), basis: 'lineage' });
    expect(
      o({
        platform: 'huggingface',
        id: 'bartowski/Qwen3-8B-GGUF',
        relation: 'quantized',
        root: 'huggingface:Qwen/Qwen3-8B',
      }),
    ).toMatchObject({ country: 'CN', basis: 'lineage' });
  });
  it('bartowski without lineage: the embedded namespace (repo-name)', () => {
    expect(
      o({
        platform: 'huggingface',
        id: 'bartowski/zai-org_GLM-4.6-GGUF',
        relation: 'base',
        root: 'huggingface:bartowski/zai-org_GLM-4.6-GGUF',
      }),
    ).toMatchObject({ country: 'CN', org: expect.stringMatching(/Zhipu/), basis: 'repo-name' });
  });
  it('RichardErkhov without lineage: <ns>_-_<model> (repo-name)', () => {
    expect(
      o({
        platform: 'huggingface',
        id: 'RichardErkhov/mistralai_-_Mistral-7B-v0.1-gguf',
        relation: 'base',
        root: 'huggingface:RichardErkhov/mistralai_-_Mistral-7B-v0.1-gguf',
      }),
    ).toMatchObject({ country: 'FR', basis: 'repo-name' });
  });
  it('mlx-community without lineage: the family brand in the name (repo-name)', () => {
    expect(
      o({
        platform: 'huggingface',
        id: 'mlx-community/Qwen3-8B-4bit',
        relation: 'base',
        root: 'huggingface:mlx-community/Qwen3-8B-4bit',
      }),
    ).toMatchObject({ country: 'CN', basis: 'repo-name' });
  });
  it('a redistributor upload with nothing to go on: unknown', () => {
    expect(
      o({
        platform: 'huggingface',
        id: 'TheBloke/mystery-model-GPTQ',
        relation: 'base',
        root: 'huggingface:TheBloke/mystery-model-GPTQ',
      }),
    ).toEqual({ org: null, country: 'ZZ', countryAlt: null, kind: 'unknown', basis: 'unknown' });
  });
  it('ModelScope mirror without lineage: LLM-Research/Meta-Llama-3-8B is Meta, not CN', () => {
    expect(
      o({
        platform: 'modelscope',
        id: 'LLM-Research/Meta-Llama-3-8B-Instruct',
        relation: 'base',
        root: 'modelscope:LLM-Research/Meta-Llama-3-8B-Instruct',
      }),
    ).toMatchObject({ country: 'US', basis: 'repo-name' });
    expect(
      o({
        platform: 'modelscope',
        id: 'AI-ModelScope/gemma-2-9b',
        relation: 'base',
        root: 'modelscope:AI-ModelScope/gemma-2-9b',
      }),
    ).toMatchObject({ country: 'US', basis: 'repo-name' });
  });
  it('a derivative of a ModelScope mirror: read through the mirror’s name', () => {
    expect(
      o({
        platform: 'modelscope',
        id: 'someone/lora',
        relation: 'adapter',
        root: 'modelscope:AI-ModelScope/FLUX.1-dev',
      }),
    ).toMatchObject({ country: 'DE', basis: 'repo-name' });
    expect(
      o({ platform: 'modelscope', id: 'someone/lora', relation: 'adapter', root: 'modelscope:MusePublic/Qwen-image' }),
    ).toMatchObject({ country: 'CN', basis: 'repo-name' });
  });
  it('nv-community without a family in the name falls back to its registry org', () => {
    expect(
      o({
        platform: 'modelscope',
        id: 'nv-community/some-checkpoint',
        relation: 'base',
        root: 'modelscope:nv-community/some-checkpoint',
      }),
    ).toMatchObject({ org: 'NVIDIA', basis: 'registry' });
  });
  it('a base model by an unknown individual: that individual, ZZ, basis unknown', () => {
    expect(
      o({ platform: 'huggingface', id: 'jane/my-model', relation: 'base', root: 'huggingface:jane/my-model' }),
    ).toEqual({ org: 'jane', country: 'ZZ', countryAlt: null, kind: 'individual', basis: 'unknown' });
  });
  it('a derivative of an unknown individual’s base: that individual via lineage', () => {
    expect(
      o({ platform: 'huggingface', id: 'x/ft', relation: 'finetune', root: 'huggingface:jane/my-model' }),
    ).toMatchObject({ org: 'jane', kind: 'individual', country: 'ZZ', basis: 'lineage' });
  });
  it('a legacy root-level base id maps to the namespace HF moved it to', () => {
    expect(
      o({ platform: 'huggingface', id: 'x/ft', relation: 'finetune', root: 'huggingface:bert-base-uncased' }),
    ).toMatchObject({ country: 'US', basis: 'lineage', org: expect.stringMatching(/Google/) });
    expect(o({ platform: 'huggingface', id: 'x/ft', relation: 'finetune', root: 'huggingface:gpt2' })).toMatchObject({
      country: 'US',
      basis: 'lineage',
    });
  });
  it('dated root: THUDM root created in 2022 is Tsinghua (academic) when the graph supplies its date', () => {
    const a = {
      platform: 'huggingface' as const,
      id: 'x/ft',
      relation: 'finetune' as const,
      root: 'huggingface:THUDM/chatglm-6b',
    };
    expect(originOf({ ...a, namespace: 'x', registry: registry(), rootCreatedAt: '2022-03-01T00:00:00Z' }).kind).toBe(
      'academic',
    );
    expect(originOf({ ...a, namespace: 'x', registry: registry() }).kind).toBe('ai_startup');
  });
  it('a malformed root key is unknown, not a throw', () => {
    expect(o({ platform: 'huggingface', id: 'x/ft', relation: 'finetune', root: 'nonsense' }).basis).toBe('unknown');
  });
  it('embeddedOrigin ignores prefixes that are not registered orgs', () => {
    expect(embeddedOrigin('my_cool_model-GGUF', 'huggingface', registry())).toBeNull();
    expect(embeddedOrigin('Qwen_Qwen3-8B-GGUF', 'huggingface', registry())?.namespace).toBe('Qwen');
  });
});

describe('identity', () => {
  const r = () => registry();
  it('mirrors across the namespace equivalence HF zai-org ↔ MS ZhipuAI ↔ WM ZhipuAI', () => {
    const m = mirrorCandidates('huggingface', 'zai-org/GLM-4.6', r());
    expect(m).toContain('modelscope:ZhipuAI/GLM-4.6');
    expect(m).toContain('wisemodel:ZhipuAI/GLM-4.6');
    expect(mirrorCandidates('modelscope', 'ZhipuAI/GLM-4.6', r())).toContain('huggingface:zai-org/GLM-4.6');
  });
  it('same namespace on both platforms (Qwen)', () => {
    expect(mirrorCandidates('huggingface', 'Qwen/Qwen3-8B', r())).toContain('modelscope:Qwen/Qwen3-8B');
  });
  it('a Western org without a ModelScope namespace points at the ModelScope mirrors', () => {
    expect(mirrorCandidates('huggingface', 'meta-llama/Llama-3.1-8B', r())).toContain(
      'modelscope:LLM-Research/Llama-3.1-8B',
    );
  });
  it('a ModelScope mirror points back at the owner on HF', () => {
    expect(mirrorCandidates('modelscope', 'LLM-Research/Meta-Llama-3-8B', r())).toContain(
      'huggingface:meta-llama/Meta-Llama-3-8B',
    );
  });
  it('unknown namespaces and redistributors get no candidates', () => {
    expect(mirrorCandidates('huggingface', 'jane/model', r())).toEqual([]);
    expect(mirrorCandidates('huggingface', 'bartowski/Qwen3-8B-GGUF', r())).toEqual([]);
  });
  it('canonical identity: one key across platforms, case, renames and revisions', () => {
    const a = canonicalIdentity('huggingface', 'zai-org/GLM-4-9B-Chat', r());
    expect(canonicalIdentity('modelscope', 'ZhipuAI/glm-4-9b-chat', r())).toBe(a);
    expect(canonicalIdentity('wisemodel', 'ZhipuAI/GLM-4-9B-Chat', r())).toBe(a);
    expect(canonicalIdentity('huggingface', 'THUDM/glm-4-9b-chat', r())).toBe(a);
    expect(canonicalIdentity('modelscope', 'Qwen/Qwen3-8B@v1', r())).toBe(
      canonicalIdentity('huggingface', 'Qwen/Qwen3-8B', r()),
    );
    expect(canonicalIdentity('modelscope', 'LLM-Research/Meta-Llama-3-8B', r())).toBe(
      canonicalIdentity('huggingface', 'meta-llama/Meta-Llama-3-8B', r()),
    );
  });
  it('unknown namespaces stay platform-scoped', () => {
    expect(canonicalIdentity('huggingface', 'jane/m', r())).toBe('huggingface:jane/m');
    expect(canonicalIdentity('modelscope', 'jane/m', r())).not.toBe(canonicalIdentity('huggingface', 'jane/m', r()));
  });
});
