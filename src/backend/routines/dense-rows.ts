/**
 * Inference on a few rows: dense layers relu?(x·Wᵀ + b) applied in turn to
 * rows [0, m) of x, the last layer's output written to `out`; and the column
 * sums of a float32 matrix (a bias gradient). The wasm implementation keeps
 * each weight matrix resident in its memory between calls (wasm/small.ts),
 * which for one sample against a small layer costs less than the general
 * GEMM's packing of both operands; the caller bumps a weight's `version`
 * whenever its values change. Results agree with the reference (the layers
 * one by one on the core GEMM) to the bit.
 */
import { gemm } from '../index.js';
import { defineRoutine } from '../routine.js';
import { SMALL_ROWS, smallDenseFits, smallKernels, type DenseLayer } from '../wasm/small.js';

export type { DenseLayer, Versioned } from '../wasm/small.js';
/** Rows up to which the wasm implementation takes a call (it keeps weights resident; the general GEMM wins on more rows). */
export { SMALL_ROWS };

/** The small kernels' instance (null without WebAssembly SIMD). */
const small = smallKernels;

export const denseRows = defineRoutine('denseRows', function reference(x: Float32Array, xOffset: number, m: number, layers: readonly DenseLayer[], out: Float32Array): void {
  let input = x,
    offset = xOffset;
  layers.forEach(({ w, b, n, k, relu }, l) => {
    const y = l === layers.length - 1 ? out : new Float32Array(m * n);
    if (b) for (let r = 0; r < m; r++) y.set(b.data, r * n);
    gemm({ m, n, k, a: input, aOffset: offset, b: w.data as Float32Array, transB: true, c: y, accumulate: b !== null });
    if (relu) for (let i = 0; i < m * n; i++) y[i] = y[i] > 0 || y[i] !== y[i] ? y[i] : 0;
    input = y;
    offset = 0;
  });
});

denseRows.register(
  'wasm',
  small && {
    supports: (_x, _xOffset, m, layers) => smallDenseFits(m, layers),
    run: (x, xOffset, m, layers, out) => small.run(x, xOffset, m, layers, out),
  },
);

/** out[j] = Σ_r src[r, j] over a rows×cols float32 matrix, summed in float64 in order of r and rounded once. */
export const columnSums = defineRoutine('columnSums', function reference(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) acc[j] += src[r * cols + j];
  out.set(acc);
});

columnSums.register(
  'wasm',
  small && {
    supports: () => true,
    run: (src, rows, cols, out) => small.columnSums(src, rows, cols, out),
  },
);
