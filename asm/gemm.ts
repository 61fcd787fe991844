// GEMM kernels for frugal-ml's wasm backend (AssemblyScript, raw pointers).
//
// Goto/BLIS structure: B is packed once per call into NR-wide column panels
// (by `packB32` / `packB64`, called from JS before the work is handed out);
// each thread packs the A rows of its chunk into MR-row panels, KC columns at
// a time, and runs a register-tiled micro-kernel over every MR×NR tile.
// Packing absorbs transposes and leading dimensions, and zero-pads the last
// panel so the micro-kernel never needs a masked path.
//
// A GEMM job is a list of chunks (batch × row block × column block) described
// in the control block (layout.ts); index.ts hands each claimed chunk to
// `gemmChunk`. Each element of C is computed with the same sequence of
// operations whichever thread computes it, so results do not depend on the
// number of threads.
//
// Micro-kernel shapes were chosen by measurement under V8 (Node 20): V8 issues
// all loads of a loop iteration before the arithmetic, so the accumulators
// plus one iteration's loaded operands must fit 15 xmm registers. 4×8 (f32)
// uses 8 accumulators + 2 B vectors + 4 broadcasts; 6×8 and 4×12 spill. The
// relaxed build (fused multiply-adds: no register for a product) uses 5×8:
// 10 accumulators + 2 B vectors + one load of 4 A values whose lanes are
// broadcast by shuffles next to their use + 1 broadcast load for the 5th row
// (with 5 broadcast loads it spills and runs at half speed; measured on
// Zen 5 under Node 20, single thread, n = 1024: 5×8 about 8 % faster than
// 4×8, whose 8 accumulators cannot hide the multiply-add latency); it still
// takes 4×8 tiles where the rows are not a multiple of 5 (rowsInFours). Every
// element's sum is formed in the same order whatever the tile, so the two
// tiles give the same bits.

import {
  A_BATCH_BYTES, A_PTR, ACCUMULATE, BP_BATCH_BYTES, BP_PTR, C_BATCH_BYTES, C_PTR, COL_CHUNKS, COLS_PER_CHUNK,
  DTYPE, K, LDA, M, N, ROW_CHUNKS, ROWS_PER_CHUNK, TRANS_A, WORK_BYTES, WORK_PTR,
} from './layout';
import { maddF32, maddF64 } from './madd';
// svm.ts reads these from here.
export { WORK_BYTES, WORK_PTR };

// Register tile and cache blocking. KC·NR·4 B = 8 KiB B micro-panel in L1; MC·KC A block in L2.
/** Rows of the float32 register tile: 5 in the relaxed build (see above), 4 in the other. */
export const MR32: i32 = ASC_FEATURE_RELAXED_SIMD ? 5 : 4;
export const NR32: i32 = 8;
export const MR64: i32 = 4;
export const NR64: i32 = 4;
export const KC: i32 = 256;
/** Largest row block a chunk may have (JS picks ROWS_PER_CHUNK ≤ this). */
export const MC_MAX: i32 = 256;
/** Per-thread scratch: a packed A block (float64 worst case) and one C tile for edges. */
export const WORK_BYTES_PER_THREAD: i32 = MC_MAX * KC * 8 + 256;

/** Reads slot `index` of the control block at byte address `ctl`. */
@inline export function slot(ctl: usize, index: i32): i32 {
  return load<i32>(ctl + (<usize>index << 2));
}

// ------------------------------------------------------------------ jobs ---

