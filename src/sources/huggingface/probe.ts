// What the Hugging Face source assumes about the Hub, checked against config.urls.huggingface (`hubwatch probe`).
// Seven checks from five requests (six when the list refuses a field and is asked again without it): the anonymous
// budget is 500 per 5 minutes, and an operator may run this beside a sweep.
import { randomBytes } from 'node:crypto';
import type { Answer, PlatformProbe, ProbeContext } from '../../probe/index.js';
import {
  fieldProblems,
  isObject,
  jsonMessage,
  nonEmptyString,
  nonNegativeInteger,
  snippet,
  stringArray,
  type FieldRule,
  type Item,
} from '../../probe/support.js';
import { parseRateLimit, parseRateLimitPolicy } from '../http.js';
import { HF_DETAIL_EXPAND, HF_EXPAND_COST, HF_LIST_EXPAND, ISO_INSTANT, refusedExpandValues } from './schema.js';

/** Small, but a full page is what tells whether a Link should be there. */
const PAGE = 20;
const SCHEMA_FILE = 'src/sources/huggingface/schema.ts';
const DETAIL_ONLY: readonly string[] = HF_DETAIL_EXPAND.filter(
  (v) => !(HF_LIST_EXPAND as readonly string[]).includes(v),
);
const LINK_NEXT = /<([^>]+)>\s*;\s*rel="?next"?/i;

export const huggingfaceProbe: PlatformProbe = {
  checks: [
    { id: 'list-fields', title: "the list route accepts hubwatch's expand[] fields" },
    { id: 'item-types', title: 'list items carry the fields hubwatch reads, with their types' },
    { id: 'list-refuses-detail', title: `the list route still refuses the detail-only ${DETAIL_ONLY.join(', ')}` },
    { id: 'pagination', title: 'pages follow an absolute Link with a base64 JSON keyset cursor' },
    { id: 'rate-limit', title: 'RateLimit and RateLimit-Policy headers are sent' },
    { id: 'detail', title: 'the detail route answers for a listed model with its _id' },
    { id: 'missing-repo', title: 'a repo that does not exist answers 401' },
  ],
  run,
};

interface ListPage {
  answer: Answer;
  /** The URL asked (not the redacted one), to resolve a relative Link against. */
  url: string;
  items: unknown[];
  /** List fields the Hub refused (already reported): their absence from items is not drift again. */
  refused: readonly string[];
}

async function run(ctx: ProbeContext): Promise<void> {
  const first = await firstPage(ctx);
  checkRateLimit(ctx, first.rateHeaders);
  const page = first.page;
  if (page) {
    checkItems(ctx, page);
    await checkPagination(ctx, page);
  } else {
    ctx.notChecked('item-types', first.why, 'list-fields');
    ctx.notChecked('pagination', first.why, 'list-fields');
  }
  await checkDetailOnly(ctx);
  await checkDetail(ctx, page, first.why);
  await checkMissingRepo(ctx);
}

function listUrl(hub: string, fields: readonly string[], limit: number): string {
  const u = new URL(`${hub}/api/models`);
  u.searchParams.set('sort', 'createdAt');
  u.searchParams.set('limit', String(limit));
  for (const f of fields) u.searchParams.append('expand[]', f);
  return u.toString();
}

/** The values of `ours` a 400 answer refuses (schema.ts refusedExpandValues, shared with the sweep). */
function refusedValues(a: Answer, ours: readonly string[]): string[] {
  return refusedExpandValues(jsonMessage(a) ?? a.text, ours);
}

const costOf = (field: string): string => HF_EXPAND_COST[field] ?? 'the model cannot be keyed';

