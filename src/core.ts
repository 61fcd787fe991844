/**
 * The core of the API: what both entry points export — the browser's
 * `frugal-ml` (browser.ts, small enough for a page to load up front) and
 * Node's `frugal-ml` and everyone's `frugal-ml/all` (index.ts, the whole
 * API). Tensors, autograd, nn, optimisers, the training loop, data loaders,
 * linear models and SVMs, metrics, preprocessing and model selection.
 */
// Tensors, autograd, errors, the backend.
export * from './tensor/index.js';
export { noGrad, withGradMode, isGradEnabled, grad, type GradOptions } from './autograd/graph.js';
export { FrugalError, ShapeError, DTypeError, AxisError, ValueError, NotFittedError, ParseError, NumericalError, LimitError, AbortError } from './errors.js';
export { checkOptions, suggestOption } from './utils/options.js';
export { getBackend, setBackend, setNumThreads, getNumThreads, warmUpThreads, withResidentOperand } from './backend/index.js';
export * as linalg from './tensor/linalg.js';

// Data sets and loaders; the iris data.
export {
  TensorDataset,
  ArrayDataset,
  Subset,
  IterableDataset,
  type Dataset,
  type BatchDataset,
  type Sample,
  type SampleSource,
  type ArrayInput,
  type ArrayDatasetOptions,
} from './datasets/dataset.js';
export { DataLoader, collate, type DataLoaderOptions } from './datasets/dataloader.js';
export { loadIris, type LoadedDataset } from './datasets/loaders.js';

// The estimator convention, metrics, model selection, preprocessing.
export {
  BaseEstimator,
  BaseRegressor,
  BaseClassifier,
  BaseTransformer,
  clone,
  checkIsFitted,
  isEstimator,
  isClassifier,
  isRegressor,
  isTransformer,
  type Estimator,
  type Regressor,
  type Classifier,
  type Transformer,
  type EstimatorType,
  type Params,
  type PredictionOf,
} from './models/base.js';
export {
  toMatrix,
  toVector,
  toLabels,
  checkXy,
  checkXLabels,
  checkConsistentLength,
  checkMinClasses,
  checkNFeatures,
  checkSampleWeight,
  type Matrix,
  type MatrixInput,
  type VectorInput,
  type LabelInput,
  type Label,
  type ShapedArray,
} from './utils/validation.js';
export {
  meanSquaredError,
  rootMeanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  medianAbsoluteError,
  maxError,
  r2Score,
  explainedVarianceScore,
  accuracyScore,
  zeroOneLoss,
  confusionMatrix,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  balancedAccuracyScore,
  matthewsCorrcoef,
  cohenKappaScore,
  logLoss,
  classificationReport,
  rocCurve,
  rocAucScore,
  precisionRecallCurve,
  averagePrecisionScore,
  auc,
  topKAccuracyScore,
  getScorer,
  makeScorer,
  SCORER_NAMES,
  type Scorer,
  type Scoring,
  type Average,
  type RocCurve,
  type PrecisionRecallCurve,
  type ClassificationReportDict,
} from './metrics/index.js';
export {
  trainTestSplit,
  KFold,
  StratifiedKFold,
  RepeatedKFold,
  RepeatedStratifiedKFold,
  LeaveOneOut,
  ShuffleSplit,
  StratifiedShuffleSplit,
  TimeSeriesSplit,
  checkCv,
  crossValidate,
  crossValScore,
  crossValPredict,
  learningCurve,
  validationCurve,
  GridSearchCV,
  RandomizedSearchCV,
  ParameterGrid,
  ParameterSampler,
  uniformDistribution,
  logUniformDistribution,
  randIntDistribution,
  type CrossValidator,
  type Split,
  type CvResults,
  type CrossValidateResult,
  type Distribution,
} from './model_selection/index.js';
export {
  StandardScaler,
  MinMaxScaler,
  MaxAbsScaler,
  RobustScaler,
  Normalizer,
  OneHotEncoder,
  OrdinalEncoder,
  LabelEncoder,
  SimpleImputer,
  PolynomialFeatures,
  FunctionTransformer,
  ColumnTransformer,
  Pipeline,
  makePipeline,
  type Step,
  type CategoricalInput,
} from './preprocessing/index.js';

// Neural networks, optimisers, the training loop, saved networks.
export * as nn from './nn/index.js';
export { Module, Parameter } from './nn/module.js';
export { Sequential } from './nn/layers/sequential.js';
export * from './optim/index.js';
// The scikit-learn meanSquaredError and meanAbsoluteError exported above shadow the training loop's (explicit exports win).
export * from './train/index.js';
export { modelToBytes, modelFromBytes, loadWeights, saveModel, loadModel, type SaveOptions } from './nn/serialize.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContent, type DecodeOptions } from './io/safetensors.js';

// Linear models and support vector machines.
export * from './models/linear/index.js';
export * from './models/svm/index.js';
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult, type ObjectiveFn } from './models/linear/lbfgs.js';
export { classWeights, type ClassWeight } from './models/class-weight.js';
