/**
 * The backend contract: a small core that every backend implements (GEMM
 * and its threads); the rest is named routines (routine.ts, routines/), each
 * a TypeScript reference with faster implementations registered per backend.
 * Element-wise ops and reductions live in `tensor/` as plain loops (V8
 * compiles them to code that already runs at memory bandwidth, so a round
 * trip through WebAssembly memory would only add copies).
 *
 * Arrays are row-major and contiguous within a matrix; batches are laid out
 * with a batch stride (0 broadcasts one matrix over the whole batch).
 */
export type FloatArray = Float32Array | Float64Array;

export type BackendName = 'js' | 'wasm';

export interface GemmArgs {
  /** Element type of a, b and c. ('int8' with int32 accumulation is reserved for quantisation.) */
  dtype: 'float32' | 'float64';
  /** Number of independent products. */
  batch: number;
  /** op(A) is M×K, op(B) is K×N, C is M×N. */
  m: number;
  n: number;
  k: number;
  a: FloatArray;
  aOffset: number;
  /** Elements between consecutive matrices of A (0: the same A for every batch). */
  aBatchStride: number;
  /** A is stored K×M and used transposed. */
  transA: boolean;
  b: FloatArray;
  bOffset: number;
  bBatchStride: number;
  /** B is stored N×K and used transposed. */
  transB: boolean;
  c: FloatArray;
  cOffset: number;
  cBatchStride: number;
  /** true: C += op(A)·op(B); false: C = op(A)·op(B). */
  accumulate: boolean;
}

/** A product for `gemm`: the shape and the three arrays; everything else defaults to one plain C = A·B over whole arrays. */
export interface GemmCall {
  m: number;
  n: number;
  k: number;
  a: FloatArray;
  b: FloatArray;
  c: FloatArray;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  /** A is stored K×M and used transposed; B is stored N×K and used transposed. */
  transA?: boolean;
  transB?: boolean;
  /** C += op(A)·op(B) instead of C = op(A)·op(B). */
  accumulate?: boolean;
  /** Independent products, with the elements between consecutive matrices (0: the same matrix for every product). */
  batch?: number;
  aBatchStride?: number;
  bBatchStride?: number;
  cBatchStride?: number;
}

/** A call's full backend arguments, every default filled in, the element type that of C. */
export function gemmArgs(call: GemmCall): GemmArgs {
  // Every field in one order: one object shape for the backend's property reads.
  return {
    dtype: call.c instanceof Float64Array ? 'float64' : 'float32',
    batch: call.batch ?? 1,
    m: call.m,
    n: call.n,
    k: call.k,
    a: call.a,
    aOffset: call.aOffset ?? 0,
    aBatchStride: call.aBatchStride ?? 0,
    transA: call.transA ?? false,
    b: call.b,
    bOffset: call.bOffset ?? 0,
    bBatchStride: call.bBatchStride ?? 0,
    transB: call.transB ?? false,
    c: call.c,
    cOffset: call.cOffset ?? 0,
    cBatchStride: call.cBatchStride ?? 0,
    accumulate: call.accumulate ?? false,
  };
}

export interface Backend {
  readonly name: BackendName;
  /** C = op(A)·op(B) (or C += ...) for every matrix of the batch. */
  gemm(args: GemmArgs): void;
  /** Runs `body` with `operand` held where this backend's GEMM reads it without a copy (absent: nothing to hold). */
  keepResident?<T>(operand: FloatArray, body: () => T): T;
  /** Worker threads this backend splits a kernel over (1 for 'js'). */
  numThreads(): number;
  setNumThreads(n: number): void;
}
