/**
 * Structured pruning: the smaller Sequential computes what the original
 * computes with the removed channels zeroed (Conv→BN→ReLU→MaxPool→Conv,
 * Conv→…→Flatten→Linear, Linear→ReLU→Linear), the FLOPs counter, reaching a
 * FLOPs target, and hostile plans.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyChannelPlan, countFlops, manualSeed, maskChannels, planChannelPruning, rankChannels, randn, structuredPrune, type Tensor, ValueError, noGrad } from '../src/index.js';
import { BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/nn/index.js';

function cnn(dtype: 'float32' | 'float64' = 'float32'): Sequential {
  manualSeed(11);
  const model = new Sequential(
    new Conv2d(1, 8, 3, { padding: 1, dtype }),
    new BatchNorm2d(8, { dtype }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 6, 3, { padding: 1, dtype }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(6 * 3 * 3, 10, { dtype }),
    new ReLU(),
    new Dropout({ p: 0.3 }),
    new Linear(10, 4, { dtype }),
  );
  // Batch-norm statistics and scales that are not the identity.
  const bn = model.at(1) as BatchNorm2d;
  for (let c = 0; c < 8; c++) {
    bn.runningMean!.data[c] = 0.1 * c - 0.3;
    bn.runningVar!.data[c] = 0.5 + 0.2 * c;
    bn.weight!.data[c] = 1 + 0.1 * c;
    bn.bias!.data[c] = 0.05 * (c - 4);
  }
  return model.eval();
}

function copyOf(model: Sequential, make: () => Sequential): Sequential {
  const copy = make();
  copy.loadStateDict(model.stateDict());
  return copy.eval();
}

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let d = 0;
  for (let i = 0; i < a.size; i++) d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
  return d;
}

describe('structured pruning', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`the pruned CNN equals the channel-masked original (${dtype})`, () => {
      const model = cnn(dtype);
      const plan = planChannelPruning(model, { amount: 0.5 });
      assert.deepEqual(
        plan.keep.map((k) => k?.length ?? null),
        [4, null, null, null, 3, null, null, null, 5, null, null, null],
      );
      const pruned = applyChannelPlan(model, plan).eval();
      const masked = copyOf(model, () => cnn(dtype));
      maskChannels(masked, plan);
      manualSeed(12);
      const x = randn([5, 1, 12, 12], { dtype });
      const [yPruned, yMasked, yOriginal] = noGrad(() => [pruned.call(x), masked.call(x), model.call(x)]);
      const tol = dtype === 'float64' ? 1e-12 : 1e-5;
      assert.ok(maxDiff(yPruned, yMasked) <= tol, `max difference ${maxDiff(yPruned, yMasked)}`);
      assert.ok(maxDiff(yOriginal, yMasked) > 1e-3, 'masking changed the original');
      // The shapes shrank as planned and the original is untouched.
      assert.deepEqual((pruned.at(0) as Conv2d).weight.shape, [4, 1, 3, 3]);
      assert.equal((pruned.at(1) as BatchNorm2d).numFeatures, 4);
      assert.deepEqual((pruned.at(4) as Conv2d).weight.shape, [3, 4, 3, 3]);
      assert.deepEqual((pruned.at(8) as Linear).weight.shape, [5, 27]);
      assert.deepEqual((pruned.at(11) as Linear).weight.shape, [4, 5]);
      assert.deepEqual((model.at(0) as Conv2d).weight.shape, [8, 1, 3, 3]);
      assert.notEqual((pruned.at(0) as Conv2d).weight, (model.at(0) as Conv2d).weight);
    });
  }

  it('keeps the channels with the largest filter norms', () => {
    manualSeed(2);
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)).eval();
    const w = (model.at(0) as Linear).weight;
    w.data.set([0.1, 0.1, 0.1, -5, 0, 0, 0.2, -0.2, 0.2, 1, 1, -1]);
    assert.deepEqual(
      Array.from(rankChannels(model.at(0) as Linear)).map((v) => +v.toFixed(6)),
      [0.3, 5, 0.6, 3],
    );
    assert.deepEqual(
      Array.from(rankChannels(model.at(0) as Linear, 'l2')).map((v) => +v.toFixed(6)),
      [0.173205, 5, 0.34641, 1.732051],
    );
    const plan = planChannelPruning(model, { amount: 0.5 });
    assert.deepEqual(plan.keep[0], [1, 3]);
    const pruned = structuredPrune(model, { amount: 0.5 }).eval();
    const masked = copyOf(model, () => new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)));
    maskChannels(masked, plan);
    const x = randn([6, 3]);
    assert.ok(
      maxDiff(
        noGrad(() => pruned.call(x)),
        noGrad(() => masked.call(x)),
      ) < 1e-6,
    );
  });

  it('counts the multiply-adds of the cnn-fashion network', () => {
    const model = new Sequential(
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
    const flops = countFlops(model, [1, 28, 28]);
    assert.deepEqual(flops.perLayer, { 0: 16 * 28 * 28 * 9, 3: 32 * 14 * 14 * 16 * 9, 7: 1568 * 64, 9: 640 });
    assert.equal(flops.total, 112896 + 903168 + 100352 + 640);
    assert.equal(model.training, true, 'the mode is restored');
    const half = structuredPrune(model, { flopsRatio: 0.5, inputShape: [1, 28, 28] });
    const ratio = countFlops(half, [1, 28, 28]).total / flops.total;
    assert.ok(ratio <= 0.5 && ratio > 0.4, `FLOPs ratio ${ratio}`);
    assert.ok(half.numParameters() < model.numParameters());
  });

  it('rejects hostile plans and options with typed errors', () => {
    const model = cnn();
    const good = planChannelPruning(model, { amount: 0.5 });
    const withKeep = (i: number, keep: unknown): { keep: (number[] | null)[] } => ({ keep: good.keep.map((k, j) => (j === i ? (keep as number[]) : k)) });
    assert.throws(() => applyChannelPlan(model, { keep: good.keep.slice(1) }), ValueError);
    assert.throws(() => applyChannelPlan(model, withKeep(0, [0, 8])), ValueError);
    assert.throws(() => applyChannelPlan(model, withKeep(0, [3, 1])), ValueError);
    assert.throws(() => applyChannelPlan(model, withKeep(0, [1, 1])), ValueError);
    assert.throws(() => applyChannelPlan(model, withKeep(0, [])), ValueError);
    assert.throws(() => applyChannelPlan(model, withKeep(0, [0.5])), ValueError);
    assert.throws(() => applyChannelPlan(model, withKeep(11, [0, 1])), ValueError, 'the output layer');
    assert.throws(() => maskChannels(model, withKeep(2, [0])), ValueError);
    assert.throws(() => applyChannelPlan(model, null as never), ValueError);
    assert.throws(() => planChannelPruning(model, { amount: 1 }), ValueError);
    assert.throws(() => planChannelPruning(model, {}), ValueError);
    assert.throws(() => planChannelPruning(model, { amount: 0.5, flopsRatio: 0.5 }), ValueError);
    assert.throws(() => planChannelPruning(model, { flopsRatio: 0.5 }), ValueError);
    assert.throws(() => planChannelPruning(model, { flopsRatio: 0.001, inputShape: [1, 12, 12] }), ValueError);
    assert.throws(() => planChannelPruning(model, { amount: 0.5, norm: 'l3' } as never), ValueError);
    assert.throws(() => planChannelPruning(model, { amount: 0.5, input_shape: [1] } as never), /inputShape/);
    assert.throws(() => planChannelPruning(new Sequential(new Linear(3, 2)), { amount: 0.5 }), ValueError);
    assert.throws(() => planChannelPruning(new Linear(3, 2) as never, { amount: 0.5 }), ValueError);
    assert.throws(() => countFlops(model, [1, -2, 3]), ValueError);
    assert.throws(() => countFlops(model, [1, 1 << 14, 1 << 14]), /limit/);
    // A grouped convolution is not linked: it cannot lose channels.
    const grouped = new Sequential(new Conv2d(2, 4, 1, { groups: 2 }), new ReLU(), new Conv2d(4, 2, 1));
    assert.throws(() => planChannelPruning(grouped, { amount: 0.5 }), ValueError);
  });
});
