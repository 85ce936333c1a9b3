// A small OpenAPI 3.1 response checker for the tests: it reads the document the server publishes (not the
// source objects), finds the operation for a concrete path, and validates status, content type and body with
// ajv against that document's own schemas. If /openapi.json lies, these checks fail.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

type Doc = {
  paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }>;
};

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

export class OasChecker {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; re: RegExp; literals: number }>;

  constructor(private readonly doc: Doc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...(doc as object), $id: 'urn:test:openapi' });
    this.templates = Object.keys(doc.paths).map((t) => {
      const parts = t.split(/(\{[^}]+\})/).filter(Boolean);
      const re = new RegExp(
        `^${parts.map((p) => (p.startsWith('{') ? '([^/]+)' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`,
      );
      return { template: t, re, literals: parts.filter((p) => !p.startsWith('{')).join('').length };
    });
    // A literal path (/api/v1/snapshots/latest) wins over a template that also matches it ({date}).
    this.templates.sort((a, b) => b.literals - a.literals);
  }

  /** The documented path for a concrete one, or null when the document does not describe it. */
  operationPath(path: string): string | null {
    return this.templates.find((t) => t.re.test(path))?.template ?? null;
  }

  /** Returns a list of problems (empty when the answer conforms). */
  check(url: string, res: Answer): string[] {
    const path = url.split('?')[0]!;
    const template = this.operationPath(path);
    if (template === null) {
      // Undocumented paths must be the JSON 404.
      return res.statusCode === 404
        ? this.validateBody('Error', res)
        : [`${path}: undocumented path answered ${res.statusCode}`];
    }
    const op = this.doc.paths[template]!.get!;
    const response = op.responses[String(res.statusCode)];
    if (!response) return [`${url}: status ${res.statusCode} is not documented for ${template}`];
    if (res.statusCode === 304) return res.body === '' ? [] : [`${url}: 304 with a body`];
    const ct = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    const media = response.content?.[ct];
    if (!media) return [`${url}: content type ${ct} is not documented for ${res.statusCode} on ${template}`];
    const ptr = `${template}|${res.statusCode}|${ct}`;
    let v = this.cache.get(ptr);
    if (!v) {
      const escaped = template.replace(/~/g, '~0').replace(/\//g, '~1');
      v = this.ajv.compile({
        $ref: `urn:test:openapi#/paths/${escaped}/get/responses/${res.statusCode}/content/${ct.replace(/\//g, '~1')}/schema`,
      });
      this.cache.set(ptr, v);
    }
    let value: unknown;
    if (ct.endsWith('json')) {
      try {
        value = JSON.parse(res.body);
      } catch {
        return [`${url}: body is not JSON`];
      }
    } else value = res.body;
    return v(value) ? [] : [`${url}: ${this.ajv.errorsText(v.errors, { dataVar: 'body' })}`];
  }

  private validateBody(component: string, res: Answer): string[] {
    const v = this.ajv.compile({ $ref: `urn:test:openapi#/components/schemas/${component}` });
    try {
      return v(JSON.parse(res.body)) ? [] : [this.ajv.errorsText(v.errors)];
    } catch {
      return ['body is not JSON'];
    }
  }
}

/**
 * A strict well-formedness check for the XML this service writes (declaration, elements, attributes, text; no
 * DTD, CDATA or comments, which the Atom writer never emits). Returns the first problem or null.
 */
export function xmlProblem(xml: string): string | null {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) return 'character not allowed in XML';
  let s = xml;
  const decl = /^<\?xml version="1\.0" encoding="utf-8"\?>\s*/.exec(s);
  if (!decl) return 'missing XML declaration';
  s = s.slice(decl[0].length);
  const stack: string[] = [];
  let roots = 0;
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/;
  const name = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
  const tag = new RegExp(`^<(/?)(${name})((?:\\s+${name}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '<') {
      const m = tag.exec(s.slice(i));
      if (!m) return `malformed tag at ${i}: ${s.slice(i, i + 40)}`;
      const [all, close, tname, attrs, selfClose] = m;
      for (const am of attrs!.matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const val = am[1] ?? am[2] ?? '';
        for (let j = val.indexOf('&'); j >= 0; j = val.indexOf('&', j + 1)) {
          if (!entity.test(val.slice(j))) return `bad entity in attribute of <${tname}>`;
        }
      }
      const attrNames = [...attrs!.matchAll(new RegExp(`(${name})\\s*=`, 'g'))].map((x) => x[1]);
      if (new Set(attrNames).size !== attrNames.length) return `duplicate attribute in <${tname}>`;
      if (close) {
        if (stack.pop() !== tname) return `mismatched </${tname}>`;
      } else if (!selfClose) {
        if (stack.length === 0) roots++;
        stack.push(tname!);
      } else if (stack.length === 0) roots++;
      i += all.length;
    } else if (c === '&') {
      const m = entity.exec(s.slice(i));
      if (!m) return `bare & at ${i}`;
      i += m[0].length;
    } else if (c === '>' && s.slice(Math.max(0, i - 2), i) === ']]') {
      return ']]> in text';
    } else {
      if (stack.length === 0 && !/\s/.test(c)) return `text outside the root element at ${i}`;
      i++;
    }
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  return roots === 1 ? null : `${roots} root elements`;
}

/** Decodes the five predefined entities and character references (enough to read back our own escaping). */
export function xmlUnescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/g, (_, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}
