// ModelScope's site search API (`PUT /api/v1/dolphin/models`) and model detail (`GET /api/v1/models/{owner}/{name}`)
// with the real PascalCase envelope and the real 96-key record (cloned from a captured response, see
// modelscope-template.ts), plus the SDK's documented listing `GET /openapi/v1/models` (snake_case). Paging is by
// page number with `TotalCount`; a short or empty page ends a listing. Unknown models answer HTTP 200 with
// `Success:false`: the ModelScope SDK reads the envelope (`Code == 200 and Success`) and raises NotExistError from
// `Message`, which is what the research notes describe.
//
// What the evidence shows, and the simulator therefore does (research/modelscope-wisemodel.md §A2, §A7, §E):
// - `SortBy` is one of Default, DownloadsCount, StarsCount, GmtModified (the MCP server's typed literal); anything
//   else is refused. GmtModified orders by the record's `LastUpdatedTime`, newest first: the MCP server offers it
//   for "most recent models" and maps `LastUpdatedTime` to its `updated_at` [official, an inference from naming].
// - `Criterion` categories honoured: `tasks` [official], `organizations`, `tags`, `libraries` [third party]. Any
//   other category (and `license`, a facet key never shown to be a criterion) is ignored without an error, as a
//   third party reports for guessed shapes: a client must check a filtered listing by its own TotalCount.
// - Depth: no cap is documented for dolphin; `depthLimit` switches the silent form on (short, then empty pages with
//   `Success` and the full `TotalCount`). The OpenAPI listing refuses `page_number * page_size > 3000` and
//   `page_size > 50` (the SDK checks both before sending and calls it the server's offset limit; the form of the
//   server's own refusal is not recorded, so it is an HTTP 400 envelope here [inferred]).
import { randomUUID } from 'node:crypto';
import { hostileFor, isHostile } from './hostile.js';
import {
  html,
  json,
  type PlatformContext,
  type PlatformHooks,
  type RateState,
  type Reply,
  type RequestInfo,
} from './http.js';
import { MS_RECORD_TEMPLATE } from './modelscope-template.js';
import { hash3, pick } from './rng.js';
import type { MsCatalogue } from './modelscope-catalogue.js';
import { Universe } from './universe.js';

export const MS_SORTS = ['Default', 'DownloadsCount', 'StarsCount', 'GmtModified'] as const;
type MsSort = (typeof MS_SORTS)[number];
export const MS_MAX_PAGE_SIZE = 100;
/** The OpenAPI listing's limits, as the SDK enforces them (modelscope_hub _openapi.py, cli/repo.py; note §A7). */
export const OPENAPI_MAX_PAGE_SIZE = 50;
export const OPENAPI_MAX_OFFSET = 3000;
const TEMPLATE_JSON = JSON.stringify(MS_RECORD_TEMPLATE);
const SHIFT = 2 ** 23;

const TASK_CN: Record<string, [string, string]> = {
  'text-generation': ['文本生成', 'nlp'],
  'sentence-embedding': ['文本向量', 'nlp'],
  'text-to-image-synthesis': ['文本生成图片', 'multi-modal'],
  'auto-speech-recognition': ['语音识别', 'audio'],
  'image-text-to-text': ['图文生成文本', 'multi-modal'],
  'text-to-speech': ['语音合成', 'audio'],
  'text-to-video-synthesis': ['文本生成视频', 'multi-modal'],
};

/** Criterion categories the site is known to honour; every other category is ignored silently. */
export const MS_HONOURED_CRITERIA = ['tasks', 'organizations', 'tags', 'libraries'] as const;

