// The int8 kernels' arithmetic (see asm/int8.ts for the scheme): 7-bit
// quantisation of float32 activations, the dot products of both builds, the
// register tile and the GEMMs built on it, and the epilogues that turn int32
// sums back into float32.

// @ts-ignore: decorator
@inline export function up(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

/** The zero-point-shifted 7-bit codes of four floats, as i32x4. */
// @ts-ignore: decorator
@inline export function codes4(x: v128, inv: v128, lo: v128, hi: v128, zero: v128): v128 {
  return i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.min(f32x4.max(f32x4.mul(x, inv), lo), hi))), zero);
}

/** Four codes (i32x4 in [0, 127]) as the four bytes of a u32. */
// @ts-ignore: decorator
@inline export function bytes4(codes: v128): u32 {
  const halves = i16x8.narrow_i32x4_s(codes, codes);
  return i32x4.extract_lane(i8x16.narrow_i16x8_u(halves, halves), 0);
}

/** Quantises `count` floats at src into 7-bit codes (bytes) at dst (see the file comment); dst may be src. */
export function quantiseRow(src: usize, dst: usize, count: i32, inv: f32, zero: i32): void {
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
  for (; i + 4 <= count; i += 4) store<u32>(dst + <usize>i, bytes4(codes4(v128.load(src + (<usize>i << 2)), vi, vlo, vhi, vz)));
  for (; i < count; i++) store<u8>(dst + <usize>i, code1(load<f32>(src + (<usize>i << 2)), inv, lo, hi, zero));
}

/** As quantiseRow, the codes `stride` bytes apart at dst (a row of one channel into a channels-last image). */
export function quantiseRowStrided(src: usize, dst: usize, count: i32, stride: i32, inv: f32, zero: i32): void {
  const top: i32 = 127 - zero;
  const lo = <f32>(-zero), hi = <f32>top;
  const vi = f32x4.splat(inv), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vz = i32x4.splat(zero);
  const step = <usize>stride;
  let at = dst, i = 0;
  for (; i + 4 <= count; i += 4) {
    const b = bytes4(codes4(v128.load(src + (<usize>i << 2)), vi, vlo, vhi, vz));
    store<u8>(at, b);
    store<u8>(at + step, b >> 8);
    store<u8>(at + 2 * step, b >> 16);
    store<u8>(at + 3 * step, b >> 24);
    at += 4 * step;
  }
  for (; i < count; i++) {
    store<u8>(at, code1(load<f32>(src + (<usize>i << 2)), inv, lo, hi, zero));
    at += step;
  }
}

/** The 7-bit code of one float (lo = −zero, hi = 127 − zero), as codes4 gives it. */
// @ts-ignore: decorator
@inline export function code1(x: f32, inv: f32, lo: f32, hi: f32, zero: i32): u8 {
  const v = nearest<f32>(min<f32>(max<f32>(x * inv, lo), hi));
  return <u8>((v != v ? 0 : <i32>v) + zero); // NaN: the zero point, as i32x4.trunc_sat gives
}

/**
 * acc + the four sums of four products of w (int8) and x (7-bit codes): lane
 * i sums bytes 4i..4i+3. The relaxed build's; without it the same integers
 * come in two halves kept apart until `combine` (see dotLow).
 */
// @ts-ignore: decorator
@inline export function dot(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x)));
}

/** Without relaxed SIMD: lanes (2i, 2i+1) of the result hold the two halves of quad i of bytes 0..7 (widened to int16). */
// @ts-ignore: decorator
@inline export function dotLow(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w), i16x8.extend_low_i8x16_s(x)));
}

/** As dotLow, bytes 8..15. */
// @ts-ignore: decorator
@inline export function dotHigh(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w), i16x8.extend_high_i8x16_s(x)));
}

/** The four quad sums from dotLow's and dotHigh's accumulators. */
// @ts-ignore: decorator
@inline export function combine(low: v128, high: v128): v128 {
  return i32x4.add(i32x4.shuffle(low, high, 0, 2, 4, 6), i32x4.shuffle(low, high, 1, 3, 5, 7));
}

