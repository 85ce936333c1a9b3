// A dump folder (src/sim/dumps.ts) served the way the Hub serves a dataset repository, on the simulated Hub's own
// port, so `hubwatch backfill --dump <url>` meets what it would meet on huggingface.co:
//
// - `GET /api/datasets/<owner>/<name>/tree/<rev>[/<path>]?recursive=&expand=`: the repo's listing as JSON entries
//   `{type: "file"|"directory", oid, size, lfs?: {oid, size, pointerSize}, path}` (+ `lastCommit` with expand),
//   paginated by an absolute `Link: <…&cursor=…>; rel="next"` [@huggingface/hub 2.17.5 `listFiles` builds this URL
//   and follows that Link; `ApiIndexTreeEntry` is the entry; its parseLinkHeader comment quotes a real
//   `…/tree/main?recursive=1&cursor=…` Link]. The page size is not documented: `pageSize` (default 1000) decides.
// - `GET|HEAD /datasets/<owner>/<name>/resolve/<rev>/<path>`: an LFS file answers 302 to a CDN URL on another
//   path of this server, with `X-Linked-Size`, `X-Linked-Etag` and `X-Repo-Commit` on the redirect itself, so a HEAD
//   that does not follow it still learns the size [huggingface_hub file_download.py `get_hf_file_metadata`: HEAD
//   following only relative redirects, size from X-Linked-Size, "If url domain is different => we are downloading
//   from a CDN"]. A file outside LFS is served in place. A missing entry is 404 with `X-Error-Code: EntryNotFound`
//   [@huggingface/hub `fileDownloadInfo`], a missing repo 401 `RepoNotFound` to an anonymous caller (research/hf.md
//   §1.2), another revision 404 `RevisionNotFound`.
// - The CDN honours `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` with 206, `Content-Range` and `Accept-Ranges`,
//   416 past the end, and answers HEAD with the size [tardellirs/modelpulse pipeline/backfill.py reads hub-stats
//   exactly so: HEAD through the redirect for Content-Length, then ranged GETs at the CDN URL; @huggingface/hub
//   `fileDownloadInfo` sends `Range: bytes=0-0` and reads the size from Content-Range]. Several ranges in one
//   request are answered with the whole file (RFC 9110 §14.2 lets a server ignore Range).
// - `refuseRange` (option, or `setRefuseRange` on a running server): every file answers 200 with the whole body and
//   `Accept-Ranges: none`, as a server that ignores Range may (RFC 9110 §14.2: "A server MAY ignore the Range header
//   field"; §14.3: `none` says it does not support ranges) — a mirror or proxy in front of the dump, say. Nothing shows
//   the Hub's CDN doing so; it is there so that `hubwatch probe --dump` can be seen to notice, and the backfill to stop.
//
// Which files are LFS: Parquet and CSV data files. Real Parquet files of 15 kB are LFS on the Hub (dataset file
// pages "stored with Git LFS", pointer sizes 130–134 bytes); a whole-Hub CSV is hundreds of MB, far past what the
// Hub keeps in git. Hashes are real where a client could check them: `lfs.oid` is the file's SHA-256, a file's
// `oid` the git blob id of its LFS pointer (or of its bytes outside LFS). A directory's `oid` and the commit id
// are digests of what the folder holds (names, sizes, times), not git's tree hashes: clients treat them as opaque,
// and listing a folder of large files then reads none of them. Each file is hashed once (per size and mtime), when
// it is first listed or resolved.
//
// Counters: bytes of file bodies handed to sockets (a HEAD sends none), per repo path, and requests per route, for tests that
// show a backfill read only part of a file: `bytesServed()` in process, `GET /__sim/dumps` over HTTP (loopback),
// `POST /__sim/dumps/reset` to start again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { json, type PlatformContext, type PlatformHooks, type Reply, type RequestInfo } from './http.js';

