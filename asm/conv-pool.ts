// The epilogue of a Conv → ReLU → MaxPool block, in one pass over the
// convolution's output (without its bias): the bias, relu and pooling.
//
// Where no arg-max is wanted (inference), the pooling runs on the
// convolution's output before the bias and relu, which then touch a quarter
// as many values (2×2 windows). The values are those of relu then pooling:
// adding the bias (rounded) and relu are non-decreasing, so the window's
// largest value stays the largest; relu turns every zero into +0, and a NaN
// anywhere in a window gives NaN either way (f32.max propagates it, as the
// pooling's NaN rule does).
import { wins } from './elementwise';
import { selectLanes32 } from './lane-select';

/**
 * values[p][oh][ow] = max(m + bias[p], 0) (bias 0: none), m the largest of
 * the window (kh×kw at stride sh×sw, no padding, dilation 1) over plane p
 * (h×w) of x, NaN if any is NaN. Each value gets the lane operations that
 * conv.ts's addRowBiasRelu applied in a pass of its own (without a bias,
 * −0 is added, which leaves every float as it is).
 */
export function maxPoolBiasReluValuesF32(
  x: usize, bias: usize, values: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ho: i32, wo: i32,
): void {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && wo >= 4) {
    maxPool2x2Values(x, bias, values, planes, h, w, ho, wo);
    return;
  }
  let o = values;
  for (let p = 0; p < planes; p++) {
    const b = planeBias(bias, p);
    const plane = x + (<usize>(p * h * w) << 2);
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const corner = plane + (<usize>(oh * sh * w + ow * sw) << 2);
        let best = load<f32>(corner);
        for (let i = 0; i < kh; i++) {
          const row = corner + (<usize>(i * w) << 2);
          for (let j = 0; j < kw; j++) best = max<f32>(best, load<f32>(row + (<usize>j << 2)));
        }
        store<f32>(o, max<f32>(best + b, 0));
        o += 4;
      }
    }
  }
}

/** Plane p's bias, or −0 (x + −0 is x for every float) where there is none (bias 0). */
// @ts-ignore: decorator
@inline function planeBias(bias: usize, p: i32): f32 {
  return bias != 0 ? load<f32>(bias + (<usize>p << 2)) : -0.0;
}

/** Whether any lane of the four vectors is NaN. */
// @ts-ignore: decorator
@inline function anyNaN(a: v128, b: v128, c: v128, d: v128): bool {
  return v128.any_true(v128.or(v128.or(f32x4.ne(a, a), f32x4.ne(b, b)), v128.or(f32x4.ne(c, c), f32x4.ne(d, d))));
}

/** Lanes where the candidate replaces the best so far: wins(), which is a larger value alone where there is no NaN. */
// @ts-ignore: decorator
@inline function replaces(candidate: v128, best: v128, numbers: bool): v128 {
  return numbers ? f32x4.gt(candidate, best) : wins(candidate, best);
}

/**
 * f32x4.max(v, 0), the lanes of relu: v where v > 0, +0 where v ≤ 0, and
 * where a lane is NaN (rare) the max itself (V8's f32x4.max is a dozen
 * instructions; a compare and a mask are two).
 */
// @ts-ignore: decorator
@inline function relu4(v: v128): v128 {
  const nan = f32x4.ne(v, v);
  return v128.any_true(nan) ? f32x4.max(v, f32x4.splat(0)) : v128.and(v, f32x4.gt(v, f32x4.splat(0)));
}

/**
 * The 2×2, stride 2 case, four windows at a time (wo ≥ 4); a row whose width
 * is not a multiple of four ends with four windows that overlap the ones
 * before (written alike either time).
 */
function maxPool2x2Values(x: usize, bias: usize, values: usize, planes: i32, h: i32, w: i32, ho: i32, wo: i32): void {
  const rowBytes = <usize>w << 2;
  let o = values;
  for (let p = 0; p < planes; p++) {
    const biases = f32x4.splat(planeBias(bias, p));
    for (let oh = 0; oh < ho; oh++) {
      const top = x + (<usize>((p * h + 2 * oh) * w) << 2);
      const bottom = top + rowBytes;
      for (let ow = 0; ; ow = min(ow + 4, wo - 4)) {
        const off = <usize>ow << 3; // 2·ow floats
        const t0 = v128.load(top + off), t1 = v128.load(top + off, 16);
        const b0 = v128.load(bottom + off), b1 = v128.load(bottom + off, 16);
        const tl = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6), tr = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
        const bl = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), br = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        let largest: v128;
        if (anyNaN(t0, t1, b0, b1)) {
          largest = f32x4.max(f32x4.max(tl, tr), f32x4.max(bl, br));
        } else {
          // No NaN: pmax (one instruction) gives max's value but for −0 against +0, which the bias and relu below make alike.
          largest = f32x4.pmax(f32x4.pmax(tl, tr), f32x4.pmax(bl, br));
        }
        v128.store(o + (<usize>ow << 2), relu4(f32x4.add(largest, biases)));
        if (ow + 4 >= wo) break;
      }
      o += <usize>wo << 2;
    }
  }
}

