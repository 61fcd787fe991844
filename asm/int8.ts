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
import { slot } from './gemm';
import {
  CONTROL_SLOTS, CV_C, CV_DH, CV_DW, CV_H, CV_HO, CV_KH, CV_KW, CV_O, CV_PH, CV_POOL_HO, CV_POOL_KH, CV_POOL_KW, CV_POOL_SH, CV_POOL_SW, CV_POOL_WO, CV_PW, CV_SH, CV_SW, CV_W, CV_WO,
  INT8_CONV, KIND, Q_BIAS_PTR, Q_CHAIN_PTR, Q_CORR_PTR, Q_IN_OFFSET, Q_INV_SCALE, Q_K, Q_KP, Q_LAYERS, Q_M, Q_N, Q_RELU, Q_ROWS_PER_CHUNK, Q_SCALE_PTR, Q_SCRATCH_BYTES, Q_SCRATCH_PTR, Q_TMP_OFFSET, Q_W_PTR, Q_X_PTR, Q_Y_PTR, Q_ZERO,
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

/** The zero-point-shifted 7-bit codes of four floats, as i32x4. */
// @ts-ignore: decorator
@inline function codes4(x: v128, inv: v128, lo: v128, hi: v128, zero: v128): v128 {
  return i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(x, inv), lo), hi))), zero);
}

/** Quantises `count` floats at src into 7-bit codes (bytes) at dst (see the file comment); dst may be src. */
function quantiseRow(src: usize, dst: usize, count: i32, inv: f32, zero: i32): void {
  const top: i32 = 127 - zero;
  const lo = <f32>(-zero), hi = <f32>top;
  const vi = f32x4.splat(inv), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vz = i32x4.splat(zero);
  let i = 0;
  for (; i + 16 <= count; i += 16) {
    const s = src + (<usize>i << 2);
    const a = i16x8.narrow_i32x4_s(codes4(v128.load(s), vi, vlo, vhi, vz), codes4(v128.load(s, 16), vi, vlo, vhi, vz));
    const b = i16x8.narrow_i32x4_s(codes4(v128.load(s, 32), vi, vlo, vhi, vz), codes4(v128.load(s, 48), vi, vlo, vhi, vz));
    v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(a, b));
  }
  for (; i < count; i++) store<u8>(dst + <usize>i, code1(load<f32>(src + (<usize>i << 2)), inv, lo, hi, zero));
}

/** The 7-bit code of one float (lo = −zero, hi = 127 − zero), as codes4 gives it. */
// @ts-ignore: decorator
@inline function code1(x: f32, inv: f32, lo: f32, hi: f32, zero: i32): u8 {
  const v = nearest<f32>(min<f32>(max<f32>(x * inv, lo), hi));
  return <u8>((v != v ? 0 : <i32>v) + zero); // NaN: the zero point, as i32x4.trunc_sat gives
}

/**
 * acc + the four sums of four products of w (int8) and x (7-bit codes): lane
 * i sums bytes 4i..4i+3. The relaxed build's; without it the same integers
 * come in two halves kept apart until `combine` (see dotLow).
 */
// @ts-ignore: decorator
@inline function dot(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x)));
}

/** Without relaxed SIMD: lanes (2i, 2i+1) of the result hold the two halves of quad i of bytes 0..7 (widened to int16). */
// @ts-ignore: decorator
@inline function dotLow(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w), i16x8.extend_low_i8x16_s(x)));
}

/** As dotLow, bytes 8..15. */
// @ts-ignore: decorator
@inline function dotHigh(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w), i16x8.extend_high_i8x16_s(x)));
}

/** The four quad sums from dotLow's and dotHigh's accumulators. */
// @ts-ignore: decorator
@inline function combine(low: v128, high: v128): v128 {
  return i32x4.add(i32x4.shuffle(low, high, 0, 2, 4, 6), i32x4.shuffle(low, high, 1, 3, 5, 7));
}

