// Where snapshots live on disk and how they are read back. Files are the published artefact; the store is the
// source they are rebuilt from.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../fsutil.js';
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
  let names: string[];
  try {
    names = await readdir(snapshotsDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((n) => DATE_FILE.exec(n)?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
}

export async function readSnapshot(dataDir: string, date: string): Promise<Snapshot | null> {
  try {
    return JSON.parse(await readFile(snapshotPath(dataDir, date), 'utf8')) as Snapshot;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function writeSnapshot(dataDir: string, snapshot: Snapshot): Promise<string> {
  const path = snapshotPath(dataDir, snapshot.date);
  await writeJsonAtomic(path, snapshot);
  return path;
}
