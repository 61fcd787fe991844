/** Neighbour searches and the estimators built on them. */
export { KNeighborsClassifier, KNeighborsRegressor, type KNeighborsParams, type KNeighborsOptions } from './k-neighbors.js';
export { NearestNeighbors, type NearestNeighborsParams, type RadiusNeighborsOptions } from './nearest-neighbors.js';
export type { KNeighborsOutput, RadiusNeighborsOutput, NeighborsAlgorithm, SearchParams } from './search.js';
export type { NeighborsMetric } from './metric.js';
export type { NeighborsWeights } from './weights.js';
