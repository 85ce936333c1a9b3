// What every probe test shares: its simulator's lifetime, faults switched on for one test, the command as a child
// process, what it reads of a report, and a port to find a platform unreachable on.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import type { Platform } from '../../src/model.js';
import type { ProbeReport } from '../../src/probe/index.js';
import { startSim, type Sim, type SimFaults, type SimOptions } from '../../src/sim/index.js';

/** One platform's part of a report, and accessors to its checks. */
export function reportOf(platform: Platform) {
  const of = (r: ProbeReport) => r.platforms.find((p) => p.platform === platform)!;
  return {
    of,
    /** Every check ran, in this order, and passed with nothing to do; the exit code says so. */
    expectAllOk: (r: ProbeReport, ids: readonly string[]): void => {
      expect(r.exitCode).toBe(0);
      expect(of(r).checks.map((c) => [c.id, c.verdict])).toEqual(ids.map((id) => [id, 'ok']));
      for (const c of of(r).checks) expect(c.action).toBeNull();
    },
    check: (r: ProbeReport, id: string) => of(r).checks.find((c) => c.id === id)!,
    drifted: (r: ProbeReport): string[] =>
      of(r)
        .checks.filter((c) => c.verdict !== 'ok')
        .map((c) => c.id),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A simulator for the enclosing describe block, started before its tests and closed after them; `per: 'test'` gives
 * each test a fresh one (for checks that count every request from zero). Read it through the returned getter.
 */
export function simulatorFor(options: SimOptions, per: 'block' | 'test' = 'block'): () => Sim {
  let sim: Sim | undefined;
  const [before, after] = per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    sim = await startSim(options);
  });
  after(async () => {
    await sim?.close();
  });
  return () => sim!;
}

/** Runs `body` with the platform's simulator switched to `faults`, and switches them off again whatever happens. */
export async function withFaults<T>(
  sim: Sim,
  platform: Platform,
  faults: SimFaults,
  body: () => Promise<T>,
): Promise<T> {
  sim.setFaults(platform, faults);
  try {
    return await body();
  } finally {
    sim.setFaults(platform, {});
  }
}

/** `hubwatch probe ARGS` as a child process; a non-zero exit is a result here, not an error. */
export async function runProbeCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'probe', ...args],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, LOG_LEVEL: 'silent', ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
