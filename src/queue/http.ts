// The HTTP server of `hubwatch start`: what `hubwatch serve` serves (feed API, digests) plus the operating endpoints.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { OpsStore, ReadStore } from '../store/types.js';
import { buildServer } from '../feed/server.js';
import { dashboard } from '../dashboard/plugin.js';
import type { Registry } from '../normalise/registry.js';
import { opsPlugin } from './ops.js';
import type { QueueSet } from './queues.js';
import type { OpsState } from './state.js';

export interface HttpDeps {
  config: Config;
  logger: Logger;
  /** The API's reads and the operating endpoints' health checks. */
  store: ReadStore & OpsStore;
  registry: Registry;
  queues: QueueSet;
  ops: OpsState;
  prefix: string;
  /** Fail-fast connection: /healthz must answer "Redis down" rather than hang. */
  producer: Redis;
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const plugin = opsPlugin({
    config: deps.config,
    store: deps.store,
    queues: deps.queues,
    ops: deps.ops,
    redis: deps.producer,
    startedAt: Date.now(),
  });
  // The same API as `hubwatch serve`, plus the operating endpoints.
  return buildServer({
    store: deps.store,
    config: deps.config,
    logger: deps.logger,
    registryEntries: deps.registry.entries.map((e) => e.entry),
    plugins: [dashboard(deps.config.dataDir), plugin],
  });
}
