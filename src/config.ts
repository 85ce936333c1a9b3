// One zod schema for the config files under config/ and the environment variables of DESIGN.md. Loaded once,
// frozen. A bad value is one ConfigError naming the key (exit code 2).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** The checkout's root: found by walking up to package.json, so it is the same from src/ (tsx) and dist/src/ (tsc). */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  return resolve(from, '..');
}
export const CONFIG_DIR = join(PROJECT_ROOT, 'config');

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

const FileConfig = z.object({
  userAgent: z.string().min(1),
  contactUrl: z.string().url(),
  sources: z.object({
    huggingface: SourceConfig,
    modelscope: SourceConfig,
    wisemodel: SourceConfig.extend({
      /** Respect robots.txt on the WiseModel host. */
      respectRobots: z.boolean(),
      /** CSS selectors for the server-rendered pages, so a layout change needs no release. */
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
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: LogLevel.default('info'),
  LOG_PRETTY: z.enum(['0', '1', 'true', 'false']).optional(),
});

export interface Config {
  readonly file: FileConfig;
  readonly urls: { readonly huggingface: string; readonly modelscope: string; readonly wisemodel: string };
  readonly dataDir: string;
  readonly redisUrl: string;
  readonly databaseUrl: string | null;
  readonly tokens: { readonly huggingface: string | null; readonly modelscope: string | null };
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
  if (!envParsed.success) {
    const issue = envParsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(
      `Environment variable ${name} has a bad value: ${issue.message}. Fix or unset ${name} (see README, "Environment").`,
    );
  }
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
    tokens: { huggingface: e.HF_TOKEN ?? null, modelscope: e.MODELSCOPE_TOKEN ?? null },
    adminToken: e.HUBWATCH_ADMIN_TOKEN ?? null,
    port: e.PORT ?? fileParsed.data.server.port,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY === '1' || e.LOG_PRETTY === 'true',
  };
  return deepFreeze(cfg);
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
