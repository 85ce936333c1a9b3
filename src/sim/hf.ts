// The Hugging Face Hub API as research/hf.md §1–5 and the real samples describe it: `GET /api/models` (sort, limit,
// expand[] / expand, full, author, search, filter, pipeline_tag; keyset cursor in an absolute `Link` header),
// `GET /api/models/{id}` and `/revision/{rev}`, RateLimit headers, weak ETags, and the Hub's key orders.
import { hostileFor, isHostile } from './hostile.js';
import {
  json,
  type PlatformContext,
  type PlatformHooks,
  type RateState,
  type Reply,
  type RequestInfo,
  type SimFaults,
  weakEtag,
} from './http.js';
import { hash3, isoSeconds, pick } from './rng.js';
import { SORT_KEYS, type SortKey, Universe } from './universe.js';
import { firstIndexWhere, splitId } from './universe-shared.js';

/** Accepted `expand` values (huggingface_hub's ExpandModelProperty_T plus xetEnabled from the server's own 400). */
export const HF_EXPAND = [
  'author',
  'baseModels',
  'cardData',
  'childrenModelCount',
  'config',
  'createdAt',
  'disabled',
  'downloads',
  'downloadsAllTime',
  'evalResults',
  'gated',
  'gguf',
  'inference',
  'inferenceProviderMapping',
  'lastModified',
  'library_name',
  'likes',
  'mask_token',
  'model-index',
  'pipeline_tag',
  'private',
  'resourceGroup',
  'safetensors',
  'sha',
  'siblings',
  'spaces',
  'tags',
  'transformersInfo',
  'trendingScore',
  'usedStorage',
  'widgetData',
  'xetEnabled',
] as const;
const EXPAND_SET = new Set<string>(HF_EXPAND);
/**
 * Accepted on `/api/models/{id}` only: the list route answers 400 for them (huggingface_hub PR #3182, Hub staff
 * citing the server's listing routes; research/hf.md §0.2).
 */
export const HF_DETAIL_ONLY_EXPAND = ['baseModels', 'childrenModelCount', 'usedStorage'] as const;
/** The figures a counter batch moves (the rest of an item is the same whichever batch it was served from). */
const FIGURE_KEYS = new Set(['downloads', 'downloadsAllTime', 'likes', 'trendingScore']);

/** Key order of a default list item (samples/hf/list-models-default…json). */
export const HF_LIST_FIELDS = [
  '_id',
  'id',
  'likes',
  'trendingScore',
  'private',
  'downloads',
  'tags',
  'pipeline_tag',
  'library_name',
  'createdAt',
  'modelId',
];
const HF_FULL_EXTRA = ['author', 'sha', 'lastModified', 'gated', 'disabled', 'siblings'];
/** Key order of a default detail answer (samples/hf/model-info-default…json, plus the transformers-only keys). */
export const HF_DETAIL_FIELDS = [
  '_id',
  'id',
  'private',
  'pipeline_tag',
  'library_name',
  'tags',
  'downloads',
  'likes',
  'modelId',
  'author',
  'sha',
  'lastModified',
  'gated',
  'disabled',
  'widgetData',
  'model-index',
  'config',
  'cardData',
  'transformersInfo',
  'gguf',
  'safetensors',
  'siblings',
  'spaces',
  'createdAt',
  'usedStorage',
];
export const HF_DEFAULT_LIMIT = 1000;
export const HF_MAX_LIMIT = 1000;

const LIB_TAGS: Record<string, string[]> = {
  transformers: ['transformers', 'safetensors'],
  'sentence-transformers': ['sentence-transformers', 'safetensors'],
  diffusers: ['diffusers', 'safetensors'],
  gguf: ['gguf'],
  mlx: ['mlx', 'safetensors'],
  peft: ['peft', 'safetensors'],
  nemo: ['nemo'],
  'transformers.js': ['transformers.js', 'onnx'],
  openvino: ['openvino'],
};
const ARCH: Record<string, string> = {
  qwen3: 'Qwen3ForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  llama: 'LlamaForCausalLM',
  gemma3: 'Gemma3ForConditionalGeneration',
  gemma2: 'Gemma2ForCausalLM',
  mistral: 'MistralForCausalLM',
  phi3: 'Phi3ForCausalLM',
  bert: 'BertModel',
};
const LICENSE_LINKS: Record<string, string> = {
  qwen: 'https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE',
  'tongyi-qianwen': 'https://huggingface.co/Qwen/Qwen1.5-7B/blob/main/LICENSE',
  deepseek: 'https://github.com/deepseek-ai/DeepSeek-Coder/blob/main/LICENSE-MODEL',
  'glm-4': 'https://huggingface.co/THUDM/glm-4-9b/blob/main/LICENSE',
};

