// What the three simulated platforms share: a loopback node:http server, the admin routes that let another process
// steer the simulator, request counting, fixed-window rate limiting and the transport-level faults (5xx bursts,
// slow answers, truncated bodies). Payload-level faults (malformed items, hostile text) live with each platform.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Sequence } from './rng.js';
import type { WmDrift } from './wisemodel-faults.js';
import type { MsDrift } from './modelscope.js';

export type PlatformName = 'huggingface' | 'modelscope' | 'wisemodel';

export interface SimFaults {
  /** Share of requests that start a burst of 502/503 answers (1–4 requests long). */
  error5xxRate?: number;
  slowRate?: number;
  slowMs?: number;
  /** Share of answers whose body is cut: either the socket dies mid-body, or a cut JSON/HTML is sent whole. */
  truncateRate?: number;
  /** Share of list items (and detail answers) with a broken field: null where a value is promised, wrong types, missing id. */
  malformedRate?: number;
  /** Share of models whose free-text fields carry hostile strings (markup, RTL overrides, emoji, 10,000 chars). */
  hostileRate?: number;
  rateLimit?: { max: number; windowMs: number } | null;
  /** WiseModel only, with `wmHtmlFixture`: render the changed layout (different class names, no embedded state). */
  layoutDrift?: boolean;
  /**
   * WiseModel only: serve the invented server-rendered list and model pages (the HTML fallback's fixture) instead
   * of the client-rendered app shell the evidence points to (research note §B1, §E).
   */
  wmHtmlFixture?: boolean;
  /** WiseModel only: drift switches for its GitLab API, gateway and tokens (src/sim/wisemodel-faults.ts). */
  wmDrift?: WmDrift;
  /** ModelScope only: share of answers that are HTTP 200 with `Success:false` and a Chinese message. */
  businessErrorRate?: number;
  /**
   * ModelScope only: the dolphin search serves no model at or past this offset ((PageNumber-1)*PageSize): the page
   * that crosses it is short and later pages are empty, with `Success` and the full `TotalCount` (the silent form;
   * no cap is documented, one cannot be ruled out: research note §E).
   */
  depthLimit?: number;
  /**
   * ModelScope only: until this many dolphin list pages of the day have been served, the catalogue is as it stood
   * at the end of the previous day (models, counts, update times); from then on, the day's. Mid-walk, counts jump,
   * models updated that day move to the front of the GmtModified order and the day's new models appear.
   */
  msMoveAfterPage?: number;
  /** ModelScope only: the ways the real site may drift from what hubwatch expects (for `hubwatch probe`). */
  msDrift?: MsDrift;
  /**
   * Hugging Face only. The list route accepts `baseModels`, `childrenModelCount` and `usedStorage` (the old,
   * wrong belief): for tests that ask for permissive behaviour on purpose. Default: refused with a 400, as the Hub does.
   */
  listExpandPermissive?: boolean;
  /**
   * Hugging Face only: the Hub's download and like counters move in batches (research/hf.md §7: stall days, then
   * catch-up; huggingface_hub#4365). Until this many list pages of the day
   * have been served, figures (and the orders by them) are the previous day's; from then on, the day's.
   */
  counterBatchAfterPage?: number;
  /**
   * Hugging Face only: list pages hold fewer items than `limit` (research/hf.md §7; the walk must follow Link, never
   * stop on a short page).
   */
  shortPages?: boolean;
  /** Hugging Face only: the ways the real Hub may drift from what hubwatch expects (for `hubwatch probe` and its tests). */
  hfDrift?: HfDrift;
}

export interface HfDrift {
  /** More expand values the list route refuses with a 400 naming them. */
  refuseListExpand?: string[];
  /** A field left out of every list item and detail answer. */
  dropField?: string;
  /** A count field served as a string ("12k"). */
  retypeField?: string;
  /** The next-page Link: relative instead of absolute, absent on a full page, or offset-based (`skip=`) instead of a cursor. */
  linkForm?: 'relative' | 'absent' | 'offset';
  /** No RateLimit / RateLimit-Policy headers. */
  noRateLimitHeaders?: boolean;
  /** Status for a repository that does not exist (the Hub answers 401 to an anonymous request). */
  missingRepoStatus?: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
  /** Bytes streamed from a file instead of `body` (the dump routes: files too large to hold in memory). */
  file?: FileBody;
}

export interface FileBody {
  path: string;
  /** First and last byte to send, inclusive; `end < start` sends nothing (an empty file). */
  start: number;
  end: number;
  /** Called with each body chunk's length as it is handed to the socket (a server's bytes-served counter). */
  onBytes?(n: number): void;
}

