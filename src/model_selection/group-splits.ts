/**
 * Splitters for ordered and grouped samples, with scikit-learn's folds:
 *
 * - `TimeSeriesSplit`: growing (or sliding, with maxTrainSize) training
 *   windows, each followed by its test window, `gap` samples apart.
 * - `GroupKFold`: no group in both train and test; groups dealt largest
 *   first to the fold with the fewest samples.
 * - `StratifiedGroupKFold`: the same, choosing for each group (most uneven
 *   class mix first) the fold that keeps class proportions most even.
 *
 * The group splitters take the group of each sample as the third argument
 * of `split(X, y, groups)`; crossValidate, crossValPredict and the searches
 * pass it through (their `groups` option).
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { encodeLabels, numSamples, type LabelInput, type MatrixInput, type VectorInput } from '../utils/validation.js';
import type { CrossValidator, RandomState, Split, SplitInput } from './split.js';
import { resolveGenerator } from '../tensor/random.js';

function checkInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${where}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

export interface TimeSeriesSplitOptions {
  /** Number of splits, >= 2 (default 5). */
  nSplits?: number;
  /** Largest training window (older samples are dropped); default: no limit. */
  maxTrainSize?: number | null;
  /** Samples per test window; default floor(n / (nSplits + 1)). */
  testSize?: number | null;
  /** Samples left out between the end of training and the test window (default 0). */
  gap?: number;
}

/** Time-ordered folds: train on the past, test on the window that follows. */
export class TimeSeriesSplit implements CrossValidator {
  readonly nSplits: number;
  readonly maxTrainSize: number | null;
  readonly testSize: number | null;
  readonly gap: number;

  constructor(options: TimeSeriesSplitOptions = {}) {
    const o = readOptions('TimeSeriesSplit', options, ['nSplits', 'maxTrainSize', 'testSize', 'gap']);
    this.nSplits = checkInt('TimeSeriesSplit', 'nSplits', o.nSplits ?? 5, 2);
    this.maxTrainSize = o.maxTrainSize === undefined || o.maxTrainSize === null ? null : checkInt('TimeSeriesSplit', 'maxTrainSize', o.maxTrainSize, 1);
    this.testSize = o.testSize === undefined || o.testSize === null ? null : checkInt('TimeSeriesSplit', 'testSize', o.testSize, 1);
    this.gap = checkInt('TimeSeriesSplit', 'gap', o.gap ?? 0, 0);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  *split(X: SplitInput): IterableIterator<Split> {
    const n = numSamples(X as MatrixInput);
    const k = this.nSplits;
    const testSize = this.testSize ?? Math.floor(n / (k + 1));
    if (k + 1 > n) throw new ValueError(`Cannot have number of folds=${k + 1} greater than the number of samples=${n}.`);
    if (n - this.gap - testSize * k <= 0) throw new ValueError(`Too many splits=${k} for number of samples=${n} with testSize=${testSize} and gap=${this.gap}.`);
    for (let testStart = n - k * testSize; testStart < n; testStart += testSize) {
      const trainEnd = testStart - this.gap;
      const trainStart = this.maxTrainSize !== null && this.maxTrainSize < trainEnd ? trainEnd - this.maxTrainSize : 0;
      yield [range(trainStart, trainEnd), range(testStart, Math.min(testStart + testSize, n))];
    }
  }
}

/** Group of each sample, as indices into the sorted distinct groups. */
function encodeGroups(where: string, groups: unknown, n: number): { codes: Int32Array; count: number } {
  if (groups === undefined || groups === null) throw new ValueError(`${where}: the 'groups' parameter should not be None (pass the group of each sample to split(X, y, groups))`);
  const enc = encodeLabels([groups as LabelInput], ['groups']);
  if (enc.codes[0].length !== n) throw new ValueError(`${where}: groups has ${enc.codes[0].length} entries but X has ${n} samples`);
  return { codes: enc.codes[0], count: enc.classes.length };
}

/** The splits whose test folds are the samples with `foldOf[i] === f`. */
function* foldsOf(foldOf: Int32Array, k: number): IterableIterator<Split> {
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < foldOf.length; i++) (foldOf[i] === f ? test : train).push(i);
    yield [Int32Array.from(train), Int32Array.from(test)];
  }
}

export interface GroupKFoldOptions {
  /** Number of folds, >= 2 (default 5). */
  nSplits?: number;
}

/** K folds in which each group is in exactly one test fold. */
export class GroupKFold implements CrossValidator {
  readonly nSplits: number;

  constructor(options: GroupKFoldOptions | number = {}) {
    const o = readOptions('GroupKFold', typeof options === 'number' ? { nSplits: options } : options, ['nSplits']);
    this.nSplits = checkInt('GroupKFold', 'nSplits', o.nSplits ?? 5, 2);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  *split(X: SplitInput, _y?: LabelInput | VectorInput | null, groups?: unknown): IterableIterator<Split> {
    const n = numSamples(X as MatrixInput);
    const { codes, count } = encodeGroups('GroupKFold', groups, n);
    const k = this.nSplits;
    if (k > count) throw new ValueError(`Cannot have number of splits nSplits=${k} greater than the number of groups: ${count}.`);
    const sizes = new Float64Array(count);
    for (const g of codes) sizes[g]++;
    // largest groups first (scikit-learn reverses an ascending sort: equal sizes go last group first)
    const order = Array.from({ length: count }, (_, g) => g)
      .sort((a, b) => sizes[a] - sizes[b] || a - b)
      .reverse();
    const foldSize = new Float64Array(k);
    const foldOfGroup = new Int32Array(count);
    for (const g of order) {
      let lightest = 0;
      for (let f = 1; f < k; f++) if (foldSize[f] < foldSize[lightest]) lightest = f;
      foldSize[lightest] += sizes[g];
      foldOfGroup[g] = lightest;
    }
    yield* foldsOf(
      codes.map((g) => foldOfGroup[g]),
      k,
    );
  }
}

export interface StratifiedGroupKFoldOptions extends GroupKFoldOptions {
  /** Shuffle the order in which groups of equally uneven class mix are placed (default false). */
  shuffle?: boolean;
  /** Seed or Generator of the shuffle (only with shuffle). */
  randomState?: RandomState;
}

/** Population standard deviation. */
function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - mean) ** 2;
  return Math.sqrt(s / values.length);
}

