import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianNoise } from '../src/augment/index.js';
import { DataLoader } from '../src/datasets/dataloader.js';
import { TensorDataset } from '../src/datasets/dataset.js';
import { AbortError, LimitError, ShapeError, ValueError } from '../src/errors.js';
import { Linear, ReLU, Sequential } from '../src/nn/index.js';
import { isGradEnabled } from '../src/autograd/graph.js';
import { LambdaCallback } from '../src/train/callbacks.js';
import { manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { accuracy, blobs as twoDBlobs, mlp } from './helpers/semi.js';
import { fitFixMatch, type FixMatchOptions } from '../src/train/fixmatch.js';
import { ExponentialMovingAverage } from '../src/train/ema.js';
import { FlexThresholds } from '../src/train/flex-thresholds.js';
import { DistributionAlignment } from '../src/train/distribution-alignment.js';
import { fixMatchOptimizer } from '../src/train/fixmatch-optimizer.js';
import { Adam, SGD } from '../src/optim/index.js';
import { StepLR } from '../src/optim/schedulers.js';

const blobs = (perClass: number, seed: number): { x: Tensor; y: Tensor } => twoDBlobs(perClass, seed, 0.6);
const labelled = blobs(2, 1);
const unlabelled = blobs(100, 2).x;
const test = blobs(100, 3);
const base = (): FixMatchOptions => ({
  weak: gaussianNoise({ std: 0.1, seed: 1 }),
  strong: gaussianNoise({ std: 0.5, seed: 2 }),
  batchSize: 6,
  mu: 4,
  lr: 0.02,
  seed: 0,
  verbose: 0,
});

describe('fitFixMatch', () => {
  it('learns from the pseudo-labels: logs, mask rate, validation with the averaged weights', async () => {
    manualSeed(0);
    const model = mlp();
    const history = await fitFixMatch(model, labelled, unlabelled, { ...base(), threshold: 0.9, epochs: 6, metrics: ['accuracy'], validationData: test });
    const last = history.history;
    for (const key of ['loss', 'lossLabelled', 'lossUnlabelled', 'maskRate', 'accuracy', 'valLoss', 'valAccuracy', 'lr']) assert.equal(last[key]?.length, 6, key);
    assert.ok(last.maskRate[5] > last.maskRate[0] || last.maskRate[0] > 0.5, 'more unlabelled samples become confident');
    assert.ok(last.lossUnlabelled[5] > 0);
    assert.ok(accuracy(model, test) > 0.9, `test accuracy ${accuracy(model, test)}`);
  });

  it('threshold 1 never trusts a pseudo-label: the unlabelled loss stays 0; threshold 0 trusts all', async () => {
    manualSeed(0);
    const none = await fitFixMatch(mlp(), labelled, unlabelled, { ...base(), threshold: 1, stepsPerEpoch: 5 });
    assert.equal(none.history.maskRate[0], 0);
    assert.equal(none.history.lossUnlabelled[0], 0);
    const all = await fitFixMatch(mlp(), labelled, unlabelled, { ...base(), threshold: 0, stepsPerEpoch: 5 });
    assert.equal(all.history.maskRate[0], 1);
  });

  it('is repeatable with a seed, and ends with the averaged weights (or the last ones)', async () => {
    const run = async (options: Partial<FixMatchOptions>): Promise<number[]> => {
      manualSeed(0);
      const model = mlp();
      await fitFixMatch(model, labelled, unlabelled, { ...base(), stepsPerEpoch: 8, ...options });
      return model.parameters().flatMap((p) => Array.from(p.data));
    };
    const a = await run({});
    assert.deepEqual(await run({}), a);
    const last = await run({ useEma: false });
    assert.notDeepEqual(last, a, 'the averaged weights differ from the last ones');
    assert.deepEqual(await run({ emaDecay: 0 }), last, 'emaDecay 0: the last weights');
  });

  it('takes DataLoaders for both labelled and unlabelled data', async () => {
    manualSeed(0);
    const l = new DataLoader(new TensorDataset(labelled.x, labelled.y), { batchSize: 6, shuffle: true, seed: 1 });
    const u = new DataLoader(new TensorDataset(unlabelled), { batchSize: 24, shuffle: true, seed: 2 });
    const h = await fitFixMatch(mlp(), l, u, { ...base(), batchSize: undefined, seed: undefined, epochs: 2 });
    assert.equal(h.history.loss.length, 2);
    assert.ok(Number.isFinite(h.history.loss[1]));
  });

  it('flexThresholds: every pseudo-label counts at the first step (no class is learnt yet), and it still learns', async () => {
    manualSeed(0);
    const first = await fitFixMatch(mlp(), labelled, unlabelled, { ...base(), threshold: 0.95, flexThresholds: true, stepsPerEpoch: 1 });
    assert.equal(first.history.maskRate[0], 1);
    manualSeed(0);
    const fixed = await fitFixMatch(mlp(), labelled, unlabelled, { ...base(), threshold: 0.95, stepsPerEpoch: 1 });
    assert.ok(fixed.history.maskRate[0] < 1);
    manualSeed(0);
    const model = mlp();
    await fitFixMatch(model, labelled, unlabelled, { ...base(), threshold: 0.9, flexThresholds: true, epochs: 6 });
    assert.ok(accuracy(model, test) > 0.9, `test accuracy ${accuracy(model, test)}`);
    const u = new DataLoader(new TensorDataset(unlabelled), { batchSize: 24 });
    await assert.rejects(fitFixMatch(mlp(), labelled, u, { ...base(), flexThresholds: true }), /flexThresholds needs the unlabelled data as a tensor/);
    await assert.rejects(fitFixMatch(mlp(), labelled, unlabelled, { ...base(), flexThresholds: 1 as unknown as boolean }), ValueError);
  });

  it('rejects hostile options and stops on an aborted signal', async () => {
    const model = mlp();
    const bad: [Partial<FixMatchOptions> | Record<string, unknown>, RegExp][] = [
      [{ threshold: 1.5 }, /threshold/],
      [{ threshold: Number.NaN }, /threshold/],
      [{ mu: 0 }, /mu/],
      [{ lambdaU: -1 }, /lambdaU/],
      [{ emaDecay: 1 }, /emaDecay/],
      [{ emaDecay: Number.NaN }, /emaDecay/],
      [{ stepsPerEpoch: 0 }, /stepsPerEpoch/],
      [{ weak: 3 }, /weak/],
      [{ lambda_u: 1 }, /lambdaU/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(
        fitFixMatch(model, labelled, unlabelled, { ...base(), ...options } as FixMatchOptions),
        (e: Error) => e instanceof ValueError && message.test(e.message),
      );
    }
    await assert.rejects(fitFixMatch(model, labelled, new Tensor(new Float32Array(0), [0, 2]), base()), ValueError);
    await assert.rejects(fitFixMatch(model, labelled, unlabelled, { ...base(), strong: (x: Tensor) => x.reshape([-1]) }), /shape/);
    await assert.rejects(fitFixMatch(model, labelled, unlabelled, { ...base(), signal: AbortSignal.abort() }), AbortError);
  });
});

describe('fitFixMatch: pseudo-labels from views and from the averaged weights', () => {
  /** An MLP that records its parameters whenever it runs without a graph (the pseudo-labelling forward passes). */
  class Spy extends Sequential {
    readonly seen: number[][] = [];
    override call(x: Tensor): Tensor {
      if (!isGradEnabled()) this.seen.push(this.parameters().flatMap((p) => Array.from(p.data)));
      return super.call(x);
    }
  }
  const spy = (): Spy => {
    manualSeed(0);
    return new Spy(new Linear(2, 16), new ReLU(), new Linear(16, 3));
  };
  const weightsAfter = async (options: Partial<FixMatchOptions>): Promise<number[]> => {
    manualSeed(0);
    const model = mlp();
    await fitFixMatch(model, labelled, unlabelled, { ...base(), stepsPerEpoch: 6, threshold: 0.8, ...options });
    return model.parameters().flatMap((p) => Array.from(p.data));
  };

  it('an identity view averages to the same probabilities: the same weights to the bit', async () => {
    assert.deepEqual(await weightsAfter({ pseudoLabelViews: [(x) => x] }), await weightsAfter({}));
  });

  it('a view that disagrees lowers the confidence: fewer pseudo-labels pass the threshold', async () => {
    // The mirror image through the origin sends each blob towards another class's side.
    const opposite = (x: Tensor): Tensor => x.mul(-1);
    const run = async (views: FixMatchOptions['pseudoLabelViews']): Promise<number> => {
      manualSeed(0);
      const model = mlp();
      await fitFixMatch(model, labelled, unlabelled, { ...base(), threshold: 0.9, epochs: 2 });
      const h = await fitFixMatch(model, labelled, unlabelled, { ...base(), threshold: 0.9, stepsPerEpoch: 4, pseudoLabelViews: views });
      return h.history.maskRate[0];
    };
    const alone = await run(undefined);
    assert.ok(alone > 0.3, `mask rate without views ${alone}`);
    assert.ok((await run([opposite])) < alone / 2);
  });

  it("pseudoLabelWith 'ema': each step's pseudo-labels come from the moving average after the previous step", async () => {
    const model = spy();
    const mine = new ExponentialMovingAverage(model, 0.99);
    const averages: number[][] = [mine.averages.flatMap((a) => Array.from(a))];
    const callbacks = [new LambdaCallback({ onBatchEnd: () => (mine.update(), void averages.push(mine.averages.flatMap((a) => Array.from(a)))) })];
    await fitFixMatch(model, labelled, unlabelled, { ...base(), emaDecay: 0.99, useEma: false, stepsPerEpoch: 5, pseudoLabelWith: 'ema', callbacks });
    assert.equal(model.seen.length, 5);
    for (let k = 0; k < 5; k++) assert.deepEqual(model.seen[k], averages[k], `step ${k + 1}`);
    // The default: the weights being trained, which differ from their average after the first step.
    const plain = spy();
    await fitFixMatch(plain, labelled, unlabelled, { ...base(), emaDecay: 0.99, useEma: false, stepsPerEpoch: 5 });
    assert.notDeepEqual(plain.seen[4], averages[4]);
  });

  it('rejects hostile view and teacher options', async () => {
    const bad: [Record<string, unknown>, RegExp, typeof ValueError][] = [
      [{ pseudoLabelViews: (x: Tensor) => x }, /pseudoLabelViews must be an array/, ValueError],
      [{ pseudoLabelViews: [3] }, /pseudoLabelViews\[0\]/, ValueError],
      [{ pseudoLabelViews: new Array(17).fill((x: Tensor) => x) }, /at most 16/, LimitError],
      [{ pseudoLabelWith: 'teacher' }, /pseudoLabelWith/, ValueError],
      [{ pseudoLabelWith: 'ema', emaDecay: 0 }, /needs emaDecay > 0/, ValueError],
    ];
    for (const [options, message, type] of bad) {
      await assert.rejects(fitFixMatch(mlp(), labelled, unlabelled, { ...base(), ...options } as FixMatchOptions), (e: Error) => e instanceof type && message.test(e.message));
    }
    const reshaping = (x: Tensor): Tensor => x.reshape([x.shape[0] * 2, 1]);
    await assert.rejects(fitFixMatch(mlp(), labelled, unlabelled, { ...base(), pseudoLabelViews: [reshaping] }), /pseudoLabelViews\[0\].*shape/);
  });
});

describe('ExponentialMovingAverage', () => {
  it('averages with the warm-up decay min(d, (1 + t) / (10 + t)) and swaps both ways', () => {
    const model = new Sequential(new Linear(1, 1, { bias: false }));
    const w = model.parameters()[0];
    w.data[0] = 0;
    const ema = new ExponentialMovingAverage(model, 0.5);
    w.data[0] = 10;
    ema.update(); // d = min(0.5, 1/10) = 0.1: 0.1·0 + 0.9·10
    assert.ok(Math.abs(ema.averages[0][0] - 9) < 1e-6);
    w.data[0] = 1;
    ema.update(); // d = min(0.5, 2/11)
    const d = 2 / 11;
    assert.ok(Math.abs(ema.averages[0][0] - (d * 9 + (1 - d) * 1)) < 1e-5);
    const avg = ema.averages[0][0];
    ema.swap();
    assert.equal(w.data[0], avg);
    ema.swap();
    assert.equal(w.data[0], 1);
    assert.throws(() => new ExponentialMovingAverage(model, 1), ValueError);
  });
});

describe('FlexThresholds', () => {
  it('lowers the threshold of classes with few confident samples: τ·β/(2 − β), β = σ_c / max(max σ, σ_none)', () => {
    const t = new FlexThresholds(4, 2, 0.9);
    assert.deepEqual(Array.from(t.perClass), [0, 0]);
    // Sample 2 confident in class 0; sample 3 below τ is not remembered.
    t.observe(Int32Array.of(2, 3), [0.95, 0.05, 0.6, 0.4]);
    const beta = 1 / 3; // σ_0 = 1, σ_none = 3
    assert.ok(Math.abs(t.perClass[0] - (0.9 * beta) / (2 - beta)) < 1e-12);
    assert.equal(t.perClass[1], 0);
    // Sample 2 changes its mind to class 1; samples 0, 1 confident in class 1: σ = [0, 3], σ_none = 1.
    t.observe(Int32Array.of(2, 0, 1), [0.01, 0.99, 0, 1, 0.05, 0.95]);
    assert.equal(t.perClass[0], 0);
    assert.ok(Math.abs(t.perClass[1] - 0.9) < 1e-12, 'the best-learnt class gets τ itself');
    assert.throws(() => t.observe(Int32Array.of(4), [1, 0]), ValueError);
    assert.throws(() => t.observe(Int32Array.of(-1), [1, 0]), ValueError);
    assert.throws(() => t.observe(Int32Array.of(0, 1), [1, 0]), ShapeError);
    assert.throws(() => new FlexThresholds(0, 2, 0.9), ValueError);
    assert.throws(() => new FlexThresholds(4, 1.5, 0.9), ValueError);
    assert.throws(() => new FlexThresholds(4, 2, Number.NaN), ValueError);
  });
});

describe("FixMatch's own recipe: SGD with Nesterov momentum, decay on weights, cosine lr, distribution alignment", () => {
  it("optimizer 'sgd-nesterov' with weightDecay: momentum 0.9, Nesterov, lr 0.03, decay on the weights only", () => {
    const model = mlp();
    const opt = fixMatchOptimizer(model, { optimizer: 'sgd-nesterov', weightDecay: 5e-4 }, 'test');
    assert.ok(opt instanceof SGD);
    const [weights, biases] = opt.paramGroups;
    assert.deepEqual(
      weights.params.map((p) => p.ndim),
      [2, 2],
    );
    assert.deepEqual(
      biases.params.map((p) => p.ndim),
      [1, 1],
    );
    assert.equal(weights.weightDecay, 5e-4);
    assert.equal(biases.weightDecay, 0);
    for (const g of opt.paramGroups) assert.deepEqual([g.lr, g.momentum, g.nesterov], [0.03, 0.9, true]);
    // Another optimiser by name takes the decay the same way; without decay it is the plain one.
    const adam = fixMatchOptimizer(model, { optimizer: 'adam', lr: 0.01, weightDecay: 1e-3 }, 'test');
    assert.ok(adam instanceof Adam);
    assert.deepEqual(
      adam.paramGroups.map((g) => [g.lr, g.weightDecay]),
      [
        [0.01, 1e-3],
        [0.01, 0],
      ],
    );
    assert.equal(fixMatchOptimizer(model, {}, 'test').paramGroups.length, 1);
  });

  it("lrSchedule 'cosine': lr · cos(7πk / 16K) at step k of the run's K steps", async () => {
    manualSeed(0);
    const steps: number[] = [];
    const history = await fitFixMatch(mlp(), labelled, unlabelled, {
      ...base(),
      optimizer: 'sgd-nesterov',
      lr: 0.05,
      lrSchedule: 'cosine',
      epochs: 3,
      stepsPerEpoch: 4,
      callbacks: [{ onBatchEnd: (_step, _logs, ctx) => void steps.push(ctx.optimizer.paramGroups[0].lr) }],
    });
    const expected = Array.from({ length: 12 }, (_, k) => 0.05 * Math.cos((7 * Math.PI * k) / (16 * 12)));
    steps.forEach((lr, k) => assert.ok(Math.abs(lr - expected[k]) < 1e-15, `step ${k}: ${lr} against ${expected[k]}`));
    assert.equal(steps.length, 12);
    assert.deepEqual(history.history.lr, [expected[0], expected[4], expected[8]]);
  });

  it('distributionAlignment: changes the pseudo-labelling, and the whole recipe learns the blobs', async () => {
    const run = async (distributionAlignment: boolean): Promise<{ model: Sequential; maskRate: number[] }> => {
      manualSeed(0);
      const model = mlp();
      const options = { threshold: 0.9, epochs: 6, optimizer: 'sgd-nesterov', weightDecay: 5e-4, lrSchedule: 'cosine' as const, distributionAlignment };
      const history = await fitFixMatch(model, labelled, unlabelled, { ...base(), ...options });
      return { model, maskRate: history.history.maskRate };
    };
    const aligned = await run(true);
    assert.ok(accuracy(aligned.model, test) > 0.9, `test accuracy ${accuracy(aligned.model, test)}`);
    assert.notDeepEqual(aligned.maskRate, (await run(false)).maskRate, 'the aligned predictions pass the threshold differently');
  });

  it('DistributionAlignment scales by prior / running mean and normalises', () => {
    const da = new DistributionAlignment(2, 0.5);
    da.observeLabels(new Int32Array([0, 1, 1, 1]), [4]); // prior [0.25, 0.75]
    // First batch: the running mean is the batch mean [0.8, 0.2].
    const first = da.align(new Float32Array([0.8, 0.2, 0.8, 0.2]), 2);
    const a = (0.8 * 0.25) / 0.8,
      b = (0.2 * 0.75) / 0.2;
    assert.ok(Math.abs(first[0] - a / (a + b)) < 1e-7 && Math.abs(first[1] - b / (a + b)) < 1e-7);
    // Second batch: mean = 0.5·[0.8, 0.2] + 0.5·[0.4, 0.6].
    da.align(new Float64Array([0.4, 0.6]), 1);
    assert.deepEqual(
      Array.from(da.meanPrediction, (v) => Math.round(v * 1e6) / 1e6),
      [0.6, 0.4],
    );
    // Soft labels add their probabilities to the prior: [0.2, 0.8]; a first batch equal to its own mean then becomes the prior.
    const soft = new DistributionAlignment(2);
    soft.observeLabels(new Float32Array([0, 1, 0.4, 0.6]), [2, 2]);
    assert.deepEqual(
      Array.from(soft.align(new Float64Array([0.3, 0.7]), 1), (v) => Math.round(v * 1e9) / 1e9),
      [0.2, 0.8],
    );
  });

  it('rejects hostile recipe options and labels', async () => {
    const model = mlp();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ lrSchedule: 'linear' }, /lrSchedule/],
      [{ lrSchedule: 'cosine', scheduler: new StepLR(new SGD(model.parameters()), { stepSize: 1 }) }, /lrSchedule or a scheduler/],
      [{ weightDecay: -1 }, /weightDecay/],
      [{ weightDecay: Number.NaN }, /weightDecay/],
      [{ optimizer: new SGD(model.parameters()), lr: undefined, weightDecay: 1e-4 }, /weightDecay to the optimizer/],
      [{ distributionAlignment: 'yes' }, /distributionAlignment/],
      [{ weight_decay: 1e-4 }, /weightDecay/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(
        fitFixMatch(model, labelled, unlabelled, { ...base(), ...options } as FixMatchOptions),
        (e: Error) => e instanceof ValueError && message.test(e.message),
      );
    }
    const da = new DistributionAlignment(3);
    assert.throws(() => da.align(new Float64Array(3), 1), /no labels observed/);
    assert.throws(
      () => da.observeLabels(new Int32Array([0, 7]), [2]),
      (e: Error) => e instanceof ValueError && /label 7/.test(e.message),
    );
    da.observeLabels(new Int32Array([0]), [1]);
    assert.throws(() => da.align(new Float64Array(4), 1), ValueError);
    assert.throws(() => new DistributionAlignment(0), ValueError);
    assert.throws(() => new DistributionAlignment(3, 1), ValueError);
  });
});
