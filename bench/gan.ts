/**
 * The GAN workloads (bench/README.md describes them; `gan-digits` is in
 * ../shared/bench/SPEC.md):
 *
 * - `gan-digits`: all 1 797 digits (x/8 − 1), G z16→128 LeakyReLU 0.2→64
 *   tanh, D 64→128 LeakyReLU 0.2→1 logit, BCE-with-logits, Adam 2e-4
 *   β (0.5, 0.999), batch 64, 2000 steps of one D and one G update, through
 *   the GAN trainer; `steps_per_s` of the training loop.
 * - `cgan-digits-quality`: a conditional GAN on the digits training split
 *   (row i is test when i % 5 == 0, as bench/deep.ts); a logistic
 *   regression trained on the real training rows labels 1 000 samples (100
 *   per class): `intended_class_rate`. "Train on synthetic, test on real":
 *   the same classifier trained on 1 440 samples only, tested on the 360
 *   real test rows: `tstr_acc`, beside `real_acc` (trained on real rows).
 * - `gan-augment`: 10 labelled training images per class (drawn per seed);
 *   a classifier on those 100 alone against one on them plus 100 conditional
 *   GAN samples per class, over 5 seeds: `real_acc_mean/std`,
 *   `augmented_acc_mean/std`, `gain_mean`.
 * - `tabular-synth-iris`: iris split 70/30 (stratified, seed s); a logistic
 *   regression trained only on 500 synthetic rows (synthesize()) against one
 *   trained on the real training rows, on the real test rows; mean over 10
 *   seeds: `synthetic_acc`, `real_acc`, `gap_points`.
 *
 * Run alone: `node dist/bench/gan.js --workloads gan-digits [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { getNumThreads } from '../src/backend/index.js';
import { loadDigits, loadIris } from '../src/datasets/loaders.js';
import { GAN, mlpDiscriminator, mlpGenerator, synthesize } from '../src/gan/index.js';
import '../src/backend/wasm/adam-moments.js';
import { CsvTable, type CsvColumn } from '../src/io/table.js';
import { LogisticRegression } from '../src/models/linear/logistic.js';
import { trainTestSplit } from '../src/model_selection/split.js';
import { LeakyReLU, Linear, Sequential, Tanh } from '../src/nn/index.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import type { BenchLine } from './common.js';

export interface GanBenchOptions {
  emit: (line: BenchLine) => void;
  /** Smoke-test sizes (numbers are not benchmarks; lines carry quick: true). */
  quick?: boolean;
  log?: (message: string) => void;
}

function context(options: GanBenchOptions) {
  const threads = getNumThreads();
  const extra = options.quick ? { quick: true } : {};
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const emit = (workload: string, metric: string, value: number): void => options.emit({ workload, impl: 'frugal', threads, metric, value, ...extra });
  return { emit, log, quick: options.quick ?? false };
}

interface Digits {
  /** Pixels in [−1, 1] (GAN scale). */
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** The built-in digits as [−1, 1] pixels; `part` selects bench/deep.ts's split (row i is test when i % 5 == 0). */
function digits(part: 'all' | 'train' | 'test'): Digits {
  const d = loadDigits();
  const rows: number[] = [];
  for (let i = 0; i < d.data.shape[0]; i++) if (part === 'all' || (i % 5 === 0) === (part === 'test')) rows.push(i);
  const x = new Float32Array(rows.length * 64),
    y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    for (let j = 0; j < 64; j++) x[i * 64 + j] = d.data.data[r * 64 + j] / 8 - 1;
    y[i] = d.target.data[r];
  });
  return { x, y, n: rows.length };
}

/** Logistic regression on pixels in [0, 1] (from GAN scale). */
function classifier(x: Float32Array, y: Int32Array): LogisticRegression {
  const n = y.length;
  return new LogisticRegression({ maxIter: 500 }).fit(
    new Tensor(
      Float64Array.from(x, (v) => (v + 1) / 2),
      [n, 64],
    ),
    new Tensor(y, [n]),
  );
}

function accuracy(model: LogisticRegression, x: Float32Array, y: Int32Array): number {
  return model.score(
    new Tensor(
      Float64Array.from(x, (v) => (v + 1) / 2),
      [y.length, 64],
    ),
    new Tensor(y, [y.length]),
  );
}

