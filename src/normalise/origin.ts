// Two views of every model, always both: the publisher (who uploaded it) and the origin (whose model it is: the
// publisher of its lineage root). The anchors (research/anchors.md §7) show why: counting quantisers and
// ModelScope mirrors by their uploader's country moves the headline shares by tens of points.
import { UNKNOWN_COUNTRY, splitKey, type Origin, type Platform, type Publisher, type Relation } from '../model.js';
import { familyByName } from './lineage.js';
import type { Registry, RegistryMatch } from './registry.js';

/**
 * Who uploaded it. A namespace the registry does not know is an individual with an unknown country (ZZ): the
 * registry is the only evidence of a country, and an unmatched namespace goes to review, never to a default.
 */
export function publisherOf(
  platform: Platform,
  namespace: string,
  createdAt: string | null | undefined,
  registry: Registry,
): Publisher {
  const c = cachesOf(registry);
  const dated = registry.isDated(platform, namespace);
  const ck = `${platform}:${namespace}`;
  if (!dated) {
    const hit = c.publisher.get(ck);
    if (hit) return { ...hit };
  }
  const m = registry.lookup(platform, namespace, createdAt ?? undefined);
  const p: Publisher = m
    ? { namespace, org: m.org, country: m.country, countryAlt: m.countryAlt, kind: m.kind }
    : { namespace, org: null, country: UNKNOWN_COUNTRY, countryAlt: null, kind: 'individual' };
  if (!dated) remember(c.publisher, ck, p);
  return { ...p };
}

// Per-registry memo tables: a sweep meets the same namespaces and roots millions of times. Only answers that do
// not depend on a date or on the repo name are memoised; a WeakMap keeps one registry's answers from leaking
// into another's.
interface Caches {
  publisher: Map<string, Publisher>;
  origin: Map<string, Origin>;
}
const CACHE_MAX = 200_000;
const caches = new WeakMap<Registry, Caches>();

function cachesOf(registry: Registry): Caches {
  let c = caches.get(registry);
  if (!c) {
    c = { publisher: new Map(), origin: new Map() };
    caches.set(registry, c);
  }
  return c;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_MAX) map.clear();
  map.set(key, value);
}

export interface OriginArgs {
  platform: Platform;
  /** The record's id (`namespace/name`). */
  id: string;
  namespace: string;
  createdAt?: string | null;
  relation: Relation;
  /** Key of the lineage root (the record's own key for a base model; provisional first base, or resolved). */
  root: string;
  /** The root's createdAt when the caller knows it (stored graph), for dated registry periods. */
  rootCreatedAt?: string | null;
  registry: Registry;
}

const UNKNOWN_ORIGIN: Origin = Object.freeze({
  org: null,
  country: UNKNOWN_COUNTRY,
  countryAlt: null,
  kind: 'unknown',
  basis: 'unknown',
});

function fromMatch(m: RegistryMatch, basis: Origin['basis']): Origin {
  return { org: m.org, country: m.country, countryAlt: m.countryAlt, kind: m.kind, basis };
}

// Separators redistributors put between the origin namespace and the model name: RichardErkhov uses `_-_`,
// bartowski and others `_`, a few `--` (the Hub's own cache layout).
const EMBED_SEPARATORS = ['_-_', '--', '_'];

/**
 * The origin namespace a redistributor's repo name embeds (`zai-org_GLM-4.6-GGUF` → zai-org), accepted only when
 * the registry knows it as a non-redistributor on Hugging Face (where these names come from) or on `platform`.
 * Tries the shortest prefix first, so `Shanghai_AI_Laboratory_…` still needs its full namespace to match.
 */
export function embeddedOrigin(
  name: string,
  platform: Platform,
  registry: Registry,
  at?: string | null,
): { namespace: string; match: RegistryMatch } | null {
  for (const sep of EMBED_SEPARATORS) {
    let from = 0;
    for (let guard = 0; guard < 8; guard++) {
      const i = name.indexOf(sep, from);
      if (i <= 0) break;
      const candidate = name.slice(0, i);
      for (const p of platform === 'huggingface' ? (['huggingface'] as const) : ([platform, 'huggingface'] as const)) {
        const m = registry.lookup(p, candidate, at ?? undefined);
        if (m && !m.redistributor && !registry.isMirrorNamespace(p, candidate))
          return { namespace: candidate, match: m };
      }
      from = i + sep.length;
    }
  }
  return null;
}

/**
 * Origin by repo name for a redistributor's model: an embedded namespace first, then the family brand in the
 * name (mlx-community/Qwen3-8B-4bit → Qwen → the registry's Qwen entry) where the family belongs to one owner.
 */
function originByRepoName(name: string, platform: Platform, registry: Registry, at?: string | null): Origin | null {
  const embedded = embeddedOrigin(name, platform, registry, at);
  if (embedded) return fromMatch(embedded.match, 'repo-name');
  const fam = familyByName(name);
  if (fam?.org) {
    const m = registry.lookup('huggingface', fam.org, at ?? undefined);
    if (m && !m.redistributor) return fromMatch(m, 'repo-name');
  }
  return null;
}

