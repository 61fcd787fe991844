/**
 * The numbers of docs/transfer-learning.md: bench/deep.ts's CNN
 * (`makeCnn`, the cnn-fashion model) pre-trained on Fashion-MNIST, then
 * applied to digits with few labels (10 per class from SPEC.md's train
 * part; digits 8×8 scaled ×3 and padded to 28×28, pixels / 16), tested on
 * the 360 digits of the test part, against the same CNN trained from
 * scratch on the same 100 images:
 *
 * - scratch: every layer trained on the 100 digits;
 * - head: every pre-trained layer frozen, a new head (Linear 64 → 10) trained;
 * - features: the pre-trained convolution blocks frozen, new dense layers
 *   (Linear 1568 → 64, Linear 64 → 10) trained;
 * - finetune: the same new dense layers (lr 1e-3) and the pre-trained
 *   convolution blocks (lr 1e-4) all trained.
 *
 * Three draws of the 100 labelled digits (positions 10s .. 10s+9 of each
 * class). `--quick`: 3 000 Fashion images, 1 draw.
 *
 * Run: `node dist/bench/transfer-fashion-digits.js [--quick] [--data DIR]`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warmUpThreads } from '../src/backend/index.js';
import { loadFashionMnist } from '../src/datasets/loaders.js';
import { Linear, type Sequential } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { fit, predict } from '../src/train/index.js';
import { defaultDataDir, digitsSplit } from './common.js';
import { makeCnn } from './deep.js';

const PER_CLASS = 10;

/** Digits rows [n, 64] in [0, 1] as images [n, 1, 28, 28]: each pixel 3×3, a 2-pixel border. */
export function digitsAs28(data: Float64Array, n: number): Tensor {
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 24; r++) for (let c = 0; c < 24; c++) out[i * 784 + (r + 2) * 28 + c + 2] = data[i * 64 + Math.floor(r / 3) * 8 + Math.floor(c / 3)];
  }
  return new Tensor(out, [n, 1, 28, 28]);
}

function accuracy(logits: Tensor, y: ArrayLike<number>): number {
  const k = logits.shape[1];
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (logits.data[i * k + j] > logits.data[i * k + best]) best = j;
    if (best === y[i]) ok++;
  }
  return ok / y.length;
}

type Mode = 'scratch' | 'head' | 'features' | 'finetune';

/** Layers 0-6 of makeCnn: the two convolution blocks and the flatten. */
const CONV_BLOCKS = 7;

async function trainOnDigits(mode: Mode, pretrained: Map<string, Tensor> | null, x: Tensor, y: Tensor, seed: number): Promise<Sequential> {
  manualSeed(seed);
  const model = makeCnn();
  if (mode === 'scratch') {
    await fit(model, { x, y }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 30, batchSize: 16, seed, verbose: 0 });
    return model;
  }
  model.loadStateDict(pretrained!);
  model.set(-1, new Linear(64, 10)); // a new head for the new classes
  if (mode === 'head') model.slice(0, -1).freeze();
  if (mode !== 'head') model.set(CONV_BLOCKS, new Linear(32 * 7 * 7, 64)); // new dense layers on the pre-trained convolutions
  const convolutions = model.slice(0, CONV_BLOCKS);
  if (mode === 'features') convolutions.freeze();
  const optimizer =
    mode === 'finetune'
      ? new Adam(
          [
            { params: convolutions.parameters(), lr: 1e-4 },
            { params: model.slice(CONV_BLOCKS).parameters(), lr: 1e-3 },
          ],
          { lr: 1e-3 },
        )
      : new Adam(model.trainableParameters(), { lr: 1e-3 });
  await fit(model, { x, y }, { loss: 'crossEntropy', optimizer, epochs: 30, batchSize: 16, seed, verbose: 0 });
  return model;
}

export async function transferFashionDigits(options: { quick?: boolean; dataDir?: string } = {}): Promise<Record<Mode, number[]>> {
  const dataDir = options.dataDir ?? defaultDataDir();
  await warmUpThreads();
  const fashion = await loadFashionMnist(join(dataDir, 'fashion-mnist'), { split: 'train', flatten: false });
  const nSource = options.quick ? 3000 : 60000;
  const source = { x: new Tensor(fashion.data.data.slice(0, nSource * 784), [nSource, 1, 28, 28]), y: new Tensor(fashion.target.data.slice(0, nSource), [nSource]) };
  manualSeed(0);
  const pretrainedModel = makeCnn();
  const t0 = performance.now();
  await fit(pretrainedModel, source, { loss: 'crossEntropy', optimizer: new Adam(pretrainedModel.parameters(), { lr: 1e-3 }), epochs: 1, batchSize: 64, seed: 0, verbose: 0 });
  console.error(`pre-trained on ${nSource} Fashion-MNIST images in ${((performance.now() - t0) / 1e3).toFixed(0)} s`);
  const pretrained = pretrainedModel.stateDict();

  const { Xtr, ytr, Xte, yte } = digitsSplit(dataDir);
  const xte = digitsAs28(Xte.data, Xte.rows);
  const results: Record<Mode, number[]> = { scratch: [], head: [], features: [], finetune: [] };
  for (let draw = 0; draw < (options.quick ? 1 : 3); draw++) {
    const seen = new Map<number, number>();
    const rows = [...ytr.keys()].filter((i) => {
      const position = seen.get(ytr[i]) ?? 0;
      seen.set(ytr[i], position + 1);
      return position >= PER_CLASS * draw && position < PER_CLASS * (draw + 1);
    });
    const picked = new Float64Array(rows.length * 64);
    rows.forEach((r, i) => picked.set(Xtr.data.subarray(r * 64, (r + 1) * 64), i * 64));
    const x = digitsAs28(picked, rows.length);
    const y = new Tensor(
      Int32Array.from(rows, (r) => ytr[r]),
      [rows.length],
    );
    for (const mode of ['scratch', 'head', 'features', 'finetune'] as const) {
      const model = await trainOnDigits(mode, pretrained, x, y, draw);
      results[mode].push(accuracy(predict(model, xte, { batchSize: 256 }), yte));
    }
    console.error(`draw ${draw}:`, Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.at(-1)])));
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--data');
  const results = await transferFashionDigits({ quick: process.argv.includes('--quick'), dataDir: i > 0 ? process.argv[i + 1] : undefined });
  for (const [mode, values] of Object.entries(results)) {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    console.log(JSON.stringify({ workload: 'transfer-fashion-digits', impl: 'frugal', threads: 1, metric: 'test_acc', method: mode, value: mean, std, values }));
  }
  process.exit(0);
}
