// Commit and streaming throughput of both engines, for the figures in the store's report. Not part of the suite
// (timings on a shared machine are not assertions): `npx tsx tests/store/bench.ts [models] [duckdb|postgres]`.
import { drain, duckdbHarness, postgresHarness, record } from './fixtures.js';

const N = Number(process.argv[2] ?? 20_000);
const only = process.argv[3];
const PAGE = 1000;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

for (const make of [duckdbHarness, postgresHarness]) {
  const h = make();
  if (only && h.name !== only) {
    await h.destroy();
    continue;
  }
  const store = await h.open();
  try {
    const models = Array.from({ length: N }, (_, i) =>
      record(i % 2 ? 'huggingface' : 'modelscope', `org${i % 97}/model-${i}`, {
        downloadsAllTime: i,
        downloads30d: i % 2 ? i : null,
      }),
    );
    const days = ['2025-10-05', '2025-11-03', '2025-11-04'];
    const perDay: Record<string, number[]> = {};
    for (const date of days) {
      const times: number[] = [];
      for (let i = 0; i < N; i += PAGE) {
        const t = performance.now();
        await store.commitPage({
          date,
          platform: 'huggingface',
          models: models.slice(i, i + PAGE),
          quarantine: [],
          coverage: { pages: 1, modelsSeen: PAGE },
          checkpoint: { name: `sweep:${date}`, value: { page: i / PAGE } },
        });
        times.push(performance.now() - t);
      }
      perDay[date] = times;
    }
    // DuckDB stages commits and merges them before the first read; timed on its own so the stream figure is the
    // stream's (PostgreSQL has nothing to merge: this is one cheap query there).
    const tm = performance.now();
    await store.statsDates();
    const mergeMs = performance.now() - tm;
    const t0 = performance.now();
    const { rows } = await drain(store.streamSnapshotRows('2025-11-04', '2025-11-03'));
    const streamMs = performance.now() - t0;
    const t1 = performance.now();
    const keys = await drain(store.streamDerivativeKeys());
    const keysMs = performance.now() - t1;
    console.log(
      JSON.stringify({
        engine: h.name,
        models: N,
        commitMsPer1000: {
          firstDay_insert: +median(perDay[days[0]!]!).toFixed(1),
          laterDays_update: +median([...perDay[days[1]!]!, ...perDay[days[2]!]!]).toFixed(1),
          min: +Math.min(...Object.values(perDay).flat()).toFixed(1),
        },
        firstReadAfterCommits: { ms: Math.round(mergeMs), msPer1000: +((mergeMs / (3 * N)) * 1000).toFixed(1) },
        streamSnapshotRows: {
          rows: rows.length,
          ms: Math.round(streamMs),
          rowsPerSec: Math.round(rows.length / (streamMs / 1000)),
        },
        streamDerivativeKeys: { keys: keys.rows.length, ms: Math.round(keysMs) },
      }),
    );
  } finally {
    await store.close();
    await h.destroy();
  }
}