/** One step of a tile: acc + dot of a splat quad of A and a vector of B, the int8 operand first. */
// @ts-ignore: decorator
@inline function step(splat: v128, panel: v128, acc: v128, aIsWeights: bool): v128 {
  return aIsWeights ? dot(splat, panel, acc) : dot(panel, splat, acc);
}

/**
 * One register tile: C (4 rows × 8 columns at cp, rows cRow bytes apart) =
 * 4 rows of A from a0 (kp bytes apart) · the panel at bp (see the file
 * comment). `aIsWeights`: A holds the int8 weights and B the 7-bit codes (a
 * convolution), or the reverse.
 */
// @ts-ignore: decorator
@inline function tile(a0: usize, kp: i32, bp: usize, cp: usize, cRow: usize, aIsWeights: bool): void {
  const quads = kp >> 2;
  const a1 = a0 + <usize>kp, a2 = a1 + <usize>kp, a3 = a2 + <usize>kp;
  if (ASC_FEATURE_RELAXED_SIMD) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    for (let q = 0; q < quads; q++) {
      const off = <usize>q << 2;
      const w0 = v128.load(bp), w1 = v128.load(bp, 16);
      let x = v128.load32_splat(a0 + off);
      c00 = step(x, w0, c00, aIsWeights);
      c01 = step(x, w1, c01, aIsWeights);
      x = v128.load32_splat(a1 + off);
      c10 = step(x, w0, c10, aIsWeights);
      c11 = step(x, w1, c11, aIsWeights);
      x = v128.load32_splat(a2 + off);
      c20 = step(x, w0, c20, aIsWeights);
      c21 = step(x, w1, c21, aIsWeights);
      x = v128.load32_splat(a3 + off);
      c30 = step(x, w0, c30, aIsWeights);
      c31 = step(x, w1, c31, aIsWeights);
      bp += 32;
    }
    v128.store(cp, c00);
    v128.store(cp, c01, 16);
    v128.store(cp + cRow, c10);
    v128.store(cp + cRow, c11, 16);
    v128.store(cp + 2 * cRow, c20);
    v128.store(cp + 2 * cRow, c21, 16);
    v128.store(cp + 3 * cRow, c30);
    v128.store(cp + 3 * cRow, c31, 16);
  } else {
    // Widened to int16, two accumulators per 4 columns: the panel in two halves of 4 columns, so that they stay in registers.
    for (let half = 0; half < 2; half++) {
      let bh = bp + (<usize>half << 4);
      let l0 = i32x4.splat(0), h0 = i32x4.splat(0), l1 = i32x4.splat(0), h1 = i32x4.splat(0);
      let l2 = i32x4.splat(0), h2 = i32x4.splat(0), l3 = i32x4.splat(0), h3 = i32x4.splat(0);
      for (let q = 0; q < quads; q++) {
        const off = <usize>q << 2;
        const v = v128.load(bh);
        const lo = i16x8.extend_low_i8x16_s(v), hi = i16x8.extend_high_i8x16_s(v);
        // A splat quad widens to the same 8 values in both halves.
        let x = i16x8.extend_low_i8x16_s(v128.load32_splat(a0 + off));
        l0 = i32x4.add(l0, i32x4.dot_i16x8_s(x, lo));
        h0 = i32x4.add(h0, i32x4.dot_i16x8_s(x, hi));
        x = i16x8.extend_low_i8x16_s(v128.load32_splat(a1 + off));
        l1 = i32x4.add(l1, i32x4.dot_i16x8_s(x, lo));
        h1 = i32x4.add(h1, i32x4.dot_i16x8_s(x, hi));
        x = i16x8.extend_low_i8x16_s(v128.load32_splat(a2 + off));
        l2 = i32x4.add(l2, i32x4.dot_i16x8_s(x, lo));
        h2 = i32x4.add(h2, i32x4.dot_i16x8_s(x, hi));
        x = i16x8.extend_low_i8x16_s(v128.load32_splat(a3 + off));
        l3 = i32x4.add(l3, i32x4.dot_i16x8_s(x, lo));
        h3 = i32x4.add(h3, i32x4.dot_i16x8_s(x, hi));
        bh += 32;
      }
      const at = cp + (<usize>half << 4);
      v128.store(at, combine(l0, h0));
      v128.store(at + cRow, combine(l1, h1));
      v128.store(at + 2 * cRow, combine(l2, h2));
      v128.store(at + 3 * cRow, combine(l3, h3));
    }
  }
}

