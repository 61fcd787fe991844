export { estimatorToBytes, estimatorFromBytes, saveEstimator, loadEstimator, type LoadEstimatorOptions } from './estimator-file.js';
export { save, load, toBytes, fromBytes } from './save-load.js';
export { registerEstimator, type EstimatorClass } from './registry.js';
export type { PersistHooks } from './state-fields.js';
