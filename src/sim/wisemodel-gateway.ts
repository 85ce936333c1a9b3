// WiseModel's JSON gateway as the official SDK meets it (research note §B2, wisemodel/wisemodel-hub auth.py,
// utils.py, constants.py; the notebook's printed answers):
//
//   POST /gateway/user/api/v1/login              {username, password, way: "normal"} → {code: 0, data: {token}}
//   POST /gateway/project/api/v1/branchlist      {project_path: "https://www.wisemodel.cn/{type}/{owner}/{name}"} with
//                                                `authorization: Bearer <jwt>` → {code: 0, data: {list: [{branch}]}};
//                                                code 10003 when the repository does not exist
//
// Every answer is HTTP 200 with the envelope `{code, message, data}`; the SDK reads `code` whatever the status.
// `code` 0 is success, 10003 not found, "B2002" an expired token (the SDK logs in again). The token is an HS256 JWT
// whose claims are those the notebook's tokens carry (exp, user_id, username, iss "sz"), valid three days as
// theirs were.
//
// What the evidence does not show, and the simulator had to choose (said so where it matters):
// - a call without a token, or with one that does not verify, answers "B2002" like an expired one;
// - a failed login answers code 10002 with a Chinese message;
// - the downloads list below: no such gateway endpoint is known. Its path, body and fields are the simulator's own,
//   a stand-in for whatever an operator finds with the browser's developer tools; hubwatch reads it only through
//   the mapping in `sources.wisemodel.gateway.downloads`, the way it would read the real one.
//
//   POST /gateway/project/api/v1/hubwatch-sim/models   {baseReq: {page, pageSize}} with a token →
//        {code: 0, data: {list: [{project_path, download_count, like_count}], total}} (models only, newest first)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { html, json, type PlatformContext, type Reply, type RequestInfo } from './http.js';
import { WmPart } from './wisemodel-part.js';
import type { WmDrift } from './wisemodel-faults.js';

/** The simulator's one account. */
export const WM_SIM_USER = 'hubwatch-sim';
export const WM_SIM_PASSWORD = 'sim-password-not-secret';
/** The stand-in downloads endpoint (see the file comment: not WiseModel's). */
export const WM_SIM_DOWNLOADS_PATH = '/gateway/project/api/v1/hubwatch-sim/models';
const TOKEN_TTL_SEC = 3 * 86_400;
const SECRET = 'wisemodel-sim-hs256';
const SITE = 'https://www.wisemodel.cn';

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/** A gateway token as the login call hands it out; `issuedAtMs` lets tests make an old one. */
export function simToken(issuedAtMs = Date.now(), username = WM_SIM_USER): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const body = b64url(
    JSON.stringify({ exp: Math.floor(issuedAtMs / 1000) + TOKEN_TTL_SEC, user_id: 8736, username, iss: 'sz' }),
  );
  const sig = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** The token's issue time (ms), or null when it does not verify or has expired. */
function verify(token: string, nowMs: number): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const want = createHmac('sha256', SECRET).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2]!, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) return null;
    return (claims.exp - TOKEN_TTL_SEC) * 1000;
  } catch {
    return null;
  }
}

/** `https://www.wisemodel.cn/{type}/{owner}/{name}` (any host) to its parts. */
function projectPath(v: unknown): { type: string; id: string } | null {
  if (typeof v !== 'string') return null;
  const m = /^(?:https?:\/\/[^/]+)?\/(models|datasets|codes)\/([^/\s]+)\/([^/\s]+)\/?$/.exec(v.trim());
  return m ? { type: m[1]!, id: `${m[2]}/${m[3]}` } : null;
}

export class WmGateway extends WmPart {
  /** When each token this gateway handed out was issued (ms): the JWT's claims hold whole seconds only. */
  private readonly issued = new Map<string, number>();

  /** The envelope, or the changed one of the `envelope` drift. */
  private env(drift: WmDrift, code: number | string, message: string, data: unknown): Reply {
    if (drift.gateway === 'envelope') return json(200, { status: code, msg: message, result: data });
    return json(200, { code, message, data });
  }

  handle(req: RequestInfo, ctx: PlatformContext): Reply {
    const drift: WmDrift = ctx.faults.wmDrift ?? {};
    if (drift.gateway === 'absent') return this.site.notFound();
    if (req.method !== 'POST')
      return html(
        405,
        '<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center><hr><center>nginx</center></body></html>',
      );
    let body: Record<string, unknown> = {};
    try {
      const v = JSON.parse(req.body || '{}') as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
    } catch {
      return this.env(drift, 400, '参数错误', null);
    }
    if (req.path === '/gateway/user/api/v1/login') {
      if (body.username === WM_SIM_USER && body.password === WM_SIM_PASSWORD) {
        const now = Date.now();
        const token = simToken(now);
        if (this.issued.size > 10_000) this.issued.clear();
        this.issued.set(token, now);
        return this.env(drift, 0, 'Success', { token });
      }
      return this.env(drift, 10002, '用户名或密码错误', null);
    }
    const auth = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const verified = auth ? verify(auth[1]!, Date.now()) : null;
    const issued = verified === null ? null : (this.issued.get(auth![1]!) ?? verified);
    if (issued === null || (drift.revokeTokensBefore !== undefined && issued < drift.revokeTokensBefore)) {
      return this.env(drift, 'B2002', 'token已失效，请重新登录', null);
    }
    const dayN = this.dayN();
    if (req.path === '/gateway/project/api/v1/branchlist') {
      const pp = projectPath(body.project_path);
      const p = pp ? this.wm.project(pp.type === 'codes' ? `codes/${pp.id}` : pp.id, dayN) : null;
      if (p === null || this.wm.kindOf(p) !== pp!.type) return this.env(drift, 10003, '仓库不存在', null);
      return this.env(drift, 0, 'Success', { list: [{ branch: 'main' }] });
    }
    if (req.path === WM_SIM_DOWNLOADS_PATH) {
      const baseReq = (body.baseReq ?? {}) as { page?: unknown; pageSize?: unknown };
      const page = Number.isInteger(baseReq.page) && (baseReq.page as number) >= 1 ? (baseReq.page as number) : 1;
      const size =
        Number.isInteger(baseReq.pageSize) && (baseReq.pageSize as number) >= 1
          ? Math.min(200, baseReq.pageSize as number)
          : 20;
      const all = this.wm.list(dayN, 'newest');
      const list = all.slice((page - 1) * size, page * size).map((k) => ({
        project_path: `${SITE}/models/${this.wm.idOf(k)}`,
        download_count: this.wm.downloads(k, dayN),
        like_count: this.wm.likes(k, dayN),
      }));
      return this.env(drift, 0, 'Success', { list, total: all.length });
    }
    return this.env(drift, 10003, '接口不存在', null);
  }
}
