// Temporary places a test works in, each removed by the test that made it: a folder holding one JSON file, and an
// embedded (DuckDB) store in a folder of its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

/** Runs `use` on `value` written as `name` in a fresh folder (given too, for neighbours), then removes the folder. */
export async function withJsonFile<R>(
  name: string,
  value: unknown,
  use: (file: string, dir: string) => Promise<R>,
): Promise<R> {
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-test-'));
  try {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(value));
    return await use(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TempStore {
  dir: string;
  store: Store;
  /** Closes the store and removes its folder. */
  cleanup(): Promise<void>;
}

/** An embedded store in a fresh folder (the folder is its data directory, for snapshot files beside it). */
export async function tempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'hubwatch-store-'));
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  return {
    dir,
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `use` on a fresh embedded store (and its folder), then closes and removes it. */
export async function withTempStore<R>(use: (store: Store, dir: string) => Promise<R>): Promise<R> {
  const temp = await tempStore();
  try {
    return await use(temp.store, temp.dir);
  } finally {
    await temp.cleanup();
  }
}
