/**
 * One direction of one recurrent layer over a whole sequence, as a single
 * fused op: the recurrence runs on raw arrays (one GEMM per step for the
 * hidden-to-hidden product of all gates at once), and the backward is
 * backpropagation through time written by hand, with the weight gradient
 * as one GEMM over all steps. One scan per cell: LSTM (the backend's lstm
 * routines, which also compute the input projection x·W_ihᵀ + b_ih
 * themselves, step by step), GRU, and the plain RNN. The reference (tensor
 * ops, step by step) serves gradients of gradients.
 */
import { fusedOp } from '../../autograd/fused.js';
import { needsGrad } from '../../autograd/graph.js';
import { gemm, withResidentOperand } from '../../backend/index.js';
import { fastSigmoid as sigmoid, fastTanh as tanh } from '../../backend/routines/fast-math.js';
import { lstmBackward, lstmForward, lstmStateKept, lstmStatesParked, projectInput, type LstmInput, type LstmSaved } from '../../backend/routines/lstm.js';
import { forEachStep, forEachStepBackward } from '../../backend/routines/recurrent-steps.js';
import { arrayFor } from '../../tensor/dtype.js';
import { concat, split, stack } from '../../tensor/ops/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Floats } from './common.js';
import { linear } from './linear.js';

export type CellMode = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/** Gates per cell: LSTM i, f, g, o; GRU r, z, n; plain RNN one. */
export function gateCount(mode: CellMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

/** Sizes of a scan: T steps of B rows, H hidden units, GH = gates·H; `reverse`: run in reverse time order. */
interface Dims {
  T: number;
  B: number;
  H: number;
  GH: number;
  reverse: boolean;
  dtype: 'float32' | 'float64';
}

/** The arrays of one scan's forward, and its backpropagation through time. */
interface Scan {
  /** [T, B, H] hidden states (LSTM: one more row, the final cell state). */
  out: Floats;
  /**
   * From the gradient of `out`: the gradients of xproj (dx) and of the
   * hidden product hh (dhh; the same array except for GRU's n gate), of h0
   * (dh), of c0 (dc, LSTM), and of b_hh (db) where the scan sums it itself.
   */
  backward(gOut: Floats, wantDb: boolean): { dx: Floats; dhh: Floats; dh: Floats; dc: Floats | null; db: Floats | null; release?: () => void };
}

/** A layer's input x [T, B, F] (time-major) with its weights W_ih [G·H, F] and b_ih [G·H]: the scan's input projection is x·W_ihᵀ + b_ih. */
export interface LayerInput {
  x: Tensor;
  wIh: Tensor;
  bIh: Tensor | null;
}

/**
 * Runs the recurrence of a layer over its input x [T, B, F] (time-major),
 * projected as x·W_ihᵀ + b_ih for every step, with W_hh [G·H, H], optional
 * b_hh [G·H], initial h0 [B, H] (and c0 [B, H] for LSTM), forwards or in
 * reverse time order. Returns [T, B, H]: the hidden state at every time
 * step, with one more row for LSTM — [T + 1, B, H], the last row being the
 * final cell state.
 */
export function recurrentScan(mode: CellMode, { x, wIh, bIh }: LayerInput, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor | null, reverse: boolean): Tensor {
  const lstm = mode === 'lstm',
    gru = mode === 'gru';
  const [T, B, F] = x.shape,
    [GH, H] = wHh.shape;
  const d: Dims = { T, B, H, GH, reverse, dtype: wHh.dtype as 'float32' | 'float64' };
  const w = wHh.data as Floats,
    bias = (bHh?.data as Floats | undefined) ?? null;
  const inputs = [x, wIh, bIh, wHh, bHh, h0, c0].filter((t): t is Tensor => t !== null);
  const input: LstmInput = { x: x.data as Floats, wIh: wIh.data as Floats, bIh: (bIh?.data as Floats | undefined) ?? null, features: F };
  // The LSTM routines project the input inside their job; GRU and the plain RNN take the projection made here.
  const scan = lstm
    ? lstmScan(d, input, w, bias, h0.data as Floats, c0!.data as Floats, needsGrad(inputs))
    : gru
      ? gruScan(d, projectInput(input, T * B, GH) as Floats, w, bias, h0.data as Floats)
      : rnnScan(d, mode === 'rnnRelu', projectInput(input, T * B, GH) as Floats, w, bias, h0.data as Floats);

  const fast = (gOut: Tensor): (Tensor | null)[] => {
    const { dx, dhh, dh, dc, db, release } = scan.backward(gOut.data as Floats, (bHh?.requiresGrad || bIh?.requiresGrad) ?? false);
    // Every weight-gradient product reads dx: where it lies when the LSTM backward left it parked in the backend's
    // memory; otherwise copied there once, unless that would give up the states LSTM forwards parked for their backwards.
    const weightGrads = (): (Tensor | null)[] => [
      ...projectionGrads(d, x, wIh, dx),
      wHh.requiresGrad ? new Tensor(hiddenWeightGrad(d, dhh, scan.out, h0.data as Floats), wHh.shape) : null,
    ];
    const [dX, dWih, dWhh] = lstmStatesParked() ? weightGrads() : withResidentOperand(dx, weightGrads);
    const grads = [dX, dWih];
    // LSTM: b_ih's gradient is b_hh's (db, the same gates' gradients summed), in an array of its own.
    if (bIh) grads.push(bIh.requiresGrad ? new Tensor(db ? db.slice() : biasGrad(d, dx), bIh.shape) : null);
    grads.push(dWhh);
    if (bHh) grads.push(bHh.requiresGrad ? new Tensor(db ?? biasGrad(d, dhh), bHh.shape) : null);
    // dx may be a view of the backend's memory: read by now, handed back (left parked by a throw above, it is given
    // up with the other parks at the stack's limit).
    release?.();
    grads.push(h0.requiresGrad ? new Tensor(dh, h0.shape) : null);
    if (lstm) grads.push(c0!.requiresGrad ? new Tensor(dc!, c0!.shape) : null);
    return grads;
  };

  const reference = (...ins: Tensor[]): Tensor => {
    let k = 0;
    const xr = ins[k++],
      wIhr = ins[k++],
      bIhr = bIh ? ins[k++] : null;
    const xproj = linear(xr.reshape([T * B, F]), wIhr, bIhr).reshape([T, B, GH]);
    const wr = ins[k++],
      br = bHh ? ins[k++] : null;
    let h = ins[k++];
    let cr = lstm ? ins[k++] : null;
    const steps = split(xproj, T, 0).map((s) => s.reshape([B, GH]));
    const hs: Tensor[] = new Array<Tensor>(T);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      let hhr = h.matmul(wr.transpose(0, 1));
      if (br) hhr = hhr.add(br);
      if (lstm) {
        const [i, f, g, o] = split(steps[t].add(hhr), 4, 1);
        cr = f.sigmoid().mul(cr!).add(i.sigmoid().mul(g.tanh()));
        h = o.sigmoid().mul(cr.tanh());
      } else if (gru) {
        const [xr, xz, xn] = split(steps[t], 3, 1);
        const [hr, hz, hnr] = split(hhr, 3, 1);
        const r = xr.add(hr).sigmoid(),
          z = xz.add(hz).sigmoid();
        const n = xn.add(r.mul(hnr)).tanh();
        h = n.add(z.mul(h.sub(n)));
      } else {
        const pre = steps[t].add(hhr);
        h = mode === 'rnnTanh' ? pre.tanh() : pre.relu();
      }
      hs[t] = h;
    }
    const seq = stack(hs, 0);
    return lstm ? concat([seq, cr!.unsqueeze(0)], 0) : seq;
  };

  return fusedOp(new Tensor(scan.out, [lstm ? T + 1 : T, B, H]), mode, inputs, fast, reference);
}

