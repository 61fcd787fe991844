/**
 * ONNX export checked by ONNX Runtime: each exported model runs in
 * onnxruntime-node on random inputs (including a batch size other than the
 * sample's, for the dynamic batch dimension) and must match Frugal's output
 * within 1e-5 relative in float32; then the round trip export → import gives
 * the same outputs again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  LinearRegression,
  LogisticRegression,
  MaxAbsScaler,
  MinMaxScaler,
  Pipeline,
  Ridge,
  RobustScaler,
  StandardScaler,
  type Tensor,
  ValueError,
  concat,
  exportOnnx,
  exportOnnxBytes,
  importOnnxBytes,
  manualSeed,
  randn,
  randint,
} from '../src/index.js';
import * as nn from '../src/nn/index.js';
import type { Module } from '../src/nn/module.js';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

async function runOrt(bytes: Uint8Array, x: Tensor): Promise<{ data: ArrayLike<number>; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const type = x.dtype === 'int32' ? 'int32' : 'float32';
  const feed = { input: new ort.Tensor(type, x.data as Float32Array | Int32Array, [...x.shape]) };
  const result = await session.run(feed);
  const out = result.output;
  return { data: out.data as Float32Array, dims: out.dims };
}

/** Exports with one batch size, checks ORT and the round trip on another. */
async function checkModel(model: Module, makeInput: (batch: number) => Tensor): Promise<void> {
  model.eval();
  const bytes = exportOnnxBytes(model, makeInput(2));
  const imported = importOnnxBytes(bytes);
  for (const batch of [2, 5]) {
    const x = makeInput(batch);
    const expected = model.forward(x);
    const ortOut = await runOrt(bytes, x);
    assert.deepEqual([...ortOut.dims], [...expected.shape], 'ONNX Runtime output shape');
    assertClose(ortOut.data, expected.data, 'ONNX Runtime vs Frugal');
    const back = imported.forward(x);
    assert.deepEqual([...back.shape], [...expected.shape], 'round-trip shape');
    assertClose(back.data, expected.data, 'round trip vs Frugal');
  }
}

const floatInput = (shape: number[]) => (batch: number) => randn([batch, ...shape]);

