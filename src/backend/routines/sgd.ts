/**
 * One SGD step in place (optim/optimizer.ts's rule without a second moment:
 * SGD with or without momentum, dampening, Nesterov, weight decay):
 *   g' = sign·g + l2·p;  m = g' on the first step, else mu·m + keep·g';
 *   p = p·shrink − lr·g' (no momentum), or p·shrink − lr·(a·g' + b·m)
 *   with (a, b) = (0, 1), or (1, mu) for Nesterov.
 * The arithmetic is the parameters' own, as adam.ts's: float64 for
 * Float64Array, float32 for Float32Array (the wasm kernel computes the same
 * float32 operations four lanes at a time, equal to the bit).
 */
import type { FloatArray } from '../backend.js';
import { defineRoutine } from '../routine.js';
import { sgd as wasmSgd } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';
import type { UpdateScalars } from './adam.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** From this many elements the wasm kernel beats the float32 JS loop, copies included. */
const SGD_KERNEL_MIN_ELEMENTS = 16;

/** The scalars of one SGD step: the rule's, and whether the momentum starts as this step's gradient (its first step). */
export interface SgdScalars extends UpdateScalars {
  firstTerm: boolean;
}

export const sgdStep = defineRoutine('sgdStep', function reference(p: FloatArray, g: FloatArray, m: FloatArray | null, k: SgdScalars, nesterov: boolean): void {
  if (p instanceof Float32Array) return sgd32(p, g, m, k, nesterov);
  const { sign, l2, shrink, mu, keep, lr, firstTerm } = k;
  const n = p.length;
  if (m === null) {
    for (let i = 0; i < n; i++) {
      const pi = p[i];
      p[i] = pi * shrink - lr * (sign * g[i] + l2 * pi);
    }
    return;
  }
  // u = a·g + b·m: (0, 1) plain momentum, (1, μ) Nesterov.
  const a = nesterov ? 1 : 0,
    b = nesterov ? mu : 1;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = sign * g[i] + l2 * pi;
    const mi = firstTerm ? gi : mu * m[i] + keep * gi;
    m[i] = mi;
    p[i] = pi * shrink - lr * (a * gi + b * mi);
  }
});

/** The same step in float32 arithmetic: Math.fround after every operation. */
function sgd32(p: Float32Array, g: FloatArray, m: FloatArray | null, k: SgdScalars, nesterov: boolean): void {
  const f = Math.fround;
  const { sign, firstTerm } = k;
  const l2 = f(k.l2),
    shrink = f(k.shrink),
    mu = f(k.mu),
    keep = f(k.keep),
    lr = f(k.lr);
  const n = p.length;
  if (m === null) {
    for (let i = 0; i < n; i++) {
      const pi = p[i];
      p[i] = f(pi * shrink) - f(lr * f(sign * g[i] + f(l2 * pi)));
    }
    return;
  }
  const a = nesterov ? 1 : 0,
    b = nesterov ? mu : 1;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = f(sign * g[i] + f(l2 * pi));
    const mi = firstTerm ? gi : f(f(mu * m[i]) + f(keep * gi));
    m[i] = mi;
    p[i] = f(pi * shrink) - f(lr * f(a * gi + f(b * mi)));
  }
}

sgdStep.register(
  'wasm',
  engine && {
    supports: (p, g, m) => p.length >= SGD_KERNEL_MIN_ELEMENTS && p instanceof Float32Array && g instanceof Float32Array && (m === null || m instanceof Float32Array),
    run: (p, g, m, k, nesterov) => wasmSgd(engine, p as Float32Array, g as Float32Array, m as Float32Array | null, k, nesterov),
  },
);
