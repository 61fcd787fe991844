/**
 * The tree workloads of bench/SPEC.md ("Trees, neighbours, decompositions"):
 *
 * - `rf-fashion`: Fashion-MNIST first 10 000 train rows / full 10k test
 *   (pixels / 255), random forest of 100 trees, sqrt(784) = 28 features per
 *   split, bootstrap, every core: `fit_s`, `predict_s`, `test_acc`.
 *   `--quick`: 1 000 / 1 000 rows, 20 trees (lines tagged partial).
 *
 * Times are wall-clock seconds after data loading. The forest is seeded
 * (randomState 0), so test_acc is the same on any number of threads.
 *
 * Run alone: `node dist/bench/trees.js [--quick] [--threads N]`.
 */
import { pathToFileURL } from 'node:url';
import { hardwareConcurrency } from '../src/platform/threads.js';
import { RandomForestClassifier } from '../src/models/tree/index.js';
import { accuracy, defaultDataDir, fashionFloat64, timed, type Emit } from './common.js';

export const TREE_WORKLOADS = ['rf-fashion'] as const;

export interface TreeBenchOptions {
  dataDir?: string;
  quick?: boolean;
  /** Threads (default: every core). */
  threads?: number;
}

/** rf-fashion. */
export async function benchRfFashion(emit: Emit, options: TreeBenchOptions = {}): Promise<void> {
  const dir = options.dataDir ?? defaultDataDir();
  const quick = options.quick ?? false;
  const [{ X: Xtr, y: ytr }, { X: Xte, y: yte }] = await Promise.all([fashionFloat64(dir, 'train', quick ? 1000 : 10_000), fashionFloat64(dir, 't10k', quick ? 1000 : undefined)]);
  const threads = options.threads ?? hardwareConcurrency();
  const nEstimators = quick ? 20 : 100;
  const fit = timed(1, () => new RandomForestClassifier({ nEstimators, maxFeatures: 'sqrt', bootstrap: true, nJobs: threads, randomState: 0 }).fit(Xtr, ytr));
  const m = fit.out;
  const pred = timed(1, () => m.predict(Xte));
  let nodes = 0;
  for (const t of m.trees!) nodes += t.nodeCount;
  const partial = quick ? { partial: true } : {};
  emit({
    workload: 'rf-fashion',
    impl: 'frugal',
    threads,
    metric: 'fit_s',
    value: fit.seconds,
    note: `${nEstimators} trees, ${(nodes / nEstimators).toFixed(0)} nodes per tree`,
    ...partial,
  });
  emit({ workload: 'rf-fashion', impl: 'frugal', threads, metric: 'predict_s', value: pred.seconds, ...partial });
  emit({ workload: 'rf-fashion', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(pred.out, yte), ...partial });
}

/** Runs the named tree workloads in order. */
export async function benchTrees(emit: Emit, workloads: readonly string[] = TREE_WORKLOADS, options: TreeBenchOptions = {}): Promise<void> {
  for (const w of workloads) if (w === 'rf-fashion') await benchRfFashion(emit, options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--threads');
  const threads = i > 0 ? Number(process.argv[i + 1]) : undefined;
  await benchTrees((line) => console.log(JSON.stringify(line)), TREE_WORKLOADS, { quick: process.argv.includes('--quick'), threads });
  process.exit(0);
}
