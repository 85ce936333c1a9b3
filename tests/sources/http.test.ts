import { afterEach, describe, expect, it } from 'vitest';
import { PageFailedError, PermanentHttpError, RateLimitedError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { setImmediate as turn } from 'node:timers/promises';
import {
  HeaderBag,
  HttpClient,
  Pacer,
  isTransientNetworkError,
  parseRateLimit,
  parseRateLimitPolicy,
  parseRetryAfter,
  redactUrl,
  sleep,
  type HttpClientOptions,
  type HttpSettings,
  type PacerTicket,
} from '../../src/sources/http.js';
import { FAST, WaitClock, fakeServer, sendJson, type FakeServer } from './helpers.js';

const servers: FakeServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof fakeServer>[0]): Promise<FakeServer> {
  const s = await fakeServer(handler);
  servers.push(s);
  return s;
}

function client(settings: Partial<HttpSettings> = {}, extra: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    platform: 'huggingface',
    settings: { ...FAST, ...settings },
    userAgent: 'hubwatch/0.1 (+https://github.com/hubwatch/hubwatch)',
    contactUrl: 'https://github.com/hubwatch/hubwatch/issues',
    rateLimitMode: 'wait',
    logger: silentLogger,
    resetMarginMs: 20,
    keepAliveTimeoutMs: 50,
    ...extra,
  });
  clients.push(c);
  return c;
}

const bag = (h: Record<string, string>) => HeaderBag.fromNode(h);

describe('rate-limit header parsing', () => {
  it('reads RateLimit r and t, the fewest remaining of several policies', () => {
    expect(parseRateLimit(bag({ RateLimit: '"api";r=12;t=55' }))).toEqual({ remaining: 12, resetSeconds: 55 });
    expect(parseRateLimit(bag({ ratelimit: '"api";r=12;t=55, "pages";r=3;t=20' }))).toEqual({
      remaining: 3,
      resetSeconds: 20,
    });
    expect(parseRateLimit(bag({}))).toBeNull();
  });
  it('reads the older RateLimit-Remaining/Reset and X-RateLimit-* pairs, reset as delta or epoch', () => {
    expect(parseRateLimit(bag({ 'RateLimit-Remaining': '4', 'RateLimit-Reset': '10' }))).toEqual({
      remaining: 4,
      resetSeconds: 10,
    });
    const now = 1_800_000_000_000;
    expect(
      parseRateLimit(bag({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(now / 1000 + 30) }), now),
    ).toEqual({
      remaining: 0,
      resetSeconds: 30,
    });
  });
  it('reads RateLimit-Policy q and w', () => {
    expect(parseRateLimitPolicy(bag({ 'RateLimit-Policy': '"fixed window";"api";q=500;w=300' }))).toEqual({
      quota: 500,
      windowSeconds: 300,
    });
  });
  it('reads Retry-After as seconds or an HTTP-date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
  it('strips credentials from URLs for logs', () => {
    expect(redactUrl('https://u:p@h.example/api?token=abc&x=1&access_token=z')).toBe(
      'https://h.example/api?token=%5Bredacted%5D&x=1&access_token=%5Bredacted%5D',
    );
    expect(redactUrl('https://h.example/api?x=1')).toBe('https://h.example/api?x=1');
  });
  it('classifies transport errors', () => {
    expect(isTransientNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientNetworkError(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }))).toBe(true);
    expect(isTransientNetworkError(new TypeError('Invalid URL'))).toBe(false);
  });
});

