// The command line as a user meets it: real processes, real exit codes, real files.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/config.js';
import { startSim, type Sim } from '../src/sim/index.js';
import { withJsonFile } from './support/temp.js';

// The CLI's output is read as the loose JSON it prints; the assertions are the type check.
/* eslint-disable @typescript-eslint/no-explicit-any */
const run = promisify(execFile);
const SAMPLES = join(PROJECT_ROOT, 'tests', 'fixtures', 'samples'); // real payloads, see tests/fixtures/README.md

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function hubwatch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      maxBuffer: 64 * 2 ** 20,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `hubwatch inspect` on one payload file, with the records it printed (one JSON object a line) read back. */
async function inspect(platform: string, file: string): Promise<Result & { records: Array<Record<string, any>> }> {
  const r = await hubwatch(['inspect', '--platform', platform, file]);
  const lines = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n');
  return { ...r, records: lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('hubwatch command line', () => {
  it('prints help for every command', async () => {
    const top = await hubwatch(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of [
      'run',
      'start',
      'worker',
      'serve',
      'snapshot',
      'digest',
      'inspect',
      'sim',
      'status',
      'orgs',
      'schema',
    ]) {
      expect(top.stdout).toContain(cmd);
    }
    for (const cmd of [['run'], ['snapshot'], ['inspect'], ['sim'], ['digest'], ['orgs', 'unknown'], ['worker']]) {
      const r = await hubwatch([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: hubwatch/);
    }
  }, 120_000);

  it('names a bad environment variable and exits 2', async () => {
    const r = await hubwatch(['run', '--once', '--date', '2026-11-20'], { HUBWATCH_HF_URL: 'not a url' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('HUBWATCH_HF_URL');
    const r2 = await hubwatch(['run', '--once'], { REDIS_URL: 'http://x' });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('REDIS_URL');
  }, 60_000);

  it('names a bad embedded-store setting and exits 2 before opening the store', async () => {
    const memory = await hubwatch(['run', '--once', '--date', '2026-11-20'], { HUBWATCH_DUCKDB_MEMORY: 'lots' });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(/HUBWATCH_DUCKDB_MEMORY has a bad value: must be a size such as '192MB'/);
    const threads = await hubwatch(['run', '--once', '--date', '2026-11-20'], { HUBWATCH_DUCKDB_THREADS: '0' });
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain('HUBWATCH_DUCKDB_THREADS');
    expect((await hubwatch(['run', '--once'], { HUBWATCH_DUCKDB_THREADS: 'two' })).stderr).toMatch(
      /whole number of threads/,
    );
  }, 60_000);

  it('names a bad config key and exits 2', async () => {
    await withJsonFile('bad.json', { sources: { huggingface: { pageSize: 5000 } } }, async (file, dir) => {
      const r = await hubwatch(['run', '--once'], { HUBWATCH_CONFIG: file, HUBWATCH_DATA_DIR: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('sources.huggingface.pageSize');
    });
  }, 60_000);

  it('rejects a malformed date with exit code 2', async () => {
    const r = await hubwatch(['snapshot', '--date', '2026-13-45']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/YYYY-MM-DD/);
  }, 60_000);

  it('inspects the real ModelScope sample: 30 records with licence, lineage and origin', async () => {
    const r = await inspect('modelscope', join(SAMPLES, 'modelscope', 'dolphin-models-put-response.lora-search.json'));
    expect(r.code).toBe(0);
    const lines = r.records;
    expect(lines).toHaveLength(30);
    for (const rec of lines) {
      expect(rec.key).toMatch(/^modelscope:/);
      expect(rec.license.id).toBeTruthy();
      expect(rec.license.class).not.toBe(undefined);
      expect(rec.lineage.relation).toBeTruthy();
      expect(rec.origin.basis).toBeTruthy();
    }
    // 29 of the 30 are adapters of a base named in BaseModel: their origin comes from that base, directly or (for
    // bases in mirror namespaces such as MusePublic/Qwen-image) from the name of the mirrored model.
    const derived = lines.filter((l) => l.lineage.relation === 'adapter');
    expect(derived.length).toBeGreaterThanOrEqual(29);
    expect(derived.every((l) => ['lineage', 'repo-name'].includes(l.origin.basis))).toBe(true);
    expect(derived.filter((l) => l.origin.country !== 'ZZ').length).toBeGreaterThanOrEqual(27);
    // The base ids keep no revision suffix (MusePublic/Qwen-image@v1 is stored as MusePublic/Qwen-image).
    expect(derived.flatMap((l) => l.lineage.baseModels).every((k: string) => !k.includes('@'))).toBe(true);
  }, 60_000);

  it('inspects the real Hugging Face list and detail payloads', async () => {
    const list = await inspect('huggingface', join(SAMPLES, 'hf', 'list-models-default.burncloud-2025-11.json'));
    expect(list.code).toBe(0);
    const recs = list.records;
    expect(recs.map((r) => r.id)).toEqual(['moonshotai/Kimi-K2-Thinking', 'MiniMaxAI/MiniMax-M2']);
    expect(recs[1]!.license.id).toBe('MIT');
    expect(recs.every((r) => r.origin.country === 'CN')).toBe(true);

    const detail = await inspect(
      'huggingface',
      join(SAMPLES, 'hf', 'model-info-default.ggml-org_gemma-3-1b-it-GGUF.json'),
    );
    expect(detail.code).toBe(0);
    expect(detail.records).toHaveLength(1);
    const d = detail.records[0]!;
    expect(d.lineage.relation).toBe('quantized');
    expect(d.lineage.baseModels).toEqual(['huggingface:google/gemma-3-1b-it']);
    expect(d.origin.org).toMatch(/Google/);
    expect(d.license.class).toBe('open-restricted');
  }, 60_000);

  it('reports items that fail validation on stderr and still prints the rest', async () => {
    const page = [
      {
        _id: 'a1',
        id: 'Qwen/Qwen3-8B',
        createdAt: '2026-01-01T00:00:00.000Z',
        downloads: 5,
        likes: 1,
        tags: ['license:apache-2.0'],
      },
      { _id: 'a2', createdAt: 'yesterday', downloads: 'many', tags: 'x' },
    ];
    await withJsonFile('page.json', page, async (file, dir) => {
      const r = await inspect('huggingface', file);
      expect(r.code).toBe(0);
      expect(r.records).toHaveLength(1);
      expect(r.stderr).toMatch(/"index":1/);
      const missing = await inspect('huggingface', join(dir, 'nope.json'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/cannot read/);
    });
  }, 60_000);

  it('checks the shipped registry clean', async () => {
    const r = await hubwatch(['orgs', 'check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/registry OK/);
  }, 60_000);

  describe('against a simulated day', () => {
    let sim: Sim;
    let dir: string;
    beforeAll(async () => {
      sim = await startSim({ seed: 5, models: 2000, day: '2026-11-20', port: 0 });
      dir = await mkdtemp(join(tmpdir(), 'hubwatch-cli-sim-'));
    });
    afterAll(async () => {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('runs a cycle, rebuilds the snapshot, and lists unknown namespaces by downloads', async () => {
      const env = { HUBWATCH_HF_URL: sim.urls.huggingface, HUBWATCH_DATA_DIR: dir };
      const once = await hubwatch(['run', '--once', '--date', '2026-11-20', '--sources', 'huggingface'], env);
      expect(once.code, once.stderr).toBe(0);
      const summary = JSON.parse(once.stdout.trim()) as { snapshot: string; sweeps: Array<{ complete: boolean }> };
      expect(summary.sweeps[0]!.complete).toBe(true);

      const rebuilt = await hubwatch(['snapshot', '--date', '2026-11-20'], env);
      expect(rebuilt.code).toBe(0);
      expect(rebuilt.stdout.trim()).toBe(summary.snapshot);

      const none = await hubwatch(['snapshot', '--date', '2026-11-01'], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/No stats are stored for 2026-11-01/);

      const unknown = await hubwatch(['orgs', 'unknown', '--date', '2026-11-20', '--top', '5'], env);
      expect(unknown.code, unknown.stderr).toBe(0);
      const rows = unknown.stdout.split('\n').filter((l) => /%\s+\d+\s+\d+\s+huggingface/.test(l));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(5);
      const downloads = rows.map((l) => Number(l.trim().split(/\s+/)[1]));
      expect([...downloads].sort((a, b) => b - a)).toEqual(downloads);
    }, 180_000);
  });
});
