/**
 * Quantisation: int8 post-training (static and dynamic) and
 * quantisation-aware training, and float16 weight storage. See
 * docs/quantization.md.
 */
export { int8ChainPattern } from './chain.js';
export { calibrate, convert, prepare, prepareQat, quantizeDynamic, type PrepareOptions } from './convert.js';
export { fakeQuantize, fakeQuantizeWeights } from './fake-quantize.js';
export { roundToFloat16, toFloat16 } from './float16.js';
export { QuantizedLSTM, type QuantizedLSTMOptions } from './lstm.js';
export { Int8Weights, QuantizedConv2d, QuantizedLinear, type QuantizedConv2dOptions, type QuantizedLinearOptions, type StorageDType } from './modules.js';
export { dynamicQParams, Observer, quantiseWeights, rangeQParams, type ObserverKind, type ObserverOptions } from './qparams.js';
