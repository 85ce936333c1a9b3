// Platform strings are hostile (markup, script, bidi overrides, 10,000-character fields). Everything a digest
// shows from a platform goes through one of these, so a model named `<script>…` is text in every output.
import { capString } from '../model.js';

/** Default cap for a platform string shown in a digest (names, ids, organisations). */
export const TEXT_CAP = 120;

// Explicit bidi embeddings/overrides/isolates and other invisible controls: a name can use them to reorder the
// rest of a table row. Removed, and each string is isolated instead (FSI…PDI in Markdown, <bdi> in HTML).
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// C0/C1 controls except tab (which becomes a space below), and line/paragraph separators that break table rows.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/g;

/** Caps and flattens a platform string: no controls, no bidi overrides, no line breaks. */
export function cleanText(s: string | null | undefined, max = TEXT_CAP): string {
  if (s === null || s === undefined) return '';
  const flat = s
    .replace(BIDI_CONTROLS, '')
    .replace(CONTROLS, '')
    .replace(/[\t\r\n]+/g, ' ');
  return capString(flat, max);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/** A platform string as HTML text: cleaned, capped, escaped, isolated so right-to-left text stays in its cell. */
export function htmlText(s: string | null | undefined, max = TEXT_CAP): string {
  return `<bdi>${escapeHtml(cleanText(s, max))}</bdi>`;
}

// CommonMark treats these as syntax somewhere (emphasis, links, headings, lists, tables, autolinks); `~` is
// GitHub's strikethrough. `&<>"'` become entities instead, so no raw HTML can form.
const MD_PUNCT = /[\\`*_{}[\]()#+\-.!|~:]/g;

/** Escapes any string for Markdown text (GitHub): punctuation backslash-escaped, HTML-sensitive characters as entities. */
export function escapeMarkdown(s: string): string {
  // Backslashes first, entities second: the other way round `&#39;` would become `&\#39;` and show as code.
  return s.replace(MD_PUNCT, (c) => `\\${c}`).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// Our own sentences (dates, numbers, week ids, labels) keep `-.()#+!:` readable: without `[`, `]`, `<` and `&`
// they cannot form a link, an image or HTML, and mid-line they are plain text. Line starts are guarded separately.
const MD_PUNCT_OWN = /[\\`*_[\]|~]/g;

/** Escapes our own text for Markdown: no links, emphasis, code or HTML can form; dates stay readable. */
export function escapeMarkdownOwn(s: string): string {
  // Quotes only matter inside HTML attributes, and no HTML can form without `<`.
  return s.replace(MD_PUNCT_OWN, (c) => `\\${c}`).replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!);
}

/** Keeps a line's first characters from being read as a heading, list, quote, rule or numbered item. */
export function guardLineStart(line: string): string {
  const m = /^(\s*)([#+\-=>]|\d{1,9}[.)])/.exec(line);
  if (!m) return line;
  const lead = m[2]!;
  const at = m[1]!.length + (/^\d/.test(lead) ? lead.length - 1 : 0);
  return `${line.slice(0, at)}\\${line.slice(at)}`;
}

/** A platform string as Markdown text: cleaned, capped, escaped and wrapped in FSI…PDI bidi isolates. */
export function mdText(s: string | null | undefined, max = TEXT_CAP): string {
  const t = cleanText(s, max);
  if (t === '') return '';
  return `\u2068${escapeMarkdown(t)}\u2069`;
}

/**
 * A platform URL made safe to link: only absolute http(s) URLs survive; characters that could end a Markdown link
 * destination or an attribute are percent-encoded. null means "show the text without a link".
 */
export function safeUrl(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 2000) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password) return null;
  return u.href.replace(
    /[()<>"'`\\\s[\]|*_]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/**
 * Removes anything executable from an SVG before it is inlined. Vega already escapes chart text (tested), and the
 * digest JSON may have been edited by hand since it was built, so this runs on every render, not only on build.
 */
export function sanitizeSvg(svg: string): string {
  let s = svg;
  // Drop prologues and doctypes: an internal DTD subset could declare entities.
  s = s.replace(/<\?xml[\s\S]*?\?>/gi, '').replace(/<!DOCTYPE[\s\S]*?>/gi, '');
  // Drop whole elements that run or embed content; then any stray opening or closing tags of them.
  for (const tag of ['script', 'foreignObject', 'iframe', 'object', 'embed', 'style', 'animate', 'set', 'handler']) {
    s = s.replace(new RegExp(`<${tag}\\b[\\s\\S]*?<\\/${tag}\\s*>`, 'gi'), '');
    s = s.replace(new RegExp(`<\\/?${tag}\\b[^>]*>`, 'gi'), '');
  }
  // Event handler attributes, quoted or not.
  s = s.replace(/\s(?:on[a-z]+|xlink:href|href|formaction)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, (m) =>
    /^\s*(?:xlink:href|href)\s*=\s*["']?#/i.test(m) ? m : '',
  );
  // Anything left that names a script scheme is neutralised.
  s = s.replace(/(?:java|vb)script\s*:/gi, 'blocked:').replace(/data\s*:\s*text\/html/gi, 'blocked:');
  return s;
}

/** Integers with thin grouping; `–` for null, so an absent figure never reads as zero. */
export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

export function fmtSigned(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const r = Math.round(n);
  return r > 0 ? `+${r.toLocaleString('en-US')}` : r < 0 ? `−${Math.abs(r).toLocaleString('en-US')}` : '±0';
}

export function fmtPct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(digits)}%`;
}

export function fmtPp(pp: number | null | undefined, digits = 2): string {
  if (pp === null || pp === undefined || !Number.isFinite(pp)) return '–';
  const r = Number(pp.toFixed(digits));
  if (r === 0) return '±0.00 pp';
  return `${r > 0 ? '+' : '−'}${Math.abs(r).toFixed(digits)} pp`;
}

export function fmtChangePct(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '';
  const r = Math.round(p);
  return ` (${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r)}%)`;
}

/** RAM as people read a ratio: 12.5, 0.84; – where it cannot be given. */
export function fmtRam(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Growth as a signed percentage: +35%, −12%; – where it cannot be given. */
export function fmtGrowth(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const pct = Math.round(v * 100);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct)}%`;
}

/** Parameter counts as people say them: 7B, 1.5B, 350M. */
export function fmtParams(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n <= 0) return '–';
  if (n >= 1e12) return `${trim(n / 1e12)}T`;
  if (n >= 1e9) return `${trim(n / 1e9)}B`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e3) return `${trim(n / 1e3)}K`;
  return String(Math.round(n));
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1).replace(/\.0$/, '') : x.toFixed(2).replace(/\.?0+$/, '');
}

export const KIND_LABELS: Record<string, string> = {
  big_tech: 'Big tech',
  ai_startup: 'AI start-ups',
  academic: 'Academic',
  nonprofit: 'Non-profits',
  government: 'Government',
  redistributor: 'Redistributors',
  community: 'Community',
  individual: 'Individuals',
  unknown: 'Unknown',
};
