/**
 * Decomposition and clustering workloads (SPEC in ../shared/bench/SPEC.md),
 * on Fashion-MNIST pixels / 255 like the peer script trees_bench.py:
 * - `pca-fashion`: 60k train images, PCA with 50 components, randomized
 *   solver, randomState 0; fit_s and explained_variance_ratio_sum.
 * - `kmeans-fashion`: 60k train images, KMeans with 10 clusters, k-means++,
 *   nInit 3, randomState 0, algorithm 'elkan' (the same iterations as
 *   Lloyd's, skipping the samples the bounds settle); fit_s and
 *   inertia_per_sample.
 * `--quick` uses the first 2 000 images (as the peer's quick mode).
 * fit_s lines note the CPU seconds of the fit (every thread of the process),
 * a figure less sensitive than wall time to other load on the machine.
 */
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { KMeans } from '../src/models/cluster/index.js';
import { PCA } from '../src/models/decomposition/index.js';
import { defaultDataDir, fashionFloat64, type Emit } from './common.js';
import { cpuNote, timedWithCpu } from './cpu-time.js';

export const DECOMPOSITION_WORKLOADS = ['pca-fashion', 'kmeans-fashion'] as const;

export interface DecompositionBenchOptions {
  quick?: boolean;
  dataDir?: string;
}

export async function benchDecomposition(emit: Emit, workload: string, options: DecompositionBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const quick = options.quick ?? false;
  const { X } = await fashionFloat64(options.dataDir ?? defaultDataDir(), 'train', quick ? 2000 : undefined);
  const threads = getNumThreads();
  const partial = quick ? { partial: true } : {};
  if (workload === 'pca-fashion') {
    const { seconds, cpu, out: m } = timedWithCpu(() => new PCA({ nComponents: 50, svdSolver: 'randomized', randomState: 0 }).fit(X));
    const ratioSum = m.explainedVarianceRatio!.reduce((a, b) => a + b, 0);
    emit({ workload, impl: 'frugal', threads, metric: 'fit_s', value: seconds, note: cpuNote(cpu), ...partial });
    emit({ workload, impl: 'frugal', threads, metric: 'explained_variance_ratio_sum', value: ratioSum, ...partial });
  } else if (workload === 'kmeans-fashion') {
    const { seconds, cpu, out: m } = timedWithCpu(() => new KMeans({ nClusters: 10, nInit: 3, randomState: 0, algorithm: 'elkan' }).fit(X));
    emit({ workload, impl: 'frugal', threads, metric: 'fit_s', value: seconds, note: `elkan, n_iter=${m.nIter} (kept run); ${cpuNote(cpu)}`, ...partial });
    emit({ workload, impl: 'frugal', threads, metric: 'inertia_per_sample', value: m.inertia! / X.rows, ...partial });
  }
}
