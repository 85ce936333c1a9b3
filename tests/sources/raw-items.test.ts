// The raw-item scan splits a list body's bytes into its items without a parser: it must find exactly the items
// JSON.parse finds (their spans parse to them, the picked members' values are theirs), leave out only the
// top-level volatile members from the fingerprint (which is that of the item's text: fingerprint.ts), and give up
// rather than guess.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/normalise/fingerprint.js';
import { scalarValue, scanItems } from '../../src/sources/raw-items.js';

const VOLATILE = new Set(['downloads', 'likes']);
const PICK = new Set(['id', 'downloads', 'likes']);
const scan = (text: string, seed = 'seed') => scanItems(Buffer.from(text, 'utf8'), VOLATILE, PICK, seed);
const fingerprints = (text: string, seed = 'seed') => scan(text, seed)?.map((s) => s.fingerprint) ?? null;
const hashes = (items: unknown[], space?: number) => fingerprints(JSON.stringify(items, null, space));

const item = fc.record({
  id: fc.string(),
  downloads: fc.nat(),
  likes: fc.nat(),
  tags: fc.array(fc.string()),
  cardData: fc.jsonValue(),
});

describe('scanItems', () => {
  it('hashes every item, whatever the strings and spacing hold', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom(undefined, 2), (items, space) => {
        const text = JSON.stringify(items, null, space);
        const bytes = Buffer.from(text, 'utf8');
        const scanned = scanItems(bytes, VOLATILE, PICK, 'seed');
        expect(scanned).not.toBeNull();
        expect(scanned).toHaveLength(items.length);
        scanned!.forEach((s, i) => {
          const own = bytes.toString('utf8', s.start, s.end);
          expect(JSON.parse(own)).toEqual(JSON.parse(JSON.stringify(items[i])));
          expect(s.values).toEqual({ id: items[i]!.id, downloads: items[i]!.downloads, likes: items[i]!.likes });
        });
      }),
    );
  });

  it('fingerprints an item as fingerprint.ts does its text, whatever the text holds', () => {
    const plain = fc.record({
      id: fc.string({ unit: 'grapheme' }),
      tags: fc.array(fc.string({ unit: 'binary' })),
      cardData: fc.jsonValue(),
    });
    fc.assert(
      fc.property(fc.array(plain, { maxLength: 4 }), (items) => {
        expect(fingerprints(JSON.stringify(items))).toEqual(
          items.map((it) => fingerprintOf('seed', JSON.stringify(it))),
        );
      }),
    );
  });

  it('picks the last of a repeated member, as JSON.parse does, and leaves out members an item lacks', () => {
    const [a, b] = scan('[{"id":"x","likes":1,"likes":2},{"id":"y","likes":{"n":1}}]')!;
    expect(a!.values).toEqual({ id: 'x', likes: 2 });
    expect(b!.values).toEqual({ id: 'y', likes: undefined });
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

  it('differs by seed', () => {
    const text = JSON.stringify([{ id: 'a', downloads: 1 }]);
    expect(fingerprints(text, 's1')).not.toEqual(fingerprints(text, 's2'));
    expect(fingerprints(text, 's1')![0]).toHaveLength(12);
  });

  it('gives up on what is not an array of objects, cut short, or followed by anything', () => {
    expect(fingerprints('{"a":1}')).toBeNull();
    expect(fingerprints('[1, 2]')).toBeNull();
    expect(fingerprints('[{"a":1}')).toBeNull();
    expect(fingerprints('[{"a":1},')).toBeNull();
    expect(fingerprints('[{"a":"x}]')).toBeNull();
    expect(fingerprints('[{"a":1}] x')).toBeNull();
    expect(fingerprints('[] []')).toBeNull();
    expect(fingerprints('[{"a":1,}]')).toBeNull();
    expect(fingerprints(' [ ] ')).toEqual([]);
    expect(fingerprints('[{"a":1}]\n')).toHaveLength(1);
  });

  it('cuts a body at any point into something it gives up on, never into fewer items', () => {
    const text = JSON.stringify([
      { id: 'a', downloads: 1, tags: ['x'] },
      { id: 'b', likes: 2, cardData: { k: [1, { v: 'w' }] } },
    ]);
    for (let cut = 0; cut < text.length; cut++) expect(fingerprints(text.slice(0, cut))).toBeNull();
  });
});

describe('scalarValue', () => {
  const read = (text: string) => scalarValue(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text));
  it('reads strings, numbers and literals as JSON.parse does, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.integer(),
          fc.nat(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.boolean(),
          fc.constant(null),
        ),
        (v) => {
          expect(read(JSON.stringify(v))).toEqual(JSON.parse(JSON.stringify(v)));
        },
      ),
    );
    expect(read('"a\\"b"')).toBe('a"b');
    expect(read('"\u00e9t\u00e9"')).toBe('été');
    expect(read('"été 🚀"')).toBe('été 🚀');
    expect(read('007')).toBeUndefined();
    expect(read('12a')).toBeUndefined();
    // eslint-disable-next-line no-loss-of-precision -- the literal rounds exactly as the reader must round the text
    expect(read('9007199254740993')).toBe(9007199254740993);
    expect(read('"open')).toBeUndefined();
    expect(read('[1]')).toBeUndefined();
    expect(read('{"a":1}')).toBeUndefined();
  });
});
