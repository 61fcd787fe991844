// 2-D convolution jobs for frugal-ml's wasm backend (float32, groups = 1).
//
// A convolution job is a GEMM per sample with an operand that is lowered
// from the image (im2col) or raised back onto it (col2im). Done in JS, the
// lowered columns are 9× larger than the image and cross the JS/wasm
// boundary twice; here each chunk is one sample: the thread that claims it
// lowers that sample into its own scratch, packs it and runs the GEMM
// micro-kernels (gemm.ts) on it, so only images, weights and outputs are
// copied. Every sample is computed by one thread with a fixed sequence of
// operations, so results do not depend on the number of threads.
//
// Kinds (control slot KIND), with K = C·kh·kw and P = Ho·Wo:
// - CONV_FORWARD:  y[b] (O×P) = W (O×K) · cols(x[b]) (K×P) (+ bias per row)
// - CONV_BACKWARD: any of dx[b] = col2im(Wᵀ (K×O) · dy[b] (O×P)),
//                  dW[b] (O×K) = dy[b] (O×P) · cols(x[b])ᵀ (P×K) (or its transpose, K×O, when
//                  K is small) and
//                  db[b] (O, float64) = Σ_p dy[b][·][p], per sample (the caller sums dW[b] and db[b] in order of b).
//   One job for all three copies dy into wasm memory once.
// Either kind may carry the epilogue of a Conv → ReLU (→ MaxPool) block: the
// forward applies relu (and max pooling, keeping each window's arg-max) to the
// sample's output in the thread's scratch, so only the pooled output leaves;
// the backward turns the gradient of the block's output back into dy per
// sample (relu's mask is the block's output > 0; pooling scatters to the
// arg-max) before the convolution's gradients, or, where it suits a pooled
// block, takes the gradients from the pooled cells directly (conv-pooled.ts).
import { maxPool2dF32, reluF32, reluGradF32 } from './elementwise';
import { biasReluMaxPool2x2F32, maxPoolBiasReluValuesF32 } from './conv-pool';
import { blockF32, packB32, packRowGroup, slot, MC_MAX, PACK_ROWS } from './gemm';
import {
  CONV_FORWARD, CV_BIAS_PTR, CV_BLOCK_OUT_PTR, CV_COLS_BYTES, CV_DB_PTR, CV_DW_PTR, CV_DW_TRANSPOSED, CV_DX_PTR, CV_DY_PTR, CV_POOL_HO, CV_POOL_IDX_PTR, CV_POOL_KH, CV_POOL_KW, CV_POOL_SH, CV_POOL_SW, CV_POOL_WO, CV_RELU, CV_SCRATCH_BYTES, CV_SCRATCH_PTR, CV_WEIGHT_PTR, CV_X_PTR, CV_Y_PTR, CV_Y_SCRATCH, WORK_BYTES, WORK_PTR,
} from './layout';
import { gc, gdh, gdw, gh, gho, gkh, gkw, go, gph, gpw, gsh, gsw, gw, gwo, readGeometry } from './conv-geometry';
import { addFloats, copyFloats, zeroFloats } from './floats';
import { pooledBackward } from './conv-pooled';

/** First output column whose input column j·dw − pw + ow·sw is ≥ 0, and one past the last that is < w. */
// @ts-ignore: decorator
@inline function validFrom(j: i32): i32 {
  const iw0 = j * gdw - gpw;
  return iw0 >= 0 ? 0 : min(gwo, (-iw0 + gsw - 1) / gsw);
}
// @ts-ignore: decorator
@inline function validTo(j: i32): i32 {
  const iw0 = j * gdw - gpw;
  return iw0 >= gw ? 0 : min(gwo, (gw - iw0 + gsw - 1) / gsw);
}

/**
 * Whether each block of the lowered matrix is its input plane read at one
 * fixed offset: with stride 1 along both axes and as many output columns as
 * input columns, entry (oh, ow) of block (ch, i, j) is input pixel
 * oh·w + ow + (i·dh − ph)·w + j·dw − pw, except in the rows and columns that
 * fall in the padding. Then a block is one long copy (or add) and a few
 * zeros instead of a short copy per output row ("same" convolutions).
 */
// @ts-ignore: decorator
@inline function shiftedPlanes(): bool {
  return gsh == 1 && gsw == 1 && gwo == gw;
}

