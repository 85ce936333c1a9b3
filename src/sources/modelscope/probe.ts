// What the ModelScope source assumes about modelscope.cn, checked against config.urls.modelscope (`hubwatch probe`).
// Seven checks from seven to nine requests: the first dolphin page (envelope, TotalCount, field types, order), its
// last page (the reachable depth, one or two more when it is empty), one narrow page per partition category (does
// TotalCount change?) and one detail answer. No quota is published for these endpoints (research note §A8).
//
// The dolphin search is a PUT: those few go through ctx.request (the same client, pacing, token and one retry as its
// GETs).
import type { Config } from '../../config.js';
import type { Answer, PlatformProbe, ProbeContext } from '../../probe/index.js';
import {
  fieldProblems,
  isObject,
  nonEmptyString,
  nonNegativeInteger,
  snippet as answerSnippet,
  stringArray,
  type FieldRule,
  type Item,
} from '../../probe/support.js';
import { MS_NAIVE_OFFSET } from './schema.js';
import { isoInstant } from '../../normalise/text.js';
import type { MsCategory } from './sweep.js';

const SCHEMA_FILE = 'src/sources/modelscope/schema.ts';
/** What the third-party crawl read dolphin to (note §E), and the OpenAPI's refusal threshold (note §A7). */
const KNOWN_DEPTHS = [9000, 3000];

export const modelscopeProbe: PlatformProbe = {
  checks: [
    { id: 'envelope', title: 'PUT /api/v1/dolphin/models answers {Code:200, Success:true, Data.Model.Models[]}' },
    { id: 'total-count', title: 'every dolphin answer carries Data.Model.TotalCount' },
    {
      id: 'item-types',
      title: 'list records carry the fields hubwatch reads, with their types (times in epoch seconds)',
    },
    { id: 'order', title: 'SortBy GmtModified lists newest LastUpdatedTime first' },
    {
      id: 'depth',
      title:
        "a listing reaches its TotalCount (the last page is served), or the sweep's depthLimit says where it stops",
    },
    { id: 'criteria', title: 'the Criterion categories the sweep partitions by are honoured (TotalCount changes)' },
    { id: 'detail', title: 'GET /api/v1/models/{owner}/{name} answers for a listed model' },
  ],
  run,
};

interface Page {
  answer: Answer;
  models: unknown[] | null;
  total: number | null;
}

function settings(config: Config): { pageSize: number; partitionBy: readonly MsCategory[]; depthLimit: number | null } {
  const ms = config.file.sources.modelscope;
  return { pageSize: ms.pageSize, partitionBy: ms.sweep.partitionBy, depthLimit: ms.sweep.depthLimit };
}

/** The search body for one listing page, newest LastUpdatedTime first, within `criterion` (none: the whole catalogue). */
function listing(page: number, size: number, criterion: readonly Item[] = []): Item {
  return { PageNumber: page, PageSize: size, SortBy: 'GmtModified', Criterion: criterion };
}

async function run(ctx: ProbeContext): Promise<void> {
  const { pageSize, partitionBy, depthLimit } = settings(ctx.config);
  const listUrl = `${ctx.baseUrl}/api/v1/dolphin/models`;
  const put = async (body: Item, what: string): Promise<Page> => {
    const answer = await ctx.request(listUrl, what, {
      method: 'PUT',
      json: { Name: '', Target: '', SingleCriterion: [], ...body },
    });
    const model =
      isObject(answer.json) && isObject(answer.json.Data) && isObject(answer.json.Data.Model)
        ? answer.json.Data.Model
        : null;
    const models = model && Array.isArray(model.Models) ? model.Models : null;
    const total = model && Number.isSafeInteger(model.TotalCount) ? (model.TotalCount as number) : null;
    return { answer, models, total };
  };
  const first = await put(listing(1, pageSize), 'list page');
  const ok = checkEnvelope(ctx, first);
  const items = (first.models ?? []).filter(isObject);
  if (!ok) {
    for (const id of ['total-count', 'item-types', 'order', 'depth', 'criteria'])
      ctx.notChecked(id, 'the first page is not a dolphin envelope', 'envelope');
  } else {
    checkTotal(ctx, first);
    checkItems(ctx, items);
    checkOrder(ctx, items);
    if (first.total === null) {
      ctx.notChecked('depth', 'no TotalCount', 'total-count');
      ctx.notChecked('criteria', 'no TotalCount to compare with', 'total-count');
    } else {
      await checkDepth(ctx, first.total, pageSize, depthLimit, put);
      await checkCriteria(ctx, first.total, items, partitionBy, put);
    }
  }
  await checkDetail(ctx, items);
}

