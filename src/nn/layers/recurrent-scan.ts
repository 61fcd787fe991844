/**
 * One direction of one recurrent layer over a whole sequence, as a single
 * fused op: the recurrence runs on raw arrays (one GEMM per step for the
 * hidden-to-hidden product of all gates at once), and the backward is
 * backpropagation through time written by hand, with the weight gradient
 * as one GEMM over all steps. The reference (tensor ops, step by step)
 * serves gradients of gradients.
 */
import { getBackend } from '../../backend/index.js';
import { lstmBackward32, lstmForward32, smallLstmAvailable, type LstmSaved } from '../../backend/small/index.js';
import { arrayFor } from '../../tensor/dtype.js';
import { concat, split, stack } from '../../tensor/ops/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Floats } from './common.js';
import { fastSigmoid as sigmoid, fastTanh as tanh } from './fast-math.js';
import { fusedOp } from '../../autograd/fused.js';

export type CellMode = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/** Gates per cell: LSTM i, f, g, o; GRU r, z, n; plain RNN one. */
export function gateCount(mode: CellMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

/**
 * Runs the recurrence over xproj [T, B, G·H] (the input projection
 * x·W_ihᵀ + b_ih for every step, time-major) with W_hh [G·H, H], optional
 * b_hh [G·H], initial h0 [B, H] (and c0 [B, H] for LSTM), forwards or in
 * reverse time order. Returns [T, B, H]: the hidden state at every time
 * step, with one more row for LSTM — [T + 1, B, H], the last row being the
 * final cell state.
 */
export function recurrentScan(mode: CellMode, xproj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor | null, reverse: boolean): Tensor {
  const [T, B, GH] = xproj.shape;
  const H = wHh.shape[1];
  const dtype = xproj.dtype as 'float32' | 'float64';
  const lstm = mode === 'lstm', gru = mode === 'gru';
  const BH = B * H, BG = B * GH;
  const xp = xproj.data as Floats, w = wHh.data as Floats;
  const out = arrayFor(dtype, (lstm ? T + 1 : T) * BH) as Floats;
  // Saved for the backward: the state before each step and the activated gates, in time order.
  const hPrev = arrayFor(dtype, T * BH) as Floats;
  const acts = arrayFor(dtype, T * BG) as Floats;
  const cPrev = lstm ? (arrayFor(dtype, T * BH) as Floats) : null;
  const tanhC = lstm ? (arrayFor(dtype, T * BH) as Floats) : null;
  const hn = gru ? (arrayFor(dtype, T * BH) as Floats) : null;
  const hh = arrayFor(dtype, BG) as Floats;
  const c = lstm ? (c0!.data.slice() as Floats) : null;
  const backend = getBackend();
  const bias = bHh?.data;
  // float32 LSTM: the whole recurrence (products and gate math) in the small WebAssembly kernels.
  const simd = lstm && dtype === 'float32' && smallLstmAvailable(H);
  const saved = simd ? { out, hPrev, cPrev, acts, tanhC } as LstmSaved : null;
  if (saved) lstmForward32(xp as Float32Array, w as Float32Array, (bias ?? null) as Float32Array | null, h0.data as Float32Array, c as Float32Array, T, B, H, reverse, saved);
  let hSrc: Floats = h0.data as Floats, hOff = 0;
  for (let s = 0; s < (simd ? 0 : T); s++) {
    const t = reverse ? T - 1 - s : s;
    const ht = t * BH, gt = t * BG;
    hPrev.set(hSrc.subarray(hOff, hOff + BH), ht);
    // hh = h_{prev}·W_hhᵀ + b_hh for all gates at once.
    if (bias) for (let b = 0; b < B; b++) hh.set(bias, b * GH);
    backend.gemm({
      dtype, batch: 1, m: B, n: GH, k: H,
      a: hPrev, aOffset: ht, aBatchStride: 0, transA: false,
      b: w, bOffset: 0, bBatchStride: 0, transB: true,
      c: hh, cOffset: 0, cBatchStride: 0, accumulate: bias !== undefined,
    });
    for (let b = 0; b < B; b++) {
      const row = gt + b * GH, hrow = b * GH, srow = ht + b * H;
      if (lstm) {
        for (let j = 0; j < H; j++) {
          const i = sigmoid(xp[row + j] + hh[hrow + j]);
          const f = sigmoid(xp[row + H + j] + hh[hrow + H + j]);
          const g = tanh(xp[row + 2 * H + j] + hh[hrow + 2 * H + j]);
          const o = sigmoid(xp[row + 3 * H + j] + hh[hrow + 3 * H + j]);
          const cp = c![b * H + j];
          const cn = f * cp + i * g;
          const tc = tanh(cn);
          acts[row + j] = i; acts[row + H + j] = f; acts[row + 2 * H + j] = g; acts[row + 3 * H + j] = o;
          cPrev![srow + j] = cp;
          tanhC![srow + j] = tc;
          c![b * H + j] = cn;
          out[srow + j] = o * tc;
        }
      } else if (gru) {
        for (let j = 0; j < H; j++) {
          const r = sigmoid(xp[row + j] + hh[hrow + j]);
          const z = sigmoid(xp[row + H + j] + hh[hrow + H + j]);
          const hnv = hh[hrow + 2 * H + j];
          const n = tanh(xp[row + 2 * H + j] + r * hnv);
          acts[row + j] = r; acts[row + H + j] = z; acts[row + 2 * H + j] = n;
          hn![srow + j] = hnv;
          out[srow + j] = n + z * (hPrev[srow + j] - n);
        }
      } else if (mode === 'rnnTanh') {
        for (let j = 0; j < H; j++) out[srow + j] = tanh(xp[row + j] + hh[hrow + j]);
      } else {
        for (let j = 0; j < H; j++) { const v = xp[row + j] + hh[hrow + j]; out[srow + j] = v > 0 ? v : 0; }
      }
    }
    hSrc = out;
    hOff = ht;
  }
  if (lstm && !simd) out.set(c!, T * BH);

  const inputs = [xproj, wHh];
  if (bHh) inputs.push(bHh);
  inputs.push(h0);
  if (lstm) inputs.push(c0!);

  const fast = (gOut: Tensor): (Tensor | null)[] => {
    const go = gOut.data as Floats;
    const dx = arrayFor(dtype, T * BG) as Floats; // gradient of xproj = of the gate pre-activations
    const dhhAll = gru ? (arrayFor(dtype, T * BG) as Floats) : dx; // gradient of hh (differs for GRU's n gate)
    const dh = arrayFor(dtype, BH) as Floats; // gradient flowing into the previous hidden state
    const dht = arrayFor(dtype, BH) as Floats;
    const dc = lstm ? (go.slice(T * BH, (T + 1) * BH) as Floats) : null;
    // The wasm kernels also sum the bias gradient as they go.
    const dbSimd = saved && bHh?.requiresGrad ? new Float32Array(GH) : null;
    if (saved) lstmBackward32(go as Float32Array, saved, w as Float32Array, T, B, H, reverse, dx as Float32Array, dh as Float32Array, dc as Float32Array, dbSimd);
    for (let s = saved ? -1 : T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      const ht = t * BH, gt = t * BG;
      for (let i = 0; i < BH; i++) dht[i] = go[ht + i] + dh[i];
      for (let b = 0; b < B; b++) {
        const row = gt + b * GH, srow = ht + b * H, bh = b * H;
        if (lstm) {
          for (let j = 0; j < H; j++) {
            const i = acts[row + j], f = acts[row + H + j], g = acts[row + 2 * H + j], o = acts[row + 3 * H + j];
            const tc = tanhC![srow + j], d = dht[bh + j];
            const dcj = dc![bh + j] + d * o * (1 - tc * tc);
            dx[row + j] = dcj * g * i * (1 - i);
            dx[row + H + j] = dcj * cPrev![srow + j] * f * (1 - f);
            dx[row + 2 * H + j] = dcj * i * (1 - g * g);
            dx[row + 3 * H + j] = d * tc * o * (1 - o);
            dc![bh + j] = dcj * f;
          }
        } else if (gru) {
          for (let j = 0; j < H; j++) {
            const r = acts[row + j], z = acts[row + H + j], n = acts[row + 2 * H + j];
            const d = dht[bh + j];
            const dnPre = d * (1 - z) * (1 - n * n);
            const drPre = dnPre * hn![srow + j] * r * (1 - r);
            const dzPre = d * (hPrev[srow + j] - n) * z * (1 - z);
            dx[row + j] = drPre; dx[row + H + j] = dzPre; dx[row + 2 * H + j] = dnPre;
            dhhAll[row + j] = drPre; dhhAll[row + H + j] = dzPre; dhhAll[row + 2 * H + j] = dnPre * r;
            dh[bh + j] = d * z;
          }
        } else if (mode === 'rnnTanh') {
          for (let j = 0; j < H; j++) { const h = out[srow + j]; dx[row + j] = dht[bh + j] * (1 - h * h); }
        } else {
          for (let j = 0; j < H; j++) dx[row + j] = out[srow + j] > 0 ? dht[bh + j] : 0;
        }
      }
      // dh_prev (+)= dhh_t · W_hh
      backend.gemm({
        dtype, batch: 1, m: B, n: H, k: GH,
        a: dhhAll, aOffset: gt, aBatchStride: 0, transA: false,
        b: w, bOffset: 0, bBatchStride: 0, transB: false,
        c: dh, cOffset: 0, cBatchStride: 0, accumulate: gru,
      });
    }
    const grads: (Tensor | null)[] = [xproj.requiresGrad ? new Tensor(dx, xproj.shape) : null];
    if (wHh.requiresGrad) {
      // dW_hh = Σ_t dhh_tᵀ · h_prev_t: one GEMM over all steps.
      const dw = arrayFor(dtype, GH * H) as Floats;
      backend.gemm({
        dtype, batch: 1, m: GH, n: H, k: T * B,
        a: dhhAll, aOffset: 0, aBatchStride: 0, transA: true,
        b: hPrev, bOffset: 0, bBatchStride: 0, transB: false,
        c: dw, cOffset: 0, cBatchStride: 0, accumulate: false,
      });
      grads.push(new Tensor(dw, wHh.shape));
    } else grads.push(null);
    if (bHh) {
      if (dbSimd) grads.push(new Tensor(dbSimd, bHh.shape));
      else if (bHh.requiresGrad) {
        const acc = new Float64Array(GH);
        for (let r = 0; r < T * B; r++) for (let j = 0; j < GH; j++) acc[j] += dhhAll[r * GH + j];
        const db = arrayFor(dtype, GH);
        db.set(acc);
        grads.push(new Tensor(db, bHh.shape));
      } else grads.push(null);
    }
    grads.push(h0.requiresGrad ? new Tensor(dh, h0.shape) : null);
    if (lstm) grads.push(c0!.requiresGrad ? new Tensor(dc!, c0!.shape) : null);
    return grads;
  };

  const reference = (...ins: Tensor[]): Tensor => {
    let k = 0;
    const x = ins[k++], wr = ins[k++], br = bHh ? ins[k++] : null;
    let h = ins[k++];
    let cr = lstm ? ins[k++] : null;
    const steps = split(x, T, 0).map((s) => s.reshape([B, GH]));
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
        const r = xr.add(hr).sigmoid(), z = xz.add(hz).sigmoid();
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

  return fusedOp(new Tensor(out, [lstm ? T + 1 : T, B, H]), mode, inputs, fast, reference);
}
