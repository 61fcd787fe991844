/**
 * A stack of convolution blocks (Conv → ReLU (→ MaxPool)) as one recorded
 * op in training: the backend's convChainTrainForward runs every block's
 * forward in one pass and keeps what the backward reads, and the op's
 * backward (convChainBackward) gives every block's gradients in one pass,
 * the last block first. The results are the blocks' one by one, to the bit
 * (the same kernels on each sample); gradients of gradients differentiate
 * the caller's reference (the blocks as ordinary ops).
 */
import { fusedOp } from '../../autograd/fused.js';
import { convChainBackward, convChainTrainForward, type ConvChainBlock } from '../../backend/routines/conv-chain.js';
import { Tensor } from '../tensor.js';

/** One block's parameters as tensors (what the gradients are for). */
export interface ConvChainParams {
  weight: Tensor;
  bias: Tensor | null;
}

/**
 * The chain's output [N, O, Ho', Wo'] (`shape`) for x through `blocks` (the
 * kernels' description of each block, its weight and bias those of
 * `params`), recorded with a one-pass backward; null where the backend has
 * no training chain or declines these sizes (the caller then runs the blocks
 * one by one).
 */
export function convChainTraining(
  x: Tensor,
  params: readonly ConvChainParams[],
  blocks: ConvChainBlock[],
  shape: readonly number[],
  reference: (...inputs: Tensor[]) => Tensor,
): Tensor | null {
  const xs = x.data as Float32Array;
  const fast = convChainTrainForward.implementation(xs, blocks);
  if (!fast) return null;
  const { y, saved } = fast.run(xs, blocks);
  const inputs = [x, ...params.flatMap(({ weight, bias }) => (bias ? [weight, bias] : [weight]))];
  const backward = (dOut: Tensor): (Tensor | null)[] => {
    const wanted = { input: x.requiresGrad, weights: params.map((p) => p.weight.requiresGrad), bias: params.map((p) => p.bias?.requiresGrad ?? false) };
    const grads = convChainBackward.run(saved, dOut.data as Float32Array, wanted);
    const out: (Tensor | null)[] = [grads.dx && new Tensor(grads.dx, x.shape)];
    params.forEach(({ weight, bias }, l) => {
      const { dw, db } = grads.blocks[l];
      out.push(dw && new Tensor(dw, weight.shape));
      if (bias) out.push(db && new Tensor(db, bias.shape));
    });
    return out;
  };
  return fusedOp(new Tensor(y, shape), 'convChain', inputs, backward, reference);
}