// ------------------------------------------------------------ gan-digits ---

export async function benchGanDigits(options: GanBenchOptions): Promise<void> {
  const { emit, log, quick } = context(options);
  const { x, n } = digits('all');
  manualSeed(0);
  const gan = new GAN({
    generator: new Sequential(new Linear(16, 128), new LeakyReLU(0.2), new Linear(128, 64), new Tanh()),
    discriminator: new Sequential(new Linear(64, 128), new LeakyReLU(0.2), new Linear(128, 1)),
    latentDim: 16,
    lr: 2e-4,
    betas: [0.5, 0.999],
    seed: 0,
  });
  const steps = quick ? 200 : 2000;
  const t0 = performance.now();
  const history = await gan.fit(new Tensor(x, [n, 64]), { steps, batchSize: 64, verbose: 0, logEvery: steps });
  const seconds = (performance.now() - t0) / 1000;
  log(`gan-digits: lossD ${history.get('lossD')[0].toFixed(3)} lossG ${history.get('lossG')[0].toFixed(3)} in ${seconds.toFixed(2)} s`);
  emit('gan-digits', 'steps_per_s', steps / seconds);
}

// ------------------------------------------------- conditional digit GAN ---

/** A conditional GAN trained on digit images with labels; `perClass` samples of each class come back. */
async function conditionalDigits(x: Float32Array, y: Int32Array, steps: number, seed: number, perClass: number): Promise<{ x: Float32Array; y: Int32Array }> {
  manualSeed(seed);
  const gan = new GAN({
    generator: mlpGenerator({ latentDim: 32, outFeatures: 64, hidden: [256, 256], numClasses: 10 }),
    discriminator: mlpDiscriminator({ inFeatures: 64, hidden: [256, 256], numClasses: 10, dropout: 0.3 }),
    latentDim: 32,
    numClasses: 10,
    labelSmoothing: 0.1,
    seed,
  });
  await gan.fit({ x: new Tensor(x, [y.length, 64]), y: new Tensor(y, [y.length]) }, { steps, batchSize: Math.min(64, y.length), verbose: 0 });
  const labels = Int32Array.from({ length: 10 * perClass }, (_, i) => i % 10);
  return { x: gan.sample(labels.length, { label: labels, seed: seed + 1 }).data as Float32Array, y: labels };
}

