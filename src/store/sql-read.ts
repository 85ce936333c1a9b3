// The read role's SQL (types.ts ReadStore): the API's model lists (keyset cursors), one model, its derivatives,
// its figures over time, the history exports' rows, organisation counts and unknown namespaces.
import { InputError } from '../errors.js';
import type { NormalisedRecord, OrgKind, Platform, Relation } from '../model.js';
import type {
  DerivativeCounts,
  HistoryQuery,
  HistoryRow,
  ModelPage,
  ModelQuery,
  NamespaceDownloads,
  StatsPoint,
} from './types.js';
import {
  KEY_BATCH,
  checkDate,
  chunkSizeOf,
  clean,
  jsonArray,
  likeEscape,
  num,
  numOrNull,
  str,
  strOrNull,
  type Db,
  type Row,
  type SqlContext,
} from './sql-shared.js';

const MAX_LIST_LIMIT = 1000;

/** Former keys of one model looked for among derivatives' bases (each is one more LIKE in the same scan). */
const MAX_ALIASES = 16;

/** Every column a record is rebuilt from; where a whole record is stored, the columns the store changes after it
 * was written (first sighting, release instant, lineage root, origin, mirrors) override it. */
const RECORD_COLS = `record, platform, id, namespace, name, url, created_at, last_modified, first_seen_at, released_at,
  task, library, tags, params, license_raw, license_id, license_name, license_class, license_basis, publisher_org,
  publisher_country, publisher_country_alt, publisher_kind, relation, base_models, root_key, family, origin_org,
  origin_country, origin_country_alt, origin_kind, origin_basis, downloads30d, downloads_all_time, likes, mirrors`;

/** The origin the lineage pass stored, which overrides the one a stored record was written with. */
function originOf(r: Row): NormalisedRecord['origin'] {
  return {
    org: strOrNull(r.origin_org),
    country: str(r.origin_country),
    countryAlt: strOrNull(r.origin_country_alt),
    kind: str(r.origin_kind) as OrgKind,
    basis: str(r.origin_basis) as NormalisedRecord['origin']['basis'],
  };
}

function toRecord(r: Row): NormalisedRecord {
  if (r.record === null) {
    const namespace = str(r.namespace);
    return {
      key: str(r.key),
      platform: str(r.platform) as Platform,
      id: str(r.id),
      namespace,
      name: str(r.name),
      url: str(r.url),
      createdAt: strOrNull(r.created_at),
      lastModified: strOrNull(r.last_modified),
      firstSeenAt: str(r.first_seen_at),
      releasedAt: strOrNull(r.released_at),
      task: strOrNull(r.task),
      library: strOrNull(r.library),
      tags: jsonArray(r.tags),
      params: numOrNull(r.params),
      license: {
        raw: strOrNull(r.license_raw),
        id: str(r.license_id),
        name: str(r.license_name),
        class: str(r.license_class) as NormalisedRecord['license']['class'],
        basis: str(r.license_basis),
      },
      publisher: {
        namespace,
        org: strOrNull(r.publisher_org),
        country: str(r.publisher_country),
        countryAlt: strOrNull(r.publisher_country_alt),
        kind: str(r.publisher_kind) as OrgKind,
      },
      lineage: {
        relation: str(r.relation) as Relation,
        baseModels: jsonArray(r.base_models),
        root: str(r.root_key),
        family: strOrNull(r.family),
      },
      origin: originOf(r),
      stats: {
        downloads30d: numOrNull(r.downloads30d),
        downloadsAllTime: numOrNull(r.downloads_all_time),
        likes: numOrNull(r.likes),
      },
      mirrors: jsonArray(r.mirrors),
    };
  }
  const rec = JSON.parse(str(r.record)) as NormalisedRecord;
  return {
    ...rec,
    firstSeenAt: str(r.first_seen_at),
    releasedAt: strOrNull(r.released_at),
    lineage: { ...rec.lineage, root: str(r.root_key), family: strOrNull(r.family) },
    origin: originOf(r),
    mirrors: jsonArray(r.mirrors),
  };
}

interface Cursor {
  releasedAt: string | null;
  key: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.releasedAt, c.key]), 'utf8').toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (v[0] === null || typeof v[0] === 'string') && typeof v[1] === 'string') {
      if (v[0] !== null && Number.isNaN(Date.parse(v[0]))) throw new Error('bad instant');
      return { releasedAt: v[0], key: v[1] };
    }
  } catch {
    // fall through to the one error below
  }
  throw new InputError('The cursor is not one this service issued; start again without a cursor.', { exitCode: 2 });
}

