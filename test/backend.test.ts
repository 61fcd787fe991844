import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FloatArray, GemmArgs } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js.js';
import { wasmBackend, wasmSupport, warmUpWasmThreads } from '../src/backend/wasm/backend.js';
import { getBackend, getNumThreads, setBackend, setNumThreads } from '../src/backend/index.js';
import { DTypeError, ValueError } from '../src/errors.js';
import { rng } from './helpers/backends.js';

type DType = 'float32' | 'float64';

function randomArray(dtype: DType, length: number, next: () => number): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = next() * 2 - 1;
  return out;
}

interface Case {
  dtype: DType;
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  /** Broadcast A or B over the batch (stride 0). */
  shareA?: boolean;
  shareB?: boolean;
  /** Padding before each operand and between batch matrices (checks offsets and strides). */
  pad?: number;
}

/** Builds the arguments of a case with random data; C starts with random values (visible if accumulate is ignored). */
function makeArgs(c: Case, seed: number): GemmArgs {
  const next = rng(seed);
  const pad = c.pad ?? 0;
  const aSize = c.m * c.k,
    bSize = c.k * c.n,
    cSize = c.m * c.n;
  const aBatchStride = c.shareA ? 0 : aSize + pad;
  const bBatchStride = c.shareB ? 0 : bSize + pad;
  const cBatchStride = cSize + pad;
  const span = (stride: number, size: number): number => pad + (c.batch - 1) * stride + size + pad;
  return {
    dtype: c.dtype,
    batch: c.batch,
    m: c.m,
    n: c.n,
    k: c.k,
    a: randomArray(c.dtype, span(aBatchStride, aSize), next),
    aOffset: pad,
    aBatchStride,
    transA: c.transA,
    b: randomArray(c.dtype, span(bBatchStride, bSize), next),
    bOffset: pad,
    bBatchStride,
    transB: c.transB,
    c: randomArray(c.dtype, span(cBatchStride, cSize), next),
    cOffset: pad,
    cBatchStride,
    accumulate: c.accumulate,
  };
}

function withC(args: GemmArgs, c: FloatArray): GemmArgs {
  return { ...args, c };
}

/**
 * Runs the case on the JS reference and on wasm and compares element-wise
 * with a bound that scales like sqrt(k)·eps·Σ|a||b| (the rounding error of a
 * dot product), plus eps·|C| for the accumulated value.
 */
function checkCase(c: Case, seed = 1): void {
  const args = makeArgs(c, seed);
  const expected = args.c.slice();
  const actual = args.c.slice();
  jsBackend.gemm(withC(args, expected));
  wasmBackend.gemm(withC(args, actual));

  // Σ|a||b| per element, from the same GEMM on absolute values in float64.
  const abs = (x: FloatArray): Float64Array => Float64Array.from(x, Math.abs);
  const scale = Float64Array.from(args.c, (v) => (args.accumulate ? Math.abs(v) : 0));
  jsBackend.gemm({ ...args, dtype: 'float64', a: abs(args.a), b: abs(args.b), c: scale, accumulate: true });

  const eps = c.dtype === 'float32' ? 2 ** -23 : 2 ** -52;
  const factor = 4 * Math.sqrt(Math.max(1, c.k)) * eps;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(expected[i] - actual[i]);
    if (!(diff <= factor * scale[i] + 1e-30)) {
      assert.fail(`${JSON.stringify(c)}: element ${i}: js ${expected[i]} wasm ${actual[i]} (|diff| ${diff} > ${factor * scale[i]})`);
    }
  }
}

