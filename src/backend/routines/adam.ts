/**
 * One Adam-style step in place on p, m and v: g' = sign·g + l2·p;
 * v = b2·v + c2·g'²; m = mu·m + keep·g'; p = p·shrink − lr·m / (√v / vScale + eps).
 * The arithmetic is the parameters' own: float64 for Float64Array, float32
 * for Float32Array (as PyTorch: the scalars and every operation rounded to
 * float32; the wasm kernel computes the same operations in float32 SIMD,
 * so the results agree to the bit).
 */
import type { FloatArray } from '../backend.js';
import { defineRoutine } from '../routine.js';
import { adam as wasmAdam } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';
import type { ResidentAdamMoments } from '../wasm/adam-moments.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** From this many elements the wasm kernel beats the float32 JS loop (each operation rounded by Math.fround), copies included: 3× at 16. */
const ADAM_KERNEL_MIN_ELEMENTS = 16;

/** The per-step scalars every update rule of the optimizers resolves (optim/optimizer.ts), Adam's among them. */
export interface UpdateScalars {
  sign: number;
  l2: number;
  shrink: number;
  mu: number;
  keep: number;
  lr: number;
  vScale: number;
}

/** The scalars of one Adam step (see above). */
export interface AdamScalars extends UpdateScalars {
  b2: number;
  c2: number;
  eps: number;
}

/** Rounds a float64 result to the arithmetic of an array: Math.fround for float32, nothing for float64. */
export type Rounding = (x: number) => number;

const exact: Rounding = (x) => x;

/** The rounding of each operation on the elements of `a` (float32 arithmetic is float64's rounded after each operation). */
export function roundingOf(a: FloatArray): Rounding {
  return a instanceof Float32Array ? Math.fround : exact;
}

/**
 * Rounds the scalars of an update to float32 in place (PyTorch rounds a
 * step's scalars to the parameter's dtype): the float32 loops below do it
 * themselves, the optimiser once for its other float32 loops.
 */
export function roundScalarsToFloat32(k: AdamScalars): void {
  const f = Math.fround;
  k.l2 = f(k.l2);
  k.shrink = f(k.shrink);
  k.mu = f(k.mu);
  k.keep = f(k.keep);
  k.lr = f(k.lr);
  k.vScale = f(k.vScale);
  k.b2 = f(k.b2);
  k.c2 = f(k.c2);
  k.eps = f(k.eps);
}

export const adamStep = defineRoutine('adamStep', function reference(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, k: AdamScalars): void {
  if (p instanceof Float32Array) return adam32(p, g, m, v, k);
  const { sign, l2, shrink, mu, keep, lr, vScale, b2, c2, eps } = k;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = sign * g[i] + l2 * pi;
    const vi = b2 * v[i] + c2 * gi * gi;
    v[i] = vi;
    const mi = mu * m[i] + keep * gi;
    m[i] = mi;
    p[i] = pi * shrink - lr * (mi / (Math.sqrt(vi) / vScale + eps));
  }
});

/** The same step in float32 arithmetic: Math.fround after every operation (written out: a rounding function passed in is not inlined). */
function adam32(p: Float32Array, g: FloatArray, m: FloatArray, v: FloatArray, k: AdamScalars): void {
  const f = Math.fround;
  const sign = k.sign, // ±1
    l2 = f(k.l2),
    shrink = f(k.shrink),
    mu = f(k.mu),
    keep = f(k.keep),
    lr = f(k.lr),
    vScale = f(k.vScale),
    b2 = f(k.b2),
    c2 = f(k.c2),
    eps = f(k.eps);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const gi = f(sign * g[i] + f(l2 * pi));
    const vi = f(f(b2 * v[i]) + f(f(c2 * gi) * gi));
    v[i] = vi;
    const mi = f(f(mu * m[i]) + f(keep * gi));
    m[i] = mi;
    p[i] = f(pi * shrink) - f(lr * f(mi / f(f(f(Math.sqrt(vi)) / vScale) + eps)));
  }
}

adamStep.register(
  'wasm',
  engine && {
    supports: (p, g, m, v) =>
      p.length >= ADAM_KERNEL_MIN_ELEMENTS && p instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array,
    run: (p, g, m, v, k) => wasmAdam(engine, p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, k),
  },
);

/** Makes an optimiser's resident Adam moments: set by wasm/adam-moments.ts where it is loaded (the Node entry and frugal-ml/all; the browser's core entry goes without). */
let makeResidentMoments: ((sizes: () => number[]) => ResidentAdamMoments) | null = null;

export function registerResidentAdamMoments(make: (sizes: () => number[]) => ResidentAdamMoments): void {
  makeResidentMoments = make;
}

/**
 * Where an optimiser keeps Adam's moments of float32 parameters between
 * steps in WebAssembly memory (wasm/adam-moments.ts), for parameters of
 * `sizes()`; null where that module is not loaded or there are no wasm
 * kernels. Use it only for arguments the active backend's adamStep takes
 * (`adamStep.implementation(...)`): it runs the same kernel.
 */
export function residentAdamMoments(sizes: () => number[]): ResidentAdamMoments | null {
  return makeResidentMoments?.(sizes) ?? null;
}
