/** Reductions over a contiguous block of axes, and the permutation copy that brings any axes together. */
import { arrayFor, type DType, type TypedArray } from '../dtype.js';
import { stridesOf, type Shape } from '../shape.js';

export const enum Reduce {
  Sum,
  Max,
  Min,
  ArgMax,
  ArgMin,
}

/**
 * Reduces x viewed as [outer, reduced, inner] over its middle axis.
 * Sums accumulate in float64 whatever the dtype, then round once.
 */
export function reduceKernel(op: Reduce, x: TypedArray, outer: number, reduced: number, inner: number, outDType: DType): TypedArray {
  const out = arrayFor(outDType, outer * inner);
  if (op === Reduce.Sum) {
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      const base = o * reduced * inner;
      if (inner === 1) {
        let s = 0;
        for (let r = 0; r < reduced; r++) s += x[base + r];
        acc[0] = s;
      } else {
        for (let r = 0; r < reduced; r++) {
          const row = base + r * inner;
          for (let i = 0; i < inner; i++) acc[i] += x[row + i];
        }
      }
      for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
    }
    return out;
  }
  const isArg = op === Reduce.ArgMax || op === Reduce.ArgMin;
  const wantMax = op === Reduce.Max || op === Reduce.ArgMax;
  for (let o = 0; o < outer; o++) {
    const base = o * reduced * inner;
    for (let i = 0; i < inner; i++) {
      let best = x[base + i];
      let bestIndex = 0;
      // NaN wins, as in NumPy and PyTorch: a NaN anywhere propagates.
      for (let r = 1; r < reduced && best === best; r++) {
        const v = x[base + r * inner + i];
        if (v !== v || (wantMax ? v > best : v < best)) {
          best = v;
          bestIndex = r;
        }
      }
      out[o * inner + i] = isArg ? bestIndex : best;
    }
  }
  return out;
}

/** out = x with its axes permuted (out axis i is x axis perm[i]). */
export function permuteKernel(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const nd = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]);
  const total = x.length;
  if (total === 0) return;
  if (nd === 0) {
    out[0] = x[0];
    return;
  }
  const inner = outShape[nd - 1];
  const innerStride = strides[nd - 1];
  const index = new Array<number>(nd).fill(0);
  let src = 0;
  for (let o = 0; o < total; o += inner) {
    for (let i = 0; i < inner; i++) out[o + i] = x[src + i * innerStride];
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      src += strides[d];
      if (index[d] < outShape[d]) break;
      src -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
}
