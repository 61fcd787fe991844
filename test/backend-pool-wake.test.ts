/**
 * The worker pool's wake-ups (pool.ts, worker.ts): a worker counts itself in
 * SLEEPING while it waits, the caller notifies only then, and a worker woken
 * ahead of a job polls for it for a bounded time only. Products must come
 * out right whether the worker was asleep, polling, or woken without a job.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemm, getNumThreads } from '../src/backend/index.js';
import { wasmEngine, warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { CONTROL_BASE, SLEEPING } from '../src/backend/wasm/layout.js';
import { SLEEPERS_MASK } from '../src/backend/wasm/sleep-count.js';
import { rng } from './helpers/backends.js';

const engine = wasmEngine;
const threaded = engine !== null && getNumThreads() > 1 && (await warmUpWasmThreads());

/** Workers asleep now, from the control block. */
function sleeping(): number {
  return Atomics.load(engine!.i32, (CONTROL_BASE >> 2) + SLEEPING) & SLEEPERS_MASK;
}

/** Waits (up to 2 s) until `count` workers sleep; returns how many do. */
async function untilSleeping(count: number): Promise<number> {
  const until = Date.now() + 2000;
  while (sleeping() !== count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2));
  return sleeping();
}

/** A product large enough to run on the pool (64×1568 by 1568×64), checked against a float64 reference. */
function checkedProduct(random: () => number): void {
  const [m, n, k] = [64, 64, 1568];
  const a = Float32Array.from({ length: m * k }, random);
  const b = Float32Array.from({ length: k * n }, random);
  const c = new Float32Array(m * n);
  gemm({ m, n, k, a, b, transB: true, c });
  for (let i = 0; i < m; i += 7) {
    for (let j = 0; j < n; j += 5) {
      let want = 0;
      for (let p = 0; p < k; p++) want += a[i * k + p] * b[j * k + p];
      assert.ok(Math.abs(c[i * n + j] - want) <= 1e-3 * (1 + Math.abs(want)), `c[${i}, ${j}] = ${c[i * n + j]}, expected ${want}`);
    }
  }
}

describe('worker pool wake-ups', { skip: !threaded && 'no worker threads here' }, () => {
  it('idle workers sleep, counted in SLEEPING, after jobs and after a wake-up without a job', async () => {
    const workers = getNumThreads() - 1;
    const random = rng(7);
    checkedProduct(random);
    assert.equal(await untilSleeping(workers), workers, 'workers left polling after their job');
    engine!.ensurePool()!.wake();
    // A woken worker polls for the job for a bounded time, then sleeps again.
    assert.equal(await untilSleeping(workers), workers, 'a worker woken without a job kept polling');
  });

  it('products are right with the workers asleep, just woken, and polling', async () => {
    const workers = getNumThreads() - 1;
    const random = rng(8);
    await untilSleeping(workers);
    checkedProduct(random); // asleep: woken by ensurePool, then the job opens
    for (let rep = 0; rep < 20; rep++) checkedProduct(random); // back to back
    engine!.ensurePool()!.wake();
    await new Promise((resolve) => setTimeout(resolve, 0));
    checkedProduct(random); // possibly still polling from the wake-up
  });
});