const snippet = (a: Answer): string => answerSnippet(a, ['Message', 'message']);

/** envelope: the PascalCase envelope the SDK itself checks (`Code == 200 and Success`, note §A3). */
function checkEnvelope(ctx: ProbeContext, p: Page): boolean {
  const id = 'envelope';
  const a = p.answer;
  const j = a.json;
  if (a.status === 404 || a.status === 405) {
    ctx.drift(
      id,
      `HTTP ${a.status} for PUT /api/v1/dolphin/models${snippet(a)}`,
      'the site search moved: polls and sweeps fail until the ModelScope source follows it (src/sources/modelscope/index.ts; the OpenAPI listing cannot enumerate past 3,000 models)',
    );
    return false;
  }
  if (a.status !== 200 && !(a.status >= 400 && a.status < 500 && isObject(j))) {
    return ctx.unreachable(
      `the dolphin search answered HTTP ${a.status}${snippet(a)} (not ModelScope's API at this URL, or a proxy, or a bad MODELSCOPE_TOKEN)`,
    );
  }
  if (isObject(j) && 'success' in j && !('Success' in j)) {
    ctx.drift(
      id,
      `HTTP ${a.status} in a snake_case envelope (success, data, message) instead of Code/Success/Data`,
      `every ModelScope page now fails as "not a ModelScope envelope": MsEnvelopeSchema and MsListDataSchema (${SCHEMA_FILE}) must learn the new form`,
    );
    return false;
  }
  if (!isObject(j) || typeof j.Success !== 'boolean') {
    ctx.drift(
      id,
      `HTTP ${a.status}, a body that is not the {Code, Data, Message, RequestId, Success} envelope${snippet(a)}`,
      `check that HUBWATCH_MODELSCOPE_URL is ModelScope; if it is, the envelope changed and ${SCHEMA_FILE} must follow`,
    );
    return false;
  }
  if (!j.Success || Number(j.Code ?? 200) !== 200) {
    ctx.drift(
      id,
      `Success ${String(j.Success)}, Code ${String(j.Code)}${snippet(a)}`,
      'the search refuses the body hubwatch sends (PageSize, SortBy, Criterion): read the message; polls and sweeps fail until the body is fixed in src/sources/modelscope/index.ts',
    );
    return false;
  }
  if (p.models === null) {
    ctx.drift(
      id,
      'Success, but no Data.Model.Models array',
      `pages fail as "list envelope without Data.Model.Models": MsListDataSchema (${SCHEMA_FILE}) must follow the new shape`,
    );
    return false;
  }
  ctx.ok(id, `HTTP 200, Code 200, Success, ${p.models.length} models on the first page`);
  return true;
}

function checkTotal(ctx: ProbeContext, p: Page): void {
  const id = 'total-count';
  const model = (p.answer.json as { Data: { Model: Item } }).Data.Model;
  if (p.total === null) {
    const seen =
      'TotalCount' in model
        ? `TotalCount is ${JSON.stringify(model.TotalCount)?.slice(0, 40)}`
        : 'no TotalCount in Data.Model';
    ctx.drift(
      id,
      seen,
      'no sweep can show that it saw every model: each day is reported incomplete and nobody is marked missing or deleted on ModelScope; polls are unaffected',
    );
    return;
  }
  if (p.total < (p.models?.length ?? 0)) {
    ctx.drift(
      id,
      `TotalCount ${p.total} is below the ${p.models!.length} models of the page`,
      'TotalCount no longer counts the listing: sweeps judge completeness by it, so they may call a partial walk complete. Treat ModelScope figures with care and review the source',
    );
    return;
  }
  ctx.ok(id, `TotalCount ${p.total}`);
}

const epochSeconds = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v < 1e11;

