// A stack of float32 convolution blocks in one job (kind CONV_CHAIN), one
// sample per chunk: the thread that claims a sample runs each block's pass
// on it in turn (conv.ts's CONV_FORWARD or CONV_BACKWARD sample, described by
// the block's descriptor, whose KIND slot names the pass), so what one block
// writes for the sample is read by the next from the same thread's cache
// instead of crossing to JS and back: a block's output as the next block's
// input forward, a block's input gradient as the previous block's output
// gradient backward (the descriptors then run from the last block to the
// first). Every sample goes through the same operations as block by block,
// so the results equal those of one job per block, to the bit.
import { convChunk } from './conv';
import { slot } from './gemm';
import { CC_CHAIN_PTR, CC_LAYERS, CONTROL_SLOTS, KIND } from './layout';

/** Runs sample `b` through every block of the chain at `ctl` on thread `tid`, in the descriptors' order. */
export function convChainChunk(ctl: usize, tid: i32, b: i32): void {
  const layers = slot(ctl, CC_LAYERS);
  const descBytes = <usize>CONTROL_SLOTS << 2;
  let d = <usize>slot(ctl, CC_CHAIN_PTR);
  for (let l = 0; l < layers; l++) {
    convChunk(d, tid, b, slot(d, KIND));
    d += descBytes;
  }
}
