/**
 * The kernel interface. Every backend implements the heavy numeric routines
 * here; element-wise ops and reductions live in `tensor/` as plain loops
 * (V8 compiles them to code that already runs at memory bandwidth, so a
 * round trip through WebAssembly memory would only add copies).
 *
 * Arrays are row-major and contiguous within a matrix; batches are laid out
 * with a batch stride (0 broadcasts one matrix over the whole batch).
 */
export type FloatArray = Float32Array | Float64Array;

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

/** Shape of a 2-D convolution (groups = 1): NCHW input, O×C×kh×kw weight, Ho×Wo output. */
export interface ConvKernelGeometry {
  n: number; c: number; h: number; w: number;
  o: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  ho: number; wo: number;
}

export interface ConvKernelArgs {
  /**
   * 'forward': y [N, O, Ho, Wo] from input = x and weight = W;
   * 'inputGrad': dx [N, C, H, W] from input = dy and weight = W;
   * 'weightGrad': dW [O, C·kh·kw] (summed over the batch) from input = x and weight = dy.
   */
  kind: 'forward' | 'inputGrad' | 'weightGrad';
  geometry: ConvKernelGeometry;
  input: Float32Array;
  weight: Float32Array;
  /** 'forward' only: one bias per output channel, added to y. */
  bias?: Float32Array;
}

/** Shape of a 2-D pooling over N·C planes of H×W. */
export interface PoolKernelGeometry {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  ho: number; wo: number;
}

/**
 * Float32 element-wise kernels that a backend runs faster than the JS loops
 * of tensor/. Each returns new arrays (a backend can make them faster than a
 * caller's zero-filled ones).
 */
export interface Float32Kernels {
  /** max(x, 0), NaN kept. */
  relu(x: Float32Array): Float32Array;
  /** g where out > 0, else 0 (out: relu's output). */
  reluGrad(out: Float32Array, g: Float32Array): Float32Array;
  /** Each window's first maximum (a NaN wins) and its flat offset into x. */
  maxPool2d(x: Float32Array, geometry: PoolKernelGeometry): { values: Float32Array; offsets: Int32Array };
}

export interface Backend {
  readonly name: 'js' | 'wasm';
  /** C = op(A)·op(B) (or C += ...) for every matrix of the batch. */
  gemm(args: GemmArgs): void;
  /**
   * A float32 convolution pass done whole by the backend (im2col, GEMM and
   * col2im fused per sample), returning the result in a new array. Returns
   * null where the job does not suit the backend; the caller then lowers it
   * to im2col and gemm itself.
   */
  conv2d?(args: ConvKernelArgs): Float32Array | null;
  /** Faster float32 element-wise kernels, where the backend has them. */
  readonly float32?: Float32Kernels;
  /** Worker threads this backend splits a kernel over (1 for 'js'). */
  numThreads(): number;
  setNumThreads(n: number): void;
}
