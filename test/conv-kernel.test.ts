// The wasm backend's fused convolution kernel (asm/conv.ts) against the
// lowered path (im2col + gemm + col2im in JS, which the 'js' backend always
// takes): forward, input gradient and weight gradient, on geometries that
// exercise stride, padding, dilation, edge tiles and several K blocks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grad, noGrad } from '../src/autograd/graph.js';
import { getNumThreads, setNumThreads } from '../src/backend/index.js';
import { wasmEngine, wasmSupport, warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { avgPool2d, conv2d, convReluMaxPool, maxPool2d, type Conv2dOptions, type Pool2dOptions } from '../src/tensor/ops/conv.js';
import { ValueError } from '../src/errors.js';
import { relu } from '../src/tensor/ops/elementwise.js';
import { Generator } from '../src/tensor/random.js';
import { randn } from '../src/tensor/creation.js';
import { assertCloseFloat32, withBackend } from './helpers/backends.js';
import type { Tensor } from '../src/tensor/tensor.js';

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  options: Conv2dOptions;
}

const cases: Case[] = [
  { x: [2, 1, 7, 9], w: [3, 1, 3, 3], options: { padding: 1 } },
  { x: [3, 4, 11, 10], w: [5, 4, 3, 2], options: { stride: [2, 3], padding: [1, 0] } },
  { x: [2, 3, 12, 12], w: [6, 3, 3, 3], options: { dilation: 2, padding: 'same' } },
  { x: [1, 2, 5, 5], w: [4, 2, 5, 5], options: { padding: 2 } },
  { x: [2, 3, 9, 8], w: [7, 3, 1, 1], options: { stride: 2 } },
  // Depth 300 > KC (two K blocks) and more output channels than one row panel.
  { x: [2, 12, 6, 7], w: [9, 12, 5, 5], options: { padding: 2, stride: [1, 2] } },
  // More output channels than one block of rows (MC_MAX = 256), batch of one.
  { x: [1, 2, 5, 6], w: [260, 2, 3, 3], options: { padding: 1 } },
  // Large enough for the worker threads (≥ 2^21 multiply-adds).
  { x: [16, 8, 16, 16], w: [16, 8, 3, 3], options: { padding: 1 } },
];

/** Odd-numbered cases carry a bias (added inside the fused kernel). */
function run(c: Case, seed: number): { y: Float32Array; dx: Float32Array; dw: Float32Array; db: Float32Array | null } {
  const generator = new Generator(seed);
  const x = randn(c.x, { generator, requiresGrad: true });
  const w = randn(c.w, { generator, requiresGrad: true });
  const b = seed % 2 === 1 ? randn([c.w[0]], { generator, requiresGrad: true }) : null;
  const y = conv2d(x, w, b, c.options);
  const gy = randn(y.shape, { generator });
  y.backward(gy);
  return {
    y: y.data as Float32Array,
    dx: (x.grad as Tensor).data as Float32Array,
    dw: (w.grad as Tensor).data as Float32Array,
    db: b ? ((b.grad as Tensor).data as Float32Array) : null,
  };
}

