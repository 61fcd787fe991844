/**
 * The deep-learning workloads of bench/SPEC.md, measured as the PyTorch peer
 * (peers/torch_deep.py) measures them:
 *
 * - `mlp-digits`: digits (row i is test when i % 5 == 0; pixels / 16), Dense
 *   64→128→64→10 with ReLU, softmax cross-entropy, Adam lr 1e-3, batch 32,
 *   30 epochs reshuffled each epoch. `train_s` times the training loop only
 *   (after data loading and model creation); `test_acc` on the 360 test rows.
 * - `predict-latency`: that trained model, one float32[64] row in → ten
 *   probabilities out per call; 1 000 warm-up calls then 10 000 timed ones;
 *   `p50_us`, `p99_us`.
 * - `cnn-fashion`: Conv 1→16 3×3 pad 1, ReLU, MaxPool 2, Conv 16→32, ReLU,
 *   MaxPool 2, Dense 1568→64 ReLU → 10; Adam 1e-3, batch 64, 2 epochs.
 *   `train_img_per_s` = 2·60 000 / training time; `infer_img_per_s`: one
 *   warm-up batch, then the 10 000 test images at batch 256, median of 3
 *   passes; `test_acc`.
 * - `lstm-fashion`: rows as 28 steps of 28 pixels, LSTM 64 → Dense 10 on the
 *   last hidden state; Adam 1e-3, batch 64, 1 epoch; `train_seq_per_s`,
 *   `test_acc`.
 *
 * Training goes through `fit` (so the numbers include the training loop's
 * own overhead) with `verbose: 0`. Each workload function takes an `emit`
 * callback for its JSON lines.
 *
 * Run alone: `node dist/bench/deep.js --workloads mlp-digits,predict-latency [--quick] [--data DIR]`.
 */
import { readFileSync } from 'node:fs';
import { defaultDataDir, median, type BenchLine } from './common.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getNumThreads } from '../src/backend/index.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { loadFashionMnist } from '../src/datasets/loaders.js';
import { Conv2d, Flatten, Linear, LSTM, MaxPool2d, Module, ReLU, Sequential } from '../src/nn/index.js';
// As frugal-ml's Node entry point does: Sequential runs consecutive conv blocks as one chain when inferring.
import '../src/nn/fused/conv-chain.js';
import '../src/backend/wasm/adam-moments.js';
import '../src/backend/wasm/lstm-gates.js';
import { noGrad } from '../src/autograd/graph.js';
import { manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Adam } from '../src/optim/index.js';
import { fit, predict } from '../src/train/index.js';

export interface DeepBenchOptions {
  /** Receives each result line. */
  emit: (line: BenchLine) => void;
  /** Folder with digits.csv and fashion-mnist/ (default: ../../shared/data beside the repository, or $FRUGAL_BENCH_DATA). */
  dataDir?: string;
  /** Smoke-test sizes (numbers are not benchmarks; lines carry quick: true). */
  quick?: boolean;
  /** Progress messages (default: stderr). */
  log?: (message: string) => void;
}

/** numpy's percentile with linear interpolation. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function accuracyOf(logits: Tensor, labels: Tensor): number {
  const n = labels.size,
    k = logits.size / n;
  const d = logits.data;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (d[i * k + j] > d[i * k + best]) best = j;
    if (best === labels.data[i]) ok++;
  }
  return ok / n;
}

function context(options: DeepBenchOptions) {
  const threads = getNumThreads();
  const extra = options.quick ? { quick: true } : {};
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const emit = (workload: string, metric: string, value: number): void => options.emit({ workload, impl: 'frugal', threads, metric, value, ...extra });
  return { threads, emit, log, dataDir: options.dataDir ?? defaultDataDir(), quick: options.quick ?? false };
}

// ------------------------------------------------------------------ data ---

export interface Split {
  xtr: Tensor;
  ytr: Tensor;
  xte: Tensor;
  yte: Tensor;
}

/** digits.csv (64 pixel columns then the label), split and scaled as SPEC.md says. */
export function loadDigitsSplit(dataDir: string): Split {
  const lines = readFileSync(join(dataDir, 'digits.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
  const train: number[][] = [],
    test: number[][] = [];
  lines.forEach((line, i) => (i % 5 === 0 ? test : train).push(line.split(',').map(Number)));
  const pack = (rows: number[][]): [Tensor, Tensor] => {
    const x = new Float32Array(rows.length * 64),
      y = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      for (let j = 0; j < 64; j++) x[i * 64 + j] = r[j] / 16;
      y[i] = r[64];
    });
    return [new Tensor(x, [rows.length, 64]), new Tensor(y, [rows.length])];
  };
  const [xtr, ytr] = pack(train),
    [xte, yte] = pack(test);
  return { xtr, ytr, xte, yte };
}