/**
 * The weekly mirror's repository (research/anchors.md §12). Defined here, not with the writer, so that starting the
 * simulator does not load DuckDB.
 */
export const DEFAULT_DUMP_REPO = 'hfmlsoc/hub_weekly_snapshots';

export interface DumpServeOptions {
  /** The folder written by writeDumpFolder (its `models/<date>/…` is the repo's `models/<date>/…`). */
  dir: string;
  /** owner/name of the dataset repository (default hfmlsoc/hub_weekly_snapshots). */
  repo?: string;
  /** Tree entries per listing page (default 1000). */
  pageSize?: number;
  /** Answer every file request whole (200), ignoring Range (default off). */
  refuseRange?: boolean;
}

export interface DumpCounters {
  /** Body bytes written, all files. */
  bytes: number;
  /** Body bytes written per repo path (e.g. `models/2025-03-05/models.parquet`). */
  byPath: Record<string, number>;
  requests: { tree: number; resolve: number; cdn: number };
}

interface FileFacts {
  size: number;
  mtimeMs: number;
  sha256: string;
  /** git blob id of what git stores: the LFS pointer, or the bytes themselves. */
  gitOid: string;
  lfs: { oid: string; size: number; pointerSize: number } | null;
}

interface Node {
  path: string;
  abs: string;
  type: 'file' | 'directory';
  size: number;
  mtimeMs: number;
}

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LFS_FILE = /\.(parquet|csv)$/i;
const DEFAULT_PAGE = 1000;

function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

function gitBlobOid(content: Buffer | string, size = Buffer.byteLength(content)): string {
  return createHash('sha1').update(`blob ${size}\0`).update(content).digest('hex');
}

function hubError(status: number, code: string, message: string): Reply {
  return json(status, { error: message }, { 'x-error-code': code, 'x-error-message': message });
}

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1';
}

export class DumpRepoServer {
  readonly repo: string;
  private readonly dir: string;
  private readonly pageSize: number;
  private refuseRange: boolean;
  private readonly facts = new Map<string, Promise<FileFacts>>();
  /** sha256 → repo path, for CDN URLs. */
  private readonly bySha = new Map<string, string>();
  private counters: DumpCounters = { bytes: 0, byPath: {}, requests: { tree: 0, resolve: 0, cdn: 0 } };

  constructor(opts: DumpServeOptions) {
    const repo = opts.repo ?? DEFAULT_DUMP_REPO;
    if (!REPO_NAME.test(repo))
      throw new Error(`The dump repository must look like owner/name, got ${JSON.stringify(repo)}.`);
    const pageSize = opts.pageSize ?? DEFAULT_PAGE;
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new Error(`The tree page size must be a whole number of at least 1, got ${pageSize}.`);
    this.repo = repo;
    this.dir = opts.dir;
    this.pageSize = pageSize;
    this.refuseRange = opts.refuseRange === true;
  }

  /** Switches Range support off (every file whole, 200) or back on, for the requests that follow. */
  setRefuseRange(refuse: boolean): void {
    this.refuseRange = refuse;
  }

  /** The dataset's base URL on a Hub at `hubUrl` (what `hubwatch backfill --dump` takes). */
  datasetUrl(hubUrl: string): string {
    return `${hubUrl}/datasets/${this.repo}`;
  }

  bytesServed(path?: string): number {
    return path === undefined ? this.counters.bytes : (this.counters.byPath[path] ?? 0);
  }

  counts(): DumpCounters {
    return { bytes: this.counters.bytes, byPath: { ...this.counters.byPath }, requests: { ...this.counters.requests } };
  }

  resetCounters(): void {
    this.counters = { bytes: 0, byPath: {}, requests: { tree: 0, resolve: 0, cdn: 0 } };
  }