export interface HfRenderOptions {
  hostileRate?: number;
}

/** Builds Hub-shaped JSON for model i on a day. */
export class HfRenderer {
  constructor(readonly u: Universe) {}

  library(i: number): string | null {
    const u = this.u;
    if (u.isGguf(i)) return 'gguf';
    if (u.isMlx(i)) return 'mlx';
    if (u.isRedistributor(i)) {
      const name = u.idOf(i);
      if (/-ONNX$/.test(name)) return 'transformers.js';
      if (/-ov$/.test(name)) return 'openvino';
    }
    const fam = u.family(i);
    if (u.relation(i) === 'adapter') return fam?.library === 'diffusers' ? 'diffusers' : 'peft';
    if (!fam) return hash3(u.seed, i, 31) % 5 === 0 ? null : 'transformers';
    return fam.library;
  }

  licenseParts(i: number): { tags: string[]; card: unknown; name?: string; link?: string } {
    const spec = this.u.licenseSpec(i);
    if (spec === 'none') return { tags: [], card: undefined };
    if (spec.startsWith('other:')) {
      const name = spec.slice(6);
      return { tags: ['license:other'], card: 'other', name, link: LICENSE_LINKS[name] ?? 'LICENSE' };
    }
    // A few cards list their licence as a YAML list (hfjs: `license?: License | License[]`).
    const h = hash3(this.u.seed, i, 41) % 100;
    if (h < 3)
      return {
        tags: [`license:${spec}`, 'license:mit'].filter((v, k, a) => a.indexOf(v) === k),
        card: [...new Set([spec, 'mit'])],
      };
    if (h < 6) return { tags: [`license:${spec}`], card: [spec] };
    return { tags: [`license:${spec}`], card: spec };
  }

  tags(i: number, dayN: number, hostile: boolean): string[] {
    const u = this.u;
    const lib = this.library(i);
    const fam = u.family(i);
    const task = u.task(i);
    const out: string[] = [...(lib ? (LIB_TAGS[lib] ?? [lib]) : [])];
    if (fam && lib !== 'gguf') out.push(fam.modelType);
    if (task) out.push(task);
    if ((task === 'text-generation' || task === 'image-text-to-text') && u.relation(i) !== 'base')
      out.push('conversational');
    if (u.isOrgModel(i) && hash3(u.seed, i, 42) % 3 === 0)
      out.push(`arxiv:${2400 + (hash3(u.seed, i, 43) % 200)}.${String(hash3(u.seed, i, 44) % 20000).padStart(5, '0')}`);
    if (u.isHfUser(i) && u.relation(i) === 'finetune' && hash3(u.seed, i, 45) % 4 === 0)
      out.push('dataset:HuggingFaceH4/ultrachat_200k');
    const rel = u.relation(i);
    for (const b of u.baseIds(i, dayN)) out.push(`base_model:${b}`, `base_model:${rel}:${b}`);
    out.push(...this.licenseParts(i).tags);
    if (lib === 'transformers' && task === 'text-generation')
      out.push('autotrain_compatible', 'text-generation-inference');
    if (u.isRedistributor(i)) {
      const id = u.idOf(i);
      if (/AWQ/.test(id)) out.push('4-bit', 'awq');
      if (/GPTQ/.test(id)) out.push('4-bit', 'gptq');
      if (/FP8/.test(id)) out.push('fp8', 'compressed-tensors');
    }
    out.push('endpoints_compatible', 'region:us');
    if (hostile) out.push(hostileFor(u.seed, i, 1).slice(0, 200));
    return out;
  }