/** For shiftedPlanes: the first output row of kernel row i that reads inside the image, and one past the last. */
// @ts-ignore: decorator
@inline function rowsFrom(i: i32): i32 {
  return min(gho, max(0, gph - i * gdh));
}
// @ts-ignore: decorator
@inline function rowsTo(i: i32): i32 {
  return max(rowsFrom(i), min(gho, gh - i * gdh + gph));
}

/** Zeros the columns outside [lo, hi) of output rows [ohLo, ohHi) of one block (a column or two: plain stores). */
// @ts-ignore: decorator
@inline function zeroPaddingColumns(block: usize, ohLo: i32, ohHi: i32, lo: i32, hi: i32): void {
  if (lo == 0 && hi == gwo) return;
  const rowBytes = <usize>gwo << 2;
  const first = block + <usize>ohLo * rowBytes, end = block + <usize>ohHi * rowBytes;
  // Column by column down the rows: a store and an add per entry (the columns are one or two, the rows many).
  for (let q = 0; q < lo; q++) {
    for (let at = first + (<usize>q << 2); at < end; at += rowBytes) store<f32>(at, 0);
  }
  for (let q = hi; q < gwo; q++) {
    for (let at = first + (<usize>q << 2); at < end; at += rowBytes) store<f32>(at, 0);
  }
}

/** Row (ch·kh + i)·kw + j of the lowered matrix: dst[oh·wo + ow] = x[ch, oh·sh − ph + i·dh, ow·sw − pw + j·dw] (0 outside). */
// @ts-ignore: decorator
@inline function lowerRow(x: usize, ch: i32, i: i32, j: i32, dst: usize): void {
  const plane = gho * gwo;
  const src = x + (<usize>(ch * gh * gw) << 2);
  const ohLo = rowsFrom(i), ohHi = rowsTo(i);
  const lo = validFrom(j), hi = max(lo, validTo(j));
  const iw0 = j * gdw - gpw;
  if (shiftedPlanes()) {
    // One copy from the first valid entry to the last; then the padding's rows and columns are zeroed.
    if (ohLo == ohHi || lo == hi) {
      zeroFloats(dst, plane);
    } else {
      const first = ohLo * gwo + lo, last = (ohHi - 1) * gwo + hi;
      const shift = (i * gdh - gph) * gw + iw0;
      zeroFloats(dst, first);
      copyFloats(dst + (<usize>first << 2), src + (<usize>(first + shift) << 2), last - first);
      zeroFloats(dst + (<usize>last << 2), plane - last);
      zeroPaddingColumns(dst, ohLo, ohHi, lo, hi);
    }
    return;
  }
  for (let oh = 0; oh < gho; oh++) {
    const out = dst + (<usize>(oh * gwo) << 2);
    const ih = oh * gsh - gph + i * gdh;
    if (ih < 0 || ih >= gh) {
      zeroFloats(out, gwo);
      continue;
    }
    if (lo > 0) zeroFloats(out, lo);
    if (hi < gwo) zeroFloats(out + (<usize>hi << 2), gwo - hi);
    const srcRow = src + (<usize>(ih * gw) << 2);
    if (gsw == 1) {
      copyFloats(out + (<usize>lo << 2), srcRow + (<usize>(iw0 + lo) << 2), hi - lo);
    } else {
      for (let ow = lo; ow < hi; ow++) {
        store<f32>(out + (<usize>ow << 2), load<f32>(srcRow + (<usize>(iw0 + ow * gsw) << 2)));
      }
    }
  }
}

/** The lowered matrix of x, C·kh·kw rows of Ho·Wo (row (ch·kh + i)·kw + j: lowerRow). */
function im2col(x: usize, cols: usize): void {
  const rowBytes = <usize>(gho * gwo) << 2;
  let row = cols;
  for (let ch = 0; ch < gc; ch++) {
    for (let i = 0; i < gkh; i++) {
      for (let j = 0; j < gkw; j++) {
        lowerRow(x, ch, i, j, row);
        row += rowBytes;
      }
    }
  }
}

/**
 * The lowered matrix of x packed as packB32 packs it (NR32-column panels),
 * without writing it whole first: PACK_ROWS rows at a time are lowered into
 * `rows` (a few KiB that stay in L1) and dealt out to the panels from there,
 * instead of the whole matrix (larger than L1) being written, then read
 * back for packing. The panels hold the same values.
 */
