/** What every benchmark file shares: the output line, timing, and SPEC.md's data splits. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIdx } from '../src/io/idx.js';
import type { Label, Matrix } from '../src/utils/validation.js';

/** One JSON line of ../shared/bench/SPEC.md. */
export interface BenchLine {
  workload: string;
  impl: string;
  threads: number;
  metric: string;
  value: number;
  partial?: boolean;
  quick?: boolean;
  note?: string;
}

export type Emit = (line: BenchLine) => void;

/** $FRUGAL_BENCH_DATA, else ../shared/data beside the repository (this file runs from dist/bench). */
export function defaultDataDir(): string {
  const env = process.env.FRUGAL_BENCH_DATA ?? process.env.FRUGAL_DATA;
  if (env) return env;
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data');
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs fn `reps` times; the median wall time in seconds, every time, and the last result. */
export function timed<T>(reps: number, fn: () => T): { seconds: number; out: T; all: number[] } {
  const all: number[] = [];
  let out!: T;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    out = fn();
    all.push((performance.now() - t0) / 1e3);
  }
  return { seconds: median(all), out, all };
}

export function accuracy(pred: readonly Label[], y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

/** SPEC.md's digits split: row i (header excluded) is test when i % 5 == 0; features / 16, float64. */
export function digitsSplit(dataDir: string): { Xtr: Matrix; ytr: Int32Array; Xte: Matrix; yte: Int32Array } {
  const lines = readFileSync(join(dataDir, 'digits.csv'), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const ycol = header.indexOf('digit');
  const d = header.length - 1;
  const tr: number[] = [],
    te: number[] = [],
    ytr: number[] = [],
    yte: number[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const cells = lines[i + 1].split(',').map(Number);
    const [X, y] = i % 5 === 0 ? [te, yte] : [tr, ytr];
    for (let j = 0; j < cells.length; j++) if (j !== ycol) X.push(cells[j] / 16);
    y.push(cells[ycol]);
  }
  return {
    Xtr: { data: Float64Array.from(tr), rows: ytr.length, cols: d },
    ytr: Int32Array.from(ytr),
    Xte: { data: Float64Array.from(te), rows: yte.length, cols: d },
    yte: Int32Array.from(yte),
  };
}

/** Fashion-MNIST images / 255 as a float64 matrix, with labels; `limit` keeps the first rows. */
export async function fashionFloat64(dataDir: string, split: 'train' | 't10k', limit?: number): Promise<{ X: Matrix; y: Int32Array }> {
  const dir = join(dataDir, 'fashion-mnist');
  const [img, lab] = await Promise.all([readIdx(join(dir, `${split}-images-idx3-ubyte.gz`)), readIdx(join(dir, `${split}-labels-idx1-ubyte.gz`))]);
  const n = Math.min(limit ?? img.shape[0], img.shape[0]);
  const d = img.shape[1] * img.shape[2];
  const X = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) X[i] = img.data[i] / 255;
  return { X: { data: X, rows: n, cols: d }, y: Int32Array.from(lab.data.subarray(0, n)) };
}
