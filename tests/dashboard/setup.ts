// A server with the dashboard over a span of daily snapshots and a store of models (one hostile), for the tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { dashboard } from '../../src/dashboard/plugin.js';
import { buildServer } from '../../src/feed/server.js';
import { silentLogger } from '../../src/log.js';
import type { NormalisedRecord } from '../../src/model.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { testConfig } from '../feed/fixtures.js';
import type { MomentumBlock } from '../../src/snapshot/types.js';
import { fillModels, writeSpan } from './fixtures.js';
import { fillMomentum } from './momentum-fixtures.js';

export interface DashWorld {
  dir: string;
  store: Store;
  app: FastifyInstance;
  dates: string[];
  records: NormalisedRecord[];
  /** The latest snapshot's momentum block (momentum-fixtures.ts); null in a world made without it. */
  momentum: MomentumBlock | null;
  close(): Promise<void>;
}

export const START = '2026-07-24';

/** `momentum`: four weeks of stored counts and the latest snapshot's momentum block from the real builder. */
export async function dashWorld(days = 120, opts: { momentum?: boolean } = {}): Promise<DashWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-dashboard-'));
  // Day 40 and 41 have no snapshot (a missing day shows as such in the method line).
  const dates = await writeSpan(dir, START, days, { skip: [40, 41] });
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  const records = await fillModels(store, dates[dates.length - 1]!);
  const momentum = opts.momentum ? await fillMomentum(store, dir, dates[dates.length - 1]!) : null;
  const app = await buildServer({ store, config: testConfig(dir), logger: silentLogger, plugins: [dashboard(dir)] });
  return {
    dir,
    store,
    app,
    dates,
    records,
    momentum,
    close: async () => {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The URL path of a model page, as the dashboard links it. */
export function modelPath(key: string): string {
  const i = key.indexOf(':');
  return `/model/${key.slice(0, i)}/${key
    .slice(i + 1)
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;
}

/** Nothing in a page may run except the one script file: no inline script, handler, style or javascript: URL. */
export function expectInert(body: string): void {
  expect(body).not.toMatch(/<script(?![^>]*\bsrc="\/dashboard\/assets\/dashboard\.js\?v=[0-9a-f]+")/i);
  // Inside tags only: an escaped hostile name (`&lt;svg onload=…`) is text, and must be there as text.
  expect(body).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  expect(body).not.toMatch(/<[^>]*\sstyle\s*=/i);
  expect(body).not.toMatch(/<style/i);
  expect(body).not.toMatch(/javascript:/i);
}
