/**
 * The control block shared by the caller, the workers and the kernels: one
 * job at a time, as i32 slots in the wasm memory. Its slots are defined once,
 * in asm/layout.ts, and generated into layout.generated.ts by the build; the
 * SVC training slots are asm/svm.ts's own, copied here (test/backend.test.ts
 * checks every constant against asm/).
 */
export * from './layout.generated.js';

/** SVC training (asm/svm.ts): KIND values (a pairs job: one class pair per chunk; a dots job: one class row block per chunk) and parameters. */
export const SVC_PAIRS = 4;
export const SVC_DOTS = 5;
/** Samples (grouped by class) and how the class blocks hold the kernel: SV_MODE_VALUES or SV_MODE_RBF_DOTS. */
export const SV_N = 64;
export const SV_MODE = 65;
export const SV_MODE_VALUES = 0;
export const SV_MODE_RBF_DOTS = 1;
/** i32 × 4 per class: first sample, samples, float offset of its block (its samples × samples origin..n−1) in SV_BLOCKS_PTR, origin. */
export const SV_CLASS_PTR = 66;
/** i32 × 4 per pair: class i, class j, byte address of its output, rows of its kernel-row cache (≥ 2, each of room SV_MAX_L). */
export const SV_PAIR_PTR = 67;
export const SV_BLOCKS_PTR = 68;
/** f64 per sample: squared norms (SV_MODE_RBF_DOTS), K(x, x), upper bound C. */
export const SV_SQ_PTR = 69;
export const SV_DIAG_PTR = 70;
export const SV_C_PTR = 71;
/** f64: eps, gamma, then the fast exp's constants and tables. */
export const SV_PARAMS_PTR = 72;
export const SV_SHRINKING = 73;
export const SV_MAX_ITER = 74;
/** Thread t's solver state starts at SV_SCRATCH_PTR + t·SV_SCRATCH_BYTES, laid out for pairs of up to SV_MAX_L samples. */
export const SV_SCRATCH_PTR = 75;
export const SV_SCRATCH_BYTES = 76;
export const SV_MAX_L = 77;
/** Dots job: the float32 rows (n × SV_D), packed as GEMM's B, and i32 × 4 per chunk: class, first row, end row, 0. */
export const SV_X_PTR = 78;
export const SV_D = 79;
export const SV_BP_PTR = 80;
export const SV_DOT_CHUNK_PTR = 81;
