/** Building an ONNX graph: nodes, initializers, fresh names, attribute helpers. */
import { Tensor } from '../tensor/tensor.js';
import {
  ATTR_FLOAT,
  ATTR_FLOATS,
  ATTR_INT,
  ATTR_INTS,
  ATTR_STRING,
  ATTR_STRINGS,
  type AttributeProto,
  int64Proto,
  type NodeProto,
  type TensorProto,
  tensorToProto,
} from './proto.js';

/** The ONNX-ML operator domain (SVMClassifier, OneHotEncoder, ...). */
export const ML_DOMAIN = 'ai.onnx.ml';

/** The graph under construction: nodes, initializers and fresh names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** Whether a node of the ONNX-ML domain was written (the model must then import that opset). */
  usesMl = false;
  private counter = 0;

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  constant(hint: string, t: Tensor): string {
    const name = this.fresh(hint);
    this.initializers.push(tensorToProto(name, t));
    return name;
  }

  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push(int64Proto(name, values));
    return name;
  }

  /** Adds a raw initializer (an int64 or string tensor built by the caller). */
  initializer(proto: TensorProto): string {
    this.initializers.push(proto);
    return proto.name ?? '';
  }

  node(opType: string, inputs: string[], attributes: AttributeProto[] = []): string {
    return this.nodeOutputs(opType, inputs, 1, attributes)[0];
  }

  /** A node with `count` outputs; `domain` '' (ONNX) or ML_DOMAIN. */
  nodeOutputs(opType: string, inputs: string[], count: number, attributes: AttributeProto[] = [], domain = ''): string[] {
    const base = this.fresh(opType.toLowerCase());
    const outputs = Array.from({ length: count }, (_, i) => (i === 0 ? base : `${base}_${i}`));
    this.nodes.push({ op_type: opType, input: inputs, output: outputs, name: base, attribute: attributes, ...(domain ? { domain } : {}) });
    if (domain === ML_DOMAIN) this.usesMl = true;
    return outputs;
  }
}

export const ints = (name: string, values: readonly number[]): AttributeProto => ({ name, type: ATTR_INTS, ints: [...values] });
export const int = (name: string, i: number): AttributeProto => ({ name, type: ATTR_INT, i });
export const float = (name: string, f: number): AttributeProto => ({ name, type: ATTR_FLOAT, f });
export const floats = (name: string, values: ArrayLike<number>): AttributeProto => ({ name, type: ATTR_FLOATS, floats: Array.from(values) });
export const strs = (name: string, values: readonly string[]): AttributeProto => ({ name, type: ATTR_STRINGS, strings: values.map((v) => new TextEncoder().encode(v)) });
export const str = (name: string, value: string): AttributeProto => ({ name, type: ATTR_STRING, s: new TextEncoder().encode(value) });

/** Plain numbers as a tensor of `like`'s float type (weights follow the sample input's float32 or float64). */
export function floatLike(values: ArrayLike<number>, shape: number[], like: Tensor): Tensor {
  return new Tensor(like.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape);
}
