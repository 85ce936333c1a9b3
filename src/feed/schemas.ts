// The one definition of every request and response shape of the HTTP API. Fastify validates requests with the
// parameter schemas below, the OpenAPI document embeds the same objects, and responses are checked against the
// component schemas (at render time when asked, and by the contract tests through /openapi.json). The model
// record comes from the zod schema in src/model.ts, so the API cannot drift from what the store holds.
import { z } from 'zod';
import { LICENSE_CLASSES, NormalisedRecord, ORG_KINDS, PLATFORMS, RELATIONS } from '../model.js';
import { METRICS, SCOPES, VIEWS } from '../snapshot/types.js';
import { SnapshotSchema } from '../snapshot/schema.js';
import { API_ERROR_CODES } from './errors.js';
import { PLATFORM_OR_COMBINED_VALUES } from './history.js';
import { historyComponentSchemas } from './history-schemas.js';
import { momentumComponentSchemas } from './momentum-schemas.js';

export type JsonSchema = Record<string, unknown>;

export interface ObjectSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties: false;
}

const DATE_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
// A date or an RFC 3339 date-time; a date-time without an offset is read as UTC. Day validity (no 30 February)
// is checked in the handler, where the message can say so.
const SINCE_PATTERN =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])' +
  '(T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,9})?)?(Z|[+-]([01]\\d|2[0-3]):?[0-5]\\d)?)?$';
// Our own cursors are base64url; anything else cannot have come from a page we served.
const CURSOR_PATTERN = '^[A-Za-z0-9_-]+$';
// A path segment of a model id: anything printable, since WiseModel ids carry CJK and the platforms differ
// on punctuation; control characters and slashes cannot be part of one.
const SEGMENT_PATTERN = '^[^\\u0000-\\u001F\\u007F/\\\\]+$';

/** A calendar date parameter (YYYY-MM-DD); whether the day exists is the handler's to check. */
export const dateSchema = (description: string): JsonSchema => ({
  type: 'string',
  format: 'date',
  pattern: DATE_PATTERN,
  maxLength: 10,
  description,
});

/** The filters the feed and the models listing share, in the order they are documented. */
export function filterProperties(pageSize: number): Record<string, JsonSchema> {
  return {
    platform: { type: 'string', enum: [...PLATFORMS], description: 'Only models on this platform.' },
    country: {
      type: 'string',
      pattern: '^[A-Za-z]{2}$',
      description: 'ISO 3166-1 alpha-2 country (ZZ for unknown), matched against the chosen view. Case-insensitive.',
    },
    view: {
      type: 'string',
      enum: [...VIEWS],
      default: 'origin',
      description:
        'Which country and organisation `country`, `org` and `kind` refer to: the uploader or the original model.',
    },
    org: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Organisation name from the registry (exact, case-insensitive), in the chosen view.',
    },
    kind: { type: 'string', enum: [...ORG_KINDS], description: 'Organisation kind, in the chosen view.' },
    license_class: { type: 'string', enum: [...LICENSE_CLASSES], description: 'Licence class.' },
    relation: {
      type: 'string',
      enum: [...RELATIONS],
      description: '`base` for original models only; finetune, adapter, quantized or merge for derivatives.',
    },
    since: {
      type: 'string',
      pattern: SINCE_PATTERN,
      maxLength: 40,
      description:
        'Only models released at or after this date (YYYY-MM-DD) or RFC 3339 date-time (UTC when no offset).',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: pageSize,
      description: 'Items per page.',
    },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: CURSOR_PATTERN,
      description: 'Opaque cursor from a previous page (`next_url` / `nextCursor`).',
    },
  };
}

export function filterQuery(pageSize: number): ObjectSchema {
  return { type: 'object', properties: filterProperties(pageSize), additionalProperties: false };
}

export const sharesQuery: ObjectSchema = {
  type: 'object',
  properties: {
    metric: { type: 'string', enum: [...METRICS], default: 'downloads30d', description: 'Which figure.' },
    view: {
      type: 'string',
      enum: [...VIEWS],
      default: 'origin',
      description: 'Country of the uploader (publisher) or of the original model (origin).',
    },
    scope: { type: 'string', enum: [...SCOPES], default: 'all', description: 'All models, or LLMs only.' },
    platform: {
      type: 'string',
      enum: [...PLATFORM_OR_COMBINED_VALUES],
      default: 'combined',
      description: 'One platform, or all platforms with a figure for the window combined.',
    },
    from: dateSchema('First snapshot date included (YYYY-MM-DD).'),
    to: dateSchema('Last snapshot date included (YYYY-MM-DD).'),
  },
  additionalProperties: false,
};

export const emptyQuery: ObjectSchema = { type: 'object', properties: {}, additionalProperties: false };

