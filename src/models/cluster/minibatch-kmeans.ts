/**
 * Mini-batch k-means with scikit-learn's parameters and steps
 * (`sklearn.cluster.MiniBatchKMeans`, Sculley 2010): centres initialised on
 * a random subset, then moved by random batches with per-centre learning
 * rates (1 / samples seen), rarely-hit centres reassigned to random samples,
 * and a stop when the smoothed batch inertia stops improving. `partialFit`
 * takes one batch at a time (for data that does not fit in memory).
 */
import { Generator } from '../../tensor/random.js';
import type { MatrixInput, VectorInput } from '../../utils/validation.js';
import { checkBool, checkNumber } from '../linear/common.js';
import { shiftRows } from '../decomposition/columns.js';
import { assignNearest, inertia, squaredRowNorms } from './assign.js';
import { BaseKMeans, type KMeansCommonParams, type PreparedData } from './kmeans-base.js';

export interface MiniBatchKMeansParams extends KMeansCommonParams {
  /** Samples per batch (default 1024). */
  batchSize: number;
  /** Compute labels and inertia on the whole data after fit (default true). */
  computeLabels: boolean;
  /** Stop after this many batches without improvement of the smoothed inertia (null: never; default 10). */
  maxNoImprovement: number | null;
  /** Samples the initialisation runs on (default 3 × batchSize, at least 3 × nClusters). */
  initSize: number | null;
  /** Centres hit by fewer than this fraction of the busiest centre's samples are moved to random samples (default 0.01). */
  reassignmentRatio: number;
}

const DEFAULTS: MiniBatchKMeansParams = {
  nClusters: 8,
  init: 'k-means++',
  nInit: 'auto',
  maxIter: 100,
  tol: 0,
  randomState: null,
  batchSize: 1024,
  computeLabels: true,
  maxNoImprovement: 10,
  initSize: null,
  reassignmentRatio: 0.01,
};

/** The state carried from batch to batch. */
interface Progress {
  ewaInertia: number | null;
  ewaInertiaMin: number | null;
  noImprovement: number;
}

export class MiniBatchKMeans extends BaseKMeans<MiniBatchKMeansParams> {
  /** Batches processed. */
  nSteps: number | undefined;
  /** Weight of samples each centre has absorbed (its learning rate is the inverse). */
  counts: Float64Array | undefined;
  /** Samples since the last reassignment check. */
  private sinceReassign = 0;
  /** partialFit's random stream between calls (plain numbers, so a saved model can resume). */
  private randomStateWords: number[] | undefined;

  constructor(params: Partial<MiniBatchKMeansParams> = {}) {
    super(params, DEFAULTS);
  }

  protected defaultNInit(): number {
    return 3;
  }

  private checkParams(est: string): { k: number; nInit: number } {
    const p = this.params;
    const r = this.checkCommonParams(est);
    checkNumber('batchSize', p.batchSize, est, { min: 1, integer: true });
    checkBool('computeLabels', p.computeLabels, est);
    if (p.maxNoImprovement !== null) checkNumber('maxNoImprovement', p.maxNoImprovement, est, { min: 0, integer: true });
    if (p.initSize !== null) checkNumber('initSize', p.initSize, est, { min: 1, integer: true });
    checkNumber('reassignmentRatio', p.reassignmentRatio, est, { min: 0 });
    return r;
  }

