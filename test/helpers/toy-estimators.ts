/**
 * Small estimators for testing the shared machinery (cross-validation,
 * search, pipelines, checkEstimator) independently of the real models.
 */
import { NumericalError, ValueError } from '../../src/errors.js';
import { BaseClassifier, BaseRegressor } from '../../src/models/base.js';
import { resolveGenerator, type Generator } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkSampleWeight, checkXLabels, checkXy, type Label, type LabelInput, type MatrixInput, type VectorInput } from '../../src/utils/validation.js';

export interface ToyRidgeParams {
  alpha: number;
  fitIntercept: boolean;
}

/** Ridge regression by the normal equations (Gaussian elimination). */
export class ToyRidge extends BaseRegressor<ToyRidgeParams> {
  coef: Float64Array | undefined;
  intercept = 0;
  /** Whether fit throws on non-finite coefficients (a broken subclass in the tests turns it off). */
  protected rejectsNonFinite = true;

  constructor(params: Partial<ToyRidgeParams> = {}) {
    super(params, { alpha: 1, fitIntercept: true });
  }

  override fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): this {
    const { alpha, fitIntercept } = this.params;
    if (!(alpha >= 0)) throw new ValueError(`alpha must be >= 0, got ${alpha}`);
    const { X: m, y: v } = checkXy(X, y);
    const w = checkSampleWeight(sampleWeight, m.rows);
    const { rows, cols, data } = m;
    const xm = new Float64Array(cols);
    let ym = 0;
    let sw = 0;
    if (fitIntercept) {
      for (let i = 0; i < rows; i++) {
        const wi = w ? w[i] : 1;
        sw += wi;
        ym += wi * v[i];
        for (let j = 0; j < cols; j++) xm[j] += wi * data[i * cols + j];
      }
      ym /= sw;
      for (let j = 0; j < cols; j++) xm[j] /= sw;
    }
    const A = new Float64Array(cols * (cols + 1));
    for (let i = 0; i < rows; i++) {
      const wi = w ? w[i] : 1;
      for (let a = 0; a < cols; a++) {
        const xa = data[i * cols + a] - xm[a];
        for (let b = 0; b < cols; b++) A[a * (cols + 1) + b] += wi * xa * (data[i * cols + b] - xm[b]);
        A[a * (cols + 1) + cols] += wi * xa * (v[i] - ym);
      }
    }
    for (let a = 0; a < cols; a++) A[a * (cols + 1) + a] += alpha;
    this.coef = solve(A, cols);
    let b = ym;
    for (let j = 0; j < cols; j++) b -= xm[j] * this.coef[j];
    this.intercept = fitIntercept ? b : 0;
    if (this.rejectsNonFinite && (!this.coef.every(Number.isFinite) || !Number.isFinite(this.intercept))) {
      throw new NumericalError('ToyRidge: the normal equations overflowed (non-finite coefficients); scale the features');
    }
    this.nFeaturesIn = cols;
    this.markFitted();
    return this;
  }

  override predict(X: MatrixInput): Float64Array {
    const m = this.validateInput(X);
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let s = this.intercept;
      for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] * this.coef![j];
      out[i] = s;
    }
    return out;
  }
}

function solve(A: Float64Array, n: number): Float64Array {
  const w = n + 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * w + c]) > Math.abs(A[p * w + c])) p = r;
    if (p !== c) for (let k = 0; k < w; k++) [A[c * w + k], A[p * w + k]] = [A[p * w + k], A[c * w + k]];
    const d = A[c * w + c] || 1e-300;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r * w + c] / d;
      for (let k = c; k < w; k++) A[r * w + k] -= f * A[c * w + k];
    }
  }
  return Float64Array.from({ length: n }, (_, i) => A[i * w + n] / (A[i * w + i] || 1e-300));
}

export interface ToyCentroidParams {
  /** Random jitter added to the centroids (exercises randomState). */
  jitter: number;
  randomState: number | Generator | null;
  /** Sharpness of predictProba (softmax of -distance² / temperature). */
  temperature: number;
}

/** Nearest-centroid classifier with softmax probabilities. */
export class ToyCentroidClassifier extends BaseClassifier<ToyCentroidParams> {
  centroids: Float64Array | undefined;

  constructor(params: Partial<ToyCentroidParams> = {}) {
    super(params, { jitter: 0, randomState: null, temperature: 1 });
  }

  override fit(X: MatrixInput, y: LabelInput): this {
    const { X: m, y: codes, classes } = checkXLabels(X, y, 'ToyCentroidClassifier');
    const k = classes.length;
    const c = new Float64Array(k * m.cols);
    const counts = new Float64Array(k);
    for (let i = 0; i < m.rows; i++) {
      counts[codes[i]]++;
      for (let j = 0; j < m.cols; j++) c[codes[i] * m.cols + j] += m.data[i * m.cols + j];
    }
    for (let a = 0; a < k; a++) for (let j = 0; j < m.cols; j++) c[a * m.cols + j] /= counts[a];
    if (this.params.jitter > 0) {
      const rng = resolveGenerator(this.params.randomState ?? undefined);
      for (let i = 0; i < c.length; i++) c[i] += this.params.jitter * rng.normal();
    }
    this.centroids = c;
    this.classes = classes;
    this.nFeaturesIn = m.cols;
    this.markFitted();
    return this;
  }

  private distances(X: MatrixInput): { d: Float64Array; n: number; k: number } {
    const m = this.validateInput(X);
    const k = this.classes!.length;
    const d = new Float64Array(m.rows * k);
    for (let i = 0; i < m.rows; i++) {
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let j = 0; j < m.cols; j++) {
          const t = m.data[i * m.cols + j] - this.centroids![a * m.cols + j];
          s += t * t;
        }
        if (!Number.isFinite(s)) throw new NumericalError('ToyCentroidClassifier: a squared distance overflowed; scale the features');
        d[i * k + a] = s;
      }
    }
    return { d, n: m.rows, k };
  }

  override predict(X: MatrixInput): Label[] {
    const { d, n, k } = this.distances(X);
    const out: Label[] = [];
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let a = 1; a < k; a++) if (d[i * k + a] < d[i * k + best]) best = a;
      out.push(this.classes![best]);
    }
    return out;
  }

  predictProba(X: MatrixInput): Tensor {
    const { d, n, k } = this.distances(X);
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      let mn = Infinity;
      for (let a = 0; a < k; a++) mn = Math.min(mn, d[i * k + a]);
      let s = 0;
      for (let a = 0; a < k; a++) s += out[i * k + a] = Math.exp(-(d[i * k + a] - mn) / this.params.temperature);
      for (let a = 0; a < k; a++) out[i * k + a] /= s;
    }
    return new Tensor(out, [n, k]);
  }
}
