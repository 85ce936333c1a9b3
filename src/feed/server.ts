// The HTTP server: fastify with the feed and API routes, JSON errors everywhere, and room for other modules'
// plugins (digest, health, metrics, Bull Board) registered through `plugins`.
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import Negotiator from 'negotiator';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ReadStore } from '../store/types.js';
import { BodyCache, etagMatches, negotiateEncoding, type CacheEntry, type Encoding } from './cache.js';
import { ApiError, type ApiErrorBody } from './errors.js';
import { requestAjv, responseValidator } from './openapi.js';
import { feedRoutes, type Plan, type RouteDef } from './routes.js';
import { FeedService } from './service.js';

export interface BuildServerDeps {
  store: ReadStore;
  config: Config;
  logger: Logger;
  /** The organisation registry's entries (config/registry), for /api/v1/orgs. */
  registryEntries?: unknown[];
  plugins?: Array<FastifyPluginAsync>;
  /** Where the service is reachable from outside (links in feeds); otherwise taken from the request's Host. */
  publicUrl?: string;
  /** Where snapshot files are read from; defaults to config.dataDir. */
  dataDir?: string;
  /** Seconds-scale freshness of store-backed bodies (feeds, models); default 30 s. */
  storeTtlMs?: number;
  /**
   * Checks every rendered body against its OpenAPI schema before caching it: 'throw' in tests, 'log' to watch a
   * deployment, 'off' by default (compiling the snapshot schema costs about a second of start-up CPU).
   */
  responseChecks?: 'throw' | 'log' | 'off';
}

/** What the feed plugin adds to the instance, for the cycle that writes snapshots and pages. */
export interface FeedHandle {
  /** Forget every cached body now (after a commit or a snapshot written by this process). */
  invalidate(): void;
  readonly service: FeedService;
  readonly cache: BodyCache;
}

declare module 'fastify' {
  interface FastifyInstance {
    feed: FeedHandle;
  }
}

const SAFE_HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function errorBody(code: ApiErrorBody['error'], message: string, parameter: string | null = null): ApiErrorBody {
  return { error: code, message, parameter };
}

interface AjvLikeError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { description?: string };
  data?: unknown;
}

/** Turns ajv's first error into the parameter at fault and a sentence a client developer can act on. */
export function describeValidation(errors: AjvLikeError[], context: string | undefined): ApiErrorBody {
  const e = errors[0];
  if (!e) return errorBody('bad_request', 'invalid request');
  const where = context === 'params' ? 'path parameter' : 'query parameter';
  if (e.keyword === 'additionalProperties') {
    const name = String(e.params.additionalProperty ?? '');
    return errorBody('bad_request', `unknown ${where} ${JSON.stringify(name.slice(0, 100))}`, name.slice(0, 100));
  }
  if (e.keyword === 'required') {
    const name = String(e.params.missingProperty ?? '');
    return errorBody('bad_request', `${where} ${name} is required`, name);
  }
  const name = e.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  let why: string;
  if (Array.isArray(e.data)) why = `is given ${e.data.length} times; give it once`;
  else if (e.keyword === 'enum') why = `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  else if (e.keyword === 'pattern' || e.keyword === 'format')
    why = `is malformed${e.parentSchema?.description ? ` (${e.parentSchema.description})` : ''}`;
  else why = e.message ?? 'is invalid';
  return errorBody('bad_request', `${where} ${name} ${why}`, name || null);
}

const API_MEDIA_TYPES = ['application/json', 'text/csv'];

/** Whether Accept prefers CSV to JSON (q-values, wildcards and, on a tie, the client's order; JSON when neither). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  return new Negotiator({ headers: { accept } }).mediaType(API_MEDIA_TYPES) === 'text/csv';
}

export async function buildServer(deps: BuildServerDeps): Promise<FastifyInstance> {
  const { config, logger } = deps;
  const app = Fastify({
    loggerInstance: logger,
    // Hugging Face names run to 96 characters and ModelScope's are longer; fastify's default is 100 per parameter.
    routerOptions: { maxParamLength: 400 },
    // Bad percent-encoding never reaches a route; answer it in the API's error shape.
    frameworkErrors: (err, _req, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      void reply
        .code(400)
        .header('Cache-Control', 'no-store')
        .send(errorBody('bad_request', err.message.slice(0, 300)));
    },
  });

  app.setErrorHandler((err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('Cache-Control', 'no-store');
    if (err instanceof ApiError) {
      if (err.location !== null) void reply.header('location', err.location);
      return reply.code(err.statusCode).send(err.body);
    }
    const fe = err as FastifyError & { validationContext?: string };
    if (fe.validation) {
      return reply.code(400).send(describeValidation(fe.validation, fe.validationContext));
    }
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'bad_request';
      return reply.code(status).send(errorBody(code, fe.message.slice(0, 300)));
    }
    req.log.error({ err }, 'request failed');
    // Never the message or stack of an internal error: they can carry paths, SQL or connection strings.
    return reply.code(500).send(errorBody('internal_error', `internal error (request ${req.id})`));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split('?')[0] ?? '').slice(0, 200);
    void reply
      .code(404)
      .header('Cache-Control', 'no-store')
      .send(errorBody('not_found', `no route ${req.method} ${path}; see /openapi.json`));
  });

  await app.register(cors, { origin: '*', methods: ['GET', 'HEAD', 'OPTIONS'], maxAge: 86400 });
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });

  const mode = deps.responseChecks ?? 'off';
  let check: ReturnType<typeof responseValidator> | undefined;
  const service = new FeedService({
    store: deps.store,
    dataDir: deps.dataDir ?? config.dataDir,
    defaultLimit: config.file.server.feedPageSize,
    registryEntries: deps.registryEntries,
    check:
      mode === 'off'
        ? undefined
        : (component, value) => {
            check ??= responseValidator();
            const problem = check(component, value);
            if (problem === null) return;
            if (mode === 'throw') throw new Error(`response does not match its OpenAPI schema: ${problem}`);
            logger.warn({ problem }, 'response does not match its OpenAPI schema');
          },
  });
  const cache = new BodyCache();
  const routes = feedRoutes({
    svc: service,
    defaultLimit: config.file.server.feedPageSize,
    storeTtlMs: deps.storeTtlMs ?? 30_000,
  });
  const handle: FeedHandle = {
    invalidate: () => {
      service.invalidate();
      cache.clear();
    },
    service,
    cache,
  };
  app.decorate('feed', handle);

  const fallbackBase = `http://${config.file.server.host.includes(':') ? `[${config.file.server.host}]` : config.file.server.host}:${config.port}`;
  const publicUrl = deps.publicUrl?.replace(/\/+$/, '');
  const baseOf = (req: FastifyRequest): string => {
    if (publicUrl) return publicUrl;
    const host = req.host;
    return typeof host === 'string' && SAFE_HOST.test(host) ? `${req.protocol}://${host}` : fallbackBase;
  };

  await app.register(async (scope) => {
    const ajv = requestAjv();
    scope.setValidatorCompiler(({ schema }) => ajv.compile(schema));
    for (const def of routes) registerRoute(scope, def, service, cache, baseOf);
  });

  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  // A pino Logger is a FastifyBaseLogger; the instance type only differs in that generic.
  return app as unknown as FastifyInstance;
}

