// A block's weight gradient summed while the chain's backward still runs
// (src/backend/wasm/folded-weight-grad.ts): however the samples' gradients
// are folded in (a few at a time, many, none before the end), the result must
// be summedWeightGrad's over all of them at once, to the bit, in both of the
// kernel's layouts (O×K, and K×O with padded rows); and the chain's backward,
// which folds as the samples are done on two threads, must fold and still
// give the bits of one thread.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { convChainBackward, convChainTrainForward, type ConvChainBlock } from '../src/backend/routines/conv-chain.js';
import { wasmEngine, wasmSupport } from '../src/backend/wasm/backend.js';
import { summedWeightGrad, weightGradRows } from '../src/backend/wasm/conv-job.js';
import { align64 } from '../src/backend/wasm/engine.js';
import { FoldedWeightGrad } from '../src/backend/wasm/folded-weight-grad.js';
import { randn } from '../src/tensor/creation.js';
import { Generator } from '../src/tensor/random.js';
import { assertSameBits, withBackend, withThreads } from './helpers/backends.js';

const noWasm = wasmSupport === 'none' && 'no WebAssembly SIMD here';

function geometry(n: number, c: number, o: number): ConvKernelGeometry {
  return { n, c, h: 7, w: 7, o, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: 7, wo: 7 };
}

/**
 * Per-sample gradients of `g` (values of very different sizes, so that the
 * order of the adds shows in the bits) written at two places in the
 * engine's memory, each with room for the sum after them; the addresses.
 */
function twoCopies(g: ConvKernelGeometry, rowLength: number, seed: number): [{ rows: number; sum: number }, { rows: number; sum: number }] {
  const engine = wasmEngine!;
  const values = randn([g.n * rowLength], { generator: new Generator(seed) }).data as Float32Array;
  for (let i = 0; i < values.length; i++) values[i] *= 10 ** ((i % 7) - 3);
  const bytes = align64(g.n * rowLength * 4);
  const stride = bytes + align64(rowLength * 4);
  const first = engine.callerScratch(2 * stride);
  const places = [
    { rows: first, sum: first + bytes },
    { rows: first + stride, sum: first + stride + bytes },
  ] as [{ rows: number; sum: number }, { rows: number; sum: number }];
  for (const { rows } of places) engine.f32.set(values, rows >> 2);
  return places;
}

describe('FoldedWeightGrad', { skip: noWasm }, () => {
  const layouts: [string, ConvKernelGeometry][] = [
    ['O×K rows (16 channels in, 3 out)', geometry(37, 16, 3)],
    ['transposed rows (1 channel in, 16 out)', geometry(29, 1, 16)],
    ['transposed rows (16 channels in, 32 out)', geometry(41, 16, 32)],
  ];
  for (const [name, g] of layouts) {
    it(`${name}: any sequence of folds gives summedWeightGrad's bits`, () => {
      const engine = wasmEngine!;
      const transposed = weightGradRows(engine, g);
      assert.equal(transposed > 0, name.startsWith('transposed'), 'the layout this case is for (the kernel chooses it by its register tile)');
      const rowLength = g.o * (transposed || g.c * g.kh * g.kw);
      const sequences: number[][] = [[], [g.n], [1, 2, 3, 9, 10, 17, 30], [8, 16, 24, 32], [g.n - 1], [5, 13, 14, 15, 16, 25, g.n]];
      for (const folds of sequences) {
        const [whole, folded] = twoCopies(g, rowLength, 3);
        const expected = summedWeightGrad(engine, g, transposed, whole.rows, whole.sum);
        const sum = new FoldedWeightGrad(engine, g, transposed, folded.rows, folded.sum);
        for (const done of folds) sum.fold(done);
        assertSameBits(sum.result(), expected, `${name}, folds at ${folds.join(', ') || 'none'}`);
      }
    });
  }

  it('the test data tells the order of the adds: the samples summed last to first give other bits', () => {
    const engine = wasmEngine!;
    const g = geometry(37, 16, 3);
    const rowLength = g.o * g.c * 9;
    assert.equal(weightGradRows(engine, g), 0, 'O×K rows');
    const [inOrder, reversed] = twoCopies(g, rowLength, 3);
    const expected = summedWeightGrad(engine, g, 0, inOrder.rows, inOrder.sum);
    // The rows in reverse order, summed the same way: a fold that lost the order would look like this.
    const rows = engine.f32.slice(reversed.rows >> 2, (reversed.rows >> 2) + g.n * rowLength);
    for (let b = 0; b < g.n; b++) engine.f32.set(rows.subarray(b * rowLength, (b + 1) * rowLength), (reversed.rows >> 2) + (g.n - 1 - b) * rowLength);
    const other = summedWeightGrad(engine, g, 0, reversed.rows, reversed.sum);
    assert.ok(
      other.some((v, i) => !Object.is(v, expected[i])),
      'reversed order differs somewhere',
    );
  });

  it('the chain backward on two threads folds as samples are done and gives the bits of one thread', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
    const gen = new Generator(21);
    const n = 64;
    const block = (g: ConvKernelGeometry, pool: { ho: number; wo: number }): ConvChainBlock => ({
      g,
      weight: randn([g.o * g.c * 9], { generator: gen }).data as Float32Array,
      bias: randn([g.o], { generator: gen }).data as Float32Array,
      epilogue: { relu: true, pool: { kh: 2, kw: 2, sh: 2, sw: 2, ...pool } },
    });
    const blocks = [
      block({ ...geometry(n, 1, 16), h: 28, w: 28, ho: 28, wo: 28 }, { ho: 14, wo: 14 }),
      block({ ...geometry(n, 16, 32), h: 14, w: 14, ho: 14, wo: 14 }, { ho: 7, wo: 7 }),
    ];
    const x = randn([n * 28 * 28], { generator: gen }).data as Float32Array;
    const dy = randn([n * 32 * 7 * 7], { generator: gen }).data as Float32Array;
    const wanted = { input: false, weights: [true, true], bias: [true, true] };
    const step = () =>
      withBackend('wasm', () => {
        const { saved } = convChainTrainForward.run(x, blocks);
        return convChainBackward.run(saved, dy, wanted);
      });
    let folds = 0;
    const fold = FoldedWeightGrad.prototype.fold;
    FoldedWeightGrad.prototype.fold = function (this: FoldedWeightGrad, done: number) {
      const before = (this as unknown as { folded: number }).folded;
      fold.call(this, done);
      if ((this as unknown as { folded: number }).folded !== before) folds++;
    };
    const two = (() => {
      try {
        return withThreads(2, step);
      } finally {
        FoldedWeightGrad.prototype.fold = fold;
      }
    })();
    assert.ok(folds > 0, 'some samples were folded in while the job ran');
    const one = withThreads(1, step);
    for (let l = 0; l < 2; l++) {
      assertSameBits(two.blocks[l].dw!, one.blocks[l].dw!, `block ${l}: dw`);
      assertSameBits(two.blocks[l].db!, one.blocks[l].db!, `block ${l}: db`);
    }
  });
});
