/**
 * Tabular augmentation for imbalanced classes and small tables
 * (imbalanced-learn's semantics, in TypeScript naming):
 *
 * - `RandomOverSampler`: repeats rows of the smaller classes, drawn with
 *   replacement, until they reach their target counts;
 * - `RandomUnderSampler`: keeps a random subset of the larger classes;
 * - `SMOTE`: new minority rows on the segment between a row and one of its
 *   k nearest neighbours of the same class, x + u·(neighbour − x), u ~ U[0, 1);
 * - `tabularNoise`: every value plus N(0, std²) noise.
 *
 * `fitResample(X, y)` returns `[X, y]`: X a float64 Tensor [rows, features]
 * and y the labels. Over-sampling keeps the original rows first, then the
 * new ones class by class (sorted); under-sampling returns the kept rows
 * class by class. `samplingStrategy` says which classes change and to what:
 *
 * - 'auto' (over: 'not majority', under: 'not minority'), 'minority',
 *   'majority', 'not minority', 'not majority', 'all': the named classes
 *   are brought to the majority's count (over) or the minority's (under);
 * - a number r (two classes only): the minority / majority ratio wanted
 *   after resampling;
 * - per-class counts `{ cat: 50, dog: 50 }` (or a Map): the count wanted
 *   after resampling for each listed class.
 */
