// One direction of an LSTM layer over a whole sequence, forward and backward
// (the LSTM_FORWARD and LSTM_BACKWARD kinds; src/backend/wasm/lstm-job.ts
// writes the job, src/backend/routines/lstm.ts has the reference): float32,
// H a multiple of 4, gates i, f, g, o as PyTorch orders them.
//
// The recurrences of the batch rows are independent of one another, so each
// chunk takes a block of rows and runs every step of them: threads never
// wait for one another inside a job. Each row is computed by the same
// operations whichever chunk holds it (linear32's register tiles and single
// rows sum in the same order), so results do not depend on the chunking or
// on the number of threads.
//
// Every array is time-major with all B rows: a row block r0..r0+rows of step
// ts starts at ts·B·width + r0·width floats.
//
// The forward projects the layer input itself: each step's rows of the gate
// pre-activations xp = x·W_ihᵀ + b_ih are computed by linear32 just before
// the step, into the chunk's scratch, with the same bits as the general
// GEMM of a Linear layer gives them (small.ts), so no T×B×4H array of
// projections is written, copied in, or read back from memory.

import {
  LS_ACTS_PTR, LS_B, LS_BIAS_PTR, LS_C_PREV_PTR, LS_C_PTR, LS_H, LS_H0_PTR, LS_OUT_PTR, LS_REVERSE, LS_ROWS_PER_CHUNK,
  LS_PROJECTION_PTR, LS_SCRATCH_PTR, LS_T, LS_TANH_C_PTR, LS_W_PTR, LS_X_PTR, LSTM_FORWARD,
} from './layout';
import { slot } from './gemm';
import { maddF32 } from './madd';
import { linear32 } from './small';

