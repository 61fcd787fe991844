// Small-product kernels for frugal-ml (AssemblyScript, raw pointers), for a
// single-threaded instance with its own ordinary memory (src/backend/wasm/small.ts).
//
// `linear32` computes y = x·W + b for a few rows of x (or the B rows of a
// recurrent step) against a weight matrix held in this memory in column
// panels: W (k×np, np = N rounded up to 4, zero-padded) is cut into panels of
// 8 columns (the last one 4 wide when np % 8 == 4), each stored k rows of
// its width one after another, so a tile's weights stream contiguously and
// each weight load serves four rows of x. No packing per call, no horizontal
// sums. Output rows are np wide (the padding comes out 0), so a chain of
// layers can run in place.
//
// Every output is summed in the order asm/gemm.ts uses (products added one
// by one from 0 over blocks of KC steps, each block's sum then added to the
// running value, which starts at the bias), so a row gives bit-identical
// results whether it goes through here or through the general GEMM: both
// multiply-add with asm/madd.ts (fused in the relaxed build, which the loader
// picks exactly when the GEMM kernels are the relaxed build too).

import { maddF32 } from './madd';

/** The general GEMM's K blocking (asm/gemm.ts KC); sums are grouped the same way. */
const KC: i32 = 256;

// ----------------------------------------------------------------- dense ---

// @ts-ignore: decorator
@inline function finish(a: v128, c: v128, pc: i32, bias: usize, off: usize): v128 {
  if (pc != 0) return f32x4.add(a, c);
  return bias == 0 ? a : f32x4.add(a, v128.load(bias + off));
}

/** Rows r..r+4 × the 8 columns of one panel (pp: its start; bias/y already offset to its first column). */
// @ts-ignore: decorator
@inline function tile4x8(pp: usize, bias: usize, x: usize, ldxB: usize, y: usize, ldyB: usize, k: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  for (let pc = 0; pc < k; pc += KC) {
    const end = min(k, pc + KC);
    let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    let p = pp + (<usize>pc << 5), xa = x + (<usize>pc << 2);
    for (let kk = pc; kk < end; kk++) {
      const w0 = v128.load(p), w1 = v128.load(p, 16);
      let xv = v128.load32_splat(xa);
      a00 = maddF32(xv, w0, a00); a01 = maddF32(xv, w1, a01);
      xv = v128.load32_splat(xa + ldxB);
      a10 = maddF32(xv, w0, a10); a11 = maddF32(xv, w1, a11);
      xv = v128.load32_splat(xa + 2 * ldxB);
      a20 = maddF32(xv, w0, a20); a21 = maddF32(xv, w1, a21);
      xv = v128.load32_splat(xa + 3 * ldxB);
      a30 = maddF32(xv, w0, a30); a31 = maddF32(xv, w1, a31);
      p += 32; xa += 4;
    }
    c00 = finish(a00, c00, pc, bias, 0); c01 = finish(a01, c01, pc, bias, 16);
    c10 = finish(a10, c10, pc, bias, 0); c11 = finish(a11, c11, pc, bias, 16);
    c20 = finish(a20, c20, pc, bias, 0); c21 = finish(a21, c21, pc, bias, 16);
    c30 = finish(a30, c30, pc, bias, 0); c31 = finish(a31, c31, pc, bias, 16);
  }
  if (relu) {
    c00 = f32x4.max(c00, zero); c01 = f32x4.max(c01, zero); c10 = f32x4.max(c10, zero); c11 = f32x4.max(c11, zero);
    c20 = f32x4.max(c20, zero); c21 = f32x4.max(c21, zero); c30 = f32x4.max(c30, zero); c31 = f32x4.max(c31, zero);
  }
  v128.store(y, c00); v128.store(y, c01, 16);
  v128.store(y + ldyB, c10); v128.store(y + ldyB, c11, 16);
  v128.store(y + 2 * ldyB, c20); v128.store(y + 2 * ldyB, c21, 16);
  v128.store(y + 3 * ldyB, c30); v128.store(y + 3 * ldyB, c31, 16);
}

