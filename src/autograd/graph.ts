/**
 * Reverse-mode automatic differentiation, define-by-run.
 *
 * Every op that produces a tensor from inputs that need gradients records a
 * GradNode: its inputs and a closure that maps the output's gradient to the
 * inputs' gradients. The closures are written with ordinary tensor ops, so
 * with `createGraph` the backward pass is itself recorded and can be
 * differentiated again (a gradient penalty needs that).
 */
import type { Tensor } from '../tensor/tensor.js';
import { FrugalError, ShapeError } from '../errors.js';
import { sameShape, shapeStr } from '../tensor/shape.js';

export interface GradNode {
  /** The op's name, for error messages and debugging. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradient of the output → gradients of each input (null: none needed). */
  readonly backward: (grad: Tensor) => readonly (Tensor | null)[];
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording a graph (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with recording switched on or off, restoring the mode after. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** True when an op on these inputs must record how it was computed. */
export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t?.requiresGrad) return true;
  return false;
}

/** Attaches a GradNode to `out` when any input needs a gradient; returns out. */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward']): Tensor {
  if (needsGrad(inputs)) out.gradNode = { op, inputs, backward };
  return out;
}

/** Tensors reachable from `roots` through recorded nodes, in topological order (inputs first). */
function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep graphs (an RNN unrolled over many steps) would overflow recursion.
  const stack: { t: Tensor; next: number }[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push({ t: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const inputs = top.t.gradNode?.inputs ?? [];
      if (top.next < inputs.length) {
        const child = inputs[top.next++];
        if (!visited.has(child) && child.requiresGrad) {
          visited.add(child);
          stack.push({ t: child, next: 0 });
        }
      } else {
        order.push(top.t);
        stack.pop();
      }
    }
  }
  return order;
}

export interface GradOptions {
  /** Record the backward pass so the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Keep the graph after the pass (so backward can run through it again). */
  retainGraph?: boolean;
}

/**
 * Gradients of `outputs` (weighted by `gradOutputs`, default ones for
 * scalars) with respect to every tensor in the graph. Returns the map of
 * tensor → gradient.
 */
function runBackward(outputs: readonly Tensor[], gradOutputs: readonly Tensor[], options: GradOptions, keep: ReadonlySet<Tensor> = new Set()): Map<Tensor, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const grads = new Map<Tensor, Tensor>();
  outputs.forEach((out, i) => {
    const g = gradOutputs[i];
    if (!sameShape(g.shape, out.shape)) {
      throw new ShapeError(`backward: gradient of shape ${shapeStr(g.shape)} does not match output of shape ${shapeStr(out.shape)}`);
    }
    const prev = grads.get(out);
    grads.set(out, prev ? prev.add(g) : g);
  });
  const order = topologicalOrder(outputs);
  withGradMode(createGraph, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const node = t.gradNode;
      const g = grads.get(t);
      if (!node || !g) continue;
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, j) => {
        const ig = inputGrads[j];
        if (!ig || !input.requiresGrad) return;
        if (!sameShape(ig.shape, input.shape)) {
          throw new FrugalError(`internal: ${node.op} backward gave a gradient of shape ${shapeStr(ig.shape)} for an input of shape ${shapeStr(input.shape)}`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(ig) : ig);
      });
      // Free the intermediate gradient and, unless asked to keep it, the graph.
      if (!t.isLeaf && !keep.has(t)) grads.delete(t);
      if (!retainGraph) t.gradNode = null;
    }
  });
  return grads;
}

function defaultGradOutputs(outputs: readonly Tensor[], gradOutputs: readonly (Tensor | null | undefined)[] | undefined, fn: string): Tensor[] {
  return outputs.map((out, i) => {
    const g = gradOutputs?.[i];
    if (g) return g;
    if (out.size !== 1) {
      throw new ShapeError(`${fn}: output of shape ${shapeStr(out.shape)} is not a scalar; pass its gradient explicitly`);
    }
    return out.onesLike();
  });
}

/** Accumulates d(output)/d(leaf) into every leaf's `.grad` (PyTorch's backward). */
export function backward(output: Tensor, gradOutput?: Tensor | null, options: GradOptions = {}): void {
  if (!output.requiresGrad) {
    throw new FrugalError('backward: this tensor does not require a gradient (no input had requiresGrad, or it was computed under noGrad)');
  }
  const grads = runBackward([output], defaultGradOutputs([output], [gradOutput], 'backward'), options);
  for (const [t, g] of grads) {
    if (!t.isLeaf || !t.requiresGrad) continue;
    const contribution = options.createGraph ? g : g.detach();
    t.grad = t.grad ? (options.createGraph ? t.grad.add(contribution) : t.grad.add(contribution).detach()) : contribution;
  }
}

/**
 * Gradients of outputs with respect to inputs, returned rather than
 * accumulated (torch.autograd.grad). With `createGraph` they can be
 * differentiated again.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradOptions & { gradOutputs?: readonly (Tensor | null)[]; allowUnused?: boolean } = {},
): Tensor[] {
  return gradsReached(outputs, inputs, options).map((g, i) => {
    if (g) return g;
    if (!options.allowUnused) throw new FrugalError(`grad: input ${i} was not used to compute the outputs (pass allowUnused: true to get zeros)`);
    return inputs[i].zerosLike();
  });
}

/** As grad, but null for an input the outputs do not reach (PyTorch's allow_unused), where grad gives zeros or throws. */
export function gradsReached(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradOptions & { gradOutputs?: readonly (Tensor | null)[] } = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  for (const out of outs) {
    if (!out.requiresGrad) throw new FrugalError('grad: an output does not require a gradient');
  }
  // Inputs may be intermediate results: keep their gradients through the pass.
  const grads = runBackward(outs, defaultGradOutputs(outs, options.gradOutputs, 'grad'), options, new Set(inputs));
  return inputs.map((t) => grads.get(t) ?? null);
}
