/**
 * The GEMM kernels' register tiles (asm/gemm.ts): the relaxed build cuts the
 * rows of C into tiles of 5 and 4 (no tile past the last row from 12 rows
 * up), the other build into tiles of 4, with padded edge tiles for what is
 * left. Every element of C must still be the same sum in the same order:
 * over each KC block of K, a float32 sum from zero in order of p, added onto
 * C. The operands are small integers times powers of two, so every product
 * is exact in float32 (fused or not, the multiply-add rounds once, as the
 * emulation below does) while the sums do round: a different order, a row
 * or column out of place or a missing edge would change the bits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemmArgs, type FloatArray } from '../src/backend/backend.js';
import { wasmEngine } from '../src/backend/wasm/backend.js';
import { gemm } from '../src/backend/wasm/gemm-job.js';
import { rng } from './helpers/backends.js';

const engine = wasmEngine;
/** asm/gemm.ts's depth block. */
const KC = 256;

/** Integers in [−63, 63] times 2^e, e in [−6, 6]: 6-bit mantissas, so a product has at most 12 bits. */
function operand(dtype: 'float32' | 'float64', length: number, random: () => number): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round((random() * 2 - 1) * 63) * 2 ** (Math.floor(random() * 13) - 6);
  return out;
}

/** What the kernels compute, rounding as they do (float32: Math.fround after every add). */
function expected(dtype: 'float32' | 'float64', m: number, n: number, k: number, a: FloatArray, transA: boolean, b: FloatArray, c0: FloatArray, accumulate: boolean): FloatArray {
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  const c = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = accumulate ? c0[i * n + j] : 0;
      for (let pc = 0; pc < k; pc += KC) {
        let sum = 0;
        for (let p = pc; p < Math.min(k, pc + KC); p++) sum = round(sum + (transA ? a[p * m + i] : a[i * k + p]) * b[p * n + j]);
        total = pc === 0 && !accumulate ? sum : round(total + sum);
      }
      c[i * n + j] = total;
    }
  }
  return c;
}

function assertSameBits(actual: FloatArray, wanted: FloatArray, what: string): void {
  for (let i = 0; i < wanted.length; i++) {
    const x = actual[i],
      y = wanted[i];
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) assert.fail(`${what}: element ${i} is ${x}, expected ${y}`);
  }
}

function check(dtype: 'float32' | 'float64', m: number, n: number, k: number, transA: boolean, accumulate: boolean, random: () => number, poison?: (a: FloatArray) => void): void {
  if (!engine) return;
  const a = operand(dtype, m * k, random);
  poison?.(a);
  const b = operand(dtype, k * n, random);
  const c = operand(dtype, m * n, random);
  const want = expected(dtype, m, n, k, a, transA, b, c, accumulate);
  gemm(engine, { ...gemmArgs({ m, n, k, a, b, c, transA, accumulate }), dtype });
  assertSameBits(c, want, `${dtype} m=${m} n=${n} k=${k} transA=${transA} accumulate=${accumulate}`);
}

describe('GEMM register tiles', { skip: !engine && 'no wasm engine here' }, () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: every row count 1..70 (tiles of 5 and 4, edges) gives each element's sum in order, bit for bit`, () => {
      const random = rng(7);
      for (let m = 1; m <= 70; m++) {
        // Column counts with and without a partial last panel, depths of one step, odd, and past one KC block.
        for (const [n, k] of [
          [8, 9],
          [13, 5],
          [1, 1],
          [20, 37],
        ])
          check(dtype, m, n, k, m % 2 === 1, m % 3 === 0, random);
      }
      for (const m of [12, 16, 32, 37, 64]) check(dtype, m, 17, KC + 3, false, true, random);
    });

    it(`${dtype}: a NaN or an infinity in a row of A reaches that row of C only, whichever tile holds it`, () => {
      const random = rng(11);
      for (const m of [3, 11, 12, 16, 32, 33]) {
        for (const row of [0, m - 1, m >> 1]) {
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
            check(dtype, m, 12, 7, false, false, random, (a) => {
              a[row * 7 + 3] = bad;
            });
          }
        }
      }
    });
  }

  it('products in the convolution network: M = 16, 32, 64, 144 rows by 196 and 784 columns', () => {
    const random = rng(3);
    for (const [m, n, k] of [
      [16, 784, 9],
      [32, 196, 144],
      [144, 196, 32],
      [32, 144, 196],
      [64, 64, 100],
    ])
      check('float32', m, n, k, false, false, random);
  });
});
