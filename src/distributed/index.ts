/**
 * Trials past one machine: `redisExecutor({ url })` sends the (candidate,
 * fold) trials of a search, a cross-validation or a curve to BullMQ workers
 * through Redis; `startTrialWorker` (or `frugal worker --redis URL`) runs
 * them. Results come back in trial order, so the outcome is the one an
 * in-process run gives. See docs/distributed.md.
 *
 * Nothing here loads a Node.js built-in or bullmq until a run starts (the
 * browser entry exports this file too).
 */
import { FrugalError, ValueError } from '../errors.js';
import { checkExecutorOptions, type AsyncExecutor, type ExecutorOptions } from '../model_selection/trials.js';
import { hasFileSystem } from '../platform/fs.js';
import { importUnbundled } from '../platform/dynamic-import.js';
import { checkOptions } from '../utils/options.js';
import { parseRedisUrl } from './redis-url.js';

export interface RedisExecutorOptions extends ExecutorOptions {
  /** The Redis server: `redis://[user:password@]host:port[/db]` (`rediss://` for TLS). */
  url: string;
  /** The BullMQ queue name (default 'frugal-trials'; workers must use the same). */
  queue?: string;
  /** How long to wait for Redis before the run fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long the stored data and plan stay in Redis (default one day). */
  ttlSeconds?: number;
}

const REDIS_EXECUTOR_OPTIONS = ['url', 'queue', 'connectTimeoutMs', 'ttlSeconds', 'onProgress', 'signal'];

function checkQueueName(where: string, queue: unknown): void {
  if (queue !== undefined && (typeof queue !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(queue))) {
    throw new ValueError(`${where}: queue must be a name of letters, digits, '_', '.' or '-', got ${JSON.stringify(queue)}`);
  }
}

function checkPositive(where: string, name: string, value: unknown, max: number): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max)) {
    throw new ValueError(`${where}: ${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
}

function nodeModule<T>(where: string, file: string): Promise<T> {
  if (!hasFileSystem()) return Promise.reject(new FrugalError(`${where}: running trials on Redis needs Node.js`));
  return importUnbundled<T>(new URL(file, import.meta.url).href);
}

const executorModule = () => nodeModule<typeof import('./redis-executor.js')>('redisExecutor', './redis-executor.js');

/**
 * An executor that runs each trial as a BullMQ job on Redis. The calls that
 * take it return Promises: `await search.fitAsync(X, y)`,
 * `await crossValidate(est, X, y, { executor })`. Redis unreachable is a
 * FrugalError naming the URL, raised before any work starts.
 */
export function redisExecutor(options: RedisExecutorOptions): AsyncExecutor {
  if (options === null || typeof options !== 'object') throw new ValueError('redisExecutor: expected options with a url');
  checkOptions('redisExecutor', options, REDIS_EXECUTOR_OPTIONS);
  parseRedisUrl(options.url);
  checkQueueName('redisExecutor', options.queue);
  checkPositive('redisExecutor', 'connectTimeoutMs', options.connectTimeoutMs, 600_000);
  checkPositive('redisExecutor', 'ttlSeconds', options.ttlSeconds, 365 * 24 * 3600);
  checkExecutorOptions('redisExecutor', { onProgress: options.onProgress, signal: options.signal });
  const opts = { ...options };
  return {
    async: true,
    async run(plan) {
      return (await executorModule()).runOnRedis(plan, opts);
    },
    async runFunctions(plan) {
      return (await executorModule()).runFunctionsOnRedis(plan, opts);
    },
  };
}

export interface TrialWorkerOptions {
  /** The Redis server the executor uses. */
  url: string;
  /** Trials run at once, each in its own child process (default 1). */
  concurrency?: number;
  queue?: string;
  connectTimeoutMs?: number;
  /** A job's lock lasts this long and is renewed while its trial runs; a killed worker's trial is re-run after it expires (default 30000 ms). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default: the lock duration). */
  stalledIntervalMs?: number;
  /** Called after each trial this worker completes, with its count. */
  onTrial?: (completed: number) => void;
  /** Absolute paths of modules each trial process loads first: they register trial functions (registerFunction) and estimator classes of your own. */
  imports?: string[];
}

export interface TrialWorker {
  /** Trials completed so far. */
  readonly completed: number;
  /** Stops taking trials, waits for the running ones and disconnects. */
  close(): Promise<void>;
}

const WORKER_OPTIONS = ['url', 'concurrency', 'queue', 'connectTimeoutMs', 'lockDurationMs', 'stalledIntervalMs', 'onTrial', 'imports'];

/** Starts a worker for the trials of `redisExecutor` (what `frugal worker` runs). */
export async function startTrialWorker(options: TrialWorkerOptions): Promise<TrialWorker> {
  if (options === null || typeof options !== 'object') throw new ValueError('startTrialWorker: expected options with a url');
  checkOptions('startTrialWorker', options, WORKER_OPTIONS);
  parseRedisUrl(options.url);
  checkQueueName('startTrialWorker', options.queue);
  checkPositive('startTrialWorker', 'concurrency', options.concurrency, 1024);
  checkPositive('startTrialWorker', 'connectTimeoutMs', options.connectTimeoutMs, 600_000);
  checkPositive('startTrialWorker', 'lockDurationMs', options.lockDurationMs, 24 * 3600_000);
  checkPositive('startTrialWorker', 'stalledIntervalMs', options.stalledIntervalMs, 24 * 3600_000);
  if (options.onTrial !== undefined && typeof options.onTrial !== 'function') throw new ValueError('startTrialWorker: onTrial must be a function');
  if (options.imports !== undefined && !(Array.isArray(options.imports) && options.imports.every((p) => typeof p === 'string' && p.startsWith('/')))) {
    throw new ValueError('startTrialWorker: imports must be a list of absolute module paths');
  }
  const impl = await nodeModule<typeof import('./trial-worker.js')>('startTrialWorker', './trial-worker.js');
  return impl.startWorker(options);
}
