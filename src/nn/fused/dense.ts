/**
 * The dense block: Linear (→ ReLU or LeakyReLU), repeated, as one op with the result of
 * the layers one by one (tests compare them bit for bit):
 * - inferring on a few rows (nothing recorded): one call into the backend's
 *   dense-rows routine, which keeps the weights resident (denseInference);
 * - otherwise (training a small MLP): one recorded op whose forward and
 *   backward are one call each of the dense-chain routine (denseChain).
 */
import { fusedOp } from '../../autograd/fused.js';
import { isGradEnabled } from '../../autograd/graph.js';
import { denseChainBackward, denseChainForward, type DenseChainLayer } from '../../backend/routines/dense-chain.js';
import { denseRows, SMALL_ROWS, type DenseLayer } from '../../backend/routines/dense-rows.js';
import { relu } from '../../tensor/ops/elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { Parameter, type Module } from '../module.js';
import { LeakyReLU, leakyRelu, ReLU } from '../layers/activation.js';
import { Linear, linear } from '../layers/linear.js';
import type { FusedPattern } from './pattern.js';

/** One dense layer for `denseInference`. */
export interface DenseStep {
  weight: Tensor;
  bias: Tensor | null;
  /** Whether an activation follows: ReLU, or LeakyReLU when negativeSlope is set. */
  relu: boolean;
  negativeSlope?: number;
}

/**
 * Dense layers as the resident-weights kernels take them, checked once (when
 * a Sequential plans its blocks) rather than on every call: the weights and
 * biases are Parameters, whose shapes, dtypes and identities never change
 * (their values change in place, under a version the kernels watch).
 */
