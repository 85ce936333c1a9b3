// The refactoring guard (issue 18, "no behaviour change"): a seeded simulated fortnight, all three platforms,
// through the real cycle (runOnce: poll → sweep → lineage → snapshot) against the simulator over loopback HTTP,
// into the embedded DuckDB store. Every day's snapshot file must equal its golden byte for byte.
//
// Goldens (tests/snapshot/golden/fortnight/): `hashes.json`, the SHA-256 of each day's file, and the last day's
// file in full. Fourteen whole files were 3.3 MB (about 230 KB a day, mostly share lists and licence tables per
// country, which do not shrink with the universe), and every regeneration would add that to the history; the hashes
// catch any byte on any day, the last day (which carries every earlier day's effects) shows the diff in review, and
// a failing run writes all fourteen files it made to .tmp/fortnight/ to compare.
// Rewrite them from the current tree with:  UPDATE_GOLDEN=1 npx vitest run tests/snapshot/fortnight.test.ts
//
// What keeps it deterministic: a fixed seed and universe; fixed simulated days, all before the day this guard was
// written, so runClock stamps the end of each day instead of the wall clock (src/cycle/run.ts); the simulator's
// rate limiter (a wall-clock window) switched off, so request and 429 counts do not depend on speed; no export
// hooks (src/exports.ts is not imported: the static export is not what this guards); the generator string and the
// simulator's ports (free ports, named in WiseModel's coverage notes) masked.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { openRuntime, runOnce, type Runtime } from '../../src/cycle/run.js';
import { snapshotPath } from '../../src/snapshot/files.js';
import { startSim, type Sim } from '../../src/sim/index.js';
import { addDays } from '../../src/time.js';

const SEED = 18;
/** Hugging Face models at the anchor day; ModelScope gets about a quarter and WiseModel a few percent of it. */
const MODELS = 600;
const FIRST_DAY = '2026-11-20'; // the simulator's anchor day; its scripted events (renames, deletions…) follow it
const DAYS = Array.from({ length: 14 }, (_, i) => addDays(FIRST_DAY, i));

const GOLDEN_DIR = join(PROJECT_ROOT, 'tests', 'snapshot', 'golden', 'fortnight');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const UPDATE_HINT =
  'If the change is intended, rewrite the goldens with `UPDATE_GOLDEN=1 npx vitest run tests/snapshot/fortnight.test.ts` and review their diff.';

/**
 * The generator names the release that wrote the file (a version bump changes it), not a figure: it is checked
 * for its form and masked, so that the guard speaks only about behaviour.
 */
const GENERATOR_LINE = /^ {2}"generator": "(hubwatch [^"]+)",$/m;
const GENERATOR_PLACEHOLDER = '  "generator": "hubwatch <version>",';

/** The bytes compared: the file with its generator and the simulator's base URLs (free ports) masked. */
function masked(text: string, day: string, sim: Sim): string {
  const m = GENERATOR_LINE.exec(text);
  expect(m, `${day}: the snapshot has no top-level "generator": "hubwatch …" line`).not.toBeNull();
  let out = text.replace(GENERATOR_LINE, GENERATOR_PLACEHOLDER);
  for (const [platform, url] of Object.entries(sim.urls)) out = out.replaceAll(url, `http://sim-${platform}`);
  return out;
}

const HASHES_FILE = join(GOLDEN_DIR, 'hashes.json');
const LAST_DAY = DAYS[DAYS.length - 1]!;
const LAST_DAY_FILE = join(GOLDEN_DIR, `${LAST_DAY}.json`);
/** Where a failing run leaves the files it made (git-ignored), to diff against a run of the previous tree. */
const FAILED_RUN_DIR = join(PROJECT_ROOT, '.tmp', 'fortnight');

