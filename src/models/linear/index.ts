/** Linear models: least squares, ridge, lasso / elastic-net, logistic regression, SGD. */
export { LinearRegression, nnls, type LinearRegressionParams } from './least-squares.js';
export { Ridge, RidgeCV, type RidgeParams, type RidgeCVParams, type RidgeSolver } from './ridge.js';
export {
  ElasticNet,
  Lasso,
  enetPath,
  lassoPath,
  type ElasticNetParams,
  type LassoParams,
  type EnetPathOptions,
  type EnetPathResult,
} from './coordinate-descent.js';
export { ElasticNetCV, LassoCV, type ElasticNetCVParams, type LassoCVParams } from './coordinate-descent-cv.js';
export { LogisticRegression, type LogisticRegressionParams, type LogisticPenalty } from './logistic.js';
export {
  SGDClassifier,
  SGDRegressor,
  type SGDClassifierParams,
  type SGDRegressorParams,
  type SGDClassifierLoss,
  type SGDRegressorLoss,
  type SGDPenalty,
  type LearningRate,
} from './sgd.js';
