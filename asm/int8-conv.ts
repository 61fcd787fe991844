// The int8 convolutions (see asm/int8.ts for the scheme): one sample's
// padded image of 7-bit codes to float32 outputs, with the ReLU and max
// pooling fused where the layer carries them.
import { slot } from './gemm';
import {
  CV_C, CV_DH, CV_DW, CV_H, CV_HO, CV_KH, CV_KW, CV_O, CV_PH, CV_POOL_HO, CV_POOL_KH, CV_POOL_KW, CV_POOL_SH, CV_POOL_SW, CV_POOL_WO, CV_PW, CV_SH, CV_SW, CV_W, CV_WO,
  Q_BIAS_PTR, Q_CORR_PTR, Q_KP, Q_RELU, Q_SCALE_PTR, Q_W_PTR,
} from './layout';
import { epilogue4, epilogueRow, gemmConv, tile, tileRows, up } from './int8-gemm';

/**
 * Bytes from one row of a convolution's padded input image to the next: the
 * padded width rounded up to 8, so that with stride 1 every row of output
 * positions starts a panel of the GEMM (see convPooled2x2).
 */
// @ts-ignore: decorator
@inline export function imagePitch(d: usize): i32 {
  return up(slot(d, CV_W) + 2 * slot(d, CV_PW), 8);
}

/**
 * Whether convolution d runs channels-last (convHwcPooled): stride 1, input
 * channels a multiple of 4 (a depth quad is 4 channels of one pixel), 2×2
 * pooling. src/backend/wasm/int8-job.ts (channelsLast) decides alike.
 */
// @ts-ignore: decorator
@inline export function channelsLast(d: usize): bool {
  return slot(d, CV_SH) == 1 && slot(d, CV_SW) == 1 && (slot(d, CV_C) & 3) == 0 && pools2x2(d);
}

/** Bytes of a convolution's padded input image (one code per value; channels-last: pixels of C codes, rows of wp pixels). */
export function imageBytes(d: usize): i32 {
  const rows = slot(d, CV_H) + 2 * slot(d, CV_PH);
  return slot(d, CV_C) * rows * (channelsLast(d) ? slot(d, CV_W) + 2 * slot(d, CV_PW) : imagePitch(d));
}


