// Lineage: which models a model was built from, how (relation), and the root it comes down to. Parsing is per
// record; root resolution runs over the stored graph (the caller's lookup), across hops and platforms.
import { LIMITS, type Platform, type Relation } from '../model.js';
import { isRecord, listOf, stringList } from './text.js';

export interface LineageInput {
  platform: Platform;
  /** Hugging Face tags (`base_model:<id>`, `base_model:<relation>:<id>`); ModelScope mirrors of HF repos keep them. */
  hfTags?: unknown;
  /** `cardData.base_model`: a string or a list. */
  cardBaseModel?: unknown;
  /** `cardData.base_model_relation`. */
  cardRelation?: unknown;
  /** Hugging Face `expand[]=baseModels`: `{relation, models:[{id}]}` or a list of ids/objects. */
  hfBaseModels?: unknown;
  /** ModelScope `BaseModel`: ModelScope ids, possibly with `@revision`. */
  msBaseModel?: unknown;
  /** ModelScope `BaseModelRelation`. */
  msRelation?: unknown;
  /** WiseModel ids of the bases. */
  wmBaseModels?: unknown;
  /** Tags or libraries that hint at the relation when none is stated (lora, gguf, …). */
  hintTags?: unknown;
}

export interface ParsedLineage {
  relation: Relation;
  baseModels: string[];
}

// Real payloads carry thousands of tags (cis-lmu/glotlid lists ~2,000 language codes before its license: tag);
// the scan is cheap, the bound only guards against absurd inputs.
const MAX_TAG_SCAN = 100_000;

const MAX_BASES = 50;

const RELATION_WORDS: Record<string, Exclude<Relation, 'base'>> = {
  finetune: 'finetune',
  'fine-tune': 'finetune',
  finetuned: 'finetune',
  'fine-tuned': 'finetune',
  fine_tune: 'finetune',
  sft: 'finetune',
  adapter: 'adapter',
  adapters: 'adapter',
  lora: 'adapter',
  peft: 'adapter',
  quantized: 'quantized',
  quantised: 'quantized',
  quantization: 'quantized',
  quantisation: 'quantized',
  quant: 'quantized',
  merge: 'merge',
  merged: 'merge',
  merges: 'merge',
};

export function relationWord(v: unknown): Exclude<Relation, 'base'> | null {
  if (typeof v !== 'string') return null;
  return RELATION_WORDS[v.trim().toLowerCase()] ?? null;
}

const URL_PREFIX =
  /^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co|hf\.co|modelscope\.cn\/models|wisemodel\.cn\/models)\//i;
