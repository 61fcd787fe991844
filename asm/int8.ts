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
// One job kind, INT8_CHAIN: a chain of layers (one layer is a chain of one),
// each described by a control-block-shaped descriptor (layout.ts), on a few
// samples per chunk:
// - a dense layer: y (rows×N) = quant(x) (rows×K) · Wᵀ;
// - a convolution: one sample at a time: the sample quantised into a
//   zero-padded image, lowered into packed columns, y = W (O×kp) · cols,
//   epilogue.
// Between two layers the float32 output is quantised with the next layer's
// input quantisation as the next layer would quantise it on its own, so a
// chain gives exactly the floats of its layers run one by one.
import { slot } from './gemm';
import {
  CONTROL_SLOTS, CV_C, CV_DH, CV_DW, CV_H, CV_HO, CV_KH, CV_KW, CV_O, CV_PH, CV_POOL_HO, CV_POOL_KH, CV_POOL_KW, CV_POOL_SH, CV_POOL_SW, CV_POOL_WO, CV_PW, CV_SH, CV_SW, CV_W, CV_WO,
  INT8_CONV, KIND, Q_BIAS_PTR, Q_CHAIN_PTR, Q_IN_OFFSET, Q_INV_SCALE, Q_K, Q_KP, Q_LAYERS, Q_M, Q_N, Q_RELU, Q_ROWS_PER_CHUNK, Q_SCALE_PTR, Q_SCRATCH_BYTES, Q_SCRATCH_PTR, Q_TMP_OFFSET, Q_W_PTR, Q_X_PTR, Q_Y_PTR, Q_ZERO,
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

/** C (one row) = a (kp int16) · B, for a row past the last full tile of 4 (see gemmI16). */
function gemvI16(a: usize, kp: i32, b: usize, panels: i32, c: usize): void {
  const pairs = kp >> 1;
  const panelBytes = <usize>pairs << 5;
  for (let p = 0; p < panels; p++) {
    let bp = b + <usize>p * panelBytes;
    let c0 = i32x4.splat(0), c1 = i32x4.splat(0);
    for (let kk = 0; kk < pairs; kk++) {
      const x = v128.load32_splat(a + (<usize>kk << 2));
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x, v128.load(bp)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(x, v128.load(bp, 16)));
      bp += 32;
    }
    v128.store(c + (<usize>p << 5), c0);
    v128.store(c + (<usize>p << 5), c1, 16);
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

// @ts-ignore: decorator
@inline function isConv(d: usize): bool {
  return slot(d, KIND) == INT8_CONV;
}

/** Bytes of a convolution's zero-padded int16 input image. */
function imageBytes(d: usize): i32 {
  return slot(d, CV_C) * (slot(d, CV_H) + 2 * slot(d, CV_PH)) * (slot(d, CV_W) + 2 * slot(d, CV_PW)) * 2;
}

/**
 * Quantises one sample's float32 input of layer d (with d's own input
 * quantisation) into d's int16 input at `dst`: row `row` of a dense layer's
 * rows (the depth padded to kp with a zero), or the inside of a
 * convolution's zero-padded image (whose border the caller has zeroed; a
 * padded position is the real value 0: q = zero, centred 0). For a
 * convolution the sample is quantised in place first (src is scratch: int16
 * values written over float32 ones never overtake the reads), then its rows
 * are copied into the image.
 */
function quantiseInput(d: usize, src: usize, dst: usize, row: i32): void {
  const inv = fslot(d, Q_INV_SCALE);
  const zero = <f32>slot(d, Q_ZERO);
  const lo: f32 = -128 - zero, hi: f32 = 127 - zero;
  if (!isConv(d)) {
    const k = slot(d, Q_K), kp = slot(d, Q_KP);
    const at = dst + <usize>(row * kp) * 2;
    quantiseRow(src, at, k, inv, lo, hi);
    if (kp > k) store<i16>(at + (<usize>k << 1), 0);
    return;
  }
  const c = slot(d, CV_C), h = slot(d, CV_H), w = slot(d, CV_W), ph = slot(d, CV_PH), pw = slot(d, CV_PW);
  const hp = h + 2 * ph, wp = w + 2 * pw;
  quantiseRow(src, src, c * h * w, inv, lo, hi);
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < h; r++) memory.copy(dst + (<usize>((ch * hp + r + ph) * wp + pw) << 1), src + (<usize>((ch * h + r) * w) << 1), <usize>w << 1);
  }
}

