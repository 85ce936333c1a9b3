// What a pure normaliser may consult: the registry, the licence table and the clock, all passed in by the caller
// (src/reference-data.ts loads the two tables once where the runtime or the command is built). No I/O happens below
// src/normalise/.
import type { LicenseTable } from './license.js';
import type { Registry } from './registry.js';

export interface NormaliseContext {
  registry: Registry;
  licenses: LicenseTable;
  /** The instant used as firstSeenAt for a model seen for the first time (ISO). */
  now: string;
  /**
   * Backfill: the first ingestion of a platform cannot know when an old model became visible, so firstSeenAt
   * takes its createdAt instead of `now`.
   */
  backfill: boolean;
}
