/** Multiply-adds of a Sequential's convolutions and Linear layers for one sample (the cost structured pruning reduces). */
import { noGrad } from '../autograd/graph.js';
import { LimitError, ValueError } from '../errors.js';
import { Conv1d, Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Sequential } from '../nn/layers/sequential.js';
import type { Module } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** Inputs larger than this (elements of one sample) are refused: counting runs one forward pass. */
const MAX_SAMPLE_ELEMENTS = 1 << 26;

/** Multiply-adds of one layer, given its output (Conv: each output element sums inChannels/groups · kernel products; Linear: inFeatures). */
function layerFlops(layer: Module, output: Tensor): number {
  if (layer instanceof Conv2d) return output.size * (layer.inChannels / layer.groups) * layer.kernelSize[0] * layer.kernelSize[1];
  if (layer instanceof Conv1d) return output.size * (layer.inChannels / layer.groups) * layer.kernelSize;
  if (layer instanceof Linear) return output.size * layer.inFeatures;
  return 0;
}

/** Runs x through the layers, adding each layer's multiply-adds to `perLayer`. */
function walk(model: Sequential, x: Tensor, prefix: string, perLayer: Record<string, number>): Tensor {
  let i = 0;
  for (const layer of model) {
    const name = prefix + String(i++);
    if (layer instanceof Sequential) {
      x = walk(layer, x, `${name}.`, perLayer);
      continue;
    }
    const hasInnerLayers = [...layer.namedModules()].some(([n, m]) => n !== '' && (m instanceof Linear || m instanceof Conv1d || m instanceof Conv2d));
    if (hasInnerLayers) throw new ValueError(`countFlops: cannot count inside ${layer.constructor.name} (layer ${name}); only Sequential containers are walked`);
    x = layer.call(x);
    const flops = layerFlops(layer, x);
    if (flops > 0) perLayer[name] = flops;
  }
  return x;
}

export interface FlopsCount {
  /** Multiply-adds for one sample, over all Conv1d, Conv2d and Linear layers. */
  total: number;
  /** Per counted layer, by position ('3', or '2.0' inside a nested Sequential). */
  perLayer: Record<string, number>;
}

/**
 * Counts the multiply-adds of `model` for one sample of shape `inputShape`
 * (without the batch axis: [1, 28, 28] for a 28×28 grey image), by running
 * one forward pass on zeros in eval mode. Element-wise layers, pooling and
 * normalisation are not counted (they are small beside the products).
 */
export function countFlops(model: Sequential, inputShape: readonly number[]): FlopsCount {
  const who = 'countFlops';
  if (!(model instanceof Sequential)) throw new ValueError(`${who}: model must be a Sequential`);
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ValueError(`${who}: inputShape must be a list of positive integers (one sample, no batch axis), got ${JSON.stringify(inputShape)}`);
  }
  const elements = inputShape.reduce((a, b) => a * b, 1);
  if (elements > MAX_SAMPLE_ELEMENTS) throw new LimitError(`${who}: a sample of ${elements} elements is over the limit of ${MAX_SAMPLE_ELEMENTS}`);
  const wasTraining = model.training;
  model.eval();
  try {
    const perLayer: Record<string, number> = {};
    const dtype = model.parameters()[0]?.dtype === 'float64' ? 'float64' : 'float32';
    noGrad(() => walk(model, zeros([1, ...inputShape], { dtype }), '', perLayer));
    return { total: Object.values(perLayer).reduce((a, b) => a + b, 0), perLayer };
  } finally {
    model.train(wasTraining);
  }
}