/** streamHistory also asks whether daily_stats has the provenance column (migration 5), which the store remembers. */
export interface HistorySqlContext extends SqlContext {
  hasProvenanceColumn(): Promise<boolean>;
}

/** Whether daily_stats has the provenance column (migration 5). */
export async function provenanceColumnExists(db: Db): Promise<boolean> {
  const rows = await db.query(
    `SELECT COUNT(*) AS n FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'daily_stats' AND column_name = 'provenance'`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

export async function listModels(ctx: SqlContext, q: ModelQuery): Promise<ModelPage> {
  const limit = Math.min(Math.max(Math.floor(q.limit), 1), MAX_LIST_LIMIT);
  const view = q.view ?? 'origin';
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['deleted_at IS NULL'];
  if (q.platform) where.push(`platform = ${p(q.platform)}`);
  if (q.country) where.push(`${view}_country = ${p(q.country.toUpperCase())}`);
  // Registry org names are ASCII in practice; lower() on both sides keeps the match case-insensitive.
  if (q.org) where.push(`lower(${view}_org) = lower(${p(q.org)})`);
  if (q.kind) where.push(`${view}_kind = ${p(q.kind)}`);
  if (q.licenseClass) where.push(`license_class = ${p(q.licenseClass)}`);
  if (q.relation) where.push(`relation = ${p(q.relation)}`);
  if (q.since) {
    if (Number.isNaN(Date.parse(q.since)))
      throw new InputError(`since must be an ISO instant, got ${q.since}`, { exitCode: 2 });
    where.push(`released_at >= CAST(${p(new Date(q.since).toISOString())} AS TIMESTAMPTZ)`);
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    const k = p(c.key);
    // Rows without a release instant sort last (NULLS LAST), so they follow every dated row.
    where.push(
      c.releasedAt === null
        ? `(released_at IS NULL AND key < ${k})`
        : `(released_at < CAST(${p(c.releasedAt)} AS TIMESTAMPTZ) OR (released_at = CAST($${params.length} AS TIMESTAMPTZ) AND key < ${k}) OR released_at IS NULL)`,
    );
  }
  await ctx.prepareRead();
  const rows = await ctx.db.query(
    `SELECT key, ${RECORD_COLS} FROM models WHERE ${where.join(' AND ')}
     ORDER BY released_at DESC NULLS LAST, key DESC LIMIT ${limit + 1}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toRecord),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ releasedAt: strOrNull(last.released_at), key: str(last.key) })
        : null,
  };
}

export async function getModel(ctx: SqlContext, key: string): Promise<NormalisedRecord | null> {
  await ctx.prepareRead();
  const rows = await ctx.db.query(`SELECT key, ${RECORD_COLS} FROM models WHERE key = $1`, [clean(key)]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function renamedTo(ctx: SqlContext, key: string): Promise<string | null> {
  let cur = clean(key);
  // A chain of renames (a → b → c) ends at the key stored now; a loop (a → b → a) ends where it started.
  for (let hop = 0; hop < 8; hop++) {
    const rows = await ctx.db.query('SELECT new_key FROM model_renames WHERE old_key = $1', [cur]);
    const next = rows[0] ? str(rows[0].new_key) : null;
    if (next === null || next === key) break;
    cur = next;
  }
  return cur === clean(key) ? null : cur;
}

export async function derivativeCounts(ctx: SqlContext, key: string): Promise<DerivativeCounts> {
  await ctx.prepareRead();
  const own = clean(key);
  // A derivative whose card was written before a rename still names the old key (lineage resolves it for the
  // root, but base_models keeps the card's words), so the keys this model had count as its own.
  const names = new Set([key, own]);
  let frontier = [own];
  for (let hop = 0; hop < 8 && frontier.length > 0 && names.size < MAX_ALIASES; hop++) {
    const rows = await ctx.db.query(
      'SELECT old_key FROM model_renames WHERE new_key IN (SELECT unnest(CAST($1 AS TEXT[])))',
      [ctx.textArray(frontier)],
    );
    frontier = rows.map((r) => str(r.old_key)).filter((k) => !names.has(k));
    for (const k of frontier) names.add(k);
  }
  // base_models is JSON text and the two engines share no JSON containment operator (PostgreSQL's jsonb `?`,
  // DuckDB's json functions), nor an index on it. A LIKE on the key as JSON writes it, quotes included, is plain
  // SQL both run inside the one scan the root count needs anyway, and it finds every real derivative: an array's
  // text holds each element exactly as JSON.stringify writes that element alone. It can also match inside
  // another element (base `"x:a\` contains the text of key `x:a\` quoted), so it is only a pre-filter: rows are
  // grouped by their base list text (a popular model's thousands of derivatives share a handful of lists), and
  // each group is checked exactly here before it counts. `%`, `_` and the escape character in keys are escaped.
  const params: unknown[] = [own];
  const likes = [...names].map((k) => {
    params.push(`%${likeEscape(JSON.stringify(k))}%`);
    return `base_models LIKE $${params.length} ESCAPE '\\'`;
  });
  const direct = `(${likes.join(' OR ')})`;
  const rows = await ctx.db.query(
    `SELECT relation, CASE WHEN ${direct} THEN base_models END AS bases, COUNT(*) AS n,
       SUM(CASE WHEN root_key = $1 THEN 1 ELSE 0 END) AS under_root
     FROM models
     WHERE deleted_at IS NULL AND key <> $1 AND (root_key = $1 OR ${direct})
     GROUP BY relation, CASE WHEN ${direct} THEN base_models END`,
    params,
  );
  const byRelation = new Map<Relation, number>();
  let descendants = 0;
  for (const r of rows) {
    descendants += num(r.under_root);
    const bases = strOrNull(r.bases);
    if (bases === null || !jsonArray(bases).some((b) => names.has(b) || names.has(clean(b)))) continue;
    const rel = str(r.relation) as Relation;
    byRelation.set(rel, (byRelation.get(rel) ?? 0) + num(r.n));
  }
  const directRows = [...byRelation.entries()]
    .map(([relation, models]) => ({ relation, models }))
    .sort((a, b) => b.models - a.models || (a.relation < b.relation ? -1 : 1));
  return { direct: directRows, directTotal: directRows.reduce((t, r) => t + r.models, 0), descendants };
}

export async function statsHistory(ctx: SqlContext, key: string): Promise<StatsPoint[]> {
  await ctx.prepareRead();
  const rows = await ctx.db.query(
    'SELECT date, downloads_all_time, downloads30d, likes FROM daily_stats WHERE key = $1 ORDER BY date',
    [clean(key)],
  );
  return rows.map((r) => ({
    date: str(r.date),
    downloadsAllTime: numOrNull(r.downloads_all_time),
    downloads30d: numOrNull(r.downloads30d),
    likes: numOrNull(r.likes),
  }));
}

export async function statsHistories(ctx: SqlContext, keys: string[]): Promise<Map<string, StatsPoint[]>> {
  await ctx.prepareRead();
  const out = new Map<string, StatsPoint[]>();
  // One scan per batch of keys instead of one per key: without a secondary index (DuckDB) a key lookup scans
  // daily_stats, so the digest's few hundred notable models would cost a few hundred scans.
  for (let i = 0; i < keys.length; i += KEY_BATCH) {
    const rows = await ctx.db.query(
      `SELECT key, date, downloads_all_time, downloads30d, likes FROM daily_stats
       WHERE key IN (SELECT unnest(CAST($1 AS TEXT[]))) ORDER BY key${ctx.dialect.bytewise}, date`,
      [ctx.textArray(keys.slice(i, i + KEY_BATCH).map(clean))],
    );
    for (const r of rows) {
      const k = str(r.key);
      let list = out.get(k);
      if (!list) out.set(k, (list = []));
      list.push({
        date: str(r.date),
        downloadsAllTime: numOrNull(r.downloads_all_time),
        downloads30d: numOrNull(r.downloads30d),
        likes: numOrNull(r.likes),
      });
    }
  }
  return out;
}

export async function* streamHistory(
  ctx: HistorySqlContext,
  q: HistoryQuery,
  chunkSize?: number,
): AsyncIterable<HistoryRow[]> {
  const n = chunkSizeOf(chunkSize);
  if ((q.date === undefined) === (q.keys === undefined))
    throw new InputError('streamHistory: give a date or keys, not both');
  if (q.keys !== undefined && q.keys.length > KEY_BATCH) {
    throw new InputError(`streamHistory: at most ${KEY_BATCH} keys at once, got ${q.keys.length}`);
  }
  await ctx.prepareRead();
  const provenance = (await ctx.hasProvenanceColumn()) ? 'provenance' : 'CAST(NULL AS TEXT)';
  const d = ctx.dialect;
  const select = `SELECT date, key, platform, CAST(downloads_all_time AS ${d.double}) AS downloads_all_time,
      CAST(downloads30d AS ${d.double}) AS downloads30d, CAST(likes AS ${d.double}) AS likes, ${provenance} AS provenance
    FROM daily_stats`;
  const [sql, params] =
    q.date !== undefined
      ? [`${select} WHERE date = CAST($1 AS DATE) ORDER BY key${d.bytewise}`, [checkDate(q.date)]]
      : [
          `${select} WHERE key IN (SELECT unnest(CAST($1 AS TEXT[]))) ORDER BY key${d.bytewise}, date`,
          [ctx.textArray(q.keys.map(clean))],
        ];
  for await (const c of ctx.streamQuery(sql, params, n)) {
    const [date, key, platform, all, d30, likes, prov] = [
      c.col('date'),
      c.col('key'),
      c.col('platform'),
      c.col('downloads_all_time'),
      c.col('downloads30d'),
      c.col('likes'),
      c.col('provenance'),
    ];
    const out = new Array<HistoryRow>(c.length);
    for (let i = 0; i < c.length; i++) {
      out[i] = {
        date: str(date[i]),
        key: str(key[i]),
        platform: str(platform[i]) as Platform,
        downloadsAllTime: numOrNull(all[i]),
        downloads30d: numOrNull(d30[i]),
        likes: numOrNull(likes[i]),
        provenance: strOrNull(prov[i]),
      };
    }
    yield out;
  }
}

export async function orgCounts(
  ctx: SqlContext,
): Promise<Array<{ org: string; publisherModels: number; originModels: number }>> {
  await ctx.prepareRead();
  const rows = await ctx.db.query(
    `SELECT org, SUM(p) AS publisher_models, SUM(o) AS origin_models FROM (
       SELECT publisher_org AS org, 1 AS p, 0 AS o FROM models WHERE publisher_org IS NOT NULL AND deleted_at IS NULL
       UNION ALL
       SELECT origin_org AS org, 0 AS p, 1 AS o FROM models WHERE origin_org IS NOT NULL AND deleted_at IS NULL
     ) t GROUP BY org ORDER BY SUM(p) + SUM(o) DESC, org${ctx.dialect.bytewise}`,
  );
  return rows.map((r) => ({
    org: str(r.org),
    publisherModels: num(r.publisher_models),
    originModels: num(r.origin_models),
  }));
}

export async function unknownNamespaces(
  ctx: SqlContext,
  date: string,
  top: number,
): Promise<{ total: number; rows: NamespaceDownloads[] }> {
  checkDate(date);
  const n = Math.max(0, Math.floor(top));
  await ctx.prepareRead();
  // A platform "has" the 30-day window on a day when any of its rows carries one; the other platforms are
  // ranked by all-time counts. Deciding per platform, not per row, keeps one platform from mixing windows.
  const day = `WITH day AS (
      SELECT s.platform, m.namespace, m.namespace_lower, m.publisher_org,
        CASE WHEN COUNT(s.downloads30d) OVER (PARTITION BY s.platform) > 0
          THEN COALESCE(s.downloads30d, 0) ELSE COALESCE(s.downloads_all_time, 0) END AS dl
      FROM daily_stats s JOIN models m ON m.key = s.key
      WHERE s.date = CAST($1 AS DATE)
    )`;
  const [totalRows, rows] = await Promise.all([
    ctx.db.query(`${day} SELECT COALESCE(SUM(dl), 0) AS total FROM day`, [date]),
    ctx.db.query(
      `${day} SELECT platform, MIN(namespace${ctx.dialect.bytewise}) AS namespace, COUNT(*) AS models,
         SUM(dl) AS downloads
       FROM day WHERE publisher_org IS NULL
       GROUP BY platform, namespace_lower
       ORDER BY SUM(dl) DESC, COUNT(*) DESC, platform${ctx.dialect.bytewise}, namespace_lower${ctx.dialect.bytewise}
       LIMIT ${n}`,
      [date],
    ),
  ]);
  return {
    total: num(totalRows[0]?.total ?? 0),
    rows: rows.map((r) => ({
      platform: str(r.platform) as Platform,
      namespace: str(r.namespace),
      models: num(r.models),
      downloads: num(r.downloads),
    })),
  };
}
