// The control block shared by the caller, the workers and the kernels: one
// job at a time, as i32 slots (index × 4 bytes from CONTROL_BASE).
//
// Defined here once: scripts/build-wasm.mjs copies these constants into
// src/backend/wasm/layout.generated.ts for the TypeScript side. Keep every
// line of the form `export const NAME: i32 = <integer>;` (with its comment
// above), which is what the build script reads. The SVC slots (64..81) are
// asm/svm.ts's own; a test checks the TypeScript copy of them.

/** Byte address of the control block; addresses below SCRATCH_BASE are never used by kernels' data. */
export const CONTROL_BASE: i32 = 1024;
/** Start of the scratch region (inputs, packed panels, outputs, per-thread buffers). */
export const SCRATCH_BASE: i32 = 65536;
/** Slots in the control block (128..159: the float32 conv chain's). */
export const CONTROL_SLOTS: i32 = 160;

// ------------------------------------------------------------- job kinds ---

/** KIND: a GEMM on a grid of chunks (gemm.ts). */
export const GEMM_JOB: i32 = 0;
/** KIND: a convolution pass, one sample per chunk (conv.ts). SVC_PAIRS (4) and SVC_DOTS (5) are svm.ts's. */
export const CONV_FORWARD: i32 = 1;
export const CONV_BACKWARD: i32 = 2;

// -------------------------------------------------------- every job's slots ---

/** Job sequence number; 0 while no job is open (the caller is writing one). */
export const SEQ: i32 = 0;
/** Workers currently inside a job. */
export const ACTIVE: i32 = 1;
/** Next chunk to claim. */
export const NEXT: i32 = 2;
/** Which job: GEMM_JOB, CONV_FORWARD, CONV_BACKWARD, HISTOGRAM_JOB, or svm.ts's SVC_PAIRS, SVC_DOTS. */
export const KIND: i32 = 3;
export const NCHUNKS: i32 = 4;
/** Per-thread scratch: thread t uses WORK_PTR + t·WORK_BYTES. */
export const WORK_PTR: i32 = 22;
export const WORK_BYTES: i32 = 23;
/** Byte address of one i32 per chunk, set to JOB_ID when the chunk is done. */
export const FLAGS_PTR: i32 = 24;
export const JOB_ID: i32 = 25;
/** Workers with an index above this stay out of jobs (the pool was resized down). */
export const LIVE_WORKERS: i32 = 26;
/** Workers that have started and are ready for jobs. */
export const READY: i32 = 27;

// -------------------------------------------------------------- GEMM jobs ---

/** 0 float32, 1 float64. */
export const DTYPE: i32 = 5;
export const M: i32 = 6;
export const N: i32 = 7;
export const K: i32 = 8;
/** Byte address of A (as stored), bytes between batch matrices (0: shared), row stride in elements, 1 if stored K×M. */
export const A_PTR: i32 = 9;
export const A_BATCH_BYTES: i32 = 10;
export const LDA: i32 = 11;
export const TRANS_A: i32 = 12;
/** Byte address of packed B and bytes between batch matrices (0: shared). */
export const BP_PTR: i32 = 13;
export const BP_BATCH_BYTES: i32 = 14;
/** Byte address of C (contiguous M×N per batch, ldc = N) and bytes between batch matrices. */
export const C_PTR: i32 = 15;
export const C_BATCH_BYTES: i32 = 16;
export const ACCUMULATE: i32 = 17;
/** Chunk grid: rows per chunk (multiple of MR), row chunks per batch, likewise columns (multiple of NR). */
export const ROWS_PER_CHUNK: i32 = 18;
export const ROW_CHUNKS: i32 = 19;
export const COLS_PER_CHUNK: i32 = 20;
export const COL_CHUNKS: i32 = 21;

// ------------------------------------------------------- convolution jobs ---

