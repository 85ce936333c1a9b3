// What the daily snapshot reads (types.ts SnapshotStore; the momentum reads are momentum-sql.ts): the stored days
// and their platforms, the day's rows with the history its figures need, and where the day's figures come from.
import { PLATFORMS, type OrgKind, type Platform, type Relation } from '../model.js';
import type { PreviousDates, Provenance, SnapshotRow } from './types.js';
import { addDays } from '../time.js';
import { checkDate, chunkSizeOf, num, numOrNull, str, strOrNull, type SqlContext } from './sql-shared.js';

export async function statsDates(ctx: SqlContext): Promise<string[]> {
  await ctx.prepareRead();
  // stats_days holds each date of daily_stats once (kept by commitPage), so this never scans daily_stats.
  const rows = await ctx.db.query('SELECT date FROM stats_days ORDER BY date');
  return rows.map((r) => str(r.date));
}

export async function platformsOn(ctx: SqlContext, date: string): Promise<Platform[]> {
  checkDate(date);
  await ctx.prepareRead();
  const rows = await ctx.db.query(
    `SELECT platform FROM daily_stats WHERE date = CAST($1 AS DATE) GROUP BY platform ORDER BY platform${ctx.dialect.bytewise}`,
    [date],
  );
  return rows.map((r) => str(r.platform) as Platform);
}

export async function* streamSnapshotRows(
  ctx: SqlContext,
  date: string,
  prevDate: PreviousDates,
  chunkSize?: number,
): AsyncIterable<SnapshotRow[]> {
  checkDate(date);
  // One previous day for all, or one per platform (snapshot/previous.ts: a dump date holds the Hub alone).
  const prevOf = (p: Platform): string | null => {
    const d = prevDate === null || typeof prevDate === 'string' ? prevDate : (prevDate[p] ?? null);
    return d === null ? null : checkDate(d, 'prevDate');
  };
  const n = chunkSizeOf(chunkSize);
  const ago30 = addDays(date, -30);
  await ctx.prepareRead();
  // One query for the whole day, streamed: no re-scan per chunk, and the engine reads each table once. Instants
  // and counts arrive as text and numbers, ready for the rows.
  const d = ctx.dialect;
  const sql = `SELECT k.key, m.platform, m.namespace, ${d.instantText('m.created_at')} AS created_at,
      ${d.instantText('m.released_at')} AS released_at, m.task, m.relation, m.root_key,
      m.family, m.license_class, m.license_id, m.publisher_org, m.publisher_country, m.publisher_country_alt,
      m.publisher_kind, m.origin_org, m.origin_country, m.origin_country_alt, m.origin_kind, m.origin_basis,
      CAST(k.downloads_all_time AS ${d.double}) AS downloads_all_time, CAST(k.downloads30d AS ${d.double}) AS downloads30d,
      CAST(k.likes AS ${d.double}) AS likes, CAST(p.downloads_all_time AS ${d.double}) AS prev_all_time,
      CAST(a.downloads_all_time AS ${d.double}) AS all_time_30d_ago
    FROM daily_stats k
    JOIN models m ON m.key = k.key
    LEFT JOIN (${PLATFORMS.map(
      (p, i) =>
        `SELECT key, downloads_all_time FROM daily_stats WHERE date = CAST($${i + 3} AS DATE) AND platform = '${p}'`,
    ).join(' UNION ALL ')}) p ON p.key = k.key
    LEFT JOIN daily_stats a ON a.date = CAST($2 AS DATE) AND a.key = k.key
    WHERE k.date = CAST($1 AS DATE)
    ORDER BY k.key`;
  const params = [date, ago30, ...PLATFORMS.map(prevOf)];
  for await (const c of ctx.streamQuery(sql, params, n)) {
    const key = c.col('key');
    const platform = c.col('platform');
    const namespace = c.col('namespace');
    const createdAt = c.col('created_at');
    const releasedAt = c.col('released_at');
    const task = c.col('task');
    const relation = c.col('relation');
    const rootKey = c.col('root_key');
    const family = c.col('family');
    const licenseClass = c.col('license_class');
    const licenseId = c.col('license_id');
    const publisherOrg = c.col('publisher_org');
    const publisherCountry = c.col('publisher_country');
    const publisherCountryAlt = c.col('publisher_country_alt');
    const publisherKind = c.col('publisher_kind');
    const originOrg = c.col('origin_org');
    const originCountry = c.col('origin_country');
    const originCountryAlt = c.col('origin_country_alt');
    const originKind = c.col('origin_kind');
    const originBasis = c.col('origin_basis');
    const downloadsAllTime = c.col('downloads_all_time');
    const downloads30d = c.col('downloads30d');
    const likes = c.col('likes');
    const prevAllTime = c.col('prev_all_time');
    const allTime30dAgo = c.col('all_time_30d_ago');
    const out = new Array<SnapshotRow>(c.length);
    for (let i = 0; i < c.length; i++) {
      out[i] = {
        key: str(key[i]),
        platform: str(platform[i]) as Platform,
        namespace: str(namespace[i]),
        createdAt: strOrNull(createdAt[i]),
        releasedAt: strOrNull(releasedAt[i]),
        task: strOrNull(task[i]),
        relation: str(relation[i]) as Relation,
        rootKey: str(rootKey[i]),
        family: strOrNull(family[i]),
        licenseClass: str(licenseClass[i]) as SnapshotRow['licenseClass'],
        licenseId: str(licenseId[i]),
        publisherOrg: strOrNull(publisherOrg[i]),
        publisherCountry: str(publisherCountry[i]),
        publisherCountryAlt: strOrNull(publisherCountryAlt[i]),
        publisherKind: str(publisherKind[i]) as OrgKind,
        originOrg: strOrNull(originOrg[i]),
        originCountry: str(originCountry[i]),
        originCountryAlt: strOrNull(originCountryAlt[i]),
        originKind: str(originKind[i]) as OrgKind,
        originBasis: str(originBasis[i]) as SnapshotRow['originBasis'],
        downloadsAllTime: numOrNull(downloadsAllTime[i]),
        downloads30d: numOrNull(downloads30d[i]),
        likes: numOrNull(likes[i]),
        prevAllTime: numOrNull(prevAllTime[i]),
        allTime30dAgo: numOrNull(allTime30dAgo[i]),
      };
    }
    yield out;
  }
}

export async function provenanceCounts(
  ctx: SqlContext,
  date: string,
): Promise<Partial<Record<Platform, Record<Provenance, number>>>> {
  checkDate(date);
  await ctx.prepareRead();
  const rows = await ctx.db.query(
    `SELECT platform, COALESCE(provenance, 'live') AS provenance, COUNT(*) AS n FROM daily_stats
     WHERE date = CAST($1 AS DATE) GROUP BY platform, COALESCE(provenance, 'live')`,
    [date],
  );
  const out: Partial<Record<Platform, Record<Provenance, number>>> = {};
  for (const r of rows) {
    const p = str(r.platform) as Platform;
    const entry = (out[p] ??= { live: 0, dump: 0 });
    entry[str(r.provenance) === 'dump' ? 'dump' : 'live'] += num(r.n);
  }
  return out;
}
