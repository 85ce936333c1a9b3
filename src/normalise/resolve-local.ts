// The lineage pass's per-derivative step, pure and over any lookup of nodes: the daily cycle walks the stored
// graph (src/cycle/lineage.ts), `inspect` the records of one payload. One step for both keeps a payload's printed
// roots, families and origins what the store would hold for the same models after a cycle.
import { splitKey, type NormalisedRecord } from '../model.js';
import type { LineageNode, OriginUpdate } from '../store/types.js';
import { mirrorCandidates } from './identity.js';
import { familyOf, resolveRoot, type RootResult } from './lineage.js';
import { originOf } from './origin.js';
import type { Registry } from './registry.js';

/** A record as the store's lineage columns give it (store/sql.ts toLineageNode), so both views walk alike. */
export function lineageNodeOf(rec: NormalisedRecord): LineageNode {
  return {
    key: rec.key,
    platform: rec.platform,
    namespace: rec.namespace,
    name: rec.name,
    relation: rec.lineage.relation,
    baseModels: rec.lineage.baseModels,
    createdAt: rec.createdAt,
    publisherOrg: rec.publisher.org,
    publisherCountry: rec.publisher.country,
    publisherCountryAlt: rec.publisher.countryAlt,
    publisherKind: rec.publisher.kind,
  };
}

export interface ResolvedNode {
  root: RootResult;
  update: OriginUpdate;
}

/**
 * The real root of a derivative across hops, and the root key, family, origin and mirrors that follow from it.
 * A base the lookup does not know stays the (dangling) root. The walk starts from `node` itself, so a payload
 * that repeats a key resolves each copy from its own bases.
 */
export function resolveNode(
  node: LineageNode,
  lookup: (key: string) => LineageNode | undefined,
  registry: Registry,
  maxDepth: number,
): ResolvedNode {
  const key = node.key;
  const root = resolveRoot(key, (k) => (k === key ? node : lookup(k)), maxDepth);
  const rootNode = root.root === key ? node : lookup(root.root);
  // A node found under an id it no longer has (a renamed model, store/sql.ts getLineageNodes) carries its key now.
  const rootKey = rootNode?.key ?? root.root;
  const id = splitKey(key)?.id ?? '';
  const origin = originOf({
    platform: node.platform,
    id,
    namespace: node.namespace,
    createdAt: node.createdAt,
    relation: node.relation,
    root: rootKey,
    rootCreatedAt: rootNode?.createdAt ?? null,
    registry,
  });
  return {
    root,
    update: {
      key,
      rootKey,
      family: familyOf(rootKey),
      originOrg: origin.org,
      originCountry: origin.country,
      originCountryAlt: origin.countryAlt,
      originKind: origin.kind,
      originBasis: origin.basis,
      mirrors: mirrorCandidates(node.platform, id, registry),
    },
  };
}

/** The record as the store reads it back after the update (store/sql.ts toRecord overrides the same fields). */
export function withOriginUpdate(rec: NormalisedRecord, u: OriginUpdate): NormalisedRecord {
  return {
    ...rec,
    lineage: { ...rec.lineage, root: u.rootKey, family: u.family },
    origin: {
      org: u.originOrg,
      country: u.originCountry,
      countryAlt: u.originCountryAlt,
      kind: u.originKind,
      basis: u.originBasis,
    },
    mirrors: u.mirrors,
  };
}
