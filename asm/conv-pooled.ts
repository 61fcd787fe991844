// The backward of a Conv → (ReLU →) MaxPool block taken from the pooled
// cells rather than from the dense gradient of the convolution's output.
//
// Max pooling sends each pooled cell's gradient to one pixel of the
// convolution's output (its window's arg-max), and relu drops the cells whose
// maximum was ≤ 0: a 2×2 pooling leaves at most one value in four of the
// dense gradient non-zero, typically one in eight. The dense backward
// (conv.ts) multiplies all of them: dx = col2im(Wᵀ · dy), dW = dy · colsᵀ.
// Here each surviving cell (channel o, output pixel p, gradient g) adds its
// share directly:
//   dW[o][c][i][j] += g · x[c][p's row + i·dh][p's column + j]   (padded),
//   dx[c][p's row + i·dh][p's column + j] += g · W[o][c][i][j],
// so a sample costs about cells × K multiply-adds for each of dW and dx
// instead of O × P × K.
//
// Channels-last copies make each kernel row's taps one contiguous run of
// kw·C floats (dilation 1 along the width): x and dx are held padded as
// [row][column][channel], W and dW as [o][i][j·C + channel] with the rows
// rounded up to whole vectors. A channel's cells are listed once (gradient
// and footprint offset); dW's vectors are then summed over the list six
// at a time in registers, and dx's footprints get the weight vectors, held
// six at a time in registers, added cell by cell.
//
// Every sample is computed by one thread with a fixed sequence of operations
// (cells in order of the pooled output), so results do not depend on the
// number of threads. They differ from the dense path by rounding only (sums
// in another order); the dense path is taken instead where x or the weight
// holds a non-finite value (there, the zero entries' 0·∞ make NaN, which
// skipping them would lose), where pooling leaves more than half the cells,
// where the dilation along the width is not 1, where a kernel row's run is
// shorter than 16 floats (a first layer's single channel: the dense GEMMs
// are faster there), or where the copies do not fit the thread's scratch.
import { gc, gdh, gdw, gh, gho, gkh, gkw, go, gph, gpw, gsh, gsw, gw, gwo } from './conv-geometry';
import { zeroFloats } from './floats';
import { maddF32 } from './madd';

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize {
  return (bytes + 15) & ~(<usize>15);
}

/**
 * The backward of sample b's block from its pooled cells (see above); false
 * where the dense path must run instead (it writes every gradient anew, over
 * any bias gradient written here before an arg-max offset was refused). dy, out and
 * idx are the sample's pooled gradient, pooled output and arg-max offsets
 * (into its go·gho·gwo output), poolHo × poolWo cells per channel (windows
 * poolKh rows high, poolSh rows apart, no padding); dx (0: not
 * wanted) the sample's input gradient; dW (0: not wanted) the sample's
 * weight gradient, O×K, or K×O with its rows padded to transposedRows (≠ 0)
 * as the dense path writes it; db (0: not wanted) the sample's float64 bias
 * gradient.
 */