  override fit(X: MatrixInput, _y?: unknown, sampleWeight?: VectorInput): this {
    const est = 'MiniBatchKMeans';
    const p = this.params;
    const { k, nInit } = this.checkParams(est);
    const data = this.prepare(X, sampleWeight, k, est);
    const { n, d } = data;
    const rng = this.generator();
    const batch = Math.min(p.batchSize, n);
    const initSize = this.initSize(batch, k, n);
    const valid = this.subset(data, randomIndices(rng, n, initSize));
    let centers: Float64Array | undefined;
    let bestInertia = Infinity;
    for (let run = 0; run < nInit; run++) {
      const init = this.initialCenters(this.subset(data, randomIndices(rng, n, initSize)), k, rng, est);
      const labels = new Int32Array(valid.n);
      assignNearest(valid.x, valid.n, d, init, k, labels);
      const value = inertia(valid.x, valid.n, d, init, labels, valid.weights);
      if (!centers || value < bestInertia) {
        centers = init;
        bestInertia = value;
      }
    }
    this.counts = new Float64Array(k);
    this.sinceReassign = 0;
    const progress: Progress = { ewaInertia: null, ewaInertiaMin: null, noImprovement: 0 };
    const tol = this.absoluteTolerance(data);
    const nSteps = Math.floor((p.maxIter * n) / batch);
    let step = 0;
    for (; step < nSteps; step++) {
      const batchData = this.subset(data, randomIndices(rng, n, batch));
      const before = p.tol > 0 ? centers!.slice() : null;
      const batchInertia = this.batchStep(batchData, centers!, k, rng);
      let shift = 0;
      if (before) for (let i = 0; i < before.length; i++) shift += (centers![i] - before[i]) ** 2;
      if (this.converged(step, n, batch, tol, shift, batchInertia, progress)) break;
    }
    this.nSteps = Math.min(step + 1, nSteps);
    const passes = Math.ceil((this.nSteps * batch) / n);
    let labels = new Int32Array(0);
    let value = (progress.ewaInertia ?? 0) * n;
    if (p.computeLabels) {
      labels = new Int32Array(n);
      assignNearest(data.x, n, d, centers!, k, labels);
      value = inertia(data.x, n, d, centers!, labels, data.weights);
    }
    this.store(data, centers!, labels, value, passes, est);
    return this;
  }

  /** Updates the centres with one batch (the first call initialises them from it). */
  partialFit(X: MatrixInput, _y?: unknown, sampleWeight?: VectorInput): this {
    const est = 'MiniBatchKMeans';
    const { k } = this.checkParams(est);
    const fresh = !this.isFitted;
    const data = this.prepareBatch(X, sampleWeight, k, est, fresh);
    const rng = new Generator(0);
    if (fresh) {
      const seed = this.generator();
      rng.setState(seed.getState());
      const initSize = this.initSize(data.n, k, data.n);
      const init = this.initialCenters(this.subset(data, randomIndices(rng, data.n, initSize)), k, rng, est);
      this.counts = new Float64Array(k);
      this.sinceReassign = 0;
      this.nSteps = 0;
      this.store(data, init, new Int32Array(0), 0, 0, est);
    } else {
      rng.setState(this.randomStateWords!);
    }
    const centers = this.clusterCenters!.data as Float64Array;
    this.batchStep(data, centers, k, rng);
    this.randomStateWords = rng.getState();
    this.nSteps! += 1;
    if (this.params.computeLabels) {
      const labels = new Int32Array(data.n);
      assignNearest(data.x, data.n, data.d, centers, k, labels);
      this.labels = labels;
      this.inertia = inertia(data.x, data.n, data.d, centers, labels, data.weights);
    }
    return this;
  }

  /** A batch for partialFit: not centred (the centres live in the caller's coordinates), width checked after the first call. */
  private prepareBatch(X: MatrixInput, sampleWeight: VectorInput | undefined, k: number, est: string, fresh: boolean): PreparedData {
    const data = fresh ? this.prepare(X, sampleWeight, k, est) : this.prepare(this.validateInput(X), sampleWeight, 1, est);
    // Undo prepare's centring: partialFit works in the original coordinates.
    const { x, n, d, mean } = data;
    shiftRows(x, n, d, mean, x, -1);
    return { ...data, mean: new Float64Array(d), xNorms: squaredRowNorms(x, n, d) };
  }

  private initSize(batch: number, k: number, n: number): number {
    let size = this.params.initSize ?? 3 * batch;
    if (size < k) size = 3 * k;
    return Math.min(size, n);
  }

