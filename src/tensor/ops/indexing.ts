/**
 * Integer indexing and ordering, PyTorch's way: `select`, `index`, `sort`,
 * `topk`, and the scans and norms beside them (`cumsum`, `norm`).
 *
 * select, index, sort and topk read x at flat offsets through takeFlat,
 * whose adjoint (putAddFlat: the gradient goes back to the positions it was
 * read from) is their gradient rule, gradients of gradients included.
 */
import { record } from '../../autograd/graph.js';
import { ValueError } from '../../errors.js';
import { arrayFor } from '../dtype.js';
import { normAxes, normAxis, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { abs, add, div, eq, mul, ne, pow, sign } from './elementwise.js';
import { max, min, sum } from './reduce.js';
import { expand, flip, reshape, takeFlat } from './shape.js';

/** The sizes before, along and after axis a: x is seen as [outer, len, inner]. */
function lanes(shape: readonly number[], a: number): { outer: number; len: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, a)), len: shape[a], inner: sizeOf(shape.slice(a + 1)) };
}

function checkPosition(i: unknown, len: number, what: string, op: string): number {
  if (typeof i !== 'number' || !Number.isInteger(i) || i < -len || i >= len) {
    throw new ValueError(`${op}: index ${String(i)} is out of range for ${what} of size ${len}`);
  }
  return i < 0 ? i + len : i;
}

/** The slice of x at position i of `axis`, that axis removed (torch.select; x.select(0, -1) is x[-1]). */
export function select(x: Tensor, axis: number, i: number): Tensor {
  const a = normAxis(axis, x.ndim, 'select');
  const { outer, len, inner } = lanes(x.shape, a);
  const k = checkPosition(i, len, `axis ${a}`, 'select');
  const offsets = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = (o * len + k) * inner;
    for (let j = 0; j < inner; j++) offsets[o * inner + j] = base + j;
  }
  return takeFlat(
    x,
    offsets,
    x.shape.filter((_, d) => d !== a),
  );
}

/** Integer indexing of the leading axes: `x.index(1, -1)` is PyTorch's `x[1, -1]`. */
export function index(x: Tensor, ...indices: number[]): Tensor {
  if (indices.length > x.ndim) throw new ValueError(`index: ${indices.length} indices for a ${x.ndim}-D tensor`);
  let out = x;
  for (const i of indices) out = select(out, 0, i);
  return out;
}

/** Orders numbers ascending with NaN last (as PyTorch sorts). */
function ascending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface SortOptions {
  /** Largest first (default false). Equal values keep their order either way: the sort is stable. */
  descending?: boolean;
}

export interface SortResult {
  values: Tensor;
  /** Positions along the sorted axis (int32), as torch.sort's indices. */
  indices: Tensor;
}

/** Sorts each lane along `axis` and keeps the first `keep` positions. */
function sortedPrefix(x: Tensor, axis: number, keep: number | null, descending: boolean, op: string): SortResult {
  const a = normAxis(axis, x.ndim, op);
  const { outer, len, inner } = lanes(x.shape, a);
  const k = keep ?? len;
  const shape = [...x.shape];
  shape[a] = k;
  const offsets = new Int32Array(outer * k * inner);
  const positions = new Int32Array(offsets.length);
  const order = new Array<number>(len);
  const lane = new Float64Array(len);
  const compare = descending ? (p: number, q: number) => ascending(lane[q], lane[p]) : (p: number, q: number) => ascending(lane[p], lane[q]);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      for (let p = 0; p < len; p++) {
        order[p] = p;
        lane[p] = x.data[base + p * inner];
      }
      // Array.prototype.sort is stable: ties keep their original order.
      order.sort(compare);
      for (let r = 0; r < k; r++) {
        const at = (o * k + r) * inner + j;
        positions[at] = order[r];
        offsets[at] = base + order[r] * inner;
      }
    }
  }
  return { values: takeFlat(x, offsets, shape), indices: new Tensor(positions, shape) };
}

