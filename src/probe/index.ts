// `hubwatch probe`: each assumption a source makes about its platform, checked against the configured base URL, so
// that an operator learns in one command what the real platform does today. A platform's checks live beside its
// source (src/sources/<platform>/probe.ts) and get one line in PROBES; the runner, the verdicts and the two
// renderings here are shared.
import type { Config } from '../config.js';
import { HubwatchError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Platform } from '../model.js';
import { createHttpClient, redactUrl, type HeaderBag, type HttpClient } from '../sources/http.js';
import { platformProfile } from '../sources/registry.js';
import { huggingfaceProbe } from '../sources/huggingface/probe.js';
import { modelscopeProbe } from '../sources/modelscope/probe.js';
import { wisemodelProbe } from '../sources/wisemodel/probe.js';

export type Verdict = 'ok' | 'drift' | 'unreachable';

export interface CheckSpec {
  readonly id: string;
  readonly title: string;
}

export interface CheckResult extends CheckSpec {
  verdict: Verdict;
  /** What the platform did. */
  seen: string;
  /** What to do about it; null when nothing. */
  action: string | null;
}

/** An answer of the platform, any 4xx included. */
export interface Answer {
  status: number;
  headers: HeaderBag;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The request URL, credentials stripped. */
  url: string;
}

export interface ProbeContext {
  /** The configured base URL of the platform (config.urls). */
  readonly baseUrl: string;
  /** The configuration the probe runs with (the runner's, with the probe's shorter retries and waits). */
  readonly config: Config;
  /** The platform's HTTP client as the probe uses it, for what `get` cannot ask (ModelScope's PUT search). */
  readonly http: HttpClient;
  /** A GET through the platform's HTTP client. No answer (network, 5xx after a retry, a long 429) ends the run. */
  get(url: string, what: string): Promise<Answer>;
  ok(id: string, seen: string): void;
  drift(id: string, seen: string, action: string): void;
  /** Ends the run: every check not reported yet is unreachable, with this reason. */
  unreachable(reason: string): never;
}

export interface PlatformProbe {
  /** In the order the table shows them; each must be reported once by `run`, unless the platform stops answering. */
  readonly checks: readonly CheckSpec[];
  run(ctx: ProbeContext): Promise<void>;
}

const PROBES: Partial<Record<Platform, PlatformProbe>> = {
  huggingface: huggingfaceProbe,
  modelscope: modelscopeProbe,
  wisemodel: wisemodelProbe,
};

const URL_VARIABLE: Record<Platform, string> = {
  huggingface: 'HUBWATCH_HF_URL',
  modelscope: 'HUBWATCH_MODELSCOPE_URL',
  wisemodel: 'HUBWATCH_WISEMODEL_URL',
};

export interface PlatformReport {
  platform: Platform;
  url: string;
  /** `unchecked`: the platform has no checks yet. */
  verdict: Verdict | 'unchecked';
  checks: CheckResult[];
}

export interface ProbeReport {
  checkedAt: string;
  /** 0 all ok (or nothing to check), 1 drift, 2 a platform unreachable. */
  exitCode: 0 | 1 | 2;
  platforms: PlatformReport[];
}

class Unreachable extends Error {}

// The probe's statuses are its findings, so every 4xx comes back as an answer; 5xx and 429 keep the client's handling.
const ALL_4XX = Array.from({ length: 100 }, (_, i) => 400 + i);

/**
 * A probe answers in seconds: one retry for a blip rather than the sweep's five, and a spent rate-limit window is
 * reported rather than waited out for minutes.
 */
function probeConfig(config: Config, platform: Platform): Config {
  const s = config.file.sources[platform];
  const settings = {
    ...s,
    maxRetries: Math.min(s.maxRetries, 1),
    maxRateLimitWaitMs: Math.min(s.maxRateLimitWaitMs, 60_000),
  };
  return { ...config, file: { ...config.file, sources: { ...config.file.sources, [platform]: settings } } };
}

/** The deepest cause's message: "connect ECONNREFUSED 127.0.0.1:9 [ECONNREFUSED]" rather than the wrappers around it. */
function rootCause(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  const code = (e as { code?: unknown } | null)?.code;
  return `${errorMessage(e)}${typeof code === 'string' && !errorMessage(e).includes(code) ? ` [${code}]` : ''}`;
}

async function get(http: HttpClient, url: string, what: string): Promise<Answer> {
  try {
    const res = await http.send<string>(url, {
      what,
      headers: { accept: 'application/json' },
      passStatuses: ALL_4XX,
      parse: (t) => t,
    });
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text: res.body, json, url: res.url };
  } catch (err) {
    const u = new URL(redactUrl(url));
    throw new Unreachable(`no answer to the ${what} request (${u.origin}${u.pathname}): ${rootCause(err)}`, {
      cause: err,
    });
  }
}

function worst(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.verdict === 'unreachable')) return 'unreachable';
  return checks.some((c) => c.verdict === 'drift') ? 'drift' : 'ok';
}

