/**
 * Cross-validation splitters and `trainTestSplit`, with scikit-learn's
 * fold sizes and assignment rules.
 *
 * Every splitter has `split(X, y?)`, which yields `[trainIdx, testIdx]`
 * pairs of Int32Arrays (both sorted ascending for the k-fold family), and
 * `getNSplits()`. Randomness goes through a `randomState` (a seed gives
 * the same splits on every `split` call; a `Generator` is consumed; none
 * uses the global generator that `manualSeed` resets). Shuffled splits
 * have scikit-learn's sizes and distributions, not its exact indices
 * (the random streams differ).
 */
import { LimitError, ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { type Generator as RandomGenerator, resolveGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { encodeLabels, numSamples, type Label, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../utils/validation.js';

/** Anything with samples along its first axis. */
export type SplitInput = MatrixInput | VectorInput | LabelInput | readonly unknown[];
export type Split = [train: Int32Array, test: Int32Array];
export type RandomState = number | RandomGenerator | null | undefined;
/** What trainTestSplit and indexRows accept: arrays, typed arrays, Tensors, {data, shape}, Matrix. */
export type Splittable = readonly unknown[] | ArrayLike<number> | { readonly data: ArrayLike<number>; readonly shape: readonly number[] } | Matrix;

/** What model selection needs from a splitter. */
export interface CrossValidator {
  split(X: SplitInput, y?: LabelInput | VectorInput | null, groups?: unknown): IterableIterator<Split>;
  getNSplits(X?: SplitInput, y?: LabelInput | VectorInput | null, groups?: unknown): number;
}

/** Split indices are Int32Arrays. */
const MAX_SAMPLES = 2 ** 31 - 1;

function checkInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** A seed gives a fresh generator per call (repeatable); a Generator is shared. */
function generatorFor(randomState: RandomState): RandomGenerator {
  return resolveGenerator(randomState ?? undefined);
}

/** Train = complement of the (sorted) test indices. */
function complement(n: number, testMask: Uint8Array): Split {
  let nt = 0;
  for (let i = 0; i < n; i++) nt += testMask[i];
  const train = new Int32Array(n - nt);
  const test = new Int32Array(nt);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (testMask[i]) test[b++] = i;
    else train[a++] = i;
  }
  return [train, test];
}

// ------------------------------------------------------------------ KFold

export interface KFoldOptions {
  /** Number of folds, >= 2 (default 5). */
  nSplits?: number;
  /** Shuffle the samples before splitting into folds (default false). */
  shuffle?: boolean;
  /** Seed or Generator for the shuffle; only valid with shuffle: true. */
  randomState?: RandomState;
}

abstract class BaseKFold implements CrossValidator {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly randomState: RandomState;

  constructor(options: KFoldOptions | number = {}) {
    const o = readOptions(new.target.name, typeof options === 'number' ? { nSplits: options } : options, ['nSplits', 'shuffle', 'randomState']);
    const k = o.nSplits ?? 5;
    if (Number.isInteger(k) && k < 2) throw new ValueError(`k-fold cross-validation requires at least one train/test split by setting nSplits=2 or more, got nSplits=${k}`);
    this.nSplits = checkInt('nSplits', k, 2);
    this.shuffle = o.shuffle ?? false;
    if (typeof this.shuffle !== 'boolean') throw new ValueError(`shuffle must be true or false; got ${String(o.shuffle)}`);
    this.randomState = o.randomState;
    if (!this.shuffle && o.randomState !== undefined && o.randomState !== null) {
      throw new ValueError('Setting a randomState has no effect since shuffle is false. You should leave randomState to its default (undefined), or set shuffle: true.');
    }
  }

  getNSplits(): number {
    return this.nSplits;
  }

  protected checkN(n: number): void {
    if (this.nSplits > n) throw new ValueError(`Cannot have number of splits nSplits=${this.nSplits} greater than the number of samples: nSamples=${n}.`);
  }

  abstract split(X: SplitInput, y?: LabelInput | VectorInput | null): IterableIterator<Split>;
}

/**
 * K consecutive folds (shuffled first with `shuffle`); the first n % k folds
 * get one extra sample.
 *
 * With `shuffle`, the folds do not reproduce NumPy's row choice for a given
 * `randomState`: the fold sizes and guarantees are scikit-learn's, the rows
 * in each fold differ (Frugal's generator is not NumPy's).
 */
export class KFold extends BaseKFold {
  *split(X: SplitInput): IterableIterator<Split> {
    const n = numSamples(X as MatrixInput);
    this.checkN(n);
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) indices[i] = i;
    if (this.shuffle) generatorFor(this.randomState).shuffle(indices);
    const k = this.nSplits;
    let current = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      const mask = new Uint8Array(n);
      for (let i = current; i < current + size; i++) mask[indices[i]] = 1;
      current += size;
      yield complement(n, mask);
    }
  }
}

