/** Per-column statistics of row-major rows×cols arrays, shared by the decompositions and k-means. */

export function columnMeans(a: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += a[off + j];
  }
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
 * a minus `mean` in every row, in one pass: the float64 centred copy, its
 * float32 rounding when `withSingle`, and the sum of the squared entries
 * (accumulated in index order, as a separate loop over the copy would).
 */
export function centre(
  a: Float64Array,
  rows: number,
  cols: number,
  mean: Float64Array,
  withSingle: boolean,
): { centred: Float64Array; single: Float32Array | undefined; sumOfSquares: number } {
  const centred = new Float64Array(rows * cols);
  const single = withSingle ? new Float32Array(rows * cols) : undefined;
  let sumOfSquares = 0;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const diff = a[off + j] - mean[j];
      centred[off + j] = diff;
      sumOfSquares += diff * diff;
    }
    if (single) single.set(centred.subarray(off, off + cols), off);
  }
  return { centred, single, sumOfSquares };
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
