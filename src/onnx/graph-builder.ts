/** Building an ONNX graph: nodes, initializers, fresh names, attribute helpers. */
import type { Tensor } from '../tensor/tensor.js';
import { ATTR_FLOAT, ATTR_INT, ATTR_INTS, ATTR_STRING, type AttributeProto, int64Proto, type NodeProto, type TensorProto, tensorToProto } from './proto.js';

/** The graph under construction: nodes, initializers and fresh names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
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

  node(opType: string, inputs: string[], attributes: AttributeProto[] = []): string {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({ op_type: opType, input: inputs, output: [output], name: output, attribute: attributes });
    return output;
  }
}

export const ints = (name: string, values: readonly number[]): AttributeProto => ({ name, type: ATTR_INTS, ints: [...values] });
export const int = (name: string, i: number): AttributeProto => ({ name, type: ATTR_INT, i });
export const float = (name: string, f: number): AttributeProto => ({ name, type: ATTR_FLOAT, f });
export const str = (name: string, value: string): AttributeProto => ({ name, type: ATTR_STRING, s: new TextEncoder().encode(value) });
