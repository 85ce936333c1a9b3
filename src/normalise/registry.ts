// The organisation registry: platform namespace → organisation, country, kind. Everything here is pure: the files
// (config/registry/*.json) are read by src/reference-data.ts and their content handed to parseRegistryFile. The rules
// behind the data (country R1–R7, why mirrors and quantisers are redistributors) are in ../shared/research/orgs.md;
// docs/registry.md says the same.
import { z } from 'zod';
import { REGISTRY_KINDS, type Platform } from '../model.js';
import { isCountry, isCountryAlt } from './countries.js';

// The record's kinds less `unknown` (the registry only holds what it knows) have their one home in src/model.ts.
export { REGISTRY_KINDS };
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

/** The registry files name platforms by these keys (orgs.json's columns). */
export const REGISTRY_PLATFORMS = ['hf', 'modelscope', 'wisemodel'] as const;
export type RegistryPlatform = (typeof REGISTRY_PLATFORMS)[number];

/** Platform names as callers hold them: the record's own (`huggingface`) or the registry's (`hf`). */
export type PlatformLike = Platform | RegistryPlatform | 'ms' | 'wm';

// Periods and renames are often known to the month or the year only; a coarse date means "from the start of that
// month/year", which is what the reviewer can defend without inventing precision.
const PartialDate = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'a date YYYY, YYYY-MM or YYYY-MM-DD');

const Namespace = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s/]+$/, 'a namespace without spaces or slashes');

/**
 * A dated attribution of one namespace that differs from the entry's current one (renames of ownership,
 * acquisitions, an academic lab that became a company). Only the fields that differ are given; the rest are
 * inherited from the entry. `from` is inclusive, `until` exclusive; either may be absent (open-ended).
 */
export const RegistryPeriod = z
  .object({
    platform: z.enum(REGISTRY_PLATFORMS),
    namespace: Namespace,
    from: PartialDate.optional(),
    until: PartialDate.optional(),
    org: z.string().min(1).optional(),
    kind: z.enum(REGISTRY_KINDS).optional(),
    country: z.string().optional(),
    country_alt: z.string().nullable().optional(),
    parent: z.string().nullable().optional(),
    source: z.string(),
    notes: z.string().optional(),
  })
  .strict();
export type RegistryPeriod = z.infer<typeof RegistryPeriod>;

/**
 * A namespace renamed on one platform (the platform redirects the old ids). Both namespaces stay listed in the
 * entry; the rename makes `CohereForAI/x` and `CohereLabs/x` one identity.
 */
export const RegistryRename = z
  .object({
    platform: z.enum(REGISTRY_PLATFORMS),
    from: Namespace,
    to: Namespace,
    at: PartialDate.optional(),
    source: z.string(),
  })
  .strict();
export type RegistryRename = z.infer<typeof RegistryRename>;

export const RegistryEntry = z
  .object({
    org: z.string().min(1),
    country: z.string(),
    kind: z.enum(REGISTRY_KINDS),
    hf: z.array(Namespace).default([]),
    modelscope: z.array(Namespace).default([]),
    wisemodel: z.array(Namespace).default([]),
    parent: z.string().nullable().optional(),
    source: z.string(),
    uncertain: z.boolean().optional(),
    uncertain_namespaces: z.array(z.string()).optional(),
    country_alt: z.string().nullable().optional(),
    notes: z.string().nullable().optional(),
    periods: z.array(RegistryPeriod).optional(),
    renames: z.array(RegistryRename).optional(),
  })
  .strict();
export type RegistryEntry = z.infer<typeof RegistryEntry>;
export type RegistryEntryInput = z.input<typeof RegistryEntry>;

/** An entry with where it came from, so every problem and every API answer can name its file. */
export interface SourcedEntry {
  file: string;
  index: number;
  entry: RegistryEntry;
}

export interface RegistryMatch {
  org: string;
  country: string;
  countryAlt: string | null;
  kind: RegistryKind;
  parent: string | null;
  /** Re-uploads, quantisations, conversions, mirrors: never the origin of what they host. */
  redistributor: boolean;
  uncertain: boolean;
  /** `entry` for the entry's current attribution, `period` when a dated period applied. */
  via: 'entry' | 'period';
}