function im2colPacked(x: usize, rows: usize, packed: usize): void {
  const depth = gc * gkh * gkw;
  const rowBytes = <usize>(gho * gwo) << 2;
  // The next row's channel and kernel offsets, advanced row by row (no division per row).
  let ch = 0, i = 0, j = 0;
  for (let p0 = 0; p0 < depth; p0 += PACK_ROWS) {
    const count = min(PACK_ROWS, depth - p0);
    for (let r = 0; r < count; r++) {
      lowerRow(x, ch, i, j, rows + <usize>r * rowBytes);
      if (++j == gkw) {
        j = 0;
        if (++i == gkh) {
          i = 0;
          ch++;
        }
      }
    }
    packRowGroup(rows, rowBytes, depth, p0, count, <i32>rowBytes, packed);
  }
}

/**
 * The adjoint of im2col: x (zeroed first) gets every column entry added onto
 * its pixel. Each pixel gets its entries in the same order on either path;
 * the shifted one zeroes the padding's entries in cols (a scratch) and adds
 * them too, and x + 0 is x (x starts at +0, so it is never −0).
 */
function col2im(cols: usize, x: usize): void {
  const plane = gho * gwo;
  const shifted = shiftedPlanes();
  memory.fill(x, 0, <usize>(gc * gh * gw) << 2);
  let row = cols;
  for (let ch = 0; ch < gc; ch++) {
    const dstPlane = x + (<usize>(ch * gh * gw) << 2);
    for (let i = 0; i < gkh; i++) {
      const ohLo = rowsFrom(i), ohHi = rowsTo(i);
      for (let j = 0; j < gkw; j++) {
        const lo = validFrom(j), hi = max(lo, validTo(j));
        const iw0 = j * gdw - gpw;
        if (shifted) {
          if (ohLo < ohHi && lo < hi) {
            const first = ohLo * gwo + lo, last = (ohHi - 1) * gwo + hi;
            const shift = (i * gdh - gph) * gw + iw0;
            zeroPaddingColumns(row, ohLo, ohHi, lo, hi);
            addFloats(dstPlane + (<usize>(first + shift) << 2), row + (<usize>first << 2), last - first);
          }
          row += <usize>plane << 2;
          continue;
        }
        for (let oh = 0; oh < gho; oh++) {
          const ih = oh * gsh - gph + i * gdh;
          if (ih < 0 || ih >= gh) continue;
          const src = row + (<usize>(oh * gwo) << 2);
          const dstRow = dstPlane + (<usize>(ih * gw + iw0) << 2);
          if (gsw == 1) {
            addFloats(dstRow + (<usize>lo << 2), src + (<usize>lo << 2), hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) {
              const at = dstRow + (<usize>(ow * gsw) << 2);
              store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>ow << 2)));
            }
          }
        }
        row += <usize>plane << 2;
      }
    }
  }
}

/** C (m×n, row stride n) = op(A) · packed B over all rows, MC_MAX rows at a time (blockF32's packed-A block). */
function gemmAllRows(a: usize, lda: i32, transA: bool, bp: usize, c: usize, m: i32, n: i32, k: i32, gemmScratch: usize): void {
  for (let i = 0; i < m; i += MC_MAX) {
    blockF32(a, lda, transA, bp, c, n, k, i, min(m, i + MC_MAX), 0, n, false, gemmScratch);
  }
}

/** y[r][0..n] += bias[r] for each of the m rows (bias 0: none), then max(·, 0) when relu, in one pass. */
function addRowBiasRelu(y: usize, bias: usize, relu: bool, m: i32, n: i32): void {
  if (bias == 0) {
    if (relu) reluF32(y, y, m * n);
    return;
  }
  const rowBytes = <usize>n << 2;
  // Below every float, NaN excepted (max with it is the identity, as the missing relu is); f32x4.max and max<f32> propagate NaN.
  const floor: f32 = relu ? 0 : -Infinity;
  const floors = f32x4.splat(floor);
  for (let r = 0; r < m; r++) {
    const v = load<f32>(bias + (<usize>r << 2));
    const vv = f32x4.splat(v);
    const row = y + <usize>r * rowBytes;
    let i: usize = 0;
    for (; i + 16 <= rowBytes; i += 16) v128.store(row + i, f32x4.max(f32x4.add(v128.load(row + i), vv), floors));
    for (; i < rowBytes; i += 4) store<f32>(row + i, max<f32>(load<f32>(row + i) + v, floor));
  }
}

