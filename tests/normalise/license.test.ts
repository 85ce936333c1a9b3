import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResolveModelAdditionalFields } from '@huggingface/hub';
import parse from 'spdx-expression-parse';
import { describe, expect, it } from 'vitest';
import tableJson from '../../config/licenses.json' with { type: 'json' };
import { ConfigError } from '../../src/errors.js';
import {
  compileLicenseTable,
  licenseRef,
  normaliseLicense,
  type LicenseInput,
  type LicenseTable,
} from '../../src/normalise/license.js';
import { LicenseInfo, type LicenseClass } from '../../src/model.js';
import { loadLicenseTable } from '../../src/reference-data.js';

const TABLE = loadLicenseTable();
const normalise = (input: LicenseInput) => normaliseLicense(input, TABLE);

// The package types the Hub's licence list as `License` but does not export the name; reach it through the
// exported card type.
type License = Extract<
  NonNullable<NonNullable<ResolveModelAdditionalFields<'cardData'>['cardData']>['license']>,
  string
>;

// Compile-time half of the exhaustiveness check: tsc fails when @huggingface/hub adds or drops a License value and
// this record is not updated. The runtime half below reads the package's own declaration file.
const HUB_LICENSES: Record<License, true> = {
  'apache-2.0': true,
  mit: true,
  openrail: true,
  'bigscience-openrail-m': true,
  'creativeml-openrail-m': true,
  'bigscience-bloom-rail-1.0': true,
  'bigcode-openrail-m': true,
  'afl-3.0': true,
  'artistic-2.0': true,
  'bsl-1.0': true,
  bsd: true,
  'bsd-2-clause': true,
  'bsd-3-clause': true,
  'bsd-3-clause-clear': true,
  'c-uda': true,
  cc: true,
  'cc0-1.0': true,
  'cc-by-2.0': true,
  'cc-by-2.5': true,
  'cc-by-3.0': true,
  'cc-by-4.0': true,
  'cc-by-sa-3.0': true,
  'cc-by-sa-4.0': true,
  'cc-by-nc-2.0': true,
  'cc-by-nc-3.0': true,
  'cc-by-nc-4.0': true,
  'cc-by-nd-4.0': true,
  'cc-by-nc-nd-3.0': true,
  'cc-by-nc-nd-4.0': true,
  'cc-by-nc-sa-2.0': true,
  'cc-by-nc-sa-3.0': true,
  'cc-by-nc-sa-4.0': true,
  'cdla-sharing-1.0': true,
  'cdla-permissive-1.0': true,
  'cdla-permissive-2.0': true,
  wtfpl: true,
  'ecl-2.0': true,
  'epl-1.0': true,
  'epl-2.0': true,
  'etalab-2.0': true,
  'eupl-1.1': true,
  'agpl-3.0': true,
  gfdl: true,
  gpl: true,
  'gpl-2.0': true,
  'gpl-3.0': true,
  lgpl: true,
  'lgpl-2.1': true,
  'lgpl-3.0': true,
  isc: true,
  'lppl-1.3c': true,
  'ms-pl': true,
  'mpl-2.0': true,
  'odc-by': true,
  odbl: true,
  'openrail++': true,
  'osl-3.0': true,
  postgresql: true,
  'ofl-1.1': true,
  ncsa: true,
  unlicense: true,
  zlib: true,
  pddl: true,
  'lgpl-lr': true,
  'deepfloyd-if-license': true,
  llama2: true,
  llama3: true,
  'llama3.1': true,
  'llama3.2': true,
  'llama3.3': true,
  gemma: true,
  'apple-ascl': true,
  'apple-amlr': true,
  unknown: true,
  other: true,
};

function hubLicenseValuesFromPackage(): string[] {
  const require = createRequire(import.meta.url);
  // The package's exports hide package.json; its CommonJS entry sits in dist/, next to the declarations.
  const dist = dirname(require.resolve('@huggingface/hub'));
  const dts = readFileSync(join(dist, 'src', 'types', 'public.d.ts'), 'utf8');
  const m = /export type License\s*=([^;]+);/.exec(dts);
  if (!m?.[1]) throw new Error('License type not found in @huggingface/hub declarations');
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1] as string);
}