/** list-fields: the first page, asked for with HF_LIST_EXPAND (and again without what a 400 refused). */
async function firstPage(ctx: ProbeContext): Promise<{ page: ListPage | null; why: string; rateHeaders: Answer }> {
  const id = 'list-fields';
  const url = listUrl(ctx.baseUrl, HF_LIST_EXPAND, PAGE);
  const a = await ctx.get(url, 'list page');
  if (a.status !== 200 && a.status !== 400) {
    // Not a judgement on one field: nothing else can be checked either.
    ctx.unreachable(
      `the list route answered HTTP ${a.status}${snippet(a)} (not the Hub's API at this URL, or a proxy, or a bad HF_TOKEN)`,
    );
  }
  if (a.status === 200) {
    if (!Array.isArray(a.json)) {
      ctx.drift(
        id,
        `HTTP 200 but the body is not a JSON array${snippet(a)}`,
        'check that HUBWATCH_HF_URL is the Hub; if it is, the list body changed shape and the HF source must follow',
      );
      return { page: null, why: 'the list body is not an array', rateHeaders: a };
    }
    ctx.ok(id, `HTTP 200, ${a.json.length} items, all ${HF_LIST_EXPAND.length} expand[] values accepted`);
    return { page: { answer: a, url, items: a.json, refused: [] }, why: '', rateHeaders: a };
  }
  const refused = refusedValues(a, HF_LIST_EXPAND);
  if (refused.length === 0) {
    ctx.drift(
      id,
      `HTTP 400 naming none of hubwatch's values${snippet(a)}`,
      `no list request works: read the message and bring HF_LIST_EXPAND (${SCHEMA_FILE}) in line`,
    );
    return { page: null, why: 'the list route refused the request', rateHeaders: a };
  }
  const loses = refused.map((f) => `${f} (${costOf(f)})`).join('; ');
  ctx.drift(
    id,
    `HTTP 400 refuses ${refused.join(', ')}`,
    `the sweep drops the refused field${refused.length > 1 ? 's' : ''} and goes on, losing: ${loses}. Remove ${refused.join(', ')} from HF_LIST_EXPAND (${SCHEMA_FILE}) to save the extra request`,
  );
  const kept = HF_LIST_EXPAND.filter((f) => !refused.includes(f));
  const retryUrl = listUrl(ctx.baseUrl, kept, PAGE);
  const b = await ctx.get(retryUrl, 'list page');
  if (b.status !== 200 || !Array.isArray(b.json)) {
    return {
      page: null,
      why: `the list route answered HTTP ${b.status} even without ${refused.join(', ')}`,
      rateHeaders: a,
    };
  }
  return { page: { answer: b, url: retryUrl, items: b.json, refused }, why: '', rateHeaders: b };
}

const iso = (v: unknown): boolean => typeof v === 'string' && ISO_INSTANT.test(v);

// What HfModelSchema (schema.ts) requires of the fields the records are built from; an item that breaks one is
// quarantined by the sweep. cardData may be null (the Hub leaves it empty); lastModified, when sent, may not.
const RULES: readonly FieldRule[] = [
  { field: '_id', required: true, expect: 'a non-empty string', test: nonEmptyString },
  { field: 'id', required: true, expect: 'a non-empty string', test: nonEmptyString },
  { field: 'createdAt', required: true, expect: 'an ISO-8601 instant', test: iso },
  { field: 'downloads', required: true, expect: 'a non-negative integer', test: nonNegativeInteger },
  { field: 'downloadsAllTime', required: true, expect: 'a non-negative integer', test: nonNegativeInteger },
  { field: 'likes', required: true, expect: 'a non-negative integer', test: nonNegativeInteger },
  { field: 'tags', required: true, expect: 'an array of strings', test: stringArray },
  { field: 'cardData', required: false, expect: 'an object', test: (v) => v === null || isObject(v) },
  { field: 'lastModified', required: false, expect: 'an ISO-8601 instant', test: iso },
];

/** item-types: every rule over every item of the page; drift names the field and how many items broke it. */
function checkItems(ctx: ProbeContext, page: ListPage): void {
  const id = 'item-types';
  const n = page.items.length;
  if (n === 0) {
    ctx.drift(
      id,
      'the first list page is empty',
      'check that HUBWATCH_HF_URL is the Hub (its catalogue is never empty)',
    );
    return;
  }
  const notObjects = page.items.filter((x) => !isObject(x)).length;
  const rules = RULES.filter((r) => !page.refused.includes(r.field));
  // A null is a value here: the schema refuses it where it wants a count or an instant.
  const found = fieldProblems(page.items.filter(isObject), rules, { unit: 'items', of: n, nullIsAbsent: false });
  const problems = [...(notObjects ? [`${notObjects} of ${n} items are not objects`] : []), ...found.problems];
  if (problems.length === 0) {
    ctx.ok(id, `${n} items: ${rules.map((r) => r.field).join(', ')} as expected`);
    return;
  }
  const losses = found.broken.map((r) => `${r.field}: ${costOf(r.field)}`).join('; ');
  ctx.drift(
    id,
    problems.join('; '),
    `the sweep quarantines every such item (HfModelSchema, ${SCHEMA_FILE}), so for those models ${losses}. Update the schema to the Hub's new form`,
  );
}

