// A year (or any span) of realistic daily snapshots for three platforms, checked against the snapshot schema: shares
// that drift over the year, a platform without 30-day figures until its history exists, a few missing days,
// families, organisations, kinds and licence classes. Used by the dashboard tests and bench/dashboard.ts.
import { NormalisedRecord, PLATFORMS, type LicenseClass, type Platform } from '../../src/model.js';
import { licenseTable } from '../../src/snapshot/build.js';
import { SnapshotSchema } from '../../src/snapshot/schema.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import {
  LICENSE_COUNTRY_METRICS,
  METRICS,
  SCOPES,
  SNAPSHOT_SCHEMA,
  VIEWS,
  type LicenseByCountry,
  type LicenseCountryTable,
  type Metric,
  type OrgRow,
  type ShareList,
  type Snapshot,
  type ViewShares,
} from '../../src/snapshot/types.js';
import type { Store } from '../../src/store/types.js';
import { cleanCoverage, makeRecord } from '../feed/fixtures.js';

export const HOSTILE_MODEL = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>\u202Egnp.exe';
export const HOSTILE_ORG = '<svg onload=window.__pwned=3>Evil"Labs';

// Country: base weight and yearly trend (log scale), so the lead changes hands over a year.
const COUNTRIES: Array<[string, number, number]> = [
  ['CN', 38, 0.35],
  ['US', 42, -0.25],
  ['FR', 6, 0.1],
  ['DE', 3, 0],
  ['GB', 2.5, -0.1],
  ['KR', 2, 0.2],
  ['JP', 1.5, 0.05],
  ['CA', 1, 0],
  ['AE', 1, 0.4],
  ['IL', 0.6, 0],
  ['SG', 0.4, 0.1],
  ['IN', 0.3, 0.3],
  ['ZZ', 9, -0.2],
];

const FAMILIES: Array<[string, number, number]> = [
  ['Qwen', 30, 0.5],
  ['Llama', 35, -0.4],
  ['Gemma', 10, 0.1],
  ['DeepSeek', 8, 0.6],
  ['Mistral', 7, -0.1],
  ['Phi', 4, 0],
  ['GLM', 3, 0.3],
  ['Yi', 2, -0.3],
];

export const FIXTURE_ORGS: Array<{ org: string; country: string; kind: OrgRow['kind']; w: number; t: number }> = [
  { org: 'Alibaba Qwen', country: 'CN', kind: 'big_tech', w: 25, t: 0.5 },
  { org: 'Meta', country: 'US', kind: 'big_tech', w: 30, t: -0.4 },
  { org: 'Google', country: 'US', kind: 'big_tech', w: 12, t: 0.1 },
  { org: 'DeepSeek', country: 'CN', kind: 'ai_startup', w: 8, t: 0.6 },
  { org: 'Mistral AI', country: 'FR', kind: 'ai_startup', w: 6, t: -0.1 },
  { org: 'Microsoft', country: 'US', kind: 'big_tech', w: 5, t: 0 },
  { org: 'Zhipu AI', country: 'CN', kind: 'ai_startup', w: 3, t: 0.3 },
  { org: 'Tsinghua University', country: 'CN', kind: 'academic', w: 1.5, t: 0.2 },
  { org: 'Allen Institute for AI', country: 'US', kind: 'nonprofit', w: 1.2, t: 0 },
  { org: HOSTILE_ORG, country: 'ZZ', kind: 'community', w: 0.5, t: 0 },
];

export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function shareList(values: Array<[string, number]>): ShareList {
  const entries = values.filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const shares = entries.map(([country, value]) => ({ country, value, share: total ? value / total : 0 }));
  const known = shares.filter((s) => s.country !== 'ZZ').reduce((s, e) => s + e.value, 0);
  return { total, attributed: total ? known / total : 0, shares };
}

const PLATFORM_SCALE: Record<Platform, number> = { huggingface: 1, modelscope: 0.12, wisemodel: 0.01 };
const PLATFORM_TILT: Record<Platform, Record<string, number>> = {
  huggingface: {},
  modelscope: { CN: 4, US: 0.5 },
  wisemodel: { CN: 8, US: 0.3 },
};
const METRIC_TOTAL: Record<Metric, number> = {
  downloads30d: 400_000_000,
  downloadsAllTime: 4_000_000_000,
  downloadsDaily: 13_000_000,
  newReleases: 9000,
  derivatives: 900_000,
  likes: 3_000_000,
};