export interface Problem {
  file: string | null;
  /** Index of the entry in its file, or null for problems across files. */
  entry: number | null;
  org: string | null;
  message: string;
}

export interface Registry {
  readonly entries: readonly SourcedEntry[];
  /** True when the namespace has dated periods, i.e. its attribution depends on the model's createdAt. */
  isDated(platform: PlatformLike, namespace: string): boolean;
  /** Case-insensitive, per platform; `at` (ISO createdAt) selects a dated period when one covers it. */
  lookup(platform: PlatformLike, namespace: string, at?: string | null): RegistryMatch | null;
  /** The same organisation's namespaces on the other platforms (HF zai-org ↔ MS ZhipuAI ↔ WM ZhipuAI). */
  equivalents(platform: PlatformLike, namespace: string): Array<{ platform: Platform; namespace: string }>;
  /** ModelScope's mirror namespaces and every registry redistributor: their uploads are someone else's models. */
  isMirrorNamespace(platform: PlatformLike, namespace: string): boolean;
  /** The namespace a renamed one now lives under (THUDM → zai-org), else the namespace itself. */
  canonicalNamespace(platform: PlatformLike, namespace: string): string;
  /** A stable, cross-platform id of the organisation owning the namespace, or null when unknown. */
  orgIdOf(platform: PlatformLike, namespace: string): string | null;
  /** Namespaces on `platform` of the organisation `orgId` (as given by orgIdOf), canonical casing. */
  namespacesOf(orgId: string, platform: PlatformLike): readonly string[];
}

/**
 * ModelScope namespaces that re-host other organisations' models. The first six are named in orgs.md and the
 * ModelScope research notes (§C); nv-community re-hosts NVIDIA checkpoints; MusePublic is ModelScope's AIGC (Muse)
 * re-host of base checkpoints (MusePublic/Qwen-image, MusePublic/489_ckpt_FLUX_1 = FLUX.1-dev, seen as BaseModel
 * values in the real ModelScope sample and in public code). They are mirrors even where the registry maps them to
 * an organisation for the publisher view.
 */
export const MODELSCOPE_MIRRORS: readonly string[] = [
  'LLM-Research',
  'AI-ModelScope',
  'modelscope',
  'swift',
  'openai-mirror',
  'MNN',
  'nv-community',
  'MusePublic',
];

const TO_REGISTRY: Record<string, RegistryPlatform> = {
  huggingface: 'hf',
  hf: 'hf',
  modelscope: 'modelscope',
  ms: 'modelscope',
  wisemodel: 'wisemodel',
  wm: 'wisemodel',
};
const TO_PLATFORM: Record<RegistryPlatform, Platform> = {
  hf: 'huggingface',
  modelscope: 'modelscope',
  wisemodel: 'wisemodel',
};

export function registryPlatform(p: string): RegistryPlatform | null {
  return TO_REGISTRY[p] ?? null;
}

/** A partial date as the first day it covers, YYYY-MM-DD (comparable as a string with ISO instants). */
export function dayOf(partial: string): string {
  if (partial.length === 4) return `${partial}-01-01`;
  if (partial.length === 7) return `${partial}-01`;
  return partial;
}

interface Slot {
  canonical: string;
  entryIndex: number;
  base: RegistryMatch;
  periods: Array<{ from: string | null; until: string | null; match: RegistryMatch }>;
}

/**
 * `uncertain_namespaces` items are a namespace, or `namespace (platform)` when only one platform's use of it is in
 * doubt (orgs.json writes "openai (wisemodel)").
 */
export function parseUncertainNamespace(u: string): { namespace: string; platform: RegistryPlatform | null } {
  const m = /^(.+?) \((hf|modelscope|wisemodel)\)$/.exec(u.trim());
  return m
    ? { namespace: m[1] as string, platform: m[2] as RegistryPlatform }
    : { namespace: u.trim(), platform: null };
}

