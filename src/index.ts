/**
 * frugal-ml: machine learning and deep learning when compute and data are
 * scarce. One numeric core (Tensor + autograd on WebAssembly SIMD kernels)
 * under classical estimators and neural networks.
 */
export * from './tensor/index.js';
export { noGrad, withGradMode, isGradEnabled, grad, type GradOptions } from './autograd/graph.js';
export { FrugalError, ShapeError, DTypeError, AxisError, ValueError, NotFittedError, ParseError } from './errors.js';
export { getBackend, setBackend, setNumThreads, getNumThreads } from './backend/index.js';
export * as linalg from './tensor/linalg.js';