// How each country's figure splits into licence classes (the rest use the default mix).
const CLASS_MIX: Record<string, Array<[LicenseClass, number]>> = {
  CN: [
    ['permissive', 0.7],
    ['open-restricted', 0.2],
    ['unknown', 0.1],
  ],
  US: [
    ['permissive', 0.45],
    ['open-restricted', 0.4],
    ['non-commercial', 0.05],
    ['unknown', 0.1],
  ],
  FR: [
    ['permissive', 0.6],
    ['non-commercial', 0.3],
    ['unknown', 0.1],
  ],
  ZZ: [
    ['unknown', 0.7],
    ['permissive', 0.3],
  ],
};
const DEFAULT_MIX: Array<[LicenseClass, number]> = [
  ['permissive', 0.5],
  ['copyleft', 0.1],
  ['non-commercial', 0.2],
  ['unknown', 0.2],
];

function licenceSplit(list: ShareList | null): LicenseCountryTable | null {
  if (!list) return null;
  const m = new Map<string, Map<LicenseClass, number>>();
  for (const e of list.shares) {
    const mix = CLASS_MIX[e.country] ?? DEFAULT_MIX;
    // The last class takes the rounding remainder, so a country's classes add up to its share-list value.
    let left = e.value;
    const classes = new Map<LicenseClass, number>();
    mix.forEach(([c, w], i) => {
      const v = i === mix.length - 1 ? left : Math.round(e.value * w);
      left -= v;
      classes.set(c, v);
    });
    m.set(e.country, classes);
  }
  return licenseTable(m);
}

function licenceBlock(metrics: Snapshot['metrics']): LicenseByCountry {
  const out = { method: 'licence classes within each country', topCountries: 10, metrics: {} } as LicenseByCountry;
  for (const metric of LICENSE_COUNTRY_METRICS) {
    out.metrics[metric] = {
      scopes: Object.fromEntries(
        SCOPES.map((s) => [
          s,
          Object.fromEntries(
            VIEWS.map((v) => {
              const vs = metrics[metric].scopes[s][v];
              const platforms = Object.fromEntries(
                Object.entries(vs.platforms).map(([p, l]) => [p, licenceSplit(l ?? null)]),
              );
              return [v, { combined: licenceSplit(vs.combined), combinedPlatforms: vs.combinedPlatforms, platforms }];
            }),
          ),
        ]),
      ) as LicenseByCountry['metrics'][typeof metric]['scopes'],
    };
  }
  return out;
}

