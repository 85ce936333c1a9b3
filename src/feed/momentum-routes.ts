// GET /api/v1/momentum: one top list of a snapshot's momentum block (src/snapshot/momentum.ts), by Relative Adoption
// Metric or 7-day growth, for one scope. Read from the snapshot file, so it is cached and carries its ETag like the
// snapshot reads, and it says the same as the file.
import { readSnapshot } from '../snapshot/files.js';
import { MOMENTUM_METRICS, SCOPES, type MomentumMetric, type Scope } from '../snapshot/types.js';
import type { Rendered } from './cache.js';
import { badParam, notFound } from './errors.js';
import type { MomentumList } from './momentum-schemas.js';
import type { RouteContext, RouteDef } from './routes.js';
import type { ObjectSchema } from './schemas.js';
import { realDate } from './query.js';
import { CACHE, JSON_TYPE } from './responses.js';
import type { FeedService } from './service.js';

export const momentumQuery: ObjectSchema = {
  type: 'object',
  properties: {
    scope: { type: 'string', enum: [...SCOPES], default: 'all', description: 'All models, or LLMs only.' },
    metric: {
      type: 'string',
      enum: [...MOMENTUM_METRICS],
      default: 'ram',
      description:
        '`ram`: Relative Adoption Metric (downloads against the 10th of the size class at the same age); `growth7d`: the last 7 days against the 3 weeks before.',
    },
    date: {
      type: 'string',
      format: 'date',
      pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
      maxLength: 10,
      description: 'Snapshot date (YYYY-MM-DD); the latest snapshot when left out.',
    },
  },
  additionalProperties: false,
};

interface MomentumQuery {
  scope: Scope;
  metric: MomentumMetric;
  date: string | null;
}

function momentumQueryFrom(q: Record<string, unknown>): MomentumQuery {
  const date = typeof q.date === 'string' ? q.date : null;
  if (date !== null && !realDate(date)) throw badParam('date', `date: ${date} is not a calendar date`);
  return {
    scope: (q.scope as Scope | undefined) ?? 'all',
    metric: (q.metric as MomentumMetric | undefined) ?? 'ram',
    date,
  };
}

async function renderMomentum(svc: FeedService, q: MomentumQuery): Promise<Rendered> {
  const date = q.date ?? (await svc.latestDate());
  if (date === null) throw notFound('no snapshot has been written yet; momentum comes with the first one');
  const snap = await readSnapshot(svc.dataDir, date);
  if (!snap) throw notFound(`no snapshot for ${date}; GET /api/v1/snapshots lists the dates that have one`);
  if (!snap.momentum) {
    throw notFound(
      `the snapshot of ${date} was written before momentum existed; rebuild it with \`hubwatch snapshot --date ${date}\``,
    );
  }
  const body: MomentumList = {
    date,
    scope: q.scope,
    metric: q.metric,
    top: snap.momentum.top,
    method: snap.momentum.method,
    items: snap.momentum.scopes[q.scope][q.metric],
  };
  svc.checkResponse('MomentumList', body);
  // A moving target (latest) is cached for a minute; a dated snapshot changes only if the day is rebuilt.
  return { body: JSON.stringify(body), contentType: JSON_TYPE, cacheControl: q.date === null ? CACHE.live : CACHE.day };
}

export function momentumRoutes(svc: FeedService): RouteDef[] {
  return [
    {
      operationId: 'getMomentum',
      url: '/api/v1/momentum',
      path: '/api/v1/momentum',
      summary: 'Models picking up fastest: a snapshot’s top list by RAM or 7-day growth',
      description:
        'From the snapshot’s `momentum` block: the models with the largest Relative Adoption Metric (after the ATOM ' +
        'Report: cumulative downloads against the 10th-largest of the size class at the same age) or 7-day growth ' +
        '(after Model Pulse), with platform, countries, size class and age, and the method in words. 404 for a ' +
        'snapshot written before the block existed.',
      tag: 'snapshots',
      query: momentumQuery,
      ok: [{ contentType: 'application/json', schema: { $ref: '#/components/schemas/MomentumList' } }],
      notFound: true,
      plan: (ctx: RouteContext) => {
        const q = momentumQueryFrom(ctx.query);
        return {
          key: `momentum:${q.date ?? 'latest'}:${q.scope}:${q.metric}`,
          ttlMs: null,
          render() {
            return renderMomentum(svc, q);
          },
        };
      },
    },
  ];
}