describe('exportOnnx: checked by ONNX Runtime', () => {
  it('MLP: Linear, ReLU, Tanh, Sigmoid, LeakyReLU, ELU, SiLU, GELU, Softplus, Dropout, Softmax', async () => {
    manualSeed(1);
    const model = new nn.Sequential(
      new nn.Linear(6, 16),
      new nn.ReLU(),
      new nn.Dropout(0.5),
      new nn.Linear(16, 12),
      new nn.Tanh(),
      new nn.Linear(12, 12),
      new nn.LeakyReLU(0.2),
      new nn.ELU(0.7),
      new nn.SiLU(),
      new nn.GELU(),
      new nn.Softplus(),
      new nn.Sigmoid(),
      new nn.Linear(12, 3),
      new nn.Softmax(-1),
    );
    await checkModel(model, floatInput([6]));
  });

  it('CNN: Conv2d (padding, stride, groups), BatchNorm2d, MaxPool2d, AvgPool2d, Flatten, LogSoftmax', async () => {
    manualSeed(2);
    const bn = new nn.BatchNorm2d(8);
    // Non-trivial running statistics: a few training batches.
    bn.train();
    for (let i = 0; i < 3; i++) bn.forward(randn([4, 8, 6, 6]).mul(2).add(1));
    const model = new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1 }),
      bn,
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 8, [3, 2], { stride: [1, 2], groups: 2, padding: 1 }),
      new nn.AvgPool2d(2, { stride: 1 }),
      new nn.Flatten(),
      new nn.Linear(8 * 3 * 2, 4),
      new nn.LogSoftmax(),
    );
    await checkModel(model, floatInput([3, 8, 8]));
  });

  it("Conv2d padding 'same' with an even kernel (asymmetric pads), GlobalAvgPool2d", async () => {
    manualSeed(3);
    const model = new nn.Sequential(new nn.Conv2d(2, 4, 4, { padding: 'same' }), new nn.ReLU(), new nn.GlobalAvgPool2d(), new nn.Linear(4, 2));
    await checkModel(model, floatInput([2, 7, 7]));
  });

  it('1-D: Conv1d, BatchNorm1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool2d(1) after Unflatten', async () => {
    manualSeed(4);
    const model = new nn.Sequential(
      new nn.Conv1d(3, 6, 3, { padding: 1, dilation: 1 }),
      new nn.MaxPool1d(2),
      new nn.Conv1d(6, 4, 2, { stride: 2 }),
      new nn.AvgPool1d(2, { stride: 1 }),
      new nn.Flatten(),
      new nn.BatchNorm1d(12),
      new nn.Unflatten(1, [3, 2, 2]),
      new nn.AdaptiveAvgPool2d(1),
      new nn.Flatten(),
    );
    await checkModel(model, floatInput([3, 16]));
  });

  it('ConvTranspose2d (stride, padding, output padding, groups, dilation) and Upsample (nearest, bilinear, by factor and to a size)', async () => {
    manualSeed(13);
    const model = new nn.Sequential(
      new nn.ConvTranspose2d(3, 4, 4, { stride: 2, padding: 1 }),
      new nn.ReLU(),
      new nn.Upsample({ scaleFactor: 2 }),
      new nn.ConvTranspose2d(4, 6, [3, 2], { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], groups: 2, dilation: [1, 2] }),
      new nn.Upsample({ size: [9, 11], mode: 'bilinear' }),
      new nn.ConvTranspose2d(6, 2, 3, { bias: false }),
      new nn.Upsample({ scaleFactor: [2, 1.5], mode: 'bilinear' }),
      new nn.Upsample({ size: [12, 40], mode: 'bilinear', alignCorners: true }),
      new nn.Upsample({ size: [24, 40] }),
    );
    await checkModel(model, floatInput([3, 3, 4]));
  });

  it('Embedding then Linear on 3-D input (MatMul + Add)', async () => {
    manualSeed(5);
    const model = new nn.Sequential(new nn.Embedding(10, 4), new nn.Linear(4, 3), new nn.Flatten());
    await checkModel(model, (batch) => randint(0, 10, [batch, 5]));
  });

  it('LSTM (two layers, bidirectional, batch first) and GRU (time-major) with Linear heads', async () => {
    manualSeed(12);
    const lstm = new nn.Sequential(new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true }), new nn.Linear(10, 2));
    await checkModel(lstm, (batch) => randn([batch, 4, 3]));
    const gru = new nn.Sequential(new nn.GRU(3, 4, { numLayers: 2 }), new nn.Tanh(), new nn.Linear(4, 2));
    // Time-major: the batch is the second axis, so ONNX Runtime gets two batch sizes through the sample's first axis (time).
    await checkModel(gru, (steps) => randn([steps, 3, 3]));
    const noBias = new nn.Sequential(new nn.GRU(2, 3, { bias: false, batchFirst: true }));
    await checkModel(noBias, (batch) => randn([batch, 5, 2]));
  });

  it('writes a file ONNX Runtime loads, with opset 17 and a dynamic batch dimension', async () => {
    manualSeed(6);
    const model = new nn.Sequential(new nn.Linear(3, 2));
    const path = join(mkdtempSync(join(tmpdir(), 'frugal-onnx-')), 'model.onnx');
    await exportOnnx(model, randn([1, 3]), path);
    const session = await ort.InferenceSession.create(readFileSync(path));
    const x = randn([7, 3]);
    const out = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [7, 3]) });
    assertClose(out.output.data as Float32Array, model.forward(x).data, 'file');
  });

  it('refuses a layer it cannot express, naming it', () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false });
    assert.throws(() => exportOnnxBytes(new nn.Sequential(new nn.Linear(2, 2), bn), randn([1, 2])), /running statistics/);
    assert.throws(() => exportOnnxBytes(new nn.Sequential(new nn.Softplus({ beta: 2 })), randn([1, 2])), /Softplus with these settings is not supported/);
  });
});

describe('exportOnnx: Modules with their own forward, traced', () => {
  /** x + f(x) with a learned scale used directly and a constant. */
  class Residual extends nn.Module {
    body = new nn.Sequential(new nn.Linear(6, 6), new nn.ReLU(), new nn.Linear(6, 6));
    scale = new nn.Parameter(randn([6]));
    override forward(x: Tensor): Tensor {
      return x.add(this.body.forward(x).mul(this.scale)).mul(0.5).relu();
    }
  }

  /** Two convolution branches joined along channels, then a head reached through a reshape. */
  class TwoBranch extends nn.Module {
    left = new nn.Conv2d(2, 3, 3, { padding: 1 });
    right = new nn.Sequential(new nn.Conv2d(2, 4, 1), new nn.Tanh());
    pool = new nn.MaxPool2d(2);
    head = new nn.Linear(7 * 3 * 3, 3);
    override forward(x: Tensor): Tensor {
      const joined = concat([this.left.forward(x), this.right.forward(x)], 1);
      const pooled = this.pool.forward(joined.sigmoid());
      return this.head.forward(pooled.reshape([x.shape[0], 7 * 3 * 3])).softplus();
    }
  }

  it('a residual block (x + f(x)) with a parameter and a constant used in forward', async () => {
    manualSeed(20);
    await checkModel(new Residual(), floatInput([6]));
  });

  it('two branches joined by concat, a reshape keeping the batch, nested inside a Sequential', async () => {
    manualSeed(21);
    await checkModel(new TwoBranch(), floatInput([2, 6, 6]));
    manualSeed(22);
    const residual = new Residual();
    await checkModel(new nn.Sequential(new nn.Linear(3, 6), residual, residual, new nn.Linear(6, 2)), floatInput([3]));
  });

  it('a forward of many thousands of chained ops (no recursion limit)', async () => {
    class Long extends nn.Module {
      lin = new nn.Linear(3, 3);
      override forward(x: Tensor): Tensor {
        let h = this.lin.forward(x);
        for (let i = 0; i < 6000; i++) h = h.mul(0.9999).add(0.0001);
        return h;
      }
    }
    manualSeed(23);
    await checkModel(new Long(), floatInput([3]));
  });

  it('a custom forward with operations it cannot write gives one error naming them all', () => {
    class Custom extends nn.Module {
      lin = new nn.Linear(2, 2);
      override forward(x: Tensor): Tensor {
        return this.lin.forward(x).clip(-1, 1).log1p().add(x.softmax(1));
      }
    }
    assert.throws(
      () => exportOnnxBytes(new nn.Sequential(new nn.Linear(2, 2), new Custom()), randn([1, 2])),
      (err: Error) => err instanceof ValueError && /Custom uses operations ONNX export does not support: (?=.*clip)(?=.*log1p)(?=.*softmax)/.test(err.message),
    );
  });
});

