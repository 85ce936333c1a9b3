// Where digests live, how they are written (atomically, JSON last so a listed digest always has its renderings),
// the JSON Feed over them, and the copy into the static export.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unlessMissing, writeFileAtomic } from '../fsutil.js';
import { addDays } from '../time.js';
import { buildDigest, type DigestDeps } from './build.js';
import { renderHtml } from './html.js';
import { isValidIsoWeek, parseIsoWeek } from './isoweek.js';
import { renderMarkdown } from './markdown.js';
import { sanitizeSvg } from './escape.js';
import { DIGEST_SCHEMA, type Digest } from './types.js';

export const DIGEST_FORMATS = ['json', 'md', 'html', 'country-shares.svg', 'origin-split.svg'] as const;
export type DigestFormat = (typeof DIGEST_FORMATS)[number];

export const CONTENT_TYPES: Record<DigestFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  'country-shares.svg': 'image/svg+xml; charset=utf-8',
  'origin-split.svg': 'image/svg+xml; charset=utf-8',
};

export const FEED_CONTENT_TYPE = 'application/feed+json; charset=utf-8';

const FILE_RE = /^(\d{4}-W\d{2})\.(json|md|html|country-shares\.svg|origin-split\.svg)$/;

export function digestsDir(dataDir: string): string {
  return join(dataDir, 'digests');
}

export function digestPath(dataDir: string, week: string, format: DigestFormat): string {
  return join(digestsDir(dataDir), `${parseIsoWeek(week).week}.${format}`);
}

export interface WrittenDigest {
  digest: Digest;
  paths: Record<DigestFormat, string>;
}

/** Builds the week's digest and writes its JSON, Markdown, HTML and chart SVGs under `<dataDir>/digests/`. */
export async function writeDigest(deps: Omit<DigestDeps, 'week'>, week: string): Promise<WrittenDigest> {
  const digest = await buildDigest({ ...deps, week });
  const p = (f: DigestFormat) => digestPath(deps.dataDir, digest.week, f);
  const paths = Object.fromEntries(DIGEST_FORMATS.map((f) => [f, p(f)])) as Record<DigestFormat, string>;
  await writeFileAtomic(paths['country-shares.svg'], sanitizeSvg(digest.charts.countryShares.svg));
  await writeFileAtomic(paths['origin-split.svg'], sanitizeSvg(digest.charts.originSplit.svg));
  await writeFileAtomic(paths.md, renderMarkdown(digest));
  await writeFileAtomic(paths.html, renderHtml(digest));
  await writeFileAtomic(paths.json, `${JSON.stringify(digest, null, 2)}\n`);
  return { digest, paths };
}

/** Weeks that have a digest JSON, newest first. */
export async function listDigestWeeks(dataDir: string): Promise<string[]> {
  const names = (await unlessMissing(readdir(digestsDir(dataDir)))) ?? [];
  return names
    .map((n) => FILE_RE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && m[2] === 'json' && isValidIsoWeek(m[1]!))
    .map((m) => m[1]!)
    .sort()
    .reverse();
}

/** Splits `2026-W48.html` into week and format; null when the name is not a digest file at all. */
export function parseDigestFileName(name: string): { week: string; format: DigestFormat } | null {
  const m = FILE_RE.exec(name);
  return m ? { week: m[1]!, format: m[2] as DigestFormat } : null;
}

// The feed re-reads only digests whose file changed; the rest come from here.
const feedItemCache = new Map<string, { mtimeMs: number; size: number; item: FeedItem }>();

export interface FeedItem {
  id: string;
  url: string;
  title: string;
  summary: string;
  content_text: string;
  date_published: string;
  date_modified: string;
  tags: string[];
  attachments: Array<{ url: string; mime_type: string; title: string }>;
  _hubwatch: {
    week: string;
    start: string;
    end: string;
    complete: boolean;
    missingDates: string[];
    newReleases: number | null;
    notableReleases: number;
  };
}

export interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url?: string;
  feed_url: string;
  description: string;
  language: string;
  items: FeedItem[];
}

function feedItem(d: Digest, base: string): FeedItem {
  const u = (f: string) => `${base}${d.week}.${f}`;
  const published = `${addDays(d.end, 1)}T00:00:00.000Z`;
  return {
    // Stable for the digest's lifetime: rebuilding a week replaces the item rather than adding one.
    id: `hubwatch:digest:${d.week}`,
    url: u('html'),
    title: d.title,
    summary: d.summary,
    content_text: [d.summary, ...d.status.warnings.map((w) => `Incomplete: ${w}`)].join('\n'),
    date_published: published,
    date_modified: d.generatedAt,
    tags: ['digest', d.week],
    attachments: [
      { url: u('md'), mime_type: 'text/markdown', title: 'Markdown' },
      { url: u('json'), mime_type: 'application/json', title: 'JSON (the source)' },
    ],
    _hubwatch: {
      week: d.week,
      start: d.start,
      end: d.end,
      complete: d.status.complete,
      missingDates: d.status.thisWeek.missingDates,
      newReleases: d.headlines.newReleases.combined.thisWeek,
      notableReleases: d.notable.total,
    },
  };
}

/**
 * JSON Feed 1.1, one item per digest, newest first. `baseUrl` is where the digest files are served from (ending
 * in `/digests/`); without one the item URLs are relative to the feed, which sits next to the files.
 */
export async function buildDigestFeed(dataDir: string, baseUrl?: string): Promise<JsonFeed> {
  const base = baseUrl ? (baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`) : '';
  const items: FeedItem[] = [];
  for (const week of await listDigestWeeks(dataDir)) {
    const path = digestPath(dataDir, week, 'json');
    let st;
    try {
      st = await stat(path);
    } catch {
      continue; // removed between the listing and now
    }
    const key = `${base}\u0000${path}`;
    const hit = feedItemCache.get(key);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
      items.push(hit.item);
      continue;
    }
    let d: Digest;
    try {
      d = JSON.parse(await readFile(path, 'utf8')) as Digest;
    } catch {
      continue; // a digest that cannot be read is left out rather than breaking the whole feed
    }
    if (d.schema !== DIGEST_SCHEMA || d.week !== week) continue;
    const item = feedItem(d, base);
    feedItemCache.set(key, { mtimeMs: st.mtimeMs, size: st.size, item });
    items.push(item);
  }
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'hubwatch weekly digests',
    ...(base ? { home_page_url: base } : {}),
    feed_url: `${base}feed.json`,
    description:
      'Weekly digests of open-model releases on Hugging Face, ModelScope and WiseModel: releases, shares by country, licences, notable base models.',
    language: 'en',
    items,
  };
}

/**
 * Copies every digest file into `<dataDir>/public/digests/` (each atomically) and writes the feed beside them,
 * for the static export. Returns the paths written.
 */
export async function exportDigests(dataDir: string, opts: { baseUrl?: string } = {}): Promise<{ paths: string[] }> {
  const src = digestsDir(dataDir);
  const dst = join(dataDir, 'public', 'digests');
  let names: string[];
  try {
    names = await readdir(src);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    names = [];
  }
  const paths: string[] = [];
  // JSON last per week, as in writeDigest, so a reader of the export never finds a listed digest without its files.
  const files = names
    .filter((n) => {
      const f = parseDigestFileName(n);
      return f !== null && isValidIsoWeek(f.week);
    })
    .sort((a, b) => Number(a.endsWith('.json')) - Number(b.endsWith('.json')) || a.localeCompare(b));
  for (const name of files) {
    const to = join(dst, name);
    await writeFileAtomic(to, await readFile(join(src, name)));
    paths.push(to);
  }
  const feedPath = join(dst, 'feed.json');
  await writeFileAtomic(feedPath, `${JSON.stringify(await buildDigestFeed(dataDir, opts.baseUrl), null, 2)}\n`);
  paths.push(feedPath);
  return { paths };
}
