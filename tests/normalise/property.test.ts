// Totality: random and mutated payloads through every normaliser never throw, and every output validates.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SAMPLES_DIR } from '../../scripts/bulk-lists.js';
import { describe, expect, it } from 'vitest';
import { NormalisedRecord, PLATFORMS, LicenseInfo } from '../../src/model.js';
import { normaliseLicense } from '../../src/normalise/license.js';
import { parseLineage, resolveRoot, familyOf } from '../../src/normalise/lineage.js';
import { canonicalIdentity, mirrorCandidates } from '../../src/normalise/identity.js';
import { normaliseHuggingFace } from '../../src/sources/huggingface/record.js';
import { normaliseModelScope } from '../../src/sources/modelscope/record.js';
import { normaliseRecord } from '../../src/sources/registry.js';
import { normaliseWiseModel } from '../../src/sources/wisemodel/record.js';
import { ctx, licenses, registry } from './helpers.js';

const SAMPLES = SAMPLES_DIR;
const hfDetail = JSON.parse(
  readFileSync(`${SAMPLES}/hf/model-info-default.ggml-org_gemma-3-1b-it-GGUF.json`, 'utf8'),
) as Record<string, unknown>;
const hfList = JSON.parse(readFileSync(`${SAMPLES}/hf/list-models-default.burncloud-2025-11.json`, 'utf8')) as Array<
  Record<string, unknown>
>;
const msModels = (
  JSON.parse(readFileSync(`${SAMPLES}/modelscope/dolphin-models-put-response.lora-search.json`, 'utf8')) as {
    Data: { Model: { Models: Array<Record<string, unknown>> } };
  }
).Data.Model.Models;
const wmSample: Record<string, unknown> = {
  owner: 'ZhipuAI',
  name: 'GLM-4-9B-Chat',
  license: '其他',
  createdAt: '2024-06-05 10:00:00',
  downloads: 10,
  likes: 1,
  baseModels: ['ZhipuAI/glm-4-9b'],
  tags: ['glm'],
};

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '\u202Eevil',
    '\u0000',
    '',
    ' ',
    '@v1',
    'a/b/c',
    'license:other',
    'base_model:merge:x/y',
    '其他',
    '😀'.repeat(3000),
    'x'.repeat(10_000),
    '\uD800',
    'NaN',
    '-1',
    '1e400',
  ),
);
const anyValue = fc.oneof(
  { depthSize: 'small' },
  fc.anything(),
  hostileString,
  fc.array(hostileString, { maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, [], {}),
);

/** Replace, delete or retype some fields of a real payload. */
function mutated(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  return fc
    .array(
      fc.tuple(
        fc.constantFrom(...keys, 'id', 'tags', 'cardData', 'BaseModel', 'extra'),
        fc.oneof(anyValue, fc.constant('__delete__')),
      ),
      { maxLength: 8 },
    )
    .map((edits) => {
      const out: Record<string, unknown> = { ...base };
      for (const [k, v] of edits) {
        if (v === '__delete__') delete out[k];
        else out[k] = v;
      }
      return out;
    });
}

const RUNS = 300;
const assertValid = (r: unknown) => {
  const p = NormalisedRecord.safeParse(r);
  if (!p.success) throw new Error(p.error.message);
};

describe('normalisers are total', () => {
  it('Hugging Face: random objects and mutated real payloads', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyValue, mutated(hfDetail), mutated(hfList[0] as Record<string, unknown>)),
        fc.boolean(),
        (item, backfill) => {
          assertValid(normaliseHuggingFace(item as never, ctx({ backfill })));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('ModelScope: random objects and mutated real records', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyValue,
          mutated(msModels[0] as Record<string, unknown>),
          mutated(msModels[2] as Record<string, unknown>),
        ),
        (item) => {
          assertValid(normaliseModelScope(item as never, ctx()));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('WiseModel: random objects and mutated records', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, mutated(wmSample)), (item) => {
        assertValid(normaliseWiseModel(item as never, ctx()));
      }),
      { numRuns: RUNS },
    );
  });

  it('normaliseRecord with any platform and any context clock', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLATFORMS),
        anyValue,
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        (p, item, now) => {
          assertValid(normaliseRecord(p, item, ctx({ now })));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the parts: licence, lineage, roots, families, identity', () => {
    fc.assert(
      fc.property(anyValue, anyValue, anyValue, anyValue, (a, b, c, d) => {
        expect(
          LicenseInfo.safeParse(normaliseLicense({ hfTags: a, cardLicense: b, licenseName: c, text: d }, licenses()))
            .success,
        ).toBe(true);
        const l = parseLineage({
          platform: 'huggingface',
          hfTags: a,
          cardBaseModel: b,
          cardRelation: c,
          msBaseModel: d,
          wmBaseModels: a,
        });
        expect(l.relation === 'base').toBe(l.baseModels.length === 0);
        const s = typeof a === 'string' ? a : 'huggingface:x/y';
        resolveRoot(s, () => (typeof b === 'object' ? (b as never) : undefined), 3);
        familyOf(s, { tags: c });
        mirrorCandidates('huggingface', s, registry());
        canonicalIdentity('modelscope', s, registry());
      }),
      { numRuns: RUNS },
    );
  });

  it('random lineage graphs: resolveRoot always ends, on a node of the graph or a dangling base', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('a', 'b', 'c', 'd', 'e'),
          fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'z'), { maxLength: 3 }),
        ),
        (g) => {
          for (const start of Object.keys(g)) {
            const r = resolveRoot(
              start,
              (k) => (k in g ? { relation: 'finetune', baseModels: g[k] as string[] } : undefined),
              10,
            );
            expect(r.hops).toBeLessThanOrEqual(11);
            expect(r.root in g || r.dangling).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
