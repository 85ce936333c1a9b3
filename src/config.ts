// One zod schema for the config files under config/ and the environment variables of DESIGN.md. Loaded once,
// frozen. A bad value is one ConfigError naming the key (exit code 2).
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { PROJECT_ROOT } from './project-root.js';
import { VERSION } from './version.js';

export { PROJECT_ROOT };
export const CONFIG_DIR = join(PROJECT_ROOT, 'config');

/** The User-Agent unless the config names another: hubwatch's name and release, and where it comes from. */
export const DEFAULT_USER_AGENT = `hubwatch/${VERSION} (+https://github.com/hubwatch/hubwatch)`;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

const Limiter = z.object({ max: z.number().int().positive(), duration: z.number().int().positive() });

const SourceConfig = z.object({
  enabled: z.boolean(),
  /** Page size for listings (the Hub caps at 1000; ModelScope pages of 100 are usual). */
  pageSize: z.number().int().min(1).max(1000),
  /** How far below the stored watermark a new-release poll keeps reading, in minutes. */
  overlapMinutes: z.number().int().min(0),
  /** Retries for one page (5xx, timeouts, truncated bodies) before the sweep is declared incomplete. */
  maxRetries: z.number().int().min(0).max(20),
  /** First backoff delay in ms; doubles each retry, with full jitter. */
  backoffMs: z.number().int().min(0),
  /** Longest single wait on a 429 the in-process runner accepts before giving up on the page. */
  maxRateLimitWaitMs: z.number().int().min(0),
  timeoutMs: z.number().int().positive(),
  connections: z.number().int().min(1).max(64),
  /** Fixed delay between requests (politeness), in ms. */
  delayMs: z.number().int().min(0),
  /** Cron pattern of the new-release poll in the scheduled service. */
  pollCron: z.string().min(1),
  /** BullMQ worker limiter for this platform's queue. */
  limiter: Limiter,
  concurrency: z.number().int().min(1).max(16),
  /**
   * Records a sweep commits in one transaction with its checkpoint (or fewer, when its first page waited 2 s):
   * larger batches cost less per record; a crash refetches at most one batch.
   */
  sweepBatch: z.number().int().min(1).max(100_000).default(20_000),
  /**
   * Models absent from two complete sweeps that one day's run asks the platform about before marking them deleted
   * (one request each, where the platform has a detail route); the rest wait for the next day.
   */
  deletionChecks: z.number().int().min(0).max(10_000).default(200),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

// ---- WiseModel (docs/method.md, "WiseModel"; research note §B and §E) ----

/** A rule telling a GitLab project's kind; the first rule that matches wins, unmatched projects are models. */
const WmKindRule = z
  .object({
    kind: z.enum(['models', 'datasets', 'codes']),
    /** `path_with_namespace` starts with it (code repos live under `codes/`, wisemodel-hub git_downloader.py). */
    pathPrefix: z.string().min(1).optional(),
    /** One of the project's `topics` equals it. */
    topic: z.string().min(1).optional(),
  })
  .refine((r) => r.pathPrefix !== undefined || r.topic !== undefined, 'a kind rule needs pathPrefix or topic');

const WmGitlabConfig = z.object({
  /**
   * The WiseModel GitLab instance (its API is `{url}/api/v4`). Default: the URL the official SDK hands to
   * python-gitlab (wisemodel-hub constants.py WM_GITLAB_ENDPOINT). While HUBWATCH_WISEMODEL_URL points away from
   * wisemodel.cn (a simulator, a mirror), a URL on wisemodel.cn is replaced by it, so that no request leaks.
   */
  url: httpUrl.default('https://wisemodel.cn'),
  /** `keyset` (GitLab's `pagination=keyset&order_by=id`, holds still during a walk) or `offset` (`page`). */
  pagination: z.enum(['keyset', 'offset']).default('keyset'),
  /** Projects per page; GitLab's maximum is 100. */
  perPage: z.number().int().min(1).max(100).default(100),
  /** A project the probe reads a repository tree of when the list is closed (seen in the SDK's notebook). */
  probeProject: z
    .string()
    .regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/name')
    .default('SHYuanBest/ConsisID-Preview'),
  /** How to tell models from datasets and code repos; only the `codes/` prefix is evidenced. */
  kinds: z.array(WmKindRule).default([{ kind: 'codes', pathPrefix: 'codes/' }]),
});

/**
 * An operator-found gateway endpoint that lists models with their download counts. No such endpoint is known
 * (research note §B2): its path and fields are the operator's, only the envelope `{code, message, data}` and the
 * `baseReq: {page, pageSize}` paging of `listfiles` are evidenced.
 */
const WmGatewayDownloads = z
  .object({
    method: z.enum(['POST', 'GET']).default('POST'),
    /** Path on the gateway URL, e.g. `/gateway/project/api/v1/...`. */
    path: z.string().regex(/^\//, 'must start with /'),
    /** Fields sent with every page (POST body, or query parameters for GET). */
    body: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** `baseReq`: POST body `{baseReq: {page, pageSize}}` (as listfiles); `query`: `?page=&pageSize=`. */
    paging: z.enum(['baseReq', 'query']).default('baseReq'),
    pageSize: z.number().int().min(1).max(1000).default(100),
    maxPages: z.number().int().min(1).max(100_000).default(2000),
    /** Dotted path of the item array in the envelope. */
    itemsPath: z.string().min(1).default('data.list'),
    /** Dotted path of the total, when the endpoint gives one (the walk then checks it saw them all). */
    totalPath: z.string().min(1).nullable().default(null),
    /** Field holding the model's id: `owner/name`, `/models/owner/name` or the model page's URL. */
    idField: z.string().min(1).nullable().default(null),
    /** Or two fields holding owner and name. */
    ownerField: z.string().min(1).nullable().default(null),
    nameField: z.string().min(1).nullable().default(null),
    downloadsField: z.string().min(1),
    /** When set, the site's likes replace GitLab's star_count. */
    likesField: z.string().min(1).nullable().default(null),
    /** Send the login JWT (WISEMODEL_TOKEN) as `authorization: Bearer`. */
    auth: z.boolean().default(true),
  })
  .refine(
    (d) => d.idField !== null || (d.ownerField !== null && d.nameField !== null),
    'set idField, or ownerField and nameField',
  );

const WmGatewayConfig = z.object({
  /** The gateway's base URL; null: HUBWATCH_WISEMODEL_URL (the SDK calls www.wisemodel.cn/gateway/...). */
  url: httpUrl.nullable().default(null),
  /** The SDK's login call (wisemodel-hub constants.py WM_URL_LOGIN). */
  loginPath: z.string().regex(/^\//, 'must start with /').default('/gateway/user/api/v1/login'),
  /** null: no downloads endpoint configured, WiseModel downloads are null (said in coverage). */
  downloads: WmGatewayDownloads.nullable().default(null),
});

export type WmGitlabConfig = z.infer<typeof WmGitlabConfig>;
export type WmGatewayConfig = z.infer<typeof WmGatewayConfig>;
export type WmGatewayDownloads = z.infer<typeof WmGatewayDownloads>;
export type WmKindRule = z.infer<typeof WmKindRule>;

// ---- ModelScope (docs/method.md, "ModelScope"; research note §A2, §A7, §E) ----

const MsSweepConfig = z.object({
  /**
   * Models one dolphin listing serves at most, when known (e.g. from `hubwatch probe`): the sweep then partitions a
   * larger catalogue from its first page. null: no cap is documented, so the sweep walks the whole listing and
   * partitions only when one stops short of its TotalCount [evidence: none either way; a third party read to 9,000].
   */
  depthLimit: z.number().int().min(1).nullable().default(null),
  /**
   * Criterion categories a listing out of reach is split by, in order: `tasks` [official, the MCP server],
   * `libraries`, `tags`, `organizations` [third party]; `license` is a facet key never shown to be a criterion.
   * A category the platform ignores is detected by TotalCount and skipped.
   */
  partitionBy: z
    .array(z.enum(['tasks', 'organizations', 'libraries', 'tags', 'license']))
    .default(['tasks', 'libraries', 'tags', 'organizations']),
  /** Task names partitioned by besides those seen in records (evidenced: the MCP server's and the real sample's). */
  taskValues: z
    .array(z.string().min(1))
    .default(['text-generation', 'text-to-image-synthesis', 'image-to-image', 'image-to-video']),
  /** Most partitions one split makes (each costs at least one request). */
  maxPartitions: z.number().int().min(2).max(10_000).default(200),
  /** Most listings one sweep reads (each at least one request); past it nothing is split and the gap is reported. */
  maxListings: z.number().int().min(1).max(1_000_000).default(5_000),
});
export type MsSweepConfig = z.infer<typeof MsSweepConfig>;

const FileConfig = z.object({
  /** Sent with every request to a platform; the contact URL is appended unless it is already in it (http.ts). */
  userAgent: z.string().min(1).default(DEFAULT_USER_AGENT),
  contactUrl: z.string().url(),
  sources: z.object({
    huggingface: SourceConfig,
    modelscope: SourceConfig.extend({ sweep: MsSweepConfig.default(MsSweepConfig.parse({})) }),
    wisemodel: SourceConfig.extend({
      /**
       * Enumeration strategies in the order they are tried; the first that answers serves the walk
       * (src/sources/wisemodel/evidence.ts says what each rests on). `gitlab`: the GitLab v4 projects list;
       * `html`: the server-rendered list pages, kept as a fallback only (the site is most likely client-rendered).
       */
      strategies: z
        .array(z.enum(['gitlab', 'html']))
        .min(1)
        .default(['gitlab', 'html']),
      gitlab: WmGitlabConfig.default(WmGitlabConfig.parse({})),
      gateway: WmGatewayConfig.default(WmGatewayConfig.parse({})),
      /** Respect robots.txt on the WiseModel host (for the HTML pages; the JSON APIs are not crawled pages). */
      respectRobots: z.boolean(),
      /** CSS selectors for the server-rendered pages (the HTML fallback), so a layout change needs no release. */
      selectors: z.object({
        listItem: z.string(),
        listLink: z.string(),
        nextPage: z.string(),
        modelTitle: z.string(),
        downloads: z.string(),
        likes: z.string(),
        license: z.string(),
        task: z.string(),
        createdAt: z.string(),
        updatedAt: z.string(),
        baseModel: z.string(),
        tags: z.string(),
      }),
    }),
  }),
  schedule: z.object({
    tz: z.string().min(1),
    sweepCron: z.string().min(1),
    digestCron: z.string().min(1),
  }),
  /** Task ids that make up the `llm` scope (generative language and vision-language models). */
  scopes: z.object({ llm: z.array(z.string()).min(1) }),
  server: z.object({
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
    feedPageSize: z.number().int().min(1).max(1000),
  }),
  shutdownGraceMs: z.number().int().min(0),
});
export type FileConfig = z.infer<typeof FileConfig>;

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

// The embedded store's buffer pool and threads (src/store/duckdb.ts). DuckDB takes a memory limit as a number and a
// unit, decimal (KB, MB, GB, TB) or binary (KiB, MiB, GiB, TiB), e.g. '192MB' or '4GB'
// (https://duckdb.org/docs/stable/configuration/pragmas#memory-limit-threads); checked here so that a typo is a
// configuration error at start rather than a DuckDB error when the store first opens.
const DuckDbMemory = z
  .string()
  .trim()
  .regex(
    /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i,
    "must be a size such as '192MB' or '4GB' (KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
  );
const DuckDbThreads = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of threads, 1 or more')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be 1 or more').max(1024, 'must be at most 1024'));

const Env = z.object({
  HUBWATCH_HF_URL: httpUrl.default('https://huggingface.co'),
  HUBWATCH_MODELSCOPE_URL: httpUrl.default('https://www.modelscope.cn'),
  HUBWATCH_WISEMODEL_URL: httpUrl.default('https://www.wisemodel.cn'),
  HUBWATCH_DATA_DIR: z.string().min(1).default('./data'),
  HUBWATCH_CONFIG: z.string().min(1).optional(),
  HUBWATCH_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  HF_TOKEN: z.string().min(1).optional(),
  MODELSCOPE_TOKEN: z.string().min(1).optional(),
  /** WiseModel gateway: the login JWT, or `username:password` for the login call (never logged). */
  WISEMODEL_TOKEN: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: LogLevel.default('info'),
  LOG_PRETTY: z.enum(['0', '1', 'true', 'false']).optional(),
  HUBWATCH_DUCKDB_MEMORY: DuckDbMemory.optional(),
  HUBWATCH_DUCKDB_THREADS: DuckDbThreads.optional(),
});

export interface Config {
  readonly file: FileConfig;
  readonly urls: { readonly huggingface: string; readonly modelscope: string; readonly wisemodel: string };
  readonly dataDir: string;
  readonly redisUrl: string;
  readonly databaseUrl: string | null;
  readonly tokens: {
    readonly huggingface: string | null;
    readonly modelscope: string | null;
    readonly wisemodel: string | null;
  };
  readonly adminToken: string | null;
  readonly port: number;
  readonly logLevel: z.infer<typeof LogLevel>;
  readonly logPretty: boolean;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${what}: cannot read ${path} (${(err as Error).message}). Check the path.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${what}: ${path} is not valid JSON (${(err as Error).message}).`);
  }
}

function formatIssue(prefix: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return `${prefix}${path ? (prefix ? '.' : '') + path : ''}: ${issue.message}`;
}

/** Builds the config from files and an environment. Pure apart from reading the files; tests call it directly. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides?: unknown): Config {
  const envParsed = Env.safeParse(env);
  if (!envParsed.success) throw envError(envParsed.error.issues[0]!);
  const e = envParsed.data;
  let raw = readJson(join(CONFIG_DIR, 'default.json'), 'config/default.json');
  if (e.HUBWATCH_CONFIG) raw = deepMerge(raw, readJson(resolve(e.HUBWATCH_CONFIG), 'HUBWATCH_CONFIG'));
  if (overrides !== undefined) raw = deepMerge(raw, overrides);
  const fileParsed = FileConfig.safeParse(raw);
  if (!fileParsed.success) {
    const issue = fileParsed.error.issues[0]!;
    throw new ConfigError(
      `Config key ${formatIssue('', issue)}. Fix it in ${e.HUBWATCH_CONFIG ?? 'config/default.json'}.`,
    );
  }
  const cfg: Config = {
    file: fileParsed.data,
    urls: {
      huggingface: e.HUBWATCH_HF_URL,
      modelscope: e.HUBWATCH_MODELSCOPE_URL,
      wisemodel: e.HUBWATCH_WISEMODEL_URL,
    },
    dataDir: resolve(e.HUBWATCH_DATA_DIR),
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL ?? null,
    tokens: {
      huggingface: e.HF_TOKEN ?? null,
      modelscope: e.MODELSCOPE_TOKEN ?? null,
      wisemodel: e.WISEMODEL_TOKEN ?? null,
    },
    adminToken: e.HUBWATCH_ADMIN_TOKEN ?? null,
    port: e.PORT ?? fileParsed.data.server.port,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY === '1' || e.LOG_PRETTY === 'true',
  };
  return deepFreeze(cfg);
}

/** The embedded store's resources from the environment, or null where the default applies. */
export interface DuckDbResources {
  memoryLimit: string | null;
  threads: number | null;
}

/**
 * HUBWATCH_DUCKDB_MEMORY and HUBWATCH_DUCKDB_THREADS, checked by the same schema as the rest of the environment
 * (loadConfig refuses a bad value first, with exit code 2; the store reads them here when it opens).
 */
export function duckDbResources(env: NodeJS.ProcessEnv = process.env): DuckDbResources {
  const parsed = z
    .object({ HUBWATCH_DUCKDB_MEMORY: DuckDbMemory.optional(), HUBWATCH_DUCKDB_THREADS: DuckDbThreads.optional() })
    .safeParse(env);
  if (!parsed.success) throw envError(parsed.error.issues[0]!);
  return {
    memoryLimit: parsed.data.HUBWATCH_DUCKDB_MEMORY ?? null,
    threads: parsed.data.HUBWATCH_DUCKDB_THREADS ?? null,
  };
}

function envError(issue: z.core.$ZodIssue): ConfigError {
  const name = String(issue.path[0]);
  return new ConfigError(
    `Environment variable ${name} has a bad value: ${issue.message}. Fix or unset ${name} (see README, "Environment").`,
  );
}

let cached: Config | null = null;

/** The process-wide config, loaded once from process.env. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

export function configFileExists(path: string): boolean {
  return existsSync(path);
}
