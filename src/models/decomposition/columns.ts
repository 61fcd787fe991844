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