/** Dense layer d on `rows` rows of int16 inputs at a: float32 rows (n values each) at y. The accumulators go to `work`. */
function denseRows(d: usize, a: usize, rows: i32, work: usize, y: usize): void {
  const n = slot(d, Q_N), nPad = up(n, 8), kp = slot(d, Q_KP), w = <usize>slot(d, Q_W_PTR);
  // Full tiles of 4 rows, then the rows left one at a time (a single image's logits cost a quarter).
  const tiles = rows >> 2;
  gemmI16(a, kp, w, nPad >> 3, tiles, work, nPad);
  for (let i = tiles << 2; i < rows; i++) gemvI16(a + <usize>(i * kp) * 2, kp, w, nPad >> 3, work + (<usize>(i * nPad) << 2));
  const scale = <usize>slot(d, Q_SCALE_PTR), bias = <usize>slot(d, Q_BIAS_PTR);
  const relu = slot(d, Q_RELU) != 0;
  for (let i = 0; i < rows; i++) {
    epilogueColumns(work + (<usize>(i * nPad) << 2), y + (<usize>(i * n) << 2), n, scale, bias, relu);
  }
}

/**
 * Convolution d on one sample's zero-padded int16 image: float32 output
 * (O × ho × wo, or pooled) at y. The GEMM's columns are the output positions
 * on a grid of rows `width` wide: with stride 1, the padded image's own width
 * wp, so that depth (ch, ki, kj) of every position is one run of the image
 * read in place (the positions past wo on each row are computed and
 * dropped); otherwise wo, the image lowered (im2col) first. `work` holds the
 * packed columns (P padded to 8, kp/2 pairs each), the accumulators (O padded
 * to 4 × P padded to 8), then an area that holds first the lowered image (kp
 * rows of P padded to 8, int16; with stride 1, one row of zeros) and, with
 * pooling, the convolution's float32 output (O × P).
 */
