/**
 * Synthetic data sets with scikit-learn's parameter names (camelCase) and
 * algorithms: makeRegression, makeClassification, makeBlobs, makeMoons,
 * makeCircles and makeLowRankMatrix.
 *
 * Every draw goes through `randomState` (a seed or a Generator; omitted:
 * the global generator that `manualSeed` resets). The values differ from
 * scikit-learn's (different random streams) but the shapes, the
 * distributions and the construction are the same; the noise-free,
 * unshuffled moons and circles are identical.
 *
 * X is a float64 Tensor [nSamples, nFeatures]; y is a Float64Array
 * (regression) or an Int32Array of class indices (classification).
 */
import { LimitError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { resolveGenerator, type Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

type RandomState = number | Generator | null | undefined;

/** Most values a generator makes in one array (2^28 float64 = 2 GiB); more is a LimitError, not a RangeError. */
const MAX_VALUES = 2 ** 28;

/** A zeroed float64 array of n values, within {@link MAX_VALUES}. */
function floats(n: number): Float64Array {
  if (n > MAX_VALUES) throw new LimitError(`a generated array would hold ${n} values, more than ${MAX_VALUES}; ask for fewer samples or features`);
  return new Float64Array(n);
}

function checkInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function checkNumber(name: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ValueError(`${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${String(v)}`);
  return v;
}

/** Shuffles the rows of X (and y) in place with one permutation. */
/** A generator's checked sample count (default 100) and feature count (its own default). */
function sampleShape(options: { nSamples?: number; nFeatures?: number }, defaultFeatures: number): { nSamples: number; nFeatures: number } {
  return { nSamples: checkInt('nSamples', options.nSamples ?? 100, 1), nFeatures: checkInt('nFeatures', options.nFeatures ?? defaultFeatures, 1) };
}

function shuffleRows(X: Float64Array, cols: number, ys: Array<Float64Array | Int32Array>, rng: Generator): void {
  const n = X.length / (cols || 1);
  const perm = rng.permutation(n);
  const Xc = X.slice();
  for (let i = 0; i < n; i++) X.set(Xc.subarray(perm[i] * cols, (perm[i] + 1) * cols), i * cols);
  for (const y of ys) {
    const yc = y.slice();
    for (let i = 0; i < n; i++) y[i] = yc[perm[i]];
  }
}

/** Permutes the columns of X in place; returns the permutation. */
function shuffleColumns(X: Float64Array, cols: number, rng: Generator): Int32Array {
  const perm = rng.permutation(cols);
  const n = X.length / (cols || 1);
  const row = floats(cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) row[j] = X[i * cols + perm[j]];
    X.set(row, i * cols);
  }
  return perm;
}

function standardNormal(n: number, rng: Generator): Float64Array {
  const out = floats(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

// ------------------------------------------------------------- low rank

/** Thin QR by modified Gram-Schmidt: the orthonormal Q (rows x k) of a rows x k matrix. */
function orthonormalColumns(A: Float64Array, rows: number, k: number): Float64Array {
  const Q = A.slice();
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += Q[i * k + p] * Q[i * k + j];
      for (let i = 0; i < rows; i++) Q[i * k + j] -= dot * Q[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += Q[i * k + j] * Q[i * k + j];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < rows; i++) Q[i * k + j] /= norm;
  }
  return Q;
}

export interface MakeLowRankMatrixOptions {
  nSamples?: number;
  nFeatures?: number;
  /** Approximate number of singular vectors carrying most of the data (default 10). */
  effectiveRank?: number;
  /** Relative weight of the slowly decaying tail of singular values, in [0, 1] (default 0.5). */
  tailStrength?: number;
  randomState?: RandomState;
}

/** A mostly low-rank matrix with bell-shaped singular values (sklearn's `make_low_rank_matrix`). */
export function makeLowRankMatrix(options: MakeLowRankMatrixOptions = {}): Tensor {
  checkOptions('makeLowRankMatrix', options, ['nSamples', 'nFeatures', 'effectiveRank', 'tailStrength', 'randomState']);
  const rng = resolveGenerator(options.randomState ?? undefined);
  const { nSamples, nFeatures } = sampleShape(options, 100);
  const effectiveRank = checkNumber('effectiveRank', options.effectiveRank ?? 10, 0);
  if (effectiveRank <= 0) throw new ValueError(`effectiveRank must be > 0, got ${effectiveRank}`);
  const tail = checkNumber('tailStrength', options.tailStrength ?? 0.5, 0);
  if (tail > 1) throw new ValueError(`tailStrength must be in [0, 1], got ${tail}`);
  return new Tensor(lowRank(nSamples, nFeatures, effectiveRank, tail, rng), [nSamples, nFeatures]);
}

function lowRank(nSamples: number, nFeatures: number, effectiveRank: number, tailStrength: number, rng: Generator): Float64Array {
  const k = Math.min(nSamples, nFeatures);
  const u = orthonormalColumns(standardNormal(nSamples * k, rng), nSamples, k);
  const v = orthonormalColumns(standardNormal(nFeatures * k, rng), nFeatures, k);
  const s = floats(k);
  for (let i = 0; i < k; i++) {
    s[i] = (1 - tailStrength) * Math.exp(-1 * (i / effectiveRank) ** 2) + tailStrength * Math.exp((-0.1 * i) / effectiveRank);
  }
  const X = floats(nSamples * nFeatures);
  for (let i = 0; i < nSamples; i++) {
    for (let j = 0; j < nFeatures; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += u[i * k + p] * s[p] * v[j * k + p];
      X[i * nFeatures + j] = acc;
    }
  }
  return X;
}

// ------------------------------------------------------------ regression

export interface MakeRegressionOptions {
  /** Number of samples (default 100). */
  nSamples?: number;
  /** Number of features (default 100). */
  nFeatures?: number;
  /** Number of features with a non-zero coefficient (default 10, capped at nFeatures). */
  nInformative?: number;
  /** Only 1 is supported (single-output y). */
  nTargets?: number;
  /** Intercept added to y (default 0). */
  bias?: number;
  /** When set, X is a low-rank matrix with about this many important singular vectors (default null: standard normal X). */
  effectiveRank?: number | null;
  /** Tail weight of the singular values when effectiveRank is set (default 0.5). */
  tailStrength?: number;
  /** Standard deviation of the Gaussian noise added to y (default 0). */
  noise?: number;
  /** Shuffle samples and features (default true). */
  shuffle?: boolean;
  /** Accepted for sklearn compatibility; `coef` is always returned. */
  coef?: boolean;
  randomState?: RandomState;
}

export interface RegressionDataset {
  /** Float64 Tensor [nSamples, nFeatures]. */
  X: Tensor;
  y: Float64Array;
  /** The true coefficients (zero for non-informative features). */
  coef: Float64Array;
}

/**
 * A linear regression problem: y = X · coef + bias + noise, with
 * nInformative non-zero coefficients drawn from U(0, 100) (sklearn's
 * `make_regression`).
 */
export function makeRegression(options: MakeRegressionOptions = {}): RegressionDataset {
  checkOptions('makeRegression', options, [
    'nSamples',
    'nFeatures',
    'nInformative',
    'nTargets',
    'bias',
    'effectiveRank',
    'tailStrength',
    'noise',
    'shuffle',
    'coef',
    'randomState',
  ]);
  const { nSamples, nFeatures } = sampleShape(options, 100);
  const nInformative = Math.min(nFeatures, checkInt('nInformative', options.nInformative ?? 10, 0));
  const nTargets = checkInt('nTargets', options.nTargets ?? 1, 1);
  if (nTargets !== 1) throw new ValueError(`nTargets=${nTargets} is not supported: only single-output regression (nTargets 1)`);
  const bias = checkNumber('bias', options.bias ?? 0);
  const noise = checkNumber('noise', options.noise ?? 0, 0);
  const shuffle = options.shuffle ?? true;
  const rng = resolveGenerator(options.randomState ?? undefined);
  const X =
    options.effectiveRank === undefined || options.effectiveRank === null
      ? standardNormal(nSamples * nFeatures, rng)
      : lowRank(nSamples, nFeatures, checkNumber('effectiveRank', options.effectiveRank, 0), checkNumber('tailStrength', options.tailStrength ?? 0.5, 0), rng);
  let coef = floats(nFeatures);
  for (let j = 0; j < nInformative; j++) coef[j] = 100 * rng.random();
  const y = floats(nSamples);
  for (let i = 0; i < nSamples; i++) {
    let acc = 0;
    for (let j = 0; j < nInformative; j++) acc += X[i * nFeatures + j] * coef[j];
    y[i] = acc + bias;
  }
  if (noise > 0) for (let i = 0; i < nSamples; i++) y[i] += noise * rng.normal();
  if (shuffle) {
    shuffleRows(X, nFeatures, [y], rng);
    const perm = shuffleColumns(X, nFeatures, rng);
    coef = Float64Array.from(perm, (p) => coef[p]);
  }
  return { X: new Tensor(X, [nSamples, nFeatures]), y, coef };
}

// -------------------------------------------------------- classification

export interface MakeClassificationOptions {
  nSamples?: number;
  /** Total number of features (default 20). */
  nFeatures?: number;
  /** Features that carry the class signal (default 2). */
  nInformative?: number;
  /** Random linear combinations of the informative features (default 2). */
  nRedundant?: number;
  /** Copies of informative/redundant features (default 0). */
  nRepeated?: number;
  nClasses?: number;
  /** Gaussian clusters per class, placed on hypercube vertices (default 2). */
  nClustersPerClass?: number;
  /** Class proportions (nClasses or nClasses - 1 values); default balanced. */
  weights?: readonly number[] | null;
  /** Fraction of labels assigned at random (default 0.01). */
  flipY?: number;
  /** Hypercube side / 2: larger is easier (default 1). */
  classSep?: number;
  /** Clusters on vertices of a hypercube (default true) or of a random polytope. */
  hypercube?: boolean;
  /** Shift of the features: a number, one per feature, or null for random in [-classSep, classSep] (default 0). */
  shift?: number | readonly number[] | null;
  /** Scale of the features: a number, one per feature, or null for random in [1, 101] (default 1). */
  scale?: number | readonly number[] | null;
  shuffle?: boolean;
  randomState?: RandomState;
}

export interface ClassificationDataset {
  X: Tensor;
  /** Class index per sample (0 .. nClasses - 1). */
  y: Int32Array;
}

/** `samples` distinct vertices of the `dim`-dimensional unit hypercube. */
function hypercubeVertices(samples: number, dim: number, rng: Generator): Float64Array {
  const out = floats(samples * dim);
  const extra = Math.max(0, dim - 30);
  const d = dim - extra;
  const size = 2 ** d;
  const picked = new Set<number>();
  const order: number[] = [];
  while (order.length < samples) {
    const v = Math.floor(rng.random() * size);
    if (!picked.has(v)) {
      picked.add(v);
      order.push(v);
    }
  }
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < extra; c++) out[s * dim + c] = rng.random() < 0.5 ? 0 : 1;
    const v = order[s];
    for (let c = 0; c < d; c++) out[s * dim + extra + c] = Math.floor(v / 2 ** (d - 1 - c)) % 2;
  }
  return out;
}

