#!/usr/bin/env node
// The one command line: `npm run -s hubwatch -- <command>`. Each command loads only the modules it needs, so
// `--help` and `sim` start fast and `inspect` needs no store.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { getConfig, type Config } from './config.js';
import { HubwatchError, errorMessage } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { PLATFORMS, type Platform } from './model.js';
import { addDays } from './time.js';
import { VERSION } from './version.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD, e.g. 2026-11-24');
  }
  return value;
}

function parsePlatforms(value: string): Platform[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((p) => !(PLATFORMS as readonly string[]).includes(p));
  if (list.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `expected a comma-separated list of ${PLATFORMS.join(', ')}; got ${bad.join(', ') || 'nothing'}`,
    );
  }
  return [...new Set(list)] as Platform[];
}

function parseInteger(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Commands whose stdout is data log to stderr, so their output can be piped. */
function logger(config: Config, toStderr = false): Logger {
  return createLogger({ level: config.logLevel, pretty: config.logPretty, destination: toStderr ? 2 : 1 });
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('hubwatch')
    .description(
      'Tracks open AI model releases on Hugging Face, ModelScope and WiseModel: shares of downloads, new releases and derivative models by country, licence and organisation.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description(
      "Run one whole cycle in this process, without Redis: poll new releases, sweep stats, write the day's snapshot and the static export.",
    )
    .requiredOption('--once', 'run one cycle and exit (the only mode of this command)')
    .option('--date <YYYY-MM-DD>', 'the day the stats and snapshot belong to (default: today, UTC)', parseDate)
    .option('--sources <list>', `platforms to run, comma-separated (${PLATFORMS.join(',')})`, parsePlatforms)
    .action(async (opts: { date?: string; sources?: Platform[] }) => {
      const config = getConfig();
      const log = logger(config, true);
      const { openRuntime, runOnce } = await import('./cycle/run.js');
      const { todayUtc } = await import('./time.js');
      const { staticExports } = await import('./exports.js');
      const rt = await openRuntime(config, log, { afterSnapshot: staticExports });
      const stop = installAbort(log);
      try {
        const res = await runOnce(rt, { date: opts.date ?? todayUtc(), platforms: opts.sources, signal: stop.signal });
        const summary = {
          date: res.date,
          snapshot: res.snapshotPath,
          polls: res.polls.map((p) => ({
            platform: p.platform,
            pages: p.pages,
            models: p.models,
            newModels: p.newModels,
            quarantined: p.quarantined,
          })),
          sweeps: res.sweeps.map((s) => ({
            platform: s.platform,
            pages: s.pages,
            models: s.models,
            complete: s.complete,
            resumed: s.resumed,
            quarantined: s.quarantined,
            ...(s.reason ? { reason: s.reason } : {}),
          })),
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } finally {
        stop.dispose();
        await rt.close();
      }
    });

  program
    .command('snapshot')
    .description("Rebuild a day's snapshot from the store (the same store gives the same file).")
    .requiredOption('--date <YYYY-MM-DD>', 'the day to rebuild', parseDate)
    .action(async (opts: { date: string }) => {
      const config = getConfig();
      const log = logger(config, true);
      const { openRuntime, publishSnapshot } = await import('./cycle/run.js');
      const { staticExports } = await import('./exports.js');
      const rt = await openRuntime(config, log, { afterSnapshot: staticExports });
      try {
        const dates = await rt.store.statsDates();
        if (!dates.includes(opts.date)) {
          throw new HubwatchError(
            `No stats are stored for ${opts.date} (stored days: ${dates.length ? `${dates[0]} … ${dates.at(-1)}` : 'none'}). Run \`hubwatch run --once --date ${opts.date}\` first.`,
          );
        }
        const res = await publishSnapshot(rt, opts.date);
        process.stdout.write(`${res.path}\n`);
      } finally {
        await rt.close();
      }
    });

  program
    .command('backfill')
    .description(
      "Load history from the Hub's public dumps: each partition models/<date>/models.{parquet,csv} of a folder or a Hub dataset (e.g. https://huggingface.co/datasets/hfmlsoc/hub_weekly_snapshots) becomes that date's stats (provenance dump) and snapshot. Over HTTP only the footer and the needed columns are fetched. Resumable and idempotent: a rerun goes on at the partition it stopped in and redoes nothing finished.",
    )
    .requiredOption(
      '--dump <DIR|URL>',
      'a folder holding models/<date>/…, or a Hub dataset URL <hub>/datasets/<owner>/<name>',
    )
    .option('--since <YYYY-MM-DD>', 'first partition date to load', parseDate)
    .option('--until <YYYY-MM-DD>', 'last partition date to load', parseDate)
    .option('--batch <rows>', 'rows per commit (memory holds one batch)', parseInteger(1, 1_000_000))
    .action(async (opts: { dump: string; since?: string; until?: string; batch?: number }) => {
      const config = getConfig();
      const log = logger(config, true);
      const { openRuntime, publishSnapshot } = await import('./cycle/run.js');
      const { backfill } = await import('./backfill/run.js');
      const { backfillProgress } = await import('./backfill/progress.js');
      const { staticExports } = await import('./exports.js');
      const rt = await openRuntime(config, log, { afterSnapshot: staticExports });
      const stop = installAbort(log);
      try {
        const res = await backfill(
          {
            store: rt.store,
            registry: rt.registry,
            licenses: rt.licenses,
            logger: log,
            dataDir: config.dataDir,
            llmTasks: config.file.scopes.llm,
            signal: stop.signal,
            token: config.tokens.huggingface,
            progress: backfillProgress(log, process.stderr.isTTY === true),
            // The last date's snapshot again through publishSnapshot, so the static export includes the history.
            afterLast: async (date) => void (await publishSnapshot(rt, date)),
          },
          { dump: opts.dump, since: opts.since, until: opts.until, batchRows: opts.batch },
        );
        process.stdout.write(`${JSON.stringify(res)}\n`);
        if (res.partitions.some((p) => p.error !== undefined)) {
          throw new HubwatchError(
            'Some partitions could not be read to their end (see "error" above); their dates are incomplete. Run the same command again to retry them.',
          );
        }
      } finally {
        stop.dispose();
        await rt.close();
      }
    });

  program
    .command('inspect')
    .description(
      'Read a raw platform payload (one model, a list page, a ModelScope envelope or a WiseModel HTML page) and print one normalised record per line as JSON. Items that fail validation go to stderr with their reason.',
    )
    .addOption(
      new Option('--platform <platform>', 'which platform the payload comes from')
        .choices([...PLATFORMS])
        .makeOptionMandatory(),
    )
    .argument('<file>', 'the payload file')
    .action(async (file: string, opts: { platform: Platform }) => {
      const { inspectFile } = await import('./inspect.js');
      const { loadReferenceData } = await import('./reference-data.js');
      const res = await inspectFile(opts.platform, file, loadReferenceData());
      for (const rec of res.records) process.stdout.write(`${JSON.stringify(rec)}\n`);
      for (const bad of res.rejected) process.stderr.write(`${JSON.stringify(bad)}\n`);
    });

  program
    .command('probe')
    .description(
      "Check what hubwatch assumes about each platform (fields it asks for, their types, pagination, rate-limit headers, error statuses) against its configured base URL, with a few requests, and print one row per check: ok, drift or unreachable, what was seen and what to do. With --dump, also check the Hub's public dumps as `hubwatch backfill` reads them: the partitions listed, whether the newest Parquet partition's footer is served by Range (206) and the bytes read, which of the columns the backfill reads it has and with which types, and whether it carries each model's _id (how renames are matched). Exit 0 all ok, 1 drift, 2 unreachable.",
    )
    .addOption(new Option('--platform <platform>', 'probe one platform (default: all)').choices([...PLATFORMS]))
    .option(
      '--dump [DIR|URL]',
      'also probe a dump: a folder holding models/<date>/…, or a Hub dataset URL <hub>/datasets/<owner>/<name> (without a value: hfmlsoc/hub_weekly_snapshots on HUBWATCH_HF_URL)',
    )
    .option('--json', 'print one JSON document (schema hubwatch.probe/v1) instead of the table')
    .action(async (opts: { platform?: Platform; dump?: string | true; json?: boolean }) => {
      const config = getConfig();
      const log = logger(config, true);
      const { probeCommand } = await import('./probe/index.js');
      await probeCommand({
        config,
        logger: log,
        platforms: opts.platform ? [opts.platform] : PLATFORMS,
        dump: opts.dump,
        json: opts.json === true,
      });
    });

  program
    .command('sim')
    .description('Start the platform simulator on loopback and print its base URLs as one JSON line. Stops on Ctrl-C.')
    .option(
      '--port <port>',
      'Hugging Face port; ModelScope uses port+1 and WiseModel port+2 (0: any free ports)',
      parseInteger(0, 65533),
      0,
    )
    .option('--seed <n>', 'seed of the simulated universe', parseInteger(0, 2 ** 31 - 1), 42)
    .option(
      '--models <n>',
      'catalogue size on Hugging Face (ModelScope and WiseModel are smaller)',
      parseInteger(1, 5_000_000),
      20_000,
    )
    .option('--day <YYYY-MM-DD>', 'simulated day', parseDate)
    .option(
      '--faults',
      'turn on the fault switches: 5xx bursts, slow and truncated answers, malformed items, hostile strings',
    )
    .option('--rate-limit <max/seconds>', 'Hugging Face fixed window, e.g. 500/300; "off" to disable', '500/300')
    .option(
      '--dumps <dir>',
      'also serve this dump folder (models/<date>/models.{parquet,csv}) as a Hub dataset repo on the Hugging Face port; its URL is printed as "dumps"',
    )
    .option(
      '--dumps-repo <owner/name>',
      'the dataset repo the dump folder is served as',
      'hfmlsoc/hub_weekly_snapshots',
    )
    .option(
      '--dump-weeks <n>',
      'first write this many weekly partitions of the simulated Hub, ending on --day, into --dumps',
      parseInteger(1, 520),
    )
    .action(
      async (opts: {
        port: number;
        seed: number;
        models: number;
        day?: string;
        faults?: boolean;
        rateLimit: string;
        dumps?: string;
        dumpsRepo: string;
        dumpWeeks?: number;
      }) => {
        const { startSim } = await import('./sim/index.js');
        const { simFaultsFromFlags } = await import('./sim/flags.js');
        if (opts.dumpWeeks !== undefined && !opts.dumps)
          throw new HubwatchError('--dump-weeks writes into the --dumps folder: pass --dumps <dir> as well.', {
            exitCode: 2,
          });
        if (opts.dumps && opts.dumpWeeks === undefined) {
          const { stat } = await import('node:fs/promises');
          const st = await stat(opts.dumps).catch(() => null);
          if (!st?.isDirectory())
            throw new HubwatchError(
              `--dumps ${opts.dumps} is not a folder. Pass a folder written by the simulator, or add --dump-weeks N to write one.`,
              { exitCode: 2 },
            );
        }
        const sim = await startSim({
          port: opts.port,
          seed: opts.seed,
          models: opts.models,
          ...(opts.day ? { day: opts.day } : {}),
          faults: simFaultsFromFlags({ faults: opts.faults === true, rateLimit: opts.rateLimit }),
          ...(opts.dumps ? { dumps: { dir: opts.dumps, repo: opts.dumpsRepo } } : {}),
        });
        if (opts.dumps && opts.dumpWeeks !== undefined) {
          const { writeDumpFolder } = await import('./sim/dumps.js');
          const weeks = opts.dumpWeeks;
          const dates = Array.from({ length: weeks }, (_, k) => addDays(sim.day(), -7 * (weeks - 1 - k)));
          try {
            await writeDumpFolder(sim.universe, opts.dumps, { dates });
          } catch (err) {
            await sim.close();
            throw err;
          }
        }
        process.stdout.write(`${JSON.stringify(sim.dumps ? { ...sim.urls, dumps: sim.dumps.url } : sim.urls)}\n`);
        await new Promise<void>((resolve) => {
          const done = (): void => resolve();
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        await sim.close();
      },
    );

  program
    .command('start')
    .description(
      'The scheduled service: job schedulers, every worker and the HTTP server in one process (needs Redis).',
    )
    .action(async () => {
      const config = getConfig();
      const log = logger(config);
      const { staticExports } = await import('./exports.js');
      const { runServiceCommand } = await import('./queue/service.js');
      await runServiceCommand({ config, logger: log, mode: 'start', afterSnapshot: staticExports });
    });

  program
    .command('worker')
    .description(
      'A worker-only process for one queue, for scaling out on more machines (needs Redis and a shared PostgreSQL store).',
    )
    .requiredOption(
      '--queue <name>',
      'the queue to work: huggingface, modelscope, wisemodel, snapshot, digest or export',
    )
    .action(async (opts: { queue: string }) => {
      const config = getConfig();
      const log = logger(config);
      const { staticExports } = await import('./exports.js');
      const { runServiceCommand } = await import('./queue/service.js');
      await runServiceCommand({ config, logger: log, mode: 'worker', queue: opts.queue, afterSnapshot: staticExports });
    });

  program
    .command('serve')
    .description('The HTTP API and feeds alone (no schedulers, no workers, no Redis).')
    .action(async () => {
      const config = getConfig();
      const log = logger(config);
      const { serveCommand } = await import('./serve.js');
      await serveCommand(config, log);
    });

  program
    .command('status')
    .description('Print schedules, queue depths and the last runs, for a person at a terminal (needs Redis).')
    .action(async () => {
      const config = getConfig();
      const { printStatus } = await import('./queue/ops.js');
      await printStatus(config);
    });

  program
    .command('digest')
    .description('Build the weekly digest (JSON, Markdown, HTML) from the stored snapshots.')
    .option('--week <YYYY-Www>', 'ISO week, UTC (default: the last full week)')
    .action(async (opts: { week?: string }) => {
      const config = getConfig();
      const log = logger(config, true);
      const { digestCommand } = await import('./digest/command.js');
      const paths = await digestCommand({ config, logger: log, week: opts.week });
      for (const p of paths) process.stdout.write(`${p}\n`);
    });

  const orgs = program.command('orgs').description('Tools for the people who keep the organisation registry.');
  orgs
    .command('check')
    .description(
      'Validate the registry: ISO codes, kinds, evidence, no namespace in two organisations, no case collisions, dated renames that do not overlap. Exit 1 on problems.',
    )
    .action(async () => {
      const { orgsCheckCommand } = await import('./orgs.js');
      await orgsCheckCommand();
    });
  orgs
    .command('unknown')
    .description(
      'Namespaces without a registry entry, ranked by their downloads on a day, with their share: the to-do list that keeps coverage high.',
    )
    .option('--date <YYYY-MM-DD>', 'the day (default: the latest stored day)', parseDate)
    .option('--top <n>', 'how many namespaces', parseInteger(1, 10_000), 50)
    .action(async (opts: { date?: string; top: number }) => {
      const config = getConfig();
      const { orgsUnknownCommand } = await import('./orgs.js');
      await orgsUnknownCommand(config, opts);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of the daily snapshot (hubwatch.snapshot/v1).')
    .action(async () => {
      const { snapshotJsonSchema } = await import('./snapshot/schema.js');
      process.stdout.write(`${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`);
    });

  return program;
}

/** First Ctrl-C aborts the run cleanly (a sweep keeps its checkpoint); a second one exits at once. */
function installAbort(log: Logger): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count += 1;
    if (count > 1) process.exit(130);
    log.warn({ signal: sig }, 'stopping after the current page; the next run resumes from the checkpoint');
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes are exit code 2 like other bad input.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      return 2;
    }
    if (err instanceof HubwatchError) {
      process.stderr.write(`hubwatch: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`hubwatch: unexpected error: ${errorMessage(err)}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /cli\.(ts|js)$/.test(process.argv[1]);
if (invokedDirectly) {
  main().then(
    (code) => {
      process.exitCode = code;
      // Long-running commands keep the loop alive themselves; one-shot commands must not hang on a stray handle.
      if (!['start', 'worker', 'serve', 'sim'].includes(process.argv[2] ?? ''))
        setTimeout(() => process.exit(code), 50).unref();
    },
    (err: unknown) => {
      process.stderr.write(`hubwatch: ${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
