/** Semi-supervised classifiers: -1 in y marks an unlabelled sample. */
export { LabelPropagation, LabelSpreading, type LabelPropagationParams, type LabelSpreadingParams } from './label-propagation.js';
export { SelfTrainingClassifier, type SelfTrainingParams, type ProbabilisticClassifier, type TerminationCondition } from './self-training.js';
export { UNLABELLED } from './labels.js';
export type { GraphKernel } from './graph.js';