function perFeature(name: string, v: number | readonly number[], n: number): Float64Array {
  if (typeof v === 'number') return floats(n).fill(checkNumber(name, v));
  if (!Array.isArray(v) || v.length !== n) throw new ValueError(`${name} must be a number or ${n} numbers (one per feature)`);
  return Float64Array.from(v, (x) => checkNumber(name, x));
}

/**
 * A random n-class problem (sklearn's `make_classification`): Gaussian
 * clusters on the vertices of a hypercube in the informative subspace,
 * plus redundant, repeated and noise features, randomly flipped labels,
 * shift and scale.
 */
export function makeClassification(options: MakeClassificationOptions = {}): ClassificationDataset {
  checkOptions('makeClassification', options, [
    'nSamples',
    'nFeatures',
    'nInformative',
    'nRedundant',
    'nRepeated',
    'nClasses',
    'nClustersPerClass',
    'weights',
    'flipY',
    'classSep',
    'hypercube',
    'shift',
    'scale',
    'shuffle',
    'randomState',
  ]);
  const { nSamples, nFeatures } = sampleShape(options, 20);
  const nInformative = checkInt('nInformative', options.nInformative ?? 2, 1);
  const nRedundant = checkInt('nRedundant', options.nRedundant ?? 2, 0);
  const nRepeated = checkInt('nRepeated', options.nRepeated ?? 0, 0);
  const nClasses = checkInt('nClasses', options.nClasses ?? 2, 1);
  const nClustersPerClass = checkInt('nClustersPerClass', options.nClustersPerClass ?? 2, 1);
  const flipY = checkNumber('flipY', options.flipY ?? 0.01);
  const classSep = checkNumber('classSep', options.classSep ?? 1);
  const hypercube = options.hypercube ?? true;
  const shuffle = options.shuffle ?? true;
  if (nInformative + nRedundant + nRepeated > nFeatures) {
    throw new ValueError(
      `Number of informative, redundant and repeated features must sum to less than the number of total features (${nInformative} + ${nRedundant} + ${nRepeated} > ${nFeatures})`,
    );
  }
  if (nInformative < Math.log2(nClasses * nClustersPerClass)) {
    throw new ValueError(`nClasses(${nClasses}) * nClustersPerClass(${nClustersPerClass}) must be smaller or equal 2**nInformative(${nInformative})=${2 ** nInformative}`);
  }
  let weights: number[];
  if (options.weights) {
    const w = [...options.weights];
    if (w.length !== nClasses && w.length !== nClasses - 1) throw new ValueError('Weights specified but incompatible with number of classes.');
    if (w.length === nClasses - 1) w.push(1 - w.reduce((a, b) => a + b, 0));
    weights = w;
  } else {
    weights = new Array(nClasses).fill(1 / nClasses);
  }
  const rng = resolveGenerator(options.randomState ?? undefined);
  const nUseless = nFeatures - nInformative - nRedundant - nRepeated;
  const nClusters = nClasses * nClustersPerClass;
  const perCluster: number[] = [];
  for (let k = 0; k < nClusters; k++) perCluster.push(Math.trunc((nSamples * weights[k % nClasses]) / nClustersPerClass));
  const missing = nSamples - perCluster.reduce((a, b) => a + b, 0);
  for (let i = 0; i < missing; i++) perCluster[i % nClusters]++;

  const F = nFeatures;
  const X = floats(nSamples * F);
  const y = new Int32Array(nSamples);
  const centroids = hypercubeVertices(nClusters, nInformative, rng);
  for (let i = 0; i < centroids.length; i++) centroids[i] = centroids[i] * 2 * classSep - classSep;
  if (!hypercube) {
    const a = Float64Array.from({ length: nClusters }, () => rng.random());
    const b = Float64Array.from({ length: nInformative }, () => rng.random());
    for (let k = 0; k < nClusters; k++) for (let j = 0; j < nInformative; j++) centroids[k * nInformative + j] *= a[k] * b[j];
  }
  for (let i = 0; i < nSamples; i++) for (let j = 0; j < nInformative; j++) X[i * F + j] = rng.normal();
  let stop = 0;
  const row = floats(nInformative);
  for (let k = 0; k < nClusters; k++) {
    const start = stop;
    stop += perCluster[k];
    const A = Float64Array.from({ length: nInformative * nInformative }, () => 2 * rng.random() - 1);
    for (let i = start; i < stop; i++) {
      y[i] = k % nClasses;
      for (let j = 0; j < nInformative; j++) {
        let acc = 0;
        for (let p = 0; p < nInformative; p++) acc += X[i * F + p] * A[p * nInformative + j];
        row[j] = acc;
      }
      for (let j = 0; j < nInformative; j++) X[i * F + j] = row[j] + centroids[k * nInformative + j];
    }
  }
  if (nRedundant > 0) {
    const B = Float64Array.from({ length: nInformative * nRedundant }, () => 2 * rng.random() - 1);
    for (let i = 0; i < nSamples; i++) {
      for (let r = 0; r < nRedundant; r++) {
        let acc = 0;
        for (let p = 0; p < nInformative; p++) acc += X[i * F + p] * B[p * nRedundant + r];
        X[i * F + nInformative + r] = acc;
      }
    }
  }
  if (nRepeated > 0) {
    const n = nInformative + nRedundant;
    const idx = Array.from({ length: nRepeated }, () => Math.trunc((n - 1) * rng.random() + 0.5));
    for (let i = 0; i < nSamples; i++) for (let r = 0; r < nRepeated; r++) X[i * F + n + r] = X[i * F + idx[r]];
  }
  if (nUseless > 0) {
    for (let i = 0; i < nSamples; i++) for (let j = F - nUseless; j < F; j++) X[i * F + j] = rng.normal();
  }
  if (flipY >= 0) {
    const flip = Array.from({ length: nSamples }, () => rng.random() < flipY);
    for (let i = 0; i < nSamples; i++) if (flip[i]) y[i] = rng.randint(0, nClasses);
  }
  const shift = options.shift === null ? Float64Array.from({ length: F }, () => (2 * rng.random() - 1) * classSep) : perFeature('shift', options.shift ?? 0, F);
  const scale = options.scale === null ? Float64Array.from({ length: F }, () => 1 + 100 * rng.random()) : perFeature('scale', options.scale ?? 1, F);
  for (let i = 0; i < nSamples; i++) for (let j = 0; j < F; j++) X[i * F + j] = (X[i * F + j] + shift[j]) * scale[j];
  if (shuffle) {
    shuffleRows(X, F, [y], rng);
    shuffleColumns(X, F, rng);
  }
  return { X: new Tensor(X, [nSamples, F]), y };
}