  cardData(i: number, dayN: number, hostile: boolean): Record<string, unknown> {
    const u = this.u;
    const card: Record<string, unknown> = {};
    const lic = this.licenseParts(i);
    if (lic.card !== undefined) card.license = lic.card;
    if (lic.name) {
      card.license_name = hostile && hash3(u.seed, i, 46) % 2 === 0 ? hostileFor(u.seed, i, 2) : lic.name;
      card.license_link = lic.link;
    }
    const bases = u.baseIds(i, dayN);
    const h = hash3(u.seed, i, 47);
    if (bases.length) {
      card.base_model = bases.length > 1 || h % 5 < 2 ? bases : bases[0];
      if (h % 10 < 3 || u.relation(i) === 'merge') card.base_model_relation = u.relation(i);
    }
    const lib = this.library(i);
    if (lib && h % 3 === 0) card.library_name = lib;
    const task = u.task(i);
    if (task && h % 4 === 0) card.pipeline_tag = task;
    if (u.isHfUser(i) && u.relation(i) !== 'base')
      card.tags = pick(
        [['trl', 'sft'], ['unsloth', 'trl'], ['mergekit', 'merge'], ['generated_from_trainer']],
        h >>> 8,
      );
    if (u.isRedistributor(i) && !u.hasLineage(i)) card.quantized_by = u.namespaceOf(i);
    if (h % 7 === 0) card.language = ['en', 'zh'];
    if (u.gated(i)) card.extra_gated_prompt = 'You agree to the licence terms before access is granted.';
    if (hostile) {
      card.model_name = hostileFor(u.seed, i, 3);
      card.description = hostileFor(u.seed, i, 4);
    }
    return card;
  }

  siblings(i: number): Array<{ rfilename: string }> {
    const u = this.u;
    const name = splitId(u.idOf(i))[1];
    const lib = this.library(i);
    const files = ['.gitattributes', 'README.md'];
    if (lib === 'gguf') {
      const stem = name.replace(/-(i1-)?GGUF$/i, '');
      files.push(`${stem}-Q4_K_M.gguf`, `${stem}-Q8_0.gguf`);
    } else if (lib === 'peft') files.push('adapter_config.json', 'adapter_model.safetensors');
    else {
      const shards = Math.max(1, Math.min(30, Math.ceil((u.params[i] as number) / 5)));
      files.push('config.json');
      for (let k = 1; k <= Math.min(shards, 8); k++)
        files.push(`model-${String(k).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`);
      files.push('tokenizer.json', 'tokenizer_config.json');
    }
    return files.map((rfilename) => ({ rfilename }));
  }

