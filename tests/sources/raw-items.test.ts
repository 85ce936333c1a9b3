// The raw-item scan splits a list body into its items' text without a parser: it must find exactly the items
// JSON.parse finds, leave out only the top-level volatile members, and give up rather than guess.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawItemFingerprints } from '../../src/sources/raw-items.js';

const VOLATILE = new Set(['downloads', 'likes']);
const hashes = (items: unknown[], space?: number) => {
  const text = JSON.stringify(items, null, space);
  return rawItemFingerprints(text, VOLATILE, (JSON.parse(text) as unknown[]).length, 'seed');
};

const item = fc.record({
  id: fc.string(),
  downloads: fc.nat(),
  likes: fc.nat(),
  tags: fc.array(fc.string()),
  cardData: fc.jsonValue(),
});

describe("rawItemFingerprints", () => {
  it('hashes every item, whatever the strings and spacing hold', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom(undefined, 2), (items, space) => {
        const h = hashes(items, space);
        expect(h).not.toBeNull();
        expect(h).toHaveLength(items.length);
      }),
    );
  });

  it('ignores the volatile members at the top level only', () => {
    fc.assert(
      fc.property(item, fc.nat(), fc.nat(), (it, d, l) => {
        expect(hashes([{ ...it, downloads: d, likes: l }])).toEqual(hashes([it]));
      }),
    );
    const a = { id: 'x', cardData: { likes: 1 }, downloads: 5 };
    expect(hashes([a])).not.toEqual(hashes([{ ...a, cardData: { likes: 2 } }]));
  });

  it('changes with anything else', () => {
    fc.assert(
      fc.property(item, fc.string(), (it, other) => {
        fc.pre(other !== it.id);
        expect(hashes([{ ...it, id: other }])).not.toEqual(hashes([it]));
      }),
    );
    const quoted = { id: 'a"b\\', tags: ['"downloads":1'] };
    expect(hashes([quoted])).not.toEqual(hashes([{ ...quoted, tags: ['"downloads":2'] }]));
  });

  it('differs by seed, and matches the parsed item\'s id-bearing text only under the same seed', () => {
    const text = JSON.stringify([{ id: 'a', downloads: 1 }]);
    expect(rawItemFingerprints(text, VOLATILE, 1, 's1')).not.toEqual(rawItemFingerprints(text, VOLATILE, 1, 's2'));
    expect(rawItemFingerprints(text, VOLATILE, 1, 's1')![0]).toHaveLength(12);
  });

  it('gives up on what is not an array of objects, or on a count JSON.parse did not find', () => {
    expect(rawItemFingerprints('{"a":1}', VOLATILE, 1, 'seed')).toBeNull();
    expect(rawItemFingerprints('[1, 2]', VOLATILE, 2, 'seed')).toBeNull();
    expect(rawItemFingerprints('[{"a":1}', VOLATILE, 1, 'seed')).toBeNull();
    expect(rawItemFingerprints('[{"a":"x}]', VOLATILE, 1, 'seed')).toBeNull();
    expect(rawItemFingerprints('[{"a":1},{"b":2}]', VOLATILE, 3, 'seed')).toBeNull();
    expect(rawItemFingerprints(' [ ] ', VOLATILE, 0, 'seed')).toEqual([]);
  });
});