  /**
   * scikit-learn's `_mini_batch_step`: assign the batch, move each centre to
   * the running mean of the samples it has absorbed, then (every
   * 10 × nClusters samples, or when a centre has none) reassign the
   * centres that absorbed too little. Returns the batch's inertia.
   */
  private batchStep(batch: PreparedData, centers: Float64Array, k: number, rng: Generator): number {
    const { x, n, d, weights } = batch;
    const counts = this.counts!;
    const labels = new Int32Array(n);
    assignNearest(x, n, d, centers, k, labels);
    const batchInertia = inertia(x, n, d, centers, labels, weights);
    const sums = new Float64Array(k * d);
    const batchWeight = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      const c = labels[i];
      batchWeight[c] += w;
      for (let j = 0; j < d; j++) sums[c * d + j] += w * x[i * d + j];
    }
    for (let c = 0; c < k; c++) {
      if (!(batchWeight[c] > 0)) continue;
      const total = counts[c] + batchWeight[c];
      for (let j = 0; j < d; j++) centers[c * d + j] = (centers[c * d + j] * counts[c] + sums[c * d + j]) / total;
      counts[c] = total;
    }
    if (this.dueForReassignment(n, k) && this.params.reassignmentRatio > 0) reassign(batch, centers, counts, k, this.params.reassignmentRatio, rng);
    return batchInertia;
  }

  private dueForReassignment(batchSize: number, k: number): boolean {
    this.sinceReassign += batchSize;
    if (this.counts!.some((c) => c === 0) || this.sinceReassign >= 10 * k) {
      this.sinceReassign = 0;
      return true;
    }
    return false;
  }

  /** scikit-learn's `_mini_batch_convergence`: tol on the centres' shift, or no improvement of the smoothed inertia. */
  private converged(step: number, n: number, batch: number, tol: number, shift: number, batchInertia: number, progress: Progress): boolean {
    const perSample = batchInertia / batch;
    if (step === 0) return false; // the first batch only follows the initialisation
    if (progress.ewaInertia === null) progress.ewaInertia = perSample;
    else {
      const alpha = Math.min((batch * 2) / (n + 1), 1);
      progress.ewaInertia = progress.ewaInertia * (1 - alpha) + perSample * alpha;
    }
    if (tol > 0 && shift <= tol) return true;
    if (progress.ewaInertiaMin === null || progress.ewaInertia < progress.ewaInertiaMin) {
      progress.noImprovement = 0;
      progress.ewaInertiaMin = progress.ewaInertia;
    } else progress.noImprovement++;
    const limit = this.params.maxNoImprovement;
    return limit !== null && progress.noImprovement >= limit;
  }
}

/** `count` indices drawn uniformly from 0..n-1 with replacement (numpy's randint). */
function randomIndices(rng: Generator, n: number, count: number): Int32Array {
  const idx = new Int32Array(count);
  for (let i = 0; i < count; i++) idx[i] = rng.randint(0, n);
  return idx;
}

/** Moves the centres that absorbed under `ratio` × the largest count to distinct random batch samples (drawn by weight). */
function reassign(batch: PreparedData, centers: Float64Array, counts: Float64Array, k: number, ratio: number, rng: Generator): void {
  const { x, n, d, weights } = batch;
  let largest = 0;
  for (let c = 0; c < k; c++) largest = Math.max(largest, counts[c]);
  const moved = new Uint8Array(k);
  for (let c = 0; c < k; c++) if (counts[c] < ratio * largest) moved[c] = 1;
  let nMoved = moved.reduce((a, b) => a + b, 0);
  if (nMoved > 0.5 * n) {
    // Keep the centres with the most samples: only the floor(n/2) least-used may move.
    const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => counts[a] - counts[b] || a - b);
    for (let r = Math.floor(0.5 * n); r < k; r++) moved[order[r]] = 0;
    nMoved = moved.reduce((a, b) => a + b, 0);
  }
  if (nMoved === 0) return;
  const available = weights ? weights.slice() : new Float64Array(n).fill(1);
  let keptMin = Infinity;
  for (let c = 0; c < k; c++) if (!moved[c]) keptMin = Math.min(keptMin, counts[c]);
  for (let c = 0; c < k; c++) {
    if (!moved[c]) continue;
    const i = drawWithoutReplacement(available, rng);
    if (i >= 0) centers.set(x.subarray(i * d, i * d + d), c * d);
    counts[c] = keptMin;
  }
}

/** An index drawn with probability proportional to `weights`, whose weight is then zeroed; -1 when none is left. */
function drawWithoutReplacement(weights: Float64Array, rng: Generator): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  if (!(total > 0)) return -1;
  let target = rng.random() * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target < 0 && weights[i] > 0) {
      weights[i] = 0;
      return i;
    }
  }
  for (let i = weights.length - 1; i >= 0; i--) {
    if (weights[i] > 0) {
      weights[i] = 0;
      return i;
    }
  }
  return -1;
}
