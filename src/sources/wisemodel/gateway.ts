// WiseModel's JSON gateway, as its official SDK calls it (wisemodel/wisemodel-hub @ d4d882de: auth.py, utils.py,
// constants.py; research note §B2): every answer is the envelope `{code, message, data}`, `code` 0 meaning success,
// 10003 not found and "B2002" an expired token, on which the SDK logs in again; the token is the JWT that
// `POST /gateway/user/api/v1/login` with `{username, password, way: "normal"}` returns in `data.token`, sent as
// `authorization: Bearer <jwt>`.
//
// No gateway endpoint that lists models or gives download counts is known. The one read here is the operator's,
// found with the browser's developer tools and described in `sources.wisemodel.gateway.downloads` (path, paging,
// field mapping). Without it WiseModel's downloads are null and the day's coverage says why.
//
// WISEMODEL_TOKEN is either that JWT, or `username:password` for the login call (then an expired token is renewed
// once per call). Neither is ever logged or put in a message: only the gateway's own `message` is quoted.
import type { WmGatewayConfig, WmGatewayDownloads } from '../../config.js';
import type { Logger } from '../../log.js';
import type { HttpClient } from '../http.js';
import { WmEnvelopeSchema, type WmEnvelope } from './schema.js';

export const CODE_OK = 0;
export const CODE_NOT_FOUND = 10003;
export const CODE_TOKEN_EXPIRED = 'B2002';

/** The gateway answered, but not with what was asked; retrying the same call will not help. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: number | string | null = null,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

type Credentials = { kind: 'jwt'; token: string } | { kind: 'login'; username: string; password: string } | null;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function readToken(raw: string | null): Credentials {
  if (raw === null) return null;
  if (JWT.test(raw)) return { kind: 'jwt', token: raw };
  const colon = raw.indexOf(':');
  if (colon > 0) return { kind: 'login', username: raw.slice(0, colon), password: raw.slice(colon + 1) };
  return { kind: 'jwt', token: raw };
}

/** A JWT's `exp` claim (epoch seconds), when it has one. */
export function jwtExpiry(token: string): number | null {
  const body = token.split('.')[1];
  if (!body) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : null;
  } catch {
    return null;
  }
}

export const isOk = (code: unknown): boolean => code === CODE_OK || code === '0';

/** A dotted path into a JSON value (`data.list`). */
export function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** An exact count: an integer, or a string of digits. Display forms ("1.2万") are approximations: not counts. */
export function exactCount(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return null;
}