function registerRoute(
  scope: FastifyInstance,
  def: RouteDef,
  service: FeedService,
  cache: BodyCache,
  baseOf: (req: FastifyRequest) => string,
): void {
  // The hot path is synchronous: with a fresh generation and the body (in the wanted encoding) in memory, the
  // answer is a few headers and a Buffer write. Only a miss, a due stat or a first compression goes async.
  scope.get(
    def.url,
    {
      schema: def.params ? { querystring: def.query, params: def.params } : { querystring: def.query },
      // These bodies are compressed once per cache entry (cache.ts); @fastify/compress would redo it per request.
      // A GET has no body to decompress, so its preParsing hook would only add a step to every request.
      config: { compress: false, decompress: false },
    },
    (req, reply) => {
      const plan = def.plan({
        query: req.query as Record<string, unknown>,
        params: req.params as Record<string, string>,
        base: baseOf(req),
        acceptsCsv: wantsCsv(req.headers.accept),
        accept: req.headers.accept,
      });
      const accepted = negotiateEncoding(req.headers['accept-encoding']);
      const gen = service.currentGeneration();
      const entry = gen === null ? undefined : cache.peek(`${plan.key}|${gen}`, plan.ttlMs, () => plan.render());
      if (entry) {
        const encoding = entry.encodingFor(accepted);
        const body = entry.bytes(encoding);
        const notModified = etagMatches(req.headers['if-none-match'], entry.hash);
        if (body !== undefined || notModified) {
          respond(reply, plan, entry, encoding, notModified ? null : body!);
          return undefined;
        }
      }
      return answerLater(req, reply, plan, accepted, service, cache);
    },
  );
}

async function answerLater(
  req: FastifyRequest,
  reply: FastifyReply,
  plan: Plan,
  accepted: Encoding | null,
  service: FeedService,
  cache: BodyCache,
): Promise<FastifyReply> {
  const gen = await service.generation();
  const entry = await cache.get(`${plan.key}|${gen}`, plan.ttlMs, () => plan.render());
  const encoding = entry.encodingFor(accepted);
  // A 304 needs no body, so it never waits for a compression.
  if (etagMatches(req.headers['if-none-match'], entry.hash)) return respond(reply, plan, entry, encoding, null);
  const body = entry.bytes(encoding) ?? (await entry.compressed(encoding!));
  return respond(reply, plan, entry, encoding, body);
}

/** Sends an entry's headers and either its bytes in one encoding or, with body null, a 304. */
function respond(
  reply: FastifyReply,
  plan: Plan,
  entry: CacheEntry,
  encoding: Encoding | null,
  body: Buffer | null,
): FastifyReply {
  void reply
    .header('Cache-Control', entry.cacheControl)
    .header('Vary', plan.variesOnAccept ? 'Accept, Accept-Encoding' : 'Accept-Encoding')
    .header('ETag', entry.etag(encoding));
  for (const [name, value] of Object.entries(entry.headers)) void reply.header(name, value);
  if (body === null) return reply.code(304).send();
  void reply.type(entry.contentType);
  if (encoding !== null) void reply.header('Content-Encoding', encoding);
  return reply.send(body);
}
