import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../scripts/bulk-lists.js';
import { describe, expect, it } from 'vitest';
import { checkRegistry, parseRegistryFile, type RegistryEntryInput } from '../../src/normalise/registry.js';
import { loadRegistry, RegistryError } from '../../src/reference-data.js';
import { registry, tinyRegistry } from './helpers.js';

const seedPath = new URL('../../config/registry/seed.json', import.meta.url);
const seed = JSON.parse(readFileSync(seedPath, 'utf8')) as RegistryEntryInput[];

const base = (over: Partial<RegistryEntryInput> = {}): RegistryEntryInput => ({
  org: 'Example Lab',
  country: 'FR',
  kind: 'ai_startup',
  hf: ['example-lab'],
  modelscope: [],
  wisemodel: [],
  parent: null,
  source: 'https://huggingface.co/example-lab',
  ...over,
});

describe('shipped registry', () => {
  it('loads every config/registry/*.json and passes checkRegistry', () => {
    const r = registry();
    expect(r.entries.length).toBeGreaterThanOrEqual(270);
    expect(checkRegistry(r.entries)).toEqual([]);
  });

  it('matches case-insensitively per platform', () => {
    const r = registry();
    expect(r.lookup('huggingface', 'qwen')?.country).toBe('CN');
    expect(r.lookup('hf', 'QWEN')?.org).toBe(r.lookup('huggingface', 'Qwen')?.org);
    expect(r.lookup('huggingface', 'ZhipuAI')).toBeNull(); // ModelScope spelling, not an HF namespace
    expect(r.lookup('modelscope', 'zhipuai')?.country).toBe('CN');
    expect(r.lookup('huggingface', 'no-such-namespace-xyz')).toBeNull();
  });

  it('attributes THUDM by creation date: Tsinghua (academic) before 2023, Zhipu after', () => {
    const r = registry();
    expect(r.lookup('huggingface', 'THUDM', '2022-06-01T00:00:00Z')).toMatchObject({
      kind: 'academic',
      country: 'CN',
      via: 'period',
    });
    expect(r.lookup('huggingface', 'THUDM', '2024-06-01T00:00:00Z')).toMatchObject({
      kind: 'ai_startup',
      via: 'entry',
    });
    expect(r.lookup('huggingface', 'THUDM')).toMatchObject({ kind: 'ai_startup' });
    expect(r.lookup('huggingface', 'zai-org', '2022-06-01T00:00:00Z')?.kind).toBe('ai_startup');
    expect(r.isDated('huggingface', 'thudm')).toBe(true);
  });

  it('dated acquisitions change the parent, not the country', () => {
    const r = registry();
    expect(r.lookup('huggingface', 'xai-org', '2025-01-01T00:00:00Z')).toMatchObject({ parent: null, country: 'US' });
    expect(r.lookup('huggingface', 'xai-org', '2026-03-01T00:00:00Z')?.parent).toMatch(/SpaceX/);
    expect(r.lookup('huggingface', 'Aleph-Alpha', '2025-01-01T00:00:00Z')).toMatchObject({
      country: 'DE',
      countryAlt: null,
    });
    expect(r.lookup('huggingface', 'Aleph-Alpha', '2026-05-01T00:00:00Z')).toMatchObject({
      country: 'DE',
      countryAlt: 'CA',
    });
  });

  it('knows renames and cross-platform equivalents', () => {
    const r = registry();
    expect(r.canonicalNamespace('huggingface', 'thudm')).toBe('zai-org');
    expect(r.canonicalNamespace('huggingface', 'CohereForAI')).toBe('CohereLabs');
    expect(r.canonicalNamespace('huggingface', 'Qwen')).toBe('Qwen');
    const eq = r.equivalents('huggingface', 'zai-org');
    expect(eq).toContainEqual({ platform: 'modelscope', namespace: 'ZhipuAI' });
    expect(eq).toContainEqual({ platform: 'wisemodel', namespace: 'ZhipuAI' });
    expect(r.equivalents('modelscope', 'Shanghai_AI_Laboratory')).toContainEqual({
      platform: 'huggingface',
      namespace: 'internlm',
    });
  });

  it('flags ModelScope mirrors and registry redistributors', () => {
    const r = registry();
    for (const ns of [
      'LLM-Research',
      'ai-modelscope',
      'modelscope',
      'swift',
      'openai-mirror',
      'MNN',
      'nv-community',
      'MusePublic',
    ])
      expect(r.isMirrorNamespace('modelscope', ns), ns).toBe(true);
    expect(r.isMirrorNamespace('huggingface', 'bartowski')).toBe(true);
    expect(r.isMirrorNamespace('huggingface', 'Qwen')).toBe(false);
    expect(r.isMirrorNamespace('modelscope', 'Qwen')).toBe(false);
    expect(r.lookup('huggingface', 'unsloth')?.redistributor).toBe(true);
  });

  it('reads platform-qualified uncertain namespaces ("openai (wisemodel)")', () => {
    const r = registry();
    expect(r.lookup('wisemodel', 'openai')?.uncertain).toBe(true);
    expect(r.lookup('huggingface', 'openai')?.uncertain).toBe(false);
  });
});

