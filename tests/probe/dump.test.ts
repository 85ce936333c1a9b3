// `hubwatch probe --dump` against the simulator's dumps (src/sim/dumps.ts, served by src/sim/dumps-http.ts) over real
// HTTP: a new dump (Parquet with downloadsAllTime and _id) and an old one (CSV, then Parquet without either) pass,
// each saying how the backfill will read it; a later Parquet file without downloadsAllTime, a dump with no Parquet
// partition and a host that refuses Range are caught by the check that owns them; an unreachable dump is exit 2.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUMP_COLUMNS, openReader, partitionSchema, readPartition } from '../../src/backfill/reader.js';
import { loadConfig } from '../../src/config.js';
import { InputError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { renderJson, renderTable, runProbes, type ProbeReport } from '../../src/probe/index.js';
import { writeDumpFolder, type DumpPlan } from '../../src/sim/dumps.js';
import type { Sim } from '../../src/sim/index.js';
import { closedPort, runProbeCommand, simulatorFor } from './helpers.js';

const logger = createLogger({ level: 'silent' });
const IDS = ['partitions', 'range', 'columns', 'object-id'];
const TOKEN = 'hf_dumpProbeTokenNeverPrinted';

function probe(dump: string): Promise<ProbeReport> {
  const config = loadConfig({ HF_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
  return runProbes({ config, logger, platforms: [], dump });
}

const check = (r: ProbeReport, id: string) => r.dump!.checks.find((c) => c.id === id)!;
const verdicts = (r: ProbeReport) => r.dump!.checks.map((c) => [c.id, c.verdict]);
const drifted = (r: ProbeReport) => r.dump!.checks.filter((c) => c.verdict === 'drift').map((c) => c.id);

/** A simulator serving a dump folder it wrote with `plan`; the folder is removed after the block. */
function dumpFor(plan: DumpPlan, models = 1500): { sim: () => Sim; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hubwatch-probe-dump-'));
  const sim = simulatorFor({ seed: 5, models, dumps: { dir } });
  beforeAll(async () => {
    await writeDumpFolder(sim().universe, dir, plan);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { sim, dir };
}

const fileSize = (dir: string, path: string): number => statSync(join(dir, path)).size;

describe('hubwatch probe --dump: Parquet with downloadsAllTime and _id (v2)', () => {
  const NEWEST = 'models/2026-11-20/models.parquet';
  const { sim, dir } = dumpFor(
    {
      dates: ['2026-11-06', '2026-11-13', '2026-11-20'],
      schemaOf: () => 'v2',
      withObjectId: true,
      // Several row groups, as a real partition has: the footer names each one's column chunks. DuckDB cuts them at
      // 2,048-row boundaries at the least, so the catalogue is a few of those.
      rowGroupSize: 2048,
    },
    6000,
  );

  it('passes every check, reading only the footer of the newest partition by Range', async () => {
    const server = sim().dumps!.server;
    server.resetCounters();
    const r = await probe(sim().dumps!.url);
    expect(r.exitCode).toBe(0);
    expect(verdicts(r)).toEqual(IDS.map((id) => [id, 'ok']));
    expect(r.dump!.location).toBe(sim().dumps!.url);
    expect(check(r, 'partitions').seen).toBe(
      `3 partitions, 2026-11-06 to 2026-11-20: 3 parquet, 0 csv; the newest, ${NEWEST}, is ${fileSize(dir, NEWEST).toLocaleString('en-US')} bytes`,
    );
    // What the probe says it read is what the server sent, and a fraction of the file.
    const read = /^HTTP 206: ([\d,]+) bytes read for /.exec(check(r, 'range').seen);
    expect(read).not.toBeNull();
    const bytesRead = Number(read![1]!.replaceAll(',', ''));
    expect(bytesRead).toBe(server.bytesServed(NEWEST));
    expect(bytesRead).toBeLessThan(fileSize(dir, NEWEST) / 2);
    expect(server.bytesServed()).toBe(bytesRead);
    expect(check(r, 'range').seen).toMatch(/ \d,\d{3} rows in [2-9] row groups, a footer of [\d,]+ bytes\)/);
    expect(check(r, 'range').seen).toMatch(/the chunks of its 14 needed columns are [\d,]+ bytes, [\d.]+% of the file/);
    expect(check(r, 'columns').seen).toMatch(/^2026-11-20: 14 of 14 present: id VARCHAR, _id VARCHAR, /);
    expect(check(r, 'columns').seen).toContain('downloadsAllTime BIGINT');
    expect(check(r, 'columns').seen).not.toContain('missing');
    expect(check(r, 'object-id').seen).toMatch(
      /^_id \(VARCHAR\) in models\/2026-11-20\/models\.parquet: renames are matched by _id/,
    );
    expect(renderTable(r) + renderJson(r)).not.toContain(TOKEN);
  });

  it('drifts on a host that answers Range with the whole file, and says what to do instead', async () => {
    const server = sim().dumps!.server;
    server.setRefuseRange(true);
    let r: ProbeReport;
    try {
      r = await probe(sim().dumps!.url);
    } finally {
      server.setRefuseRange(false);
    }
    expect(r.exitCode).toBe(1);
    expect(drifted(r)).toEqual(['range', 'columns', 'object-id']);
    expect(check(r, 'range').seen).toBe(
      `HTTP 200 with the whole file (${fileSize(dir, NEWEST).toLocaleString('en-US')} bytes) to a Range request for the footer of ${NEWEST}; the probe read none of it`,
    );
    expect(check(r, 'range').action).toMatch(/stops at the first Parquet partition.*pass their folder to --dump/);
    expect(check(r, 'columns').seen).toBe(`not checked: the footer of ${NEWEST} could not be read`);
    expect(check(r, 'columns').action).toBe('see range');
    expect(renderTable(r)).toMatch(
      /^dump \(http:\/\/127\.0\.0\.1:\d+\/datasets\/hfmlsoc\/hub_weekly_snapshots\): drift, 3 of 4 checks$/m,
    );
  });

  it('reads a local copy in place, without Range', async () => {
    const r = await probe(dir);
    expect(verdicts(r)).toEqual(IDS.map((id) => [id, 'ok']));
    expect(check(r, 'range').seen).toMatch(
      /^a local folder, read in place \(no Range needed\): models\/2026-11-20\/models\.parquet \(/,
    );
    expect(r.dump!.location).toBe(dir);
  });

  it('runs as a command: `probe --dump` alone probes the weekly mirror on HUBWATCH_HF_URL', async () => {
    const env = { HUBWATCH_HF_URL: sim().urls.huggingface };
    const table = await runProbeCommand(['--platform', 'huggingface', '--dump'], env);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^huggingface \(http:\/\/127\.0\.0\.1:\d+\): all 7 checks ok$/m);
    expect(table.stdout).toContain(`dump (${sim().dumps!.url}): all 4 checks ok`);
    expect(table.stdout).toMatch(/^ {2}object-id +ok +_id \(VARCHAR\) in /m);
    const json = await runProbeCommand(['--platform', 'huggingface', '--json', '--dump', sim().dumps!.url], env);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as ProbeReport;
    expect(doc.dump!.checks.map((c) => [c.id, c.verdict])).toEqual(IDS.map((id) => [id, 'ok']));
  }, 120_000);
});

describe('hubwatch probe --dump: CSV, then Parquet without downloadsAllTime or _id (v0, v1)', () => {
  // The dates' own schemas (defaultSchemaOf): models.csv before 2024-07-24, Parquet without downloadsAllTime after.
  const { sim } = dumpFor({ dates: ['2024-07-17', '2024-07-24', '2024-07-31'] });

  it('passes, with downloadsAllTime absent as its date expects and renames matched by createdAt and count', async () => {
    const r = await probe(sim().dumps!.url);
    expect(r.exitCode).toBe(0);
    expect(verdicts(r)).toEqual(IDS.map((id) => [id, 'ok']));
    expect(check(r, 'partitions').seen).toMatch(/^3 partitions, 2024-07-17 to 2024-07-31: 2 parquet, 1 csv; /);
    const columns = check(r, 'columns').seen;
    expect(columns).toMatch(
      new RegExp(`^2024-07-31: ${DUMP_COLUMNS.length - 2} of ${DUMP_COLUMNS.length} present: id VARCHAR, `),
    );
    expect(columns).toContain('createdAt VARCHAR');
    expect(columns).toMatch(
      /; missing: _id \(optional, see object-id\), downloadsAllTime \(as expected before 2025-02-27: null on such dates\)$/,
    );
    expect(check(r, 'object-id').seen).toMatch(
      /^no _id in models\/2024-07-31\/models\.parquet: renames are matched after each partition by createdAt and an all-time count/,
    );
  });
});

describe('hubwatch probe --dump: a Parquet file of 2025 without downloadsAllTime', () => {
  const { sim } = dumpFor({ dates: ['2025-03-05'], schemaOf: () => 'v1' });

  it('drifts in columns, naming the column and what it costs', async () => {
    const r = await probe(sim().dumps!.url);
    expect(r.exitCode).toBe(1);
    expect(drifted(r)).toEqual(['columns']);
    expect(check(r, 'columns').seen).toMatch(
      /; missing: downloadsAllTime \(expected on 2025-03-05\), _id \(optional, see object-id\)$/,
    );
    expect(check(r, 'columns').action).toMatch(/^downloadsAllTime is null on every date whose file lacks it/);
  });
});

describe('hubwatch probe --dump: CSV partitions only', () => {
  const { sim } = dumpFor({ dates: ['2024-07-10', '2024-07-17'] });

  it('lists them, and says the Parquet checks could not run', async () => {
    const r = await probe(sim().dumps!.url);
    expect(r.exitCode).toBe(1);
    expect(check(r, 'partitions').verdict).toBe('ok');
    expect(check(r, 'partitions').seen).toMatch(/^2 partitions, 2024-07-10 to 2024-07-17: 0 parquet, 2 csv; /);
    for (const id of ['range', 'columns', 'object-id']) {
      expect(check(r, id).verdict).toBe('drift');
      expect(check(r, id).seen).toBe(
        'not checked: no Parquet partition among the 2 listed (CSV partitions are downloaded whole and read as text)',
      );
    }
  });

  it('drifts in partitions for a dataset the Hub does not show', async () => {
    const url = sim().dumps!.url.replace('hfmlsoc/hub_weekly_snapshots', 'hubwatch-probe/absent');
    const r = await probe(url);
    expect(r.exitCode).toBe(1);
    expect(check(r, 'partitions').seen).toMatch(
      /^HTTP 401 listing models\/ of .*\/datasets\/hubwatch-probe\/absent: Repository not found/,
    );
    expect(check(r, 'partitions').action).toMatch(
      /check --dump \(the weekly mirror is hfmlsoc\/hub_weekly_snapshots\)/,
    );
    expect(check(r, 'range').seen).toBe('not checked: no partition was listed');
  });
});

describe('hubwatch probe --dump: column types the reader does not take', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hubwatch-probe-dump-types-'));
  const file = join(dir, 'models', '2026-11-20', 'models.parquet');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names each one and what the reader makes of it, as the reader itself does', async () => {
    mkdirSync(dirname(file), { recursive: true });
    // Nothing shows the real files so; it is what a retyped export would look like, written by DuckDB itself.
    const { conn, close } = await openReader();
    try {
      await conn.run(
        `COPY (SELECT 'org/m' AS id, 'org' AS author, '12k' AS downloads, 1 AS likes, 1717000000000 AS createdAt,
                  {'parameters': '{}'} AS safetensors)
         TO '${file}' (FORMAT parquet)`,
      );
      const r = await probe(dir);
      expect(drifted(r)).toEqual(['columns']);
      const seen = check(r, 'columns').seen;
      expect(seen).toContain('downloads is VARCHAR, text: read with TRY_CAST, a value that is not a number is null');
      expect(seen).toContain('createdAt is BIGINT, neither a timestamp nor text: read as an unreadable instant');
      expect(seen).toContain(
        'safetensors is STRUCT(parameters VARCHAR), a struct without `total`: the partition cannot be read',
      );
      expect(check(r, 'columns').action).toMatch(/adapt columnExpr \(src\/backfill\/reader\.ts\)/);
      // The reader agrees: it cannot read the partition at all.
      const schema = await partitionSchema(conn, file, 'parquet');
      const read = async () => {
        for await (const batch of readPartition(conn, file, 'parquet', schema, { batchRows: 10 })) void batch;
      };
      await expect(read()).rejects.toThrow(/total/);
    } finally {
      close();
    }
  });
});

describe('hubwatch probe --dump: arguments and reachability', () => {
  it('reports every dump check unreachable, with the URL and what to do, and exit code 2', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/datasets/hfmlsoc/hub_weekly_snapshots`;
    const r = await probe(url);
    expect(r.exitCode).toBe(2);
    expect(r.dump!.verdict).toBe('unreachable');
    for (const c of r.dump!.checks) {
      expect(c.verdict).toBe('unreachable');
      expect(c.seen).toMatch(
        /^no usable answer listing the partitions of http:\/\/127\.0\.0\.1:\d+\/datasets\/hfmlsoc\/hub_weekly_snapshots: .*ECONNREFUSED/,
      );
      expect(c.action).toContain(`check --dump (now ${url}`);
    }
  });

  it('has no dump part without --dump', async () => {
    const r = await runProbes({ config: loadConfig({ LOG_LEVEL: 'silent' }), logger, platforms: [] });
    expect(r).toMatchObject({ exitCode: 0, platforms: [], dump: null });
    expect(JSON.parse(renderJson(r))).toHaveProperty('dump', null);
  });

  it('refuses a URL that names no Hub dataset before probing anything (exit code 2)', async () => {
    await expect(probe('http://127.0.0.1:9/models/x')).rejects.toSatisfy(
      (e: unknown) => e instanceof InputError && e.exitCode === 2 && /does not name a Hub dataset/.test(e.message),
    );
  });
});
