import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { globalGenerator, manualSeed, type Tensor, tensor, ValueError } from '../src/index.js';
import { Linear, crossEntropy, mseLoss, type Module } from '../src/nn/index.js';
import { Adam, OneCycleLR, SGD, StepLR, ReduceLROnPlateau, type Optimizer } from '../src/optim/index.js';
import { DataLoader } from '../src/datasets/dataloader.js';
import { TensorDataset } from '../src/datasets/dataset.js';
import {
  DivergenceError,
  EarlyStopping,
  LambdaCallback,
  LearningRateScheduler,
  ModelCheckpoint,
  checkpointFromBytes,
  checkpointToBytes,
  evaluate,
  fit,
  predict,
  type TrainingCheckpoint,
} from '../src/train/index.js';

/** Two Gaussian blobs per class in 4-D: an easy 3-class problem. */
import { blobs, mlp, weights, tmp } from './helpers/train.js';

describe('fit', () => {
  it('trains a classifier on tensors, with metrics, validationSplit and lr in the history', async () => {
    const data = blobs(300, 1);
    const model = mlp(0);
    const history = await fit(model, data, {
      loss: 'crossEntropy',
      optimizer: 'adam',
      lr: 0.01,
      epochs: 8,
      batchSize: 16,
      seed: 3,
      metrics: ['accuracy'],
      validationSplit: 0.2,
      verbose: 0,
    });
    assert.deepEqual(Object.keys(history.history).sort(), ['accuracy', 'loss', 'lr', 'valAccuracy', 'valLoss']);
    assert.deepEqual(history.epoch, [0, 1, 2, 3, 4, 5, 6, 7]);
    const loss = history.get('loss');
    assert.ok(loss[7] < loss[0] / 2, `loss fell: ${loss[0]} → ${loss[7]}`);
    assert.ok(history.get('valAccuracy')[7] > 0.9, `val accuracy ${history.get('valAccuracy')[7]}`);
    assert.deepEqual(history.get('lr'), new Array(8).fill(0.01));
    assert.equal(model.training, true, 'mode restored');
  });

  it('accepts a DataLoader, an array of batches, a loss module or function, and an optimizer instance', async () => {
    const data = blobs(120, 2);
    const model = mlp(1);
    const loader = new DataLoader(new TensorDataset(data.x, data.y), { batchSize: 20, shuffle: true, seed: 5 });
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const h1 = await fit(model, loader, { loss: (p: Tensor, t: Tensor) => crossEntropy(p, t), optimizer: opt, epochs: 3, verbose: 0, validationData: data });
    assert.equal(h1.get('loss').length, 3);
    assert.ok('valLoss' in h1.history);
    const batches = [[data.x, data.y]];
    const h2 = await fit(model, batches, { loss: 'cross_entropy', epochs: 2, verbose: 0 });
    assert.equal(h2.get('loss').length, 2);
  });

  it('predict runs in batches under eval mode and matches one forward pass', async () => {
    const { x } = blobs(70, 3);
    const model = mlp(2, 0.5);
    const full = predict(model, x, { batchSize: 1000 });
    const batched = predict(model, x, { batchSize: 16 });
    assert.deepEqual([...batched.data], [...full.data]);
    assert.deepEqual(batched.shape, [70, 3]);
    assert.equal(batched.requiresGrad, false);
    assert.equal(model.training, true);
    model.eval();
    assert.deepEqual([...model.call(x).data], [...full.data], 'dropout off in predict');
  });

  it('evaluate gives the mean loss and metrics', async () => {
    const data = blobs(50, 4);
    const model = mlp(3);
    const r = await evaluate(model, data, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 7 });
    const logits = predict(model, data.x);
    const expected = crossEntropy(logits, data.y).item();
    assert.ok(Math.abs(r.loss - expected) < 1e-6, `${r.loss} vs ${expected}`);
    assert.ok(r.accuracy >= 0 && r.accuracy <= 1);
    await assert.rejects(evaluate(model, data), /loss and\/or metrics/);
  });

  it('stops with an error naming epoch and batch when the loss diverges', async () => {
    const data = blobs(64, 5);
    const bad = new Float32Array(data.x.data);
    bad[40 * 4] = NaN; // sample 40 → batch 3 of 8 without shuffling
    manualSeed(4);
    const model = new Linear(4, 3); // (ReLU would turn the NaN into 0)
    const before = weights(model);
    await assert.rejects(
      fit(
        model,
        { x: tensor(bad, { shape: [64, 4] }), y: data.y },
        { loss: 'crossEntropy', epochs: 2, batchSize: 8, shuffle: false, verbose: 0, optimizer: new SGD(model.parameters(), { lr: 0 }) },
      ),
      (err: unknown) => {
        assert.ok(err instanceof DivergenceError);
        assert.equal(err.epoch, 1);
        assert.equal(err.batch, 6);
        assert.match(err.message, /epoch 1\/2, batch 6\/8/);
        return true;
      },
    );
    assert.deepEqual(weights(model), before);
  });

  it('validates its inputs', async () => {
    const data = blobs(10, 6);
    const model = mlp(5);
    await assert.rejects(fit(model, data, {} as never), /loss/);
    await assert.rejects(fit(model, data, { loss: 'nope' }), /unknown loss 'nope'/);
    await assert.rejects(fit(model, data, { loss: 'mse', epochs: 0 }), /epochs must be an integer >= 1/);
    await assert.rejects(fit(model, { x: data.x, y: tensor([1, 2]) }, { loss: 'mse', verbose: 0 }), /x has 10 samples/);
    await assert.rejects(fit(model, data, { loss: 'mse', validationSplit: 1.5 }), /validationSplit/);
    await assert.rejects(fit(model, data, { loss: 'mse', metrics: ['f2'] }), /unknown metric 'f2'/);
    await assert.rejects(fit(model, data, { loss: 'crossEntropy', optimizer: 'lion' }), ValueError);
    function* once() {
      yield [data.x, data.y];
    }
    await assert.rejects(fit(model, once() as never, { loss: 'crossEntropy' }), /one-shot iterator/);
  });

  it('clips gradients when asked', async () => {
    const data = blobs(30, 7);
    const model = mlp(6);
    const norms: number[] = [];
    const probe = new LambdaCallback({
      onBatchEnd: () => {
        let s = 0;
        for (const p of model.parameters()) for (const g of p.grad!.data) s += g * g;
        norms.push(Math.sqrt(s));
      },
    });
    await fit(model, data, { loss: 'crossEntropy', epochs: 1, batchSize: 10, verbose: 0, clipGradNorm: 0.01, callbacks: [probe] });
    assert.ok(norms.length === 3 && norms.every((n) => n <= 0.0100001), `norms ${norms}`);
  });
});

