/** The training loop, callbacks, checkpoints and per-epoch metrics. */
export {
  fit,
  evaluate,
  predict,
  resolveLoss,
  History,
  DivergenceError,
  type FitOptions,
  type EvaluateOptions,
  type TrainData,
  type XYData,
  type LossFn,
} from './fit.js';
export {
  EarlyStopping,
  ModelCheckpoint,
  LearningRateScheduler,
  LambdaCallback,
  type Callback,
  type Logs,
  type TrainingContext,
  type EarlyStoppingOptions,
  type ModelCheckpointOptions,
  type LearningRateSchedulerOptions,
} from './callbacks.js';
export {
  checkpointToBytes,
  checkpointFromBytes,
  saveCheckpoint,
  loadCheckpoint,
  type TrainingCheckpoint,
  type HistoryData,
} from './checkpoint.js';
export { accuracy, meanSquaredError, meanAbsoluteError, type MetricFn } from './metrics.js';
export type { Verbosity } from './progress.js';
