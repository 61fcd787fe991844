/**
 * `search-distributed` (issue #16): one GridSearchCV, 20 candidates × 5 folds
 * (100 trials) of LogisticRegression on 400 × 20 synthetic rows, run
 * in-process and then through Redis on 1, 2 and 4 local `frugal worker`
 * processes. Metrics: `trials_per_s` for each (threads = worker processes,
 * 0 for in-process) and `overhead_ms_per_trial`, the extra wall time per trial
 * of one worker over in-process (queue, transport, result event; the target
 * is under 5 ms). Workers are warmed up by one search before timing.
 * Redis: FRUGAL_TEST_REDIS_URL, else a private redis-server on a free port.
 * `--quick`: 10 candidates, 1 and 2 workers.
 *
 * Run alone: `node dist/bench/search-distributed.js [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { redisExecutor } from '../src/distributed/index.js';
import { GridSearchCV } from '../src/model_selection/search.js';
import { LogisticRegression } from '../src/models/linear/index.js';
import { startRedis, startWorkerProcess } from '../test/helpers/redis.js';
import type { Emit } from './common.js';

export const DISTRIBUTED_WORKLOADS = ['search-distributed'] as const;

function data(n: number, p: number): { X: number[][]; y: number[] } {
  const X = Array.from({ length: n }, (_, i) => Array.from({ length: p }, (_, j) => Math.sin(i * 0.61 + j * 1.7) + Math.cos(i * j * 0.013)));
  const y = X.map((r, i) => (r[0] + r[1] - r[2] + 0.3 * Math.sin(i) > 0 ? 1 : 0));
  return { X, y };
}

export async function benchSearchDistributed(emit: Emit, options: { quick?: boolean } = {}): Promise<void> {
  const quick = options.quick ?? false;
  const { X, y } = data(400, 20);
  const grid = { C: Array.from({ length: quick ? 10 : 20 }, (_, i) => 0.001 * 1.6 ** i) };
  const trials = grid.C.length * 5;
  const tag = quick ? { quick: true } : {};
  const line = (threads: number, metric: string, value: number): void =>
    emit({ workload: 'search-distributed', impl: 'frugal', threads, metric, value: Number(value.toFixed(3)), ...tag } as Parameters<Emit>[0]);
  new GridSearchCV(new LogisticRegression(), grid, { cv: 5 }).fit(X, y); // warm-up
  const t0 = performance.now();
  const local = new GridSearchCV(new LogisticRegression(), grid, { cv: 5 }).fit(X, y);
  const inProcess = (performance.now() - t0) / 1000;
  line(0, 'trials_per_s', trials / inProcess);
  const redis = await startRedis();
  try {
    let oneWorker = 0;
    for (const count of quick ? [1, 2] : [1, 2, 4]) {
      const queue = `frugal-bench-${process.pid}-${count}`;
      const workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess(redis.url, queue)));
      try {
        const executor = redisExecutor({ url: redis.url, queue });
        await new GridSearchCV(new LogisticRegression(), grid, { cv: 5, executor }).fitAsync(X, y); // warm-up: every worker's trial process started
        const t1 = performance.now();
        const remote = await new GridSearchCV(new LogisticRegression(), grid, { cv: 5, executor }).fitAsync(X, y);
        const seconds = (performance.now() - t1) / 1000;
        if (remote.bestIndex !== local.bestIndex) throw new Error('search-distributed: the distributed search chose another candidate');
        line(count, 'trials_per_s', trials / seconds);
        if (count === 1) oneWorker = seconds;
        console.error(`search-distributed: ${count} worker(s) ${seconds.toFixed(2)} s, in-process ${inProcess.toFixed(2)} s`);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
    line(1, 'overhead_ms_per_trial', ((oneWorker - inProcess) / trials) * 1000);
  } finally {
    await redis.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchSearchDistributed((l) => console.log(JSON.stringify(l)), { quick: process.argv.includes('--quick') });
  process.exit(0);
}
