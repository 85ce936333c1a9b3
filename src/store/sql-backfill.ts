// The backfill's and the quality checks' SQL (types.ts BackfillStore, QualityStore): which keys a dump partition
// must leave alone, one platform's day against an earlier one, and renames matched after the fact.
import type { Platform } from '../model.js';
import type { DayComparison } from './types.js';
import { KEY_BATCH, checkDate, clean, num, str, type SqlContext } from './sql-shared.js';

async function keysWhere(ctx: SqlContext, sql: string, date: string, keys: readonly string[]): Promise<Set<string>> {
  checkDate(date);
  await ctx.prepareRead();
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += KEY_BATCH) {
    const rows = await ctx.db.query(sql, [date, ctx.textArray(keys.slice(i, i + KEY_BATCH).map(clean))]);
    for (const r of rows) out.add(str(r.key));
  }
  return out;
}

export function liveKeysOn(ctx: SqlContext, date: string, keys: readonly string[]): Promise<Set<string>> {
  return keysWhere(
    ctx,
    `SELECT key FROM daily_stats WHERE date = CAST($1 AS DATE) AND provenance = 'live' AND key IN (SELECT unnest(CAST($2 AS TEXT[])))`,
    date,
    keys,
  );
}

export function keysNewerThan(ctx: SqlContext, date: string, keys: readonly string[]): Promise<Set<string>> {
  return keysWhere(
    ctx,
    `SELECT key FROM models WHERE last_seen_date > CAST($1 AS DATE) AND key IN (SELECT unnest(CAST($2 AS TEXT[])))`,
    date,
    keys,
  );
}

export async function compareDays(
  ctx: SqlContext,
  platform: Platform,
  date: string,
  prevDate: string,
  activeFloor: number,
): Promise<DayComparison> {
  checkDate(date);
  checkDate(prevDate, 'prevDate');
  await ctx.prepareRead();
  // "Active" models (at least activeFloor downloads in the 30 days before prevDate, or all-time where the day has no
  // 30-day figure) are those whose counters should move between two stored days; a stall is most of them not moving.
  const rows = await ctx.db.query(
    `WITH c AS (SELECT key, downloads_all_time AS a, downloads30d AS d FROM daily_stats WHERE date = CAST($2 AS DATE) AND platform = $1),
          p AS (SELECT key, downloads_all_time AS a, downloads30d AS d FROM daily_stats WHERE date = CAST($3 AS DATE) AND platform = $1),
          j AS (SELECT c.a AS ca, c.d AS cd, p.a AS pa, p.d AS pd, COALESCE(p.d, p.a) >= $4 AS active FROM c JOIN p ON p.key = c.key)
     SELECT (SELECT COUNT(*) FROM c) AS rows_now, (SELECT COUNT(*) FROM p) AS rows_prev,
       (SELECT COUNT(*) FROM j) AS both_days,
       (SELECT COUNT(*) FROM j WHERE ca IS NOT NULL AND pa IS NOT NULL) AS all_time_compared,
       (SELECT COUNT(*) FROM j WHERE ca < pa) AS all_time_decreased,
       (SELECT COUNT(*) FROM j WHERE active AND COALESCE(ca, cd) IS NOT NULL AND COALESCE(pa, pd) IS NOT NULL
          AND (ca IS NULL) = (pa IS NULL)) AS active_compared,
       (SELECT COUNT(*) FROM j WHERE active AND ((ca IS NOT NULL AND pa IS NOT NULL AND ca = pa)
          OR (ca IS NULL AND pa IS NULL AND cd = pd))) AS active_unmoved`,
    [platform, date, prevDate, activeFloor],
  );
  const r = rows[0] ?? {};
  return {
    rowsNow: num(r.rows_now ?? 0),
    rowsPrev: num(r.rows_prev ?? 0),
    bothDays: num(r.both_days ?? 0),
    allTimeCompared: num(r.all_time_compared ?? 0),
    allTimeDecreased: num(r.all_time_decreased ?? 0),
    activeCompared: num(r.active_compared ?? 0),
    activeUnmoved: num(r.active_unmoved ?? 0),
  };
}

