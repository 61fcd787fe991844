/**
 * Int8 inference: a quantised Linear (`int8Linear`) and a quantised Conv2d
 * with its ReLU (→ MaxPool) epilogue (`int8Conv2d`), float32 in and out.
 *
 * Quantisation of the input (per tensor, scale s and zero point z in
 * [0, 127]): activations are 7 bits unsigned, the stored code is
 * q = c + z in [0, 127] with
 * c = roundHalfEven(clamp(fround(x · fround(1/s)), −z, 127 − z))
 * (NaN gives c = 0). Weights are int8, symmetric per output channel (no
 * zero point). The accumulator Σ c·w is an exact int32; the output is
 * y = fround(fround(fround(acc) · scale[o]) + bias[o]) with
 * scale[o] = s · weightScale[o], then ReLU (max(y, 0)) and max pooling.
 * Every step is defined to the bit, so the wasm kernels (asm/int8.ts: Σ q·w
 * by relaxed SIMD's int8 × int7 dot product, or the same integers widened to
 * int16 without relaxed SIMD, minus z·Σw; on every thread) give exactly the
 * reference's floats.
 */
import { defineRoutine } from '../routine.js';
import type { ConvEpilogue, ConvKernelGeometry } from './conv.js';
import { wasmEngine } from '../wasm/backend.js';
import { checkInt8, int8ChainFits, int8ChainJob } from '../wasm/int8-job.js';

export { packConvLayerWeights, packConvWeights, packLinearWeights } from '../wasm/int8-job.js';

/** The input's quantisation (per tensor). */
export interface InputQuantisation {
  scale: number;
  /** Integer zero point in [0, 127] (the code of the real value 0). */
  zero: number;
}

export interface Int8LinearArgs {
  /** m × k float32 rows. */
  x: Float32Array;
  m: number;
  k: number;
  n: number;
  /** n × k int8 values (PyTorch's layout), as Int8Array or Int32Array. */
  weight: Int8Array | Int32Array;
  /** Per output: inputScale · weightScale (float32). */
  scale: Float32Array;
  bias: Float32Array | null;
  input: InputQuantisation;
  relu: boolean;
  /** The weights already in the wasm kernel's layout (packLinearWeights), kept by the layer between calls; the reference ignores it. */
  packed?: Int8Array | null;
}

export interface Int8ConvArgs {
  g: ConvKernelGeometry;
  /** n × c × h × w float32. */
  x: Float32Array;
  /** o × c × kh × kw int8 values. */
  weight: Int8Array | Int32Array;
  scale: Float32Array;
  bias: Float32Array | null;
  input: InputQuantisation;
  epilogue: ConvEpilogue;
  /** The weights in the wasm kernel's layout (packConvLayerWeights); the reference ignores it. */
  packed?: Int8Array | null;
}

/** One layer of a chain (its input comes from the chain or the layer before). */
export type Int8ChainLayer = ({ kind: 'conv' } & Omit<Int8ConvArgs, 'x'>) | ({ kind: 'dense' } & Omit<Int8LinearArgs, 'x' | 'm'>);

/**
 * A chain of quantised layers run as one: convolutions (each with its own
 * ReLU and pooling) then dense layers, the samples' rows flattened between
 * them; `n` samples (a convolution's `g.n` is ignored). Each layer quantises
 * the float output of the one before with its own input quantisation, so
 * the chain's result is exactly that of its layers run one after another.
 */
export interface Int8ChainArgs {
  /** n samples of the first layer's input, float32. */
  x: Float32Array;
  n: number;
  layers: Int8ChainLayer[];
}

/** Ties to even, as wasm's nearest (v is a float32 within ±256 or NaN). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/** The centred 7-bit values (q − zero, in [−zero, 127 − zero]) of x (see the file comment). */
export function quantiseCentred(x: Float32Array, input: InputQuantisation, out = new Int16Array(x.length)): Int16Array {
  const inv = Math.fround(1 / input.scale);
  const lo = -input.zero,
    hi = 127 - input.zero;
  for (let i = 0; i < x.length; i++) {
    const t = Math.fround(x[i] * inv);
    out[i] = roundHalfEven(t < lo ? lo : t > hi ? hi : t); // NaN stays NaN: stored as 0
  }
  return out;
}