describe('checkRegistry detects planted problems', () => {
  const cases: Array<[string, RegistryEntryInput[], RegExp]> = [
    ['bad country', [base({ country: 'XX' })], /country "XX"/],
    ['lower-case country', [base({ country: 'fr' })], /country "fr"/],
    ['EU as primary country', [base({ country: 'EU' })], /country "EU"/],
    ['bad country_alt', [base({ country_alt: 'QQ' })], /country_alt "QQ"/],
    ['bad kind', [base({ kind: 'startup' as never })], /kind/],
    ['missing evidence', [base({ source: '  ' })], /source/],
    ['no source field', [{ ...base(), source: undefined } as never], /source/],
    ['duplicate namespace', [base(), base({ org: 'Other' })], /also listed by "Example Lab"/],
    ['case collision', [base(), base({ org: 'Other', hf: ['Example-Lab'] })], /collides case-insensitively/],
    ['unknown field (typo)', [{ ...base(), contry: 'FR' } as never], /contry|unrecognized/i],
    ['namespace with a space', [base({ hf: ['bad ns'] })], /namespace/],
    [
      'overlapping periods',
      [
        base({
          periods: [
            { platform: 'hf', namespace: 'example-lab', until: '2024', kind: 'academic', source: 'x' },
            {
              platform: 'hf',
              namespace: 'example-lab',
              from: '2023-06',
              until: '2025',
              kind: 'community',
              source: 'y',
            },
          ],
        }),
      ],
      /overlaps/,
    ],
    [
      'period on an unlisted namespace',
      [base({ periods: [{ platform: 'hf', namespace: 'elsewhere', until: '2024', source: 'x' }] })],
      /not listed/,
    ],
    [
      'period from after until',
      [base({ periods: [{ platform: 'hf', namespace: 'example-lab', from: '2025', until: '2024', source: 'x' }] })],
      /not before/,
    ],
    [
      'period without bounds',
      [base({ periods: [{ platform: 'hf', namespace: 'example-lab', source: 'x' }] })],
      /from or until/,
    ],
    [
      'bad period date',
      [base({ periods: [{ platform: 'hf', namespace: 'example-lab', until: '2024-13', source: 'x' }] })],
      /date/,
    ],
    [
      'rename to an unlisted namespace',
      [base({ renames: [{ platform: 'hf', from: 'example-lab', to: 'new-lab', source: 'x' }] })],
      /new-lab/,
    ],
    ['uncertain namespace not listed', [base({ uncertain: true, uncertain_namespaces: ['ghost'] })], /ghost/],
  ];
  it.each(cases)('%s', (_label, entries, message) => {
    const problems = checkRegistry(entries);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.message).join('\n')).toMatch(message);
  });

  it('accepts a clean entry, an individual, and adjacent periods', () => {
    expect(
      checkRegistry([
        base({
          periods: [
            { platform: 'hf', namespace: 'example-lab', until: '2024', kind: 'academic', source: 'x' },
            { platform: 'hf', namespace: 'example-lab', from: '2024', until: '2025', kind: 'community', source: 'y' },
          ],
        }),
        base({ org: 'Jane Doe', kind: 'individual', country: 'ZZ', hf: ['janedoe'] }),
      ]),
    ).toEqual([]);
  });

  it('names the file and entry of each problem', () => {
    const { problems } = parseRegistryFile('long-tail.json', [base(), { org: 'Broken', kind: 'ai_startup' }]);
    expect(problems[0]).toMatchObject({ file: 'long-tail.json', entry: 1, org: 'Broken' });
  });
});

describe('loadRegistry', () => {
  it('merges every *.json in the directory and rejects a namespace claimed in two files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-reg-'));
    writeFileSync(join(dir, 'seed.json'), JSON.stringify([base()]));
    writeFileSync(
      join(dir, 'individuals.json'),
      JSON.stringify([base({ org: 'Jane', kind: 'individual', country: 'ZZ', hf: ['janedoe'] })]),
    );
    writeFileSync(join(dir, 'README.md'), 'not json, ignored');
    const r = loadRegistry(dir);
    expect(r.lookup('huggingface', 'JaneDoe')).toMatchObject({ kind: 'individual', country: 'ZZ' });
    expect(r.lookup('huggingface', 'example-lab')?.country).toBe('FR');

    writeFileSync(join(dir, 'long-tail.json'), JSON.stringify([base({ org: 'Dup' })]));
    // Files load in name order, so long-tail.json claims the namespace first and seed.json is the one reported.
    expect(() => loadRegistry(dir)).toThrow(
      /seed\.json entry 0 "Example Lab".*also listed by "Dup" \(long-tail\.json entry 0\)/,
    );
  });

  it('reports invalid JSON and a missing directory as RegistryError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-reg-'));
    writeFileSync(join(dir, 'seed.json'), '[{');
    expect(() => loadRegistry(dir)).toThrow(RegistryError);
    expect(() => loadRegistry(join(dir, 'nope'))).toThrow(/cannot read/);
  });

  it('the seed keeps every entry of the research data and its evidence', () => {
    const orgs = JSON.parse(
      readFileSync(join(FIXTURES_DIR, 'shared-data', 'orgs.json'), 'utf8'),
    ) as RegistryEntryInput[];
    expect(seed.length).toBe(orgs.length);
    orgs.forEach((o, i) => {
      expect(seed[i]?.org).toBe(o.org);
      expect(seed[i]?.source).toBe(o.source);
      expect(seed[i]?.hf).toEqual(o.hf);
    });
  });

  it('a tiny registry built in memory honours a dated period boundary exactly', () => {
    const r = tinyRegistry([
      base({
        periods: [{ platform: 'hf', namespace: 'example-lab', until: '2024-03-15', kind: 'academic', source: 'x' }],
      }),
    ]);
    expect(r.lookup('huggingface', 'example-lab', '2024-03-14T23:59:59Z')?.kind).toBe('academic');
    expect(r.lookup('huggingface', 'example-lab', '2024-03-15T00:00:00Z')?.kind).toBe('ai_startup');
  });
});