/** Rows r..r+4 × a last panel of 4 columns. */
// @ts-ignore: decorator
@inline function tile4x4(pp: usize, bias: usize, x: usize, ldxB: usize, y: usize, ldyB: usize, k: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
  for (let pc = 0; pc < k; pc += KC) {
    const end = min(k, pc + KC);
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    let p = pp + (<usize>pc << 4), xa = x + (<usize>pc << 2);
    for (let kk = pc; kk < end; kk++) {
      const w = v128.load(p);
      a0 = maddF32(v128.load32_splat(xa), w, a0);
      a1 = maddF32(v128.load32_splat(xa + ldxB), w, a1);
      a2 = maddF32(v128.load32_splat(xa + 2 * ldxB), w, a2);
      a3 = maddF32(v128.load32_splat(xa + 3 * ldxB), w, a3);
      p += 16; xa += 4;
    }
    c0 = finish(a0, c0, pc, bias, 0); c1 = finish(a1, c1, pc, bias, 0);
    c2 = finish(a2, c2, pc, bias, 0); c3 = finish(a3, c3, pc, bias, 0);
  }
  if (relu) { c0 = f32x4.max(c0, zero); c1 = f32x4.max(c1, zero); c2 = f32x4.max(c2, zero); c3 = f32x4.max(c3, zero); }
  v128.store(y, c0); v128.store(y + ldyB, c1); v128.store(y + 2 * ldyB, c2); v128.store(y + 3 * ldyB, c3);
}

/**
 * One row × `panels` (0 to 3) full panels of 8 columns, and with `half` the
 * last panel of 4 after them: one accumulator per 4 columns, at most seven.
 * Never more: eight accumulators, the eight weights loaded for them and the
 * broadcast input are 17 vectors, more than the 15 registers V8's code keeps
 * them in, and an accumulator it then keeps on the stack makes every step
 * wait for a store and a load (about 2× slower). pp: the first panel; the
 * half panel follows the full ones (k rows of 4).
 */
// @ts-ignore: decorator
@inline function row1xPanels(pp: usize, panelB: usize, panels: i32, half: i32, bias: usize, x: usize, y: usize, k: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  const hp = pp + <usize>panels * panelB, hoff = <usize>panels << 5;
  let c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
  for (let pc = 0; pc < k; pc += KC) {
    const end = min(k, pc + KC);
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero;
    let p = pp + (<usize>pc << 5), h = hp + (<usize>pc << 4), xa = x + (<usize>pc << 2);
    for (let kk = pc; kk < end; kk++) {
      const xv = v128.load32_splat(xa);
      if (panels >= 1) { a0 = maddF32(xv, v128.load(p), a0); a1 = maddF32(xv, v128.load(p, 16), a1); }
      if (panels >= 2) { a2 = maddF32(xv, v128.load(p + panelB), a2); a3 = maddF32(xv, v128.load(p + panelB, 16), a3); }
      if (panels >= 3) { a4 = maddF32(xv, v128.load(p + 2 * panelB), a4); a5 = maddF32(xv, v128.load(p + 2 * panelB, 16), a5); }
      if (half) a6 = maddF32(xv, v128.load(h), a6);
      p += 32; h += 16; xa += 4;
    }
    // Only the group's own bias entries are read (a bias past them may be past the memory's end).
    if (panels >= 1) { c0 = finish(a0, c0, pc, bias, 0); c1 = finish(a1, c1, pc, bias, 16); }
    if (panels >= 2) { c2 = finish(a2, c2, pc, bias, 32); c3 = finish(a3, c3, pc, bias, 48); }
    if (panels >= 3) { c4 = finish(a4, c4, pc, bias, 64); c5 = finish(a5, c5, pc, bias, 80); }
    if (half) c6 = finish(a6, c6, pc, bias, hoff);
  }
  storeRow(y, panels, half, relu, c0, c1, c2, c3, c4, c5, c6);
}

