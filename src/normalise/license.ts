// Licence normalisation: whatever a platform says about a licence → an SPDX id or expression (or
// LicenseRef-hubwatch-<key> for model licences SPDX lacks), a class, and the basis of the decision. The knowledge
// lives in config/licenses.json (reviewable in a pull request); the caller reads it (src/reference-data.ts), this
// file compiles it and applies it.
import correct from 'spdx-correct';
import parse, { type SpdxNode } from 'spdx-expression-parse';
import { LICENSE_CLASSES, LIMITS, capString, type LicenseClass, type LicenseInfo } from '../model.js';
import { cleanText, isRecord, listOf, stringList } from './text.js';

export interface LicenseInput {
  /** Hugging Face tags; only `license:<id>` ones are read. */
  hfTags?: unknown;
  /** `cardData.license`: a string or a list. */
  cardLicense?: unknown;
  /** `cardData.license_name`, meaningful when the licence is `other`. */
  licenseName?: unknown;
  /** `cardData.license_link`: kept in `raw` for the reader, not used to decide. */
  licenseLink?: unknown;
  /** ModelScope's or WiseModel's free text ("Apache License 2.0", "mit", "其他"). */
  text?: unknown;
}

export interface LicenseEntry {
  key: string;
  id: string;
  name: string;
  class: LicenseClass;
}

export interface LicenseTable {
  byKey: ReadonlyMap<string, LicenseEntry>;
  aliases: ReadonlyMap<string, string>;
  /** Lower-cased SPDX id → entry, so "Apache-2.0" or "CC-BY-NC-4.0" as free text hits the table. */
  byId: ReadonlyMap<string, LicenseEntry>;
  /** The JSON content the table was compiled from: part of the fingerprint seed (fingerprint.ts). */
  source: unknown;
}

/** Most permissive first: an OR keeps the highest, an AND the lowest. */
const RANK: Record<LicenseClass, number> = {
  permissive: 5,
  copyleft: 4,
  'open-restricted': 3,
  'non-commercial': 2,
  proprietary: 1,
  unknown: 0,
};

// Real payloads carry thousands of tags (cis-lmu/glotlid lists ~2,000 language codes before its license: tag);
// the scan is cheap, the bound only guards against absurd inputs.
const MAX_TAG_SCAN = 100_000;

export const UNKNOWN_LICENSE_ID = 'LicenseRef-hubwatch-unknown';

/** LicenseRef idstrings allow letters, digits, `.` and `-` only. */
export function licenseRef(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/\+/g, '-plus')
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64)
    .replace(/[-.]+$/g, '');
  return `LicenseRef-hubwatch-${slug === '' ? 'other' : slug}`;
}