function matchOf(e: RegistryEntry, p: RegistryPlatform, ns: string, over?: RegistryPeriod): RegistryMatch {
  const uncertainNs = e.uncertain_namespaces;
  const uncertain =
    e.uncertain === true &&
    (!uncertainNs ||
      uncertainNs.some((u) => {
        const q = parseUncertainNamespace(u);
        return q.namespace.toLowerCase() === ns.toLowerCase() && (q.platform === null || q.platform === p);
      }));
  const kind = over?.kind ?? e.kind;
  return Object.freeze({
    org: over?.org ?? e.org,
    country: over?.country ?? e.country,
    countryAlt: over && over.country_alt !== undefined ? over.country_alt : (e.country_alt ?? null),
    kind,
    parent: over && over.parent !== undefined ? over.parent : (e.parent ?? null),
    redistributor: kind === 'redistributor',
    uncertain,
    via: over ? 'period' : 'entry',
  });
}

function orgIdFor(e: RegistryEntry): string {
  const first = e.hf[0] ?? e.modelscope[0] ?? e.wisemodel[0];
  return (first ?? e.org).toLowerCase();
}

/**
 * Builds the lookup structures once (one Map per platform, keyed by lower-case namespace) so a lookup per record
 * is a string lower-casing and a Map get. Assumes entries passed checkRegistry; on a duplicate namespace the
 * first entry wins rather than throwing.
 */
export function buildRegistry(entries: readonly SourcedEntry[]): Registry {
  // One map per platform keyed by the lower-cased namespace: no key concatenation on the hot path.
  const slotMaps: Record<RegistryPlatform, Map<string, Slot>> = {
    hf: new Map(),
    modelscope: new Map(),
    wisemodel: new Map(),
  };
  const renames = new Map<string, string>();
  const orgNamespaces = new Map<string, Record<RegistryPlatform, string[]>>();
  const mirrors = new Set(MODELSCOPE_MIRRORS.map((m) => `modelscope:${m.toLowerCase()}`));
  const entryByIndex: RegistryEntry[] = [];

  entries.forEach(({ entry: e }, i) => {
    entryByIndex.push(e);
    const id = orgIdFor(e);
    if (!orgNamespaces.has(id))
      orgNamespaces.set(id, { hf: [...e.hf], modelscope: [...e.modelscope], wisemodel: [...e.wisemodel] });
    for (const p of REGISTRY_PLATFORMS) {
      for (const ns of e[p]) {
        const key = ns.toLowerCase();
        if (slotMaps[p].has(key)) continue;
        const periods = (e.periods ?? [])
          .filter((per) => per.platform === p && per.namespace.toLowerCase() === ns.toLowerCase())
          .map((per) => ({
            from: per.from ? dayOf(per.from) : null,
            until: per.until ? dayOf(per.until) : null,
            match: matchOf(e, p, ns, per),
          }));
        slotMaps[p].set(key, { canonical: ns, entryIndex: i, base: matchOf(e, p, ns), periods });
      }
    }
    for (const r of e.renames ?? []) renames.set(`${r.platform}:${r.from.toLowerCase()}`, r.to);
  });

  const slotOf = (platform: PlatformLike, namespace: string): Slot | undefined => {
    const p = TO_REGISTRY[platform];
    if (!p || typeof namespace !== 'string') return undefined;
    return slotMaps[p].get(namespace.toLowerCase());
  };

  return {
    entries,
    isDated(platform, namespace) {
      return (slotOf(platform, namespace)?.periods.length ?? 0) > 0;
    },
    lookup(platform, namespace, at) {
      const slot = slotOf(platform, namespace);
      if (!slot) return null;
      if (slot.periods.length > 0 && typeof at === 'string' && at.length >= 10) {
        const day = at.slice(0, 10);
        for (const per of slot.periods) {
          if ((per.from === null || day >= per.from) && (per.until === null || day < per.until)) return per.match;
        }
      }
      return slot.base;
    },
    equivalents(platform, namespace) {
      const slot = slotOf(platform, namespace);
      const p = TO_REGISTRY[platform];
      if (!slot || !p) return [];
      const e = entryByIndex[slot.entryIndex];
      if (!e) return [];
      const out: Array<{ platform: Platform; namespace: string }> = [];
      for (const q of REGISTRY_PLATFORMS) {
        if (q === p) continue;
        for (const ns of e[q]) out.push({ platform: TO_PLATFORM[q], namespace: ns });
      }
      return out;
    },
    isMirrorNamespace(platform, namespace) {
      const p = TO_REGISTRY[platform];
      if (!p || typeof namespace !== 'string') return false;
      const lower = namespace.toLowerCase();
      if (mirrors.has(`${p}:${lower}`)) return true;
      return slotMaps[p].get(lower)?.base.redistributor === true;
    },
    canonicalNamespace(platform, namespace) {
      const p = TO_REGISTRY[platform];
      if (!p || typeof namespace !== 'string') return namespace;
      let ns = namespace;
      // A chain of renames is followed a few steps; a loop in the data cannot hang the normaliser.
      for (let i = 0; i < 5; i++) {
        const next = renames.get(`${p}:${ns.toLowerCase()}`);
        if (next === undefined) break;
        ns = next;
      }
      return slotMaps[p].get(ns.toLowerCase())?.canonical ?? ns;
    },
    orgIdOf(platform, namespace) {
      const slot = slotOf(platform, namespace);
      if (!slot) return null;
      const e = entryByIndex[slot.entryIndex];
      return e ? orgIdFor(e) : null;
    },
    namespacesOf(orgId, platform) {
      const p = TO_REGISTRY[platform];
      if (!p) return [];
      return orgNamespaces.get(orgId)?.[p] ?? [];
    },
  };
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(entry)';
  return `${path}: ${issue.message}`;
}

