/**
 * Finite-difference checks of the nn layer's own ops (fused ops with
 * hand-written backwards), first and second order; the second order runs
 * through each fused op's reference, so gradient penalties work.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, grad, tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { relu } from '../src/nn/layers/activation.js';
import { recurrentScan, type CellMode } from '../src/nn/layers/recurrent-scan.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const r = randomF64;

describe('fused ops pass gradcheck to second order', () => {
  it('linear', () => {
    gradcheck('linear', (x, w, b) => nn.linear(x, w, b), [r([3, 4]), r([2, 4]), r([2])], { secondOrder: true });
  });

  it('relu', () => {
    const x = r([3, 4], 0.1, 1);
    for (let i = 0; i < x.size; i += 2) x.data[i] = -x.data[i];
    gradcheck('relu', (t) => relu(t).mul(t), [x], { secondOrder: true });
  });

  it('batch norm (training statistics)', () => {
    gradcheck('batchNorm 2-D', (x, g, b) => nn.batchNormTrain(x, g, b, 1e-5).y, [r([5, 3]), r([3], 0.5, 1.5), r([3])], { secondOrder: true });
    gradcheck('batchNorm 4-D', (x, g, b) => nn.batchNormTrain(x, g, b, 1e-3).y, [r([2, 2, 3, 2]), r([2], 0.5, 1.5), r([2])], { secondOrder: true });
    gradcheck('batchNorm no affine', (x) => nn.batchNormTrain(x, null, null, 1e-5).y.square(), [r([4, 3, 2])], { secondOrder: true });
  });

  it('layer norm', () => {
    gradcheck('layerNorm', (x, g, b) => nn.layerNorm(x, [4], g, b, 1e-5), [r([3, 4]), r([4], 0.5, 1.5), r([4])], { secondOrder: true });
    gradcheck('layerNorm 2 axes', (x, g) => nn.layerNorm(x, [2, 3], g, null, 1e-5), [r([2, 2, 3]), r([2, 3], 0.5, 1.5)], { secondOrder: true });
  });

  it('layer norm to third order (a rebind of a rebind)', () => {
    const v = r([2, 4]).detach();
    gradcheck(
      'layerNorm third order',
      (x) => {
        const [g] = grad(nn.layerNorm(x, [4], null, null, 1e-5).square().mul(v).sum(), [x], { createGraph: true });
        return g;
      },
      [r([2, 4])],
      { secondOrder: true, atol: 1e-5, rtol: 1e-4 },
    );
  });

  for (const mode of ['lstm', 'gru', 'rnnTanh', 'rnnRelu'] as CellMode[]) {
    for (const reverse of [false, true]) {
      it(`recurrent scan ${mode}${reverse ? ' reversed' : ''}`, () => {
        const T = 3,
          B = 2,
          H = 2,
          F = 3,
          G = mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
        // x, W_ih, b_ih (projected inside the scan), W_hh, b_hh, h0 (, c0)
        const inputs = [r([T, B, F]), r([G * H, F]), r([G * H]), r([G * H, H]), r([G * H]), r([B, H])];
        if (mode === 'lstm') inputs.push(r([B, H]));
        const fn = (...xs: Tensor[]): Tensor => recurrentScan(mode, { x: xs[0], wIh: xs[1], bIh: xs[2] }, xs[3], xs[4], xs[5], mode === 'lstm' ? xs[6] : null, reverse);
        gradcheck(`scan ${mode}`, fn, inputs, { secondOrder: mode !== 'rnnRelu' });
        if (mode === 'rnnRelu') gradcheck(`scan ${mode}`, fn, inputs);
      });
    }
  }

  it('cross entropy with class indices (weights, ignored targets, smoothing)', () => {
    const target = tensor([2, 0, -100, 1], { dtype: 'int32' });
    const weight = tensor([0.5, 2, 1], { dtype: 'float64' });
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      gradcheck(`crossEntropy ${reduction}`, (x) => nn.crossEntropy(x, target, { weight, labelSmoothing: 0.1, reduction }), [r([4, 3], -2, 2)], { secondOrder: true });
    }
    const kd = tensor(
      [
        [
          [0, 1],
          [2, 2],
        ],
        [
          [1, -100],
          [0, 2],
        ],
      ],
      { dtype: 'int32' },
    );
    gradcheck('crossEntropy K-dim', (x) => nn.crossEntropy(x, kd), [r([2, 3, 2, 2], -2, 2)], { secondOrder: true });
  });

  it('other losses', () => {
    const idx = tensor([1, 0, 2], { dtype: 'int32' });
    gradcheck('nllLoss', (x) => nn.nllLoss(x, idx, { weight: tensor([1, 2, 3], { dtype: 'float64' }) }), [r([3, 3])], { secondOrder: true });
    gradcheck('binaryCrossEntropy', (x, y) => nn.binaryCrossEntropy(x, y), [r([2, 3], 0.1, 0.9), r([2, 3], 0, 1)], { secondOrder: true });
    gradcheck('bceWithLogits', (x, y) => nn.bceWithLogits(x, y, { posWeight: tensor([1, 2, 3], { dtype: 'float64' }) }), [r([2, 3], -3, 3), r([2, 3], 0, 1)], {
      secondOrder: true,
    });
    gradcheck('klDiv', (x, t) => nn.klDiv(x, t, { reduction: 'batchmean' }), [r([2, 3]), r([2, 3], 0.1, 1)], { secondOrder: true });
    gradcheck('huberLoss', (x, y) => nn.huberLoss(x, y, { delta: 0.3 }), [r([3, 3]), r([3, 3])]);
  });
});

describe('layers pass gradcheck', () => {
  it('adaptive average pooling with overlapping bins', () => {
    gradcheck('adaptiveAvgPool2d', (x) => nn.adaptiveAvgPool2d(x, [3, 2]).square(), [r([1, 2, 5, 3])], { secondOrder: true });
  });

  it('embedding with a padding row', () => {
    const emb = new nn.Embedding(5, 3, { paddingIdx: 2, dtype: 'float64' });
    const ids = tensor(
      [
        [0, 2, 4],
        [2, 4, 4],
      ],
      { dtype: 'int32' },
    );
    const w = r([2, 3, 3]).detach();
    emb.call(ids).mul(w).sum().backward();
    const g = emb.weight.grad!.data;
    const expected = new Float64Array(15);
    ids.data.forEach((k, i) => {
      if (k !== 2) for (let j = 0; j < 3; j++) expected[k * 3 + j] += w.data[i * 3 + j];
    });
    for (let i = 0; i < 15; i++) assert.ok(Math.abs(g[i] - expected[i]) < 1e-15, `element ${i}`);
    assert.deepEqual([...g.slice(6, 9)], [0, 0, 0], 'no gradient for the padding row');
  });

  it('a gradient penalty through Conv2d, BatchNorm2d and an LSTM (second order through whole models)', () => {
    const conv = new nn.Sequential(new nn.Conv2d(1, 2, 2, { dtype: 'float64' }), new nn.BatchNorm2d(2, { dtype: 'float64' }), new nn.Tanh(), new nn.Flatten());
    gradcheck(
      'conv critic penalty',
      (x) => {
        const [g] = grad(conv.call(x).square().sum(), [x], { createGraph: true });
        return g.square().sum();
      },
      [r([2, 1, 3, 3])],
      { atol: 1e-5, rtol: 1e-4 },
    );
    const lstm = new nn.LSTM(2, 3, { numLayers: 2, bidirectional: true, dtype: 'float64' });
    gradcheck(
      'lstm penalty',
      (x) => {
        const [g] = grad(lstm.call(x).square().sum(), [x], { createGraph: true });
        return g.square().sum();
      },
      [r([3, 2, 2])],
      { atol: 1e-5, rtol: 1e-4 },
    );
  });
});
