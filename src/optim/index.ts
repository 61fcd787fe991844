/** Optimisers (one general update rule), learning-rate schedules and gradient clipping. */
export { Optimizer, type OptimizerState, type ParamGroup, type ParamsInput, type UpdateRule } from './optimizer.js';
export {
  SGD,
  Adam,
  AdamW,
  RMSprop,
  Adagrad,
  createOptimizer,
  type SGDOptions,
  type AdamOptions,
  type RMSpropOptions,
  type AdagradOptions,
  type OptimizerName,
} from './optimizers.js';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  OneCycleLR,
  ReduceLROnPlateau,
  type OneCycleOptions,
  type ReduceLROnPlateauOptions,
  type Scheduler,
  type SchedulerState,
} from './schedulers.js';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip.js';
