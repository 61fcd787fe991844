/**
 * Truncated SVD (latent semantic analysis) with scikit-learn's parameters
 * and numbers (`sklearn.decomposition.TruncatedSVD`, 1.5 semantics): unlike
 * PCA the data are not centred. 'randomized' runs the randomized SVD;
 * 'arpack' (scikit-learn's Lanczos solver) is replaced by the exact SVD
 * ('full' is accepted as its name), which gives what ARPACK converges to.
 */
import { ValueError } from '../../errors.js';
import { svdRaw } from '../../linalg/svd.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { toMatrix, type MatrixInput } from '../../utils/validation.js';
import { BaseTransformer } from '../base.js';
import { checkFinite } from '../finite.js';
import { checkChoice, checkNumber } from '../linear/common.js';
import type { PowerIterationNormalizer } from './pca.js';
import { columnVariances } from './columns.js';
import { flipSignsByComponents, product, randomizedSVD } from './randomized-svd.js';

export interface TruncatedSVDParams {
  /** Components to keep (default 2). */
  nComponents: number;
  /** 'randomized' (default) or the exact SVD ('arpack' / 'full'). */
  algorithm: 'randomized' | 'arpack' | 'full';
  /** Power iterations of the randomized solver (default 5). */
  nIter: number;
  /** Extra random directions of the randomized solver (default 10). */
  nOversamples: number;
  /** Re-orthonormalisation between power iterations ('auto': QR when more than 2 iterations). */
  powerIterationNormalizer: PowerIterationNormalizer;
  randomState: number | Generator | null;
}

const DEFAULTS: TruncatedSVDParams = { nComponents: 2, algorithm: 'randomized', nIter: 5, nOversamples: 10, powerIterationNormalizer: 'auto', randomState: null };

/** Dimensionality reduction by the leading singular vectors of X itself (no centring; suits sparse counts). */
export class TruncatedSVD extends BaseTransformer<TruncatedSVDParams> {
  /** Right singular vectors, one per row: [nComponents, nFeatures]. */
  components: Tensor | undefined;
  /** Variance (ddof 0) of the training data along each component. */
  explainedVariance: Float64Array | undefined;
  /** explainedVariance over the total variance of the training data. */
  explainedVarianceRatio: Float64Array | undefined;
  singularValues: Float64Array | undefined;

  constructor(params: Partial<TruncatedSVDParams> = {}) {
    super(params, DEFAULTS);
  }

  override fit(X: MatrixInput, y?: unknown): this {
    this.fitTransform(X, y);
    return this;
  }

  /** Fits and returns U·S, the training data in component space. */
  override fitTransform(X: MatrixInput, _y?: unknown): Tensor {
    const p = this.params;
    const est = 'TruncatedSVD';
    const algorithm = checkChoice('algorithm', p.algorithm, ['randomized', 'arpack', 'full'] as const, est);
    checkNumber('nIter', p.nIter, est, { min: 0, max: 1000, integer: true });
    checkNumber('nOversamples', p.nOversamples, est, { min: 1, integer: true });
    const normalizer = checkChoice('powerIterationNormalizer', p.powerIterationNormalizer, ['auto', 'QR', 'none'] as const, est);
    const m = toMatrix(X);
    const { rows: n, cols: d } = m;
    const k = checkNumber('nComponents', p.nComponents, est, { min: 1, integer: true });
    const bound = algorithm === 'randomized' ? d : d - 1;
    if (k > bound) throw new ValueError(`TruncatedSVD: nComponents=${k} must be ${algorithm === 'randomized' ? 'at most' : 'below'} the ${d} features`);
    if (k > n) throw new ValueError(`TruncatedSVD: nComponents=${k} must be at most the ${n} samples`);
    let u: Float64Array, s: Float64Array, vt: Float64Array;
    if (algorithm === 'randomized') {
      const normalize = normalizer === 'QR' || (normalizer === 'auto' && p.nIter > 2);
      ({ u, s, vt } = randomizedSVD(m.data, n, d, k, { nOversamples: p.nOversamples, nIter: p.nIter, normalize, rng: resolveGenerator(p.randomState) }));
    } else {
      const r = svdRaw(m.data, n, d, 'reduced', est);
      s = r.s.slice(0, k);
      vt = r.vt.slice(0, k * d);
      u = new Float64Array(n * k);
      for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) u[i * k + c] = r.u[i * r.ucols + c];
    }
    flipSignsByComponents(vt, k, d, u, n);
    const projected = u;
    for (let i = 0; i < projected.length; i++) projected[i] *= s[i % k];
    const explainedVariance = columnVariances(projected, n, k);
    let total = 0;
    for (const v of columnVariances(m.data, n, d)) total += v;
    checkFinite(est, 'the explained variance', explainedVariance);
    this.components = new Tensor(vt, [k, d]);
    this.singularValues = s;
    this.explainedVariance = explainedVariance;
    this.explainedVarianceRatio = explainedVariance.map((v) => v / total);
    this.markFitted(d);
    return new Tensor(projected, [n, k]);
  }

  /** X·componentsᵀ, [nSamples, nComponents]. */
  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X);
    const k = this.components!.shape[0];
    return new Tensor(product(m.data, this.components!.data as Float64Array, m.rows, k, m.cols, false, true), [m.rows, k]);
  }

  /** Z·components, back in feature space. */
  inverseTransform(Z: MatrixInput): Tensor {
    this.checkFitted();
    const [k, d] = this.components!.shape;
    const z = toMatrix(Z, { name: 'Z' });
    if (z.cols !== k) throw new ValueError(`TruncatedSVD.inverseTransform: Z has ${z.cols} columns but the model keeps ${k} components`);
    return new Tensor(product(z.data, this.components!.data as Float64Array, z.rows, d, k), [z.rows, d]);
  }
}