function convSample(d: usize, image: usize, work: usize, y: usize): void {
  const c = slot(d, CV_C), h = slot(d, CV_H), w = slot(d, CV_W), o = slot(d, CV_O);
  const kh = slot(d, CV_KH), kw = slot(d, CV_KW), sh = slot(d, CV_SH), sw = slot(d, CV_SW);
  const ph = slot(d, CV_PH), pw = slot(d, CV_PW), dh = slot(d, CV_DH), dw = slot(d, CV_DW);
  const ho = slot(d, CV_HO), wo = slot(d, CV_WO);
  const kp = slot(d, Q_KP);
  const hp = h + 2 * ph, wp = w + 2 * pw;
  const direct = sh == 1 && sw == 1;
  const width = direct ? wp : wo;
  const depth = c * kh * kw, plane = ho * width, pPad = up(plane, 8), oPad = up(o, 4);
  const cols = work;
  const acc = cols + <usize>up(pPad * kp * 2, 64);
  const convOut = acc + <usize>up(oPad * pPad * 4, 64);

  // Depth t's row of positions: in the image (stride 1) or lowered into the area at convOut, free until the epilogue.
  const lowered = convOut;
  const rowBytes = <usize>pPad << 1;
  if (direct) {
    if (kp > depth) memory.fill(lowered, 0, rowBytes);
  } else {
    for (let t = 0; t < depth; t++) {
      const src = image + (<usize>(((t / (kh * kw)) * hp + ((t / kw) % kh) * dh) * wp + (t % kw) * dw) << 1);
      const dst = lowered + <usize>t * rowBytes;
      for (let oh = 0; oh < ho; oh++) copyRow(src + (<usize>(oh * sh * wp) << 1), dst + (<usize>(oh * wo) << 1), wo, sw);
    }
    if (kp > depth) memory.fill(lowered + <usize>depth * rowBytes, 0, rowBytes);
  }
  // Packed: depth pair (t, t + 1) of positions p..p+7 is the two rows' 8 values interleaved.
  const panelBytes = <usize>(kp >> 1) << 5;
  for (let t = 0; t < kp; t += 2) {
    let r0: usize, r1: usize;
    if (direct) {
      r0 = image + (<usize>(((t / (kh * kw)) * hp + ((t / kw) % kh) * dh) * wp + (t % kw) * dw) << 1);
      const u = t + 1;
      r1 = u < depth ? image + (<usize>(((u / (kh * kw)) * hp + ((u / kw) % kh) * dh) * wp + (u % kw) * dw) << 1) : lowered;
    } else {
      r0 = lowered + <usize>t * rowBytes;
      r1 = r0 + rowBytes;
    }
    let dst = cols + (<usize>(t >> 1) << 5);
    for (let p = 0; p < pPad; p += 8) {
      const a = v128.load(r0 + (<usize>p << 1)), b = v128.load(r1 + (<usize>p << 1));
      v128.store(dst, i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
      v128.store(dst, i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
      dst += panelBytes;
    }
  }
  gemmI16(<usize>slot(d, Q_W_PTR), kp, cols, pPad >> 3, oPad >> 2, acc, pPad);

  const scale = <usize>slot(d, Q_SCALE_PTR), bias = <usize>slot(d, Q_BIAS_PTR);
  const relu = slot(d, Q_RELU) != 0;
  const pooled = slot(d, CV_POOL_KH) > 0;
  for (let ch = 0; ch < o; ch++) {
    const s = load<f32>(scale + (<usize>ch << 2)), b = load<f32>(bias + (<usize>ch << 2));
    const from = acc + (<usize>(ch * pPad) << 2);
    if (pooled) epilogueRow(from, convOut + (<usize>(ch * plane) << 2), plane, s, b, relu); // the whole grid, dropped positions too
    else if (width == wo) epilogueRow(from, y + (<usize>(ch * plane) << 2), plane, s, b, relu);
    else for (let oh = 0; oh < ho; oh++) epilogueRow(from + (<usize>(oh * width) << 2), y + (<usize>((ch * ho + oh) * wo) << 2), wo, s, b, relu);
  }
  if (pooled) maxPool(convOut, y, o, ho, width, d);
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
 * is quantised straight into the next layer's int16 input, and only the last
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
  // The convolutions' images: their borders stay zero, their insides are written for each sample.
  for (let l = 0; l < firstDense; l++) {
    const d = chain + <usize>l * descBytes;
    memory.fill(scratch + <usize>slot(d, Q_IN_OFFSET), 0, <usize>imageBytes(d));
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

/** `count` int16 values from src (every `stride`-th) to dst, contiguous. */
function copyRow(src: usize, dst: usize, count: i32, stride: i32): void {
  let i = 0;
  if (stride == 1) {
    for (; i + 8 <= count; i += 8) v128.store(dst + (<usize>i << 1), v128.load(src + (<usize>i << 1)));
  }
  for (; i < count; i++) store<i16>(dst + (<usize>i << 1), load<i16>(src + (<usize>(i * stride) << 1)));
}

/** Max pooling (no padding, dilation 1) of one sample's O × ho × `wo` output (rows `wo` apart; the pooling reads only the first positions of each). */
function maxPool(src: usize, dst: usize, o: i32, ho: i32, wo: i32, d: usize): void {
  const kh = slot(d, CV_POOL_KH), kw = slot(d, CV_POOL_KW), sh = slot(d, CV_POOL_SH), sw = slot(d, CV_POOL_SW);
  const pho = slot(d, CV_POOL_HO), pwo = slot(d, CV_POOL_WO);
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