// A repo id: one or two path segments without whitespace, markup or URL syntax (ModelScope and WiseModel names
// may be non-ASCII, so no character whitelist). Anything else is not a base id and is dropped.
const REPO_ID = /^[^\s/<>"'`\\?#:@]+(?:\/[^\s/<>"'`\\?#:@]+)?$/;

const baseIdCache = new Map<string, string | null>();

/** A base model id as given → clean id (URL prefix, `@revision`, `/tree/…` and whitespace removed), or null. */
export function cleanBaseId(v: string): string | null {
  // The same few thousand bases recur across millions of derivatives: clean each spelling once.
  const hit = baseIdCache.get(v);
  if (hit !== undefined) return hit;
  const out = cleanBaseIdUncached(v);
  if (baseIdCache.size > 200_000) baseIdCache.clear();
  baseIdCache.set(v, out);
  return out;
}

function cleanBaseIdUncached(v: string): string | null {
  let s = v.trim().replace(URL_PREFIX, '');
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const tree = s.search(/\/(?:tree|blob|resolve)\//);
  if (tree >= 0) s = s.slice(0, tree);
  s = s.replace(/\/+$/, '');
  if (s === '' || s.length > LIMITS.id || !REPO_ID.test(s)) return null;
  return s;
}

const QUANT_HINT = /^(gguf|gptq|awq|exl2|bitsandbytes|4-bit|8-bit|mlx|ggml|quantized|fp8|int4|int8)$/i;
const ADAPTER_HINT = /^(lora|peft|adapter)$/i;

function addBase(bases: string[], seen: string[], p: Platform, id: string): void {
  if (bases.length >= MAX_BASES) return;
  const clean = cleanBaseId(id);
  if (clean === null) return;
  const key = `${p}:${clean}`;
  const lower = key.toLowerCase();
  if (seen.includes(lower)) return;
  seen.push(lower);
  bases.push(key);
}

/**
 * Pure and total. Relation: the stated relation (card or ModelScope) wins; then the relation in the
 * `base_model:<relation>:` tags (merge if any tag says merge); then several bases = merge; then a lora/peft or
 * quantisation hint; else finetune. No base at all = base, whatever a relation field claims.
 */
export function parseLineage(input: LineageInput): ParsedLineage {
  const inp = isRecord(input) ? input : ({} as Record<string, unknown>);
  const bases: string[] = [];
  // Few bases per model: a linear scan beats allocating a Set on every record.
  const seen: string[] = [];
  const add = (p: Platform, id: string) => addBase(bases, seen, p, id);

  // The card's own list keeps the author's order (the first base is the main one); tags follow.
  for (const id of stringList(inp.cardBaseModel, MAX_BASES)) add('huggingface', id);

  let tagRelations: Set<Exclude<Relation, 'base'>> | null = null;
  const tags = listOf(inp.hfTags);
  for (let i = 0; i < tags.length && i < MAX_TAG_SCAN; i++) {
    const tag = tags[i];
    if (typeof tag !== 'string' || !tag.startsWith('base_model:')) continue;
    const rest = tag.slice(11);
    const colon = rest.indexOf(':');
    if (colon > 0) {
      const rel = relationWord(rest.slice(0, colon));
      if (rel) {
        (tagRelations ??= new Set()).add(rel);
        add('huggingface', rest.slice(colon + 1));
        continue;
      }
    }
    add('huggingface', rest);
  }

  let expandRelation: Exclude<Relation, 'base'> | null = null;
  const hb = inp.hfBaseModels;
  if (isRecord(hb)) {
    expandRelation = relationWord(hb.relation);
    const models = Array.isArray(hb.models) ? hb.models : [];
    for (const m of models.slice(0, MAX_BASES)) {
      if (typeof m === 'string') add('huggingface', m);
      else if (isRecord(m) && typeof m.id === 'string') add('huggingface', m.id);
    }
  } else if (Array.isArray(hb)) {
    for (const m of hb.slice(0, MAX_BASES)) {
      if (typeof m === 'string') add('huggingface', m);
      else if (isRecord(m) && typeof m.id === 'string') add('huggingface', m.id);
    }
  }

  for (const id of stringList(inp.msBaseModel, MAX_BASES)) add('modelscope', id);
  for (const id of stringList(inp.wmBaseModels, MAX_BASES)) add('wisemodel', id);

  if (bases.length === 0) return { relation: 'base', baseModels: [] };

  const stated = relationWord(inp.msRelation) ?? relationWord(inp.cardRelation);
  let relation: Exclude<Relation, 'base'>;
  if (stated) relation = stated;
  else if (expandRelation) relation = expandRelation;
  else if (tagRelations?.has('merge')) relation = 'merge';
  else if (tagRelations && tagRelations.size > 0)
    relation = tagRelations.values().next().value as Exclude<Relation, 'base'>;
  else if (bases.length > 1) relation = 'merge';
  else {
    const hints = stringList(inp.hintTags, 500);
    if (hints.some((h) => ADAPTER_HINT.test(h))) relation = 'adapter';
    else if (hints.some((h) => QUANT_HINT.test(h))) relation = 'quantized';
    else relation = 'finetune';
  }
  return { relation, baseModels: bases };
}

export interface RootResult {
  root: string;
  /** Edges followed from the start to the root. */
  hops: number;
  /** The root is a base nobody has stored (unknown to the lookup): kept as the root rather than dropped. */
  dangling: boolean;
  /** A cycle was met; the root is the cycle's smallest key, so every member resolves to the same root. */
  cycle: boolean;
  /** maxDepth was reached before a base model: the root is where the walk stopped. */
  capped: boolean;
}

/**
 * Follows the first base of each model from `startKey` until a model with no bases. Cycle-safe and depth-capped;
 * the lookup is the stored graph (keys compared exactly, so callers store keys as parseLineage emits them).
 */
export function resolveRoot(
  startKey: string,
  lookup: (key: string) => { relation: Relation | string; baseModels: readonly string[] } | undefined | null,
  maxDepth = 10,
): RootResult {
  const path: string[] = [startKey];
  const index = new Map<string, number>([[startKey, 0]]);
  let current = startKey;
  for (let hops = 0; ; hops++) {
    let node: { relation: Relation | string; baseModels: readonly string[] } | undefined | null;
    try {
      node = lookup(current);
    } catch {
      node = undefined;
    }
    if (!node) return { root: current, hops, dangling: true, cycle: false, capped: false };
    const next = Array.isArray(node.baseModels)
      ? node.baseModels.find((b) => typeof b === 'string' && b !== '')
      : undefined;
    if (next === undefined) return { root: current, hops, dangling: false, cycle: false, capped: false };
    const seenAt = index.get(next);
    if (seenAt !== undefined) {
      const loop = path.slice(seenAt);
      const root = loop.reduce((a, b) => (b < a ? b : a));
      return { root, hops: hops + 1, dangling: false, cycle: true, capped: false };
    }
    if (hops >= maxDepth) return { root: current, hops, dangling: false, cycle: false, capped: true };
    index.set(next, path.length);
    path.push(next);
    current = next;
  }
}

/**
 * Model families, most specific first where one name contains another. Each pattern is matched against the
 * lower-cased repo name; the leftmost match in the name wins (DeepSeek-R1-Distill-Llama-8B is DeepSeek: the
 * family is whose work the name leads with). `org` is the Hugging Face namespace of the family's owner, used
 * only by origin.ts to attribute a redistributor's upload by repo name, and only where the family name is that
 * owner's brand (no org for Stable Diffusion 1.x, BERT or CLIP, which several organisations published).
 */
export const FAMILIES: ReadonlyArray<{ family: string; pattern: string; org: string | null }> = [
  { family: 'Qwen', pattern: 'qwen|qwq|tongyi-qianwen', org: 'Qwen' },
  { family: 'Wan', pattern: 'wan-?2\\.\\d|wan2|wanx|wan-?ai', org: 'Wan-AI' },
  { family: 'DeepSeek', pattern: 'deepseek', org: 'deepseek-ai' },
  { family: 'Llama', pattern: 'llama(?!fi)|codellama', org: 'meta-llama' },
  { family: 'Gemma', pattern: 'gemma', org: 'google' },
  {
    family: 'Mistral',
    pattern: 'mistral|mixtral|codestral|ministral|magistral|devstral|pixtral|voxtral',
    org: 'mistralai',
  },
  { family: 'GLM', pattern: 'chatglm|codegeex|cogvlm|cogview|cogvideo|glm', org: 'zai-org' },
  { family: 'Kimi', pattern: 'kimi|moonlight', org: 'moonshotai' },
  { family: 'MiniMax', pattern: 'minimax', org: 'MiniMaxAI' },
  { family: 'Phi', pattern: '(?<![a-z])phi-?\\d|(?<![a-z])phi(?=-mini|-medium|-small)', org: 'microsoft' },
  { family: 'Yi', pattern: '(?<![a-z])yi-(?:\\d|1\\.5|34b|6b|9b|coder|vl|large|lightning)', org: '01-ai' },
  { family: 'InternVL', pattern: 'internvl', org: 'OpenGVLab' },
  { family: 'InternLM', pattern: 'internlm|intern-s1', org: 'internlm' },
  { family: 'Baichuan', pattern: 'baichuan', org: 'baichuan-inc' },
  { family: 'Falcon', pattern: 'falcon', org: 'tiiuae' },
  { family: 'FLUX', pattern: 'flux', org: 'black-forest-labs' },
  {
    family: 'Stable Diffusion',
    pattern: 'sdxl|sd3|sd-?xl|stable-diffusion|stable_diffusion|(?<![a-z])sd-?1\\.5|(?<![a-z])sd15',
    org: null,
  },
  { family: 'Whisper', pattern: 'whisper', org: 'openai' },
  { family: 'gpt-oss', pattern: 'gpt-oss', org: 'openai' },
  { family: 'GPT-2', pattern: '(?<![a-z])gpt2|(?<![a-z])gpt-2', org: null },
  { family: 'Hunyuan', pattern: 'hunyuan', org: 'tencent' },
  { family: 'ERNIE', pattern: 'ernie', org: 'baidu' },
  { family: 'MiniCPM', pattern: 'minicpm', org: 'openbmb' },
  { family: 'Command', pattern: 'c4ai-command|command-r|(?<![a-z])aya-', org: 'CohereLabs' },
  { family: 'Granite', pattern: 'granite', org: 'ibm-granite' },
  { family: 'OLMo', pattern: 'olmo', org: 'allenai' },
  { family: 'SmolLM', pattern: 'smollm|smolvlm', org: 'HuggingFaceTB' },
  { family: 'Nemotron', pattern: 'nemotron', org: 'nvidia' },
  { family: 'StarCoder', pattern: 'starcoder', org: 'bigcode' },
  { family: 'BLOOM', pattern: 'bloom', org: 'bigscience' },
  { family: 'T5', pattern: '(?<![a-z0-9])(?:flan-|m|by)?t5(?![a-z0-9])|(?<![a-z])t5-', org: null },
  { family: 'CLIP', pattern: '(?<![a-z])clip(?![a-z])|siglip', org: null },
  {
    family: 'BERT',
    pattern: 'roberta|deberta|distilbert|albert|electra|minilm|mpnet|(?<![a-z])bert|(?<![a-z])bge-|(?<![a-z])e5-',
    org: null,
  },
];

const FAMILY_RE = new RegExp(FAMILIES.map((f, i) => `(?<f${i}>${f.pattern})`).join('|'));

// Namespaces whose models all belong to one family even when a name does not say so (Qwen/QwQ-32B is Qwen,
// meta-llama/Meta-Llama-Guard… is Llama): consulted after the name.
const NAMESPACE_FAMILY: Record<string, string> = {
  qwen: 'Qwen',
  'meta-llama': 'Llama',
  'deepseek-ai': 'DeepSeek',
  mistralai: 'Mistral',
  'zai-org': 'GLM',
  thudm: 'GLM',
  zhipuai: 'GLM',
  moonshotai: 'Kimi',
  minimaxai: 'MiniMax',
  minimax: 'MiniMax',
  '01-ai': 'Yi',
  '01ai': 'Yi',
  internlm: 'InternLM',
  shanghai_ai_laboratory: 'InternLM',
  'baichuan-inc': 'Baichuan',
  tiiuae: 'Falcon',
  'black-forest-labs': 'FLUX',
  'wan-ai': 'Wan',
};

export interface FamilyHints {
  /** Platform model type / architecture tags (HF `qwen2`, `gemma3`; ModelScope `ModelType`; gguf architecture). */
  tags?: unknown;
}

const familyCache = new Map<string, string | null>();

function familyOfText(text: string): { family: string; org: string | null } | null {
  const m = FAMILY_RE.exec(text);
  if (!m || !m.groups) return null;
  for (let i = 0; i < FAMILIES.length; i++) {
    if (m.groups[`f${i}`] !== undefined) {
      const f = FAMILIES[i];
      return f ? { family: f.family, org: f.org } : null;
    }
  }
  return null;
}

/** Family and owning namespace by the repo name alone (for repo-name origin attribution). */
export function familyByName(name: string): { family: string; org: string | null } | null {
  return familyOfText(name.toLowerCase());
}

/**
 * The model family of a root key (`huggingface:Qwen/Qwen3-8B`) or id: by the repo name, then by the namespace,
 * then by hints (architecture tags). Null when not recognised.
 */
export function familyOf(rootKeyOrId: string, hints?: FamilyHints, opts?: { cache?: boolean }): string | null {
  if (typeof rootKeyOrId !== 'string') return null;
  // Roots shared by many derivatives are worth memoising; a base model's own (unique) key is not.
  const useCache = opts?.cache !== false;
  let family = useCache ? familyCache.get(rootKeyOrId) : undefined;
  if (family === undefined) {
    const colon = rootKeyOrId.indexOf(':');
    const id = /^(huggingface|modelscope|wisemodel):/.test(rootKeyOrId) ? rootKeyOrId.slice(colon + 1) : rootKeyOrId;
    const slash = id.indexOf('/');
    const ns = slash >= 0 ? id.slice(0, slash).toLowerCase() : '';
    const name = (slash >= 0 ? id.slice(slash + 1) : id).toLowerCase();
    family = familyOfText(name)?.family ?? NAMESPACE_FAMILY[ns] ?? null;
    if (useCache) {
      if (familyCache.size > 100_000) familyCache.clear();
      familyCache.set(rootKeyOrId, family);
    }
  }
  // Hints only fill a gap the root's own name and namespace leave; they never override them.
  if (family === null && hints !== undefined) {
    for (const tag of stringList(hints.tags, 200)) {
      if (tag.includes(':')) continue;
      const f = familyOfText(tag.toLowerCase());
      if (f) return f.family;
    }
  }
  return family;
}
