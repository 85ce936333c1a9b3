// The ModelScope source: the website's own JSON API over undici `request` (through the shared HttpClient: pacing,
// retries, 429 with Retry-After, counters). Listing is `PUT /api/v1/dolphin/models` with a 1-based `PageNumber`.
// The new-release poll reads `SortBy: GmtModified` (newest LastUpdatedTime first) with the page number as its
// cursor; the daily sweep is a plan of such listings, partitioned when one cannot reach its TotalCount, with a JSON
// cursor and a report of what it can show (sweep.ts; docs/method.md, "ModelScope"). One model is
// `GET /api/v1/models/{owner}/{name}`. Every answer is an envelope
// `{Code, Data, Message, RequestId, Success}`: `Success: false` is a PermanentHttpError that carries the
// platform's message as it is (模型不存在 = the model does not exist), except "busy, try again later"
// (系统繁忙，请稍后再试, a 5xx-like Code), which is retried like a 5xx.
import { InputError, PermanentHttpError, TransientHttpError } from '../../errors.js';
import { capString } from '../../model.js';
import { sightItem } from '../../normalise/record.js';
import type { QuarantineItem } from '../../store/types.js';
import {
  BadBodyError,
  createHttpClient,
  parseJsonBody,
  type HeaderBag,
  type HttpClient,
  type SourceOptions,
} from '../http.js';
import { describeIssues, toQuarantine } from '../validate.js';
import type { ListOptions, Source, SourcePage } from '../types.js';
import {
  MsEnvelopeSchema,
  MsListDataSchema,
  checkMsModel,
  epochToIso,
  type ModelScopeInput,
  type MsEnvelope,
} from './schema.js';
import { modelscopeProfile, normaliseModelScope } from './record.js';
import { MsSweepPlan, type Crit, type Facets } from './sweep.js';

export type MsSort = 'GmtModified' | 'DownloadsCount';

export interface ModelScopeSource extends Source<ModelScopeInput> {
  readonly platform: 'modelscope';
  readonly http: HttpClient;
  /** One model by id (`owner/name`, optionally `@revision`); PermanentHttpError with the platform's message. */
  fetchModel(id: string, opts?: { signal?: AbortSignal }): Promise<ModelScopeInput>;
}

export type ModelScopeSourceOptions = SourceOptions;

/** HTTP statuses whose body is still read as an envelope (the platform says why in `Message`). */
const ENVELOPE_STATUSES = [400, 401, 403, 404, 410, 422] as const;

const BUSY_MESSAGE = /繁忙|稍后再试|请重试|超时|busy|try again|timeout|temporarily/i;

/** A refusal that says "later": a 5xx-like business code (500…599, 50000…59999) or a busy message. */
function isBusy(e: MsEnvelope): boolean {
  const code = Number(e.Code);
  return (code >= 500 && code < 600) || (code >= 50000 && code < 60000) || BUSY_MESSAGE.test(e.Message ?? '');
}

/** Reads an envelope; `Success: false` (or a 4xx) raises PermanentHttpError with the platform's own message. */
export function readEnvelope(text: string, status: number, where: string): MsEnvelope {
  let body: unknown;
  try {
    body = parseJsonBody(text);
  } catch (err) {
    if (status >= 400) throw new PermanentHttpError(`modelscope answered HTTP ${status} for ${where}`, status);
    throw err;
  }
  const env = MsEnvelopeSchema.safeParse(body);
  if (!env.success) {
    if (status >= 400) throw new PermanentHttpError(`modelscope answered HTTP ${status} for ${where}`, status);
    throw new BadBodyError(`not a ModelScope envelope: ${describeIssues(env.error)}`);
  }
  const e = env.data;
  const codeOk = e.Code === undefined || e.Code === null || Number(e.Code) === 200;
  if (!e.Success || !codeOk || status >= 400) {
    // "System busy, try again later" (系统繁忙，请稍后再试, Code 50000) is the one refusal that retrying fixes.
    if (status < 400 && isBusy(e)) {
      throw new TransientHttpError(
        `modelscope is busy for ${where}: ${e.Message ?? ''} (Code ${e.Code ?? '?'})`,
        status,
      );
    }
    const code = e.Code === undefined || e.Code === null ? '' : ` (Code ${e.Code})`;
    throw new PermanentHttpError(
      `modelscope refused ${where}: ${e.Message || 'no message'}${code}${e.RequestId ? ` [RequestId ${e.RequestId}]` : ''}`,
      status >= 400 ? status : typeof e.Code === 'number' ? e.Code : null,
    );
  }
  return e;
}