/** The snapshot of day `k` of a span starting at `start`; `wisemodelHistoryFrom` is the first day it has a 30-day figure. */
export function yearSnapshot(
  start: string,
  k: number,
  opts: { previousDate: string | null; wisemodelHistoryFrom?: number } = { previousDate: null },
): Snapshot {
  const date = addDays(start, k);
  const t = k / 365;
  const wave = (i: number): number => 1 + 0.06 * Math.sin((k + i * 17) / 9);
  const list = (metric: Metric, scope: string, view: string, platform: Platform): ShareList => {
    const scale = METRIC_TOTAL[metric] * PLATFORM_SCALE[platform] * (scope === 'llm' ? 0.55 : 1) * (1 + t * 0.4);
    const raw = COUNTRIES.map(([c, w, tr], i) => {
      const tilt = PLATFORM_TILT[platform][c] ?? 1;
      const zz = c === 'ZZ' && view === 'origin' ? 0.5 : 1;
      return [
        c,
        w * tilt * zz * Math.exp(tr * t) * wave(i) * (metric === 'newReleases' ? (c === 'CN' ? 1.3 : 1) : 1),
      ] as [string, number];
    });
    const sum = raw.reduce((s, [, v]) => s + v, 0);
    return shareList(raw.map(([c, v]) => [c, Math.round((scale * v) / sum)]));
  };
  const viewShares = (metric: Metric, scope: string, view: string): ViewShares => {
    const platforms: ViewShares['platforms'] = {};
    const have: Platform[] = [];
    for (const p of PLATFORMS) {
      const missing = metric === 'downloads30d' && p === 'wisemodel' && k < (opts.wisemodelHistoryFrom ?? 30);
      platforms[p] = missing ? null : list(metric, scope, view, p);
      if (!missing) have.push(p);
    }
    const sums = new Map<string, number>();
    for (const p of have)
      for (const e of platforms[p]!.shares) sums.set(e.country, (sums.get(e.country) ?? 0) + e.value);
    return { combined: shareList([...sums.entries()]), combinedPlatforms: have, platforms };
  };
  const metrics = Object.fromEntries(
    METRICS.map((m) => [
      m,
      {
        window: {
          huggingface: m === 'downloads30d' ? 'last 30 days as reported by the Hub' : 'as of the day',
          modelscope: m === 'downloads30d' ? 'all-time minus the count stored 30 days earlier' : 'as of the day',
          wisemodel: m === 'downloads30d' ? 'all-time minus the count stored 30 days earlier' : 'as of the day',
        },
        scopes: Object.fromEntries(
          SCOPES.map((s) => [s, Object.fromEntries(VIEWS.map((v) => [v, viewShares(m, s, v)]))]),
        ),
      },
    ]),
  ) as Snapshot['metrics'];
  const grow = (w: number, tr: number, i: number): number => w * Math.exp(tr * t) * wave(i);
  const orgRows = (): OrgRow[] =>
    FIXTURE_ORGS.map((o, i) => ({
      org: o.org,
      country: o.country,
      kind: o.kind,
      models: Math.round(200 * o.w * (1 + t)),
      newReleases: Math.round(o.w * wave(i)),
      downloads30d: Math.round(4_000_000 * grow(o.w, o.t, i)),
      derivatives: Math.round(3000 * grow(o.w, o.t, i + 3)),
    })).sort((a, b) => b.downloads30d - a.downloads30d);
  const kinds = (['big_tech', 'ai_startup', 'academic', 'nonprofit', 'community', 'individual'] as const).map(
    (kind, i) => {
      const w = [55, 25, 4, 3, 5, 8][i]! * Math.exp([-0.1, 0.3, 0.1, 0, 0, -0.2][i]! * t);
      return {
        kind,
        models: Math.round(w * 1000),
        newReleases: Math.round(w * 3),
        downloads30d: Math.round(w * 4_000_000),
        share: 0,
      };
    },
  );
  const ksum = kinds.reduce((s, x) => s + x.downloads30d, 0);
  for (const x of kinds) x.share = x.downloads30d / ksum;
  const cov = (p: Platform) =>
    cleanCoverage({
      modelsSeen: Math.round(1_000_000 * PLATFORM_SCALE[p]),
      requests: 2000,
      pages: 2000,
      complete: !(p === 'wisemodel' && k % 50 === 7),
      downloads30dSource:
        p === 'huggingface'
          ? 'platform'
          : p === 'wisemodel' && k < (opts.wisemodelHistoryFrom ?? 30)
            ? 'unavailable'
            : 'history',
    });
  const snap: Snapshot = {
    schema: SNAPSHOT_SCHEMA,
    date,
    previousDate: opts.previousDate,
    generator: 'hubwatch dashboard fixtures',
    method: {
      views: { publisher: 'who uploaded the model', origin: 'whose model it is (lineage root)' },
      scopes: {
        all: 'every model listed',
        llm: 'generative language models',
        llmTasks: ['text-generation', 'image-text-to-text'],
      },
      metrics: Object.fromEntries(METRICS.map((m) => [m, `${m} by country`])) as Snapshot['method']['metrics'],
      unknownCountry: 'ZZ',
    },
    platforms: [...PLATFORMS],
    coverage: { huggingface: cov('huggingface'), modelscope: cov('modelscope'), wisemodel: cov('wisemodel') },
    metrics,
    licenses: {
      byClass: (['permissive', 'open-restricted', 'non-commercial', 'copyleft', 'unknown'] as const).map((key, i) => ({
        key,
        models: 1000 * (5 - i),
        newReleases: 10 * (5 - i),
        downloads30d: Math.round(1_000_000 * [50, 30, 8, 2, 10][i]! * Math.exp([0.2, -0.1, 0, 0, -0.3][i]! * t)),
      })),
      byId: [{ key: 'Apache-2.0', models: 5000, newReleases: 40, downloads30d: 50_000_000 }],
    },
    families: FAMILIES.map(([family, w, tr], i) => ({
      family,
      models: Math.round(w * 300),
      downloads30d: Math.round(3_000_000 * grow(w, tr, i)),
      derivatives: Math.round(2000 * grow(w, tr, i + 5)),
      newDerivatives: Math.round(w * wave(i)),
    })).sort((a, b) => b.downloads30d - a.downloads30d),
    orgs: { publisher: orgRows(), origin: orgRows() },
    kinds: { publisher: kinds, origin: kinds },
    sensitivity: { rows: [], maxAbsDeltaPp: 0 },
    licenseByCountry: licenceBlock(metrics),
  };
  return snap;
}

