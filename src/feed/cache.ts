// Rendered response bodies, kept in memory with their strong ETag and compressed variants. Reads vastly
// outnumber writes here (a snapshot a day, a poll every few minutes), so a hot read is a map lookup and a write
// of a ready Buffer: that is what lets the API keep up with a static file server.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';
import Negotiator from 'negotiator';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type Encoding = 'br' | 'gzip';

/** Below this many bytes compression saves less than its headers and CPU cost (@fastify/compress's default). */
export const COMPRESS_THRESHOLD = 1024;

export interface Rendered {
  /** Text is sent as UTF-8; bytes (a Parquet file) as they are. */
  body: string | Buffer;
  contentType: string;
  cacheControl: string;
  /** Headers beyond the caching ones (Link, Content-Disposition), sent with the body and with a 304. */
  headers?: Readonly<Record<string, string>>;
  /** False for bodies that are compressed already (Parquet): gzip or br would spend CPU to save nothing. */
  compressible?: boolean;
}

export class CacheEntry {
  readonly body: Buffer;
  /** The body's hash; the ETag of each encoding is derived from it, so a 304 works across encodings. */
  readonly hash: string;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly headers: Readonly<Record<string, string>>;
  private readonly compressible: boolean;
  readonly expiresAt: number;
  // A strong ETag names one representation, so the compressed bytes get their own tag. Built once, not per request.
  private readonly etags: Record<Encoding | 'identity', string>;
  private readonly encoded: Map<Encoding, Promise<Buffer>>;
  /** Finished variants, readable without awaiting: a hit on a compressed body stays synchronous. */
  private readonly ready: Map<Encoding, Buffer>;

  constructor(r: Rendered, expiresAt: number, previous?: CacheEntry) {
    this.body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
    this.hash = createHash('sha256').update(this.body).digest('base64url').slice(0, 32);
    this.contentType = r.contentType;
    this.cacheControl = r.cacheControl;
    this.headers = r.headers ?? {};
    this.compressible = r.compressible ?? true;
    this.expiresAt = expiresAt;
    this.etags = { identity: `"${this.hash}"`, br: `"${this.hash}-br"`, gzip: `"${this.hash}-gz"` };
    // A refresh that renders the same bytes (a store-backed page nobody changed) keeps the compressed variants.
    const same = previous !== undefined && previous.hash === this.hash;
    this.encoded = same ? previous.encoded : new Map();
    this.ready = same ? previous.ready : new Map();
  }

  /** The encoding this entry answers with for what the client accepts: none for bodies too small to bother. */
  encodingFor(accepted: Encoding | null): Encoding | null {
    return this.compressible && this.body.length >= COMPRESS_THRESHOLD ? accepted : null;
  }

  etag(encoding: Encoding | null): string {
    return this.etags[encoding ?? 'identity'];
  }

  /** The bytes for an encoding if they are ready now (identity always is). */
  bytes(encoding: Encoding | null): Buffer | undefined {
    return encoding === null ? this.body : this.ready.get(encoding);
  }

  /** Compressed lazily and once, off the event loop (zlib's thread pool): the first client that asks waits. */
  compressed(encoding: Encoding): Promise<Buffer> {
    let p = this.encoded.get(encoding);
    if (!p) {
      p = (
        encoding === 'br'
          ? brotliAsync(this.body, {
              params: {
                [zlibConstants.BROTLI_PARAM_QUALITY]: 6,
                [zlibConstants.BROTLI_PARAM_SIZE_HINT]: this.body.length,
              },
            })
          : gzipAsync(this.body, { level: 6 })
      ).then((buf) => {
        this.ready.set(encoding, buf);
        return buf;
      });
      this.encoded.set(encoding, p);
    }
    return p;
  }

  /** The encodings some client has asked for, so a refreshed entry can have them ready before it is served. */
  encodings(): Encoding[] {
    return [...this.encoded.keys()];
  }

  get size(): number {
    return this.body.length * 2 + 256;
  }
}

export interface BodyCacheOptions {
  /** Upper bound on the bytes held (bodies, counted twice for their compressed variants). */
  maxBytes?: number;
  maxEntries?: number;
}

