/**
 * Every named routine of the backend (routine.ts), one file each. Importing
 * this module registers them all in `routines`, which the tests walk to run
 * each backend's implementation against the reference.
 */
export { adamStep, type AdamScalars } from './adam.js';
export { sgdStep, type SgdScalars } from './sgd.js';
export { conv2dBackward, conv2dForward } from './conv.js';
export { convChainForward, type ConvChainBlock } from './conv-chain.js';
export { denseChainBackward, denseChainForward } from './dense-chain.js';
export { columnSums, denseRows } from './dense-rows.js';
export { buildHistograms, type HistogramArgs } from './histogram.js';
export { int8Chain, int8Conv2d, int8Linear, type Int8ChainArgs, type Int8ConvArgs, type Int8LinearArgs, type InputQuantisation } from './int8.js';
export { lstmBackward, lstmForward } from './lstm.js';
export { maxPool2d } from './max-pool.js';
export { relu32, reluGrad32, tanh32, tanhGrad32 } from './activation.js';
export { svcPairs } from './svc-pairs.js';
export { routines } from '../routine.js';
