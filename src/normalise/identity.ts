// Cross-platform identity: the same model on Hugging Face, ModelScope and WiseModel is linked (mirrors) and can be
// counted once by family, while each platform keeps its own downloads. Evidence is the registry's namespace
// equivalences (HF zai-org ↔ MS ZhipuAI ↔ WM ZhipuAI) plus the repo name, compared case-insensitively (names
// differ in case across platforms: WM GLM-4-9B-Chat vs MS glm-4-9b-chat).
import { type Platform } from '../model.js';
import { familyByName } from './lineage.js';
import { MODELSCOPE_MIRRORS, type Registry } from './registry.js';

const MS_MIRRORS = new Set(MODELSCOPE_MIRRORS.map((m) => m.toLowerCase()));
// Where ModelScope re-hosts Western organisations' models (orgs.md: "LLM-Research, AI-ModelScope … hold most
// Western models on ModelScope"); the other mirror namespaces are narrower (MNN formats, swift quantisations).
const GENERAL_MS_MIRRORS = ['LLM-Research', 'AI-ModelScope'];
const MAX_CANDIDATES = 20;
const WESTERN_EXCLUDED = new Set(['CN', 'HK', 'TW']);

function split(id: string): { ns: string; name: string } {
  const at = id.indexOf('@');
  const clean = at >= 0 ? id.slice(0, at) : id;
  const slash = clean.indexOf('/');
  return slash >= 0 ? { ns: clean.slice(0, slash), name: clean.slice(slash + 1) } : { ns: '', name: clean };
}

function isMsMirror(platform: Platform, ns: string): boolean {
  return platform === 'modelscope' && MS_MIRRORS.has(ns.toLowerCase());
}

/** The organisation a ModelScope mirror's re-upload belongs to, by the family brand in its name. */
function mirroredOrgId(name: string, registry: Registry): string | null {
  const fam = familyByName(name);
  return fam?.org ? registry.orgIdOf('huggingface', fam.org) : null;
}

/**
 * Keys (`platform:id`) under which the same model may exist on the other platforms. Candidates, not facts: the
 * store confirms the ones that exist. An unregistered namespace yields none (the same user name on two platforms
 * is not evidence of the same owner).
 */
export function mirrorCandidates(platform: Platform, id: string, registry: Registry): string[] {
  if (typeof id !== 'string') return [];
  const { ns, name } = split(id);
  if (ns === '' || name === '') return [];
  const targets = isMsMirror(platform, ns) ? mirrorTargets(name, registry) : namespaceTargets(platform, ns, registry);
  const out: string[] = [];
  const seen: string[] = [`${platform}:${ns}`.toLowerCase()];
  for (const t of targets) {
    if (out.length >= MAX_CANDIDATES) break;
    const lower = `${t.platform}:${t.namespace}`.toLowerCase();
    if (seen.includes(lower)) continue;
    seen.push(lower);
    out.push(`${t.platform}:${t.namespace}/${name}`);
  }
  return out;
}

type Target = { platform: Platform; namespace: string };
const targetCaches = new WeakMap<Registry, Map<string, readonly Target[]>>();

function mirrorTargets(name: string, registry: Registry): Target[] {
  const orgId = mirroredOrgId(name, registry);
  return orgId
    ? registry.namespacesOf(orgId, 'huggingface').map((n) => ({ platform: 'huggingface' as const, namespace: n }))
    : [];
}

/** The namespaces a registered namespace's models may be mirrored under; memoised per registry and namespace. */
function namespaceTargets(platform: Platform, ns: string, registry: Registry): readonly Target[] {
  let cache = targetCaches.get(registry);
  if (!cache) {
    cache = new Map();
    targetCaches.set(registry, cache);
  }
  const ck = `${platform}:${ns.toLowerCase()}`;
  const hit = cache.get(ck);
  if (hit) return hit;
  const out: Target[] = [];
  const m = registry.lookup(platform, ns);
  if (m && !m.redistributor) {
    const equivalents = registry.equivalents(platform, registry.canonicalNamespace(platform, ns));
    out.push(...equivalents);
    // ModelScope re-hosts Western organisations' models under its mirrors even where the organisation has a
    // namespace of its own (Llama: meta-models exists, the Llama checkpoints sit in LLM-Research).
    if (
      platform !== 'modelscope' &&
      (!WESTERN_EXCLUDED.has(m.country) || !equivalents.some((e) => e.platform === 'modelscope'))
    ) {
      for (const n of GENERAL_MS_MIRRORS) out.push({ platform: 'modelscope', namespace: n });
    }
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(ck, out);
  return out;
}

/**
 * One key per model across platforms: `org:<registry org id>/<name>` for registered organisations (and for
 * ModelScope mirror re-uploads whose family names the owner), else `<platform>:<namespace>/<name>`; lower case,
 * revision stripped, renamed namespaces folded (THUDM/x and zai-org/x are one model).
 */
export function canonicalIdentity(platform: Platform, id: string, registry: Registry): string {
  if (typeof id !== 'string') return `${platform}:`;
  const { ns, name } = split(id);
  const lowerName = name.toLowerCase();
  if (ns !== '') {
    if (isMsMirror(platform, ns)) {
      const orgId = mirroredOrgId(name, registry);
      if (orgId) return `org:${orgId}/${lowerName}`;
    } else {
      const m = registry.lookup(platform, ns);
      const orgId =
        m && !m.redistributor ? registry.orgIdOf(platform, registry.canonicalNamespace(platform, ns)) : null;
      if (orgId) return `org:${orgId}/${lowerName}`;
    }
  }
  return `${platform}:${ns.toLowerCase()}${ns === '' ? '' : '/'}${lowerName}`;
}
