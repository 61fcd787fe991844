// Int8 inference kernels (quantised Linear and Conv2d; the references and the
// layout are in src/backend/routines/int8.ts).
//
// Activations arrive as float32 and are quantised as they are read:
// c = nearest(clamp(x·invScale, lo, hi)) with lo = −128 − zero, hi = 127 − zero,
// which is the int8 value q minus its zero point, held as int16. Weights are
// int8 (symmetric, no zero point), widened to int16 by the caller. Products
// are i32x4.dot_i16x8_s over pairs of depth, accumulated in int32: exact, so
// every thread count and the TypeScript reference give the same integers.
// The epilogue (fused: one pass over the accumulators) turns them back into
// float32: y = f32(acc)·scale + bias, where scale = inputScale·weightScale of
// the output channel, then ReLU and max pooling where the layer carries them.
//
// The GEMM: C (rows × cols, int32) = A (rows × kp int16, row-major) · B, with
// B packed in panels of 8 columns, each panel kp/2 depth pairs of 8 columns ×
// 2 values (32 bytes): a tile of 4 rows × 8 columns loads one pair of A per
// row (splat) and two vectors of B per depth pair, with no horizontal sums.
// Rows are padded to 4 and columns to 8 (whatever the padding holds only
// reaches accumulators that are never read); kp is even and its last value
// zero where the depth is odd.
//
// Kinds:
// - INT8_DENSE: y (M×N) = quant(x) (M×K) · Wᵀ; a chunk is Q_ROWS_PER_CHUNK rows.
// - INT8_CONV: one sample per chunk: quantises the sample into a zero-padded
//   image, lowers it into packed columns, y = W (O×kp) · cols, epilogue.
import { slot } from './gemm';
import {
  CV_C, CV_DH, CV_DW, CV_H, CV_HO, CV_KH, CV_KW, CV_O, CV_PH, CV_POOL_HO, CV_POOL_KH, CV_POOL_KW, CV_POOL_SH, CV_POOL_SW, CV_POOL_WO, CV_PW, CV_SH, CV_SW, CV_W, CV_WO,
  Q_BIAS_PTR, Q_INV_SCALE, Q_K, Q_KP, Q_M, Q_N, Q_RELU, Q_ROWS_PER_CHUNK, Q_SCALE_PTR, Q_SCRATCH_BYTES, Q_SCRATCH_PTR, Q_W_PTR, Q_X_PTR, Q_Y_PTR, Q_ZERO,
} from './layout';

/** A float slot of the control block (stored as float32 bits). */
// @ts-ignore: decorator
@inline function fslot(ctl: usize, index: i32): f32 {
  return load<f32>(ctl + (<usize>index << 2));
}

// @ts-ignore: decorator
@inline function up(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

/** Quantises `count` floats at src into centred int16 values at dst (see the file comment). */
function quantiseRow(src: usize, dst: usize, count: i32, inv: f32, lo: f32, hi: f32): void {
  const vi = f32x4.splat(inv), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const s = src + (<usize>i << 2);
    const q0 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(v128.load(s), vi), vlo), vhi)));
    const q1 = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(v128.load(s, 16), vi), vlo), vhi)));
    v128.store(dst + (<usize>i << 1), i16x8.narrow_i32x4_s(q0, q1));
  }
  for (; i < count; i++) {
    const v = nearest<f32>(min<f32>(max<f32>(load<f32>(src + (<usize>i << 2)) * inv, lo), hi));
    store<i16>(dst + (<usize>i << 1), v != v ? 0 : <i16><i32>v); // NaN: 0, as i32x4.trunc_sat gives
  }
}

