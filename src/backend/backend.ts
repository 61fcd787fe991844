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

/** What a Conv → ReLU (→ MaxPool) block applies to the convolution's output, in the same pass. */
export interface ConvEpilogue {
  relu: boolean;
  /** Max pooling (no padding, dilation 1) of the relu'd output, or null. */
  pool: { kh: number; kw: number; sh: number; sw: number; ho: number; wo: number } | null;
}

/** The forward pass's result: the block's output and, with pooling, each output cell's arg-max offset within its sample. */
export interface ConvForwardResult {
  y: Float32Array;
  offsets: Int32Array | null;
}

export interface ConvBackwardArgs {
  /** The input (needed for the weight gradient). */
  x: Float32Array;
  /** dL/dy [N, O, Ho, Wo], or with an epilogue the gradient of the block's output. */
  dy: Float32Array;
  /** The block's epilogue with its forward result (relu's mask is out > 0). */
  epilogue?: ConvEpilogue & ConvForwardResult;
  /** The weight [O, C·kh·kw] (needed for the input gradient). */
  weight: Float32Array;
  /** Which gradients to compute. */
  input: boolean;
  weights: boolean;
  bias: boolean;
}

export interface ConvGradients {
  /** dL/dx [N, C, H, W], dL/dW [O, C·kh·kw] and dL/db [O] (float64 sums rounded once), or null where not asked for. */
  dx: Float32Array | null;
  dw: Float32Array | null;
  db: Float32Array | null;
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
  /**
   * One Adam-style step in place on p, m and v, with the arithmetic of the
   * optimiser's JS loop in float64 (the same results to the bit).
   */
  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamScalars): void;
}

/** The scalars of one Adam-style step: g' = sign·g + l2·p; v = b2·v + c2·g'²; m = mu·m + keep·g'; p = p·shrink − lr·m / (√v / vScale + eps). */
export interface AdamScalars {
  sign: number; l2: number; shrink: number; mu: number; keep: number; lr: number; vScale: number; b2: number; c2: number; eps: number;
}

/**
 * One-vs-one C-SVC training from precomputed kernel blocks (libsvm's SMO,
 * started from α = 0 with p = −1): every pair of classes i < j, class i the
 * +1 side. Samples are grouped by class.
 */
export interface SvcPairsArgs {
  /** First sample and number of samples of each class. */
  classStart: Int32Array;
  classCount: Int32Array;
  /**
   * Per class c, row-major float32 [classCount[c], n − classStart[c]]: the
   * kernel ('values') or the dot products ('rbfDots') of class c's samples
   * with samples classStart[c]..n−1. Either a function, called once when
   * the backend has taken the job (so a refused job costs no kernel
   * computation), or, for dot products, the float32 rows (n × cols): the
   * backend then computes them with its own GEMM (the values its `gemm`
   * gives).
   */
  blocks: (() => Float32Array[]) | { rows: Float32Array; cols: number };
  /** 'rbfDots': K = exp(−gamma·max(0, sq_a + sq_b − 2·dot)) (fastExp: its constants), K(x, x) = diag. */
  mode: 'values' | 'rbfDots';
  gamma: number;
  sq: Float64Array;
  /** The fast exp's constants and tables (kernels.ts), so values are the JS path's to the bit. */
  fastExp: Float64Array;
  /** K(x, x) per sample (Q_ii in double, as libsvm). */
  diag: Float64Array;
  /** Upper bound of each sample's α. */
  C: Float64Array;
  eps: number;
  shrinking: boolean;
  /** Iteration cap per pair; -1 for none. */
  maxIter: number;
}

/** Per pair, in order (0,1), (0,2), ..., (1,2), ...: y·α over the pair's samples (class i's first), and the solver's outputs. */
export interface SvcPairsResult {
  coef: Float64Array[];
  rho: Float64Array;
  obj: Float64Array;
  iter: Int32Array;
  converged: boolean[];
}

/** One layer of a dense chain: relu?(x·Wᵀ + b), W n×k row-major (PyTorch's layout). */
export interface DenseChainLayer {
  w: Float32Array;
  b: Float32Array | null;
  n: number;
  k: number;
  relu: boolean;
}

/** What the backward of a dense chain needs from its forward, and what it is asked for. */
export interface DenseChainBackwardArgs {
  x: Float32Array;
  /** Each layer's output (after relu), as the forward returned them. */
  outputs: readonly Float32Array[];
  /** dL/d(the last output). */
  dOut: Float32Array;
  wantDx: boolean;
  /** Per layer: whether dW and db are wanted. */
  wantDw: readonly boolean[];
  wantDb: readonly boolean[];
}

export interface Backend {
  readonly name: 'js' | 'wasm';
  /** C = op(A)·op(B) (or C += ...) for every matrix of the batch. */
  gemm(args: GemmArgs): void;
  /**
   * Float32 convolution passes (groups = 1) done whole by the backend, with
   * im2col, GEMM and col2im fused per sample; results in new arrays. Each
   * returns null where the job does not suit the backend: the caller then
   * lowers it to im2col and gemm itself.
   */
  conv2dForward?(geometry: ConvKernelGeometry, x: Float32Array, weight: Float32Array, bias: Float32Array | null, epilogue?: ConvEpilogue): ConvForwardResult | null;
  conv2dBackward?(geometry: ConvKernelGeometry, args: ConvBackwardArgs): ConvGradients | null;
  /**
   * SVC training of all class pairs at once (the pairs in parallel). Returns
   * null where the backend does not run it (too large, or a thread that may
   * not block); the caller then runs its own solver.
   */
  svcPairs?(args: SvcPairsArgs): SvcPairsResult | null;
  /**
   * A chain of float32 dense layers on m rows in one call each way, with the
   * results of the layers one by one; null where the backend has none.
   * The forward returns every layer's output (the last is the chain's).
   */
  denseChainForward?(x: Float32Array, m: number, layers: readonly DenseChainLayer[]): Float32Array[] | null;
  denseChainBackward?(m: number, layers: readonly DenseChainLayer[], args: DenseChainBackwardArgs): { dx: Float32Array | null; dw: (Float32Array | null)[]; db: (Float32Array | null)[] } | null;
  /** Faster float32 element-wise kernels, where the backend has them. */
  readonly float32?: Float32Kernels;
  /** Worker threads this backend splits a kernel over (1 for 'js'). */
  numThreads(): number;
  setNumThreads(n: number): void;
}
