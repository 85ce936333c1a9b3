// Throughput guard for the hot path (bench/normalise.ts prints the full 1,000,000-record figure). 100,000 records
// are normalised and the CPU time extrapolated: the target is < 10 s per million; the assertion allows 2.5× for
// this shared, heavily loaded machine, so it catches a real regression (a zod parse or a regex compiled per
// record costs far more) without flaking on noise.
import { describe, expect, it } from 'vitest';
import { benchNormalise } from '../../bench/normalise.js';

describe('normalise throughput', () => {
  it('100,000 HF-like records: extrapolated CPU time for 1M under 25 s', () => {
    benchNormalise(20_000); // warm-up: JIT and the registry load
    const r = benchNormalise(100_000);
    const cpuPerMillion = (r.cpuMs / r.n) * 1000;
    console.log(`normalise: 100,000 records in ${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU → ${cpuPerMillion.toFixed(1)} s CPU per 1M`);
    expect(cpuPerMillion).toBeLessThan(25);
  }, 120_000);
});
