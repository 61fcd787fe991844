/** `frugal worker`: runs the search and cross-validation trials that `redisExecutor` (or `frugal train --redis`) puts on Redis. */
import { resolve } from 'node:path';
import { ValueError } from '../errors.js';
import { startTrialWorker } from '../distributed/index.js';
import { numberOption, parseCommandArgs, positionals, type OptionSpec } from './args.js';
import type { Streams } from './output.js';

export const WORKER_HELP = `Usage: frugal worker --redis URL [--concurrency N] [--queue NAME]

Runs trials (one estimator fit and its scores each) that searches and
cross-validations started with a Redis executor put on the queue, until
stopped with Ctrl-C or SIGTERM (the running trials finish first). Start
one on every machine that can reach Redis; each caches a search's data.

Options:
  --redis URL           the Redis server, redis://host:port (required)
  --concurrency N       trials at once, each in its own process (default 1)
  --queue NAME          the queue name (default frugal-trials)
  --lock-duration MS    a trial of a killed worker is re-run after this long (default 30000)
  --import FILE         a module to load first, which registers trial functions or
                        estimator classes of your own (repeatable)
  -h, --help            this help

Examples:
  frugal worker --redis redis://10.0.0.5:6379 --concurrency 4
  frugal train data.csv --target y --redis redis://10.0.0.5:6379`;

const OPTIONS: OptionSpec = {
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  queue: { type: 'string' },
  'lock-duration': { type: 'string' },
  import: { type: 'string', multiple: true },
};

/** Runs `frugal worker` until a stop signal; returns the exit code. */
export async function workerCommand(argv: readonly string[], streams: Streams): Promise<number> {
  const args = parseCommandArgs('worker', argv, OPTIONS);
  if (args.values.help) {
    streams.out(`${WORKER_HELP}\n`);
    return 0;
  }
  positionals('worker', args, []);
  const v = args.values;
  if (typeof v.redis !== 'string') throw new ValueError('worker: --redis URL is required (the Redis server the searches use)');
  const concurrency = numberOption('worker', 'concurrency', v.concurrency, 1, { min: 1, max: 1024, integer: true });
  const lockDurationMs = numberOption('worker', 'lock-duration', v['lock-duration'], 30_000, { min: 100, max: 86_400_000, integer: true });
  const queue = typeof v.queue === 'string' ? v.queue : undefined;
  const imports = ((v.import as unknown as string[] | undefined) ?? []).map((p) => resolve(p));
  const worker = await startTrialWorker({ url: v.redis, concurrency, queue, imports, lockDurationMs, stalledIntervalMs: Math.max(100, Math.round(lockDurationMs / 2)) });
  streams.err(`worker ready: ${v.redis}, queue ${queue ?? 'frugal-trials'}, ${concurrency} at once (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await worker.close();
  streams.err(`worker stopped after ${worker.completed} trials\n`);
  return 0;
}