/**
 * K folds that keep the class proportions of `y` (scikit-learn's
 * allocation: samples of each class dealt to folds in order, in blocks).
 *
 * With `shuffle`, the folds do not reproduce NumPy's row choice for a given
 * `randomState`: the fold sizes and guarantees are scikit-learn's, the rows
 * in each fold differ (Frugal's generator is not NumPy's).
 */
export class StratifiedKFold extends BaseKFold {
  /** Test fold of each sample. */
  testFolds(y: LabelInput, rng?: RandomGenerator): Int32Array {
    const enc = encodeLabels([y], ['y']);
    for (const c of enc.classes) {
      if (typeof c === 'number' && !Number.isInteger(c)) throw new ValueError("Supported target types are: ('binary', 'multiclass'). Got 'continuous' instead.");
    }
    const sortedCodes = enc.codes[0];
    const n = sortedCodes.length;
    const k = this.nSplits;
    // classes numbered by first appearance
    const nClasses = enc.classes.length;
    const firstSeen = new Int32Array(nClasses).fill(-1);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const c = sortedCodes[i];
      if (firstSeen[c] < 0) firstSeen[c] = next++;
    }
    const yEnc = new Int32Array(n);
    for (let i = 0; i < n; i++) yEnc[i] = firstSeen[sortedCodes[i]];
    const counts = new Int32Array(nClasses);
    for (let i = 0; i < n; i++) counts[yEnc[i]]++;
    let allBelow = true;
    for (let c = 0; c < nClasses; c++) if (k <= counts[c]) allBelow = false;
    if (allBelow) throw new ValueError(`nSplits=${k} cannot be greater than the number of members in each class.`);
    // allocation[f][c]: round robin over y sorted by encoded class
    const yOrder = Int32Array.from(yEnc).sort();
    const allocation = Array.from({ length: k }, () => new Int32Array(nClasses));
    for (let i = 0; i < n; i++) allocation[i % k][yOrder[i]]++;
    const testFolds = new Int32Array(n);
    for (let c = 0; c < nClasses; c++) {
      const folds: number[] = [];
      for (let f = 0; f < k; f++) for (let r = 0; r < allocation[f][c]; r++) folds.push(f);
      if (this.shuffle) (rng ?? generatorFor(this.randomState)).shuffle(folds);
      let p = 0;
      for (let i = 0; i < n; i++) if (yEnc[i] === c) testFolds[i] = folds[p++];
    }
    return testFolds;
  }

  *split(X: SplitInput, y?: LabelInput | VectorInput | null): IterableIterator<Split> {
    if (y === undefined || y === null) throw new ValueError('StratifiedKFold.split needs the labels y');
    const n = numSamples(X as MatrixInput);
    if (numSamples(y as LabelInput) !== n) throw new ValueError(`X has ${n} samples but y has ${numSamples(y as LabelInput)}`);
    this.checkN(n);
    const rng = this.shuffle ? generatorFor(this.randomState) : undefined;
    const folds = this.testFolds(y as LabelInput, rng);
    for (let f = 0; f < this.nSplits; f++) {
      const mask = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (folds[i] === f) mask[i] = 1;
      yield complement(n, mask);
    }
  }
}

