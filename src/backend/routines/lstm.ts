/**
 * One direction of an LSTM layer over T steps, forward and backward
 * (backpropagation through time), on raw arrays, time-major:
 * xp [T, B, 4H] input projections (gates i, f, g, o), W_hh [4H, H], b_hh,
 * h0 and c0 [B, H]. The wasm implementation (float32, H a multiple of 4)
 * runs the whole recurrence, the small h·W_hhᵀ products and the gate math,
 * in the small kernels (asm/small.ts); its exp differs from the reference's
 * in the last bits, so the two agree to a tolerance, not to the bit.
 */
import type { FloatArray } from '../backend.js';
import { defineRoutine } from '../routine.js';
import { smallKernels } from '../wasm/small.js';
import { fastSigmoid as sigmoid, fastTanh as tanh } from './fast-math.js';
import { forEachStep, forEachStepBackward } from './recurrent-steps.js';

/** The small kernels' instance (null without WebAssembly SIMD). */
const small = smallKernels;

/** What the forward saves for the backward (time order), with `out`: T×B×H hidden states, then B×H: the final cell state. */
export interface LstmSaved<F extends FloatArray = FloatArray> {
  out: F;
  hPrev: F;
  cPrev: F;
  acts: F;
  tanhC: F;
}

const wasmTakes = (...arrays: (FloatArray | null)[]): boolean => arrays.every((a) => a === null || a instanceof Float32Array);

export const lstmForward = defineRoutine(
  'lstmForward',
  function reference(
    xp: FloatArray,
    wHh: FloatArray,
    bHh: FloatArray | null,
    h0: FloatArray,
    c0: FloatArray,
    T: number,
    B: number,
    H: number,
    reverse: boolean,
    saved: LstmSaved,
  ): void {
    const { out, hPrev, cPrev, acts, tanhC } = saved;
    const GH = 4 * H,
      BH = B * H;
    const c = c0.slice();
    forEachStep(T, B, H, GH, reverse, h0, out, hPrev, wHh, bHh, (row, hrow, srow, bh, hh) => {
      for (let j = 0; j < H; j++) {
        const i = sigmoid(xp[row + j] + hh[hrow + j]);
        const f = sigmoid(xp[row + H + j] + hh[hrow + H + j]);
        const g = tanh(xp[row + 2 * H + j] + hh[hrow + 2 * H + j]);
        const o = sigmoid(xp[row + 3 * H + j] + hh[hrow + 3 * H + j]);
        const cp = c[bh + j];
        const cn = f * cp + i * g;
        const tc = tanh(cn);
        acts[row + j] = i;
        acts[row + H + j] = f;
        acts[row + 2 * H + j] = g;
        acts[row + 3 * H + j] = o;
        cPrev[srow + j] = cp;
        tanhC[srow + j] = tc;
        c[bh + j] = cn;
        out[srow + j] = o * tc;
      }
    });
    out.set(c, T * BH);
  },
);

lstmForward.register(
  'wasm',
  small && {
    supports: (xp, wHh, bHh, h0, c0, _T, _B, H, _reverse, saved) => H % 4 === 0 && wasmTakes(xp, wHh, bHh, h0, c0, saved.out, saved.hPrev, saved.cPrev, saved.acts, saved.tanhC),
    run: (xp, wHh, bHh, h0, c0, T, B, H, reverse, saved) =>
      small.lstmForward(
        xp as Float32Array,
        wHh as Float32Array,
        bHh as Float32Array | null,
        h0 as Float32Array,
        c0 as Float32Array,
        T,
        B,
        H,
        reverse,
        saved as LstmSaved<Float32Array>,
      ),
  },
);

/**
 * The backward of lstmForward: dx [T, B, 4H] (the gradient of the gate
 * pre-activations, so of xp), dh [B, H] (of h0; zeros on entry); dc [B, H]
 * goes in as the final cell state's gradient and comes out as c0's; db (when
 * given) gets dx summed over steps and rows, in float64 rounded once.
 */
export const lstmBackward = defineRoutine(
  'lstmBackward',
  function reference(
    gOut: FloatArray,
    saved: LstmSaved,
    wHh: FloatArray,
    T: number,
    B: number,
    H: number,
    reverse: boolean,
    dx: FloatArray,
    dh: FloatArray,
    dc: FloatArray,
    db: FloatArray | null,
  ): void {
    const { acts, cPrev, tanhC } = saved;
    const GH = 4 * H;
    // dh_prev = dx_t · W_hh
    forEachStepBackward(T, B, H, GH, reverse, gOut, wHh, dx, false, dh, (row, srow, bh, dht) => {
      for (let j = 0; j < H; j++) {
        const i = acts[row + j],
          f = acts[row + H + j],
          g = acts[row + 2 * H + j],
          o = acts[row + 3 * H + j];
        const tc = tanhC[srow + j],
          d = dht[bh + j];
        const dcj = dc[bh + j] + d * o * (1 - tc * tc);
        dx[row + j] = dcj * g * i * (1 - i);
        dx[row + H + j] = dcj * cPrev[srow + j] * f * (1 - f);
        dx[row + 2 * H + j] = dcj * i * (1 - g * g);
        dx[row + 3 * H + j] = d * tc * o * (1 - o);
        dc[bh + j] = dcj * f;
      }
    });
    if (db) {
      const acc = new Float64Array(GH);
      for (let r = 0; r < T * B; r++) for (let j = 0; j < GH; j++) acc[j] += dx[r * GH + j];
      db.set(acc);
    }
  },
);

lstmBackward.register(
  'wasm',
  small && {
    supports: (gOut, saved, wHh, _T, _B, H, _reverse, dx, dh, dc, db) => H % 4 === 0 && wasmTakes(gOut, wHh, dx, dh, dc, db, saved.out, saved.acts, saved.cPrev, saved.tanhC),
    run: (gOut, saved, wHh, T, B, H, reverse, dx, dh, dc, db) =>
      small.lstmBackward(
        gOut as Float32Array,
        saved as LstmSaved<Float32Array>,
        wHh as Float32Array,
        T,
        B,
        H,
        reverse,
        dx as Float32Array,
        dh as Float32Array,
        dc as Float32Array,
        db as Float32Array | null,
      ),
  },
);
