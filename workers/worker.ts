// Worker-only process for scaling out: `tsx workers/worker.ts --queue huggingface` (or `node dist/workers/worker.js`)
// is `hubwatch worker --queue huggingface` without the rest of the command line. Several of these, on several
// machines, share the work through Redis and keep their data in the PostgreSQL of DATABASE_URL.
//
//   --queue <name[,name]>   required (also HUBWATCH_QUEUE): huggingface, modelscope, wisemodel, snapshot, digest, export
//   --prefix <{tag}>        Redis key prefix (also HUBWATCH_QUEUE_PREFIX; default {hubwatch})
//   --lock-ms <n>           job lock duration: how long a killed worker's job stays stuck before it is taken over
//   --stalled-ms <n>        how often to look for such jobs
//   --backoff-ms <n>        first retry delay of a failed job
import { parseArgs } from 'node:util';
import { getConfig } from '../src/config.js';
import { ConfigError, HubwatchError, errorMessage } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { staticExports } from '../src/exports.js';
import { runServiceCommand } from '../src/queue/service.js';
import type { Tuning } from '../src/queue/queues.js';

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`--${name} must be a positive whole number of milliseconds, got ${JSON.stringify(v)}.`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      queue: { type: 'string' },
      prefix: { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
      'backoff-ms': { type: 'string' },
    },
    strict: true,
  });
  const queue = values.queue ?? process.env.HUBWATCH_QUEUE;
  if (!queue)
    throw new ConfigError(
      'Name the queue to work: --queue huggingface (or modelscope, wisemodel, snapshot, digest, export).',
    );
  const tuning: Partial<Tuning> = {};
  const lock = positiveInt('lock-ms', values['lock-ms']);
  const stalled = positiveInt('stalled-ms', values['stalled-ms']);
  const backoff = positiveInt('backoff-ms', values['backoff-ms']);
  if (lock !== undefined) tuning.lockDurationMs = lock;
  if (stalled !== undefined) tuning.stalledIntervalMs = stalled;
  if (backoff !== undefined) tuning.backoffMs = backoff;
  const config = getConfig();
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  await runServiceCommand({
    config,
    logger,
    mode: 'worker',
    queue,
    // Snapshots written by this process run the static export too, as they do under `hubwatch start`.
    afterSnapshot: staticExports,
    ...(values.prefix ? { prefix: values.prefix } : {}),
    tuning,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`hubwatch worker: ${errorMessage(err)}\n`);
  process.exit(err instanceof HubwatchError ? err.exitCode : err instanceof TypeError ? 2 : 1);
});
