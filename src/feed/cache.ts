// Rendered response bodies, kept in memory with their strong ETag and compressed variants. Reads vastly
// outnumber writes here (a snapshot a day, a poll every few minutes), so a hot read is a map lookup and a write
// of a Buffer: that is what lets the API keep up with a static file server.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type Encoding = 'br' | 'gzip';

export interface Rendered {
  body: string;
  contentType: string;
  cacheControl: string;
}

export class CacheEntry {
  readonly body: Buffer;
  /** The body's hash; the ETag of each encoding is derived from it, so a 304 works across encodings. */
  readonly hash: string;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly expiresAt: number;
  private readonly encoded = new Map<Encoding, Promise<Buffer>>();

  constructor(r: Rendered, expiresAt: number) {
    this.body = Buffer.from(r.body, 'utf8');
    this.hash = createHash('sha256').update(this.body).digest('base64url').slice(0, 32);
    this.contentType = r.contentType;
    this.cacheControl = r.cacheControl;
    this.expiresAt = expiresAt;
  }

  etag(encoding: Encoding | null): string {
    // A strong ETag names one representation, so the compressed bytes get their own tag.
    return encoding === null ? `"${this.hash}"` : `"${this.hash}-${encoding === 'br' ? 'br' : 'gz'}"`;
  }

  /** Compressed lazily and once: the first client that asks pays for it. */
  compressed(encoding: Encoding): Promise<Buffer> {
    let p = this.encoded.get(encoding);
    if (!p) {
      p =
        encoding === 'br'
          ? brotliAsync(this.body, {
              params: {
                [zlibConstants.BROTLI_PARAM_QUALITY]: 6,
                [zlibConstants.BROTLI_PARAM_SIZE_HINT]: this.body.length,
              },
            })
          : gzipAsync(this.body, { level: 6 });
      this.encoded.set(encoding, p);
    }
    return p;
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
 */
export class BodyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<CacheEntry>>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntries: number;

  constructor(opts: BodyCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.maxEntries = opts.maxEntries ?? 2000;
  }

  async get(key: string, ttlMs: number | null, render: () => Promise<Rendered>): Promise<CacheEntry> {
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expiresAt > Date.now()) {
        // Re-insert to mark as most recently used (Map keeps insertion order).
        this.entries.delete(key);
        this.entries.set(key, hit);
        return hit;
      }
      this.remove(key);
    }
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = render().then(
      (r) => {
        const entry = new CacheEntry(r, ttlMs === null ? Number.POSITIVE_INFINITY : Date.now() + ttlMs);
        this.pending.delete(key);
        this.insert(key, entry);
        return entry;
      },
      (err: unknown) => {
        this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private insert(key: string, entry: CacheEntry): void {
    // A body larger than the whole budget is served but not kept.
    if (entry.size > this.maxBytes) return;
    this.remove(key);
    this.entries.set(key, entry);
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
    this.bytes -= e.size;
  }
}

/** Picks br or gzip from Accept-Encoding (q-values honoured), or null for identity. */
export function negotiateEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  let best: Encoding | null = null;
  let bestQ = 0;
  let starQ: number | null = null;
  const seen = new Set<string>();
  for (const part of header.split(',', 20)) {
    const [nameRaw, ...params] = part.trim().split(';');
    const name = (nameRaw ?? '').trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q)) q = 0;
    if (name === '*') {
      starQ = q;
      continue;
    }
    seen.add(name);
    const enc: Encoding | null = name === 'br' ? 'br' : name === 'gzip' || name === 'x-gzip' ? 'gzip' : null;
    // Prefer br on a tie: smaller bodies, and every browser that sends it decodes it.
    if (enc && q > 0 && (q > bestQ || (q === bestQ && enc === 'br'))) {
      best = enc;
      bestQ = q;
    }
  }
  if (best === null && starQ !== null && starQ > 0 && !seen.has('gzip')) return 'gzip';
  return best;
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
