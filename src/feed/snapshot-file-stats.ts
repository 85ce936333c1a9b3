// Which snapshot files exist and what their metric blocks hold, re-read only when the file system says they
// changed. Every snapshot-backed answer (and the ETag of every answer) keys on the generation kept here, so the
// snapshots directory is stat'ed at most once per interval however many requests come in.
import { stat } from 'node:fs/promises';
import { listSnapshotDates, readSnapshot, snapshotMtimeNs, snapshotsDir } from '../snapshot/files.js';
import type { Snapshot } from '../snapshot/types.js';

interface MetricsCacheEntry {
  mtimeNs: bigint;
  metrics: Snapshot['metrics'] | null;
}

/** Metric blocks kept in memory: about three years of daily files, so a long share series is read from disk once. */
const MAX_METRICS_CACHE = 1100;

export class SnapshotFileStats {
  private manualGeneration = 0;
  private dirGeneration = 'none';
  /** manualGeneration.dirGeneration, rebuilt when either changes rather than on every request. */
  private gen = '0.none';
  private lastStat = 0;
  private statting: Promise<void> | null = null;
  private datesCache: { gen: string; dates: Promise<string[]> } | null = null;
  private readonly metricsCache = new Map<string, MetricsCacheEntry>();

  constructor(
    private readonly dataDir: string,
    /** How often the snapshots directory may be stat'ed for a new file, in ms. */
    private readonly statIntervalMs: number,
  ) {}

  /**
   * Changes whenever a snapshot file is written or invalidate() is called. Writes are atomic renames into the
   * snapshots directory, and a rename updates the directory's mtime, so one stat notices any new or rebuilt file.
   */
  async generation(): Promise<string> {
    const now = Date.now();
    if (now - this.lastStat >= this.statIntervalMs) {
      this.statting ??= this.statDir(now).finally(() => {
        this.statting = null;
      });
      await this.statting;
    }
    return this.gen;
  }

  /** The generation without waiting, or null when the directory is due for a stat (then await generation()). */
  currentGeneration(): string | null {
    return Date.now() - this.lastStat < this.statIntervalMs ? this.gen : null;
  }

  invalidate(): void {
    this.manualGeneration += 1;
    this.gen = `${this.manualGeneration}.${this.dirGeneration}`;
    this.lastStat = 0;
    this.metricsCache.clear();
  }

  private async statDir(now: number): Promise<void> {
    try {
      const s = await stat(snapshotsDir(this.dataDir), { bigint: true });
      this.dirGeneration = `${s.mtimeNs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.dirGeneration = 'none';
    }
    this.gen = `${this.manualGeneration}.${this.dirGeneration}`;
    this.lastStat = now;
  }

  async dates(): Promise<string[]> {
    const gen = await this.generation();
    if (this.datesCache?.gen !== gen) {
      const dates = listSnapshotDates(this.dataDir);
      this.datesCache = { gen, dates };
      dates.catch(() => {
        if (this.datesCache?.dates === dates) this.datesCache = null;
      });
    }
    return this.datesCache.dates;
  }

  async latestDate(): Promise<string | null> {
    const dates = await this.dates();
    return dates[dates.length - 1] ?? null;
  }

  /** One day's metric blocks, from memory while the file's mtime is unchanged; null when there is no such file. */
  async metricsOf(date: string): Promise<Snapshot['metrics'] | null> {
    const mtimeNs = await snapshotMtimeNs(this.dataDir, date);
    if (mtimeNs === null) return null;
    const hit = this.metricsCache.get(date);
    if (hit && hit.mtimeNs === mtimeNs) return hit.metrics;
    const snap = await readSnapshot(this.dataDir, date);
    const metrics = snap?.metrics ?? null;
    if (this.metricsCache.size >= MAX_METRICS_CACHE) {
      const oldest = this.metricsCache.keys().next().value;
      if (oldest !== undefined) this.metricsCache.delete(oldest);
    }
    this.metricsCache.set(date, { mtimeNs, metrics });
    return metrics;
  }
}
