/**
 * Classification losses with PyTorch's semantics (class weights, ignored
 * targets, label smoothing): cross entropy, negative log-likelihood,
 * binary cross entropy and KL divergence.
 *
 * Cross entropy with class indices is one fused op whose backward is
 * softmax − one-hot, written with tensor ops when a graph of the backward
 * is wanted, so it is differentiable again.
 */
import { isGradEnabled, record } from '../../autograd/graph.js';
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { arrayFor } from '../../tensor/dtype.js';
import { takeFlat } from '../../tensor/ops/shape.js';
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { assertTensor, Tensor } from '../../tensor/tensor.js';
import { checkOptions } from '../../utils/options.js';
import { asInputDType, checkFloat, checkReduction, checkSameShape, reduce, type Reduction, type ReductionOptions } from './reduction.js';

export interface ClassWeightOptions extends ReductionOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Targets equal to this class index are skipped (default -100). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends ClassWeightOptions {
  /** Mixes the targets with the uniform distribution: (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

interface ClassLayout {
  n: number;
  c: number;
  s: number;
  /** Shape of the per-element losses ([N, ...spatial]). */
  lossShape: number[];
}

/** Input [N, C, ...] (or [C]) with class indices [N, ...] (or []). */
function classLayout(fn: string, input: Tensor, target: Tensor, indices: boolean): ClassLayout {
  if (input.ndim === 0) throw new ShapeError(`${fn}: input must have a class axis ([N, C] or [C]), got a scalar`);
  const x = input.ndim === 1 ? [1, input.shape[0]] : input.shape;
  const n = x[0],
    c = x[1];
  const spatial = x.slice(2);
  const lossShape = input.ndim === 1 ? [] : [n, ...spatial];
  const expected = indices ? lossShape : input.shape;
  if (!sameShape(target.shape, expected)) {
    const what = indices ? 'class indices' : 'class probabilities';
    throw new ShapeError(`${fn}: input ${shapeStr(input.shape)} needs ${what} of shape ${shapeStr(expected)}, got target ${shapeStr(target.shape)}`);
  }
  return { n, c, s: spatial.reduce((a, b) => a * b, 1), lossShape };
}

function classWeights(fn: string, weight: Tensor | null | undefined, c: number): ArrayLike<number> | null {
  if (!weight) return null;
  if (!(weight instanceof Tensor) || weight.ndim !== 1 || weight.shape[0] !== c) {
    throw new ShapeError(`${fn}: weight must be a 1-D tensor of one weight per class (${c}), got ${weight instanceof Tensor ? shapeStr(weight.shape) : typeof weight}`);
  }
  return weight.data;
}

function checkIndexTarget(fn: string, target: Tensor): void {
  if (!(target instanceof Tensor)) throw new ValueError(`${fn}: target must be a Tensor`);
  if (target.dtype !== 'int32') throw new DTypeError(`${fn}: class-index targets must be int32, got ${target.dtype}; convert with target.astype('int32')`);
}

