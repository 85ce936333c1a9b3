// The snapshot's schema in zod; schemas/snapshot.v1.schema.json is generated from it (`npm run -s hubwatch --
// schema > schemas/snapshot.v1.schema.json`) and a test keeps the two equal, so there is one source of truth.
import { z } from 'zod';
import { LICENSE_CLASSES, ORG_KINDS, PLATFORMS } from '../model.js';
import { LICENSE_COUNTRY_METRICS, METRICS, SCOPES, SNAPSHOT_SCHEMA, VIEWS } from './types.js';
import { SIZE_CLASS_NAMES } from './momentum.js';

const Country = z.string().regex(/^[A-Z]{2}$/);
const Count = z.number().int().nonnegative();
const Share = z.number().min(0).max(1);
const Platform = z.enum(PLATFORMS);
const Kind = z.enum(ORG_KINDS);

const ShareList = z
  .object({
    total: z.number().nonnegative(),
    attributed: Share.describe('share of the total attributed to a known country (not ZZ)'),
    shares: z.array(z.object({ country: Country, value: z.number().nonnegative(), share: Share })),
  })
  .describe('sorted by value; shares sum to 1 (empty when total is 0)');

const ViewShares = z.object({
  combined: ShareList.nullable(),
  combinedPlatforms: z.array(Platform),
  platforms: z.partialRecord(Platform, ShareList.nullable()),
});

const perView = z.object({ publisher: ViewShares, origin: ViewShares });
const MetricBlock = z.object({
  window: z.partialRecord(Platform, z.string()),
  scopes: z.object({ all: perView, llm: perView }),
});

const FigureSource = z
  .object({
    provenance: z
      .enum(['live', 'dump', 'mixed'])
      .describe('live sweep, public dump (hubwatch backfill), or both (live wins per model)'),
    rows: z.object({ live: Count, dump: Count }),
    dump: z
      .object({
        name: z.string(),
        partition: z.string(),
        format: z.enum(['parquet', 'csv']),
        license: z.string().nullable(),
        missingColumns: z
          .array(z.string())
          .describe('columns the partition lacks: their figures are null on this date'),
        liveKept: Count.describe('dump rows not written because the date has live figures for those models'),
        complete: z.boolean(),
      })
      .optional(),
    missing: z.array(z.string()).describe('figures the day lacks because its source does not carry them'),
    flags: z.array(z.object({ flag: z.enum(['stall', 'backwards', 'partial', 'renames']), detail: z.string() })),
  })
  .describe("where the platform's figures on the day come from; absent in snapshots written before it existed");

const Coverage = z.object({
  modelsSeen: Count,
  requests: Count,
  pages: Count,
  http429: Count,
  errors: Count,
  quarantined: Count,
  /** Items read with a promised field missing or unreadable (null in the record); absent in snapshots before it existed. */
  incomplete: Count.optional(),
  complete: z.boolean(),
  degraded: z.boolean(),
  swept: z.boolean(),
  notes: z.array(z.string()),
  anomalies: z.object({ allTimeDecreased: Count, examples: z.array(z.string()) }),
  downloads30dSource: z.enum(['platform', 'history', 'unavailable']),
});

const LicenseCountryTable = z
  .object({
    total: z.number().nonnegative(),
    rows: z.array(
      z.object({
        country: z
          .union([Country, z.literal('other')])
          .describe('a country, ZZ (unattributed) or other (the known countries outside the leading ones)'),
        countries: Count.describe('how many countries the row sums'),
        total: z.number().nonnegative(),
        classes: z.array(z.object({ class: z.enum(LICENSE_CLASSES), value: z.number().nonnegative(), share: Share })),
      }),
    ),
  })
  .describe('leading countries by total, then other, then ZZ; within a row, class shares sum to 1');

const LicenseCountryShares = z.object({
  combined: LicenseCountryTable.nullable(),
  combinedPlatforms: z.array(Platform),
  platforms: z.partialRecord(Platform, LicenseCountryTable.nullable()),
});
const licensePerView = z.object({ publisher: LicenseCountryShares, origin: LicenseCountryShares });

const LicenseByCountry = z
  .object({
    method: z.string(),
    topCountries: Count,
    metrics: z.object(
      Object.fromEntries(
        LICENSE_COUNTRY_METRICS.map((m) => [
          m,
          z.object({ scopes: z.object({ all: licensePerView, llm: licensePerView }) }),
        ]),
      ) as Record<
        (typeof LICENSE_COUNTRY_METRICS)[number],
        z.ZodObject<{ scopes: z.ZodObject<{ all: typeof licensePerView; llm: typeof licensePerView }> }>
      >,
    ),
  })
  .describe('licence classes within each country; absent in snapshots written before it existed');

