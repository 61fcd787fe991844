/**
 * `DecisionTreeClassifier` and `DecisionTreeRegressor` (scikit-learn's CART
 * trees): criteria gini / entropy (log_loss) and squared_error; the 'best'
 * or 'random' splitter; stopping by depth, sample counts, weight fraction,
 * leaf count and impurity decrease; class and sample weights; minimal
 * cost-complexity pruning (`ccpAlpha`, `costComplexityPruningPath`).
 *
 * Features are drawn in a random order at each node (as in scikit-learn),
 * from `randomState`; with `maxFeatures` = all and no two splits equally
 * good, the tree is scikit-learn's: same nodes, thresholds and leaf ids.
 *
 * Learned state: `tree` (plain arrays, see tree-data.ts), `classes`,
 * `nOutputs`-free single-output values, `maxFeaturesUsed`; derived:
 * `featureImportances`, `getDepth()`, `getNLeaves()`.
 */
import { ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkXLabels, checkXy, type Label, type LabelInput, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { BaseClassifier, BaseRegressor, checkIsFitted, estimatorName, logProbabilities, type BaseEstimator } from '../base.js';
import { classWeights, type ClassWeight } from '../class-weight.js';
import type { AbstractClass } from '../mixin.js';
import { buildTree } from './builder.js';
import { TreeRandom, type Criterion, type TrainingSet } from './training-set.js';
import { pruneTree, pruningPath } from './pruning.js';
import { CLASSIFICATION_CRITERIA, REGRESSION_CRITERIA, resolveSettings, trainingSet, treeSampleWeights, type MaxFeatures, type TreeGrowthParams } from './settings.js';
import { accumulateLeafProbabilities, applyTree, countLeaves, featureImportances, toRowsF32, type TreeData } from './tree-data.js';

export interface DecisionTreeClassifierParams extends TreeGrowthParams {
  /** 'gini' (default), 'entropy' or 'log_loss' (the same as entropy). */
  criterion: 'gini' | 'entropy' | 'log_loss';
  /** 'best' (default) or 'random' (one random threshold per feature). */
  splitter: 'best' | 'random';
  /** 'balanced', weights by label, or null (default). */
  classWeight: ClassWeight;
  randomState: number | Generator | null;
}

export interface DecisionTreeRegressorParams extends TreeGrowthParams {
  criterion: 'squared_error';
  splitter: 'best' | 'random';
  randomState: number | Generator | null;
}

const GROWTH_DEFAULTS: TreeGrowthParams = {
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  minWeightFractionLeaf: 0,
  maxFeatures: null as MaxFeatures,
  maxLeafNodes: null,
  minImpurityDecrease: 0,
  ccpAlpha: 0,
};

/** The result of `costComplexityPruningPath`: effective alphas and the total leaf impurity of each pruned tree. */
export interface PruningPath {
  ccpAlphas: Float64Array;
  impurities: Float64Array;
}

/** Grows (and prunes) one tree; shared by both estimators. */
function growTree(
  who: string,
  p: TreeGrowthParams & { criterion: string; splitter: string; randomState: number | Generator | null },
  criteria: readonly Criterion[],
  data: TrainingSet,
  weights: Float64Array,
  prune: boolean,
): TreeData {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  const settings = resolveSettings(who, p, criteria, data.nSamples, data.nFeatures, total);
  const seed = resolveGenerator(p.randomState).nextUint32();
  const tree = buildTree(data, weights, settings, new TreeRandom(seed));
  return prune && p.ccpAlpha > 0 ? pruneTree(tree, p.ccpAlpha) : tree;
}

/** The fitted tree of `est` (NotFittedError before fit). */
function fittedTree(est: { tree: TreeData | undefined }): TreeData {
  checkIsFitted(est);
  return est.tree!;
}

/** What the classifier and the regressor share over their fitted `tree` (added by withFittedTree). */
export interface FittedTreeModel {
  tree: TreeData | undefined;
  /** Features tried per split, as resolved from `maxFeatures`. */
  maxFeaturesUsed: number | undefined;
  /** The leaf id (node index) each row falls in. */
  apply(X: MatrixInput): Int32Array;
  /** Normalised total impurity decrease per feature (Gini importance for the classifier). */
  readonly featureImportances: Float64Array;
  /** Depth of the deepest leaf. */
  getDepth(): number;
  getNLeaves(): number;
}

/** Adds FittedTreeModel to an estimator base (see ../mixin.ts). */
function withFittedTree<Base extends AbstractClass<BaseEstimator<object>>>(base: Base): Base & AbstractClass<FittedTreeModel> {
  abstract class FittedTree extends base implements FittedTreeModel {
    tree: TreeData | undefined = undefined;
    maxFeaturesUsed: number | undefined = undefined;

    apply(X: MatrixInput): Int32Array {
      const Xm = this.validateInput(X);
      return applyTree(this.tree!, toRowsF32(Xm.data, Xm.rows, Xm.cols, estimatorName(this)));
    }

    get featureImportances(): Float64Array {
      return featureImportances(fittedTree(this), this.nFeaturesIn!);
    }

    getDepth(): number {
      return fittedTree(this).maxDepth;
    }

    getNLeaves(): number {
      return countLeaves(fittedTree(this));
    }
  }
  return FittedTree;
}

export class DecisionTreeClassifier extends withFittedTree(BaseClassifier<DecisionTreeClassifierParams>) {
  static readonly defaults: DecisionTreeClassifierParams = { ...GROWTH_DEFAULTS, criterion: 'gini', splitter: 'best', classWeight: null, randomState: null };

  override fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): this {
    const who = 'DecisionTreeClassifier';
    const { data, weights, classes } = this.prepare(X, y, sampleWeight);
    this.tree = growTree(who, this.params, CLASSIFICATION_CRITERIA, data, weights, true);
    this.classes = classes;
    this.maxFeaturesUsed = resolveSettings(who, this.params, CLASSIFICATION_CRITERIA, data.nSamples, data.nFeatures, 1).maxFeatures;
    return this.markFitted(data.nFeatures);
  }

  private prepare(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): { data: TrainingSet; weights: Float64Array; classes: Label[] } {
    const who = 'DecisionTreeClassifier';
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, who);
    const weights = treeSampleWeights(who, sampleWeight, Xm.rows);
    const cw = classWeights(this.params.classWeight, classes, codes, who);
    for (let i = 0; i < weights.length; i++) weights[i] *= cw[codes[i]];
    const data = trainingSet(who, Xm, { classes: codes, nClasses: classes.length }, this.params.splitter !== 'random');
    return { data, weights, classes };
  }

  /**
   * The effective alphas of minimal cost-complexity pruning on (X, y) and the
   * total leaf impurity after each (scikit-learn's cost_complexity_pruning_path).
   */
  costComplexityPruningPath(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): PruningPath {
    const { data, weights } = this.prepare(X, y, sampleWeight);
    return pruningPath(growTree('DecisionTreeClassifier', this.params, CLASSIFICATION_CRITERIA, data, weights, false));
  }

  override predict(X: MatrixInput): Label[] {
    const P = this.predictProba(X);
    const k = this.classes!.length;
    const d = P.data as Float64Array;
    const out: Label[] = new Array(P.shape[0]);
    for (let i = 0; i < out.length; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (d[i * k + c] > d[i * k + best]) best = c;
      out[i] = this.classes![best];
    }
    return out;
  }

  /** Class probabilities: the weighted class fractions of each row's leaf. */
  predictProba(X: MatrixInput): Tensor {
    const leaves = this.apply(X);
    return leafProbabilities(this.tree!, leaves);
  }

  predictLogProba(X: MatrixInput): Tensor {
    return logProbabilities(this.predictProba(X));
  }
}

