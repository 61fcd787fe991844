/**
 * One direction of an LSTM layer over T steps, forward and backward
 * (backpropagation through time), on raw arrays, time-major: the layer
 * input with W_ih and b_ih (LstmInput), projected by the forward itself
 * into the gate pre-activations xp [T, B, 4H] (gates i, f, g, o; on the
 * wasm backend step by step inside its job, with the same bits as a Linear
 * layer's GEMM: no T×B×4H array of projections made and copied), W_hh
 * [4H, H], b_hh, h0 and c0 [B, H]. The wasm implementation (float32, H a multiple of 4)
 * runs the whole recurrence, the small h·W_hhᵀ products and the gate math,
 * as one job over every thread, a block of batch rows per chunk
 * (../wasm/lstm-job.ts, asm/lstm.ts), with the same results to the bit
 * whatever the number of threads; its exp differs from the reference's in
 * the last bits, so the two agree to a tolerance, not to the bit.
 *
 * What the backward reads besides the outputs (the gates, the cell states)
 * is kept where the forward computed it: in JS arrays by the reference, in
 * the engine's memory by the wasm implementation (no copy out and back in).
 * A copy kept there may be given up for room before the backward runs
 * (`lstmStateKept` then says false and the caller runs the forward again).
 */
import { FrugalError } from '../../errors.js';
import type { FloatArray } from '../backend.js';
import { defineRoutine } from '../routine.js';
import { wasmEngine } from '../wasm/backend.js';
import { anyLstmStateParked, holdsLstmState, lstmBackwardJob, lstmForwardJob, unparkLstmState, type ParkedLstm } from '../wasm/lstm-job.js';
import { fastSigmoid as sigmoid, fastTanh as tanh } from './fast-math.js';
import { gemm } from '../index.js';
import { forEachStep, forEachStepBackward, like } from './recurrent-steps.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** The state before each step and the activated gates (time order): what the backward reads. */
export interface LstmCellState<F extends FloatArray = FloatArray> {
  /** [T, B, H] cell state before each step. */
  cPrev: F;
  /** [T, B, 4H] gates after activation. */
  acts: F;
  /** [T, B, H] tanh of the new cell state. */
  tanhC: F;
}

/** What the forward gives: `out` (T×B×H hidden states, then B×H: the final cell state) and the state for the backward. */
export interface LstmSaved<F extends FloatArray = FloatArray> {
  out: F;
  /** Set by the forward when asked to keep it: arrays, or a copy in the wasm engine's memory; null otherwise. */
  cell: LstmCellState<F> | ParkedLstm | null;
}

/** The layer input x [T, B, F] (time-major) with W_ih [4H, F] and b_ih [4H] (or null): the forward computes xp = x·W_ihᵀ + b_ih itself. */
export interface LstmInput<F extends FloatArray = FloatArray> {
  x: F;
  wIh: F;
  bIh: F | null;
  /** F, the input features. */
  features: number;
}

/** xp = x·W_ihᵀ + b_ih for `rows` rows of x ([rows, GH]), as a Linear layer computes it (a GEMM into the bias). */
export function projectInput({ x, wIh, bIh, features }: LstmInput, rows: number, GH: number): FloatArray {
  const xp = like(x, rows * GH);
  if (bIh) for (let r = 0; r < rows; r++) xp.set(bIh, r * GH);
  gemm({ m: rows, n: GH, k: features, a: x, b: wIh, transB: true, c: xp, accumulate: bIh !== null });
  return xp;
}

const isParked = (cell: LstmSaved['cell']): cell is ParkedLstm => cell !== null && 'floats' in cell;

/** Whether the backward can run on `saved` (its cell state was kept and, if in the wasm engine's memory, is still there). */
export function lstmStateKept(saved: LstmSaved): boolean {
  return isParked(saved.cell) ? engine !== null && holdsLstmState(engine, saved.cell) : saved.cell !== null;
}

/** Whether some forward's state waits in the wasm engine's memory for its backward (which a resident GEMM operand would give up). */
export function lstmStatesParked(): boolean {
  return engine !== null && anyLstmStateParked(engine);
}

