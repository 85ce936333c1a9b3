// `npm run demo` ends by serving what it built: the API and the dashboard over data/demo/, on PORT (8080) or, when
// that port is taken, on any free one. Returns the dashboard's URL; Ctrl-C stops it.
import type { Config } from '../config.js';
import { buildServer } from '../feed/server.js';
import type { Logger } from '../log.js';
import { openStore } from '../store/index.js';
import { dashboard } from './plugin.js';

export async function serveDashboard(config: Config, logger: Logger): Promise<string> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: null });
  const app = await buildServer({ store, config, logger, plugins: [dashboard(config.dataDir)] });
  const host = '127.0.0.1';
  let address: string;
  try {
    address = await app.listen({ host, port: config.port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    address = await app.listen({ host, port: 0 });
  }
  const stop = (): void => {
    void app
      .close()
      .then(() => store.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return `${address}/`;
}
