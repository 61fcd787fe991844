/**
 * `fewlabel-digits`: digits (SPEC.md's split: train 1437 / test 360,
 * pixels / 16) with 5 labels per class from the train part and the other
 * train rows unlabelled; three ways to use them, each over 5 label draws:
 *
 * - supervised: LogisticRegression (C = 10) on the 50 labelled rows only;
 * - label_spreading: LabelSpreading (knn graph, 7 neighbours, α = 0.2,
 *   100 iterations at most) over every train row, then predict;
 * - self_training: SelfTrainingClassifier around the same LogisticRegression
 *   (threshold 0.7, 10 iterations at most).
 *
 * Draw s (0..4) labels, for each class, its train rows at positions
 * 5s .. 5s+4 (in file order): disjoint label sets that a peer script can
 * pick identically (bench/fewlabel-digits.py runs scikit-learn on them).
 * Two lines per method (a `method` field): metric test_acc, value the mean over the draws,
 * with `std` (population) and `values`; plus fit_s (median seconds).
 * `--quick`: 2 draws.
 *
 * Run alone: `node dist/bench/fewlabel-digits.js [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { LogisticRegression } from '../src/models/linear/index.js';
import { LabelSpreading, SelfTrainingClassifier } from '../src/models/semi_supervised/index.js';
import type { Label, Matrix } from '../src/utils/validation.js';
import { getNumThreads } from '../src/backend/index.js';
import { accuracy, type BenchLine, defaultDataDir, digitsSplit, median, type Emit } from './common.js';

export const LABELS_PER_CLASS = 5;

/** y with -1 except the 5 rows at positions 5·draw .. 5·draw + 4 of each class. */
export function fewLabels(y: Int32Array, draw: number): number[] {
  const seen = new Map<number, number>();
  return Array.from(y, (label) => {
    const position = seen.get(label) ?? 0;
    seen.set(label, position + 1);
    return position >= LABELS_PER_CLASS * draw && position < LABELS_PER_CLASS * (draw + 1) ? label : -1;
  });
}

type Method = 'supervised' | 'label_spreading' | 'self_training';

function predictWith(method: Method, Xtr: Matrix, partial: number[], Xte: Matrix): Label[] {
  if (method === 'supervised') {
    const rows = partial.flatMap((l, i) => (l === -1 ? [] : [i]));
    const X = { data: Float64Array.from(rows.flatMap((i) => Array.from(Xtr.data.subarray(i * Xtr.cols, (i + 1) * Xtr.cols)))), rows: rows.length, cols: Xtr.cols };
    return new LogisticRegression({ C: 10, maxIter: 1000 })
      .fit(
        X,
        rows.map((i) => partial[i]),
      )
      .predict(Xte);
  }
  if (method === 'label_spreading') return new LabelSpreading({ kernel: 'knn', nNeighbors: 7, alpha: 0.2, maxIter: 100 }).fit(Xtr, partial).predict(Xte);
  return new SelfTrainingClassifier({ baseEstimator: new LogisticRegression({ C: 10, maxIter: 1000 }), threshold: 0.7 }).fit(Xtr, partial).predict(Xte);
}

interface FewLabelLine extends BenchLine {
  method: Method;
  std: number;
  values: number[];
}

export async function benchFewLabelDigits(emit: Emit, options: { quick?: boolean; dataDir?: string } = {}): Promise<void> {
  const { Xtr, ytr, Xte, yte } = digitsSplit(options.dataDir ?? defaultDataDir());
  const draws = options.quick ? 2 : 5;
  for (const method of ['supervised', 'label_spreading', 'self_training'] as const) {
    const values: number[] = [];
    const seconds: number[] = [];
    for (let draw = 0; draw < draws; draw++) {
      const t0 = performance.now();
      const predicted = predictWith(method, Xtr, fewLabels(ytr, draw), Xte);
      seconds.push((performance.now() - t0) / 1e3);
      values.push(accuracy(predicted, yte));
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    const tag = options.quick ? { quick: true } : {};
    const line: FewLabelLine = { workload: 'fewlabel-digits', impl: 'frugal', threads: getNumThreads(), metric: 'test_acc', value: mean, method, std, values, ...tag };
    emit(line);
    const timing: BenchLine & { method: Method } = {
      workload: 'fewlabel-digits',
      impl: 'frugal',
      threads: getNumThreads(),
      metric: 'fit_s',
      value: median(seconds),
      method,
      ...tag,
      note: `median of ${draws} draws, fit and predict`,
    };
    emit(timing);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchFewLabelDigits((line) => console.log(JSON.stringify(line)), { quick: process.argv.includes('--quick') });
  process.exit(0);
}
