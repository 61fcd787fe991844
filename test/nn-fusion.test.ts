// Sequential runs Conv2d → ReLU (→ MaxPool2d) as one fused op on the wasm
// backend. Its outputs and gradients must be those of the layers applied one
// by one, which is what the 'js' backend (no fused kernels) does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grad } from '../src/autograd/graph.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../src/nn/index.js';
import { fusedBlock } from '../src/nn/fused/plan.js';
import { denseBlock } from '../src/nn/fused/dense.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import { randn } from '../src/tensor/creation.js';
import { assertCloseFloat32, withBackend } from './helpers/backends.js';
import type { Tensor } from '../src/tensor/tensor.js';

interface Case {
  name: string;
  make: () => Module[];
  input: [number, number, number, number];
  /** Layers the first fused block covers (0: none). */
  fused: number;
}

const cases: Case[] = [
  {
    name: 'conv, relu, 2×2 pool (the CNN block)',
    make: () => [new Conv2d(3, 8, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 5 * 4, 3)],
    input: [4, 3, 11, 9],
    fused: 3,
  },
  {
    name: 'overlapping 3×3 windows, stride 2',
    make: () => [new Conv2d(2, 5, [3, 2], { stride: [1, 2] }), new ReLU(), new MaxPool2d(3, { stride: 2 }), new Flatten()],
    input: [3, 2, 12, 14],
    fused: 3,
  },
  { name: 'conv and relu only', make: () => [new Conv2d(2, 4, 3, { dilation: 2, padding: 'same' }), new ReLU(), new Flatten()], input: [2, 2, 9, 9], fused: 2 },
  {
    name: 'a padded pool is not fused (conv and relu are)',
    make: () => [new Conv2d(2, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(3, { stride: 2, padding: 1 }), new Flatten()],
    input: [2, 2, 8, 8],
    fused: 2,
  },
  { name: 'no bias, batch of one', make: () => [new Conv2d(4, 6, 1, { bias: false }), new ReLU(), new MaxPool2d(2)], input: [1, 4, 6, 6], fused: 3 },
];

function run(c: Case): { y: Float32Array; grads: Float32Array[] } {
  manualSeed(11);
  const model = new Sequential(...c.make());
  const x = randn(c.input, { generator: new Generator(12), requiresGrad: true });
  const y = model.call(x);
  y.backward(randn(y.shape, { generator: new Generator(13) }));
  const grads = [x, ...model.parameters()].map((t) => (t.grad as Tensor).data as Float32Array);
  return { y: y.data as Float32Array, grads };
}

describe('Sequential fuses Conv2d → ReLU (→ MaxPool2d)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  for (const c of cases) {
    it(`${c.name}: output and every gradient match the layers one by one`, () => {
      const layers = c.make();
      const x = randn(c.input);
      assert.equal(
        withBackend('wasm', () => fusedBlock(layers, 0, x)?.layers ?? 0),
        c.fused,
        'layers fused',
      );
      assert.equal(
        withBackend('js', () => fusedBlock(layers, 0, x)),
        null,
        'the js backend has no fused kernels',
      );
      const fused = withBackend('wasm', () => run(c));
      const reference = withBackend('js', () => run(c));
      assertCloseFloat32(fused.y, reference.y, 'y');
      fused.grads.forEach((g, i) => assertCloseFloat32(g, reference.grads[i], `gradient ${i}`));
    });
  }

  it('gradients of gradients through the fused block (a gradient penalty) match', () => {
    const penalty = (): Float32Array[] => {
      manualSeed(21);
      const model = new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 3 * 3, 1));
      const x = randn([3, 2, 6, 6], { generator: new Generator(22), requiresGrad: true });
      const [dx] = grad(model.call(x).sum(), [x], { createGraph: true });
      dx.square().sum().backward();
      // The last bias does not reach dx: no gradient.
      return model.parameters().map((p) => (p.grad?.data as Float32Array | undefined) ?? new Float32Array(0));
    };
    const fused = withBackend('wasm', penalty);
    const reference = withBackend('js', penalty);
    fused.forEach((g, i) => assertCloseFloat32(g, reference[i], `parameter ${i}`));
  });

  it('a ReLU subclass or a float64 input is left to the layers', () => {
    class MyReLU extends ReLU {}
    const x = randn([1, 1, 4, 4]);
    assert.equal(fusedBlock([new Conv2d(1, 2, 3), new MyReLU()], 0, x), null);
    assert.equal(fusedBlock([new Conv2d(1, 2, 3, { dtype: 'float64' }), new ReLU()], 0, x.astype('float64')), null);
  });
});

