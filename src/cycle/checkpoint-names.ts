// Names of store checkpoints that one part of the service writes and another reads. They live apart from the code
// that writes them so that a reader (/healthz in src/queue/ops.ts) does not load the whole ingest stack for a name.
import type { Platform } from '../model.js';

/** Checkpoint holding the list fields a platform refused (for /healthz), with the day it was first seen. */
export const refusedFieldsName = (p: Platform): string => `refused-fields:${p}`;
