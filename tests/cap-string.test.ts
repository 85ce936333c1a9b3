// capString is the one capping helper for platform strings (stores, feeds, digests, messages): it must never leave
// half a surrogate pair behind, which is not valid Unicode and fails as UTF-8 in PostgreSQL and JSON readers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capString } from '../src/model.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('capString', () => {
  it('keeps a string that fits, and cuts a longer one to max units with an ellipsis', () => {
    expect(capString('abc', 3)).toBe('abc');
    expect(capString('abcd', 3)).toBe('ab…');
    expect(capString('abcd', 1)).toBe('…');
  });

  it('steps back over a surrogate pair that the cut would split', () => {
    // '😀' is two UTF-16 units; a cut after 'a' and the high surrogate would leave half of it.
    expect(capString('a😀bcd', 3)).toBe('a…');
    expect(capString('a😀bcd', 4)).toBe('a😀…');
  });

  it('never returns more than max units, nor a lone surrogate from well-formed input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (s, max) => {
        const out = capString(s, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(out)).toBe(false);
        if (s.length <= max) expect(out).toBe(s);
        else expect(s.startsWith(out.slice(0, -1))).toBe(true);
      }),
    );
  });
});