/** Computes chunk `chunk` of the GEMM job at `ctl` with the scratch of thread `tid`. */
export function gemmChunk(ctl: usize, tid: i32, chunk: i32): void {
  const rowChunks = slot(ctl, ROW_CHUNKS);
  const colChunks = slot(ctl, COL_CHUNKS);
  const perBatch = rowChunks * colChunks;
  const batch = chunk / perBatch;
  const inBatch = chunk - batch * perBatch;
  const rowChunk = inBatch / colChunks;
  const colChunk = inBatch - rowChunk * colChunks;

  const m = slot(ctl, M);
  const n = slot(ctl, N);
  const rowsPer = slot(ctl, ROWS_PER_CHUNK);
  const colsPer = slot(ctl, COLS_PER_CHUNK);
  const i0 = rowChunk * rowsPer;
  const i1 = min(m, i0 + rowsPer);
  const j0 = colChunk * colsPer;
  const j1 = min(n, j0 + colsPer);

  const a = <usize>slot(ctl, A_PTR) + <usize>batch * <usize>slot(ctl, A_BATCH_BYTES);
  const bp = <usize>slot(ctl, BP_PTR) + <usize>batch * <usize>slot(ctl, BP_BATCH_BYTES);
  const c = <usize>slot(ctl, C_PTR) + <usize>batch * <usize>slot(ctl, C_BATCH_BYTES);
  const scratch = <usize>slot(ctl, WORK_PTR) + <usize>tid * <usize>slot(ctl, WORK_BYTES);
  const k = slot(ctl, K);
  const lda = slot(ctl, LDA);
  const transA = slot(ctl, TRANS_A) != 0;
  const accumulate = slot(ctl, ACCUMULATE) != 0;
  if (slot(ctl, DTYPE) == 0) blockF32(a, lda, transA, bp, c, n, k, i0, i1, j0, j1, accumulate, scratch);
  else blockF64(a, lda, transA, bp, c, n, k, i0, i1, j0, j1, accumulate, scratch);
}

// --------------------------------------------------------------- float32 ---

/**
 * How many of `rows` rows go in tiles of 4 (at the top; the rest in tiles of
 * MR32). In the relaxed build (MR32 = 5), as few as leave a multiple of 5:
 * every count from 12 up is a sum of 5s and 4s (32 = 3·4 + 4·5,
 * 16 = 4·4), so no tile computes rows past the end; the counts that are no
 * such sum (1–3, 6, 7, 11) go all in tiles of 4, the last one a padded edge
 * tile. Either way there are never more tiles than with 5s alone (an edge
 * last), so this holds at every depth: at the first layer's K = 9, where
 * each tile is bound by the multiply-add latency rather than by their
 * number, 16 rows as four 4s instead of 5, 5, 5 and a padded 1 took about a
 * tenth less time (Zen 4, Node 20). packA32 and blockF32 cut the rows
 * alike; every element's sum is the same whatever its tile.
 */
// @ts-ignore: decorator
@inline function rowsInFours(rows: i32): i32 {
  if (MR32 == 4) return rows;
  const fours = (5 - rows % 5) % 5;
  return fours * 4 <= rows ? fours * 4 : (rows + 3) & ~3;
}

/** Rows i0..i1 × columns j0..j1 of C (j0 a multiple of NR32), over all of K in KC steps. */
export function blockF32(
  a: usize, lda: i32, transA: bool, bp: usize, c: usize, ldc: i32, k: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, accumulate: bool, scratch: usize,
): void {
  const packedA = scratch;
  const edgeTile = scratch + <usize>(MC_MAX * KC * 8);
  const ldcBytes = <usize>ldc << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    packA32(a, lda, transA, i0, i1, pc, kc, packedA);
    const overwrite = pc == 0 && !accumulate;
    const foursEnd = i0 + rowsInFours(i1 - i0);
    for (let j = j0; j < j1; j += NR32) {
      const nr = min(NR32, j1 - j);
      // Panel j/NR32 holds all k rows of NR32 columns; this block starts at row pc.
      const bPanel = bp + ((<usize>(j / NR32) * <usize>k + <usize>pc) * NR32 << 2);
      // Tiles of 4 rows, then of MR32 (each loop's tile height a constant once inlined).
      for (let i = i0; i < foursEnd; i += 4) {
        tileF32(4, min(4, i1 - i), nr, kc, packedA + (<usize>(i - i0) * <usize>kc << 2), bPanel, c + ((<usize>i * <usize>ldc + <usize>j) << 2), ldcBytes, overwrite, edgeTile);
      }
      for (let i = foursEnd; i < i1; i += MR32) {
        tileF32(MR32, min(MR32, i1 - i), nr, kc, packedA + (<usize>(i - i0) * <usize>kc << 2), bPanel, c + ((<usize>i * <usize>ldc + <usize>j) << 2), ldcBytes, overwrite, edgeTile);
      }
    }
  }
}

/**
 * One register tile of `height` rows (4 or 5) at cTile, mr × nr of it inside
 * C: a whole tile is stored into C; an edge tile into edgeTile, whose rows
 * and columns inside C are then copied (added where C accumulates).
 */
