/**
 * Model-compression workloads (issue #12), each against the trained
 * `cnn-fashion` model (float32) in the same process:
 *
 * - `prune-cnn-fashion`: the cnn-fashion CNN (bench/deep.ts: trained 2 epochs,
 *   Adam 1e-3, batch 64) is structured-pruned, the same fraction of channels
 *   in every layer, to at most half its multiply-adds, then fine-tuned
 *   1 epoch (Adam 1e-3, batch 64). Prints `flops_ratio`, `size_ratio`
 *   (float32 bytes over the pruned model's), `speedup` (pruned over float32
 *   inference throughput at batch 256 on the 10 000 test images, the two
 *   models timed alternately, median of 3 passes each), `acc_drop` and both
 *   `test_acc` / `pruned_test_acc`.
 * - `distill-fashion`: teacher = that CNN; student = the same layout with
 *   half the channels and 32 hidden units (about a quarter of the
 *   parameters), trained 2 epochs by distillation (T = 4, alpha = 0.9) and,
 *   from the same initial weights, 2 epochs on the labels alone. Prints
 *   `student_acc`, `scratch_acc`, `teacher_acc`, `param_ratio`.
 *
 * `--quick`: 2 000 training and 1 000 test images (numbers are not benchmarks).
 * Run alone: `node dist/bench/compress.js --workloads prune-cnn-fashion [--quick] [--data DIR]`.
 */
import { pathToFileURL } from 'node:url';
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { distill } from '../src/distill/index.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { countFlops, structuredPrune } from '../src/prune/index.js';
import { manualSeed } from '../src/tensor/random.js';
import { fit, predict } from '../src/train/index.js';
import { defaultDataDir, median, type BenchLine } from './common.js';
import { accuracyOf, head, loadFashionSplit, makeCnn, type Split } from './deep.js';

export interface CompressBenchOptions {
  emit: (line: BenchLine) => void;
  dataDir?: string;
  quick?: boolean;
  log?: (message: string) => void;
}

const IMAGE_SHAPE = [1, 28, 28];

function context(options: CompressBenchOptions) {
  const threads = getNumThreads();
  const extra = options.quick ? { quick: true } : {};
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const emit = (workload: string, metric: string, value: number): void => options.emit({ workload, impl: 'frugal', threads, metric, value, ...extra });
  return { emit, log, dataDir: options.dataDir ?? defaultDataDir(), quick: options.quick ?? false };
}

async function fashion(dataDir: string, quick: boolean): Promise<Split> {
  const data = await loadFashionSplit(dataDir);
  return quick ? head(data, 2000, 1000) : data;
}

async function train(model: Sequential, data: Split, epochs: number): Promise<void> {
  await fit(model, { x: data.xtr, y: data.ytr }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs, batchSize: 64, verbose: 0 });
}

const trainedCache = new Map<string, Sequential>();

/** The cnn-fashion model trained as bench/deep.ts trains it (seed 0, 2 epochs), once per data folder and mode. */
async function trainedCnn(data: Split, key: string): Promise<Sequential> {
  let model = trainedCache.get(key);
  if (!model) {
    manualSeed(0);
    model = makeCnn();
    await warmUpWasmThreads();
    await train(model, data, 2);
    trainedCache.set(key, model);
  }
  return model;
}

function testAccuracy(model: Sequential, data: Split): number {
  return accuracyOf(predict(model, data.xte, { batchSize: 256 }), data.yte);
}

/** Test images per second at batch 256 of each model, timed alternately (3 passes each after a warm-up batch), medians. */
function throughputs(models: Sequential[], data: Split): number[] {
  const warm = head(data, 0, 256).xte;
  for (const m of models) predict(m, warm, { batchSize: 256 });
  const times = models.map((): number[] => []);
  for (let r = 0; r < 3; r++) {
    models.forEach((m, i) => {
      const t0 = performance.now();
      predict(m, data.xte, { batchSize: 256 });
      times[i].push((performance.now() - t0) / 1e3);
    });
  }
  return times.map((t) => data.xte.shape[0] / median(t));
}