export const MomentumEntrySchema = z.object({
  key: z.string(),
  name: z.string(),
  platform: Platform,
  country: z.object({ publisher: Country, origin: Country }),
  sizeClass: z.enum(SIZE_CLASS_NAMES).nullable().describe('size class (method.classes); null when no size is known'),
  sizeBasis: z.enum(['params', 'name']).nullable().describe("the record's parameter count or the model's name"),
  ageDays: Count.nullable().describe('days since creation on the snapshot day'),
  value: z.number().describe('RAM, or 7-day growth (0.25 is +25%)'),
  downloads: z
    .number()
    .nonnegative()
    .describe('ram: cumulative downloads on the day; growth7d: downloads of the last 7 days'),
  reference: z
    .number()
    .nonnegative()
    .describe("ram: the size class's cut-off at this age; growth7d: mean weekly downloads of the 3 weeks before"),
});
const MomentumLists = z.object({ ram: z.array(MomentumEntrySchema), growth7d: z.array(MomentumEntrySchema) });

export const MomentumMethodSchema = z.object({
  ram: z.string(),
  growth7d: z.string(),
  sizeClasses: z.string(),
  classes: z.array(
    z.object({ name: z.string(), minParams: z.number().nonnegative(), maxParams: z.number().positive().nullable() }),
  ),
  referenceSet: z.string(),
  cutoff: z.string(),
  windows: z.string(),
  history: z.object({
    from: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable(),
    dates: Count,
    growthDates: z.object({
      d7: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .nullable(),
      d28: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .nullable(),
    }),
  }),
});

const Momentum = z
  .object({
    method: MomentumMethodSchema,
    top: Count,
    scopes: z.object({ all: MomentumLists, llm: MomentumLists }),
  })
  .describe('top lists by Relative Adoption Metric and 7-day growth; absent in snapshots written before it existed');

const Tally = { models: Count, newReleases: Count, downloads30d: z.number().nonnegative() };

const OrgRows = z.array(z.object({ org: z.string(), country: Country, kind: Kind, derivatives: Count, ...Tally }));
const KindRows = z.array(z.object({ kind: Kind, share: Share, ...Tally }));

export const SnapshotSchema = z
  .object({
    schema: z.literal(SNAPSHOT_SCHEMA),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    previousDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable(),
    generator: z.string(),
    method: z.object({
      views: z.object({ publisher: z.string(), origin: z.string() }),
      scopes: z.object({ all: z.string(), llm: z.string(), llmTasks: z.array(z.string()) }),
      metrics: z.object(
        Object.fromEntries(METRICS.map((m) => [m, z.string()])) as Record<(typeof METRICS)[number], z.ZodString>,
      ),
      unknownCountry: z.literal('ZZ'),
      sources: z.partialRecord(Platform, FigureSource).optional(),
    }),
    platforms: z.array(Platform),
    coverage: z.partialRecord(Platform, Coverage),
    metrics: z.object(
      Object.fromEntries(METRICS.map((m) => [m, MetricBlock])) as Record<(typeof METRICS)[number], typeof MetricBlock>,
    ),
    licenses: z.object({
      byClass: z.array(z.object({ key: z.enum(LICENSE_CLASSES), ...Tally })),
      byId: z.array(z.object({ key: z.string(), ...Tally })),
    }),
    families: z.array(
      z.object({
        family: z.string(),
        models: Count,
        downloads30d: z.number().nonnegative(),
        derivatives: Count,
        newDerivatives: Count,
      }),
    ),
    orgs: z.object({ publisher: OrgRows, origin: OrgRows }),
    kinds: z.object({ publisher: KindRows, origin: KindRows }),
    sensitivity: z.object({
      rows: z.array(
        z.object({
          metric: z.enum(METRICS),
          scope: z.enum(SCOPES),
          view: z.enum(VIEWS),
          country: Country,
          share: Share,
          shareAlt: Share,
          deltaPp: z.number(),
        }),
      ),
      maxAbsDeltaPp: z.number().nonnegative(),
    }),
    licenseByCountry: LicenseByCountry.optional(),
    momentum: Momentum.optional(),
  })
  .describe('hubwatch daily snapshot: shares of downloads, releases and derivatives by country');

export function snapshotJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SnapshotSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $id: 'https://hubwatch.dev/schemas/snapshot.v1.schema.json',
    title: 'hubwatch.snapshot/v1',
    ...schema,
  };
}
