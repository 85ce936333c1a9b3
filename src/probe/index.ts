// `hubwatch probe`: each assumption a source makes about its platform, checked against the configured base URL, so
// that an operator learns in one command what the real platform does today. A platform's checks live beside its
// source (src/sources/<platform>/probe.ts) and get one line in PROBES; the Hub's public dumps, which `hubwatch
// backfill` reads, are one more group when asked for (`--dump`, src/backfill/probe.ts). The runner, the verdicts and
// the two renderings here are shared; what the groups' checks share is in support.ts.
import type { Config } from '../config.js';
import { HubwatchError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Platform } from '../model.js';
import { HUB_WEEKLY_SNAPSHOTS, parseDumpLocation, type DumpLocation } from '../backfill/partitions.js';
import { createHttpClient, redactUrl, type HeaderBag, type HttpClient } from '../sources/http.js';
import { platformProfile } from '../sources/registry.js';
import { huggingfaceProbe } from '../sources/huggingface/probe.js';
import { modelscopeProbe } from '../sources/modelscope/probe.js';
import { wisemodelProbe } from '../sources/wisemodel/probe.js';
import { rootCause } from './support.js';

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

/** How a group's checks report. Every check is reported once, unless the group stops being reachable. */
export interface CheckReporter {
  ok(id: string, seen: string): void;
  drift(id: string, seen: string, action: string): void;
  /** A drift: the check could not run because of what an earlier one found; `see` names that check. */
  notChecked(id: string, why: string, see: string): void;
  /** Ends the run: every check not reported yet is unreachable, with this reason. */
  unreachable(reason: string): never;
}

export interface RequestInit {
  method?: 'GET' | 'PUT' | 'POST';
  /** Sent as JSON. */
  json?: unknown;
}

export interface ProbeContext extends CheckReporter {
  /** The configured base URL of the platform (config.urls). */
  readonly baseUrl: string;
  /** The configuration the probe runs with (the runner's, with the probe's shorter retries and waits). */
  readonly config: Config;
  /** The platform's HTTP client as the probe uses it, for calls made through a source's own code (WiseModel's gateway). */
  readonly http: HttpClient;
  /** A GET through the platform's HTTP client. No answer (network, 5xx after a retry, a long 429) ends the run. */
  get(url: string, what: string): Promise<Answer>;
  /** `get` with another method and a JSON body (ModelScope's PUT search). */
  request(url: string, what: string, init: RequestInit): Promise<Answer>;
}

export interface PlatformProbe {
  /** In the order the table shows them; each must be reported once by `run`, unless the platform stops answering. */
  readonly checks: readonly CheckSpec[];
  run(ctx: ProbeContext): Promise<void>;
}

export interface DumpProbeContext extends CheckReporter {
  readonly location: DumpLocation;
  /** HF_TOKEN, sent to the dump's host as `hubwatch backfill` sends it. */
  readonly token: string | null;
}

