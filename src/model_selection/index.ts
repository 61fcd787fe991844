/** Model selection: splitters, trainTestSplit, cross-validation, learning/validation curves and parameter search. */
export * from './split.js';
export * from './group-splits.js';
export * from './cross_validation.js';
export * from './search.js';
export * from './trials.js';
