// Valid records and snapshots for the feed tests and the benchmark: built by hand, checked by the zod schemas
// the rest of hubwatch uses, so a fixture that drifts from the contract fails here rather than passing quietly.
import { loadConfig, type Config } from '../../src/config.js';
import { NormalisedRecord, PLATFORMS, type Platform, type Relation } from '../../src/model.js';
import { SnapshotSchema } from '../../src/snapshot/schema.js';
import {
  METRICS,
  SCOPES,
  SNAPSHOT_SCHEMA,
  VIEWS,
  type PlatformCoverage,
  type ShareList,
  type Snapshot,
  type ViewShares,
} from '../../src/snapshot/types.js';
import type { Store } from '../../src/store/types.js';

const COUNTRIES = ['US', 'CN', 'FR', 'DE', 'GB', 'ZZ'] as const;
const ORGS = [
  { org: 'Alibaba Qwen', country: 'CN', kind: 'big_tech' },
  { org: 'Meta', country: 'US', kind: 'big_tech' },
  { org: 'Mistral AI', country: 'FR', kind: 'ai_startup' },
  { org: null, country: 'ZZ', kind: 'individual' },
] as const;

export interface RecordOverrides {
  platform?: Platform;
  namespace?: string;
  name?: string;
  relation?: Relation;
  releasedAt?: string | null;
  licenseClass?: NormalisedRecord['license']['class'];
  tags?: string[];
}

/** The i-th synthetic model: platforms, organisations, relations and licences rotate so every filter selects some. */
export function makeRecord(i: number, o: RecordOverrides = {}): NormalisedRecord {
  const platform = o.platform ?? PLATFORMS[i % PLATFORMS.length]!;
  const org = ORGS[i % ORGS.length]!;
  const namespace = o.namespace ?? (org.org ? org.org.replace(/\W+/g, '') : `user${i}`);
  const name = o.name ?? `model-${i}`;
  const id = `${namespace}/${name}`;
  const key = `${platform}:${id}`;
  const relation: Relation = o.relation ?? (i % 3 === 0 ? 'base' : i % 3 === 1 ? 'finetune' : 'quantized');
  // One model per minute going back from a fixed instant: newest first is then i ascending.
  const released =
    o.releasedAt === undefined ? new Date(Date.UTC(2025, 5, 1) - i * 60_000).toISOString() : o.releasedAt;
  const host = {
    huggingface: 'https://huggingface.co',
    modelscope: 'https://modelscope.cn/models',
    wisemodel: 'https://wisemodel.cn/models',
  }[platform];
  const root = relation === 'base' ? key : `${platform}:${namespace}/base-of-${i}`;
  const licenseClass =
    o.licenseClass ?? (['permissive', 'open-restricted', 'non-commercial', 'unknown'] as const)[i % 4]!;
  const rec = {
    key,
    platform,
    id,
    namespace,
    name,
    url: `${host}/${encodeURI(id)}`,
    createdAt: released,
    lastModified: released,
    firstSeenAt: released ?? '2025-06-01T00:00:00.000Z',
    releasedAt: released,
    task: i % 2 === 0 ? 'text-generation' : 'image-text-to-text',
    library: 'transformers',
    tags: o.tags ?? ['transformers', `tag-${i % 7}`],
    params: 7e9,
    license: { raw: 'apache-2.0', id: 'Apache-2.0', name: 'Apache License 2.0', class: licenseClass, basis: 'table' },
    publisher: { namespace, org: org.org, country: org.country, countryAlt: null, kind: org.kind },
    lineage: { relation, baseModels: relation === 'base' ? [] : [root], root, family: 'Qwen' },
    origin: {
      org: org.org,
      country: org.country,
      countryAlt: null,
      kind: org.kind,
      basis: org.org ? 'registry' : 'unknown',
    },
    stats: { downloads30d: 1000 + i, downloadsAllTime: 5000 + i, likes: i % 50 },
    mirrors: [],
  };
  return NormalisedRecord.parse(rec);
}

/** Records 0 to n − 1 of makeRecord: every platform, organisation, relation and licence class in turn. */
export function makeRecords(n: number): NormalisedRecord[] {
  return Array.from({ length: n }, (_, i) => makeRecord(i));
}

/**
 * Stores record 40 as moved/old-name on the first day and as moved/new-name on the second, under the same platform
 * object id: the store takes that for one model renamed (a 301 from the old id, the history moved with it).
 */
export async function storeRenamed(
  store: Store,
  days: readonly [string, string],
  o: RecordOverrides = {},
): Promise<{ before: NormalisedRecord; after: NormalisedRecord }> {
  const before = makeRecord(40, { ...o, namespace: 'moved', name: 'old-name' });
  const after = NormalisedRecord.parse({
    ...before,
    id: 'moved/new-name',
    name: 'new-name',
    key: `${before.platform}:moved/new-name`,
  });
  for (const [date, model] of [
    [days[0], before],
    [days[1], after],
  ] as const) {
    await store.commitPage({
      date,
      platform: model.platform,
      models: [model],
      objectIds: new Map([[model.key, 'oid-moved']]),
      quarantine: [],
    });
  }
  return { before, after };
}

