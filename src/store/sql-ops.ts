// The operating endpoints' SQL (types.ts OpsStore): a health round trip and the quarantine.
import type { Platform } from '../model.js';
import type { QuarantineItem, QuarantineRow } from './types.js';
import { num, str, strOrNull, type SqlContext } from './sql-shared.js';

export async function ping(ctx: SqlContext): Promise<void> {
  await ctx.db.query('SELECT 1 AS ok');
}

export async function listQuarantine(ctx: SqlContext, limit: number, platform?: Platform): Promise<QuarantineRow[]> {
  const n = Math.min(Math.max(Math.floor(limit), 0), 10_000);
  const rows = await ctx.db.query(
    `SELECT id, quarantined_at, platform, kind, reason, payload, ref FROM quarantine
     ${platform ? 'WHERE platform = $1' : ''} ORDER BY id DESC LIMIT ${n}`,
    platform ? [platform] : [],
  );
  return rows.map((r) => ({
    id: num(r.id),
    at: str(r.quarantined_at),
    platform: str(r.platform) as Platform,
    kind: str(r.kind) as QuarantineItem['kind'],
    reason: str(r.reason),
    payload: str(r.payload),
    ref: strOrNull(r.ref),
  }));
}

export async function countQuarantine(ctx: SqlContext, platform?: Platform): Promise<number> {
  const rows = await ctx.db.query(
    `SELECT COUNT(*) AS n FROM quarantine ${platform ? 'WHERE platform = $1' : ''}`,
    platform ? [platform] : [],
  );
  return num(rows[0]?.n ?? 0);
}
