/**
 * The int8 routines (src/backend/routines/int8.ts): the wasm kernels against
 * the TypeScript reference, to the bit (the accumulation is exact int32 and
 * every float step is defined), on random shapes with odd sizes, depths not a
 * multiple of 16, negative values and −128 weights, on one thread and on all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  int8Chain,
  int8Conv2d,
  int8Linear,
  packConvLayerWeights,
  packConvWeights,
  packLinearWeights,
  quantiseCentred,
  type Int8ChainArgs,
  type Int8ConvArgs,
  type Int8LinearArgs,
} from '../src/backend/routines/int8.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { WasmEngine } from '../src/backend/wasm/engine.js';
import { int8ChainJob } from '../src/backend/wasm/int8-job.js';
import { loadKernels } from '../src/backend/wasm/module.js';
import { ValueError } from '../src/errors.js';
import { rng, withThreads } from './helpers/backends.js';

type Next = () => number;
const skip = wasmSupport === 'none' && 'no WebAssembly SIMD here';

function floats(next: Next, n: number, spread = 3): Float32Array {
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * spread);
}

/** Int8 weights with the extremes −128 and 127 present. */
function int8s(next: Next, n: number): Int8Array {
  const w = Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128);
  if (n > 0) w[0] = -128;
  if (n > 1) w[n - 1] = 127;
  return w;
}

function assertSame(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(actual[i] === expected[i])) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

function linearArgs(next: Next, m: number, k: number, n: number, relu: boolean, bias: boolean): Int8LinearArgs {
  return {
    x: floats(next, m * k),
    m,
    k,
    n,
    weight: int8s(next, n * k),
    scale: Float32Array.from({ length: n }, () => 1e-3 * (0.5 + next())),
    bias: bias ? floats(next, n) : null,
    // A scale small enough that many inputs clip at both ends.
    input: { scale: 0.02 + 0.01 * next(), zero: Math.floor(next() * 128) },
    relu,
  };
}

