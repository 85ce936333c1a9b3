// The store's two momentum reads (src/snapshot/momentum-build.ts), in the SQL both engines share: the snapshot role's
// reads beside sql-snapshot.ts, forwarded to by SqlStore like every role's SQL. Both stream: memory follows a chunk (or
// a page of models), never the catalogue × days.
import type { Platform, Relation } from '../model.js';
import { addDays } from '../time.js';
import { checkDate, chunkSizeOf, num, numOrNull, str, strOrNull, type SqlContext } from './sql-shared.js';
import type { AdoptionChunk, AdoptionHistory, MomentumRow } from './types.js';

/** Reference models in the first page of streamAdoptionHistories; each later page is 4 times larger, up to the cap. */
const FIRST_PAGE = 500;
const MAX_PAGE = 32_000;

export async function* streamMomentumRows(
  ctx: SqlContext,
  date: string,
  at7: string | null,
  at28: string | null,
  chunkSize?: number,
): AsyncIterable<MomentumRow[]> {
  checkDate(date);
  if (at7 !== null) checkDate(at7, 'at7');
  if (at28 !== null) checkDate(at28, 'at28');
  const n = chunkSizeOf(chunkSize);
  await ctx.prepareRead();
  const d = ctx.dialect;
  const sql = `SELECT k.key, m.platform, m.name, CAST(m.params AS ${d.double}) AS params, m.relation,
      ${d.instantText('m.created_at')} AS created_at, m.task, m.publisher_country, m.origin_country,
      CAST(k.downloads_all_time AS ${d.double}) AS all_time, CAST(w.downloads_all_time AS ${d.double}) AS all_time_7,
      CAST(f.downloads_all_time AS ${d.double}) AS all_time_28
    FROM daily_stats k
    JOIN models m ON m.key = k.key
    LEFT JOIN daily_stats w ON w.date = CAST($2 AS DATE) AND w.key = k.key
    LEFT JOIN daily_stats f ON f.date = CAST($3 AS DATE) AND f.key = k.key
    WHERE k.date = CAST($1 AS DATE)
    ORDER BY k.key${d.bytewise}`;
  for await (const c of ctx.streamQuery(sql, [date, at7, at28], n)) {
    const cols = {
      key: c.col('key'),
      platform: c.col('platform'),
      name: c.col('name'),
      params: c.col('params'),
      relation: c.col('relation'),
      createdAt: c.col('created_at'),
      task: c.col('task'),
      publisherCountry: c.col('publisher_country'),
      originCountry: c.col('origin_country'),
      allTime: c.col('all_time'),
      at7: c.col('all_time_7'),
      at28: c.col('all_time_28'),
    };
    const out = new Array<MomentumRow>(c.length);
    for (let i = 0; i < c.length; i++) {
      out[i] = {
        key: str(cols.key[i]),
        platform: str(cols.platform[i]) as Platform,
        name: str(cols.name[i]),
        params: numOrNull(cols.params[i]),
        relation: str(cols.relation[i]) as Relation,
        createdAt: strOrNull(cols.createdAt[i]),
        task: strOrNull(cols.task[i]),
        publisherCountry: str(cols.publisherCountry[i]),
        originCountry: str(cols.originCountry[i]),
        allTime: numOrNull(cols.allTime[i]),
        allTimeAt7: numOrNull(cols.at7[i]),
        allTimeAt28: numOrNull(cols.at28[i]),
      };
    }
    yield out;
  }
}

/** A reference model of the page before its history is read. */
type PageModel = Omit<AdoptionHistory, 'dates' | 'counts'>;

/**
 * Pages of reference models by (count on `date` desc, key), each page's histories streamed by key. Within a page the
 * order is by key, so each chunk promises only what the page allows: later models count at most the page's largest
 * count while the page is read, and at most its smallest after it.
 */
