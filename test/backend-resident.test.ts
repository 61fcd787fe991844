/**
 * withResidentOperand: GEMM calls that find their A or B already in the
 * backend's memory give exactly the products they give with a copy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemm, getBackend, setBackend, withResidentOperand } from '../src/backend/index.js';
import { wasmEngine } from '../src/backend/wasm/backend.js';
import { ValueError } from '../src/errors.js';
import { rng } from './helpers/backends.js';

function random(length: number, next: () => number, single: boolean): Float32Array | Float64Array {
  const out = single ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = next() * 2 - 1;
  return out;
}

/** C = op(A)·op(B) with A and B taken from offsets into x and y. */
function products(x: Float32Array | Float64Array, y: Float32Array | Float64Array, single: boolean): (Float32Array | Float64Array)[] {
  const make = (n: number) => (single ? new Float32Array(n) : new Float64Array(n));
  const out = [];
  // X (300×40) as A, as Aᵀ, as B, and a part of it from an offset.
  let c = make(300 * 7);
  gemm({ m: 300, n: 7, k: 40, a: x, b: y, c });
  out.push(c);
  c = make(40 * 7);
  gemm({ m: 40, n: 7, k: 300, a: x, b: y, c, transA: true, bOffset: 5 });
  out.push(c);
  c = make(7 * 40);
  gemm({ m: 7, n: 40, k: 300, a: y, b: x, c });
  out.push(c);
  c = make(100 * 7);
  gemm({ m: 100, n: 7, k: 40, a: x, aOffset: 40 * 150, b: y, c, accumulate: false });
  out.push(c);
  c = make(3 * 50 * 7);
  gemm({ m: 50, n: 7, k: 40, a: x, aOffset: 40, aBatchStride: 40 * 50, b: y, c, batch: 3, cBatchStride: 50 * 7 });
  out.push(c);
  return out;
}

describe('withResidentOperand', () => {
  for (const single of [false, true]) {
    it(`gives the same ${single ? 'float32' : 'float64'} products as copying, on every backend`, () => {
      const previous = getBackend().name;
      try {
        for (const name of ['wasm', 'js'] as const) {
          setBackend(name);
          const next = rng(11);
          const x = random(300 * 40, next, single);
          const y = random(300 * 7 + 5, next, single);
          const copied = products(x, y, single);
          const held = withResidentOperand(x, () => {
            // On wasm, x's copy is held out of every job's scratch meanwhile.
            if (name === 'wasm' && wasmEngine) assert.ok(wasmEngine.reservedEnd > 0);
            return withResidentOperand(y, () => products(x, y, single));
          });
          assert.deepEqual(held, copied);
          // Outside the scope nothing is held: a changed X gives a changed product.
          x[0] += 1;
          assert.notDeepEqual(products(x, y, single)[0], copied[0]);
        }
      } finally {
        setBackend(previous);
      }
    });
  }

  it('returns what the body returns, and releases the hold when the body throws', () => {
    assert.equal(
      withResidentOperand(new Float64Array(8), () => 42),
      42,
    );
    assert.throws(
      () =>
        withResidentOperand(new Float64Array(8), () => {
          throw new ValueError('from the body');
        }),
      ValueError,
    );
    if (wasmEngine) assert.equal(wasmEngine.reservedEnd, 0);
  });
});
