/** Feature selection: univariate scores and SelectKBest. */
export { SelectKBest, type SelectKBestParams } from './select-k-best.js';
export { fClassif, fRegression, chi2, type FeatureScores, type ScoreFunction, type FRegressionOptions } from './univariate.js';
