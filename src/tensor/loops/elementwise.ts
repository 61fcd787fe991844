/**
 * Element-wise loops on typed arrays. Each op is one line in a switch
 * outside its loop, so V8 compiles a tight monomorphic loop per op.
 */
import { tanhF32 } from '../../backend/routines/fast-math.js';
import type { TypedArray } from '../dtype.js';
import { stridesOf, type Shape } from '../shape.js';

export const enum Unary {
  Neg,
  Abs,
  Exp,
  Log,
  Log1p,
  Sqrt,
  Square,
  Sigmoid,
  Tanh,
  Relu,
  Sin,
  Cos,
  Sign,
  LeakyRelu,
  Elu,
  Softplus,
  PowScalar,
  Clip,
  Erf,
  Reciprocal,
  Floor,
  Round,
  Expm1,
  IsNaN,
}

export function unaryKernel(op: Unary, x: TypedArray, out: TypedArray, p = 0, q = 0): void {
  const n = x.length;
  switch (op) {
    case Unary.Neg:
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case Unary.Abs:
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      break;
    case Unary.Exp:
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case Unary.Expm1:
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]);
      break;
    case Unary.Log:
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case Unary.Log1p:
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]);
      break;
    case Unary.Sqrt:
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      break;
    case Unary.Square:
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      break;
    case Unary.Reciprocal:
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
      break;
    case Unary.Sigmoid:
      // Two branches keep exp from overflowing for large |x|.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      break;
    case Unary.Tanh:
      // Float32 results (from float32 or int32 input) by the one float32 tanh, as the tanh32 routine; float64 by Math.tanh.
      if (out instanceof Float32Array) for (let i = 0; i < n; i++) out[i] = tanhF32(x[i]);
      else for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    case Unary.Relu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 || v !== v ? v : 0;
      }
      break; // NaN propagates
    case Unary.LeakyRelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : p * v;
      }
      break;
    case Unary.Elu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : p * Math.expm1(v);
      }
      break;
    case Unary.Softplus:
      // log(1 + e^x) computed without overflow: max(x, 0) + log1p(e^-|x|).
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      break;
    case Unary.Sin:
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
      break;
    case Unary.Cos:
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
      break;
    case Unary.Sign:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? 1 : v < 0 ? -1 : v;
      }
      break;
    case Unary.PowScalar:
      if (p === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], p);
      break;
    case Unary.Clip:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v < p ? p : v > q ? q : v;
      }
      break;
    case Unary.Erf:
      for (let i = 0; i < n; i++) out[i] = erf(x[i]);
      break;
    case Unary.Floor:
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]);
      break;
    case Unary.Round:
      for (let i = 0; i < n; i++) out[i] = Math.round(x[i]);
      break;
    case Unary.IsNaN:
      for (let i = 0; i < n; i++) out[i] = Number.isNaN(x[i]) ? 1 : 0;
      break;
  }
}

export const enum Binary {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Maximum,
  Minimum,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
}

/** One contiguous run: out[o..o+n) = a[ia + i·sa] ∘ b[ib + i·sb], strides 0 or 1. */
function binaryRun(op: Binary, a: TypedArray, ia: number, sa: number, b: TypedArray, ib: number, sb: number, out: TypedArray, o: number, n: number): void {
  switch (op) {
    case Binary.Add:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] + b[ib + i * sb];
      break;
    case Binary.Sub:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] - b[ib + i * sb];
      break;
    case Binary.Mul:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] * b[ib + i * sb];
      break;
    case Binary.Div:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] / b[ib + i * sb];
      break;
    case Binary.Pow:
      for (let i = 0; i < n; i++) out[o + i] = Math.pow(a[ia + i * sa], b[ib + i * sb]);
      break;
    case Binary.Maximum:
      for (let i = 0; i < n; i++) {
        const u = a[ia + i * sa],
          v = b[ib + i * sb];
        out[o + i] = u > v || u !== u ? u : v;
      }
      break;
    case Binary.Minimum:
      for (let i = 0; i < n; i++) {
        const u = a[ia + i * sa],
          v = b[ib + i * sb];
        out[o + i] = u < v || u !== u ? u : v;
      }
      break;
    case Binary.Eq:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] === b[ib + i * sb] ? 1 : 0;
      break;
    case Binary.Ne:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] !== b[ib + i * sb] ? 1 : 0;
      break;
    case Binary.Lt:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] < b[ib + i * sb] ? 1 : 0;
      break;
    case Binary.Le:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] <= b[ib + i * sb] ? 1 : 0;
      break;
    case Binary.Gt:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] > b[ib + i * sb] ? 1 : 0;
      break;
    case Binary.Ge:
      for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] >= b[ib + i * sb] ? 1 : 0;
      break;
  }
}

/**
 * Strides (in elements) of `shape`'s array when read as `outShape` under
 * broadcasting: 0 along broadcast dimensions.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_d, i) => (i < offset || shape[i - offset] === 1 ? 0 : strides[i - offset]));
}

/**
 * Visits out in row-major order as runs along the last dimension, calling
 * visit(run offset in a, in b, in out) — the shared broadcasting walker.
 */
export function forEachRun(outShape: Shape, sa: readonly number[], sb: readonly number[], visit: (ia: number, ib: number, o: number) => void): void {
  const nd = outShape.length;
  const inner = nd === 0 ? 1 : outShape[nd - 1];
  const total = outShape.reduce((x, y) => x * y, 1);
  if (total === 0) return;
  const outer = total / inner;
  const index = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let ia = 0,
    ib = 0;
  for (let r = 0; r < outer; r++) {
    visit(ia, ib, r * inner);
    // Odometer increment over the leading dimensions.
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      ia += sa[d];
      ib += sb[d];
      if (index[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      index[d] = 0;
    }
  }
}

export function binaryKernel(op: Binary, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const n = out.length;
  if (a.length === n && b.length === n) return binaryRun(op, a, 0, 1, b, 0, 1, out, 0, n);
  if (b.length === 1 && a.length === n) return binaryRun(op, a, 0, 1, b, 0, 0, out, 0, n);
  if (a.length === 1 && b.length === n) return binaryRun(op, a, 0, 0, b, 0, 1, out, 0, n);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const nd = outShape.length;
  const inner = outShape[nd - 1];
  const ra = sa[nd - 1],
    rb = sb[nd - 1];
  forEachRun(outShape, sa, sb, (ia, ib, o) => binaryRun(op, a, ia, ra, b, ib, rb, out, o, inner));
}

/**
 * The error function to ~1e-15: Maclaurin series for |x| < 3, Lentz's
 * continued fraction for erfc beyond (GELU and the normal CDF need it).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x,
      sum = x;
    const x2 = x * x;
    for (let k = 1; k < 200; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
  const tiny = 1e-300;
  let f = ax,
    c = ax,
    d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = ax + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}