async function probePlatform(platform: Platform, config: Config, logger: Logger): Promise<PlatformReport> {
  const url = redactUrl(config.urls[platform]);
  const probe = PROBES[platform];
  if (!probe) return { platform, url, verdict: 'unchecked', checks: [] };
  const tuned = probeConfig(config, platform);
  const http = createHttpClient(platformProfile(platform), { config: tuned, logger, rateLimitMode: 'wait' });
  const results = new Map<string, CheckResult>();
  const record = (id: string, verdict: Verdict, seen: string, action: string | null): void => {
    const spec = probe.checks.find((c) => c.id === id);
    if (!spec) throw new Error(`${platform} probe reported an unknown check "${id}"`);
    results.set(id, { id, title: spec.title, verdict, seen, action });
  };
  const ctx: ProbeContext = {
    baseUrl: config.urls[platform],
    config: tuned,
    http,
    get: (u, what) => get(http, u, what),
    ok: (id, seen) => record(id, 'ok', seen, null),
    drift: (id, seen, action) => record(id, 'drift', seen, action),
    unreachable: (reason) => {
      throw new Unreachable(reason);
    },
  };
  try {
    await probe.run(ctx);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    const action = `check ${URL_VARIABLE[platform]} (now ${url}) and this machine's way out (DNS, proxy, firewall), then probe again`;
    for (const c of probe.checks) if (!results.has(c.id)) record(c.id, 'unreachable', err.message, action);
  } finally {
    await http.close();
  }
  const checks = probe.checks.map((c) => {
    const r = results.get(c.id);
    if (!r) throw new Error(`${platform} probe did not report its check "${c.id}"`);
    return r;
  });
  return { platform, url, verdict: worst(checks), checks };
}

/** Probes the platforms one after another (each check's requests depend on the previous answers). */
export async function runProbes(opts: {
  config: Config;
  logger: Logger;
  platforms: readonly Platform[];
}): Promise<ProbeReport> {
  const platforms: PlatformReport[] = [];
  for (const p of opts.platforms) platforms.push(await probePlatform(p, opts.config, opts.logger));
  const exitCode = platforms.some((r) => r.verdict === 'unreachable')
    ? 2
    : platforms.some((r) => r.verdict === 'drift')
      ? 1
      : 0;
  return { checkedAt: new Date().toISOString(), exitCode, platforms };
}

/** The document for monitoring: stable keys, the same verdicts as the table. */
export function renderJson(report: ProbeReport): string {
  return `${JSON.stringify({ schema: 'hubwatch.probe/v1', ...report }, null, 2)}\n`;
}

const HEAD = { id: 'check', verdict: 'result' };

export function renderTable(report: ProbeReport): string {
  const lines: string[] = [];
  for (const r of report.platforms) {
    if (r.verdict === 'unchecked') {
      lines.push(`${r.platform} (${r.url}): no checks for this platform yet; nothing was probed.`, '');
      continue;
    }
    const bad = r.checks.filter((c) => c.verdict !== 'ok').length;
    lines.push(
      `${r.platform} (${r.url}): ${r.verdict === 'ok' ? `all ${r.checks.length} checks ok` : `${r.verdict}, ${bad} of ${r.checks.length} checks`}`,
    );
    const w = Math.max(HEAD.id.length, ...r.checks.map((c) => c.id.length));
    const pad = ' '.repeat(w + 2 + 11 + 2);
    lines.push(`  ${HEAD.id.padEnd(w)}  ${HEAD.verdict.padEnd(11)}  seen / what to do`);
    r.checks.forEach((c, i) => {
      // An unreachable platform gives every check the same reason: said once, the table stays readable.
      const prev = r.checks[i - 1];
      const same = prev !== undefined && prev.seen === c.seen && prev.action === c.action;
      lines.push(`  ${c.id.padEnd(w)}  ${c.verdict.padEnd(11)}  ${same ? '(as above)' : c.seen}`);
      if (c.action && !same) lines.push(`  ${pad}→ ${c.action}`);
    });
    lines.push('');
  }
  const summary = [
    'all ok',
    'drift: the platform no longer does what hubwatch assumes (rows above)',
    'unreachable: see the rows above',
  ];
  lines.push(`probe: ${summary[report.exitCode]}`);
  return `${lines.join('\n')}\n`;
}

/** The command: the table (or JSON) on stdout, and exit code 1 on drift, 2 when a platform did not answer. */
export async function probeCommand(opts: {
  config: Config;
  logger: Logger;
  platforms: readonly Platform[];
  json: boolean;
}): Promise<void> {
  const report = await runProbes(opts);
  process.stdout.write(opts.json ? renderJson(report) : renderTable(report));
  if (report.exitCode === 0) return;
  const which = report.platforms
    .filter((r) => r.verdict === (report.exitCode === 2 ? 'unreachable' : 'drift'))
    .map((r) => r.platform);
  throw new HubwatchError(
    `${which.join(', ')}: ${report.exitCode === 2 ? 'unreachable' : 'drift'} (see the ${opts.json ? 'JSON' : 'table'} on stdout)`,
    {
      exitCode: report.exitCode,
    },
  );
}
