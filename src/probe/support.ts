// What the check groups of `hubwatch probe` share (src/sources/<platform>/probe.ts, src/backfill/probe.ts): reading
// an answer's own words, the deepest cause of a failure, and one pass of field rules over a page of items. Apart
// from index.ts, which imports every group: a group importing a value from there would be an import cycle.
import { errorMessage } from '../errors.js';
import { capString } from '../model.js';
import type { Answer } from './index.js';

export type Item = Record<string, unknown>;

export const isObject = (v: unknown): v is Item => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first of `keys` in the answer's JSON body that holds a string: the platform's own error text, or null. */
export function jsonMessage(a: Answer, keys: readonly string[] = ['error', 'message']): string | null {
  if (isObject(a.json)) for (const k of keys) if (typeof a.json[k] === 'string') return a.json[k];
  return null;
}

/** ": what the answer says" on one line and capped (platform text is shown, never trusted), or "" when it is empty. */
export function snippet(a: Answer, keys?: readonly string[]): string {
  const t = (jsonMessage(a, keys) ?? a.text).replace(/\s+/g, ' ').trim();
  return t ? `: ${capString(t, 161)}` : '';
}

/** The deepest cause's message: "connect ECONNREFUSED 127.0.0.1:9 [ECONNREFUSED]" rather than the wrappers around it. */
export function rootCause(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  const code = (e as { code?: unknown } | null)?.code;
  return `${errorMessage(e)}${typeof code === 'string' && !errorMessage(e).includes(code) ? ` [${code}]` : ''}`;
}

export const nonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
export const nonNegativeInteger = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const stringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** What a source's schema needs of one field of a listed item. */
export interface FieldRule {
  readonly field: string;
  /** An item without it is refused (quarantined) by the source. */
  readonly required: boolean;
  /** What the test accepts, in words for the finding. */
  readonly expect: string;
  readonly test: (v: unknown) => boolean;
}

export interface FieldCheckOptions {
  /** What the items are called in a finding: "items", "projects". */
  unit: string;
  /** How many the findings count against (default the items given; more where some entries were not objects). */
  of?: number;
  /** Whether a null is an absent field (skipped, or missing where required) or a value the rule tests. */
  nullIsAbsent: boolean;
  /** A note after a wrong value's example, e.g. what the source would read it as; null for none. */
  explain?: (field: string, value: unknown) => string | null;
}

/**
 * Every rule over every item: one finding per field that is missing or of another type (how many items, one example
 * value), and the rules that broke, for the group to say what each costs.
 */
export function fieldProblems<R extends FieldRule>(
  items: readonly Item[],
  rules: readonly R[],
  opts: FieldCheckOptions,
): { problems: string[]; broken: R[] } {
  const n = opts.of ?? items.length;
  const absent = (v: unknown): boolean => v === undefined || (opts.nullIsAbsent && v === null);
  const problems: string[] = [];
  const broken: R[] = [];
  for (const r of rules) {
    const missing = r.required ? items.filter((x) => absent(x[r.field])).length : 0;
    const wrong = items.filter((x) => !absent(x[r.field]) && !r.test(x[r.field]));
    if (missing) problems.push(`${r.field} missing in ${missing} of ${n} ${opts.unit}`);
    if (wrong.length) {
      const value = wrong[0]![r.field];
      const note = opts.explain?.(r.field, value);
      problems.push(
        `${r.field} not ${r.expect} in ${wrong.length} of ${n} ${opts.unit} (e.g. ${JSON.stringify(value)?.slice(0, 40)}${note ? `, ${note}` : ''})`,
      );
    }
    if (missing || wrong.length) broken.push(r);
  }
  return { problems, broken };
}