/** The output value of an accumulator (see the file comment). */
function dequantise(acc: number, scale: number, bias: number, relu: boolean): number {
  const y = Math.fround(Math.fround(Math.fround(acc) * scale) + bias);
  return relu && !(y > 0 || y !== y) ? 0 : y; // wasm's max(y, 0): NaN kept, −0 → 0
}

export const int8Linear = defineRoutine('int8Linear', function reference(a: Int8LinearArgs): Float32Array {
  const { m, k, n, weight, scale, bias, relu } = a;
  checkInt8(weight, 'int8Linear');
  const y = new Float32Array(m * n);
  const row = new Int16Array(k);
  for (let i = 0; i < m; i++) {
    quantiseCentred(a.x.subarray(i * k, i * k + k), a.input, row);
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += row[t] * weight[j * k + t];
      y[i * n + j] = dequantise(acc, scale[j], bias ? bias[j] : 0, relu);
    }
  }
  return y;
});

export const int8Conv2d = defineRoutine('int8Conv2d', function reference(a: Int8ConvArgs): Float32Array {
  const { n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo } = a.g;
  const { relu, pool } = a.epilogue;
  checkInt8(a.weight, 'int8Conv2d');
  const q = quantiseCentred(a.x, a.input);
  const conv = new Float32Array(o * ho * wo);
  const pooled = pool ? o * pool.ho * pool.wo : 0;
  const y = new Float32Array(n * (pool ? pooled : conv.length));
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          let acc = 0;
          for (let ch = 0; ch < c; ch++) {
            for (let u = 0; u < kh; u++) {
              const r = i * sh - ph + u * dh;
              if (r < 0 || r >= h) continue;
              for (let v = 0; v < kw; v++) {
                const col = j * sw - pw + v * dw;
                if (col < 0 || col >= w) continue;
                acc += q[((b * c + ch) * h + r) * w + col] * a.weight[((oc * c + ch) * kh + u) * kw + v];
              }
            }
          }
          conv[(oc * ho + i) * wo + j] = dequantise(acc, a.scale[oc], a.bias ? a.bias[oc] : 0, relu);
        }
      }
    }
    if (!pool) y.set(conv, b * conv.length);
    else {
      let at = b * pooled;
      for (let oc = 0; oc < o; oc++) {
        for (let i = 0; i < pool.ho; i++) {
          for (let j = 0; j < pool.wo; j++) {
            let best = conv[(oc * ho + i * pool.sh) * wo + j * pool.sw];
            for (let u = 0; u < pool.kh; u++) {
              for (let v = 0; v < pool.kw; v++) {
                best = Math.max(best, conv[(oc * ho + i * pool.sh + u) * wo + j * pool.sw + v]); // as wasm's max: NaN kept
              }
            }
            y[at++] = best;
          }
        }
      }
    }
  }
  return y;
});

export const int8Chain = defineRoutine('int8Chain', function reference(a: Int8ChainArgs): Float32Array {
  let x = a.x;
  for (const layer of a.layers) {
    x = layer.kind === 'conv' ? int8Conv2d.reference({ ...layer, x, g: { ...layer.g, n: a.n } }) : int8Linear.reference({ ...layer, x, m: a.n });
  }
  return x;
});

const engine = wasmEngine;

/** A single layer runs as a chain of one. */
const asLinearChain = (a: Int8LinearArgs): Int8ChainArgs => ({ x: a.x, n: a.m, layers: [{ kind: 'dense', ...a }] });
const asConvChain = (a: Int8ConvArgs): Int8ChainArgs => ({ x: a.x, n: a.g.n, layers: [{ kind: 'conv', ...a }] });

int8Chain.register('wasm', engine && { supports: (a) => int8ChainFits(engine, a), run: (a) => int8ChainJob(engine, a) });
int8Linear.register('wasm', engine && { supports: (a) => int8ChainFits(engine, asLinearChain(a)), run: (a) => int8ChainJob(engine, asLinearChain(a)) });
int8Conv2d.register('wasm', engine && { supports: (a) => int8ChainFits(engine, asConvChain(a)), run: (a) => int8ChainJob(engine, asConvChain(a)) });
