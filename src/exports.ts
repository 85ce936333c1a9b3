// What runs after every snapshot: the static export (feed pages, latest snapshot, shares series, OpenAPI), the
// digests' copies and the dashboard, under data/public/. The commands that write snapshots pass this list to
// openRuntime (or startService); nothing is registered by importing a module.
import type { AfterSnapshotHook } from './cycle/run.js';
import { exportDashboard } from './dashboard/export.js';
import { exportDigests } from './digest/files.js';
import { exportStatic } from './feed/export.js';

const feedAndDigests: AfterSnapshotHook = async (rt) => {
  const paths = await exportStatic({
    store: rt.store,
    config: rt.config,
    dataDir: rt.config.dataDir,
    registryEntries: rt.registry.entries.map((e) => e.entry),
  });
  const digests = await exportDigests(rt.config.dataDir);
  return [...paths, ...digests.paths];
};

// The dashboard's pages, charts and data files, beside the feed's export (data/public/index.html and the rest).
const dashboard: AfterSnapshotHook = async (rt) => exportDashboard({ store: rt.store, dataDir: rt.config.dataDir });

/** The static export, in the order it runs after each snapshot. */
export const staticExports: readonly AfterSnapshotHook[] = [feedAndDigests, dashboard];
