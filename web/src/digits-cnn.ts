/**
 * The demo's model and training run, shared by the page's worker
 * (train-worker.ts, through the browser entry points) and the Node side of the
 * `browser-train-digits` benchmark (bench/browser.ts, through src/index.ts):
 * the library is passed in, so both run exactly this code.
 *
 * A small CNN on the built-in 8×8 digits: Conv 1→16 3×3 pad 1, ReLU, MaxPool 2,
 * Conv 16→32 3×3 pad 1, ReLU, MaxPool 2, Linear 128→10. Every fifth image is
 * held out for testing, as the mlp-digits benchmark does.
 */
import type * as Frugal from '../../src/browser.js';
import type { loadDigits } from '../../src/datasets/loaders.js';

/** The browser entry point's API, and the digits loader (from `frugal-ml/all` in the browser). */
export type FrugalApi = typeof Frugal & { loadDigits: typeof loadDigits };

export interface EpochReport {
  epoch: number;
  /** Mean training loss of the epoch. */
  loss: number;
  /** Accuracy on the held-out images after the epoch. */
  testAcc: number;
  /** Training samples per second over the epoch (evaluation excluded). */
  samplesPerS: number;
}

export interface TrainReport {
  threads: number;
  /** Whether the worker threads were started and ready (false: one thread). */
  workersReady: boolean;
  testAcc: number;
  /** Training samples per second over all epochs. */
  samplesPerS: number;
  epochs: EpochReport[];
}

export interface DigitsRun {
  model: InstanceType<FrugalApi['Sequential']>;
  report: TrainReport;
}

export function makeDigitsCnn(lib: FrugalApi): InstanceType<FrugalApi['Sequential']> {
  const { nn } = lib;
  return new lib.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 2 * 2, 10),
  );
}

/** The digits as [n, 1, 8, 8] images in [0, 1], split 4:1 into training and test images. */
export function digitsSplit(lib: FrugalApi) {
  const { data, target } = lib.loadDigits();
  const n = target.shape[0];
  const pixels = data.data;
  const labels = target.data;
  const nTest = Math.ceil(n / 5);
  const xtr = new Float32Array((n - nTest) * 64);
  const xte = new Float32Array(nTest * 64);
  const ytr = new Int32Array(n - nTest);
  const yte = new Int32Array(nTest);
  let itr = 0;
  let ite = 0;
  for (let i = 0; i < n; i++) {
    const test = i % 5 === 0;
    const x = test ? xte : xtr;
    const at = test ? ite : itr;
    for (let j = 0; j < 64; j++) x[at * 64 + j] = pixels[i * 64 + j] / 16;
    if (test) yte[ite++] = labels[i];
    else ytr[itr++] = labels[i];
  }
  return {
    xtr: new lib.Tensor(xtr, [ytr.length, 1, 8, 8]),
    ytr: new lib.Tensor(ytr, [ytr.length]),
    xte: new lib.Tensor(xte, [yte.length, 1, 8, 8]),
    yte: new lib.Tensor(yte, [yte.length]),
  };
}

/** Class scores [n, 10] → accuracy against `labels`. */
function accuracy(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/** Trains the CNN for `epochs` epochs (Adam, lr 3e-3, batches of 32, seed 0), reporting after each. */
export async function trainDigitsCnn(lib: FrugalApi, epochs: number, onEpoch: (report: EpochReport) => void = () => {}): Promise<DigitsRun> {
  const workersReady = await lib.warmUpThreads();
  lib.manualSeed(0);
  const split = digitsSplit(lib);
  const model = makeDigitsCnn(lib);
  const testLabels = split.yte.data;
  const reports: EpochReport[] = [];
  let trainMs = 0;
  let epochStart = 0;
  await lib.fit(
    model,
    { x: split.xtr, y: split.ytr },
    {
      loss: 'crossEntropy',
      optimizer: new lib.Adam(model.parameters(), { lr: 3e-3 }),
      epochs,
      batchSize: 32,
      verbose: 0,
      callbacks: [
        {
          onEpochBegin: () => {
            epochStart = performance.now();
          },
          onEpochEnd: (epoch, logs) => {
            const ms = performance.now() - epochStart;
            trainMs += ms;
            const scores = lib.predict(model, split.xte, { batchSize: 256 }).data;
            const report = { epoch: epoch + 1, loss: Number(logs.loss), testAcc: accuracy(scores, testLabels), samplesPerS: (split.ytr.shape[0] * 1000) / ms };
            reports.push(report);
            onEpoch(report);
          },
        },
      ],
    },
  );
  const last = reports[reports.length - 1];
  return {
    model,
    report: {
      threads: lib.getNumThreads(),
      workersReady,
      testAcc: last?.testAcc ?? 0,
      samplesPerS: (split.ytr.shape[0] * reports.length * 1000) / trainMs,
      epochs: reports,
    },
  };
}

/** Class probabilities of one 8×8 image (64 values in [0, 1], row by row). */
export function classify(lib: FrugalApi, model: InstanceType<FrugalApi['Sequential']>, pixels: Float32Array): number[] {
  const scores = lib.noGrad(() => lib.predict(model, new lib.Tensor(pixels, [1, 1, 8, 8]))).data;
  let max = -Infinity;
  for (let c = 0; c < 10; c++) max = Math.max(max, scores[c]);
  const exp = Array.from({ length: 10 }, (_, c) => Math.exp(scores[c] - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}
