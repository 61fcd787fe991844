/**
 * `hgb-digits` (../shared/bench/SPEC.md, "Trees, neighbours, decompositions"):
 * digits train 1437 / test 360 (row i is test when i % 5 == 0), pixels / 16;
 * HistGradientBoostingClassifier, multinomial, 100 iterations, learning
 * rate 0.1, 31 leaves, 255 bins, no early stopping. Metrics fit_s (median of
 * the repetitions, default 3, after one warm-up fit), predict_s, test_acc.
 * `--quick`: 10 iterations, one repetition (lines tagged quick). The large
 * nodes' histograms run on the wasm backend's threads (all cores unless
 * `--threads N`); the fit_s note adds the process's CPU seconds per fit.
 *
 * Run alone: `node dist/bench/hgb.js [--reps N] [--quick] [--threads N]`.
 */
import { pathToFileURL } from 'node:url';
import { getNumThreads, setNumThreads, warmUpThreads } from '../src/backend/index.js';
import { HistGradientBoostingClassifier } from '../src/models/ensemble/index.js';
import { accuracy, defaultDataDir, digitsSplit, timed, type Emit } from './common.js';

export interface HgbBenchOptions {
  dataDir?: string;
  reps?: number;
  quick?: boolean;
  /** Threads of the wasm backend (default: as configured, all cores). */
  threads?: number;
}

export const HGB_WORKLOADS = ['hgb-digits'] as const;

export async function benchHgbDigits(emit: Emit, options: HgbBenchOptions = {}): Promise<void> {
  const { Xtr, ytr, Xte, yte } = digitsSplit(options.dataDir ?? defaultDataDir());
  const quick = options.quick ?? false;
  const reps = options.reps ?? (quick ? 1 : 3);
  const maxIter = quick ? 10 : 100;
  const fitOnce = (): HistGradientBoostingClassifier =>
    new HistGradientBoostingClassifier({ maxIter, learningRate: 0.1, maxLeafNodes: 31, maxBins: 255, earlyStopping: false }).fit(Xtr, ytr);
  const savedThreads = getNumThreads();
  if (options.threads !== undefined) setNumThreads(options.threads);
  await warmUpThreads();
  if (!quick) fitOnce(); // warm-up: V8 compiles the histogram and split loops
  const cpuBefore = process.cpuUsage();
  const { seconds, out: model } = timed(reps, fitOnce);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerFit = (cpu.user + cpu.system) / 1e6 / reps;
  const predicted = timed(quick ? 1 : 5, () => model.predict(Xte));
  const threads = getNumThreads();
  setNumThreads(savedThreads); // the large nodes' histograms (the fit's hot loop) run on them; the rest on the calling thread
  const tag = quick ? { quick: true } : {};
  emit({
    workload: 'hgb-digits',
    impl: 'frugal',
    threads,
    metric: 'fit_s',
    value: seconds,
    ...tag,
    note: `median of ${reps}${quick ? '' : ' after a warm-up fit'}; ${model.nIter} iterations; ${cpuPerFit.toFixed(2)} CPU s per fit`,
  });
  emit({ workload: 'hgb-digits', impl: 'frugal', threads, metric: 'predict_s', value: predicted.seconds, ...tag });
  emit({ workload: 'hgb-digits', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(predicted.out, yte), ...tag });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const numberAfter = (flag: string): number | undefined => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : undefined);
  await benchHgbDigits((line) => console.log(JSON.stringify(line)), { quick: args.includes('--quick'), reps: numberAfter('--reps'), threads: numberAfter('--threads') });
  process.exit(0);
}
