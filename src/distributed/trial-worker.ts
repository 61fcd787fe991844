/**
 * A worker that runs the trials a `redisExecutor` enqueues (what
 * `frugal worker --redis URL` starts). The fits run in child processes
 * (trial-processor.ts); a worker killed mid-trial leaves its job locked
 * until the lock expires, and BullMQ's stalled-job check then gives it to
 * another worker.
 */
import { fileURLToPath } from 'node:url';
import { loadBullmq, DEFAULT_QUEUE } from './bullmq.js';
import { connectOrThrow } from './redis-executor.js';
import { closeRedis, createRedis } from './ioredis.js';
import { parseRedisUrl } from './redis-url.js';
import { IMPORTS_ENV, REDIS_URL_ENV } from './trial-processor.js';
import type { TrialWorker, TrialWorkerOptions } from './index.js';

export async function startWorker(options: TrialWorkerOptions): Promise<TrialWorker> {
  const target = parseRedisUrl(options.url);
  await closeRedis(await connectOrThrow(target, options.connectTimeoutMs ?? 5000, 'worker'));
  const bullmq = await loadBullmq();
  const connection = await createRedis(target, { mode: 'bullmq' });
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new bullmq.Worker(options.queue ?? DEFAULT_QUEUE, fileURLToPath(new URL('./trial-processor.js', import.meta.url)), {
    connection: connection as never,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? lockDuration,
    maxStalledCount: 3,
    workerForkOptions: { env: { ...process.env, [REDIS_URL_ENV]: options.url, [IMPORTS_ENV]: JSON.stringify(options.imports ?? []) } },
  });
  worker.on('error', () => {});
  let completed = 0;
  worker.on('completed', () => {
    completed++;
    options.onTrial?.(completed);
  });
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close().catch(() => {});
    await closeRedis(connection);
    throw err;
  }
  return {
    get completed() {
      return completed;
    },
    // BullMQ leaves the connection it is given open: closed after the worker.
    close: async () => {
      try {
        await worker.close();
      } finally {
        await closeRedis(connection);
      }
    },
  };
}