/** C = A · B over `tiles` tiles of 4 rows and `panels` panels of 8 columns (see the file comment); ldc in int32s. */
function gemmI16(a: usize, kp: i32, b: usize, panels: i32, tiles: i32, c: usize, ldc: i32): void {
  const pairs = kp >> 1;
  const rowBytes = <usize>kp << 1;
  const panelBytes = <usize>pairs << 5;
  const cRow = <usize>ldc << 2;
  for (let t = 0; t < tiles; t++) {
    const a0 = a + <usize>(t << 2) * rowBytes;
    const a1 = a0 + rowBytes, a2 = a1 + rowBytes, a3 = a2 + rowBytes;
    for (let p = 0; p < panels; p++) {
      let bp = b + <usize>p * panelBytes;
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
      for (let kk = 0; kk < pairs; kk++) {
        const off = <usize>kk << 2;
        const w0 = v128.load(bp), w1 = v128.load(bp, 16);
        let x = v128.load32_splat(a0 + off);
        c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x, w0));
        c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x, w1));
        x = v128.load32_splat(a1 + off);
        c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x, w0));
        c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x, w1));
        x = v128.load32_splat(a2 + off);
        c20 = i32x4.add(c20, i32x4.dot_i16x8_s(x, w0));
        c21 = i32x4.add(c21, i32x4.dot_i16x8_s(x, w1));
        x = v128.load32_splat(a3 + off);
        c30 = i32x4.add(c30, i32x4.dot_i16x8_s(x, w0));
        c31 = i32x4.add(c31, i32x4.dot_i16x8_s(x, w1));
        bp += 32;
      }
      const cp = c + <usize>(t << 2) * cRow + (<usize>p << 5);
      v128.store(cp, c00);
      v128.store(cp, c01, 16);
      v128.store(cp + cRow, c10);
      v128.store(cp + cRow, c11, 16);
      v128.store(cp + 2 * cRow, c20);
      v128.store(cp + 2 * cRow, c21, 16);
      v128.store(cp + 3 * cRow, c30);
      v128.store(cp + 3 * cRow, c31, 16);
    }
  }
}

/** y[j] = max?(f32(acc[j])·scale + bias) for `count` values: one output channel's scale and bias (a row of a convolution). */
function epilogueRow(acc: usize, y: usize, count: i32, scale: f32, bias: f32, relu: bool): void {
  const vs = f32x4.splat(scale), vb = f32x4.splat(bias), zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    let v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(v128.load(acc + (<usize>j << 2))), vs), vb);
    if (relu) v = f32x4.max(v, zero);
    v128.store(y + (<usize>j << 2), v);
  }
  for (; j < count; j++) {
    let v = <f32>load<i32>(acc + (<usize>j << 2)) * scale + bias;
    if (relu) v = max<f32>(v, 0);
    store<f32>(y + (<usize>j << 2), v);
  }
}

/** Rows of a dense layer: y[j] = max?(f32(acc[j])·scale[j] + bias[j]) for j < n (a scale and bias per column). */
function epilogueColumns(acc: usize, y: usize, n: i32, scale: usize, bias: usize, relu: bool): void {
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    let v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(v128.load(acc + o)), v128.load(scale + o)), v128.load(bias + o));
    if (relu) v = f32x4.max(v, zero);
    v128.store(y + o, v);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let v = <f32>load<i32>(acc + o) * load<f32>(scale + o) + load<f32>(bias + o);
    if (relu) v = max<f32>(v, 0);
    store<f32>(y + o, v);
  }
}

/** INT8_DENSE chunk: rows [chunk·R, min(M, chunk·R + R)). Scratch: the rows' int16 values, then their int32 accumulators. */
export function int8DenseChunk(ctl: usize, tid: i32, chunk: i32): void {
  const m = slot(ctl, Q_M), n = slot(ctl, Q_N), k = slot(ctl, Q_K), kp = slot(ctl, Q_KP);
  const per = slot(ctl, Q_ROWS_PER_CHUNK);
  const r0 = chunk * per;
  const rows = min(per, m - r0);
  const rowsPad = up(rows, 4), nPad = up(n, 8);
  const inv = fslot(ctl, Q_INV_SCALE);
  const zero = <f32>slot(ctl, Q_ZERO);
  const a = <usize>slot(ctl, Q_SCRATCH_PTR) + <usize>tid * <usize>slot(ctl, Q_SCRATCH_BYTES);
  const acc = a + <usize>up(rowsPad * kp * 2, 64);
  const x = <usize>slot(ctl, Q_X_PTR), y = <usize>slot(ctl, Q_Y_PTR);
  const rowBytes = <usize>kp << 1;
  for (let i = 0; i < rows; i++) {
    const dst = a + <usize>i * rowBytes;
    quantiseRow(x + (<usize>(r0 + i) * <usize>k << 2), dst, k, inv, -128 - zero, 127 - zero);
    if (kp > k) store<i16>(dst + (<usize>k << 1), 0);
  }
  gemmI16(a, kp, <usize>slot(ctl, Q_W_PTR), nPad >> 3, rowsPad >> 2, acc, nPad);
  const scale = <usize>slot(ctl, Q_SCALE_PTR), bias = <usize>slot(ctl, Q_BIAS_PTR);
  const relu = slot(ctl, Q_RELU) != 0;
  for (let i = 0; i < rows; i++) {
    epilogueColumns(acc + (<usize>(i * nPad) << 2), y + (<usize>(r0 + i) * <usize>n << 2), n, scale, bias, relu);
  }
}

