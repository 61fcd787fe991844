// A chain of dense layers (relu?(x·Wᵀ + b), float32) trained as one op: the
// forward and the backward of the whole chain each run in one call on the
// calling thread, with the activations between layers left in wasm memory.
// Layer by layer through tensors, a small MLP's training step is dozens of
// JS tensors, GEMM calls and copies for products of a few hundred thousand
// multiply-adds; here it is two calls.
//
// Every product is computed as the tensor ops compute it (the same GEMM
// blocks over the same operands, the bias pre-filled and accumulated onto),
// relu's mask is the layer's output > 0, and the bias gradient is summed in
// float64 row by row as the small kernels' columnSums32 does, so the results
// are those of the layers one by one, to the bit.
import { reluF32, reluGradF32 } from './elementwise';
import { blockF32, packB32, MC_MAX } from './gemm';
import { D_B, D_DB, D_DW, D_IN, D_K, D_N, D_OUT, D_RELU, D_W, DENSE_SLOTS } from './layout';

// @ts-ignore: decorator
@inline function field(desc: usize, layer: i32, index: i32): i32 {
  return load<i32>(desc + (<usize>(layer * DENSE_SLOTS + index) << 2));
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
    if (field(desc, l, D_RELU) != 0) reluF32(y, y, m * n);
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
    if (field(desc, l, D_RELU) != 0) {
      reluGradF32(<usize>field(desc, l, D_OUT), grad, g, m * n);
      grad = g;
    }
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
