/**
 * The int8 chain (src/quant/chain.ts, the `int8Chain` routine): a run of
 * quantised layers as one job, its activations kept int8 between layers.
 * The wasm job gives the reference's floats exactly, and the reference is
 * the layers run one by one; a converted CNN gives, inside its Sequential,
 * exactly what its layers give one at a time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { int8Chain, type Int8ChainArgs, type Int8ChainLayer } from '../src/backend/routines/int8.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { ValueError } from '../src/errors.js';
import { noGrad } from '../src/autograd/graph.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/nn/index.js';
import { calibrate, convert, int8ChainPattern, prepare } from '../src/quant/index.js';
import { randn } from '../src/tensor/creation.js';
import { manualSeed } from '../src/tensor/random.js';
import { rng, withThreads } from './helpers/backends.js';

type Next = () => number;
const skip = wasmSupport === 'none' && 'no WebAssembly SIMD here';

function floats(next: Next, n: number, spread = 3): Float32Array {
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * spread);
}

/** Int8 weights with the extremes −128 and 127 present. */
function int8s(next: Next, n: number): Int8Array {
  const w = Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128);
  w[0] = -128;
  w[n - 1] = 127;
  return w;
}

/** An input quantisation; the zero points include both ends of the 7-bit codes [0, 127]. */
function quantisation(next: Next, zero = Math.floor(next() * 128)): { scale: number; zero: number } {
  return { scale: 0.02 + 0.05 * next(), zero };
}

interface ConvSpec {
  c: number;
  o: number;
  k: [number, number];
  stride?: number;
  pad?: number;
  dil?: number;
  pool?: [number, number];
  relu?: boolean;
}

/** A random chain: convolutions on h × w inputs, then dense layers of the given widths. */
function chain(next: Next, n: number, h: number, w: number, convs: ConvSpec[], dense: number[], zeros: number[] = []): Int8ChainArgs {
  const layers: Int8ChainLayer[] = [];
  let shape = [convs[0]?.c ?? dense[0], h, w];
  let zeroAt = 0;
  const input = (): { scale: number; zero: number } => quantisation(next, zeros[zeroAt++]);
  for (const s of convs) {
    const [kh, kw] = s.k;
    const st = s.stride ?? 1,
      pad = s.pad ?? 0,
      dil = s.dil ?? 1;
    const [hh, ww] = [shape[1], shape[2]];
    const ho = Math.floor((hh + 2 * pad - dil * (kh - 1) - 1) / st) + 1;
    const wo = Math.floor((ww + 2 * pad - dil * (kw - 1) - 1) / st) + 1;
    const pool = s.pool
      ? { kh: s.pool[0], kw: s.pool[0], sh: s.pool[1], sw: s.pool[1], ho: Math.floor((ho - s.pool[0]) / s.pool[1]) + 1, wo: Math.floor((wo - s.pool[0]) / s.pool[1]) + 1 }
      : null;
    layers.push({
      kind: 'conv',
      g: { n: 0, c: s.c, h: hh, w: ww, o: s.o, kh, kw, sh: st, sw: st, ph: pad, pw: pad, dh: dil, dw: dil, ho, wo },
      weight: int8s(next, s.o * s.c * kh * kw),
      scale: Float32Array.from({ length: s.o }, () => 2e-3 * (0.5 + next())),
      bias: next() < 0.5 ? floats(next, s.o, 0.2) : null,
      input: input(),
      epilogue: { relu: s.relu ?? true, pool },
    });
    shape = pool ? [s.o, pool.ho, pool.wo] : [s.o, ho, wo];
  }
  let k = convs.length ? shape[0] * shape[1] * shape[2] : dense.shift()!;
  for (const width of dense) {
    layers.push({
      kind: 'dense',
      k,
      n: width,
      weight: int8s(next, width * k),
      scale: Float32Array.from({ length: width }, () => 1e-3 * (0.5 + next())),
      bias: floats(next, width, 0.2),
      input: input(),
      relu: next() < 0.6,
    });
    k = width;
  }
  const first = layers[0];
  const inValues = first.kind === 'conv' ? first.g.c * first.g.h * first.g.w : first.k;
  return { x: floats(next, n * inValues), n, layers };
}

