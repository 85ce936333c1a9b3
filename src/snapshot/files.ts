// Where snapshots live on disk and how they are read back. Files are the published artefact; the store is the
// source they are rebuilt from.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unlessMissing, writeJsonAtomic } from '../fsutil.js';
import type { Snapshot } from './types.js';

const DATE_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

export function snapshotsDir(dataDir: string): string {
  return join(dataDir, 'snapshots');
}

export function snapshotPath(dataDir: string, date: string): string {
  return join(snapshotsDir(dataDir), `${date}.json`);
}

/** Dates that have a snapshot file, ascending. */
export async function listSnapshotDates(dataDir: string): Promise<string[]> {
  const names = (await unlessMissing(readdir(snapshotsDir(dataDir)))) ?? [];
  return names
    .map((n) => DATE_FILE.exec(n)?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
}

export async function readSnapshot(dataDir: string, date: string): Promise<Snapshot | null> {
  const text = await unlessMissing(readFile(snapshotPath(dataDir, date), 'utf8'));
  return text === null ? null : (JSON.parse(text) as Snapshot);
}

/** The snapshot file's modification time in nanoseconds (what readers key their caches on); null when there is none. */
export async function snapshotMtimeNs(dataDir: string, date: string): Promise<bigint | null> {
  return (await unlessMissing(stat(snapshotPath(dataDir, date), { bigint: true })))?.mtimeNs ?? null;
}

export async function writeSnapshot(dataDir: string, snapshot: Snapshot): Promise<string> {
  const path = snapshotPath(dataDir, snapshot.date);
  await writeJsonAtomic(path, snapshot);
  return path;
}