/** `owner/name`, `/models/owner/name` or a model page URL to `owner/name`; null for datasets, code repos and junk. */
export function modelIdOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(?:https?:\/\/[^/]+)?\/?(?:(models|datasets|codes)\/)?([^/\s?#]+)\/([^/\s?#]+)\/?$/.exec(v.trim());
  if (!m || (m[1] !== undefined && m[1] !== 'models')) return null;
  return `${m[2]}/${m[3]}`;
}

export interface DownloadFigures {
  /** `owner/name` → the gateway's figures. */
  figures: Map<string, { downloads: number | null; likes: number | null }>;
  pages: number;
  /** Items listed, and those whose id or count could not be read. */
  listed: number;
  unreadable: number;
  /** The endpoint's total, when it gives one. */
  total: number | null;
  /** Why the list may be short (the page cap), or null. */
  short: string | null;
}

export class Gateway {
  readonly #http: HttpClient;
  readonly #base: string;
  readonly #settings: WmGatewayConfig;
  readonly #credentials: Credentials;
  readonly #log: Logger;
  #jwt: string | null;

  constructor(opts: { http: HttpClient; base: string; settings: WmGatewayConfig; token: string | null; log: Logger }) {
    this.#http = opts.http;
    this.#base = opts.base;
    this.#settings = opts.settings;
    this.#credentials = readToken(opts.token);
    this.#log = opts.log;
    this.#jwt = this.#credentials?.kind === 'jwt' ? this.#credentials.token : null;
  }

  get downloadsConfig(): WmGatewayDownloads | null {
    return this.#settings.downloads;
  }

  /** How the token was given, for notes: never the token itself. */
  get tokenForm(): 'none' | 'jwt' | 'login' {
    return this.#credentials === null ? 'none' : this.#credentials.kind;
  }

  /** One gateway call: the envelope, whatever its code (HTTP errors are the client's). */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body: Record<string, unknown>,
    opts: { auth: boolean; signal?: AbortSignal; what: string },
  ): Promise<WmEnvelope> {
    let url = `${this.#base}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth && this.#jwt !== null) headers.authorization = `Bearer ${this.#jwt}`;
    let payload: string | undefined;
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    } else {
      const u = new URL(url);
      for (const [k, v] of Object.entries(body))
        u.searchParams.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
      url = u.toString();
    }
    const res = await this.#http.send<unknown>(url, {
      method,
      headers,
      body: payload,
      signal: opts.signal,
      what: opts.what,
      // The SDK reads the envelope whatever the status; so does hubwatch, for the 4xx it can explain.
      passStatuses: [400, 401, 403, 404],
      parse: (text) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return { __notJson: text.slice(0, 200) };
        }
      },
    });
    const env = WmEnvelopeSchema.safeParse(res.body);
    if (!env.success) {
      const seen = (res.body as { __notJson?: string }).__notJson;
      throw new GatewayError(
        `the gateway at ${path} did not answer with its {code, message, data} envelope (HTTP ${res.status}${seen !== undefined ? `, ${/<html|<!doctype/i.test(seen) ? 'an HTML page' : 'not JSON'}` : `, keys ${Object.keys((res.body as object) ?? {}).join(', ') || 'none'}`})`,
      );
    }
    return env.data;
  }

  /** POST to the login call with the configured credentials: a fresh JWT. */
  async login(signal?: AbortSignal): Promise<string> {
    const c = this.#credentials;
    if (c?.kind !== 'login')
      throw new GatewayError('no credentials to log in with (WISEMODEL_TOKEN is not username:password)');
    const env = await this.call(
      'POST',
      this.#settings.loginPath,
      { username: c.username, password: c.password, way: 'normal' },
      { auth: false, signal, what: 'gateway login' },
    );
    const token = at(env.data, 'token');
    if (!isOk(env.code) || typeof token !== 'string' || token === '') {
      throw new GatewayError(`login refused (code ${String(env.code)}: ${env.message ?? 'no message'})`, env.code);
    }
    this.#jwt = token;
    this.#log.info('logged in to the WiseModel gateway');
    return token;
  }

  /** A call that needs the token: logs in first when it can, and once more on B2002 (as the SDK does). */
  async authed(
    method: 'GET' | 'POST',
    path: string,
    body: Record<string, unknown>,
    opts: { signal?: AbortSignal; what: string },
  ): Promise<WmEnvelope> {
    if (this.#jwt === null && this.#credentials?.kind === 'login') await this.login(opts.signal);
    let env = await this.call(method, path, body, { auth: true, ...opts });
    if (env.code === CODE_TOKEN_EXPIRED && this.#credentials?.kind === 'login') {
      this.#log.info('gateway token expired (B2002); logging in again');
      await this.login(opts.signal);
      env = await this.call(method, path, body, { auth: true, ...opts });
    }
    if (env.code === CODE_TOKEN_EXPIRED) {
      throw new GatewayError(
        this.#credentials === null
          ? 'the gateway wants a login token (B2002) and WISEMODEL_TOKEN is not set'
          : `the gateway refused the token as expired (B2002: ${env.message ?? ''})${this.#credentials.kind === 'jwt' ? '; renew WISEMODEL_TOKEN, or give it as username:password so that hubwatch logs in itself' : ' even after a fresh login'}`,
        env.code,
      );
    }
    return env;
  }

  /** Walks the configured downloads endpoint to the end: every listed model's figures. */
  async downloads(signal?: AbortSignal): Promise<DownloadFigures> {
    const d = this.#settings.downloads;
    if (d === null) throw new GatewayError('no downloads endpoint configured (sources.wisemodel.gateway.downloads)');
    const out: DownloadFigures = { figures: new Map(), pages: 0, listed: 0, unreadable: 0, total: null, short: null };
    for (let page = 1; ; page++) {
      if (page > d.maxPages) {
        out.short = `stopped at maxPages (${d.maxPages})`;
        break;
      }
      const body: Record<string, unknown> =
        d.paging === 'baseReq' && d.method === 'POST'
          ? { ...d.body, baseReq: { page, pageSize: d.pageSize } }
          : { ...d.body, page, pageSize: d.pageSize };
      const what = 'gateway downloads page';
      const env = d.auth
        ? await this.authed(d.method, d.path, body, { signal, what })
        : await this.call(d.method, d.path, body, { auth: false, signal, what });
      if (!isOk(env.code)) {
        throw new GatewayError(
          `${d.path} answered code ${String(env.code)}${env.code === CODE_NOT_FOUND ? ' (not found)' : ''}: ${env.message ?? 'no message'}`,
          env.code,
        );
      }
      const items = at(env, d.itemsPath);
      if (!Array.isArray(items))
        throw new GatewayError(
          `${d.path}: no array at ${d.itemsPath} (check sources.wisemodel.gateway.downloads.itemsPath)`,
        );
      out.pages++;
      if (d.totalPath !== null) out.total = exactCount(at(env, d.totalPath)) ?? out.total;
      for (const it of items) {
        out.listed++;
        const id =
          d.idField !== null
            ? modelIdOf(at(it, d.idField))
            : modelIdOf(`${String(at(it, d.ownerField!) ?? '')}/${String(at(it, d.nameField!) ?? '')}`);
        const downloads = exactCount(at(it, d.downloadsField));
        if (id === null || downloads === null) {
          out.unreadable++;
          if (id === null) continue;
        }
        out.figures.set(id, { downloads, likes: d.likesField !== null ? exactCount(at(it, d.likesField)) : null });
      }
      if (items.length < d.pageSize || (out.total !== null && out.listed >= out.total)) break;
    }
    if (out.listed > 0 && out.unreadable === out.listed) {
      throw new GatewayError(
        `${d.path}: none of ${out.listed} items had a readable id and download count under the configured fields (${d.idField ?? `${d.ownerField}+${d.nameField}`}, ${d.downloadsField})`,
      );
    }
    return out;
  }
}