const transposes: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('wasm backend', () => {
  it('is available here (SIMD and threads under Node 20; one thread without SharedArrayBuffer)', () => {
    assert.equal(wasmSupport, typeof SharedArrayBuffer === 'undefined' ? 'simd' : 'threads');
    assert.equal(getBackend().name, 'wasm');
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: matches the reference on awkward shapes, every transpose combination`, () => {
      const shapes: [number, number, number][] = [
        [1, 1, 1],
        [1, 64, 128],
        [64, 1, 7],
        [7, 13, 97],
        [13, 7, 5],
        [4, 8, 4],
        [5, 9, 3],
        [97, 131, 13],
        [131, 97, 300],
        [33, 17, 257],
        [3, 200, 513],
        [130, 9, 1],
      ];
      let seed = 1;
      for (const [m, n, k] of shapes) {
        for (const [transA, transB] of transposes) {
          checkCase({ dtype, batch: 1, m, n, k, transA, transB, accumulate: false }, seed++);
        }
      }
    });

    it(`${dtype}: random shapes with batches, broadcasting, offsets and accumulate`, () => {
      const next = rng(dtype === 'float32' ? 7 : 8);
      const dim = (): number => {
        const pick = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 97, 131];
        return pick[Math.floor(next() * pick.length)];
      };
      for (let t = 0; t < 60; t++) {
        const batch = 1 + Math.floor(next() * 4);
        checkCase(
          {
            dtype,
            batch,
            m: dim(),
            n: dim(),
            k: dim(),
            transA: next() < 0.5,
            transB: next() < 0.5,
            accumulate: next() < 0.5,
            shareA: batch > 1 && next() < 0.3,
            shareB: batch > 1 && next() < 0.3,
            pad: next() < 0.5 ? 0 : 1 + Math.floor(next() * 5),
          },
          100 + t,
        );
      }
    });
  }

  it('empty dimensions: k = 0 gives zeros (or leaves C as it was when accumulating); m or n = 0 touch nothing', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const accumulate of [false, true]) {
        for (const [m, n, k] of [
          [3, 4, 0],
          [0, 4, 5],
          [3, 0, 5],
          [0, 0, 0],
        ]) {
          const args = makeArgs({ dtype, batch: 2, m, n, k, transA: false, transB: true, accumulate, pad: 2 }, 3);
          const before = args.c.slice();
          const expected = args.c.slice();
          jsBackend.gemm(withC(args, expected));
          wasmBackend.gemm(args);
          assert.deepEqual(args.c, expected, `${dtype} ${m}x${n}x${k} accumulate=${accumulate}`);
          if (k === 0 && !accumulate && m * n > 0) {
            assert.equal(args.c[args.cOffset], 0);
            assert.equal(args.c[0], before[0], 'padding before C is untouched');
          }
        }
      }
    }
  });

  it('large products (several K blocks and chunks) match the reference', () => {
    checkCase({ dtype: 'float32', batch: 1, m: 301, n: 263, k: 600, transA: false, transB: false, accumulate: true }, 11);
    checkCase({ dtype: 'float32', batch: 3, m: 150, n: 70, k: 300, transA: true, transB: true, accumulate: false, shareB: true, pad: 3 }, 12);
    checkCase({ dtype: 'float64', batch: 2, m: 140, n: 150, k: 520, transA: false, transB: true, accumulate: true, shareA: true }, 13);
  });

  it('one thread and two threads give identical results', { skip: wasmSupport !== 'threads' && 'no threads here' }, async () => {
    const saved = wasmBackend.numThreads();
    try {
      wasmBackend.setNumThreads(2);
      assert.equal(await warmUpWasmThreads(), true, 'workers start');
      for (const c of [
        { dtype: 'float32', batch: 1, m: 257, n: 255, k: 300, transA: false, transB: false, accumulate: false },
        { dtype: 'float32', batch: 4, m: 9, n: 300, k: 333, transA: true, transB: true, accumulate: true, pad: 1 },
        { dtype: 'float64', batch: 2, m: 200, n: 129, k: 100, transA: false, transB: true, accumulate: false, shareA: true },
      ] satisfies Case[]) {
        const args = makeArgs(c, 5);
        const one = args.c.slice();
        const two = args.c.slice();
        wasmBackend.setNumThreads(1);
        wasmBackend.gemm(withC(args, one));
        wasmBackend.setNumThreads(2);
        // Repeat: the workers join at different times, and results must not depend on who computed what.
        for (let r = 0; r < 3; r++) {
          const again = args.c.slice();
          wasmBackend.gemm(withC(args, again));
          if (r === 0) two.set(again);
          else assert.deepEqual(again, two);
        }
        assert.deepEqual(two, one, JSON.stringify(c));
      }
    } finally {
      wasmBackend.setNumThreads(saved);
    }
  });

  it('a tiny product (1×64 · 64×128) is fast: no thread dispatch', () => {
    const args = makeArgs({ dtype: 'float32', batch: 1, m: 1, n: 128, k: 64, transA: false, transB: false, accumulate: false }, 9);
    for (let i = 0; i < 200; i++) wasmBackend.gemm(args);
    const t0 = performance.now();
    const calls = 2000;
    for (let i = 0; i < calls; i++) wasmBackend.gemm(args);
    const us = ((performance.now() - t0) / calls) * 1000;
    assert.ok(us < 200, `1×64·64×128 took ${us.toFixed(1)} µs per call`);
  });
});

describe('backend selection', () => {
  it('setBackend switches between js and wasm and rejects unknown names', () => {
    try {
      setBackend('js');
      assert.equal(getBackend().name, 'js');
      assert.equal(getNumThreads(), 1);
      setBackend('wasm');
      assert.equal(getBackend().name, 'wasm');
      assert.throws(() => setBackend('gpu' as 'js'), ValueError);
    } finally {
      setBackend('wasm');
    }
  });

  it('setNumThreads validates its argument and defaults to the number of cores', () => {
    assert.ok(getNumThreads() >= 1);
    assert.throws(() => setNumThreads(0), ValueError);
    assert.throws(() => setNumThreads(1.5), ValueError);
    const saved = getNumThreads();
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
    setNumThreads(saved);
    assert.equal(getNumThreads(), saved);
  });
});

describe('wasm backend, batches writing one C', () => {
  it('cBatchStride 0 applies the products in order, as the reference does', () => {
    for (const accumulate of [false, true]) {
      const next = rng(21);
      const [m, n, k, batch] = [5, 6, 7, 3];
      const a = randomArray('float64', batch * m * k, next),
        b = randomArray('float64', batch * k * n, next);
      const c0 = randomArray('float64', m * n, next);
      const args: GemmArgs = {
        dtype: 'float64',
        batch,
        m,
        n,
        k,
        a,
        aOffset: 0,
        aBatchStride: m * k,
        transA: false,
        b,
        bOffset: 0,
        bBatchStride: k * n,
        transB: false,
        c: c0.slice(),
        cOffset: 0,
        cBatchStride: 0,
        accumulate,
      };
      const expected = c0.slice();
      jsBackend.gemm(withC(args, expected));
      wasmBackend.gemm(args);
      for (let i = 0; i < m * n; i++) assert.ok(Math.abs(args.c[i] - expected[i]) < 1e-12, `accumulate=${accumulate} element ${i}`);
    }
  });
});

describe('wasm backend, argument checks', () => {
  const base = (): GemmArgs => ({
    dtype: 'float32',
    batch: 2,
    m: 3,
    n: 4,
    k: 5,
    a: new Float32Array(30),
    aOffset: 0,
    aBatchStride: 15,
    transA: false,
    b: new Float32Array(40),
    bOffset: 0,
    bBatchStride: 20,
    transB: false,
    c: new Float32Array(24),
    cOffset: 0,
    cBatchStride: 12,
    accumulate: false,
  });

  it('accepts arrays that are exactly long enough', () => {
    wasmBackend.gemm(base());
  });

  it('rejects arrays too short for the batch, offsets or strides', () => {
    assert.throws(() => wasmBackend.gemm({ ...base(), aOffset: 1 }), ValueError);
    assert.throws(() => wasmBackend.gemm({ ...base(), bBatchStride: 21 }), ValueError);
    assert.throws(() => wasmBackend.gemm({ ...base(), c: new Float32Array(23) }), ValueError);
    assert.throws(() => wasmBackend.gemm({ ...base(), m: -1 }), ValueError);
  });

  it('rejects arrays of the wrong dtype', () => {
    assert.throws(() => wasmBackend.gemm({ ...base(), dtype: 'float64' }), DTypeError);
  });
});
