// A chain of dense layers (act(x·Wᵀ + b), act none, ReLU or LeakyReLU; float32) trained as one op: the
// forward and the backward of the whole chain each run in one call on the
// calling thread, with the activations between layers left in wasm memory.
// Layer by layer through tensors, a small MLP's training step is dozens of
// JS tensors, GEMM calls and copies for products of a few hundred thousand
// multiply-adds; here it is two calls.
//
// Every product is computed as the tensor ops compute it (the same GEMM
// blocks over the same operands, the bias pre-filled and accumulated onto),
// relu's mask is the layer's output > 0 (so is LeakyReLU's, for a slope
// >= 0; its forward rounds the float64 product slope·v to float32 and its
// backward multiplies by the slope rounded to float32, as the layer does), and the bias gradient is summed in
// float64 row by row as the small kernels' columnSums32 does, so the results
// are those of the layers one by one, to the bit.
import { reluF32, reluGradF32 } from './elementwise';
import { blockF32, packB32, MC_MAX } from './gemm';
import { D_B, D_DB, D_DW, D_IN, D_K, D_N, D_OUT, D_RELU, D_SLOPE, D_W, DENSE_SLOTS } from './layout';

const ACT_RELU = 1,
  ACT_LEAKY = 2;

// @ts-ignore: decorator
@inline function field(desc: usize, layer: i32, index: i32): i32 {
  return load<i32>(desc + (<usize>(layer * DENSE_SLOTS + index) << 2));
}

// @ts-ignore: decorator
@inline function slopeOf(desc: usize, layer: i32): f64 {
  return load<f64>(desc + (<usize>(layer * DENSE_SLOTS + D_SLOPE) << 2));
}

/** y = v > 0 ? v : slope·v in place (the product in float64, rounded once to float32), n values. */
function leakyF32(y: usize, n: i32, slope: f64): void {
  const zero = f32x4.splat(0),
    s = f64x2.splat(slope);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(y + i);
    // Lanes 0–1 and 2–3 through float64, then back together: branch-free, as the scalar loop below rounds.
    const low = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), s));
    const high = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), s));
    v128.store(y + i, v128.bitselect(v, v128.shuffle<f32>(low, high, 0, 1, 4, 5), f32x4.gt(v, zero)));
  }
  for (; i < end; i += 4) {
    const v = load<f32>(y + i);
    if (!(v > 0)) store<f32>(y + i, <f32>(slope * <f64>v));
  }
}

/** dx = g where out > 0, else g·slope (slope as float32), n values. */
function leakyGradF32(out: usize, g: usize, dx: usize, n: i32, slope: f32): void {
  const zero = f32x4.splat(0),
    s = f32x4.splat(slope);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const gv = v128.load(g + i);
    v128.store(dx + i, v128.bitselect(gv, f32x4.mul(gv, s), f32x4.gt(v128.load(out + i), zero)));
  }
  for (; i < end; i += 4) {
    const gv = load<f32>(g + i);
    store<f32>(dx + i, select<f32>(gv, gv * slope, load<f32>(out + i) > 0));
  }
}

/** C (m×n) (+)= op(A)·packed B, MC_MAX rows at a time. */
function product(a: usize, lda: i32, transA: bool, bp: usize, c: usize, m: i32, n: i32, k: i32, accumulate: bool, work: usize): void {
  for (let i = 0; i < m; i += MC_MAX) blockF32(a, lda, transA, bp, c, n, k, i, min(m, i + MC_MAX), 0, n, accumulate, work);
}

/** Forward through `layers` layers on m rows. `packed`: room for the largest packed Wᵀ; `work`: a GEMM work area. */
export function denseForwardF32(desc: usize, layers: i32, m: i32, packed: usize, work: usize): void {
  for (let l = 0; l < layers; l++) {
    const k = field(desc, l, D_K), n = field(desc, l, D_N);
    const x = <usize>field(desc, l, D_IN), y = <usize>field(desc, l, D_OUT);
    const bias = <usize>field(desc, l, D_B);
    if (bias != 0) for (let r = 0; r < m; r++) memory.copy(y + (<usize>(r * n) << 2), bias, <usize>n << 2);
    packB32(<usize>field(desc, l, D_W), k, true, k, n, packed);
    product(x, k, false, packed, y, m, n, k, bias != 0, work);
    const act = field(desc, l, D_RELU);
    if (act == ACT_RELU) reluF32(y, y, m * n);
    else if (act == ACT_LEAKY) leakyF32(y, m * n, slopeOf(desc, l));
  }
}

/**
 * Backward from dOut (m × the last layer's n) down to dx (m × the first
 * layer's k; 0: not wanted). `g` and `g2`: two buffers of m × the widest
 * layer for the gradients between layers.
 */
export function denseBackwardF32(desc: usize, layers: i32, m: i32, dOut: usize, dx: usize, g: usize, g2: usize, packed: usize, work: usize): void {
  let grad = dOut;
  for (let l = layers - 1; l >= 0; l--) {
    const k = field(desc, l, D_K), n = field(desc, l, D_N);
    const act = field(desc, l, D_RELU);
    if (act == ACT_RELU) reluGradF32(<usize>field(desc, l, D_OUT), grad, g, m * n);
    else if (act == ACT_LEAKY) leakyGradF32(<usize>field(desc, l, D_OUT), grad, g, m * n, <f32>slopeOf(desc, l));
    if (act != 0) grad = g;
    const db = <usize>field(desc, l, D_DB);
    if (db != 0) {
      memory.fill(db, 0, <usize>n << 3);
      for (let r = 0; r < m; r++) {
        const row = grad + (<usize>(r * n) << 2);
        for (let j = 0; j < n; j++) {
          const at = db + (<usize>j << 3);
          store<f64>(at, load<f64>(at) + <f64>load<f32>(row + (<usize>j << 2)));
        }
      }
    }
    const dW = <usize>field(desc, l, D_DW);
    if (dW != 0) {
      // dW (n×k) = gradᵀ · x: grad used transposed, x (m×k) as B.
      packB32(<usize>field(desc, l, D_IN), k, false, m, k, packed);
      product(grad, n, true, packed, dW, n, k, m, false, work);
    }
    const below = l > 0 ? g2 : dx;
    if (below != 0) {
      // d(input) (m×k) = grad · W (n×k).
      packB32(<usize>field(desc, l, D_W), k, false, n, k, packed);
      product(grad, n, false, packed, below, m, k, n, false, work);
    }
    if (l > 0) {
      // The next layer down reads this gradient; g is free again for its mask.
      const t = g2;
      g2 = g;
      g = t;
      grad = t;
    }
  }
}