// What MsModelSchema (schema.ts) needs of the fields records are built from; an item that breaks a required one is
// quarantined by polls and sweeps. Times are checked for the evidenced form (integer epoch seconds).
const RULES: readonly FieldRule[] = [
  { field: 'Path', required: true, expect: 'a non-empty string', test: nonEmptyString },
  { field: 'Name', required: true, expect: 'a non-empty string', test: nonEmptyString },
  { field: 'Downloads', required: true, expect: 'a non-negative integer', test: nonNegativeInteger },
  { field: 'Stars', required: false, expect: 'a non-negative integer', test: nonNegativeInteger },
  { field: 'CreatedTime', required: true, expect: 'epoch seconds (an integer)', test: epochSeconds },
  { field: 'LastUpdatedTime', required: true, expect: 'epoch seconds (an integer)', test: epochSeconds },
  { field: 'License', required: false, expect: 'a string', test: (v) => typeof v === 'string' },
  {
    field: 'Tasks',
    required: false,
    expect: 'an array of {Name}',
    test: (v) =>
      Array.isArray(v) &&
      v.every(
        (t) => t === null || (isObject(t) && (t.Name === undefined || t.Name === null || typeof t.Name === 'string')),
      ),
  },
  { field: 'Libraries', required: false, expect: 'an array of strings', test: stringArray },
  { field: 'Tags', required: false, expect: 'an array of strings', test: stringArray },
  { field: 'BaseModel', required: false, expect: 'an array of ModelScope ids', test: stringArray },
];

const COST: Record<string, string> = {
  Path: 'the model cannot be keyed (quarantined)',
  Name: 'the model cannot be keyed (quarantined)',
  Downloads: 'the model is quarantined (downloads are promised)',
  Stars: 'likes are unreadable',
  CreatedTime: 'release dates',
  LastUpdatedTime: 'the poll watermark and the sweep order',
  License: 'licence shares',
  Tasks: 'the llm scope and the tasks partition',
  Libraries: 'the libraries partition and the library field',
  Tags: 'tag-based licence and lineage hints',
  BaseModel: 'lineage (derivatives by origin)',
};

/** item-types: every rule over every record of the first page; drift names the field, how many, and what it costs. */
function checkItems(ctx: ProbeContext, items: Item[]): void {
  const id = 'item-types';
  if (items.length === 0) {
    ctx.drift(
      id,
      'the first page lists no models',
      'check that HUBWATCH_MODELSCOPE_URL is ModelScope (its catalogue is never empty)',
    );
    return;
  }
  const n = items.length;
  let naive = false;
  const { problems, broken } = fieldProblems(items, RULES, {
    unit: 'items',
    nullIsAbsent: true,
    // A time as text is what the source falls back to reading; say where it would land.
    explain: (field, value) => {
      const placed = typeof value === 'string' ? isoInstant(value, MS_NAIVE_OFFSET) : null;
      if (placed && (field === 'CreatedTime' || field === 'LastUpdatedTime')) naive = true;
      return placed ? `read as ${placed}` : null;
    },
  });
  if (problems.length === 0) {
    ctx.ok(id, `${n} items: ${RULES.map((r) => r.field).join(', ')} as expected`);
    return;
  }
  const losses = broken.map((r) => `${r.field}: ${COST[r.field]}`).join('; ');
  const timeNote = naive
    ? ' Times without a zone are read as Beijing time (UTC+8): check a few against the site before trusting release dates.'
    : '';
  ctx.drift(
    id,
    problems.join('; '),
    `affected: ${losses}. Bring MsModelSchema (${SCHEMA_FILE}) in line with the new form.${timeNote}`,
  );
}

