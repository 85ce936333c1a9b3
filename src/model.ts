// The normalised record: one per platform model. This is the contract between sources, normalise, store,
// snapshot, feed and digest (DESIGN.md, "The normalised record"; docs/method.md says how each field is decided).
import { z } from 'zod';

export const PLATFORMS = ['huggingface', 'modelscope', 'wisemodel'] as const;
export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

export const LICENSE_CLASSES = [
  'permissive',
  'copyleft',
  'open-restricted',
  'non-commercial',
  'proprietary',
  'unknown',
] as const;
export const LicenseClass = z.enum(LICENSE_CLASSES);
export type LicenseClass = z.infer<typeof LicenseClass>;

/**
 * The kinds the organisation registry can give (src/normalise/registry.ts); `individual` is also what an uploader the
 * registry does not know is taken for.
 */
export const REGISTRY_KINDS = [
  'big_tech',
  'ai_startup',
  'academic',
  'nonprofit',
  'government',
  'redistributor',
  'community',
  'individual',
] as const;
/** Registry kinds plus `unknown` (no attribution). */
export const ORG_KINDS = [...REGISTRY_KINDS, 'unknown'] as const;
export const OrgKind = z.enum(ORG_KINDS);
export type OrgKind = z.infer<typeof OrgKind>;

export const RELATIONS = ['base', 'finetune', 'adapter', 'quantized', 'merge'] as const;
export const Relation = z.enum(RELATIONS);
export type Relation = z.infer<typeof Relation>;

export const ORIGIN_BASES = ['registry', 'lineage', 'repo-name', 'unknown'] as const;
export const OriginBasis = z.enum(ORIGIN_BASES);
export type OriginBasis = z.infer<typeof OriginBasis>;

/** ISO 3166-1 alpha-2, or ZZ for unknown (never dropped). */
export const CountryCode = z.string().regex(/^[A-Z]{2}$/);
export const UNKNOWN_COUNTRY = 'ZZ';

const isoDate = z.string().datetime({ offset: true });

export const LicenseInfo = z.object({
  /** What the platform said, joined with ` | ` when several fields contributed; null when it said nothing. */
  raw: z.string().nullable(),
  /** SPDX id or expression, or `LicenseRef-hubwatch-<name>`; `LicenseRef-hubwatch-unknown` when nothing is known. */
  id: z.string(),
  name: z.string(),
  class: LicenseClass,
  /** Why this id and class were chosen (table hit, spdx-correct, expression, fallback). */
  basis: z.string(),
});
export type LicenseInfo = z.infer<typeof LicenseInfo>;

export const Publisher = z.object({
  namespace: z.string(),
  org: z.string().nullable(),
  country: CountryCode,
  /** The registry's alternative country (lab location, pre/post acquisition), for sensitivity analysis. */
  countryAlt: CountryCode.nullable(),
  kind: OrgKind,
});
export type Publisher = z.infer<typeof Publisher>;

export const Lineage = z.object({
  relation: Relation,
  /** Keys (`platform:id`) of the direct bases, revisions stripped. */
  baseModels: z.array(z.string()),
  /** Key of the original model after following bases across hops and platforms; the record's own key for a base. */
  root: z.string(),
  /** Model family of the root (Qwen, Llama, …), null when not recognised. */
  family: z.string().nullable(),
});
export type Lineage = z.infer<typeof Lineage>;

export const Origin = z.object({
  org: z.string().nullable(),
  country: CountryCode,
  countryAlt: CountryCode.nullable(),
  kind: OrgKind,
  basis: OriginBasis,
});
export type Origin = z.infer<typeof Origin>;

export const Stats = z.object({
  downloads30d: z.number().int().nonnegative().nullable(),
  downloadsAllTime: z.number().int().nonnegative().nullable(),
  likes: z.number().int().nonnegative().nullable(),
});
export type Stats = z.infer<typeof Stats>;

export const NormalisedRecord = z.object({
  key: z.string(),
  platform: Platform,
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  url: z.string(),
  createdAt: isoDate.nullable(),
  lastModified: isoDate.nullable(),
  firstSeenAt: isoDate,
  /**
   * When the model became news: createdAt, or firstSeenAt when hubwatch first saw it more than two days after its
   * createdAt (a model made public late). Null only when neither is known.
   */
  releasedAt: isoDate.nullable(),
  task: z.string().nullable(),
  library: z.string().nullable(),
  tags: z.array(z.string()),
  /** Parameter count where the platform states it (safetensors total, gguf total, ModelInfos). */
  params: z.number().nonnegative().nullable(),
  license: LicenseInfo,
  publisher: Publisher,
  lineage: Lineage,
  origin: Origin,
  stats: Stats,
  /** Keys of the same model on other platforms. */
  mirrors: z.array(z.string()),
});
export type NormalisedRecord = z.infer<typeof NormalisedRecord>;

export function modelKey(platform: Platform, id: string): string {
  return `${platform}:${id}`;
}

export function splitKey(key: string): { platform: Platform; id: string } | null {
  const i = key.indexOf(':');
  if (i < 0) return null;
  const p = Platform.safeParse(key.slice(0, i));
  if (!p.success) return null;
  return { platform: p.data, id: key.slice(i + 1) };
}

/** Caps applied to every platform string before it is stored or rendered (platform strings are hostile). */
export const LIMITS = {
  id: 300,
  text: 500,
  tag: 200,
  tags: 200,
  raw: 2000,
} as const;

/**
 * Caps to `max` UTF-16 units, an ellipsis included, never cutting a surrogate pair in half (half an emoji is not
 * valid Unicode and fails as UTF-8). The one capping helper: stores, feeds, digests and messages all use it.
 */
export function capString(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - 1);
  const before = s.charCodeAt(end - 1);
  if (before >= 0xd800 && before <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}…`;
}