  /** The Hub's hooks with the dataset routes in front; every other path goes to `inner` unchanged. */
  wrap(inner: PlatformHooks): PlatformHooks {
    return {
      platform: inner.platform,
      handle: async (req, ctx) => (await this.handle(req)) ?? inner.handle(req, ctx),
      rateLimited: (rate, ctx) => inner.rateLimited(rate, ctx),
      serverError: (status, n, ctx: PlatformContext) => inner.serverError(status, n, ctx),
      decorate: inner.decorate ? (reply, rate, req, ctx) => inner.decorate!(reply, rate, req, ctx) : undefined,
      limited: inner.limited ? (path) => inner.limited!(path) : undefined,
      admin: (method, path, body) => this.admin(method, path) ?? inner.admin?.(method, path, body) ?? null,
    };
  }

  admin(method: string, path: string): Reply | null {
    if (method === 'GET' && path === '/__sim/dumps') return json(200, { repo: this.repo, ...this.counts() });
    if (method === 'POST' && path === '/__sim/dumps/reset') {
      this.resetCounters();
      return json(200, { repo: this.repo, ...this.counts() });
    }
    return null;
  }

  /** The reply for a dataset route, or null when the path is not one (the Hub's other routes answer it). */
  async handle(req: RequestInfo): Promise<Reply | null> {
    const p = req.path;
    if (p.startsWith('/api/datasets/')) {
      const m = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*?))?\/?$/.exec(p);
      if (!m) return null;
      this.counters.requests.tree++;
      if (req.method !== 'GET') return json(405, { error: 'Method not allowed' });
      return this.tree(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), decodeURIComponent(m[3] ?? ''), req);
    }
    if (p.startsWith('/datasets/')) {
      const m = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p);
      if (!m) return null;
      this.counters.requests.resolve++;
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'Method not allowed' });
      return this.resolve(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), decodeURIComponent(m[3]!), req);
    }
    if (p.startsWith('/cdn-lfs/')) {
      this.counters.requests.cdn++;
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return { status: 405, headers: { 'content-type': 'text/plain' }, body: 'Method not allowed' };
      return this.cdn(p.slice('/cdn-lfs/'.length), req);
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------------ the listing

  private checkRepo(repo: string, rev: string): Reply | null {
    // A repo the caller cannot see is 401 to an anonymous request, as for models (research/hf.md §1.2).
    if (repo !== this.repo) return hubError(401, 'RepoNotFound', 'Repository not found');
    if (rev !== 'main') return hubError(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    return null;
  }

  private async tree(repo: string, rev: string, path: string, req: RequestInfo): Promise<Reply> {
    const bad = this.checkRepo(repo, rev);
    if (bad) return bad;
    const sp = req.url.searchParams;
    const recursive = truthy(sp.get('recursive'));
    const expand = truthy(sp.get('expand'));
    const clean = posix.normalize(path || '.').replace(/^\.$/, '');
    if (clean.startsWith('..')) return hubError(404, 'EntryNotFound', `${path} does not exist on "main"`);
    const top = await this.node(clean);
    if (!top || top.type !== 'directory')
      return hubError(404, 'EntryNotFound', `${path || '/'} does not exist on "main"`);
    const all = recursive ? await this.descendants(top) : await this.children(top);
    let from = 0;
    const cursor = sp.get('cursor');
    if (cursor !== null) {
      const after = decodeCursor(cursor);
      if (after === null) return json(400, { error: 'Invalid cursor' });
      from = all.findIndex((n) => n.path > after);
      if (from < 0) from = all.length;
    }
    const page = all.slice(from, from + this.pageSize);
    const commit = expand ? await this.commitId() : '';
    const entries = await Promise.all(page.map((n) => this.entry(n, expand, commit)));
    const headers: Record<string, string> = {};
    if (from + page.length < all.length) {
      const next = new URLSearchParams(sp);
      next.set('cursor', encodeCursor(page[page.length - 1]!.path));
      const host = req.headers.host ?? '127.0.0.1';
      headers.link = `<http://${host}${req.path}?${next.toString()}>; rel="next"`;
    }
    return json(200, entries, headers);
  }

  private async entry(n: Node, expand: boolean, commit: string): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = { type: n.type };
    if (n.type === 'directory') {
      out.oid = await this.dirOid(n);
      out.size = 0;
    } else {
      const f = await this.fileFacts(n);
      out.oid = f.gitOid;
      out.size = f.size;
      if (f.lfs) out.lfs = f.lfs;
    }
    out.path = n.path;
    if (expand) out.lastCommit = { id: commit, title: `Upload ${n.path}`, date: new Date(n.mtimeMs).toISOString() };
    return out;
  }

  private async node(path: string): Promise<Node | null> {
    if (path.split('/').some((seg) => hidden(seg))) return null;
    const abs = join(this.dir, ...path.split('/').filter(Boolean));
    try {
      const st = await stat(abs);
      if (st.isDirectory()) return { path, abs, type: 'directory', size: 0, mtimeMs: st.mtimeMs };
      if (st.isFile()) return { path, abs, type: 'file', size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      // missing: the caller answers EntryNotFound
    }
    return null;
  }

  private async children(dir: Node): Promise<Node[]> {
    let names: string[];
    try {
      names = await readdir(dir.abs);
    } catch {
      return [];
    }
    const out: Node[] = [];
    for (const name of names.sort()) {
      if (hidden(name)) continue;
      const n = await this.node(dir.path ? `${dir.path}/${name}` : name);
      if (n) out.push(n);
    }
    return out;
  }

  private async descendants(dir: Node): Promise<Node[]> {
    const out: Node[] = [];
    for (const c of await this.children(dir)) {
      out.push(c);
      if (c.type === 'directory') out.push(...(await this.descendants(c)));
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** A digest of what a directory holds (names, sizes, times), never of the files' bytes. */
  private async dirOid(dir: Node): Promise<string> {
    const h = createHash('sha1');
    for (const n of await this.descendants(dir)) h.update(`${n.type} ${n.path} ${n.size} ${n.mtimeMs}\n`);
    return h.digest('hex');
  }

  private async commitId(): Promise<string> {
    const root = await this.node('');
    return root ? this.dirOid(root) : createHash('sha1').update('empty').digest('hex');
  }

  /** Hashes a file once per (size, mtime): SHA-256 for LFS, the git blob id of its pointer or its bytes. */
  private fileFacts(n: Node): Promise<FileFacts> {
    const key = `${n.path}\0${n.size}\0${n.mtimeMs}`;
    let hit = this.facts.get(key);
    if (!hit) {
      hit = hashFile(n).then((f) => {
        this.bySha.set(f.sha256, n.path);
        return f;
      });
      hit.catch(() => this.facts.delete(key));
      this.facts.set(key, hit);
    }
    return hit;
  }

  // ------------------------------------------------------------------------------------------------ files

  private async resolve(repo: string, rev: string, path: string, req: RequestInfo): Promise<Reply> {
    const bad = this.checkRepo(repo, rev);
    if (bad) return bad;
    const clean = posix.normalize(path);
    const n = clean.startsWith('..') ? null : await this.node(clean);
    if (!n || n.type !== 'file') return hubError(404, 'EntryNotFound', `${path} does not exist on "main"`);
    const f = await this.fileFacts(n);
    const commit = await this.commitId();
    if (f.lfs) {
      const host = req.headers.host ?? '127.0.0.1';
      // A CDN URL of our own form; the real one is signed and expires, which a client never needs to parse.
      const location = `http://${host}/cdn-lfs/repos/${f.sha256.slice(0, 2)}/${f.sha256.slice(2, 4)}/${f.sha256}?filename=${encodeURIComponent(posix.basename(n.path))}`;
      return {
        status: 302,
        headers: {
          location,
          'content-type': 'text/plain; charset=utf-8',
          'x-linked-size': String(f.size),
          'x-linked-etag': `"${f.sha256}"`,
          'x-repo-commit': commit,
          etag: `"${f.gitOid}"`,
          'access-control-expose-headers':
            'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Linked-Size,X-Linked-ETag,ETag,Link,Accept-Ranges,Content-Range',
        },
        body: req.method === 'HEAD' ? '' : `Found. Redirecting to ${location}`,
      };
    }
    return this.bytes(n, f, req, { etag: `"${f.gitOid}"`, 'x-repo-commit': commit });
  }

  private async cdn(rest: string, req: RequestInfo): Promise<Reply> {
    const m = /^repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(rest);
    const path = m ? this.bySha.get(m[1]!) : undefined;
    const n = path === undefined ? null : await this.node(path);
    const f = n && n.type === 'file' ? await this.fileFacts(n) : null;
    // A file rewritten since the redirect has another hash: its old URL names bytes that no longer exist.
    if (!n || !f || f.sha256 !== m![1]) {
      return {
        status: 404,
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      };
    }
    return this.bytes(n, f, req, {
      etag: `"${f.sha256}"`,
      'content-type': 'application/octet-stream',
      'last-modified': new Date(n.mtimeMs).toUTCString(),
    });
  }

  /** The file's bytes, whole (200) or one range (206); 416 for a range past the end. */
  private bytes(n: Node, f: FileFacts, req: RequestInfo, headers: Record<string, string>): Reply {
    const h: Record<string, string> = { 'accept-ranges': this.refuseRange ? 'none' : 'bytes', ...headers };
    const range = this.refuseRange ? null : parseRange(req.headers.range, f.size);
    if (range === 'unsatisfiable') {
      return {
        status: 416,
        headers: { ...h, 'content-range': `bytes */${f.size}`, 'content-type': 'text/plain' },
        body: '',
      };
    }
    const onBytes = (k: number): void => {
      this.counters.bytes += k;
      this.counters.byPath[n.path] = (this.counters.byPath[n.path] ?? 0) + k;
    };
    if (range === null)
      return { status: 200, headers: h, body: '', file: { path: n.abs, start: 0, end: f.size - 1, onBytes } };
    return {
      status: 206,
      headers: { ...h, 'content-range': `bytes ${range.start}-${range.end}/${f.size}` },
      body: '',
      file: { path: n.abs, start: range.start, end: range.end, onBytes },
    };
  }
}

/** Dot files are the writer's work in progress (`.models.parquet.partial`); `.gitattributes` is a real repo file. */
function hidden(name: string): boolean {
  return name.startsWith('.') && name !== '.gitattributes';
}

function encodeCursor(afterPath: string): string {
  return Buffer.from(JSON.stringify({ file_name: afterPath })).toString('base64url');
}

function decodeCursor(cursor: string): string | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { file_name?: unknown };
    return typeof v.file_name === 'string' ? v.file_name : null;
  } catch {
    return null;
  }
}

/**
 * One byte range of a file of `size` bytes (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`; null for none (or several,
 * which are answered whole); 'unsatisfiable' when it starts past the end.
 */
export function parseRange(
  header: string | string[] | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (typeof header !== 'string') return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return null;
  return { start, end };
}

async function hashFile(n: Node): Promise<FileFacts> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${n.size}\0`);
  const lfs = LFS_FILE.test(n.path);
  for await (const chunk of createReadStream(n.abs)) {
    sha256.update(chunk as Buffer);
    if (!lfs) sha1.update(chunk as Buffer);
  }
  const sha = sha256.digest('hex');
  if (!lfs) return { size: n.size, mtimeMs: n.mtimeMs, sha256: sha, gitOid: sha1.digest('hex'), lfs: null };
  const pointer = lfsPointer(sha, n.size);
  return {
    size: n.size,
    mtimeMs: n.mtimeMs,
    sha256: sha,
    gitOid: gitBlobOid(pointer),
    lfs: { oid: sha, size: n.size, pointerSize: Buffer.byteLength(pointer) },
  };
}