export interface DenseRowsPlan {
  /** The kernels' layers, kept from call to call (the kernels then find their resident copies without a lookup). */
  readonly layers: readonly DenseLayer[];
  /** Every weight and bias: while gradients are recorded, a call that would need theirs takes the general path. */
  readonly params: readonly Parameter[];
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** The plan for `steps`, or null where the resident-weights kernels cannot take them (LeakyReLU, tensors that are not float32 Parameters, a bias that does not fit its weight). */
export function planDenseRows(steps: readonly DenseStep[]): DenseRowsPlan | null {
  const layers: DenseLayer[] = [],
    params: Parameter[] = [];
  for (const { weight: w, bias: b, relu, negativeSlope } of steps) {
    if (negativeSlope !== undefined) return null; // the resident-weights kernels know ReLU only
    if (!(w instanceof Parameter) || w.ndim !== 2 || w.dtype !== 'float32') return null;
    if (b && (!(b instanceof Parameter) || b.dtype !== 'float32' || b.ndim !== 1 || b.shape[0] !== w.shape[0])) return null;
    layers.push({ w, b, n: w.shape[0], k: w.shape[1], relu });
    params.push(w);
    if (b) params.push(b);
  }
  if (layers.length === 0) return null;
  return { layers, params, inFeatures: layers[0].k, outFeatures: layers[layers.length - 1].n };
}

/**
 * The planned dense layers applied in turn to a few float32 rows x [M, K]
 * when nothing is recorded: inference one request at a time. Runs on this
 * thread over copies of the weights kept resident in WebAssembly memory
 * (refreshed when the parameters' versions change), intermediate
 * activations staying there. Null where this path does not apply (the
 * caller then takes the general one, which also reports any misuse: a
 * wrong shape or dtype).
 */
export function denseRowsInference(x: Tensor, plan: DenseRowsPlan): Tensor | null {
  const m = x.shape[0];
  // SMALL_ROWS: a cheap early exit for the common case of many rows (the routine checks again).
  if (x.ndim !== 2 || m > SMALL_ROWS || x.dtype !== 'float32' || x.shape[1] !== plan.inFeatures) return null;
  if (isGradEnabled() && (x.requiresGrad || anyRequiresGrad(plan.params))) return null;
  const xs = x.data as Float32Array;
  const out = new Float32Array(m * plan.outFeatures);
  // Only the backend's own implementation (resident weights) pays here; otherwise the general path.
  const fast = denseRows.implementation(xs, 0, m, plan.layers, out);
  if (!fast) return null;
  fast.run(xs, 0, m, plan.layers, out);
  return new Tensor(out, [m, plan.outFeatures]);
}

function anyRequiresGrad(params: readonly Parameter[]): boolean {
  for (let i = 0; i < params.length; i++) if (params[i].requiresGrad) return true;
  return false;
}

/** `denseRowsInference` for layers not planned beforehand (a lone `linear` call). */
export function denseInference(x: Tensor, layers: readonly DenseStep[]): Tensor | null {
  const plan = planDenseRows(layers);
  return plan && denseRowsInference(x, plan);
}

/**
 * Dense layers (relu?(x·Wᵀ + b) each) applied in turn to float32 rows x
 * [M, K], as one recorded op whose forward and backward each run in one
 * call of the backend (activations between layers stay in its memory): a
 * small MLP's training step without dozens of tensors and GEMM calls. The
 * results are those of linear and relu one by one (tests compare them bit
 * for bit). Null where it does not apply (no such kernels, float64, fewer
 * than two layers, large products, shapes that do not link: the caller then
 * takes the general path, which also reports any misuse).
 */
export function denseChain(x: Tensor, layers: readonly DenseStep[]): Tensor | null {
  const m = x.shape[0];
  if (layers.length < 2) return null;
  if (x.ndim !== 2 || x.dtype !== 'float32' || m === 0) return null;
  const chain: DenseChainLayer[] = [];
  for (const { weight: w, bias: b, relu, negativeSlope } of layers) {
    if (w.dtype !== 'float32' || w.ndim !== 2 || (b && (b.dtype !== 'float32' || b.ndim !== 1 || b.shape[0] !== w.shape[0]))) return null;
    const k = chain.length === 0 ? x.shape[1] : chain[chain.length - 1].n;
    if (w.shape[1] !== k) return null;
    chain.push({ w: w.data as Float32Array, b: (b?.data as Float32Array) ?? null, n: w.shape[0], k, relu, ...(negativeSlope === undefined ? {} : { negativeSlope }) });
  }
  const xs = x.data as Float32Array;
  // The backend's own implementation only: the chain pays only where it keeps the activations in its memory.
  const forward = denseChainForward.implementation(xs, m, chain);
  if (!forward) return null;
  const outputs = forward.run(xs, m, chain);
  const out = new Tensor(outputs[outputs.length - 1], [m, chain[chain.length - 1].n]);
  const inputs = [x, ...layers.flatMap((s) => (s.bias ? [s.weight, s.bias] : [s.weight]))];
  const fast = (g: Tensor): (Tensor | null)[] => {
    // Its forward ran on the backend, which takes the backward of any chain its forward took.
    const grads = denseChainBackward.run(m, chain, {
      x: xs,
      outputs,
      dOut: g.data as Float32Array,
      wantDx: x.requiresGrad,
      wantDw: layers.map((s) => s.weight.requiresGrad),
      wantDb: layers.map((s) => s.bias?.requiresGrad ?? false),
    });
    const result: (Tensor | null)[] = [grads.dx ? new Tensor(grads.dx, x.shape) : null];
    layers.forEach((s, l) => {
      result.push(grads.dw[l] ? new Tensor(grads.dw[l] as Float32Array, s.weight.shape) : null);
      if (s.bias) result.push(grads.db[l] ? new Tensor(grads.db[l] as Float32Array, s.bias.shape) : null);
    });
    return result;
  };
  const reference = (...ins: Tensor[]): Tensor => {
    let h = ins[0],
      at = 1;
    for (const s of layers) {
      const w = ins[at++];
      const b = s.bias ? ins[at++] : null;
      h = linear(h, w, b);
      if (s.relu) h = s.negativeSlope === undefined ? relu(h) : leakyRelu(h, s.negativeSlope);
    }
    return h;
  };
  return fusedOp(out, 'denseChain', inputs, fast, reference);
}

/** The activation after a Linear that the chain computes: ReLU, or LeakyReLU with a slope >= 0 (its backward masks on the output's sign); null: none it takes. */
function chainActivation(layer: Module | undefined): { relu: boolean; negativeSlope?: number } | null {
  // Exact classes only: a subclass may override forward.
  if (layer?.constructor === ReLU) return { relu: true };
  if (layer?.constructor === LeakyReLU && (layer as LeakyReLU).negativeSlope >= 0) return { relu: true, negativeSlope: (layer as LeakyReLU).negativeSlope };
  return null;
}

/** Linear layers from layers[i], each optionally followed by ReLU or LeakyReLU, as one block. */
export const denseBlock: FusedPattern = {
  name: 'dense',
  match(layers, i) {
    const steps: DenseStep[] = [];
    let j = i;
    // Exact classes only: a subclass may override forward.
    for (; j < layers.length && layers[j].constructor === Linear; j++) {
      const { weight, bias } = layers[j] as Linear;
      const activation = chainActivation(layers[j + 1]);
      steps.push({ weight, bias, relu: false, ...activation });
      if (activation) j++;
    }
    if (steps.length === 0) return null;
    const rows = planDenseRows(steps);
    return { layers: j - i, run: (x) => (rows && denseRowsInference(x, rows)) ?? denseChain(x, steps) };
  },
};