export function pooledBackward(
  x: usize, weight: usize, dy: usize, out: usize, idx: usize, relu: bool, poolHo: i32, poolWo: i32, poolSh: i32, poolKh: i32,
  dx: usize, dW: usize, transposedRows: i32, db: usize, scratch: usize, scratchBytes: usize,
): bool {
  const pooledPlane = poolHo * poolWo;
  const runFloats = gkw * gc; // one kernel row's taps, channels-last
  // Short runs (a first layer's one channel) do better as the dense path's GEMMs.
  if (gdw != 1 || runFloats < 16 || pooledPlane * 2 > gho * gwo) return false;
  const rowSlots = (runFloats + 3) >> 2; // vectors per kernel row of the copies of W and dW
  const padHeight = gh + 2 * gph, padWidth = gw + 2 * gpw;
  const pixelFloats = padHeight * padWidth * gc;
  const kernelBytes = <usize>(go * gkh * rowSlots) << 4;
  // The thread's scratch: the cell list, then the copies that are wanted.
  const cells = scratch;
  let end = cells + align16(<usize>pooledPlane << 3);
  // x's copy has a vector of slack: dW's last vector of a row may read up to three floats past the run (lanes dropped).
  const xs = end;
  if (dW != 0) end += align16(<usize>(pixelFloats + 4) << 2);
  const dxs = end;
  if (dx != 0) end += align16(<usize>pixelFloats << 2);
  const wt = end;
  if (dx != 0) end += kernelBytes;
  const dwt = end;
  if (dW != 0) end += kernelBytes;
  if (end - scratch > scratchBytes) return false;
  if (dW != 0 && !channelsLastPadded(x, xs, padWidth, pixelFloats)) return false;
  if (dx != 0) {
    if (!weightRuns(weight, wt, rowSlots)) return false;
    zeroFloats(dxs, pixelFloats);
  }
  const rowStep = gdh * padWidth * gc; // floats from one kernel row's run to the next
  for (let ch = 0; ch < go; ch++) {
    const count = listCells(ch, dy, out, idx, relu, poolHo, poolWo, poolSh, poolKh, padWidth, cells);
    if (count < 0) return false;
    if (dW != 0) weightGradRows(cells, count, xs, dwt + <usize>ch * (<usize>(gkh * rowSlots) << 4), rowSlots, rowStep);
    if (dx != 0) scatterRows(cells, count, dxs, wt + <usize>ch * (<usize>(gkh * rowSlots) << 4), rowSlots, runFloats, rowStep);
    if (db != 0) store<f64>(db + (<usize>ch << 3), gradientSum(cells, count));
  }
  if (dW != 0) weightGradOut(dwt, dW, rowSlots, transposedRows);
  if (dx != 0) channelsLast(dx, dxs, padWidth, false);
  return true;
}

/**
 * Σ g over the listed cells in float64, with four partial sums (a single
 * chain of dependent adds would take four cycles a cell). Float64 holds the
 * sum of a channel's float32 gradients exactly unless they span more than
 * about 29 binary orders of magnitude, so the order rarely changes a bit.
 */
function gradientSum(cells: usize, count: i32): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const cell = cells + (<usize>i << 3);
    s0 += <f64>load<f32>(cell);
    s1 += <f64>load<f32>(cell, 8);
    s2 += <f64>load<f32>(cell, 16);
    s3 += <f64>load<f32>(cell, 24);
  }
  for (; i < count; i++) s0 += <f64>load<f32>(cells + (<usize>i << 3));
  return s0 + s1 + (s2 + s3);
}

/** x (C×H×W) into xs as [row][column][channel] with the padding's zeros; false where a value is not finite. */
function channelsLastPadded(x: usize, xs: usize, padWidth: i32, pixelFloats: i32): bool {
  if (!allFinite(x, gc * gh * gw)) return false;
  zeroFloats(xs, pixelFloats + 4);
  channelsLast(x, xs, padWidth, true);
  return true;
}

/**
 * Moves a sample's C×H×W image into its padded channels-last copy (toCopy),
 * or the copy's interior back into the image: the same pairs of places
 * either way. Four channels by four columns at a time through a 4×4
 * transpose where C is a multiple of four, the rest one by one. Inlined, so
 * that each call's direction is a constant (a branch per block measured slower).
 */
// @ts-ignore: decorator
@inline function channelsLast(image: usize, copy: usize, padWidth: i32, toCopy: bool): void {
  const pixelBytes = <usize>gc << 2;
  const planeBytes = <usize>(gh * gw) << 2;
  const groups = (gc & 3) == 0 ? gc : 0; // channels taken four at a time
  for (let c = 0; c < groups; c += 4) {
    for (let ih = 0; ih < gh; ih++) {
      let plane = image + (<usize>((c * gh + ih) * gw) << 2);
      let pixel = copy + (<usize>(((ih + gph) * padWidth + gpw) * gc + c) << 2);
      let iw = 0;
      for (; iw + 4 <= gw; iw += 4, plane += 16, pixel += pixelBytes << 2) {
        if (toCopy) transpose4(plane, planeBytes, pixel, pixelBytes);
        else transpose4(pixel, pixelBytes, plane, planeBytes);
      }
      for (; iw < gw; iw++, plane += 4, pixel += pixelBytes) {
        for (let k = 0; k < 4; k++) move(plane + <usize>k * planeBytes, pixel + (<usize>k << 2), toCopy);
      }
    }
  }
  let plane = image + <usize>groups * planeBytes;
  for (let c = groups; c < gc; c++) {
    for (let ih = 0; ih < gh; ih++) {
      let pixel = copy + (<usize>(((ih + gph) * padWidth + gpw) * gc + c) << 2);
      for (let iw = 0; iw < gw; iw++, plane += 4, pixel += pixelBytes) move(plane, pixel, toCopy);
    }
  }
}

