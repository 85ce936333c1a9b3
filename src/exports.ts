// What runs after every snapshot: the static export (feed pages, latest snapshot, shares series, OpenAPI) and the
// digests' copies, under data/public/. Imported for its side effect by the commands that write snapshots.
import { onSnapshotWritten } from './cycle/run.js';
import { exportStatic } from './feed/export.js';
import { exportDigests } from './digest/files.js';
import { exportDashboard } from './dashboard/export.js';

onSnapshotWritten(async (rt) => {
  const paths = await exportStatic({
    store: rt.store,
    config: rt.config,
    dataDir: rt.config.dataDir,
    registryEntries: rt.registry.entries.map((e) => e.entry),
  });
  const digests = await exportDigests(rt.config.dataDir);
  return [...paths, ...digests.paths];
});

// The dashboard's pages, charts and data files, beside the feed's export (data/public/index.html and the rest).
onSnapshotWritten(async (rt) => exportDashboard({ store: rt.store, dataDir: rt.config.dataDir }));