/** Rows of class fractions for the given leaves (a leaf with zero weight gives zeros, as scikit-learn). */
export function leafProbabilities(tree: TreeData, leaves: Int32Array): Tensor {
  const k = tree.nValues;
  const out = new Float64Array(leaves.length * k);
  accumulateLeafProbabilities(tree, leaves, out, 1);
  return new Tensor(out, [leaves.length, k]);
}

export class DecisionTreeRegressor extends withFittedTree(BaseRegressor<DecisionTreeRegressorParams>) {
  static readonly defaults: DecisionTreeRegressorParams = { ...GROWTH_DEFAULTS, criterion: 'squared_error', splitter: 'best', randomState: null };

  override fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): this {
    const who = 'DecisionTreeRegressor';
    const { data, weights } = this.prepare(X, y, sampleWeight);
    this.tree = growTree(who, this.params, REGRESSION_CRITERIA, data, weights, true);
    this.maxFeaturesUsed = resolveSettings(who, this.params, REGRESSION_CRITERIA, data.nSamples, data.nFeatures, 1).maxFeatures;
    return this.markFitted(data.nFeatures);
  }

  private prepare(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): { data: TrainingSet; weights: Float64Array } {
    const who = 'DecisionTreeRegressor';
    const { X: Xm, y: yv } = checkXy(X, y);
    if (Xm.rows === 0) throw new ValueError(`${who}: X has 0 samples`);
    const weights = treeSampleWeights(who, sampleWeight, Xm.rows);
    return { data: trainingSet(who, Xm, { targets: yv }, this.params.splitter !== 'random'), weights };
  }

  /** See DecisionTreeClassifier.costComplexityPruningPath. */
  costComplexityPruningPath(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): PruningPath {
    const { data, weights } = this.prepare(X, y, sampleWeight);
    return pruningPath(growTree('DecisionTreeRegressor', this.params, REGRESSION_CRITERIA, data, weights, false));
  }

  override predict(X: MatrixInput): Float64Array {
    const leaves = this.apply(X);
    const out = new Float64Array(leaves.length);
    for (let i = 0; i < leaves.length; i++) out[i] = this.tree!.value[leaves[i]];
    return out;
  }
}