export async function* streamAdoptionHistories(
  ctx: SqlContext,
  date: string,
  createdFrom: string,
  chunkSize?: number,
): AsyncIterable<AdoptionChunk> {
  checkDate(date);
  checkDate(createdFrom, 'createdFrom');
  const n = chunkSizeOf(chunkSize);
  const d = ctx.dialect;
  const endExclusive = `${addDays(date, 1)}T00:00:00.000Z`;
  let after: { current: number; key: string } | null = null;
  let pageSize = FIRST_PAGE;
  for (;;) {
    await ctx.prepareRead();
    const params: unknown[] = [date, `${createdFrom}T00:00:00.000Z`, endExclusive];
    let keyset = '';
    if (after) {
      params.push(after.current, after.key);
      keyset = `AND (CAST(k.downloads_all_time AS ${d.double}) < $4
        OR (CAST(k.downloads_all_time AS ${d.double}) = $4 AND k.key${d.bytewise} > $5))`;
    }
    const rows = await ctx.db.query(
      `SELECT k.key, m.platform, m.name, CAST(m.params AS ${d.double}) AS params, ${d.instantText('m.created_at')} AS created_at,
         m.task, CAST(k.downloads_all_time AS ${d.double}) AS current
       FROM daily_stats k JOIN models m ON m.key = k.key
       WHERE k.date = CAST($1 AS DATE) AND k.downloads_all_time IS NOT NULL AND m.relation = 'base'
         AND m.created_at >= CAST($2 AS TIMESTAMPTZ) AND m.created_at < CAST($3 AS TIMESTAMPTZ) ${keyset}
       ORDER BY k.downloads_all_time DESC, k.key${d.bytewise} LIMIT ${pageSize}`,
      params,
    );
    if (rows.length === 0) return;
    const page = new Map<string, PageModel>();
    for (const r of rows) {
      const key = str(r.key);
      page.set(key, {
        key,
        platform: str(r.platform) as Platform,
        name: str(r.name),
        params: numOrNull(r.params),
        createdAt: str(r.created_at),
        task: strOrNull(r.task),
        current: num(r.current),
      });
    }
    const last = rows[rows.length - 1]!;
    const pageMax = num(rows[0]!.current);
    const pageMin = num(last.current);
    yield* pageHistories(ctx, date, page, pageMax, n);
    if (rows.length < pageSize) return;
    // Models after the page count at most its smallest count (later chunks of this page promised its largest).
    yield { models: [], restAtMost: pageMin };
    after = { current: pageMin, key: str(last.key) };
    pageSize = Math.min(pageSize * 4, MAX_PAGE);
  }
}

async function* pageHistories(
  ctx: SqlContext,
  date: string,
  page: ReadonlyMap<string, PageModel>,
  pageMax: number,
  chunkSize: number,
): AsyncIterable<AdoptionChunk> {
  const d = ctx.dialect;
  const sql = `SELECT h.key, h.date, CAST(h.downloads_all_time AS ${d.double}) AS all_time FROM daily_stats h
    WHERE h.key IN (SELECT unnest(CAST($1 AS TEXT[]))) AND h.date <= CAST($2 AS DATE) AND h.downloads_all_time IS NOT NULL
    ORDER BY h.key${d.bytewise}, h.date`;
  let cur: AdoptionHistory | null = null;
  let ready: AdoptionHistory[] = [];
  const start = (m: PageModel): AdoptionHistory => ({ ...m, dates: [], counts: [] });
  for await (const c of ctx.streamQuery(sql, [ctx.textArray([...page.keys()]), date], chunkSize)) {
    const keys = c.col('key');
    const dates = c.col('date');
    const counts = c.col('all_time');
    for (let i = 0; i < c.length; i++) {
      const key = str(keys[i]);
      if (cur === null || cur.key !== key) {
        if (cur !== null) ready.push(cur);
        const m = page.get(key);
        if (!m) throw new Error(`store: history of ${key} was not asked for`);
        cur = start(m);
      }
      cur.dates.push(str(dates[i]));
      cur.counts.push(num(counts[i]));
    }
    if (ready.length > 0) {
      yield { models: ready, restAtMost: pageMax };
      ready = [];
    }
  }
  if (cur !== null) ready.push(cur);
  if (ready.length > 0) yield { models: ready, restAtMost: pageMax };
}
