/**
 * Transfer learning: freezing parameters and sub-modules (no gradients, no
 * updates, also through the fused dense and convolution blocks and the
 * training loop), per-group learning rates, replacing a Sequential's head
 * and slicing it into a feature extractor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrugalError, Generator, manualSeed, tensor, type Tensor, ValueError } from '../src/index.js';
import { Conv2d, crossEntropy, Flatten, Linear, MaxPool2d, type Module, ReLU, Sequential } from '../src/nn/index.js';
import { Adam, SGD } from '../src/optim/index.js';
import { fit } from '../src/train/index.js';

function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 4),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = g.normal() * 0.5 + (j === i % 3 ? 2 : 0);
  }
  return { x: tensor(x, { shape: [n, 4] }), y: tensor(y) };
}

function mlp(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 16), new ReLU(), new Linear(16, 3));
}

function cnn(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3));
}

function values(m: Module): Float32Array[] {
  return m.parameters().map((p) => (p.data as Float32Array).slice());
}

/** The layers one by one (no fused blocks): the reference for gradients. */
function unfused(model: Sequential, x: Tensor): Tensor {
  let y = x;
  for (const layer of model) y = layer.call(y);
  return y;
}

function gradsOf(model: Sequential, x: Tensor, y: Tensor, forward: (m: Sequential, x: Tensor) => Tensor): (Float32Array | null)[] {
  model.zeroGrad();
  crossEntropy(forward(model, x), y).backward();
  return model.parameters().map((p) => (p.grad ? (p.grad.data as Float32Array).slice() : null));
}

describe('freezing', () => {
  it('requiresGrad_ on a parameter, freeze/unfreeze on sub-modules, trainableParameters', () => {
    const model = mlp(0);
    assert.equal(model.trainableParameters().length, 6);
    model.at(0).freeze();
    assert.deepEqual(
      model.parameters().map((p) => p.requiresGrad),
      [false, false, true, true, true, true],
    );
    model.at(4).parameters()[1].requiresGrad_(false);
    assert.equal(model.trainableParameters().length, 3);
    model.unfreeze();
    assert.equal(model.trainableParameters().length, 6);
    assert.throws(() => model.parameters()[0].requiresGrad_('no' as never), ValueError);
  });

  it('frozen parameters get no gradient, the others the gradient of the unfused layers (dense chain and conv block)', () => {
    const { x, y } = blobs(24, 1);
    const model = mlp(2);
    model.at(0).freeze();
    model.at(2).parameters()[1].requiresGrad_(false); // one bias
    const fused = gradsOf(model, x, y, (m, v) => m.forward(v));
    const reference = gradsOf(model, x, y, unfused);
    assert.deepEqual(
      fused.map((g) => g !== null),
      [false, false, true, false, true, true],
    );
    fused.forEach((g, i) => g && reference[i] && g.forEach((v, j) => assert.ok(Math.abs(v - reference[i]![j]) <= 1e-6 * Math.max(1, Math.abs(v)), `param ${i}[${j}]`)));

    const conv = cnn(3);
    const images = tensor(
      Float32Array.from({ length: 6 * 64 }, (_, i) => Math.sin(i * 0.37)),
      { shape: [6, 1, 8, 8] },
    );
    const labels = tensor(Int32Array.from([0, 1, 2, 0, 1, 2]));
    conv.at(0).freeze();
    const convGrads = gradsOf(conv, images, labels, (m, v) => m.forward(v));
    assert.deepEqual(
      convGrads.map((g) => g !== null),
      [false, false, true, true],
    );
    const convReference = gradsOf(conv, images, labels, unfused);
    convGrads.forEach((g, i) => g?.forEach((v, j) => assert.ok(Math.abs(v - convReference[i]![j]) <= 1e-5 * Math.max(1, Math.abs(v)))));
  });

  it('frozen weights stay bit-identical through fit (Adam with weight decay, gradient clipping), the others change', async () => {
    for (const make of [() => mlp(4), () => cnn(5)]) {
      const model = make();
      const data =
        model.at(0) instanceof Conv2d
          ? {
              x: tensor(
                Float32Array.from({ length: 30 * 64 }, (_, i) => Math.cos(i * 0.11)),
                { shape: [30, 1, 8, 8] },
              ),
              y: tensor(Int32Array.from({ length: 30 }, (_, i) => i % 3)),
            }
          : blobs(60, 6);
      model.at(0).freeze();
      const before = values(model);
      const optimizer = new Adam(model.parameters(), { lr: 0.01, weightDecay: 0.1 });
      await fit(model, data, { loss: 'crossEntropy', optimizer, epochs: 2, batchSize: 8, seed: 0, clipGradNorm: 0.5, verbose: 0 });
      const after = values(model);
      assert.deepEqual(after.slice(0, 2), before.slice(0, 2), 'frozen layer changed');
      assert.ok(
        after.slice(2).every((a, i) => a.some((v, j) => v !== before[i + 2][j])),
        'trainable layers did not change',
      );
    }
  });

  it('a fully frozen model cannot be trained: a typed error', async () => {
    const model = mlp(0).freeze();
    await assert.rejects(fit(model, blobs(12, 0), { loss: 'crossEntropy', epochs: 1, verbose: 0 }), FrugalError);
  });
});

