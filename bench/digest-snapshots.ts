// A fast stand-in for the snapshot builder, for bench/digest.ts only: it aggregates a synthetic universe's rows
// in memory while the store is filled, so that the digest bench times buildDigest and not eight snapshot builds over
// a million models (src/snapshot/build.ts took about 20 s a day at 50,000 models on the shared 2-core machine, which
// would add most of an hour at 1,000,000). Kept out of the tests on purpose: tests/digest checks the digest on the
// files the real builder writes (tests/digest/fixtures.ts). On that fortnight this aggregation gave the same figures
// as the real builder; only its method strings and request counts differ, and neither affects the digest's timing.
import type { LicenseClass, OrgKind, Platform, Relation } from '../src/model.js';
import { PLATFORMS } from '../src/model.js';
import { shareList } from '../src/snapshot/build.js';
import {
  METRICS,
  SCOPES,
  SNAPSHOT_SCHEMA,
  VIEWS,
  type FamilyRow,
  type KindRow,
  type LicenseRow,
  type Metric,
  type MetricBlock,
  type OrgRow,
  type PlatformCoverage,
  type Scope,
  type Snapshot,
  type View,
  type ViewShares,
} from '../src/snapshot/types.js';
import { figures, type FxModel } from '../tests/digest/fixtures.js';
import { cleanCoverage } from '../tests/feed/fixtures.js';

const LLM_TASKS = new Set(['text-generation', 'image-text-to-text']);

export interface FxRow {
  platform: Platform;
  relation: Relation;
  family: string | null;
  licenseClass: LicenseClass;
  licenseId: string;
  task: string | null;
  publisher: { org: string | null; country: string; kind: OrgKind };
  origin: { org: string | null; country: string; kind: OrgKind };
  isNew: boolean;
  downloads30d: number | null;
  downloadsAllTime: number | null;
  downloadsDaily: number | null;
  likes: number | null;
}

type Acc = Map<Platform, Map<string, number>>;

/** One more model in a row of counts: a model, maybe a new release, and its 30-day downloads. */
function tally(counts: { models: number; newReleases: number; downloads30d: number }, row: FxRow): void {
  counts.models++;
  if (row.isNew) counts.newReleases++;
  counts.downloads30d += row.downloads30d ?? 0;
}

/** Accumulates one day's rows into the snapshot's aggregates; memory is per country, not per model. */
export class SnapshotAccumulator {
  private readonly acc = new Map<string, Acc>();
  private readonly families = new Map<string, FamilyRow>();
  private readonly licClass = new Map<string, LicenseRow>();
  private readonly licId = new Map<string, LicenseRow>();
  private readonly orgs = { publisher: new Map<string, OrgRow>(), origin: new Map<string, OrgRow>() };
  private readonly kinds = { publisher: new Map<OrgKind, KindRow>(), origin: new Map<OrgKind, KindRow>() };
  private readonly seen = new Map<Platform, number>();
  private readonly nullMetrics = new Map<string, boolean>();

  constructor(
    readonly date: string,
    readonly previousDate: string | null,
  ) {}

  private add(metric: Metric, scope: Scope, view: View, platform: Platform, country: string, v: number): void {
    const k = `${metric}|${scope}|${view}`;
    let a = this.acc.get(k);
    if (!a) this.acc.set(k, (a = new Map()));
    let m = a.get(platform);
    if (!m) a.set(platform, (m = new Map()));
    m.set(country, (m.get(country) ?? 0) + v);
  }

  push(row: FxRow): void {
    this.seen.set(row.platform, (this.seen.get(row.platform) ?? 0) + 1);
    const values: Record<Metric, number | null> = {
      downloads30d: row.downloads30d,
      downloadsAllTime: row.downloadsAllTime,
      downloadsDaily: this.previousDate === null ? null : row.downloadsDaily,
      newReleases: row.isNew ? 1 : 0,
      derivatives: row.relation !== 'base' ? 1 : 0,
      likes: row.likes,
    };
    const scopes: Scope[] = row.task && LLM_TASKS.has(row.task) ? ['all', 'llm'] : ['all'];
    for (const metric of METRICS) {
      const v = values[metric];
      // A platform without the figure has a null list, not zeros.
      if (v === null) {
        this.nullMetrics.set(`${metric}|${row.platform}`, true);
        continue;
      }
      for (const scope of scopes) {
        for (const view of VIEWS) this.add(metric, scope, view, row.platform, row[view].country, v);
      }
    }
    if (row.family) {
      const f = this.families.get(row.family) ?? {
        family: row.family,
        models: 0,
        downloads30d: 0,
        derivatives: 0,
        newDerivatives: 0,
      };
      f.models++;
      f.downloads30d += row.downloads30d ?? 0;
      if (row.relation !== 'base') {
        f.derivatives++;
        if (row.isNew) f.newDerivatives++;
      }
      this.families.set(row.family, f);
    }
    for (const [map, key] of [
      [this.licClass, row.licenseClass],
      [this.licId, row.licenseId],
    ] as const) {
      const l = map.get(key) ?? { key, models: 0, newReleases: 0, downloads30d: 0 };
      tally(l, row);
      map.set(key, l);
    }
    for (const view of VIEWS) {
      const who = row[view];
      if (who.org) {
        const o = this.orgs[view].get(who.org) ?? {
          org: who.org,
          country: who.country,
          kind: who.kind,
          models: 0,
          newReleases: 0,
          downloads30d: 0,
          derivatives: 0,
        };
        tally(o, row);
        if (row.relation !== 'base') o.derivatives++;
        this.orgs[view].set(who.org, o);
      }
      const k = this.kinds[view].get(who.kind) ?? {
        kind: who.kind,
        models: 0,
        newReleases: 0,
        downloads30d: 0,
        share: 0,
      };
      tally(k, row);
      this.kinds[view].set(who.kind, k);
    }
  }

