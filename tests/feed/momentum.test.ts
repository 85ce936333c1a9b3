// GET /api/v1/momentum: a snapshot's momentum top list, validated parameters, ETag and 304, the 404s a reader can act
// on, and every answer as /openapi.json documents it.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/feed/server.js';
import { silentLogger } from '../../src/log.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import { buildMomentum } from '../../src/snapshot/momentum-build.js';
import type { MomentumBlock, MomentumEntry } from '../../src/snapshot/types.js';
import { makeSnapshot, tempStore, testConfig, type TempStore } from './fixtures.js';
import { OasChecker } from './oas.js';

let t: TempStore;
let app: FastifyInstance;
let oas: OasChecker;
let block: MomentumBlock;

const entry = (key: string, value: number): MomentumEntry => ({
  key,
  name: key.split('/').pop()!,
  platform: 'huggingface',
  country: { publisher: 'CN', origin: 'US' },
  sizeClass: '1-9B',
  sizeBasis: 'params',
  ageDays: 7,
  value,
  downloads: 2500,
  reference: 200,
});

beforeAll(async () => {
  t = await tempStore();
  // The method block as the builder writes it (an empty store gives the method and empty lists), then lists by hand.
  const empty = await buildMomentum({ store: t.store, llmTasks: [] }, '2025-06-01');
  block = {
    ...empty,
    scopes: {
      all: {
        ram: [entry('huggingface:a/x-7B', 12.5), entry('huggingface:b/y-8B', 3)],
        growth7d: [entry('huggingface:c/z', 6)],
      },
      llm: { ram: [entry('huggingface:a/x-7B', 12.5)], growth7d: [] },
    },
  };
  // 05-31 was written before momentum existed; 06-01 has it.
  await writeSnapshot(t.dir, makeSnapshot('2025-05-31', null));
  await writeSnapshot(t.dir, { ...makeSnapshot('2025-06-01', '2025-05-31'), momentum: block });
  app = await buildServer({ store: t.store, config: testConfig(t.dir), logger: silentLogger, responseChecks: 'throw' });
  oas = new OasChecker(JSON.parse((await app.inject('/openapi.json')).body));
});

afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

describe('GET /api/v1/momentum', () => {
  it('gives the latest snapshot’s RAM list for all models by default, with the method', async () => {
    const res = await app.inject('/api/v1/momentum');
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ date: '2025-06-01', scope: 'all', metric: 'ram', top: 20 });
    expect(body.items.map((e: MomentumEntry) => [e.key, e.value])).toEqual([
      ['huggingface:a/x-7B', 12.5],
      ['huggingface:b/y-8B', 3],
    ]);
    expect(body.method.classes.map((c: { name: string }) => c.name)).toEqual([
      '<1B',
      '1-9B',
      '10-29B',
      '30-99B',
      '100-249B',
      '250B+',
    ]);
    expect(body.method.cutoff).toMatch(/10th-largest/);
    expect(oas.check('/api/v1/momentum', res)).toEqual([]);
  });

  it('chooses the scope, the figure and the date', async () => {
    const res = await app.inject('/api/v1/momentum?scope=all&metric=growth7d&date=2025-06-01');
    expect(JSON.parse(res.body).items.map((e: MomentumEntry) => e.key)).toEqual(['huggingface:c/z']);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const llm = await app.inject('/api/v1/momentum?scope=llm&metric=growth7d');
    expect(JSON.parse(llm.body).items).toEqual([]);
    expect(oas.check('/api/v1/momentum', llm)).toEqual([]);
  });

  it('answers 304 to its own ETag', async () => {
    const first = await app.inject('/api/v1/momentum?metric=ram');
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await app.inject({ url: '/api/v1/momentum?metric=ram', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });

  it('names a bad parameter, and says what to do about a snapshot without momentum or no snapshot', async () => {
    for (const [url, parameter] of [
      ['/api/v1/momentum?metric=downloads', 'metric'],
      ['/api/v1/momentum?scope=everything', 'scope'],
      ['/api/v1/momentum?date=2025-02-30', 'date'],
      ['/api/v1/momentum?top=5', 'top'],
    ] as const) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.parse(res.body).parameter, url).toBe(parameter);
      expect(oas.check(url, res), url).toEqual([]);
    }
    const old = await app.inject('/api/v1/momentum?date=2025-05-31');
    expect(old.statusCode).toBe(404);
    expect(JSON.parse(old.body).message).toMatch(
      /written before momentum existed; rebuild it with `hubwatch snapshot --date 2025-05-31`/,
    );
    const none = await app.inject('/api/v1/momentum?date=2025-05-01');
    expect(none.statusCode).toBe(404);
    expect(JSON.parse(none.body).message).toMatch(/no snapshot for 2025-05-01/);
  });

  it('is in /openapi.json with its parameters', async () => {
    const doc = JSON.parse((await app.inject('/openapi.json')).body);
    const params = doc.paths['/api/v1/momentum'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(['scope', 'metric', 'date']);
  });
});
