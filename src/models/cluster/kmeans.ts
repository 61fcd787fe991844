/**
 * k-means clustering with scikit-learn's parameters and numbers
 * (`sklearn.cluster.KMeans`): k-means++ or random initialisation, nInit
 * runs of Lloyd's algorithm, the run of least inertia kept. Distances go
 * through the backend's GEMM on every core.
 */
import { withResidentOperand } from '../../backend/index.js';
import type { MatrixInput, VectorInput } from '../../utils/validation.js';
import { checkChoice } from '../linear/common.js';
import { BaseKMeans, sameClustering, type KMeansCommonParams } from './kmeans-base.js';
import { elkan } from './elkan.js';
import { lloyd, type KMeansRun } from './lloyd.js';

export interface KMeansParams extends KMeansCommonParams {
  /**
   * 'lloyd' (default): every sample against every centre at each iteration,
   * through the GEMM. 'elkan': the same iterations, skipping the samples
   * that triangle-inequality bounds settle; the same clustering (up to exact
   * ties), much faster once few samples change cluster, with n × k bounds
   * kept in memory (beyond 2^26 of them, Lloyd's iterations run instead).
   */
  algorithm: 'lloyd' | 'elkan';
}

const DEFAULTS: KMeansParams = { nClusters: 8, init: 'k-means++', nInit: 'auto', maxIter: 300, tol: 1e-4, randomState: null, algorithm: 'lloyd' };

/** Partitions samples into k clusters of least within-cluster sum of squares. */
export class KMeans extends BaseKMeans<KMeansParams> {
  constructor(params: Partial<KMeansParams> = {}) {
    super(params, DEFAULTS);
  }

  protected defaultNInit(): number {
    return 10;
  }

  override fit(X: MatrixInput, _y?: unknown, sampleWeight?: VectorInput): this {
    const est = 'KMeans';
    const { k, nInit } = this.checkCommonParams(est);
    const algorithm = checkChoice('algorithm', this.params.algorithm, ['lloyd', 'elkan'] as const, est);
    const data = this.prepare(X, sampleWeight, k, est);
    const tol = this.absoluteTolerance(data);
    const rng = this.generator();
    // Every initialisation and iteration multiplies by the same X: keep it in the backend's memory meanwhile.
    const best = withResidentOperand(data.x, () => {
      let kept: KMeansRun | undefined;
      for (let run = 0; run < nInit; run++) {
        const init = this.initialCenters(data, k, rng, est);
        const options = { maxIter: this.params.maxIter, tol, weights: data.weights };
        const r = algorithm === 'elkan' ? elkan(data.x, data.n, data.d, init, k, options, data.xNorms) : lloyd(data.x, data.n, data.d, init, k, options);
        if (!kept || (r.inertia < kept.inertia && !sameClustering(r.labels, kept.labels, k))) kept = r;
      }
      return kept!;
    });
    this.store(data, best.centers, best.labels, best.inertia, best.nIter, est);
    return this;
  }
}
