// What the operations-endpoint tests (ops, metrics) run against: a config, an embedded store, the queues and the ops
// state under a fresh Redis prefix, with one clean-up that removes them all.
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_TUNING, closeQueues, createQueues } from '../../src/queue/queues.js';
import { OpsState } from '../../src/queue/state.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { REDIS_URL, cleanupPrefix, tempDir, testConfig, uniquePrefix } from './helpers.js';

/** Opens the pieces and pushes their clean-up (store, queues, connection, keys, folder) onto `cleanups`. */
export async function opsFixture(
  name: string,
  cleanups: Array<() => Promise<unknown>>,
  env: Record<string, string> = {},
) {
  const dir = await tempDir(name);
  const prefix = uniquePrefix();
  const config = testConfig({ REDIS_URL, LOG_LEVEL: 'silent', HUBWATCH_DATA_DIR: dir.path, ...env });
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queues = createQueues(conn, prefix, silentLogger, DEFAULT_TUNING);
  const store: Store = await openStore({ dataDir: dir.path, databaseUrl: null });
  cleanups.push(async () => {
    await store.close();
    await closeQueues(queues);
    conn.disconnect();
    await cleanupPrefix(prefix);
    await dir.remove();
  });
  return { config, prefix, conn, queues, store, ops: new OpsState(conn, prefix), dataDir: dir.path };
}
