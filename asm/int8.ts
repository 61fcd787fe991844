// Int8 inference kernels (quantised Linear and Conv2d; the references and the
// layout are in src/backend/routines/int8.ts).
//
// Activations arrive as float32 and are quantised as they are read, to 7 bits
// unsigned: q = nearest(clamp(x·invScale, −zero, 127 − zero)) + zero, a byte
// in [0, 127]. Weights are int8 (symmetric, no zero point). The GEMM sums
// q·w in int32; the epilogue subtracts zero·Σw of the output channel (the
// layer's `correction`), leaving Σ (q − zero)·w: exact, so every thread
// count, both builds and the TypeScript reference give the same integers.
// The epilogue (fused: one pass over the accumulators) turns them back into
// float32: y = f32(acc − correction)·scale + bias, where scale =
// inputScale·weightScale of the output channel, then ReLU and max pooling
// where the layer carries them.
//
// Why 7 bits: relaxed SIMD's i16x8.relaxed_dot_i8x16_i7x16_s multiplies 16
// int8 × int7 pairs and sums them in twos in one instruction (x86:
// pmaddubsw; ARM: smull + addp), and i32x4.extadd_pairwise_i16x8_s sums
// those in twos again (pmaddwd by ones). The relaxed result is defined (and
// exact) only where every value of the second operand is in [0, 127]: then
// a signed and an unsigned reading agree, and pmaddubsw's int16 pair sums
// stay within 2·127·128 < 2^15, so never saturate. (The fused
// i32x4.relaxed_dot_i8x16_i7x16_add_s is not used: the V8 of Node 20 on x64
// drops its accumulator and doubles the dot product.) The build without
// relaxed SIMD (scripts/build-wasm.mjs builds both from this source,
// ASC_FEATURE_RELAXED_SIMD telling which) computes the same integers with
// sign-extension to int16 and i32x4.dot_i16x8_s.
//
// The GEMM: C (rows × cols, int32) = A (rows × kp bytes, row-major) · B, with
// B packed in panels of 8 columns, each panel kp/4 depth quads of 8 columns ×
// 4 values (32 bytes): a tile of 4 rows × 8 columns loads one quad of A per
// row (splat) and two vectors of B per depth quad, with no horizontal sums.
// Rows are padded to 4 and columns to 8 (whatever the padding holds only
// reaches accumulators that are never read); kp is a multiple of 4, the
// weights zero past the depth. In a convolution A is the weights and B the
// activations; in a dense layer A is the activations and B the weights.
//
// One job kind, INT8_CHAIN: a chain of layers (one layer is a chain of one),
// each described by a control-block-shaped descriptor (layout.ts), on a few
// samples per chunk:
// - a dense layer: y (rows×N) = quant(x) (rows×K) · Wᵀ;
// - a convolution: one sample at a time: the sample quantised into a
//   padded image (the padding holds the zero point: the real value 0),
//   lowered into packed columns, y = W (O×kp) · cols, epilogue.
// Between two layers the float32 output is quantised with the next layer's
// input quantisation as the next layer would quantise it on its own, so a
// chain gives exactly the floats of its layers run one by one.
// The arithmetic (quantisation, dot products, the tile, epilogues) is in
// asm/int8-gemm.ts, the convolutions in asm/int8-conv.ts; this file
// quantises each layer's input and runs the chain.
import { slot } from './gemm';
import { channelsLast, convSample, imageBytes, imagePitch } from './int8-conv';
import { epilogueColumns, gemmDense, gemvQuads, quantiseRow, quantiseRowStrided, up } from './int8-gemm';
import {
  CONTROL_SLOTS, CV_C, CV_H, CV_HO, CV_O, CV_PH, CV_POOL_HO, CV_POOL_KH, CV_POOL_WO, CV_PW, CV_W, CV_WO,
  INT8_CONV, KIND, Q_BIAS_PTR, Q_CHAIN_PTR, Q_CORR_PTR, Q_IN_OFFSET, Q_INV_SCALE, Q_K, Q_KP, Q_LAYERS, Q_M, Q_N, Q_RELU, Q_ROWS_PER_CHUNK, Q_SCALE_PTR, Q_SCRATCH_BYTES, Q_SCRATCH_PTR, Q_TMP_OFFSET, Q_W_PTR, Q_X_PTR, Q_Y_PTR, Q_ZERO,
} from './layout';

/** A float slot of the control block (stored as float32 bits). */
// @ts-ignore: decorator
@inline function fslot(ctl: usize, index: i32): f32 {
  return load<f32>(ctl + (<usize>index << 2));
}

// @ts-ignore: decorator
@inline function isConv(d: usize): bool {
  return slot(d, KIND) == INT8_CONV;
}

/**
 * Quantises one sample's float32 input of layer d (with d's own input
 * quantisation) into d's codes at `dst`: row `row` of a dense layer's rows
 * (the depth padded to kp with code 0, whose weights are 0), or the inside
 * of a convolution's padded image (whose border the caller has filled with
 * the zero point, the code of the real value 0), row by row.
 */
