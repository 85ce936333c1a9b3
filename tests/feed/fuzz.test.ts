// Malformed and hostile parameters on every documented route: no answer is a 5xx, every error is the JSON error
// shape naming the parameter, and every success matches /openapi.json (CSV and XML where asked, and valid).
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/feed/server.js';
import { silentLogger } from '../../src/log.js';
import { writeSnapshot } from '../../src/snapshot/files.js';
import { fillStore, makeRecords, makeSnapshot, testConfig } from './fixtures.js';
import { tempStore, type TempStore } from '../support/temp.js';
import { OasChecker, xmlProblem, type Answer } from './oas.js';

let t: TempStore;
let app: FastifyInstance;
let oas: OasChecker;
let doc: { paths: Record<string, { get: { parameters: Array<{ name: string; in: string }> } }> };

beforeAll(async () => {
  t = await tempStore();
  await fillStore(t.store, makeRecords(30));
  await writeSnapshot(t.dir, makeSnapshot('2025-06-01', null));
  app = await buildServer({
    store: t.store,
    config: testConfig(t.dir, 5),
    logger: silentLogger,
    responseChecks: 'throw',
  });
  doc = JSON.parse((await app.inject('/openapi.json')).body);
  oas = new OasChecker(doc as never);
});

afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

const HOSTILE = [
  '',
  ' ',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  "'; DROP TABLE models; --",
  '1 OR 1=1',
  '%00',
  '\u0000',
  '\u202Eevil',
  '😀',
  '中文',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  '2025-02-30',
  '2025-13-01',
  '2025-06-01T25:00:00Z',
  '0000-01-01',
  '9999-12-31T23:59:59+23:59',
  '2025-06-01T00:00:00',
  'latest',
  'combined',
  'base',
  'huggingface',
  'US',
  'zz',
  '__proto__',
  'constructor',
  'eyJ4IjoxfQ',
  'WyIyMDI1LTA2LTAxIiwieCJd',
  'WyJub3QgYSBkYXRlIiwieCJd',
  'WyJUaHVyc2RheSwgMSBKYW4gMjAyNSIsIngiXQ',
  'A'.repeat(5000),
];