describe('exportOnnx: fitted linear estimators, checked by ONNX Runtime', () => {
  const X = () => randn([40, 4]);
  const labels = (x: Tensor, k: number) => Array.from({ length: x.shape[0] }, (_, i) => Math.floor(Math.abs(x.data[i * 4] * 3 + x.data[i * 4 + 1]) * k) % k);

  async function checkEstimator(est: LinearRegression | Ridge | LogisticRegression, x: Tensor, expected: ArrayLike<number>): Promise<void> {
    const out = await runOrt(exportOnnxBytes(est, x), x);
    assertClose(out.data, expected, `${est.constructor.name} in ONNX Runtime`, 1e-5, 1e-5);
  }

  it('LinearRegression and Ridge: predict', async () => {
    manualSeed(7);
    const x = X();
    const y = Array.from({ length: 40 }, (_, i) => 2 * x.data[i * 4] - x.data[i * 4 + 2] + 0.5);
    for (const est of [new LinearRegression().fit(x, y), new Ridge({ alpha: 0.5 }).fit(x, y)]) {
      const test = randn([9, 4]);
      await checkEstimator(est, test, est.predict(test) as ArrayLike<number>);
    }
  });

  it('LogisticRegression: predictProba for two classes, multinomial and one-vs-rest', async () => {
    manualSeed(8);
    const x = X();
    const cases = [
      new LogisticRegression().fit(x, labels(x, 2)),
      new LogisticRegression().fit(x, labels(x, 3)),
      new LogisticRegression({ multiClass: 'ovr' }).fit(x, labels(x, 3)),
    ];
    for (const est of cases) {
      const test = randn([9, 4]);
      await checkEstimator(est, test, est.predictProba(test).data);
    }
  });

  it('Pipeline: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, passthrough, then LogisticRegression or Ridge', async () => {
    manualSeed(10);
    const x = randn([40, 4]).mul(3).add(1);
    const scalers = () =>
      [
        ['standard', new StandardScaler()],
        ['minmax', new MinMaxScaler({ featureRange: [-1, 2] })],
        ['skip', 'passthrough'],
        ['maxabs', new MaxAbsScaler()],
        ['robust', new RobustScaler()],
      ] as const;
    const classifier = new Pipeline([...scalers(), ['model', new LogisticRegression()]]).fit(x, labels(x, 3));
    const regressor = new Pipeline([...scalers(), ['model', new Ridge()]]).fit(
      x,
      Array.from({ length: 40 }, (_, i) => x.data[i * 4] - 2 * x.data[i * 4 + 3]),
    );
    const test = randn([7, 4]).mul(3).add(1);
    const proba = await runOrt(exportOnnxBytes(classifier, test), test);
    assertClose(proba.data, classifier.predictProba?.(test).data ?? [], 'Pipeline → LogisticRegression', 1e-5, 1e-5);
    const predicted = await runOrt(exportOnnxBytes(regressor, test), test);
    assertClose(predicted.data, regressor.predict(test) as ArrayLike<number>, 'Pipeline → Ridge', 1e-5, 1e-5);
  });

  it('refuses an unfitted estimator and a sample of the wrong width', () => {
    assert.throws(() => exportOnnxBytes(new LinearRegression(), randn([2, 3])), /not fitted/);
    manualSeed(9);
    const x = X();
    const est = new LinearRegression().fit(
      x,
      Array.from({ length: 40 }, (_, i) => x.data[i * 4]),
    );
    assert.throws(() => exportOnnxBytes(est, randn([2, 3])), /fitted on 4 features/);
  });
});
