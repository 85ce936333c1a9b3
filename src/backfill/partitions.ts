// Where a dump is and which partitions it has. A dump is `models/<YYYY-MM-DD>/models.{parquet,csv}` (the layout of
// hfmlsoc/hub_weekly_snapshots, research/anchors.md §12), in a local folder or in a Hub dataset repository reached
// over HTTP(S): `<hub>/datasets/<owner>/<name>`, listed with @huggingface/hub's listFiles (the tree API) and read
// through `<hub>/datasets/<owner>/<name>/resolve/<revision>/<path>`.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { listFiles } from '@huggingface/hub';
import { InputError } from '../errors.js';

/** A bad --dump, --since or --until: exit code 2, as for every bad argument (README, "Exit codes"). */
const badArgument = (message: string): InputError => new InputError(message, { exitCode: 2 });
import type { DumpFormat } from './reader.js';

/** The Hub's weekly mirror of the metadata dumps, from 2024-07-24 (research/anchors.md §12; ODbL-1.0). */
export const HUB_WEEKLY_SNAPSHOTS = 'hfmlsoc/hub_weekly_snapshots';

export type DumpLocation =
  | { kind: 'dir'; dir: string; name: string }
  | { kind: 'hub'; hubUrl: string; repo: string; revision: string; name: string };

export interface Partition {
  date: string;
  format: DumpFormat;
  /** Path inside the dump (`models/<date>/models.parquet`). */
  path: string;
  /** Local file, or the URL of the file on the Hub. */
  source: string;
  size: number | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PARTITION = /^models\/(\d{4}-\d{2}-\d{2})\/models\.(parquet|csv)$/;

/** `--dump DIR|URL`: a URL names a Hub dataset (`https://huggingface.co/datasets/hfmlsoc/hub_weekly_snapshots`). */
export function parseDumpLocation(dump: string): DumpLocation {
  if (/^https?:\/\//i.test(dump)) {
    let url: URL;
    try {
      url = new URL(dump);
    } catch {
      throw badArgument(
        `--dump ${dump} is not a URL. Give a folder, or a Hub dataset URL such as https://huggingface.co/datasets/hfmlsoc/hub_weekly_snapshots.`,
      );
    }
    const m = /^\/datasets\/([^/]+)\/([^/]+)(?:\/tree\/([^/]+))?\/?$/.exec(url.pathname);
    if (!m) {
      throw badArgument(
        `--dump ${dump} does not name a Hub dataset. Use <hub>/datasets/<owner>/<name> (optionally /tree/<revision>), e.g. https://huggingface.co/datasets/hfmlsoc/hub_weekly_snapshots.`,
      );
    }
    const repo = `${m[1]}/${m[2]}`;
    return { kind: 'hub', hubUrl: url.origin, repo, revision: m[3] ?? 'main', name: repo };
  }
  const dir = resolve(dump);
  return { kind: 'dir', dir, name: dir };
}

function inRange(date: string, since?: string, until?: string): boolean {
  return (since === undefined || date >= since) && (until === undefined || date <= until);
}

/** Parquet is preferred where a date has both (it can be read by column). */
function pick(found: Partition[]): Partition[] {
  const byDate = new Map<string, Partition>();
  for (const p of found) {
    const cur = byDate.get(p.date);
    if (!cur || (cur.format === 'csv' && p.format === 'parquet')) byDate.set(p.date, p);
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
}

export async function listPartitions(
  loc: DumpLocation,
  opts: { since?: string; until?: string; token?: string | null; fetch?: typeof fetch } = {},
): Promise<Partition[]> {
  for (const [flag, v] of [
    ['--since', opts.since],
    ['--until', opts.until],
  ] as const) {
    if (v !== undefined && !DATE.test(v)) throw badArgument(`${flag} ${v} is not a date; use YYYY-MM-DD.`);
  }
  const found: Partition[] = [];
  if (loc.kind === 'dir') {
    const models = join(loc.dir, 'models');
    let dates: string[];
    try {
      dates = await readdir(models);
    } catch {
      throw badArgument(
        `--dump ${loc.dir} has no models/ folder. Point it at a dump laid out as models/<YYYY-MM-DD>/models.parquet.`,
      );
    }
    for (const date of dates) {
      if (!DATE.test(date) || !inRange(date, opts.since, opts.until)) continue;
      for (const format of ['parquet', 'csv'] as const) {
        const file = join(models, date, `models.${format}`);
        const st = await stat(file).catch(() => null);
        if (st?.isFile())
          found.push({ date, format, path: `models/${date}/models.${format}`, source: file, size: st.size });
      }
    }
    return pick(found);
  }
  for await (const entry of listFiles({
    repo: { type: 'dataset', name: loc.repo },
    path: 'models',
    recursive: true,
    revision: loc.revision,
    hubUrl: loc.hubUrl,
    ...(opts.token ? { accessToken: opts.token } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })) {
    if (entry.type !== 'file') continue;
    const m = PARTITION.exec(entry.path);
    if (!m || !inRange(m[1]!, opts.since, opts.until)) continue;
    found.push({
      date: m[1]!,
      format: m[2] as DumpFormat,
      path: entry.path,
      source: `${loc.hubUrl}/datasets/${loc.repo}/resolve/${encodeURIComponent(loc.revision)}/${entry.path}`,
      size: entry.lfs?.size ?? entry.size ?? null,
    });
  }
  return pick(found);
}