const value = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** Percent-encodes a value, except for a few raw sequences a sloppy or hostile client sends as they are. */
const encoded = fc.oneof(
  { weight: 8, arbitrary: value.map((v) => encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('%', '%zz', '%2e%2e%2f', '..%2f..%2f', '%c0%ae', '%ff', '%u0000', '&&', '='),
  },
);

function routeArb(template: string): fc.Arbitrary<{ url: string; headers: Record<string, string> }> {
  const params = doc.paths[template]!.get.parameters;
  const queryNames = params.filter((p) => p.in === 'query').map((p) => p.name);
  const pathNames = params.filter((p) => p.in === 'path').map((p) => p.name);
  const key = fc.oneof(
    { weight: 4, arbitrary: queryNames.length ? fc.constantFrom(...queryNames) : fc.constant('x') },
    { weight: 1, arbitrary: fc.constantFrom('cursor', 'limit', 'foo', '__proto__', 'since[]', 'a.b', '') },
  );
  const pair = fc.tuple(key, encoded).map(([k, v]) => `${encodeURIComponent(k)}=${v}`);
  const pathValues = fc.tuple(
    ...pathNames.map(() =>
      fc.oneof(
        encoded.filter((s) => s !== ''),
        fc.constantFrom('2025-06-01', 'huggingface', 'Meta'),
      ),
    ),
  );
  const headers = fc.record(
    {
      accept: fc.constantFrom(
        'text/csv',
        'application/json',
        'application/xml',
        'text/csv;q=0',
        '*/*',
        'garbage;;q=x',
        'text/csv, application/json;q=0.1',
      ),
      'accept-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'gzip;q=0', '*', 'identity', 'x;q=abc'),
      'if-none-match': fc.constantFrom('*x', '""', 'W/"x"', '"a", "b"', 'garbage'),
      origin: fc.constantFrom('https://example.org', 'null', 'evil'),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(pathValues, fc.array(pair, { maxLength: 5 }), headers).map(([pv, pairs, h]) => {
    let i = 0;
    const path = template.replace(/\{[^}]+\}/g, () => pv[i++] ?? 'x');
    return { url: pairs.length ? `${path}?${pairs.join('&')}` : path, headers: h };
  });
}

function decoded(res: Answer & { rawPayload: Buffer }): Answer {
  const enc = res.headers['content-encoding'];
  if (enc === 'gzip') return { ...res, body: gunzipSync(res.rawPayload).toString('utf8') };
  if (enc === 'br') return { ...res, body: brotliDecompressSync(res.rawPayload).toString('utf8') };
  return res;
}

function assertAnswer(url: string, compressed: Answer & { rawPayload: Buffer }): void {
  const res = decoded(compressed);
  expect(res.statusCode, url).toBeLessThan(500);
  const ct = String(res.headers['content-type'] ?? '');
  if (res.statusCode === 304) return;
  if (res.statusCode >= 400) {
    expect(ct, url).toBe('application/json; charset=utf-8');
    const body = JSON.parse(res.body) as { error: string; message: string; parameter: string | null };
    expect(typeof body.message).toBe('string');
    expect(body.message).not.toMatch(/\n\s+at /);
  } else if (ct.startsWith('application/atom+xml')) {
    expect(xmlProblem(res.body), url).toBeNull();
  } else if (ct.startsWith('text/csv')) {
    // The share tables, the history series (two more columns) and the per-model history.
    expect(res.body, url).toMatch(
      /^(?:(date,)?metric,scope,view,platform,country,value,share(,complete,provenance)?|date,key,platform,downloadsAllTime,downloads30d,likes,provenance)\r\n/,
    );
  } else if (ct.startsWith('application/vnd.apache.parquet')) {
    expect(compressed.rawPayload.subarray(0, 4).toString('latin1'), url).toBe('PAR1');
  } else {
    expect(() => JSON.parse(res.body), url).not.toThrow();
  }
  // Status, content type and body as /openapi.json documents them.
  expect(oas.check(url, res), url).toEqual([]);
}

describe('fuzzing every route', () => {
  it('covers every documented path', () => {
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(14);
  });

  it('random and hostile parameters never give a 5xx and always give a documented answer', async () => {
    const statuses = new Map<number, number>();
    for (const template of Object.keys(doc.paths)) {
      await fc.assert(
        fc.asyncProperty(routeArb(template), async ({ url, headers }) => {
          const res = await app.inject({ url, headers });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          assertAnswer(url, res);
        }),
        { numRuns: 120, seed: 20250601 },
      );
    }
    // The generator must reach the renderers, not only the validator.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(404) ?? 0).toBeGreaterThan(0);
  });

  it('bad parameters name themselves in the error', async () => {
    const cases: Array<[string, string]> = [
      ['/feed.json?limit=0', 'limit'],
      ['/feed.json?limit=abc', 'limit'],
      ['/feed.json?since=2025-13-01', 'since'],
      ['/feed.json?since=2025-02-30', 'since'],
      ['/feed.json?since=yesterday', 'since'],
      ['/feed.json?platform=github', 'platform'],
      ['/feed.json?country=USA', 'country'],
      ['/feed.json?relation=base&relation=merge', 'relation'],
      ['/feed.json?view=both', 'view'],
      ['/feed.json?cursor=%3Cscript%3E', 'cursor'],
      ['/feed.json?cursor=WyJUaHVyc2RheSwgMSBKYW4gMjAyNSIsIngiXQ', 'cursor'],
      ['/api/v1/models?org=', 'org'],
      ['/api/v1/models?kind=alien', 'kind'],
      ['/api/v1/models?license_class=free', 'license_class'],
      ['/api/v1/models?utm_source=x', 'utm_source'],
      ['/api/v1/shares?metric=x', 'metric'],
      ['/api/v1/shares?scope=everything', 'scope'],
      ['/api/v1/shares?from=2025-06-02&to=2025-06-01', 'from'],
      ['/api/v1/shares?to=2025-06-31', 'to'],
      ['/api/v1/snapshots/2025-6-1', 'date'],
      ['/api/v1/snapshots/..%2f..%2fhubwatch.duckdb', 'date'],
      ['/api/v1/snapshots/2025-02-30.csv', 'date'],
      ['/api/v1/models/github/a/b', 'platform'],
      ['/api/v1/snapshots?x=1', 'x'],
    ];
    for (const [url, parameter] of cases) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      const body = JSON.parse(res.body);
      expect(body.error, url).toBe('bad_request');
      expect(body.parameter, url).toBe(parameter);
      expect(body.message, url).toContain(parameter);
    }
  });

  it('path traversal in model ids is a 404, never a file', async () => {
    for (const url of [
      '/api/v1/models/huggingface/..%2f..%2f/etc',
      '/api/v1/models/huggingface/..%2f..%2fetc%2fpasswd',
      '/api/v1/models/huggingface/%2e%2e/%2e%2e',
      '/api/v1/models/huggingface/a%00b/c',
    ]) {
      const res = await app.inject(url);
      expect([400, 404], url).toContain(res.statusCode);
      expect(JSON.parse(res.body).error).toMatch(/^(bad_request|not_found)$/);
    }
  });

  it('over a real socket: raw bytes, huge URLs and bad methods get 4xx, not 5xx', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const raw = (method: string, path: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', (err) => reject(new Error(`${method} ${path.slice(0, 60)}: ${err.message}`)));
        req.end();
      });
    const cases: Array<[string, string]> = [
      ['GET', `/feed.json?org=${'x'.repeat(20_000)}`],
      ['GET', `/api/v1/models?org=${'%E4%B8%AD'.repeat(300)}`],
      ['GET', '/api/v1/snapshots/%'],
      ['GET', '/feed.json?since=%ff%fe'],
      ['POST', '/feed.json'],
      ['DELETE', '/api/v1/snapshots/latest'],
      ['GET', '//feed.json'],
      ['GET', '/feed.json/'],
    ];
    for (const [method, path] of cases) {
      const r = await raw(method, path);
      expect(r.status, `${method} ${path.slice(0, 60)}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${method} ${path.slice(0, 60)}`).toBeLessThan(500);
      if (r.status >= 400 && r.status !== 431) expect(() => JSON.parse(r.body)).not.toThrow();
    }
  });
});