/** order: the poll stops, and the sweep keeps its keyset, by LastUpdatedTime under SortBy GmtModified. */
function checkOrder(ctx: ProbeContext, items: Item[]): void {
  const id = 'order';
  const times = items
    .map((x) => {
      const v = x.LastUpdatedTime;
      if (typeof v === 'number') return v < 1e11 ? v : v / 1000;
      const iso = isoInstant(v, MS_NAIVE_OFFSET);
      return iso === null ? NaN : Date.parse(iso) / 1000;
    })
    .filter((t) => !Number.isNaN(t));
  if (times.length < 2) {
    ctx.notChecked(id, `${times.length} readable LastUpdatedTime values on the first page`, 'item-types');
    return;
  }
  const rises = times.filter((t, i) => i > 0 && t > times[i - 1]!).length;
  if (rises === 0) {
    ctx.ok(
      id,
      `${times.length} items newest first, ${new Date(times[0]! * 1000).toISOString()} down to ${new Date(times.at(-1)! * 1000).toISOString()}`,
    );
    return;
  }
  ctx.drift(
    id,
    `LastUpdatedTime rises ${rises} time(s) within the first page under SortBy GmtModified`,
    'the new-release poll stops at its watermark by LastUpdatedTime and would stop early and miss models; sweeps note the models out of order and cannot rely on the closing pass. Find the field GmtModified sorts by and make orderTime read it (src/sources/modelscope/index.ts, sweep.ts)',
  );
}

type Put = (body: Item, what: string) => Promise<Page>;

/** depth: the listing's last page, asked for directly; empty means the site serves fewer models than it counts. */
async function checkDepth(
  ctx: ProbeContext,
  T: number,
  pageSize: number,
  configured: number | null,
  put: Put,
): Promise<void> {
  const id = 'depth';
  if (T <= pageSize) {
    ctx.ok(id, `the whole catalogue (${T}) fits on the first page`);
    return;
  }
  const lastPage = Math.ceil(T / pageSize);
  const last = await put(listing(lastPage, pageSize), 'last list page');
  const n = last.models?.length ?? 0;
  if (n > 0) {
    if (configured !== null && configured < T) {
      ctx.drift(
        id,
        `the last page (offset ${(lastPage - 1) * pageSize} of TotalCount ${T}) serves ${n} models, but sources.modelscope.sweep.depthLimit is ${configured}`,
        'the sweep partitions a catalogue it could read in one listing: set depthLimit to null (fewer requests, same figures)',
      );
    } else
      ctx.ok(
        id,
        `the last page (offset ${(lastPage - 1) * pageSize} of TotalCount ${T}) serves ${n} models: one listing reaches the end`,
      );
    return;
  }
  // Empty: bracket the limit with two more requests, at the depths the evidence names when they fall inside, else
  // halfway. A page that comes back short names the limit exactly.
  let below = 0;
  let above = (lastPage - 1) * pageSize;
  let exact = false;
  const known = [...KNOWN_DEPTHS];
  for (let asked = 0; asked < 2 && !exact && above - below > pageSize; asked++) {
    const k = known.findIndex((d) => d > below + pageSize && d < above);
    const target = k >= 0 ? known.splice(k, 1)[0]! : Math.floor((below + above) / 2);
    const page = Math.max(1, Math.floor(target / pageSize)); // the page ending at offset `target`
    const r = await put(listing(page, pageSize), 'deep list page');
    const got = r.models?.length ?? 0;
    const offset = (page - 1) * pageSize;
    if (got > 0) below = Math.max(below, offset + got);
    else above = Math.min(above, offset);
    if (got > 0 && got < pageSize) {
      above = below;
      exact = true;
    }
  }
  const where = exact ? `at ${below}` : below > 0 ? `between ${below} and ${above}` : `at or below ${above}`;
  const seen = `the last page (offset ${(lastPage - 1) * pageSize} of TotalCount ${T}) is empty: one listing stops ${where} models`;
  if (configured !== null && configured <= above && (below === 0 || configured >= below)) {
    ctx.ok(
      id,
      `${seen}; sources.modelscope.sweep.depthLimit ${configured} agrees, the sweep partitions from the start`,
    );
    return;
  }
  ctx.drift(
    id,
    seen,
    `the sweep partitions the catalogue (sources.modelscope.sweep.partitionBy) until every listing is within reach, and reports the day incomplete with the numbers where it cannot; set sources.modelscope.sweep.depthLimit to ${below > 0 ? below : above} so that it does not find the limit again every day`,
  );
}

