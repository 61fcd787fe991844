/**
 * The small kernels' shortcuts (src/backend/wasm/small.ts): single rows skip
 * their zero inputs (to the bit, and never past a non-finite weight), listed
 * four at a time for any pattern of zeros.
 * (The LSTM's kept state is tested in lstm-job.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { denseRows, type DenseLayer } from '../src/backend/routines/dense-rows.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { assertSameBits } from './helpers/backends.js';

const skip = wasmSupport === 'none' && 'no WebAssembly SIMD here';

/** Floats in [−1, 1) from a small LCG, with every `zeroEvery`-th one 0. */
function values(n: number, seed: number, zeroEvery = 0): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return zeroEvery > 0 && i % zeroEvery === 0 ? 0 : (s / 2 ** 31) * 2 - 1;
  });
}

function layer(n: number, k: number, seed: number, relu: boolean): DenseLayer {
  return { w: { data: values(n * k, seed), version: 0 }, b: { data: values(n, seed + 1), version: 0 }, n, k, relu };
}

/** Both implementations on the same call; returns [wasm, reference]. */
function bothWays(x: Float32Array, m: number, layers: DenseLayer[]): [Float32Array, Float32Array] {
  const n = layers[layers.length - 1].n;
  const fast = new Float32Array(m * n),
    ref = new Float32Array(m * n);
  const impl = denseRows.implementations.wasm!;
  assert.ok(impl.supports(x, 0, m, layers, fast));
  impl.run(x, 0, m, layers, fast);
  denseRows.reference(x, 0, m, layers, ref);
  return [fast, ref];
}

describe('small kernels: dense rows skipping zero inputs', { skip }, () => {
  it('single rows with many zero inputs give the reference to the bit (k within and beyond one block)', () => {
    for (const [m, widths] of [
      [1, [64, 128, 64, 10]],
      [3, [37, 20, 9]],
      [1, [300, 12]],
    ] as [number, number[]][]) {
      const layers = widths.slice(1).map((n, l) => layer(n, widths[l], 17 + l, l < widths.length - 2));
      const [fast, ref] = bothWays(values(m * widths[0], 5, 2), m, layers);
      assertSameBits(fast, ref, 'wasm against the reference');
    }
  });

  it('every output width gives the reference to the bit: each grouping of panels, with and without the half panel, listed or not', () => {
    // n = 1..72: np = 4..72, i.e. 0 to 9 full panels of 8 with or without a last one of 4 (groups of 3, 2, and the last group of 0-3 + half).
    for (let n = 1; n <= 72; n++) {
      for (const [m, k] of [
        [1, 24], // listed steps (k within one block)
        [5, 24], // one 4-row tile, then a single row
        [1, 300], // k beyond one block: every step, summed block by block
      ]) {
        const layers = [layer(n, k, 31 + n, n % 2 === 0)];
        const [fast, ref] = bothWays(values(m * k, 7 + n, 3), m, layers);
        assertSameBits(fast, ref, 'wasm against the reference');
      }
    }
  });

  it("the list of a row's nonzero inputs (made four at a time, the rest one by one) gives the reference for every pattern of zeros", () => {
    // Input i is nonzero where bit (i & 3) of the mask (i >> 2) mod 16 is set: every mask of four lanes comes up,
    // then a tail of 1 to 3 inputs. Every third zero is −0; a NaN input is listed (NaN·w is NaN).
    for (const k of [1, 2, 3, 4, 5, 7, 16, 63, 64, 67, 129, 256]) {
      const x = values(k, 40 + k).map((v, i) => ((((i >> 2) % 16) >> (i & 3)) & 1 ? v : i % 3 === 0 ? -0 : 0));
      const l = layer(10, k, 50 + k, false);
      for (const input of [x, new Float32Array(k), values(k, 60 + k)]) {
        const [fast, ref] = bothWays(input, 1, [l]);
        assertSameBits(fast, ref, `k = ${k}`);
      }
      const withNaN = x.slice();
      withNaN[k >> 1] = NaN;
      const [fast, ref] = bothWays(withNaN, 1, [l]);
      assert.ok(ref.every(Number.isNaN));
      assertSameBits(fast, ref, `k = ${k}, a NaN input`);
    }
  });

  it('a non-finite weight facing a zero input still gives NaN (0·∞), also after the weight changes in place', () => {
    const l = layer(8, 16, 3, false);
    const x = values(16, 9, 2); // x[0] = 0
    const [before] = bothWays(x, 1, [l]);
    assert.ok(before.every(Number.isFinite));
    (l.w.data as Float32Array)[0] = Infinity; // row 0 of W (output 0), column 0: meets x[0] = 0
    (l.w as { version: number }).version++;
    const [fast, ref] = bothWays(x, 1, [l]);
    assert.ok(Number.isNaN(ref[0]));
    assertSameBits(fast, ref, 'wasm against the reference');
  });
});
