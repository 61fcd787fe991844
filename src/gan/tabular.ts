/**
 * Tabular synthesis: a conditional GAN over mixed numeric and categorical
 * columns, in the manner of CTGAN — numeric columns through mode-specific
 * normalisation (mode-normalizer.ts), categorical ones as one-hot codes, a
 * generator whose last layer gives each column its own activation (tanh
 * for offsets, softmax for each one-hot group), and conditioning on one
 * categorical column (by default the table's target), whose values are
 * then given rather than generated.
 *
 * ```ts
 * const table = await readCsv('iris.csv', { target: 'species' });
 * const synthetic = await synthesize(table, 500, { seed: 1 });  // a CsvTable: same columns, same kinds
 * ```
 */
import { NotFittedError, ValueError } from '../errors.js';
import { CsvTable, type ColumnKind, type CsvColumn } from '../io/table.js';
import { Sequential } from '../nn/layers/sequential.js';
import { Module } from '../nn/module.js';
import { concat, split } from '../tensor/ops/shape.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import { randn } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { checkInt } from '../train/data.js';
import type { Verbosity } from '../train/progress.js';
import { checkOptions } from '../utils/options.js';
import type { GanLoss } from './losses.js';
import { mlpDiscriminator, mlpGenerator } from './mlp.js';
import { decodeValue, encodeValue, fitModes, type ModeNormalizer } from './mode-normalizer.js';
import { GAN, generateSamples } from './trainer.js';

/** Each column's own output activation: tanh over `width` outputs, or a softmax over a one-hot group. */
export class SpanActivation extends Module {
  constructor(
    /** Consecutive output spans: [width, 0 (tanh) or 1 (softmax)] each. */
    readonly spans: readonly (readonly [number, 0 | 1])[],
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    const parts = split(
      x,
      this.spans.map(([w]) => w),
      1,
    );
    return concat(
      parts.map((p, i) => (this.spans[i][1] === 0 ? p.tanh() : p.softmax(1))),
      1,
    );
  }
}

/** How one column is coded in the generator's output. */
export interface EncodedColumn {
  name: string;
  kind: ColumnKind;
  /** Category names (categorical and boolean columns). */
  categories: string[] | null;
  /** First output of the column's code, and how many it has. */
  start: number;
  width: number;
  /** The column's modes (numeric columns). */
  modes: ModeNormalizer | null;
}

export interface TabularSynthesizerOptions {
  /** A categorical or boolean column to condition on (its values are given, not generated); default: the table's target when it is one; null: none. */
  condition?: string | null;
  /** GAN training steps (default 2000). */
  steps?: number;
  /** Rows per batch (default 64, at most the table's rows). */
  batchSize?: number;
  /** Noise size (default 32). */
  latentDim?: number;
  /** Hidden widths of the generator and the discriminator (default [64, 64]). */
  hidden?: readonly number[];
  /** Most modes per numeric column (default 5). */
  maxModes?: number;
  /** Learning rate of both Adam optimisers (default 1e-3). */
  lr?: number;
  loss?: GanLoss;
  /** Seeds the modules' initialisation, the mode draws and the GAN's noise (default: drawn from the global generator). */
  seed?: number;
  /** Training progress (default 0: silent). */
  verbose?: Verbosity;
}

const OPTIONS: readonly (keyof TabularSynthesizerOptions)[] = ['condition', 'steps', 'batchSize', 'latentDim', 'hidden', 'maxModes', 'lr', 'loss', 'seed', 'verbose'];

/** Learns a table's joint distribution; `sample(n)` gives new rows with the same columns and kinds. */
export class TabularSynthesizer {
  readonly options: Readonly<TabularSynthesizerOptions>;
  /** The generated columns' codes (the condition column is not among them). */
  columns: EncodedColumn[] = [];
  /** All column names and kinds, in the table's order. */
  columnNames: string[] = [];
  /** Index of the condition column in the table, or -1. */
  conditionIndex = -1;
  /** Category names and kind of the condition column. */
  conditionCategories: string[] = [];
  conditionKind: ColumnKind = 'category';
  /** How often each condition value occurs in the training table (sample draws them so). */
  classFrequencies: Float64Array = new Float64Array(0);
  /** The table's target column index, kept in the synthetic tables. */
  targetIndex = -1;
  /** The generator's architecture (its output activations per span) and trained weights; null before fit. */
  generatorSpec: { latentDim: number; width: number; hidden: number[]; spans: [number, 0 | 1][] } | null = null;
  generatorWeights: Record<string, Tensor> = {};
  /** The GAN's training history (lossD, lossG, dReal, dFake, every steps / 100 steps). */
  history: Record<string, number[]> = {};

