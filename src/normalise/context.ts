// What a pure normaliser may consult: the registry, the licence table, the scope config and the clock, all passed
// in. No I/O happens below src/normalise/.
import type { Registry } from './registry.js';

export interface NormaliseContext {
  registry: Registry;
  /** The instant used as firstSeenAt for a model seen for the first time (ISO). */
  now: string;
  /**
   * Backfill: the first ingestion of a platform cannot know when an old model became visible, so firstSeenAt
   * takes its createdAt instead of `now`.
   */
  backfill: boolean;
}
