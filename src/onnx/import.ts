/**
 * Import of ONNX models as a Frugal Module that runs the graph with Frugal's
 * differentiable ops. Float initializers become Parameters (so the model
 * fine-tunes with any optimiser); integer ones become buffers.
 */
import { LimitError, ParseError, ValueError } from '../errors.js';
import { Module, Parameter } from '../nn/module.js';
import { readFileBytes } from '../platform/fs.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Attributes, OPS } from './ops.js';
import { ATTR_FLOAT, ATTR_FLOATS, ATTR_INT, ATTR_INTS, ATTR_STRING, ATTR_TENSOR, decodeModel, type GraphProto, ONNX_LIMITS, type NodeProto, tensorFromProto } from './proto.js';

/** One node, decoded and checked: the plain form the module keeps. */
interface GraphNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Attributes;
}

function decodeAttributes(node: NodeProto, where: string): Attributes {
  const attrs: Attributes = {};
  for (const a of node.attribute ?? []) {
    if (a.type === ATTR_FLOAT) attrs[a.name] = a.f ?? 0;
    else if (a.type === ATTR_INT) attrs[a.name] = a.i ?? 0;
    else if (a.type === ATTR_STRING) attrs[a.name] = new TextDecoder().decode(a.s ?? new Uint8Array());
    else if (a.type === ATTR_TENSOR && a.t) attrs[a.name] = a.t;
    else if (a.type === ATTR_FLOATS) attrs[a.name] = a.floats ?? [];
    else if (a.type === ATTR_INTS) attrs[a.name] = a.ints ?? [];
    else throw new ValueError(`${where}: attribute '${a.name}' has an unsupported type ${a.type ?? 'undefined'} (subgraphs are not supported)`);
  }
  return attrs;
}

/** A Module running an imported ONNX graph. `forward` takes the graph inputs in order and returns the first output. */
export class OnnxModule extends Module {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly nodes: readonly GraphNode[];
  /** ONNX initializer name → the Parameter or buffer that holds it. */
  private readonly weights: Record<string, Tensor> = {};

  constructor(graph: GraphProto) {
    super();
    const nodes = graph.node ?? [];
    if (nodes.length > ONNX_LIMITS.maxNodes) throw new LimitError(`importOnnx: ${nodes.length} nodes exceed the limit ${ONNX_LIMITS.maxNodes}`);
    const unsupported = [...new Set(nodes.filter((n) => !Object.hasOwn(OPS, n.op_type) || !['', 'ai.onnx'].includes(n.domain ?? '')).map((n) => n.op_type))];
    if (unsupported.length > 0) throw new ValueError(`importOnnx: unsupported operators: ${unsupported.join(', ')}`);
    const initializerNames = new Set<string>();
    let index = 0;
    for (const proto of graph.initializer ?? []) {
      const name = proto.name ?? '';
      const t = tensorFromProto(proto, 'importOnnx: initializer');
      const key = `w${index++}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      this.weights[name] = t.dtype === 'int32' ? this.registerBuffer(key, t) : this.registerParameter(key, new Parameter(t));
      initializerNames.add(name);
    }
    this.nodes = nodes.map((n, i) => ({
      opType: n.op_type,
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs: decodeAttributes(n, `importOnnx: node ${i} (${n.op_type})`),
    }));
    this.inputNames = (graph.input ?? []).map((v) => v.name).filter((name) => !initializerNames.has(name));
    this.outputNames = (graph.output ?? []).map((v) => v.name);
    if (this.outputNames.length === 0) throw new ParseError('importOnnx: the graph has no output');
  }

  /** Runs the graph on its inputs (in the order of `inputNames`); all outputs by name. */
  run(...inputs: Tensor[]): Record<string, Tensor> {
    if (inputs.length !== this.inputNames.length)
      throw new ValueError(`OnnxModule: expected ${this.inputNames.length} inputs (${this.inputNames.join(', ')}), got ${inputs.length}`);
    const values = new Map<string, Tensor>(Object.entries(this.weights));
    this.inputNames.forEach((name, i) => values.set(name, inputs[i]));
    this.nodes.forEach((node, i) => {
      const where = `OnnxModule: node ${i} (${node.opType})`;
      const args = node.inputs.map((name) => {
        if (name === '') return null;
        const v = values.get(name);
        if (v === undefined) throw new ParseError(`${where}: input '${name}' is not computed before it is used`);
        return v;
      });
      const results = OPS[node.opType](args, node.attrs, where);
      node.outputs.forEach((name, k) => {
        if (name !== '' && results[k] !== undefined) values.set(name, results[k]);
      });
    });
    const out: Record<string, Tensor> = {};
    for (const name of this.outputNames) {
      const v = values.get(name);
      if (v === undefined) throw new ParseError(`OnnxModule: output '${name}' is never computed`);
      out[name] = v;
    }
    return out;
  }

  override forward(...inputs: Tensor[]): Tensor {
    return this.run(...inputs)[this.outputNames[0]];
  }
}

/** Loads an ONNX model (a path or the file's bytes) as an OnnxModule, in eval mode. */
export async function importOnnx(pathOrBytes: string | Uint8Array): Promise<OnnxModule> {
  const bytes = typeof pathOrBytes === 'string' ? await readFileBytes(pathOrBytes, 'importOnnx') : pathOrBytes;
  return importOnnxBytes(bytes);
}

/** Synchronous import from bytes. */
export function importOnnxBytes(bytes: Uint8Array): OnnxModule {
  const model = decodeModel(bytes);
  if (!model.graph) throw new ParseError('importOnnx: the file has no graph');
  for (const opset of model.opset_import ?? []) {
    if ((opset.domain ?? '') === '' && (opset.version ?? 0) < 11) throw new ValueError(`importOnnx: opset ${opset.version} is older than the supported 11`);
  }
  return new OnnxModule(model.graph).eval();
}
