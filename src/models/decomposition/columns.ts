/** Per-column statistics of row-major rows×cols arrays, shared by the decompositions and k-means. */

export function columnSums(a: Float64Array, rows: number, cols: number): Float64Array {
  const sums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) sums[j] += a[off + j];
  }
  return sums;
}

export function columnMeans(a: Float64Array, rows: number, cols: number): Float64Array {
  const mean = columnSums(a, rows, cols);
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** a minus `shift` in every row, into `out` (which may be `a`); `sign` -1 adds the shift back. */
export function shiftRows(a: Float64Array, rows: number, cols: number, shift: Float64Array, out: Float64Array = new Float64Array(a.length), sign = 1): Float64Array {
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) out[off + j] = a[off + j] - sign * shift[j];
  }
  return out;
}

/**
 * a minus `mean` in every row, in one pass: the float32 rounding of the
 * centred matrix and the sum of its squared entries in float64 (accumulated
 * in index order, as a loop over a float64 centred copy would).
 */
export function centreInFloat32(a: Float64Array, rows: number, cols: number, mean: Float64Array): { single: Float32Array; sumOfSquares: number } {
  const single = new Float32Array(rows * cols);
  let sumOfSquares = 0;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const diff = a[off + j] - mean[j];
      single[off + j] = diff;
      sumOfSquares += diff * diff;
    }
  }
  return { single, sumOfSquares };
}

/** Population variance (ddof 0) of each column. */
export function columnVariances(a: Float64Array, rows: number, cols: number): Float64Array {
  const mean = columnMeans(a, rows, cols);
  const variance = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const diff = a[off + j] - mean[j];
      variance[j] += diff * diff;
    }
  }
  for (let j = 0; j < cols; j++) variance[j] /= rows;
  return variance;
}
