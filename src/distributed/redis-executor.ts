/**
 * The Node.js side of `redisExecutor`: stores the search's data and plan
 * once, enqueues one BullMQ job per (candidate, fold) trial, and gathers the
 * results in trial order as workers (`frugal worker --redis URL`) finish
 * them. Loaded on first use (see index.ts).
 */
import { randomUUID } from 'node:crypto';
import { AbortError, FrugalError, ValueError } from '../errors.js';
import { functionName } from '../persist/registry.js';
import type { FitScoreResult, YInput } from '../model_selection/cross_validation.js';
import type { FunctionTrialPlan, PreparedPlan } from '../model_selection/trials.js';
import { DEFAULT_QUEUE, loadBullmq } from './bullmq.js';
import { describeParams, encodeData, encodeFunctionPlan, encodePlan, packBlob, resultFromWire, scoresFromWireResult } from './payload.js';
import { closeRedis, createRedis, type Redis } from './ioredis.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';
import type { RedisExecutorOptions } from './index.js';

/** Stored blobs live this long (refreshed by every search that uses them). */
const DEFAULT_TTL_SECONDS = 24 * 3600;

/** A connected client, or a FrugalError naming the URL (before any work starts). */
export async function connectOrThrow(target: RedisTarget, connectTimeoutMs: number, where: string): Promise<Redis> {
  const client = await createRedis(target, { mode: 'check', connectTimeoutMs });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (err) {
    client.disconnect();
    throw new FrugalError(`${where}: Redis at ${target.url} is unreachable (${(err as Error).message || (err as { code?: string }).code || String(err)})`);
  }
}

/** Stores a blob under its content address (once: a second search on the same data only refreshes its lifetime). */
async function storeBlob(client: Redis, bytes: Uint8Array, ttlSeconds: number): Promise<string> {
  const { key, packed } = packBlob(bytes);
  const created = await client.set(key, packed, 'EX', ttlSeconds, 'NX');
  if (created === null) await client.expire(key, ttlSeconds);
  return key;
}

/** What a run sends: its two blobs, its number of trials, and how to read and describe a trial's result. */
interface Run<T> {
  kind: 'estimator' | 'function';
  plan: Uint8Array;
  data: Uint8Array;
  total: number;
  decode(value: unknown, index: number): T | FrugalError;
  describe(index: number): string;
}

/** Stores the blobs, enqueues one job per trial, and gathers the results in trial order. */
async function runJobs<T>(run: Run<T>, options: RedisExecutorOptions): Promise<T[]> {
  const where = 'redisExecutor';
  const target = parseRedisUrl(options.url);
  const client = await connectOrThrow(target, options.connectTimeoutMs ?? 5000, where);
  const closers: (() => Promise<unknown>)[] = [() => closeRedis(client)];
  try {
    if (options.signal?.aborted) throw new AbortError(`${where}: cancelled`);
    const bullmq = await loadBullmq();
    const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    const dataKey = await storeBlob(client, run.data, ttl);
    const planKey = await storeBlob(client, run.plan, ttl);
    const queueName = options.queue ?? DEFAULT_QUEUE;
    // BullMQ leaves the connections it is given open: each is closed after its user.
    const queueConnection = await createRedis(target, { mode: 'bullmq' });
    closers.push(() => closeRedis(queueConnection));
    const queue = new bullmq.Queue(queueName, { connection: queueConnection as never });
    closers.push(() => queue.close());
    // Listen from the last event already in the stream, so that no completion of this run is missed.
    const last = (await client.xrevrange(`bull:${queueName}:events`, '+', '-', 'COUNT', 1)) as [string, unknown][];
    const eventsConnection = await createRedis(target, { mode: 'bullmq' });
    closers.push(() => closeRedis(eventsConnection));
    const events = new bullmq.QueueEvents(queueName, { connection: eventsConnection as never, lastEventId: last.length ? last[0][0] : '0-0' });
    closers.push(() => events.close());
    await events.waitUntilReady();
    const runId = randomUUID();
    const { total } = run;
    const results: (T | FrugalError | undefined)[] = Array.from({ length: total }, () => undefined);
    let done = 0;
    const indexOf = (jobId: string): number => {
      if (!jobId.startsWith(`${runId}-`)) return -1;
      const i = Number(jobId.slice(runId.length + 1));
      return Number.isInteger(i) && i >= 0 && i < total ? i : -1;
    };
    const finished = new Promise<void>((resolve, reject) => {
      events.on('completed', ({ jobId, returnvalue }) => {
        const i = indexOf(jobId);
        if (i < 0 || results[i] !== undefined) return;
        try {
          results[i] = run.decode(returnvalue, i);
        } catch (err) {
          reject(err);
          return;
        }
        done++;
        options.onProgress?.(done, total);
        if (done === total) resolve();
      });
      events.on('failed', ({ jobId, failedReason }) => {
        const i = indexOf(jobId);
        if (i >= 0) reject(new FrugalError(`${where}: trial ${i} (${run.describe(i)}) failed on a worker: ${failedReason}`));
      });
      const cancel = (): void => reject(new AbortError(`${where}: cancelled`));
      if (options.signal?.aborted) cancel();
      else options.signal?.addEventListener('abort', cancel, { once: true });
    });
    finished.catch(() => {});
    await queue.addBulk(
      Array.from({ length: total }, (_, i) => ({
        name: run.kind,
        data: { kind: run.kind, plan: planKey, data: dataKey, index: i },
        opts: { jobId: `${runId}-${i}`, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
      })),
    );
    try {
      await finished;
    } catch (err) {
      // Cancelled or failed: the trials no worker has taken yet are withdrawn.
      await Promise.all(results.map((r, i) => (r === undefined ? queue.remove(`${runId}-${i}`).catch(() => 0) : 0)));
      throw err;
    }
    // As in-process with errorScore 'raise', the first failed trial (in trial order) is the error.
    const out: T[] = [];
    for (const r of results) {
      if (r instanceof FrugalError) throw r;
      out.push(r as T);
    }
    return out;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

/** The (candidate, fold) trials of a search, a cross-validation or a curve. */
export function runOnRedis(plan: PreparedPlan, options: RedisExecutorOptions): Promise<FitScoreResult[]> {
  return runJobs(
    {
      kind: 'estimator',
      plan: encodePlan(plan),
      data: encodeData(plan),
      total: plan.trials.length,
      decode: (value, i) => resultFromWire(value, plan, i),
      describe: (i) => `params ${describeParams(plan.candidates[plan.trials[i].candidate])}, fold ${plan.trials[i].split}`,
    },
    options,
  );
}

/** The trials of `searchTrials`. */
export async function runFunctionsOnRedis(plan: FunctionTrialPlan, options: RedisExecutorOptions): Promise<Record<string, number>[]> {
  if (functionName(plan.fn) === undefined) {
    throw new ValueError(
      `searchTrials: workers find a trial function by name: register ${plan.fn.name || 'it'} with registerFunction(fn, 'name') in a module the workers load (frugal worker --import)`,
    );
  }
  return runJobs(
    {
      kind: 'function',
      plan: encodeFunctionPlan(plan),
      data: encodeData({ X: plan.X, y: plan.y as YInput }),
      total: plan.settings.length,
      decode: (value, i) => scoresFromWireResult(value, plan, i),
      describe: (i) => `settings ${describeParams(plan.settings[i])}`,
    },
    options,
  );
}
