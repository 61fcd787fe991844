/**
 * The linear-model workloads of bench/SPEC.md:
 *
 * - `linreg-synth`: X 100 000 × 100 and y = X·w + 0.1·noise from the
 *   portable normal stream of peers/classical/common.js (seed 42; w, then X
 *   row-major, then the noise), row i test when i % 5 == 0 (80 000 train /
 *   20 000 test); ordinary least squares with intercept: `fit_s`, `test_r2`.
 * - `logreg-fashion`: Fashion-MNIST 60k / 10k, pixels / 255; multinomial
 *   logistic regression, L2, C = 1, lbfgs until converged (maxIter 10 000,
 *   tol 1e-4, as the scikit-learn peer): `fit_s`, `test_acc`, and
 *   `iter_ms` (fit time per iteration).
 * - `ridge-digits-cv`: digits train part (1437 rows, features / 16), 5-fold
 *   cross-validation with train-part row j in fold j % 5, multinomial
 *   logistic regression C = 1 until converged: `cv_acc_mean`, `cv_s`.
 *
 * Times are wall-clock seconds after data loading, the median of `reps`
 * repetitions (linreg-synth 5, ridge-digits-cv 7, logreg-fashion 1 by default).
 *
 * Run alone: `node dist/bench/classical-linear.js [--workloads linreg-synth,ridge-digits-cv] [--reps N] [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { accuracy, defaultDataDir, digitsSplit, fashionFloat64, timed, type Emit } from './common.js';
import { LinearRegression } from '../src/models/linear/least-squares.js';
import { LogisticRegression } from '../src/models/linear/logistic.js';
import type { Matrix } from '../src/utils/validation.js';

export interface LinearBenchOptions {
  /** Folder with digits.csv and fashion-mnist/ (default: $FRUGAL_DATA or ../shared/data next to the repository). */
  dataDir?: string;
  /** Repetitions (median reported); the default depends on the workload. */
  reps?: number;
  /** Small sizes for a smoke run (lines tagged partial). */
  quick?: boolean;
}

export const LINEAR_WORKLOADS = ['linreg-synth', 'ridge-digits-cv', 'logreg-fashion'] as const;

// ---------------------------------------------------------------- data

/** peers/classical/common.js `lowbias32`. */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The portable normal stream of peers/classical/common.js (`normalStream`), bit for bit. */
export function normalStream(seed: number): () => number {
  let k = 0;
  const off = Math.imul(seed, 0x9e3779b9) >>> 0;
  return () => {
    const r1 = lowbias32((k + off) >>> 0);
    const r2 = lowbias32((k + 1 + off) >>> 0);
    k += 2;
    const u1 = (r1 + 1) / 4294967296;
    const u2 = r2 / 4294967296;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

/** linreg-synth data: w, then X row-major, then the noise; row i is test when i % 5 == 0. */
export function makeLinregSynth(n = 100_000, d = 100, seed = 42): { Xtr: Matrix; ytr: Float64Array; Xte: Matrix; yte: Float64Array } {
  const next = normalStream(seed);
  const w = new Float64Array(d);
  for (let j = 0; j < d; j++) w[j] = next();
  const X = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) X[i] = next();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j] * w[j];
    y[i] = s + 0.1 * next();
  }
  const nte = Math.ceil(n / 5),
    ntr = n - nte;
  const Xtr = new Float64Array(ntr * d),
    Xte = new Float64Array(nte * d);
  const ytr = new Float64Array(ntr),
    yte = new Float64Array(nte);
  let a = 0,
    b = 0;
  for (let i = 0; i < n; i++) {
    const row = X.subarray(i * d, i * d + d);
    if (i % 5 === 0) {
      Xte.set(row, b * d);
      yte[b++] = y[i];
    } else {
      Xtr.set(row, a * d);
      ytr[a++] = y[i];
    }
  }
  return { Xtr: { data: Xtr, rows: ntr, cols: d }, ytr, Xte: { data: Xte, rows: nte, cols: d }, yte };
}

function rowsOf(X: Matrix, idx: number[]): Matrix {
  const d = X.cols;
  const out = new Float64Array(idx.length * d);
  idx.forEach((r, k) => out.set(X.data.subarray(r * d, r * d + d), k * d));
  return { data: out, rows: idx.length, cols: d };
}

// ---------------------------------------------------------------- workloads