/** One step of a tile: acc + dot of a splat quad of A and a vector of B, the int8 operand first. */
// @ts-ignore: decorator
@inline export function step(splat: v128, panel: v128, acc: v128, aIsWeights: bool): v128 {
  return aIsWeights ? dot(splat, panel, acc) : dot(panel, splat, acc);
}

/**
 * One register tile: C (4 rows × 8 columns at cp, rows cRow bytes apart) =
 * 4 rows of A (at a0 … a3) · the panel at bp, over `quads` depth quads (see
 * the file comment). Quad q of a row of A is at byte 4q, or where `table`
 * is not 0, at the offset table[q] (an i32: a channels-last image, see
 * convHwcPooled). `aIsWeights`: A holds the int8 weights and B the 7-bit
 * codes (a convolution), or the reverse.
 */
// @ts-ignore: decorator
@inline export function tile(a0: usize, a1: usize, a2: usize, a3: usize, quads: i32, table: usize, bp: usize, cp: usize, cRow: usize, aIsWeights: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    for (let q = 0; q < quads; q++) {
      const off = table != 0 ? <usize>load<i32>(table + (<usize>q << 2)) : <usize>q << 2;
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
        const off = table != 0 ? <usize>load<i32>(table + (<usize>q << 2)) : <usize>q << 2;
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

/** A tile whose 4 rows of A are rows of a matrix, kp bytes apart. */
// @ts-ignore: decorator
@inline export function tileRows(a0: usize, kp: i32, bp: usize, cp: usize, cRow: usize, aIsWeights: bool): void {
  tile(a0, a0 + <usize>kp, a0 + 2 * <usize>kp, a0 + 3 * <usize>kp, kp >> 2, 0, bp, cp, cRow, aIsWeights);
}

/** C = A · B over `tiles` tiles of 4 rows and `panels` panels of 8 columns (see `tile`); ldc in int32s. */
// @ts-ignore: decorator
@inline export function gemmQuads(a: usize, kp: i32, b: usize, panels: i32, tiles: i32, c: usize, ldc: i32, aIsWeights: bool): void {
  const panelBytes = <usize>(kp >> 2) << 5;
  const cRow = <usize>ldc << 2;
  for (let t = 0; t < tiles; t++) {
    const a0 = a + <usize>(t << 2) * <usize>kp;
    for (let p = 0; p < panels; p++) tileRows(a0, kp, b + <usize>p * panelBytes, c + <usize>(t << 2) * cRow + (<usize>p << 5), cRow, aIsWeights);
  }
}

/** C (one row) = a (kp 7-bit codes) · B (int8 weights), for a dense layer's row past the last full tile of 4 (see gemmQuads). */
export function gemvQuads(a: usize, kp: i32, b: usize, panels: i32, c: usize): void {
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
export function gemmConv(w: usize, kp: i32, cols: usize, panels: i32, tiles: i32, c: usize, ldc: i32): void {
  gemmQuads(w, kp, cols, panels, tiles, c, ldc, true);
}

/** The dense layer's GEMM: rows of codes times packed int8 weights. */
export function gemmDense(x: usize, kp: i32, w: usize, panels: i32, tiles: i32, c: usize, ldc: i32): void {
  gemmQuads(x, kp, w, panels, tiles, c, ldc, false);
}

/** max?(f32(acc − correction)·scale + bias) of four accumulators of one output channel (correction, scale and bias splat). */
// @ts-ignore: decorator
@inline export function epilogue4(acc: v128, correction: v128, scale: v128, bias: v128, relu: bool): v128 {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(acc, correction)), scale), bias);
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/** y[j] = max?(f32(acc[j] − correction)·scale + bias) for `count` values: one output channel's (a row of a convolution). */
export function epilogueRow(acc: usize, y: usize, count: i32, correction: i32, scale: f32, bias: f32, relu: bool): void {
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
export function epilogueColumns(acc: usize, y: usize, n: i32, correction: usize, scale: usize, bias: usize, relu: bool): void {
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
