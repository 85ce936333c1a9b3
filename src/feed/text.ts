// Rendering platform strings into feeds, XML and CSV. The store keeps them verbatim (markup, right-to-left text,
// emoji are data); this is where they stop being data and become someone's screen or spreadsheet, so this is
// where they are capped, stripped and escaped.
import { capString } from '../model.js';

// Characters XML 1.0 forbids outright (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) plus the C1
// controls it discourages: a single one makes a strict feed reader reject the whole document.
const XML_ILLEGAL = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Bidi overrides and isolates let a model name visually reorder the text around it in a reader ("spoofing");
// plain right-to-left letters are kept.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** A platform string made fit for a reader's screen: illegal and spoofing characters removed, whitespace folded, capped. */
export function displayText(s: string, max: number): string {
  const cleaned = s.replace(XML_ILLEGAL, '').replace(BIDI_CONTROLS, '').replace(/\s+/g, ' ').trim();
  return capString(cleaned, max);
}

/** Escapes text for XML element content and attribute values (both quote styles), dropping illegal characters. */
export function xmlEscape(s: string): string {
  return s.replace(XML_ILLEGAL, '').replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

// Spreadsheet programs evaluate a cell that starts with one of these as a formula (CSV injection, OWASP);
// tab and carriage return are on OWASP's list as well.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180 quoting). Strings that a spreadsheet would run as a formula are prefixed with '. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v.replace(XML_ILLEGAL, '');
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvTable(header: readonly string[], rows: Iterable<ReadonlyArray<string | number | null>>): string {
  const out: string[] = [header.map(csvCell).join(',')];
  for (const r of rows) out.push(r.map(csvCell).join(','));
  return `${out.join('\r\n')}\r\n`;
}
