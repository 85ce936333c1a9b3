// zod schemas of the Hub's own payloads (GET /api/models list items and GET /api/models/{id} with the same
// expand[] field set), nothing else. Validation is per item: a bad item is quarantined and the page goes on.
//
// What is promised: the Hub always returns `_id`, `id`, and every field asked for with expand[] that it has for
// every repo (`createdAt`, `downloads`, `downloadsAllTime`, `likes`, `tags`); a null or a wrong type there is a bad
// item. Fields the Hub leaves out when unset (`pipeline_tag`, `library_name`, `cardData`, `safetensors`, `gguf`,
// `baseModels`, `author`) may be absent or null, but must have the right type when present.
import { z } from 'zod';
import { describeIssues } from '../validate.js';

// The shape the normaliser (./record.ts) accepts: what this file's schema yields after validation at the edge. It is
// structural and loose on purpose (every field optional where the platform may omit it) so that the normaliser
// stays total: it never throws on any input, it falls back and says so.

/** A Hugging Face model as the list or detail endpoint returns it (raw JSON, not @huggingface/hub's ModelEntry). */
export interface HfModelInput {
  _id?: string | null;
  id: string;
  author?: string | null;
  createdAt?: string | null;
  lastModified?: string | null;
  downloads?: number | null;
  downloadsAllTime?: number | null;
  likes?: number | null;
  tags?: string[] | null;
  pipeline_tag?: string | null;
  library_name?: string | null;
  private?: boolean | null;
  gated?: boolean | string | null;
  cardData?: Record<string, unknown> | null;
  safetensors?: { total?: number | null } | null;
  gguf?: { total?: number | null } | null;
  baseModels?: unknown;
}

/**
 * The fields a list page asks for with `expand[]`. Only list-allowed values: the list route answers HTTP 400 for
 * `baseModels`, `childrenModelCount` and `usedStorage` (huggingface_hub PR #3182; research/hf.md §0.2). Lineage on a
 * list comes from `tags` (`base_model:<relation>:<id>`) and `cardData.base_model`, which lists return.
 */
export const HF_LIST_EXPAND = [
  'author',
  'createdAt',
  'lastModified',
  'downloads',
  'downloadsAllTime',
  'likes',
  'tags',
  'pipeline_tag',
  'library_name',
  'private',
  'gated',
  'cardData',
  'safetensors',
  'gguf',
] as const;

/** The detail route (`/api/models/{id}`) also takes `baseModels`: the Hub's own lineage, for the few look-ups made. */
export const HF_DETAIL_EXPAND = [...HF_LIST_EXPAND, 'baseModels'] as const;

/** What each list expand value gives hubwatch, for the warning when the Hub refuses one (index.ts). */
export const HF_EXPAND_COST: Readonly<Record<string, string>> = {
  author: 'the namespace falls back to the id prefix',
  createdAt: 'release dates and the new-release poll watermark are lost',
  lastModified: 'the last-modified date is null',
  downloads: '30-day downloads are null',
  downloadsAllTime: 'all-time and daily downloads are null',
  likes: 'likes are null',
  tags: 'licences, tag lineage and tasks from tags are lost',
  pipeline_tag: 'the task (and the llm scope) is lost',
  library_name: 'the library is null',
  private: 'nothing the figures need',
  gated: 'nothing the figures need',
  cardData: 'card licences and card base_model lineage are lost',
  safetensors: 'parameter counts of safetensors repos are null',
  gguf: 'parameter counts of GGUF repos are null',
};

/**
 * Which of `ours` a 400's message refuses. The Hub names the refused value ("got …"), and its message may list the
 * values it accepts (a third-party capture quotes such a list, research/hf.md §1.3): a value of ours missing from
 * that list is refused too. `message` is the answer's `error` text, or the body when it has none.
 */