/** C = A · B over `tiles` tiles of 4 rows and `panels` panels of 8 columns (see `tile`); ldc in int32s. */
// @ts-ignore: decorator
@inline function gemmQuads(a: usize, kp: i32, b: usize, panels: i32, tiles: i32, c: usize, ldc: i32, aIsWeights: bool): void {
  const panelBytes = <usize>(kp >> 2) << 5;
  const cRow = <usize>ldc << 2;
  for (let t = 0; t < tiles; t++) {
    const a0 = a + <usize>(t << 2) * <usize>kp;
    for (let p = 0; p < panels; p++) tile(a0, kp, b + <usize>p * panelBytes, c + <usize>(t << 2) * cRow + (<usize>p << 5), cRow, aIsWeights);
  }
}

/** C (one row) = a (kp 7-bit codes) · B (int8 weights), for a dense layer's row past the last full tile of 4 (see gemmQuads). */
function gemvQuads(a: usize, kp: i32, b: usize, panels: i32, c: usize): void {
  const quads = kp >> 2;
  const panelBytes = <usize>quads << 5;
  for (let p = 0; p < panels; p++) {
    let bp = b + <usize>p * panelBytes;
    let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
    for (let q = 0; q < quads; q++) {
      const x = v128.load32_splat(a + (<usize>q << 2));
      const w0 = v128.load(bp), w1 = v128.load(bp, 16);
      if (ASC_FEATURE_RELAXED_SIMD) {
        c0 = dot(w0, x, c0);
        c1 = dot(w1, x, c1);
      } else {
        c0 = dotLow(w0, x, c0);
        c1 = dotHigh(w0, x, c1);
        c2 = dotLow(w1, x, c2);
        c3 = dotHigh(w1, x, c3);
      }
      bp += 32;
    }
    if (!ASC_FEATURE_RELAXED_SIMD) {
      c0 = combine(c0, c1);
      c1 = combine(c2, c3);
    }
    v128.store(c + (<usize>p << 5), c0);
    v128.store(c + (<usize>p << 5), c1, 16);
  }
}

/** The convolution's GEMM: int8 weights (O padded to 4 rows) times packed columns of codes. */
function gemmConv(w: usize, kp: i32, cols: usize, panels: i32, tiles: i32, c: usize, ldc: i32): void {
  gemmQuads(w, kp, cols, panels, tiles, c, ldc, true);
}

/** The dense layer's GEMM: rows of codes times packed int8 weights. */
function gemmDense(x: usize, kp: i32, w: usize, panels: i32, tiles: i32, c: usize, ldc: i32): void {
  gemmQuads(x, kp, w, panels, tiles, c, ldc, false);
}

/** max?(f32(acc − correction)·scale + bias) of four accumulators of one output channel (correction, scale and bias splat). */
// @ts-ignore: decorator
@inline function epilogue4(acc: v128, correction: v128, scale: v128, bias: v128, relu: bool): v128 {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(acc, correction)), scale), bias);
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/** y[j] = max?(f32(acc[j] − correction)·scale + bias) for `count` values: one output channel's (a row of a convolution). */
function epilogueRow(acc: usize, y: usize, count: i32, correction: i32, scale: f32, bias: f32, relu: bool): void {
  const vc = i32x4.splat(correction), vs = f32x4.splat(scale), vb = f32x4.splat(bias);
  let j = 0;
  for (; j + 4 <= count; j += 4) v128.store(y + (<usize>j << 2), epilogue4(v128.load(acc + (<usize>j << 2)), vc, vs, vb, relu));
  for (; j < count; j++) {
    let v = <f32>(load<i32>(acc + (<usize>j << 2)) - correction) * scale + bias;
    if (relu) v = max<f32>(v, 0);
    store<f32>(y + (<usize>j << 2), v);
  }
}