/**
 * row1xPanels over the n steps listed in idx only (the k ≤ KC steps whose x
 * is nonzero, in order): a product 0·w with w finite is ±0, and adding ±0 to
 * an accumulator that starts at +0 never changes it, so the result is the
 * same to the bit.
 */
// @ts-ignore: decorator
@inline function row1xPanelsListed(pp: usize, panelB: usize, panels: i32, half: i32, bias: usize, x: usize, y: usize, idx: usize, n: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  const hp = pp + <usize>panels * panelB, hoff = <usize>panels << 5;
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero;
  for (let q = 0; q < n; q++) {
    const kk = <usize>load<i32>(idx + (<usize>q << 2));
    const xv = v128.load32_splat(x + (kk << 2));
    const p = pp + (kk << 5);
    if (panels >= 1) { a0 = maddF32(xv, v128.load(p), a0); a1 = maddF32(xv, v128.load(p, 16), a1); }
    if (panels >= 2) { a2 = maddF32(xv, v128.load(p + panelB), a2); a3 = maddF32(xv, v128.load(p + panelB, 16), a3); }
    if (panels >= 3) { a4 = maddF32(xv, v128.load(p + 2 * panelB), a4); a5 = maddF32(xv, v128.load(p + 2 * panelB, 16), a5); }
    if (half) a6 = maddF32(xv, v128.load(hp + (kk << 4)), a6);
  }
  if (panels >= 1) { a0 = finish(a0, zero, 0, bias, 0); a1 = finish(a1, zero, 0, bias, 16); }
  if (panels >= 2) { a2 = finish(a2, zero, 0, bias, 32); a3 = finish(a3, zero, 0, bias, 48); }
  if (panels >= 3) { a4 = finish(a4, zero, 0, bias, 64); a5 = finish(a5, zero, 0, bias, 80); }
  if (half) a6 = finish(a6, zero, 0, bias, hoff);
  storeRow(y, panels, half, relu, a0, a1, a2, a3, a4, a5, a6);
}

/** Stores a row's accumulators (c0..c5: `panels` full panels; c6: the half panel after them), through ReLU when asked. */
// @ts-ignore: decorator
@inline function storeRow(y: usize, panels: i32, half: i32, relu: i32, c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128): void {
  const zero = f32x4.splat(0);
  if (relu) {
    c0 = f32x4.max(c0, zero); c1 = f32x4.max(c1, zero); c2 = f32x4.max(c2, zero); c3 = f32x4.max(c3, zero);
    c4 = f32x4.max(c4, zero); c5 = f32x4.max(c5, zero); c6 = f32x4.max(c6, zero);
  }
  if (panels >= 1) { v128.store(y, c0); v128.store(y, c1, 16); }
  if (panels >= 2) { v128.store(y, c2, 32); v128.store(y, c3, 48); }
  if (panels >= 3) { v128.store(y, c4, 64); v128.store(y, c5, 80); }
  if (half) v128.store(y + (<usize>panels << 5), c6);
}

/** A row's last columns in one pass: `left` (0 to 3) full panels, then the half panel where `half` is set. */
function lastGroup(pp: usize, panelB: usize, left: i32, half: i32, bias: usize, x: usize, y: usize, k: i32, relu: i32): void {
  if (half) {
    if (left == 0) row1xPanels(pp, panelB, 0, 1, bias, x, y, k, relu);
    else if (left == 1) row1xPanels(pp, panelB, 1, 1, bias, x, y, k, relu);
    else if (left == 2) row1xPanels(pp, panelB, 2, 1, bias, x, y, k, relu);
    else row1xPanels(pp, panelB, 3, 1, bias, x, y, k, relu);
  } else if (left == 1) row1xPanels(pp, panelB, 1, 0, bias, x, y, k, relu);
  else if (left == 2) row1xPanels(pp, panelB, 2, 0, bias, x, y, k, relu);
  else if (left == 3) row1xPanels(pp, panelB, 3, 0, bias, x, y, k, relu);
}