interface Hashes {
  algorithm: 'sha256';
  days: Record<string, string>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The first line that differs, with a little context, so the failure says where without a 10,000-line diff. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const n = Math.max(e.length, a.length);
  for (let i = 0; i < n; i += 1) {
    if (e[i] === a[i]) continue;
    const from = Math.max(0, i - 3);
    const show = (lines: string[]) =>
      lines
        .slice(from, i + 2)
        .map((l, k) => `${String(from + k + 1).padStart(6)} | ${l}`)
        .join('\n');
    return `first difference at line ${i + 1}\n--- golden\n${show(e)}\n+++ now\n${show(a)}`;
  }
  return 'no line differs (a trailing byte or line ending does)';
}

describe('a seeded simulated fortnight', () => {
  let sim: Sim;
  let dir: string;
  let rt: Runtime;

  beforeAll(async () => {
    const rateLimit = null;
    sim = await startSim({
      seed: SEED,
      models: MODELS,
      day: FIRST_DAY,
      port: 0,
      faults: { huggingface: { rateLimit }, modelscope: { rateLimit }, wisemodel: { rateLimit } },
    });
    dir = await mkdtemp(join(tmpdir(), 'hubwatch-fortnight-'));
    const fast = { maxRetries: 2, backoffMs: 5, delayMs: 0, respectRobots: false };
    const config = loadConfig(
      {
        HUBWATCH_HF_URL: sim.urls.huggingface,
        HUBWATCH_MODELSCOPE_URL: sim.urls.modelscope,
        HUBWATCH_WISEMODEL_URL: sim.urls.wisemodel,
        HUBWATCH_DATA_DIR: dir,
        LOG_LEVEL: 'silent',
      },
      { sources: { huggingface: { ...fast, pageSize: 500 }, modelscope: fast, wisemodel: fast } },
    );
    expect(config.databaseUrl, 'the guard runs on the embedded DuckDB store').toBeNull();
    rt = await openRuntime(config, silentLogger);
  });
  afterAll(async () => {
    await rt?.close();
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the same snapshot bytes, day by day, as the goldens', async () => {
    const made = new Map<string, string>();
    for (const day of DAYS) {
      sim.setDay(day);
      await runOnce(rt, { date: day });
      made.set(day, masked(await readFile(snapshotPath(dir, day), 'utf8'), day, sim));
    }
    const hashes: Hashes = { algorithm: 'sha256', days: Object.fromEntries([...made].map(([d, t]) => [d, sha256(t)])) };

    if (UPDATE) {
      await rm(GOLDEN_DIR, { recursive: true, force: true }); // no stale last-day file after the fortnight moves
      await mkdir(GOLDEN_DIR, { recursive: true });
      await writeFile(HASHES_FILE, `${JSON.stringify(hashes, null, 2)}\n`);
      await writeFile(LAST_DAY_FILE, made.get(LAST_DAY)!);
      return;
    }

    const goldenHashes = await readIfExists(HASHES_FILE);
    const goldenLast = await readIfExists(LAST_DAY_FILE);
    const problems: string[] = [];
    if (goldenHashes === null || goldenLast === null) {
      problems.push(`the goldens are missing (${HASHES_FILE}, ${LAST_DAY_FILE})`);
    } else {
      const expected = (JSON.parse(goldenHashes) as Hashes).days;
      for (const day of DAYS) {
        if (expected[day] === undefined) problems.push(`${day}: no hash in ${HASHES_FILE}`);
        else if (expected[day] !== hashes.days[day])
          problems.push(`${day}: the snapshot's bytes differ from the golden hash`);
      }
      const last = made.get(LAST_DAY)!;
      if (goldenLast !== last) problems.push(`${LAST_DAY}: ${firstDifference(goldenLast, last)}`);
    }
    if (problems.length > 0) {
      await rm(FAILED_RUN_DIR, { recursive: true, force: true });
      await mkdir(FAILED_RUN_DIR, { recursive: true });
      for (const [day, text] of made) await writeFile(join(FAILED_RUN_DIR, `${day}.json`), text);
      problems.push(`This run's fourteen files are in ${FAILED_RUN_DIR}.`);
    }
    expect(problems, `${problems.join('\n')}\n\n${UPDATE_HINT}`).toEqual([]);
  }, 600_000);
});
