// A pooled conv block's backward taken from the pooled cells
// (asm/conv-pooled.ts): where a kernel row holds 16 floats or more (C·kw),
// the wasm kernel adds each surviving cell's share to dW and dx instead of
// multiplying the dense gradient of the convolution's output. It must agree
// with the routine's reference (the dense gradient, lowered products) to
// float32 rounding on the geometries it takes: strides, padding, dilation
// along the height, windows of 2 and 3 rows, with and without relu, every
// subset of the gradients; and give the same bits on one and two threads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conv2dBackward, conv2dForward, type ConvEpilogue, type ConvGradients, type ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { randn } from '../src/tensor/creation.js';
import { Generator } from '../src/tensor/random.js';
import { assertCloseFloat32, assertSameBits, withBackend, withThreads } from './helpers/backends.js';

type Shape = Omit<ConvKernelGeometry, 'ho' | 'wo'>;
type Pool = { k: number; s: number };

function geometry(s: Shape): ConvKernelGeometry {
  return { ...s, ho: Math.floor((s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh) + 1, wo: Math.floor((s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw) + 1 };
}

function floats(generator: Generator, n: number): Float32Array {
  return randn([n], { generator }).data as Float32Array;
}

const CASES: { what: string; shape: Shape; pool: Pool; relu: boolean }[] = [
  { what: 'cnn-fashion’s second block', shape: { n: 3, c: 16, h: 14, w: 14, o: 32, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 }, pool: { k: 2, s: 2 }, relu: true },
  {
    what: 'stride 2, no padding, 3×3 windows 3 apart',
    shape: { n: 2, c: 8, h: 17, w: 15, o: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 },
    pool: { k: 3, s: 3 },
    relu: true,
  },
  {
    what: 'no relu, a 5×5 kernel (rows of 20 floats), padding 2',
    shape: { n: 2, c: 4, h: 12, w: 10, o: 5, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, dh: 1, dw: 1 },
    pool: { k: 2, s: 2 },
    relu: false,
  },
  {
    what: 'dilation 2 along the height, uneven strides',
    shape: { n: 2, c: 6, h: 16, w: 13, o: 9, kh: 3, kw: 3, sh: 1, sw: 2, ph: 2, pw: 1, dh: 2, dw: 1 },
    pool: { k: 2, s: 2 },
    relu: true,
  },
  {
    what: 'one sample, odd sizes, 1×16 kernel rows',
    shape: { n: 1, c: 16, h: 9, w: 11, o: 7, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 },
    pool: { k: 2, s: 2 },
    relu: true,
  },
];

/** The block's forward (wasm, arg-max offsets returned) and its backward by `how`, every gradient or some. */
function backward(c: (typeof CASES)[number], how: 'wasm' | 'reference', wanted: { input: boolean; weights: boolean; bias: boolean }, seed: number): ConvGradients {
  const g = geometry(c.shape);
  const generator = new Generator(seed);
  const x = floats(generator, g.n * g.c * g.h * g.w);
  const weight = floats(generator, g.o * g.c * g.kh * g.kw);
  const bias = floats(generator, g.o);
  const pool = { kh: c.pool.k, kw: c.pool.k, sh: c.pool.s, sw: c.pool.s, ho: Math.floor((g.ho - c.pool.k) / c.pool.s) + 1, wo: Math.floor((g.wo - c.pool.k) / c.pool.s) + 1 };
  const epilogue: ConvEpilogue = { relu: c.relu, pool };
  const forward = withBackend('wasm', () => conv2dForward.run(g, x, weight, bias, epilogue));
  assert.ok(forward.offsets, 'the forward gives its arg-max offsets');
  const dy = floats(generator, forward.y.length);
  const args = { x, dy, weight, ...wanted, epilogue: { ...epilogue, y: forward.y, offsets: forward.offsets } };
  return how === 'wasm' ? withBackend('wasm', () => conv2dBackward.run(g, args)) : conv2dBackward.reference(g, args);
}

function gradients(r: ConvGradients): (Float32Array | null)[] {
  return [r.dx, r.dw, r.db];
}

describe('pooled conv block backward from the pooled cells (wasm)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  const subsets = [
    { input: true, weights: true, bias: true },
    { input: true, weights: false, bias: false },
    { input: false, weights: true, bias: false },
    { input: false, weights: false, bias: true },
  ];
  for (const [i, c] of CASES.entries()) {
    it(`${c.what}: every subset of the gradients agrees with the reference to float32 rounding`, () => {
      for (const wanted of subsets) {
        const fast = gradients(backward(c, 'wasm', wanted, 60 + i));
        const reference = gradients(backward(c, 'reference', wanted, 60 + i));
        fast.forEach((a, t) => {
          const e = reference[t];
          if (a === null || e === null) assert.equal(a, e, `${c.what} ${JSON.stringify(wanted)}: gradient ${t}`);
          else assertCloseFloat32(a, e, `${c.what} ${JSON.stringify(wanted)}: gradient ${t}`);
        });
      }
    });
  }

  it('one thread and two threads give the same bits', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
    const c = { ...CASES[0], shape: { ...CASES[0].shape, n: 16 } };
    const all = subsets[0];
    const one = withThreads(1, () => gradients(backward(c, 'wasm', all, 70)));
    const two = withThreads(2, () => gradients(backward(c, 'wasm', all, 70)));
    one.forEach((a, t) => assertSameBits(two[t]!, a!, `gradient ${t}`));
  });
});