/**
 * lastGroup over the listed steps only (see row1xPanelsListed). Two
 * functions, not one taking `listed`: merged (fourteen bodies in one
 * function), the one-row product ran 10-13 % slower under V8.
 */
function lastGroupListed(pp: usize, panelB: usize, left: i32, half: i32, bias: usize, x: usize, y: usize, idx: usize, n: i32, relu: i32): void {
  if (half) {
    if (left == 0) row1xPanelsListed(pp, panelB, 0, 1, bias, x, y, idx, n, relu);
    else if (left == 1) row1xPanelsListed(pp, panelB, 1, 1, bias, x, y, idx, n, relu);
    else if (left == 2) row1xPanelsListed(pp, panelB, 2, 1, bias, x, y, idx, n, relu);
    else row1xPanelsListed(pp, panelB, 3, 1, bias, x, y, idx, n, relu);
  } else if (left == 1) row1xPanelsListed(pp, panelB, 1, 0, bias, x, y, idx, n, relu);
  else if (left == 2) row1xPanelsListed(pp, panelB, 2, 0, bias, x, y, idx, n, relu);
  else if (left == 3) row1xPanelsListed(pp, panelB, 3, 0, bias, x, y, idx, n, relu);
}

/**
 * Where this instance's lane table lies (initLaneTable), 0 until it is
 * written: for each 4-bit mask of lanes, 16 bytes, the byte shuffle that
 * moves those lanes' int32s to the front in order. Written at run time
 * rather than kept as static data: asm/lstm.ts brings linear32 into the
 * shared-memory kernels too, where every worker's instantiation would write
 * static data again, over the control block.
 */
let laneTable: usize = 0;

/** Writes the lane table (256 bytes) at byte address `at` of this instance's memory, uses it from now on, and returns the first byte past it. */
export function initLaneTable(at: usize): usize {
  for (let mask = 0; mask < 16; mask++) {
    let to = at + (<usize>mask << 4);
    for (let lane = 0; lane < 4; lane++) {
      if ((mask >> lane) & 1) {
        for (let b = 0; b < 4; b++) store<u8>(to + b, lane * 4 + b);
        to += 4;
      }
    }
    for (; to < at + (<usize>mask << 4) + 16; to++) store<u8>(to, to & 3);
  }
  laneTable = at;
  return at + 256;
}

/**
 * Writes to idx the positions i < k where x[i] != 0, in order, and returns
 * how many. Four at a time: the nonzero lanes' mask picks the shuffle that
 * packs their positions to the front of one 16-byte store (about 3× faster
 * than one position at a time, whose count is a chain through every
 * element). Each store writes 16 bytes, so idx needs 3 int32 of room past
 * the last position.
 */
// @ts-ignore: decorator
@inline function listNonzeros(x: usize, k: i32, idx: usize): i32 {
  const zero = f32x4.splat(0), four = i32x4.splat(4);
  let n = 0, i = 0, positions = i32x4(0, 1, 2, 3);
  for (; i + 4 <= k; i += 4) {
    const mask = i32x4.bitmask(f32x4.ne(v128.load(x + (<usize>i << 2)), zero));
    v128.store(idx + (<usize>n << 2), i8x16.swizzle(positions, v128.load(laneTable + (<usize>mask << 4))));
    n += popcnt<i32>(mask);
    positions = i32x4.add(positions, four);
  }
  for (; i < k; i++) {
    store<i32>(idx + (<usize>n << 2), i);
    n += i32(load<f32>(x + (<usize>i << 2)) != 0);
  }
  return n;
}