import { LimitError, ValueError } from '../errors.js';
import { fitNeighbors, kNeighborsOf, SEARCH_DEFAULTS } from '../models/neighbors/search.js';
import { type Generator, resolveGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { readOptions } from '../utils/options.js';
import { checkConsistentLength, type Label, type LabelInput, type Matrix, type MatrixInput, toLabels, toMatrix } from '../utils/validation.js';

export type SamplingStrategy = 'auto' | 'minority' | 'majority' | 'not minority' | 'not majority' | 'all' | number | Readonly<Record<string, number>> | ReadonlyMap<Label, number>;

const NAMED = ['auto', 'minority', 'majority', 'not minority', 'not majority', 'all'];

/** Most values (rows × features) a resampled table may hold. */
export const MAX_RESAMPLED_VALUES = 2 ** 27;

export interface OverSamplerOptions {
  /** Which classes to grow and to what (default 'auto': every class but the majority, to its count). */
  samplingStrategy?: SamplingStrategy;
  /** Seed or Generator (default: the global generator). */
  randomState?: number | Generator | null;
}

export interface SMOTEOptions extends OverSamplerOptions {
  /** Neighbours of the same class to interpolate towards (default 5). */
  kNeighbors?: number;
}

export interface UnderSamplerOptions {
  /** Which classes to shrink and to what (default 'auto': every class but the minority, to its count). */
  samplingStrategy?: SamplingStrategy;
  randomState?: number | Generator | null;
  /** Draw the kept rows with replacement (default false). */
  replacement?: boolean;
}

/** X, y checked and y encoded; the rows of each class. */
interface ClassTable {
  X: Matrix;
  classes: Label[];
  codes: Int32Array;
  rowsOf: number[][];
}

function classTable(where: string, X: MatrixInput, y: LabelInput): ClassTable {
  const Xm = toMatrix(X, { name: 'X' });
  const lab = toLabels(y, { name: 'y' });
  checkConsistentLength(['X', Xm.rows], ['y', lab.codes.length]);
  if (lab.classes.length < 2) throw new ValueError(`${where}: y needs at least 2 classes to resample, got ${lab.classes.length}`);
  const rowsOf: number[][] = lab.classes.map(() => []);
  lab.codes.forEach((c, i) => rowsOf[c].push(i));
  return { X: Xm, classes: lab.classes, codes: lab.codes, rowsOf };
}

/**
 * The count each class should have after resampling (-1: leave it alone),
 * from the strategy; `over` forbids shrinking a class and `under` growing one.
 */
export function targetCounts(where: string, strategy: SamplingStrategy, classes: readonly Label[], counts: readonly number[], over: boolean): number[] {
  const minority = counts.indexOf(Math.min(...counts));
  const majority = counts.indexOf(Math.max(...counts));
  const reference = over ? counts[majority] : counts[minority];
  if (typeof strategy === 'string') {
    if (!NAMED.includes(strategy)) throw new ValueError(`${where}: samplingStrategy must be one of ${NAMED.join(', ')}, a ratio or per-class counts; got '${strategy}'`);
    const named = strategy === 'auto' ? (over ? 'not majority' : 'not minority') : strategy;
    if ((over && named === 'majority') || (!over && named === 'minority')) {
      throw new ValueError(`${where}: samplingStrategy '${named}' makes no sense for ${over ? 'over' : 'under'}-sampling`);
    }
    const chosen = (c: number): boolean =>
      named === 'all' ||
      (named === 'minority' && c === minority) ||
      (named === 'majority' && c === majority) ||
      (named === 'not minority' && c !== minority) ||
      (named === 'not majority' && c !== majority);
    return counts.map((_, c) => (chosen(c) ? reference : -1));
  }
  if (typeof strategy === 'number') {
    if (!(strategy > 0 && strategy <= 1)) throw new ValueError(`${where}: a samplingStrategy ratio must be in (0, 1], got ${strategy}`);
    if (classes.length !== 2) throw new ValueError(`${where}: a samplingStrategy ratio needs exactly 2 classes, got ${classes.length}; give per-class counts`);
    const out = [-1, -1];
    if (over) {
      const want = Math.floor(strategy * counts[majority]);
      if (want < counts[minority]) throw new ValueError(`${where}: ratio ${strategy} would remove minority rows (${counts[minority]} > ${want}); over-sampling only adds`);
      out[minority] = want;
    } else {
      const want = Math.floor(counts[minority] / strategy);
      if (want > counts[majority]) throw new ValueError(`${where}: ratio ${strategy} would need ${want} majority rows, there are ${counts[majority]}`);
      out[majority] = want;
    }
    return out;
  }
  if (strategy === null || typeof strategy !== 'object') throw new ValueError(`${where}: samplingStrategy must be a name, a ratio or per-class counts, got ${String(strategy)}`);
  const entries: [unknown, unknown][] = strategy instanceof Map ? [...strategy.entries()] : Object.entries(strategy);
  const out = counts.map(() => -1);
  for (const [key, want] of entries) {
    const c = classes.findIndex((label) => label === key || String(label) === key);
    if (c < 0) throw new ValueError(`${where}: samplingStrategy names class ${JSON.stringify(key)}, which is not in y (classes: ${JSON.stringify(classes)})`);
    if (!Number.isInteger(want) || (want as number) < 0) throw new ValueError(`${where}: the count for class ${JSON.stringify(key)} must be an integer >= 0, got ${String(want)}`);
    const n = want as number;
    if (over && n < counts[c]) throw new ValueError(`${where}: class ${JSON.stringify(key)} has ${counts[c]} rows, more than the ${n} asked; over-sampling only adds`);
    if (!over && n > counts[c]) throw new ValueError(`${where}: class ${JSON.stringify(key)} has ${counts[c]} rows, fewer than the ${n} asked; under-sampling only removes`);
    out[c] = n;
  }
  return out;
}

function checkSize(where: string, rows: number, cols: number): void {
  if (rows * cols > MAX_RESAMPLED_VALUES) throw new LimitError(`${where}: the resampled table would hold ${rows} × ${cols} values (at most ${MAX_RESAMPLED_VALUES})`);
}

/** The original rows followed by `extra` rows (written by `fill` into `out` from `offset`), with their labels. */
function grow(where: string, t: ClassTable, extraPerClass: number[], fill: (c: number, out: Float64Array, offset: number, count: number) => void): [Tensor, Label[]] {
  const { X, classes, codes } = t;
  const extra = extraPerClass.reduce((a, b) => a + b, 0);
  checkSize(where, X.rows + extra, X.cols);
  const data = new Float64Array((X.rows + extra) * X.cols);
  data.set(X.data.subarray(0, X.rows * X.cols));
  const labels: Label[] = Array.from(codes, (c) => classes[c]);
  let row = X.rows;
  extraPerClass.forEach((count, c) => {
    if (count <= 0) return;
    fill(c, data, row * X.cols, count);
    for (let i = 0; i < count; i++) labels.push(classes[c]);
    row += count;
  });
  return [new Tensor(data, [X.rows + extra, X.cols]), labels];
}

/** How many rows each class gains. */
function extraRows(where: string, strategy: SamplingStrategy, t: ClassTable): number[] {
  const counts = t.rowsOf.map((r) => r.length);
  return targetCounts(where, strategy, t.classes, counts, true).map((want, c) => (want < 0 ? 0 : want - counts[c]));
}

/** Over-sampling by repeating random rows of each growing class. */
export class RandomOverSampler {
  private readonly options: OverSamplerOptions;
  constructor(options: OverSamplerOptions = {}) {
    this.options = readOptions('RandomOverSampler', options, ['samplingStrategy', 'randomState']);
  }

  fitResample(X: MatrixInput, y: LabelInput): [Tensor, Label[]] {
    const t = classTable('RandomOverSampler', X, y);
    const extra = extraRows('RandomOverSampler', this.options.samplingStrategy ?? 'auto', t);
    const rng = resolveGenerator(this.options.randomState);
    const d = t.X.cols;
    return grow('RandomOverSampler', t, extra, (c, out, offset, count) => {
      const rows = t.rowsOf[c];
      for (let i = 0; i < count; i++) {
        const r = rows[rng.randint(0, rows.length)];
        out.set(t.X.data.subarray(r * d, (r + 1) * d), offset + i * d);
      }
    });
  }
}

/** SMOTE: synthetic minority rows interpolated between a row and a same-class neighbour. */
export class SMOTE {
  private readonly options: SMOTEOptions;
  constructor(options: SMOTEOptions = {}) {
    this.options = readOptions('SMOTE', options, ['samplingStrategy', 'randomState', 'kNeighbors']);
    const k = this.options.kNeighbors ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new ValueError(`SMOTE: kNeighbors must be an integer >= 1, got ${String(k)}`);
  }

  fitResample(X: MatrixInput, y: LabelInput): [Tensor, Label[]] {
    const t = classTable('SMOTE', X, y);
    const extra = extraRows('SMOTE', this.options.samplingStrategy ?? 'auto', t);
    const k = this.options.kNeighbors ?? 5;
    const rng = resolveGenerator(this.options.randomState);
    const d = t.X.cols;
    return grow('SMOTE', t, extra, (c, out, offset, count) => {
      const rows = t.rowsOf[c];
      if (rows.length <= k) {
        throw new ValueError(`SMOTE: class ${JSON.stringify(t.classes[c])} has ${rows.length} rows; kNeighbors = ${k} needs at least ${k + 1}`);
      }
      const own: Matrix = { data: new Float64Array(rows.length * d), rows: rows.length, cols: d };
      rows.forEach((r, i) => own.data.set(t.X.data.subarray(r * d, (r + 1) * d), i * d));
      // Each row's k nearest rows of its class, itself left out.
      const near = kNeighborsOf('SMOTE', fitNeighbors('SMOTE', own, SEARCH_DEFAULTS, k), null, k).indices;
      for (let i = 0; i < count; i++) {
        const pick = rng.randint(0, rows.length * k);
        const a = Math.floor(pick / k),
          b = near[pick];
        const u = rng.random();
        for (let j = 0; j < d; j++) {
          const xa = own.data[a * d + j];
          out[offset + i * d + j] = xa + u * (own.data[b * d + j] - xa);
        }
      }
    });
  }
}

/** Under-sampling by keeping a random subset of each shrinking class. */
export class RandomUnderSampler {
  private readonly options: UnderSamplerOptions;
  constructor(options: UnderSamplerOptions = {}) {
    this.options = readOptions('RandomUnderSampler', options, ['samplingStrategy', 'randomState', 'replacement']);
    const r = this.options.replacement;
    if (r !== undefined && typeof r !== 'boolean') throw new ValueError(`RandomUnderSampler: replacement must be true or false, got ${String(r)}`);
  }

  fitResample(X: MatrixInput, y: LabelInput): [Tensor, Label[]] {
    const t = classTable('RandomUnderSampler', X, y);
    const counts = t.rowsOf.map((r) => r.length);
    const keep = targetCounts('RandomUnderSampler', this.options.samplingStrategy ?? 'auto', t.classes, counts, false);
    const rng = resolveGenerator(this.options.randomState);
    const kept: number[] = [];
    const labels: Label[] = [];
    t.rowsOf.forEach((rows, c) => {
      let chosen = rows;
      if (keep[c] >= 0) {
        if (this.options.replacement) chosen = Array.from({ length: keep[c] }, () => rows[rng.randint(0, rows.length)]);
        else chosen = Array.from(rng.permutation(rows.length).subarray(0, keep[c]), (i) => rows[i]);
      }
      for (const r of chosen) {
        kept.push(r);
        labels.push(t.classes[c]);
      }
    });
    const d = t.X.cols;
    const data = new Float64Array(kept.length * d);
    kept.forEach((r, i) => data.set(t.X.data.subarray(r * d, (r + 1) * d), i * d));
    return [new Tensor(data, [kept.length, d]), labels];
  }
}

export interface TabularNoiseOptions {
  /** Standard deviation of the noise: one for every column, or one per column (default 0.1). */
  std?: number | readonly number[];
  randomState?: number | Generator | null;
}

/** X plus independent N(0, std²) noise on every value (a float64 Tensor of X's shape); X is not changed. */
export function tabularNoise(X: MatrixInput, options: TabularNoiseOptions = {}): Tensor {
  const o = readOptions('tabularNoise', options, ['std', 'randomState']);
  const Xm = toMatrix(X, { name: 'X' });
  const std = o.std ?? 0.1;
  const perColumn = typeof std === 'number' ? new Array<number>(Xm.cols).fill(std) : std;
  if (!Array.isArray(perColumn) || perColumn.length !== Xm.cols) {
    throw new ValueError(`tabularNoise: std must be a number or one number per column (${Xm.cols}), got ${Array.isArray(std) ? `${std.length} numbers` : String(std)}`);
  }
  for (const s of perColumn) if (typeof s !== 'number' || !(s >= 0) || !Number.isFinite(s)) throw new ValueError(`tabularNoise: std must be finite and >= 0, got ${String(s)}`);
  const rng = resolveGenerator(o.randomState);
  const out = Xm.data.slice(0, Xm.rows * Xm.cols);
  for (let i = 0; i < out.length; i++) out[i] += perColumn[i % Xm.cols] * rng.normal();
  return new Tensor(out, [Xm.rows, Xm.cols]);
}