// @ts-ignore: decorator
@inline function tileF32(
  height: i32, mr: i32, nr: i32, kc: i32, aPanel: usize, bPanel: usize, cTile: usize, ldcBytes: usize, overwrite: bool, edgeTile: usize,
): void {
  if (mr == height && nr == NR32) {
    if (height == 5) kernel5x8(kc, aPanel, bPanel, cTile, ldcBytes, overwrite);
    else kernel4x8(kc, aPanel, bPanel, cTile, ldcBytes, overwrite);
    return;
  }
  if (height == 5) kernel5x8(kc, aPanel, bPanel, edgeTile, NR32 << 2, true);
  else kernel4x8(kc, aPanel, bPanel, edgeTile, NR32 << 2, true);
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) {
      const dst = cTile + (<usize>r * ldcBytes) + (<usize>q << 2);
      const v = load<f32>(edgeTile + ((<usize>(r * NR32 + q)) << 2));
      store<f32>(dst, overwrite ? v : load<f32>(dst) + v);
    }
  }
}

/**
 * As kernel4x8 with 5 rows (`a`: 5 floats per step). Rows 0–3 are broadcast
 * from one load by shuffles, which V8 schedules next to their use (it
 * issues loads first: five broadcast loads would spill).
 */
// @ts-ignore: decorator
@inline function kernel5x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const aEnd = a + <usize>kc * 20;
  while (a < aEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const av = v128.load(a);
    let x = i32x4.shuffle(av, av, 0, 0, 0, 0);
    c00 = maddF32(x, b0, c00); c01 = maddF32(x, b1, c01);
    x = i32x4.shuffle(av, av, 1, 1, 1, 1);
    c10 = maddF32(x, b0, c10); c11 = maddF32(x, b1, c11);
    x = i32x4.shuffle(av, av, 2, 2, 2, 2);
    c20 = maddF32(x, b0, c20); c21 = maddF32(x, b1, c21);
    x = i32x4.shuffle(av, av, 3, 3, 3, 3);
    c30 = maddF32(x, b0, c30); c31 = maddF32(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = maddF32(x, b0, c40); c41 = maddF32(x, b1, c41);
    a += 20;
    b += 32;
  }
  storeRow8(c, c00, c01, overwrite);
  storeRow8(c + ldc, c10, c11, overwrite);
  storeRow8(c + 2 * ldc, c20, c21, overwrite);
  storeRow8(c + 3 * ldc, c30, c31, overwrite);
  storeRow8(c + 4 * ldc, c40, c41, overwrite);
}

/**
 * C[0..4][0..8] (+)= Σ_p a[p][0..4] ⊗ b[p][0..8] over kc steps. `a` is an MR-row
 * panel (4 floats per step), `b` an NR-column panel (8 floats per step).
 */