/** linreg-synth. */
export async function benchLinregSynth(emit: Emit, options: LinearBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const quick = options.quick ?? false;
  const { Xtr, ytr, Xte, yte } = makeLinregSynth(quick ? 10_000 : 100_000);
  const reps = options.reps ?? 5;
  new LinearRegression().fit(Xtr, ytr); // JIT warm-up
  const { seconds, out: m, all } = timed(reps, () => new LinearRegression().fit(Xtr, ytr));
  const threads = getNumThreads();
  const partial = quick ? { partial: true } : {};
  emit({ workload: 'linreg-synth', impl: 'frugal', threads, metric: 'fit_s', value: seconds, note: `lstsq, median of ${reps} (min ${Math.min(...all).toFixed(3)})`, ...partial });
  emit({ workload: 'linreg-synth', impl: 'frugal', threads, metric: 'test_r2', value: m.score(Xte, yte), ...partial });
}

/** logreg-fashion. */
export async function benchLogregFashion(emit: Emit, options: LinearBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const dir = options.dataDir ?? defaultDataDir();
  const quick = options.quick ?? false;
  const [tr, te] = await Promise.all([fashionFloat64(dir, 'train', quick ? 5000 : undefined), fashionFloat64(dir, 't10k', quick ? 1000 : undefined)]);
  const reps = options.reps ?? 1;
  const { seconds, out: m } = timed(reps, () => new LogisticRegression({ C: 1, maxIter: 10_000 }).fit(tr.X, tr.y));
  const threads = getNumThreads();
  const partial = quick ? { partial: true } : {};
  const nIter = m.nIter![0];
  const note = `lbfgs multinomial, n_iter=${nIter}, tol=1e-4${m.converged ? '' : ', not converged'}`;
  emit({ workload: 'logreg-fashion', impl: 'frugal', threads, metric: 'fit_s', value: seconds, note, ...partial });
  emit({ workload: 'logreg-fashion', impl: 'frugal', threads, metric: 'iter_ms', value: (1000 * seconds) / Math.max(1, nIter), ...partial });
  emit({ workload: 'logreg-fashion', impl: 'frugal', threads, metric: 'test_acc', value: accuracy(m.predict(te.X), te.y), ...partial });
}

/** ridge-digits-cv (multinomial logistic regression, 5 folds j % 5). */
export async function benchRidgeDigitsCv(emit: Emit, options: LinearBenchOptions = {}): Promise<void> {
  await warmUpWasmThreads();
  const { Xtr: X, ytr: y } = digitsSplit(options.dataDir ?? defaultDataDir());
  const reps = options.reps ?? 7;
  const cv = (): number[] => {
    const scores: number[] = [];
    for (let f = 0; f < 5; f++) {
      const tr: number[] = [],
        va: number[] = [];
      for (let j = 0; j < X.rows; j++) (j % 5 === f ? va : tr).push(j);
      const m = new LogisticRegression({ C: 1, maxIter: 10_000 }).fit(
        rowsOf(X, tr),
        tr.map((j) => y[j]),
      );
      scores.push(
        accuracy(
          m.predict(rowsOf(X, va)),
          va.map((j) => y[j]),
        ),
      );
    }
    return scores;
  };
  cv(); // JIT warm-up
  const { seconds, out: scores } = timed(reps, cv);
  const threads = getNumThreads();
  emit({ workload: 'ridge-digits-cv', impl: 'frugal', threads, metric: 'cv_acc_mean', value: scores.reduce((a, b) => a + b, 0) / scores.length });
  emit({ workload: 'ridge-digits-cv', impl: 'frugal', threads, metric: 'cv_s', value: seconds, note: `median of ${reps}` });
}

/** Runs the named linear workloads (default: all three) in order. */
export async function benchClassicalLinear(emit: Emit, workloads: readonly string[] = LINEAR_WORKLOADS, options: LinearBenchOptions = {}): Promise<void> {
  for (const w of workloads) {
    if (w === 'linreg-synth') await benchLinregSynth(emit, options);
    else if (w === 'logreg-fashion') await benchLogregFashion(emit, options);
    else if (w === 'ridge-digits-cv') await benchRidgeDigitsCv(emit, options);
  }
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const workloads = flag('--workloads')?.split(',') ?? [...LINEAR_WORKLOADS];
  const reps = flag('--reps') ? Number(flag('--reps')) : undefined;
  await benchClassicalLinear((line) => console.log(JSON.stringify(line)), workloads, { reps, quick: process.argv.includes('--quick') });
  process.exit(0);
}
