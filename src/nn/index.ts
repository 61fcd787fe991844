/**
 * The neural-network layer: modules, layers, initialisers, losses and the
 * layer registry (architecture as JSON). Importing this module registers
 * every built-in layer with the registry.
 */
export { Module, Parameter } from './module.js';
export {
  registerLayer,
  layerFromConfig,
  moduleToConfig,
  getLayerClass,
  registeredLayers,
  type LayerConfig,
  type LayerClass,
  type ConfigurableModule,
  type JsonObject,
  type JsonValue,
} from './registry.js';
export * as init from './init.js';
export { summary, type ModelSummary, type SummaryRow, type SummaryOptions } from './summary.js';
export { Sequential } from './layers/sequential.js';
export { ModuleList, ModuleDict } from './layers/containers.js';
export { Linear, Identity, type LinearOptions } from './layers/linear.js';
export { Conv1d, Conv2d, type Conv1dOptions, type Conv2dOptions, type Padding1d, type Padding2d } from './layers/conv.js';
export { ConvTranspose2d, convTranspose2d, type ConvTranspose2dOptions, type ConvTranspose2dOpOptions } from './layers/conv-transpose.js';
export { Upsample, upsample, type UpsampleOptions, type UpsampleMode } from './layers/upsample.js';
export {
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  GlobalAvgPool2d,
  adaptiveAvgPool2d,
  type Pool1dOptions,
  type Pool2dOptions,
} from './layers/pooling.js';
export { Flatten, Unflatten, type FlattenOptions } from './layers/flatten.js';
export { Dropout, Dropout2d, dropout, type DropoutOptions } from './layers/dropout.js';
export {
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  batchNormTrain,
  layerNorm,
  type BatchNormOptions,
  type LayerNormOptions,
} from './layers/normalization.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Tanh, Sigmoid, Softmax, LogSoftmax, Softplus } from './layers/activation.js';
export {
  RNN,
  LSTM,
  GRU,
  RNNCell,
  LSTMCell,
  GRUCell,
  type RecurrentOptions,
  type RNNOptions,
  type CellOptions,
  type RecurrentState,
  type RecurrentResult,
  type LSTMResult,
} from './layers/recurrent.js';
export { linear } from './layers/linear.js';
export type { Reduction, ReductionOptions } from './losses/reduction.js';
export { mseLoss, l1Loss, huberLoss, smoothL1Loss, l1Penalty, l2Penalty, type HuberOptions, type SmoothL1Options } from './losses/regression.js';
export {
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  bceWithLogits,
  klDiv,
  type ClassWeightOptions,
  type CrossEntropyOptions,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type KLDivOptions,
} from './losses/classification.js';
export { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss } from './losses/modules.js';