/**
 * Cross entropy of logits [N, C] (or [N, C, d1, ...], or [C]) against int32
 * class indices [N] (or [N, d1, ...]) or against class probabilities of the
 * input's shape. With indices, 'mean' divides by the total weight of the
 * non-ignored targets (PyTorch's weighted mean).
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptions('crossEntropy', options, ['reduction', 'weight', 'ignoreIndex', 'labelSmoothing']);
  const fn = 'crossEntropy';
  const reduction = checkReduction(fn, options.reduction ?? 'mean') as Reduction;
  checkFloat(fn, 'input', input);
  const eps = options.labelSmoothing ?? 0;
  if (!(typeof eps === 'number' && eps >= 0 && eps <= 1)) throw new ValueError(`${fn}: labelSmoothing must be in [0, 1], got ${String(eps)}`);
  if (!(target instanceof Tensor)) throw new ValueError(`${fn}: target must be a Tensor`);
  if (target.dtype !== 'int32') return crossEntropyProbs(input, asInputDType(target, input), options.weight ?? null, eps, reduction);
  const layout = classLayout(fn, input, target, true);
  const w = classWeights(fn, options.weight, layout.c);
  const ignoreIndex = options.ignoreIndex ?? -100;
  return crossEntropyIndices(input, target, layout, w, ignoreIndex, eps, reduction);
}

function crossEntropyIndices(x: Tensor, target: Tensor, layout: ClassLayout, w: ArrayLike<number> | null, ignoreIndex: number, eps: number, reduction: Reduction): Tensor {
  const { n, c: C, s: S, lossShape } = layout;
  const xd = x.data,
    td = target.data;
  const rows = n * S;
  // Softmax kept for the backward only when there will be one.
  const keep = x.requiresGrad && isGradEnabled();
  const probs = arrayFor(x.dtype, keep ? x.size : 0);
  const losses = new Float64Array(rows);
  const coefA = new Float64Array(rows); // (1 − ε)·w_y, 0 where ignored
  const active = new Uint8Array(rows);
  const b = eps / C;
  let wSum = 0;
  if (w) for (let k = 0; k < C; k++) wSum += w[k];
  else wSum = C;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    for (let sp = 0; sp < S; sp++) {
      const r = i * S + sp,
        base = i * C * S + sp;
      let m = -Infinity;
      for (let k = 0; k < C; k++) {
        const v = xd[base + k * S];
        if (v > m) m = v;
      }
      if (m === -Infinity || Number.isNaN(m)) m = 0;
      let se = 0;
      if (keep) {
        for (let k = 0; k < C; k++) {
          const e = Math.exp(xd[base + k * S] - m);
          probs[base + k * S] = e;
          se += e;
        }
        for (let k = 0; k < C; k++) probs[base + k * S] /= se;
      } else {
        for (let k = 0; k < C; k++) se += Math.exp(xd[base + k * S] - m);
      }
      const y = td[r];
      if (y === ignoreIndex) continue;
      if (y < 0 || y >= C) throw new ValueError(`crossEntropy: class index ${y} at position ${r} is out of range [0, ${C - 1}]`);
      const lse = m + Math.log(se);
      const wy = w ? w[y] : 1;
      let loss = (1 - eps) * wy * (lse - xd[base + y * S]);
      if (eps > 0) {
        let smooth = 0;
        for (let k = 0; k < C; k++) smooth += (w ? w[k] : 1) * (lse - xd[base + k * S]);
        loss += b * smooth;
      }
      losses[r] = loss;
      coefA[r] = (1 - eps) * wy;
      active[r] = 1;
      totalWeight += wy;
    }
  }
  let out: Tensor;
  if (reduction === 'none') {
    const d = arrayFor(x.dtype, rows);
    d.set(losses);
    out = new Tensor(d, lossShape);
  } else {
    let total = 0;
    for (let r = 0; r < rows; r++) total += losses[r];
    const d = arrayFor(x.dtype, 1);
    d[0] = reduction === 'sum' ? total : total / totalWeight;
    out = new Tensor(d, []);
  }
  const gradScale = reduction === 'mean' ? 1 / totalWeight : 1;
  return record(out, 'crossEntropy', [x], (g) => {
    if (isGradEnabled()) {
      // Recorded: (softmax(x)·(a + b·W) − (a·onehot + b·w))·g, differentiable in x and g.
      const xs = x.ndim === 1 ? x.reshape([1, C]) : x;
      const p = xs.softmax(1);
      const kd = arrayFor(x.dtype, rows),
        ed = arrayFor(x.dtype, x.size);
      for (let i = 0; i < n; i++) {
        for (let sp = 0; sp < S; sp++) {
          const r = i * S + sp;
          if (!active[r]) continue;
          const base = i * C * S + sp;
          kd[r] = coefA[r] + b * wSum;
          for (let k = 0; k < C; k++) ed[base + k * S] = b * (w ? w[k] : 1);
          ed[base + td[r] * S] += coefA[r];
        }
      }
      const kShape = xs.shape.map((d, i) => (i === 1 ? 1 : d));
      const gk = reduction === 'none' ? g.reshape(kShape) : g.mul(gradScale);
      const dx = p.mul(new Tensor(kd, kShape)).sub(new Tensor(ed, xs.shape)).mul(gk);
      return [x.ndim === 1 ? dx.reshape(x.shape) : dx];
    }
    const gd = g.data;
    const dx = arrayFor(x.dtype, x.size);
    for (let i = 0; i < n; i++) {
      for (let sp = 0; sp < S; sp++) {
        const r = i * S + sp;
        if (!active[r]) continue;
        const base = i * C * S + sp;
        const gs = reduction === 'none' ? gd[r] : gd[0] * gradScale;
        const a = coefA[r];
        const kp = gs * (a + b * wSum);
        if (b === 0) for (let k = 0; k < C; k++) dx[base + k * S] = probs[base + k * S] * kp;
        else for (let k = 0; k < C; k++) dx[base + k * S] = probs[base + k * S] * kp - gs * b * (w ? w[k] : 1);
        dx[base + td[r] * S] -= gs * a;
      }
    }
    return [new Tensor(dx, x.shape)];
  });
}

/** Cross entropy against class probabilities: −Σ_c w_c·t_c·log softmax(x)_c per element. */
function crossEntropyProbs(x: Tensor, target: Tensor, weight: Tensor | null, eps: number, reduction: Reduction): Tensor {
  const fn = 'crossEntropy';
  const { c, n, s, lossShape } = classLayout(fn, x, target, false);
  classWeights(fn, weight, c);
  const xs = x.ndim === 1 ? x.reshape([1, c]) : x;
  let t = x.ndim === 1 ? target.reshape([1, c]) : target;
  if (eps > 0) t = t.mul(1 - eps).add(eps / c);
  let prod = xs.logSoftmax(1).mul(t);
  if (weight) prod = prod.mul(asInputDType(weight, x).reshape(xs.shape.map((d, i) => (i === 1 ? d : 1))));
  const per = prod.sum(1).neg();
  if (reduction === 'none') return per.reshape(lossShape);
  return reduction === 'sum' ? per.sum() : per.sum().div(n * s);
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [N, C, d1, ...],
 * or [C]) at int32 class indices: −w_y·input[y], weighted mean by default.
 */
