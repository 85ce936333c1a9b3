// The lineage role's SQL (types.ts LineageStore): derivative keys streamed for the lineage pass, lineage nodes by
// key (a renamed model's under its old key too), models by name for cross-platform identity, origins written back.
import type { OrgKind, Platform, Relation } from '../model.js';
import type { LineageNode, OriginUpdate } from './types.js';
import { KEY_BATCH, chunkSizeOf, clean, jsonArray, str, strOrNull, type Row, type SqlContext } from './sql-shared.js';

const LINEAGE_COLS = `key, platform, namespace, name, relation, base_models, created_at, publisher_org,
  publisher_country, publisher_country_alt, publisher_kind`;

function toLineageNode(r: Row): LineageNode {
  return {
    key: str(r.key),
    platform: str(r.platform) as Platform,
    namespace: str(r.namespace),
    name: str(r.name),
    relation: str(r.relation) as Relation,
    baseModels: jsonArray(r.base_models),
    createdAt: strOrNull(r.created_at),
    publisherOrg: strOrNull(r.publisher_org),
    publisherCountry: str(r.publisher_country),
    publisherCountryAlt: strOrNull(r.publisher_country_alt),
    publisherKind: str(r.publisher_kind) as OrgKind,
  };
}

async function* streamKeys(ctx: SqlContext, where: string, chunkSize: number | undefined): AsyncIterable<string[]> {
  const n = chunkSizeOf(chunkSize);
  await ctx.prepareLineageRead();
  // No ORDER BY: each key is resolved on its own, and a sorted stream would hold the whole sorted key list pinned in
  // the embedded store's buffer pool for the length of the pass, while the pass writes (a 1,000,000-model backfill
  // ran out of its 192MB there).
  for await (const c of ctx.streamQuery(`SELECT key FROM models WHERE ${where}`, [], n)) {
    yield c.col('key').map(str);
  }
}

export function streamDerivativeKeys(ctx: SqlContext, chunkSize?: number): AsyncIterable<string[]> {
  return streamKeys(ctx, `relation <> 'base'`, chunkSize);
}

export function streamUnlinkedRedistributedKeys(ctx: SqlContext, chunkSize?: number): AsyncIterable<string[]> {
  // "No lineage" is no declared base model; such a copy is only linked to its original by name matching.
  return streamKeys(ctx, `publisher_kind = 'redistributor' AND base_models = '[]'`, chunkSize);
}

export async function getLineageNodes(ctx: SqlContext, keys: string[]): Promise<Map<string, LineageNode>> {
  await ctx.prepareLineageRead();
  const out = new Map<string, LineageNode>();
  for (let i = 0; i < keys.length; i += KEY_BATCH) {
    const rows = await ctx.db.query(
      `SELECT ${LINEAGE_COLS} FROM models WHERE key IN (SELECT unnest(CAST($1 AS TEXT[])))`,
      [ctx.textArray(keys.slice(i, i + KEY_BATCH).map(clean))],
    );
    for (const r of rows) out.set(str(r.key), toLineageNode(r));
  }
  // A base named by an id it no longer has (a card written before the rename) is the renamed model: its node is
  // given under the asked key, carrying its own key, so the root is the key the model has now.
  const absent = keys.filter((k) => !out.has(clean(k)));
  for (let i = 0; i < absent.length; i += KEY_BATCH) {
    const rows = await ctx.db.query(
      `SELECT r.old_key AS asked, ${LINEAGE_COLS.split(',')
        .map((c) => `m.${c.trim()}`)
        .join(', ')}
       FROM model_renames r JOIN models m ON m.key = r.new_key
       WHERE r.old_key IN (SELECT unnest(CAST($1 AS TEXT[])))`,
      [ctx.textArray(absent.slice(i, i + KEY_BATCH).map(clean))],
    );
    for (const r of rows) out.set(str(r.asked), toLineageNode(r));
  }
  return out;
}

export async function findByNames(
  ctx: SqlContext,
  platform: Platform,
  names: string[],
): Promise<Map<string, LineageNode[]>> {
  await ctx.prepareLineageRead();
  const out = new Map<string, LineageNode[]>();
  const lowered = [...new Set(names.map((n) => clean(n.toLowerCase())))];
  for (let i = 0; i < lowered.length; i += KEY_BATCH) {
    // A deleted model is not a match target: linking a copy to it would point lineage at a dead key.
    const rows = await ctx.db.query(
      `SELECT name_lower, ${LINEAGE_COLS} FROM models
       WHERE platform = $1 AND deleted_at IS NULL AND name_lower IN (SELECT unnest(CAST($2 AS TEXT[])))
       ORDER BY key${ctx.dialect.bytewise}`,
      [platform, ctx.textArray(lowered.slice(i, i + KEY_BATCH))],
    );
    for (const r of rows) {
      const name = str(r.name_lower);
      const list = out.get(name);
      if (list) list.push(toLineageNode(r));
      else out.set(name, [toLineageNode(r)]);
    }
  }
  return out;
}

/** The columns the lineage pass writes, each bound as one text array (key first). */
const ORIGIN_COLUMNS: ReadonlyArray<[string, (u: OriginUpdate) => string | null]> = [
  ['key', (u) => clean(u.key)],
  ['root_key', (u) => clean(u.rootKey)],
  ['family', (u) => clean(u.family)],
  ['origin_org', (u) => clean(u.originOrg)],
  ['origin_country', (u) => u.originCountry],
  ['origin_country_alt', (u) => u.originCountryAlt],
  ['origin_kind', (u) => u.originKind],
  ['origin_basis', (u) => u.originBasis],
  ['mirrors', (u) => JSON.stringify(u.mirrors)],
];

/** The columns an origin update sets. */
export const ORIGIN_SET: readonly string[] = ORIGIN_COLUMNS.slice(1).map(([c]) => c);

/**
 * The updates in batches of KEY_BATCH, the last one per key kept: for each batch, a relation of the new values
 * (`SELECT unnest($1) AS key, …`), the columns it sets (all but key) and its parameters.
 */
export function originBatches(
  textArray: SqlContext['textArray'],
  updates: readonly OriginUpdate[],
): Array<{ select: string; set: string[]; params: unknown[] }> {
  const list = [...new Map(updates.map((u) => [u.key, u])).values()];
  const select = ORIGIN_COLUMNS.map(([c], i) => `unnest(CAST($${i + 1} AS TEXT[])) AS ${c}`).join(', ');
  const set = [...ORIGIN_SET];
  const out: Array<{ select: string; set: string[]; params: unknown[] }> = [];
  for (let i = 0; i < list.length; i += KEY_BATCH) {
    const batch = list.slice(i, i + KEY_BATCH);
    out.push({ select, set, params: ORIGIN_COLUMNS.map(([, get]) => textArray(batch.map(get))) });
  }
  return out;
}

export async function updateOrigins(ctx: SqlContext, updates: OriginUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await ctx.prepareLineageRead();
  await ctx.tx(async (db) => {
    for (const b of originBatches((v) => ctx.textArray(v), updates)) {
      await db.exec(
        `UPDATE models SET ${b.set.map((c) => `${c} = u.${c}`).join(', ')} FROM (SELECT ${b.select}) AS u WHERE models.key = u.key`,
        b.params,
      );
    }
  });
}