// -------------------------------------------------------------- blobs

export interface MakeBlobsOptions {
  /** Total samples split evenly over the centers (default 100), or one count per center. */
  nSamples?: number | readonly number[];
  /** Features per sample (default 2; taken from `centers` when given as coordinates). */
  nFeatures?: number;
  /** Number of centers (default 3) or their coordinates. */
  centers?: number | readonly (readonly number[])[] | null;
  /** Standard deviation of each blob: one number or one per center (default 1). */
  clusterStd?: number | readonly number[];
  /** Box [min, max] random centers are drawn from (default [-10, 10]). */
  centerBox?: readonly [number, number];
  shuffle?: boolean;
  randomState?: RandomState;
}

export interface BlobsDataset extends ClassificationDataset {
  /** Center coordinates, float64 Tensor [nCenters, nFeatures]. */
  centers: Tensor;
}

/** Isotropic Gaussian blobs, one class per blob (sklearn's `make_blobs`). */
export function makeBlobs(options: MakeBlobsOptions = {}): BlobsDataset {
  checkOptions('makeBlobs', options, ['nSamples', 'nFeatures', 'centers', 'clusterStd', 'centerBox', 'shuffle', 'randomState']);
  const rng = resolveGenerator(options.randomState ?? undefined);
  const [boxLo, boxHi] = options.centerBox ?? [-10, 10];
  let nFeatures = checkInt('nFeatures', options.nFeatures ?? 2, 1);
  const ns = options.nSamples ?? 100;
  let centers: Float64Array;
  let nCenters: number;
  const drawCenters = (k: number): Float64Array => Float64Array.from({ length: k * nFeatures }, () => boxLo + (boxHi - boxLo) * rng.random());
  const given = options.centers;
  if (Array.isArray(given)) {
    const coords = given as readonly (readonly number[])[];
    nCenters = coords.length;
    if (nCenters === 0) throw new ValueError('centers must not be empty');
    nFeatures = coords[0].length;
    centers = floats(nCenters * nFeatures);
    coords.forEach((c, i) => {
      if (c.length !== nFeatures) throw new ValueError(`centers: row ${i} has ${c.length} coordinates, expected ${nFeatures}`);
      c.forEach((v, j) => {
        centers[i * nFeatures + j] = checkNumber('centers', v);
      });
    });
    if (typeof ns !== 'number' && ns.length !== nCenters) {
      throw new ValueError(`Length of nSamples not consistent with number of centers. Got nSamples = ${ns.length} and centers = ${nCenters}`);
    }
  } else if (typeof ns === 'number') {
    nCenters = checkInt('centers', given ?? 3, 1);
    centers = drawCenters(nCenters);
  } else {
    if (given !== undefined && given !== null) throw new ValueError('centers must be null or coordinates when nSamples is a list');
    nCenters = ns.length;
    centers = drawCenters(nCenters);
  }
  const std = options.clusterStd ?? 1;
  const stds = typeof std === 'number' ? new Array<number>(nCenters).fill(std) : [...std];
  if (stds.length !== nCenters) throw new ValueError(`Length of clusterStd not consistent with number of centers. Got clusterStd = ${stds.length} centers = ${nCenters}`);
  let perCenter: number[];
  if (typeof ns === 'number') {
    checkInt('nSamples', ns, 1);
    perCenter = new Array<number>(nCenters).fill(Math.floor(ns / nCenters));
    for (let i = 0; i < ns % nCenters; i++) perCenter[i]++;
  } else {
    perCenter = ns.map((v, i) => checkInt(`nSamples[${i}]`, v, 0));
  }
  const total = perCenter.reduce((a, b) => a + b, 0);
  const X = floats(total * nFeatures);
  const y = new Int32Array(total);
  let r = 0;
  for (let c = 0; c < nCenters; c++) {
    for (let s = 0; s < perCenter[c]; s++, r++) {
      y[r] = c;
      for (let j = 0; j < nFeatures; j++) X[r * nFeatures + j] = centers[c * nFeatures + j] + stds[c] * rng.normal();
    }
  }
  if (options.shuffle ?? true) shuffleRows(X, nFeatures, [y], rng);
  return { X: new Tensor(X, [total, nFeatures]), y, centers: new Tensor(centers, [nCenters, nFeatures]) };
}