// @ts-ignore: decorator
@inline function kernel4x8(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const aEnd = a + (<usize>kc << 4);
  while (a < aEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = maddF32(x, b0, c00);
    c01 = maddF32(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = maddF32(x, b0, c10);
    c11 = maddF32(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = maddF32(x, b0, c20);
    c21 = maddF32(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = maddF32(x, b0, c30);
    c31 = maddF32(x, b1, c31);
    a += 16;
    b += 32;
  }
  storeRow8(c, c00, c01, overwrite);
  storeRow8(c + ldc, c10, c11, overwrite);
  storeRow8(c + 2 * ldc, c20, c21, overwrite);
  storeRow8(c + 3 * ldc, c30, c31, overwrite);
}

/** One row of a register tile, 8 floats at `c`: stored, or added to what is there. */
// @ts-ignore: decorator
@inline function storeRow8(c: usize, lo: v128, hi: v128, overwrite: bool): void {
  if (!overwrite) {
    lo = f32x4.add(lo, v128.load(c));
    hi = f32x4.add(hi, v128.load(c, 16));
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

/**
 * Packs rows i0..i1, columns pc..pc+kc of op(A) into row panels of the
 * heights rowsInFours sets: a panel of h rows holds, for each p, the h
 * values op(A)[i .. i+h][pc+p]; rows past i1 are zero.
 */
function packA32(a: usize, lda: i32, transA: bool, i0: i32, i1: i32, pc: i32, kc: i32, dst: usize): void {
  const foursEnd = i0 + rowsInFours(i1 - i0);
  for (let i = i0; i < foursEnd; i += 4) {
    packPanel32(4, min(4, i1 - i), a, lda, transA, i, pc, kc, dst);
    dst += <usize>kc << 4;
  }
  for (let i = foursEnd; i < i1; i += MR32) {
    packPanel32(MR32, min(MR32, i1 - i), a, lda, transA, i, pc, kc, dst);
    dst += <usize>(kc * MR32) << 2;
  }
}

/** packA32's panel of `height` rows (4 or 5; a constant once inlined) from row i, mr ≤ height of them inside A. */
// @ts-ignore: decorator
@inline function packPanel32(height: i32, mr: i32, a: usize, lda: i32, transA: bool, i: i32, pc: i32, kc: i32, dst: usize): void {
  const ldaBytes = <usize>lda << 2;
  const stepBytes = <usize>height << 2;
  if (transA) {
    // Stored K×M: the values of one step are adjacent.
    let src = a + <usize>pc * ldaBytes + (<usize>i << 2);
    if (mr == height) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        if (height == 5) store<f32>(dst, load<f32>(src, 16), 16);
        src += ldaBytes;
        dst += stepBytes;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < height; r++) store<f32>(dst + (<usize>r << 2), r < mr ? load<f32>(src + (<usize>r << 2)) : 0);
        src += ldaBytes;
        dst += stepBytes;
      }
    }
    return;
  }
  // Stored M×K: read 4 rows 4 columns at a time and transpose in registers (a 5th row: its 4 lanes one by one).
  const row0 = a + <usize>i * ldaBytes + (<usize>pc << 2);
  if (mr == height) {
    const row1 = row0 + ldaBytes, row2 = row1 + ldaBytes, row3 = row2 + ldaBytes, row4 = row3 + ldaBytes;
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const off = <usize>p << 2;
      transpose4x4Store(v128.load(row0 + off), v128.load(row1 + off), v128.load(row2 + off), v128.load(row3 + off), dst, stepBytes);
      if (height == 5) {
        const r4 = v128.load(row4 + off);
        store<f32>(dst, f32x4.extract_lane(r4, 0), 16);
        store<f32>(dst, f32x4.extract_lane(r4, 1), 36);
        store<f32>(dst, f32x4.extract_lane(r4, 2), 56);
        store<f32>(dst, f32x4.extract_lane(r4, 3), 76);
      }
      dst += 4 * stepBytes;
    }
    for (; p < kc; p++) {
      for (let r = 0; r < height; r++) store<f32>(dst + (<usize>r << 2), load<f32>(row0 + <usize>r * ldaBytes + (<usize>p << 2)));
      dst += stepBytes;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < height; r++) {
        store<f32>(dst + (<usize>r << 2), r < mr ? load<f32>(row0 + <usize>r * ldaBytes + (<usize>p << 2)) : 0);
      }
      dst += stepBytes;
    }
  }
}

/** Writes the transpose of the 4×4 block with rows r0..r3: column q goes to dst + q·stride. */
// @ts-ignore: decorator
@inline function transpose4x4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(dst, i64x2.shuffle(t0, t2, 0, 2));
  v128.store(dst + stride, i64x2.shuffle(t0, t2, 1, 3));
  v128.store(dst + 2 * stride, i64x2.shuffle(t1, t3, 0, 2));
  v128.store(dst + 3 * stride, i64x2.shuffle(t1, t3, 1, 3));
}

/** Rows of B per pass of packRowPanels: their lines stay in L1 while every panel takes its 32 bytes of each. */
export const PACK_ROWS: i32 = 8;

/**
 * Packs B stored K×N row by row (`rowBytes` bytes of a row used, rows
 * `ldbBytes` apart) into 32-byte-wide column panels, NR32 floats or NR64
 * doubles: panel q holds bytes 32q .. 32q+32 of every row, bytes past
 * `rowBytes` zero, and starts at dst + q·k·32. It goes PACK_ROWS rows at a
 * time, panel by panel, so each row is read front to back (the prefetchers
 * follow it) and each panel gets PACK_ROWS·32 contiguous bytes. Walking one
 * panel down all k rows instead read a new 4 KiB page per row when the row
 * stride is a multiple of 4 KiB, and a line twice when panels are half a
 * line (measured: float32 n = 1024 half the speed of n = 1000; float64
 * slower still).
 */
