/**
 * One tree of a forest, from its seed alone: the bootstrap sample (drawn
 * first from the tree's generator, so out-of-bag samples can be found again
 * later), its weights, then the tree. Main thread and workers run the same
 * function, so a forest does not depend on how many threads built it.
 */
import { buildTree } from './builder.js';
import { pruneTree } from './pruning.js';
import { TreeRandom, type TrainingSet, type TreeSettings } from './training-set.js';
import type { TreeData } from './tree-data.js';

/** Everything a forest's trees are grown from (structured-cloneable: typed arrays and numbers). */
export interface ForestJob {
  data: TrainingSet;
  /** Sample weights × class weights (all 1 when neither is given). */
  baseWeights: Float64Array;
  /** The builder's settings; `minWeightLeaf` is recomputed per tree from the fraction. */
  settings: TreeSettings;
  minWeightFractionLeaf: number;
  bootstrap: boolean;
  /** Draws per bootstrap sample. */
  nBootstrap: number;
  /** Class weights from each bootstrap sample's class counts ('balanced_subsample'). */
  balancedSubsample: boolean;
  /** One seed per tree. */
  seeds: Uint32Array;
  /** Cost-complexity pruning of each tree (0: none). */
  ccpAlpha: number;
}

/** How often each sample is drawn into the bootstrap sample of tree `t` (the generator is left after the draws). */
export function bootstrapCounts(n: number, nBootstrap: number, random: TreeRandom): Int32Array {
  const counts = new Int32Array(n);
  for (let i = 0; i < nBootstrap; i++) counts[random.int(0, n)]++;
  return counts;
}

/** The counts of tree `t` of `job`, drawn again from its seed (for out-of-bag estimates). */
export function treeBootstrapCounts(job: Pick<ForestJob, 'data' | 'nBootstrap' | 'seeds'>, t: number): Int32Array {
  return bootstrapCounts(job.data.nSamples, job.nBootstrap, new TreeRandom(job.seeds[t]));
}

/** Grows tree `t` of the forest. */
export function growForestTree(job: ForestJob, t: number): TreeData {
  const { data } = job;
  const n = data.nSamples;
  const random = new TreeRandom(job.seeds[t]);
  const weights = Float64Array.from(job.baseWeights);
  if (job.bootstrap) {
    const counts = bootstrapCounts(n, job.nBootstrap, random);
    for (let i = 0; i < n; i++) weights[i] *= counts[i];
    if (job.balancedSubsample && data.classes) applySubsampleBalance(weights, counts, data.classes, data.nClasses);
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  const tree = buildTree(data, weights, { ...job.settings, minWeightLeaf: job.minWeightFractionLeaf * total }, random);
  return job.ccpAlpha > 0 ? pruneTree(tree, job.ccpAlpha) : tree;
}

/** Multiplies each weight by n_drawn / (classes drawn · draws of its class), scikit-learn's 'balanced_subsample'. */
function applySubsampleBalance(weights: Float64Array, counts: Int32Array, classes: Int32Array, nClasses: number): void {
  const perClass = new Float64Array(nClasses);
  let drawn = 0;
  for (let i = 0; i < counts.length; i++) {
    perClass[classes[i]] += counts[i];
    drawn += counts[i];
  }
  let present = 0;
  for (let c = 0; c < nClasses; c++) if (perClass[c] > 0) present++;
  for (let i = 0; i < counts.length; i++) {
    const c = classes[i];
    weights[i] *= perClass[c] > 0 ? drawn / (present * perClass[c]) : 0;
  }
}