describe('fused convolution kernel (wasm)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  for (const [i, c] of cases.entries()) {
    it(`case ${i}: x ${c.x.join('×')}, w ${c.w.join('×')}, ${JSON.stringify(c.options)}: forward and both gradients match the lowered path`, () => {
      const fused = withBackend('wasm', () => run(c, 100 + i));
      const lowered = withBackend('js', () => run(c, 100 + i));
      assertCloseFloat32(fused.y, lowered.y, 'y');
      assertCloseFloat32(fused.dx, lowered.dx, 'dx');
      assertCloseFloat32(fused.dw, lowered.dw, 'dw');
      if (lowered.db) assertCloseFloat32(fused.db as Float32Array, lowered.db, 'db');
    });
  }

  it('gradients of gradients (a gradient penalty) match the lowered path', () => {
    const c = cases[1];
    const run2 = (): { gx: Float32Array; gw: Float32Array } => {
      const generator = new Generator(55);
      const x = randn(c.x, { generator, requiresGrad: true });
      const w = randn(c.w, { generator, requiresGrad: true });
      const b = randn([c.w[0]], { generator, requiresGrad: true });
      const y = conv2d(x, w, b, c.options);
      const [dx] = grad(y.square().sum(), [x], { createGraph: true });
      dx.square().sum().backward();
      return { gx: (x.grad as Tensor).data as Float32Array, gw: (w.grad as Tensor).data as Float32Array };
    };
    const fused = withBackend('wasm', run2);
    const lowered = withBackend('js', run2);
    assertCloseFloat32(fused.gx, lowered.gx, 'd/dx |dx|²');
    assertCloseFloat32(fused.gw, lowered.gw, 'd/dw |dx|²');
  });

  it('one thread and two threads give identical results', { skip: wasmSupport !== 'threads' && 'no threads here' }, async () => {
    const before = getNumThreads();
    const c = cases[cases.length - 1];
    try {
      setNumThreads(1);
      const one = withBackend('wasm', () => run(c, 7));
      setNumThreads(2);
      await warmUpWasmThreads();
      const two = withBackend('wasm', () => run(c, 7));
      assert.deepEqual(two.y, one.y);
      assert.deepEqual(two.dx, one.dx);
      assert.deepEqual(two.dw, one.dw);
    } finally {
      setNumThreads(before);
    }
  });
});

describe('the sum of the per-sample weight gradients (sumRowsF32)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  it('adds the rows in order of the sample, bit for bit, for any number of rows and any length', () => {
    const engine = wasmEngine!;
    const generator = new Generator(3);
    for (const [count, len] of [
      [1, 7],
      [4, 9],
      [5, 13],
      [9, 4640],
      [16, 3],
      [23, 37],
    ]) {
      const rows = randn([count, len], { generator }).data as Float32Array;
      // Magnitudes from 1e-3 to 1e3: the order of the adds shows in the rounding.
      for (let i = 0; i < rows.length; i++) rows[i] *= 10 ** ((i % 7) - 3);
      const expected = rows.slice(0, len);
      for (let b = 1; b < count; b++) for (let i = 0; i < len; i++) expected[i] = Math.fround(expected[i] + rows[b * len + i]);
      const at = engine.callerScratch((count + 1) * len * 4);
      engine.f32.set(rows, at >> 2);
      const sumAt = at + count * len * 4;
      engine.kernels.sumRowsF32(at, count, len, sumAt);
      assert.deepEqual(engine.f32.slice(sumAt >> 2, (sumAt >> 2) + len), expected, `${count} rows of ${len}`);
    }
  });
});

describe('the fused Conv → ReLU → MaxPool block', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  it('without a backward to come (noGrad) gives the same output as with one, and the recorded block still trains', () => {
    const generator = new Generator(21);
    const x = randn([3, 2, 10, 10], { generator });
    const w = randn([4, 2, 3, 3], { generator, requiresGrad: true });
    const b = randn([4], { generator, requiresGrad: true });
    const block = (): Tensor | null => withBackend('wasm', () => convReluMaxPool(x, w, b, { padding: [1, 1] }, { kernelSize: [2, 2] }));
    const inference = noGrad(block) as Tensor;
    const training = block() as Tensor;
    assert.equal(inference.gradNode, null);
    assert.deepEqual(inference.data, training.data);
    withBackend('wasm', () => training.sum().backward());
    const reference = withBackend('wasm', () => noGrad(() => maxPool2d(relu(conv2d(x, w, b, { padding: 1 })), 2)));
    assert.deepEqual(reference.data, training.data);
    assert.ok((w.grad as Tensor).data.some((v) => v !== 0));
  });
});

