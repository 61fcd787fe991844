/**
 * Float32 tanh: one function (fast-math.ts's tanhF32) for every float32 path,
 * the wasm kernel equal to it to the bit, within one float32 ulp of Math.tanh
 * over the whole float32 range; float64 keeps Math.tanh.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tanhF32 } from '../src/backend/routines/fast-math.js';
import { tanh32 } from '../src/backend/routines/activation.js';
import { wasmSupport } from '../src/backend/wasm/backend.js';
import { Tensor } from '../src/tensor/tensor.js';
import { withBackend } from './helpers/backends.js';

const bits = new Float32Array(1);
const words = new Int32Array(bits.buffer);

/** The float32 whose bit pattern is `w`. */
function fromBits(w: number): number {
  words[0] = w;
  return bits[0];
}

/** Distance in float32 steps between two finite float32 values of the same sign (or zeros). */
function ulps(a: number, b: number): number {
  bits[0] = a;
  const wa = words[0];
  bits[0] = b;
  return Math.abs(wa - words[0]);
}

/** Every 509th float32 bit pattern of both signs (NaN patterns skipped): about 8.4 million values. */
function sampleFloat32(): Float32Array {
  const out: number[] = [];
  for (let w = 0; w <= 0x7f800000; w += 509) {
    out.push(fromBits(w), fromBits(w | 0x80000000));
  }
  return Float32Array.from(out);
}

describe('float32 tanh', () => {
  const x = sampleFloat32();

  it('is within one float32 ulp of Math.tanh (rounded) over the whole float32 range, and equal to it almost everywhere', () => {
    let worst = 0,
      differ = 0;
    for (let i = 0; i < x.length; i++) {
      const got = tanhF32(x[i]),
        want = Math.fround(Math.tanh(x[i]));
      const d = ulps(got, want);
      if (d > worst) worst = d;
      if (d !== 0) differ++;
    }
    assert.ok(worst <= 1, `worst error ${worst} ulp`);
    assert.ok(differ < x.length * 1e-4, `${differ} of ${x.length} values differ from Math.tanh rounded`);
  });

  it('keeps ±0, gives ±1 at ±Infinity and for large |x|, NaN for NaN, x itself for tiny x', () => {
    assert.ok(Object.is(tanhF32(0), 0) && Object.is(tanhF32(-0), -0));
    assert.equal(tanhF32(Infinity), 1);
    assert.equal(tanhF32(-Infinity), -1);
    assert.equal(tanhF32(3.4e38), 1);
    assert.equal(tanhF32(-12), -1);
    assert.ok(Number.isNaN(tanhF32(NaN)));
    for (const tiny of [1e-45, -1e-45, 1e-38, -2e-20, 1e-5])
      assert.equal(tanhF32(Math.fround(tiny)), Math.fround(tiny) === 1e-5 ? Math.fround(Math.tanh(Math.fround(1e-5))) : Math.fround(tiny));
  });

  it('the wasm kernel gives the reference function to the bit over the same sample', { skip: wasmSupport === 'none' && 'no WebAssembly SIMD here' }, () => {
    const viaKernel = withBackend('wasm', () => tanh32.run(x));
    for (let i = 0; i < x.length; i++) {
      const want = tanhF32(x[i]);
      if (!(Object.is(viaKernel[i], want) || (want !== want && viaKernel[i] !== viaKernel[i]))) assert.fail(`tanh(${x[i]}): kernel ${viaKernel[i]}, reference ${want}`);
    }
  });

  it('a value gets the same tanh in a small and in a large float32 tensor; float64 keeps Math.tanh; int32 gives float32 by the same function', () => {
    const n = 4099;
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 4);
    const large = new Tensor(data, [n]).tanh().data;
    const small = new Tensor(data.slice(0, 7), [7]).tanh().data;
    for (let i = 0; i < 7; i++) assert.equal(small[i], large[i]);
    for (let i = 0; i < n; i++) assert.equal(large[i], tanhF32(data[i]));
    const f64 = Float64Array.from(data);
    const y64 = new Tensor(f64, [n]).tanh().data;
    for (let i = 0; i < n; i++) assert.equal(y64[i], Math.tanh(f64[i]));
    const ints = new Tensor(Int32Array.of(-3, 0, 1, 20), [4]).tanh();
    assert.equal(ints.dtype, 'float32');
    assert.deepEqual(Array.from(ints.data), [-3, 0, 1, 20].map(tanhF32));
  });
});
