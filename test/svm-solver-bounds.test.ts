/**
 * The SVM solvers on hostile numbers: features of magnitude 1e100 and 1e300
 * make kernel values, squared norms and Hessian products overflow. Every
 * estimator must then return finite decision values or throw a FrugalError
 * (NumericalError where the solver met the non-finite numbers) within a
 * wall-clock bound. The fits run in a worker thread so that a solver loop
 * that never ends fails the test instead of hanging the run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { SVC } from '../src/models/svm/svc.js';
import { setPairSolver } from '../src/models/svm/libsvm.js';
import { solveSmo, SvcQ, type KernelSource } from '../src/models/svm/smo.js';
import { getBackend } from '../src/backend/index.js';
import { svcPairs } from '../src/backend/routines/svc-pairs.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { FrugalError, NumericalError } from '../src/errors.js';

/** Wall-clock bound for one fit (the fits themselves take milliseconds). */
const BOUND_MS = 10_000;

interface Case {
  name: string;
  estimator: 'SVC' | 'SVR' | 'LinearSVC';
  params: Record<string, unknown>;
  /** 'auto': the backend's pair solver where it takes the fit; 'js': the TypeScript solver. */
  pairSolver?: 'auto' | 'js';
  magnitude: number;
  /** The outcome required beyond "finite or a FrugalError". */
  mustThrowNumerical?: boolean;
}

interface Outcome {
  name: string;
  ms: number;
  /** 'finite', 'nonfinite', or the error's class name (prefixed 'frugal:' for library errors). */
  result: string;
  message?: string;
}

