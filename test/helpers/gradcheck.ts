/**
 * Finite-difference checks of autograd: every differentiable op is compared
 * with central differences in float64.
 */
import assert from 'node:assert/strict';
import { grad, Tensor, Generator } from '../../src/index.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Also check second derivatives (gradients of the gradient). */
  secondOrder?: boolean;
}

const gen = new Generator(1234);

/** A random float64 tensor with values in [low, high). */
export function randomF64(shape: number[], low = -1, high = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = low + (high - low) * gen.random();
  return new Tensor(data, shape, { requiresGrad: true });
}

/** Projects the output on fixed random weights so the whole Jacobian is exercised. */
function projected(fn: (...xs: Tensor[]) => Tensor, weights: { w?: Tensor }) {
  return (...xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    if (!weights.w) {
      const d = new Float64Array(out.size);
      for (let i = 0; i < d.length; i++) d[i] = 0.5 + gen.random();
      weights.w = new Tensor(d, out.shape);
    }
    return out.mul(weights.w).sum();
  };
}

function numericGrad(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], i: number, eps: number): Float64Array {
  const x = inputs[i];
  const out = new Float64Array(x.size);
  for (let j = 0; j < x.size; j++) {
    const orig = x.data[j];
    x.data[j] = orig + eps;
    const plus = f(...inputs).item();
    x.data[j] = orig - eps;
    const minus = f(...inputs).item();
    x.data[j] = orig;
    out[j] = (plus - minus) / (2 * eps);
  }
  return out;
}

function compare(name: string, analytic: ArrayLike<number>, numeric: ArrayLike<number>, atol: number, rtol: number): void {
  for (let j = 0; j < numeric.length; j++) {
    const a = analytic[j],
      n = numeric[j];
    if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
      assert.fail(`${name}: element ${j}: autograd ${a} vs finite difference ${n}`);
    }
  }
}

export function gradcheck(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): void {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-5 } = options;
  for (const x of inputs) assert.equal(x.dtype, 'float64', `${name}: gradcheck needs float64 inputs`);
  const f = projected(fn, {});
  const diff = inputs.filter((x) => x.requiresGrad);
  const grads = grad(f(...inputs), diff);
  diff.forEach((x, k) => compare(`${name} d/dinput${inputs.indexOf(x)}`, grads[k].data, numericGrad(f, inputs, inputs.indexOf(x), eps), atol, rtol));
  if (options.secondOrder) {
    // g(x) = Σ v · ∂f/∂x, built with createGraph, must itself pass gradcheck.
    const v = diff.map((x) => randomF64([...x.shape]).detach());
    const g = (...xs: Tensor[]): Tensor => {
      const gs = grad(
        f(...xs),
        xs.filter((x) => x.requiresGrad),
        { createGraph: true },
      );
      return gs.map((gi, k) => gi.mul(v[k]).sum()).reduce((a, b) => a.add(b));
    };
    const gOut = g(...inputs);
    // A gradient that does not depend on the inputs (a linear op) has zero second derivative.
    const second = gOut.requiresGrad ? grad(gOut, diff, { allowUnused: true }) : diff.map((x) => x.zerosLike());
    diff.forEach((x, k) => compare(`${name} second order d/dinput${inputs.indexOf(x)}`, second[k].data, numericGrad(g, inputs, inputs.indexOf(x), eps), atol * 10, rtol * 10));
  }
}