/** The address of depth t's run of the padded image (channel, kernel row, kernel column; rows `pitch` apart) at output position 0. */
// @ts-ignore: decorator
@inline export function depthRow(image: usize, t: i32, kh: i32, kw: i32, hp: i32, pitch: i32, dh: i32, dw: i32): usize {
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
export function convSample(d: usize, image: usize, work: usize, y: usize): void {
  if (channelsLast(d)) {
    convHwcPooled(d, image, work, y);
    return;
  }
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

/** `count` codes from src (every `stride`-th) to dst, contiguous. */
export function copyRow(src: usize, dst: usize, count: i32, stride: i32): void {
  if (stride == 1) {
    memory.copy(dst, src, <usize>count);
    return;
  }
  for (let i = 0; i < count; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>(i * stride)));
}

/** The larger of two vectors of T (f32: wasm's max, NaN kept; i32: signed). */
// @ts-ignore: decorator
@inline export function vmax<T>(a: v128, b: v128): v128 {
  return isFloat<T>() ? f32x4.max(a, b) : i32x4.max_s(a, b);
}

/**
 * Four outputs of 2×2 max pooling (stride 2) from 8 values of each of two
 * rows (t0, t1: the top row's; b0, b1: the bottom row's): the two rows'
 * maximum, then that of neighbours.
 */
// @ts-ignore: decorator
@inline export function pool2x2<T>(t0: v128, t1: v128, b0: v128, b1: v128): v128 {
  const m0 = vmax<T>(t0, b0), m1 = vmax<T>(t1, b1);
  const even = i8x16.shuffle(m0, m1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const odd = i8x16.shuffle(m0, m1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  return vmax<T>(even, odd);
}

/** Whether layer d's pooling is the common 2×2 window with stride 2. */
// @ts-ignore: decorator
@inline export function pools2x2(d: usize): bool {
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
export function convPooled2x2(d: usize, kp: i32, cols: usize, width: i32, buffer: usize, y: usize): void {
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
        tileRows(a0, kp, panel, top, 32, true);
        tileRows(a0, kp, panel + rowPanels * panelBytes, bottom, 32, true);
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

/** Lanes of va (then vb) to `count` (at most 8) float32s `stride` bytes apart from out. */
// @ts-ignore: decorator
@inline export function storeLanes8(va: v128, vb: v128, out: usize, stride: usize, count: i32): void {
  store<f32>(out, f32x4.extract_lane(va, 0));
  if (count > 1) store<f32>(out + stride, f32x4.extract_lane(va, 1));
  if (count > 2) store<f32>(out + 2 * stride, f32x4.extract_lane(va, 2));
  if (count > 3) store<f32>(out + 3 * stride, f32x4.extract_lane(va, 3));
  if (count > 4) store<f32>(out + 4 * stride, f32x4.extract_lane(vb, 0));
  if (count > 5) store<f32>(out + 5 * stride, f32x4.extract_lane(vb, 1));
  if (count > 6) store<f32>(out + 6 * stride, f32x4.extract_lane(vb, 2));
  if (count > 7) store<f32>(out + 7 * stride, f32x4.extract_lane(vb, 3));
}

/**
 * A stride-1 convolution with 2×2 max pooling on a channels-last image
 * (channelsLast): A is the image, read in place, B the weights in panels of
 * 8 output channels (the depth ordered kernel row, kernel column, channel:
 * packHwcConvWeights), and a tile's 4 rows are the 4 positions of one
 * pooling window, so no position is computed but those pooled, nothing is
 * packed, and the pooling is the maximum of the tile's rows. Pooled
 * integers, or pooled floats in the lanes whose channel scale is not
 * positive and finite, as convSample. `work` holds the tile (128 bytes) and,
 * from byte 256, the quads' offsets from a position's pixel.
 */
export function convHwcPooled(d: usize, image: usize, work: usize, y: usize): void {
  const c = slot(d, CV_C), w = slot(d, CV_W), o = slot(d, CV_O);
  const kh = slot(d, CV_KH), kw = slot(d, CV_KW), pw = slot(d, CV_PW), dh = slot(d, CV_DH), dw = slot(d, CV_DW);
  const pho = slot(d, CV_POOL_HO), pwo = slot(d, CV_POOL_WO);
  const quads = slot(d, Q_KP) >> 2;
  const rowBytes = (w + 2 * pw) * c;
  const table = work + 256;
  let q = 0;
  for (let ki = 0; ki < kh; ki++) {
    for (let kj = 0; kj < kw; kj++) {
      for (let g = 0; g < c; g += 4) {
        store<i32>(table + (<usize>q << 2), ki * dh * rowBytes + kj * dw * c + g);
        q++;
      }
    }
  }
  const weights = <usize>slot(d, Q_W_PTR), panelBytes = <usize>quads << 5;
  const correction = <usize>slot(d, Q_CORR_PTR), scale = <usize>slot(d, Q_SCALE_PTR), bias = <usize>slot(d, Q_BIAS_PTR);
  const relu = slot(d, Q_RELU) != 0;
  const plane = <usize>(pho * pwo) << 2;
  for (let p = 0; p < o; p += 8) {
    const panel = weights + <usize>(p >> 3) * panelBytes;
    const at = <usize>p << 2;
    const k0 = v128.load(correction + at), k1 = v128.load(correction + at, 16);
    const s0 = v128.load(scale + at), s1 = v128.load(scale + at, 16);
    const b0 = v128.load(bias + at), b1 = v128.load(bias + at, 16);
    const m0 = v128.and(f32x4.gt(s0, f32x4.splat(0)), f32x4.lt(s0, f32x4.splat(Infinity)));
    const m1 = v128.and(f32x4.gt(s1, f32x4.splat(0)), f32x4.lt(s1, f32x4.splat(Infinity)));
    const mixed = !(i32x4.all_true(m0) && i32x4.all_true(m1));
    for (let i = 0; i < pho; i++) {
      for (let j = 0; j < pwo; j++) {
        const tl = image + <usize>(2 * i * rowBytes + 2 * j * c), bl = tl + <usize>rowBytes;
        tile(tl, tl + <usize>c, bl, bl + <usize>c, quads, table, panel, work, 32, false);
        const r0 = v128.load(work), r1 = v128.load(work, 32), r2 = v128.load(work, 64), r3 = v128.load(work, 96);
        const u0 = v128.load(work, 16), u1 = v128.load(work, 48), u2 = v128.load(work, 80), u3 = v128.load(work, 112);
        let va = epilogue4(i32x4.max_s(i32x4.max_s(r0, r1), i32x4.max_s(r2, r3)), k0, s0, b0, relu);
        let vb = epilogue4(i32x4.max_s(i32x4.max_s(u0, u1), i32x4.max_s(u2, u3)), k1, s1, b1, relu);
        if (mixed) {
          const fa = f32x4.max(f32x4.max(epilogue4(r0, k0, s0, b0, relu), epilogue4(r1, k0, s0, b0, relu)), f32x4.max(epilogue4(r2, k0, s0, b0, relu), epilogue4(r3, k0, s0, b0, relu)));
          const fb = f32x4.max(f32x4.max(epilogue4(u0, k1, s1, b1, relu), epilogue4(u1, k1, s1, b1, relu)), f32x4.max(epilogue4(u2, k1, s1, b1, relu), epilogue4(u3, k1, s1, b1, relu)));
          va = v128.bitselect(va, fa, m0);
          vb = v128.bitselect(vb, fb, m1);
        }
        storeLanes8(va, vb, y + <usize>p * plane + (<usize>(i * pwo + j) << 2), plane, o - p);
      }
    }
  }
}

/**
 * Max pooling (no padding, dilation 1) of one output channel's plane of T
 * (float32 outputs, or int32 accumulators) whose rows are `wo` apart (the
 * pooling reads only the first positions of each), into dst.
 */
export function maxPoolPlane<T>(plane: usize, dst: usize, wo: i32, d: usize): void {
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
