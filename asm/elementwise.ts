// Float32 element-wise kernels of the CNN's hot path, run on the calling
// thread. In JS these loops branch on the data (x > 0, a new maximum), and on
// random activations half those branches mispredict: 7–8 ns per element on
// the reference machine. WebAssembly's max and select are branch-free.

/** out[i] = max(x[i], 0); NaN propagates (as the JS reference does). */
export function reluF32(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(out + i, f32x4.max(v128.load(x + i), zero));
  for (; i < end; i += 4) store<f32>(out + i, max<f32>(load<f32>(x + i), 0));
}

/** dx[i] = g[i] where out[i] > 0, else 0 (out is relu's output). */
export function reluGradF32(out: usize, g: usize, dx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(dx + i, v128.and(v128.load(g + i), f32x4.gt(v128.load(out + i), zero)));
  for (; i < end; i += 4) store<f32>(dx + i, select<f32>(load<f32>(g + i), 0, load<f32>(out + i) > 0));
}

/**
 * Max pooling over `planes` H×W planes: for each output cell, the value and the
 * flat input offset (plane·H·W + ih·W + iw) of the first maximum of its
 * window; a NaN wins over numbers, the first NaN over later ones. Every
 * window holds at least one input cell (padding ≤ half the kernel).
 */
export function maxPool2dF32(
  x: usize, values: usize, offsets: usize, planes: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, ho: i32, wo: i32,
): void {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1) {
    maxPool2x2F32(x, values, offsets, planes, h, w, ho, wo);
    return;
  }
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < ho; oh++) {
      const ih0 = oh * sh - ph;
      for (let ow = 0; ow < wo; ow++) {
        const iw0 = ow * sw - pw;
        let best: f32 = 0, bestAt: i32 = -1;
        for (let i = 0; i < kh; i++) {
          const ih = ih0 + i * dh;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = iw0 + j * dw;
            if (iw < 0 || iw >= w) continue;
            const at = base + ih * w + iw;
            const v = load<f32>(x + (<usize>at << 2));
            // Bitwise, not short-circuit: a branch on random data mispredicts half the time.
            const take = (<i32>(bestAt < 0)) | (<i32>(v > best)) | ((<i32>(v != v)) & (<i32>(best == best)));
            best = select<f32>(v, best, take != 0);
            bestAt = select<i32>(at, bestAt, take != 0);
          }
        }
        store<f32>(values + o, best);
        store<i32>(offsets + o, bestAt);
        o += 4;
      }
    }
  }
}

/**
 * maxPool2dF32 for the common 2×2 window, stride 2, no padding: four output
 * cells at a time. The window's cells are tried in the same order as the
 * general kernel (top-left, top-right, bottom-left, bottom-right). A row
 * whose width is not a multiple of four ends with four cells that overlap
 * the ones before (each cell is computed alike either time): one element at
 * a time, the few cells left cost several times a vector of four.
 */
function maxPool2x2F32(x: usize, values: usize, offsets: usize, planes: i32, h: i32, w: i32, ho: i32, wo: i32): void {
  const rowBytes = <usize>w << 2;
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < ho; oh++) {
      const rowStart = base + 2 * oh * w;
      const top = x + (<usize>rowStart << 2);
      let ow = 0;
      for (; ow + 4 <= wo; ow += 4) maxPool2x2Four(top, rowBytes, rowStart, ow, values + o + (<usize>ow << 2), offsets + o + (<usize>ow << 2));
      if (ow < wo && wo >= 4) {
        ow = wo - 4;
        maxPool2x2Four(top, rowBytes, rowStart, ow, values + o + (<usize>ow << 2), offsets + o + (<usize>ow << 2));
        ow = wo;
      }
      for (; ow < wo; ow++) {
        let bestAt = rowStart + 2 * ow;
        let best = load<f32>(x + (<usize>bestAt << 2));
        for (let q = 1; q < 4; q++) {
          const at = rowStart + 2 * ow + (q >> 1) * w + (q & 1);
          const v = load<f32>(x + (<usize>at << 2));
          const take = (<i32>(v > best)) | ((<i32>(v != v)) & (<i32>(best == best)));
          best = select<f32>(v, best, take != 0);
          bestAt = select<i32>(at, bestAt, take != 0);
        }
        store<f32>(values + o + (<usize>ow << 2), best);
        store<i32>(offsets + o + (<usize>ow << 2), bestAt);
      }
      o += <usize>wo << 2;
    }
  }
}

