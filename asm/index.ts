// The entry module of frugal-ml's wasm kernels (AssemblyScript, raw pointers):
// what the module exports, and the dispatch of jobs.
//
// A job is described in the control block (layout.ts) in a memory shared by
// the caller and the pool's workers. Every participating thread calls `work`,
// which claims chunks with an atomic counter until none are left and hands
// each to the kernel of the job's KIND. Kernels that run on the calling
// thread alone (element-wise, dense chains) are exported as plain functions.

import { CONV_BACKWARD, CONV_CHAIN, CONV_FORWARD, FLAGS_PTR, GEMM_JOB, HISTOGRAM_JOB, INT8_CHAIN, JOB_ID, KIND, LSTM_BACKWARD, LSTM_FORWARD, NCHUNKS, NEXT } from './layout';
import { histogramChunk } from './histogram';
import { int8ChainChunk } from './int8';
import { lstmChunk } from './lstm';
import { convChunk } from './conv';
import { convChainChunk } from './conv-chain';
import { gemmChunk, slot } from './gemm';
import { svcDotsChunk, svcPairChunk, SVC_DOTS, SVC_PAIRS } from './svm';

export { packB32, packB64, MR32, NR32, MR64, NR64, KC, MC_MAX, WORK_BYTES_PER_THREAD } from './gemm';
export { svcScratchBytes } from './svm';
export { adamF32, sgdF32, reluF32, reluGradF32, tanhF32, tanhGradF32, maxPool2dF32, sumRowsF32 } from './elementwise';
export { denseForwardF32, denseBackwardF32 } from './dense';
export { columnSums32 } from './small';

/**
 * Claims and computes chunks until none are left. `tid` selects the thread's
 * scratch area (0: the caller). Each finished chunk is flagged, waking the
 * caller if it waits for it: the caller copies results out chunk by chunk
 * while others still compute.
 */
export function work(ctl: usize, tid: i32): void {
  while (workOne(ctl, tid));
}

/**
 * Claims and computes one chunk as `work` does; false when none was left. The
 * caller of a GEMM job uses it to copy finished chunks out between its own.
 */
export function workOne(ctl: usize, tid: i32): bool {
  const chunk = atomic.add<i32>(ctl + (<usize>NEXT << 2), 1);
  if (chunk >= slot(ctl, NCHUNKS)) return false;
  runChunk(ctl, tid, chunk);
  const flag = <usize>slot(ctl, FLAGS_PTR) + (<usize>chunk << 2);
  atomic.store<i32>(flag, slot(ctl, JOB_ID));
  atomic.notify(flag, 1);
  return true;
}

function runChunk(ctl: usize, tid: i32, chunk: i32): void {
  const kind = slot(ctl, KIND);
  if (kind == GEMM_JOB) gemmChunk(ctl, tid, chunk);
  else if (kind == CONV_FORWARD || kind == CONV_BACKWARD) convChunk(ctl, tid, chunk, kind);
  else if (kind == CONV_CHAIN) convChainChunk(ctl, tid, chunk);
  else if (kind == SVC_PAIRS) svcPairChunk(ctl, tid, chunk);
  else if (kind == SVC_DOTS) svcDotsChunk(ctl, tid, chunk);
  else if (kind == HISTOGRAM_JOB) histogramChunk(ctl, chunk);
  else if (kind == INT8_CHAIN) int8ChainChunk(ctl, tid, chunk);
  else if (kind == LSTM_FORWARD || kind == LSTM_BACKWARD) lstmChunk(ctl, chunk, kind);
}
