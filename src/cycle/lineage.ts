// The lineage pass over the stored graph. Each record was normalised alone with a provisional root (its first
// base), which is right for single-hop derivatives; here the real roots are found across hops and platforms, and
// origins, families and mirrors re-derived. Batched look-ups keep memory bounded by the chunk, not the catalogue.
import type { Logger } from '../log.js';
import { splitKey } from '../model.js';
import { familyOf } from '../normalise/lineage.js';
import { mirrorCandidates } from '../normalise/identity.js';
import type { Registry } from '../normalise/registry.js';
import type { LineageNode, LineageStore, OriginUpdate } from '../store/types.js';
import { resolveNode } from '../normalise/resolve-local.js';

export const MAX_DEPTH = 10;
/**
 * Derivative keys per look-up. Each chunk's look-ups scan the models table (the embedded store keeps no key index),
 * so the number of chunks is what a large pass pays for; a chunk's nodes and their ancestors are what memory holds.
 */
const CHUNK = 20_000;
const UPDATE_BATCH = 20_000;

export interface ResolveResult {
  derivatives: number;
  multiHop: number;
  dangling: number;
  cycles: number;
  identityLinked: number;
}

export interface ResolveDeps {
  store: LineageStore;
  registry: Registry;
  logger: Logger;
}

/** Loads the chunk's nodes and their ancestors, hop by hop, so resolveRoot can walk a local map. */
async function loadAncestry(store: LineageStore, keys: string[]): Promise<Map<string, LineageNode>> {
  const nodes = await store.getLineageNodes(keys);
  let frontier = new Set<string>();
  for (const n of nodes.values()) for (const b of n.baseModels.slice(0, 1)) if (!nodes.has(b)) frontier.add(b);
  const missing = new Set<string>();
  for (let depth = 0; depth < MAX_DEPTH && frontier.size > 0; depth += 1) {
    const found = await store.getLineageNodes([...frontier]);
    for (const k of frontier) if (!found.has(k)) missing.add(k);
    const next = new Set<string>();
    for (const [k, n] of found) {
      nodes.set(k, n);
      const b = n.baseModels[0];
      if (b !== undefined && !nodes.has(b) && !missing.has(b)) next.add(b);
    }
    frontier = next;
  }
  return nodes;
}

export async function resolveLineage(deps: ResolveDeps): Promise<ResolveResult> {
  const { store, registry } = deps;
  const log = deps.logger.child({ job: 'lineage' });
  const result: ResolveResult = { derivatives: 0, multiHop: 0, dangling: 0, cycles: 0, identityLinked: 0 };

  // Origins are written in batches of UPDATE_BATCH, not per chunk: in the embedded store an UPDATE joins against the
  // whole models table (it keeps no key index), so its count, not its size, is what a large pass pays for.
  let updates: OriginUpdate[] = [];
  for await (const keys of store.streamDerivativeKeys(CHUNK)) {
    const nodes = await loadAncestry(store, keys);
    for (const key of keys) {
      const node = nodes.get(key);
      if (!node) continue;
      // The same resolution `inspect` runs over one payload's records (normalise/resolve-local.ts).
      const { root: r, update } = resolveNode(node, (k) => nodes.get(k), registry, MAX_DEPTH);
      result.derivatives += 1;
      if (r.hops > 1) result.multiHop += 1;
      if (r.dangling) result.dangling += 1;
      if (r.cycle) result.cycles += 1;
      updates.push(update);
    }
    if (updates.length >= UPDATE_BATCH) {
      await store.updateOrigins(updates);
      updates = [];
    }
  }
  if (updates.length > 0) await store.updateOrigins(updates);

  // Re-uploads without lineage (a ModelScope mirror of a Hugging Face model, a quantiser's repo without
  // base_model): the same name published by a known, non-redistributing organisation elsewhere is the original.
  for await (const keys of store.streamUnlinkedRedistributedKeys(CHUNK)) {
    const nodes = await store.getLineageNodes(keys);
    const names = [...new Set([...nodes.values()].map((n) => n.name.toLowerCase()))];
    const matches = await store.findByNames('huggingface', names);
    const updates: OriginUpdate[] = [];
    for (const node of nodes.values()) {
      const candidates = (matches.get(node.name.toLowerCase()) ?? []).filter(
        (c) =>
          c.key !== node.key &&
          c.relation === 'base' &&
          c.publisherOrg !== null &&
          c.publisherKind !== 'redistributor' &&
          !registry.isMirrorNamespace(c.platform, c.namespace),
      );
      const owners = new Set(candidates.map((c) => c.publisherOrg));
      if (candidates.length === 0 || owners.size !== 1) continue; // ambiguous names prove nothing
      const original = candidates[0]!;
      const id = splitKey(node.key)?.id ?? '';
      updates.push({
        key: node.key,
        rootKey: original.key,
        family: familyOf(original.key),
        originOrg: original.publisherOrg,
        originCountry: original.publisherCountry,
        originCountryAlt: original.publisherCountryAlt,
        originKind: original.publisherKind,
        originBasis: 'lineage',
        mirrors: [...new Set([original.key, ...mirrorCandidates(node.platform, id, registry)])],
      });
      result.identityLinked += 1;
    }
    if (updates.length > 0) await store.updateOrigins(updates);
  }
  // The origins just rewritten are folded into the store before the snapshot reads them (types.ts checkpoint).
  await store.checkpoint();
  log.info({ ...result }, 'lineage resolved');
  return result;
}