/**
 * Validates one file's content (already JSON-parsed) against the entry schema. Errors name the file, the entry
 * index and the org, so a reviewer can find the line.
 */
export function parseRegistryFile(file: string, content: unknown): { entries: SourcedEntry[]; problems: Problem[] } {
  const entries: SourcedEntry[] = [];
  const problems: Problem[] = [];
  if (!Array.isArray(content)) {
    problems.push({ file, entry: null, org: null, message: 'a registry file must hold a JSON array of entries' });
    return { entries, problems };
  }
  content.forEach((raw, index) => {
    const parsed = RegistryEntry.safeParse(raw);
    const org =
      typeof raw === 'object' && raw !== null && typeof (raw as { org?: unknown }).org === 'string'
        ? (raw as { org: string }).org
        : null;
    if (parsed.success) entries.push({ file, index, entry: parsed.data });
    else
      for (const issue of parsed.error.issues)
        problems.push({ file, entry: index, org, message: describeZodIssue(issue) });
  });
  return { entries, problems };
}

function isSourced(v: unknown): v is SourcedEntry {
  return typeof v === 'object' && v !== null && 'entry' in v && typeof (v as { file?: unknown }).file === 'string';
}

/**
 * Data checks beyond the schema: ISO countries (ZZ allowed; EU only as country_alt), kinds, evidence present,
 * no namespace in two organisations on one platform, no case collisions, uncertain_namespaces and periods naming
 * listed namespaces, periods that do not overlap. Accepts raw entries or SourcedEntry; never throws.
 */