export async function benchPruneCnnFashion(options: CompressBenchOptions): Promise<void> {
  const c = context(options);
  const data = await fashion(c.dataDir, c.quick);
  const model = await trainedCnn(data, `${c.dataDir}|${c.quick}`);
  const acc = testAccuracy(model, data);
  const pruned = structuredPrune(model, { flopsRatio: 0.5, inputShape: IMAGE_SHAPE });
  const flopsRatio = countFlops(pruned, IMAGE_SHAPE).total / countFlops(model, IMAGE_SHAPE).total;
  const accBeforeTuning = testAccuracy(pruned, data);
  manualSeed(1);
  await train(pruned, data, 1);
  const prunedAcc = testAccuracy(pruned, data);
  const [base, small] = throughputs([model, pruned], data);
  c.log(
    `prune-cnn-fashion: FLOPs ${flopsRatio.toFixed(3)}, params ${model.numParameters()} → ${pruned.numParameters()}, acc ${acc.toFixed(4)} → ${accBeforeTuning.toFixed(4)} (pruned) → ${prunedAcc.toFixed(4)} (fine-tuned), ${base.toFixed(0)} → ${small.toFixed(0)} img/s`,
  );
  c.emit('prune-cnn-fashion', 'flops_ratio', flopsRatio);
  c.emit('prune-cnn-fashion', 'size_ratio', model.numParameters() / pruned.numParameters());
  c.emit('prune-cnn-fashion', 'speedup', small / base);
  c.emit('prune-cnn-fashion', 'acc_drop', acc - prunedAcc);
  c.emit('prune-cnn-fashion', 'test_acc', acc);
  c.emit('prune-cnn-fashion', 'pruned_test_acc', prunedAcc);
  c.emit('prune-cnn-fashion', 'pruned_untuned_acc', accBeforeTuning);
}

/** cnn-fashion's layout with 8 and 16 channels and 32 hidden units: about a quarter of its parameters. */
export function makeStudentCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(16 * 7 * 7, 32),
    new ReLU(),
    new Linear(32, 10),
  );
}

export async function benchDistillFashion(options: CompressBenchOptions): Promise<void> {
  const c = context(options);
  const data = await fashion(c.dataDir, c.quick);
  const teacher = await trainedCnn(data, `${c.dataDir}|${c.quick}`);
  const teacherAcc = testAccuracy(teacher, data);
  const epochs = 2;
  manualSeed(2);
  const student = makeStudentCnn();
  const scratch = makeStudentCnn();
  scratch.loadStateDict(student.stateDict());
  await distill({
    teacher,
    student,
    data: { x: data.xtr, y: data.ytr },
    temperature: 4,
    alpha: 0.9,
    optimizer: new Adam(student.parameters(), { lr: 1e-3 }),
    epochs,
    batchSize: 64,
    seed: 3,
    verbose: 0,
  });
  await fit(scratch, { x: data.xtr, y: data.ytr }, { loss: 'crossEntropy', optimizer: new Adam(scratch.parameters(), { lr: 1e-3 }), epochs, batchSize: 64, seed: 3, verbose: 0 });
  const studentAcc = testAccuracy(student, data);
  const scratchAcc = testAccuracy(scratch, data);
  const paramRatio = teacher.numParameters() / student.numParameters();
  c.log(`distill-fashion: teacher ${teacherAcc.toFixed(4)}, distilled student ${studentAcc.toFixed(4)}, from scratch ${scratchAcc.toFixed(4)}, params 1/${paramRatio.toFixed(2)}`);
  c.emit('distill-fashion', 'student_acc', studentAcc);
  c.emit('distill-fashion', 'scratch_acc', scratchAcc);
  c.emit('distill-fashion', 'teacher_acc', teacherAcc);
  c.emit('distill-fashion', 'param_ratio', paramRatio);
}

/** The workloads this file provides. */
export const COMPRESS_WORKLOADS: Record<string, (options: CompressBenchOptions) => Promise<void>> = {
  'prune-cnn-fashion': benchPruneCnnFashion,
  'distill-fashion': benchDistillFashion,
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const names = (arg('--workloads') ?? Object.keys(COMPRESS_WORKLOADS).join(',')).split(',').filter(Boolean);
  for (const name of names) {
    const run = COMPRESS_WORKLOADS[name];
    if (!run) throw new Error(`unknown workload '${name}'; known: ${Object.keys(COMPRESS_WORKLOADS).join(', ')}`);
    await run({ emit: (line) => console.log(JSON.stringify(line)), quick: process.argv.includes('--quick'), dataDir: arg('--data') });
  }
  process.exit(0);
}
