/**
 * The wasm backend's SVC pair solver (asm/svm.ts, all one-vs-one pairs in
 * parallel) against the JS solver (src/models/svm/smo.ts) it ports: the same
 * support vectors, dual coefficients, intercepts and iteration counts, to
 * the bit, on 1 and 2 threads, on digits and on small random problems
 * (every kernel, float32 and float64 kernel blocks, sample and class
 * weights, shrinking off, an iteration cap).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SVC, type SVCParams } from '../src/models/svm/svc.js';
import { setPairSolver } from '../src/models/svm/libsvm.js';
import { setKernelPrecision, type KernelPrecision } from '../src/models/svm/kernel-functions.js';
import { getBackend, getNumThreads, setNumThreads, warmUpThreads } from '../src/backend/index.js';
import { svcPairs } from '../src/backend/routines/svc-pairs.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import type { Matrix } from '../src/utils/validation.js';
import { sharedFile, skipNoShared } from './helpers/data.js';
import { rng } from './helpers/backends.js';

const noWasm = wasmSupport === 'none' ? 'no WebAssembly SIMD here' : false;
const threadCounts = wasmSupport === 'threads' ? [1, 2] : [1];

/** Gaussian blobs: class c centred at a random point, some overlap. */
function blobs(n: number, d: number, k: number, seed: number): { X: Matrix; y: Int32Array } {
  const next = rng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => next() * 4 - 2));
  const data = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // uneven class sizes
    const c = Math.min(k - 1, Math.floor(next() ** 1.3 * k));
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c][j] + (next() + next() + next() - 1.5) * 1.5;
  }
  return { X: { data, rows: n, cols: d }, y };
}

function digits(): { X: Matrix; y: Int32Array } {
  const lines = readFileSync(sharedFile('digits.csv')!, 'utf8').trim().split(/\r?\n/);
  const ycol = lines[0].split(',').indexOf('digit');
  const data: number[] = [];
  const y: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if ((i - 1) % 5 === 0) continue; // the benchmark's training split
    const cells = lines[i].split(',').map(Number);
    for (let j = 0; j < cells.length; j++) if (j !== ycol) data.push(cells[j] / 16);
    y.push(cells[ycol]);
  }
  return { X: { data: Float64Array.from(data), rows: y.length, cols: 64 }, y: Int32Array.from(y) };
}