/**
 * db[r] = Σ_p dy[r][p] for each of the m rows, in float64 with four partial
 * sums (as the JS channelSum adds): s0, s1 in one f64x2 and s2, s3 in
 * another, the same adds two at a time. Four rows go side by side, so that
 * eight chains of dependent adds are in flight instead of four (each add
 * waits on the one before it in its chain); each row's sums are formed as
 * when it is alone.
 */
function rowSums(dy: usize, m: i32, n: i32, db: usize): void {
  const rowBytes = <usize>n << 2;
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const row0 = dy + <usize>r * rowBytes,
      row1 = row0 + rowBytes,
      row2 = row1 + rowBytes,
      row3 = row2 + rowBytes;
    let a01 = f64x2.splat(0), a23 = f64x2.splat(0), b01 = f64x2.splat(0), b23 = f64x2.splat(0);
    let c01 = f64x2.splat(0), c23 = f64x2.splat(0), d01 = f64x2.splat(0), d23 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      a01 = f64x2.add(a01, f64x2.promote_low_f32x4(v128.load64_zero(row0 + at)));
      a23 = f64x2.add(a23, f64x2.promote_low_f32x4(v128.load64_zero(row0 + at, 8)));
      b01 = f64x2.add(b01, f64x2.promote_low_f32x4(v128.load64_zero(row1 + at)));
      b23 = f64x2.add(b23, f64x2.promote_low_f32x4(v128.load64_zero(row1 + at, 8)));
      c01 = f64x2.add(c01, f64x2.promote_low_f32x4(v128.load64_zero(row2 + at)));
      c23 = f64x2.add(c23, f64x2.promote_low_f32x4(v128.load64_zero(row2 + at, 8)));
      d01 = f64x2.add(d01, f64x2.promote_low_f32x4(v128.load64_zero(row3 + at)));
      d23 = f64x2.add(d23, f64x2.promote_low_f32x4(v128.load64_zero(row3 + at, 8)));
    }
    const sums = db + (<usize>r << 3);
    store<f64>(sums, rowTotal(row0, i, n, a01, a23));
    store<f64>(sums, rowTotal(row1, i, n, b01, b23), 8);
    store<f64>(sums, rowTotal(row2, i, n, c01, c23), 16);
    store<f64>(sums, rowTotal(row3, i, n, d01, d23), 24);
  }
  for (; r < m; r++) {
    const row = dy + <usize>r * rowBytes;
    let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const at = row + (<usize>i << 2);
      s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v128.load64_zero(at)));
      s23 = f64x2.add(s23, f64x2.promote_low_f32x4(v128.load64_zero(at, 8)));
    }
    store<f64>(db + (<usize>r << 3), rowTotal(row, i, n, s01, s23));
  }
}

/** A row's sum from its partial sums over the first i values: the rest added onto s0, then s0 + s1 + (s2 + s3). */
// @ts-ignore: decorator
@inline function rowTotal(row: usize, i: i32, n: i32, s01: v128, s23: v128): f64 {
  let s0 = f64x2.extract_lane(s01, 0);
  for (; i < n; i++) s0 += <f64>load<f32>(row + (<usize>i << 2));
  return s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
}

/**
 * The pooled gradient sent back to each window's arg-max (where relu let the
 * value through), for 2×2 windows of stride 2 that tile the go planes of
 * gho×gwo exactly, four windows at a time: every cell of dense is written
 * (the gradient, or +0 where its window's maximum was elsewhere), so it needs
 * no zeroing first. Equal bit for bit to zeroing and adding each gradient onto
 * its arg-max (+0 + g is added here too: it turns −0 into +0). A row of
 * windows whose width is not a multiple of four ends with four that overlap
 * the ones before (written alike either time); poolWo ≥ 4.
 */