export function nllLoss(input: Tensor, target: Tensor, options: ClassWeightOptions = {}): Tensor {
  checkOptions('nllLoss', options, ['reduction', 'weight', 'ignoreIndex']);
  const fn = 'nllLoss';
  const reduction = checkReduction(fn, options.reduction ?? 'mean') as Reduction;
  checkFloat(fn, 'input', input);
  checkIndexTarget(fn, target);
  const { n, c: C, s: S, lossShape } = classLayout(fn, input, target, true);
  const w = classWeights(fn, options.weight, C);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const rows = n * S;
  const offsets = new Int32Array(rows);
  const coef = arrayFor(input.dtype, rows);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    for (let sp = 0; sp < S; sp++) {
      const r = i * S + sp,
        y = target.data[r];
      offsets[r] = i * C * S + sp;
      if (y === ignoreIndex) continue;
      if (y < 0 || y >= C) throw new ValueError(`${fn}: class index ${y} at position ${r} is out of range [0, ${C - 1}]`);
      offsets[r] += y * S;
      const wy = w ? w[y] : 1;
      coef[r] = -wy;
      totalWeight += wy;
    }
  }
  const losses = takeFlat(input, offsets, lossShape).mul(new Tensor(coef, lossShape));
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? losses.sum() : losses.sum().div(totalWeight);
}

export interface BCEOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcast to the input's shape). */
  weight?: Tensor | null;
}

const BCE_EPSILON = Math.fround(1e-12);