export const snapshotDateParams: ObjectSchema = {
  type: 'object',
  properties: { date: dateSchema('Snapshot date (YYYY-MM-DD).') },
  required: ['date'],
  additionalProperties: false,
};

const segment = (description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  maxLength: 300,
  pattern: SEGMENT_PATTERN,
  description,
});

export const modelParams: ObjectSchema = {
  type: 'object',
  properties: {
    platform: { type: 'string', enum: [...PLATFORMS], description: 'Platform.' },
    namespace: segment('Owner of the model (user or organisation).'),
    name: segment('Model name.'),
  },
  required: ['platform', 'namespace', 'name'],
  additionalProperties: false,
};

/** Hugging Face still serves a few root-level models without a namespace (`gpt2`). */
export const bareModelParams: ObjectSchema = {
  type: 'object',
  properties: {
    platform: { type: 'string', enum: [...PLATFORMS], description: 'Platform.' },
    name: segment('Model id without a namespace.'),
  },
  required: ['platform', 'name'],
  additionalProperties: false,
};

// ---- responses ---------------------------------------------------------------------------------------------

function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output' }) as JsonSchema;
  return rest;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });
const count = { type: 'integer', minimum: 0 };
const isoDate = { type: 'string', format: 'date', pattern: DATE_PATTERN };

// The snapshot's shapes come from its zod schema (src/snapshot/schema.ts). Shared sub-schemas are emitted as
// references (inlined, the schema is six times larger and ajv takes seconds to compile it) and hoisted into the
// OpenAPI components; the share list and entry are lifted out of it rather than written again, and a change of
// its layout fails here at start-up, loudly.
const SNAPSHOT_PREFIX = 'Snapshot';

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/')
        ? `#/components/schemas/${SNAPSHOT_PREFIX}${x.slice('#/$defs/'.length)}`
        : rewriteRefs(x);
  }
  return out;
}

const snapshotParts = (() => {
  const raw = z.toJSONSchema(SnapshotSchema, { reused: 'ref', target: 'draft-2020-12' }) as JsonSchema;
  const { $schema: _s, $defs, ...root } = raw;
  const defs = Object.fromEntries(
    Object.entries(($defs ?? {}) as Record<string, JsonSchema>).map(([k, d]) => [
      `${SNAPSHOT_PREFIX}${k}`,
      rewriteRefs(d) as JsonSchema,
    ]),
  );
  return { root: rewriteRefs(root) as JsonSchema, defs };
})();

function deref(node: JsonSchema): JsonSchema {
  const r = node.$ref;
  if (typeof r === 'string' && r.startsWith('#/components/schemas/')) {
    const d = snapshotParts.defs[r.slice('#/components/schemas/'.length)];
    if (d) return deref(d);
  }
  return node;
}

function at(schema: JsonSchema, path: Array<string | number>): JsonSchema {
  let cur: unknown = schema;
  for (const k of path) {
    cur = deref(cur as JsonSchema)[k];
    if (cur === undefined || cur === null || typeof cur !== 'object') {
      throw new Error(`snapshot JSON Schema has no ${path.join('.')}; update src/feed/schemas.ts`);
    }
  }
  return deref(cur as JsonSchema);
}

const snapshot = snapshotParts.root;
// prettier-ignore
const shareList = at(snapshot, ['properties', 'metrics', 'properties', 'downloads30d', 'properties', 'scopes',
  'properties', 'all', 'properties', 'origin', 'properties', 'combined', 'anyOf', 0]);
const shareEntry = at(shareList, ['properties', 'shares', 'items']);

const snapshotIndex: JsonSchema = {
  type: 'object',
  required: ['dates', 'latest', 'count'],
  properties: {
    dates: { type: 'array', items: isoDate },
    latest: nullable(isoDate),
    count,
  },
  additionalProperties: false,
};

const sharesPoint: JsonSchema = {
  type: 'object',
  required: ['date', 'total', 'attributed', 'shares', 'platforms'],
  properties: {
    date: isoDate,
    total: { type: ['number', 'null'], minimum: 0 },
    attributed: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    shares: { type: 'array', items: ref('ShareEntry') },
    platforms: {
      description: 'Platforms whose figures make up the point (for `combined`; the platform itself otherwise).',
      type: 'array',
      items: { type: 'string', enum: [...PLATFORMS] },
    },
  },
  additionalProperties: false,
};