/** The `rel="next"` target of a Link header as written (it may be relative), or null. */
function nextTarget(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = LINK_NEXT.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

function isKeysetCursor(cursor: string): boolean {
  try {
    return isObject(JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')));
  } catch {
    return false;
  }
}

/** pagination: Link form, cursor form, and what following it gives (no repeats, createdAt still descending). */
async function checkPagination(ctx: ProbeContext, page: ListPage): Promise<void> {
  const id = 'pagination';
  const n = page.items.length;
  const link = page.answer.headers.get('link');
  const target = nextTarget(link);
  if (target === null) {
    if (n < PAGE) ctx.ok(id, `a short first page (${n} of ${PAGE}) without a next Link: the catalogue ends there`);
    else {
      ctx.drift(
        id,
        `no Link rel="next" on a full first page (${n} items)${link ? `; Link: ${link.slice(0, 120)}` : ''}`,
        'hubwatch ends a walk where the Link ends: polls and sweeps would read the first page only. The HF source must learn the new paging (src/sources/huggingface/index.ts)',
      );
    }
    return;
  }
  const problems: string[] = [];
  const actions: string[] = [];
  if (!/^https?:\/\//i.test(target)) {
    problems.push(`the Link is relative (${target.slice(0, 60)}…)`);
    actions.push('harmless today: hubwatch resolves a relative Link against the request URL, so walks go on');
  }
  const next = new URL(target, page.url);
  const cursor = next.searchParams.get('cursor');
  if (cursor === null) {
    problems.push(
      next.searchParams.has('skip')
        ? `offset paging (skip=${next.searchParams.get('skip')}) instead of a cursor`
        : 'no cursor= in the next URL',
    );
    actions.push(
      'offset pages shift while models are added, so a walk repeats some and misses others: hubwatch dedupes repeats by _id but cannot see a miss; the HF source needs a review',
    );
  } else if (!isKeysetCursor(cursor)) {
    problems.push(`the cursor is not base64 JSON (${cursor.slice(0, 40)})`);
    actions.push(
      'hubwatch keeps cursors opaque, so walks go on; but check a sweep for repeats and misses, the keyset guarantee is no longer visible',
    );
  }
  const b = await ctx.get(next.toString(), 'next list page');
  let second = '';
  if (b.status !== 200 || !Array.isArray(b.json)) {
    problems.push(`following it answered HTTP ${b.status}${snippet(b)}`);
    actions.push('walks stop after the first page: polls miss new models and sweeps are incomplete');
  } else {
    const ids = new Set(page.items.filter(isObject).map((x) => x._id));
    const repeats = b.json.filter((x) => isObject(x) && ids.has(x._id)).length;
    if (repeats) {
      problems.push(`page 2 repeats ${repeats} _id(s) of page 1`);
      actions.push(
        'a walk reads those models twice (the store keeps one row each) and may skip others: the paging is not keyset',
      );
    }
    const times = [...page.items, ...b.json]
      .map((x) => (isObject(x) && typeof x.createdAt === 'string' ? Date.parse(x.createdAt) : NaN))
      .filter((t) => !Number.isNaN(t));
    const rises = times.filter((t, i) => i > 0 && t > times[i - 1]!).length;
    if (rises) {
      problems.push(`createdAt rises ${rises} time(s) across the two pages (sort=createdAt should be newest first)`);
      actions.push(
        'the new-release poll stops at its watermark by createdAt and would miss models listed out of order',
      );
    }
    second = `; page 2: HTTP 200, ${b.json.length} items, no repeats, createdAt newest first`;
  }
  if (problems.length === 0) ctx.ok(id, `absolute Link with a base64 JSON keyset cursor${second}`);
  else ctx.drift(id, problems.join('; '), actions.join('; '));
}

/** rate-limit: the headers the pacer spends its budget by (from the first answer: every /api answer has them). */
function checkRateLimit(ctx: ProbeContext, a: Answer): void {
  const id = 'rate-limit';
  const rl = parseRateLimit(a.headers);
  const policy = parseRateLimitPolicy(a.headers);
  const raw = (name: string): string => a.headers.get(name) ?? 'absent';
  const seen =
    `RateLimit ${rl ? `r=${rl.remaining} t=${rl.resetSeconds}` : `unreadable (${raw('ratelimit')})`}; ` +
    `RateLimit-Policy ${policy ? `q=${policy.quota} per w=${policy.windowSeconds} s` : `unreadable (${raw('ratelimit-policy')})`}`;
  if (rl && policy)
    ctx.ok(
      id,
      `${rl.remaining} of ${policy.quota} requests left in this ${policy.windowSeconds} s window, reset in ${rl.resetSeconds} s`,
    );
  else if (!rl) {
    ctx.drift(
      id,
      seen,
      'pacing falls back to 429 handling: long sweeps meet 429s and wait them out. Consider HF_TOKEN for a larger quota',
    );
  } else {
    ctx.drift(
      id,
      seen,
      'pacing still works from RateLimit; only a 429 naming no reset waits a backoff instead of the window',
    );
  }
}

/** list-refuses-detail: the values only the detail route takes, asked for on a list. */
async function checkDetailOnly(ctx: ProbeContext): Promise<void> {
  const id = 'list-refuses-detail';
  const a = await ctx.get(listUrl(ctx.baseUrl, DETAIL_ONLY, 1), 'list page with detail-only fields');
  const asked = DETAIL_ONLY.join(', ');
  if (a.status === 400)
    ctx.ok(id, `HTTP 400 refuses ${refusedValues(a, DETAIL_ONLY).join(', ') || asked} on the list route, as expected`);
  else if (a.status === 200) {
    ctx.drift(
      id,
      `the list route now accepts ${asked} (HTTP 200)`,
      `hubwatch could ask for ${asked} on lists (add to HF_LIST_EXPAND, ${SCHEMA_FILE}) and get the Hub's own lineage for every listed model without detail look-ups`,
    );
  } else
    ctx.drift(
      id,
      `HTTP ${a.status}${snippet(a)}, expected 400`,
      'an answer neither refusing nor accepting: probe again, and read the body',
    );
}

/** detail: the first listed model by id, with HF_DETAIL_EXPAND; the same _id as in the list. */
async function checkDetail(ctx: ProbeContext, page: ListPage | null, why: string): Promise<void> {
  const id = 'detail';
  const item = page?.items.find((x): x is Item => isObject(x) && nonEmptyString(x.id) && nonEmptyString(x._id));
  if (!item) {
    ctx.notChecked(id, why || 'no listed model with an id and an _id', 'list-fields and item-types');
    return;
  }
  const repo = String(item.id);
  const u = new URL(`${ctx.baseUrl}/api/models/${repo.split('/').map(encodeURIComponent).join('/')}`);
  for (const f of HF_DETAIL_EXPAND) u.searchParams.append('expand[]', f);
  const a = await ctx.get(u.toString(), 'model');
  if (a.status === 200 && isObject(a.json) && a.json._id === item._id) {
    ctx.ok(id, `HTTP 200 for ${repo} with the list's _id ${String(item._id)}`);
  } else if (a.status === 200) {
    const got = isObject(a.json) ? JSON.stringify(a.json._id) : 'a body that is not an object';
    ctx.drift(
      id,
      `HTTP 200 for ${repo} but _id ${got} where the list said ${JSON.stringify(item._id)}`,
      'hubwatch keys models by _id on both routes: look-ups would not meet their listed record. The HF source needs a review',
    );
  } else if (a.status === 400) {
    const refused = refusedValues(a, HF_DETAIL_EXPAND);
    ctx.drift(
      id,
      `HTTP 400 for ${repo}${refused.length ? ` refusing ${refused.join(', ')}` : ''}${snippet(a)}`,
      `single-model look-ups fail until HF_DETAIL_EXPAND (${SCHEMA_FILE}) drops ${refused.join(', ') || 'what the message names'}`,
    );
  } else {
    ctx.drift(
      id,
      `HTTP ${a.status} for ${repo}, listed a moment ago${snippet(a)}`,
      'single-model look-ups fail: check HF_TOKEN, and probe again (the model may have gone private in between)',
    );
  }
}

/** missing-repo: an id nobody can have made; the Hub answers 401 (not 404) to an anonymous request for it. */
async function checkMissingRepo(ctx: ProbeContext): Promise<void> {
  const id = 'missing-repo';
  const repo = `hubwatch-probe/absent-${randomBytes(6).toString('hex')}`;
  const a = await ctx.get(`${ctx.baseUrl}/api/models/${repo}`, 'missing model');
  if (a.status === 401) ctx.ok(id, `HTTP 401 for ${repo}, as expected`);
  else if (a.status === 404) {
    ctx.drift(
      id,
      `HTTP 404 for ${repo} (the Hub used to answer 401)`,
      'harmless: hubwatch treats 401 and 404 alike for a missing repo (the look-up fails either way; deletions come from a complete sweep not seeing the model)',
    );
  } else if (a.status === 200) {
    ctx.drift(
      id,
      `HTTP 200 for ${repo}, a repo that cannot exist${snippet(a)}`,
      'check that HUBWATCH_HF_URL is the Hub and not a catch-all proxy: hubwatch would take such an answer for a model',
    );
  } else
    ctx.drift(
      id,
      `HTTP ${a.status} for ${repo}${snippet(a)}, expected 401`,
      'a look-up of a missing model now meets this status: read the body, and check that HUBWATCH_HF_URL is the Hub',
    );
}
