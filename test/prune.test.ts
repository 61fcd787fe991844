/**
 * Unstructured magnitude pruning: per-layer and global masks, the
 * polynomial sparsity schedule, GradualPruning keeping pruned weights at
 * zero through Adam steps, removePruning, checkpoint state, hostile options.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fit, GradualPruning, magnitudePrune, manualSeed, polynomialSparsity, removePruning, randn, Tensor, ValueError, type Callback } from '../src/index.js';
import { Conv2d, Flatten, Linear, ReLU, Sequential } from '../src/nn/index.js';

function model(): Sequential {
  manualSeed(3);
  return new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(), new Linear(4 * 4 * 4, 8), new ReLU(), new Linear(8, 3));
}

function zerosOf(values: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) z++;
  return z;
}

function data(n: number): { x: Tensor; y: Tensor } {
  manualSeed(4);
  const x = randn([n, 1, 6, 6]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = (x.data[i * 36] > 0 ? 1 : 0) + (x.data[i * 36 + 7] > 0 ? 1 : 0);
  return { x, y: new Tensor(y, [n]) };
}

describe('magnitudePrune', () => {
  it('per layer: each layer loses round(amount·size) of its weights, the smallest by |w|', () => {
    const m = model();
    const originals = m.parameters().map((p) => Float64Array.from(p.data));
    const masks = magnitudePrune(m, { amount: 0.3 });
    assert.deepEqual(
      masks.entries.map((e) => e.name),
      ['0.weight', '3.weight', '5.weight'],
    );
    for (const { weight, mask } of masks.entries) {
      const pruned = Math.round(0.3 * weight.size);
      assert.equal(zerosOf(weight.data), pruned);
      let maxPruned = 0,
        minKept = Infinity;
      const original = originals[m.parameters().indexOf(weight)];
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] === 0) maxPruned = Math.max(maxPruned, Math.abs(original[i]));
        else minKept = Math.min(minKept, Math.abs(original[i]));
      }
      assert.ok(maxPruned <= minKept);
    }
    // Biases are not pruned.
    assert.equal(zerosOf((m.at(0) as Conv2d).bias!.data), 0);
  });

  it('global: one threshold over all layers', () => {
    const m = model();
    const masks = magnitudePrune(m, { amount: 0.5, scope: 'global' });
    const total = masks.entries.reduce((n, e) => n + e.weight.size, 0);
    assert.equal(Math.round(masks.sparsity() * total), Math.round(0.5 * total));
    const perLayer = Object.values(masks.layerSparsity());
    assert.ok(Math.max(...perLayer) - Math.min(...perLayer) > 0.01, 'layers are pruned unevenly');
    let maxPruned = 0,
      minKept = Infinity;
    const m0 = model();
    const originals = new Map(m0.namedParameters());
    for (const { name, mask } of masks.entries) {
      const o = originals.get(name)!.data;
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] === 0) maxPruned = Math.max(maxPruned, Math.abs(o[i]));
        else minKept = Math.min(minKept, Math.abs(o[i]));
      }
    }
    assert.ok(maxPruned <= minKept);
  });

  it('rejects hostile options with typed errors', () => {
    for (const amount of [1, -0.1, Number.NaN, '0.5']) assert.throws(() => magnitudePrune(model(), { amount } as never), ValueError);
    assert.throws(() => magnitudePrune(model(), { amount: 0.1, scope: 'all' } as never), ValueError);
    assert.throws(() => magnitudePrune(model(), { amount: 0.1, sparsity: 0.2 } as never), /valid|sparsity/);
    assert.throws(() => magnitudePrune(new Sequential(new ReLU()), { amount: 0.1 }), ValueError);
    assert.throws(() => magnitudePrune(model(), null as never), ValueError);
    assert.throws(() => removePruning({} as never), ValueError);
  });
});

describe('polynomialSparsity', () => {
  it('follows s_f + (s_i − s_f)(1 − (t − t0)/(t1 − t0))³', () => {
    const o = { initialSparsity: 0.1, finalSparsity: 0.9, beginStep: 10, endStep: 50 };
    assert.equal(polynomialSparsity(0, o), 0);
    assert.equal(polynomialSparsity(10, o), 0.1);
    assert.ok(Math.abs(polynomialSparsity(30, o) - (0.9 - 0.8 * 0.125)) < 1e-15);
    assert.equal(polynomialSparsity(50, o), 0.9);
    assert.equal(polynomialSparsity(500, o), 0.9);
    assert.ok(Math.abs(polynomialSparsity(30, { ...o, power: 1 }) - 0.5) < 1e-15);
  });

  it('rejects bad schedules', () => {
    assert.throws(() => polynomialSparsity(0, { finalSparsity: 1, endStep: 5 }), ValueError);
    assert.throws(() => polynomialSparsity(0, { finalSparsity: 0.5, beginStep: 6, endStep: 5 }), ValueError);
    assert.throws(() => polynomialSparsity(0, { finalSparsity: 0.5, endStep: 1.5 }), ValueError);
    assert.throws(() => polynomialSparsity(0, { finalSparsity: 0.5, endStep: 5, power: 0 }), ValueError);
    assert.throws(() => new GradualPruning(model(), { finalSparsity: 0.5, frequency: 0 }), ValueError);
    assert.throws(() => new GradualPruning(model(), { finalSparsity: 0.5, final_sparsity: 0.5 } as never), /finalSparsity/);
  });
});

describe('GradualPruning', () => {
  it('reaches the final sparsity and Adam steps never revive a pruned weight', async () => {
    const m = model();
    const pruning = new GradualPruning(m, { finalSparsity: 0.75, frequency: 3, scope: 'layer' });
    const violations: string[] = [];
    const checker: Callback = {
      onBatchEnd: (batch) => {
        for (const { name, weight, mask } of pruning.masks.entries) {
          for (let i = 0; i < mask.length; i++) if (mask[i] === 0 && weight.data[i] !== 0) violations.push(`${name}[${i}] at batch ${batch}`);
        }
      },
    };
    const sparsities: number[] = [];
    const { x, y } = data(64);
    await fit(
      m,
      { x, y },
      {
        loss: 'crossEntropy',
        optimizer: 'adam',
        lr: 0.05,
        epochs: 4,
        batchSize: 8,
        verbose: 0,
        callbacks: [checker, pruning, { onEpochEnd: () => void sparsities.push(pruning.masks.sparsity()) }],
      },
    );
    assert.deepEqual(violations, []);
    assert.equal(pruning.step, 32);
    for (let i = 1; i < sparsities.length; i++) assert.ok(sparsities[i] >= sparsities[i - 1], 'sparsity rises');
    for (const s of Object.values(pruning.masks.layerSparsity())) assert.ok(Math.abs(s - 0.75) < 0.02, `layer sparsity ${s}`);
    for (const { weight, mask } of pruning.masks.entries) assert.equal(zerosOf(weight.data), mask.length - mask.reduce((a, b) => a + b, 0));
  });

  it('removePruning leaves the zeros and stops enforcing them', async () => {
    const m = model();
    const masks = magnitudePrune(m, { amount: 0.5 });
    const fc = m.at(3) as Linear;
    const zeros = zerosOf(fc.weight.data);
    removePruning(masks);
    assert.equal(masks.entries.length, 0);
    assert.equal(zerosOf(fc.weight.data), zeros);
    await fit(m, data(16), { loss: 'crossEntropy', lr: 0.05, epochs: 1, batchSize: 8, verbose: 0 });
    assert.ok(zerosOf(fc.weight.data) < zeros, 'training after removePruning changes the former zeros');
  });

  it('resumes from its state: the masks come back from the restored zeros', async () => {
    const m = model();
    const a = new GradualPruning(m, { finalSparsity: 0.6, endStep: 8, frequency: 2 });
    await fit(m, data(32), { loss: 'crossEntropy', lr: 0.05, epochs: 1, batchSize: 8, verbose: 0, callbacks: [a] });
    const state = JSON.parse(JSON.stringify(a.stateDict()));
    const b = new GradualPruning(m, { finalSparsity: 0.6, endStep: 8, frequency: 2 });
    b.loadStateDict(state);
    assert.equal(b.step, 4);
    await fit(m, data(32), { loss: 'crossEntropy', lr: 0.05, epochs: 1, batchSize: 8, verbose: 0, callbacks: [b] });
    assert.equal(b.step, 8);
    assert.ok(Math.abs(b.masks.sparsity() - 0.6) < 0.01);
    assert.throws(() => b.loadStateDict({ step: -1, endStep: 8 }), ValueError);
    assert.throws(() => b.loadStateDict(null), ValueError);
  });
});