  constructor(options: TabularSynthesizerOptions = {}) {
    checkOptions('TabularSynthesizer', options, OPTIONS);
    this.options = { ...options };
  }

  /** Fits the column codes and trains the GAN on `table` (no missing values). */
  async fit(table: CsvTable): Promise<this> {
    const who = 'TabularSynthesizer.fit';
    if (!(table instanceof CsvTable)) throw new ValueError(`${who}: expected a CsvTable (from readCsv, readParquet or new CsvTable)`);
    const o = this.options;
    const steps = checkInt(o.steps ?? 2000, 'steps', 1, who);
    const n = table.nRows;
    if (n < 2) throw new ValueError(`${who}: the table needs at least 2 rows, got ${n}`);
    const batchSize = Math.min(n, checkInt(o.batchSize ?? 64, 'batchSize', 1, who));
    const latentDim = checkInt(o.latentDim ?? 32, 'latentDim', 1, who);
    const maxModes = checkInt(o.maxModes ?? 5, 'maxModes', 1, who);
    if (o.seed !== undefined && !Number.isFinite(o.seed)) throw new ValueError(`${who}: seed must be a finite number`);
    const random = new Generator(o.seed ?? globalGenerator.nextUint32());
    const columns = table.columns;
    for (const c of columns) if (c.missingCount > 0) throw new ValueError(`${who}: column '${c.name}' has ${c.missingCount} missing values; fill or drop them first`);

    // The condition column: given, or the target when it is categorical.
    let condition = -1;
    if (o.condition !== undefined && o.condition !== null) {
      condition = table.columnNames.indexOf(o.condition);
      if (condition < 0) throw new ValueError(`${who}: no column '${o.condition}' to condition on; columns are ${table.columnNames.join(', ')}`);
      if (columns[condition].kind === 'number') throw new ValueError(`${who}: the condition column '${o.condition}' must be categorical or boolean`);
    } else if (o.condition === undefined && table.targetIndex >= 0 && columns[table.targetIndex].kind !== 'number') condition = table.targetIndex;

    // Column codes.
    let width = 0;
    const encoded: EncodedColumn[] = [];
    const spans: [number, 0 | 1][] = [];
    columns.forEach((c, j) => {
      if (j === condition) return;
      if (c.kind === 'number') {
        const modes = fitModes(c.values, maxModes, `${who} (column '${c.name}')`);
        encoded.push({ name: c.name, kind: c.kind, categories: null, start: width, width: 1 + modes.means.length, modes });
        spans.push([1, 0], [modes.means.length, 1]);
        width += 1 + modes.means.length;
      } else {
        const categories = [...(c.categories ?? [])];
        if (categories.length === 0) throw new ValueError(`${who}: column '${c.name}' has no categories`);
        encoded.push({ name: c.name, kind: c.kind, categories, start: width, width: categories.length, modes: null });
        spans.push([categories.length, 1]);
        width += categories.length;
      }
    });
    if (width === 0) throw new ValueError(`${who}: nothing to generate besides the condition column`);
    const x = new Float32Array(n * width);
    for (const col of encoded) {
      const values = table.column(col.name).values;
      for (let i = 0; i < n; i++) {
        if (col.modes) encodeValue(col.modes, values[i], x, i * width + col.start, random);
        else x[i * width + col.start + values[i]] = 1;
      }
    }
    let numClasses = 0;
    let labels: Tensor | undefined;
    this.conditionCategories = [];
    this.classFrequencies = new Float64Array(0);
    if (condition >= 0) {
      this.conditionCategories = [...(columns[condition].categories ?? [])];
      this.conditionKind = columns[condition].kind;
      numClasses = this.conditionCategories.length;
      if (numClasses < 2) throw new ValueError(`${who}: the condition column '${columns[condition].name}' needs at least 2 categories`);
      const codes = Int32Array.from(columns[condition].values);
      labels = new Tensor(codes, [n]);
      this.classFrequencies = new Float64Array(numClasses);
      for (const c of codes) this.classFrequencies[c] += 1 / n;
    }

    // The GAN: MLPs, the generator ending in the per-column activations.
    const seed = random.nextUint32();
    const init = globalGenerator.getState();
    globalGenerator.seed(seed);
    const spec = { latentDim, width, hidden: [...(o.hidden ?? [64, 64])], spans };
    let gan: GAN;
    try {
      const generator = tabularGenerator(spec, numClasses);
      const discriminator = mlpDiscriminator({ inFeatures: width, hidden: spec.hidden, numClasses });
      gan = new GAN({ generator, discriminator, latentDim, numClasses, loss: o.loss, lr: o.lr ?? 1e-3, seed: seed + 1 });
    } finally {
      globalGenerator.setState(init);
    }
    const data = new Tensor(x, [n, width]);
    await gan.fit(labels ? { x: data, y: labels } : data, { steps, batchSize, verbose: o.verbose ?? 0 });

    this.columns = encoded;
    this.columnNames = table.columnNames;
    this.conditionIndex = condition;
    this.targetIndex = table.targetIndex;
    this.generatorSpec = spec;
    this.generatorWeights = Object.fromEntries(gan.generator.stateDict());
    this.history = gan.history.history;
    return this;
  }