function packRowPanels(b: usize, ldbBytes: usize, k: i32, rowBytes: i32, dst: usize): void {
  for (let p0 = 0; p0 < k; p0 += PACK_ROWS) packRowGroup(b + <usize>p0 * ldbBytes, ldbBytes, k, p0, min(PACK_ROWS, k - p0), rowBytes, dst);
}

/** packRowPanels' pass over rows p0 .. p0+rows of B (k rows in all), which start at firstRow, `ldbBytes` apart. */
export function packRowGroup(firstRow: usize, ldbBytes: usize, k: i32, p0: i32, rows: i32, rowBytes: i32, dst: usize): void {
  const panelBytes = <usize>k << 5;
  const fullBytes = rowBytes & ~31;
  const edgeBytes = rowBytes - fullBytes;
  let panel = dst + (<usize>p0 << 5);
  for (let col = 0; col < fullBytes; col += 32) {
    let src = firstRow + <usize>col;
    let out = panel;
    for (let r = 0; r < rows; r++) {
      v128.store(out, v128.load(src));
      v128.store(out, v128.load(src, 16), 16);
      src += ldbBytes;
      out += 32;
    }
    panel += panelBytes;
  }
  if (edgeBytes > 0) {
    // The last panel: the row's remaining whole elements (4 or 8 bytes each), then zeros.
    let src = firstRow + <usize>fullBytes;
    for (let r = 0; r < rows; r++) {
      v128.store(panel, i32x4.splat(0));
      v128.store(panel, i32x4.splat(0), 16);
      for (let q = 0; q < edgeBytes; q += 4) store<i32>(panel + <usize>q, load<i32>(src + <usize>q));
      src += ldbBytes;
      panel += 32;
    }
  }
}

/**
 * Packs all of op(B) (K×N) into NR32-column panels: panel q holds, for each p,
 * the 8 values op(B)[p][8q .. 8q+8], columns past n zero. Panel q starts at
 * dst + q·k·NR32 floats.
 */
export function packB32(b: usize, ldb: i32, transB: bool, k: i32, n: i32, dst: usize): void {
  const ldbBytes = <usize>ldb << 2;
  if (!transB) {
    packRowPanels(b, ldbBytes, k, n << 2, dst);
    return;
  }
  // Stored N×K: column j+q of op(B) is row j+q; transpose 4×4 blocks.
  for (let j = 0; j < n; j += NR32) {
    const nr = min(NR32, n - j);
    const col0 = b + <usize>j * ldbBytes;
    if (nr == NR32) {
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const off = <usize>p << 2;
        transpose4x4Store(
          v128.load(col0 + off), v128.load(col0 + ldbBytes + off),
          v128.load(col0 + 2 * ldbBytes + off), v128.load(col0 + 3 * ldbBytes + off), dst, 32);
        const col4 = col0 + 4 * ldbBytes;
        transpose4x4Store(
          v128.load(col4 + off), v128.load(col4 + ldbBytes + off),
          v128.load(col4 + 2 * ldbBytes + off), v128.load(col4 + 3 * ldbBytes + off), dst + 16, 32);
        dst += 128;
      }
      for (; p < k; p++) {
        for (let q = 0; q < NR32; q++) store<f32>(dst + (<usize>q << 2), load<f32>(col0 + <usize>q * ldbBytes + (<usize>p << 2)));
        dst += 32;
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let q = 0; q < NR32; q++) {
          store<f32>(dst + (<usize>q << 2), q < nr ? load<f32>(col0 + <usize>q * ldbBytes + (<usize>p << 2)) : 0);
        }
        dst += 32;
      }
    }
  }
}

// --------------------------------------------------------------- float64 ---