/**
 * A bounded LRU of rendered bodies. Misses are single-flight: a burst of requests for a body that is not cached
 * yet renders it once. Keys are built by the caller from the route, the normalised query and the data
 * generation, so a new snapshot makes old keys unreachable and the LRU ages them out.
 *
 * A body with a time to live is served stale for up to one more ttl while a single background render replaces
 * it, so its expiry never makes a burst of readers wait on the store; past that it is rendered in the request.
 */
export class BodyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<CacheEntry>>();
  /** The key touched last: repeated hits on one hot body skip the LRU reordering. */
  private newest: string | undefined;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntries: number;

  constructor(opts: BodyCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.maxEntries = opts.maxEntries ?? 2000;
  }

  /**
   * The entry to answer with now, without waiting: fresh, or stale within its grace while a refresh runs.
   * undefined means the caller must await get().
   */
  peek(key: string, ttlMs: number | null, render: () => Promise<Rendered>): CacheEntry | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    const now = Date.now();
    if (hit.expiresAt <= now) {
      // Past its grace the body is too old to serve: drop it so get() renders in the request.
      if (ttlMs === null || hit.expiresAt + ttlMs <= now) {
        this.remove(key);
        return undefined;
      }
      // In the background: refresh() keeps the stale body on failure, and this read serves it meanwhile.
      void this.refresh(key, ttlMs, render, hit);
    }
    if (this.newest !== key) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.newest = key;
    }
    return hit;
  }

  async get(key: string, ttlMs: number | null, render: () => Promise<Rendered>): Promise<CacheEntry> {
    return this.peek(key, ttlMs, render) ?? this.pending.get(key) ?? this.refresh(key, ttlMs, render);
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
    this.bytes = 0;
  }

  get stats(): { entries: number; bytes: number; pending: number } {
    return { entries: this.entries.size, bytes: this.bytes, pending: this.pending.size };
  }

  /** Resolves once no render is in flight, background refreshes included (tests wait on it instead of a timer). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending.values()]);
  }

  /** Renders key once however many callers ask; a stale entry being replaced lends its compressed variants. */
  private refresh(
    key: string,
    ttlMs: number | null,
    render: () => Promise<Rendered>,
    stale?: CacheEntry,
  ): Promise<CacheEntry> {
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = (async () => {
      try {
        const entry = new CacheEntry(
          await render(),
          ttlMs === null ? Number.POSITIVE_INFINITY : Date.now() + ttlMs,
          stale,
        );
        // Readers of the stale body were using these encodings: have them ready before the swap.
        if (stale) await Promise.all(stale.encodings().map((e) => entry.compressed(e)));
        this.insert(key, entry);
        return entry;
      } finally {
        this.pending.delete(key);
      }
    })();
    this.pending.set(key, p);
    // Nobody awaits a background refresh; a failure leaves the stale body and surfaces when it has to be rendered.
    if (stale) p.catch(() => {});
    return p;
  }

  private insert(key: string, entry: CacheEntry): void {
    // A body larger than the whole budget is served but not kept.
    if (entry.size > this.maxBytes) return;
    this.remove(key);
    this.entries.set(key, entry);
    this.newest = key;
    this.bytes += entry.size;
    while (this.bytes > this.maxBytes || this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    if (this.newest === key) this.newest = undefined;
    this.bytes -= e.size;
  }
}

const ENCODINGS = ['br', 'gzip', 'identity'];
// On a tie br first: smaller bodies, and every client that sends it decodes it. negotiator 1.x takes this
// `preferred` option; @types/negotiator still describes 0.6, hence the wider signature.
const PREFERRED_ENCODINGS = { preferred: ['br', 'gzip'] };
type EncodingNegotiator = { encoding(available: string[], options: { preferred: string[] }): string | undefined };

/** Picks br or gzip from Accept-Encoding (RFC 9110: q-values, `*`, identity), or null for identity. */
export function negotiateEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } }) as unknown as EncodingNegotiator;
  const chosen = negotiator.encoding(ENCODINGS, PREFERRED_ENCODINGS);
  return chosen === 'br' || chosen === 'gzip' ? chosen : null;
}

/** Whether If-None-Match names this entry (any encoding of the same body; weak tags compare weakly, RFC 9110). */
export function etagMatches(header: string | undefined, hash: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const raw of header.split(',', 100)) {
    const tag = raw.trim().replace(/^W\//, '');
    if (tag === `"${hash}"` || tag === `"${hash}-br"` || tag === `"${hash}-gz"`) return true;
  }
  return false;
}