describe('per-group learning rates', () => {
  it('a frozen-then-unfrozen backbone with a small lr and a head with a large one step by -lr·grad each (SGD)', () => {
    const { x, y } = blobs(16, 2);
    const model = mlp(7);
    const backbone = model.slice(0, -1);
    const head = model.at(-1);
    const optimizer = new SGD(
      [
        { params: backbone.parameters(), lr: 0.001 },
        { params: head.parameters(), lr: 0.5 },
      ],
      { lr: 0.1 },
    );
    const before = values(model);
    optimizer.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    const grads = model.parameters().map((p) => (p.grad!.data as Float32Array).slice());
    optimizer.step();
    const lrs = [0.001, 0.001, 0.001, 0.001, 0.5, 0.5];
    model.parameters().forEach((p, i) => {
      const expected = before[i].map((v, j) => Math.fround(v - lrs[i] * grads[i][j]));
      assert.deepEqual(p.data, expected, `parameter ${i}`);
    });
  });
});

describe('replacing the head and extracting features', () => {
  it('set(-1, head) replaces the last layer in place, by position or name, and the model trains with it', async () => {
    const model = mlp(1);
    const oldHead = model.at(-1);
    const head = new Linear(16, 5);
    assert.equal(model.set(-1, head), oldHead);
    assert.equal(model.at(-1), head);
    assert.deepEqual([...model.stateDict().keys()].slice(-2), ['4.weight', '4.bias']);
    assert.equal(model.parameters().at(-2), head.weight);
    assert.deepEqual(model.forward(tensor(new Float32Array(8), { shape: [2, 4] })).shape, [2, 5]);
    const named = new Sequential().add(new Linear(4, 8), 'features').add(new Linear(8, 2), 'classifier');
    const newHead = new Linear(8, 3);
    named.set('classifier', newHead);
    assert.equal(named.get('classifier'), newHead);
    assert.throws(() => named.set('head', newHead), FrugalError);
    assert.throws(() => named.set(5, newHead), FrugalError);
    assert.throws(() => named.set(0, {} as never), ValueError);
  });

  it('slice(0, -1) is a feature extractor sharing the model parameters; its output is the input of the head', () => {
    const model = mlp(3);
    const features = model.slice(0, -1);
    assert.equal(features.length, 4);
    assert.equal(features.parameters()[0], model.parameters()[0]);
    const { x } = blobs(5, 3);
    const viaFeatures = model.at(-1).call(features.forward(x));
    assert.deepEqual(viaFeatures.data, model.forward(x).data);
    assert.equal(model.slice(-2).length, 2);
    assert.equal(model.slice(3, 1).length, 0);
    assert.throws(() => model.slice(0.5), ValueError);
  });
});