/** Output cells ow..ow+3 of the row of 2×2 windows whose top input row starts at `top` (element rowStart). */
// @ts-ignore: decorator
@inline function maxPool2x2Four(top: usize, rowBytes: usize, rowStart: i32, ow: i32, values: usize, offsets: usize): void {
  const off = <usize>ow << 3; // 2·ow floats
  const bottom = top + rowBytes;
  const t0 = v128.load(top + off), t1 = v128.load(top + off, 16);
  const b0 = v128.load(bottom + off), b1 = v128.load(bottom + off, 16);
  let best = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
  let at = i32x4.splat(0);
  let candidate = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
  let take = wins(candidate, best);
  best = v128.bitselect(candidate, best, take);
  at = v128.bitselect(i32x4.splat(1), at, take);
  candidate = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  take = wins(candidate, best);
  best = v128.bitselect(candidate, best, take);
  at = v128.bitselect(i32x4.splat(<i32>(rowBytes >> 2)), at, take);
  candidate = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  take = wins(candidate, best);
  best = v128.bitselect(candidate, best, take);
  at = v128.bitselect(i32x4.splat(<i32>(rowBytes >> 2) + 1), at, take);
  v128.store(values, best);
  v128.store(offsets, i32x4.add(i32x4.add(i32x4.splat(rowStart + 2 * ow), i32x4(0, 2, 4, 6)), at));
}

/** Lanes where the candidate replaces the best so far: larger, or a NaN over a number. */
// @ts-ignore: decorator
@inline export function wins(candidate: v128, best: v128): v128 {
  return v128.or(f32x4.gt(candidate, best), v128.and(f32x4.ne(candidate, candidate), f32x4.eq(best, best)));
}

/**
 * dst[0..len] = Σ_b src[b·len .. (b+1)·len] over b = 0..count, added in order
 * of b. Four rows per pass: their adds chained in registers (the same adds in
 * the same order), so dst is loaded and stored once per four rows.
 */
export function sumRowsF32(src: usize, count: i32, len: i32, dst: usize): void {
  const bytes = <usize>len << 2;
  memory.copy(dst, src, bytes);
  let b = 1;
  for (; b + 4 <= count; b += 4) {
    const r0 = src + <usize>b * bytes, r1 = r0 + bytes, r2 = r1 + bytes, r3 = r2 + bytes;
    let i: usize = 0;
    for (; i + 16 <= bytes; i += 16) {
      const sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(v128.load(dst + i), v128.load(r0 + i)), v128.load(r1 + i)), v128.load(r2 + i)), v128.load(r3 + i));
      v128.store(dst + i, sum);
    }
    for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(r0 + i) + load<f32>(r1 + i) + load<f32>(r2 + i) + load<f32>(r3 + i));
  }
  for (; b < count; b++) {
    const row = src + <usize>b * bytes;
    let i: usize = 0;
    for (; i + 16 <= bytes; i += 16) v128.store(dst + i, f32x4.add(v128.load(dst + i), v128.load(row + i)));
    for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(row + i));
  }
}

/**
 * One Adam-style step over n float32 elements, in place, in float32
 * arithmetic (as PyTorch for float32 parameters; the scalars arrive rounded
 * to float32): the operations of routines/adam.ts's reference one for one,
 * four lanes at a time, so the results are the same to the bit:
 *   g' = sign·g + l2·p;  v = b2·v + c2·g'·g';  m = mu·m + keep·g';
 *   p = p·shrink − lr·(m / (√v / vScale + eps)).
 */
