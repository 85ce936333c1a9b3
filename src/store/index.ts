// The one way the rest of hubwatch gets a Store: PostgreSQL when DATABASE_URL is set, else the DuckDB file under
// the data directory. The schema is migrated before the store is handed out.
import { join } from 'node:path';
import { DuckDBStore } from './duckdb.js';
import { PostgresStore } from './postgres.js';
import type { Store } from './types.js';

export type { Store } from './types.js';
export { DuckDBStore } from './duckdb.js';
export { PostgresStore, redactUrl } from './postgres.js';

export const DUCKDB_FILE = 'hubwatch.duckdb';

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL schema for every table (test isolation); default the server's search_path. */
  schema?: string;
  /** DuckDB file; default `<dataDir>/hubwatch.duckdb`. */
  path?: string;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const store = opts.databaseUrl
    ? await PostgresStore.open({ url: opts.databaseUrl, ...(opts.schema ? { schema: opts.schema } : {}) })
    : await DuckDBStore.open(opts.path ?? join(opts.dataDir, DUCKDB_FILE));
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
