// A stack of float32 convolution blocks in one job (kind CONV_CHAIN), one
// sample per chunk: the thread that claims a sample runs each block's
// forward on it in turn (conv.ts's CONV_FORWARD sample, described by the
// block's descriptor), so a block's output is read back by the next block
// from the same thread's cache instead of crossing to JS and back. Every
// sample goes through the same operations as block by block, so the results
// equal those of one CONV_FORWARD job per block, to the bit.
import { convChunk } from './conv';
import { slot } from './gemm';
import { CC_CHAIN_PTR, CC_LAYERS, CONTROL_SLOTS, CONV_FORWARD } from './layout';

/** Runs sample `b` through every block of the chain at `ctl` on thread `tid`. */
export function convChainChunk(ctl: usize, tid: i32, b: i32): void {
  const layers = slot(ctl, CC_LAYERS);
  const descBytes = <usize>CONTROL_SLOTS << 2;
  let d = <usize>slot(ctl, CC_CHAIN_PTR);
  for (let l = 0; l < layers; l++) {
    convChunk(d, tid, b, CONV_FORWARD);
    d += descBytes;
  }
}
