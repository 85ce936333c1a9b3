// The OpenAPI 3.1 document, assembled from the route table and the component schemas that fastify and the
// response checks use: nothing here is written twice.
//
// Kept rather than @fastify/swagger (issue 18): swagger documents responses from each route's `schema.response`,
// and fastify compiles every response schema it is given into a serializer. These routes send bodies rendered and
// compressed once per cache entry (cache.ts), so those serializers would never run, yet each would need the
// component schemas registered under `$id`s for `$ref` to resolve, and swagger a ref resolver to turn them back into
// `#/components/schemas/…`. What is left for this file (per-route 301/304/400/404 answers, ETag and Cache-Control
// headers, several content types per 200) would have to be written per route for swagger anyway. The table already
// registers the routes (server.ts) and documents them (here) from the same objects, and the contract tests
// (tests/feed/contract.test.ts) check every answer against the served document.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { VERSION } from '../version.js';
import { componentSchemas, type JsonSchema, type ObjectSchema } from './schemas.js';

// ajv-formats is CommonJS with a default export; under NodeNext its namespace shape differs by loader.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

export interface OkContent {
  contentType: string;
  schema: JsonSchema;
  description?: string;
}

/** What the OpenAPI document needs to know about a route. */
export interface RouteDoc {
  operationId: string;
  /** The fastify URL (`:param`). */
  url: string;
  /** The OpenAPI path (`{param}`). */
  path: string;
  summary: string;
  description: string;
  tag: string;
  query: ObjectSchema;
  params?: ObjectSchema;
  ok: OkContent[];
  /** Whether the route answers 404 for a resource that does not exist. */
  notFound: boolean;
  /** Whether the route answers 301 for a model renamed on its platform (Location names its new URL). */
  movedPermanently?: boolean;
  /** Headers of a 200 beyond ETag and Cache-Control. */
  okHeaders?: Record<string, JsonSchema>;
}

function parameters(schema: ObjectSchema | undefined, where: 'query' | 'path'): JsonSchema[] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, prop]) => {
    const { description, ...rest } = prop as JsonSchema & { description?: string };
    const p: JsonSchema = { name, in: where, required: where === 'path' || required.has(name), schema: rest };
    if (description) p.description = description;
    return p;
  });
}

const errorResponse = (description: string): JsonSchema => ({
  description,
  headers: { 'Cache-Control': { schema: { type: 'string' } } },
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function buildOpenApi(routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const responses: Record<string, unknown> = {
      '200': {
        description: 'OK',
        headers: {
          ETag: { description: 'Strong hash of the body.', schema: { type: 'string' } },
          'Cache-Control': { schema: { type: 'string' } },
          ...r.okHeaders,
        },
        content: Object.fromEntries(
          r.ok.map((c) => [
            c.contentType,
            c.description ? { schema: c.schema, description: c.description } : { schema: c.schema },
          ]),
        ),
      },
      '304': { description: 'Not modified: If-None-Match named the current ETag.' },
      '400': errorResponse('A parameter is malformed; `parameter` names it and `message` says why.'),
    };
    if (r.notFound) responses['404'] = errorResponse('No such resource.');
    if (r.operationId === 'getModel' || r.operationId === 'getBareModel' || r.movedPermanently) {
      responses['301'] = {
        ...errorResponse(
          'The model was renamed on its platform: `Location` is its URL now; its history moved with it.',
        ),
        headers: {
          'Cache-Control': { schema: { type: 'string' } },
          Location: { description: 'The model under its new id.', schema: { type: 'string' } },
        },
      };
    }
    (paths[r.path] ??= {}).get = {
      operationId: r.operationId,
      summary: r.summary,
      description: r.description,
      tags: [r.tag],
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'hubwatch',
      version: VERSION,
      summary: 'Open AI model releases and shares by country on Hugging Face, ModelScope and WiseModel.',
      description:
        'Read-only API and feeds. Every answer carries a strong ETag and Cache-Control; send If-None-Match to get ' +
        '304. Share tables are also CSV (Accept: text/csv, or the .csv paths). Errors are JSON: ' +
        '{error, message, parameter}.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: componentSchemas },
  };
}

/**
 * An ajv instance that knows the component schemas, so a response can be checked against `#/components/...`
 * of the same document the API publishes. `strict: false` because zod's output carries annotations ajv's strict
 * mode does not know.
 */
export function responseValidator(): (component: string, value: unknown) => string | null {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats(ajv);
  const root = 'urn:hubwatch:openapi';
  ajv.addSchema({ $id: root, components: { schemas: componentSchemas } });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (component, value) => {
    let v = compiled.get(component);
    if (!v) {
      v = ajv.compile({ $ref: `${root}#/components/schemas/${component}` });
      compiled.set(component, v);
    }
    if (v(value)) return null;
    const e = v.errors?.[0];
    return e ? `${component}${e.instancePath} ${e.message ?? 'is invalid'}` : `${component} is invalid`;
  };
}

/** The ajv that validates request parameters (fastify's validator compiler for the feed routes). */
export function requestAjv(): Ajv2020 {
  // coerceTypes 'array': query strings are strings, and a parameter given twice is an array that must not
  // silently become its first value (a one-element array is unwrapped, two elements fail the type check).
  const ajv = new Ajv2020({
    strict: false,
    coerceTypes: 'array',
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    verbose: true,
  });
  addFormats(ajv);
  return ajv;
}