const sharesSeries: JsonSchema = {
  type: 'object',
  required: ['metric', 'view', 'scope', 'platform', 'from', 'to', 'window', 'points'],
  properties: {
    metric: { type: 'string', enum: [...METRICS] },
    view: { type: 'string', enum: [...VIEWS] },
    scope: { type: 'string', enum: [...SCOPES] },
    platform: { type: 'string', enum: [...PLATFORM_OR_COMBINED_VALUES] },
    from: nullable(isoDate),
    to: nullable(isoDate),
    window: {
      description: 'What the figure covers per platform, from the latest snapshot in the range.',
      type: 'object',
      additionalProperties: { type: 'string' },
    },
    points: { type: 'array', items: ref('SharesPoint') },
  },
  additionalProperties: false,
};

const statsPoint: JsonSchema = {
  type: 'object',
  required: ['date', 'downloadsAllTime', 'downloads30d', 'likes'],
  properties: {
    date: isoDate,
    downloadsAllTime: { type: ['integer', 'null'], minimum: 0 },
    downloads30d: { type: ['integer', 'null'], minimum: 0 },
    likes: { type: ['integer', 'null'], minimum: 0 },
  },
  additionalProperties: false,
};

const modelPage: JsonSchema = {
  type: 'object',
  required: ['items', 'nextCursor', 'nextUrl'],
  properties: {
    items: { type: 'array', items: ref('Model') },
    nextCursor: { type: ['string', 'null'] },
    nextUrl: { type: ['string', 'null'] },
  },
  additionalProperties: false,
};

const modelDetail: JsonSchema = {
  type: 'object',
  required: ['model', 'history'],
  properties: { model: ref('Model'), history: { type: 'array', items: ref('StatsPoint') } },
  additionalProperties: false,
};

const orgList: JsonSchema = {
  type: 'object',
  required: ['orgs'],
  properties: {
    orgs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['org', 'country', 'kind', 'inRegistry', 'publisherModels', 'originModels', 'entry'],
        properties: {
          org: { type: 'string' },
          country: { type: ['string', 'null'] },
          kind: { type: ['string', 'null'] },
          inRegistry: { type: 'boolean' },
          publisherModels: count,
          originModels: count,
          entry: { description: 'The registry entry as configured.', type: ['object', 'null'] },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

const author: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, url: { type: 'string' }, avatar: { type: 'string' } },
  minProperties: 1,
};

// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) as this service produces it: the spec's required
// fields, plus the fields hubwatch always sets.
const feedItem: JsonSchema = {
  type: 'object',
  required: ['id', 'content_text', 'tags', 'authors', '_hubwatch'],
  properties: {
    id: { type: 'string', minLength: 1 },
    url: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    content_text: { type: 'string' },
    summary: { type: 'string' },
    date_published: { type: 'string', format: 'date-time' },
    date_modified: { type: 'string', format: 'date-time' },
    tags: { type: 'array', items: { type: 'string' } },
    authors: { type: 'array', items: ref('FeedAuthor') },
    _hubwatch: ref('HubwatchExtension'),
  },
  additionalProperties: false,
};

const jsonFeed: JsonSchema = {
  type: 'object',
  required: ['version', 'title', 'items'],
  properties: {
    version: { const: 'https://jsonfeed.org/version/1.1' },
    title: { type: 'string' },
    home_page_url: { type: 'string' },
    feed_url: { type: 'string' },
    description: { type: 'string' },
    language: { type: 'string' },
    authors: { type: 'array', items: ref('FeedAuthor') },
    next_url: { type: 'string' },
    items: { type: 'array', items: ref('FeedItem') },
  },
  additionalProperties: false,
};

const errorBody: JsonSchema = {
  type: 'object',
  required: ['error', 'message', 'parameter'],
  properties: {
    error: { type: 'string', enum: [...API_ERROR_CODES] },
    message: { type: 'string' },
    parameter: { type: ['string', 'null'], description: 'The request parameter at fault, when one is.' },
  },
  additionalProperties: false,
};

/** Every response component, keyed by the name the OpenAPI document gives it. */
export const componentSchemas: Record<string, JsonSchema> = {
  Error: errorBody,
  Model: fromZod(NormalisedRecord),
  HubwatchExtension: fromZod(
    NormalisedRecord.extend({ about: z.string().describe('Where the extension is documented.') }),
  ),
  FeedAuthor: author,
  FeedItem: feedItem,
  JsonFeed: jsonFeed,
  ShareEntry: shareEntry,
  ShareList: shareList,
  Snapshot: snapshot,
  ...snapshotParts.defs,
  SnapshotIndex: snapshotIndex,
  SharesPoint: sharesPoint,
  SharesSeries: sharesSeries,
  StatsPoint: statsPoint,
  ModelPage: modelPage,
  ModelDetail: modelDetail,
  OrgList: orgList,
  ...historyComponentSchemas,
  ...momentumComponentSchemas,
};

export type ComponentName = keyof typeof componentSchemas;