/** As blockF32 with a 4×4 tile of f64x2 vectors. */
function blockF64(
  a: usize, lda: i32, transA: bool, bp: usize, c: usize, ldc: i32, k: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, accumulate: bool, scratch: usize,
): void {
  const packedA = scratch;
  const edgeTile = scratch + <usize>(MC_MAX * KC * 8);
  const ldcBytes = <usize>ldc << 3;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    packA64(a, lda, transA, i0, i1, pc, kc, packedA);
    const overwrite = pc == 0 && !accumulate;
    for (let j = j0; j < j1; j += NR64) {
      const nr = min(NR64, j1 - j);
      const bPanel = bp + ((<usize>(j / NR64) * <usize>k + <usize>pc) * NR64 << 3);
      for (let i = i0; i < i1; i += MR64) {
        const mr = min(MR64, i1 - i);
        const aPanel = packedA + (<usize>(i - i0) * <usize>kc << 3);
        const cTile = c + ((<usize>i * <usize>ldc + <usize>j) << 3);
        if (mr == MR64 && nr == NR64) {
          kernel4x4d(kc, aPanel, bPanel, cTile, ldcBytes, overwrite);
        } else {
          kernel4x4d(kc, aPanel, bPanel, edgeTile, NR64 << 3, true);
          for (let r = 0; r < mr; r++) {
            for (let q = 0; q < nr; q++) {
              const dst = cTile + (<usize>r * ldcBytes) + (<usize>q << 3);
              const v = load<f64>(edgeTile + ((<usize>(r * NR64 + q)) << 3));
              store<f64>(dst, overwrite ? v : load<f64>(dst) + v);
            }
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function kernel4x4d(kc: i32, a: usize, b: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  const aEnd = a + (<usize>kc << 5);
  while (a < aEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load64_splat(a);
    c00 = maddF64(x, b0, c00);
    c01 = maddF64(x, b1, c01);
    x = v128.load64_splat(a, 8);
    c10 = maddF64(x, b0, c10);
    c11 = maddF64(x, b1, c11);
    x = v128.load64_splat(a, 16);
    c20 = maddF64(x, b0, c20);
    c21 = maddF64(x, b1, c21);
    x = v128.load64_splat(a, 24);
    c30 = maddF64(x, b0, c30);
    c31 = maddF64(x, b1, c31);
    a += 32;
    b += 32;
  }
  if (!overwrite) {
    c00 = f64x2.add(c00, v128.load(c));
    c01 = f64x2.add(c01, v128.load(c, 16));
    c10 = f64x2.add(c10, v128.load(c + ldc));
    c11 = f64x2.add(c11, v128.load(c + ldc, 16));
    c20 = f64x2.add(c20, v128.load(c + 2 * ldc));
    c21 = f64x2.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f64x2.add(c30, v128.load(c + 3 * ldc));
    c31 = f64x2.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

function packA64(a: usize, lda: i32, transA: bool, i0: i32, i1: i32, pc: i32, kc: i32, dst: usize): void {
  const ldaBytes = <usize>lda << 3;
  for (let i = i0; i < i1; i += MR64) {
    const mr = min(MR64, i1 - i);
    if (transA) {
      let src = a + <usize>pc * ldaBytes + (<usize>i << 3);
      if (mr == MR64) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += ldaBytes;
          dst += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR64; r++) store<f64>(dst + (<usize>r << 3), r < mr ? load<f64>(src + (<usize>r << 3)) : 0);
          src += ldaBytes;
          dst += 32;
        }
      }
    } else {
      const row0 = a + <usize>i * ldaBytes + (<usize>pc << 3);
      for (let p = 0; p < kc; p++) {
        const off = <usize>p << 3;
        for (let r = 0; r < MR64; r++) {
          store<f64>(dst + (<usize>r << 3), r < mr ? load<f64>(row0 + <usize>r * ldaBytes + off) : 0);
        }
        dst += 32;
      }
    }
  }
}

export function packB64(b: usize, ldb: i32, transB: bool, k: i32, n: i32, dst: usize): void {
  const ldbBytes = <usize>ldb << 3;
  if (!transB) {
    packRowPanels(b, ldbBytes, k, n << 3, dst);
    return;
  }
  for (let j = 0; j < n; j += NR64) {
    const nr = min(NR64, n - j);
    const col0 = b + <usize>j * ldbBytes;
    for (let p = 0; p < k; p++) {
      const off = <usize>p << 3;
      for (let q = 0; q < NR64; q++) {
        store<f64>(dst + (<usize>q << 3), q < nr ? load<f64>(col0 + <usize>q * ldbBytes + off) : 0);
      }
      dst += 32;
    }
  }
}
