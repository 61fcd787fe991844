/**
 * The `buildHistograms` backend routine: its fast implementation against the
 * TypeScript reference, to the bit, on random shapes (empty, single-row and
 * prime-sized nodes, features of one slot and of 256, constant and per-row
 * hessians, a subset of features); and the reference against sums written
 * out by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHistograms, type HistogramArgs } from '../src/backend/routines/histogram.js';
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
          assert.deepEqual(actual.out, expected.out, `rows ${nRows}, slots ${slots.length}, node ${nodeSize}, constant hessian ${constantHessian}`);
          compared++;
        }
      }
    }
    assert.equal(compared, 20);
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
