// Turns the `hubwatch sim` command-line switches into simulator faults.
import type { PlatformName, SimFaults } from './http.js';

/** The fault mix `--faults` turns on: rare enough that a run completes, frequent enough that every path is hit. */
export const DEMO_FAULTS: SimFaults = {
  error5xxRate: 0.02,
  slowRate: 0.02,
  slowMs: 800,
  truncateRate: 0.01,
  malformedRate: 0.005,
  hostileRate: 0.01,
};

/** `max/seconds` (e.g. `500/300`), or `off`/`none`/`0` for no limit. */
export function parseRateLimit(s: string): { max: number; windowMs: number } | null {
  if (/^(off|none|0)$/i.test(s.trim())) return null;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new Error(`--rate-limit must look like 500/300 or "off", got ${JSON.stringify(s)}`);
  return { max: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

export function simFaultsFromFlags(flags: {
  faults: boolean;
  rateLimit: string;
}): Partial<Record<PlatformName, SimFaults>> {
  const base: SimFaults = flags.faults ? { ...DEMO_FAULTS } : {};
  return {
    huggingface: { ...base, rateLimit: parseRateLimit(flags.rateLimit) },
    modelscope: { ...base, ...(flags.faults ? { businessErrorRate: 0.01 } : {}) },
    wisemodel: { ...base },
  };
}