  /** One field's value, or undefined when the Hub would leave the key out for this model. */
  field(i: number, key: string, dayN: number, hostile: boolean, detail: boolean): unknown {
    const u = this.u;
    switch (key) {
      case '_id':
        return u.objectId(i);
      case 'id':
      case 'modelId':
        return u.idAt(i, dayN);
      case 'author':
        return u.namespaceOf(i);
      case 'private':
        return false;
      case 'disabled':
        return false;
      case 'gated':
        return u.gated(i);
      case 'sha':
        return u.sha(i, dayN);
      case 'createdAt':
        return u.createdIso(i);
      case 'lastModified':
        return isoSeconds(u.lastModifiedSec(i, dayN));
      case 'downloads':
        return u.downloads30d(i, dayN);
      case 'downloadsAllTime':
        return u.downloadsAllTime(i, dayN);
      case 'likes':
        return u.likes(i, dayN);
      case 'trendingScore':
        return u.trendingScore(i, dayN);
      case 'tags':
        return this.tags(i, dayN, hostile);
      case 'pipeline_tag':
        return u.task(i) ?? undefined;
      case 'library_name':
        return this.library(i) ?? undefined;
      case 'cardData':
        return this.cardData(i, dayN, hostile);
      case 'config': {
        const fam = u.family(i);
        const lib = this.library(i);
        if (lib === 'gguf' || !fam) return {};
        return {
          architectures: [ARCH[fam.modelType] ?? 'AutoModel'],
          model_type: fam.modelType,
          tokenizer_config: { bos_token: '<|begin_of_text|>', eos_token: '<|im_end|>', pad_token: null },
        };
      }
      case 'baseModels': {
        const ids = u.baseIds(i, dayN);
        if (!ids.length) return undefined;
        const idx = u.baseIndices(i);
        return {
          relation: u.relation(i),
          models: ids.map((id, k) => (idx[k] !== undefined ? { _id: u.objectId(idx[k]), id } : { id })),
        };
      }
      case 'childrenModelCount':
        return u.childrenCount(i, dayN);
      case 'gguf': {
        if (this.library(i) !== 'gguf') return undefined;
        const total = Math.round((u.params[i] as number) * 1e9);
        return {
          total,
          architecture: u.family(i)?.modelType ?? 'llama',
          context_length: 32768,
          bos_token: '<bos>',
          eos_token: '<eos>',
          totalFileSize: Math.round(total * 1.1),
        };
      }
      case 'safetensors': {
        const lib = this.library(i);
        if (lib === 'gguf' || lib === 'peft' || !(u.params[i]! > 0)) return undefined;
        const total = Math.round((u.params[i] as number) * 1e9);
        return { parameters: { BF16: total }, total };
      }
      case 'transformersInfo': {
        if (this.library(i) !== 'transformers') return undefined;
        const task = u.task(i);
        return {
          auto_model: task === 'text-generation' ? 'AutoModelForCausalLM' : 'AutoModel',
          pipeline_tag: task ?? undefined,
          processor: 'AutoTokenizer',
        };
      }
      case 'siblings':
        return this.siblings(i);
      case 'spaces':
        return u.isOrgModel(i) && (u.weight[i] as number) > 200
          ? [`${pick(['gradio', 'akhaliq', 'hysts'], i)}/${splitId(u.idOf(i))[1]}-demo`]
          : [];
      case 'usedStorage':
        return Math.round((u.params[i] as number) * 2.1e9 * (this.library(i) === 'gguf' ? 1.6 : 1));
      case 'model-index':
        return null;
      case 'widgetData':
        return undefined;
      case 'evalResults':
        return [];
      case 'inference':
        return u.isOrgModel(i) && (u.weight[i] as number) > 500 ? 'warm' : undefined;
      case 'inferenceProviderMapping':
        return detail ? {} : [];
      case 'xetEnabled':
        return (u.created[i] as number) > Date.parse('2025-06-01T00:00:00Z') / 1000;
      case 'mask_token':
      case 'resourceGroup':
        return undefined;
      default:
        return undefined;
    }
  }

  /** The model's object with `keys`; figures (downloads, likes, trendingScore) as of `figuresDay`. */
  object(
    i: number,
    keys: readonly string[],
    dayN: number,
    opts: HfRenderOptions,
    detail: boolean,
    figuresDay = dayN,
  ): Record<string, unknown> {
    const hostile = isHostile(this.u.seed, i, opts.hostileRate);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.field(i, k, figuresDay !== dayN && FIGURE_KEYS.has(k) ? figuresDay : dayN, hostile, detail);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
}

/** Breaks one field the way real list items sometimes arrive broken (research: parse defensively). */
export function malform(obj: Record<string, unknown>, r: number): void {
  const choices: Array<() => void> = [];
  if ('downloads' in obj) choices.push(() => (obj.downloads = null));
  if ('tags' in obj) choices.push(() => (obj.tags = 'x'));
  if ('likes' in obj) choices.push(() => (obj.likes = '12k'));
  if ('createdAt' in obj) choices.push(() => (obj.createdAt = null));
  choices.push(() => delete obj.id);
  choices.push(() => (obj._id = 12345));
  choices[Math.floor(r * choices.length) % choices.length]!();
}

function encodeCursor(key: SortKey, value: number, oid: string): string {
  const v = key === 'createdAt' || key === 'lastModified' ? isoSeconds(Universe.dateFromValue(value)) : value;
  return Buffer.from(JSON.stringify({ $or: [{ [key]: v, _id: { $gt: oid } }, { [key]: { $lt: v } }] })).toString(
    'base64',
  );
}

function decodeCursor(u: Universe, key: SortKey, cursor: string): number | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { $or?: Array<Record<string, unknown>> };
    const first = v.$or?.[0];
    if (!first) return null;
    const raw = first[key];
    const oid = (first._id as { $gt?: unknown } | undefined)?.$gt;
    if (typeof oid !== 'string') return null;
    const i = u.indexFromObjectId(oid);
    if (i === null) return null;
    let value: number;
    if (key === 'createdAt' || key === 'lastModified') {
      if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) return null;
      value = Universe.dateValue(Date.parse(raw) / 1000);
    } else {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return null;
      value = raw;
    }
    return -Universe.pack(value, i);
  } catch {
    return null;
  }
}