export function refusedExpandValues(message: string, ours: readonly string[]): string[] {
  const named = new Set([...message.matchAll(/\bgot\W{0,3}([\w-]+)/gi)].map((m) => m[1]!));
  // A list is the accepted expand values only if it holds most of ours: a 400 about another parameter (a sort, a
  // filter) may list its own accepted values, and must not read as every field of ours refused.
  const allowed = [...message.matchAll(/\[([^\]]*)\]/g)]
    .map((m) => [...m[1]!.matchAll(/["'`]([\w-]+)["'`]/g)].map((q) => q[1]!))
    .find((list) => list.length > 1 && ours.filter((v) => list.includes(v)).length * 2 >= ours.length);
  return ours.filter((v) => named.has(v) || (allowed !== undefined && !allowed.includes(v)));
}

/** An ISO-8601 instant as the Hub writes it (`2025-11-04T08:25:31.000Z`); offsets are tolerated. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isoInstant = z.string().regex(ISO_INSTANT, 'expected an ISO-8601 instant');
const count = z.number().int().nonnegative();
// cardData is the README's YAML: any object. Checked for being an object without copying it key by key.
const plainObject = z.custom<Record<string, unknown>>(isPlainObject, 'expected an object');
const totalHolder = z
  .custom<{ total?: number | null }>(isPlainObject, 'expected an object')
  .refine(
    (o) => o.total === undefined || o.total === null || (typeof o.total === 'number' && o.total >= 0),
    'total must be a non-negative number',
  );

export const HfModelSchema = z.object({
  _id: z.string().min(1),
  id: z.string().refine((v) => v.trim().length > 0, 'expected a non-empty id'),
  author: z.string().nullish(),
  createdAt: isoInstant,
  lastModified: isoInstant.optional(),
  downloads: count,
  downloadsAllTime: count,
  likes: count,
  tags: z.array(z.string()),
  pipeline_tag: z.string().nullish(),
  library_name: z.string().nullish(),
  private: z.boolean().nullish(),
  gated: z.union([z.boolean(), z.string()]).nullish(),
  cardData: plainObject.nullish(),
  safetensors: totalHolder.nullish(),
  gguf: totalHolder.nullish(),
  baseModels: z.unknown().optional(),
});

/**
 * A payload saved from any endpoint (inspect): the Hub's default list and detail shapes do not carry
 * downloadsAllTime unless it was asked for with expand[], so here its absence means "not given" (null), not a bad
 * item. The sweep keeps requiring it: it asked for it, and the snapshot's all-time figures need it.
 */
export const HfSavedModelSchema = HfModelSchema.extend({ downloadsAllTime: count.nullish() });

/** A list page's body is an array (of anything: items are validated one by one). */
export const HfListBodySchema = z.array(z.unknown());

// ---------------------------------------------------------------------------------------------------------------
// The fast path. zod builds a new object per item (copying the fields it knows); at 1000 items a page that is the
// largest cost of a sweep after JSON.parse. This structural check accepts exactly what HfModelSchema accepts (a
// property test holds the two together) and hands back the raw object itself; zod runs only on items the check
// rejects, to say why.

const nullish = (v: unknown): boolean => v === undefined || v === null;
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
const totalOk = (v: unknown): boolean => {
  if (nullish(v)) return true;
  if (!isPlainObject(v)) return false;
  const t = v.total;
  return t === undefined || t === null || (typeof t === 'number' && t >= 0);
};

/** True when `x` is an item HfModelSchema accepts. */
export function isHfModel(x: unknown, opts: { requireAllTime?: boolean } = {}): x is HfModelInput {
  if (!isPlainObject(x)) return false;
  const o = x;
  if (typeof o._id !== 'string' || o._id.length === 0) return false;
  if (typeof o.id !== 'string' || o.id.trim().length === 0) return false;
  if (typeof o.createdAt !== 'string' || !ISO_INSTANT.test(o.createdAt)) return false;
  if (o.lastModified !== undefined && (typeof o.lastModified !== 'string' || !ISO_INSTANT.test(o.lastModified)))
    return false;
  if (!isCount(o.downloads) || !isCount(o.likes)) return false;
  if (
    opts.requireAllTime === false
      ? !nullish(o.downloadsAllTime) && !isCount(o.downloadsAllTime)
      : !isCount(o.downloadsAllTime)
  )
    return false;
  const tags = o.tags;
  if (!Array.isArray(tags)) return false;
  for (let i = 0; i < tags.length; i++) if (typeof tags[i] !== 'string') return false;
  if (!optString(o.author) || !optString(o.pipeline_tag) || !optString(o.library_name)) return false;
  if (!nullish(o.private) && typeof o.private !== 'boolean') return false;
  if (!nullish(o.gated) && typeof o.gated !== 'boolean' && typeof o.gated !== 'string') return false;
  if (!nullish(o.cardData) && !isPlainObject(o.cardData)) return false;
  if (!totalOk(o.safetensors) || !totalOk(o.gguf)) return false;
  return true;
}

/** The members a sweep reads from an item's own text to sight it without parsing it (src/sources/raw-items.ts). */
export const HF_SIGHT_MEMBERS: ReadonlySet<string> = new Set([
  'id',
  'createdAt',
  'downloads',
  'downloadsAllTime',
  'likes',
]);

/** True when the members read from an item's text are what HfModelSchema promises for them. */
export function isHfSighting(o: Record<string, unknown>): boolean {
  // createdAt is checked too: an item without it must be read (and counted incomplete) every day, not skipped.
  return (
    typeof o.id === 'string' &&
    o.id.length > 0 &&
    typeof o.createdAt === 'string' &&
    isCount(o.downloads) &&
    isCount(o.downloadsAllTime) &&
    isCount(o.likes)
  );
}

/**
 * A readable item: `item` is the raw object itself. `incomplete` names the promised fields that were missing or
 * unreadable (empty for a whole item); the normaliser reads each of them as null, so the model is not lost.
 */
export type HfCheck = { ok: true; item: HfModelInput; incomplete: string[] } | { ok: false; reason: string };

const WHOLE: string[] = [];

/**
 * Validates one raw item, as generously as the numbers allow: an item the schema accepts whole passes as it is; one
 * with an id but a missing or mistyped field (no `createdAt`, `downloads: null`, `likes: "12k"`) is still a model,
 * with those fields named in `incomplete`; only an item without an id (or not an object) cannot be read.
 */
export function checkHfModel(raw: unknown, opts: { requireAllTime?: boolean } = {}): HfCheck {
  if (isHfModel(raw, opts)) return { ok: true, item: raw, incomplete: WHOLE };
  if (!isPlainObject(raw)) return { ok: false, reason: 'expected an object' };
  if (typeof raw.id !== 'string' || raw.id.trim().length === 0) {
    return { ok: false, reason: `id: ${raw.id === undefined ? 'missing' : 'expected a non-empty string'}` };
  }
  const r = (opts.requireAllTime === false ? HfSavedModelSchema : HfModelSchema).safeParse(raw);
  if (r.success) return { ok: true, item: raw as unknown as HfModelInput, incomplete: WHOLE };
  const fields = new Set<string>();
  for (const issue of r.error.issues) fields.add(String(issue.path[0] ?? '(item)'));
  return { ok: true, item: raw as unknown as HfModelInput, incomplete: [...fields] };
}

/** Why an item is incomplete, for logs and the day's coverage note. */
export function describeIncomplete(raw: unknown, opts: { requireAllTime?: boolean } = {}): string {
  const r = (opts.requireAllTime === false ? HfSavedModelSchema : HfModelSchema).safeParse(raw);
  return r.success ? '' : describeIssues(r.error);
}

/** The item's `_id` (kept across renames), or null when it has none. */
export function hfObjectId(item: HfModelInput): string | null {
  const v = (item as { _id?: unknown })._id;
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : null;
}

/** The item's `createdAt` when it is an ISO instant (the poll's watermark compares them as text). */
export function hfCreatedAt(item: HfModelInput): string | null {
  const v = (item as { createdAt?: unknown }).createdAt;
  return typeof v === 'string' && ISO_INSTANT.test(v) ? v : null;
}
