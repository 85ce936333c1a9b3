// The HTTP layer every source shares: one undici Agent per source, a User-Agent that names hubwatch and its contact
// URL, an optional bearer token (sent only to the platform's own origin, never logged), retries with exponential
// backoff and full jitter for 5xx, timeouts, socket resets and truncated or invalid bodies, pacing from the
// platform's RateLimit headers so that a long sweep normally meets no 429, 429 handling in the two modes the
// runners need (`wait` in-process, `throw` for BullMQ's worker.rateLimit), a politeness delay between requests,
// and the counters that feed the snapshot's coverage. An AbortSignal is honoured everywhere, sleeps included.
//
// Pacing (see `Pacer`): every response's `RateLimit: "api";r=<remaining>;t=<seconds to reset>` (IETF draft v9, the
// Hub's form; the older `RateLimit-Remaining/-Reset` and `X-RateLimit-*` pairs are read too) sets how many requests
// the current window has left, minus the requests still in flight. Each request spends one; when none is left the
// next request waits until the window has ended for certain: the earliest end that the window's answers guarantee
// (each answer's `t` plus a margin, since `t` is whole seconds; for a fixed window, also the answer's arrival plus
// the policy's `w`). A sweep that needs fewer requests than the quota therefore runs at full speed, and a longer one
// runs in bursts of one window each, which is the fastest schedule that meets no 429 under a fixed window.
// `RateLimit-Policy` (q, w) also gives the fallback wait on a 429 that names no reset, and the logs.
import { Agent, fetch as undiciFetch, interceptors, request as undiciRequest, type Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import type { Platform } from '../model.js';
import { PageFailedError, PermanentHttpError, RateLimitedError, TransientHttpError, errorMessage } from '../errors.js';
import type { Config, SourceConfig } from '../config.js';
import { emptyCounters, type PlatformProfile, type RateLimitMode, type SourceCounters } from './types.js';

export type HttpSettings = Pick<
  SourceConfig,
  'maxRetries' | 'backoffMs' | 'maxRateLimitWaitMs' | 'timeoutMs' | 'connections' | 'delayMs'
>;

/** What every platform's source factory is given (src/sources/<platform>/index.ts). */
export interface SourceOptions {
  config: Config;
  logger: Logger;
  rateLimitMode: RateLimitMode;
  /** Test hooks for the HTTP layer (reset margin, jitter, keep-alive, the clock and the wait). */
  http?: Partial<
    Pick<HttpClientOptions, 'resetMarginMs' | 'random' | 'keepAliveTimeoutMs' | 'maxConsecutive429' | 'now' | 'sleep'>
  >;
  /** Clock for quarantine times. */
  now?: () => Date;
}

export interface HttpClientOptions {
  platform: Platform;
  settings: HttpSettings;
  /** `config.file.userAgent`; the contact URL is appended unless it is already in it. */
  userAgent: string;
  contactUrl: string;
  /** Bearer token; sent only to `tokenOrigin` (the platform's base URL) and never logged. */
  token?: string | null;
  tokenOrigin?: string;
  rateLimitMode: RateLimitMode;
  logger: Logger;
  /** `fetch` (undici's, for @huggingface/hub) or `request` (faster; ModelScope, WiseModel). Default `request`. */
  transport?: 'request' | 'fetch';
  /** One request at a time, the next one starting only after the previous ended (WiseModel politeness). */
  serial?: boolean;
  /** Extra wait after a rate-limit window's announced reset (`t` is whole seconds). Default 1000 ms. */
  resetMarginMs?: number;
  /** Consecutive 429s one request accepts in `wait` mode before its page fails. Default 20. */
  maxConsecutive429?: number;
  /** Random source for the jitter (tests). */
  random?: () => number;
  /** The clock and the wait, for tests to run backoffs, 429 waits and pacing without waiting; real ones by default. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Counters to add to (the Source's own); a fresh set when absent. */
  counters?: SourceCounters;
  /** Socket keep-alive; tests use a short one so that servers close promptly. */
  keepAliveTimeoutMs?: number;
}

/** A response as the caller sees it: status, lower-cased headers, the parsed body and the URL without secrets. */
export interface HttpResult<T> {
  status: number;
  headers: HeaderBag;
  body: T;
  /** The request URL with credentials stripped, for logs and quarantine. */
  url: string;
}

/** A response's status and headers. */
export interface ResponseHead {
  status: number;
  headers: HeaderBag;
}

/** How one logical request is made; with `parse` or `parseBytes` (SendInit) it says what its body becomes. */
export interface SendOptions {
  method?: 'GET' | 'PUT' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  /** Non-2xx statuses handed back to the caller instead of raised (e.g. 404 for robots.txt). */
  passStatuses?: readonly number[];
  /**
   * Called with each attempt's response head as soon as it is in, before the body is read, so that a caller
   * that learns its next URL from a header (a `Link`) can ask for it while this body is still arriving.
   */
  onHeaders?: (head: ResponseHead) => void;
  /** What is being fetched, for messages ("page", "model", "robots.txt"). */
  what?: string;
}

/**
 * A body parser gets the body as text (`parse`) or, for one that can work on the bytes and decode only what it
 * needs, as a Buffer (`parseBytes`). Throw `BadBodyError` (or any error) for a truncated or invalid body: the
 * attempt is then retried like a 5xx. Throw `PermanentHttpError` for a body that retrying will not fix.
 */
export type SendInit<T> = SendOptions &
  (
    | { parse: (text: string, res: ResponseHead) => T; parseBytes?: never }
    | { parseBytes: (body: Buffer, res: ResponseHead) => T; parse?: never }
  );

/** Lower-cased response headers with a case-insensitive getter. */
export class HeaderBag {
  readonly #map: Map<string, string>;
  constructor(map: Map<string, string>) {
    this.#map = map;
  }
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null;
  }
  static fromNode(h: Record<string, string | string[] | undefined>): HeaderBag {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(h)) {
      if (v === undefined) continue;
      m.set(k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v);
    }
    return new HeaderBag(m);
  }
  static fromFetch(h: { forEach(cb: (value: string, key: string) => void): void }): HeaderBag {
    const m = new Map<string, string>();
    h.forEach((v, k) => m.set(k.toLowerCase(), v));
    return new HeaderBag(m);
  }
}