/** A value of a category on the first page that not every item shares (so that a honoured filter must narrow). */
function sampleValue(items: Item[], c: MsCategory): string | null {
  const values = (x: Item): string[] => {
    const out: unknown[] =
      c === 'tasks'
        ? Array.isArray(x.Tasks)
          ? x.Tasks.map((t) => (isObject(t) ? t.Name : null))
          : []
        : c === 'organizations'
          ? [x.Path, isObject(x.Organization) ? x.Organization.Name : null]
          : c === 'libraries'
            ? Array.isArray(x.Libraries)
              ? x.Libraries
              : []
            : c === 'tags'
              ? Array.isArray(x.Tags)
                ? x.Tags
                : []
              : [x.License];
    return out.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  };
  const freq = new Map<string, number>();
  for (const x of items) for (const v of new Set(values(x))) freq.set(v, (freq.get(v) ?? 0) + 1);
  const ranked = [...freq].sort((a, b) => b[1] - a[1]);
  return (ranked.find(([, k]) => k < items.length) ?? ranked[0])?.[0] ?? null;
}

/** criteria: one narrow page per category; honoured when its TotalCount is above 0 and below the unfiltered one. */
async function checkCriteria(
  ctx: ProbeContext,
  T: number,
  items: Item[],
  cats: readonly MsCategory[],
  put: Put,
): Promise<void> {
  const id = 'criteria';
  const honoured: string[] = [];
  const ignored: string[] = [];
  const empty: string[] = [];
  for (const c of cats) {
    const v = sampleValue(items, c);
    if (v === null) {
      empty.push(`${c} (no value on the first page to try)`);
      continue;
    }
    const r = await put(
      listing(1, 1, [{ category: c, predicate: 'contains', values: [v], sub_values: [] }]),
      `list page filtered by ${c}`,
    );
    if (r.total === null) empty.push(`${c}=${v} (no TotalCount)`);
    else if (r.total >= T) ignored.push(`${c}=${v} (TotalCount ${r.total} of ${T})`);
    else if (r.total === 0) empty.push(`${c}=${v} (TotalCount 0 for a value a listed model shows)`);
    else honoured.push(`${c}=${v}: ${r.total} of ${T}`);
  }
  if (ignored.length === 0 && empty.length === 0) {
    ctx.ok(id, honoured.join('; '));
    return;
  }
  const seen = [
    ...ignored.map((x) => `ignored: ${x}`),
    ...empty.map((x) => `not usable: ${x}`),
    ...honoured.map((x) => `honoured: ${x}`),
  ].join('; ');
  ctx.drift(
    id,
    seen,
    'the sweep trusts a partition only by its own TotalCount, so an ignored category costs requests, not figures: it is detected and the next category is used. Remove it from sources.modelscope.sweep.partitionBy; if every category is ignored, a catalogue beyond the depth limit can no longer be read whole',
  );
}

/** detail: the first listed model by id on the detail route, in the same envelope. */
async function checkDetail(ctx: ProbeContext, items: Item[]): Promise<void> {
  const id = 'detail';
  const item = items.find((x) => nonEmptyString(x.Path) && nonEmptyString(x.Name));
  if (!item) {
    ctx.notChecked(id, 'no listed model with Path and Name', 'envelope and item-types');
    return;
  }
  const repo = `${String(item.Path)}/${String(item.Name)}`;
  const a = await ctx.get(
    `${ctx.baseUrl}/api/v1/models/${encodeURIComponent(String(item.Path))}/${encodeURIComponent(String(item.Name))}`,
    'model',
  );
  const j = a.json;
  const data = isObject(j) && isObject(j.Data) ? j.Data : null;
  if (
    a.status === 200 &&
    isObject(j) &&
    j.Success === true &&
    data &&
    data.Path === item.Path &&
    data.Name === item.Name
  ) {
    ctx.ok(id, `HTTP 200, Success, the record of ${repo}`);
    return;
  }
  const what = isObject(j) && typeof j.Message === 'string' ? ` (${j.Message})` : snippet(a);
  ctx.drift(
    id,
    `HTTP ${a.status}${isObject(j) ? `, Success ${String(j.Success)}` : ''} for ${repo}, listed a moment ago${what}`,
    'single-model look-ups (fetchModel) fail; the daily cycle does not use them (deletions on ModelScope are confirmed by two complete sweeps), but check MODELSCOPE_TOKEN and probe again',
  );
}
