/**
 * The `buildHistograms` backend routine: its fast implementation against the
 * TypeScript reference, to the bit, on random shapes (empty, single-row and
 * prime-sized nodes, features of one slot and of 256, constant and per-row
 * hessians, a subset of features); and the reference against sums written
 * out by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { buildHistograms, type HistogramArgs } from '../src/backend/routines/histogram.js';
import { wasmEngine } from '../src/backend/wasm/backend.js';
import { histogramJob } from '../src/backend/wasm/histogram-job.js';
import { ValueError } from '../src/errors.js';
import { rng, withBackend } from './helpers/backends.js';

function randomArgs(next: () => number, nRows: number, slots: number[], nodeSize: number, constantHessian: boolean, allFeatures: boolean): HistogramArgs {
  const nFeatures = slots.length;
  const slotStart = new Int32Array(nFeatures + 1);
  slots.forEach((s, f) => (slotStart[f + 1] = slotStart[f] + s));
  const binned = new Uint8Array(nRows * nFeatures);
  for (let f = 0; f < nFeatures; f++) for (let r = 0; r < nRows; r++) binned[f * nRows + r] = Math.floor(next() * slots[f]);
  // A node: a random subset of rows, in a random order, somewhere inside the partition.
  const samples = Int32Array.from({ length: nRows }, (_, i) => i).sort(() => next() - 0.5);
  const start = Math.floor(next() * (nRows - nodeSize + 1));
  const features = Int32Array.from({ length: nFeatures }, (_, f) => f).filter((f) => allFeatures || f % 3 !== 1);
  return {
    binned,
    nRows,
    slotStart,
    features,
    samples,
    start,
    stop: start + nodeSize,
    gradients: Float32Array.from({ length: nRows }, () => next() * 2 - 1),
    hessians: constantHessian ? null : Float32Array.from({ length: nRows }, () => next()),
    out: Float64Array.from({ length: 3 * slotStart[nFeatures] }, () => next()), // garbage: must be overwritten
  };
}

describe('buildHistograms routine', () => {
  it('the fast implementation equals the reference to the bit on random shapes', () => {
    const next = rng(15);
    const impl = buildHistograms.implementations.wasm;
    assert.ok(impl, 'buildHistograms has a fast implementation');
    const shapes: [number, number[], number][] = [
      [1, [2], 1],
      [7, [3, 1, 256], 0],
      [97, [17, 2, 256, 5, 31], 97],
      [1009, [256, 13, 7], 331],
      [64, Array.from({ length: 40 }, (_, f) => 1 + (f % 19)), 29],
      // above PARALLEL_MIN_ADDITIONS: the wasm job on the worker threads (chunks of 4 features and a remainder of 2)
      [4001, Array.from({ length: 30 }, (_, f) => 1 + ((f * 37) % 256)), 3989],
      [9000, [256, 5, 256, 1, 2, 255, 17, 90, 33], 8999],
    ];
    let compared = 0;
    for (const [nRows, slots, nodeSize] of shapes) {
      for (const constantHessian of [true, false]) {
        for (const allFeatures of [true, false]) {
          const args = randomArgs(next, nRows, slots, nodeSize, constantHessian, allFeatures);
          const expected = { ...args, out: args.out.slice() };
          buildHistograms.reference(expected);
          const actual = { ...args, out: args.out.slice() };
          withBackend('wasm', () => {
            assert.ok(impl.supports(actual));
            impl.run(actual);
          });
          const what = `rows ${nRows}, slots ${slots.length}, node ${nodeSize}, constant hessian ${constantHessian}`;
          assert.deepEqual(actual.out, expected.out, what);
          if (wasmEngine) {
            // The wasm job itself, whatever the size threshold, on more than one thread where the machine has them.
            assert.ok(wasmEngine.numThreads() > 1 || availableParallelism() === 1);
            const job = { ...args, out: args.out.slice() };
            histogramJob(wasmEngine, job);
            assert.deepEqual(job.out, expected.out, `wasm job: ${what}`);
          }
          compared++;
        }
      }
    }
    assert.equal(compared, 28);
  });

  it('the wasm job rejects a row index, feature or node range outside the layout with a ValueError (no write outside its data)', (t) => {
    if (!wasmEngine) return t.skip('no WebAssembly SIMD here');
    const next = rng(3);
    const hostile: [string, (a: HistogramArgs) => HistogramArgs][] = [
      ['a row index past nRows', (a) => ({ ...a, samples: Int32Array.from(a.samples, (r, i) => (i === a.start + 5 ? a.nRows + 1000 : r)) })],
      ['a negative row index', (a) => ({ ...a, samples: Int32Array.from(a.samples, (r, i) => (i === a.stop - 1 ? -1 : r)) })],
      ['a feature past the layout', (a) => ({ ...a, features: Int32Array.of(0, 7) })],
      ['a node range past the partition', (a) => ({ ...a, stop: a.samples.length + 1 })],
      ['slot starts running past the output', (a) => ({ ...a, slotStart: Int32Array.of(0, 1_000_000, 17) })],
      ['too few bin codes', (a) => ({ ...a, binned: a.binned.subarray(0, 10) })],
    ];
    for (const [what, corrupt] of hostile) {
      const args = corrupt(randomArgs(next, 500, [17, 256], 400, false, true));
      assert.throws(() => histogramJob(wasmEngine!, args), ValueError, what);
    }
  });

  it('the reference sums gradient, hessian and count per bin over the node only', () => {
    // Two features; rows 0..4; the node is partition[1..4) = rows 3, 0, 4.
    const args: HistogramArgs = {
      binned: Uint8Array.from([0, 1, 1, 0, 2, /* feature 1 */ 1, 1, 0, 0, 1]),
      nRows: 5,
      slotStart: Int32Array.from([0, 3, 5]),
      features: Int32Array.from([0, 1]),
      samples: Int32Array.from([2, 3, 0, 4, 1]),
      start: 1,
      stop: 4,
      gradients: Float32Array.from([0.5, 9, 9, -1, 2]),
      hessians: Float32Array.from([0.25, 9, 9, 0.5, 1]),
      out: new Float64Array(15).fill(7),
    };
    buildHistograms.reference(args);
    // Feature 0: rows 3 (bin 0), 0 (bin 0), 4 (bin 2). Feature 1: rows 3 (bin 0), 0 (bin 1), 4 (bin 1).
    assert.deepEqual(Array.from(args.out), [-0.5, 0.75, 2, 0, 0, 0, 2, 1, 1, -1, 0.5, 1, 2.5, 1.25, 2]);
    buildHistograms.reference({ ...args, hessians: null });
    assert.deepEqual(Array.from(args.out), [-0.5, 2, 2, 0, 0, 0, 2, 1, 1, -1, 1, 1, 2.5, 2, 2]);
  });
});