/** One float from a to b (toB), or from b to a. */
// @ts-ignore: decorator
@inline function move(a: usize, b: usize, toB: bool): void {
  if (toB) store<f32>(b, load<f32>(a));
  else store<f32>(a, load<f32>(b));
}

/** The 4×4 block of four vectors `from` apart at src, transposed, as four vectors `to` apart at dst. */
// @ts-ignore: decorator
@inline function transpose4(src: usize, from: usize, dst: usize, to: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + from), r2 = v128.load(src + 2 * from), r3 = v128.load(src + 3 * from);
  const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), b = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const e = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), f = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(a, b, 0, 1, 4, 5));
  v128.store(dst + to, v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  v128.store(dst + 2 * to, v128.shuffle<f32>(e, f, 0, 1, 4, 5));
  v128.store(dst + 3 * to, v128.shuffle<f32>(e, f, 2, 3, 6, 7));
}

/** Whether the count floats at src are all finite (v·0 is NaN for ±∞ and NaN, else 0). */
function allFinite(src: usize, count: i32): bool {
  const bytes = <usize>count << 2;
  const z = f32x4.splat(0);
  let p0 = z, p1 = z;
  let i: usize = 0;
  for (; i + 32 <= bytes; i += 32) {
    p0 = f32x4.add(p0, f32x4.mul(v128.load(src + i), z));
    p1 = f32x4.add(p1, f32x4.mul(v128.load(src + i, 16), z));
  }
  let rest: f32 = 0;
  for (; i < bytes; i += 4) rest += load<f32>(src + i) * 0;
  const p = f32x4.add(p0, p1);
  return rest == 0 && f32x4.extract_lane(p, 0) == 0 && f32x4.extract_lane(p, 1) == 0 && f32x4.extract_lane(p, 2) == 0 && f32x4.extract_lane(p, 3) == 0;
}

/**
 * W (O×C×kh×kw) into wt as [o][i][j·C + c] rows of rowSlots vectors, zero
 * past each run; false where a value is not finite. Four channels at a time
 * where C is a multiple of four (one store of four gathered values).
 */
function weightRuns(weight: usize, wt: usize, rowSlots: i32): bool {
  if (!allFinite(weight, go * gc * gkh * gkw)) return false;
  zeroFloats(wt, go * gkh * rowSlots * 4);
  const taps = gkh * gkw;
  const channelBytes = <usize>taps << 2;
  for (let o = 0; o < go; o++) {
    const filter = weight + <usize>(o * gc) * channelBytes;
    for (let i = 0; i < gkh; i++) {
      const row = wt + (<usize>((o * gkh + i) * rowSlots) << 4);
      for (let j = 0; j < gkw; j++) {
        const tap = filter + (<usize>(i * gkw + j) << 2);
        const run = row + (<usize>(j * gc) << 2);
        let c = 0;
        if ((gc & 3) == 0) {
          for (; c < gc; c += 4) {
            const at = tap + <usize>c * channelBytes;
            let v = f32x4.splat(load<f32>(at));
            v = f32x4.replace_lane(v, 1, load<f32>(at + channelBytes));
            v = f32x4.replace_lane(v, 2, load<f32>(at + 2 * channelBytes));
            v = f32x4.replace_lane(v, 3, load<f32>(at + 3 * channelBytes));
            v128.store(run + (<usize>c << 2), v);
          }
        }
        for (; c < gc; c++) store<f32>(run + (<usize>c << 2), load<f32>(tap + <usize>c * channelBytes));
      }
    }
  }
  return true;
}

