/**
 * The neighbours workload of bench/SPEC.md ("Trees, neighbours, decompositions"):
 *
 * - `knn-fashion`: Fashion-MNIST 60k train / 10k test (pixels / 255, float64,
 *   as the scikit-learn peer reads them), KNeighborsClassifier with 5
 *   neighbours, euclidean, brute force, uniform weights: `predict_s`
 *   (wall-clock seconds of `predict` on the test set), `test_acc`.
 *
 * `--quick`: 2 000 train / 500 test rows (lines tagged quick).
 *
 * Run alone: `node dist/bench/neighbors.js [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { KNeighborsClassifier } from '../src/models/neighbors/index.js';
import { accuracy, defaultDataDir, type Emit, fashionFloat64 } from './common.js';
import { cpuNote, timedWithCpu } from './cpu-time.js';

export const NEIGHBORS_WORKLOADS = ['knn-fashion'] as const;

export async function benchKnnFashion(emit: Emit, options: { dataDir?: string; quick?: boolean } = {}): Promise<void> {
  await warmUpWasmThreads();
  const dataDir = options.dataDir ?? defaultDataDir();
  const quick = options.quick ?? false;
  const train = await fashionFloat64(dataDir, 'train', quick ? 2000 : undefined);
  const test = await fashionFloat64(dataDir, 't10k', quick ? 500 : undefined);
  const model = new KNeighborsClassifier({ nNeighbors: 5, algorithm: 'brute', weights: 'uniform', metric: 'euclidean' }).fit(train.X, train.y);
  const { seconds, cpu, out: pred } = timedWithCpu(() => model.predict(test.X));
  const threads = getNumThreads();
  const tag = quick ? { quick: true } : {};
  emit({
    workload: 'knn-fashion',
    impl: 'frugal',
    threads,
    metric: 'predict_s',
    value: seconds,
    ...tag,
    note: `brute force: float32 GEMM screen (||y||² - 2x·y with a certain error bound) in blocks, candidates decided in float64, top-5 per row; ${cpuNote(cpu)}`,
  });
  emit({ workload: 'knn-fashion', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(pred, test.y), ...tag });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchKnnFashion((line) => console.log(JSON.stringify(line)), { quick: process.argv.includes('--quick') });
  process.exit(0);
}
