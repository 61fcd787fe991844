/**
 * frugal-ml: machine learning and deep learning when compute and data are
 * scarce. One numeric core (Tensor + autograd on WebAssembly SIMD kernels)
 * under classical estimators and neural networks.
 *
 * The whole API: the core that the browser entry point also exports
 * (core.ts), then everything else.
 */
export * from './core.js';
// Sequential's float32 conv chain for CNN inference: registers itself (kept out of the browser's core entry).
import './nn/fused/conv-chain.js';
// Adam's moments kept in WebAssembly memory between steps: registers itself (kept out of the browser's core entry).
import './backend/wasm/adam-moments.js';
import './backend/wasm/lstm-gates.js';

// Data in and out.

export { loadDigits, loadFashionMnist, loadMnist, FASHION_MNIST_CLASSES, type MnistOptions } from './datasets/loaders.js';
export { makeRegression, makeClassification, makeBlobs, makeMoons, makeCircles, makeLowRankMatrix } from './datasets/generators.js';
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

// Where a search's trials run: in this process, or on Redis + BullMQ workers.
export {
  inProcessExecutor,
  searchTrials,
  type TrialFunction,
  type SearchTrialsResult,
  type Executor,
  type SyncExecutor,
  type AsyncExecutor,
  type ExecutorOptions,
  type TrialPlan,
  type Trial,
} from './model_selection/index.js';
export { redisExecutor, startTrialWorker, type RedisExecutorOptions, type TrialWorker, type TrialWorkerOptions } from './distributed/index.js';

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

// Model compression: pruning and distillation.
export * from './prune/index.js';
export * from './distill/index.js';

// Generative adversarial networks and synthetic data.
export * from './gan/index.js';
// Semi-supervised training of networks (FixMatch, pseudo-labelling) and the weight average it evaluates with.
export { fitFixMatch, type FixMatchOptions, type AugmentFn } from './train/fixmatch.js';
// The group-aware splitters: model selection, but rarely needed up front in a page (browser core budget).
export { GroupKFold, StratifiedGroupKFold, type GroupKFoldOptions, type StratifiedGroupKFoldOptions } from './model_selection/group-splits.js';
export { FlexThresholds } from './train/flex-thresholds.js';
export { DistributionAlignment } from './train/distribution-alignment.js';
export type { LrSchedule as FixMatchLrSchedule } from './train/fixmatch-optimizer.js';
export { pseudoLabel, type PseudoLabelOptions, type PseudoLabels } from './train/pseudo-label.js';
export { predictTTA, MAX_VIEWS, type PredictTTAOptions, type TestView } from './train/tta.js';
export { fitNoisyStudent, type NoisyStudentOptions, type NoisyStudentResult } from './train/noisy-student.js';
export { ExponentialMovingAverage } from './train/ema.js';

// Data augmentation (images, sequences, mixup/CutMix).
export * from './augment/index.js';

// Quantisation: int8 post-training (quant.prepare / calibrate / convert), dynamic, QAT; float16 weights.
export * as quant from './quant/index.js';
export { quantizeDynamic, prepareQat, QuantizedLinear, QuantizedConv2d, toFloat16 } from './quant/index.js';

// Classical estimators.
export * from './models/neural_network/index.js';
export * from './models/decomposition/index.js';
export * from './models/cluster/index.js';
export * from './models/neighbors/index.js';
export * from './models/naive_bayes/index.js';
export * from './models/semi_supervised/index.js';
// Tabular resampling and noise beside the image and sequence augmentation (augment/index.ts).
export {
  SMOTE,
  RandomOverSampler,
  RandomUnderSampler,
  tabularNoise,
  type SamplingStrategy,
  type SMOTEOptions,
  type OverSamplerOptions,
  type UnderSamplerOptions,
  type TabularNoiseOptions,
} from './augment/tabular.js';
export * from './feature_selection/index.js';
export * from './inspection/index.js';
export * from './models/tree/index.js';
export * from './models/ensemble/index.js';

// ONNX: export models for ONNX Runtime, import models written by PyTorch and others.
export { exportOnnx, exportOnnxBytes, importOnnx, importOnnxBytes, OnnxModule, ONNX_OPSET, ONNX_ML_OPSET, ONNX_LIMITS, type ExportOnnxOptions } from './onnx/index.js';