describe('int8Linear: wasm against the reference', { skip }, () => {
  const impl = int8Linear.implementations.wasm!;
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 17, 5],
    [7, 33, 9],
    [13, 16, 8],
    [5, 31, 13],
    [64, 1568, 64], // the bench CNN's dense layer, above the threshold for threads
    [257, 130, 11],
  ];
  for (const threads of [1, 4]) {
    it(`gives the reference's floats exactly (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      const next = rng(101 + threads);
      withThreads(threads, () => {
        shapes.forEach(([m, k, n], c) => {
          for (const [relu, bias] of [
            [false, true],
            [true, false],
          ] as const) {
            const a = linearArgs(next, m, k, n, relu, bias);
            assert.ok(impl.supports(a), `case ${c} supported`);
            assertSame(impl.run(a), int8Linear.reference(a), `case ${c} (${m}×${k}→${n}, relu ${relu})`);
            assertSame(impl.run({ ...a, packed: packLinearWeights(a.weight, n, k) }), int8Linear.reference(a), `case ${c}, weights packed beforehand`);
          }
        });
      });
    });
  }

  it('quantises ties to even, clips at both ends of the 7-bit codes [0, 127] and maps NaN to 0', () => {
    const q = quantiseCentred(Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, 1000, -1000, Number.NaN]), { scale: 1, zero: 10 });
    assert.deepEqual([...q], [0, 2, 2, 0, -2, 117, -10, 0]);
    const a = linearArgs(rng(5), 4, 8, 8, false, true);
    a.x.set([Number.NaN, 1e30, -1e30, 0.5 * a.input.scale, 1.5 * a.input.scale]);
    assertSame(impl.run(a), int8Linear.reference(a), 'special inputs');
  });

  it('refuses sizes that do not match and a bad input quantisation (typed errors)', () => {
    const a = linearArgs(rng(6), 4, 8, 8, false, true);
    assert.throws(() => impl.run({ ...a, x: a.x.subarray(1) }), ValueError);
    assert.throws(() => impl.run({ ...a, weight: a.weight.subarray(1) }), ValueError);
    assert.throws(() => impl.run({ ...a, input: { scale: 0, zero: 0 } }), ValueError);
    assert.throws(() => impl.run({ ...a, input: { scale: 1, zero: 200 } }), ValueError);
    // 7-bit activations: a zero point below 0 (an 8-bit one) is refused.
    assert.throws(() => impl.run({ ...a, input: { scale: 1, zero: -1 } }), ValueError);
    assert.throws(() => impl.run({ ...a, input: { scale: 1, zero: 128 } }), ValueError);
    assert.throws(() => impl.run({ ...a, packed: new Int8Array(3) }), ValueError);
    const wide = Int32Array.from(a.weight);
    wide[5] = 300;
    assert.throws(() => impl.run({ ...a, weight: wide }), ValueError);
    assert.throws(() => int8Linear.reference({ ...a, weight: wide }), ValueError);
  });
});

describe('int8Conv2d: wasm against the reference', { skip }, () => {
  const impl = int8Conv2d.implementations.wasm!;
  const shapes = [
    { n: 1, c: 1, h: 5, w: 7, o: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
    { n: 3, c: 2, h: 11, w: 13, o: 5, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 0, dh: 1, dw: 2 },
    { n: 2, c: 3, h: 7, w: 7, o: 7, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 },
    { n: 9, c: 16, h: 14, w: 14, o: 32, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
    { n: 5, c: 1, h: 28, w: 28, o: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
    // Stride 1 with 2×2 pooling fused into the GEMM: three panels per row and one pooled column past the last group of 4;
    // then dilation 2 on an odd width.
    { n: 2, c: 4, h: 10, w: 18, o: 6, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
    { n: 2, c: 2, h: 12, w: 11, o: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 2, dh: 2, dw: 2 },
  ];
  for (const threads of [1, 4]) {
    it(`gives the reference's floats exactly, with and without ReLU and pooling (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      const next = rng(202 + threads);
      withThreads(threads, () => {
        shapes.forEach((s, c) => {
          const g = { ...s, ho: Math.floor((s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh) + 1, wo: Math.floor((s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw) + 1 };
          const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: Math.floor((g.ho - 2) / 2) + 1, wo: Math.floor((g.wo - 2) / 2) + 1 };
          const epilogues = [{ relu: false, pool: null }, { relu: true, pool: null }, ...(pool.ho > 0 && pool.wo > 0 ? [{ relu: true, pool }] : [])];
          epilogues.forEach((epilogue, e) => {
            const a: Int8ConvArgs = {
              g,
              x: floats(next, g.n * g.c * g.h * g.w),
              weight: int8s(next, g.o * g.c * g.kh * g.kw),
              scale: Float32Array.from({ length: g.o }, () => 1e-3 * (0.5 + next())),
              bias: e === 0 ? null : floats(next, g.o),
              input: { scale: 0.02 + 0.01 * next(), zero: Math.floor(next() * 128) },
              epilogue,
            };
            assert.ok(impl.supports(a), `case ${c}.${e} supported`);
            assertSame(impl.run(a), int8Conv2d.reference(a), `case ${c}.${e}`);
            const packed = packConvLayerWeights(a.weight, g, epilogue.pool);
            assertSame(impl.run({ ...a, packed }), int8Conv2d.reference(a), `case ${c}.${e}, weights packed beforehand`);
          });
        });
      });
    });
  }
});

/** A convolution's arguments with the given geometry (stride 1, no dilation) and epilogue. */
function convArgs(next: Next, n: number, c: number, h: number, o: number, epilogue: Int8ConvArgs['epilogue'], zero = Math.floor(next() * 128)): Int8ConvArgs {
  const g = { n, c, h, w: h, o, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: h, wo: h };
  return {
    g,
    x: floats(next, n * c * h * h),
    weight: int8s(next, o * c * 9),
    scale: Float32Array.from({ length: o }, () => 1e-3 * (0.5 + next())),
    bias: floats(next, o),
    input: { scale: 0.02 + 0.01 * next(), zero },
    epilogue,
  };
}