describe('float32 pooling and relu kernels (wasm)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  const poolCases: { shape: [number, number, number, number]; kernel: number | [number, number]; options: Pool2dOptions }[] = [
    { shape: [4, 8, 28, 28], kernel: 2, options: {} }, // the 2×2 SIMD path, 14 outputs per row (a 4-wide tail)
    { shape: [3, 7, 15, 13], kernel: 2, options: {} }, // odd sizes: the last row and column are dropped
    { shape: [2, 3, 14, 14], kernel: 2, options: {} }, // 7 outputs per row: four, then four overlapping them
    { shape: [2, 3, 6, 7], kernel: 2, options: {} }, // 3 outputs per row: one at a time
    { shape: [2, 9, 16, 17], kernel: 3, options: { stride: 2, padding: 1 } },
    { shape: [2, 8, 20, 20], kernel: [2, 3], options: { dilation: 2 } },
  ];
  for (const [i, c] of poolCases.entries()) {
    it(`maxPool2d ${c.shape.join('×')}, kernel ${String(c.kernel)}, ${JSON.stringify(c.options)}: values, NaN and gradients match the JS loops`, () => {
      const run = (): { y: Float32Array; dx: Float32Array } => {
        const x = randn(c.shape, { generator: new Generator(300 + i) });
        // Ties and NaNs: the first maximum wins, a NaN wins over numbers.
        x.data[5] = x.data[4];
        x.data[37] = NaN;
        x.data[x.size - 3] = NaN;
        x.requiresGrad = true;
        const y = maxPool2d(x, c.kernel, c.options);
        y.backward(randn(y.shape, { generator: new Generator(400 + i) }));
        return { y: y.data as Float32Array, dx: (x.grad as Tensor).data as Float32Array };
      };
      const fused = withBackend('wasm', run);
      const reference = withBackend('js', run);
      assert.deepEqual(fused.y, reference.y);
      assert.deepEqual(fused.dx, reference.dx);
    });
  }

  it('relu and its gradient match the JS loops, NaN propagating', () => {
    const run = (): { y: Float32Array; dx: Float32Array } => {
      const x = randn([5000], { generator: new Generator(9) });
      x.data[17] = NaN;
      x.data[18] = -0;
      x.requiresGrad = true;
      const y = relu(x);
      y.backward(randn([5000], { generator: new Generator(10) }));
      return { y: y.data as Float32Array, dx: (x.grad as Tensor).data as Float32Array };
    };
    const fused = withBackend('wasm', run);
    const reference = withBackend('js', run);
    assert.ok(Number.isNaN(fused.y[17]));
    assert.deepEqual(fused.y, reference.y);
    assert.deepEqual(fused.dx, reference.dx);
  });
});

describe('convolution and pooling options', () => {
  it('reject unknown keys with a typed error naming the valid ones (and the camelCase for a snake_case key)', () => {
    const x = randn([1, 2, 6, 6], { generator: new Generator(3) }),
      w = randn([3, 2, 3, 3], { generator: new Generator(4) });
    assert.throws(
      () => conv2d(x, w, null, { strides: 2 } as Conv2dOptions),
      (e: unknown) => e instanceof ValueError && /stride/.test(e.message),
    );
    assert.throws(() => maxPool2d(x, 2, { dilations: 1 } as Pool2dOptions), ValueError);
    assert.throws(
      () => avgPool2d(x, 2, { count_include_pad: false } as Pool2dOptions),
      (e: unknown) => e instanceof ValueError && /countIncludePad/.test(e.message),
    );
    // The valid keys still work.
    assert.deepEqual(conv2d(x, w, null, { stride: 2, padding: 1, dilation: 1, groups: 1 }).shape, [1, 3, 3, 3]);
    assert.deepEqual(avgPool2d(x, 2, { stride: 2, padding: 1, dilation: 1, countIncludePad: false }).shape, [1, 2, 4, 4]);
  });
});
