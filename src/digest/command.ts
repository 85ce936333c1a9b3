// `hubwatch digest [--week YYYY-Www]`: build one week's digest from the stored snapshots and copy it into the
// static export.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { openStore } from '../store/index.js';
import { exportDigests, writeDigest } from './files.js';
import { lastFullWeek, parseIsoWeek } from './isoweek.js';

export async function digestCommand(opts: { config: Config; logger: Logger; week?: string }): Promise<string[]> {
  const week = parseIsoWeek(opts.week ?? lastFullWeek()).week;
  const store = await openStore({ dataDir: opts.config.dataDir, databaseUrl: opts.config.databaseUrl });
  try {
    const written = await writeDigest({ store, dataDir: opts.config.dataDir, config: opts.config }, week);
    await exportDigests(opts.config.dataDir);
    opts.logger.info({ week, files: Object.values(written.paths) }, 'digest written');
    return [written.paths.json, written.paths.md, written.paths.html];
  } finally {
    await store.close();
  }
}