/**
 * biasReluMaxPool2x2F32's four windows side by side, given their cells
 * (bias added) in the order tried: each window's largest cell after relu
 * and its offset (`first`: the top-left cell's offset of the first window;
 * rows `w` apart) stored at `values` and `offsets`. `numbers`: no cell is
 * NaN (a cell then wins by being larger, and relu is a mask).
 */
// @ts-ignore: decorator
@inline function poolFourWindows(
  topLeft: v128, topRight: v128, bottomLeft: v128, bottomRight: v128, w: i32, first: i32, values: usize, offsets: usize, numbers: bool,
): void {
  const zero = f32x4.splat(0);
  let best = topLeft;
  let at = i32x4.splat(0);
  let take = replaces(topRight, best, numbers);
  best = selectLanes32(topRight, best, take);
  at = selectLanes32(i32x4.splat(1), at, take);
  take = replaces(bottomLeft, best, numbers);
  best = selectLanes32(bottomLeft, best, take);
  at = selectLanes32(i32x4.splat(w), at, take);
  take = replaces(bottomRight, best, numbers);
  best = selectLanes32(bottomRight, best, take);
  at = selectLanes32(i32x4.splat(w + 1), at, take);
  // Where the maximum is ≤ 0 (not NaN) every relu'd cell is +0: the first, top-left, is the arg-max.
  const positive = f32x4.gt(best, zero);
  at = v128.and(at, numbers ? positive : v128.or(positive, f32x4.ne(best, best)));
  v128.store(values, numbers ? v128.and(best, positive) : f32x4.max(best, zero));
  v128.store(offsets, i32x4.add(i32x4.add(i32x4.splat(first), i32x4(0, 2, 4, 6)), at));
}

/**
 * A training forward's epilogue in one pass for 2×2 windows of stride 2 (no
 * padding) after relu: each window's largest relu(y + bias) and the offset
 * of its first maximum (within the sample's planes) are written, as
 * addRowBiasRelu then maxPool2dF32 write them, to the bit; y is not written
 * back. The bias is added to every cell (rounding may make two cells equal),
 * the window's cells are tried in the same order with the same NaN rule,
 * and relu is applied once to the window's maximum: relu is non-decreasing,
 * so a maximum above zero is the same cell's value either way (and ties
 * above zero are ties either way), a NaN is the same NaN; a maximum ≤ 0
 * gives +0, whose first cell in the relu'd window is the top-left one. (No
 * bias: −0 is added, which leaves every float as it is.) A row of windows
 * whose width is not a multiple of four ends with four that overlap the ones
 * before (written alike either time); wo < 4 takes the cell-by-cell path.
 */
export function biasReluMaxPool2x2F32(
  y: usize, bias: usize, values: usize, offsets: usize, planes: i32, h: i32, w: i32, ho: i32, wo: i32,
): void {
  const rowBytes = <usize>w << 2;
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const b = planeBias(bias, p);
    const biases = f32x4.splat(b);
    const base = p * h * w;
    for (let oh = 0; oh < ho; oh++) {
      const rowStart = base + 2 * oh * w;
      const top = y + (<usize>rowStart << 2);
      if (wo < 4) {
        for (let ow = 0; ow < wo; ow++) {
          let bestAt = rowStart + 2 * ow;
          let best = max<f32>(load<f32>(y + (<usize>bestAt << 2)) + b, 0);
          for (let q = 1; q < 4; q++) {
            const at = rowStart + 2 * ow + (q >> 1) * w + (q & 1);
            const v = max<f32>(load<f32>(y + (<usize>at << 2)) + b, 0);
            const take = (<i32>(v > best)) | ((<i32>(v != v)) & (<i32>(best == best)));
            best = select<f32>(v, best, take != 0);
            bestAt = select<i32>(at, bestAt, take != 0);
          }
          store<f32>(values + o + (<usize>ow << 2), best);
          store<i32>(offsets + o + (<usize>ow << 2), bestAt);
        }
      } else {
        const bottom = top + rowBytes;
        for (let ow = 0; ; ow = min(ow + 4, wo - 4)) {
          const off = <usize>ow << 3; // 2·ow floats
          const t0 = v128.load(top + off), t1 = v128.load(top + off, 16);
          const b0 = v128.load(bottom + off), b1 = v128.load(bottom + off, 16);
          const topLeft = f32x4.add(v128.shuffle<f32>(t0, t1, 0, 2, 4, 6), biases);
          const topRight = f32x4.add(v128.shuffle<f32>(t0, t1, 1, 3, 5, 7), biases);
          const bottomLeft = f32x4.add(v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), biases);
          const bottomRight = f32x4.add(v128.shuffle<f32>(b0, b1, 1, 3, 5, 7), biases);
          // Without a NaN among the 16 cells (nearly always), a cell wins by being larger, and relu is a mask:
          // each case a straight run of its own (numbers a constant in each inlined copy).
          const cell = o + (<usize>ow << 2);
          const first = rowStart + 2 * ow;
          if (!anyNaN(topLeft, topRight, bottomLeft, bottomRight)) poolFourWindows(topLeft, topRight, bottomLeft, bottomRight, w, first, values + cell, offsets + cell, true);
          else poolFourWindows(topLeft, topRight, bottomLeft, bottomRight, w, first, values + cell, offsets + cell, false);
          if (ow + 4 >= wo) break;
        }
      }
      o += <usize>wo << 2;
    }
  }
}
