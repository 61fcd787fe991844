/**
 * GEMM packing and copy-out, checked where they go wrong: B packed into
 * column panels straight from the kernels (every row stride, including
 * multiples of 4 KiB, partial last panels and row counts that do not fill a
 * pass), and products on two threads whose chunks split the columns (C is
 * copied out a row block at a time once all its column chunks are done).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FloatArray, GemmArgs } from '../src/backend/backend.js';
import { getNumThreads, setNumThreads, warmUpThreads } from '../src/backend/index.js';
import { jsBackend } from '../src/backend/js.js';
import { wasmBackend, wasmEngine, wasmSupport } from '../src/backend/wasm/backend.js';
import { rng } from './helpers/backends.js';

const engine = wasmEngine;

/** Stored K×N with rows `ldb` apart: [k, n, ldb]. */
const PACK_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 5],
  [7, 8, 8],
  [9, 17, 17],
  [17, 24, 30],
  [8, 1024, 1024],
  [13, 1027, 1027],
  [21, 1000, 1024],
  [5, 2048, 2048],
  [300, 64, 64],
];

describe('packB32 / packB64 (B stored K×N)', { skip: !engine && 'no wasm engine here' }, () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: panel q holds columns q·NR .. q·NR+NR of every row, zeros past n, for every row stride`, () => {
      if (!engine) return;
      const f64 = dtype === 'float64';
      const size = f64 ? 8 : 4;
      const nr = f64 ? engine.nr64 : engine.nr32;
      const pack = f64 ? engine.kernels.packB64 : engine.kernels.packB32;
      for (const [k, n, ldb] of PACK_SHAPES) {
        const panels = Math.ceil(n / nr);
        const bBytes = k * ldb * size;
        const packedBytes = panels * k * nr * size;
        const base = engine.callerScratch(bBytes + packedBytes + 128);
        const bPtr = base;
        const dst = base + Math.ceil(bBytes / 64) * 64;
        const view: FloatArray = f64 ? engine.f64 : engine.f32;
        // Distinct values everywhere (padding between rows too), and garbage where the panels go.
        for (let i = 0; i < k * ldb; i++) view[bPtr / size + i] = i + 1;
        view.fill(-7, dst / size, (dst + packedBytes) / size);
        pack(bPtr, ldb, 0, k, n, dst);
        for (let q = 0; q < panels; q++) {
          for (let p = 0; p < k; p++) {
            for (let r = 0; r < nr; r++) {
              const column = q * nr + r;
              const expected = column < n ? p * ldb + column + 1 : 0;
              const got = view[dst / size + (q * k + p) * nr + r];
              if (got !== expected) assert.fail(`${dtype} k=${k} n=${n} ldb=${ldb}: panel ${q} row ${p} lane ${r}: ${got}, expected ${expected}`);
            }
          }
        }
      }
    });
  }
});

function randomArray(dtype: 'float32' | 'float64', length: number, seed: number): FloatArray {
  const next = rng(seed);
  const out = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = next() * 2 - 1;
  return out;
}

/** A batch of products with padding around every operand (offsets and batch strides not trivial). */
function batchArgs(dtype: 'float32' | 'float64', batch: number, m: number, n: number, k: number, accumulate: boolean, seed: number): GemmArgs {
  const pad = 3;
  return {
    dtype,
    batch,
    m,
    n,
    k,
    a: randomArray(dtype, pad + batch * (m * k + pad), seed),
    aOffset: pad,
    aBatchStride: m * k + pad,
    transA: false,
    b: randomArray(dtype, pad + batch * (k * n + pad), seed + 1),
    bOffset: pad,
    bBatchStride: k * n + pad,
    transB: false,
    c: randomArray(dtype, pad + batch * (m * n + pad), seed + 2),
    cOffset: pad,
    cBatchStride: m * n + pad,
    accumulate,
  };
}

describe('GEMM on two threads, chunks that split the columns', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
  it('gives the one-thread bits, within rounding of the reference, and leaves the padding alone', async () => {
    const saved = getNumThreads();
    try {
      setNumThreads(2);
      assert.equal(await warmUpThreads(), true, 'workers start');
      // Few rows and enough work for the pool: each row block's columns are split between chunks.
      const cases: ['float32' | 'float64', number, number, number, number, boolean][] = [
        ['float32', 1, 9, 1000, 300, false],
        ['float32', 3, 9, 1003, 300, true],
        ['float32', 2, 13, 520, 400, false],
        ['float64', 2, 7, 700, 400, true],
      ];
      let seed = 1;
      for (const [dtype, batch, m, n, k, accumulate] of cases) {
        const args = batchArgs(dtype, batch, m, n, k, accumulate, (seed += 10));
        const reference = args.c.slice();
        jsBackend.gemm({ ...args, c: reference });
        const two = args.c.slice();
        wasmBackend.gemm({ ...args, c: two });
        setNumThreads(1);
        const one = args.c.slice();
        wasmBackend.gemm({ ...args, c: one });
        setNumThreads(2);
        assert.deepEqual(two, one, `${dtype} ${batch}×${m}×${n}×${k}: two threads differ from one`);
        const tolerance = dtype === 'float32' ? 2e-3 : 1e-11;
        for (let i = 0; i < reference.length; i++) {
          if (!(Math.abs(two[i] - reference[i]) <= tolerance * Math.max(1, Math.abs(reference[i])))) {
            assert.fail(`${dtype} ${batch}×${m}×${n}×${k}: element ${i}: ${two[i]} against the reference ${reference[i]}`);
          }
        }
      }
    } finally {
      setNumThreads(saved);
    }
  });
});