  build(coverage: Partial<Record<Platform, Partial<PlatformCoverage>>> = {}): Snapshot {
    const metrics = {} as Record<Metric, MetricBlock>;
    const platforms = PLATFORMS.filter((p) => this.seen.has(p));
    for (const metric of METRICS) {
      const scopes = {} as MetricBlock['scopes'];
      for (const scope of SCOPES) {
        const views = {} as Record<View, ViewShares>;
        for (const view of VIEWS) {
          const a = this.acc.get(`${metric}|${scope}|${view}`) ?? new Map();
          const per: ViewShares['platforms'] = {};
          const combined = new Map<string, number>();
          const combinedPlatforms: Platform[] = [];
          for (const p of platforms) {
            const has = a.has(p) || !this.nullMetrics.get(`${metric}|${p}`);
            if (!has || (metric === 'downloadsDaily' && this.previousDate === null)) {
              per[p] = null;
              continue;
            }
            const m = a.get(p) ?? new Map<string, number>();
            per[p] = shareList(m);
            combinedPlatforms.push(p);
            for (const [c, v] of m) combined.set(c, (combined.get(c) ?? 0) + v);
          }
          views[view] = {
            combined: combinedPlatforms.length ? shareList(combined) : null,
            combinedPlatforms,
            platforms: per,
          };
        }
        scopes[scope] = views;
      }
      metrics[metric] = {
        window:
          metric === 'downloads30d'
            ? {
                huggingface: 'trailing 30 days as the Hub reports it',
                modelscope: 'unavailable: cumulative counts only, history too short',
                wisemodel: 'unavailable: cumulative counts only, history too short',
              }
            : Object.fromEntries(platforms.map((p) => [p, metric])),
        scopes,
      };
    }
    const cov: Partial<Record<Platform, PlatformCoverage>> = {};
    for (const p of platforms) {
      cov[p] = cleanCoverage({
        modelsSeen: this.seen.get(p) ?? 0,
        requests: 10,
        pages: 10,
        downloads30dSource: p === 'huggingface' ? 'platform' : 'unavailable',
        ...coverage[p],
      });
    }
    const sortRows = <T extends { downloads30d: number; models: number }>(rows: T[], key: (t: T) => string) =>
      rows.sort((a, b) => b.downloads30d - a.downloads30d || b.models - a.models || key(a).localeCompare(key(b)));
    const kindRows = (m: Map<OrgKind, KindRow>) => {
      const total = [...m.values()].reduce((a, k) => a + k.downloads30d, 0);
      return sortRows(
        [...m.values()].map((k) => ({ ...k, share: total ? k.downloads30d / total : 0 })),
        (k) => k.kind,
      );
    };
    return {
      schema: SNAPSHOT_SCHEMA,
      date: this.date,
      previousDate: this.previousDate,
      generator: 'bench/digest-snapshots',
      method: {
        views: { publisher: 'who uploaded the model', origin: "whose model it is: the lineage root's publisher" },
        scopes: { all: 'every task', llm: 'generative language and vision-language tasks', llmTasks: [...LLM_TASKS] },
        metrics: {
          downloads30d: '30-day downloads',
          downloadsAllTime: 'all-time downloads',
          downloadsDaily: 'all-time delta against the previous snapshot',
          newReleases: 'models released that day',
          derivatives: "models whose relation is not base, by the root's country",
          likes: 'likes',
        },
        unknownCountry: 'ZZ',
      },
      platforms,
      coverage: cov,
      metrics,
      licenses: {
        byClass: sortRows([...this.licClass.values()], (l) => l.key) as Array<LicenseRow & { key: LicenseClass }>,
        byId: sortRows([...this.licId.values()], (l) => l.key),
      },
      families: [...this.families.values()].sort(
        (a, b) => b.downloads30d - a.downloads30d || a.family.localeCompare(b.family),
      ),
      orgs: {
        publisher: sortRows([...this.orgs.publisher.values()], (o) => o.org).slice(0, 100),
        origin: sortRows([...this.orgs.origin.values()], (o) => o.org).slice(0, 100),
      },
      kinds: { publisher: kindRows(this.kinds.publisher), origin: kindRows(this.kinds.origin) },
      sensitivity: { rows: [], maxAbsDeltaPp: 0 },
    };
  }
}

export function rowFor(m: FxModel, date: string, prevDate: string | null): FxRow {
  const f = figures(m, date, prevDate);
  const r = m.record;
  return {
    platform: r.platform,
    relation: r.lineage.relation,
    family: r.lineage.family,
    licenseClass: r.license.class,
    licenseId: r.license.id,
    task: r.task,
    publisher: { org: r.publisher.org, country: r.publisher.country, kind: r.publisher.kind },
    origin: { org: r.origin.org, country: r.origin.country, kind: r.origin.kind },
    isNew: m.releasedDay === date,
    downloads30d: f.downloads30d,
    downloadsAllTime: f.downloadsAllTime,
    downloadsDaily: f.prevAllTime === null ? null : f.downloadsAllTime - f.prevAllTime,
    likes: f.likes,
  };
}