/** The checks of the Hub's public dumps: what `hubwatch backfill --dump` assumes (src/backfill/probe.ts). */
export interface DumpProbe {
  readonly checks: readonly CheckSpec[];
  run(ctx: DumpProbeContext): Promise<void>;
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

export interface DumpReport {
  /** The dump as given to --dump (a Hub dataset URL without credentials, or a folder). */
  location: string;
  verdict: Verdict;
  checks: CheckResult[];
}

export interface ProbeReport {
  checkedAt: string;
  /** 0 all ok (or nothing to check), 1 drift, 2 a platform (or the dump) unreachable. */
  exitCode: 0 | 1 | 2;
  platforms: PlatformReport[];
  /** The dump's checks; null when --dump was not given. */
  dump: DumpReport | null;
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

async function request(http: HttpClient, url: string, what: string, init: RequestInit = {}): Promise<Answer> {
  const method = init.method ?? 'GET';
  try {
    const res = await http.send<string>(url, {
      method,
      what,
      headers: {
        accept: 'application/json',
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
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
    const asked = `${method === 'GET' ? '' : `${method} `}${u.origin}${u.pathname}`;
    throw new Unreachable(`no answer to the ${what} request (${asked}): ${rootCause(err)}`, { cause: err });
  }
}

function worst(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.verdict === 'unreachable')) return 'unreachable';
  return checks.some((c) => c.verdict === 'drift') ? 'drift' : 'ok';
}

/**
 * Runs one group's checks: each reported once, in the group's order; when the group stops being reachable, every
 * check not reported yet is unreachable with the reason and `action`.
 */
async function runChecks(
  group: string,
  specs: readonly CheckSpec[],
  body: (reporter: CheckReporter) => Promise<void>,
  action: string,
): Promise<{ verdict: Verdict; checks: CheckResult[] }> {
  const results = new Map<string, CheckResult>();
  const record = (id: string, verdict: Verdict, seen: string, todo: string | null): void => {
    const spec = specs.find((c) => c.id === id);
    if (!spec) throw new Error(`${group} probe reported an unknown check "${id}"`);
    results.set(id, { id, title: spec.title, verdict, seen, action: todo });
  };
  const reporter: CheckReporter = {
    ok: (id, seen) => record(id, 'ok', seen, null),
    drift: (id, seen, todo) => record(id, 'drift', seen, todo),
    notChecked: (id, why, see) => record(id, 'drift', `not checked: ${why}`, `see ${see}`),
    unreachable: (reason) => {
      throw new Unreachable(reason);
    },
  };
  try {
    await body(reporter);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    for (const c of specs) if (!results.has(c.id)) record(c.id, 'unreachable', err.message, action);
  }
  const checks = specs.map((c) => {
    const r = results.get(c.id);
    if (!r) throw new Error(`${group} probe did not report its check "${c.id}"`);
    return r;
  });
  return { verdict: worst(checks), checks };
}

async function probePlatform(platform: Platform, config: Config, logger: Logger): Promise<PlatformReport> {
  const url = redactUrl(config.urls[platform]);
  const probe = PROBES[platform];
  if (!probe) return { platform, url, verdict: 'unchecked', checks: [] };
  const tuned = probeConfig(config, platform);
  const http = createHttpClient(platformProfile(platform), { config: tuned, logger, rateLimitMode: 'wait' });
  try {
    const { verdict, checks } = await runChecks(
      platform,
      probe.checks,
      (reporter) =>
        probe.run({
          ...reporter,
          baseUrl: config.urls[platform],
          config: tuned,
          http,
          get: (u, what) => request(http, u, what),
          request: (u, what, init) => request(http, u, what, init),
        }),
      `check ${URL_VARIABLE[platform]} (now ${url}) and this machine's way out (DNS, proxy, firewall), then probe again`,
    );
    return { platform, url, verdict, checks };
  } finally {
    await http.close();
  }
}

/** The dump as the report names it: a Hub dataset's URL (never credentials), or the folder. */
function dumpName(loc: DumpLocation): string {
  if (loc.kind === 'dir') return loc.dir;
  return `${loc.hubUrl}/datasets/${loc.repo}${loc.revision === 'main' ? '' : `/tree/${loc.revision}`}`;
}

async function probeDump(loc: DumpLocation, config: Config): Promise<DumpReport> {
  // Loaded only when asked for: the dump's checks read Parquet footers with DuckDB.
  const { dumpProbe } = await import('../backfill/probe.js');
  const location = dumpName(loc);
  const { verdict, checks } = await runChecks(
    'dump',
    dumpProbe.checks,
    (reporter) => dumpProbe.run({ ...reporter, location: loc, token: config.tokens.huggingface }),
    loc.kind === 'hub'
      ? `check --dump (now ${location}; given without a value it is ${HUB_WEEKLY_SNAPSHOTS} on HUBWATCH_HF_URL) and this machine's way out (DNS, proxy, firewall), then probe again`
      : `check --dump (now ${location}), then probe again`,
  );
  return { location, verdict, checks };
}

/**
 * Probes the platforms one after another (each check's requests depend on the previous answers), then the dump when
 * one is given (`dump`: a folder or a Hub dataset URL, as `hubwatch backfill --dump` takes).
 */
export async function runProbes(opts: {
  config: Config;
  logger: Logger;
  platforms: readonly Platform[];
  dump?: string | null;
}): Promise<ProbeReport> {
  // A --dump that names no dump is a bad argument (exit 2) before anything is asked of anyone.
  const loc = opts.dump ? parseDumpLocation(opts.dump) : null;
  const platforms: PlatformReport[] = [];
  for (const p of opts.platforms) platforms.push(await probePlatform(p, opts.config, opts.logger));
  const dump = loc ? await probeDump(loc, opts.config) : null;
  const verdicts = [...platforms.map((r) => r.verdict), ...(dump ? [dump.verdict] : [])];
  const exitCode = verdicts.includes('unreachable') ? 2 : verdicts.includes('drift') ? 1 : 0;
  return { checkedAt: new Date().toISOString(), exitCode, platforms, dump };
}

/** `--dump` without a value: the Hub's weekly mirror on the configured Hub (HUBWATCH_HF_URL). */
export function defaultDump(config: Config): string {
  return `${config.urls.huggingface.replace(/\/+$/, '')}/datasets/${HUB_WEEKLY_SNAPSHOTS}`;
}

/** The document for monitoring: stable keys, the same verdicts as the table. */
export function renderJson(report: ProbeReport): string {
  return `${JSON.stringify({ schema: 'hubwatch.probe/v1', ...report }, null, 2)}\n`;
}

const HEAD = { id: 'check', verdict: 'result' };

function renderGroup(name: string, url: string, verdict: Verdict, checks: readonly CheckResult[]): string[] {
  const bad = checks.filter((c) => c.verdict !== 'ok').length;
  const lines = [
    `${name} (${url}): ${verdict === 'ok' ? `all ${checks.length} checks ok` : `${verdict}, ${bad} of ${checks.length} checks`}`,
  ];
  const w = Math.max(HEAD.id.length, ...checks.map((c) => c.id.length));
  const pad = ' '.repeat(w + 2 + 11 + 2);
  lines.push(`  ${HEAD.id.padEnd(w)}  ${HEAD.verdict.padEnd(11)}  seen / what to do`);
  checks.forEach((c, i) => {
    // An unreachable platform gives every check the same reason: said once, the table stays readable.
    const prev = checks[i - 1];
    const same = prev !== undefined && prev.seen === c.seen && prev.action === c.action;
    lines.push(`  ${c.id.padEnd(w)}  ${c.verdict.padEnd(11)}  ${same ? '(as above)' : c.seen}`);
    if (c.action && !same) lines.push(`  ${pad}→ ${c.action}`);
  });
  lines.push('');
  return lines;
}

export function renderTable(report: ProbeReport): string {
  const lines: string[] = [];
  for (const r of report.platforms) {
    if (r.verdict === 'unchecked') {
      lines.push(`${r.platform} (${r.url}): no checks for this platform yet; nothing was probed.`, '');
      continue;
    }
    lines.push(...renderGroup(r.platform, r.url, r.verdict, r.checks));
  }
  if (report.dump) lines.push(...renderGroup('dump', report.dump.location, report.dump.verdict, report.dump.checks));
  const summary = [
    'all ok',
    'drift: a platform (or the dump) no longer does what hubwatch assumes (rows above)',
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
  /** A folder or a Hub dataset URL; `true`: the default (defaultDump); absent: no dump checks. */
  dump?: string | true;
  json: boolean;
}): Promise<void> {
  const dump = opts.dump === true ? defaultDump(opts.config) : opts.dump;
  const report = await runProbes({ ...opts, dump });
  process.stdout.write(opts.json ? renderJson(report) : renderTable(report));
  if (report.exitCode === 0) return;
  const wanted = report.exitCode === 2 ? 'unreachable' : 'drift';
  const which = [
    ...report.platforms.filter((r) => r.verdict === wanted).map((r) => r.platform),
    ...(report.dump?.verdict === wanted ? ['dump'] : []),
  ];
  throw new HubwatchError(`${which.join(', ')}: ${wanted} (see the ${opts.json ? 'JSON' : 'table'} on stdout)`, {
    exitCode: report.exitCode,
  });
}