/** Geometry: channels, height, width, outputs, kernel, stride, padding, dilation, output size. */
export const CV_C: i32 = 32;
export const CV_H: i32 = 33;
export const CV_W: i32 = 34;
export const CV_O: i32 = 35;
export const CV_KH: i32 = 36;
export const CV_KW: i32 = 37;
export const CV_SH: i32 = 38;
export const CV_SW: i32 = 39;
export const CV_PH: i32 = 40;
export const CV_PW: i32 = 41;
export const CV_DH: i32 = 42;
export const CV_DW: i32 = 43;
export const CV_HO: i32 = 44;
export const CV_WO: i32 = 45;
/** x, all samples (forward; backward when dW is wanted). */
export const CV_X_PTR: i32 = 46;
/** W (forward; backward when dx is wanted). */
export const CV_WEIGHT_PTR: i32 = 47;
/** Forward: y. */
export const CV_Y_PTR: i32 = 48;
/** Thread t's scratch starts at CV_SCRATCH_PTR + t·CV_SCRATCH_BYTES: one sample's columns, then at CV_COLS_BYTES the packed operand. */
export const CV_SCRATCH_PTR: i32 = 49;
export const CV_SCRATCH_BYTES: i32 = 50;
export const CV_COLS_BYTES: i32 = 51;
/** Forward: byte address of one bias per output channel, 0 for none. */
export const CV_BIAS_PTR: i32 = 52;
/** Backward: dy (all samples); dx, per-sample dW and per-sample float64 db, each 0 when not wanted. */
export const CV_DY_PTR: i32 = 53;
export const CV_DX_PTR: i32 = 54;
export const CV_DW_PTR: i32 = 55;
export const CV_DB_PTR: i32 = 56;
/** Backward: 0, or the rows R ≥ K of each sample's dW computed transposed, R×O (a small K pads less of the register tile that way; rows K..R are zero, R a multiple of the tile's rows); the caller transposes the sum's first K rows. */
export const CV_DW_TRANSPOSED: i32 = 57;
/** A Conv → ReLU (→ MaxPool) block's epilogue: relu flag; pooling window, stride and output size (window 0: none; no padding, dilation 1). */
export const CV_RELU: i32 = 100;
export const CV_POOL_KH: i32 = 101;
export const CV_POOL_KW: i32 = 102;
export const CV_POOL_SH: i32 = 103;
export const CV_POOL_SW: i32 = 104;
export const CV_POOL_HO: i32 = 105;
export const CV_POOL_WO: i32 = 106;
/** The block's output (forward writes it; backward reads it for relu's mask), the pooling's arg-max offsets within a sample's convolution output. */
export const CV_BLOCK_OUT_PTR: i32 = 107;
export const CV_POOL_IDX_PTR: i32 = 108;
/** Offset within a thread's convolution scratch of one sample's convolution output (or its gradient). */
export const CV_Y_SCRATCH: i32 = 109;

// ------------------------------------------------- float32 conv chains ---

/**
 * KIND: a stack of convolution blocks (Conv → ReLU (→ MaxPool)) run one
 * sample per chunk (conv-chain.ts): the thread that claims a sample runs
 * every block's pass on it in turn, what one block writes staying in the
 * engine's memory for the next. Each block is described by CONTROL_SLOTS
 * i32 at CC_CHAIN_PTR holding the control block's slots of a CONV_FORWARD or
 * CONV_BACKWARD job (its KIND, CV_ slots, WORK_PTR and WORK_BYTES).
 */
export const CONV_CHAIN: i32 = 11;
/** The blocks' descriptors and how many. */
export const CC_CHAIN_PTR: i32 = 128;
export const CC_LAYERS: i32 = 129;

// ------------------------------------------------------- histogram jobs ---

/** KIND: the gradient histograms of one tree node, one group of features per chunk (histogram.ts). */
export const HISTOGRAM_JOB: i32 = 6;
/** u8 bin codes, column-major (feature f of row r at f·HG_N_ROWS + r), and the rows per column. */
export const HG_BINNED_PTR: i32 = 82;
export const HG_N_ROWS: i32 = 83;
/** i32 per feature (and one more): the first histogram slot of each feature. */
export const HG_SLOT_START_PTR: i32 = 84;
/** i32: the features to build; chunk c builds features[chunkStart[c] .. chunkStart[c + 1]) (i32 per chunk and one more at HG_CHUNK_START_PTR). */
export const HG_FEATURES_PTR: i32 = 85;
export const HG_CHUNK_START_PTR: i32 = 86;
/** The node's rows (i32 indices, in partition order), how many, and their f32 gradients and hessians in that order. */
export const HG_ROWS_PTR: i32 = 87;
export const HG_COUNT: i32 = 88;
export const HG_GRADIENTS_PTR: i32 = 89;
export const HG_HESSIANS_PTR: i32 = 90;
/** f64 × 3 per slot (Σ gradient, Σ hessian, count), zeroed by the caller. */
export const HG_OUT_PTR: i32 = 91;

// ------------------------------------------------------------ LSTM jobs ---

/**
 * KIND: one direction of an LSTM layer over all its steps, forward or
 * backward (lstm.ts), LS_ROWS_PER_CHUNK rows of the batch per chunk: the
 * rows' recurrences are independent, so a chunk runs every step of its own
 * rows and threads never wait for one another.
 */
