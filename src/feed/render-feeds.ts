// The model feeds as documents: JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with the normalised record in a
// `_hubwatch` extension, and Atom (RFC 4287). Pure functions of a page of records and its links, so the API and the
// static export render the same bytes.
import { capString, type NormalisedRecord } from '../model.js';
import { PLATFORM_LABELS } from '../sources/registry.js';
import { filterSearch, type FeedFilters } from './query.js';
import { displayText, xmlEscape } from './text.js';

const FEED_VERSION = 'https://jsonfeed.org/version/1.1';

/** Where a rendered page points: the API builds query-string links, the static export file names. */
export interface PageLinks {
  home: string;
  self: string;
  /** The same page in the other format (Atom for JSON Feed and back). */
  alternate: string;
  /** Where the `_hubwatch` extension and the API are described. */
  about: string;
  /** The next page's URL for a store cursor, or null when the next page is not published (static export's end). */
  next(cursor: string): string | null;
}

function feedTitle(f: FeedFilters): string {
  const parts: string[] = [];
  if (f.platform) parts.push(PLATFORM_LABELS[f.platform]);
  if (f.country) parts.push(`${f.country} (${f.view})`);
  if (f.org) parts.push(displayText(f.org, 100));
  if (f.kind) parts.push(f.kind);
  if (f.licenseClass) parts.push(f.licenseClass);
  const what =
    f.relation === 'base' ? 'new base models' : f.relation ? `new ${f.relation} models` : 'new open model releases';
  return `hubwatch: ${what}${parts.length ? ` · ${parts.join(' · ')}` : ''}`;
}

function httpUrl(u: string): string | null {
  if (!/^https?:\/\//i.test(u)) return null;
  try {
    return new URL(u).href;
  } catch {
    return null;
  }
}

function publisherName(r: NormalisedRecord): string {
  return displayText(r.publisher.org ?? r.namespace, 200) || 'unknown';
}

/** The plain-text summary a reader shows under the title: who, where from, under which licence, derived from what. */
export function contentText(r: NormalisedRecord): string {
  const lines = [
    `${displayText(r.id, 300)} on ${PLATFORM_LABELS[r.platform]}`,
    `Publisher: ${publisherName(r)} (${r.publisher.country}, ${r.publisher.kind})`,
    `Origin: ${displayText(r.origin.org ?? 'unknown', 200)} (${r.origin.country}, ${r.origin.kind}; by ${r.origin.basis})`,
    `Licence: ${displayText(r.license.id, 200)} (${r.license.class})`,
  ];
  if (r.lineage.relation === 'base') lines.push('Relation: base model');
  else {
    const bases = r.lineage.baseModels.slice(0, 5).map((b) => displayText(b, 200));
    lines.push(
      `Relation: ${r.lineage.relation} of ${bases.length ? bases.join(', ') : 'an unknown model'}` +
        (r.lineage.root !== r.key ? `; root ${displayText(r.lineage.root, 300)}` : ''),
    );
  }
  if (r.lineage.family) lines.push(`Family: ${displayText(r.lineage.family, 100)}`);
  if (r.task) lines.push(`Task: ${displayText(r.task, 100)}`);
  return capString(lines.join('\n'), 3000);
}

function itemTags(r: NormalisedRecord): string[] {
  const raw = [r.platform, r.lineage.relation, r.license.class, r.task, r.library, ...r.tags.slice(0, 50)];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of raw) {
    if (!t) continue;
    const d = displayText(t, 100);
    if (!d || seen.has(d)) continue;
    seen.add(d);
    out.push(d);
    if (out.length >= 30) break;
  }
  return out;
}

export function feedItem(r: NormalisedRecord, about: string): Record<string, unknown> {
  const item: Record<string, unknown> = { id: r.key };
  const url = httpUrl(r.url);
  if (url) item.url = url;
  item.title = displayText(r.id, 300) || r.key;
  item.content_text = contentText(r);
  if (r.releasedAt) item.date_published = r.releasedAt;
  if (r.lastModified) item.date_modified = r.lastModified;
  item.tags = itemTags(r);
  item.authors = [{ name: publisherName(r) }];
  item._hubwatch = { about, ...r };
  return item;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

function atomId(s: string): string {
  return `urn:hubwatch:${encodeURIComponent(s.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'))}`;
}

/** An Atom page: `next` is the next page's URL, or null on the last page. */
export function atomFeed(f: FeedFilters, items: NormalisedRecord[], links: PageLinks, next: string | null): string {
  const updatedOf = (r: NormalisedRecord): string => r.lastModified ?? r.releasedAt ?? r.firstSeenAt;
  // The feed's own updated is the newest entry's, so an unchanged page renders to the same bytes (same ETag).
  let updated = EPOCH;
  for (const r of items) {
    const u = updatedOf(r);
    if (Date.parse(u) > Date.parse(updated)) updated = u;
  }
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${xmlEscape(atomId(`feed:${filterSearch({ ...f, cursor: undefined }, f.limit)}`))}</id>`,
    `<title type="text">${xmlEscape(feedTitle(f))}</title>`,
    `<updated>${xmlEscape(updated)}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xmlEscape(links.self)}"/>`,
    `<link rel="alternate" type="application/feed+json" href="${xmlEscape(links.alternate)}"/>`,
    `<link rel="related" type="text/html" href="${xmlEscape(links.home)}"/>`,
  ];
  if (next !== null) out.push(`<link rel="next" type="application/atom+xml" href="${xmlEscape(next)}"/>`);
  out.push('<author><name>hubwatch</name></author>', '<generator>hubwatch</generator>');
  for (const r of items) {
    out.push('<entry>');
    out.push(`<id>${xmlEscape(atomId(`model:${r.key}`))}</id>`);
    out.push(`<title type="text">${xmlEscape(displayText(r.id, 300) || r.key)}</title>`);
    const url = httpUrl(r.url);
    if (url) out.push(`<link rel="alternate" type="text/html" href="${xmlEscape(url)}"/>`);
    if (r.releasedAt) out.push(`<published>${xmlEscape(r.releasedAt)}</published>`);
    out.push(`<updated>${xmlEscape(updatedOf(r))}</updated>`);
    out.push(`<author><name>${xmlEscape(publisherName(r))}</name></author>`);
    for (const t of itemTags(r)) out.push(`<category term="${xmlEscape(t)}"/>`);
    out.push(`<summary type="text">${xmlEscape(contentText(r))}</summary>`);
    out.push('</entry>');
  }
  out.push('</feed>');
  return `${out.join('\n')}\n`;
}

/** A JSON Feed page: `next` is the next page's URL, or null on the last page. */
export function jsonFeedDocument(
  f: FeedFilters,
  items: NormalisedRecord[],
  links: PageLinks,
  next: string | null,
): Record<string, unknown> {
  const feed: Record<string, unknown> = {
    version: FEED_VERSION,
    title: feedTitle(f),
    home_page_url: links.home,
    feed_url: links.self,
    description:
      'New open AI model releases on Hugging Face, ModelScope and WiseModel, newest first, with licence, ' +
      'origin and lineage. The _hubwatch object of each item holds the normalised record.',
    language: 'en',
    authors: [{ name: 'hubwatch', url: links.home }],
  };
  if (next !== null) feed.next_url = next;
  feed.items = items.map((r) => feedItem(r, links.about));
  return feed;
}