/** Rows of a dense layer: y[j] = max?(f32(acc[j] − correction[j])·scale[j] + bias[j]) for j < n (per column). */
function epilogueColumns(acc: usize, y: usize, n: i32, correction: usize, scale: usize, bias: usize, relu: bool): void {
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const a = i32x4.sub(v128.load(acc + o), v128.load(correction + o));
    let v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(a), v128.load(scale + o)), v128.load(bias + o));
    if (relu) v = f32x4.max(v, zero);
    v128.store(y + o, v);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let v = <f32>(load<i32>(acc + o) - load<i32>(correction + o)) * load<f32>(scale + o) + load<f32>(bias + o);
    if (relu) v = max<f32>(v, 0);
    store<f32>(y + o, v);
  }
}

// @ts-ignore: decorator
@inline function isConv(d: usize): bool {
  return slot(d, KIND) == INT8_CONV;
}

/**
 * Bytes from one row of a convolution's padded input image to the next: the
 * padded width rounded up to 8, so that with stride 1 every row of output
 * positions starts a panel of the GEMM (see convPooled2x2).
 */
// @ts-ignore: decorator
@inline function imagePitch(d: usize): i32 {
  return up(slot(d, CV_W) + 2 * slot(d, CV_PW), 8);
}

/** Bytes of a convolution's padded input image (one code per value). */
function imageBytes(d: usize): i32 {
  return slot(d, CV_C) * (slot(d, CV_H) + 2 * slot(d, CV_PH)) * imagePitch(d);
}

/**
 * Quantises one sample's float32 input of layer d (with d's own input
 * quantisation) into d's codes at `dst`: row `row` of a dense layer's rows
 * (the depth padded to kp with code 0, whose weights are 0), or the inside
 * of a convolution's padded image (whose border the caller has filled with
 * the zero point, the code of the real value 0). For a convolution the
 * sample is quantised in place first (src is scratch: codes written over
 * float32 values never overtake the reads), then its rows are copied into
 * the image.
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
  quantiseRow(src, src, c * h * w, inv, zero);
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < h; r++) memory.copy(dst + <usize>((ch * hp + r + ph) * pitch + pw), src + <usize>((ch * h + r) * w), <usize>w);
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

/** The address of depth t's run of the padded image (channel, kernel row, kernel column; rows `pitch` apart) at output position 0. */
// @ts-ignore: decorator
@inline function depthRow(image: usize, t: i32, kh: i32, kw: i32, hp: i32, pitch: i32, dh: i32, dw: i32): usize {
  return image + <usize>(((t / (kh * kw)) * hp + ((t / kw) % kh) * dh) * pitch + (t % kw) * dw);
}

/**
 * Convolution d on one sample's padded image of codes: float32 output
 * (O × ho × wo, or pooled) at y. The GEMM's columns are the output positions
 * on a grid of rows `width` wide: with stride 1, the padded image's own width
 * wp, so that depth (ch, ki, kj) of every position is one run of the image
 * read in place (the positions past wo on each row are computed and
 * dropped); otherwise wo, the image lowered (im2col) first. `work` holds the
 * packed columns (P padded to 8, kp/4 quads each), the accumulators (O padded
 * to 4 × P padded to 8), then an area that holds first the lowered image (kp
 * rows of P padded to 8 codes; with stride 1, one row of zeros) and, with
 * pooling, one channel's float32 output (P) or pooled accumulators.
 */
