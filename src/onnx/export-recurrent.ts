/**
 * Export of the LSTM and GRU layers to ONNX's LSTM and GRU operators, one
 * node per stacked layer. Frugal (like PyTorch) orders the gate blocks
 * LSTM i, f, g, o and GRU r, z, n; ONNX wants LSTM i, o, f, c and GRU z, r, h
 * (with linear_before_reset = 1, PyTorch's GRU formula).
 */
import { ShapeError } from '../errors.js';
import { GRU, LSTM } from '../nn/layers/recurrent.js';
import { concat, stack } from '../tensor/ops/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type GraphBuilder, int, ints, str } from './graph-builder.js';

/** ONNX block i comes from Frugal block ORDER[i]. */
const LSTM_ORDER = [0, 3, 1, 2];
const GRU_ORDER = [1, 0, 2];

/** Reorders the gate blocks (rows) of a [gates·H, ...] weight or bias. */
function reorderGates(t: Tensor, order: readonly number[]): Tensor {
  const block = t.size / order.length;
  const data = new (t.data.constructor as Float32ArrayConstructor)(t.size);
  order.forEach((from, to) => data.set(t.data.subarray(from * block, (from + 1) * block), to * block));
  return new Tensor(data, [...t.shape]);
}

/** Writes `layer` applied to x (time-major [T, B, F], or [B, T, F] with batchFirst); returns the output sequence's name. */
export function exportRecurrent(g: GraphBuilder, layer: LSTM | GRU, x: string, input: Tensor): string {
  if (input.ndim !== 3) throw new ShapeError(`exportOnnx: ${layer.constructor.name} needs a batched sample input [T, B, F] or [B, T, F]`);
  const order = layer instanceof LSTM ? LSTM_ORDER : GRU_ORDER;
  const opType = layer instanceof LSTM ? 'LSTM' : 'GRU';
  const weights = layer.stateDict();
  const dirs = layer.bidirectional ? 2 : 1;
  let seq = layer.batchFirst ? g.node('Transpose', [x], [ints('perm', [1, 0, 2])]) : x;
  for (let l = 0; l < layer.numLayers; l++) {
    const suffixes = dirs === 2 ? [`l${l}`, `l${l}_reverse`] : [`l${l}`];
    const param = (kind: string, sfx: string) => reorderGates(weights.get(`${kind}_${sfx}`) as Tensor, order);
    const w = g.constant('W', stack(suffixes.map((s) => param('weight_ih', s))));
    const r = g.constant('R', stack(suffixes.map((s) => param('weight_hh', s))));
    const b = layer.bias ? g.constant('B', stack(suffixes.map((s) => concat([param('bias_ih', s), param('bias_hh', s)])))) : '';
    const attrs = [int('hidden_size', layer.hiddenSize), str('direction', dirs === 2 ? 'bidirectional' : 'forward')];
    if (layer instanceof GRU) attrs.push(int('linear_before_reset', 1));
    const y = g.node(opType, [seq, w, r, b], attrs);
    // Y [T, dirs, B, H] → [T, B, dirs·H]
    seq = g.node('Reshape', [g.node('Transpose', [y], [ints('perm', [0, 2, 1, 3])]), g.int64s('shape', [0, 0, dirs * layer.hiddenSize])]);
  }
  return layer.batchFirst ? g.node('Transpose', [seq], [ints('perm', [1, 0, 2])]) : seq;
}
