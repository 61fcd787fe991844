/** Pruning: unstructured magnitude pruning with a sparsity schedule, and structured (channel) pruning that builds smaller dense models. */
export { magnitudePrune, removePruning, prunableWeights, magnitudeMasks, PruningMasks, type MagnitudePruneOptions, type PruningScope, type PrunedWeight } from './magnitude.js';
export { polynomialSparsity, GradualPruning, type SparsityScheduleOptions, type GradualPruningOptions } from './schedule.js';
export { countFlops, type FlopsCount } from './flops.js';
export {
  structuredPrune,
  planChannelPruning,
  applyChannelPlan,
  maskChannels,
  rankChannels,
  type ChannelPlan,
  type ChannelNorm,
  type StructuredPruneOptions,
} from './structured.js';