export interface RequestInfo {
  method: string;
  url: URL;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

export interface RateState {
  limited: boolean;
  remaining: number;
  resetSec: number;
  quota: number;
  windowSec: number;
}

export interface PlatformHooks {
  platform: PlatformName;
  handle(req: RequestInfo, ctx: PlatformContext): Promise<Reply> | Reply;
  /** The platform's own 429 answer. */
  rateLimited(rate: RateState, ctx: PlatformContext): Reply;
  /** The platform's own 5xx answer; `n` varies the body form. */
  serverError(status: number, n: number, ctx: PlatformContext): Reply;
  /** Extra headers on every answer of the platform's API (HF's RateLimit headers). */
  decorate?(reply: Reply, rate: RateState | null, req: RequestInfo, ctx: PlatformContext): void;
  /** Whether a path counts against the rate limit (HF limits /api/*, not its admin routes). */
  limited?(path: string): boolean;
  /** The platform's own admin routes under /__sim/ (loopback only), tried before the shared ones answer 404. */
  admin?(method: string, path: string, body: string): Reply | null;
}

export interface AdminHooks {
  setDay(day: string): void;
  day(): string;
}

const MAX_BODY = 1 << 20;

/** A request the simulator keeps from being answered until the test lets it go (Sim.holdRequest). */
export interface RequestHold {
  /** Resolves with the held request once it has arrived (counted, not yet answered). */
  readonly arrived: Promise<RequestInfo>;
  /** Lets the held request be answered; harmless before it arrives (it then passes straight through) or twice. */
  release(): void;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PlatformContext {
  faults: SimFaults;
  requests = 0;
  readonly seq: Sequence;
  /** The wait of a slow answer (`slowRate`); tests pass one they control instead of waiting on the clock. */
  sleep: (ms: number) => Promise<void> = realSleep;
  private window: { start: number; count: number } | null = null;
  private burstLeft = 0;
  private holds: Array<{ at: number; arrived: (req: RequestInfo) => void; released: Promise<void> }> = [];

  constructor(
    readonly platform: PlatformName,
    readonly seed: number,
    faults: SimFaults,
  ) {
    this.faults = { ...faults };
    this.seq = new Sequence(seed ^ (platform.length * 0x9e37));
  }

  setFaults(f: SimFaults): void {
    this.faults = { ...f };
    this.window = null;
    this.burstLeft = 0;
  }

  rate(now: number): RateState | null {
    const rl = this.faults.rateLimit;
    if (!rl) return null;
    if (!this.window || now >= this.window.start + rl.windowMs) this.window = { start: now, count: 0 };
    this.window.count++;
    const resetSec = Math.max(1, Math.ceil((this.window.start + rl.windowMs - now) / 1000));
    return {
      limited: this.window.count > rl.max,
      remaining: Math.max(0, rl.max - this.window.count),
      resetSec,
      quota: rl.max,
      windowSec: Math.round(rl.windowMs / 1000),
    };
  }

  /** Holds the n-th request counted from now (1: the next one) before it is answered. */
  hold(n: number): RequestHold {
    if (!Number.isInteger(n) || n < 1) throw new Error(`hold: n must be a whole number from 1, got ${n}`);
    let arrived!: (req: RequestInfo) => void;
    let release!: () => void;
    const arrival = new Promise<RequestInfo>((r) => (arrived = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ at: this.requests + n, arrived, released });
    return { arrived: arrival, release };
  }

  /** Waits while a hold names this request (the request count after counting it). */
  async held(req: RequestInfo): Promise<void> {
    const mine = this.holds.filter((h) => h.at === this.requests);
    if (mine.length === 0) return;
    this.holds = this.holds.filter((h) => h.at !== this.requests);
    for (const h of mine) h.arrived(req);
    await Promise.all(mine.map((h) => h.released));
  }

  chance(rate: number | undefined): boolean {
    return !!rate && rate > 0 && this.seq.next() < rate;
  }

  /** 5xx bursts: one roll starts a burst, the burst continues for a few requests regardless of later rolls. */
  serverErrorNow(): boolean {
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return true;
    }
    if (this.chance(this.faults.error5xxRate)) {
      this.burstLeft = Math.floor(this.seq.next() * 4);
      return true;
    }
    return false;
  }
}

export function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function html(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

export function weakEtag(body: string | Buffer): string {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return `W/"${buf.length.toString(16)}-${createHash('sha1').update(buf).digest('base64').slice(0, 27)}"`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.file) return sendFile(res, reply, reply.file, false);
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Streams a file's byte range (never the whole file in memory); `cut` drops the connection half-way (a fault). */
function sendFile(res: ServerResponse, reply: Reply, file: FileBody, cut: boolean): void {
  const length = Math.max(0, file.end - file.start + 1);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(length) });
  if (length === 0 || res.req.method === 'HEAD') return void res.end();
  const last = cut ? file.start + Math.max(0, Math.floor(length / 2) - 1) : file.end;
  const stream = createReadStream(file.path, { start: file.start, end: last });
  stream.on('data', (chunk) => file.onBytes?.(chunk.length));
  stream.on('error', () => res.destroy());
  if (cut) stream.on('end', () => res.socket?.destroy());
  stream.pipe(res, { end: !cut });
}

