// What the simulated-days tests share: both engines, a simulator and a store opened before a file's tests and closed
// after them, and the keys a day's snapshot rows hold.
import { afterAll, beforeAll } from 'vitest';
import type { Platform } from '../../src/model.js';
import { startSim, type Sim, type SimOptions } from '../../src/sim/index.js';
import type { Store } from '../../src/store/types.js';
import type { EngineHarness } from '../store/fixtures.js';

export { ENGINES } from '../store/fixtures.js';

export interface SimAndStore {
  readonly sim: Sim;
  readonly store: Store;
}

/** Registers the hooks that start the simulator and open a throwaway store; read both through the returned object. */
export function simAndStore(make: () => EngineHarness, simOptions: SimOptions): SimAndStore {
  let sim: Sim | undefined;
  let harness: EngineHarness | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    sim = await startSim(simOptions);
    harness = make();
    store = await harness.open();
  });
  afterAll(async () => {
    await store?.close();
    await harness?.destroy();
    await sim?.close();
  });
  return {
    get sim() {
      if (!sim) throw new Error('the simulator starts in beforeAll: read it inside a test');
      return sim;
    },
    get store() {
      if (!store) throw new Error('the store opens in beforeAll: read it inside a test');
      return store;
    },
  };
}

/** The keys of the models with a stats row on `date` (of one platform, or all). */
export async function keysSeenOn(store: Store, date: string, platform?: Platform): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const chunk of store.streamSnapshotRows(date, null, 2000)) {
    for (const r of chunk) if (!platform || r.platform === platform) out.add(r.key);
  }
  return out;
}