function unpool2x2(dy: usize, out: usize, idx: usize, relu: bool, dense: usize, poolHo: i32, poolWo: i32): void {
  const zero = f32x4.splat(0);
  const lanes = i32x4(0, 2, 4, 6);
  const everywhere = i32x4.splat(-1);
  let cell: usize = 0;
  for (let ch = 0; ch < go; ch++) {
    for (let r = 0; r < poolHo; r++) {
      const rowStart = (ch * gho + 2 * r) * gwo;
      const top = dense + (<usize>rowStart << 2);
      const bottom = top + (<usize>gwo << 2);
      for (let ow = 0; ; ow = min(ow + 4, poolWo - 4)) {
        const at = cell + (<usize>ow << 2);
        const arg = v128.load(idx + at);
        const pass = relu ? f32x4.gt(v128.load(out + at), zero) : everywhere;
        const grad = v128.and(f32x4.add(zero, v128.load(dy + at)), pass);
        const topLeft = i32x4.add(i32x4.splat(rowStart + 2 * ow), lanes);
        const bottomLeft = i32x4.add(topLeft, i32x4.splat(gwo));
        const tl = v128.and(grad, i32x4.eq(arg, topLeft));
        const tr = v128.and(grad, i32x4.eq(arg, i32x4.add(topLeft, i32x4.splat(1))));
        const bl = v128.and(grad, i32x4.eq(arg, bottomLeft));
        const br = v128.and(grad, i32x4.eq(arg, i32x4.add(bottomLeft, i32x4.splat(1))));
        const off = <usize>ow << 3; // 2·ow floats
        v128.store(top + off, v128.shuffle<f32>(tl, tr, 0, 4, 1, 5));
        v128.store(top + off, v128.shuffle<f32>(tl, tr, 2, 6, 3, 7), 16);
        v128.store(bottom + off, v128.shuffle<f32>(bl, br, 0, 4, 1, 5));
        v128.store(bottom + off, v128.shuffle<f32>(bl, br, 2, 6, 3, 7), 16);
        if (ow + 4 >= poolWo) break;
      }
      cell += <usize>poolWo << 2;
    }
  }
}