export interface PlatformServer {
  server: Server;
  ctx: PlatformContext;
  url: string;
  close(): Promise<void>;
}

export async function startPlatformServer(
  hooks: PlatformHooks,
  ctx: PlatformContext,
  admin: AdminHooks,
  port: number,
): Promise<PlatformServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, json(500, { error: String(err instanceof Error ? err.message : err) }));
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname;
    if (path.startsWith('/__sim/')) {
      if (!isLoopback(req.socket.remoteAddress))
        return send(res, json(403, { error: 'admin routes are loopback only' }));
      const body = req.method === 'POST' ? await readBody(req) : '';
      return send(res, adminRoute(req.method ?? 'GET', path, body));
    }
    const body = req.method === 'PUT' || req.method === 'POST' ? await readBody(req) : '';
    const info: RequestInfo = { method: req.method ?? 'GET', url, path, body, headers: req.headers };
    ctx.requests++;
    await ctx.held(info);
    const now = Date.now();
    const rate = (hooks.limited?.(path) ?? true) ? ctx.rate(now) : null;
    let reply: Reply;
    if (rate?.limited) {
      reply = hooks.rateLimited(rate, ctx);
    } else if (ctx.serverErrorNow()) {
      const status = ctx.seq.next() < 0.5 ? 503 : 502;
      reply = hooks.serverError(status, Math.floor(ctx.seq.next() * 2), ctx);
    } else {
      if (ctx.chance(ctx.faults.slowRate)) await ctx.sleep(ctx.faults.slowMs ?? 2000);
      reply = await hooks.handle(info, ctx);
    }
    reply.headers = { 'x-request-id': `Root=1-${randomUUID()}`, ...reply.headers };
    hooks.decorate?.(reply, rate, info, ctx);
    if (reply.status === 200 && ctx.chance(ctx.faults.truncateRate)) return truncate(res, reply, ctx.seq.next() < 0.5);
    const inm = req.headers['if-none-match'];
    if (reply.status === 200 && inm && reply.headers?.etag && inm === reply.headers.etag) {
      res.writeHead(304, { etag: reply.headers.etag });
      return void res.end();
    }
    send(res, reply);
  }

  function truncate(res: ServerResponse, reply: Reply, destroy: boolean): void {
    if (reply.file) return sendFile(res, reply, reply.file, true);
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    const cut = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    if (destroy) {
      // Promise the whole body, deliver half, then drop the connection: the client sees a premature close.
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
      res.write(cut, () => res.socket?.destroy());
      return;
    }
    // Or a well-framed answer whose content is itself cut (a proxy that gave up): the body does not parse.
    send(res, { ...reply, body: cut });
  }

  function adminRoute(method: string, path: string, body: string): Reply {
    try {
      if (method === 'POST' && path === '/__sim/day') {
        const v = JSON.parse(body) as { day?: unknown };
        if (typeof v.day !== 'string') return json(400, { error: 'body must be {"day":"YYYY-MM-DD"}' });
        admin.setDay(v.day);
        return json(200, { day: admin.day() });
      }
      if (method === 'POST' && path === '/__sim/faults') {
        const v = JSON.parse(body) as unknown;
        if (!v || typeof v !== 'object' || Array.isArray(v))
          return json(400, { error: 'body must be a SimFaults object' });
        ctx.setFaults(v);
        return json(200, { platform: ctx.platform, faults: ctx.faults });
      }
      if (method === 'GET' && path === '/__sim/state') {
        return json(200, { platform: ctx.platform, day: admin.day(), requests: ctx.requests, faults: ctx.faults });
      }
      const own = hooks.admin?.(method, path, body);
      if (own) return own;
      return json(404, { error: `no admin route ${method} ${path}` });
    } catch (err) {
      return json(400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    ctx,
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