const fashionCache = new Map<string, Split>();

export async function loadFashionSplit(dataDir: string): Promise<Split> {
  const dir = join(dataDir, 'fashion-mnist');
  let s = fashionCache.get(dir);
  if (!s) {
    const tr = await loadFashionMnist(dir, { split: 'train', flatten: false });
    const te = await loadFashionMnist(dir, { split: 'test', flatten: false });
    s = { xtr: tr.data, ytr: tr.target, xte: te.data, yte: te.target };
    fashionCache.set(dir, s);
  }
  return s;
}

export function head(s: Split, ntr: number, nte: number): Split {
  const rows = (t: Tensor, n: number): Tensor => {
    const row = t.size / t.shape[0];
    return new Tensor(t.data.subarray(0, n * row), [n, ...t.shape.slice(1)]);
  };
  return { xtr: rows(s.xtr, ntr), ytr: rows(s.ytr, ntr), xte: rows(s.xte, nte), yte: rows(s.yte, nte) };
}

// ------------------------------------------------------- mlp / latency ---

export function makeMlp(): Sequential {
  return new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10));
}

interface TrainedMlp {
  model: Sequential;
  trainS: number;
  acc: number;
  data: Split;
}
const mlpCache = new Map<string, TrainedMlp>();

/** Trains the mlp-digits model once per data folder and mode (predict-latency reuses it, as the peers do). */
export async function trainedMlp(dataDir: string, quick: boolean): Promise<TrainedMlp> {
  const key = `${dataDir}|${quick}`;
  let m = mlpCache.get(key);
  if (!m) {
    const data = loadDigitsSplit(dataDir);
    manualSeed(0);
    const model = makeMlp();
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    await warmUpWasmThreads();
    const t0 = performance.now();
    await fit(model, { x: data.xtr, y: data.ytr }, { loss: 'crossEntropy', optimizer, epochs: quick ? 3 : 30, batchSize: 32, shuffle: true, verbose: 0 });
    const trainS = (performance.now() - t0) / 1e3;
    const acc = accuracyOf(predict(model, data.xte, { batchSize: 256 }), data.yte);
    m = { model, trainS, acc, data };
    mlpCache.set(key, m);
  }
  return m;
}

export async function benchMlpDigits(options: DeepBenchOptions): Promise<void> {
  const c = context(options);
  const { trainS, acc } = await trainedMlp(c.dataDir, c.quick);
  c.log(`mlp-digits: train ${trainS.toFixed(3)} s, test acc ${acc.toFixed(4)}`);
  c.emit('mlp-digits', 'train_s', trainS);
  c.emit('mlp-digits', 'test_acc', acc);
}

export async function benchPredictLatency(options: DeepBenchOptions): Promise<void> {
  const c = context(options);
  const { model, data } = await trainedMlp(c.dataDir, c.quick);
  const rows = data.xte.data as Float32Array;
  const nte = data.xte.shape[0];
  const [warm, calls] = c.quick ? [100, 1000] : [1000, 10000];
  const lat = new Float64Array(calls);
  model.eval();
  let sink = 0;
  noGrad(() => {
    for (let i = 0; i < warm + calls; i++) {
      const r = i % nte;
      const t0 = performance.now();
      // One call: a Float32Array(64) row in, a Float32Array(10) of probabilities out.
      const x = new Tensor(rows.subarray(r * 64, r * 64 + 64), [1, 64]);
      const p = model.call(x).softmax(1).data;
      const t1 = performance.now();
      if (i >= warm) lat[i - warm] = (t1 - t0) * 1e3;
      sink += p[0];
    }
  });
  if (!Number.isFinite(sink)) throw new Error('predict-latency: non-finite output');
  lat.sort();
  c.log(`predict-latency: p50 ${percentile(lat, 50).toFixed(2)} µs, p99 ${percentile(lat, 99).toFixed(2)} µs`);
  c.emit('predict-latency', 'p50_us', percentile(lat, 50));
  c.emit('predict-latency', 'p99_us', percentile(lat, 99));
}