/**
 * The gradients of x (dxp·W_ih) and of W_ih (dxpᵀ·x, computed transposed
 * as in hiddenWeightGrad) from dxp [T·B, G·H], the gradient of the input
 * projection: the products of a Linear layer's backward.
 */
function projectionGrads(d: Dims, x: Tensor, wIh: Tensor, dxp: Floats): (Tensor | null)[] {
  const rows = d.T * d.B,
    F = x.shape[2];
  let dX: Tensor | null = null,
    dW: Tensor | null = null;
  if (x.requiresGrad) {
    const g = arrayFor(d.dtype, rows * F) as Floats;
    gemm({ m: rows, n: F, k: d.GH, a: dxp, b: wIh.data as Floats, c: g });
    dX = new Tensor(g, x.shape);
  }
  if (wIh.requiresGrad) {
    const gT = arrayFor(d.dtype, F * d.GH) as Floats;
    gemm({ m: F, n: d.GH, k: rows, a: x.data as Floats, transA: true, b: dxp, c: gT });
    dW = new Tensor(transposed(gT, F, d.GH, d.dtype), wIh.shape);
  }
  return [dX, dW];
}

/** A bias's gradient: the T·B rows of g [T·B, G·H] summed, in float64 rounded once. */
function biasGrad(d: Dims, g: Floats): Floats {
  const acc = new Float64Array(d.GH);
  for (let r = 0; r < d.T * d.B; r++) for (let j = 0; j < d.GH; j++) acc[j] += g[r * d.GH + j];
  const sums = arrayFor(d.dtype, d.GH) as Floats;
  sums.set(acc);
  return sums;
}