/** Values sorted along `axis` (default last) and where they came from (torch.sort, stable). */
export function sort(x: Tensor, axis = -1, options: SortOptions = {}): SortResult {
  return sortedPrefix(x, axis, null, options.descending ?? false, 'sort');
}

export interface TopkOptions {
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
}

/** The k largest (or smallest) values along `axis` (default last), in order, with their positions (torch.topk). */
export function topk(x: Tensor, k: number, axis = -1, options: TopkOptions = {}): SortResult {
  const a = normAxis(axis, x.ndim, 'topk');
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > x.shape[a]) {
    throw new ValueError(`topk: k must be an integer in [0, ${x.shape[a]}] (the size of axis ${a}), got ${String(k)}`);
  }
  return sortedPrefix(x, a, k, options.largest ?? true, 'topk');
}

/** Running sums along `axis` (torch.cumsum); its gradient is the running sum of the gradient from the other end. */
export function cumsum(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.ndim, 'cumsum');
  const { outer, len, inner } = lanes(x.shape, a);
  const out = arrayFor(x.dtype, x.size);
  const src = x.data;
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let j = 0; j < inner; j++) out[base + j] = src[base + j];
    for (let p = 1; p < len; p++) {
      const at = base + p * inner;
      for (let j = 0; j < inner; j++) out[at + j] = out[at - inner + j] + src[at + j];
    }
  }
  return record(new Tensor(out, x.shape), 'cumsum', [x], (g) => [flip(cumsum(flip(g, a), a), a)]);
}

export type NormOrder = number | 'fro';

export interface NormOptions {
  keepDims?: boolean;
}

/**
 * The p-norm over `axes` (default: all elements, flattened), as torch.norm:
 * p = 'fro' or 2 (default) the Euclidean norm, 1 the sum of |x|, Infinity
 * the largest |x|, -Infinity the smallest, 0 the count of non-zeros (no
 * gradient), any other p (Σ|x|ᵖ)^(1/p). Where the norm is 0 its gradient
 * is 0 (PyTorch's subgradient), not NaN.
 */
export function norm(x: Tensor, p: NormOrder = 'fro', axes?: number | readonly number[], options: NormOptions = {}): Tensor {
  if (x.dtype === 'int32') x = x.astype('float32');
  const order = p === 'fro' ? 2 : p;
  if (typeof order !== 'number' || Number.isNaN(order)) throw new ValueError(`norm: p must be a number or 'fro', got ${String(p)}`);
  const ax = normAxes(axes, x.ndim, 'norm');
  const reduceOptions = { keepDims: options.keepDims ?? false };
  if (order === Infinity) return max(abs(x), ax, reduceOptions);
  if (order === -Infinity) return min(abs(x), ax, reduceOptions);
  if (order === 0) return sum(ne(x, 0).astype(x.dtype), ax, reduceOptions);
  if (order === 1) return sum(abs(x), ax, reduceOptions);
  return pNorm(x, order, ax, reduceOptions.keepDims);
}

/** (Σ|x|ᵖ)^(1/p) with its own gradient rule: sign(x)·|x|^(p−1) / n^(p−1), 0 where n = 0. */
function pNorm(x: Tensor, p: number, axes: readonly number[], keepDims: boolean): Tensor {
  const kept = pow(sum(pow(abs(x).detach(), p), axes, { keepDims: true }), 1 / p);
  const out = keepDims
    ? kept
    : new Tensor(
        kept.data,
        x.shape.filter((_, d) => !axes.includes(d)),
      );
  return record(out, 'norm', [x], (g) => {
    // Recomputed from x so that, recording a backward pass, the rule is differentiable again.
    const n = pNorm(x, p, axes, true);
    const zero = eq(n, 0).astype(x.dtype);
    const scale = div(mul(reshape(g, n.shape), ne(n, 0).astype(x.dtype)), add(pow(n, p - 1), zero));
    return [mul(mul(sign(x), pow(abs(x), p - 1)), expand(scale, x.shape))];
  });
}