// Runs the cases one after the other in a worker; reports each as it ends.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const svm = await import(workerData.svm);
  const libsvm = await import(workerData.libsvm);
  const errors = await import(workerData.errors);
  // one thread: the solvers are under test here, not the pool, and a worker with no
  // workers of its own can end by itself (terminating one whose pool threads wait on
  // Atomics can take the whole process down)
  (await import(workerData.backend)).setNumThreads(1);
  for (const c of workerData.cases) {
    parentPort.postMessage({ start: c.name });
    let s = 7;
    const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const X = [], y = [], target = [];
    for (let i = 0; i < 60; i++) {
      X.push([0, 1, 2, 3].map(() => (next() * 2 - 1) * c.magnitude));
      y.push(i % 3);
      target.push(next() * c.magnitude);
    }
    const t0 = Date.now();
    const old = libsvm.setPairSolver(c.pairSolver ?? 'auto');
    let result, message;
    try {
      const model = new svm[c.estimator](c.params).fit(X, c.estimator === 'SVR' ? target : y);
      const out = c.estimator === 'SVR' ? model.predict(X) : model.decisionFunction(X);
      const values = Array.from(out.data ?? out);
      result = values.every(Number.isFinite) ? 'finite' : 'nonfinite';
    } catch (e) {
      result = (e instanceof errors.FrugalError ? 'frugal:' : '') + (e && e.constructor ? e.constructor.name : String(e));
      message = e && e.message;
    } finally {
      libsvm.setPairSolver(old);
    }
    parentPort.postMessage({ name: c.name, ms: Date.now() - t0, result, message });
  }
})();
`;

function runCases(cases: Case[]): Promise<Outcome[]> {
  const workerData = {
    cases,
    svm: new URL('../src/models/svm/index.js', import.meta.url).href,
    libsvm: new URL('../src/models/svm/libsvm.js', import.meta.url).href,
    errors: new URL('../src/errors.js', import.meta.url).href,
    backend: new URL('../src/backend/index.js', import.meta.url).href,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    const outcomes: Outcome[] = [];
    let running = '';
    let timer: NodeJS.Timeout | undefined;
    const fail = (why: string): void => {
      clearTimeout(timer);
      void worker.terminate();
      reject(new Error(why));
    };
    worker.on('message', (m: Outcome | { start: string }) => {
      clearTimeout(timer);
      if ('start' in m) {
        running = m.start;
        // a start without its end within the bound: the solver is stuck
        timer = setTimeout(() => fail(`${running}: no result after ${BOUND_MS} ms`), BOUND_MS);
        return;
      }
      outcomes.push(m);
      // the worker ends by itself after its last case
      if (outcomes.length === cases.length) resolve(outcomes);
    });
    worker.on('error', (e) => fail(`worker failed during ${running}: ${String(e)}`));
  });
}

function check(cases: Case[], outcomes: Outcome[]): void {
  for (const c of cases) {
    const o = outcomes.find((x) => x.name === c.name)!;
    assert.ok(o.ms < BOUND_MS, `${c.name}: took ${o.ms} ms`);
    if (c.mustThrowNumerical) {
      assert.equal(o.result, 'frugal:NumericalError', `${c.name}: ${o.result} ${o.message ?? ''}`);
    } else {
      assert.ok(o.result === 'finite' || o.result.startsWith('frugal:'), `${c.name}: ${o.result} ${o.message ?? ''}`);
    }
  }
}

const KERNELS = ['linear', 'rbf', 'poly', 'sigmoid'] as const;

describe('SVM solvers on features of magnitude 1e100 and 1e300: finite or a typed error, within seconds', () => {
  it('SVC, every kernel, the TypeScript and the backend pair solver, with and without probability', async () => {
    const cases: Case[] = [];
    for (const magnitude of [1e100, 1e300]) {
      for (const kernel of KERNELS) {
        for (const pairSolver of ['js', 'auto'] as const) {
          // linear kernel values (x·x ≈ 1e200) overflow float32; at 1e300 every kernel meets ∞ − ∞
          const mustThrowNumerical = magnitude === 1e300 || kernel === 'linear';
          cases.push({ name: `SVC ${kernel} ${pairSolver} ${magnitude}`, estimator: 'SVC', params: { kernel }, pairSolver, magnitude, mustThrowNumerical });
          cases.push({ name: `SVC ${kernel} gamma=1 ${pairSolver} ${magnitude}`, estimator: 'SVC', params: { kernel, gamma: 1 }, pairSolver, magnitude });
        }
      }
      cases.push({ name: `SVC probability ${magnitude}`, estimator: 'SVC', params: { kernel: 'linear', probability: true }, magnitude, mustThrowNumerical: true });
    }
    check(cases, await runCases(cases));
  });

  it('SVR, every kernel', async () => {
    const cases: Case[] = [];
    for (const magnitude of [1e100, 1e300]) {
      for (const kernel of KERNELS) {
        const mustThrowNumerical = magnitude === 1e300 || kernel === 'linear';
        cases.push({ name: `SVR ${kernel} ${magnitude}`, estimator: 'SVR', params: { kernel }, magnitude, mustThrowNumerical });
      }
    }
    check(cases, await runCases(cases));
  });

  it('LinearSVC: dual (both losses), primal, L1, Crammer–Singer', async () => {
    const cases: Case[] = [];
    for (const magnitude of [1e100, 1e300]) {
      const at300 = magnitude === 1e300; // squared norms overflow: every solver must say so
      cases.push({ name: `dual hinge ${magnitude}`, estimator: 'LinearSVC', params: { dual: true, loss: 'hinge' }, magnitude, mustThrowNumerical: at300 });
      cases.push({ name: `dual squared hinge ${magnitude}`, estimator: 'LinearSVC', params: { dual: true }, magnitude, mustThrowNumerical: at300 });
      // the primal's Hessian products overflow at 1e100 already (its CG loop used to spin for ever)
      cases.push({ name: `primal ${magnitude}`, estimator: 'LinearSVC', params: { dual: false }, magnitude, mustThrowNumerical: true });
      cases.push({ name: `l1 ${magnitude}`, estimator: 'LinearSVC', params: { dual: false, penalty: 'l1' }, magnitude, mustThrowNumerical: at300 });
      cases.push({ name: `crammer_singer ${magnitude}`, estimator: 'LinearSVC', params: { multiClass: 'crammer_singer' }, magnitude, mustThrowNumerical: at300 });
    }
    check(cases, await runCases(cases));
  });
});

describe('SMO stops on non-finite numbers', () => {
  it('SMO throws NumericalError on a NaN kernel value (a NaN gradient is never selected, so it is looked for)', () => {
    const l = 6;
    const src: KernelSource = {
      size: l,
      fill(o, idx, start, end, out) {
        for (let t = start; t < end; t++) {
          const j = idx[t];
          out[t] = (o === 0 && j === 1) || (o === 1 && j === 0) ? NaN : o === j ? 1 : 0.1;
        }
      },
      diag: () => 1,
    };
    const y = Int8Array.from([1, 1, 1, -1, -1, -1]);
    const solve = (): unknown =>
      solveSmo(new SvcQ(src, y, 1 << 20), new Float64Array(l).fill(-1), y, new Float64Array(l), new Float64Array(l).fill(1), {
        eps: 1e-3,
        shrinking: true,
        maxIter: -1,
        who: 'SVC',
      });
    assert.throws(solve, (e: unknown) => e instanceof NumericalError && /SVC: the SMO solver/.test(e.message));
  });

  it('the backend pair solver reports non-finite values as the TypeScript solver does', { skip: wasmSupport === 'none' ? 'no WebAssembly SIMD here' : false }, () => {
    const X = Array.from({ length: 30 }, (_, i) => [((i * 13) % 7) - 3, ((i * 5) % 11) - 5].map((v) => v * 1e100));
    const y = X.map((_, i) => i % 3);
    const impl = svcPairs.implementations[getBackend().name];
    const original = impl?.run;
    let taken = 0;
    if (impl && original) {
      impl.run = (args) => {
        const r = original.call(impl, args);
        if (r) taken++;
        return r;
      };
    }
    try {
      for (const solver of ['js', 'auto'] as const) {
        const old = setPairSolver(solver);
        try {
          assert.throws(
            () => new SVC({ kernel: 'linear' }).fit(X, y),
            (e: unknown) => e instanceof NumericalError && e instanceof FrugalError,
            solver,
          );
        } finally {
          setPairSolver(old);
        }
      }
    } finally {
      if (impl && original) impl.run = original;
    }
    if (original) assert.equal(taken, 1, 'the backend solved the pairs of the auto fit');
  });
});