/**
 * Lists channel ch's cells whose gradient goes through (all of them, or
 * those with a pooled output > 0 after relu): per cell its gradient and the
 * byte offset of its footprint's first pixel in the padded channels-last
 * copies. A cell's arg-max lies in its window (rows poolSh·qh and the
 * poolKh − 1 after it): its row is found by subtracting rows of gwo (an
 * integer division would take tens of cycles, as long as the cell's
 * multiply-adds). Returns the count, or -1 for an arg-max outside its
 * window's rows or past a row's end (the list has room for every cell:
 * each is written before it is known to pass).
 */
function listCells(
  ch: i32, dy: usize, out: usize, idx: usize, relu: bool, poolHo: i32, poolWo: i32, poolSh: i32, poolKh: i32, padWidth: i32, cells: usize,
): i32 {
  const first = <usize>(ch * poolHo * poolWo) << 2;
  const planeStart = ch * gho * gwo;
  let count = 0;
  let at = first;
  for (let qh = 0; qh < poolHo; qh++) {
    const top = qh * poolSh;
    const rowStart = planeStart + top * gwo;
    for (let qw = 0; qw < poolWo; qw++, at += 4) {
      // Branch-free: relu's mask and the arg-max's row are data a branch would guess wrong half the time. Every cell
      // is written at the list's end; only those that pass advance it.
      const passes = relu ? <i32>(load<f32>(out + at) > 0) : 1;
      let d = load<i32>(idx + at) - rowStart;
      let oh = top;
      for (let r = 1; r < poolKh; r++) {
        const down = <i32>(d >= gwo);
        d -= gwo & -down;
        oh += down;
      }
      if (<u32>d >= <u32>gwo || oh >= gho) return -1;
      const cell = cells + (<usize>count << 3);
      store<f32>(cell, load<f32>(dy + at));
      store<i32>(cell, ((oh * gsh * padWidth + d * gsw) * gc) << 2, 4);
      count += passes;
    }
  }
  return count;
}

/**
 * One channel's rows of dW (gkh rows of rowSlots vectors at dwt) summed over
 * its cells: Σ g · x's run at the cell's footprint. Each kernel row's run is
 * contiguous in x's copy and in dwt: its vectors go six, then four at a
 * time (in registers, at fixed offsets from the cell's address; V8 keeps six
 * accumulators, the loaded vectors and g in registers, where with eight it
 * spilled one and its chain through memory set the pace), and the rows'
 * last vectors left over (fewer than four a row) go four at a time across
 * the rows.
 */
function weightGradRows(cells: usize, count: i32, xs: usize, dwt: usize, rowSlots: i32, rowStep: i32): void {
  const end = cells + (<usize>count << 3);
  const rowBytes = <usize>rowStep << 2;
  const grouped = groupedSlots(rowSlots);
  for (let i = 0; i < gkh; i++) {
    const src = xs + <usize>i * rowBytes;
    const dst = dwt + (<usize>(i * rowSlots) << 4);
    let v = 0;
    for (; v + 6 <= grouped; v += 6) sumSix(cells, end, src + (<usize>v << 4), dst + (<usize>v << 4));
    if (v < grouped) sumFour(cells, end, src + (<usize>v << 4), dst + (<usize>v << 4));
  }
  if (grouped == rowSlots) return;
  // The leftovers: vector s is row s / left's vector grouped + s % left.
  const left = rowSlots - grouped;
  const slots = gkh * left;
  for (let s = 0; s < slots; s += 4) {
    const last = slots - 1;
    const o0 = leftoverOffset(s, left, grouped, rowBytes), o1 = leftoverOffset(min(s + 1, last), left, grouped, rowBytes);
    const o2 = leftoverOffset(min(s + 2, last), left, grouped, rowBytes), o3 = leftoverOffset(min(s + 3, last), left, grouped, rowBytes);
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let cell = cells; cell < end; cell += 8) {
      const g = v128.load32_splat(cell);
      const at = xs + <usize>load<i32>(cell, 4);
      a0 = maddF32(g, v128.load(at + o0), a0);
      a1 = maddF32(g, v128.load(at + o1), a1);
      a2 = maddF32(g, v128.load(at + o2), a2);
      a3 = maddF32(g, v128.load(at + o3), a3);
    }
    v128.store(dwt + leftoverSlot(s, left, grouped, rowSlots), a0);
    if (s + 1 <= last) v128.store(dwt + leftoverSlot(s + 1, left, grouped, rowSlots), a1);
    if (s + 2 <= last) v128.store(dwt + leftoverSlot(s + 2, left, grouped, rowSlots), a2);
    if (s + 3 <= last) v128.store(dwt + leftoverSlot(s + 3, left, grouped, rowSlots), a3);
  }
}