// ------------------------------------------------------ moons & circles

/** numpy.linspace. */
function linspace(start: number, stop: number, num: number, endpoint = true): Float64Array {
  const out = floats(num);
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  const step = div > 0 ? delta / div : Number.NaN;
  for (let i = 0; i < num; i++) out[i] = (div > 0 ? i * step : i * delta) + start;
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

function splitCount(nSamples: number | readonly [number, number]): [number, number] {
  if (typeof nSamples === 'number') {
    checkInt('nSamples', nSamples, 1);
    const out = Math.floor(nSamples / 2);
    return [out, nSamples - out];
  }
  if (!Array.isArray(nSamples) || nSamples.length !== 2) throw new ValueError('nSamples must be a number or a pair [nOuter, nInner]');
  return [checkInt('nSamples[0]', nSamples[0], 0), checkInt('nSamples[1]', nSamples[1], 0)];
}

function finishTwoClass(xs: Float64Array, ys: Float64Array, nOut: number, options: { shuffle?: boolean; noise?: number | null }, rng: Generator): ClassificationDataset {
  const n = xs.length;
  const X = floats(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = xs[i];
    X[2 * i + 1] = ys[i];
    y[i] = i < nOut ? 0 : 1;
  }
  if (options.shuffle ?? true) shuffleRows(X, 2, [y], rng);
  if (options.noise !== undefined && options.noise !== null) {
    const s = checkNumber('noise', options.noise, 0);
    for (let i = 0; i < X.length; i++) X[i] += s * rng.normal();
  }
  return { X: new Tensor(X, [n, 2]), y };
}

export interface MakeMoonsOptions {
  /** Total samples (default 100) or [nOuter, nInner]. */
  nSamples?: number | readonly [number, number];
  shuffle?: boolean;
  /** Standard deviation of Gaussian noise added to the points (default none). */
  noise?: number | null;
  randomState?: RandomState;
}

/** (cos t, sin t) for each angle of `tOut`, followed by room for `nIn` inner points: where both two-class shapes start. */
function outerArc(tOut: Float64Array, nIn: number): { xs: Float64Array; ys: Float64Array } {
  const nOut = tOut.length;
  const xs = floats(nOut + nIn);
  const ys = floats(nOut + nIn);
  for (let i = 0; i < nOut; i++) {
    xs[i] = Math.cos(tOut[i]);
    ys[i] = Math.sin(tOut[i]);
  }
  return { xs, ys };
}

/** Two interleaving half circles (sklearn's `make_moons`). */
export function makeMoons(options: MakeMoonsOptions = {}): ClassificationDataset {
  checkOptions('makeMoons', options, ['nSamples', 'shuffle', 'noise', 'randomState']);
  const [nOut, nIn] = splitCount(options.nSamples ?? 100);
  const rng = resolveGenerator(options.randomState ?? undefined);
  const tOut = linspace(0, Math.PI, nOut);
  const tIn = linspace(0, Math.PI, nIn);
  const { xs, ys } = outerArc(tOut, nIn);
  for (let i = 0; i < nIn; i++) {
    xs[nOut + i] = 1 - Math.cos(tIn[i]);
    ys[nOut + i] = 1 - Math.sin(tIn[i]) - 0.5;
  }
  return finishTwoClass(xs, ys, nOut, options, rng);
}

export interface MakeCirclesOptions extends MakeMoonsOptions {
  /** Inner / outer radius ratio in [0, 1) (default 0.8). */
  factor?: number;
}

/** A circle inside a larger circle (sklearn's `make_circles`). */
export function makeCircles(options: MakeCirclesOptions = {}): ClassificationDataset {
  checkOptions('makeCircles', options, ['nSamples', 'shuffle', 'noise', 'randomState', 'factor']);
  const factor = options.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) throw new ValueError(`'factor' has to be between 0 and 1, got ${factor}`);
  const [nOut, nIn] = splitCount(options.nSamples ?? 100);
  const rng = resolveGenerator(options.randomState ?? undefined);
  const tOut = linspace(0, 2 * Math.PI, nOut, false);
  const tIn = linspace(0, 2 * Math.PI, nIn, false);
  const { xs, ys } = outerArc(tOut, nIn);
  for (let i = 0; i < nIn; i++) {
    xs[nOut + i] = Math.cos(tIn[i]) * factor;
    ys[nOut + i] = Math.sin(tIn[i]) * factor;
  }
  return finishTwoClass(xs, ys, nOut, options, rng);
}
