/**
 * frugal-ml: machine learning and deep learning when compute and data are
 * scarce. One numeric core (Tensor + autograd on WebAssembly SIMD kernels)
 * under classical estimators and neural networks.
 */
export * from './tensor/index.js';
export { noGrad, withGradMode, isGradEnabled, grad, type GradOptions } from './autograd/graph.js';
export { FrugalError, ShapeError, DTypeError, AxisError, ValueError, NotFittedError, ParseError, NumericalError, LimitError, AbortError } from './errors.js';
export { checkOptions, suggestOption } from './utils/options.js';
export { getBackend, setBackend, setNumThreads, getNumThreads } from './backend/index.js';
export * as linalg from './tensor/linalg.js';

// Data in and out.
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
export { loadIris, loadDigits, loadFashionMnist, loadMnist, FASHION_MNIST_CLASSES, type LoadedDataset, type MnistOptions } from './datasets/loaders.js';
export {
  readCsv,
  parseCsv,
  streamCsv,
  CsvTable,
  DEFAULT_MISSING,
  type CsvOptions,
  type StreamCsvOptions,
  type CsvColumn,
  type ColumnKind,
  type ColumnSpec,
  type ColumnInfo,
} from './io/csv.js';
export { csvStreamDataset } from './datasets/csv-stream.js';
export { readIdx, parseIdx, loadIdx, idxToTensor, type IdxData, type IdxDType, type IdxArray } from './io/idx.js';
export { loadImageFolder, decodeImage, type ImageOptions, type ImageFolderOptions, type LabelledImages } from './io/images.js';
export { ImageFolder } from './datasets/image-folder.js';
export { readParquet, type ParquetOptions } from './io/parquet.js';

// The scikit-learn half: estimator convention, metrics, model selection, preprocessing, generators.
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
  GroupKFold,
  StratifiedGroupKFold,
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
export { makeRegression, makeClassification, makeBlobs, makeMoons, makeCircles, makeLowRankMatrix } from './datasets/generators.js';

// Neural networks (PyTorch's shape): `nn.Linear`, `nn.crossEntropy`, `nn.init.kaimingUniform`, ...
export * as nn from './nn/index.js';
export { Module, Parameter } from './nn/module.js';
export { Sequential } from './nn/layers/sequential.js';
// DCGAN-style generator and discriminator for small images (GANs, issue #19).
export {
  dcganGenerator,
  dcganDiscriminator,
  DcganGenerator,
  DcganDiscriminator,
  type DcganGeneratorOptions,
  type DcganDiscriminatorOptions,
  type DcganImageSize,
} from './gan/dcgan.js';

// Optimisers, schedules, the training loop and saved models.
export * from './optim/index.js';
// The training loop's exports, once: its tensor metrics meanSquaredError and meanAbsoluteError are
// shadowed here by the scikit-learn ones of the same names exported above (explicit exports win).
export * from './train/index.js';
export { modelToBytes, modelFromBytes, loadWeights, saveModel, loadModel, type SaveOptions } from './nn/serialize.js';
// save / load take a Module or an estimator; load returns what the file holds.
export {
  save,
  load,
  toBytes,
  fromBytes,
  estimatorToBytes,
  estimatorFromBytes,
  saveEstimator,
  loadEstimator,
  registerEstimator,
  registerFunction,
  type LoadEstimatorOptions,
  type EstimatorClass,
  type PersistHooks,
} from './persist/index.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContent, type DecodeOptions } from './io/safetensors.js';

// Generative adversarial networks and synthetic data.
export * from './gan/index.js';

// Quantisation: int8 post-training (quant.prepare / calibrate / convert), dynamic, QAT; float16 weights.
export * as quant from './quant/index.js';
export { quantizeDynamic, prepareQat, QuantizedLinear, QuantizedConv2d, toFloat16 } from './quant/index.js';

// Classical estimators.
export * from './models/linear/index.js';
export * from './models/svm/index.js';
export * from './models/neural_network/index.js';
export * from './models/decomposition/index.js';
export * from './models/cluster/index.js';
export * from './models/neighbors/index.js';
export * from './models/naive_bayes/index.js';
export * from './feature_selection/index.js';
export * from './inspection/index.js';
export * from './models/tree/index.js';
export * from './models/ensemble/index.js';
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult, type ObjectiveFn } from './models/linear/lbfgs.js';
export { warmUpThreads, withResidentOperand } from './backend/index.js';
export { classWeights, type ClassWeight } from './models/class-weight.js';

// ONNX: export models for ONNX Runtime, import models written by PyTorch and others.
export { exportOnnx, exportOnnxBytes, importOnnx, importOnnxBytes, OnnxModule, ONNX_OPSET, ONNX_LIMITS } from './onnx/index.js';
