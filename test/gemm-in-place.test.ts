// GEMM operands that already lie in the engine's memory (src/backend/wasm/gemm-job.ts):
// A or B given as a view of a park is read where it lies, C given as one is
// written there (accumulated onto where asked), with the bits of the same
// product on ordinary arrays, on one and two threads. A view that is not
// wholly inside the reserved region (it reaches into the jobs' scratch) is
// copied like any other array, and still gives the right product. A B packed
// beforehand, and a product on the calling thread with its own control
// block (gemmHere), give the same bits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemmArgs, type GemmCall } from '../src/backend/backend.js';
import { wasmEngine, wasmSupport } from '../src/backend/wasm/backend.js';
import type { WasmEngine } from '../src/backend/wasm/engine.js';
import { gemmHere, productHereBytes } from '../src/backend/wasm/gemm-here.js';
import { gemm, gemmWith, packB, packedBBytes } from '../src/backend/wasm/gemm-job.js';
import { ValueError } from '../src/errors.js';
import { forwardParks } from '../src/backend/wasm/parks.js';
import { rng, withThreads, assertSameBits } from './helpers/backends.js';

const engine = wasmEngine;

function random(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** Runs `body` with op(B) (k×n, stored n×k where transB) packed (packB) in a park of its own, given up after. */
function withPackedB(e: WasmEngine, b: Float32Array, k: number, n: number, transB: boolean, body: (packedB: number) => void): void {
  const park = forwardParks.park(e, [b.length * 4, packedBBytes(e, k, n)]);
  try {
    e.f32.set(b, park.ptrs[0] >> 2);
    packB(e, park.ptrs[0], k, n, transB, park.ptrs[1]);
    body(park.ptrs[1]);
  } finally {
    forwardParks.release(e, park);
  }
}

/** [m, n, k, transA, transB]: small (one thread), a small CNN's dense layer (split over the threads), odd sizes. */
const SHAPES: [number, number, number, boolean, boolean][] = [
  [5, 7, 3, false, false],
  [64, 64, 1568, false, true],
  [64, 1568, 64, true, false],
  [64, 1568, 64, false, false],
  [37, 53, 129, true, true],
];

/** A shape's operands: A (m×k), B (k×n) and C's starting values c0 (m×n), the same for every call of that shape. */
function operands(m: number, n: number, k: number): { a: Float32Array; b: Float32Array; c0: Float32Array } {
  return { a: random(m * k, m + n), b: random(k * n, k), c0: random(m * n, n) };
}

/** C for the call on ordinary arrays (C starting as `c0`). */
function plain(call: GemmCall, c0: Float32Array): Float32Array {
  const c = c0.slice();
  gemm(engine!, gemmArgs({ ...call, c }));
  return c;
}

describe('GEMM operands in a park are used where they lie', { skip: !engine && 'no wasm engine here' }, () => {
  for (const threads of [1, 2]) {
    it(`${threads} thread(s): A, B or C as a view of a park give the bits of the plain call`, { skip: threads > 1 && wasmSupport !== 'threads' && 'no threads here' }, () => {
      withThreads(threads, () => {
        const e = engine!;
        for (const [m, n, k, transA, transB] of SHAPES) {
          const { a, b, c0 } = operands(m, n, k);
          for (const accumulate of [false, true]) {
            const call: GemmCall = { m, n, k, a, b, transA, transB, c: c0, accumulate };
            const expected = plain(call, c0);
            e.ensurePool();
            const park = forwardParks.park(e, [a.length * 4, b.length * 4, c0.length * 4]);
            try {
              const view = (i: number, length: number): Float32Array => e.f32.subarray(park.ptrs[i] >> 2, (park.ptrs[i] >> 2) + length);
              const what = `${m}×${n}×${k}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}${accumulate ? ' +=' : ''}`;
              view(0, a.length).set(a);
              assertSameBits(plain({ ...call, a: view(0, a.length) }, c0), expected, `${what}: A in the park`);
              view(1, b.length).set(b);
              assertSameBits(plain({ ...call, b: view(1, b.length) }, c0), expected, `${what}: B in the park`);
              view(2, c0.length).set(c0);
              gemm(e, gemmArgs({ ...call, a: view(0, a.length), b: view(1, b.length), c: view(2, c0.length) }));
              assertSameBits(view(2, c0.length).slice(), expected, `${what}: A, B and C in the park`);
              assert.ok(forwardParks.holds(e, park), `${what}: the park is still held`);
            } finally {
              forwardParks.release(e, park);
            }
          }
        }
      });
    });
  }

  for (const threads of [1, 2]) {
    it(`${threads} thread(s): B packed beforehand in a park (packB) gives the bits of the plain call; meanwhile runs once`, {
      skip: threads > 1 && wasmSupport !== 'threads' && 'no threads here',
    }, () => {
      withThreads(threads, () => {
        const e = engine!;
        for (const [m, n, k, transA, transB] of SHAPES) {
          const { a, b, c0 } = operands(m, n, k);
          const call: GemmCall = { m, n, k, a, b, transA, transB, c: c0, accumulate: true };
          const expected = plain(call, c0);
          e.ensurePool();
          withPackedB(e, b, k, n, transB, (packedB) => {
            // Different values in b: the packed copy is what the product reads.
            const c = c0.slice();
            let calls = 0;
            gemmWith(e, gemmArgs({ ...call, b: new Float32Array(b.length), c }), { packedB, meanwhile: () => calls++ });
            assertSameBits(c, expected, `${m}×${n}×${k}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}`);
            assert.equal(calls, 1, 'meanwhile runs once');
          });
        }
      });
    });
  }

  it('rejects a packed B outside the reserved memory, misaligned, or for a batch', () => {
    const e = engine!;
    const [m, n, k] = [4, 8, 3];
    const call = gemmArgs({ m, n, k, a: random(m * k, 1), b: random(k * n, 2), c: new Float32Array(m * n) });
    assert.throws(() => gemmWith(e, call, { packedB: e.pastWorkAreas() }), ValueError, 'no park: in the scratch');
    const park = forwardParks.park(e, [packedBBytes(e, k, n) + 64]);
    try {
      assert.throws(() => gemmWith(e, call, { packedB: park.ptrs[0] + 4 }), ValueError, 'misaligned');
      assert.throws(() => gemmWith(e, call, { packedB: park.ptrs[0] + 128 }), ValueError, 'past the park');
      assert.throws(
        () => gemmWith(e, { ...call, batch: 2, a: random(2 * m * k, 3), aBatchStride: m * k, c: new Float32Array(2 * m * n), cBatchStride: m * n }, { packedB: park.ptrs[0] }),
        ValueError,
        'a batch',
      );
    } finally {
      forwardParks.release(e, park);
    }
  });

  it('gemmHere (one product on this thread, its own control block) gives the bits of gemm, with or without a packed B', () => {
    const e = engine!;
    for (const [m, n, k, transA, transB] of SHAPES) {
      const a = random(m * k, m),
        b = random(k * n, n),
        c0 = random(m * n, k);
      for (const accumulate of [false, true]) {
        const call: GemmCall = { m, n, k, a, b, transA, transB, c: c0, accumulate };
        const expected = plain(call, c0);
        const at = e.pastWorkAreas();
        e.ensureBytes(at + productHereBytes(e, m, n, k));
        const c = c0.slice();
        gemmHere(e, gemmArgs({ ...call, c }), at);
        assertSameBits(c, expected, `${m}×${n}×${k} here`);
        withPackedB(e, b, k, n, transB, (packedB) => {
          const from = e.pastWorkAreas();
          e.ensureBytes(from + productHereBytes(e, m, n, k));
          const packed = c0.slice();
          gemmHere(e, gemmArgs({ ...call, c: packed }), from, packedB);
          assertSameBits(packed, expected, `${m}×${n}×${k} here, B packed`);
        });
      }
    }
  });

  it('gemmHere rejects memory that is not ensured, in a park or misaligned, and a C in a park', () => {
    const e = engine!;
    const [m, n, k] = [8, 16, 4];
    const call = gemmArgs({ m, n, k, a: random(m * k, 1), b: random(k * n, 2), c: new Float32Array(m * n) });
    const bytes = productHereBytes(e, m, n, k);
    const park = forwardParks.park(e, [bytes, m * n * 4]);
    try {
      assert.throws(() => gemmHere(e, call, park.ptrs[0]), ValueError, 'in a park');
      assert.throws(() => gemmHere(e, call, e.pastWorkAreas() + 4), ValueError, 'misaligned');
      assert.throws(() => gemmHere(e, call, e.f32.byteLength - 64), ValueError, 'past the memory');
      const inPark = e.f32.subarray(park.ptrs[1] >> 2, (park.ptrs[1] >> 2) + m * n);
      e.ensureBytes(e.pastWorkAreas() + bytes);
      assert.throws(() => gemmHere(e, { ...call, c: inPark }, e.pastWorkAreas()), ValueError, 'C in a park');
      assert.throws(() => gemmHere(e, { ...call, a: call.a.subarray(1) }, e.pastWorkAreas()), ValueError, 'A too short');
    } finally {
      forwardParks.release(e, park);
    }
  });

  it('a view that reaches past the reserved region into the scratch is copied, and the product is right', () => {
    const e = engine!;
    const [m, n, k] = [64, 64, 1568];
    const b = random(k * n, 3),
      values = random(m * k, 4);
    const expected = plain({ m, n, k, a: values, b, transB: true, c: new Float32Array(m * n) }, new Float32Array(m * n));
    const park = forwardParks.park(e, [64]);
    try {
      // Starts in the park (16 floats), ends in the scratch where the call copies its operands.
      const start = park.ptrs[0] >> 2;
      const a = e.f32.subarray(start, start + m * k);
      a.set(values);
      const c = new Float32Array(m * n);
      gemm(e, gemmArgs({ m, n, k, a, b, transB: true, c }));
      assertSameBits(c, expected, 'a view across reservedEnd');
    } finally {
      forwardParks.release(e, park);
    }
  });
});
