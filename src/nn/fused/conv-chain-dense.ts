/**
 * A convolution chain, Flatten and a Linear layer (a CNN's features and its
 * first dense layer) as one recorded op in training: the backend keeps the
 * chain's output in its memory, where the layer's products read it, and the
 * layer's backward leaves the gradient of the chain's output there for the
 * chain's backward (routines/conv-chain-dense.ts), instead of the 400 KB
 * arrays of a small CNN's batch copied out and back in on the calling thread
 * alone. The results are those of the layers one by one, to the bit (the
 * same kernels, the same GEMM calls); gradients of gradients differentiate
 * the layers as ordinary ops. Without gradients recorded (predict, a
 * pseudo-label pass) on more than a few rows, the chain's output likewise
 * stays in the backend's memory for the layer's product
 * (convChainDenseForward). Where anything does not suit it, the block
 * declines and the plan's next pattern (the chain alone) runs.
 * Registered by conv-chain.ts, with the chain.
 */
import { needsGrad } from '../../autograd/graph.js';
import { fusedOp } from '../../autograd/fused.js';
import { convChainDenseBackward, convChainDenseForward, convChainDenseTrainForward, type DenseAfterChain } from '../../backend/routines/conv-chain-dense.js';
import { SMALL_ROWS } from '../../backend/routines/dense-rows.js';
import { flatten } from '../../tensor/ops/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Flatten } from '../layers/flatten.js';
import { biasGrad, Linear, linear } from '../layers/linear.js';
import type { ConvBlockLayers } from './conv-block.js';
import { blocksAsOps, chainLayers, chainParams, describeChain, matchChainBlocks } from './conv-chain-blocks.js';
import type { FusedPattern } from './pattern.js';

export const convChainDense: FusedPattern = {
  name: 'conv-chain-dense',
  match(layers, i) {
    const blocks = matchChainBlocks(layers, i);
    if (!blocks) return null;
    const at = i + chainLayers(blocks);
    // Exact classes only: a subclass may override forward.
    const [flat, dense] = [layers[at], layers[at + 1]];
    if (flat?.constructor !== Flatten || dense?.constructor !== Linear || !flattensImage(flat as Flatten)) return null;
    const layer = dense as Linear;
    const params = [...chainParams(blocks), layer.weight, ...(layer.bias ? [layer.bias] : [])];
    return {
      layers: at + 2 - i,
      run: (x) => {
        if (x.dtype !== 'float32' || layer.dtype !== 'float32') return null;
        if (needsGrad([x, ...params])) return convChainDenseTrainForward.available() ? train(blocks, layer, x) : null;
        // A few rows: the layer's own resident-weights path (linear's denseInference) for one request's latency.
        return x.shape[0] > SMALL_ROWS && convChainDenseForward.available() ? infer(blocks, layer, x) : null;
      },
    };
  },
};

/** Whether the Flatten turns an image batch [N, C, H, W] into rows [N, C·H·W]. */
function flattensImage(layer: Flatten): boolean {
  return (layer.startDim === 1 || layer.startDim === -3) && (layer.endDim === -1 || layer.endDim === 3);
}

/** The layer's dense description for the backend's routines. */
function denseAfter(layer: Linear): DenseAfterChain {
  return {
    weight: layer.weight.data as Float32Array,
    bias: (layer.bias?.data as Float32Array) ?? null,
    outFeatures: layer.outFeatures,
    weightVersion: layer.weight.version,
  };
}

/** The chain's kernel blocks for x, its rows, the layer's description and x's values; null where a block or the layer does not take its input. */
function describeWithLayer(blocks: readonly ConvBlockLayers[], layer: Linear, x: Tensor) {
  const described = describeChain(blocks, x.shape);
  if (!described) return null;
  const { kernelBlocks, shape } = described;
  if (layer.inFeatures !== shape[1] * shape[2] * shape[3]) return null; // the layer reports the misfit
  return { kernelBlocks, rows: shape[0], dense: denseAfter(layer), xs: x.data as Float32Array };
}

/** The layer's output for x through the chain, nothing recorded; null where a block or the layer does not take its input or the backend declines the sizes. */
function infer(blocks: readonly ConvBlockLayers[], layer: Linear, x: Tensor): Tensor | null {
  const described = describeWithLayer(blocks, layer, x);
  if (!described) return null;
  const { kernelBlocks, rows, dense, xs } = described;
  const fast = convChainDenseForward.implementation(xs, kernelBlocks, dense);
  return fast && new Tensor(fast.run(xs, kernelBlocks, dense), [rows, layer.outFeatures]);
}

/** The layer's output for x through the chain, recorded as one op; null where a block or the layer does not take its input or the backend declines the sizes. */
function train(blocks: readonly ConvBlockLayers[], layer: Linear, x: Tensor): Tensor | null {
  const described = describeWithLayer(blocks, layer, x);
  if (!described) return null;
  const { kernelBlocks, rows, dense, xs } = described;
  const fast = convChainDenseTrainForward.implementation(xs, kernelBlocks, dense);
  if (!fast) return null;
  const { y, saved } = fast.run(xs, kernelBlocks, dense);
  const convParams = chainParams(blocks);
  const inputs = [x, ...convParams, layer.weight, ...(layer.bias ? [layer.bias] : [])];
  const backward = (g: Tensor): (Tensor | null)[] => {
    const wanted = {
      input: x.requiresGrad,
      weights: blocks.map(({ conv }) => conv.weight.requiresGrad),
      bias: blocks.map(({ conv }) => conv.bias?.requiresGrad ?? false),
      denseWeight: layer.weight.requiresGrad,
    };
    // The weight's version now: where it is the forward's, the backend may read the forward's copy of the weight.
    const now = { ...dense, weightVersion: layer.weight.version };
    const { chain, dw } = convChainDenseBackward.run(saved, now, g.data as Float32Array, wanted);
    const out: (Tensor | null)[] = [chain?.dx ? new Tensor(chain.dx, x.shape) : null];
    blocks.forEach(({ conv }, l) => {
      const grads = chain?.blocks[l];
      out.push(grads?.dw ? new Tensor(grads.dw, conv.weight.shape) : null);
      if (conv.bias) out.push(grads?.db ? new Tensor(grads.db, conv.bias.shape) : null);
    });
    out.push(dw && new Tensor(dw, layer.weight.shape));
    if (layer.bias) out.push(layer.bias.requiresGrad ? biasGrad(g) : null);
    return out;
  };
  const reference = (xx: Tensor, ...params: Tensor[]): Tensor => {
    const features = blocksAsOps(blocks, xx, params.slice(0, convParams.length));
    return linear(flatten(features, 1), params[convParams.length], layer.bias ? params[convParams.length + 1] : null);
  };
  return fusedOp(new Tensor(y, [rows, layer.outFeatures]), 'convChainDense', inputs, backward, reference);
}
