/** The tensor layer: the Tensor class, creation, ops and seeded randomness. */
export { Tensor, tensor, type NestedArray, type TensorOptions } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { zeros, ones, full, arange, linspace, eye, rand, randn, randint, type CreationOptions, type RandomOptions } from './creation.js';
export { Generator, manualSeed, globalGenerator } from './random.js';
export {
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, where,
  neg, abs, sign, exp, log, log1p, sqrt, square, sigmoid, tanh, relu, leakyRelu, elu, gelu, erf, softplus, sin, cos, clip,
} from './ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin, variance, std, logSumExp, softmax, logSoftmax, type Axes, type ReduceOptions, type VarOptions } from './ops/reduce.js';
export {
  reshape, flatten, permute, transpose, expand, squeeze, unsqueeze, slice, concat, stack, split, pad, flip,
  gather, indexSelect, scatterAdd, type SliceRange,
} from './ops/shape.js';
export {
  select, index, sort, topk, cumsum, norm,
  type SortOptions, type SortResult, type TopkOptions, type NormOrder, type NormOptions,
} from './ops/indexing.js';
export { matmul } from './ops/matmul.js';
export { conv2d, maxPool2d, avgPool2d, globalAvgPool2d, type Conv2dOptions, type Pool2dOptions, type AvgPool2dOptions, type Pair } from './ops/conv.js';
