// Where a snapshot's figures come from, per platform: a live sweep, a public dump's partition (hubwatch backfill), or
// both (live wins per model), which figures the day lacks, and the quality flags raised on it. The backfill keeps a
// record per dump date (the checkpoint named below) and the quality pass one per platform and day (previous.ts).
import type { Platform } from '../model.js';
import type { SnapshotStore } from '../store/types.js';
import { qualityCheckpointName, type StoredQuality } from './previous.js';
import type { FigureSource } from './types.js';

/** The checkpoint holding a date's dump partition record. */
export const dumpPartitionName = (date: string): string => `dump-partition:${date}`;

/** What a date's figures rest on when a dump gave them. */
export interface DumpPartitionRecord {
  dump: string;
  partition: string;
  format: 'parquet' | 'csv';
  license: string | null;
  /** Columns the partition lacks: their figures are null that day. */
  missingColumns: string[];
  rows: number;
  /** Rows left out because the date has a live figure for the model (live wins). */
  liveKept: number;
  /** Rows whose model has a newer stored record: only the day's figures were written. */
  figuresOnly: number;
  bytesRead: number;
  /** Whether the partition was read to its end. */
  complete: boolean;
}

/** Dump columns → the snapshot figures they carry (a missing column leaves these null on the date). */
const FIGURE_OF_COLUMN: Record<string, string> = {
  downloads: 'downloads30d',
  downloadsAllTime: 'downloadsAllTime (and so downloadsDaily)',
  likes: 'likes',
  createdAt: 'newReleases',
  cardData: 'licences and declared base models',
  baseModels: 'base models',
  pipeline_tag: 'task (llm scope)',
  safetensors: 'parameter counts',
};

export async function figureSources(
  store: SnapshotStore,
  date: string,
  platforms: readonly Platform[],
): Promise<Partial<Record<Platform, FigureSource>>> {
  const counts = await store.provenanceCounts(date);
  const dump = await store.getCheckpoint<DumpPartitionRecord>(dumpPartitionName(date));
  const out: Partial<Record<Platform, FigureSource>> = {};
  for (const p of platforms) {
    const rows = counts[p] ?? { live: 0, dump: 0 };
    const quality = await store.getCheckpoint<StoredQuality>(qualityCheckpointName(p, date));
    const fromDump = p === 'huggingface' && dump !== null;
    const provenance: FigureSource['provenance'] =
      rows.dump > 0 && rows.live > 0 ? 'mixed' : rows.dump > 0 ? 'dump' : 'live';
    out[p] = {
      provenance,
      rows,
      ...(fromDump
        ? {
            dump: {
              name: dump.dump,
              partition: dump.partition,
              format: dump.format,
              license: dump.license,
              missingColumns: dump.missingColumns,
              liveKept: dump.liveKept,
              complete: dump.complete,
            },
          }
        : {}),
      missing: fromDump && rows.dump > 0 ? dump.missingColumns.map((c) => FIGURE_OF_COLUMN[c] ?? c) : [],
      flags: quality?.flags ?? [],
    };
  }
  return out;
}