type Predicate = (i: number) => boolean;

export class HfApi implements PlatformHooks {
  readonly platform = 'huggingface' as const;
  readonly render: HfRenderer;
  /** List pages served on `pagesDay` (for counterBatchAfterPage). */
  private pagesServed = 0;
  private pagesDay = -1;

  constructor(
    readonly u: Universe,
    readonly dayN: () => number,
  ) {
    this.render = new HfRenderer(u);
  }

  limited(path: string): boolean {
    return path.startsWith('/api/');
  }

  handle(req: RequestInfo, ctx: PlatformContext): Reply {
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'Method not allowed' });
    if (req.path === '/api/models' || req.path === '/api/models/') return this.list(req, ctx);
    const m = /^\/api\/models\/(.+?)(?:\/revision\/([^/]+))?\/?$/.exec(req.path);
    if (m)
      return this.detail(decodeURIComponent(m[1]!), m[2] === undefined ? null : decodeURIComponent(m[2]), req, ctx);
    if (req.path.startsWith('/api/')) return json(404, { error: "Sorry, we can't find the page you are looking for." });
    return {
      status: 404,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!doctype html><title>404</title><h1>404</h1>',
    };
  }

  /** The expand values a route accepts today: the list route refuses the detail-only ones, and any drift adds to that. */
  private allowedExpand(list: boolean, faults: SimFaults): readonly string[] {
    if (!list) return HF_EXPAND;
    const refused = new Set<string>(faults.listExpandPermissive ? [] : HF_DETAIL_ONLY_EXPAND);
    for (const v of faults.hfDrift?.refuseListExpand ?? []) refused.add(v);
    return HF_EXPAND.filter((k) => !refused.has(k));
  }

  private expandKeys(sp: URLSearchParams, allowed: readonly string[]): { keys: string[] | null; bad: string | null } {
    const asked = [...sp.getAll('expand[]'), ...sp.getAll('expand')];
    if (!asked.length) return { keys: null, bad: null };
    const ok = allowed === HF_EXPAND ? EXPAND_SET : new Set(allowed);
    for (const a of asked) if (!ok.has(a)) return { keys: null, bad: a };
    const set = new Set(asked);
    return { keys: ['_id', 'id', ...allowed.filter((k) => set.has(k))], bad: null };
  }

  private badExpand(v: string, allowed: readonly string[]): Reply {
    return json(400, { error: `"expand" must be one of [${allowed.map((x) => `"${x}"`).join(', ')}] (got "${v}")` });
  }

  /** A drifted Hub: a field dropped or served as text. */
  private drift(o: Record<string, unknown>, faults: SimFaults): void {
    const d = faults.hfDrift;
    if (!d) return;
    if (d.dropField) delete o[d.dropField];
    if (d.retypeField && typeof o[d.retypeField] === 'number') o[d.retypeField] = `${String(o[d.retypeField])}`;
  }

  private predicate(sp: URLSearchParams, dayN: number): Predicate | null {
    const preds: Predicate[] = [];
    const u = this.u;
    const author = sp.get('author');
    if (author) {
      const a = author.toLowerCase();
      preds.push((i) => u.namespaceOf(i).toLowerCase() === a);
    }
    const task = sp.get('pipeline_tag');
    if (task) preds.push((i) => u.task(i) === task);
    const gated = sp.get('gated');
    if (gated === 'true' || gated === 'false') preds.push((i) => (u.gated(i) !== false) === (gated === 'true'));
    for (const tag of sp.getAll('filter')) {
      const bm = /^base_model:(?:(finetune|adapter|quantized|merge):)?(.+)$/.exec(tag);
      if (bm) {
        const rel = bm[1];
        const id = bm[2]!;
        preds.push((i) => (!rel || u.relation(i) === rel) && u.baseIds(i, dayN).includes(id));
      } else {
        preds.push((i) => this.render.tags(i, dayN, false).includes(tag));
      }
    }
    const search = sp.get('search');
    if (search) {
      const q = search.toLowerCase();
      preds.push((i) => u.idAt(i, dayN).toLowerCase().includes(q));
    }
    if (!preds.length) return null;
    return (i) => preds.every((p) => p(i));
  }

  private list(req: RequestInfo, ctx: PlatformContext): Reply {
    const sp = req.url.searchParams;
    const dayN = this.dayN();
    const sortRaw = sp.get('sort');
    const key = (sortRaw ?? 'trendingScore') as SortKey;
    if (!SORT_KEYS.includes(key)) return json(400, { error: `Invalid sort parameter "${sortRaw}"` });
    const dir = sp.get('direction');
    if (dir !== null && dir !== '-1')
      return json(400, { error: 'Ascending sort is not supported: direction must be -1' });
    const limRaw = sp.get('limit');
    let limit = HF_DEFAULT_LIMIT;
    if (limRaw !== null) {
      limit = Number(limRaw);
      if (!Number.isInteger(limit) || limit < 1) return json(400, { error: `Invalid limit "${limRaw}"` });
      limit = Math.min(limit, HF_MAX_LIMIT);
    }
    const allowed = this.allowedExpand(true, ctx.faults);
    const { keys: expandKeys, bad } = this.expandKeys(sp, allowed);
    if (bad !== null) return this.badExpand(bad, allowed);
    let keys: string[];
    if (expandKeys) keys = expandKeys;
    else {
      keys = [...HF_LIST_FIELDS];
      if (sp.get('full') === 'true' || sp.get('full') === '1') keys.push(...HF_FULL_EXTRA);
      if (sp.get('config') === 'true') keys.push('config');
      if (sp.get('cardData') === 'true') keys.push('cardData');
    }
    if (dayN !== this.pagesDay) {
      this.pagesDay = dayN;
      this.pagesServed = 0;
    }
    const batchAfter = ctx.faults.counterBatchAfterPage;
    const figuresDay = batchAfter !== undefined && this.pagesServed < batchAfter ? dayN - 1 : dayN;
    this.pagesServed++;
    if (ctx.faults.shortPages && limit > 1) {
      // The Hub's pages are sometimes short (filtered after the page was cut); the cursor still follows the last item.
      limit = Math.max(1, limit - 1 - Math.floor(ctx.seq.next() * Math.ceil(limit / 3)));
    }
    const order = this.u.order(dayN, key, figuresDay);
    let pos = 0;
    const cursor = sp.get('cursor');
    if (cursor !== null) {
      const c = decodeCursor(this.u, key, cursor);
      if (c === null) return json(400, { error: 'Invalid cursor' });
      pos = firstIndexWhere(order.length, (k) => (order[k] as number) > c);
    }
    const pred = this.predicate(sp, dayN);
    const picked: number[] = [];
    let lastPos = -1;
    for (; pos < order.length && picked.length < limit; pos++) {
      const i = Universe.unpackIndex(order[pos] as number);
      if (pred && !pred(i)) continue;
      picked.push(i);
      lastPos = pos;
    }
    let more = false;
    if (picked.length === limit) {
      for (let p = lastPos + 1; p < order.length; p++) {
        if (!pred || pred(Universe.unpackIndex(order[p] as number))) {
          more = true;
          break;
        }
      }
    }
    const items = picked.map((i) => {
      const o = this.render.object(i, keys, dayN, ctx.faults, false, figuresDay);
      if (ctx.chance(ctx.faults.malformedRate)) malform(o, ctx.seq.next());
      this.drift(o, ctx.faults);
      return o;
    });
    const headers: Record<string, string> = {};
    const linkForm = ctx.faults.hfDrift?.linkForm;
    if (more && linkForm !== 'absent') {
      const last = picked[picked.length - 1]!;
      // The cursor carries the value from the sorted order, so it stays a true keyset position.
      const value = Math.floor(-(order[lastPos] as number) / 2 ** 23);
      const next = new URLSearchParams();
      for (const [k, v] of sp) if (k !== 'cursor' && k !== 'skip') next.append(k, v);
      if (!sp.has('sort')) next.append('sort', key);
      if (linkForm === 'offset') next.append('skip', String(Number(sp.get('skip') ?? 0) + picked.length));
      else next.append('cursor', encodeCursor(key, value, this.u.objectId(last)));
      const host = req.headers.host ?? '127.0.0.1';
      headers.link =
        linkForm === 'relative'
          ? `</api/models?${next.toString()}>; rel="next"`
          : `<http://${host}/api/models?${next.toString()}>; rel="next"`;
    }
    return json(200, items, headers);
  }

  private detail(id: string, rev: string | null, req: RequestInfo, ctx: PlatformContext): Reply {
    const dayN = this.dayN();
    const i = this.u.lookup(id, dayN);
    if (i === null) {
      // A renamed repo's old id redirects to the new one (research/hf.md §7). Which 3xx the Hub uses is not in the
      // evidence; hubwatch's client follows any redirect and compares the id it lands on, so the choice is harmless.
      const moved = this.u.renamedTo(id, dayN);
      if (moved !== null) {
        const rest = rev === null ? '' : `/revision/${encodeURIComponent(rev)}`;
        return { status: 307, headers: { location: `/api/models/${moved}${rest}${req.url.search}` }, body: '' };
      }
      // Missing, private, or deleted: 401 to an anonymous request, not 404 (hfh utils/_http.py; research/hf.md §1.2).
      const status = ctx.faults.hfDrift?.missingRepoStatus ?? 401;
      return json(
        status,
        { error: 'Repository Not Found' },
        { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository Not Found' },
      );
    }
    if (rev !== null && rev !== 'HEAD' && rev !== 'main' && rev !== this.u.sha(i, dayN)) {
      return json(
        404,
        { error: `Invalid rev id: ${rev}` },
        { 'x-error-code': 'RevisionNotFound', 'x-error-message': `Invalid rev id: ${rev}` },
      );
    }
    const { keys: expandKeys, bad } = this.expandKeys(req.url.searchParams, HF_EXPAND);
    if (bad !== null) return this.badExpand(bad, HF_EXPAND);
    const o = this.render.object(i, expandKeys ?? HF_DETAIL_FIELDS, dayN, ctx.faults, true);
    if (ctx.chance(ctx.faults.malformedRate)) malform(o, ctx.seq.next());
    this.drift(o, ctx.faults);
    return json(200, o);
  }

  rateLimited(rate: RateState): Reply {
    return json(
      429,
      {
        error: `You have exceeded our rate limit for "api" requests (${rate.quota} per ${rate.windowSec}s). Retry in ${rate.resetSec}s or log in for a higher limit.`,
      },
      { 'retry-after': String(rate.resetSec) },
    );
  }

  serverError(status: number, n: number): Reply {
    if (n === 0) {
      return {
        status,
        headers: { 'content-type': 'text/html' },
        body: `<html>\r\n<head><title>${status} ${status === 503 ? 'Service Temporarily Unavailable' : 'Bad Gateway'}</title></head>\r\n<body>\r\n<center><h1>${status} ${status === 503 ? 'Service Temporarily Unavailable' : 'Bad Gateway'}</h1></center>\r\n</body>\r\n</html>\r\n`,
      };
    }
    return json(status, { error: status === 503 ? 'Service Unavailable' : 'Bad Gateway' });
  }

  decorate(reply: Reply, rate: RateState | null, req: RequestInfo, ctx: PlatformContext): void {
    if (!req.path.startsWith('/api/')) return;
    const h = reply.headers ?? (reply.headers = {});
    if (rate && !ctx.faults.hfDrift?.noRateLimitHeaders) {
      h.ratelimit = `"api";r=${rate.remaining};t=${rate.resetSec}`;
      h['ratelimit-policy'] = `"fixed window";"api";q=${rate.quota};w=${rate.windowSec}`;
    }
    h['access-control-expose-headers'] =
      'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash';
    if (reply.status === 200) {
      // Encoded once here, for the tag and for the socket: a list page is about a megabyte.
      if (typeof reply.body === 'string') reply.body = Buffer.from(reply.body);
      h.etag = weakEtag(reply.body);
    }
  }
}