// ------------------------------------------------------------ cnn / lstm ---

export function makeCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(32 * 7 * 7, 64),
    new ReLU(),
    new Linear(64, 10),
  );
}

export async function benchCnnFashion(options: DeepBenchOptions): Promise<void> {
  const c = context(options);
  let data = await loadFashionSplit(c.dataDir);
  if (c.quick) data = head(data, 2000, 1000);
  manualSeed(0);
  const model = makeCnn();
  const epochs = 2;
  await warmUpWasmThreads();
  const t0 = performance.now();
  await fit(model, { x: data.xtr, y: data.ytr }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs, batchSize: 64, verbose: 0 });
  const trainS = (performance.now() - t0) / 1e3;
  c.log(`cnn-fashion: train ${trainS.toFixed(1)} s`);
  predict(model, head(data, 0, 256).xte, { batchSize: 256 });
  const times: number[] = [];
  let acc = 0;
  for (let r = 0; r < 3; r++) {
    const t1 = performance.now();
    const logits = predict(model, data.xte, { batchSize: 256 });
    acc = accuracyOf(logits, data.yte);
    times.push((performance.now() - t1) / 1e3);
  }
  const n = data.xtr.shape[0];
  c.emit('cnn-fashion', 'train_img_per_s', (epochs * n) / trainS);
  c.emit('cnn-fashion', 'infer_img_per_s', data.xte.shape[0] / median(times));
  c.emit('cnn-fashion', 'test_acc', acc);
}

/** LSTM 28 → 64 over the 28 rows of an image, then Dense 64 → 10 on the last hidden state. */
export class LstmClassifier extends Module {
  readonly lstm = this.registerModule('lstm', new LSTM(28, 64, { batchFirst: true }));
  readonly fc = this.registerModule('fc', new Linear(64, 10));
  override forward(x: Tensor): Tensor {
    const seq = x.ndim === 4 ? x.reshape([x.shape[0], 28, 28]) : x;
    const { h } = this.lstm.run(seq);
    return this.fc.call(h.reshape([seq.shape[0], 64]));
  }
}

export async function benchLstmFashion(options: DeepBenchOptions): Promise<void> {
  const c = context(options);
  let data = await loadFashionSplit(c.dataDir);
  if (c.quick) data = head(data, 2000, 1000);
  const seqs = (t: Tensor): Tensor => new Tensor(t.data, [t.shape[0], 28, 28]);
  manualSeed(0);
  const model = new LstmClassifier();
  await warmUpWasmThreads();
  const t0 = performance.now();
  await fit(model, { x: seqs(data.xtr), y: data.ytr }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 1, batchSize: 64, verbose: 0 });
  const trainS = (performance.now() - t0) / 1e3;
  c.log(`lstm-fashion: train ${trainS.toFixed(1)} s`);
  const acc = accuracyOf(predict(model, seqs(data.xte), { batchSize: 256 }), data.yte);
  c.emit('lstm-fashion', 'train_seq_per_s', data.xtr.shape[0] / trainS);
  c.emit('lstm-fashion', 'test_acc', acc);
}

/** The workloads this file provides, by SPEC.md id. */
export const DEEP_WORKLOADS: Record<string, (options: DeepBenchOptions) => Promise<void>> = {
  'mlp-digits': benchMlpDigits,
  'cnn-fashion': benchCnnFashion,
  'lstm-fashion': benchLstmFashion,
  'predict-latency': benchPredictLatency,
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const names = (arg('--workloads') ?? Object.keys(DEEP_WORKLOADS).join(',')).split(',').filter(Boolean);
  for (const name of names) {
    const run = DEEP_WORKLOADS[name];
    if (!run) throw new Error(`unknown workload '${name}'; known: ${Object.keys(DEEP_WORKLOADS).join(', ')}`);
    await run({ emit: (line) => console.log(JSON.stringify(line)), quick: process.argv.includes('--quick'), dataDir: arg('--data') });
  }
  process.exit(0);
}