export function adamF32(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  sign: f32, l2: f32, shrink: f32, mu: f32, keep: f32, lr: f32, vScale: f32, b2: f32, c2: f32, eps: f32,
): void {
  const vSign = f32x4.splat(sign), vL2 = f32x4.splat(l2), vShrink = f32x4.splat(shrink), vMu = f32x4.splat(mu);
  const vKeep = f32x4.splat(keep), vLr = f32x4.splat(lr), vScale4 = f32x4.splat(vScale), vB2 = f32x4.splat(b2);
  const vC2 = f32x4.splat(c2), vEps = f32x4.splat(eps);
  const end = <usize>n << 2;
  let i: usize = 0;
  // Eight values a pass: two independent groups of four keep the divider busy (each step waits on a square root and two divisions).
  for (; i + 32 <= end; i += 32) {
    const p0 = v128.load(p + i);
    const p1 = v128.load(p + i, 16);
    const g0 = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vL2, p0));
    const g1 = f32x4.add(f32x4.mul(vSign, v128.load(g + i, 16)), f32x4.mul(vL2, p1));
    const v0 = f32x4.add(f32x4.mul(vB2, v128.load(v + i)), f32x4.mul(f32x4.mul(vC2, g0), g0));
    const v1 = f32x4.add(f32x4.mul(vB2, v128.load(v + i, 16)), f32x4.mul(f32x4.mul(vC2, g1), g1));
    v128.store(v + i, v0);
    v128.store(v + i, v1, 16);
    const m0 = f32x4.add(f32x4.mul(vMu, v128.load(m + i)), f32x4.mul(vKeep, g0));
    const m1 = f32x4.add(f32x4.mul(vMu, v128.load(m + i, 16)), f32x4.mul(vKeep, g1));
    v128.store(m + i, m0);
    v128.store(m + i, m1, 16);
    const s0 = f32x4.add(f32x4.div(f32x4.sqrt(v0), vScale4), vEps);
    const s1 = f32x4.add(f32x4.div(f32x4.sqrt(v1), vScale4), vEps);
    // p read again rather than kept: one register fewer (held, it went to the stack and back).
    v128.store(p + i, f32x4.sub(f32x4.mul(v128.load(p + i), vShrink), f32x4.mul(vLr, f32x4.div(m0, s0))));
    v128.store(p + i, f32x4.sub(f32x4.mul(v128.load(p + i, 16), vShrink), f32x4.mul(vLr, f32x4.div(m1, s1))), 16);
  }
  for (; i + 16 <= end; i += 16) {
    const pi = v128.load(p + i);
    const gi = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vL2, pi));
    const vi = f32x4.add(f32x4.mul(vB2, v128.load(v + i)), f32x4.mul(f32x4.mul(vC2, gi), gi));
    v128.store(v + i, vi);
    const mi = f32x4.add(f32x4.mul(vMu, v128.load(m + i)), f32x4.mul(vKeep, gi));
    v128.store(m + i, mi);
    const step = f32x4.mul(vLr, f32x4.div(mi, f32x4.add(f32x4.div(f32x4.sqrt(vi), vScale4), vEps)));
    v128.store(p + i, f32x4.sub(f32x4.mul(pi, vShrink), step));
  }
  for (; i < end; i += 4) {
    const pi = load<f32>(p + i);
    const gi = sign * load<f32>(g + i) + l2 * pi;
    const vi = b2 * load<f32>(v + i) + c2 * gi * gi;
    store<f32>(v + i, vi);
    const mi = mu * load<f32>(m + i) + keep * gi;
    store<f32>(m + i, mi);
    store<f32>(p + i, pi * shrink - lr * (mi / (Mathf.sqrt(vi) / vScale + eps)));
  }
}

/**
 * One SGD step over n float32 elements, in place, in float32 arithmetic (the
 * scalars arrive rounded to float32): routines/sgd.ts's reference operation
 * for operation, four lanes at a time. Without momentum (m = 0):
 *   p = p·shrink − lr·(sign·g + l2·p);
 * with it: g' = sign·g + l2·p;  m = g' on the first step, else mu·m + keep·g';
 *   p = p·shrink − lr·(a·g' + b·m)   ((a, b) = (0, 1), or (1, mu) for Nesterov).
 */
export function sgdF32(
  p: usize, g: usize, m: usize, n: i32,
  sign: f32, l2: f32, shrink: f32, mu: f32, keep: f32, lr: f32, a: f32, b: f32, firstTerm: i32,
): void {
  const vSign = f32x4.splat(sign), vL2 = f32x4.splat(l2), vShrink = f32x4.splat(shrink), vMu = f32x4.splat(mu);
  const vKeep = f32x4.splat(keep), vLr = f32x4.splat(lr), vA = f32x4.splat(a), vB = f32x4.splat(b);
  const end = <usize>n << 2;
  let i: usize = 0;
  if (m == 0) {
    for (; i + 16 <= end; i += 16) {
      const pi = v128.load(p + i);
      const gi = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vL2, pi));
      v128.store(p + i, f32x4.sub(f32x4.mul(pi, vShrink), f32x4.mul(vLr, gi)));
    }
    for (; i < end; i += 4) {
      const pi = load<f32>(p + i);
      store<f32>(p + i, pi * shrink - lr * (sign * load<f32>(g + i) + l2 * pi));
    }
    return;
  }
  for (; i + 16 <= end; i += 16) {
    const pi = v128.load(p + i);
    const gi = f32x4.add(f32x4.mul(vSign, v128.load(g + i)), f32x4.mul(vL2, pi));
    const mi = firstTerm != 0 ? gi : f32x4.add(f32x4.mul(vMu, v128.load(m + i)), f32x4.mul(vKeep, gi));
    v128.store(m + i, mi);
    v128.store(p + i, f32x4.sub(f32x4.mul(pi, vShrink), f32x4.mul(vLr, f32x4.add(f32x4.mul(vA, gi), f32x4.mul(vB, mi)))));
  }
  for (; i < end; i += 4) {
    const pi = load<f32>(p + i);
    const gi = sign * load<f32>(g + i) + l2 * pi;
    const mi = firstTerm != 0 ? gi : mu * load<f32>(m + i) + keep * gi;
    store<f32>(m + i, mi);
    store<f32>(p + i, pi * shrink - lr * (a * gi + b * mi));
  }
}

