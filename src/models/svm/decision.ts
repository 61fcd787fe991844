/**
 * Prediction of the kernel SVMs: decision values of the one-vs-one pairs
 * (C-SVC) or of the regression (epsilon-SVR) from blocks of kernel values
 * between test rows and support vectors, one-vs-one voting and the
 * one-vs-rest decision shape scikit-learn returns.
 */
import { gemmOrLoops } from '../../backend/index.js';
import type { Kernel, KernelRows } from './kernel-functions.js';

/** Test rows per kernel block in prediction (bounds the block's memory). */
function chunkRows(nSV: number): number {
  return Math.max(16, Math.min(4096, Math.floor((1 << 22) / Math.max(1, nSV))));
}

/**
 * Kernel values between support vectors and test rows, transposed:
 * [nSV, T] row-major for test rows [t0, t1).
 */
export type KernelBlockFn = (t0: number, t1: number) => Float64Array;

/** A KernelBlockFn for feature kernels. */
export function featureKernelBlocks(kernel: Kernel, SV: KernelRows, T: KernelRows): KernelBlockFn {
  return (t0, t1) => {
    const out = new Float64Array(SV.rows * (t1 - t0));
    kernel.block(SV, 0, SV.rows, T, t0, t1, out);
    return out;
  };
}

/** A KernelBlockFn over a user-supplied [T, nSV] kernel matrix. */
export function gramKernelBlocks(KT: Float64Array, _nT: number, nSV: number): KernelBlockFn {
  return (t0, t1) => {
    const w = t1 - t0;
    const out = new Float64Array(nSV * w);
    for (let t = t0; t < t1; t++) for (let s = 0; s < nSV; s++) out[s * w + (t - t0)] = KT[t * nSV + s];
    return out;
  };
}

/**
 * libsvm decision values of every pair for nT test rows: [nT, nPairs]
 * row-major (pair order (0,1), (0,2), ..., (1,2), ...).
 */
export function svcDecisionValues(model: { nSupport: Int32Array; coef: Float64Array; rho: Float64Array }, nClasses: number, nT: number, blocks: KernelBlockFn): Float64Array {
  const k = nClasses;
  const nSV = model.coef.length / Math.max(1, k - 1);
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nT * nPairs);
  const svStart = new Int32Array(k);
  for (let c = 1; c < k; c++) svStart[c] = svStart[c - 1] + model.nSupport[c - 1];
  // pair index of (i, j), i < j
  const pairIndex = (i: number, j: number): number => (i * (2 * k - i - 1)) / 2 + (j - i - 1);
  // per class c, its coefficients as a contiguous (k−1)×nSV_c matrix: row r is the pair
  // of c with its r-th other class (libsvm's layout)
  const coefOf: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const ns = model.nSupport[c];
    const m = new Float64Array((k - 1) * ns);
    for (let r = 0; r < k - 1; r++) m.set(model.coef.subarray(r * nSV + svStart[c], r * nSV + svStart[c] + ns), r * ns);
    coefOf.push(m);
  }
  const step = chunkRows(nSV);
  for (let t0 = 0; t0 < nT; t0 += step) {
    const t1 = Math.min(nT, t0 + step);
    const w = t1 - t0;
    const K = blocks(t0, t1); // [nSV, w]
    const D = new Float64Array((k - 1) * w);
    for (let c = 0; c < k; c++) {
      const ns = model.nSupport[c];
      if (ns === 0) continue;
      // D (k−1 × w) = coef_c (k−1 × ns) · K rows of class c (ns × w)
      gemmOrLoops({ m: k - 1, n: w, k: ns, a: coefOf[c], b: K, bOffset: svStart[c] * w, c: D });
      for (let r = 0; r < k - 1; r++) {
        const o = r < c ? r : r + 1; // the other class of this coefficient row
        const p = o < c ? pairIndex(o, c) : pairIndex(c, o);
        const dr = r * w;
        for (let t = 0; t < w; t++) out[(t0 + t) * nPairs + p] += D[dr + t];
      }
    }
  }
  for (let t = 0; t < nT; t++) for (let p = 0; p < nPairs; p++) out[t * nPairs + p] -= model.rho[p];
  return out;
}

/** Σ coef_s K(sv_s, x_t) − rho for each test row (SVR and one-class style models). */
export function svrDecisionValues(coef: Float64Array, rho: number, nT: number, blocks: KernelBlockFn): Float64Array {
  const nSV = coef.length;
  const out = new Float64Array(nT);
  const step = chunkRows(nSV);
  for (let t0 = 0; t0 < nT; t0 += step) {
    const t1 = Math.min(nT, t0 + step);
    const w = t1 - t0;
    const K = blocks(t0, t1);
    for (let s = 0; s < nSV; s++) {
      const a = coef[s];
      const kr = s * w;
      for (let t = 0; t < w; t++) out[t0 + t] += a * K[kr + t];
    }
  }
  for (let t = 0; t < nT; t++) out[t] -= rho;
  return out;
}

/** libsvm's votes: for pair (i, j), dec > 0 votes i; the first class with most votes wins. */
export function voteClasses(dec: Float64Array, nT: number, k: number): Int32Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Int32Array(nT);
  const votes = new Int32Array(k);
  for (let t = 0; t < nT; t++) {
    votes.fill(0);
    let p = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++, p++) votes[dec[t * nPairs + p] > 0 ? i : j]++;
    let best = 0;
    for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
    out[t] = best;
  }
  return out;
}

/**
 * scikit-learn's one-vs-rest shape of one-vs-one decision values: votes plus
 * the summed confidences squashed into (−1/3, 1/3). [nT, k] row-major.
 */
export function ovrDecision(dec: Float64Array, nT: number, k: number): Float64Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nT * k);
  const conf = new Float64Array(k);
  for (let t = 0; t < nT; t++) {
    conf.fill(0);
    const o = t * k;
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const d = dec[t * nPairs + p];
        conf[i] += d;
        conf[j] -= d;
        if (d < 0) out[o + j] += 1;
        else out[o + i] += 1;
      }
    }
    for (let c = 0; c < k; c++) out[o + c] += conf[c] / (3 * (Math.abs(conf[c]) + 1));
  }
  return out;
}