/** Vectors of a run of `vectors` taken six, then four at a time (the rest, fewer than four, go one by one or as leftovers). */
// @ts-ignore: decorator
@inline function groupedSlots(vectors: i32): i32 {
  const sixes = vectors / 6;
  return sixes * 6 + ((vectors - sixes * 6) & 4);
}

/** For weightGradRows' leftovers: byte offset in x's copy, from a footprint's first pixel, of leftover vector s. */
// @ts-ignore: decorator
@inline function leftoverOffset(s: i32, left: i32, whole: i32, rowBytes: usize): usize {
  const i = s / left;
  return <usize>i * rowBytes + (<usize>(whole + s - i * left) << 4);
}

/** For weightGradRows' leftovers: byte offset in a channel's rows of dW's copy of leftover vector s. */
// @ts-ignore: decorator
@inline function leftoverSlot(s: i32, left: i32, whole: i32, rowSlots: i32): usize {
  const i = s / left;
  return <usize>(i * rowSlots + whole + s - i * left) << 4;
}

/** dst's six vectors = Σ over the cells [cells, end) of g · the six vectors at src + the cell's offset. */
function sumSix(cells: usize, end: usize, src: usize, dst: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
  for (let cell = cells; cell < end; cell += 8) {
    const g = v128.load32_splat(cell);
    const at = src + <usize>load<i32>(cell, 4);
    a0 = maddF32(g, v128.load(at), a0);
    a1 = maddF32(g, v128.load(at, 16), a1);
    a2 = maddF32(g, v128.load(at, 32), a2);
    a3 = maddF32(g, v128.load(at, 48), a3);
    a4 = maddF32(g, v128.load(at, 64), a4);
    a5 = maddF32(g, v128.load(at, 80), a5);
  }
  v128.store(dst, a0);
  v128.store(dst, a1, 16);
  v128.store(dst, a2, 32);
  v128.store(dst, a3, 48);
  v128.store(dst, a4, 64);
  v128.store(dst, a5, 80);
}

/** sumSix for four vectors (what a run has left past its sixes, when four or five). */
function sumFour(cells: usize, end: usize, src: usize, dst: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let cell = cells; cell < end; cell += 8) {
    const g = v128.load32_splat(cell);
    const at = src + <usize>load<i32>(cell, 4);
    a0 = maddF32(g, v128.load(at), a0);
    a1 = maddF32(g, v128.load(at, 16), a1);
    a2 = maddF32(g, v128.load(at, 32), a2);
    a3 = maddF32(g, v128.load(at, 48), a3);
  }
  v128.store(dst, a0);
  v128.store(dst, a1, 16);
  v128.store(dst, a2, 32);
  v128.store(dst, a3, 48);
}

/**
 * dx's copy gets each cell's g · W[o] added onto its footprint. Each kernel
 * row's run is contiguous in dx's copy and in W's: its whole vectors go
 * six, then four, then one at a time, the weights held in registers while
 * the cells pass (at fixed offsets from the cell's address), then the run's
 * last floats (fewer than four) one by one.
 */