/**
 * INT8_CONV chunk: sample `b`. Scratch: the quantised zero-padded image
 * (C × Hp × Wp int16), the packed columns (P padded to 8, kp/2 pairs each),
 * the accumulators (O padded to 4 × P padded to 8), then an area that holds
 * first the lowered image (kp rows of P padded to 8, int16) and, with
 * pooling, the convolution's float32 output (O × P).
 */
export function int8ConvChunk(ctl: usize, tid: i32, b: i32): void {
  const c = slot(ctl, CV_C), h = slot(ctl, CV_H), w = slot(ctl, CV_W), o = slot(ctl, CV_O);
  const kh = slot(ctl, CV_KH), kw = slot(ctl, CV_KW), sh = slot(ctl, CV_SH), sw = slot(ctl, CV_SW);
  const ph = slot(ctl, CV_PH), pw = slot(ctl, CV_PW), dh = slot(ctl, CV_DH), dw = slot(ctl, CV_DW);
  const ho = slot(ctl, CV_HO), wo = slot(ctl, CV_WO);
  const kp = slot(ctl, Q_KP);
  const depth = c * kh * kw, plane = ho * wo, pPad = up(plane, 8), oPad = up(o, 4);
  const hp = h + 2 * ph, wp = w + 2 * pw;
  const inv = fslot(ctl, Q_INV_SCALE);
  const zero = <f32>slot(ctl, Q_ZERO);
  const image = <usize>slot(ctl, Q_SCRATCH_PTR) + <usize>tid * <usize>slot(ctl, Q_SCRATCH_BYTES);
  const cols = image + <usize>up(c * hp * wp * 2, 64);
  const acc = cols + <usize>up(pPad * kp * 2, 64);
  const convOut = acc + <usize>up(oPad * pPad * 4, 64);

  // The sample, quantised, inside a border of zeros (a padded position is the real value 0: q = zero, centred 0).
  memory.fill(image, 0, <usize>(c * hp * wp * 2));
  const x = <usize>slot(ctl, Q_X_PTR) + (<usize>b * <usize>(c * h * w) << 2);
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < h; r++) {
      quantiseRow(x + (<usize>((ch * h + r) * w) << 2), image + (<usize>((ch * hp + r + ph) * wp + pw) << 1), w, inv, -128 - zero, 127 - zero);
    }
  }
  // Lowered (im2col) into rows of P values per depth (rows padded to pPad; the depth padded to kp with a zero row)...
  const lowered = convOut; // free until the epilogue
  const rowBytes = <usize>pPad << 1;
  for (let d = 0; d < depth; d++) {
    const ch = d / (kh * kw), ki = (d / kw) % kh, kj = d % kw;
    const src = image + (<usize>((ch * hp + ki * dh) * wp + kj * dw) << 1);
    const dst = lowered + <usize>d * rowBytes;
    for (let oh = 0; oh < ho; oh++) copyRow(src + (<usize>(oh * sh * wp) << 1), dst + (<usize>(oh * wo) << 1), wo, sw);
  }
  if (kp > depth) memory.fill(lowered + <usize>depth * rowBytes, 0, rowBytes);
  // ...then packed: depth pair (d, d + 1) of positions p..p+7 is the two rows' 8 values interleaved.
  const panelBytes = <usize>(kp >> 1) << 5;
  for (let d = 0; d < kp; d += 2) {
    const r0 = lowered + <usize>d * rowBytes;
    const r1 = r0 + rowBytes;
    let dst = cols + (<usize>(d >> 1) << 5);
    for (let p = 0; p < pPad; p += 8) {
      const a = v128.load(r0 + (<usize>p << 1)), b = v128.load(r1 + (<usize>p << 1));
      v128.store(dst, i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
      v128.store(dst, i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
      dst += panelBytes;
    }
  }
  gemmI16(<usize>slot(ctl, Q_W_PTR), kp, cols, pPad >> 3, oPad >> 2, acc, pPad);

  const scale = <usize>slot(ctl, Q_SCALE_PTR), bias = <usize>slot(ctl, Q_BIAS_PTR);
  const relu = slot(ctl, Q_RELU) != 0;
  const poolKh = slot(ctl, CV_POOL_KH);
  const y = <usize>slot(ctl, Q_Y_PTR);
  const out = poolKh > 0 ? convOut : y + (<usize>(b * o * plane) << 2);
  for (let ch = 0; ch < o; ch++) {
    epilogueRow(acc + (<usize>(ch * pPad) << 2), out + (<usize>(ch * plane) << 2), plane, load<f32>(scale + (<usize>ch << 2)), load<f32>(bias + (<usize>ch << 2)), relu);
  }
  if (poolKh > 0) maxPool(convOut, y + (<usize>(b * o * slot(ctl, CV_POOL_HO) * slot(ctl, CV_POOL_WO)) << 2), o, ho, wo, ctl);
}

/** `count` int16 values from src (every `stride`-th) to dst, contiguous. */
function copyRow(src: usize, dst: usize, count: i32, stride: i32): void {
  let i = 0;
  if (stride == 1) {
    for (; i + 8 <= count; i += 8) v128.store(dst + (<usize>i << 1), v128.load(src + (<usize>i << 1)));
  }
  for (; i < count; i++) store<i16>(dst + (<usize>i << 1), load<i16>(src + (<usize>(i * stride) << 1)));
}

/** Max pooling (no padding, dilation 1) of one sample's O × ho × wo output. */
function maxPool(src: usize, dst: usize, o: i32, ho: i32, wo: i32, ctl: usize): void {
  const kh = slot(ctl, CV_POOL_KH), kw = slot(ctl, CV_POOL_KW), sh = slot(ctl, CV_POOL_SH), sw = slot(ctl, CV_POOL_SW);
  const pho = slot(ctl, CV_POOL_HO), pwo = slot(ctl, CV_POOL_WO);
  let at = dst;
  for (let ch = 0; ch < o; ch++) {
    const plane = src + (<usize>(ch * ho * wo) << 2);
    for (let i = 0; i < pho; i++) {
      let j = 0;
      if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
        // The common 2×2 window, four outputs at a time: the two rows' maximum, then that of neighbours.
        const top = plane + (<usize>(2 * i * wo) << 2), bottom = top + (<usize>wo << 2);
        for (; j + 4 <= pwo; j += 4) {
          const o0 = <usize>(2 * j) << 2;
          const m0 = f32x4.max(v128.load(top + o0), v128.load(bottom + o0));
          const m1 = f32x4.max(v128.load(top + o0, 16), v128.load(bottom + o0, 16));
          const even = i8x16.shuffle(m0, m1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
          const odd = i8x16.shuffle(m0, m1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
          v128.store(at, f32x4.max(even, odd));
          at += 16;
        }
        for (; j < pwo; j++) {
          const o0 = <usize>(2 * j) << 2;
          store<f32>(at, max<f32>(max<f32>(load<f32>(top + o0), load<f32>(top + o0, 4)), max<f32>(load<f32>(bottom + o0), load<f32>(bottom + o0, 4))));
          at += 4;
        }
      }
      for (; j < pwo; j++) {
        let best = load<f32>(plane + (<usize>(i * sh * wo + j * sw) << 2));
        for (let u = 0; u < kh; u++) {
          const row = plane + (<usize>((i * sh + u) * wo + j * sw) << 2);
          for (let v = 0; v < kw; v++) {
            best = max<f32>(best, load<f32>(row + (<usize>v << 2)));
          }
        }
        store<f32>(at, best);
        at += 4;
      }
    }
  }
}