/** The cell state as arrays (copied out of the wasm engine's memory where it is kept there). */
export function lstmCellArrays(saved: LstmSaved): LstmCellState {
  const cell = saved.cell;
  if (cell === null || (isParked(cell) && !lstmStateKept(saved))) throw new FrugalError('lstmBackward: the forward did not keep its state (run lstmForward with keep)');
  return isParked(cell) ? unparkLstmState(engine!, cell) : cell;
}

const wasmTakes = (...arrays: (FloatArray | null)[]): boolean => arrays.every((a) => a === null || a instanceof Float32Array);

export const lstmForward = defineRoutine(
  'lstmForward',
  function reference(
    input: LstmInput,
    wHh: FloatArray,
    bHh: FloatArray | null,
    h0: FloatArray,
    c0: FloatArray,
    T: number,
    B: number,
    H: number,
    reverse: boolean,
    saved: LstmSaved,
    keep: boolean,
  ): void {
    const out = saved.out;
    const GH = 4 * H,
      BH = B * H;
    const cPrev = like(out, T * BH),
      acts = like(out, T * B * GH),
      tanhC = like(out, T * BH);
    const c = c0.slice();
    const xp = projectInput(input, T * B, GH);
    forEachStep(T, B, H, GH, reverse, h0, out, like(out, T * BH), wHh, bHh, (row, hrow, srow, bh, hh) => {
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
    saved.cell = keep ? { cPrev, acts, tanhC } : null;
  },
);

lstmForward.register(
  'wasm',
  engine && {
    supports: (input, wHh, bHh, h0, c0, _T, _B, H, _reverse, saved) => H % 4 === 0 && wasmTakes(input.x, input.wIh, input.bIh, wHh, bHh, h0, c0, saved.out),
    run: (input, wHh, bHh, h0, c0, T, B, H, reverse, saved, keep) =>
      lstmForwardJob(
        engine,
        input as LstmInput<Float32Array>,
        wHh as Float32Array,
        bHh as Float32Array | null,
        h0 as Float32Array,
        c0 as Float32Array,
        T,
        B,
        H,
        reverse,
        saved as LstmSaved<Float32Array>,
        keep,
      ),
  },
);

/** The gates' gradient lstmBackward gives: `dx`, and where it is a view of the backend's memory (wasm), a `release` to call once it is read. */
export interface LstmGateGradients<F extends FloatArray = FloatArray> {
  dx: F;
  release?: () => void;
}

/**
 * The backward of lstmForward (run with `keep`). Returns dx [T, B, 4H], the
 * gradient of the gate pre-activations (so of xp), in an array the
 * implementation picks (the wasm one's may be a view of its memory), to be
 * released once read. dh [B, H] gets the gradient of h0 (zeros on entry);
 * dc [B, H] goes in as the final cell state's gradient and comes out as
 * c0's; db (when given) gets dx summed over steps and rows, in float64
 * rounded once.
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
    dh: FloatArray,
    dc: FloatArray,
    db: FloatArray | null,
  ): LstmGateGradients {
    const { acts, cPrev, tanhC } = lstmCellArrays(saved);
    const GH = 4 * H;
    const dx = like(gOut, T * B * GH);
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
    return { dx };
  },
);

/** The wasm backward takes float32 arrays and a cell state kept in the engine's memory or given as float32 arrays. */
function wasmTakesCell(cell: LstmSaved['cell']): boolean {
  if (cell === null) return false;
  return isParked(cell) ? engine !== null && holdsLstmState(engine, cell) : wasmTakes(cell.cPrev, cell.acts, cell.tanhC);
}

lstmBackward.register(
  'wasm',
  engine && {
    supports: (gOut, saved, wHh, _T, _B, H, _reverse, dh, dc, db) => H % 4 === 0 && wasmTakesCell(saved.cell) && wasmTakes(gOut, wHh, dh, dc, db),
    run: (gOut, saved, wHh, T, B, H, reverse, dh, dc, db) =>
      lstmBackwardJob(
        engine,
        gOut as Float32Array,
        saved as LstmSaved<Float32Array>,
        wHh as Float32Array,
        T,
        B,
        H,
        reverse,
        dh as Float32Array,
        dc as Float32Array,
        db as Float32Array | null,
      ),
  },
);
