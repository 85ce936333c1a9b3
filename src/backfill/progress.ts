// What a backfill says while it runs: a progress bar on a terminal (cli-progress, on stderr so stdout stays the
// result), structured pino lines otherwise (one per partition start and end, and one every PROGRESS_LOG_ROWS rows).
import cliProgress from 'cli-progress';
import type { Logger } from '../log.js';

export interface BackfillProgress {
  partitionStarted(info: { date: string; index: number; of: number; path: string; size: number | null }): void;
  rows(info: { date: string; rows: number; bytesRead: number }): void;
  partitionDone(info: { date: string; rows: number; bytesRead: number; flags: string[]; seconds: number }): void;
  stop(): void;
}

const PROGRESS_LOG_ROWS = 500_000;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A bar when `tty`, else log lines. */
export function backfillProgress(logger: Logger, tty: boolean): BackfillProgress {
  if (!tty) {
    let logged = 0;
    return {
      partitionStarted: (i) => {
        logged = 0;
        logger.info(
          { date: i.date, partition: i.path, index: i.index, of: i.of, size: i.size },
          'backfill: partition started',
        );
      },
      rows: (i) => {
        if (i.rows - logged < PROGRESS_LOG_ROWS) return;
        logged = i.rows;
        logger.info({ date: i.date, rows: i.rows, bytesRead: i.bytesRead }, 'backfill: rows committed');
      },
      partitionDone: (i) => logger.info({ ...i }, 'backfill: partition done'),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: '{date} [{bar}] partition {index}/{of} · {rows} rows · {read} read · {rate} rows/s',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  let at = { index: 0, of: 0 };
  return {
    partitionStarted: (i) => {
      at = { index: i.index, of: i.of };
      started = performance.now();
      if (i.index === 1) bar.start(i.of, 0, { date: i.date, ...at, rows: 0, read: mb(0), rate: 0 });
      bar.update(i.index - 1, { date: i.date, ...at, rows: 0, read: mb(0), rate: 0 });
    },
    rows: (i) => {
      const s = (performance.now() - started) / 1000;
      bar.update({
        date: i.date,
        ...at,
        rows: i.rows.toLocaleString('en'),
        read: mb(i.bytesRead),
        rate: s > 0 ? Math.round(i.rows / s) : 0,
      });
    },
    partitionDone: (i) =>
      bar.update(at.index, { date: i.date, ...at, rows: i.rows.toLocaleString('en'), read: mb(i.bytesRead) }),
    stop: () => bar.stop(),
  };
}

/** Says nothing (tests, benches). */
export const silentProgress: BackfillProgress = {
  partitionStarted: () => {},
  rows: () => {},
  partitionDone: () => {},
  stop: () => {},
};