export const LSTM_FORWARD: i32 = 7;
export const LSTM_BACKWARD: i32 = 8;
/** Steps, batch rows, hidden units; 1 to run in reverse time order; rows per chunk (a multiple of 4 but for the last chunk). */
export const LS_T: i32 = 28;
export const LS_B: i32 = 29;
export const LS_H: i32 = 30;
export const LS_REVERSE: i32 = 58;
export const LS_ROWS_PER_CHUNK: i32 = 59;
/** Forward: the layer input x (T×B×F); backward: the gradient of the hidden outputs (T×B×H). */
export const LS_X_PTR: i32 = 60;
/** Forward: W_hhᵀ (H×4H); backward: W_hh (4H×H); both in small.ts's column panels. */
export const LS_W_PTR: i32 = 61;
/** Forward: b_hh (4H), 0 for none; backward: 0. */
export const LS_BIAS_PTR: i32 = 62;
/** Forward: h0 (B×H); backward: the gradient of h0 (B×H, written). */
export const LS_H0_PTR: i32 = 63;
/** Forward: c0 (B×H), turned into the final cell state; backward: that state's gradient, turned into c0's. */
export const LS_C_PTR: i32 = 92;
/** Forward: the hidden states (T×B×H); backward: the gradient of the gate pre-activations (T×B×4H). */
export const LS_OUT_PTR: i32 = 93;
/** The state the forward saves for the backward: cell state before each step (T×B×H), gates after activation (T×B×4H), tanh of the new cell state (T×B×H). */
export const LS_C_PREV_PTR: i32 = 94;
export const LS_ACTS_PTR: i32 = 95;
export const LS_TANH_C_PTR: i32 = 96;
/** Chunk c's scratch starts at LS_SCRATCH_PTR + c·LS_ROWS_PER_CHUNK·8H floats. */
export const LS_SCRATCH_PTR: i32 = 97;
/**
 * Forward: the address of three i32 that say how the job projects the
 * layer input (x·W_ihᵀ + b_ih, one step at a time): F, the address of
 * W_ihᵀ (F×4H) in small.ts's column panels, that of b_ih (4H) or 0.
 * Backward: unused.
 */
export const LS_PROJECTION_PTR: i32 = 99;

// ------------------------------------------------------- dense descriptors ---

/** A dense chain's layers (dense.ts) are described by DENSE_SLOTS i32 each: */
export const D_K: i32 = 0; // inputs
export const D_N: i32 = 1; // outputs
export const D_RELU: i32 = 2; // activation after the layer: 0 none, 1 ReLU, 2 LeakyReLU (slope at D_SLOPE)
export const D_W: i32 = 3; // W (n×k, row-major)
export const D_B: i32 = 4; // bias (n), 0 for none
export const D_IN: i32 = 5; // the layer's input (m×k)
export const D_OUT: i32 = 6; // its output (m×n), after relu
export const D_DW: i32 = 7; // backward: dL/dW (n×k), 0 when not wanted
export const D_DB: i32 = 8; // backward: dL/db as float64 (n), 0 when not wanted
export const D_SLOPE: i32 = 9; // LeakyReLU's negative slope as a float64 (this slot and the next)
export const DENSE_SLOTS: i32 = 11;


// ------------------------------------------------------------ int8 jobs ---

/**
 * KIND: a chain of quantised layers (Conv2d (→ ReLU → MaxPool) …, then Linear …)
 * on Q_ROWS_PER_CHUNK samples per chunk (int8.ts). Each layer is described by
 * CONTROL_SLOTS i32 at Q_CHAIN_PTR, with the control block's slot indices:
 * KIND (INT8_CONV or INT8_DENSE), the CV_ geometry and pooling, the Q_ slots.
 */
export const INT8_CHAIN: i32 = 10;
/** A layer's kind in its descriptor. */
export const INT8_DENSE: i32 = 1;
export const INT8_CONV: i32 = 2;
/** Dense: rows, outputs, inputs; both: depth padded to a multiple of 4 (the byte operands' row length). */
export const Q_M: i32 = 110;
export const Q_N: i32 = 111;
export const Q_K: i32 = 112;
export const Q_KP: i32 = 113;
/** float32 input; the int8 weights (dense: packed in panels of 8 outputs; conv: O padded to 4 rows of Q_KP); float32 output. */
export const Q_X_PTR: i32 = 114;
export const Q_W_PTR: i32 = 115;
export const Q_Y_PTR: i32 = 116;
/** float32 per output channel: inputScale·weightScale, and the bias (zeros for none). */
export const Q_SCALE_PTR: i32 = 117;
export const Q_BIAS_PTR: i32 = 118;
/** The input's quantisation: 1 / scale (float32 bits) and zero point. */
export const Q_INV_SCALE: i32 = 119;
export const Q_ZERO: i32 = 120;
/** Thread t's scratch starts at Q_SCRATCH_PTR + t·Q_SCRATCH_BYTES. */
export const Q_SCRATCH_PTR: i32 = 121;
export const Q_SCRATCH_BYTES: i32 = 122;
/** 1: ReLU after the layer. */
export const Q_RELU: i32 = 123;
export const Q_ROWS_PER_CHUNK: i32 = 124;
/** Chain: the layers' descriptors and how many; the offset of the float32 buffer between layers in a thread's scratch. */
export const Q_CHAIN_PTR: i32 = 125;
export const Q_LAYERS: i32 = 126;
export const Q_TMP_OFFSET: i32 = 31;
/** Descriptor: the offset of the layer's input codes (conv: padded image; dense: rows) in a thread's scratch. */
export const Q_IN_OFFSET: i32 = 127;
/** Descriptor: int32 per output channel, zeroPoint·Σw, subtracted from the accumulators. */
export const Q_CORR_PTR: i32 = 98;