// Hugging Face moved the pre-namespace checkpoints (gpt2, bert-base-uncased, roberta-base, t5-small, …) into
// these namespaces; cards still name them by the old root-level ids.
const LEGACY_ROOTS: ReadonlyArray<[RegExp, string]> = [
  [/^(gpt2|distilgpt2|openai-gpt)(-|$)/i, 'openai-community'],
  [/^distil(bert|roberta)-/i, 'distilbert'],
  [/^(bert-|bert_)/i, 'google-bert'],
  [/^(roberta-|xlm-roberta-|xlm-mlm|xlm-clm)/i, 'FacebookAI'],
  [/^t5-/i, 'google-t5'],
];

export function legacyNamespace(id: string): string | null {
  for (const [re, ns] of LEGACY_ROOTS) if (re.test(id)) return ns;
  return null;
}

function nameOf(id: string): string {
  const slash = id.indexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

function namespaceOf(id: string): string {
  const slash = id.indexOf('/');
  return slash >= 0 ? id.slice(0, slash) : '';
}

/**
 * Whose model it is. Decision order, each step naming itself in `basis`:
 * - a base model by a registry organisation that is not a redistributor → that organisation (`registry`);
 * - a derivative → the publisher of its root (`lineage`); a root in a redistributor or mirror namespace is read
 *   by its repo name (`repo-name`); a root nobody registered is its uploader as an individual, ZZ (`lineage`);
 * - a redistributor's upload without lineage → the namespace or family its repo name embeds (`repo-name`), then a
 *   mirror namespace's own registry organisation where it has one (nv-community → NVIDIA, `registry`);
 * - a base model by an unregistered uploader → that uploader as an individual, ZZ, with basis `unknown`: nothing
 *   but the upload itself says whose it is, and `unknown` sends it to the review queue with the other unknowns;
 * - else unknown (ZZ, kind unknown).
 */
export function originOf(args: OriginArgs): Origin {
  const { platform, id, namespace, registry } = args;
  const ownKey = `${platform}:${id}`;
  const isBase = args.relation === 'base' || args.root === ownKey || args.root === '';
  let ck: string | null = null;
  if (!isBase && args.rootCreatedAt == null) {
    const root = splitKey(args.root);
    const rootNs = root ? namespaceOf(root.id) : '';
    // A mirror root is read by its name, which is part of the root key: still one answer per key.
    if (root && !registry.isDated(root.platform, rootNs)) ck = `d\u0000${args.root}`;
  } else if (
    isBase &&
    !registry.isDated(platform, namespace) &&
    !registry.isMirrorNamespace(platform, namespace) &&
    namespace !== ''
  ) {
    ck = `b\u0000${platform}:${namespace}`;
  }
  if (ck !== null) {
    const c = cachesOf(registry);
    const hit = c.origin.get(ck);
    if (hit) return { ...hit };
    const o = computeOrigin(args);
    remember(c.origin, ck, o);
    return { ...o };
  }
  return computeOrigin(args);
}

function computeOrigin(args: OriginArgs): Origin {
  const { platform, id, namespace, registry } = args;
  const createdAt = args.createdAt ?? null;
  const ownKey = `${platform}:${id}`;
  const isBase = args.relation === 'base' || args.root === ownKey || args.root === '';

  if (!isBase) {
    const root = splitKey(args.root);
    if (!root) return { ...UNKNOWN_ORIGIN };
    const rootNs = namespaceOf(root.id);
    const rootAt = args.rootCreatedAt ?? null;
    const mirror = rootNs !== '' && registry.isMirrorNamespace(root.platform, rootNs);
    const m = rootNs !== '' ? registry.lookup(root.platform, rootNs, rootAt ?? undefined) : null;
    if (m && !mirror) return fromMatch(m, 'lineage');
    if (mirror) {
      const byName = originByRepoName(nameOf(root.id), root.platform, registry, rootAt);
      if (byName) return byName;
      if (m && !m.redistributor) return fromMatch(m, 'lineage');
      return { ...UNKNOWN_ORIGIN };
    }
    if (rootNs === '') {
      const legacy = legacyNamespace(root.id);
      const lm = legacy ? registry.lookup('huggingface', legacy, rootAt ?? undefined) : null;
      return lm ? fromMatch(lm, 'lineage') : { ...UNKNOWN_ORIGIN };
    }
    return { org: rootNs, country: UNKNOWN_COUNTRY, countryAlt: null, kind: 'individual', basis: 'lineage' };
  }

  const m = namespace !== '' ? registry.lookup(platform, namespace, createdAt ?? undefined) : null;
  const mirror = namespace !== '' && registry.isMirrorNamespace(platform, namespace);
  if (m && !mirror) return fromMatch(m, 'registry');
  if (mirror) {
    const byName = originByRepoName(nameOf(id), platform, registry, createdAt);
    if (byName) return byName;
    if (m && !m.redistributor) return fromMatch(m, 'registry');
    return { ...UNKNOWN_ORIGIN };
  }
  if (namespace === '') {
    const legacy = legacyNamespace(id);
    const lm = legacy ? registry.lookup('huggingface', legacy, createdAt ?? undefined) : null;
    return lm ? fromMatch(lm, 'registry') : { ...UNKNOWN_ORIGIN };
  }
  return { org: namespace, country: UNKNOWN_COUNTRY, countryAlt: null, kind: 'individual', basis: 'unknown' };
}