/** The ways the real site may drift from what hubwatch expects (SimFaults.msDrift, for `hubwatch probe`'s tests). */
export interface MsDrift {
  /** Dolphin answers leave out `Data.Model.TotalCount`. */
  noTotalCount?: boolean;
  /** More criterion categories ignored silently (e.g. `tasks`): the listing is the unfiltered one. */
  ignoreCriteria?: string[];
  /** `SortBy: GmtModified` no longer orders by LastUpdatedTime (served in the Default order). */
  unsortedModified?: boolean;
  /** A record field left out of every list item and detail answer. */
  dropField?: string;
  /** A field served in another type: counts as "2.0k", times as naive Beijing date-times ("2025-10-16 10:50:23"). */
  retypeField?: string;
  /** The detail route answers 模型不存在 for every model, listed or not. */
  detailGone?: boolean;
  /** Dolphin answers in the OpenAPI's snake_case envelope `{success, data: {models, total_count}, message}`. */
  snakeEnvelope?: boolean;
}

interface Criterion {
  category: string;
  values: string[];
}

interface Query {
  pageSize: number;
  pageNumber: number;
  sortBy: MsSort;
  criteria: Criterion[];
  name: string;
  target: string;
}

/** Epoch seconds as the naive "YYYY-MM-DD HH:mm:ss" a Chinese site prints in Beijing time (UTC+8). */
function beijingNaive(sec: number): string {
  return new Date(sec * 1000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function envelope(data: unknown, code = 200, message = 'success', success = true): Record<string, unknown> {
  return { Code: code, Data: data, Message: message, RequestId: randomUUID(), Success: success };
}

export class MsApi implements PlatformHooks {
  readonly platform = 'modelscope' as const;
  private readonly orders = new Map<string, Int32Array>();
  private readonly aggs = new Map<string, Record<string, Array<{ Count: number; Value: string }>>>();
  /** Dolphin list pages served on `pagesDay` (for msMoveAfterPage). */
  private pagesServed = 0;
  private pagesDay = -1;

  constructor(
    readonly u: Universe,
    readonly dayN: () => number,
  ) {}

  private get ms(): MsCatalogue {
    return this.u.ms;
  }

  handle(req: RequestInfo, ctx: PlatformContext): Reply {
    if (ctx.chance(ctx.faults.businessErrorRate))
      return json(200, envelope(null, 50000, '系统繁忙，请稍后再试', false));
    if (req.path === '/api/v1/dolphin/models') {
      if (req.method !== 'PUT') return json(405, envelope(null, 405, 'method not allowed', false));
      return this.search(req, ctx);
    }
    const m = /^\/api\/v1\/models\/([^/]+)\/([^/]+)\/?$/.exec(req.path);
    if (m && req.method === 'GET') return this.detail(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`, ctx);
    if (req.path === '/openapi/v1/models' || req.path === '/openapi/v1/models/') {
      if (req.method !== 'GET') return json(405, { success: false, message: 'method not allowed', data: null });
      return this.openapiList(req, ctx);
    }
    const o = /^\/openapi\/v1\/models\/([^/]+)\/([^/]+)\/?$/.exec(req.path);
    if (o && req.method === 'GET')
      return this.openapiDetail(`${decodeURIComponent(o[1]!)}/${decodeURIComponent(o[2]!)}`, ctx);
    return json(404, envelope(null, 404, 'not found', false));
  }

  /**
   * The day whose catalogue answers now: the previous day's until msMoveAfterPage list pages of the day have been
   * served (`listPage` counts this answer as one), the day's from then on.
   */
  private stateDay(ctx: PlatformContext, listPage: boolean): number {
    const dayN = this.dayN();
    if (dayN !== this.pagesDay) {
      this.pagesDay = dayN;
      this.pagesServed = 0;
    }
    const after = ctx.faults.msMoveAfterPage;
    const day = after !== undefined && this.pagesServed < after ? dayN - 1 : dayN;
    if (listPage) this.pagesServed++;
    return day;
  }

  private parse(body: string): Query | string {
    let v: unknown;
    try {
      v = JSON.parse(body || 'null');
    } catch {
      return 'request body is not valid JSON';
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return 'request body must be a JSON object';
    const o = v as Record<string, unknown>;
    const pageSize = o.PageSize ?? 10;
    const pageNumber = o.PageNumber ?? 1;
    if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1)
      return 'PageSize must be a positive integer';
    if (pageSize > MS_MAX_PAGE_SIZE) return `PageSize must not exceed ${MS_MAX_PAGE_SIZE}`;
    if (typeof pageNumber !== 'number' || !Number.isInteger(pageNumber) || pageNumber < 1)
      return 'PageNumber must be a positive integer';
    const sortBy = (o.SortBy ?? 'Default') as MsSort;
    if (!MS_SORTS.includes(sortBy)) return `SortBy must be one of ${MS_SORTS.join(', ')}`;
    const criteria: Criterion[] = [];
    if (o.Criterion !== undefined && o.Criterion !== null) {
      if (!Array.isArray(o.Criterion)) return 'Criterion must be an array';
      for (const c of o.Criterion as unknown[]) {
        const cc = c as Record<string, unknown> | null;
        if (!cc || typeof cc.category !== 'string' || !Array.isArray(cc.values))
          return 'each Criterion needs category and values';
        criteria.push({ category: cc.category, values: (cc.values as unknown[]).map(String) });
      }
    }
    return {
      pageSize,
      pageNumber,
      sortBy,
      criteria,
      name: typeof o.Name === 'string' ? o.Name : '',
      target: typeof o.Target === 'string' ? o.Target : '',
    };
  }

  private sortValue(k: number, sort: MsSort, dayN: number): number {
    const ms = this.ms;
    switch (sort) {
      case 'DownloadsCount':
        return ms.downloads(k, dayN);
      case 'StarsCount':
        return ms.stars(k, dayN);
      case 'GmtModified':
        return ms.lastUpdated(k, dayN) - 1_600_000_000;
      default:
        // "Default" is the site's own relevance; approximated by stars, then downloads.
        return ms.stars(k, dayN) * 1000 + Math.min(999, Math.floor(Math.log2(1 + ms.downloads(k, dayN)) * 30));
    }
  }

  private order(dayN: number, sort: MsSort): Int32Array {
    const key = `${dayN}:${sort}`;
    const hit = this.orders.get(key);
    if (hit) return hit;
    const ms = this.ms;
    const packed: number[] = [];
    for (let k = 0; k < ms.size; k++)
      if (ms.visible(k, dayN)) packed.push(-(this.sortValue(k, sort, dayN) * SHIFT + (SHIFT - 1 - k)));
    const arr = Float64Array.from(packed).sort();
    const out = new Int32Array(arr.length);
    for (let j = 0; j < arr.length; j++) out[j] = SHIFT - 1 - (-(arr[j] as number) % SHIFT);
    if (this.orders.size > 8) this.orders.clear();
    this.orders.set(key, out);
    return out;
  }

  tags(k: number): string[] {
    const ms = this.ms;
    const out: string[] = [];
    if (ms.kind[k] === 3) {
      if (ms.rel[k] === 2) out.push('LoRA', 'lora');
      out.push(pick(['text-generation', 'qwen', 'finetune', 'sft'], hash3(this.u.seed, k, 77)));
    } else {
      out.push('transformers', 'safetensors');
      const bases = ms.baseIds(k);
      const rel = ms.relationName(k);
      for (const b of bases) out.push(`base_model:${b}`, `base_model:${rel}:${b}`);
    }
    if (ms.licenseOf(k)) out.push(`license:${ms.licenseOf(k).toLowerCase().replace(/ /g, '-')}`);
    return out;
  }

  private libraries(k: number): string[] {
    const ms = this.ms;
    if (ms.rel[k] === 2) return ['pytorch', 'lora', 'safetensors'];
    if (ms.rel[k] === 3) return ['gguf'];
    return ms.taskOf(k) === 'text-to-image-synthesis'
      ? ['pytorch', 'diffusers', 'safetensors']
      : ['pytorch', 'transformers', 'safetensors'];
  }

  private matches(
    k: number,
    q: Pick<Query, 'criteria' | 'name'> & { openapi?: boolean },
    ignored: readonly string[] = [],
  ): boolean {
    const ms = this.ms;
    for (const c of q.criteria) {
      const vals = c.values.map((v) => v.toLowerCase());
      if (!vals.length || ignored.includes(c.category)) continue;
      let have: string[];
      switch (c.category) {
        case 'organizations':
          have = [ms.orgOf(k).toLowerCase(), ms.pathOf(k).toLowerCase()];
          break;
        case 'tasks':
          have = [ms.taskOf(k)];
          break;
        case 'tags':
          have = this.tags(k).map((t) => t.toLowerCase());
          break;
        case 'libraries':
          have = this.libraries(k);
          break;
        case 'license':
          // OpenAPI's `filter.license` only: on dolphin `license` is a facet key, never shown to be a criterion.
          if (!q.openapi) continue;
          have = [ms.licenseOf(k).toLowerCase()];
          break;
        default:
          // Unknown categories are silently ignored, as third-party probing reports.
          continue;
      }
      if (!vals.some((v) => have.includes(v))) return false;
    }
    if (q.name) {
      const n = q.name.toLowerCase();
      if (!ms.nameOf(k).toLowerCase().includes(n) && !this.chineseName(k).toLowerCase().includes(n)) return false;
    }
    return true;
  }

  private chineseName(k: number): string {
    const ms = this.ms;
    if (ms.kind[k] === 0 && hash3(this.u.seed, k, 78) % 3 === 0)
      return `${ms.nameOf(k)} ${pick(['对话模型', '基础模型', '多模态模型'], k)}`;
    if (ms.kind[k] === 3 && ms.rel[k] === 2) return `${ms.nameOf(k)} 风格LoRA`;
    return '';
  }

  record(k: number, dayN: number, faults: { hostileRate?: number }, detail: boolean): Record<string, unknown> {
    const ms = this.ms;
    const u = this.u;
    const r = JSON.parse(TEMPLATE_JSON) as Record<string, any>;
    const id = ms.idOf(k);
    const created = ms.created[k] as number;
    const isOrg = ms.kind[k] !== 3 && ms.kind[k] !== 4;
    const aigc = ms.rel[k] === 2 && ms.taskOf(k) === 'text-to-image-synthesis';
    const hostile = isHostile(u.seed, k + 5_000_000, faults.hostileRate);
    const src = ms.src[k] as number;
    r.AigcAttributes = aigc ? r.AigcAttributes : '';
    r.AigcType = aigc ? 'LoRA' : '';
    r.ApprovalMode = isOrg ? 1 : 0;
    r.BackendSupport = { ...r.BackendSupport, model_id: id };
    r.BaseModel = ms.baseIds(k);
    r.BaseModelRelation = ms.relationName(k);
    r.ChineseName = hostile ? hostileFor(u.seed, k, 5) : this.chineseName(k);
    r.CreatedBy = ms.createdByOf(k);
    r.CreatedTime = created;
    r.Description = hostile ? hostileFor(u.seed, k, 6) : '';
    r.Downloads = ms.downloads(k, dayN);
    r.Frameworks = ['pytorch'];
    r.FromSite = isOrg ? '' : 'maas';
    r.Id = 100_000 + k;
    r.IsCertification = isOrg ? 1 : 4;
    r.IsNewModel = dayN * 86_400 - created < 7 * 86_400;
    r.IsTop = 0;
    r.Language = src >= 0 ? ['en', 'zh'] : [];
    r.LastUpdatedTime = ms.lastUpdated(k, dayN);
    r.Libraries = this.libraries(k);
    r.License = ms.licenseOf(k);
    const params = src >= 0 ? Math.round((u.params[src] as number) * 1e9) : 235_929_600;
    r.ModelInfos = {
      safetensor: {
        chat_template: '',
        files: [
          {
            name: 'model.safetensors',
            sha256: (hash3(u.seed, k, 79) >>> 0).toString(16).padStart(8, '0').repeat(8),
            size: params * 2,
          },
        ],
        model_size: params,
        tensor_type: ['BF16'],
      },
    };
    r.ModelSource = isOrg ? '' : 'USER_UPLOAD';
    r.ModelType = src >= 0 && u.family(src) ? [u.family(src)!.modelType] : [];
    if (aigc) {
      const muse = r.MuseInfo as Record<string, any>;
      muse.model = {
        ...muse.model,
        modelName: id,
        operatorName: ms.pathOf(k),
        showName: r.ChineseName || ms.nameOf(k),
        gmtCreate: created * 1000,
        gmtModified: (r.LastUpdatedTime as number) * 1000,
        downloadedCount: Math.floor((r.Downloads as number) / 6),
      };
    } else r.MuseInfo = null;
    r.Name = ms.nameOf(k);
    r.NickName = ms.createdByOf(k);
    r.OfficialTags = aigc ? r.OfficialTags : [];
    const org = r.Organization as Record<string, any>;
    if (isOrg) {
      Object.assign(org, {
        CreatedBy: ms.createdByOf(k),
        Description: '',
        FullName: ms.orgOf(k),
        GithubAddress: '',
        GmtCreated: '2023-03-01T08:00:00Z',
        GmtModified: '2025-09-01T08:00:00Z',
        Id: 1000 + (hash3(u.seed, ms.orgOf(k).length, 80) % 9000),
        Name: ms.orgOf(k),
      });
    } else {
      Object.assign(org, {
        Avatar: '',
        CreatedBy: '',
        Description: '',
        FullName: '',
        GithubAddress: '',
        GmtCreated: '',
        GmtModified: '',
        Id: 0,
        Name: '',
        Type: 0,
      });
    }
    r.Path = ms.pathOf(k);
    r.ReadMeContent = detail ? `# ${ms.nameOf(k)}\n\n${hostile ? hostileFor(u.seed, k, 7) : 'Model card.'}\n` : '';
    r.Stars = ms.stars(k, dayN);
    r.SupportInference = aigc ? 'txt2img' : '';
    r.Tags = this.tags(k);
    const task = ms.taskOf(k);
    const [cn, domain] = TASK_CN[task] ?? ['', ''];
    const taskTemplate = (r.Tasks as Array<Record<string, unknown>>)[0]!;
    r.Tasks = task ? [{ ...taskTemplate, ChineseName: cn, DomainName: domain, Name: task, WidgetConfig: '' }] : [];
    r.TriggerWords = aigc ? r.TriggerWords : [];
    r.VisionFoundation = aigc ? r.VisionFoundation : '';
    return r;
  }

  /** SimFaults.msDrift's field switches, on one record. */
  private drift(r: Record<string, unknown>, d: MsDrift | undefined): void {
    if (!d) return;
    if (d.dropField) delete r[d.dropField];
    const f = d.retypeField;
    if (f && f in r) {
      const v = r[f];
      if (f === 'CreatedTime' || f === 'LastUpdatedTime') r[f] = beijingNaive(Number(v));
      else if (typeof v === 'number') r[f] = `${(v / 1000).toFixed(1)}k`;
      else r[f] = JSON.stringify(v);
    }
  }

  private malform(r: Record<string, unknown>, x: number): void {
    const c = Math.floor(x * 6);
    if (c === 0) r.Downloads = null;
    else if (c === 1) delete r.Path;
    else if (c === 2) r.Tasks = null;
    else if (c === 3) r.CreatedTime = String(r.CreatedTime);
    else if (c === 4) r.Name = null;
    else r.BaseModel = 'Qwen/Qwen3-8B';
  }

  private facets(
    dayN: number,
    q: Pick<Query, 'criteria' | 'name'>,
    matched: Int32Array | number[],
  ): Record<string, Array<{ Count: number; Value: string }>> {
    const key = `${dayN}:${JSON.stringify(q.criteria)}:${q.name}`;
    const hit = this.aggs.get(key);
    if (hit) return hit;
    const count = (values: Iterable<string>, m: Map<string, number>): void => {
      for (const v of values) if (v) m.set(v, (m.get(v) ?? 0) + 1);
    };
    const lic = new Map<string, number>();
    const libs = new Map<string, number>();
    const tags = new Map<string, number>();
    const lang = new Map<string, number>();
    const mt = new Map<string, number>();
    for (const k of matched) {
      count([this.ms.licenseOf(k).toLowerCase()], lic);
      count(this.libraries(k), libs);
      count(this.tags(k).slice(0, 3), tags);
      if ((this.ms.src[k] as number) >= 0) {
        count(['en', 'zh'], lang);
        const f = this.u.family(this.ms.src[k] as number);
        if (f) count([f.modelType], mt);
      }
    }
    const top = (m: Map<string, number>): Array<{ Count: number; Value: string }> =>
      [...m]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 40)
        .map(([Value, Count]) => ({ Count, Value }));
    const out = {
      language: top(lang),
      libraries: top(libs),
      license: top(lic),
      model_type: top(mt),
      nexa_catalog: [],
      tags: top(tags),
    };
    if (this.aggs.size > 32) this.aggs.clear();
    this.aggs.set(key, out);
    return out;
  }

  private search(req: RequestInfo, ctx: PlatformContext): Reply {
    const q = this.parse(req.body);
    if (typeof q === 'string') return json(400, envelope(null, 400, q, false));
    const drift = ctx.faults.msDrift;
    const dayN = this.stateDay(ctx, true);
    const sort = drift?.unsortedModified && q.sortBy === 'GmtModified' ? 'Default' : q.sortBy;
    const order = this.order(dayN, sort);
    const ignored = drift?.ignoreCriteria ?? [];
    const filtered = q.criteria.length || q.name ? Array.from(order).filter((k) => this.matches(k, q, ignored)) : order;
    const start = (q.pageNumber - 1) * q.pageSize;
    // The depth limit: nothing at or past it, in the silent form (a 200 with Success and the full TotalCount).
    const end = Math.min(start + q.pageSize, ctx.faults.depthLimit ?? Infinity);
    const page = start < end ? Array.from(filtered.slice(start, end)) : [];
    const models = page.map((k) => {
      const r = this.record(k, dayN, ctx.faults, false);
      this.drift(r, drift);
      if (ctx.chance(ctx.faults.malformedRate)) this.malform(r, ctx.seq.next());
      return r;
    });
    if (drift?.snakeEnvelope) {
      return json(200, {
        success: true,
        data: { models, ...(drift.noTotalCount ? {} : { total_count: filtered.length }) },
        message: '',
      });
    }
    const queryFacets = { criteria: q.criteria.filter((c) => !ignored.includes(c.category)), name: q.name };
    return json(
      200,
      envelope({
        FiledAgg: this.facets(dayN, queryFacets, filtered),
        Model: { Models: models, ...(drift?.noTotalCount ? {} : { TotalCount: filtered.length }) },
        Source: '',
        Target: q.target,
      }),
    );
  }

  private detail(id: string, ctx: PlatformContext): Reply {
    const dayN = this.stateDay(ctx, false);
    const k = ctx.faults.msDrift?.detailGone ? null : this.ms.lookup(id, dayN);
    if (k === null) return json(200, envelope(null, 10010205, '模型不存在', false));
    const r = this.record(k, dayN, ctx.faults, true);
    this.drift(r, ctx.faults.msDrift);
    if (ctx.chance(ctx.faults.malformedRate)) this.malform(r, ctx.seq.next());
    return json(200, envelope(r));
  }

  /** One model as the SDK's OpenAPI types read it (modelscope_hub types.py): snake_case, ISO-8601 `Z` times. */
  private openapiItem(k: number, dayN: number): Record<string, unknown> {
    const ms = this.ms;
    const src = ms.src[k] as number;
    const params = src >= 0 ? Math.round((this.u.params[src] as number) * 1e9) : 235_929_600;
    const task = ms.taskOf(k);
    return {
      id: ms.idOf(k),
      display_name: this.chineseName(k) || ms.nameOf(k),
      description: '',
      downloads: ms.downloads(k, dayN),
      likes: ms.stars(k, dayN),
      created_at: new Date((ms.created[k] as number) * 1000).toISOString().replace('.000Z', 'Z'),
      last_modified: new Date(ms.lastUpdated(k, dayN) * 1000).toISOString().replace('.000Z', 'Z'),
      license: ms.licenseOf(k),
      tags: this.tags(k),
      tasks: task ? [task] : [],
      file_size: params * 2,
      private: false,
      gated: false,
      login_required: false,
    };
  }

  /**
   * `GET /openapi/v1/models` (modelscope_hub _openapi.py list_models): `search, owner, sort, page_number,
   * page_size, filter.{task,library,model_type,custom_tag,license,deploy}`. Its `sort` values for models are not
   * documented (the dataset twin's are default, downloads, likes, last_modified [official]); those four are taken and
   * any other is refused [inferred]. `model_type` and `deploy` filters are accepted and not applied.
   */
  private openapiList(req: RequestInfo, ctx: PlatformContext): Reply {
    const sp = req.url.searchParams;
    const bad = (message: string): Reply => json(400, { success: false, message, data: null });
    const int = (name: string, dflt: number): number | null => {
      const v = sp.get(name);
      if (v === null || v === '') return dflt;
      return /^\d{1,9}$/.test(v) ? Number(v) : null;
    };
    const pageNumber = int('page_number', 1);
    const pageSize = int('page_size', 10);
    if (pageNumber === null || pageNumber < 1) return bad('page_number must be a positive integer');
    if (pageSize === null || pageSize < 1) return bad('page_size must be a positive integer');
    if (pageSize > OPENAPI_MAX_PAGE_SIZE)
      return bad(`page_size must be <= ${OPENAPI_MAX_PAGE_SIZE} (got ${pageSize}).`);
    if (pageNumber * pageSize > OPENAPI_MAX_OFFSET) {
      return bad(`page_number * page_size must be <= ${OPENAPI_MAX_OFFSET} (got ${pageNumber * pageSize}).`);
    }
    const sorts: Record<string, MsSort> = {
      default: 'Default',
      downloads: 'DownloadsCount',
      likes: 'StarsCount',
      last_modified: 'GmtModified',
    };
    const sortName = sp.get('sort') || 'default';
    const sort = sorts[sortName];
    if (!sort) return bad(`sort must be one of ${Object.keys(sorts).join(', ')}`);
    const criteria: Array<Criterion> = [];
    const filterOf: Record<string, string> = {
      'filter.task': 'tasks',
      'filter.library': 'libraries',
      'filter.custom_tag': 'tags',
      'filter.license': 'license',
    };
    for (const [param, category] of Object.entries(filterOf)) {
      const v = sp.get(param);
      if (v) criteria.push({ category, values: v.split(',') });
    }
    const owner = sp.get('owner');
    if (owner) criteria.push({ category: 'organizations', values: [owner] });
    const dayN = this.stateDay(ctx, false);
    const order = this.order(dayN, sort);
    const q = { criteria, name: sp.get('search') ?? '', openapi: true };
    const filtered =
      criteria.length || q.name ? Array.from(order).filter((k) => this.matches(k, q)) : Array.from(order);
    const start = (pageNumber - 1) * pageSize;
    const models = filtered.slice(start, start + pageSize).map((k) => this.openapiItem(k, dayN));
    return json(200, {
      success: true,
      data: { models, total_count: filtered.length, page_number: pageNumber, page_size: pageSize },
      message: '',
    });
  }

  private openapiDetail(id: string, ctx: PlatformContext): Reply {
    const dayN = this.stateDay(ctx, false);
    const k = this.ms.lookup(id, dayN);
    if (k === null) return json(404, { success: false, message: `model ${id} not found`, data: null });
    return json(200, { success: true, data: this.openapiItem(k, dayN), message: '' });
  }

  rateLimited(rate: RateState): Reply {
    return json(429, envelope(null, 429, '请求过于频繁，请稍后再试', false), { 'retry-after': String(rate.resetSec) });
  }

  serverError(status: number, n: number): Reply {
    if (n === 0)
      return html(
        status,
        `<html><head><title>${status}</title></head><body><center><h1>${status} ${status === 503 ? 'Service Temporarily Unavailable' : 'Bad Gateway'}</h1></center><hr><center>Tengine</center></body></html>`,
      );
    return json(status, envelope(null, status, 'Internal Server Error', false));
  }
}