/** Element-wise −(y·log x + (1 − y)·log(1 − x)) with logs clamped at −100, as PyTorch. */
function bceElementwise(x: Tensor, y: Tensor): Tensor {
  const xd = x.data,
    yd = y.data;
  const out = arrayFor(x.dtype, x.size);
  for (let i = 0; i < out.length; i++) {
    const p = xd[i];
    if (!(p >= 0 && p <= 1)) throw new ValueError(`binaryCrossEntropy: input must hold probabilities in [0, 1], got ${p} at position ${i}`);
    const lx = Math.max(Math.log(p), -100),
      l1x = Math.max(Math.log(1 - p), -100);
    out[i] = -(yd[i] * lx + (1 - yd[i]) * l1x);
  }
  return record(new Tensor(out, x.shape), 'binaryCrossEntropy', [x, y], (g) => {
    const oneMinus = x.neg().add(1);
    return [
      // PyTorch's gradient: (x − y) / max(x·(1 − x), ε) with its float ε = fround(1e-12).
      x.requiresGrad ? g.mul(x.sub(y)).div(x.mul(oneMinus).clip(BCE_EPSILON)) : null,
      y.requiresGrad ? g.mul(oneMinus.log().clip(-100).sub(x.log().clip(-100))) : null,
    ];
  });
}

/** Binary cross entropy of probabilities in [0, 1] against targets of the same shape. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  checkOptions('binaryCrossEntropy', options, ['reduction', 'weight']);
  const fn = 'binaryCrossEntropy';
  const reduction = checkReduction(fn, options.reduction ?? 'mean') as Reduction;
  checkFloat(fn, 'input', input);
  checkSameShape(fn, input, target);
  let loss = bceElementwise(input, asInputDType(target, input));
  if (options.weight) loss = loss.mul(asInputDType(options.weight, input));
  return reduce(loss, reduction);
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive class, broadcast over the last axis (one per output, e.g. [C]). */
  posWeight?: Tensor | null;
}

/** Sigmoid + binary cross entropy in one stable expression: (1 − y)·x + (1 + (p − 1)·y)·softplus(−x). */
export function bceWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  checkOptions('bceWithLogits', options, ['reduction', 'weight', 'posWeight']);
  const fn = 'bceWithLogits';
  const reduction = checkReduction(fn, options.reduction ?? 'mean') as Reduction;
  checkFloat(fn, 'input', input);
  checkSameShape(fn, input, target);
  const y = asInputDType(target, input);
  const sp = input.neg().softplus();
  let loss: Tensor;
  if (options.posWeight) {
    const pw = asInputDType(options.posWeight, input);
    loss = y.neg().add(1).mul(input).add(pw.sub(1).mul(y).add(1).mul(sp));
  } else {
    loss = y.neg().add(1).mul(input).add(sp);
  }
  if (options.weight) loss = loss.mul(asInputDType(options.weight, input));
  return reduce(loss, reduction);
}

export interface KLDivOptions {
  /** 'mean' (default, over all elements), 'batchmean' (sum / batch size: the true KL divergence), 'sum' or 'none'. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities too (default false). */
  logTarget?: boolean;
}

/** KL(target ‖ input) with `input` as log-probabilities: target·(log target − input) element-wise. */
export function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  checkOptions('klDiv', options, ['reduction', 'logTarget']);
  const fn = 'klDiv';
  const reduction = checkReduction(fn, options.reduction ?? 'mean', true);
  checkFloat(fn, 'input', input);
  checkSameShape(fn, input, target);
  const t = asInputDType(target, input);
  let loss: Tensor;
  if (options.logTarget) {
    loss = t.exp().mul(t.sub(input));
  } else {
    let tlogt: Tensor;
    if (t.requiresGrad) {
      // xlogy(t, t), 0 where t = 0, with a gradient that stays finite there.
      const safe = t.gt(0).astype(t.dtype);
      tlogt = t.mul(t.mul(safe).add(safe.neg().add(1)).log());
    } else {
      const d = arrayFor(t.dtype, t.size);
      for (let i = 0; i < d.length; i++) {
        const v = t.data[i];
        d[i] = v > 0 ? v * Math.log(v) : v === 0 ? 0 : NaN;
      }
      tlogt = new Tensor(d, t.shape);
    }
    loss = tlogt.sub(t.mul(input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  return reduce(loss, reduction);
}
