// The control slots of the SVC jobs of asm/svm.ts (mirrored in
// src/backend/wasm/layout.ts) and the SVC_DOTS job, which computes the
// class blocks of dot products that the pair solver reads.
import { blockF32, slot, WORK_BYTES, WORK_PTR } from './gemm';

/** Job kinds (control slot KIND). Mirrored in src/backend/wasm/layout.ts. */
export const SVC_PAIRS: i32 = 4;
/** The class blocks as float32 dot products, one chunk per (class, row block): a GEMM job of many shapes. */
export const SVC_DOTS: i32 = 5;

/** SVC slots of the control block (after the convolution slots). Mirrored in src/backend/wasm/layout.ts. */
export const SV_N = 64; // samples, grouped by class
export const SV_MODE = 65; // SV_MODE_VALUES or SV_MODE_RBF_DOTS
export const SV_CLASS_PTR = 66; // i32 × 4 per class: start, count, float offset of its block, its first column (≤ start)
export const SV_PAIR_PTR = 67; // i32 × 4 per pair: class i, class j, byte address of its output, rows its kernel-row cache holds (≥ 2; each of room SV_MAX_L)
export const SV_BLOCKS_PTR = 68; // float32 class blocks
export const SV_SQ_PTR = 69; // f64 per sample: squared norm (SV_MODE_RBF_DOTS)
export const SV_DIAG_PTR = 70; // f64 per sample: K(x, x)
export const SV_C_PTR = 71; // f64 per sample: its upper bound C
export const SV_PARAMS_PTR = 72; // f64: eps, gamma, then fastExpF32's constants (see readParams)
export const SV_SHRINKING = 73;
export const SV_MAX_ITER = 74; // -1: none
export const SV_SCRATCH_PTR = 75; // thread t uses SV_SCRATCH_PTR + t · SV_SCRATCH_BYTES
export const SV_SCRATCH_BYTES = 76;
export const SV_MAX_L = 77; // largest pair: the scratch layout is by this size
export const SV_X_PTR = 78; // SVC_DOTS: the float32 rows (n × d), row-major
export const SV_D = 79;
export const SV_BP_PTR = 80; // SVC_DOTS: the rows packed as GEMM's B (packB32 of Xᵀ)
export const SV_DOT_CHUNK_PTR = 81; // SVC_DOTS: i32 × 4 per chunk: class, first row, end row (class-local), 0

/** The blocks hold kernel values. */
export const SV_MODE_VALUES = 0;
/** The blocks hold float32 dot products; rows are mapped to RBF values as they are filled. */
export const SV_MODE_RBF_DOTS = 1;

/**
 * Rows [r0, r1) of class c's block of dot products (chunk `chunk` of an
 * SVC_DOTS job): X[start + r0 .. start + r1) · X[origin .. n)ᵀ by the GEMM
 * block kernel, each value computed as any GEMM of these rows computes it.
 */
export function svcDotsChunk(ctl: usize, tid: i32, chunk: i32): void {
  const entry = <usize>slot(ctl, SV_DOT_CHUNK_PTR) + (<usize>chunk << 4);
  const c = load<i32>(entry);
  const classEntry = <usize>slot(ctl, SV_CLASS_PTR) + (<usize>c << 4);
  const start = load<i32>(classEntry);
  const origin = load<i32>(classEntry, 12);
  const all = slot(ctl, SV_N);
  const width = all - origin;
  const d = slot(ctl, SV_D);
  // C's row i (a row of X) and column j land at row i − start, column j − origin of the block
  const block = <usize>slot(ctl, SV_BLOCKS_PTR) + (<usize>load<i32>(classEntry, 8) << 2);
  const c0 = block - ((<usize>start * <usize>width + <usize>origin) << 2);
  const scratch = <usize>slot(ctl, WORK_PTR) + <usize>tid * <usize>slot(ctl, WORK_BYTES);
  blockF32(<usize>slot(ctl, SV_X_PTR), d, false, <usize>slot(ctl, SV_BP_PTR), c0, width, d,
    start + load<i32>(entry, 4), start + load<i32>(entry, 8), origin, all, false, scratch);
}
