// A sweep trusts `sight` to say what `normalise` would: the same key and figures, and a fingerprint that moves
// with everything the record is made of except the day's figures. Checked on the real samples and hostile input.
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../../scripts/bulk-lists.js';
import type { Platform } from '../../src/model.js';
import { itemFingerprint, NORMALISE_VERSION, normaliseSeed } from '../../src/normalise/fingerprint.js';
import { compileLicenseTable } from '../../src/normalise/license.js';
import { defaultLicenseTablePath } from '../../src/reference-data.js';
import { normaliseRecord, sight } from '../../src/sources/registry.js';
import { ctx, licenses, registry, tinyRegistry } from './helpers.js';

const readJson = (p: string) => JSON.parse(readFileSync(`${SAMPLES_DIR}/${p}`, 'utf8')) as unknown;

const samples: Array<[Platform, unknown]> = [
  ...(readJson('hf/list-models-default.burncloud-2025-11.json') as unknown[]).map((x): [Platform, unknown] => [
    'huggingface',
    x,
  ]),
  ['huggingface', readJson('hf/model-info-default.ggml-org_gemma-3-1b-it-GGUF.json')],
  ...(
    readJson('modelscope/dolphin-models-put-response.lora-search.json') as { Data: { Model: { Models: unknown[] } } }
  ).Data.Model.Models.map((x): [Platform, unknown] => ['modelscope', x]),
  ['wisemodel', { owner: 'ZhipuAI', name: 'glm-4-9b', downloads: 120, likes: 3, license: '其他', tags: ['LLM'] }],
];

describe('sight', () => {
  const seed = normaliseSeed(registry(), licenses());

  it.each(samples.map((s, i) => [i, ...s] as const))(
    'sample %i (%s): same key and figures as the normalised record',
    (_i, platform, item) => {
      const rec = normaliseRecord(platform, item, ctx());
      const s = sight(platform, item, seed);
      expect(s.key).toBe(rec.key);
      expect(s.stats).toEqual(rec.stats);
    },
  );

  it('ignores the day’s figures and nothing else', () => {
    const item = samples[0]![1] as Record<string, unknown>;
    const base = sight('huggingface', item, seed).fingerprint;
    expect(sight('huggingface', { ...item, downloads: 1, downloadsAllTime: 2, likes: 3 }, seed).fingerprint).toBe(base);
    expect(sight('huggingface', { ...item, lastModified: '2030-01-01T00:00:00.000Z' }, seed).fingerprint).not.toBe(
      base,
    );
    expect(
      sight('huggingface', { ...item, tags: [...(item.tags as string[]), 'license:mit'] }, seed).fingerprint,
    ).not.toBe(base);
    expect(sight('huggingface', { ...item, cardData: { license: 'other' } }, seed).fingerprint).not.toBe(base);
  });

  it('changes with the registry, so editing it re-attributes every model on the next sweep', () => {
    const other = tinyRegistry([
      { org: 'Example Lab', country: 'FR', kind: 'academic', hf: ['example-lab'], source: 'x' },
    ]);
    expect(normaliseSeed(other, licenses())).not.toBe(seed);
    expect(normaliseSeed(registry(), licenses())).toBe(seed); // one hash per pair of table objects
    const item = samples[0]![1] as Record<string, unknown>;
    expect(sight('huggingface', item, normaliseSeed(other, licenses())).fingerprint).not.toBe(
      sight('huggingface', item, seed).fingerprint,
    );
  });

  it('changes with the licence table, and is the hash of the shipped file as read from disk', () => {
    const json = JSON.parse(readFileSync(defaultLicenseTablePath(), 'utf8')) as unknown;
    // The seed stored fingerprints were made under: the table's JSON content, not the compiled object.
    expect(seed).toBe(hash('sha1', JSON.stringify([NORMALISE_VERSION, json, registry().entries]), 'base64'));
    const edited = compileLicenseTable({ licenses: { mit: { spdx: 'MIT', class: 'permissive' } } }).table;
    expect(normaliseSeed(registry(), edited)).not.toBe(seed);
  });

  it('is total on hostile input and agrees with normalise on the key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Platform>('huggingface', 'modelscope', 'wisemodel'),
        fc.anything(),
        (platform, item) => {
          const s = sight(platform, item, seed);
          const rec = normaliseRecord(platform, item, ctx());
          expect(s.key).toBe(rec.key);
          expect(s.stats).toEqual(rec.stats);
          expect(typeof s.fingerprint).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
    const volatile = new Set(['downloads']);
    expect(itemFingerprint({ a: 1, downloads: 5 }, volatile, 's')).toBe(
      itemFingerprint({ a: 1, downloads: 6 }, volatile, 's'),
    );
    expect(itemFingerprint({ a: 1 }, volatile, 's')).not.toBe(itemFingerprint({ a: 1 }, volatile, 't'));
  });
});