export async function benchCganDigitsQuality(options: GanBenchOptions): Promise<void> {
  const { emit, log, quick } = context(options);
  const train = digits('train'),
    test = digits('test');
  const t0 = performance.now();
  const fake = await conditionalDigits(train.x, train.y, quick ? 300 : 6000, 1, 144);
  log(`cgan-digits-quality: trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const real = classifier(train.x, train.y);
  emit('cgan-digits-quality', 'intended_class_rate', accuracy(real, fake.x, fake.y));
  emit('cgan-digits-quality', 'tstr_acc', accuracy(classifier(fake.x, fake.y), test.x, test.y));
  emit('cgan-digits-quality', 'real_acc', accuracy(real, test.x, test.y));
}

// ------------------------------------------------------------ gan-augment ---

function meanStd(v: readonly number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / v.length)];
}

export async function benchGanAugment(options: GanBenchOptions): Promise<void> {
  const { emit, log, quick } = context(options);
  const train = digits('train'),
    test = digits('test');
  const seeds = quick ? [0] : [0, 1, 2, 3, 4];
  const realAcc: number[] = [],
    augAcc: number[] = [];
  for (const seed of seeds) {
    // 10 labelled images per class, drawn by the seed.
    const order = new Generator(seed).permutation(train.n);
    const picked: number[] = [];
    const perClass = new Int32Array(10);
    for (const i of order) if (perClass[train.y[i]] < 10) picked.push(i), perClass[train.y[i]]++;
    const x = new Float32Array(picked.length * 64),
      y = new Int32Array(picked.length);
    picked.forEach((r, i) => {
      x.set(train.x.subarray(r * 64, r * 64 + 64), i * 64);
      y[i] = train.y[r];
    });
    const fake = await conditionalDigits(x, y, quick ? 200 : 3000, 100 + seed, 100);
    const both = new Float32Array(x.length + fake.x.length);
    both.set(x);
    both.set(fake.x, x.length);
    const bothY = new Int32Array(y.length + fake.y.length);
    bothY.set(y);
    bothY.set(fake.y, y.length);
    realAcc.push(accuracy(classifier(x, y), test.x, test.y));
    augAcc.push(accuracy(classifier(both, bothY), test.x, test.y));
    log(`gan-augment seed ${seed}: real ${realAcc.at(-1)!.toFixed(4)} augmented ${augAcc.at(-1)!.toFixed(4)}`);
  }
  const [rm, rs] = meanStd(realAcc),
    [am, as] = meanStd(augAcc);
  emit('gan-augment', 'real_acc_mean', rm);
  emit('gan-augment', 'real_acc_std', rs);
  emit('gan-augment', 'augmented_acc_mean', am);
  emit('gan-augment', 'augmented_acc_std', as);
  emit('gan-augment', 'gain_mean', am - rm);
}

// ------------------------------------------------------ tabular-synth-iris ---

function irisTable(x: Tensor, y: Tensor, featureNames: readonly string[], classNames: readonly string[]): CsvTable {
  const n = y.size,
    p = featureNames.length;
  const columns: CsvColumn[] = featureNames.map((name, j) => ({ name, kind: 'number', values: Float64Array.from({ length: n }, (_, i) => x.data[i * p + j]), missingCount: 0 }));
  columns.push({ name: 'species', kind: 'category', categories: classNames, values: Float64Array.from(y.data), missingCount: 0 });
  return new CsvTable(
    columns,
    n,
    Int32Array.from({ length: n }, (_, i) => i + 1),
    p,
  );
}

export async function benchTabularSynthIris(options: GanBenchOptions): Promise<void> {
  const { emit, log, quick } = context(options);
  const iris = loadIris();
  // Ten splits: the test split has 45 rows (one row is 2.2 points) and the
  // gap of one split ranges from -9 to +27 points, so three were too few.
  const seeds = quick ? [0] : Array.from({ length: 10 }, (_, i) => i);
  const synthetic: number[] = [],
    real: number[] = [];
  for (const seed of seeds) {
    const [xtr, xte, ytr, yte] = trainTestSplit(iris.data, iris.target, { testSize: 0.3, stratify: iris.target, randomState: seed });
    const rows = await synthesize(irisTable(xtr, ytr, iris.featureNames!, iris.targetNames!), 500, { seed, steps: quick ? 200 : 2000 });
    synthetic.push(new LogisticRegression({ maxIter: 1000 }).fit(rows.toMatrix(), rows.toTarget()).score(xte, yte));
    real.push(new LogisticRegression({ maxIter: 1000 }).fit(xtr, ytr).score(xte, yte));
    log(`tabular-synth-iris seed ${seed}: synthetic ${synthetic.at(-1)!.toFixed(4)} real ${real.at(-1)!.toFixed(4)}`);
  }
  const [s] = meanStd(synthetic),
    [r] = meanStd(real);
  emit('tabular-synth-iris', 'synthetic_acc', s);
  emit('tabular-synth-iris', 'real_acc', r);
  emit('tabular-synth-iris', 'gap_points', 100 * (r - s));
}

export const GAN_WORKLOADS: Record<string, (options: GanBenchOptions) => Promise<void>> = {
  'gan-digits': benchGanDigits,
  'cgan-digits-quality': benchCganDigitsQuality,
  'gan-augment': benchGanAugment,
  'tabular-synth-iris': benchTabularSynthIris,
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--workloads');
  const names = (at >= 0 ? args[at + 1] : Object.keys(GAN_WORKLOADS).join(',')).split(',').filter(Boolean);
  const quick = args.includes('--quick');
  for (const name of names) {
    const run = GAN_WORKLOADS[name];
    if (!run) throw new Error(`unknown workload '${name}'; known: ${Object.keys(GAN_WORKLOADS).join(', ')}`);
    process.stderr.write(`# ${name}\n`);
    await run({ emit: (line) => console.log(JSON.stringify(line)), quick });
  }
  process.exit(0);
}
