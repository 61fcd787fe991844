/**
 * Export of Modules that are not a chain of layers (a residual block, two
 * branches joined by concat, any custom `forward`): the forward is run once
 * on the sample input and read back as a graph.
 *
 * Two records are combined. Calls of layers the exporter knows (Linear,
 * Conv2d, Sequential...) are caught by wrapping their `forward` during the
 * run, and written as those layers (their inner ops are not looked at). The
 * tensor ops between them (x + f(x), concat, reshape, relu...) are read off
 * the autograd tape: each recorded op names itself and its inputs, which is
 * all an attribute-free ONNX operator needs. Tensors that no op produced
 * (parameters used directly, constants) become initializers.
 */
import { withGradMode } from '../autograd/graph.js';
import { LimitError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { type GraphBuilder, int } from './graph-builder.js';
import { ONNX_LIMITS } from './proto.js';

/** Writes a known layer applied to `x` (the exporter's own layer writer). */
export type LayerWriter = (g: GraphBuilder, layer: Module, x: string, input: Tensor, output: Tensor) => string;

interface LayerCall {
  layer: Module;
  input: Tensor;
}

/** Tape ops that map one to one onto an ONNX operator without attributes. */
const ELEMENTWISE: Readonly<Record<string, string>> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  pow: 'Pow',
  maximum: 'Max',
  minimum: 'Min',
  neg: 'Neg',
  abs: 'Abs',
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  exp: 'Exp',
  log: 'Log',
  sqrt: 'Sqrt',
  erf: 'Erf',
  softplus: 'Softplus',
  sin: 'Sin',
  cos: 'Cos',
  matmul: 'MatMul',
  clone: 'Identity',
};

/** The ops the tracer writes, for the error message. */
const TRACED_OPS = [...Object.keys(ELEMENTWISE), 'square', 'concat', 'reshape'];

/** Runs `model.forward(input)` while recording the calls of the layers `isKnown` accepts (outermost calls only). */
function runRecording(model: Module, input: Tensor, isKnown: (m: Module) => boolean): { output: Tensor; calls: Map<Tensor, LayerCall> } {
  const calls = new Map<Tensor, LayerCall>();
  const wrapped: Module[] = [];
  let depth = 0;
  const visit = (m: Module): void => {
    for (const [, child] of m.children()) {
      if (isKnown(child)) {
        const original = child.forward;
        const layer = child;
        // An own property shadows the prototype's forward for this run only.
        layer.forward = (...args: Tensor[]): Tensor => {
          if (depth > 0) return original.apply(layer, args);
          if (args.length !== 1) throw new ValueError(`exportOnnx: ${layer.constructor.name} is called with ${args.length} inputs; traced layers take one`);
          depth++;
          try {
            const out = original.apply(layer, args);
            if (out !== args[0]) calls.set(out, { layer, input: args[0] });
            return out;
          } finally {
            depth--;
          }
        };
        wrapped.push(layer);
      } else visit(child);
    }
  };
  visit(model);
  try {
    return { output: withGradMode(true, () => model.forward(input)), calls };
  } finally {
    for (const m of wrapped) delete (m as { forward?: unknown }).forward;
  }
}

/**
 * Writes `model` (a Module whose forward the exporter cannot read as a chain)
 * applied to `x`; returns the output's name. Throws one ValueError naming
 * every operation of the forward that cannot be written.
 */
export function traceModule(g: GraphBuilder, model: Module, x: string, sample: Tensor, isKnown: (m: Module) => boolean, writeLayer: LayerWriter): string {
  // A leaf that needs a gradient, so every op on the input is recorded (integer inputs are read by an Embedding first).
  const input = new Tensor(sample.data, sample.shape, { requiresGrad: sample.dtype !== 'int32' });
  const { output, calls } = runRecording(model, input, isKnown);
  const names = new Map<Tensor, string>([[input, x]]);
  const unsupported = new Set<string>();
  const nameOf = (t: Tensor): string => names.get(t) as string;

  const write = (t: Tensor): string => {
    const call = calls.get(t);
    if (call) return writeLayer(g, call.layer, nameOf(call.input), call.input, t);
    const node = t.gradNode;
    if (!node) return g.constant('const', t);
    const inputs = node.inputs.map(nameOf);
    const onnxOp = ELEMENTWISE[node.op];
    if (onnxOp) return g.node(onnxOp, inputs);
    if (node.op === 'square') return g.node('Mul', [inputs[0], inputs[0]]);
    if (node.op === 'concat') return g.node('Concat', inputs, [int('axis', concatAxis(node.inputs, t))]);
    if (node.op === 'reshape') {
      // The batch dimension stays dynamic when the reshape keeps it (0 = copy); otherwise the traced shape is written.
      const from = node.inputs[0];
      const keepsBatch = t.ndim > 0 && from.ndim > 0 && t.shape[0] === from.shape[0];
      return g.node('Reshape', [inputs[0], g.int64s('shape', keepsBatch ? [0, ...t.shape.slice(1)] : [...t.shape])]);
    }
    unsupported.add(node.op);
    return `unsupported_${node.op}`;
  };

  // Inputs before the tensors computed from them, without recursion (a forward may chain many thousands of ops).
  const sources = (t: Tensor): readonly Tensor[] => {
    const call = calls.get(t);
    return call ? [call.input] : (t.gradNode?.inputs ?? []);
  };
  const stack: { t: Tensor; next: number }[] = [{ t: output, next: 0 }];
  const pending = new Set<Tensor>([output]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const deps = names.has(top.t) ? [] : sources(top.t);
    if (top.next < deps.length) {
      const dep = deps[top.next++];
      if (!names.has(dep) && !pending.has(dep)) {
        if (pending.size + names.size > ONNX_LIMITS.maxNodes)
          throw new LimitError(`exportOnnx: the traced forward of ${model.constructor.name} has more than ${ONNX_LIMITS.maxNodes} ops`);
        pending.add(dep);
        stack.push({ t: dep, next: 0 });
      }
      continue;
    }
    stack.pop();
    pending.delete(top.t);
    if (!names.has(top.t)) names.set(top.t, write(top.t));
  }

  const outputName = nameOf(output);
  if (unsupported.size > 0) {
    throw new ValueError(
      `exportOnnx: the forward of ${model.constructor.name} uses operations ONNX export does not support: ${[...unsupported].join(', ')} (traced tensor ops: ${TRACED_OPS.join(', ')}; use layers for the rest)`,
    );
  }
  return outputName;
}

/** The axis a recorded concat joined along: the one where the output differs from its first input. */
function concatAxis(inputs: readonly Tensor[], output: Tensor): number {
  const first = inputs[0].shape;
  const axis = output.shape.findIndex((d, i) => d !== first[i]);
  return axis < 0 ? 0 : axis;
}