function convSample(d: usize, image: usize, work: usize, y: usize): void {
  const c = slot(d, CV_C), h = slot(d, CV_H), w = slot(d, CV_W), o = slot(d, CV_O);
  const kh = slot(d, CV_KH), kw = slot(d, CV_KW), sh = slot(d, CV_SH), sw = slot(d, CV_SW);
  const ph = slot(d, CV_PH), pw = slot(d, CV_PW), dh = slot(d, CV_DH), dw = slot(d, CV_DW);
  const ho = slot(d, CV_HO), wo = slot(d, CV_WO);
  const kp = slot(d, Q_KP);
  const hp = h + 2 * ph, pitch = imagePitch(d);
  const direct = sh == 1 && sw == 1;
  const width = direct ? pitch : wo;
  const depth = c * kh * kw, plane = ho * width, pPad = up(plane, 8), oPad = up(o, 4);
  const cols = work;
  const acc = cols + <usize>up(pPad * kp, 64);
  const convOut = acc + <usize>up(oPad * pPad * 4, 64);

  // Depth t's row of positions: in the image (stride 1) or lowered into the area at convOut, free until the epilogue.
  const lowered = convOut;
  const rowBytes = <usize>pPad;
  if (direct) {
    if (kp > depth) memory.fill(lowered, 0, rowBytes);
  } else {
    for (let t = 0; t < depth; t++) {
      const src = depthRow(image, t, kh, kw, hp, pitch, dh, dw);
      const dst = lowered + <usize>t * rowBytes;
      for (let oh = 0; oh < ho; oh++) copyRow(src + <usize>(oh * sh * pitch), dst + <usize>(oh * wo), wo, sw);
    }
    if (kp > depth) memory.fill(lowered + <usize>depth * rowBytes, 0, <usize>(kp - depth) * rowBytes);
  }
  // Packed: depth quad (t … t + 3) of positions p..p+7 is the four rows' 8 codes transposed, position by position.
  const panelBytes = <usize>(kp >> 2) << 5;
  for (let t = 0; t < kp; t += 4) {
    let r0: usize, r1: usize, r2: usize, r3: usize;
    if (direct) {
      r0 = t < depth ? depthRow(image, t, kh, kw, hp, pitch, dh, dw) : lowered;
      r1 = t + 1 < depth ? depthRow(image, t + 1, kh, kw, hp, pitch, dh, dw) : lowered;
      r2 = t + 2 < depth ? depthRow(image, t + 2, kh, kw, hp, pitch, dh, dw) : lowered;
      r3 = t + 3 < depth ? depthRow(image, t + 3, kh, kw, hp, pitch, dh, dw) : lowered;
    } else {
      r0 = lowered + <usize>t * rowBytes;
      r1 = r0 + rowBytes;
      r2 = r1 + rowBytes;
      r3 = r2 + rowBytes;
    }
    let dst = cols + (<usize>(t >> 2) << 5);
    for (let p = 0; p < pPad; p += 8) {
      const at = <usize>p;
      const t01 = i8x16.shuffle(v128.load64_zero(r0 + at), v128.load64_zero(r1 + at), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const t23 = i8x16.shuffle(v128.load64_zero(r2 + at), v128.load64_zero(r3 + at), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      v128.store(dst, i16x8.shuffle(t01, t23, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(dst, i16x8.shuffle(t01, t23, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      dst += panelBytes;
    }
  }
  if (direct && pools2x2(d)) {
    convPooled2x2(d, kp, cols, width, acc, y);
    return;
  }
  gemmConv(<usize>slot(d, Q_W_PTR), kp, cols, pPad >> 3, oPad >> 2, acc, pPad);

  const correction = <usize>slot(d, Q_CORR_PTR), scale = <usize>slot(d, Q_SCALE_PTR), bias = <usize>slot(d, Q_BIAS_PTR);
  const relu = slot(d, Q_RELU) != 0;
  const pooled = slot(d, CV_POOL_KH) > 0;
  const pooledPlane = slot(d, CV_POOL_HO) * slot(d, CV_POOL_WO);
  for (let ch = 0; ch < o; ch++) {
    const at = <usize>ch << 2;
    const k = load<i32>(correction + at), s = load<f32>(scale + at), b = load<f32>(bias + at);
    const from = acc + (<usize>(ch * pPad) << 2);
    if (pooled) {
      const to = y + (<usize>(ch * pooledPlane) << 2);
      if (s > 0 && s < Infinity) {
        // The epilogue is non-decreasing in the accumulator (rounding is monotone): the maximum of the
        // outputs is the output of the maximum, so the integers are pooled and only the pooled ones converted.
        maxPoolPlane<i32>(from, convOut, width, d);
        epilogueRow(convOut, to, pooledPlane, k, s, b, relu);
      } else {
        epilogueRow(from, convOut, plane, k, s, b, relu); // the whole grid, dropped positions too
        maxPoolPlane<f32>(convOut, to, width, d);
      }
    } else if (width == wo) epilogueRow(from, y + (<usize>(ch * plane) << 2), plane, k, s, b, relu);
    else for (let oh = 0; oh < ho; oh++) epilogueRow(from + (<usize>(oh * width) << 2), y + (<usize>((ch * ho + oh) * wo) << 2), wo, k, s, b, relu);
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

/** `count` codes from src (every `stride`-th) to dst, contiguous. */
function copyRow(src: usize, dst: usize, count: i32, stride: i32): void {
  if (stride == 1) {
    memory.copy(dst, src, <usize>count);
    return;
  }
  for (let i = 0; i < count; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>(i * stride)));
}

/** The larger of two vectors of T (f32: wasm's max, NaN kept; i32: signed). */
// @ts-ignore: decorator
@inline function vmax<T>(a: v128, b: v128): v128 {
  return isFloat<T>() ? f32x4.max(a, b) : i32x4.max_s(a, b);
}

/**
 * Four outputs of 2×2 max pooling (stride 2) from 8 values of each of two
 * rows (t0, t1: the top row's; b0, b1: the bottom row's): the two rows'
 * maximum, then that of neighbours.
 */
// @ts-ignore: decorator
@inline function pool2x2<T>(t0: v128, t1: v128, b0: v128, b1: v128): v128 {
  const m0 = vmax<T>(t0, b0), m1 = vmax<T>(t1, b1);
  const even = i8x16.shuffle(m0, m1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const odd = i8x16.shuffle(m0, m1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  return vmax<T>(even, odd);
}

/** Whether layer d's pooling is the common 2×2 window with stride 2. */
// @ts-ignore: decorator
@inline function pools2x2(d: usize): bool {
  return slot(d, CV_POOL_KH) == 2 && slot(d, CV_POOL_KW) == 2 && slot(d, CV_POOL_SH) == 2 && slot(d, CV_POOL_SW) == 2;
}

/**
 * The GEMM, epilogue and 2×2 max pooling (stride 2) of a stride-1
 * convolution fused, tile by tile, so that no plane of accumulators is
 * written: the grid's rows are `width` apart, a multiple of 8, so rows 2i
 * and 2i + 1 each start a panel, and panel m of the two holds positions
 * 8m … 8m + 7 of two rows one above the other, which pool into columns
 * 4m … 4m + 3 of pooled row i. The two tiles (4 output channels × 8
 * positions) go through `buffer` (256 bytes, in L1). The pooling and the
 * epilogue are those of convSample's two orders (pooled integers where the
 * channel's scale is positive and finite, else pooled floats), to the bit.
 */
function convPooled2x2(d: usize, kp: i32, cols: usize, width: i32, buffer: usize, y: usize): void {
  const o = slot(d, CV_O), w = <usize>slot(d, Q_W_PTR);
  const pho = slot(d, CV_POOL_HO), pwo = slot(d, CV_POOL_WO);
  const correction = <usize>slot(d, Q_CORR_PTR), scale = <usize>slot(d, Q_SCALE_PTR), bias = <usize>slot(d, Q_BIAS_PTR);
  const relu = slot(d, Q_RELU) != 0;
  const panelBytes = <usize>(kp >> 2) << 5;
  const rowPanels = <usize>(width >> 3);
  const top = buffer, bottom = buffer + 128;
  for (let t = 0; t < o; t += 4) {
    const a0 = w + <usize>t * <usize>kp;
    for (let i = 0; i < pho; i++) {
      const upper = cols + <usize>(2 * i) * rowPanels * panelBytes;
      for (let m = 0; 4 * m < pwo; m++) {
        const panel = upper + <usize>m * panelBytes;
        tile(a0, kp, panel, top, 32, true);
        tile(a0, kp, panel + rowPanels * panelBytes, bottom, 32, true);
        for (let ch = t; ch < min(t + 4, o); ch++) {
          const row = <usize>(ch - t) << 5, at = <usize>ch << 2;
          const s = load<f32>(scale + at);
          const vc = i32x4.splat(load<i32>(correction + at)), vs = f32x4.splat(s), vb = f32x4.splat(load<f32>(bias + at));
          const t0 = v128.load(top + row), t1 = v128.load(top + row, 16), b0 = v128.load(bottom + row), b1 = v128.load(bottom + row, 16);
          const v =
            s > 0 && s < Infinity
              ? epilogue4(pool2x2<i32>(t0, t1, b0, b1), vc, vs, vb, relu)
              : pool2x2<f32>(epilogue4(t0, vc, vs, vb, relu), epilogue4(t1, vc, vs, vb, relu), epilogue4(b0, vc, vs, vb, relu), epilogue4(b1, vc, vs, vb, relu));
          const out = y + (<usize>((ch * pho + i) * pwo + 4 * m) << 2);
          const left = pwo - 4 * m;
          if (left >= 4) v128.store(out, v);
          else {
            store<f32>(out, f32x4.extract_lane(v, 0));
            if (left > 1) store<f32>(out, f32x4.extract_lane(v, 1), 4);
            if (left > 2) store<f32>(out, f32x4.extract_lane(v, 2), 8);
          }
        }
      }
    }
  }
}

/**
 * Max pooling (no padding, dilation 1) of one output channel's plane of T
 * (float32 outputs, or int32 accumulators) whose rows are `wo` apart (the
 * pooling reads only the first positions of each), into dst.
 */
function maxPoolPlane<T>(plane: usize, dst: usize, wo: i32, d: usize): void {
  const kh = slot(d, CV_POOL_KH), kw = slot(d, CV_POOL_KW), sh = slot(d, CV_POOL_SH), sw = slot(d, CV_POOL_SW);
  const pho = slot(d, CV_POOL_HO), pwo = slot(d, CV_POOL_WO);
  let at = dst;
  for (let i = 0; i < pho; i++) {
    let j = 0;
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
      // The common 2×2 window, four outputs at a time: the two rows' maximum, then that of neighbours.
      const top = plane + (<usize>(2 * i * wo) << 2), bottom = top + (<usize>wo << 2);
      for (; j + 4 <= pwo; j += 4) {
        const o0 = <usize>(2 * j) << 2;
        v128.store(at, pool2x2<T>(v128.load(top + o0), v128.load(top + o0, 16), v128.load(bottom + o0), v128.load(bottom + o0, 16)));
        at += 16;
      }
    }
    for (; j < pwo; j++) {
      let best = load<T>(plane + (<usize>(i * sh * wo + j * sw) << 2));
      for (let u = 0; u < kh; u++) {
        const row = plane + (<usize>((i * sh + u) * wo + j * sw) << 2);
        for (let v = 0; v < kw; v++) best = max<T>(best, load<T>(row + (<usize>v << 2)));
      }
      store<T>(at, best);
      at += 4;
    }
  }
}
