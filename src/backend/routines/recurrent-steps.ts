/**
 * The walk over time every recurrent cell shares (LSTM here in the backend,
 * GRU and the plain RNN in nn/layers/recurrent-scan.ts), on raw time-major
 * arrays of T steps × B rows: step s runs at time t = s, or T − 1 − s for a
 * reverse scan; its hidden rows start at ht = t·B·H and its gate rows at
 * gt = t·B·G·H (GH = G·H, G gates). Each step calls the cell's own loops.
 */
import type { FloatArray } from '../backend.js';
import { gemm } from '../index.js';

/** A new array of the same type as `like`. */
export const like = <F extends FloatArray>(a: F, n: number): F => new (a.constructor as new (n: number) => F)(n);

/**
 * The forward steps in scan order: each copies h_prev (h0, then the previous
 * step's output) into hPrev at ht, computes hh = h_prev·W_hhᵀ (+ b_hh) for
 * all gates of every row at once, then runs the cell on each of the B rows,
 * which writes the row's hidden state into out. The cell gets the row's
 * offsets: `row` of its gates in the [T, B, GH] arrays (gt + b·GH), `hrow`
 * of its gates in hh (b·GH), `srow` of its hidden units in the [T, B, H]
 * arrays (ht + b·H) and `bh` in the [B, H] state arrays (b·H).
 */
export function forEachStep<F extends FloatArray>(
  T: number,
  B: number,
  H: number,
  GH: number,
  reverse: boolean,
  h0: F,
  out: F,
  hPrev: F,
  wHh: F,
  bHh: F | null,
  cellRow: (row: number, hrow: number, srow: number, bh: number, hh: F) => void,
): void {
  const BH = B * H,
    BG = B * GH;
  const hh = like(hPrev, BG);
  let hSrc = h0,
    hOff = 0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const ht = t * BH,
      gt = t * BG;
    hPrev.set(hSrc.subarray(hOff, hOff + BH), ht);
    if (bHh) for (let b = 0; b < B; b++) hh.set(bHh, b * GH);
    gemm({ m: B, n: GH, k: H, a: hPrev, aOffset: ht, b: wHh, transB: true, c: hh, accumulate: bHh !== null });
    for (let b = 0; b < B; b++) cellRow(gt + b * GH, b * GH, ht + b * H, b * H, hh);
    hSrc = out;
    hOff = ht;
  }
}

/**
 * Backpropagation through time: the steps in reverse scan order. At each,
 * dht gets the gradient reaching h_t (from the output, gOut, plus from the
 * step after it, dh); the cell's backward runs on each row (offsets as in
 * forEachStep) and writes the gradient of the step's gate pre-activations
 * into dPre; then dh = dPre_t · W_hh, the gradient reaching h_prev, or
 * dh += dPre_t · W_hh when `accumulate` (the cell has put a direct path in dh).
 */
export function forEachStepBackward<F extends FloatArray>(
  T: number,
  B: number,
  H: number,
  GH: number,
  reverse: boolean,
  gOut: F,
  wHh: F,
  dPre: F,
  accumulate: boolean,
  dh: F,
  cellRowBackward: (row: number, srow: number, bh: number, dht: F) => void,
): void {
  const BH = B * H,
    BG = B * GH;
  const dht = like(dh, BH);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const ht = t * BH,
      gt = t * BG;
    for (let i = 0; i < BH; i++) dht[i] = gOut[ht + i] + dh[i];
    for (let b = 0; b < B; b++) cellRowBackward(gt + b * GH, ht + b * H, b * H, dht);
    gemm({ m: B, n: H, k: GH, a: dPre, aOffset: gt, b: wHh, c: dh, accumulate });
  }
}
