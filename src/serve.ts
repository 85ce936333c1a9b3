// `hubwatch serve`: the HTTP API, the feeds and the digests, without schedulers or workers (no Redis needed).
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { buildServer } from './feed/server.js';
import { dashboard } from './dashboard/plugin.js';
import { loadRegistry } from './reference-data.js';
import { openStore } from './store/index.js';

export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const registry = loadRegistry();
  const app = await buildServer({
    store,
    config,
    logger,
    registryEntries: registry.entries.map((e) => e.entry),
    plugins: [dashboard(config.dataDir)],
  });
  const address = await app.listen({ port: config.port, host: config.file.server.host });
  logger.info({ address }, 'serving the API and feeds');
  let closing = false;
  const stop = async (): Promise<void> => {
    if (closing) process.exit(1); // a second signal: leave now
    closing = true;
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