describe('licence table', () => {
  it('compiles without problems', () => {
    expect(compileLicenseTable(tableJson).problems).toEqual([]);
  });

  it('maps every value of @huggingface/hub License (read from the installed package)', () => {
    const values = hubLicenseValuesFromPackage();
    expect(values.length).toBeGreaterThan(60);
    expect(new Set(values)).toEqual(new Set(Object.keys(HUB_LICENSES)));
    const unmapped = values.filter((v) => !TABLE.byKey.has(v));
    expect(unmapped).toEqual([]);
  });

  it('every id is a valid SPDX expression or a hubwatch LicenseRef', () => {
    for (const e of TABLE.byKey.values()) {
      expect(() => parse(e.id), e.key).not.toThrow();
      if (e.id.startsWith('LicenseRef-')) expect(e.id).toMatch(/^LicenseRef-hubwatch-[A-Za-z0-9.-]+$/);
    }
  });

  it('reports planted table problems', () => {
    const { problems } = compileLicenseTable({
      licenses: {
        good: { spdx: 'MIT', name: 'x', class: 'permissive' },
        bad: { spdx: 'Not-A-Licence', name: 'y', class: 'permissive' },
        worse: { spdx: null, name: 'z', class: 'free' },
      },
      aliases: { dangling: 'nowhere' },
    });
    expect(problems.join('\n')).toMatch(/bad.*Not-A-Licence/);
    expect(problems.join('\n')).toMatch(/worse: class free/);
    expect(problems.join('\n')).toMatch(/alias "dangling"/);
  });
});