/**
 * Group k-fold that keeps the class proportions of `y` in each fold as even
 * as the groups allow (scikit-learn's greedy assignment). With `shuffle`,
 * the folds do not reproduce NumPy's choice for a given `randomState`.
 */
export class StratifiedGroupKFold implements CrossValidator {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly randomState: RandomState;

  constructor(options: StratifiedGroupKFoldOptions = {}) {
    const o = readOptions('StratifiedGroupKFold', options, ['nSplits', 'shuffle', 'randomState']);
    this.nSplits = checkInt('StratifiedGroupKFold', 'nSplits', o.nSplits ?? 5, 2);
    this.shuffle = o.shuffle ?? false;
    if (typeof this.shuffle !== 'boolean') throw new ValueError(`StratifiedGroupKFold: shuffle must be true or false, got ${String(o.shuffle)}`);
    this.randomState = o.randomState;
    if (!this.shuffle && o.randomState !== undefined && o.randomState !== null) {
      throw new ValueError('StratifiedGroupKFold: setting a randomState has no effect since shuffle is false; leave it out or set shuffle: true.');
    }
  }

  getNSplits(): number {
    return this.nSplits;
  }

  *split(X: SplitInput, y?: LabelInput | VectorInput | null, groups?: unknown): IterableIterator<Split> {
    const n = numSamples(X as MatrixInput);
    if (y === undefined || y === null) throw new ValueError('StratifiedGroupKFold.split needs the labels y');
    const labels = encodeLabels([y as LabelInput], ['y']);
    for (const c of labels.classes) {
      if (typeof c === 'number' && !Number.isInteger(c)) throw new ValueError("Supported target types are: ('binary', 'multiclass'). Got 'continuous' instead.");
    }
    const yCodes = labels.codes[0];
    if (yCodes.length !== n) throw new ValueError(`StratifiedGroupKFold: X has ${n} samples but y has ${yCodes.length}`);
    const { codes: groupCodes, count: nGroups } = encodeGroups('StratifiedGroupKFold', groups, n);
    const k = this.nSplits;
    const nClasses = labels.classes.length;
    const classCount = new Float64Array(nClasses);
    for (const c of yCodes) classCount[c]++;
    if (classCount.every((c) => k > c)) throw new ValueError(`nSplits=${k} cannot be greater than the number of members in each class.`);
    // class counts of each group, and of each fold as groups are placed
    const perGroup = Array.from({ length: nGroups }, () => new Float64Array(nClasses));
    for (let i = 0; i < n; i++) perGroup[groupCodes[i]][yCodes[i]]++;
    const perFold = Array.from({ length: k }, () => new Float64Array(nClasses));
    let order = Array.from({ length: nGroups }, (_, g) => g);
    if (this.shuffle) order = Array.from(resolveGenerator(this.randomState ?? undefined).shuffle(Int32Array.from(order)));
    const spread = perGroup.map(std);
    // most uneven class mix first; the sort is stable, so the (shuffled) order breaks ties
    order.sort((a, b) => spread[b] - spread[a]);
    const foldOfGroup = new Int32Array(nGroups);
    for (const g of order) {
      const best = this.bestFold(perFold, classCount, perGroup[g]);
      for (let c = 0; c < nClasses; c++) perFold[best][c] += perGroup[g][c];
      foldOfGroup[g] = best;
    }
    yield* foldsOf(
      groupCodes.map((g) => foldOfGroup[g]),
      k,
    );
  }

  /** The fold that, given the group, leaves the per-class shares most even (fewest samples among near-equal ones). */
  private bestFold(perFold: Float64Array[], classCount: Float64Array, group: Float64Array): number {
    const nClasses = classCount.length;
    let best = 0;
    let minEval = Number.POSITIVE_INFINITY;
    let minSamples = Number.POSITIVE_INFINITY;
    const share = new Float64Array(perFold.length);
    for (let f = 0; f < perFold.length; f++) {
      let evaluation = 0;
      for (let c = 0; c < nClasses; c++) {
        for (let g = 0; g < perFold.length; g++) share[g] = (perFold[g][c] + (g === f ? group[c] : 0)) / classCount[c];
        evaluation += std(share);
      }
      evaluation /= nClasses;
      let samples = 0;
      for (let c = 0; c < nClasses; c++) samples += perFold[f][c];
      const close = Math.abs(evaluation - minEval) <= 1e-8 + 1e-5 * Math.abs(minEval);
      if (evaluation < minEval || (close && samples < minSamples)) {
        minEval = evaluation;
        minSamples = samples;
        best = f;
      }
    }
    return best;
  }
}