/** [cols, rows] copy of a [rows, cols] matrix. */
function transposed(m: Floats, rows: number, cols: number, dtype: Dims['dtype']): Floats {
  const t = arrayFor(dtype, rows * cols) as Floats;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

/**
 * dW_hh = Σ_t dhh_tᵀ · h_prev_t, where h_prev is h0 at the first step in
 * scan order and the hidden state of the step before otherwise: two GEMMs,
 * one over all the other steps at once (reading the outputs in place).
 * The weight gradients are computed transposed, dWᵀ = Σ h_prevᵀ·dhh, and
 * then transposed back: the GEMM then packs dhh's rows as they lie instead
 * of transposing it (faster), and every sum is the same, in the same order.
 */
function hiddenWeightGrad(d: Dims, dhh: Floats, out: Floats, h0: Floats): Floats {
  const { T, B, H, GH, reverse } = d;
  const dwT = arrayFor(d.dtype, H * GH) as Floats;
  const first = reverse ? T - 1 : 0;
  gemm({ m: H, n: GH, k: B, a: h0, transA: true, b: dhh, bOffset: first * B * GH, c: dwT });
  // Forwards, step t ≥ 1 follows out[t − 1]; in reverse, step t ≤ T − 2 follows out[t + 1].
  if (T > 1) gemm({ m: H, n: GH, k: (T - 1) * B, a: out, aOffset: reverse ? B * H : 0, transA: true, b: dhh, bOffset: reverse ? 0 : B * GH, c: dwT, accumulate: true });
  return transposed(dwT, H, GH, d.dtype);
}

/**
 * LSTM: the backend's lstm routines run the whole recurrence (on the wasm
 * backend, in its small kernels, which also keep the state for the backward
 * when `keep`). If that state was given up before the backward, the forward
 * runs again on the same inputs (into a scratch output) to rebuild it.
 */
function lstmScan(d: Dims, input: LstmInput, w: Floats, bias: Floats | null, h0: Floats, c0: Floats, keep: boolean): Scan {
  const { T, B, H, GH, dtype } = d,
    BH = B * H;
  const forward = (): LstmSaved => {
    const saved: LstmSaved = { out: arrayFor(dtype, (T + 1) * BH) as Floats, cell: null };
    lstmForward.run(input, w, bias, h0, c0, T, B, H, d.reverse, saved, keep);
    return saved;
  };
  const saved = forward();
  return {
    out: saved.out as Floats,
    backward(go, wantDb) {
      const state = lstmStateKept(saved) ? saved : forward();
      const dh = arrayFor(dtype, BH) as Floats;
      const dc = go.slice(T * BH, (T + 1) * BH) as Floats;
      const db = wantDb ? (arrayFor(dtype, GH) as Floats) : null;
      // dx where the backend leaves it (on the wasm backend, in its memory, where the weight-gradient products read it).
      const { dx, release } = lstmBackward.run(go, state, w, T, B, H, d.reverse, dh, dc, db);
      return { dx: dx as Floats, dhh: dx as Floats, dh, dc, db, release };
    },
  };
}

/** GRU (PyTorch's: n = tanh(x_n + r·(h·W_hn + b_hn))). */
function gruScan(d: Dims, xp: Floats, w: Floats, bias: Floats | null, h0: Floats): Scan {
  const { T, B, H, GH, dtype } = d,
    BH = B * H,
    BG = B * GH;
  const out = arrayFor(dtype, T * BH) as Floats,
    hPrev = arrayFor(dtype, T * BH) as Floats;
  const acts = arrayFor(dtype, T * BG) as Floats,
    hn = arrayFor(dtype, T * BH) as Floats;
  forEachStep(T, B, H, GH, d.reverse, h0, out, hPrev, w, bias, (row, hrow, srow, _bh, hh) => {
    for (let j = 0; j < H; j++) {
      const r = sigmoid(xp[row + j] + hh[hrow + j]);
      const z = sigmoid(xp[row + H + j] + hh[hrow + H + j]);
      const hnv = hh[hrow + 2 * H + j];
      const n = tanh(xp[row + 2 * H + j] + r * hnv);
      acts[row + j] = r;
      acts[row + H + j] = z;
      acts[row + 2 * H + j] = n;
      hn[srow + j] = hnv;
      out[srow + j] = n + z * (hPrev[srow + j] - n);
    }
  });
  return {
    out,
    backward(go) {
      const dx = arrayFor(dtype, T * BG) as Floats,
        dhh = arrayFor(dtype, T * BG) as Floats;
      const dh = arrayFor(dtype, BH) as Floats;
      // dh_prev = dhh_t · W_hh, added onto the direct path z·dh
      forEachStepBackward(T, B, H, GH, d.reverse, go, w, dhh, true, dh, (row, srow, bh, dht) => {
        for (let j = 0; j < H; j++) {
          const r = acts[row + j],
            z = acts[row + H + j],
            n = acts[row + 2 * H + j];
          const dv = dht[bh + j];
          const dnPre = dv * (1 - z) * (1 - n * n);
          const drPre = dnPre * hn[srow + j] * r * (1 - r);
          const dzPre = dv * (hPrev[srow + j] - n) * z * (1 - z);
          dx[row + j] = drPre;
          dx[row + H + j] = dzPre;
          dx[row + 2 * H + j] = dnPre;
          dhh[row + j] = drPre;
          dhh[row + H + j] = dzPre;
          dhh[row + 2 * H + j] = dnPre * r;
          dh[bh + j] = dv * z;
        }
      });
      return { dx, dhh, dh, dc: null, db: null };
    },
  };
}

/** The plain RNN: h = tanh(x + h·W_hhᵀ + b) or relu(...). */
function rnnScan(d: Dims, relu: boolean, xp: Floats, w: Floats, bias: Floats | null, h0: Floats): Scan {
  const { T, B, H, GH, dtype } = d,
    BH = B * H,
    BG = B * GH;
  const out = arrayFor(dtype, T * BH) as Floats,
    hPrev = arrayFor(dtype, T * BH) as Floats;
  forEachStep(T, B, H, GH, d.reverse, h0, out, hPrev, w, bias, (row, hrow, srow, _bh, hh) => {
    if (relu)
      for (let j = 0; j < H; j++) {
        const v = xp[row + j] + hh[hrow + j];
        out[srow + j] = v > 0 ? v : 0;
      }
    else for (let j = 0; j < H; j++) out[srow + j] = tanh(xp[row + j] + hh[hrow + j]);
  });
  return {
    out,
    backward(go) {
      const dx = arrayFor(dtype, T * BG) as Floats,
        dh = arrayFor(dtype, BH) as Floats;
      // dh_prev = dx_t · W_hh
      forEachStepBackward(T, B, H, GH, d.reverse, go, w, dx, false, dh, (row, srow, bh, dht) => {
        if (relu) for (let j = 0; j < H; j++) dx[row + j] = out[srow + j] > 0 ? dht[bh + j] : 0;
        else
          for (let j = 0; j < H; j++) {
            const h = out[srow + j];
            dx[row + j] = dht[bh + j] * (1 - h * h);
          }
      });
      return { dx, dhh: dx, dh, dc: null, db: null };
    },
  };
}