/** Writes `days` daily snapshots from `start` (skipping `skip` day indexes) and returns the dates written. */
export async function writeSpan(
  dataDir: string,
  start: string,
  days: number,
  opts: { skip?: number[]; validate?: boolean; wisemodelHistoryFrom?: number } = {},
): Promise<string[]> {
  const skip = new Set(opts.skip ?? []);
  const written: string[] = [];
  for (let k = 0; k < days; k++) {
    if (skip.has(k)) continue;
    const snap = yearSnapshot(start, k, {
      previousDate: written[written.length - 1] ?? null,
      wisemodelHistoryFrom: opts.wisemodelHistoryFrom,
    });
    // Checking every file costs a few ms each; the tests check all, the bench the first and the last.
    if (opts.validate !== false || k === 0 || k === days - 1) SnapshotSchema.parse(snap);
    await writeSnapshot(dataDir, snap);
    written.push(snap.date);
  }
  return written;
}

/** Models in the store: releases of the last week (one hostile), with lineage, mirrors and two days of stats. */
export async function fillModels(store: Store, lastDate: string): Promise<NormalisedRecord[]> {
  const records: NormalisedRecord[] = [];
  const base = Date.parse(`${lastDate}T12:00:00Z`);
  for (let i = 0; i < 24; i++) {
    const released = new Date(base - i * 6 * 3600_000).toISOString();
    const org = FIXTURE_ORGS[i % FIXTURE_ORGS.length]!;
    const r = makeRecord(i, {
      releasedAt: released,
      relation: i % 4 === 3 ? 'finetune' : 'base',
      namespace: org.org.replace(/\W+/g, '') || 'evil',
    });
    records.push(
      NormalisedRecord.parse({
        ...r,
        publisher: { ...r.publisher, org: org.org, country: org.country, kind: org.kind },
        origin: { ...r.origin, org: org.org, country: org.country, kind: org.kind, basis: 'registry' },
        stats: { downloads30d: 1000 * (30 - i), downloadsAllTime: 5000 * (30 - i), likes: 30 - i },
      }),
    );
  }
  // A hostile base release, a fine-tune of the first model and a mirror of it on ModelScope.
  const hostile = makeRecord(100, {
    platform: 'huggingface',
    namespace: 'evil',
    name: HOSTILE_MODEL,
    relation: 'base',
    releasedAt: new Date(base - 3600_000).toISOString(),
  });
  records.push(
    NormalisedRecord.parse({
      ...hostile,
      publisher: { ...hostile.publisher, org: HOSTILE_ORG, country: 'ZZ', kind: 'community' },
      origin: { ...hostile.origin, org: HOSTILE_ORG, country: 'ZZ', kind: 'community', basis: 'registry' },
    }),
  );
  const root = records[0]!;
  const ft = makeRecord(101, {
    platform: 'huggingface',
    namespace: 'someone',
    name: 'qwen-ft',
    relation: 'finetune',
    releasedAt: new Date(base - 7200_000).toISOString(),
  });
  records.push(
    NormalisedRecord.parse({
      ...ft,
      lineage: { relation: 'finetune', baseModels: [root.key], root: root.key, family: 'Qwen' },
    }),
  );
  const q = makeRecord(102, {
    platform: 'huggingface',
    namespace: 'bartowski',
    name: 'qwen-ft-GGUF',
    relation: 'quantized',
    releasedAt: new Date(base - 3000_000).toISOString(),
  });
  const ftKey = records[records.length - 1]!.key;
  records.push(
    NormalisedRecord.parse({
      ...q,
      lineage: { relation: 'quantized', baseModels: [ftKey], root: root.key, family: 'Qwen' },
    }),
  );
  const mirror = makeRecord(103, {
    platform: 'modelscope',
    namespace: root.namespace,
    name: root.name,
    relation: 'base',
    releasedAt: root.releasedAt,
  });
  records.push(NormalisedRecord.parse({ ...mirror, mirrors: [root.key] }));
  records[0] = NormalisedRecord.parse({ ...root, mirrors: [records[records.length - 1]!.key] });
  const prev = addDays(lastDate, -1);
  for (const date of [prev, lastDate]) {
    for (const p of PLATFORMS) {
      const mine = records.filter((r) => r.platform === p);
      if (mine.length) await store.commitPage({ date, platform: p, models: mine, quarantine: [] });
    }
  }
  return records;
}