export async function renameCandidates(
  ctx: SqlContext,
  platform: Platform,
  since: string,
  date: string,
): Promise<Array<{ oldKey: string; newKey: string }>> {
  checkDate(date);
  checkDate(since, 'since');
  await ctx.prepareRead();
  // A key last listed from `since` on but not on date (a partial file between may have left it out), and a key
  // first listed on date, with the same creation instant and
  // the same all-time count: the same repository under a new name (Model Pulse's rule on daily data, research/
  // anchors.md §12). Between two weekly files the count moves, so a count that did not go down also matches; where
  // neither day has all-time counts (older files) the creation instant alone does. Only pairs unique on both sides
  // count: an ambiguous match proves nothing.
  const rows = await ctx.db.query(
    `WITH gone AS (
       SELECT m.key, m.created_at, m.downloads_all_time AS a FROM models m
       WHERE m.platform = $1 AND m.created_at IS NOT NULL AND m.deleted_at IS NULL
         AND m.last_seen_date >= CAST($2 AS DATE) AND m.last_seen_date < CAST($3 AS DATE)),
     fresh AS (
       SELECT c.key, m.created_at, c.downloads_all_time AS a FROM daily_stats c JOIN models m ON m.key = c.key
       WHERE c.date = CAST($3 AS DATE) AND c.platform = $1 AND m.created_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM daily_stats e WHERE e.key = c.key AND e.date < CAST($3 AS DATE))),
     pairs AS (SELECT g.key AS old_key, f.key AS new_key FROM gone g JOIN fresh f ON f.created_at = g.created_at
       AND ((f.a IS NULL AND g.a IS NULL) OR f.a >= g.a))
     SELECT old_key, new_key FROM pairs
     WHERE old_key IN (SELECT old_key FROM pairs GROUP BY old_key HAVING COUNT(*) = 1)
       AND new_key IN (SELECT new_key FROM pairs GROUP BY new_key HAVING COUNT(*) = 1)
     ORDER BY old_key${ctx.dialect.bytewise}`,
    [platform, since, date],
  );
  return rows.map((r) => ({ oldKey: str(r.old_key), newKey: str(r.new_key) }));
}

export async function mergeRenamed(
  ctx: SqlContext,
  platform: Platform,
  pairs: ReadonlyArray<{ oldKey: string; newKey: string }>,
  date: string,
): Promise<number> {
  checkDate(date);
  if (pairs.length === 0) return 0;
  await ctx.prepareRead();
  const olds = pairs.map((p) => clean(p.oldKey));
  const news = pairs.map((p) => clean(p.newKey));
  const pairSql = `SELECT unnest(CAST($1 AS TEXT[])) AS old_key, unnest(CAST($2 AS TEXT[])) AS new_key`;
  const params = [ctx.textArray(olds), ctx.textArray(news)];
  return ctx.tx(async (db) => {
    // The history moves as the live path's renames move it (moveKeys): a day with rows under both keys keeps the new.
    await db.exec(
      `DELETE FROM daily_stats WHERE (key, date) IN (
         SELECT p.old_key, d.date FROM (${pairSql}) p JOIN daily_stats d ON d.key = p.new_key)`,
      params,
    );
    await db.exec(
      `UPDATE daily_stats SET key = p.new_key FROM (${pairSql}) p WHERE daily_stats.key = p.old_key`,
      params,
    );
    for (let i = 0; i < olds.length; i++) {
      // The model keeps its first sighting (so it is not announced as a new release); the old row goes.
      await db.exec(
        `UPDATE models SET first_seen_at = o.first_seen_at, released_at = o.released_at FROM models o
         WHERE models.key = $2 AND o.key = $1 AND o.first_seen_at < models.first_seen_at`,
        [olds[i], news[i]],
      );
      await db.exec('DELETE FROM models WHERE key = $1', [olds[i]]);
      await db.exec('DELETE FROM model_renames WHERE old_key = $1', [olds[i]]);
      await db.exec('UPDATE model_renames SET new_key = $2 WHERE new_key = $1', [olds[i], news[i]]);
      await db.exec(
        'INSERT INTO model_renames (old_key, new_key, platform, object_id, renamed_on) VALUES ($1, $2, $3, NULL, CAST($4 AS DATE))',
        [olds[i], news[i], platform, date],
      );
    }
    return olds.length;
  });
}

export async function renamesOn(ctx: SqlContext, platform: Platform, date: string): Promise<number> {
  checkDate(date);
  const rows = await ctx.db.query(
    'SELECT COUNT(*) AS n FROM model_renames WHERE platform = $1 AND renamed_on = CAST($2 AS DATE)',
    [platform, date],
  );
  return num(rows[0]?.n ?? 0);
}
