/**
 * Fused ops: one recorded node where the op-by-op graph would hold many,
 * with a hand-written backward on raw arrays.
 *
 * A fused op also names a *reference*: the same function written with
 * ordinary (recorded) tensor ops. The fast backward runs whenever the
 * backward pass is not itself recorded; under `createGraph` (gradients of
 * gradients) the reference is differentiated instead, over leaf aliases of
 * the inputs so that the pass stays inside the op, so every fused op stays
 * differentiable to any order.
 */
import { Tensor } from '../tensor/tensor.js';
import { gradsReached, isGradEnabled, record, type GradOptions } from './graph.js';

/** A leaf over the same data: graphs built on it stop here instead of reaching upstream. */
function aliasOf(t: Tensor): Tensor {
  return new Tensor(t.data, t.shape, { requiresGrad: t.requiresGrad });
}

/** d(y·gradOutput)/d(alias) for each alias: null where y does not reach it (or it needs no gradient). */
function aliasGradients(y: Tensor, aliases: readonly Tensor[], gradOutput: Tensor, options: GradOptions): (Tensor | null)[] {
  const wanted = aliases.filter((a) => a.requiresGrad);
  const found = gradsReached(y, wanted, { ...options, gradOutputs: [gradOutput] });
  return aliases.map((a) => (a.requiresGrad ? found[wanted.indexOf(a)] : null));
}

/**
 * `y` was computed from leaf `aliases`; returns a tensor with y's values
 * recorded as a function of `originals` (one per alias), so gradients reach
 * the real graph. Its backward differentiates y's graph, rebinding again
 * when that pass is recorded too.
 */
function rebind(y: Tensor, aliases: readonly Tensor[], originals: readonly Tensor[]): Tensor {
  const out = new Tensor(y.data, y.shape);
  if (!y.requiresGrad) return out;
  return record(out, 'rebind', originals, (h) => {
    const hAlias = aliasOf(h);
    const createGraph = isGradEnabled();
    return aliasGradients(y, aliases, hAlias, { createGraph, retainGraph: true }).map((g) => (g && createGraph ? rebind(g, [...aliases, hAlias], [...originals, h]) : g));
  });
}

/**
 * Records `out` = op(inputs) with a fast backward on raw arrays and a
 * reference (tensor ops) used when gradients of gradients are wanted.
 */
export function fusedOp(out: Tensor, name: string, inputs: readonly Tensor[], fast: (g: Tensor) => readonly (Tensor | null)[], reference: (...inputs: Tensor[]) => Tensor): Tensor {
  return record(out, name, inputs, (g) => {
    if (!isGradEnabled()) return fast(g);
    const aliases = inputs.map(aliasOf);
    const gAlias = aliasOf(g);
    const ref = reference(...aliases);
    return aliasGradients(ref, aliases, gAlias, { createGraph: true }).map((gi) => (gi ? rebind(gi, [...aliases, gAlias], [...inputs, g]) : null));
  });
}