describe('int8Conv2d with pooling: the integers pooled before the epilogue', { skip }, () => {
  const impl = int8Conv2d.implementations.wasm!;
  it('gives the reference where a channel scale is negative, zero, infinite or NaN (the float outputs pooled)', () => {
    const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: 4, wo: 4 };
    for (const relu of [false, true]) {
      const a = convArgs(rng(31), 3, 2, 9, 6, { relu, pool });
      a.scale.set([-2e-3, 0, Number.POSITIVE_INFINITY, Number.NaN, 1e-3, Number.MIN_VALUE]);
      assertSame(impl.run(a), int8Conv2d.reference(a), `relu ${relu}`);
    }
  });

  it('gives the reference on the channels-last kernel (4k input channels), with such scales among 10 output channels', () => {
    const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: 4, wo: 4 };
    for (const relu of [false, true]) {
      const a = convArgs(rng(37), 3, 8, 9, 10, { relu, pool });
      assertSame(impl.run(a), int8Conv2d.reference(a), `relu ${relu}, positive scales`);
      a.scale.set([-2e-3, 0, Number.POSITIVE_INFINITY, Number.NaN, 1e-3, Number.MIN_VALUE], 3);
      assertSame(impl.run(a), int8Conv2d.reference(a), `relu ${relu}`);
    }
  });
});

describe('int8 kernels: both builds (with and without relaxed SIMD) give the reference', { skip }, () => {
  const next = rng(77);
  const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: 7, wo: 7 };
  // The bench CNN's shape, with a first zero point at both ends of the codes.
  const cases: [string, Int8ChainArgs][] = [0, 127, 37, -1].map((zero) => {
    const first = convArgs(next, 5, 1, 28, 16, { relu: true, pool: { ...pool, ho: 14, wo: 14 } }, Math.max(zero, 0));
    // Last case: a negative channel scale, so that the first layer's float outputs are pooled and quantised apart.
    if (zero < 0) first.scale[3] = -first.scale[3];
    const second = convArgs(next, 5, 16, 14, 32, { relu: true, pool }, 0);
    const dense = linearArgs(next, 5, 32 * 7 * 7, 10, false, true);
    return [
      zero < 0 ? 'a negative channel scale' : `zero point ${zero}`,
      {
        x: first.x,
        n: 5,
        layers: [
          { kind: 'conv', ...first, x: undefined },
          { kind: 'conv', ...second, x: undefined },
          { kind: 'dense', ...dense, x: undefined, m: undefined },
        ] as unknown as Int8ChainArgs['layers'],
      },
    ];
  });
  for (const relaxed of [false, true]) {
    it(`${relaxed ? 'relaxed' : 'plain'} build`, async () => {
      const loaded = await loadKernels(relaxed);
      assert.ok(loaded.module, 'kernels compile here');
      assert.equal(loaded.relaxed, relaxed, 'Node 20+ accepts relaxed SIMD once the flag is set');
      const engine = new WasmEngine(loaded.module, loaded.support === 'threads', loaded.maxPages);
      engine.setNumThreads(1);
      for (const [what, a] of cases) assertSame(int8ChainJob(engine, a), int8Chain.reference(a), what);
    });
  }
});

describe('int8 weight packing: the range check', () => {
  it('packLinearWeights and packConvWeights reject a weight outside [-128, 127]', () => {
    const weight = new Int32Array([1, -2, 3, 128, 5, 6]);
    assert.throws(
      () => packLinearWeights(weight, 2, 3),
      (e: unknown) => e instanceof ValueError && /int8Linear: .*outside int8/.test(e.message),
    );
    assert.throws(
      () => packConvWeights(Int32Array.from([-129, 0, 0, 0]), 2, 2),
      (e: unknown) => e instanceof ValueError && /int8Conv2d: .*outside int8/.test(e.message),
    );
    // in range at both ends: packed in place, no throw
    const packed = packConvWeights(Int32Array.from([-128, 127, 0, 1]), 2, 2);
    assert.deepEqual(Array.from(packed.subarray(0, 2)), [-128, 127]);
  });
});
