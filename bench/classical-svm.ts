/**
 * The SVM workloads of bench/SPEC.md ("Classical extras" and `svc-fashion`):
 *
 * - `svc-digits`: digits train 1437 / test 360 (row i is test when i % 5 == 0,
 *   features / 16), SVC RBF C = 10 gamma 'scale': `fit_s`, `test_acc`.
 * - `svc-fashion`: Fashion-MNIST first 10 000 train rows / full 10k test
 *   (pixels / 255), SVC RBF C = 10 gamma 'scale': `fit_s`, `predict_s`, `test_acc`,
 *   `peak_rss_mb` (the process's peak resident memory, data included).
 * - `linsvc-fashion`: Fashion-MNIST 60k / 10k, LinearSVC C = 1, L2, squared
 *   hinge, one-vs-rest: `fit_s`, `test_acc`.
 *
 * Times are wall-clock seconds after data loading, the median of `reps`
 * repetitions (default 1; svc-digits 7). Data are read as float64 exactly as
 * the scikit-learn peer reads them (same scaling, same split).
 *
 * Run alone: `node dist/bench/classical-svm.js [--workloads svc-digits,svc-fashion] [--reps N] [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { accuracy, defaultDataDir, digitsSplit, fashionFloat64, timed, type Emit } from './common.js';
import { SVC } from '../src/models/svm/svc.js';
import { LinearSVC } from '../src/models/svm/linear-svc.js';

export interface SvmBenchOptions {
  /** Folder with digits.csv and fashion-mnist/ (default: ../shared/data next to the repository, or $FRUGAL_DATA). */
  dataDir?: string;
  /** Repetitions (median reported). */
  reps?: number;
  /** Small sizes for a smoke run (lines tagged partial). */
  quick?: boolean;
}

export const SVM_WORKLOADS = ['svc-digits', 'svc-fashion', 'linsvc-fashion'] as const;

/** Fits before timing svc-digits: V8 tiers the SMO loops up over the first few. */
const WARMUP_FITS = 10;

/** svc-digits. */
export async function benchSvcDigits(emit: Emit, options: SvmBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const { Xtr, ytr, Xte, yte } = digitsSplit(options.dataDir ?? defaultDataDir());
  const reps = options.reps ?? 7;
  // V8 needs a few fits to finish compiling the solver; time the steady state a repeated fit
  // (cross-validation, grid search) sees, and report the first fit of the process beside it.
  const fitOnce = (): SVC => new SVC({ kernel: 'rbf', C: 10, gamma: 'scale' }).fit(Xtr, ytr);
  const first = timed(1, fitOnce).seconds;
  for (let i = 0; i < WARMUP_FITS - 1; i++) fitOnce();
  const { seconds, out: m } = timed(reps, fitOnce);
  const threads = getNumThreads();
  const nSV = m.support!.length;
  emit({
    workload: 'svc-digits',
    impl: 'frugal',
    threads,
    metric: 'fit_s',
    value: seconds,
    note: `SMO (libsvm WSS3), n_SV=${nSV}, median of ${reps} after ${WARMUP_FITS} warm-up fits; first fit ${first.toFixed(3)} s`,
  });
  emit({ workload: 'svc-digits', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(m.predict(Xte), yte) });
}

/** svc-fashion. */
export async function benchSvcFashion(emit: Emit, options: SvmBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const dir = options.dataDir ?? defaultDataDir();
  const quick = options.quick ?? false;
  const [{ X: Xtr, y: ytr }, { X: Xte, y: yte }] = await Promise.all([fashionFloat64(dir, 'train', quick ? 1000 : 10_000), fashionFloat64(dir, 't10k', quick ? 1000 : undefined)]);
  const reps = options.reps ?? 1;
  const threads = getNumThreads();
  const fit = timed(reps, () => new SVC({ kernel: 'rbf', C: 10, gamma: 'scale' }).fit(Xtr, ytr));
  const m = fit.out;
  const pred = timed(reps, () => m.predict(Xte));
  const partial = quick ? { partial: true } : {};
  emit({ workload: 'svc-fashion', impl: 'frugal', threads, metric: 'fit_s', value: fit.seconds, note: `n_SV=${m.support!.length}`, ...partial });
  emit({ workload: 'svc-fashion', impl: 'frugal', threads, metric: 'predict_s', value: pred.seconds, ...partial });
  emit({ workload: 'svc-fashion', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(pred.out, yte), ...partial });
  // the process's peak resident memory so far (data loading included), in MB: the kernel cache is bounded by cacheSize (200 MB)
  emit({ workload: 'svc-fashion', impl: 'frugal', threads, metric: 'peak_rss_mb', value: process.resourceUsage().maxRSS / 1024, ...partial });
}

/** linsvc-fashion. */
export async function benchLinsvcFashion(emit: Emit, options: SvmBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const dir = options.dataDir ?? defaultDataDir();
  const quick = options.quick ?? false;
  const [{ X: Xtr, y: ytr }, { X: Xte, y: yte }] = await Promise.all([
    fashionFloat64(dir, 'train', quick ? 5000 : undefined),
    fashionFloat64(dir, 't10k', quick ? 1000 : undefined),
  ]);
  const reps = options.reps ?? 1;
  const threads = 1; // liblinear's solvers are sequential loops (plain TypeScript here)
  const fit = timed(reps, () => new LinearSVC({ C: 1 }).fit(Xtr, ytr));
  const m = fit.out;
  const partial = quick ? { partial: true } : {};
  emit({
    workload: 'linsvc-fashion',
    impl: 'frugal',
    threads,
    metric: 'fit_s',
    value: fit.seconds,
    note: `LinearSVC dual=${String(m.dualUsed)}, squared hinge, OvR, n_iter=${m.nIter}${m.converged ? '' : ', not converged'}`,
    ...partial,
  });
  emit({ workload: 'linsvc-fashion', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(m.predict(Xte), yte), ...partial });
}

/** Runs the named SVM workloads (default: all three) in order. */
export async function benchClassicalSvm(emit: Emit, workloads: readonly string[] = SVM_WORKLOADS, options: SvmBenchOptions = {}): Promise<void> {
  for (const w of workloads) {
    if (w === 'svc-digits') await benchSvcDigits(emit, options);
    else if (w === 'svc-fashion') await benchSvcFashion(emit, options);
    else if (w === 'linsvc-fashion') await benchLinsvcFashion(emit, options);
  }
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const workloads = flag('--workloads')?.split(',') ?? [...SVM_WORKLOADS];
  const reps = flag('--reps') ? Number(flag('--reps')) : undefined;
  await benchClassicalSvm((line) => console.log(JSON.stringify(line)), workloads, { reps, quick: process.argv.includes('--quick') });
  process.exit(0);
}