  /**
   * `n` new rows as a table with the training table's columns and kinds.
   * The condition column's values follow the training frequencies, or are
   * `label` (a category name or code, one for all rows).
   */
  sample(n: number, options: { seed?: number; label?: string | number } = {}): CsvTable {
    const who = 'TabularSynthesizer.sample';
    checkOptions(who, options, ['seed', 'label']);
    const spec = this.generatorSpec;
    if (!spec) throw new NotFittedError(`${who}: call fit first`);
    checkInt(n, 'n', 1, who);
    const random = options.seed !== undefined ? new Generator(options.seed) : globalGenerator;
    let labels: Int32Array | undefined;
    if (this.conditionIndex >= 0) {
      labels = new Int32Array(n);
      const fixed = options.label;
      const code = typeof fixed === 'string' ? this.conditionCategories.indexOf(fixed) : fixed;
      if (fixed !== undefined && !(Number.isInteger(code) && code! >= 0 && code! < this.conditionCategories.length)) {
        throw new ValueError(`${who}: label ${JSON.stringify(fixed)} is not one of ${this.conditionCategories.join(', ')}`);
      }
      for (let i = 0; i < n; i++) labels[i] = code ?? drawCategory(this.classFrequencies, random);
    } else if (options.label !== undefined) throw new ValueError(`${who}: label needs a condition column`);
    const generator = tabularGenerator(spec, this.conditionCategories.length);
    generator.loadStateDict(this.generatorWeights);
    const z = randn([n, spec.latentDim], { generator: random });
    const rows = generateSamples(generator, z, labels ?? null, this.conditionCategories.length).data;
    const width = spec.width;
    const byName = new Map<string, CsvColumn>();
    for (const col of this.columns) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const row = i * width + col.start;
        if (col.modes) values[i] = decodeValue(col.modes, rows.subarray(row, row + col.width), 0);
        else values[i] = argmax(rows, row, col.width);
      }
      byName.set(col.name, { name: col.name, kind: col.kind, values, categories: col.categories ?? undefined, missingCount: 0 });
    }
    const columns = this.columnNames.map((name, j): CsvColumn => {
      if (j !== this.conditionIndex) return byName.get(name)!;
      return { name, kind: this.conditionKind, values: Float64Array.from(labels!), categories: this.conditionCategories, missingCount: 0 };
    });
    return new CsvTable(
      columns,
      n,
      Int32Array.from({ length: n }, (_, i) => i + 1),
      this.targetIndex,
      'row',
    );
  }
}

/** The generator: an MLP from noise (+ one-hot condition) to the row codes, then each span's activation. */
function tabularGenerator(spec: { latentDim: number; width: number; hidden: number[]; spans: [number, 0 | 1][] }, numClasses: number): Sequential {
  return new Sequential(mlpGenerator({ latentDim: spec.latentDim, outFeatures: spec.width, hidden: spec.hidden, numClasses, output: 'none' }), new SpanActivation(spec.spans));
}

function argmax(data: ArrayLike<number>, start: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (data[start + j] > data[start + best]) best = j;
  return best;
}

function drawCategory(frequencies: Float64Array, random: Generator): number {
  let u = random.random();
  for (let c = 0; c < frequencies.length; c++) {
    u -= frequencies[c];
    if (u < 0) return c;
  }
  return frequencies.length - 1;
}

/** Trains a {@link TabularSynthesizer} on `table` and returns `n` synthetic rows (same columns and kinds). */
export async function synthesize(table: CsvTable, n: number, options: TabularSynthesizerOptions = {}): Promise<CsvTable> {
  const synthesizer = await new TabularSynthesizer(options).fit(table);
  return synthesizer.sample(n, options.seed !== undefined ? { seed: options.seed } : {});
}
