/**
 * The control block shared by the caller, the workers and the kernels: one
 * job at a time, as i32 slots in the wasm memory. Slot numbers mirror the
 * constants at the top of asm/gemm.ts (the kernels read slots NEXT..WORK_BYTES).
 */
/** Job sequence number; 0 while no job is open (the caller is writing one). */
export const SEQ = 0;
/** Workers currently inside a job. */
export const ACTIVE = 1;
/** Next chunk to claim. */
export const NEXT = 2;
/** 0: a GEMM job; CONV_FORWARD, CONV_BACKWARD: a convolution job, one sample per chunk (asm/conv.ts); SVC_PAIRS, SVC_DOTS: SVC training (asm/svm.ts). */
export const KIND = 3;
export const CONV_FORWARD = 1;
export const CONV_BACKWARD = 2;
export const NCHUNKS = 4;
/** 0 float32, 1 float64. */
export const DTYPE = 5;
export const M = 6;
export const N = 7;
export const K = 8;
/** Byte address of A (as stored), bytes between batch matrices (0: shared), row stride in elements, 1 if stored K×M. */
export const A_PTR = 9;
export const A_BATCH_BYTES = 10;
export const LDA = 11;
export const TRANS_A = 12;
/** Byte address of packed B and bytes between batch matrices (0: shared). */
export const BP_PTR = 13;
export const BP_BATCH_BYTES = 14;
/** Byte address of C (contiguous M×N per batch) and bytes between batch matrices. */
export const C_PTR = 15;
export const C_BATCH_BYTES = 16;
export const ACCUMULATE = 17;
/** Chunk grid: rows per chunk (multiple of MR), row chunks per batch, likewise columns. */
export const ROWS_PER_CHUNK = 18;
export const ROW_CHUNKS = 19;
export const COLS_PER_CHUNK = 20;
export const COL_CHUNKS = 21;
/** Per-thread scratch: thread t uses WORK_PTR + t·WORK_BYTES. */
export const WORK_PTR = 22;
export const WORK_BYTES = 23;
/** Byte address of one i32 per chunk, set to JOB_ID when the chunk is done. */
export const FLAGS_PTR = 24;
export const JOB_ID = 25;
/** Workers with an index above this stay out of jobs (the pool was resized down). */
export const LIVE_WORKERS = 26;
/** Workers that have started and are ready for jobs. */
export const READY = 27;
/** Convolution jobs (asm/conv.ts): geometry, operands and per-thread scratch. */
export const CV_C = 32;
export const CV_H = 33;
export const CV_W = 34;
export const CV_O = 35;
export const CV_KH = 36;
export const CV_KW = 37;
export const CV_SH = 38;
export const CV_SW = 39;
export const CV_PH = 40;
export const CV_PW = 41;
export const CV_DH = 42;
export const CV_DW = 43;
export const CV_HO = 44;
export const CV_WO = 45;
/** x, all samples (forward; backward when dW is wanted). */
export const CV_X_PTR = 46;
/** W (forward; backward when dx is wanted). */
export const CV_WEIGHT_PTR = 47;
/** Forward: y. */
export const CV_Y_PTR = 48;
/** Thread t's scratch starts at CV_SCRATCH_PTR + t·CV_SCRATCH_BYTES: one sample's columns, then at CV_COLS_BYTES the packed operand. */
export const CV_SCRATCH_PTR = 49;
export const CV_SCRATCH_BYTES = 50;
export const CV_COLS_BYTES = 51;
/** Forward: byte address of one bias per output channel, 0 for none. */
export const CV_BIAS_PTR = 52;
/** Backward: dy (all samples); dx, per-sample dW and per-sample float64 db, each 0 when not wanted. */
export const CV_DY_PTR = 53;
export const CV_DX_PTR = 54;
export const CV_DW_PTR = 55;
export const CV_DB_PTR = 56;
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
/** i32 × 4 per pair: class i, class j, byte address of its output, 0. */
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
/** A Conv → ReLU (→ MaxPool) block's epilogue: relu flag; pooling window, stride and output size (window 0: none). */
export const CV_RELU = 100;
export const CV_POOL_KH = 101;
export const CV_POOL_KW = 102;
export const CV_POOL_SH = 103;
export const CV_POOL_SW = 104;
export const CV_POOL_HO = 105;
export const CV_POOL_WO = 106;
/** The block's output (forward writes it; backward reads it for relu's mask), the pooling's arg-max offsets. */
export const CV_BLOCK_OUT_PTR = 107;
export const CV_POOL_IDX_PTR = 108;
/** Offset within a thread's convolution scratch of one sample's convolution output (or its gradient). */
export const CV_Y_SCRATCH = 109;
export const CONTROL_SLOTS = 128;

/** Byte address of the control block; addresses below SCRATCH_BASE are never used by kernels' data. */
export const CONTROL_BASE = 1024;
/** Start of the scratch region (inputs, packed panels, outputs, per-thread buffers). */
export const SCRATCH_BASE = 65536;
