import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FloatArray } from '../src/backend/backend.js';
import { gemmLoops } from '../src/backend/js.js';
import { gemm, gemmOrLoops, isSmallProduct, SMALL_GEMM_MACS } from '../src/backend/index.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { KERNEL_EXP_CONSTANTS, kernelExpF32 } from '../src/backend/routines/fast-math.js';
import { rng, withBackend } from './helpers/backends.js';

function random(make: (n: number) => FloatArray, length: number, seed: number): FloatArray {
  const next = rng(seed);
  const out = make(length);
  for (let i = 0; i < length; i++) out[i] = next() * 2 - 1;
  return out;
}

/**
 * The textbook i-k-j loops, each element summed over l in order into C
 * itself (so a Float32Array rounds at every step): what gemmLoops must give
 * to the bit, whichever loop order it runs.
 */
function naive(m: number, n: number, k: number, a: FloatArray, transA: boolean, b: FloatArray, transB: boolean, c: FloatArray, accumulate: boolean): void {
  if (!accumulate) c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const ail = transA ? a[l * m + i] : a[i * k + l];
      for (let j = 0; j < n; j++) c[i * n + j] += ail * (transB ? b[j * k + l] : b[l * n + j]);
    }
  }
}

const kinds: [string, (n: number) => FloatArray][] = [
  ['float64', (n) => new Float64Array(n)],
  ['float32', (n) => new Float32Array(n)],
];

describe('gemmLoops (the reference GEMM and the small-product loops)', () => {
  for (const [dtype, make] of kinds) {
    it(`${dtype}: every transpose combination, with and without accumulate, gives the textbook loops' values to the bit`, () => {
      const [m, n, k] = [5, 7, 33];
      let seed = 1;
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const a = random(make, m * k, seed++),
              b = random(make, k * n, seed++);
            const expected = random(make, m * n, seed++);
            const actual = expected.slice();
            naive(m, n, k, a, transA, b, transB, expected, accumulate);
            gemmLoops(m, n, k, a, 0, transA, b, 0, transB, actual, 0, accumulate);
            assert.deepEqual(actual, expected, `transA ${transA} transB ${transB} accumulate ${accumulate}`);
          }
        }
      }
    });
  }
});

describe('gemmOrLoops', () => {
  it('the threshold: products below SMALL_GEMM_MACS multiply-adds are small', () => {
    assert.equal(isSmallProduct(32, 32, 31), true);
    assert.equal(isSmallProduct(32, 32, 32), 32 * 32 * 32 < SMALL_GEMM_MACS);
    assert.equal(isSmallProduct(1, 1, SMALL_GEMM_MACS), false);
    assert.equal(isSmallProduct(0, 1000, 1000), true);
  });

  it('a small float64 product runs the loops (their values to the bit), with offsets and accumulate', () => {
    const [m, n, k] = [3, 4, 50];
    const a = random((l) => new Float64Array(l), 2 + m * k, 1),
      b = random((l) => new Float64Array(l), 1 + n * k, 2);
    const expected = random((l) => new Float64Array(l), 3 + m * n, 3);
    const actual = expected.slice();
    gemmLoops(m, n, k, a, 2, false, b, 1, true, expected, 3, true);
    gemmOrLoops({ m, n, k, a, aOffset: 2, b, bOffset: 1, transB: true, c: actual, cOffset: 3, accumulate: true });
    assert.deepEqual(actual, expected);
  });

  it('a large float64 product and any float32 product go to the backend GEMM (its values to the bit)', { skip: wasmSupport === 'none' && 'no wasm here' }, () => {
    withBackend('wasm', () => {
      for (const [dtype, make, [m, n, k]] of [
        ['float64', kinds[0][1], [40, 40, 40]],
        ['float32', kinds[1][1], [3, 4, 5]],
      ] as const) {
        const a = random(make, m * k, 4),
          b = random(make, k * n, 5);
        const expected = make(m * n),
          actual = make(m * n);
        gemm({ m, n, k, a, b, c: expected });
        gemmOrLoops({ m, n, k, a, b, c: actual });
        assert.deepEqual(actual, expected, dtype);
      }
    });
  });

  it('0·NaN is NaN in small products as in large ones (no skipped zeros)', () => {
    for (const [m, n, k] of [
      [2, 2, 2],
      [40, 40, 40],
    ]) {
      const a = new Float64Array(m * k),
        b = new Float64Array(k * n).fill(1);
      b[0] = NaN; // row 0 of B: every C[i][0] multiplies it by a zero of A
      const c = new Float64Array(m * n);
      gemmOrLoops({ m, n, k, a, b, c });
      for (let i = 0; i < m; i++) assert.ok(Number.isNaN(c[i * n]), `${m}×${n}×${k}: C[${i}][0] is ${c[i * n]}`);
      assert.equal(c[1], 0);
    }
  });
});

describe("the SVM kernels' exp constants (read by the wasm SVC solver)", () => {
  it('hold 1/(ln2/64), ln2/64 in two parts, 2^(j/64) and 2^e for e in −1022..1023', () => {
    assert.equal(KERNEL_EXP_CONSTANTS.length, 3 + 64 + 2046);
    assert.equal(KERNEL_EXP_CONSTANTS[1] + KERNEL_EXP_CONSTANTS[2], Math.LN2 / 64);
    assert.equal(KERNEL_EXP_CONSTANTS[3 + 32], Math.SQRT2);
    assert.equal(KERNEL_EXP_CONSTANTS[3 + 64 + 1022], 1);
    assert.ok(Math.abs(kernelExpF32(-1) - Math.exp(-1)) < 1e-10);
  });
});
