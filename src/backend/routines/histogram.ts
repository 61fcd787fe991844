/**
 * Gradient histograms of histogram gradient boosting: for one tree node, per
 * feature and per bin, the sum of the gradients, the sum of the hessians and
 * the number of samples of the node that fall in that bin
 * (scikit-learn's `HistogramBuilder.compute_histograms_brute`).
 *
 * Layout
 * - `binned`: the bin codes, column-major (feature f of row r at
 *   `f * nRows + r`); codes are compact per feature, from 0 to the
 *   feature's number of slots − 1 (the last slot holds missing values).
 * - `slotStart[f]` .. `slotStart[f + 1]`: feature f's slots in `out`.
 * - `out`: float64, three numbers per slot: [Σ gradient, Σ hessian, count].
 *   With no `hessians` (a loss of constant hessian), the hessian sum is the
 *   count, as scikit-learn's splitter reads it then.
 *
 * Sums run over the node's samples in partition order, in float64, as
 * scikit-learn's do, so the histograms (and hence the splits) are its own.
 * The 'wasm' implementation (a TypeScript kernel for small nodes, a wasm job
 * over every thread for large ones: ../wasm/histogram-job.ts) gives the
 * reference's numbers to the bit: each slot's sums add the same float32
 * values in the same order.
 */
import { defineRoutine } from '../routine.js';
import { wasmEngine } from '../wasm/backend.js';
import { histogramJob } from '../wasm/histogram-job.js';

export interface HistogramArgs {
  binned: Uint8Array;
  nRows: number;
  slotStart: Int32Array;
  /** The features to build (others' slots are left at zero: e.g. constant features, which cannot split). */
  features: Int32Array;
  /** The partition of row indices; the node's rows are `samples[start..stop)`. */
  samples: Int32Array;
  start: number;
  stop: number;
  gradients: Float32Array;
  /** Per-row hessians, or null when the loss's hessian is constant. */
  hessians: Float32Array | null;
  /** 3 × slotStart[nFeatures] float64 numbers, overwritten. */
  out: Float64Array;
}

/** Gathers the node's gradients (and hessians) in partition order, as scikit-learn's `ordered_gradients`. */
function gatherOrdered(args: HistogramArgs, g: Float32Array, h: Float32Array | null): void {
  const { samples, start, stop, gradients, hessians } = args;
  for (let i = start; i < stop; i++) g[i - start] = gradients[samples[i]];
  if (h && hessians) for (let i = start; i < stop; i++) h[i - start] = hessians[samples[i]];
}

export const buildHistograms = defineRoutine('buildHistograms', function reference(args: HistogramArgs): void {
  const { binned, nRows, slotStart, features, samples, start, stop, out } = args;
  const count = stop - start;
  const g = new Float32Array(count);
  const h = args.hessians ? new Float32Array(count) : null;
  gatherOrdered(args, g, h);
  out.fill(0);
  for (const f of features) {
    const column = f * nRows;
    const base = slotStart[f];
    for (let i = 0; i < count; i++) {
      const slot = 3 * (base + binned[column + samples[start + i]]);
      out[slot] += g[i];
      out[slot + 1] += h ? h[i] : 1;
      out[slot + 2] += 1;
    }
  }
});

/**
 * The calling thread's kernel (small nodes): features taken four at a time in one pass over
 * the node's rows, so each row's index, gradient and hessian are loaded once
 * per four features and the four features' additions (to disjoint slots)
 * overlap; scratch buffers are reused between calls. Each slot receives the
 * same additions in the same order as in the reference, so the sums are the
 * same to the bit.
 */
/** One row's contribution to a slot (small enough for V8 to inline). */
function addToSlot(out: Float64Array, slot: number, gradient: number, hessian: number): void {
  out[slot] += gradient;
  out[slot + 1] += hessian;
  out[slot + 2] += 1;
}

class HistogramKernel {
  private g = new Float32Array(0);
  private h = new Float32Array(0);

  run(args: HistogramArgs): void {
    const { binned, nRows, slotStart, features, samples, start, stop, out } = args;
    const count = stop - start;
    if (this.g.length < count) {
      this.g = new Float32Array(Math.max(count, 2 * this.g.length));
      this.h = new Float32Array(this.g.length);
    }
    const { g, h } = this;
    gatherOrdered(args, g, args.hessians ? h : null);
    if (!args.hessians) h.fill(1, 0, count); // a constant hessian: the hessian sum counts rows
    out.fill(0);
    let j = 0;
    for (; j + 4 <= features.length; j += 4) {
      const c0 = features[j] * nRows;
      const c1 = features[j + 1] * nRows;
      const c2 = features[j + 2] * nRows;
      const c3 = features[j + 3] * nRows;
      const b0 = 3 * slotStart[features[j]];
      const b1 = 3 * slotStart[features[j + 1]];
      const b2 = 3 * slotStart[features[j + 2]];
      const b3 = 3 * slotStart[features[j + 3]];
      for (let i = 0; i < count; i++) {
        const row = samples[start + i];
        const gi = g[i];
        const hi = h[i];
        addToSlot(out, b0 + 3 * binned[c0 + row], gi, hi);
        addToSlot(out, b1 + 3 * binned[c1 + row], gi, hi);
        addToSlot(out, b2 + 3 * binned[c2 + row], gi, hi);
        addToSlot(out, b3 + 3 * binned[c3 + row], gi, hi);
      }
    }
    for (; j < features.length; j++) {
      const column = features[j] * nRows;
      const base = 3 * slotStart[features[j]];
      for (let i = 0; i < count; i++) addToSlot(out, base + 3 * binned[column + samples[start + i]], g[i], h[i]);
    }
  }
}

const kernel = new HistogramKernel();
const engine = wasmEngine;

/**
 * Below this many (row, feature) additions a node's histograms stay on the
 * calling thread (the TypeScript kernel above): waking the workers and
 * copying the bin codes into the wasm memory cost more than they save.
 * Measured on digits-sized data (1437 rows, 64 features of 18 bins, 2 threads,
 * best of 15): 12 800 additions 0.028 ms here against 0.036 ms as a job,
 * 25 600: 0.056 against 0.046 ms; the lines cross near 14 000.
 */
export const PARALLEL_MIN_ADDITIONS = 1 << 14;

// The 'wasm' backend: the wasm job on every thread (asm/histogram.ts) for large nodes, the TypeScript kernel for small
// ones and where workers cannot run or be waited for; the 'js' backend keeps the reference.
buildHistograms.register('wasm', {
  supports: () => true,
  run(args) {
    const large = (args.stop - args.start) * args.features.length >= PARALLEL_MIN_ADDITIONS;
    if (engine && large && engine.threads > 1 && engine.blocking) histogramJob(engine, args);
    else kernel.run(args);
  },
});