function quantiseInput(d: usize, src: usize, dst: usize, row: i32): void {
  const inv = fslot(d, Q_INV_SCALE);
  const zero = slot(d, Q_ZERO);
  if (!isConv(d)) {
    const k = slot(d, Q_K), kp = slot(d, Q_KP);
    const at = dst + <usize>(row * kp);
    quantiseRow(src, at, k, inv, zero);
    for (let t = k; t < kp; t++) store<u8>(at + <usize>t, 0);
    return;
  }
  const c = slot(d, CV_C), h = slot(d, CV_H), w = slot(d, CV_W), ph = slot(d, CV_PH), pw = slot(d, CV_PW);
  const hp = h + 2 * ph, pitch = imagePitch(d);
  if (channelsLast(d)) {
    const wp = w + 2 * pw;
    for (let ch = 0; ch < c; ch++) {
      for (let r = 0; r < h; r++) quantiseRowStrided(src + (<usize>((ch * h + r) * w) << 2), dst + <usize>(((r + ph) * wp + pw) * c + ch), w, c, inv, zero);
    }
    return;
  }
  // Row by row straight into the image (a memory.copy per row would call out of the module, a cost per row).
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < h; r++) quantiseRow(src + (<usize>((ch * h + r) * w) << 2), dst + <usize>((ch * hp + r + ph) * pitch + pw), w, inv, zero);
  }
}

/** Dense layer d on `rows` rows of codes at a: float32 rows (n values each) at y. The accumulators go to `work`. */
function denseRows(d: usize, a: usize, rows: i32, work: usize, y: usize): void {
  const n = slot(d, Q_N), nPad = up(n, 8), kp = slot(d, Q_KP), w = <usize>slot(d, Q_W_PTR);
  // Full tiles of 4 rows, then the rows left one at a time (a single image's logits cost a quarter).
  const tiles = rows >> 2;
  gemmDense(a, kp, w, nPad >> 3, tiles, work, nPad);
  for (let i = tiles << 2; i < rows; i++) gemvQuads(a + <usize>(i * kp), kp, w, nPad >> 3, work + (<usize>(i * nPad) << 2));
  const correction = <usize>slot(d, Q_CORR_PTR), scale = <usize>slot(d, Q_SCALE_PTR), bias = <usize>slot(d, Q_BIAS_PTR);
  const relu = slot(d, Q_RELU) != 0;
  for (let i = 0; i < rows; i++) {
    epilogueColumns(work + (<usize>(i * nPad) << 2), y + (<usize>(i * n) << 2), n, correction, scale, bias, relu);
  }
}

/** Float32 values per sample of layer d's output. */
function outputValues(d: usize): i32 {
  if (!isConv(d)) return slot(d, Q_N);
  const pooled = slot(d, CV_POOL_KH) > 0;
  return slot(d, CV_O) * (pooled ? slot(d, CV_POOL_HO) * slot(d, CV_POOL_WO) : slot(d, CV_HO) * slot(d, CV_WO));
}

/** Float32 values per sample of layer d's input. */
function inputValues(d: usize): i32 {
  return isConv(d) ? slot(d, CV_C) * slot(d, CV_H) * slot(d, CV_W) : slot(d, Q_K);
}

/**
 * INT8_CHAIN chunk: samples [chunk·R, min(M, chunk·R + R)). The convolutions
 * run one sample at a time, the dense layers on the chunk's rows together;
 * between layers the float32 output (in the thread's buffer at Q_TMP_OFFSET)
 * is quantised straight into the next layer's codes, and only the last
 * layer's output leaves the thread's scratch.
 */
export function int8ChainChunk(ctl: usize, tid: i32, chunk: i32): void {
  const layers = slot(ctl, Q_LAYERS), chain = <usize>slot(ctl, Q_CHAIN_PTR);
  const per = slot(ctl, Q_ROWS_PER_CHUNK);
  const s0 = chunk * per;
  const rows = min(per, slot(ctl, Q_M) - s0);
  const scratch = <usize>slot(ctl, Q_SCRATCH_PTR) + <usize>tid * <usize>slot(ctl, Q_SCRATCH_BYTES);
  const tmp = scratch + <usize>slot(ctl, Q_TMP_OFFSET);
  const x = <usize>slot(ctl, Q_X_PTR), y = <usize>slot(ctl, Q_Y_PTR);
  const descBytes = <usize>CONTROL_SLOTS << 2;
  const last = chain + <usize>(layers - 1) * descBytes;
  const inValues = inputValues(chain), outValues = outputValues(last);
  let firstDense = 0;
  while (firstDense < layers && isConv(chain + <usize>firstDense * descBytes)) firstDense++;
  // The convolutions' images: their borders keep the zero point, their insides are written for each sample.
  for (let l = 0; l < firstDense; l++) {
    const d = chain + <usize>l * descBytes;
    memory.fill(scratch + <usize>slot(d, Q_IN_OFFSET), <u8>slot(d, Q_ZERO), <usize>imageBytes(d));
  }
  for (let s = 0; s < rows; s++) {
    let src = x + (<usize>(s0 + s) * <usize>inValues << 2);
    for (let l = 0; l < firstDense; l++) {
      const d = chain + <usize>l * descBytes;
      const image = scratch + <usize>slot(d, Q_IN_OFFSET);
      quantiseInput(d, src, image, 0);
      const out = d == last ? y + (<usize>(s0 + s) * <usize>outValues << 2) : tmp;
      convSample(d, image, scratch, out);
      src = out;
    }
    if (firstDense < layers) {
      const d = chain + <usize>firstDense * descBytes;
      quantiseInput(d, src, scratch + <usize>slot(d, Q_IN_OFFSET), s);
    }
  }
  for (let l = firstDense; l < layers; l++) {
    const d = chain + <usize>l * descBytes;
    const out = d == last ? y + (<usize>s0 * <usize>outValues << 2) : tmp;
    denseRows(d, scratch + <usize>slot(d, Q_IN_OFFSET), rows, scratch, out);
    if (d == last) break;
    const next = d + descBytes, n = slot(d, Q_N);
    for (let r = 0; r < rows; r++) quantiseInput(next, tmp + (<usize>(r * n) << 2), scratch + <usize>slot(next, Q_IN_OFFSET), r);
  }
}