describe('callbacks', () => {
  it('EarlyStopping stops after patience epochs and restores the best weights', async () => {
    const scripted = [1, 0.5, 0.6, 0.55, 0.7, 0.4];
    const snapshots: number[][][] = [];
    const model = mlp(7);
    const es = new EarlyStopping({ monitor: 'score', patience: 2, restoreBestWeights: true });
    const record = new LambdaCallback({
      onEpochEnd: (e, logs) => {
        logs.score = scripted[e];
      },
    });
    const snap = new LambdaCallback({
      onEpochEnd: () => {
        snapshots.push(weights(model));
      },
    });
    // Callbacks run in order: the scripted value is set before EarlyStopping reads it.
    const h = await fit(model, blobs(30, 8), { loss: 'crossEntropy', epochs: 6, verbose: 0, callbacks: [record, es, snap] });
    assert.equal(h.epoch.length, 4, 'stopped after epoch 4 (two without improvement after epoch 2)');
    assert.equal(es.stoppedEpoch, 3);
    assert.equal(es.bestEpoch, 1);
    assert.deepEqual(weights(model), snapshots[1]);
  });

  it('EarlyStopping complains about a missing monitored value', async () => {
    await assert.rejects(fit(mlp(8), blobs(9, 9), { loss: 'crossEntropy', verbose: 0, callbacks: [new EarlyStopping()] }), /'valLoss' is not among/);
  });

  it('ModelCheckpoint writes every N epochs and the last one', async () => {
    const dir = tmp();
    try {
      const mc = new ModelCheckpoint({ path: join(dir, 'ckpt-{epoch}.safetensors'), every: 2 });
      await fit(mlp(9), blobs(20, 10), { loss: 'crossEntropy', epochs: 5, verbose: 0, callbacks: [mc] });
      assert.deepEqual(readdirSync(dir).sort(), ['ckpt-2.safetensors', 'ckpt-4.safetensors', 'ckpt-5.safetensors']);
      const got: number[] = [];
      const best = new ModelCheckpoint({
        onSave: (_b, e) => {
          got.push(e);
        },
        saveBestOnly: true,
        monitor: 'loss',
      });
      await fit(mlp(9), blobs(20, 10), { loss: 'crossEntropy', epochs: 3, verbose: 0, callbacks: [best], optimizer: 'sgd', lr: 0.1 });
      assert.deepEqual(got, [1, 2, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('steps schedulers per epoch (StepLR), per batch (OneCycleLR) and on plateaus', async () => {
    let model = mlp(10);
    let opt: Optimizer = new SGD(model.parameters(), { lr: 0.1 });
    let h = await fit(model, blobs(20, 11), { loss: 'crossEntropy', optimizer: opt, scheduler: new StepLR(opt, { stepSize: 2, gamma: 0.5 }), epochs: 5, verbose: 0 });
    assert.deepEqual(h.get('lr'), [0.1, 0.1, 0.05, 0.05, 0.025]);

    model = mlp(10);
    opt = new Adam(model.parameters());
    const lrs: number[] = [];
    const oc = new OneCycleLR(opt, { maxLr: 0.01, epochs: 2, stepsPerEpoch: 4 });
    const spy = new LambdaCallback({
      onBatchEnd: () => {
        lrs.push(opt.paramGroups[0].lr);
      },
    });
    await fit(model, blobs(20, 11), { loss: 'crossEntropy', optimizer: opt, scheduler: oc, batchSize: 5, epochs: 2, verbose: 0, callbacks: [spy] });
    assert.equal(lrs.length, 8);
    assert.equal(oc.lastEpoch, 8);

    model = mlp(10);
    opt = new SGD(model.parameters(), { lr: 0.1 });
    const plateau = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, mode: 'max' });
    h = await fit(model, blobs(20, 11), {
      loss: 'crossEntropy',
      optimizer: opt,
      epochs: 3,
      verbose: 0,
      callbacks: [
        new LearningRateScheduler(plateau, { monitor: 'constant' }),
        {
          order: -20,
          onEpochEnd: (_e, l) => {
            l.constant = 1;
          },
        },
      ],
    });
    assert.deepEqual(h.get('lr'), [0.1, 0.1, 0.05]);
  });

  it('refuses a scheduler of another optimizer', async () => {
    const model = mlp(11);
    const other = new SGD(mlp(12).parameters());
    await assert.rejects(fit(model, blobs(9, 12), { loss: 'crossEntropy', verbose: 0, scheduler: new StepLR(other, { stepSize: 1 }) }), /another optimizer/);
  });
});

describe('resume', () => {
  const EPOCHS = 5;

  async function run(options: {
    stopAfter?: number;
    resumeFrom?: string | TrainingCheckpoint;
    dir: string;
    loader?: boolean;
  }): Promise<{ model: Module; history: Record<string, number[]> }> {
    const data = blobs(90, 20);
    const model = mlp(options.resumeFrom ? 999 : 42, 0.3); // a resumed run starts from other weights: the checkpoint must restore them
    if (options.resumeFrom) manualSeed(12345); // and from another random state
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const callbacks = [new EarlyStopping({ monitor: 'valLoss', patience: 10, restoreBestWeights: true }), new ModelCheckpoint({ path: join(options.dir, 'last.safetensors') })];
    if (options.stopAfter !== undefined) {
      const stopAt = options.stopAfter;
      callbacks.push(
        new LambdaCallback({
          onEpochEnd: (e, _l, ctx) => {
            if (e + 1 === stopAt) ctx.stopTraining = true;
          },
        }) as never,
      );
    }
    const train = options.loader ? new DataLoader(new TensorDataset(data.x, data.y), { batchSize: 8, shuffle: true, seed: 77 }) : data;
    const valData = blobs(30, 21);
    const history = await fit(model, train, {
      loss: 'crossEntropy',
      optimizer: opt,
      scheduler: sched,
      epochs: EPOCHS,
      batchSize: 8,
      seed: options.loader ? undefined : 7,
      metrics: ['accuracy'],
      validationData: valData,
      callbacks,
      verbose: 0,
      resumeFrom: options.resumeFrom,
    });
    return { model, history: history.history };
  }

  for (const loader of [false, true]) {
    it(`a run stopped after epoch 2 and resumed ends with exactly the weights of an uninterrupted run${loader ? ' (seeded DataLoader)' : ''}`, async () => {
      const dir = tmp();
      try {
        manualSeed(0);
        const straight = await run({ dir, loader });
        const stateAfter = globalGenerator.getState();

        manualSeed(0);
        const stopped = await run({ dir, stopAfter: 2, loader });
        assert.equal(stopped.history.loss.length, 2);
        assert.notDeepEqual(weights(stopped.model), weights(straight.model));

        const resumed = await run({ dir, resumeFrom: join(dir, 'last.safetensors'), loader });
        assert.deepEqual(weights(resumed.model), weights(straight.model));
        assert.deepEqual(resumed.history, straight.history);
        assert.deepEqual(globalGenerator.getState(), stateAfter, 'same random state afterwards');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a checkpoint round-trips through bytes and refuses mismatched callbacks', async () => {
    const dir = tmp();
    try {
      let saved: Uint8Array | null = null;
      const model = mlp(1);
      await fit(model, blobs(12, 1), {
        loss: 'crossEntropy',
        epochs: 1,
        verbose: 0,
        callbacks: [
          new EarlyStopping({ monitor: 'loss', patience: 3 }),
          new ModelCheckpoint({
            onSave: (b) => {
              saved = b;
            },
          }),
        ],
      });
      const ckpt = checkpointFromBytes(saved!);
      assert.equal(ckpt.epoch, 1);
      assert.deepEqual(checkpointToBytes(ckpt), saved);
      // Callbacks whose state is not wanted may be left out; a stateful one the checkpoint lacks is refused.
      const h = await fit(mlp(1), blobs(12, 1), { loss: 'crossEntropy', epochs: 2, verbose: 0, resumeFrom: saved! });
      assert.deepEqual(h.epoch, [0, 1]);
      await assert.rejects(
        fit(mlp(1), blobs(12, 1), {
          loss: 'crossEntropy',
          epochs: 2,
          verbose: 0,
          resumeFrom: saved!,
          callbacks: [new ModelCheckpoint({ onSave: () => {} }), new EarlyStopping({ monitor: 'loss' })],
        }),
        /no state for callback 1:EarlyStopping/,
      );
      await assert.rejects(
        fit(mlp(1), blobs(12, 1), {
          loss: 'crossEntropy',
          epochs: 2,
          verbose: 0,
          optimizer: 'sgd',
          resumeFrom: ckpt,
          callbacks: [new EarlyStopping({ monitor: 'loss' }), new ModelCheckpoint({ onSave: () => {} })],
        }),
        /saved by Adam/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('progress output', () => {
  async function capture(fn: () => Promise<unknown>, tty: boolean): Promise<string> {
    const out = process.stdout;
    const write = out.write;
    const wasTTY = out.isTTY;
    let text = '';
    // fit yields to the event loop, where the test runner writes its own report: pass that through, keep fit's lines.
    out.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && /^\r?Epoch /.test(chunk)) {
        text += chunk;
        return true;
      }
      return (write as (...args: unknown[]) => boolean).call(out, chunk, ...rest);
    }) as typeof out.write;
    (out as { isTTY: boolean }).isTTY = tty;
    try {
      await fn();
    } finally {
      out.write = write;
      (out as { isTTY: boolean | undefined }).isTTY = wasTTY;
    }
    return text;
  }

  it('prints one line per epoch when not on a terminal, nothing with verbose 0', async () => {
    const text = await capture(() => fit(mlp(1), blobs(30, 1), { loss: 'crossEntropy', epochs: 2, batchSize: 10, metrics: ['accuracy'] }), false);
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 2, text);
    assert.match(lines[0], /^Epoch 1\/2 .*loss \d\.\d{4}.*accuracy/);
    assert.equal(await capture(() => fit(mlp(1), blobs(30, 1), { loss: 'crossEntropy', verbose: 0 }), false), '');
  });

  it('draws a bar with ETA on a terminal', async () => {
    const text = await capture(() => fit(mlp(1), blobs(30, 1), { loss: 'crossEntropy', epochs: 1, batchSize: 10 }), true);
    assert.match(text, /\rEpoch 1\/1 \[=+\] 3\/3 {2}loss .* {2}ETA/);
    assert.ok(text.endsWith('\n'));
  });
});

it('fits a regression with mse on float64 models', async () => {
  manualSeed(3);
  const model = new Linear(2, 1, { dtype: 'float64' });
  const x = tensor(
    Float64Array.from({ length: 200 }, (_, i) => Math.sin(i)),
    { shape: [100, 2] },
  );
  const y = tensor(
    Float64Array.from({ length: 100 }, (_, i) => 3 * x.data[2 * i] - 2 * x.data[2 * i + 1] + 0.5),
    { shape: [100, 1] },
  );
  const h = await fit(model, { x, y }, { loss: mseLoss, optimizer: 'sgd', lr: 0.3, epochs: 60, batchSize: 25, verbose: 0, metrics: ['mae'] });
  assert.ok(h.get('loss')[59] < 1e-6, `loss ${h.get('loss')[59]}`);
  assert.ok(h.get('mae')[59] < 1e-3);
});