type Case = [string, LicenseInput, string, LicenseClass];
const cases: Case[] = [
  ['HF tag apache-2.0', { hfTags: ['license:apache-2.0'] }, 'Apache-2.0', 'permissive'],
  ['HF tag mit', { hfTags: ['transformers', 'license:mit'] }, 'MIT', 'permissive'],
  ['card llama2', { cardLicense: 'llama2' }, 'LicenseRef-hubwatch-llama2', 'open-restricted'],
  ['card llama3', { cardLicense: 'llama3' }, 'LicenseRef-hubwatch-llama3', 'open-restricted'],
  ['card llama3.1', { cardLicense: 'llama3.1' }, 'LicenseRef-hubwatch-llama3.1', 'open-restricted'],
  ['card llama3.2', { cardLicense: 'llama3.2' }, 'LicenseRef-hubwatch-llama3.2', 'open-restricted'],
  ['card llama3.3', { cardLicense: 'llama3.3' }, 'LicenseRef-hubwatch-llama3.3', 'open-restricted'],
  [
    'other + license_name llama4',
    { cardLicense: 'other', licenseName: 'llama4' },
    'LicenseRef-hubwatch-llama4',
    'open-restricted',
  ],
  ['card gemma', { cardLicense: 'gemma' }, 'LicenseRef-hubwatch-gemma', 'open-restricted'],
  ['other + qwen', { hfTags: ['license:other'], licenseName: 'qwen' }, 'LicenseRef-hubwatch-qwen', 'open-restricted'],
  [
    'other + tongyi-qianwen',
    { cardLicense: 'other', licenseName: 'tongyi-qianwen' },
    'LicenseRef-hubwatch-tongyi-qianwen',
    'open-restricted',
  ],
  [
    'other + qwen-research',
    { cardLicense: 'other', licenseName: 'qwen-research' },
    'LicenseRef-hubwatch-qwen-research',
    'non-commercial',
  ],
  [
    'other + deepseek',
    { cardLicense: 'other', licenseName: 'deepseek' },
    'LicenseRef-hubwatch-deepseek',
    'open-restricted',
  ],
  [
    'other + glm-4',
    {
      cardLicense: 'other',
      licenseName: 'glm-4',
      licenseLink: 'https://huggingface.co/THUDM/glm-4-9b/blob/main/LICENSE',
    },
    'LicenseRef-hubwatch-glm-4',
    'open-restricted',
  ],
  ['openrail', { cardLicense: 'openrail' }, 'LicenseRef-hubwatch-openrail', 'open-restricted'],
  ['openrail++', { cardLicense: 'openrail++' }, 'LicenseRef-hubwatch-openrail-plus-plus', 'open-restricted'],
  [
    'bigscience-bloom-rail-1.0',
    { cardLicense: 'bigscience-bloom-rail-1.0' },
    'LicenseRef-hubwatch-bigscience-bloom-rail-1.0',
    'open-restricted',
  ],
  [
    'bigscience-openrail-m',
    { cardLicense: 'bigscience-openrail-m' },
    'LicenseRef-hubwatch-bigscience-openrail-m',
    'open-restricted',
  ],
  [
    'creativeml-openrail-m',
    { hfTags: ['license:creativeml-openrail-m'] },
    'LicenseRef-hubwatch-creativeml-openrail-m',
    'open-restricted',
  ],
  ['cc-by-4.0', { cardLicense: 'cc-by-4.0' }, 'CC-BY-4.0', 'permissive'],
  ['cc-by-sa-4.0 is copyleft', { cardLicense: 'cc-by-sa-4.0' }, 'CC-BY-SA-4.0', 'copyleft'],
  ['cc-by-nc-4.0', { cardLicense: 'cc-by-nc-4.0' }, 'CC-BY-NC-4.0', 'non-commercial'],
  ['cc-by-nc-sa-4.0: NC wins over SA', { cardLicense: 'cc-by-nc-sa-4.0' }, 'CC-BY-NC-SA-4.0', 'non-commercial'],
  ['cc-by-nd-4.0', { cardLicense: 'cc-by-nd-4.0' }, 'CC-BY-ND-4.0', 'open-restricted'],
  ['bare cc', { cardLicense: 'cc' }, 'LicenseRef-hubwatch-cc', 'unknown'],
  ['gpl-3.0', { cardLicense: 'gpl-3.0' }, 'GPL-3.0-only', 'copyleft'],
  ['agpl-3.0', { cardLicense: 'agpl-3.0' }, 'AGPL-3.0-only', 'copyleft'],
  ['apple-ascl', { cardLicense: 'apple-ascl' }, 'LicenseRef-hubwatch-apple-ascl', 'permissive'],
  ['apple-amlr', { cardLicense: 'apple-amlr' }, 'LicenseRef-hubwatch-apple-amlr', 'non-commercial'],
  ['other + mnpl', { cardLicense: 'other', licenseName: 'mnpl' }, 'LicenseRef-hubwatch-mnpl', 'non-commercial'],
  [
    'other + modified-mit (Kimi)',
    { cardLicense: 'other', licenseName: 'modified-mit' },
    'LicenseRef-hubwatch-modified-mit',
    'permissive',
  ],
  ['other without a name', { hfTags: ['license:other'] }, 'LicenseRef-hubwatch-other', 'unknown'],
  [
    'other + unlisted name',
    { cardLicense: 'other', licenseName: 'My Fancy License v2!' },
    'LicenseRef-hubwatch-my-fancy-license-v2',
    'unknown',
  ],
  [
    'list = OR, most permissive kept',
    { cardLicense: ['cc-by-nc-4.0', 'apache-2.0'] },
    'CC-BY-NC-4.0 OR Apache-2.0',
    'permissive',
  ],
  ['expression OR', { cardLicense: 'apache-2.0 OR mit' }, 'Apache-2.0 OR MIT', 'permissive'],
  ['expression AND keeps least permissive', { text: 'MIT AND CC-BY-NC-4.0' }, 'MIT AND CC-BY-NC-4.0', 'non-commercial'],
  [
    'expression with table atoms',
    { text: 'llama3.1 OR gpl-3.0' },
    'LicenseRef-hubwatch-llama3.1 OR GPL-3.0-only',
    'copyleft',
  ],
  ['ModelScope "Apache License 2.0"', { text: 'Apache License 2.0' }, 'Apache-2.0', 'permissive'],
  ['ModelScope "apache-2.0"', { text: 'apache-2.0' }, 'Apache-2.0', 'permissive'],
  ['ModelScope "mit"', { text: 'mit' }, 'MIT', 'permissive'],
  ['ModelScope "MIT License"', { text: 'MIT License' }, 'MIT', 'permissive'],
  ['ModelScope ""', { text: '' }, 'LicenseRef-hubwatch-unknown', 'unknown'],
  ['WiseModel 其他', { text: '其他' }, 'LicenseRef-hubwatch-other', 'unknown'],
  [
    'WiseModel 商用需授权',
    { text: '商用需授权' },
    'LicenseRef-hubwatch-commercial-authorisation-required',
    'non-commercial',
  ],
  ['WiseModel 非商用', { text: '非商用' }, 'LicenseRef-hubwatch-non-commercial', 'non-commercial'],
  ['spdx-correct on free text "GPLv3"', { text: 'GPLv3' }, 'GPL-3.0-or-later', 'copyleft'],
  ['SPDX id outside the table', { text: 'MIT-0' }, 'MIT-0', 'permissive'],
  ['Chinese text nobody mapped', { text: '随便用' }, 'LicenseRef-hubwatch-other', 'unknown'],
  ['nothing at all', {}, 'LicenseRef-hubwatch-unknown', 'unknown'],
  [
    'hostile markup',
    { cardLicense: '<script>alert(1)</script>' },
    'LicenseRef-hubwatch-script-alert-1-script',
    'unknown',
  ],
];