describe('Sequential trains a run of Linear (→ ReLU) layers as one op', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  /** Output and every gradient through the Sequential (fused) or layer by layer (the same ops one at a time). */
  function run(fused: boolean, make: () => Module[], rows: number, xGrad: boolean): Float32Array[] {
    manualSeed(31);
    const model = new Sequential(...make());
    const x = randn([rows, (model.at(0) as Linear).inFeatures], { generator: new Generator(32), requiresGrad: xGrad });
    let y: Tensor;
    if (fused) y = model.call(x);
    else {
      y = x;
      for (const m of model) y = m.call(y);
    }
    y.backward(randn(y.shape, { generator: new Generator(33) }));
    const grads = [...(xGrad ? [x] : []), ...model.parameters()].map((t) => (t.grad?.data as Float32Array | undefined) ?? new Float32Array(0));
    return [y.data as Float32Array, ...grads];
  }
  const chains: { name: string; make: () => Module[]; rows: number }[] = [
    { name: 'the mlp-digits MLP, batch 32', make: () => [new Linear(64, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10)], rows: 32 },
    {
      name: 'odd widths, relu on the last layer, no bias in the middle',
      make: () => [new Linear(7, 13), new ReLU(), new Linear(13, 5, { bias: false }), new Linear(5, 3), new ReLU()],
      rows: 9,
    },
    { name: 'K > 256 (two GEMM blocks), 200 rows', make: () => [new Linear(300, 20), new ReLU(), new Linear(20, 4)], rows: 200 },
    { name: 'a layer wider than one block of rows (300 outputs)', make: () => [new Linear(8, 300), new ReLU(), new Linear(300, 3)], rows: 5 },
  ];
  for (const c of chains) {
    it(`${c.name}: output and gradients equal the layers one by one, to the bit`, () => {
      for (const xGrad of [false, true]) {
        const fused = run(true, c.make, c.rows, xGrad);
        const reference = run(false, c.make, c.rows, xGrad);
        fused.forEach((a, i) => assert.deepEqual(a, reference[i], `array ${i} (x requires grad: ${xGrad})`));
      }
    });
  }

  it('is used for 2+ layers of small products, not for one layer, float64 or a product the threads would take', () => {
    const two = [new Linear(4, 3), new ReLU(), new Linear(3, 2)];
    assert.equal(fusedBlock(two, 0, randn([16, 4]))?.layers, 3);
    assert.equal(fusedBlock([new Linear(4, 3), new ReLU()], 0, randn([16, 4])), null);
    assert.equal(fusedBlock([new Linear(1568, 64), new ReLU(), new Linear(64, 10)], 0, randn([64, 1568])), null);
    assert.equal(fusedBlock(two, 0, randn([16, 4]).astype('float64')), null);
  });

  it('frozen layers get no gradient; gradients of gradients match the layers one by one', () => {
    const penalty = (fused: boolean): Float32Array[] => {
      manualSeed(41);
      const first = new Linear(6, 8);
      first.bias!.requiresGrad = false;
      const model = new Sequential(first, new ReLU(), new Linear(8, 1));
      const x = randn([5, 6], { generator: new Generator(42), requiresGrad: true });
      let y: Tensor = x;
      if (fused) y = model.call(x);
      else for (const m of model) y = m.call(y);
      const [dx] = grad(y.sum(), [x], { createGraph: true });
      dx.square().sum().backward();
      assert.equal(first.bias!.grad, null);
      return model.parameters().map((p) => (p.grad?.data as Float32Array | undefined) ?? new Float32Array(0));
    };
    const fused = penalty(true),
      reference = penalty(false);
    // The last bias does not reach dx: no gradient either way.
    assert.equal(reference[reference.length - 1].length, 0);
    fused.forEach((g, i) => assertCloseFloat32(g, reference[i], `parameter ${i}`));
  });
});

describe('Sequential fusion plan', () => {
  it('matches the layers once (not on every call), again after add(), and a declined block falls back layer by layer', () => {
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
    const original = denseBlock.match;
    let matches = 0;
    denseBlock.match = (layers, i) => {
      matches++;
      return original.call(denseBlock, layers, i);
    };
    try {
      const x = randn([16, 4], { generator: new Generator(7) });
      const first = model.call(x);
      model.call(x);
      model.call(x);
      assert.equal(matches, 3, 'one match per position, for the first call only');
      model.add(new ReLU());
      const y = model.call(x);
      assert.equal(matches, 7, 'planned again for the four layers');
      // float64 input: the dense block declines, the layers run one by one (and reject the dtype as they would alone).
      assert.throws(() => model.call(x.astype('float64')));
      assert.deepEqual(
        Array.from(y.data),
        Array.from(first.data).map((v) => Math.max(v, 0)),
      );
    } finally {
      denseBlock.match = original;
    }
  });
});