/** Rows of a Matrix as arrays (SVC's input). */
function rowsOf(X: Matrix): number[][] {
  return Array.from({ length: X.rows }, (_, i) => Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
}

/** Counts calls of the backend's pair solver that it took (a non-null result). */
function countBackendSolves(): { taken: () => number; restore: () => void } {
  const impl = svcPairs.implementations[getBackend().name]!;
  const original = impl.run;
  let taken = 0;
  impl.run = (args) => {
    const r = original.call(impl, args);
    if (r) taken++;
    return r;
  };
  return { taken: () => taken, restore: () => void (impl.run = original) };
}

function fitWith(solver: 'auto' | 'js', params: Partial<SVCParams>, X: number[][], y: number[], w?: number[]): SVC {
  const old = setPairSolver(solver);
  try {
    return new SVC(params).fit(X, y, w);
  } finally {
    setPairSolver(old);
  }
}

/** Fits with the JS solver and with the backend's, on each thread count, and requires identical models. */
function checkSame(params: Partial<SVCParams>, X: number[][], y: number[], w?: number[], precision: KernelPrecision = 'auto'): void {
  const oldPrecision = setKernelPrecision(precision);
  const spy = countBackendSolves();
  try {
    const js = fitWith('js', params, X, y, w);
    assert.equal(spy.taken(), 0);
    for (const threads of threadCounts) {
      setNumThreads(threads);
      const before = spy.taken();
      const was = fitWith('auto', params, X, y, w);
      assert.equal(spy.taken(), before + 1, 'the backend solved the pairs');
      const what = `${JSON.stringify(params)} on ${threads} thread(s), precision ${precision}`;
      assert.deepStrictEqual(was.support, js.support, `support ${what}`);
      assert.deepStrictEqual(was.nSupport, js.nSupport, `nSupport ${what}`);
      assert.deepStrictEqual(was.dualCoef!.data, js.dualCoef!.data, `dualCoef ${what}`);
      assert.deepStrictEqual(was.intercept, js.intercept, `intercept ${what}`);
      assert.deepStrictEqual(was.nIter, js.nIter, `nIter ${what}`);
      assert.equal(was.fitStatus, js.fitStatus, `fitStatus ${what}`);
    }
  } finally {
    spy.restore();
    setKernelPrecision(oldPrecision);
  }
}

describe('wasm SVC pair solver equals the JS solver', { skip: noWasm }, () => {
  const threadsBefore = getNumThreads();
  // workers ready before the first fit, so that 2 threads really share the pairs
  before(async () => {
    setNumThreads(Math.max(...threadCounts));
    await warmUpThreads();
  });
  after(() => setNumThreads(threadsBefore));

  it('digits (RBF, C = 10, gamma scale: float32 dot products mapped as rows are needed)', { skip: skipNoShared('digits.csv') }, () => {
    const { X, y } = digits();
    checkSame({ kernel: 'rbf', C: 10, gamma: 'scale' }, rowsOf(X), Array.from(y));
  });

  it('random problems: every kernel, both kernel precisions', () => {
    let seed = 1;
    for (const [n, d, k] of [
      [60, 3, 2],
      [150, 5, 3],
      [240, 8, 5],
    ]) {
      const { X, y } = blobs(n, d, k, seed++);
      const Xr = rowsOf(X);
      const yr = Array.from(y);
      for (const precision of ['float64', 'float32'] as const) {
        checkSame({ kernel: 'rbf', C: 3 }, Xr, yr, undefined, precision);
        checkSame({ kernel: 'linear', C: 0.5 }, Xr, yr, undefined, precision);
        checkSame({ kernel: 'poly', degree: 3, gamma: 0.3, coef0: 1, C: 2 }, Xr, yr, undefined, precision);
        checkSame({ kernel: 'sigmoid', gamma: 0.05, coef0: -0.5, C: 1 }, Xr, yr, undefined, precision);
      }
    }
  });

  it('sample weights, class weights, no shrinking, an iteration cap', () => {
    const { X, y } = blobs(200, 6, 4, 7);
    const Xr = rowsOf(X);
    const yr = Array.from(y);
    const next = rng(9);
    const w = yr.map(() => 0.2 + 2 * next());
    for (const precision of ['float64', 'float32'] as const) {
      checkSame({ C: 5 }, Xr, yr, w, precision);
      checkSame({ C: 5, classWeight: 'balanced' }, Xr, yr, undefined, precision);
      checkSame({ C: 100, shrinking: false, tol: 1e-5 }, Xr, yr, undefined, precision);
      checkSame({ C: 100, maxIter: 7 }, Xr, yr, undefined, precision);
    }
  });
});

describe('SVC within a kernel-cache budget', { skip: noWasm }, () => {
  const threadsBefore = getNumThreads();
  before(async () => {
    setNumThreads(Math.max(...threadCounts));
    await warmUpThreads();
  });
  after(() => setNumThreads(threadsBefore));

  /** Floats of the kernel blocks K_ii, K_jj, K_ij of the largest pair (what a pair needs to read blocks). */
  function largestPairFloats(y: Int32Array, k: number): number {
    const count = new Array<number>(k).fill(0);
    for (const c of y) count[c]++;
    let most = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) most = Math.max(most, count[i] ** 2 + count[j] ** 2 + count[i] * count[j]);
    return most;
  }

  it('a small cacheSize (pairs in waves, rows evicted) gives the model of the default one, on both solvers', () => {
    const { X, y } = blobs(700, 10, 5, 21);
    const Xr = rowsOf(X);
    const yr = Array.from(y);
    // just above the largest pair's blocks: waves of few classes, row caches of a few rows
    const tight = (largestPairFloats(y, 5) * 4 * 1.05) / 2 ** 20;
    const spy = countBackendSolves();
    const oldPrecision = setKernelPrecision('auto');
    try {
      for (const precision of ['float32', 'float64'] as const) {
        setKernelPrecision(precision);
        const reference = fitWith('js', { C: 10 }, Xr, yr);
        for (const cacheSize of [200, 1, tight]) {
          for (const solver of ['js', 'auto'] as const) {
            for (const threads of solver === 'js' ? [1] : threadCounts) {
              setNumThreads(threads);
              const before = spy.taken();
              const m = fitWith(solver, { C: 10, cacheSize }, Xr, yr);
              const what = `cacheSize ${cacheSize.toFixed(3)} MB, ${solver} solver, ${threads} thread(s), ${precision}`;
              if (solver === 'auto' && cacheSize < 200) assert.ok(spy.taken() > before + 1, `${what}: the backend solved the pairs in several waves`);
              assert.deepStrictEqual(m.support, reference.support, `support ${what}`);
              assert.deepStrictEqual(m.dualCoef!.data, reference.dualCoef!.data, `dualCoef ${what}`);
              assert.deepStrictEqual(m.intercept, reference.intercept, `intercept ${what}`);
              assert.deepStrictEqual(m.nIter, reference.nIter, `nIter ${what}`);
            }
          }
        }
      }
    } finally {
      spy.restore();
      setKernelPrecision(oldPrecision);
    }
  });

  it('the backend refuses blocks that leave less than two kernel rows per thread', () => {
    const n = 40;
    const args = {
      classStart: Int32Array.of(0, 20),
      classCount: Int32Array.of(20, 20),
      blocks: () => [new Float32Array(20 * 40).fill(0.5), new Float32Array(20 * 20).fill(0.5)],
      mode: 'values' as const,
      gamma: 1,
      sq: new Float64Array(0),
      diag: new Float64Array(n).fill(1),
      C: new Float64Array(n).fill(1),
      eps: 1e-3,
      shrinking: true,
      maxIter: -1,
    };
    assert.equal(svcPairs.run({ ...args, cacheBytes: 1200 * 4 }), null, 'the blocks alone take the budget');
    assert.equal(svcPairs.run({ ...args, cacheBytes: Number.NaN }), null, 'a budget that is not a number');
    const r = svcPairs.run({ ...args, cacheBytes: 2 ** 20 });
    assert.ok(r && r.coef.length === 1 && r.coef[0].length === 40);
  });
});
