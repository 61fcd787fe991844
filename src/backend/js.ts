/**
 * The reference backend: plain TypeScript, written to be read. Every fast
 * kernel is tested against it, and it runs where WebAssembly SIMD does not.
 */
import type { Backend, FloatArray, GemmArgs } from './backend.js';

/**
 * One matrix of the batch: C (+)= op(A)·op(B), with op(A) M×K and op(B) K×N,
 * each stored row-major from its offset. The i-k-j loop order walks B and C
 * along rows, so the inner loop reads memory in order.
 */
function gemmOne(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, transA: boolean,
  b: FloatArray, bOffset: number, transB: boolean,
  c: FloatArray, cOffset: number, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
  for (let i = 0; i < m; i++) {
    const cRow = cOffset + i * n;
    for (let l = 0; l < k; l++) {
      // op(A)[i][l]: stored K×M when transposed.
      const ail = transA ? a[aOffset + l * m + i] : a[aOffset + i * k + l];
      if (transB) {
        // op(B)[l][j] = B[j][l], B stored N×K.
        for (let j = 0; j < n; j++) c[cRow + j] += ail * b[bOffset + j * k + l];
      } else {
        const bRow = bOffset + l * n;
        for (let j = 0; j < n; j++) c[cRow + j] += ail * b[bRow + j];
      }
    }
  }
}

function gemm(args: GemmArgs): void {
  for (let p = 0; p < args.batch; p++) {
    gemmOne(
      args.m, args.n, args.k,
      args.a, args.aOffset + p * args.aBatchStride, args.transA,
      args.b, args.bOffset + p * args.bBatchStride, args.transB,
      args.c, args.cOffset + p * args.cBatchStride, args.accumulate,
    );
  }
}

export const jsBackend: Backend = {
  name: 'js',
  gemm,
  numThreads: () => 1,
  setNumThreads: () => {},
};
