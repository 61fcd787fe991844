/** Ensembles of trees: histogram gradient boosting. */
export {
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  type HistGradientBoostingClassifierParams,
  type HistGradientBoostingRegressorParams,
} from './hist-gradient-boosting.js';
export type { BoostedTrees } from './boosting.js';
export type { TreePredictor } from './predictor.js';
export type { BinMapper } from './binning.js';