/** Commits records page by page (per platform, chunks of 1,000) for one stats day. */
export async function fillStore(store: Store, records: NormalisedRecord[], date = '2025-06-01'): Promise<void> {
  for (const platform of PLATFORMS) {
    const mine = records.filter((r) => r.platform === platform);
    for (let i = 0; i < mine.length; i += 1000) {
      await store.commitPage({ date, platform, models: mine.slice(i, i + 1000), quarantine: [] });
    }
  }
}

function shareList(values: Record<string, number>): ShareList {
  const entries = Object.entries(values)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const shares = entries.map(([country, value]) => ({ country, value, share: total ? value / total : 0 }));
  const known = shares.filter((s) => s.country !== 'ZZ').reduce((s, e) => s + e.value, 0);
  return { total, attributed: total ? known / total : 0, shares };
}

/** A platform's coverage on a day when nothing went wrong (no errors, swept, complete); callers give its counts. */
export function cleanCoverage(
  counts: Pick<PlatformCoverage, 'modelsSeen' | 'requests' | 'pages'> & Partial<PlatformCoverage>,
): PlatformCoverage {
  return {
    http429: 0,
    errors: 0,
    quarantined: 0,
    incomplete: 0,
    complete: true,
    degraded: false,
    swept: true,
    notes: [],
    anomalies: { allTimeDecreased: 0, examples: [] },
    downloads30dSource: 'platform',
    ...counts,
  };
}

/** A snapshot whose numbers depend on the date and a seed, so series over several days are not flat. */
export function makeSnapshot(date: string, previousDate: string | null, seed = 1): Snapshot {
  const day = Number(date.slice(8, 10));
  const list = (k: number): ShareList =>
    shareList(
      Object.fromEntries(COUNTRIES.map((c, j) => [c, (((j + 1) * 100 * (k + seed) + day * (j + 3)) % 997) + 1])),
    );
  const view = (k: number): ViewShares => ({
    combined: list(k),
    combinedPlatforms: ['huggingface', 'modelscope'],
    platforms: { huggingface: list(k + 1), modelscope: list(k + 2), wisemodel: null },
  });
  const metrics = Object.fromEntries(
    METRICS.map((m, mi) => [
      m,
      {
        window: { huggingface: 'last 30 days (platform)', modelscope: 'from stored history' },
        scopes: Object.fromEntries(
          SCOPES.map((s, si) => [s, Object.fromEntries(VIEWS.map((v, vi) => [v, view(mi * 7 + si * 3 + vi)]))]),
        ),
      },
    ]),
  ) as Snapshot['metrics'];
  const coverage = cleanCoverage({ modelsSeen: 10, requests: 3, pages: 1 });
  const snap: Snapshot = {
    schema: SNAPSHOT_SCHEMA,
    date,
    previousDate,
    generator: 'hubwatch tests',
    method: {
      views: { publisher: 'uploader', origin: 'original model' },
      scopes: { all: 'all models', llm: 'LLMs', llmTasks: ['text-generation'] },
      metrics: Object.fromEntries(METRICS.map((m) => [m, m])) as Snapshot['method']['metrics'],
      unknownCountry: 'ZZ',
    },
    platforms: ['huggingface', 'modelscope', 'wisemodel'],
    coverage: { huggingface: coverage, modelscope: { ...coverage, downloads30dSource: 'history' } },
    metrics,
    licenses: {
      byClass: [{ key: 'permissive', models: 5, newReleases: 1, downloads30d: 100 }],
      byId: [{ key: '=HYPERLINK("http://x")', models: 5, newReleases: 1, downloads30d: 100 }],
    },
    families: [{ family: 'Qwen', models: 3, downloads30d: 10, derivatives: 2, newDerivatives: 1 }],
    orgs: {
      publisher: [
        { org: 'Meta', country: 'US', kind: 'big_tech', models: 3, newReleases: 1, downloads30d: 10, derivatives: 1 },
      ],
      origin: [
        { org: 'Meta', country: 'US', kind: 'big_tech', models: 3, newReleases: 1, downloads30d: 10, derivatives: 1 },
      ],
    },
    kinds: {
      publisher: [{ kind: 'big_tech', models: 3, newReleases: 1, downloads30d: 10, share: 1 }],
      origin: [{ kind: 'big_tech', models: 3, newReleases: 1, downloads30d: 10, share: 1 }],
    },
    sensitivity: { rows: [], maxAbsDeltaPp: 0 },
  };
  SnapshotSchema.parse(snap);
  return snap;
}

export function testConfig(dataDir: string, pageSize = 5): Config {
  return loadConfig(
    { HUBWATCH_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    { server: { feedPageSize: pageSize, host: '127.0.0.1', port: 0 } },
  );
}

// tempStore's home is tests/support/temp.ts (every test that needs a throwaway store); re-exported for older imports.
export { tempStore, type TempStore } from '../support/temp.js';