export function checkRegistry(entries: readonly unknown[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, { ns: string; file: string | null; entry: number; org: string }>();
  const kinds = new Set<string>(REGISTRY_KINDS);

  entries.forEach((item, i) => {
    const file = isSourced(item) ? item.file : null;
    const index = isSourced(item) ? item.index : i;
    const raw = isSourced(item) ? item.entry : item;
    const orgName =
      typeof raw === 'object' && raw !== null && typeof (raw as { org?: unknown }).org === 'string'
        ? (raw as { org: string }).org
        : null;
    const add = (message: string) => problems.push({ file, entry: index, org: orgName, message });
    const parsed = RegistryEntry.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) add(describeZodIssue(issue));
      return;
    }
    const e = parsed.data;
    if (!isCountry(e.country)) add(`country "${e.country}" is not an ISO 3166-1 alpha-2 code (ZZ = unknown)`);
    if (e.country_alt != null && !isCountryAlt(e.country_alt))
      add(`country_alt "${e.country_alt}" is not an ISO 3166-1 alpha-2 code (or EU)`);
    if (!kinds.has(e.kind)) add(`kind "${e.kind}" is not one of ${REGISTRY_KINDS.join(', ')}`);
    if (e.source.trim() === '') add('source (evidence) is empty');
    if (e.hf.length + e.modelscope.length + e.wisemodel.length === 0) add('no namespace on any platform');

    const listed = new Set<string>();
    for (const p of REGISTRY_PLATFORMS) {
      for (const ns of e[p]) {
        const lower = ns.toLowerCase();
        const key = `${p}:${lower}`;
        listed.add(key);
        const prev = seen.get(key);
        if (prev) {
          const where = prev.file ? `${prev.file} entry ${prev.entry}` : `entry ${prev.entry}`;
          if (prev.ns === ns) add(`${p} namespace "${ns}" is also listed by "${prev.org}" (${where})`);
          else add(`${p} namespace "${ns}" collides case-insensitively with "${prev.ns}" of "${prev.org}" (${where})`);
        } else {
          seen.set(key, { ns, file, entry: index, org: e.org });
        }
      }
    }
    for (const u of e.uncertain_namespaces ?? []) {
      const q = parseUncertainNamespace(u);
      const platforms = q.platform ? [q.platform] : REGISTRY_PLATFORMS;
      if (!platforms.some((p) => listed.has(`${p}:${q.namespace.toLowerCase()}`)))
        add(`uncertain_namespaces names "${u}", which the entry does not list`);
    }

    const byNs = new Map<string, Array<{ from: string; until: string }>>();
    (e.periods ?? []).forEach((per, k) => {
      const label = `periods[${k}]`;
      if (!listed.has(`${per.platform}:${per.namespace.toLowerCase()}`))
        add(`${label}: ${per.platform} namespace "${per.namespace}" is not listed in the entry`);
      if (per.source.trim() === '') add(`${label}: source (evidence) is empty`);
      if (per.country !== undefined && !isCountry(per.country))
        add(`${label}: country "${per.country}" is not ISO 3166-1 alpha-2`);
      if (per.country_alt != null && !isCountryAlt(per.country_alt))
        add(`${label}: country_alt "${per.country_alt}" is not ISO 3166-1 alpha-2 (or EU)`);
      if (per.from === undefined && per.until === undefined) add(`${label}: a period needs from or until`);
      const from = per.from ? dayOf(per.from) : '0000-01-01';
      const until = per.until ? dayOf(per.until) : '9999-12-31';
      if (from >= until) add(`${label}: from ${per.from} is not before until ${per.until}`);
      const key = `${per.platform}:${per.namespace.toLowerCase()}`;
      const list = byNs.get(key) ?? [];
      for (const other of list) {
        if (from < other.until && other.from < until)
          add(`${label}: overlaps another period of ${per.platform} namespace "${per.namespace}"`);
      }
      list.push({ from, until });
      byNs.set(key, list);
    });
    (e.renames ?? []).forEach((r, k) => {
      for (const ns of [r.from, r.to]) {
        if (!listed.has(`${r.platform}:${ns.toLowerCase()}`))
          add(`renames[${k}]: ${r.platform} namespace "${ns}" is not listed in the entry`);
      }
      if (r.from.toLowerCase() === r.to.toLowerCase()) add(`renames[${k}]: renames "${r.from}" to itself`);
      if (r.source.trim() === '') add(`renames[${k}]: source (evidence) is empty`);
    });
  });
  return problems;
}

export function formatProblem(p: Problem): string {
  const where = [p.file, p.entry !== null ? `entry ${p.entry}` : null, p.org ? `"${p.org}"` : null]
    .filter(Boolean)
    .join(' ');
  return where ? `${where}: ${p.message}` : p.message;
}
