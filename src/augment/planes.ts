/**
 * The pixel loops behind the image augmentations: each works on one H×W
 * plane at offset `off` of flat typed arrays, reading `src` and writing
 * `dst` (never the same array), with no allocation per pixel.
 */
import type { TypedArray } from '../tensor/dtype.js';

/** How pixels that come from outside the image are filled. */
export type PaddingMode = 'zero' | 'reflect';

/** Mirror-reflects index i into [0, n) without repeating the edge (PyTorch's 'reflect'); n = 1 maps to 0. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

export function flipHorizontal(src: TypedArray, dst: TypedArray, off: number, h: number, w: number): void {
  for (let y = 0; y < h; y++) {
    const row = off + y * w;
    for (let x = 0; x < w; x++) dst[row + x] = src[row + w - 1 - x];
  }
}

export function flipVertical(src: TypedArray, dst: TypedArray, off: number, h: number, w: number): void {
  for (let y = 0; y < h; y++) dst.set(src.subarray(off + (h - 1 - y) * w, off + (h - y) * w), off + y * w);
}

/** Rows up to this many values are copied by a plain loop rather than a subarray and set (an allocation per row). */
const SHORT_ROW = 256;

/** dst(y, x) = src(y − dy, x − dx): the content moves by (dx, dy) whole pixels. */
export function shiftPlane(src: TypedArray, dst: TypedArray, off: number, h: number, w: number, dx: number, dy: number, mode: PaddingMode): void {
  for (let y = 0; y < h; y++) {
    let sy = y - dy;
    const row = off + y * w;
    if (sy < 0 || sy >= h) {
      if (mode === 'zero') {
        dst.fill(0, row, row + w);
        continue;
      }
      sy = reflectIndex(sy, h);
    }
    const srow = off + sy * w;
    // The columns whose source lies inside: one block copy (a plain loop for short rows, which beats making a subarray per row); the rest padded.
    const x0 = Math.max(0, Math.min(w, dx)),
      x1 = Math.max(0, Math.min(w, w + dx));
    if (x1 - x0 > SHORT_ROW) dst.set(src.subarray(srow + x0 - dx, srow + x1 - dx), row + x0);
    else for (let x = x0; x < x1; x++) dst[row + x] = src[srow + x - dx];
    for (let x = 0; x < x0; x++) dst[row + x] = mode === 'zero' ? 0 : src[srow + reflectIndex(x - dx, w)];
    for (let x = x1; x < w; x++) dst[row + x] = mode === 'zero' ? 0 : src[srow + reflectIndex(x - dx, w)];
  }
}

/**
 * Bilinear resampling through an affine map: dst(y, x) = src at
 * (sx, sy) = (a·x + b·y + c, d·x + e·y + f), pixels outside the image
 * reading `fill`. With the identity map every pixel is copied exactly.
 */
export function affinePlane(src: TypedArray, dst: TypedArray, off: number, h: number, w: number, m: readonly number[], fill: number): void {
  const [a, b, c, d, e, f] = m;
  for (let y = 0; y < h; y++) {
    let sx = b * y + c,
      sy = e * y + f;
    const row = off + y * w;
    for (let x = 0; x < w; x++, sx += a, sy += d) {
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
        // Inside (most pixels): the same sums as below, every neighbour read from the plane.
        const at = off + y0 * w + x0;
        const p00 = src[at];
        const top = fx === 0 ? p00 : p00 + (src[at + 1] - p00) * fx;
        if (fy === 0) {
          dst[row + x] = top;
          continue;
        }
        const p10 = src[at + w];
        const bottom = fx === 0 ? p10 : p10 + (src[at + w + 1] - p10) * fx;
        dst[row + x] = top + (bottom - top) * fy;
        continue;
      }
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        dst[row + x] = fill;
        continue;
      }
      const inX0 = x0 >= 0,
        inX1 = x0 + 1 < w,
        inY0 = y0 >= 0,
        inY1 = y0 + 1 < h;
      const p00 = inX0 && inY0 ? src[off + y0 * w + x0] : fill;
      // Skip reads whose weight is exactly zero, so that an integer position copies its pixel exactly.
      const p01 = fx === 0 ? 0 : inX1 && inY0 ? src[off + y0 * w + x0 + 1] : fill;
      const p10 = fy === 0 ? 0 : inX0 && inY1 ? src[off + (y0 + 1) * w + x0] : fill;
      const p11 = fx === 0 || fy === 0 ? 0 : inX1 && inY1 ? src[off + (y0 + 1) * w + x0 + 1] : fill;
      const top = fx === 0 ? p00 : p00 + (p01 - p00) * fx;
      const bottom = fx === 0 ? p10 : p10 + (p11 - p10) * fx;
      dst[row + x] = fy === 0 ? top : top + (bottom - top) * fy;
    }
  }
}

/**
 * The inverse map (output pixel → source position) of a rotation by
 * `degrees` (counter-clockwise on screen), a shear and a translation, all
 * about the image centre.
 */
export function inverseAffine(h: number, w: number, degrees: number, shearX: number, shearY: number, tx: number, ty: number): number[] {
  const cx = (w - 1) / 2,
    cy = (h - 1) / 2;
  const t = (degrees * Math.PI) / 180;
  // Forward: p' = R·S·(p − c) + c + t, with y pointing down, so a positive angle turns counter-clockwise on screen.
  const cos = Math.cos(t),
    sin = Math.sin(t);
  const r00 = cos,
    r01 = sin,
    r10 = -sin,
    r11 = cos;
  const m00 = r00 + r01 * shearY,
    m01 = r00 * shearX + r01,
    m10 = r10 + r11 * shearY,
    m11 = r10 * shearX + r11;
  const det = m00 * m11 - m01 * m10;
  const i00 = m11 / det,
    i01 = -m01 / det,
    i10 = -m10 / det,
    i11 = m00 / det;
  // Source = M⁻¹·(p − c − t) + c.
  const ox = -cx - tx,
    oy = -cy - ty;
  return [i00, i01, i00 * ox + i01 * oy + cx, i10, i11, i10 * ox + i11 * oy + cy];
}

/** Sets the rectangle [y0, y1) × [x0, x1) of a plane to `value`. */
export function fillRect(dst: TypedArray, off: number, w: number, y0: number, y1: number, x0: number, x1: number, value: number): void {
  for (let y = y0; y < y1; y++) dst.fill(value, off + y * w + x0, off + y * w + x1);
}
