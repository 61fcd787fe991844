import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, globalGenerator, manualSeed, ValueError } from '../src/index.js';
import { Adam, SGD, StepLR, ReduceLROnPlateau } from '../src/optim/index.js';
import {
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

describe('trustworthy training runs', () => {
  /** A checkpoint after one epoch of mlp(1) on blobs(12, 1). */
  async function oneEpochCheckpoint(): Promise<TrainingCheckpoint> {
    let saved: Uint8Array | null = null;
    await fit(mlp(1), blobs(12, 1), {
      loss: 'crossEntropy',
      epochs: 1,
      verbose: 0,
      seed: 4,
      callbacks: [
        new ModelCheckpoint({
          onSave: (b) => {
            saved = b;
          },
        }),
      ],
    });
    return checkpointFromBytes(saved!);
  }

  it('resuming refuses optimiser settings the constructor would refuse, and changes nothing', async () => {
    for (const [key, value, message] of [
      ['lr', -1, /lr/],
      ['betas', [0.9, 1.5], /betas\[1\]/],
      ['eps', Number.NaN, /eps/],
    ] as const) {
      const ckpt = await oneEpochCheckpoint();
      ckpt.optimizer.paramGroups[0][key] = value;
      // Through the file format too: the bad value survives encoding.
      const bytes = checkpointToBytes(ckpt);
      const model = mlp(7);
      const before = weights(model);
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      await assert.rejects(fit(model, blobs(12, 1), { loss: 'crossEntropy', epochs: 2, verbose: 0, seed: 4, optimizer, resumeFrom: bytes }), message);
      assert.deepEqual(weights(model), before, `${key}: the model was changed`);
      assert.equal(optimizer.paramGroups[0].lr, 0.01, `${key}: the optimiser was changed`);
    }
  });

  it('resuming refuses corrupt callback or scheduler state and undoes what it had loaded', async () => {
    let saved: Uint8Array | null = null;
    const make = () => {
      const model = mlp(1);
      const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      return { model, optimizer, scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }) };
    };
    const first = make();
    await fit(first.model, blobs(12, 1), {
      loss: 'crossEntropy',
      epochs: 1,
      verbose: 0,
      optimizer: first.optimizer,
      scheduler: first.scheduler,
      callbacks: [
        new EarlyStopping({ monitor: 'loss' }),
        new ModelCheckpoint({
          onSave: (b) => {
            saved = b;
          },
        }),
      ],
    });
    const corruptions: [string, (c: TrainingCheckpoint) => void, RegExp][] = [
      [
        'early stopping wait',
        (c) => {
          (c.callbacks['1:EarlyStopping'] as { wait: number }).wait = -5;
        },
        /wait must be an integer >= 0/,
      ],
      [
        'scheduler base lr',
        (c) => {
          (c.callbacks['0:LearningRateScheduler'] as { baseLrs: number[] }).baseLrs = [-1];
        },
        /malformed state/,
      ],
      [
        'checkpoint best',
        (c) => {
          (c.callbacks['2:ModelCheckpoint'] as { best: unknown }).best = 'x';
        },
        /best must be a number/,
      ],
    ];
    for (const [what, corrupt, message] of corruptions) {
      const ckpt = checkpointFromBytes(saved!);
      corrupt(ckpt);
      const run = make();
      manualSeed(77);
      const before = { weights: weights(run.model), optimizer: JSON.stringify(run.optimizer.stateDict()), global: globalGenerator.getState() };
      await assert.rejects(
        fit(run.model, blobs(12, 1), {
          loss: 'crossEntropy',
          epochs: 2,
          verbose: 0,
          optimizer: run.optimizer,
          scheduler: run.scheduler,
          resumeFrom: ckpt,
          callbacks: [new EarlyStopping({ monitor: 'loss' }), new ModelCheckpoint({ onSave: () => {} })],
        }),
        message,
        what,
      );
      assert.deepEqual(weights(run.model), before.weights, `${what}: weights changed`);
      assert.equal(JSON.stringify(run.optimizer.stateDict()), before.optimizer, `${what}: optimiser changed`);
      assert.deepEqual(globalGenerator.getState(), before.global, `${what}: global generator moved`);
    }
  });

  it('resuming refuses a corrupt generator state before changing the model or the global stream', async () => {
    const corrupt: number[][] = [
      [0, 0, 0, 0, Number.NaN],
      [1.5, 2, 3, 4, Number.NaN],
      [1, 2, 3, 2 ** 40, Number.NaN],
      [1, 2, 3, 4, Infinity],
    ];
    for (const state of corrupt) {
      for (const name of ['global', 'shuffle']) {
        const ckpt = await oneEpochCheckpoint();
        ckpt.random[name] = state;
        const model = mlp(7);
        const before = weights(model);
        const globalBefore = globalGenerator.getState();
        await assert.rejects(fit(model, blobs(12, 1), { loss: 'crossEntropy', epochs: 2, verbose: 0, seed: 4, resumeFrom: ckpt }), ValueError, `${name} ${state}`);
        assert.deepEqual(weights(model), before);
        assert.deepEqual(globalGenerator.getState(), globalBefore);
      }
    }
    assert.throws(() => new Generator(1).setState([0, 0, 0, 0, Number.NaN]), /all-zero/);
    assert.throws(() => new Generator(1).setState('abcde' as never), ValueError);
  });

  it('an aborted fit stops between steps with an AbortError, leaving weights of whole steps', async () => {
    const model = mlp(2);
    const controller = new AbortController();
    let steps = 0;
    let afterThirdStep: number[][] = [];
    const stepper = new LambdaCallback({
      onBatchEnd: (b) => {
        steps++;
        if (b === 2) {
          afterThirdStep = weights(model);
          controller.abort('user pressed stop');
        }
      },
    });
    await assert.rejects(
      fit(model, blobs(60, 1), { loss: 'crossEntropy', epochs: 5, batchSize: 10, verbose: 0, seed: 1, signal: controller.signal, callbacks: [stepper] }),
      (err: Error) => err.name === 'AbortError' && /before batch 4 of epoch 1/.test(err.message) && /user pressed stop/.test(err.message),
    );
    assert.equal(steps, 3);
    assert.equal(model.training, true);
    // No step was cut in half or taken after the abort.
    assert.deepEqual(weights(model), afterThirdStep);
    // An already-aborted signal stops before the first step.
    const done = new AbortController();
    done.abort();
    const untouched = mlp(3);
    const before = weights(untouched);
    await assert.rejects(fit(untouched, blobs(12, 1), { loss: 'crossEntropy', verbose: 0, signal: done.signal }), { name: 'AbortError' });
    assert.deepEqual(weights(untouched), before);
    await assert.rejects(fit(untouched, blobs(12, 1), { loss: 'crossEntropy', verbose: 0, signal: {} as AbortSignal }), /AbortSignal/);
    // evaluate takes one too, and fit's validation pass stops with it.
    await assert.rejects(evaluate(untouched, blobs(12, 1), { loss: 'crossEntropy', signal: done.signal }), /evaluate: aborted before batch 1/);
    const duringValidation = new AbortController();
    const stopAtEpochEnd = new LambdaCallback({
      onBatchEnd: (b) => {
        if (b === 0) duringValidation.abort();
      },
    });
    await assert.rejects(
      fit(mlp(3), blobs(20, 1), { loss: 'crossEntropy', batchSize: 10, verbose: 0, validationSplit: 0.5, signal: duringValidation.signal, callbacks: [stopAtEpochEnd] }),
      /fit \(validation\): aborted before batch 1/,
    );
  });

  it('a 10 ms timer keeps firing while fit trains for over a second', async () => {
    const data = blobs(3000, 1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const start = performance.now();
    try {
      // One fit call, stopped after 1.2 s whatever the machine's speed.
      await fit(mlp(1), data, {
        loss: 'crossEntropy',
        epochs: 10_000,
        batchSize: 8,
        verbose: 0,
        callbacks: [
          new LambdaCallback({
            onEpochEnd: (_e, _l, ctx) => {
              if (performance.now() - start > 1200) ctx.stopTraining = true;
            },
          }),
        ],
      });
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - start;
    // Without yielding to the event loop the timer cannot fire at all until fit returns.
    assert.ok(ticks > elapsed / 50, `${ticks} ticks in ${elapsed.toFixed(0)} ms`);
  });

  it('ModelCheckpoint removes temporary files a killed run left beside its path', async () => {
    const dir = tmp();
    try {
      writeFileSync(join(dir, 'ckpt-3.safetensors.tmp-abc123'), 'half a file');
      writeFileSync(join(dir, 'last.safetensors.tmp-zz9'), 'half a file');
      writeFileSync(join(dir, 'other.bin.tmp-abc123'), 'not ours');
      writeFileSync(join(dir, 'notes.txt'), 'keep');
      await fit(mlp(1), blobs(12, 1), { loss: 'crossEntropy', epochs: 1, verbose: 0, callbacks: [new ModelCheckpoint({ path: join(dir, 'ckpt-{epoch}.safetensors') })] });
      assert.deepEqual(readdirSync(dir).sort(), ['ckpt-1.safetensors', 'last.safetensors.tmp-zz9', 'notes.txt', 'other.bin.tmp-abc123']);
      await fit(mlp(1), blobs(12, 1), { loss: 'crossEntropy', epochs: 1, verbose: 0, callbacks: [new ModelCheckpoint({ path: join(dir, 'last.safetensors') })] });
      assert.deepEqual(readdirSync(dir).sort(), ['ckpt-1.safetensors', 'last.safetensors', 'notes.txt', 'other.bin.tmp-abc123']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('options objects of fit, evaluate, predict, callbacks and schedulers reject unknown keys with a suggestion', async () => {
    const model = mlp(1);
    await assert.rejects(fit(model, blobs(12, 1), { loss: 'crossEntropy', batch_size: 4 } as never), /unknown option 'batch_size' \(did you mean 'batchSize'\?\)/);
    await assert.rejects(evaluate(model, blobs(12, 1), { loss: 'crossEntropy', metric: ['accuracy'] } as never), /did you mean 'metrics'/);
    assert.throws(() => predict(model, blobs(12, 1).x, { batch_size: 2 } as never), /did you mean 'batchSize'/);
    assert.throws(() => new EarlyStopping({ patient: 3 } as never), /did you mean 'patience'/);
    assert.throws(() => new ModelCheckpoint({ onSave: () => {}, save_best_only: true } as never), /did you mean 'saveBestOnly'/);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    assert.throws(() => new StepLR(opt, { step_size: 2 } as never), /did you mean 'stepSize'/);
    assert.throws(() => new ReduceLROnPlateau(opt, { patiense: 2 } as never), /did you mean 'patience'/);
    assert.throws(() => new SGD(model.parameters(), { weight_decay: 0.1 } as never), /did you mean 'weightDecay'/);
    assert.throws(() => new LearningRateScheduler(new StepLR(opt, { stepSize: 1 }), { intervall: 'batch' } as never), /did you mean 'interval'/);
  });
});

describe('root exports of the training loop', () => {
  it('re-exports the training API, and its metric names do not shadow the scikit-learn metrics', async () => {
    const root = await import('../src/index.js');
    const train = await import('../src/train/index.js');
    const sklearnMetrics = await import('../src/metrics/index.js');
    for (const name of ['fit', 'evaluate', 'predict', 'History', 'EarlyStopping', 'saveCheckpoint', 'loadCheckpoint'] as const) {
      assert.equal(root[name], train[name], name);
    }
    assert.equal(root.meanSquaredError, sklearnMetrics.meanSquaredError);
    assert.equal(root.meanAbsoluteError, sklearnMetrics.meanAbsoluteError);
    assert.notEqual(root.meanSquaredError, train.meanSquaredError);
  });
});