/** dx[i] = g[i]·(1 − out[i]²), each step rounded to float32 as the unfused ops round it. */
export function tanhGradF32(out: usize, g: usize, dx: usize, n: i32): void {
  const one = f32x4.splat(1);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const o = v128.load(out + i);
    v128.store(dx + i, f32x4.mul(v128.load(g + i), f32x4.sub(one, f32x4.mul(o, o))));
  }
  for (; i < end; i += 4) {
    const o = load<f32>(out + i);
    store<f32>(dx + i, load<f32>(g + i) * (<f32>1 - o * o));
  }
}

// tanhF32's constants: the same values as src/backend/routines/fast-math.ts's.
const TANH_SMALL: f64 = 0.015625;
const TANH_CLAMP: f64 = 10;
const TANH_LOG2E: f64 = 1.4426950408889634;
const TANH_LN2_HI: f64 = 6.93147180369123816490e-1;
const TANH_LN2_LO: f64 = 1.90821492927058770002e-10;
const TANH_ROUND: f64 = 6755399441055744; // 1.5·2^52: adding it puts round(y) in the low bits

/**
 * out[i] = tanh(x[i]) for float32, two lanes of float64 at a time: the
 * operations of fast-math.ts's tanhF32 one for one (both branches computed,
 * the small one picked below 2^-6), rounded once to float32, so every size
 * gives the same values to the bit.
 */
export function tanhF32(x: usize, out: usize, n: i32): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(x + i);
    const low = tanh2(f64x2.promote_low_f32x4(v));
    const high = tanh2(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    v128.store(out + i, v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5));
  }
  for (; i < end; i += 4) store<f32>(out + i, tanhOne(<f64>load<f32>(x + i)));
}

/** tanhF32's float64 operations on two lanes. */
// @ts-ignore: decorator
@inline function tanh2(v: v128): v128 {
  const one = f64x2.splat(1), round = f64x2.splat(TANH_ROUND);
  const a = f64x2.abs(v);
  const x2 = f64x2.mul(v, v);
  const c3 = f64x2.splat(-1.0 / 3.0), c5 = f64x2.splat(2.0 / 15.0), c7 = f64x2.splat(-17.0 / 315.0);
  const near0 = f64x2.mul(v, f64x2.add(one, f64x2.mul(x2, f64x2.add(c3, f64x2.mul(x2, f64x2.add(c5, f64x2.mul(x2, c7)))))));
  const y = f64x2.mul(f64x2.splat(2), f64x2.min(a, f64x2.splat(TANH_CLAMP)));
  const k = f64x2.add(f64x2.mul(y, f64x2.splat(TANH_LOG2E)), round);
  const nf = f64x2.sub(k, round);
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(nf, f64x2.splat(TANH_LN2_HI))), f64x2.mul(nf, f64x2.splat(TANH_LN2_LO)));
  let p = f64x2.splat(1.0 / 479001600.0);
  p = f64x2.add(f64x2.splat(1.0 / 39916800.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 362880.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 5040.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 120.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 6.0), f64x2.mul(r, p));
  p = f64x2.add(f64x2.splat(1.0 / 2.0), f64x2.mul(r, p));
  p = f64x2.add(one, f64x2.mul(r, p));
  p = f64x2.add(one, f64x2.mul(r, p));
  // 2^n from k's low bits (k = 1.5·2^52 + n): (n + 1023) shifted into the exponent field.
  const pow2 = i64x2.shl(i64x2.add(k, i64x2.splat(1023)), 52);
  const t = f64x2.sub(one, f64x2.div(f64x2.splat(2), f64x2.add(f64x2.mul(p, pow2), one)));
  const far = v128.or(t, v128.and(v, i64x2.splat(0x8000000000000000)));
  return v128.bitselect(near0, far, f64x2.lt(a, f64x2.splat(TANH_SMALL)));
}

/** tanhF32 of one value (the kernel's tail), the same operations. */
function tanhOne(x: f64): f32 {
  const a = abs<f64>(x);
  if (a < TANH_SMALL) {
    const x2 = x * x;
    return <f32>(x * (1 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0)))));
  }
  const y = 2 * min<f64>(a, TANH_CLAMP);
  const k = y * TANH_LOG2E + TANH_ROUND;
  const nf = k - TANH_ROUND;
  const r = y - nf * TANH_LN2_HI - nf * TANH_LN2_LO;
  const p =
    1 + r * (1 + r * (1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0 +
    r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (1.0 / 3628800.0 + r * (1.0 / 39916800.0 + r * (1.0 / 479001600.0))))))))))));
  const pow2 = reinterpret<f64>((reinterpret<i64>(k) + 1023) << 52);
  const t = 1 - 2 / (p * pow2 + 1);
  return <f32>(x < 0 ? -t : t);
}
