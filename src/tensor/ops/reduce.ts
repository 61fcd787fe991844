/** Reductions over any set of axes, softmax, and their gradients. */
import { isGradEnabled, record } from '../../autograd/graph.js';
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { arrayFor, type DType } from '../dtype.js';
import { permuteKernel, Reduce, reduceKernel } from '../loops/reduce.js';
import { normAxes, normAxis, sameShape, shapeStr, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, div, eq, exp, expandRaw, log, mul, sub, sqrt } from './elementwise.js';
import { expand, reshape } from './shape.js';

export type Axes = number | readonly number[];
export interface ReduceOptions {
  keepDims?: boolean;
}

/** Output shape of reducing `axes` of `shape`, with or without the kept 1s. */
function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** Raw reduction of sorted `axes` (no graph); result has the keepDims shape. */
function reduceRaw(op: Reduce, x: Tensor, axes: readonly number[], outDType: DType, name: string): Tensor {
  const shape = x.shape;
  const keptShape = reducedShape(shape, axes, true);
  if (axes.length === 0) return new Tensor(x.data.slice() as typeof x.data, keptShape).astype(outDType);
  for (const a of axes) {
    if (shape[a] === 0 && op !== Reduce.Sum) throw new ShapeError(`${name}: cannot reduce over axis ${a} of size 0 (shape ${shapeStr(shape)})`);
  }
  let data = x.data;
  let first = axes[0];
  const last = axes[axes.length - 1];
  const contiguous = last - first + 1 === axes.length;
  let work = shape as readonly number[];
  if (!contiguous) {
    // Move the reduced axes to the end so they form one block.
    const perm = [...shape.keys()].filter((i) => !axes.includes(i)).concat(axes);
    const permuted = arrayFor(x.dtype, x.size);
    permuteKernel(x.data, shape, perm, permuted);
    data = permuted;
    work = perm.map((p) => shape[p]);
    first = shape.length - axes.length;
  }
  const outer = sizeOf(work.slice(0, first));
  const reduced = sizeOf(work.slice(first, first + axes.length));
  const inner = sizeOf(work.slice(first + axes.length));
  return new Tensor(reduceKernel(op, data, outer, reduced, inner, outDType), keptShape);
}

function finish(t: Tensor, shape: readonly number[], axes: readonly number[], keepDims: boolean): Tensor {
  return keepDims ? t : new Tensor(t.data, reducedShape(shape, axes, false));
}

export function sum(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normAxes(axes, x.ndim, 'sum');
  const keepDims = options.keepDims ?? false;
  const kept = reduceRaw(Reduce.Sum, x, ax, x.dtype, 'sum');
  return record(finish(kept, x.shape, ax, keepDims), 'sum', [x], (g) => [expand(reshape(g, kept.shape), x.shape)]);
}

export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normAxes(axes, x.ndim, 'mean');
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  const s = sum(x.dtype === 'int32' ? x.astype('float32') : x, ax, options);
  return div(s, count);
}

function extreme(op: Reduce.Max | Reduce.Min, name: string, x: Tensor, axes: Axes | undefined, options: ReduceOptions): Tensor {
  const ax = normAxes(axes, x.ndim, name);
  const kept = reduceRaw(op, x, ax, x.dtype, name);
  const out = finish(kept, x.shape, ax, options.keepDims ?? false);
  // The gradient goes to the elements equal to the extreme, shared evenly among ties.
  return record(out, name, [x], (g) => {
    const mask = eq(x, expandRaw(kept, x.shape)).astype(g.dtype);
    const counts = reduceRaw(Reduce.Sum, mask, ax, g.dtype, name);
    return [mul(expand(reshape(g, kept.shape), x.shape), div(mask, counts))];
  });
}