/** Splits `owner/name@revision` (the form BaseModel ids take) into its parts. */
export function splitModelId(id: string): { owner: string; name: string; revision: string | null } {
  const at = id.indexOf('@');
  const bare = at >= 0 ? id.slice(0, at) : id;
  const revision = at >= 0 ? id.slice(at + 1) || null : null;
  const slash = bare.indexOf('/');
  if (slash <= 0 || slash === bare.length - 1 || bare.indexOf('/', slash + 1) >= 0) {
    throw new InputError(`modelscope: a model id is owner/name, got ${JSON.stringify(capString(id, 200))}`);
  }
  return { owner: bare.slice(0, slash), name: bare.slice(slash + 1), revision };
}

export function createModelScopeSource(opts: ModelScopeSourceOptions): ModelScopeSource {
  const { config } = opts;
  const platform = 'modelscope' as const;
  const log = opts.logger.child({ source: platform });
  const http = createHttpClient(
    modelscopeProfile,
    { config, logger: log, rateLimitMode: opts.rateLimitMode },
    opts.http ?? {},
  );
  const base = config.urls.modelscope;
  const pageSize = config.file.sources.modelscope.pageSize;
  const now = opts.now ?? (() => new Date());
  const listUrl = `${base}/api/v1/dolphin/models`;
  const sweepSettings = { pageSize, ...config.file.sources.modelscope.sweep };

  const quarantineItem = (raw: unknown, reason: string, ref: string): QuarantineItem =>
    toQuarantine(platform, 'item', raw, `invalid item: ${reason}`, ref, now());

  function parseList(text: string, res: { status: number; headers: HeaderBag }, where: string) {
    const env = readEnvelope(text, res.status, where);
    const data = MsListDataSchema.safeParse(env.Data);
    if (!data.success) throw new BadBodyError(`list envelope without Data.Model.Models: ${describeIssues(data.error)}`);
    return { ...data.data.Model, facets: readFacets(data.data.FiledAgg) };
  }

  /** One dolphin page: `Criterion` entries in the shape the MCP server sends (`contains`, one value each). */
  async function fetchPage(
    sortBy: MsSort,
    criteria: readonly Crit[],
    pageNumber: number,
    signal: AbortSignal | undefined,
  ) {
    const filter = criteria.map(([c, v]) => `&${c}=${encodeURIComponent(v)}`).join('');
    const ref = `${listUrl}#SortBy=${sortBy}&PageSize=${pageSize}&PageNumber=${pageNumber}${filter}`;
    const body = JSON.stringify({
      Name: '',
      PageNumber: pageNumber,
      PageSize: pageSize,
      SortBy: sortBy,
      Target: '',
      Criterion: criteria.map(([category, value]) => ({
        category,
        predicate: 'contains',
        values: [value],
        sub_values: [],
      })),
      SingleCriterion: [],
    });
    const res = await http.send(listUrl, {
      method: 'PUT',
      body,
      signal,
      what: 'page',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      passStatuses: ENVELOPE_STATUSES,
      parse: (text, r) => parseList(text, r, `page ${pageNumber}${filter ? ` (${filter.slice(1)})` : ''}`),
    });
    const { Models: raw, TotalCount: total, facets } = res.body;
    const items: ModelScopeInput[] = [];
    const quarantine: QuarantineItem[] = [];
    for (let i = 0; i < raw.length; i++) {
      const r = checkMsModel(raw[i]);
      if (r.ok) items.push(r.item);
      else quarantine.push(quarantineItem(raw[i], `#${i}: ${r.reason}`, ref));
    }
    if (quarantine.length > 0) {
      log.warn({ ref, quarantined: quarantine.length, first: quarantine[0]!.reason }, 'items quarantined');
    }
    http.counters.pages++;
    return { items, quarantine, listed: raw.length, total: typeof total === 'number' ? total : null, facets, ref };
  }

  async function* list(sortBy: MsSort, o: ListOptions = {}): AsyncGenerator<SourcePage<ModelScopeInput>> {
    const signal = o.signal;
    let pageNumber = 1;
    if (o.cursor) {
      if (!/^[1-9]\d{0,6}$/.test(o.cursor)) {
        throw new InputError(`modelscope: a cursor is a page number, got ${JSON.stringify(capString(o.cursor, 100))}`);
      }
      pageNumber = Number(o.cursor);
    }
    for (;;) {
      const { items, quarantine, listed, total, ref } = await fetchPage(sortBy, [], pageNumber, signal);
      // A poll stops at its watermark long before any depth limit; a short page or TotalCount ends it otherwise.
      const short = listed < pageSize;
      const exhausted = total !== null && pageNumber * pageSize >= total;
      const next = short || exhausted ? null : String(pageNumber + 1);
      log.debug({ ref, items: items.length, total, next }, 'page');
      yield { items, quarantine, next, url: ref };
      if (next === null) return;
      signal?.throwIfAborted();
      pageNumber++;
    }
  }

  /** The last sweep's plan: what `sweepReport` reads after the walk's last page. */
  let lastPlan: MsSweepPlan | null = null;

  async function* sweep(o: ListOptions = {}): AsyncGenerator<SourcePage<ModelScopeInput>> {
    const signal = o.signal;
    let plan: MsSweepPlan;
    try {
      plan = new MsSweepPlan(sweepSettings, o.cursor ?? null);
    } catch {
      throw new InputError(`modelscope: not a sweep cursor: ${JSON.stringify(capString(o.cursor ?? '', 100))}`);
    }
    lastPlan = plan;
    for (let req = plan.next(); req !== null; req = plan.next()) {
      const page = await fetchPage('GmtModified', req.criteria, req.pageNumber, signal);
      plan.take(page);
      const next = plan.cursor();
      log.debug({ ref: page.ref, items: page.items.length, total: page.total, close: req.close }, 'sweep page');
      yield { items: page.items, quarantine: page.quarantine, next, url: page.ref };
      if (next === null) return;
      signal?.throwIfAborted();
    }
  }

  async function fetchModel(id: string, o: { signal?: AbortSignal } = {}): Promise<ModelScopeInput> {
    const { owner, name, revision } = splitModelId(id);
    const url =
      `${base}/api/v1/models/${encodeURIComponent(owner)}/${encodeURIComponent(name)}` +
      (revision ? `?Revision=${encodeURIComponent(revision)}` : '');
    const res = await http.send(url, {
      signal: o.signal,
      what: 'model',
      headers: { accept: 'application/json' },
      passStatuses: ENVELOPE_STATUSES,
      parse: (text, r) => readEnvelope(text, r.status, `model ${id}`),
    });
    const m = checkMsModel(res.body.Data);
    if (!m.ok) throw new PermanentHttpError(`modelscope: invalid model payload for ${id}: ${m.reason}`, 200);
    return m.item;
  }

  return {
    platform,
    http,
    counters: http.counters,
    // GmtModified order: new uploads and updates first. There is no confirmed creation-time order, so the newest
    // listing already catches models made public late, and there is no separate recently-modified pass.
    listNewest: (o) => list('GmtModified', o),
    sweep,
    sweepReport: (ctx) =>
      lastPlan?.report(ctx) ?? {
        complete: false,
        notes: ['ModelScope: no sweep ran in this process, so none can be shown complete'],
      },
    fetchModel,
    // The poll walks GmtModified and stops on this: the field that order sorts by (sweep.ts says why it is
    // LastUpdatedTime), read as the normaliser reads it (epoch seconds; a naive time is Beijing time).
    orderTime: (item) => epochToIso(item.LastUpdatedTime),
    normalise: (item, ctx) => normaliseModelScope(item, ctx),
    sight: (item, seed, fingerprint) => sightItem(modelscopeProfile, item, seed, fingerprint),
    close: () => http.close(),
  };
}

/** FiledAgg as `{category: [{Count, Value}]}`, keeping only well-formed entries (it is advice for partitioning). */
function readFacets(raw: unknown): Facets | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const out: Facets = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!Array.isArray(v)) continue;
    out[k] = v.filter(
      (e): e is { Count: number; Value: string } =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as { Value?: unknown }).Value === 'string' &&
        Number.isSafeInteger((e as { Count?: unknown }).Count),
    );
  }
  return out;
}