export interface RepeatedKFoldOptions {
  nSplits?: number;
  /** Number of repetitions, each with a different shuffle (default 10). */
  nRepeats?: number;
  randomState?: RandomState;
}

/** A splitter run `nRepeats` times, each with a different shuffle drawn from one generator. */
abstract class RepeatedSplitter implements CrossValidator {
  readonly nSplits: number;
  readonly nRepeats: number;
  readonly randomState: RandomState;
  constructor(options: RepeatedKFoldOptions) {
    options = readOptions(new.target.name, options, ['nSplits', 'nRepeats', 'randomState']);
    this.nSplits = checkInt('nSplits', options.nSplits ?? 5, 2);
    this.nRepeats = checkInt('nRepeats', options.nRepeats ?? 10, 1);
    this.randomState = options.randomState;
  }
  getNSplits(): number {
    return this.nSplits * this.nRepeats;
  }
  /** One repetition's splitter, shuffling with `rng`. */
  protected abstract repetition(rng: RandomGenerator): CrossValidator;
  *split(X: SplitInput, y?: LabelInput | VectorInput | null): IterableIterator<Split> {
    const rng = generatorFor(this.randomState);
    for (let r = 0; r < this.nRepeats; r++) yield* this.repetition(rng).split(X, y);
  }
}

/**
 * KFold repeated `nRepeats` times with a different shuffle each time. Like
 * every shuffled split here, it does not reproduce NumPy's row choice for a
 * given `randomState` (same fold sizes, different rows).
 */
export class RepeatedKFold extends RepeatedSplitter {
  constructor(options: RepeatedKFoldOptions = {}) {
    super(options);
  }
  protected repetition(rng: RandomGenerator): CrossValidator {
    return new KFold({ nSplits: this.nSplits, shuffle: true, randomState: rng });
  }
}

/**
 * StratifiedKFold repeated `nRepeats` times with a different shuffle each
 * time. It does not reproduce NumPy's row choice for a given `randomState`
 * (same per-class fold sizes, different rows).
 */
export class RepeatedStratifiedKFold extends RepeatedSplitter {
  constructor(options: RepeatedKFoldOptions = {}) {
    super(options);
  }
  protected repetition(rng: RandomGenerator): CrossValidator {
    return new StratifiedKFold({ nSplits: this.nSplits, shuffle: true, randomState: rng });
  }
}

/** Each sample is the test set once. */
export class LeaveOneOut implements CrossValidator {
  getNSplits(X?: SplitInput): number {
    if (X === undefined) throw new ValueError('LeaveOneOut.getNSplits needs X');
    return numSamples(X as MatrixInput);
  }
  *split(X: SplitInput): IterableIterator<Split> {
    const n = numSamples(X as MatrixInput);
    if (n <= 1) throw new ValueError(`Cannot perform LeaveOneOut with nSamples=${n}.`);
    for (let i = 0; i < n; i++) {
      const train = new Int32Array(n - 1);
      for (let j = 0, k = 0; j < n; j++) if (j !== i) train[k++] = j;
      yield [train, Int32Array.of(i)];
    }
  }
}

// --------------------------------------------------------- shuffle splits

export interface ShuffleSplitOptions {
  /** Number of re-shuffling iterations (default 10). */
  nSplits?: number;
  /** Fraction in (0, 1) or an absolute count (integer >= 1); default 0.1 (0.25 in trainTestSplit) when trainSize is unset too. */
  testSize?: number | null;
  trainSize?: number | null;
  randomState?: RandomState;
}