export const max = (x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor => extreme(Reduce.Max, 'max', x, axes, options);
export const min = (x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor => extreme(Reduce.Min, 'min', x, axes, options);

function argExtreme(op: Reduce.ArgMax | Reduce.ArgMin, name: string, x: Tensor, axis: number | undefined, options: ReduceOptions): Tensor {
  if (axis === undefined) {
    const flat = reshape(x, [x.size]);
    const r = reduceRaw(op, flat, [0], 'int32', name);
    return options.keepDims
      ? new Tensor(
          r.data,
          x.shape.map(() => 1),
        )
      : new Tensor(r.data, []);
  }
  const a = normAxis(axis, x.ndim, name);
  return finish(reduceRaw(op, x, [a], 'int32', name), x.shape, [a], options.keepDims ?? false);
}

/** Index of the largest element along `axis` (of the flattened tensor when omitted); int32. */
export const argmax = (x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor => argExtreme(Reduce.ArgMax, 'argmax', x, axis, options);
export const argmin = (x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor => argExtreme(Reduce.ArgMin, 'argmin', x, axis, options);

export interface VarOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 (default, as PyTorch) is unbiased, 0 is NumPy's default. */
  correction?: number;
}

export function variance(x: Tensor, axes?: Axes, options: VarOptions = {}): Tensor {
  const ax = normAxes(axes, x.ndim, 'var');
  const correction = options.correction ?? 1;
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  if (count - correction <= 0) throw new ValueError(`var: ${count} element(s) with correction ${correction} leaves no degrees of freedom`);
  const centred = sub(x, mean(x, ax, { keepDims: true }));
  return div(sum(mul(centred, centred), ax, { keepDims: options.keepDims }), count - correction);
}

export function std(x: Tensor, axes?: Axes, options: VarOptions = {}): Tensor {
  return sqrt(variance(x, axes, options));
}

/** log(Σ exp(x)) over axes, stable for large x. */
export function logSumExp(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const ax = normAxes(axes, x.ndim, 'logSumExp');
  // The shift is a constant for the gradient; infinite maxima shift by 0 to avoid inf − inf.
  const m = reduceRaw(Reduce.Max, x, ax, x.dtype, 'logSumExp');
  for (let i = 0; i < m.size; i++) if (!Number.isFinite(m.data[i])) m.data[i] = 0;
  const lse = add(log(sum(exp(sub(x, m)), ax, { keepDims: true })), m);
  return options.keepDims ? lse : reshape(lse, reducedShape(x.shape, ax, false));
}

/**
 * Softmax along one axis in a single pass per row: one output array and one
 * recorded node, where the composed form exp(x − logSumExp(x)) makes six
 * tensors (microseconds of overhead on a ten-class output). The backward,
 * dx = y·(g − Σ g·y), runs on raw arrays unless it is itself recorded
 * (gradients of gradients), where it is written with tensor ops.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  if (x.dtype === 'int32') throw new DTypeError('softmax: needs a float tensor, got int32');
  const a = normAxis(axis, x.ndim, 'softmax');
  const len = x.shape[a];
  let inner = 1;
  for (let i = a + 1; i < x.ndim; i++) inner *= x.shape[i];
  const outer = len * inner === 0 ? 0 : x.size / (len * inner);
  const xd = x.data,
    yd = arrayFor(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let j = 0; j < len; j++) {
        const v = xd[base + j * inner];
        if (v > max || v !== v) max = v;
      }
      // All -Infinity: exp(x - max) would be NaN; PyTorch gives NaN as well, so leave it.
      let total = 0;
      for (let j = 0; j < len; j++) {
        const e = Math.exp(xd[base + j * inner] - max);
        yd[base + j * inner] = e;
        total += e;
      }
      const inv = 1 / total;
      for (let j = 0; j < len; j++) yd[base + j * inner] *= inv;
    }
  }
  const y = new Tensor(yd, x.shape);
  // Inference: no backward closure to make (a per-call cost when predicting one sample at a time).
  if (!isGradEnabled() || !x.requiresGrad) return y;
  return recordSoftmax(x, y, a, outer, inner, len);
}

/** Records softmax's node: dx = y·(g − Σ g·y) along axis a (rows of len elements, inner apart). */
function recordSoftmax(x: Tensor, y: Tensor, a: number, outer: number, inner: number, len: number): Tensor {
  const yd = y.data;
  return record(y, 'softmax', [x], (g) => {
    if (isGradEnabled()) return [mul(y, sub(g, sum(mul(g, y), a, { keepDims: true })))];
    const gd = g.data,
      dx = arrayFor(x.dtype, x.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let dot = 0;
        for (let j = 0; j < len; j++) dot += gd[base + j * inner] * yd[base + j * inner];
        for (let j = 0; j < len; j++) dx[base + j * inner] = yd[base + j * inner] * (gd[base + j * inner] - dot);
      }
    }
    return [new Tensor(dx, x.shape)];
  });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.ndim, 'logSoftmax');
  return sub(x, logSumExp(x, a, { keepDims: true }));
}

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, axes, { keepDims: true }), shape);
}
