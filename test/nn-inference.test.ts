/**
 * The small-batch inference path: dense layers on a few float32 rows under
 * noGrad run on kernels with the weights kept resident in WebAssembly
 * memory. Their results must equal the general path's bit for bit, and the
 * resident copies must follow every change to the weights. Also the
 * single-pass softmax.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, manualSeed, noGrad, randn } from '../src/index.js';
import { setBackend } from '../src/backend/index.js';
import * as nn from '../src/nn/index.js';
import { Adam, SGD } from '../src/optim/index.js';
import { logSumExp, softmax } from '../src/tensor/ops/reduce.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

/** forward(x) through the general path (recording, so the small kernels are not used). */
function recorded(model: nn.Module, x: Tensor): number[] {
  return [...model.call(x).detach().data];
}

function inference(model: nn.Module, x: Tensor): number[] {
  return noGrad(() => [...model.call(x).data]);
}

describe('small-batch inference', () => {
  it("gives the general path's results bit for bit (rows 1..8, odd widths, K over one block, no bias)", () => {
    manualSeed(3);
    const shapes: [number, number, boolean][] = [
      [64, 128, true],
      [128, 10, true],
      [7, 3, false],
      [300, 37, true],
      [5, 33, false],
      [600, 40, true],
    ];
    for (const [k, n, bias] of shapes) {
      const layer = new nn.Linear(k, n, { bias });
      for (const m of [1, 2, 3, 5, 8]) {
        const x = randn([m, k]);
        assert.deepEqual(inference(layer, x), recorded(layer, x), `Linear(${k} → ${n}${bias ? '' : ', no bias'}) on ${m} rows`);
      }
    }
  });

  it('runs a Sequential MLP (Linear/ReLU chains) with the same results, including a batched input of rank 3', () => {
    manualSeed(4);
    const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10), new nn.Tanh(), new nn.Linear(10, 6));
    for (const m of [1, 4, 8, 9]) {
      const x = randn([m, 64]);
      assert.deepEqual(inference(model, x), recorded(model, x), `${m} rows`);
    }
    const lin = new nn.Linear(6, 5);
    const x3 = randn([2, 3, 6]);
    const y3 = noGrad(() => lin.call(x3));
    assert.deepEqual(y3.shape, [2, 3, 5]);
    assert.deepEqual([...y3.data], recorded(lin, x3));
  });

  it('propagates NaN through a fused ReLU, like the ReLU layer', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    const x = new Tensor(new Float32Array([NaN, 1]), [1, 2]);
    assert.ok(inference(model, x).every(Number.isNaN));
  });

  it('follows optimiser steps, loadStateDict, in-place methods, initialisers and markModified', () => {
    manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
    const x = randn([1, 8]);
    const check = (what: string): void => assert.deepEqual(inference(model, x), recorded(model, x), what);
    check('initial');
    const opt = new Adam(model.parameters(), { lr: 0.1 });
    model
      .call(randn([4, 8]))
      .square()
      .sum()
      .backward();
    opt.step();
    check('after an Adam step');
    const sgd = new SGD(model.parameters(), { lr: 0.5 });
    model.zeroGrad();
    model
      .call(randn([4, 8]))
      .sum()
      .backward();
    sgd.step();
    check('after an SGD step');
    const other = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
    model.loadStateDict(other.stateDict());
    check('after loadStateDict');
    assert.deepEqual(inference(model, x), inference(other, x));
    const first = model.at(0) as nn.Linear;
    noGrad(() => first.bias!.fill_(0.25));
    check('after fill_ of a bias');
    noGrad(() => first.weight.assign_(randn([16, 8])));
    check('after assign_');
    nn.init.xavierUniform(first.weight);
    check('after an initialiser');
    first.weight.data[3] = 7;
    first.weight.markModified();
    check('after a direct write and markModified');
  });

  it('keeps per-layer copies apart and survives many models (the resident region is recycled)', () => {
    manualSeed(6);
    const x = randn([2, 256]);
    const models = Array.from({ length: 80 }, () => new nn.Linear(256, 1024));
    for (const m of models) assert.deepEqual(inference(m, x), recorded(m, x));
    assert.deepEqual(inference(models[0], x), recorded(models[0], x), 'the first again, after the region was emptied');
  });

  it("stays off under setBackend('js') (every product on the TypeScript reference)", () => {
    manualSeed(9);
    const layer = new nn.Linear(300, 40);
    const x = randn([3, 300]);
    setBackend('js');
    try {
      assert.deepEqual(inference(layer, x), recorded(layer, x));
    } finally {
      setBackend('wasm');
    }
  });

  it('still reports misuse through the general path', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(5, 2));
    assert.throws(() => noGrad(() => model.call(randn([1, 4]))), /Linear\(5 → 2\)/);
    assert.throws(() => noGrad(() => new nn.Linear(4, 3).call(new Tensor(new Float64Array(4), [1, 4]))), /float32/);
  });
});

