// zod schemas of the Hub's own payloads (GET /api/models list items and GET /api/models/{id} with the same
// expand[] field set), nothing else. Validation is per item: a bad item is quarantined and the page goes on.
//
// What is promised: the Hub always returns `_id`, `id`, and every field asked for with expand[] that it has for
// every repo (`createdAt`, `downloads`, `downloadsAllTime`, `likes`, `tags`); a null or a wrong type there is a bad
// item. Fields the Hub leaves out when unset (`pipeline_tag`, `library_name`, `cardData`, `safetensors`, `gguf`,
// `baseModels`, `author`) may be absent or null, but must have the right type when present.
import { z } from 'zod';
import type { HfModelInput } from '../../normalise/inputs.js';
import { describeIssues } from '../validate.js';

/** The fields every listing and the detail call request through `expand[]` (see index.ts for why each). */
export const HF_EXPAND = [
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
  'baseModels',
] as const;

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
  id: z.string().min(1),
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
  if (typeof o.id !== 'string' || o.id.length === 0) return false;
  if (typeof o.createdAt !== 'string' || !ISO_INSTANT.test(o.createdAt)) return false;
  if (o.lastModified !== undefined && (typeof o.lastModified !== 'string' || !ISO_INSTANT.test(o.lastModified)))
    return false;
  if (!isCount(o.downloads) || !isCount(o.likes)) return false;
  if (opts.requireAllTime === false ? !nullish(o.downloadsAllTime) && !isCount(o.downloadsAllTime) : !isCount(o.downloadsAllTime))
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
export const HF_SIGHT_MEMBERS: ReadonlySet<string> = new Set(['id', 'downloads', 'downloadsAllTime', 'likes']);

/** True when the members read from an item's text are what HfModelSchema promises for them. */
export function isHfSighting(o: Record<string, unknown>): boolean {
  return typeof o.id === 'string' && o.id.length > 0 && isCount(o.downloads) && isCount(o.downloadsAllTime) && isCount(o.likes);
}

export type HfCheck = { ok: true; item: HfModelInput } | { ok: false; reason: string };

/** Validates one raw item: the fast check first, zod for the reason (or for anything the fast check missed). */
export function checkHfModel(raw: unknown, opts: { requireAllTime?: boolean } = {}): HfCheck {
  if (isHfModel(raw, opts)) return { ok: true, item: raw };
  const r = (opts.requireAllTime === false ? HfSavedModelSchema : HfModelSchema).safeParse(raw);
  if (r.success) return { ok: true, item: r.data as HfModelInput };
  return { ok: false, reason: describeIssues(r.error) };
}