/** A 2xx body that could not be read (truncated, not JSON, not the expected shape): retried like a 5xx. */
export class BadBodyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BadBodyError';
  }
}

/** JSON.parse that reports a truncated or invalid body as a BadBodyError (retried). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadBodyError(`body is not valid JSON (${text.length} bytes; ${errorMessage(err)})`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rate-limit headers

export interface RateLimitState {
  /** Requests left in the current window. */
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimitPolicy {
  quota: number;
  windowSeconds: number;
}

function paramNumber(item: string, key: string): number | null {
  const m = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(-?\\d+(?:\\.\\d+)?)`).exec(item);
  return m ? Number(m[1]) : null;
}

/**
 * `RateLimit: "api";r=12;t=55` (several comma-separated policies: the one with the fewest left wins), or the
 * older `RateLimit-Remaining` + `RateLimit-Reset` / `X-RateLimit-*` pairs (reset in seconds, or an epoch time).
 */
export function parseRateLimit(headers: HeaderBag, nowMs = Date.now()): RateLimitState | null {
  const v = headers.get('ratelimit');
  if (v) {
    let best: RateLimitState | null = null;
    for (const item of v.split(',')) {
      const r = paramNumber(item, 'r');
      const t = paramNumber(item, 't');
      if (r === null) continue;
      const cand = { remaining: Math.max(0, r), resetSeconds: Math.max(0, t ?? 0) };
      if (!best || cand.remaining < best.remaining) best = cand;
    }
    if (best) return best;
  }
  for (const prefix of ['ratelimit-', 'x-ratelimit-']) {
    const rem = headers.get(`${prefix}remaining`);
    if (rem === null || !/^\s*\d+\s*$/.test(rem)) continue;
    const resetRaw = headers.get(`${prefix}reset`);
    let reset = resetRaw !== null && /^\s*\d+(\.\d+)?\s*$/.test(resetRaw) ? Number(resetRaw) : 0;
    // An epoch (seconds) rather than a delta: anything past ~2001 is read as a point in time.
    if (reset > 1e9) reset = Math.max(0, reset - nowMs / 1000);
    return { remaining: Number(rem), resetSeconds: reset };
  }
  return null;
}

/** `RateLimit-Policy: "fixed window";"api";q=500;w=300` (the smallest quota wins when several are listed). */
export function parseRateLimitPolicy(headers: HeaderBag): RateLimitPolicy | null {
  const v = headers.get('ratelimit-policy');
  if (!v) return null;
  let best: RateLimitPolicy | null = null;
  for (const item of v.split(',')) {
    const q = paramNumber(item, 'q');
    const w = paramNumber(item, 'w');
    if (q === null || w === null) continue;
    if (!best || q < best.quota) best = { quota: q, windowSeconds: w };
  }
  return best;
}

/** `Retry-After` in seconds or as an HTTP-date, as milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | null {
  if (value === null) return null;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const SECRET_PARAM = /token|secret|signature|sig$|^key$|api[-_]?key|auth|session|password/i;

/** The URL without userinfo and without query parameters that look like credentials (for logs and quarantine). */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
    changed = true;
  }
  for (const k of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(k)) {
      u.searchParams.set(k, '[redacted]');
      changed = true;
    }
  }
  return changed ? u.toString() : url;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const TRANSIENT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** Whether a thrown transport error is worth a retry (a timeout, a reset, a cut-off body, a garbled response). */
export function isTransientNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (e instanceof BadBodyError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('HPE_'))) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'HTTPParserError') return true;
    // undici's fetch reports a body cut off mid-stream as `TypeError: terminated`.
    if (e instanceof TypeError && /^(terminated|fetch failed)$/.test(e.message) && !e.cause) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(`${errorMessage(e)}${typeof code === 'string' ? ` [${code}]` : ''}`);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The User-Agent: the configured one, with the contact URL unless it already names it. */
export function userAgentFor(userAgent: string, contactUrl: string): string {
  return userAgent.includes(contactUrl) ? userAgent : `${userAgent} (contact: ${contactUrl})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Pacing

export interface PacerOptions {
  /** Politeness delay between requests, ms. */
  delayMs: number;
  /** Added to a reset announced as whole seconds (`t`), for a server that rounds down. Default 1000. */
  marginMs?: number;
  logger: Logger;
  /** The clock (tests); Date.now by default. */
  now?: () => number;
  /** How to wait (tests); a timer by default. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What `acquire` hands out and `observe` takes back: the window a request was sent in. */
export interface PacerTicket {
  readonly window: number;
}

/**
 * The window `w` (ms) of the one policy an answer speaks of, when it names exactly one in `RateLimit` and one in
 * `RateLimit-Policy`, the same one (`"api"` in both), as a fixed window; null otherwise (several policies could
 * pair one's `r` with another's `w`).
 */
function singleFixedWindowMs(headers: HeaderBag): number | null {
  const rl = headers.get('ratelimit');
  const pol = headers.get('ratelimit-policy');
  if (!rl || !pol || rl.includes(',') || pol.includes(',')) return null;
  if (!/"fixed window"/i.test(pol)) return null;
  const name = /^\s*("[^"]*")/.exec(rl)?.[1];
  if (name && !pol.includes(name)) return null;
  const w = paramNumber(pol, 'w');
  return w !== null && w > 0 ? w * 1000 : null;
}

/**
 * The fixed-window pacer: see the file comment. Decisions are serialised so that concurrent callers queue.
 *
 * When the window ends. Every answer bounds it from above in two ways. Its `t` plus the margin: `t` is whole
 * seconds, and a server may round it up or down. And, when the answer names one fixed-window policy, the answer's
 * arrival plus `w`: the window that counted the request began no later than the request reached the server, so it
 * ends no later than `w` after the answer is in, whatever the rounding. The pacer keeps the smallest bound over the
 * answers of one server window: those to requests sent since the pacer last saw a window end, as long as their `r`
 * does not rise (a rise means the server began a new window; that answer's bounds then replace the others). It used
 * to take the last answer's `t` plus the margin: up to two seconds idle past every reset (1.2-1.9 s measured by
 * bench/ratelimit.ts, with a 30 s window). An answer to a request sent before the pacer saw the window end may have
 * been counted in the window before: it sets nothing once an answer from the current window is in.
 */
export class Pacer {
  remaining: number | null = null;
  /** The latest the current window can end (margin included); null when unknown. */
  resetAt: number | null = null;
  policy: RateLimitPolicy | null = null;
  inFlight = 0;
  /** How many requests waited for a window to reset (for tests and logs). */
  windowWaits = 0;
  delayMs: number;
  readonly marginMs: number;
  #window = 0;
  /** Whether `resetAt` and `remaining` come from an answer to a request sent in the current window. */
  #fresh = false;
  /** `r` of the answer that set `remaining` last. */
  #lastR: number | null = null;
  /** After a 429: nothing before this, whatever answers still in flight say. */
  #notBefore = 0;
  #gate: Promise<void> = Promise.resolve();
  #lastStart = 0;
  #lastEnd = 0;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: PacerOptions) {
    this.delayMs = opts.delayMs;
    this.marginMs = opts.marginMs ?? 1000;
    this.#log = opts.logger;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? sleep;
  }

  acquire(signal: AbortSignal | undefined): Promise<PacerTicket> {
    const run = this.#gate.then(() => this.#paceOnce(signal));
    this.#gate = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #paceOnce(signal: AbortSignal | undefined): Promise<PacerTicket> {
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#now();
      if (this.resetAt !== null && now >= this.resetAt) {
        // A new window: its budget is unknown until an answer to a request sent in it says.
        this.remaining = null;
        this.resetAt = null;
        this.#fresh = false;
        this.#lastR = null;
        this.#window++;
      }
      if (this.remaining !== null && this.remaining <= 0 && this.resetAt !== null) {
        const ms = this.resetAt - now;
        // Counted once per request (a timer can wake a millisecond early and go round again).
        if (!waited) {
          this.windowWaits++;
          this.#log.info({ waitMs: ms }, 'rate-limit window spent; waiting for it to reset');
        }
        waited = true;
        await this.#sleep(ms, signal);
        continue;
      }
      if (this.delayMs > 0) {
        const gap = Math.max(this.#lastStart, this.#lastEnd) + this.delayMs - now;
        if (gap > 0) {
          await this.#sleep(gap, signal);
          continue;
        }
      }
      break;
    }
    if (this.remaining !== null) this.remaining--;
    this.#lastStart = this.#now();
    this.inFlight++;
    return { window: this.#window };
  }

  /** A request ended (with or without a response). */
  release(): void {
    this.inFlight--;
    this.#lastEnd = this.#now();
  }

  /** An answer's headers, for the request `ticket` was handed out for (released already). */
  observe(headers: HeaderBag, ticket?: PacerTicket): void {
    const now = this.#now();
    const p = parseRateLimitPolicy(headers);
    if (p) this.policy = p;
    const rl = parseRateLimit(headers, now);
    if (!rl) return;
    const current = ticket === undefined || ticket.window === this.#window;
    if (!current && this.#fresh) return;
    let end = now + rl.resetSeconds * 1000 + this.marginMs;
    const windowMs = singleFixedWindowMs(headers);
    if (windowMs !== null) end = Math.min(end, now + windowMs);
    end = Math.max(end, this.#notBefore);
    // The same server window as the answers before it as long as `r` does not rise; a rise is a new window (or an
    // answer overtaken by a later one), whose end this answer alone bounds.
    const sameWindow =
      current && this.#fresh && this.resetAt !== null && this.#lastR !== null && rl.remaining <= this.#lastR;
    this.resetAt = sameWindow ? Math.min(this.resetAt!, end) : end;
    // Requests still in flight will each spend one more.
    this.remaining = Math.max(0, rl.remaining - this.inFlight);
    this.#lastR = rl.remaining;
    if (current) this.#fresh = true;
  }

  /** After a 429: nothing is left until `waitMs` (plus the margin) has passed (other callers wait too). */
  exhausted(waitMs: number): void {
    this.remaining = 0;
    this.resetAt = this.#notBefore = this.#now() + waitMs + this.marginMs;
    this.#fresh = false;
  }
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.#tail;
    this.#tail = prev.then(() => next);
    await prev;
    return release;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The client

interface RawResponse {
  status: number;
  headers: HeaderBag;
  /** The body as it came (parseBytes), or decoded (everything else). */
  body: Buffer | string;
}

const bodyText = (raw: RawResponse): string => (typeof raw.body === 'string' ? raw.body : raw.body.toString('utf8'));

export class HttpClient {
  readonly platform: Platform;
  readonly counters: SourceCounters;
  readonly agent: Agent;
  /** The agent with redirects followed (for `request`; undici's fetch follows them itself). */
  readonly dispatcher: Dispatcher;
  readonly userAgent: string;
  readonly #opts: HttpClientOptions;
  readonly #pacer: Pacer;
  readonly #serial: Mutex | null;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #log: Logger;
  readonly #tokenOrigin: string | null;

  constructor(opts: HttpClientOptions) {
    this.#opts = opts;
    this.platform = opts.platform;
    this.counters = opts.counters ?? emptyCounters();
    this.#log = opts.logger;
    const s = opts.settings;
    this.agent = new Agent({
      connections: opts.serial ? 1 : s.connections,
      pipelining: 1,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
      connect: { timeout: Math.min(s.timeoutMs, 10_000) },
      headersTimeout: s.timeoutMs,
      bodyTimeout: s.timeoutMs,
    });
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }));
    this.userAgent = userAgentFor(opts.userAgent, opts.contactUrl);
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? sleep;
    this.#pacer = new Pacer({
      delayMs: s.delayMs,
      marginMs: opts.resetMarginMs ?? 1000,
      logger: opts.logger,
      now: this.#now,
      sleep: this.#sleep,
    });
    this.#serial = opts.serial ? new Mutex() : null;
    this.#random = opts.random ?? Math.random;
    this.#tokenOrigin = opts.tokenOrigin ? originOf(opts.tokenOrigin) : null;
  }

  /** Requests that had to wait for a rate-limit window to reset (pacing at work). */
  get windowWaits(): number {
    return this.#pacer.windowWaits;
  }

  /** Raises the politeness delay between requests (a robots.txt Crawl-delay); never lowers it. */
  raiseDelay(ms: number): void {
    if (ms > this.#pacer.delayMs) this.#pacer.delayMs = ms;
  }

  get delayMs(): number {
    return this.#pacer.delayMs;
  }

  /** The last `RateLimit-Policy` seen, if any. */
  get policy(): RateLimitPolicy | null {
    return this.#pacer.policy;
  }

  /**
   * One logical request: paced, retried (5xx, 408, timeouts, resets, bad bodies) up to `maxRetries` times with
   * full-jitter backoff, 429s waited out (mode `wait`, spending no retry) or raised as RateLimitedError (mode
   * `throw`). Other 4xx raise PermanentHttpError; exhausted retries raise PageFailedError.
   */
  async send<T>(url: string, init: SendInit<T>): Promise<HttpResult<T>> {
    const { signal } = init;
    const safeUrl = redactUrl(url);
    const what = init.what ?? 'request';
    const { maxRetries, backoffMs, maxRateLimitWaitMs } = this.#opts.settings;
    const maxConsecutive429 = this.#opts.maxConsecutive429 ?? 20;
    let attempt = 0;
    let waits429 = 0;
    for (;;) {
      signal?.throwIfAborted();
      let failure: Error | null = null;
      const unlock = this.#serial ? await this.#serial.lock() : null;
      let raw: RawResponse | null = null;
      let ticket: PacerTicket | undefined;
      try {
        ticket = await this.#pacer.acquire(signal);
        this.counters.requests++;
        try {
          raw = await this.#attempt(url, init);
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          if (!isTransientNetworkError(err)) {
            this.counters.errors++;
            throw err;
          }
          failure = new TransientHttpError(`${this.platform} ${what} ${safeUrl}: ${describe(err)}`, null, {
            cause: err,
          });
        } finally {
          this.#pacer.release();
        }
      } finally {
        unlock?.();
      }

      if (raw) {
        this.#pacer.observe(raw.headers, ticket);
        const status = raw.status;
        if (status === 429) {
          this.counters.http429++;
          const resetMs = this.#rateLimitWait(raw.headers, waits429);
          // The pacer adds its margin past the reset; callers are told the same total.
          this.#pacer.exhausted(resetMs);
          const waitMs = resetMs + (this.#opts.resetMarginMs ?? 1000);
          if (this.#opts.rateLimitMode === 'throw') {
            this.#log.warn({ url: safeUrl, waitMs }, 'rate limited (429); handing the wait to the queue');
            throw new RateLimitedError(this.platform, waitMs);
          }
          if (waitMs > maxRateLimitWaitMs) {
            throw new PageFailedError(
              `${this.platform} ${what} ${safeUrl}: rate limited, asked to wait ${Math.ceil(waitMs / 1000)} s, ` +
                `longer than maxRateLimitWaitMs (${maxRateLimitWaitMs} ms). Run it later or raise sources.${this.platform}.maxRateLimitWaitMs.`,
              { cause: new RateLimitedError(this.platform, waitMs) },
            );
          }
          if (++waits429 > maxConsecutive429) {
            throw new PageFailedError(
              `${this.platform} ${what} ${safeUrl}: still rate limited after ${maxConsecutive429} waits`,
              { cause: new RateLimitedError(this.platform, waitMs) },
            );
          }
          this.#log.warn({ url: safeUrl, waitMs }, 'rate limited (429); waiting without spending a retry');
          continue; // the pacer sleeps until the window resets
        }
        waits429 = 0;
        if ((status >= 200 && status < 300) || init.passStatuses?.includes(status)) {
          try {
            const head = { status, headers: raw.headers };
            const body = init.parseBytes
              ? init.parseBytes(typeof raw.body === 'string' ? Buffer.from(raw.body, 'utf8') : raw.body, head)
              : init.parse(bodyText(raw), head);
            return { status, headers: raw.headers, body, url: safeUrl };
          } catch (err) {
            if (err instanceof PermanentHttpError) {
              this.counters.errors++;
              throw err;
            }
            failure = new TransientHttpError(`${this.platform} ${what} ${safeUrl}: ${errorMessage(err)}`, status, {
              cause: err,
            });
          }
        } else if (status >= 500 || status === 408) {
          failure = new TransientHttpError(`${this.platform} ${what} ${safeUrl}: HTTP ${status}`, status);
        } else {
          this.counters.errors++;
          throw new PermanentHttpError(
            `${this.platform} answered HTTP ${status} for ${what} ${safeUrl}${snippet(bodyText(raw))}`,
            status,
          );
        }
      }

      failure ??= new TransientHttpError(`${this.platform} ${what} ${safeUrl}: no response`, null);
      this.counters.errors++;
      if (attempt >= maxRetries) {
        this.#log.error({ url: safeUrl, attempts: attempt + 1, err: failure.message }, `${what} failed after retries`);
        throw new PageFailedError(
          `${this.platform} ${what} ${safeUrl} failed after ${attempt + 1} attempt(s): ${failure.message}`,
          { cause: failure },
        );
      }
      const delay = Math.floor(this.#random() * backoffMs * 2 ** attempt);
      attempt++;
      this.#log.warn({ url: safeUrl, attempt, delayMs: delay, err: failure.message }, `${what} failed; retrying`);
      await this.#sleep(delay, signal);
    }
  }

  /** JSON GET/PUT with the platform's JSON accept header; invalid or truncated JSON is retried. */
  json(url: string, init: SendOptions & { parse?: (text: string, res: ResponseHead) => unknown } = {}) {
    return this.send<unknown>(url, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
      parse: init.parse ?? parseJsonBody,
    });
  }

  /** How long until the platform lets us in again (before the margin): RateLimit t, Retry-After, the window. */
  #rateLimitWait(headers: HeaderBag, waits: number): number {
    const rl = parseRateLimit(headers, this.#now());
    if (rl && rl.resetSeconds > 0) return rl.resetSeconds * 1000;
    const ra = parseRetryAfter(headers.get('retry-after'), this.#now());
    if (ra !== null) return ra;
    const policy = this.#pacer.policy;
    if (policy) return policy.windowSeconds * 1000;
    return Math.min(60_000, Math.max(1000, this.#opts.settings.backoffMs) * 2 ** waits);
  }

  #headers(url: string, extra: Record<string, string> | undefined): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': this.userAgent, ...extra };
    const token = this.#opts.token;
    if (token && this.#tokenOrigin !== null && originOf(url) === this.#tokenOrigin) {
      h.authorization = `Bearer ${token}`;
    }
    return h;
  }

  async #attempt<T>(url: string, init: SendInit<T>): Promise<RawResponse> {
    // One controller per attempt: the caller's signal and the attempt's overall deadline (a body that trickles in
    // never trips undici's idle bodyTimeout). Listeners are removed afterwards, so a long-lived caller signal does
    // not collect one per request.
    const ac = new AbortController();
    const outer = init.signal;
    const onAbort = () => ac.abort(outer!.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = this.#opts.settings.timeoutMs;
    const timer = setTimeout(() => {
      const e = new Error(`no complete answer within ${timeoutMs} ms`);
      e.name = 'TimeoutError';
      ac.abort(e);
    }, timeoutMs);
    timer.unref?.();
    const headers = this.#headers(url, init.headers);
    const method = init.method ?? 'GET';
    try {
      if (this.#opts.transport === 'fetch') {
        const res = await undiciFetch(url, {
          method,
          headers,
          body: init.body,
          dispatcher: this.agent,
          signal: ac.signal,
          redirect: 'follow',
        });
        const bag = HeaderBag.fromFetch(res.headers);
        init.onHeaders?.({ status: res.status, headers: bag });
        const body = init.parseBytes ? Buffer.from(await res.arrayBuffer()) : await res.text();
        return { status: res.status, headers: bag, body };
      }
      const res = await undiciRequest(url, {
        method,
        headers,
        body: init.body,
        dispatcher: this.dispatcher,
        signal: ac.signal,
      });
      const bag = HeaderBag.fromNode(res.headers);
      init.onHeaders?.({ status: res.statusCode, headers: bag });
      const body = init.parseBytes ? Buffer.from(await res.body.arrayBuffer()) : await res.body.text();
      return { status: res.statusCode, headers: bag, body };
    } catch (err) {
      if (ac.signal.aborted && !outer?.aborted) throw ac.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function snippet(text: string): string {
  const t = text.trim().slice(0, 200);
  return t ? `: ${t}` : '';
}

/** Builds the HTTP client of one platform from the config; the platform's profile chooses its token. */
export function createHttpClient(
  profile: Pick<PlatformProfile, 'platform' | 'bearerToken'>,
  deps: { config: Config; logger: Logger; rateLimitMode: RateLimitMode },
  extra: Partial<Omit<HttpClientOptions, 'platform' | 'settings' | 'logger' | 'rateLimitMode'>> = {},
): HttpClient {
  const { config } = deps;
  const platform = profile.platform;
  const token = profile.bearerToken(config.tokens);
  return new HttpClient({
    platform,
    settings: config.file.sources[platform],
    userAgent: config.file.userAgent,
    contactUrl: config.file.contactUrl,
    token,
    tokenOrigin: config.urls[platform],
    rateLimitMode: deps.rateLimitMode,
    logger: deps.logger,
    ...extra,
  });
}
