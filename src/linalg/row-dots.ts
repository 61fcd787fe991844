/**
 * Dot products of one row against many: the inner kernel shared by the SVM
 * kernels (x_a·z_j for a block of j), liblinear's primal solver (x_i·w for
 * the active samples i) and TSQR (a column against four reflectors).
 */

/**
 * dots[t] = x_a·z_(idx[t]) for t in [start, end), where x_a is the k values
 * of X from a·k and z_j the k values of Z from j·k; four rows of Z at a time
 * (each element of x_a loaded once per four).
 */
export function rowDots(
  X: Float32Array | Float64Array,
  a: number,
  Z: Float32Array | Float64Array,
  k: number,
  idx: ArrayLike<number>,
  start: number,
  end: number,
  dots: Float64Array,
): void {
  const ra = a * k;
  let t = start;
  for (; t + 3 < end; t += 4) {
    const r0 = idx[t] * k,
      r1 = idx[t + 1] * k,
      r2 = idx[t + 2] * k,
      r3 = idx[t + 3] * k;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let j = 0; j < k; j++) {
      const x = X[ra + j];
      s0 += x * Z[r0 + j];
      s1 += x * Z[r1 + j];
      s2 += x * Z[r2 + j];
      s3 += x * Z[r3 + j];
    }
    dots[t] = s0;
    dots[t + 1] = s1;
    dots[t + 2] = s2;
    dots[t + 3] = s3;
  }
  for (; t < end; t++) {
    const rb = idx[t] * k;
    let s0 = 0;
    for (let j = 0; j < k; j++) s0 += X[ra + j] * Z[rb + j];
    dots[t] = s0;
  }
}