function scatterRows(cells: usize, count: i32, dxs: usize, wt: usize, rowSlots: i32, runFloats: i32, rowStep: i32): void {
  const end = cells + (<usize>count << 3);
  const rowBytes = <usize>rowStep << 2;
  const whole = runFloats >> 2;
  const tail = runFloats & 3;
  for (let i = 0; i < gkh; i++) {
    const dst = dxs + <usize>i * rowBytes;
    const w = wt + (<usize>(i * rowSlots) << 4);
    let v = 0;
    for (; v + 6 <= whole; v += 6) addSix(cells, end, dst + (<usize>v << 4), w + (<usize>v << 4));
    for (; v + 4 <= whole; v += 4) addFour(cells, end, dst + (<usize>v << 4), w + (<usize>v << 4));
    for (; v < whole; v++) {
      const w0 = v128.load(w + (<usize>v << 4));
      const to = dst + (<usize>v << 4);
      for (let cell = cells; cell < end; cell += 8) {
        const at = to + <usize>load<i32>(cell, 4);
        v128.store(at, maddF32(v128.load32_splat(cell), w0, v128.load(at)));
      }
    }
    if (tail == 0) continue;
    const runEnd = <usize>whole << 4;
    for (let cell = cells; cell < end; cell += 8) {
      const g = load<f32>(cell);
      const at = dst + <usize>load<i32>(cell, 4) + runEnd;
      for (let t = 0; t < tail; t++) {
        const to = at + (<usize>t << 2);
        store<f32>(to, load<f32>(to) + g * load<f32>(w + runEnd + (<usize>t << 2)));
      }
    }
  }
}

/** Adds g · the six weight vectors at w onto the six vectors at dst + the offset of each cell in [cells, end). */
function addSix(cells: usize, end: usize, dst: usize, w: usize): void {
  const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48), w4 = v128.load(w, 64), w5 = v128.load(w, 80);
  for (let cell = cells; cell < end; cell += 8) {
    const g = v128.load32_splat(cell);
    const at = dst + <usize>load<i32>(cell, 4);
    v128.store(at, maddF32(g, w0, v128.load(at)));
    v128.store(at, maddF32(g, w1, v128.load(at, 16)), 16);
    v128.store(at, maddF32(g, w2, v128.load(at, 32)), 32);
    v128.store(at, maddF32(g, w3, v128.load(at, 48)), 48);
    v128.store(at, maddF32(g, w4, v128.load(at, 64)), 64);
    v128.store(at, maddF32(g, w5, v128.load(at, 80)), 80);
  }
}

/** addSix for four vectors. */
function addFour(cells: usize, end: usize, dst: usize, w: usize): void {
  const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
  for (let cell = cells; cell < end; cell += 8) {
    const g = v128.load32_splat(cell);
    const at = dst + <usize>load<i32>(cell, 4);
    v128.store(at, maddF32(g, w0, v128.load(at)));
    v128.store(at, maddF32(g, w1, v128.load(at, 16)), 16);
    v128.store(at, maddF32(g, w2, v128.load(at, 32)), 32);
    v128.store(at, maddF32(g, w3, v128.load(at, 48)), 48);
  }
}

/** dW in the dense path's layout from its channels-last rows (lanes past each run dropped; a transposed layout's padding rows zeroed). */
function weightGradOut(dwt: usize, dW: usize, rowSlots: i32, transposedRows: i32): void {
  const depth = gc * gkh * gkw;
  // Entry k = (c·kh + i)·kw + j of channel o: at o·K + k, or transposed at k·O + o.
  const kStep: usize = (transposedRows != 0 ? <usize>go : 1) << 2;
  const oStep: usize = (transposedRows != 0 ? 1 : <usize>depth) << 2;
  for (let o = 0; o < go; o++) {
    let to = dW + <usize>o * oStep;
    for (let c = 0; c < gc; c++) {
      for (let i = 0; i < gkh; i++) {
        const row = dwt + (<usize>((o * gkh + i) * rowSlots) << 4) + (<usize>c << 2);
        for (let j = 0; j < gkw; j++) {
          store<f32>(to, load<f32>(row + (<usize>(j * gc) << 2)));
          to += kStep;
        }
      }
    }
  }
  if (transposedRows > depth) zeroFloats(dW + (<usize>(depth * go) << 2), (transposedRows - depth) * go);
}
