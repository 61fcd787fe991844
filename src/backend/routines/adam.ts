/**
 * One Adam-style step in place on p, m and v: g' = sign·g + l2·p;
 * v = b2·v + c2·g'²; m = mu·m + keep·g'; p = p·shrink − lr·m / (√v / vScale + eps).
 * The arithmetic is float64 whatever the arrays hold (the wasm kernel does
 * the same, so the results agree to the bit).
 */
import type { FloatArray } from '../backend.js';
import { defineRoutine } from '../routine.js';
import { CALLER_KERNEL_MIN_ELEMENTS, adam as wasmAdam } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

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

export const adamStep = defineRoutine('adamStep', function reference(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, k: AdamScalars): void {
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

adamStep.register(
  'wasm',
  engine && {
    supports: (p, g, m, v) =>
      p.length >= CALLER_KERNEL_MIN_ELEMENTS && p instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array,
    run: (p, g, m, v, k) => wasmAdam(engine, p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, k),
  },
);
