// Shared helpers of the source tests: node:http fake servers on 127.0.0.1:0, a config pointed at them, and a clock
// for the HTTP client's waits.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import type { HttpClientOptions } from '../../src/sources/http.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: SeenRequest, res: ServerResponse, n: number) => void | Promise<void>;

/** A real HTTP server on loopback; `handler` answers each request (n counts from 0). */
export async function fakeServer(handler: Handler): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const n = requests.length;
      requests.push(seen);
      Promise.resolve(handler(seen, res, n)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Fast, quiet settings for tests: tiny backoff, short timeouts; override per test. */
export const FAST = {
  maxRetries: 3,
  backoffMs: 5,
  maxRateLimitWaitMs: 10_000,
  timeoutMs: 2_000,
  connections: 2,
  delayMs: 0,
} as const;

type SourceOverrides = Partial<Record<'huggingface' | 'modelscope' | 'wisemodel', Record<string, unknown>>>;

/** A config whose platform URLs point at the given servers, with FAST settings unless overridden. */
export function testConfig(
  urls: Partial<Record<'huggingface' | 'modelscope' | 'wisemodel', string>>,
  sources: SourceOverrides = {},
  env: Record<string, string> = {},
): Config {
  return loadConfig(
    {
      ...(urls.huggingface ? { HUBWATCH_HF_URL: urls.huggingface } : {}),
      ...(urls.modelscope ? { HUBWATCH_MODELSCOPE_URL: urls.modelscope } : {}),
      ...(urls.wisemodel ? { HUBWATCH_WISEMODEL_URL: urls.wisemodel } : {}),
      ...env,
    },
    {
      sources: {
        huggingface: { ...FAST, ...sources.huggingface },
        modelscope: { ...FAST, ...sources.modelscope },
        wisemodel: { ...FAST, ...sources.wisemodel },
      },
    },
  );
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * The client's clock for tests of its waits: time moves only when the client waits, each wait is recorded and passes
 * at once (an aborted signal still rejects it), so backoffs, 429 waits and pacing are asserted exactly, not timed.
 */
export class WaitClock {
  t = Date.parse('2026-11-25T10:00:00Z');
  readonly waits: number[] = [];
  now = (): number => this.t;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    this.waits.push(ms);
    this.t += Math.max(0, ms);
  };
  get options(): Pick<HttpClientOptions, 'now' | 'sleep'> {
    return { now: this.now, sleep: this.sleep };
  }
}