/**
 * y[r, :np] = relu?(bias + x[r, :k]·W) for r < m: W is k×np in column panels
 * (see the top of this file), bias np floats or 0 for none, x m rows of ldx
 * floats, y m×np. 4×8 register tiles share each weight load over four rows;
 * leftover rows go 24 or 16 columns (three or two panels) at a time. `idx` (k + 3 int32 of
 * scratch, or 0): W holds finite values only, so a leftover row with k ≤ KC
 * may skip its zero inputs (after a ReLU, about half of them).
 */
export function linear32(wp: usize, bias: usize, x: usize, ldx: i32, y: usize, m: i32, k: i32, np: i32, relu: i32, idx: usize): void {
  const ldxB = <usize>ldx << 2, ldyB = <usize>np << 2, panelB = <usize>k << 5;
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const xr = x + <usize>r * ldxB, yr = y + <usize>r * ldyB;
    let j = 0;
    for (; j + 8 <= np; j += 8) tile4x8(wp + <usize>(j >> 3) * panelB, bias == 0 ? 0 : bias + (<usize>j << 2), xr, ldxB, yr + (<usize>j << 2), ldyB, k, relu);
    if (j < np) tile4x4(wp + <usize>(j >> 3) * panelB, bias == 0 ? 0 : bias + (<usize>j << 2), xr, ldxB, yr + (<usize>j << 2), ldyB, k, relu);
  }
  const listed = idx != 0 && k <= KC && laneTable != 0;
  for (; r < m; r++) {
    const xr = x + <usize>r * ldxB, yr = y + <usize>r * ldyB;
    const n = listed ? listNonzeros(xr, k, idx) : 0;
    // Full panels three at a time (two where two or four are left), the last group with the half panel if any.
    let left = np >> 3, j = 0;
    const half = np & 4;
    for (; left > 3; ) {
      const take = left == 4 ? 2 : 3;
      const pp = wp + <usize>(j >> 3) * panelB, bj: usize = bias == 0 ? 0 : bias + (<usize>j << 2), yj = yr + (<usize>j << 2);
      if (take == 2) {
        if (listed) row1xPanelsListed(pp, panelB, 2, 0, bj, xr, yj, idx, n, relu);
        else row1xPanels(pp, panelB, 2, 0, bj, xr, yj, k, relu);
      } else if (listed) row1xPanelsListed(pp, panelB, 3, 0, bj, xr, yj, idx, n, relu);
      else row1xPanels(pp, panelB, 3, 0, bj, xr, yj, k, relu);
      j += take << 3;
      left -= take;
    }
    const pp = wp + <usize>(j >> 3) * panelB, bj: usize = bias == 0 ? 0 : bias + (<usize>j << 2), yj = yr + (<usize>j << 2);
    if (listed) lastGroupListed(pp, panelB, left, half, bj, xr, yj, idx, n, relu);
    else lastGroup(pp, panelB, left, half, bj, xr, yj, k, relu);
  }
}

/** The first byte past this module's static data (none today): the caller's data starts there or later. */
export function staticEnd(): usize {
  return __heap_base;
}

// ------------------------------------------------------------ column sums ---

/** acc[0..n) (float64) += row[0..n) (float32); n a multiple of 4. */
// @ts-ignore: decorator
@inline function sumRowInto64(acc: usize, row: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const v = v128.load(row + (<usize>j << 2));
    const a = acc + (<usize>j << 3);
    v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
    v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
  }
}

/** acc[j] = Σ_r src[r, j] for a rows×cols float32 matrix, into float64 accumulators (a bias gradient). */
export function columnSums32(src: usize, rows: i32, cols: i32, acc: usize): void {
  memory.fill(acc, 0, <usize>cols << 3);
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = src + ((<usize>r * <usize>cols) << 2);
    sumRowInto64(acc, row, c4);
    for (let j = c4; j < cols; j++) {
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
    }
  }
}
