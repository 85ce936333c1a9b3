// What every probe test reads of a report, and a port to find a platform unreachable on.
import { createServer } from 'node:http';
import type { Platform } from '../../src/model.js';
import type { ProbeReport } from '../../src/probe/index.js';

/** One platform's part of a report, and accessors to its checks. */
export function reportOf(platform: Platform) {
  const of = (r: ProbeReport) => r.platforms.find((p) => p.platform === platform)!;
  return {
    of,
    check: (r: ProbeReport, id: string) => of(r).checks.find((c) => c.id === id)!,
    drifted: (r: ProbeReport): string[] => of(r).checks.filter((c) => c.verdict !== 'ok').map((c) => c.id),
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
