/**
 * The reference backend: plain TypeScript, written to be read. Every fast
 * kernel is tested against it, and it runs where WebAssembly SIMD does not.
 */
import type { Backend, FloatArray, GemmArgs } from './backend.js';

/**
 * One matrix of the batch: C (+)= op(A)·op(B), with op(A) M×K and op(B) K×N,
 * each stored row-major from its offset; also the loops that `gemmOrLoops`
 * (index.ts) runs for small products. Every element is summed over l in
 * order, starting from 0 (or from C when accumulating).
 */
export function gemmLoops(
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOffset: number,
  transA: boolean,
  b: FloatArray,
  bOffset: number,
  transB: boolean,
  c: FloatArray,
  cOffset: number,
  accumulate: boolean,
): void {
  if (transB) {
    // B stored N×K (op(B)[l][j] = B[j][l]): one dot product along a row of B
    // per element of C. The sums are those of the i-k-j order below; in
    // float32, Math.fround rounds each step as a store into C would.
    const float32 = c instanceof Float32Array;
    // op(A)[i][l] is a[aRow + l·aStep]: A stored K×M when transposed.
    const aStep = transA ? m : 1;
    for (let i = 0; i < m; i++) {
      const cRow = cOffset + i * n;
      const aRow = aOffset + (transA ? i : i * k);
      for (let j = 0; j < n; j++) {
        const bRow = bOffset + j * k;
        let s = accumulate ? c[cRow + j] : 0;
        if (float32) {
          for (let l = 0; l < k; l++) s = Math.fround(s + a[aRow + l * aStep] * b[bRow + l]);
        } else {
          for (let l = 0; l < k; l++) s += a[aRow + l * aStep] * b[bRow + l];
        }
        c[cRow + j] = s;
      }
    }
    return;
  }
  // The i-k-j loop order walks B and C along rows, so the inner loop reads memory in order.
  if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
  for (let i = 0; i < m; i++) {
    const cRow = cOffset + i * n;
    for (let l = 0; l < k; l++) {
      // op(A)[i][l]: stored K×M when transposed.
      const ail = transA ? a[aOffset + l * m + i] : a[aOffset + i * k + l];
      const bRow = bOffset + l * n;
      for (let j = 0; j < n; j++) c[cRow + j] += ail * b[bRow + j];
    }
  }
}

function gemm(args: GemmArgs): void {
  for (let p = 0; p < args.batch; p++) {
    gemmLoops(
      args.m,
      args.n,
      args.k,
      args.a,
      args.aOffset + p * args.aBatchStride,
      args.transA,
      args.b,
      args.bOffset + p * args.bBatchStride,
      args.transB,
      args.c,
      args.cOffset + p * args.cBatchStride,
      args.accumulate,
    );
  }
}

export const jsBackend: Backend = {
  name: 'js',
  gemm,
  numThreads: () => 1,
  setNumThreads: () => {},
};