describe('HttpClient against fake servers', () => {
  it('sends a User-Agent naming hubwatch and the contact URL, and the token only to its own origin', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, { ok: true }));
    const other = await serve((_req, res) => sendJson(res, 200, { ok: true }));
    const c = client({}, { token: 'hf_secret', tokenOrigin: s.url });
    await c.json(`${s.url}/a`);
    await c.json(`${other.url}/b`);
    expect(s.requests[0]!.headers['user-agent']).toBe(
      'hubwatch/0.1 (+https://github.com/hubwatch/hubwatch) (contact: https://github.com/hubwatch/hubwatch/issues)',
    );
    expect(s.requests[0]!.headers.authorization).toBe('Bearer hf_secret');
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('retries 5xx and succeeds, counting requests and errors', async () => {
    const s = await serve((_req, res, n) => (n < 2 ? sendJson(res, 503, { error: 'busy' }) : sendJson(res, 200, [1])));
    const c = client();
    const r = await c.json(`${s.url}/x`);
    expect(r.body).toEqual([1]);
    expect(c.counters).toMatchObject({ requests: 3, errors: 2, http429: 0 });
  });

  it('fails the page with PageFailedError after maxRetries + 1 attempts', async () => {
    const s = await serve((_req, res) => sendJson(res, 502, {}));
    const c = client({ maxRetries: 2 });
    const err = await c.json(`${s.url}/x`, { what: 'page' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PageFailedError);
    expect((err as Error).message).toMatch(/failed after 3 attempt/);
    expect(s.requests).toHaveLength(3);
  });

  it('retries a truncated body (content-length mismatch) and invalid JSON', async () => {
    const s = await serve((_req, res, n) => {
      if (n === 0) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        // Cut the connection once the partial body is on the wire: fewer bytes than content-length promised.
        res.write('[{"id":"a/b"},{"id":', () => res.socket?.destroy());
        return;
      }
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('[{"id":"a/b"},{"id":'); // complete response, broken JSON
        return;
      }
      sendJson(res, 200, [{ id: 'a/b' }]);
    });
    for (const transport of ['request', 'fetch'] as const) {
      s.requests.length = 0;
      const c = client({}, { transport });
      const r = await c.json(`${s.url}/x`);
      expect(r.body).toEqual([{ id: 'a/b' }]);
      expect(c.counters.errors).toBeGreaterThanOrEqual(1);
    }
  });

  it('retries a socket reset and a server that answers too slowly', async () => {
    const s = await serve((req, res, n) => {
      if (n === 0) {
        res.socket?.destroy();
        return;
      }
      if (n === 1) return; // never answers: the client's own deadline must end the attempt (the server closes it)
      sendJson(res, 200, ['ok']);
    });
    const c = client({ timeoutMs: 200, maxRetries: 5 });
    const r = await c.json(`${s.url}/x`);
    expect(r.body).toEqual(['ok']);
    // The reset and the silent request always cost an attempt each; on a loaded machine an answer that does come
    // may miss the 200 ms deadline too and be retried, so the count is a floor, and every failure was retried.
    expect(s.requests.length).toBeGreaterThanOrEqual(3);
    expect(c.counters.errors).toBe(s.requests.length - 1);
    expect(c.counters.requests).toBe(s.requests.length);
  });

  it('raises PermanentHttpError on a 404 without retrying', async () => {
    const s = await serve((_req, res) => sendJson(res, 404, { error: 'Repository not found' }));
    const c = client();
    const err = await c.json(`${s.url}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentHttpError);
    expect((err as PermanentHttpError).status).toBe(404);
    expect((err as Error).message).toContain('Repository not found');
    expect(s.requests).toHaveLength(1);
  });

  it('waits a 429 out (RateLimit t) without spending a retry in wait mode', async () => {
    const s = await serve((_req, res, n) =>
      n === 0
        ? sendJson(
            res,
            429,
            { error: 'rate limited' },
            { RateLimit: '"api";r=0;t=1', 'RateLimit-Policy': '"fixed window";"api";q=5;w=2' },
          )
        : sendJson(res, 200, ['ok']),
    );
    const clock = new WaitClock();
    const c = client({ maxRetries: 0 }, clock.options);
    const r = await c.json(`${s.url}/x`);
    expect(r.body).toEqual(['ok']);
    expect(clock.waits).toEqual([1000 + 20]); // t=1 s plus the reset margin, once
    expect(c.counters).toMatchObject({ requests: 2, http429: 1, errors: 0 });
  });

  it('honours Retry-After (HTTP-date) on a 429', async () => {
    const clock = new WaitClock(); // on a whole second, so the HTTP-date (whole seconds) is exact
    const s = await serve((_req, res, n) =>
      n === 0
        ? sendJson(res, 429, {}, { 'Retry-After': new Date(clock.now() + 5_000).toUTCString() })
        : sendJson(res, 200, ['ok']),
    );
    const c = client({}, clock.options);
    await c.json(`${s.url}/x`);
    expect(clock.waits).toEqual([5_000 + 20]);
    expect(c.counters.http429).toBe(1);
  });

  it('raises RateLimitedError with the wait in throw mode', async () => {
    const s = await serve((_req, res) => sendJson(res, 429, {}, { 'Retry-After': '42' }));
    const c = client({}, { rateLimitMode: 'throw' });
    const err = await c.json(`${s.url}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(42_000 + 20); // Retry-After plus the reset margin
    expect((err as RateLimitedError).platform).toBe('huggingface');
    expect(s.requests).toHaveLength(1);
  });

  it('gives up with PageFailedError when a 429 asks for more than maxRateLimitWaitMs', async () => {
    const s = await serve((_req, res) => sendJson(res, 429, {}, { RateLimit: '"api";r=0;t=300' }));
    const clock = new WaitClock();
    const c = client({ maxRateLimitWaitMs: 5_000 }, clock.options);
    const err = await c.json(`${s.url}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PageFailedError);
    expect((err as Error).message).toMatch(/maxRateLimitWaitMs/);
    expect((err as Error).cause).toBeInstanceOf(RateLimitedError);
    expect(clock.waits).toEqual([]); // it gave up without waiting any of it
    expect(s.requests).toHaveLength(1);
  });

  it('paces itself from RateLimit headers so that a fixed window never answers 429', async () => {
    // A fixed window of 3 requests per second, as the Hub does it (5 min there), that answers 429 beyond.
    // The server keeps its window on the client's clock, which moves only while the client waits.
    const quota = 3;
    const windowMs = 1000;
    const clock = new WaitClock();
    let windowStart = clock.now();
    let used = 0;
    const s = await serve((_req, res) => {
      const now = clock.now();
      if (now - windowStart >= windowMs) {
        windowStart = now;
        used = 0;
      }
      const t = Math.ceil((windowStart + windowMs - now) / 1000);
      const headers = {
        RateLimit: `"api";r=${Math.max(0, quota - used - 1)};t=${t}`,
        'RateLimit-Policy': `"fixed window";"api";q=${quota};w=1`,
      };
      if (used >= quota) return sendJson(res, 429, {}, { ...headers, RateLimit: `"api";r=0;t=${t}` });
      used++;
      sendJson(res, 200, ['ok'], headers);
    });
    const c = client({}, { resetMarginMs: 30, ...clock.options });
    for (let i = 0; i < 8; i++) await c.json(`${s.url}/x`);
    expect(c.counters.http429).toBe(0);
    // Requests 4 and 7 each wait for the window to end; w bounds the wait, not t plus the margin.
    expect(c.windowWaits).toBe(2);
    expect(clock.waits).toEqual([windowMs, windowMs]);
    expect(c.policy).toEqual({ quota: 3, windowSeconds: 1 });
  });

  it('keeps the politeness delay between requests', async () => {
    const clock = new WaitClock();
    const t0 = clock.now();
    const at: number[] = [];
    const s = await serve((_req, res) => {
      at.push(clock.now() - t0);
      sendJson(res, 200, []);
    });
    const c = client({ delayMs: 120 }, { serial: true, ...clock.options });
    await Promise.all([c.json(`${s.url}/a`), c.json(`${s.url}/b`), c.json(`${s.url}/c`)]);
    expect(at).toEqual([0, 120, 240]);
    expect(clock.waits).toEqual([120, 120]);
  });

  it('honours an AbortSignal during a backoff and during a 429 wait', async () => {
    const s = await serve((req, res) =>
      req.url === '/busy' ? sendJson(res, 503, {}) : sendJson(res, 429, {}, { 'Retry-After': '30' }),
    );
    // The caller aborts while the client waits (the real timer wait, a minute long): the wait must end at once,
    // so the client has to hand its signal to every wait. Were it not, the test would time out.
    let ac = new AbortController();
    const waits: number[] = [];
    const abortingSleep = (ms: number, signal?: AbortSignal): Promise<void> => {
      waits.push(ms);
      const waiting = sleep(ms, signal);
      ac.abort(new Error(waits.length === 1 ? 'stop' : 'stop again'));
      return waiting;
    };
    const c = client(
      { backoffMs: 60_000, maxRetries: 5, maxRateLimitWaitMs: 60_000 },
      { random: () => 0.99, sleep: abortingSleep },
    );
    await expect(c.json(`${s.url}/busy`, { signal: ac.signal })).rejects.toThrow('stop');
    ac = new AbortController();
    await expect(c.json(`${s.url}/limited`, { signal: ac.signal })).rejects.toThrow('stop again');
    expect(waits).toEqual([Math.floor(0.99 * 60_000), 30_000 + 20]); // a backoff, then a 429 wait (Retry-After plus the margin)
    expect(s.requests).toHaveLength(2);
  });

  it('draws each backoff from [0, backoffMs * 2^n) (full jitter)', async () => {
    const s = await serve((_req, res, n) => (n < 3 ? sendJson(res, 500, {}) : sendJson(res, 200, [])));
    const draws: number[] = [];
    const clock = new WaitClock();
    const c = client({ backoffMs: 100, maxRetries: 3 }, { random: () => (draws.push(0), 0.5), ...clock.options });
    await c.json(`${s.url}/x`);
    expect(draws).toHaveLength(3);
    expect(clock.waits).toEqual([0.5 * 100, 0.5 * 200, 0.5 * 400]);
  });
});

// The pacer against a model of a fixed-window server, on a clock of its own: `sleep` registers a timer and the
// clock jumps from one timer to the next once every promise has settled, so a five-minute window takes no time.
class FakeClock {
  t = 1_800_000_000_000;
  #timers: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;
  now = (): number => this.t;
  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => this.#timers.push({ at: this.t + Math.max(0, ms), seq: this.#seq++, resolve }));
  /** Runs timers until `work` settles. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => (settled = true));
    done.catch(() => {});
    for (;;) {
      await turn();
      if (settled) return done;
      if (this.#timers.length === 0) throw new Error('nothing left to wait for, and the work is not done');
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}

interface WindowModel {
  /** Windows start at the first request after the last one ended (the simulator, likely the Hub), or on multiples of w. */
  start: 'first-request' | 'aligned';
  /** How the server turns the time left into whole seconds for `t`. */
  round: (x: number) => number;
  /** Send `RateLimit-Policy: "fixed window";"api";q;w`. */
  policy: boolean;
}

/** A fixed-window server: q requests per w ms, every request counted (429s too), as src/sim/http.ts does. */
function fixedWindowServer(quota: number, windowMs: number, model: WindowModel) {
  let start: number | null = null;
  let count = 0;
  const windowStarts: number[] = [];
  let http429 = 0;
  return {
    windowStarts,
    get http429() {
      return http429;
    },
    answer(at: number): { status: number; headers: HeaderBag } {
      const s =
        model.start === 'aligned'
          ? Math.floor(at / windowMs) * windowMs
          : start !== null && at < start + windowMs
            ? start
            : at;
      if (s !== start) {
        start = s;
        count = 0;
        windowStarts.push(at);
      }
      count++;
      const t = Math.max(0, model.round((start + windowMs - at) / 1000));
      const h: Record<string, string> = { RateLimit: `"api";r=${Math.max(0, quota - count)};t=${t}` };
      if (model.policy) h['RateLimit-Policy'] = `"fixed window";"api";q=${quota};w=${windowMs / 1000}`;
      if (count > quota) http429++;
      return { status: count > quota ? 429 : 200, headers: bag(h) };
    },
  };
}
type Server = ReturnType<typeof fixedWindowServer>;

/** One request as HttpClient.send makes it: paced, `upMs` to the server, `downMs` for the head, `bodyMs` for the body. */
async function exchange(
  clock: FakeClock,
  pacer: Pacer,
  server: Server,
  ms: { up: number; down: number; body: number },
  onHead?: () => void,
): Promise<number> {
  const ticket: PacerTicket = await pacer.acquire(undefined);
  await clock.sleep(ms.up);
  const res = server.answer(clock.now());
  await clock.sleep(ms.down);
  onHead?.();
  await clock.sleep(ms.body);
  pacer.release();
  pacer.observe(res.headers, ticket);
  if (res.status === 429) pacer.exhausted((parseRateLimit(res.headers)?.resetSeconds ?? 1) * 1000);
  return res.status;
}

/** The sweep's walk: the next page asked for as soon as this one's head is in (one page ahead), n pages. */
function sweepPages(
  clock: FakeClock,
  pacer: Pacer,
  server: Server,
  n: number,
  ms = { up: 2, down: 2, body: 3 },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let ended = 0;
    const page = (i: number): void => {
      if (i >= n) return;
      exchange(clock, pacer, server, ms, () => page(i + 1)).then(() => {
        if (++ended === n) resolve();
      }, reject);
    };
    page(0);
  });
}

const firstRequestCeil: WindowModel = { start: 'first-request', round: Math.ceil, policy: true };

describe('Pacer against a fixed window (injected clock)', () => {
  it('starts the next window within one exchange of the reset, not a margin and a rounded second later', async () => {
    // The Hub's anonymous policy: 500 requests per 5 minutes; 2,000 pages are four windows.
    const clock = new FakeClock();
    const pacer = new Pacer({ delayMs: 0, marginMs: 1000, logger: silentLogger, now: clock.now, sleep: clock.sleep });
    const server = fixedWindowServer(500, 300_000, firstRequestCeil);
    const t0 = clock.now();
    await clock.run(sweepPages(clock, pacer, server, 2000));
    expect(server.http429).toBe(0);
    expect(server.windowStarts).toHaveLength(4);
    expect(pacer.windowWaits).toBe(3);
    // Idle between a window's end and the next window's first request: the first answer's round trip (7 ms) and
    // the next request's way up (2 ms). Before, it was the 1000 ms margin plus up to a second of rounding in `t`.
    const idle = server.windowStarts.slice(1).map((s, i) => s - (server.windowStarts[i]! + 300_000));
    for (const ms of idle) expect(ms).toBeGreaterThanOrEqual(0);
    for (const ms of idle) expect(ms).toBeLessThanOrEqual(10);
    // The policy's minimum: three whole windows plus the last window's 500 requests at full speed.
    const lastWindow = clock.now() - server.windowStarts[3]!;
    expect(clock.now() - t0).toBeLessThanOrEqual(3 * 300_000 + lastWindow + 3 * 10 + 5);
  });

  it('keeps the margin for a server that rounds t down on windows aligned to the clock (no w bound helps there)', async () => {
    const model: WindowModel = { start: 'aligned', round: Math.floor, policy: true };
    const run = async (marginMs: number) => {
      const clock = new FakeClock();
      const pacer = new Pacer({ delayMs: 0, marginMs, logger: silentLogger, now: clock.now, sleep: clock.sleep });
      const server = fixedWindowServer(50, 30_000, model);
      await clock.run(sweepPages(clock, pacer, server, 400));
      return server.http429;
    };
    expect(await run(1000)).toBe(0);
    // Without the margin the rounded-down t would send requests into the spent window: the margin is what saves it.
    expect(await run(0)).toBeGreaterThan(0);
  });

  it("does not carry a window's end over to the next window when the server rolls over between two answers", async () => {
    // No RateLimit-Policy, so only t bounds the end. A light start (one request), then a burst across the window's
    // end: the burst spends the next window too, whose end is 30 s later than the first window's.
    const clock = new FakeClock();
    const pacer = new Pacer({ delayMs: 0, marginMs: 1000, logger: silentLogger, now: clock.now, sleep: clock.sleep });
    const server = fixedWindowServer(5, 30_000, { start: 'first-request', round: Math.ceil, policy: false });
    const fast = { up: 0, down: 1, body: 0 };
    await clock.run(
      (async () => {
        await exchange(clock, pacer, server, fast);
        await clock.sleep(30_000 - 3);
        for (let i = 0; i < 12; i++) await exchange(clock, pacer, server, fast);
      })(),
    );
    expect(server.windowStarts).toHaveLength(3);
    expect(server.http429).toBe(0);
  });

  it('does not take an answer that comes back after its window ended for the budget of the next', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ delayMs: 0, marginMs: 1000, logger: silentLogger, now: clock.now, sleep: clock.sleep });
    const server = fixedWindowServer(5, 10_000, firstRequestCeil);
    const fast = { up: 1, down: 1, body: 1 };
    await clock.run(
      (async () => {
        // The first window's first request (r=4), answered 15 s later, in the second window.
        const slow = exchange(clock, pacer, server, { up: 1, down: 15_000, body: 1 });
        for (let i = 0; i < 3; i++) await exchange(clock, pacer, server, fast); // the first window, spent but one
        for (let i = 0; i < 2; i++) await exchange(clock, pacer, server, fast); // the second window: 3 left
        await slow; // r=4, but of the first window
        await Promise.all([0, 1, 2, 3].map(() => exchange(clock, pacer, server, fast)));
      })(),
    );
    expect(server.http429).toBe(0);
    expect(server.windowStarts).toHaveLength(3);
  });
});