/** Runs sample `b` of the convolution job in the control block at `ctl` on thread `tid`. */
export function convChunk(ctl: usize, tid: i32, b: i32, kind: i32): void {
  readGeometry(ctl);
  const plane = gho * gwo;
  const depth = gc * gkh * gkw;
  const scratch = <usize>slot(ctl, CV_SCRATCH_PTR) + <usize>tid * <usize>slot(ctl, CV_SCRATCH_BYTES);
  const cols = scratch;
  const packed = scratch + <usize>slot(ctl, CV_COLS_BYTES);
  const gemmScratch = <usize>slot(ctl, WORK_PTR) + <usize>tid * <usize>slot(ctl, WORK_BYTES);
  const weight = <usize>slot(ctl, CV_WEIGHT_PTR);
  const imageBytes = <usize>(gc * gh * gw) << 2;
  const outputBytes = <usize>(go * plane) << 2;
  const x = <usize>slot(ctl, CV_X_PTR) + <usize>b * imageBytes;
  const poolKh = slot(ctl, CV_POOL_KH), poolKw = slot(ctl, CV_POOL_KW);
  const poolHo = slot(ctl, CV_POOL_HO), poolWo = slot(ctl, CV_POOL_WO);
  const pooledCells = go * poolHo * poolWo;
  const yScratch = scratch + <usize>slot(ctl, CV_Y_SCRATCH);
  const relu = slot(ctl, CV_RELU) != 0;
  if (kind == CONV_FORWARD) {
    im2colPacked(x, cols, packed);
    const y = poolKh != 0 ? yScratch : <usize>slot(ctl, CV_Y_PTR) + <usize>b * outputBytes;
    gemmAllRows(weight, depth, false, packed, y, go, plane, depth, gemmScratch);
    const bias = <usize>slot(ctl, CV_BIAS_PTR);
    const cell = <usize>(b * pooledCells) << 2;
    const blockOut = <usize>slot(ctl, CV_BLOCK_OUT_PTR) + cell;
    const poolSh = slot(ctl, CV_POOL_SH), poolSw = slot(ctl, CV_POOL_SW);
    if (poolKh != 0 && relu && slot(ctl, CV_POOL_IDX_PTR) == 0) {
      // No arg-max wanted (inference): pooled first, then bias and relu on the pooled values (the same values: conv-pool.ts).
      maxPoolBiasReluValuesF32(y, bias, blockOut, go, gho, gwo, poolKh, poolKw, poolSh, poolSw, poolHo, poolWo);
      return;
    }
    if (relu && poolKh == 2 && poolKw == 2 && poolSh == 2 && poolSw == 2) {
      // Bias, relu and pooling in one pass over y (conv-pool.ts).
      biasReluMaxPool2x2F32(y, bias, blockOut, <usize>slot(ctl, CV_POOL_IDX_PTR) + cell, go, gho, gwo, poolHo, poolWo);
      return;
    }
    addRowBiasRelu(y, bias, relu, go, plane);
    if (poolKh != 0) {
      maxPool2dF32(
        y, blockOut, <usize>slot(ctl, CV_POOL_IDX_PTR) + cell, go, gho, gwo,
        poolKh, poolKw, poolSh, poolSw, 0, 0, 1, 1, poolHo, poolWo,
      );
    }
    return;
  }
  let dy = <usize>slot(ctl, CV_DY_PTR) + <usize>b * (poolKh != 0 ? <usize>pooledCells << 2 : outputBytes);
  const dx = <usize>slot(ctl, CV_DX_PTR);
  const dW = <usize>slot(ctl, CV_DW_PTR);
  const db = <usize>slot(ctl, CV_DB_PTR);
  const transposedRows = slot(ctl, CV_DW_TRANSPOSED);
  // This sample's gradients (0: not wanted); dW is O×K, or R×O transposed (R = transposedRows).
  const dxSample = dx != 0 ? dx + <usize>b * imageBytes : 0;
  const dWSample: usize = dW != 0 ? dW + (<usize>(b * go * (transposedRows != 0 ? transposedRows : depth)) << 2) : 0;
  const dbSample = db != 0 ? db + (<usize>(b * go) << 3) : 0;
  if (poolKh != 0) {
    const cell = <usize>(b * pooledCells) << 2;
    const out = <usize>slot(ctl, CV_BLOCK_OUT_PTR) + cell;
    const idx = <usize>slot(ctl, CV_POOL_IDX_PTR) + cell;
    // Where it suits, the gradients come from the pooled cells themselves (conv-pooled.ts).
    const scratchBytes = <usize>slot(ctl, CV_SCRATCH_BYTES);
    if (pooledBackward(x, weight, dy, out, idx, relu, poolHo, poolWo, slot(ctl, CV_POOL_SH), poolKh, dxSample, dWSample, transposedRows, dbSample, scratch, scratchBytes)) return;
    // The pooled gradient goes to each window's arg-max, where relu let the value through.
    const tiles = poolKh == 2 && poolKw == 2 && slot(ctl, CV_POOL_SH) == 2 && slot(ctl, CV_POOL_SW) == 2 && gho == 2 * poolHo && gwo == 2 * poolWo;
    if (tiles && poolWo >= 4) {
      unpool2x2(dy, out, idx, relu, yScratch, poolHo, poolWo);
    } else {
      zeroFloats(yScratch, go * plane);
      for (let k = 0; k < pooledCells; k++) {
        const at = <usize>k << 2;
        if (!relu || load<f32>(out + at) > 0) {
          const to = yScratch + (<usize>load<i32>(idx + at) << 2);
          store<f32>(to, load<f32>(to) + load<f32>(dy + at));
        }
      }
    }
    dy = yScratch;
  } else if (relu) {
    reluGradF32(<usize>slot(ctl, CV_BLOCK_OUT_PTR) + <usize>b * outputBytes, dy, yScratch, go * plane);
    dy = yScratch;
  }
  if (dx != 0) {
    packB32(dy, plane, false, go, plane, packed);
    gemmAllRows(weight, depth, true, packed, cols, depth, plane, go, gemmScratch);
    col2im(cols, dxSample);
  }
  if (dW != 0) {
    im2col(x, cols);
    if (transposedRows != 0) {
      // dW[b]ᵀ (K×O) = cols (K×P) · dy[b]ᵀ (P×O): each entry is the same sum of the same products, in the same order.
      // Rows K.. of cols are zeroed (they reach only the padding rows of dWᵀ, which the caller drops), so that
      // every panel of cols is packed and multiplied whole (no edge tile).
      zeroFloats(cols + (<usize>(depth * plane) << 2), (transposedRows - depth) * plane);
      packB32(dy, plane, true, plane, go, packed);
      gemmAllRows(cols, plane, false, packed, dWSample, transposedRows, go, plane, gemmScratch);
    } else {
      packB32(cols, plane, true, plane, depth, packed);
      gemmAllRows(dy, plane, false, packed, dWSample, go, depth, plane, gemmScratch);
    }
  }
  if (db != 0) rowSums(dy, go, plane, dbSample);
}
