// The platform simulator: three real loopback HTTP servers (Hugging Face, ModelScope, WiseModel) over one seeded
// universe that evolves by simulated day. Tests, the demo and benchmarks talk to it exactly as to the real sites.
import { DumpRepoServer, type DumpServeOptions } from './dumps-http.js';
import { HfApi } from './hf.js';
import {
  PlatformContext,
  type PlatformName,
  type PlatformServer,
  type RequestHold,
  type SimFaults,
  startPlatformServer,
} from './http.js';
import { MsApi } from './modelscope.js';
import { dateOfDayNumber } from '../time.js';
import { Universe } from './universe.js';
import { ANCHOR_DAY } from './universe-shared.js';
import { WmSite, type WisemodelForm } from './wisemodel.js';

export type { SimFaults, PlatformName, RequestHold, RequestInfo } from './http.js';
export type { WisemodelForm } from './wisemodel.js';
export type { DumpServeOptions, DumpCounters } from './dumps-http.js';
export { DumpRepoServer } from './dumps-http.js';
export { Universe } from './universe.js';
export { ANCHOR_DAY, HORIZON_DAYS } from './universe-shared.js';
export type { Totals, HfEvent } from './universe.js';

export interface SimOptions {
  seed?: number;
  /** Catalogue size on Hugging Face at the anchor day; ModelScope ≈ 25 % and WiseModel ≈ 3 % of it. */
  models?: number;
  /** YYYY-MM-DD simulated day, default '2026-11-20'. */
  day?: string;
  /** Hugging Face port; ModelScope = port+1, WiseModel = port+2; 0 = a free port each. */
  port?: number;
  faults?: Partial<Record<PlatformName, SimFaults>>;
  wisemodelForm?: WisemodelForm;
  /** Share of HF models whose all-time count dips on a given day (default 0.0005). */
  allTimeAnomalyRate?: number;
  registryPath?: string;
  /**
   * Serve a dump folder (src/sim/dumps.ts writeDumpFolder) as a Hub dataset repository on the Hugging Face port:
   * tree listing, resolve with its CDN redirect, Range (src/sim/dumps-http.ts).
   */
  dumps?: DumpServeOptions;
  /** The wait of a slow answer (`SimFaults.slowRate`); default a real timer. Tests pass one they control. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SimDumps {
  /** The dataset's base URL, e.g. http://127.0.0.1:7000/datasets/hfmlsoc/hub_weekly_snapshots. */
  url: string;
  /** Its routes and counters (bytesServed, counts, resetCounters). */
  server: DumpRepoServer;
}

export interface Sim {
  urls: { huggingface: string; modelscope: string; wisemodel: string };
  setDay(day: string): void;
  day(): string;
  setFaults(platform: PlatformName, faults: SimFaults): void;
  faults(platform: PlatformName): SimFaults;
  requestCount(platform: PlatformName): number;
  /**
   * Holds the platform's n-th request from now (default the next) before it is answered, until released: a test
   * acts while a client waits at a known point of its walk (kills it, signals it) instead of guessing with a timer.
   */
  holdRequest(platform: PlatformName, n?: number): RequestHold;
  setWisemodelForm(form: WisemodelForm): void;
  /** Inspection for tests and benchmarks (expected totals, events); the code under test must not read it. */
  readonly universe: Universe;
  /** The served dump folder, when SimOptions.dumps was given. */
  readonly dumps: SimDumps | null;
  close(): Promise<void>;
}

/** Hugging Face's anonymous API quota: 500 requests per 5-minute fixed window (research/hf.md §4). */
export const HF_DEFAULT_RATE_LIMIT = { max: 500, windowMs: 300_000 } as const;

/** A platform's faults with its defaults filled in: only HF has one (its rate limit); `null` switches it off. */
export function withDefaults(platform: PlatformName, f: SimFaults = {}): SimFaults {
  if (platform === 'huggingface' && f.rateLimit === undefined) return { ...f, rateLimit: { ...HF_DEFAULT_RATE_LIMIT } };
  return { ...f };
}

export async function startSim(opts: SimOptions = {}): Promise<Sim> {
  const seed = opts.seed ?? 42;
  const universe = new Universe({
    seed,
    models: opts.models ?? 20_000,
    allTimeAnomalyRate: opts.allTimeAnomalyRate,
    registryPath: opts.registryPath,
  });
  let dayN = universe.checkDay(opts.day ?? ANCHOR_DAY);
  let form: WisemodelForm = opts.wisemodelForm ?? 'mixed';
  const admin = {
    setDay: (d: string): void => {
      dayN = universe.checkDay(d);
    },
    day: (): string => dateOfDayNumber(dayN),
  };
  const getDay = (): number => dayN;
  const ctx: Record<PlatformName, PlatformContext> = {
    huggingface: new PlatformContext('huggingface', seed, withDefaults('huggingface', opts.faults?.huggingface)),
    modelscope: new PlatformContext('modelscope', seed, withDefaults('modelscope', opts.faults?.modelscope)),
    wisemodel: new PlatformContext('wisemodel', seed, withDefaults('wisemodel', opts.faults?.wisemodel)),
  };
  // Admin POST /__sim/faults goes through the same defaults as setFaults.
  for (const p of Object.keys(ctx) as PlatformName[]) {
    const c = ctx[p];
    if (opts.sleep) c.sleep = opts.sleep;
    const raw = c.setFaults.bind(c);
    c.setFaults = (f: SimFaults) => raw(withDefaults(p, f));
  }
  const port = opts.port ?? 0;
  const dumpServer = opts.dumps ? new DumpRepoServer(opts.dumps) : null;
  const hfApi = new HfApi(universe, getDay);
  const servers: PlatformServer[] = [];
  try {
    servers.push(await startPlatformServer(dumpServer ? dumpServer.wrap(hfApi) : hfApi, ctx.huggingface, admin, port));
    servers.push(await startPlatformServer(new MsApi(universe, getDay), ctx.modelscope, admin, port ? port + 1 : 0));
    servers.push(
      await startPlatformServer(new WmSite(universe, getDay, () => form), ctx.wisemodel, admin, port ? port + 2 : 0),
    );
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  const [hf, ms, wm] = servers as [PlatformServer, PlatformServer, PlatformServer];
  return {
    urls: { huggingface: hf.url, modelscope: ms.url, wisemodel: wm.url },
    setDay: admin.setDay,
    day: admin.day,
    setFaults: (p, f) => ctx[p].setFaults(f),
    faults: (p) => ({ ...ctx[p].faults }),
    requestCount: (p) => ctx[p].requests,
    holdRequest: (p, n = 1) => ctx[p].hold(n),
    setWisemodelForm: (f) => {
      form = f;
    },
    universe,
    dumps: dumpServer ? { url: dumpServer.datasetUrl(hf.url), server: dumpServer } : null,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
