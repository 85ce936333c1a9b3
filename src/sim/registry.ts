// The simulator reads the organisation registry file itself rather than importing the project's registry code: the
// simulator stands in for the outside world, so it must not share parsing (and bugs) with the code it tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config.js';

export interface RegistryOrg {
  org: string;
  country: string;
  kind: string;
  hf: string[];
  modelscope: string[];
  wisemodel: string[];
}

export const DEFAULT_REGISTRY_PATH = join(PROJECT_ROOT, 'config', 'registry', 'seed.json');

export function loadRegistry(path = DEFAULT_REGISTRY_PATH): RegistryOrg[] {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${path}: expected a JSON array of organisations`);
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return raw.map((o: Record<string, unknown>, i) => {
    if (typeof o.org !== 'string') throw new Error(`${path}: entry ${i} has no "org"`);
    return {
      org: o.org,
      country: typeof o.country === 'string' ? o.country : 'ZZ',
      kind: typeof o.kind === 'string' ? o.kind : 'unknown',
      hf: strings(o.hf),
      modelscope: strings(o.modelscope),
      wisemodel: strings(o.wisemodel),
    };
  });
}

/** A model family an organisation publishes: names, task and licence follow it. */
export interface Family {
  name: string;
  task: string;
  library: string;
  modelType: string;
  /** `apache-2.0`, `other:<license_name>`, `none`, or several separated by `|` to draw from. */
  license: string;
  /** Size labels; `''` for families whose names carry no size (embedding checkpoints). */
  sizes?: string[];
  lowerSize?: boolean;
  instruct?: string;
  gated?: false | 'auto' | 'manual';
}

const LLM_SIZES = ['0.5B', '1.5B', '3B', '7B', '8B', '14B', '32B', '72B'];
const f = (name: string, task: string, license: string, modelType: string, extra: Partial<Family> = {}): Family => ({
  name,
  task,
  license,
  modelType,
  library: 'transformers',
  ...extra,
});

// Download ranking of publishers follows the anchors in research/anchors.md loosely: a handful of labs take most of
// the downloads, embedding checkpoints (sentence-transformers, BAAI) are near the top by volume.
export const BIG_ORGS: Record<string, Family[]> = {
  Qwen: [
    f('Qwen3', 'text-generation', 'apache-2.0', 'qwen3', {
      sizes: ['0.6B', '1.7B', '4B', '8B', '14B', '32B', '30B-A3B', '235B-A22B'],
    }),
    f('Qwen2.5', 'text-generation', 'apache-2.0|other:qwen|other:qwen-research', 'qwen2'),
    f('Qwen3-VL', 'image-text-to-text', 'apache-2.0', 'qwen3_vl', { sizes: ['2B', '4B', '8B', '32B', '30B-A3B'] }),
    f('Qwen2.5-Coder', 'text-generation', 'apache-2.0', 'qwen2'),
    f('Qwen3-Embedding', 'feature-extraction', 'apache-2.0', 'qwen3', {
      library: 'sentence-transformers',
      sizes: ['0.6B', '4B', '8B'],
    }),
    f('Qwen-Image', 'text-to-image', 'apache-2.0', 'qwen_image', { library: 'diffusers', sizes: [''] }),
    f('Qwen1.5', 'text-generation', 'other:tongyi-qianwen', 'qwen2'),
  ],
  'meta-llama': [
    f('Llama-3.1', 'text-generation', 'llama3.1', 'llama', { sizes: ['8B', '70B', '405B'], gated: 'manual' }),
    f('Llama-3.2', 'text-generation', 'llama3.2', 'llama', { sizes: ['1B', '3B'], gated: 'manual' }),
    f('Llama-3.3', 'text-generation', 'llama3.3', 'llama', { sizes: ['70B'], gated: 'manual' }),
    f('Meta-Llama-3', 'text-generation', 'llama3', 'llama', { sizes: ['8B', '70B'], gated: 'manual' }),
    f('Llama-4-Scout', 'image-text-to-text', 'other:llama4', 'llama4', { sizes: ['17B-16E'], gated: 'manual' }),
  ],
  google: [
    f('gemma-3', 'image-text-to-text', 'gemma', 'gemma3', {
      sizes: ['1b', '4b', '12b', '27b'],
      instruct: '-it',
      gated: 'manual',
    }),
    f('gemma-2', 'text-generation', 'gemma', 'gemma2', {
      sizes: ['2b', '9b', '27b'],
      instruct: '-it',
      gated: 'manual',
    }),
    f('embeddinggemma', 'sentence-similarity', 'gemma', 'gemma3_text', {
      library: 'sentence-transformers',
      sizes: ['300m'],
    }),
    f('vit-base-patch16', 'image-classification', 'apache-2.0', 'vit', { sizes: ['224', '384'] }),
  ],
  'sentence-transformers': [
    f('all-MiniLM-L6', 'sentence-similarity', 'apache-2.0', 'bert', {
      library: 'sentence-transformers',
      sizes: ['v2', 'v1'],
    }),
    f('all-mpnet-base', 'sentence-similarity', 'apache-2.0', 'mpnet', {
      library: 'sentence-transformers',
      sizes: ['v2', 'v1'],
    }),
    f('paraphrase-multilingual-MiniLM-L12', 'sentence-similarity', 'apache-2.0', 'bert', {
      library: 'sentence-transformers',
      sizes: ['v2'],
    }),
  ],
  'deepseek-ai': [
    f('DeepSeek-V3', 'text-generation', 'mit|other:deepseek', 'deepseek_v3', { sizes: [''] }),
    f('DeepSeek-R1-Distill-Qwen', 'text-generation', 'mit', 'qwen2', { sizes: ['1.5B', '7B', '14B', '32B'] }),
    f('DeepSeek-R1', 'text-generation', 'mit', 'deepseek_v3', { sizes: [''] }),
    f('DeepSeek-OCR', 'image-text-to-text', 'mit', 'deepseek_vl_v2', { sizes: [''] }),
    f('deepseek-coder', 'text-generation', 'other:deepseek', 'llama', { sizes: ['1.3b', '6.7b', '33b'] }),
  ],
  mistralai: [
    f('Mistral-Small-3.2', 'text-generation', 'apache-2.0', 'mistral3', { sizes: ['24B'], instruct: '-Instruct-2506' }),
    f('Ministral', 'text-generation', 'other:mrl', 'mistral', { sizes: ['3B', '8B'], instruct: '-Instruct-2410' }),
    f('Mistral-Nemo', 'text-generation', 'apache-2.0', 'mistral', { sizes: ['12B'] }),
    f('Mixtral-8x7B', 'text-generation', 'apache-2.0', 'mixtral', { sizes: [''] }),
    f('Devstral-Small', 'text-generation', 'apache-2.0', 'mistral', { sizes: ['2507', '2505'] }),
  ],
  microsoft: [
    f('Phi-4', 'text-generation', 'mit', 'phi3', { sizes: ['mini', 'reasoning', ''] }),
    f('Phi-3.5', 'text-generation', 'mit', 'phi3', { sizes: ['mini', 'MoE'] }),
    f('Florence-2', 'image-text-to-text', 'mit', 'florence2', { sizes: ['base', 'large'] }),
    f('VibeVoice', 'text-to-speech', 'mit', 'vibevoice', { sizes: ['1.5B', '7B'] }),
  ],
  openai: [
    f('gpt-oss', 'text-generation', 'apache-2.0', 'gpt_oss', { sizes: ['20b', '120b'] }),
    f('whisper', 'automatic-speech-recognition', 'apache-2.0', 'whisper', {
      sizes: ['large-v3', 'large-v3-turbo', 'small', 'base'],
    }),
    f('clip-vit-base', 'zero-shot-image-classification', 'mit|none', 'clip', { sizes: ['patch32', 'patch16'] }),
  ],
  'zai-org': [
    f('GLM-4.6', 'text-generation', 'mit', 'glm4_moe', { sizes: [''] }),
    f('GLM-4.5', 'text-generation', 'mit', 'glm4_moe', { sizes: ['', 'Air'] }),
    f('glm-4', 'text-generation', 'other:glm-4', 'chatglm', { sizes: ['9b'], instruct: '-chat' }),
    f('GLM-4.1V', 'image-text-to-text', 'mit', 'glm4v', { sizes: ['9B'], instruct: '-Thinking' }),
    f('CogVideoX', 'text-to-video', 'other:cogvideox-license', 'cogvideox', {
      library: 'diffusers',
      sizes: ['2b', '5b'],
    }),
  ],
  BAAI: [
    f('bge-m3', 'sentence-similarity', 'mit', 'xlm-roberta', { library: 'sentence-transformers', sizes: [''] }),
    f('bge-large-en', 'feature-extraction', 'mit', 'bert', { library: 'sentence-transformers', sizes: ['v1.5'] }),
    f('bge-reranker', 'text-classification', 'apache-2.0', 'xlm-roberta', { sizes: ['v2-m3', 'large', 'base'] }),
  ],
  'black-forest-labs': [
    f('FLUX.1', 'text-to-image', 'other:flux-1-dev-non-commercial-license|apache-2.0', 'flux', {
      library: 'diffusers',
      sizes: ['dev', 'schnell', 'Kontext-dev'],
      gated: 'auto',
    }),
  ],
  nvidia: [
    f('Nemotron-Nano', 'text-generation', 'other:nvidia-open-model-license', 'nemotron_h', {
      sizes: ['9B-v2', '12B-v2'],
    }),
    f('parakeet-tdt', 'automatic-speech-recognition', 'cc-by-4.0', 'parakeet', {
      library: 'nemo',
      sizes: ['0.6b-v2', '0.6b-v3'],
    }),
  ],
  stabilityai: [
    f('stable-diffusion', 'text-to-image', 'openrail++|other:stabilityai-ai-community', 'sd', {
      library: 'diffusers',
      sizes: ['xl-base-1.0', '3.5-large', '3.5-medium'],
    }),
  ],
  FacebookAI: [f('xlm-roberta', 'fill-mask', 'mit', 'xlm-roberta', { sizes: ['base', 'large'] })],
  facebook: [
    f('nllb-200', 'translation', 'cc-by-nc-4.0', 'm2m_100', { sizes: ['distilled-600M', '3.3B'] }),
    f('dinov2', 'image-feature-extraction', 'apache-2.0', 'dinov2', { sizes: ['small', 'base', 'large'] }),
  ],
  moonshotai: [
    f('Kimi-K2', 'text-generation', 'other:modified-mit', 'kimi_k2', { sizes: ['Instruct-0905', 'Thinking', 'Base'] }),
  ],
  MiniMaxAI: [f('MiniMax-M2', 'text-generation', 'mit', 'minimax_m2', { sizes: [''] })],
  tencent: [
    f('Hunyuan', 'text-generation', 'other:tencent-hunyuan-community', 'hunyuan_v1_dense', {
      sizes: ['0.5B', '1.8B', '4B', '7B'],
    }),
  ],
  openbmb: [f('MiniCPM4', 'text-generation', 'apache-2.0', 'minicpm', { sizes: ['0.5B', '8B'] })],
  internlm: [f('internlm3', 'text-generation', 'apache-2.0', 'internlm3', { sizes: ['8b'], instruct: '-instruct' })],
  '01-ai': [f('Yi-1.5', 'text-generation', 'apache-2.0', 'llama', { sizes: ['6B', '9B', '34B'], instruct: '-Chat' })],
  bigscience: [f('bloom', 'text-generation', 'bigscience-bloom-rail-1.0', 'bloom', { sizes: ['560m', '1b7', '7b1'] })],
  CompVis: [
    f('stable-diffusion-v1', 'text-to-image', 'creativeml-openrail-m', 'sd', { library: 'diffusers', sizes: ['4'] }),
  ],
  cardiffnlp: [
    f('twitter-roberta-base', 'text-classification', 'none', 'roberta', { sizes: ['sentiment-latest', 'emotion'] }),
  ],
  Skywork: [f('Skywork-OR1', 'text-generation', 'apache-2.0', 'qwen2', { sizes: ['7B', '32B'] })],
  Langboat: [f('mengzi', 'text-generation', 'apache-2.0', 'bert', { sizes: ['bert-base', 't5-base'] })],
};

/** Order of publishers by download weight; the rest of the registry follows in file order. */
export const BIG_ORDER = [
  'Qwen',
  'meta-llama',
  'google',
  'sentence-transformers',
  'deepseek-ai',
  'mistralai',
  'microsoft',
  'openai',
  'zai-org',
  'BAAI',
  'black-forest-labs',
  'nvidia',
  'stabilityai',
  'FacebookAI',
  'facebook',
  'moonshotai',
  'MiniMaxAI',
  'tencent',
  'openbmb',
  'internlm',
  '01-ai',
  'bigscience',
  'CompVis',
  'cardiffnlp',
  'Skywork',
  'Langboat',
];

const GENERIC_SUFFIX: Array<[string, string, string]> = [
  ['LM', 'text-generation', 'llama'],
  ['Chat', 'text-generation', 'llama'],
  ['Coder', 'text-generation', 'qwen2'],
  ['VL', 'image-text-to-text', 'qwen2_5_vl'],
  ['Embed', 'feature-extraction', 'bert'],
  ['TTS', 'text-to-speech', 'vits'],
  ['ASR', 'automatic-speech-recognition', 'wav2vec2'],
  ['Diffusion', 'text-to-image', 'sd'],
];
const GENERIC_LICENSES = 'apache-2.0|apache-2.0|mit|cc-by-4.0|cc-by-nc-4.0|other:custom|none|openrail|llama3.1|gemma';

export function genericFamilies(ns: string, h: number): Family[] {
  const stem = ns.replace(/[^A-Za-z0-9]/g, '');
  const base = stem.charAt(0).toUpperCase() + stem.slice(1);
  const out: Family[] = [];
  for (let k = 0; k < 2; k++) {
    const [suffix, task, mt] = GENERIC_SUFFIX[(h + k * 3) % GENERIC_SUFFIX.length] as [string, string, string];
    out.push(
      f(`${base}-${suffix}`, task, GENERIC_LICENSES, mt, {
        sizes: LLM_SIZES,
        library:
          task === 'text-to-image'
            ? 'diffusers'
            : task === 'feature-extraction'
              ? 'sentence-transformers'
              : 'transformers',
      }),
    );
  }
  return out;
}

export { LLM_SIZES };

/** How each redistributor names what it re-uploads; `{ns}` and `{name}` are the base's namespace and name. */
export interface RedistStyle {
  patterns: string[];
  relation: 'quantized' | 'finetune' | 'none';
  share: number;
}

export const REDISTRIBUTORS: Record<string, RedistStyle> = {
  bartowski: { patterns: ['{ns}_{name}-GGUF'], relation: 'quantized', share: 0.18 },
  mradermacher: { patterns: ['{name}-GGUF', '{name}-i1-GGUF'], relation: 'quantized', share: 0.18 },
  'mlx-community': {
    patterns: ['{name}-4bit', '{name}-8bit', '{name}-bf16', '{name}-4bit-DWQ'],
    relation: 'quantized',
    share: 0.12,
  },
  unsloth: {
    patterns: ['{name}-GGUF', '{name}-bnb-4bit', '{name}-unsloth-bnb-4bit'],
    relation: 'quantized',
    share: 0.1,
  },
  RichardErkhov: {
    patterns: ['{ns}_-_{name}-gguf', '{ns}_-_{name}-4bits', '{ns}_-_{name}-8bits'],
    relation: 'quantized',
    share: 0.08,
  },
  'lmstudio-community': { patterns: ['{name}-GGUF', '{name}-MLX-4bit'], relation: 'quantized', share: 0.05 },
  TheBloke: { patterns: ['{name}-GGUF', '{name}-AWQ', '{name}-GPTQ'], relation: 'quantized', share: 0.05 },
  QuantFactory: { patterns: ['{name}-GGUF'], relation: 'quantized', share: 0.05 },
  MaziyarPanahi: { patterns: ['{name}-GGUF'], relation: 'quantized', share: 0.03 },
  LoneStriker: { patterns: ['{name}-4.0bpw-h6-exl2', '{name}-6.0bpw-h6-exl2'], relation: 'quantized', share: 0.02 },
  'second-state': { patterns: ['{name}-GGUF'], relation: 'quantized', share: 0.02 },
  'ggml-org': { patterns: ['{name}-GGUF'], relation: 'quantized', share: 0.02 },
  RedHatAI: { patterns: ['{name}-FP8-dynamic', '{name}-quantized.w4a16'], relation: 'quantized', share: 0.02 },
  'onnx-community': { patterns: ['{name}-ONNX'], relation: 'quantized', share: 0.02 },
  OpenVINO: { patterns: ['{name}-int4-ov', '{name}-fp16-ov'], relation: 'quantized', share: 0.01 },
  'hugging-quants': { patterns: ['{name}-AWQ-INT4'], relation: 'quantized', share: 0.01 },
  'huihui-ai': { patterns: ['{name}-abliterated', 'Huihui-{name}-abliterated'], relation: 'finetune', share: 0.02 },
  // Plain re-hosts (no lineage on the real Hub either): only the name says what they are.
  'mistral-community': { patterns: ['{name}'], relation: 'none', share: 0.01 },
  alpindale: { patterns: ['{name}'], relation: 'none', share: 0.01 },
};