/** e^x for 4 lanes (Cephes expf: |rel. error| < 2e-7 on [-87, 88]; clamped outside). */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  // pmax/pmin (one instruction each; V8's NaN-propagating f32x4.max/min are about eight): a NaN x is
  // not below or above a bound, so it passes through as it did, and the bounds are far from ±0.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = maddF32(p, r, f32x4.splat(1.3981999507e-3));
  p = maddF32(p, r, f32x4.splat(8.3334519073e-3));
  p = maddF32(p, r, f32x4.splat(4.1665795894e-2));
  p = maddF32(p, r, f32x4.splat(1.6666665459e-1));
  p = maddF32(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(maddF32(p, f32x4.mul(r, r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh(x) = 2·σ(2x) − 1. */
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const two = f32x4.splat(2);
  return f32x4.sub(f32x4.mul(two, sigmoid4(f32x4.mul(two, x))), f32x4.splat(1));
}

/** Runs chunk `chunk` (a block of batch rows) of an LSTM_FORWARD or LSTM_BACKWARD job. */
export function lstmChunk(ctl: usize, chunk: i32, kind: i32): void {
  const t = slot(ctl, LS_T), b = slot(ctl, LS_B), h = slot(ctl, LS_H);
  const perChunk = slot(ctl, LS_ROWS_PER_CHUNK);
  const r0 = chunk * perChunk, rows = min(perChunk, b - r0);
  if (rows <= 0) return;
  // perChunk·8H floats per chunk: h·W_hhᵀ (or the backward's dh), then the projected input of a step.
  const scratch = <usize>slot(ctl, LS_SCRATCH_PTR) + ((<usize>r0 * <usize>h) << 5);
  const reverse = slot(ctl, LS_REVERSE);
  if (kind == LSTM_FORWARD) {
    lstmForwardRows(
      <usize>slot(ctl, LS_X_PTR), <usize>slot(ctl, LS_W_PTR), <usize>slot(ctl, LS_BIAS_PTR), <usize>slot(ctl, LS_H0_PTR), <usize>slot(ctl, LS_C_PTR),
      t, b, h, reverse, r0, rows,
      <usize>slot(ctl, LS_OUT_PTR), <usize>slot(ctl, LS_C_PREV_PTR), <usize>slot(ctl, LS_ACTS_PTR), <usize>slot(ctl, LS_TANH_C_PTR), scratch,
      <usize>slot(ctl, LS_PROJECTION_PTR), scratch + ((<usize>perChunk * <usize>h) << 4),
    );
  } else {
    lstmBackwardRows(
      <usize>slot(ctl, LS_X_PTR), <usize>slot(ctl, LS_ACTS_PTR), <usize>slot(ctl, LS_C_PREV_PTR), <usize>slot(ctl, LS_TANH_C_PTR), <usize>slot(ctl, LS_W_PTR),
      t, b, h, reverse, r0, rows,
      <usize>slot(ctl, LS_OUT_PTR), <usize>slot(ctl, LS_H0_PTR), <usize>slot(ctl, LS_C_PTR), scratch,
    );
  }
}

/**
 * Forward over T steps for rows r0..r0+rows. x: T×B×F layer input, projected
 * as `projection` describes (LS_PROJECTION_PTR; G = 4H); wt: W_hhᵀ (H×G) in panels; bias: b_hh (G) or 0;
 * h0, c: B×H (c is updated in place into the final cell state). Writes out:
 * T×B×H hidden states; cPrev: T×B×H cell states before each step; acts:
 * T×B×G gates after activation; tanhC: T×B×H tanh of the new cell state;
 * hh and xs: rows×G scratch (h·W_hhᵀ + b_hh, and the step's projected input).
 */
function lstmForwardRows(
  x: usize, wt: usize, bias: usize, h0: usize, c: usize, t: i32, b: i32, h: i32, reverse: i32, r0: i32, rows: i32,
  out: usize, cPrev: usize, acts: usize, tanhC: usize, hh: usize, projection: usize, xs: usize,
): void {
  const g = h << 2;
  const bh = <usize>(b * h) << 2, bg = <usize>(b * g) << 2;
  const rowH = <usize>(r0 * h) << 2, rowG = <usize>(r0 * g) << 2, blockH = <usize>(rows * h) << 2;
  const hB = <usize>h << 2;
  const cRows = c + rowH;
  let src = h0 + rowH;
  const features = load<i32>(projection), wIh = <usize>load<i32>(projection, 4), bIh = <usize>load<i32>(projection, 8);
  for (let s = 0; s < t; s++) {
    const ts = reverse ? t - 1 - s : s;
    memory.copy(cPrev + <usize>ts * bh + rowH, cRows, blockH);
    linear32(wt, bias, src, h, hh, rows, h, g, 0, 0);
    linear32(wIh, bIh, x + ((<usize>(ts * b + r0) * <usize>features) << 2), features, xs, rows, features, g, 0, 0);
    const as = acts + <usize>ts * bg + rowG;
    const os = out + <usize>ts * bh + rowH, tcs = tanhC + <usize>ts * bh + rowH;
    for (let r = 0; r < rows; r++) {
      const grow = <usize>(r * g) << 2, hrow = <usize>(r * h) << 2;
      for (let j = 0; j < h; j += 4) {
        const o4 = <usize>j << 2;
        const gi = grow + o4, gf = gi + hB, gg = gf + hB, go = gg + hB;
        // Each value stored as soon as it is made, so that few stay live: with all four gates held to
        // the end, V8 kept some on the stack (the same operations, in another order: the same bits).
        const i = sigmoid4(f32x4.add(v128.load(xs + gi), v128.load(hh + gi)));
        v128.store(as + gi, i);
        const gt = tanh4(f32x4.add(v128.load(xs + gg), v128.load(hh + gg)));
        v128.store(as + gg, gt);
        const ig = f32x4.mul(i, gt);
        const f = sigmoid4(f32x4.add(v128.load(xs + gf), v128.load(hh + gf)));
        v128.store(as + gf, f);
        const cn = maddF32(f, v128.load(cRows + hrow + o4), ig);
        v128.store(cRows + hrow + o4, cn);
        const tc = tanh4(cn);
        v128.store(tcs + hrow + o4, tc);
        const o = sigmoid4(f32x4.add(v128.load(xs + go), v128.load(hh + go)));
        v128.store(as + go, o);
        v128.store(os + hrow + o4, f32x4.mul(o, tc));
      }
    }
    src = os;
  }
}

/**
 * Backward through the T steps of lstmForwardRows for rows r0..r0+rows.
 * gOut: T×B×H gradient of the hidden outputs; dc: B×H gradient of the final
 * cell state, turned in place into that of c0; w: W_hh (G×H) in panels.
 * Writes dx: T×B×G gradient of the gate pre-activations (= of xp and of
 * hh); dh: B×H gradient of h0; dht: rows×H scratch.
 */
function lstmBackwardRows(
  gOut: usize, acts: usize, cPrev: usize, tanhC: usize, w: usize, t: i32, b: i32, h: i32, reverse: i32, r0: i32, rows: i32,
  dx: usize, dh: usize, dc: usize, dht: usize,
): void {
  const g = h << 2;
  const bh = <usize>(b * h) << 2, bg = <usize>(b * g) << 2;
  const rowH = <usize>(r0 * h) << 2, rowG = <usize>(r0 * g) << 2, blockH = <usize>(rows * h) << 2;
  const hB = <usize>h << 2;
  const dhRows = dh + rowH, dcRows = dc + rowH;
  const one = f32x4.splat(1);
  memory.fill(dhRows, 0, blockH);
  for (let s = t - 1; s >= 0; s--) {
    const ts = reverse ? t - 1 - s : s;
    const gs = gOut + <usize>ts * bh + rowH, as = acts + <usize>ts * bg + rowG, ds = dx + <usize>ts * bg + rowG;
    const cps = cPrev + <usize>ts * bh + rowH, tcs = tanhC + <usize>ts * bh + rowH;
    for (let r = 0; r < rows; r++) {
      const grow = <usize>(r * g) << 2, hrow = <usize>(r * h) << 2;
      for (let j = 0; j < h; j += 4) {
        const o4 = <usize>j << 2;
        const gi = grow + o4, gf = gi + hB, gg = gf + hB, go = gg + hB;
        const i = v128.load(as + gi), f = v128.load(as + gf), gt = v128.load(as + gg), o = v128.load(as + go);
        const tc = v128.load(tcs + hrow + o4);
        const d = f32x4.add(v128.load(gs + hrow + o4), v128.load(dhRows + hrow + o4));
        const dcj = maddF32(f32x4.mul(d, o), f32x4.sub(one, f32x4.mul(tc, tc)), v128.load(dcRows + hrow + o4));
        v128.store(ds + gi, f32x4.mul(f32x4.mul(dcj, gt), f32x4.mul(i, f32x4.sub(one, i))));
        v128.store(ds + gf, f32x4.mul(f32x4.mul(dcj, v128.load(cps + hrow + o4)), f32x4.mul(f, f32x4.sub(one, f))));
        v128.store(ds + gg, f32x4.mul(f32x4.mul(dcj, i), f32x4.sub(one, f32x4.mul(gt, gt))));
        v128.store(ds + go, f32x4.mul(f32x4.mul(d, tc), f32x4.mul(o, f32x4.sub(one, o))));
        v128.store(dcRows + hrow + o4, f32x4.mul(dcj, f));
      }
    }
    // dh_prev = dx_t · W_hh (dht holds it while dh is still read above).
    linear32(w, 0, ds, g, dht, rows, g, h, 0, 0);
    memory.copy(dhRows, dht, blockH);
  }
}