describe('softmax (single pass)', () => {
  it('matches the composed exp(x − logSumExp(x)) on every axis, with extreme values', () => {
    const x = randn([3, 4, 5]).mul(20);
    for (const axis of [0, 1, 2, -1]) {
      const a = softmax(x, axis).data,
        b = x.sub(logSumExp(x, axis, { keepDims: true })).exp().data;
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `axis ${axis} element ${i}: ${a[i]} vs ${b[i]}`);
    }
    const big = new Tensor(new Float32Array([1000, 0, -1000]), [1, 3]);
    assert.deepEqual([...new nn.Softmax(1).call(big).data], [1, 0, 0]);
  });

  it('has correct first and second derivatives', () => {
    for (const axis of [0, 1, -1]) gradcheck(`softmax axis ${axis}`, (x) => softmax(x, axis), [randomF64([2, 3, 4], -2, 2)], { secondOrder: true });
  });
});

describe('float32 LSTM on the WebAssembly kernels', () => {
  /** Outputs and gradients of an LSTM in the given dtype, from float64 weights and inputs. */
  function run(dtype: 'float32' | 'float64', options: nn.RecurrentOptions, state: Record<string, Tensor>, xs: Tensor, h0: Tensor, c0: Tensor) {
    const lstm = new nn.LSTM(6, 8, { ...options, dtype });
    lstm.loadStateDict(new Map([...Object.entries(state)].map(([k, v]) => [k, v.astype(dtype)])));
    const x = xs.astype(dtype).detach(),
      h = h0.astype(dtype).detach(),
      c = c0.astype(dtype).detach();
    x.requiresGrad = true;
    h.requiresGrad = true;
    c.requiresGrad = true;
    const r = lstm.run(x, { h, c });
    const weights = (t: Tensor, seed: number): Tensor =>
      new Tensor(
        Float64Array.from({ length: t.size }, (_, i) => Math.sin(seed + i)),
        t.shape,
      ).astype(dtype);
    r.output
      .mul(weights(r.output, 1))
      .sum()
      .add(r.h.mul(weights(r.h, 2)).sum())
      .add(r.c.mul(weights(r.c, 3)).sum())
      .backward();
    const grads = Object.fromEntries([...lstm.namedParameters()].map(([k, p]) => [k, p.grad!]));
    return { output: r.output, h: r.h, c: r.c, dx: x.grad!, dh: h.grad!, dc: c.grad!, ...grads };
  }

  it('matches float64 (outputs, final states, gradients of inputs, states and weights), both directions, two layers', () => {
    manualSeed(7);
    for (const options of [{ numLayers: 2, bidirectional: true, batchFirst: true }, { bias: false }] as nn.RecurrentOptions[]) {
      const ref = new nn.LSTM(6, 8, { ...options, dtype: 'float64' });
      const state = Object.fromEntries(ref.stateDict());
      const dirs = (options.numLayers ?? 1) * (options.bidirectional ? 2 : 1);
      const xs = randn(options.batchFirst ? [3, 5, 6] : [5, 3, 6]).astype('float64');
      const h0 = randn([dirs, 3, 8]).astype('float64'),
        c0 = randn([dirs, 3, 8]).astype('float64');
      const a = run('float32', options, state, xs, h0, c0),
        b = run('float64', options, state, xs, h0, c0);
      for (const key of Object.keys(b) as (keyof typeof b)[]) {
        const x = a[key].data,
          y = b[key].data;
        assert.equal(x.length, y.length, key);
        for (let i = 0; i < y.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= 2e-5 * (1 + Math.abs(y[i])), `${key}[${i}]: ${x[i]} vs ${y[i]}`);
      }
    }
  });
});

describe('Linear bias gradient on the small kernels (float32)', () => {
  it('equals the column sums of the output gradient, odd widths included', () => {
    manualSeed(8);
    for (const n of [7, 12, 256]) {
      const layer = new nn.Linear(5, n);
      const x = randn([300, 5]);
      const g = randn([300, n]);
      layer.call(x).mul(g).sum().backward();
      const want = g.astype('float64').sum(0).data;
      const got = layer.bias!.grad!.data;
      for (let j = 0; j < n; j++) assert.ok(Math.abs(got[j] - want[j]) <= 1e-5 * (1 + Math.abs(want[j])), `n ${n} column ${j}: ${got[j]} vs ${want[j]}`);
    }
  });
});