function assertSame(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

describe('int8Chain: wasm against the reference', { skip }, () => {
  const impl = int8Chain.implementations.wasm!;
  const cases: [string, (next: Next) => Int8ChainArgs][] = [
    [
      'the bench CNN',
      (next) =>
        chain(
          next,
          37,
          28,
          28,
          [
            { c: 1, o: 16, k: [3, 3], pad: 1, pool: [2, 2] },
            { c: 16, o: 32, k: [3, 3], pad: 1, pool: [2, 2] },
          ],
          [64, 10],
          [0, 127, 0, 5],
        ),
    ],
    [
      'odd sizes, stride 2, dilation, no pooling',
      (next) =>
        chain(
          next,
          5,
          11,
          9,
          [
            { c: 3, o: 5, k: [3, 2], stride: 2, pad: 1, relu: false },
            { c: 5, o: 7, k: [2, 3], dil: 2, pad: 2 },
          ],
          [13],
        ),
    ],
    [
      'pooling of 3 by 2, odd depth',
      (next) =>
        chain(
          next,
          9,
          13,
          12,
          [
            { c: 2, o: 3, k: [3, 3], pool: [3, 2] },
            { c: 3, o: 6, k: [1, 1], pool: [2, 1] },
          ],
          [],
        ),
    ],
    ['one sample', (next) => chain(next, 1, 10, 10, [{ c: 4, o: 9, k: [3, 3], pad: 1, pool: [2, 2] }], [17, 3])],
    ['dense only, k not a multiple of 16', (next) => chain(next, 45, 0, 0, [], [33, 19, 7, 1], [0, 127, 3])],
  ];
  for (const threads of [1, 4]) {
    it(`gives the reference's floats exactly (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      withThreads(threads, () => {
        for (const [name, make] of cases) {
          const a = make(rng(7 + name.length));
          assert.ok(impl.supports(a), name);
          assertSame(impl.run(a), int8Chain.reference(a), name);
        }
      });
    });
  }

  it('declines a convolution after a dense layer, and refuses a layer that does not take the previous output', () => {
    const next = rng(3);
    const a = chain(next, 2, 6, 6, [{ c: 1, o: 2, k: [3, 3] }], [5]);
    assert.equal(impl.supports({ ...a, layers: [a.layers[1], a.layers[0]] }), false);
    const [conv, dense] = a.layers as [Int8ChainLayer & { kind: 'conv' }, Int8ChainLayer & { kind: 'dense' }];
    const wider = { ...dense, k: dense.k + 1, weight: int8s(next, dense.n * (dense.k + 1)) };
    assert.throws(() => impl.run({ ...a, layers: [conv, wider] }), ValueError);
    const smaller = { ...conv, g: { ...conv.g, h: 5 } };
    assert.throws(() => impl.run({ ...a, layers: [conv, { ...smaller }] }), ValueError);
    assert.throws(() => impl.run({ ...a, x: a.x.subarray(1) }), ValueError);
    assert.throws(() => impl.run({ ...a, layers: [{ ...conv, input: { scale: 0.1, zero: 128 } }, dense] }), ValueError);
  });
});

describe('int8 chain inside a Sequential', () => {
  function converted(): { model: Sequential; int8: Sequential } {
    manualSeed(5);
    const model = new Sequential(
      new Conv2d(2, 6, 3, { padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(6, 8, 3),
      new ReLU(),
      new Flatten(),
      new Linear(8 * 3 * 3, 12),
      new ReLU(),
      new Linear(12, 4),
    ).eval();
    const calibration = [randn([16, 2, 10, 10])];
    return { model, int8: convert(calibrate(prepare(model), calibration)) as Sequential };
  }

  it('covers the quantised layers, their Identity layers and the Flatten as one block', () => {
    const { int8 } = converted();
    const block = int8ChainPattern.match([...int8], 0);
    assert.equal(block?.layers, 9);
    assert.equal(int8ChainPattern.match([...int8], 1), null, 'an Identity starts no chain');
  });

  it('gives exactly the layers one by one, for batches of 1, 6 and 33', () => {
    const { int8 } = converted();
    noGrad(() => {
      for (const n of [1, 6, 33]) {
        const x = randn([n, 2, 10, 10]);
        let h = x;
        for (const layer of int8) h = layer.call(h);
        const y = int8.call(x);
        assert.deepEqual(y.shape, [n, 4]);
        assertSame(y.data as Float32Array, h.data as Float32Array, `batch ${n}`);
      }
    });
  });

  it('leaves inputs it cannot take to the layers, which give their own errors', () => {
    const { int8 } = converted();
    noGrad(() => {
      assert.throws(() => int8.call(randn([2, 3, 10, 10])), /expected input \[N, 2, H, W\]/);
      assert.throws(() => int8.call(randn([2, 2, 12, 12])), /last dimension 72/);
      assert.throws(() => int8.call(randn([2, 10, 10])), /last dimension 72/, 'an unbatched image goes layer by layer');
    });
  });
});