/** sklearn's `_validate_shuffle_split`: [nTrain, nTest]. */
export function validateShuffleSplit(n: number, testSize: number | null | undefined, trainSize: number | null | undefined, defaultTestSize: number): [number, number] {
  if ((testSize === undefined || testSize === null) && (trainSize === undefined || trainSize === null)) testSize = defaultTestSize;
  const isFrac = (v: number): boolean => !Number.isInteger(v) || v === 0;
  const check = (name: string, v: number | null | undefined): void => {
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${name} must be a number, got ${String(v)}`);
    if (isFrac(v) ? !(v > 0 && v < 1) : !(v > 0 && v < n)) {
      throw new ValueError(`${name}=${v} should be either positive and smaller than the number of samples ${n} or a float in the (0, 1) range`);
    }
  };
  check('testSize', testSize);
  check('trainSize', trainSize);
  if (testSize !== undefined && testSize !== null && trainSize !== undefined && trainSize !== null && isFrac(testSize) && isFrac(trainSize) && testSize + trainSize > 1) {
    throw new ValueError(`The sum of testSize and trainSize = ${testSize + trainSize}, should be in the (0, 1) range. Reduce testSize and/or trainSize.`);
  }
  let nTest = testSize === undefined || testSize === null ? Number.NaN : isFrac(testSize) ? Math.ceil(testSize * n) : testSize;
  let nTrain = trainSize === undefined || trainSize === null ? Number.NaN : isFrac(trainSize) ? Math.floor(trainSize * n) : trainSize;
  if (Number.isNaN(nTrain)) nTrain = n - nTest;
  else if (Number.isNaN(nTest)) nTest = n - nTrain;
  if (nTrain + nTest > n) {
    throw new ValueError(`The sum of trainSize and testSize = ${nTrain + nTest}, should be smaller than the number of samples ${n}. Reduce testSize and/or trainSize.`);
  }
  if (nTrain === 0) {
    throw new ValueError(
      `With nSamples=${n}, testSize=${testSize ?? null} and trainSize=${trainSize ?? null}, the resulting train set will be empty. Adjust any of the aforementioned parameters.`,
    );
  }
  return [nTrain, nTest];
}

/**
 * Random permutation splits: test = the first nTest of a permutation, train
 * = the next nTrain. Sizes follow scikit-learn exactly, but the rows do not
 * reproduce NumPy's choice for a given `randomState` (Frugal's generator is
 * not NumPy's).
 */
export class ShuffleSplit implements CrossValidator {
  readonly nSplits: number;
  readonly testSize: number | null | undefined;
  readonly trainSize: number | null | undefined;
  readonly randomState: RandomState;
  protected defaultTestSize = 0.1;
  constructor(options: ShuffleSplitOptions = {}) {
    options = readOptions(new.target.name, options, ['nSplits', 'testSize', 'trainSize', 'randomState']);
    this.nSplits = checkInt('nSplits', options.nSplits ?? 10, 1);
    this.testSize = options.testSize;
    this.trainSize = options.trainSize;
    this.randomState = options.randomState;
  }
  getNSplits(): number {
    return this.nSplits;
  }
  *split(X: SplitInput): IterableIterator<Split> {
    const n = numSamples(X as MatrixInput);
    const [nTrain, nTest] = validateShuffleSplit(n, this.testSize, this.trainSize, this.defaultTestSize);
    const rng = generatorFor(this.randomState);
    for (let s = 0; s < this.nSplits; s++) {
      const perm = rng.permutation(n);
      yield [perm.slice(nTest, nTest + nTrain), perm.slice(0, nTest)];
    }
  }
}

/** sklearn's `_approximate_mode`: integer counts per class summing to nDraws, ties broken at random. */
export function approximateMode(classCounts: Int32Array, nDraws: number, rng: RandomGenerator): Int32Array {
  let total = 0;
  for (const c of classCounts) total += c;
  const k = classCounts.length;
  const continuous = new Float64Array(k);
  const floored = new Int32Array(k);
  let flooredSum = 0;
  for (let i = 0; i < k; i++) {
    continuous[i] = (classCounts[i] / total) * nDraws;
    floored[i] = Math.floor(continuous[i]);
    flooredSum += floored[i];
  }
  let need = nDraws - flooredSum;
  if (need > 0) {
    const remainder = Float64Array.from(continuous, (c, i) => c - floored[i]);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const v of values) {
      const inds: number[] = [];
      for (let i = 0; i < k; i++) if (remainder[i] === v) inds.push(i);
      const addNow = Math.min(inds.length, need);
      rng.shuffle(inds);
      for (let t = 0; t < addNow; t++) floored[inds[t]]++;
      need -= addNow;
      if (need === 0) break;
    }
  }
  return floored;
}

/**
 * Shuffle splits that keep the class proportions of y (scikit-learn's
 * per-class counts). The rows chosen do not reproduce NumPy's for a given
 * `randomState`: same proportions and guarantees, different rows.
 */
export class StratifiedShuffleSplit extends ShuffleSplit {
  override *split(X: SplitInput, y?: LabelInput | VectorInput | null): IterableIterator<Split> {
    if (y === undefined || y === null) throw new ValueError('StratifiedShuffleSplit.split needs the labels y');
    const n = numSamples(X as MatrixInput);
    const [nTrain, nTest] = validateShuffleSplit(n, this.testSize, this.trainSize, this.defaultTestSize);
    const enc = encodeLabels([y as LabelInput], ['y']);
    const codes = enc.codes[0];
    if (codes.length !== n) throw new ValueError(`X has ${n} samples but y has ${codes.length}`);
    const nClasses = enc.classes.length;
    const counts = new Int32Array(nClasses);
    for (let i = 0; i < n; i++) counts[codes[i]]++;
    let minCount = Infinity;
    for (const c of counts) minCount = Math.min(minCount, c);
    if (minCount < 2) {
      throw new ValueError('The least populated class in y has only 1 member, which is too few. The minimum number of groups for any class cannot be less than 2.');
    }
    if (nTrain < nClasses) throw new ValueError(`The trainSize = ${nTrain} should be greater or equal to the number of classes = ${nClasses}`);
    if (nTest < nClasses) throw new ValueError(`The testSize = ${nTest} should be greater or equal to the number of classes = ${nClasses}`);
    const classIndices: number[][] = Array.from({ length: nClasses }, () => []);
    for (let i = 0; i < n; i++) classIndices[codes[i]].push(i);
    const rng = generatorFor(this.randomState);
    for (let s = 0; s < this.nSplits; s++) {
      const nI = approximateMode(counts, nTrain, rng);
      const remaining = Int32Array.from(counts, (c, i) => c - nI[i]);
      const tI = approximateMode(remaining, nTest, rng);
      const train: number[] = [];
      const test: number[] = [];
      for (let c = 0; c < nClasses; c++) {
        const perm = rng.permutation(counts[c]);
        const idx = classIndices[c];
        for (let t = 0; t < nI[c]; t++) train.push(idx[perm[t]]);
        for (let t = nI[c]; t < nI[c] + tI[c]; t++) test.push(idx[perm[t]]);
      }
      yield [rng.shuffle(Int32Array.from(train)), rng.shuffle(Int32Array.from(test))];
    }
  }
}

// ---------------------------------------------------------- trainTestSplit

export interface TrainTestSplitOptions {
  /** Fraction in (0, 1) or absolute count of test samples; default 0.25 (when trainSize is unset). nTest = ceil(testSize * n). */
  testSize?: number | null;
  /** Fraction in (0, 1) or absolute count of train samples; default: the rest. nTrain = floor(trainSize * n). */
  trainSize?: number | null;
  /** Shuffle before splitting (default true); false takes the first nTrain as train, the next nTest as test. */
  shuffle?: boolean;
  /** Labels whose class proportions both parts keep (needs shuffle). */
  stratify?: LabelInput | null;
  randomState?: RandomState;
}

function isOptions(x: unknown): x is TrainTestSplitOptions {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  if ('data' in x || 'shape' in x || 'rows' in x) return false;
  return true;
}

/**
 * Rows `idx` of an array-like, keeping its kind: number[][] / plain arrays
 * give arrays (rows copied), typed arrays the same typed array, Tensors a
 * Tensor, `{data, shape}` the same form, `{data, rows, cols}` a Matrix.
 */
export function indexRows<T>(a: T, idx: ArrayLike<number>): T {
  const m = idx.length;
  if (Array.isArray(a)) {
    const out = new Array(m);
    for (let i = 0; i < m; i++) {
      const row = a[idx[i]];
      out[i] = Array.isArray(row) ? row.slice() : row;
    }
    return out as T;
  }
  if (ArrayBuffer.isView(a)) {
    const src = a as unknown as ArrayLike<number> & { constructor: new (n: number) => { [i: number]: number } };
    const out = new src.constructor(m);
    for (let i = 0; i < m; i++) out[i] = src[idx[i]];
    return out as T;
  }
  const obj = a as unknown as { data: ArrayLike<number>; shape?: readonly number[]; rows?: number; cols?: number };
  if (obj && typeof obj === 'object' && 'data' in obj) {
    const n = obj.shape ? obj.shape[0] : obj.rows!;
    const width = obj.shape ? (obj.shape.length > 0 ? obj.data.length / (n || 1) : 1) : obj.cols!;
    const src = obj.data;
    const out: { [i: number]: number; length: number } = ArrayBuffer.isView(src)
      ? new (src as unknown as { constructor: new (n: number) => { [i: number]: number; length: number } }).constructor(m * width)
      : new Array<number>(m * width);
    for (let i = 0; i < m; i++) {
      const r = idx[i] * width;
      for (let j = 0; j < width; j++) out[i * width + j] = src[r + j];
    }
    if (a instanceof Tensor) return new Tensor(out as unknown as Float64Array, [m, ...a.shape.slice(1)]) as T;
    if (obj.shape) return { ...obj, data: out, shape: [m, ...obj.shape.slice(1)] } as T;
    return { data: out, rows: m, cols: width } as T;
  }
  throw new ValueError(`cannot index into ${String(a)}: expected an array, a typed array, a Tensor or {data, shape}`);
}

/** The [train, test] indices trainTestSplit uses for n samples. */
export function trainTestSplitIndices(n: number, options: TrainTestSplitOptions = {}): Split {
  checkInt('n', n, 0);
  if (n > MAX_SAMPLES) throw new LimitError(`trainTestSplit: ${n} samples is more than the ${MAX_SAMPLES} that Int32 indices can address`);
  options = readOptions('trainTestSplit', options, ['testSize', 'trainSize', 'shuffle', 'stratify', 'randomState']);
  const shuffle = options.shuffle ?? true;
  const [nTrain, nTest] = validateShuffleSplit(n, options.testSize, options.trainSize, 0.25);
  if (!shuffle) {
    if (options.stratify !== undefined && options.stratify !== null) {
      throw new ValueError('Stratified train/test split is not implemented for shuffle=false');
    }
    const train = new Int32Array(nTrain);
    const test = new Int32Array(nTest);
    for (let i = 0; i < nTrain; i++) train[i] = i;
    for (let i = 0; i < nTest; i++) test[i] = nTrain + i;
    return [train, test];
  }
  const dummy = new Uint8Array(n); // the splitters only need the number of samples
  const cv =
    options.stratify !== undefined && options.stratify !== null
      ? new StratifiedShuffleSplit({ nSplits: 1, testSize: nTest, trainSize: nTrain, randomState: options.randomState })
      : new ShuffleSplit({ nSplits: 1, testSize: nTest, trainSize: nTrain, randomState: options.randomState });
  return cv.split(dummy, options.stratify ?? undefined).next().value as Split;
}

/**
 * Splits arrays into random train and test subsets, like sklearn's
 * `train_test_split`: `const [XTrain, XTest, yTrain, yTest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 })`.
 * Each output has the kind of its input (number[][] stays number[][],
 * a Tensor stays a Tensor, ...). testSize / trainSize below 1 are
 * fractions, integers >= 1 are counts.
 *
 * The sizes (and, with `stratify`, the class proportions) are
 * scikit-learn's, but the rows do not reproduce NumPy's choice for a given
 * `randomState`: the same seed gives the same split in Frugal every time,
 * not the split scikit-learn draws with that seed.
 */
export function trainTestSplit<A extends Splittable, B extends Splittable, C extends Splittable>(a: A, b: B, c: C, options?: TrainTestSplitOptions): [A, A, B, B, C, C];
export function trainTestSplit<A extends Splittable, B extends Splittable>(a: A, b: B, options?: TrainTestSplitOptions): [A, A, B, B];
export function trainTestSplit<A extends Splittable>(a: A, options?: TrainTestSplitOptions): [A, A];
export function trainTestSplit(...args: unknown[]): unknown[];
export function trainTestSplit(...args: unknown[]): unknown[] {
  let options: TrainTestSplitOptions = {};
  if (args.length && isOptions(args[args.length - 1])) options = args.pop() as TrainTestSplitOptions;
  if (args.length === 0) throw new ValueError('At least one array required as input');
  const n = numSamples(args[0] as MatrixInput, 'array 0');
  args.forEach((a, i) => {
    const m = numSamples(a as MatrixInput, `array ${i}`);
    if (m !== n)
      throw new ValueError(`Found input variables with inconsistent numbers of samples: [${args.map((x) => numSamples(x as MatrixInput)).join(', ')}] (array ${i} differs)`);
  });
  if (options.stratify !== undefined && options.stratify !== null && numSamples(options.stratify) !== n) {
    throw new ValueError(`stratify has ${numSamples(options.stratify)} samples, expected ${n}`);
  }
  const [train, test] = trainTestSplitIndices(n, options);
  const out: unknown[] = [];
  for (const a of args) out.push(indexRows(a, train), indexRows(a, test));
  return out;
}

// ------------------------------------------------------------- checkCv

export type CvSpec = number | CrossValidator | Iterable<readonly [ArrayLike<number>, ArrayLike<number>]> | null | undefined;

/**
 * Resolves a `cv` option: a number k gives StratifiedKFold(k) for a
 * classifier with class labels, KFold(k) otherwise (default 5); a
 * splitter is used as is; an iterable of [train, test] pairs is listed.
 */
export function checkCv(cv: CvSpec, y?: LabelInput | VectorInput | null, classifier = false): CrossValidator {
  if (cv === undefined || cv === null) cv = 5;
  if (typeof cv === 'number') {
    if (classifier && y !== undefined && y !== null && isClassTarget(y)) return new StratifiedKFold({ nSplits: cv });
    return new KFold({ nSplits: cv });
  }
  if (typeof (cv as CrossValidator).split === 'function' && typeof (cv as CrossValidator).getNSplits === 'function') return cv as CrossValidator;
  if (typeof cv === 'object' && typeof (cv as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const splits: Split[] = [...(cv as Iterable<unknown>)].map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(isIndexList)) {
        throw new ValueError(`cv: entry ${i} must be a [train, test] pair of index arrays`);
      }
      return [Int32Array.from(pair[0]), Int32Array.from(pair[1])];
    });
    return {
      getNSplits: () => splits.length,
      *split() {
        yield* splits.map(([a, b]) => [a.slice(), b.slice()] as Split);
      },
    };
  }
  throw new ValueError(`Expected cv as an integer, a cross-validation object (with split and getNSplits) or an iterable of [train, test] index pairs; got ${String(cv)}`);
}

function isIndexList(a: unknown): a is ArrayLike<number> {
  return (Array.isArray(a) || ArrayBuffer.isView(a)) && Array.prototype.every.call(a, (i: unknown) => Number.isInteger(i) && (i as number) >= 0);
}

function isClassTarget(y: LabelInput | VectorInput): boolean {
  try {
    const classes: Label[] = encodeLabels([y as LabelInput], ['y']).classes;
    return classes.every((c) => typeof c === 'string' || Number.isInteger(c));
  } catch {
    return false;
  }
}
