/** Ensembles of trees: histogram gradient boosting. */
export * from './hist-gradient-boosting.js';
export type { BoostedTrees } from './boosting.js';
export type { TreePredictor } from './predictor.js';
export type { BinMapper } from './binning.js';