describe('normaliseLicense', () => {
  it.each(cases)('%s', (_label, input, id, cls) => {
    const info = normalise(input);
    expect(LicenseInfo.safeParse(info).success).toBe(true);
    expect(info.id).toBe(id);
    expect(info.class).toBe(cls);
    expect(info.basis.length).toBeGreaterThan(0);
    if (!id.startsWith('LicenseRef-') || id.includes(' ')) expect(() => parse(info.id)).not.toThrow();
  });

  it('says why in basis: table, alias, expression rule, license_name', () => {
    expect(normalise({ text: 'Apache License 2.0' }).basis).toMatch(/alias of apache-2.0/);
    expect(normalise({ cardLicense: 'apache-2.0 OR mit' }).basis).toMatch(/most permissive/);
    expect(normalise({ cardLicense: ['mit', 'gpl-3.0'] }).basis).toMatch(/choice \(OR\)/);
    expect(normalise({ cardLicense: 'other', licenseName: 'llama3' }).basis).toMatch(/license_name "llama3"/);
    expect(normalise({ text: 'GPLv3' }).basis).toMatch(/spdx-correct/);
  });

  it('raw keeps what the platform said, joined and capped', () => {
    expect(normalise({ cardLicense: 'other', licenseName: 'llama3', licenseLink: 'LICENSE' }).raw).toBe(
      'other | llama3 | LICENSE',
    );
    expect(normalise({}).raw).toBeNull();
    expect(normalise({ text: 'x'.repeat(5000) }).raw?.length).toBeLessThanOrEqual(2000);
  });

  it('the card licence wins over the tags it was derived from', () => {
    expect(normalise({ hfTags: ['license:mit'], cardLicense: 'gemma' }).id).toBe('LicenseRef-hubwatch-gemma');
  });

  it('never throws on wrong types', () => {
    for (const bad of [
      null,
      42,
      [],
      { hfTags: 7, cardLicense: { a: 1 }, licenseName: [], text: 3 },
      { cardLicense: [null, 1, 'mit'] },
    ])
      expect(LicenseInfo.safeParse(normalise(bad as never)).success).toBe(true);
  });

  it("reads against the table it is given, never another table's cached answer", () => {
    const own: LicenseTable = compileLicenseTable({
      licenses: { 'acme-model': { spdx: null, name: 'Acme Model Licence', class: 'non-commercial' } },
    }).table;
    expect(normalise({ text: 'acme-model' }).class).toBe('unknown');
    expect(normaliseLicense({ text: 'acme-model' }, own).class).toBe('non-commercial');
    expect(normalise({ text: 'acme-model' }).class).toBe('unknown');
  });

  it('without a table (a hostile caller) answers as with an empty one instead of throwing', () => {
    const info = normaliseLicense({ text: 'mit' }, undefined as never);
    expect(LicenseInfo.safeParse(info).success).toBe(true);
    expect(info.id).toBe('MIT');
  });

  it('licenseRef makes valid idstrings', () => {
    expect(licenseRef('openrail++')).toBe('LicenseRef-hubwatch-openrail-plus-plus');
    expect(licenseRef('')).toBe('LicenseRef-hubwatch-other');
    expect(() => parse(licenseRef('  ~~weird__ name!! '))).not.toThrow();
  });
});

describe('loadLicenseTable', () => {
  it('names every problem of a broken file and what to do, as a configuration error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-licenses-'));
    try {
      const file = join(dir, 'licenses.json');
      writeFileSync(
        file,
        JSON.stringify({
          licenses: { bad: { spdx: 'Not-A-Licence', class: 'permissive' } },
          aliases: { x: 'nowhere' },
        }),
      );
      expect(() => loadLicenseTable(file)).toThrow(ConfigError);
      expect(() => loadLicenseTable(file)).toThrow(/2 problem\(s\): bad: "Not-A-Licence".*alias "x".*fix the file/);
      expect(() => loadLicenseTable(join(dir, 'missing.json'))).toThrow(/cannot read the licence table .*restore it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