function validSpdx(expr: string): boolean {
  try {
    parse(expr);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the table from its JSON content (pure: the caller chose where the content came from). Problems are
 * returned, not thrown, so the table's own test can list all of them.
 */
export function compileLicenseTable(json: unknown): { table: LicenseTable; problems: string[] } {
  const problems: string[] = [];
  const byKey = new Map<string, LicenseEntry>();
  const byId = new Map<string, LicenseEntry>();
  const aliases = new Map<string, string>();
  const classes = new Set<string>(LICENSE_CLASSES);
  const licenses = isRecord(json) && isRecord(json.licenses) ? json.licenses : {};
  if (!isRecord(json) || !isRecord(json.licenses)) problems.push('the table needs a "licenses" object');
  for (const [key, v] of Object.entries(licenses)) {
    if (key !== key.toLowerCase().trim()) problems.push(`${key}: keys are lower case`);
    if (!isRecord(v)) {
      problems.push(`${key}: not an object`);
      continue;
    }
    const cls = v.class;
    if (typeof cls !== 'string' || !classes.has(cls)) {
      problems.push(`${key}: class ${String(cls)} is not one of ${LICENSE_CLASSES.join(', ')}`);
      continue;
    }
    let id: string;
    if (typeof v.spdx === 'string') {
      // The table names SPDX ids; spdx-expression-parse (against spdx-license-ids) decides whether they exist.
      if (!validSpdx(v.spdx)) {
        problems.push(`${key}: "${v.spdx}" is not a valid SPDX expression`);
        continue;
      }
      id = v.spdx;
    } else if (v.spdx === null) {
      id = licenseRef(key);
    } else {
      problems.push(`${key}: spdx must be an SPDX id or null`);
      continue;
    }
    const entry: LicenseEntry = {
      key,
      id,
      name: typeof v.name === 'string' && v.name !== '' ? v.name : key,
      class: cls as LicenseClass,
    };
    byKey.set(key, entry);
    if (typeof v.spdx === 'string' && !byId.has(id.toLowerCase())) byId.set(id.toLowerCase(), entry);
  }
  const rawAliases = isRecord(json) && isRecord(json.aliases) ? json.aliases : {};
  for (const [alias, target] of Object.entries(rawAliases)) {
    if (typeof target !== 'string' || !byKey.has(target))
      problems.push(`alias "${alias}" points to unknown key ${String(target)}`);
    else aliases.set(normKey(alias), target);
  }
  return { table: { byKey, aliases, byId, source: json }, problems };
}

/** No entries: every licence is read by spdx-correct or left unknown. */
const EMPTY_LICENSE_TABLE: LicenseTable = compileLicenseTable({ licenses: {} }).table;

function normKey(s: string): string {
  return s
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

// SPDX ids outside the table (reached through spdx-correct) are classed by family; anything not recognised
// stays unknown rather than being guessed permissive.
const SPDX_COPYLEFT =
  /^(A?GPL|LGPL|MPL|EPL|EUPL|CDDL|OSL|CECILL|CC-BY-SA|ODbL|OFL|SSPL|CPAL|MS-RL|RPL|CDLA-Sharing|GFDL|Sleepycat|QPL)/i;
const SPDX_NC = /-NC(-|$)/i;
const SPDX_ND = /-ND(-|$)/i;
const SPDX_PERMISSIVE =
  /^(MIT|0BSD|BSD|Apache|ISC|Zlib|CC0|CC-BY-\d|Unlicense|BSL|PSF|Python|X11|Unicode|UPL|NCSA|PostgreSQL|WTFPL|AFL|Artistic|ECL|MulanPSL|PDDL|ODC-By|CDLA-Permissive|Zope|W3C|Libpng|curl|OpenMDW)/i;

export function classifySpdxId(id: string): LicenseClass {
  if (SPDX_NC.test(id)) return 'non-commercial';
  if (SPDX_ND.test(id)) return 'open-restricted';
  if (SPDX_COPYLEFT.test(id)) return 'copyleft';
  if (SPDX_PERMISSIVE.test(id)) return 'permissive';
  return 'unknown';
}

interface Resolved {
  id: string;
  name: string;
  class: LicenseClass;
  basis: string;
  key: string | null;
}

const EXPRESSION = /\s(or|and|with)\s|[()]/i;
const OPERATOR = /^(or|and|with)$/i;

function fromEntry(e: LicenseEntry, basis: string): Resolved {
  return { id: e.id, name: e.name, class: e.class, basis, key: e.key };
}

/** One licence name or id, without expressions. */
function resolveAtom(text: string, t: LicenseTable): Resolved {
  const k = normKey(text);
  const shown = capString(k, 80);
  const direct = t.byKey.get(k);
  if (direct) return fromEntry(direct, `"${shown}" is in the licence table`);
  const alias = t.aliases.get(k);
  if (alias !== undefined) {
    const e = t.byKey.get(alias);
    if (e) return fromEntry(e, `"${shown}" is an alias of ${alias} in the licence table`);
  }
  const spdx = t.byId.get(k);
  if (spdx) return fromEntry(spdx, `"${shown}" is the SPDX id of ${spdx.key} in the licence table`);
  const variants = [
    k.replace(/ /g, '-'),
    k.replace(/^the /, '').replace(/ (license|licence)( agreement)?$/, ''),
    k
      .replace(/^the /, '')
      .replace(/ (license|licence)( agreement)?$/, '')
      .replace(/ /g, '-'),
  ];
  for (const v of variants) {
    const e = t.byKey.get(v) ?? (t.aliases.has(v) ? t.byKey.get(t.aliases.get(v) as string) : undefined);
    if (e) return fromEntry(e, `"${shown}" read as ${e.key} (spelling variant) from the licence table`);
  }
  // spdx-correct does the fuzzy matching of free text ("GPLv3", "BSD 3-Clause") against the SPDX list.
  if (k.length <= 100 && /[a-z]/.test(k)) {
    let corrected: string | null = null;
    try {
      corrected = correct(k);
    } catch {
      corrected = null;
    }
    if (corrected && validSpdx(corrected)) {
      const e = t.byId.get(corrected.toLowerCase());
      if (e)
        return fromEntry(e, `"${shown}" corrected to SPDX ${corrected} by spdx-correct, ${e.key} in the licence table`);
      const cls = classifySpdxId(corrected);
      return {
        id: corrected,
        name: corrected,
        class: cls,
        basis: `"${shown}" corrected to SPDX ${corrected} by spdx-correct; class ${cls} from its SPDX family`,
        key: null,
      };
    }
  }
  return {
    id: licenseRef(k),
    name: capString(cleanText(text.trim()), LIMITS.text),
    class: 'unknown',
    basis: `"${shown}" is neither in the licence table nor an SPDX licence`,
    key: null,
  };
}

function evalClass(node: SpdxNode, classes: Map<string, LicenseClass>): LicenseClass {
  if ('license' in node) return classes.get(node.license) ?? classifySpdxId(node.license);
  const l = evalClass(node.left, classes);
  const r = evalClass(node.right, classes);
  if (node.conjunction === 'or') return RANK[l] >= RANK[r] ? l : r;
  return RANK[l] <= RANK[r] ? l : r;
}

/** "apache-2.0 OR mit", "(MIT AND BSD-3-Clause)", "GPL-2.0 WITH Classpath-exception-2.0". */
function resolveExpression(text: string, t: LicenseTable): Resolved | null {
  const parts = text.split(/(\(|\)|\s+or\s+|\s+and\s+|\s+with\s+)/i);
  if (parts.length > 41) return null;
  const classes = new Map<string, LicenseClass>();
  const names: string[] = [];
  let out = '';
  let afterWith = false;
  for (const part of parts) {
    const p = part.trim();
    if (p === '') continue;
    if (p === '(' || p === ')') {
      out += p;
      continue;
    }
    if (OPERATOR.test(p)) {
      out += ` ${p.toUpperCase()} `;
      afterWith = p.toLowerCase() === 'with';
      continue;
    }
    if (afterWith) {
      out += p;
      afterWith = false;
      continue;
    }
    const r = resolveAtom(p, t);
    classes.set(r.id, r.class);
    names.push(r.name);
    out += r.id;
  }
  let tree: SpdxNode;
  try {
    tree = parse(out.trim());
  } catch {
    return null;
  }
  const cls = evalClass(tree, classes);
  const hasOr = / OR /.test(out);
  const hasAnd = / AND /.test(out);
  const rule =
    hasOr && !hasAnd
      ? 'a choice (OR): the most permissive class is kept'
      : hasAnd && !hasOr
        ? 'all apply (AND): the least permissive class is kept'
        : 'OR keeps the most permissive, AND the least permissive class';
  return {
    id: out.trim(),
    name: capString(names.join(hasAnd && !hasOr ? ' and ' : ' or '), LIMITS.text),
    class: cls,
    basis: `expression "${capString(text.trim(), 120)}" read as ${out.trim()}: ${rule}`,
    key: null,
  };
}

function resolveText(text: string, t: LicenseTable): Resolved {
  if (EXPRESSION.test(text.trim())) {
    // Only an exact table entry may contain " or " / " and " as a name; spdx-correct would read
    // "apache-2.0 or mit" as Apache-2.0 alone and lose the choice.
    const k = normKey(text);
    const exact = t.byKey.get(k) ?? t.byKey.get(t.aliases.get(k) ?? '');
    if (exact) return fromEntry(exact, `"${capString(k, 80)}" is in the licence table`);
    const expr = resolveExpression(text, t);
    if (expr) return expr;
  }
  return resolveAtom(text, t);
}

function combineOr(items: Resolved[], what: string): Resolved {
  let best = items[0] as Resolved;
  for (const r of items) if (RANK[r.class] > RANK[best.class]) best = r;
  const id = items.map((r) => (r.id.includes(' ') ? `(${r.id})` : r.id)).join(' OR ');
  return {
    id: validSpdx(id) ? id : best.id,
    name: capString(items.map((r) => r.name).join(' or '), LIMITS.text),
    class: best.class,
    basis: `${what} lists ${items.length} licences, read as a choice (OR): the most permissive class (${best.class}) is kept; ${items.map((r) => r.basis).join('; ')}`,
    key: null,
  };
}

// One cache per table: a table handed in later (a test's, an edited file) must not answer from another's results.
const caches = new WeakMap<LicenseTable, Map<string, LicenseInfo>>();
const CACHE_MAX = 50_000;

function cacheOf(t: LicenseTable): Map<string, LicenseInfo> {
  let cache = caches.get(t);
  if (cache === undefined) {
    cache = new Map();
    caches.set(t, cache);
  }
  return cache;
}

/** Pure and total: any input gives a LicenseInfo; the same input and table give the same answer. */
export function normaliseLicense(input: LicenseInput, table: LicenseTable): LicenseInfo {
  // Totality: a caller that hands in no table (only a hostile context can) gets the empty table's answers.
  const t = isRecord(table) && table.byKey instanceof Map ? table : EMPTY_LICENSE_TABLE;
  const inp = isRecord(input) ? input : {};
  const tagValues: string[] = [];
  const tags = listOf(inp.hfTags);
  for (let i = 0; i < tags.length && i < MAX_TAG_SCAN; i++) {
    const tag = tags[i];
    if (typeof tag === 'string' && tag.startsWith('license:')) {
      const v = tag.slice(8).trim();
      if (v !== '') tagValues.push(v);
    }
  }
  const cardValues = stringList(inp.cardLicense, 20)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const name = typeof inp.licenseName === 'string' ? inp.licenseName.trim() : '';
  const link = typeof inp.licenseLink === 'string' ? inp.licenseLink.trim() : '';
  const text = typeof inp.text === 'string' ? inp.text.trim() : '';

  const cacheKey = `${cardValues.join('\u0001')}\u0002${tagValues.join('\u0001')}\u0002${name}\u0002${link}\u0002${text}`;
  const cache = cacheOf(t);
  const hit = cache.get(cacheKey);
  if (hit) return { ...hit };

  const rawParts: string[] = [];
  for (const v of [...(cardValues.length > 0 ? cardValues : tagValues), name, link, text]) {
    if (v !== '' && !rawParts.includes(v)) rawParts.push(v);
  }
  const raw = rawParts.length > 0 ? capString(cleanText(rawParts.join(' | ')), LIMITS.raw) : null;

  let resolved: Resolved;
  const primary = cardValues.length > 0 ? cardValues : tagValues;
  const what = cardValues.length > 0 ? 'the card licence' : 'the license: tags';
  if (primary.length > 0) {
    const items = primary.slice(0, 10).map((v) => {
      const r = resolveText(v, t);
      if ((r.key === 'other' || r.key === 'unknown') && name !== '') {
        const n = resolveText(name, t);
        return { ...n, basis: `${what} says ${v}, license_name "${capString(name, 80)}": ${n.basis}` };
      }
      return { ...r, basis: `${what}: ${r.basis}` };
    });
    resolved = items.length === 1 ? (items[0] as Resolved) : combineOr(items, what);
  } else if (text !== '') {
    const r = resolveText(text, t);
    resolved = { ...r, basis: `platform licence text: ${r.basis}` };
  } else if (name !== '') {
    const r = resolveText(name, t);
    resolved = { ...r, basis: `license_name only: ${r.basis}` };
  } else {
    resolved = { id: UNKNOWN_LICENSE_ID, name: 'Unknown', class: 'unknown', basis: 'no licence stated', key: null };
  }

  const info: LicenseInfo = {
    raw,
    id: resolved.id,
    name: capString(cleanText(resolved.name), LIMITS.text),
    class: resolved.class,
    basis: capString(cleanText(resolved.basis), LIMITS.raw),
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(cacheKey, info);
  return { ...info };
}
