/**
 * The WebAssembly backend: GEMM on SIMD kernels, split over worker threads
 * that share one WebAssembly.Memory.
 *
 * Each call copies its operands into a scratch region of that memory (the
 * caller's arrays are ordinary JS arrays the kernels cannot see), packs B
 * once, runs the kernels over a grid of chunks (on this thread alone for
 * small products) and copies C out. The scratch region is reused; it grows
 * to the largest call seen, and batched calls larger than SCRATCH_SOFT_LIMIT
 * are done a group of batch matrices at a time so it does not grow with the
 * batch.
 */
import type { AdamScalars, Backend, ConvBackwardArgs, DenseChainBackwardArgs, DenseChainLayer, ConvEpilogue, ConvForwardResult, ConvGradients, ConvKernelGeometry, Float32Kernels, FloatArray, GemmArgs, PoolKernelGeometry, SvcPairsArgs, SvcPairsResult } from '../backend.js';
import { DTypeError, ValueError } from '../../errors.js';
import { jsBackend } from '../js.js';
import { canBlock, canSpawnWorkers, hardwareConcurrency } from '../../platform/threads.js';
import { kernels, type KernelExports, type KernelSupport } from './kernels.js';
import * as slot from './layout.js';
import { WorkerPool } from './pool.js';

/**
 * Below this many multiply-adds (128³) a GEMM stays on the calling thread:
 * waking a worker takes tens of microseconds, as long as such a product takes.
 */
const PARALLEL_MIN_MACS = 1 << 21;
/** Scratch size above which a batched call is split into groups of batch matrices. */
const SCRATCH_SOFT_LIMIT = 256 * 2 ** 20;
/** Rows per chunk on one thread: an MC×KC block of packed A stays in L2 (128 KiB for float32). */
const ROWS_PER_CHUNK_ONE_THREAD = 128;
/** With several threads, aim for this many chunks per thread so uneven cores still balance. */
const CHUNKS_PER_THREAD = 8;
/** The least work worth a chunk of its own with several threads (about 15 µs). */
const MIN_CHUNK_MACS = 1 << 19;
/** Polls of a chunk's flag before the caller sleeps on it: most chunks finish within microseconds of being awaited. */
const SPIN_POLLS = 2000;
const PAGE = 65536;
/** How long warmUp() runs the kernels on the calling thread (see warmCallerKernels). */
const CALLER_WARM_UP_MS = 120;
/** Largest per-thread scratch a convolution job may take (one sample's columns and packed operand); larger samples go through im2col + gemm. */
const CONV_SCRATCH_LIMIT = 64 * 2 ** 20;
/** Largest kernel blocks and per-thread solver scratch an SVC pairs job takes; larger problems keep the JS solver. */
const SVC_BLOCKS_LIMIT = 64 * 2 ** 20;
const SVC_SCRATCH_LIMIT = 64 * 2 ** 20;

const align64 = (x: number): number => Math.ceil(x / 64) * 64;
const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

function createMemory(shared: boolean, maxPages: number): WebAssembly.Memory {
  const initial = 32; // 2 MiB: control block, one thread's scratch and small operands
  if (!shared) return new WebAssembly.Memory({ initial });
  // A shared memory reserves its maximum up front; ask for less where address space is short.
  for (const maximum of [maxPages, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial, maximum: Math.min(maximum, maxPages), shared: true });
    } catch {
      // try a smaller reservation
    }
  }
  throw new Error('wasm backend: cannot create a shared WebAssembly.Memory');
}

/** Where one call's operands live in the scratch region (byte addresses and per-matrix strides). */
interface Layout {
  flagsPtr: number;
  aPtr: number;
  aStride: number;
  aCount: number;
  bPtr: number;
  bStride: number;
  bpPtr: number;
  bpStride: number;
  bCount: number;
  cPtr: number;
  cStride: number;
  end: number;
}

interface Grid {
  rows: number;
  rowChunks: number;
  cols: number;
  colChunks: number;
  chunks: number;
}

class WasmGemm {
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: KernelExports;
  private i32!: Int32Array;
  private f32!: Float32Array;
  private f64!: Float64Array;
  private pool: WorkerPool | null = null;
  private threads: number;
  private readonly mr32: number;
  private readonly nr32: number;
  private readonly mr64: number;
  private readonly nr64: number;
  private readonly mcMax: number;
  private readonly workBytesPerThread: number;
  private readonly control = slot.CONTROL_BASE >> 2;
  private readonly blocking = canBlock();
  private jobId = 0;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly shared: boolean,
    maxPages: number,
  ) {
    this.memory = createMemory(shared, maxPages);
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernels = instance.exports as unknown as KernelExports;
    const k = this.kernels;
    this.mr32 = k.MR32.value;
    this.nr32 = k.NR32.value;
    this.mr64 = k.MR64.value;
    this.nr64 = k.NR64.value;
    this.mcMax = k.MC_MAX.value;
    this.workBytesPerThread = k.WORK_BYTES_PER_THREAD.value;
    this.threads = this.maxThreads() > 1 ? hardwareConcurrency() : 1;
    this.refreshViews();
  }

  private maxThreads(): number {
    return this.shared && canSpawnWorkers() ? Infinity : 1;
  }

  numThreads(): number {
    return this.threads;
  }

  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer, got ${String(n)}`);
    this.threads = Math.min(n, this.maxThreads());
    if (this.pool && !this.pool.resize(this.threads - 1)) this.threads = 1;
  }

  /** Starts the workers now rather than at the first large GEMM; resolves when they are ready. */
  async warmUp(): Promise<boolean> {
    const pool = this.ensurePool();
    const ready = pool ? pool.ready() : Promise.resolve(this.threads === 1);
    await this.warmCallerKernels();
    return ready;
  }

  /**
   * Runs every kernel on small made-up operands on this thread for about
   * CALLER_WARM_UP_MS, yielding now and then. V8 first runs WebAssembly on its
   * baseline compiler and swaps in optimized code once a function has run
   * enough: without this the first hundreds of small products of a training
   * run go at a fraction of full speed (measured: the first mlp-digits fit
   * 0.50 s with optimized code from the start, 0.66 s without). The workers
   * do the same for themselves when they start (worker.ts).
   */
  private async warmCallerKernels(): Promise<void> {
    const until = performance.now() + CALLER_WARM_UP_MS;
    const fill = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
    const a = fill(48 * 40, 1), b = fill(40 * 56, 2), c = new Float32Array(48 * 56);
    const a64 = Float64Array.from(a), b64 = Float64Array.from(b), c64 = new Float64Array(48 * 56);
    const g = { n: 2, c: 3, h: 9, w: 8, o: 8, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: 9, wo: 8 };
    const x = fill(2 * 3 * 9 * 8, 3), weight = fill(8 * 27, 4), bias = fill(8, 5);
    const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: 4, wo: 4 };
    const big = fill(4096, 6), grad = fill(4096, 7), m = new Float32Array(4096), v = new Float32Array(4096);
    const adam = { sign: 1, l2: 0, shrink: 1, mu: 0.9, keep: 0.1, lr: 1e-9, vScale: 1, b2: 0.999, c2: 0.001, eps: 1e-8 };
    let yieldAt = performance.now() + 5;
    while (performance.now() < until) {
      for (const transA of [false, true]) {
        // Fields in the order of every other caller: one object shape for the backend's property reads.
        this.gemm({
          dtype: 'float32', batch: 1, m: 48, n: 56, k: 40, a, aOffset: 0, aBatchStride: 0, transA,
          b, bOffset: 0, bBatchStride: 0, transB: !transA, c, cOffset: 0, cBatchStride: 0, accumulate: transA,
        });
        this.gemm({
          dtype: 'float64', batch: 1, m: 48, n: 56, k: 40, a: a64, aOffset: 0, aBatchStride: 0, transA,
          b: b64, bOffset: 0, bBatchStride: 0, transB: !transA, c: c64, cOffset: 0, cBatchStride: 0, accumulate: transA,
        });
      }
      const epilogue = { relu: true, pool };
      const forward = this.conv2dForward(g, x, weight, bias, epilogue);
      this.conv2dForward(g, x, weight, bias);
      if (forward) this.conv2dBackward(g, { x, dy: forward.y, weight, input: true, weights: true, bias: true, epilogue: { ...epilogue, ...forward } });
      this.reluGrad(this.relu(big), grad);
      this.maxPool2d(big, { n: 1, c: 4, h: 32, w: 32, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, ho: 16, wo: 16 });
      this.adam(big, grad, m, v, adam);
      if (performance.now() > yieldAt) {
        // Let V8's background compiler install the optimized code.
        await new Promise((resolve) => setTimeout(resolve, 0));
        yieldAt = performance.now() + 5;
      }
    }
  }

  private ensurePool(): WorkerPool | null {
    if (this.threads <= 1) return null;
    if (!this.pool) {
      this.pool = new WorkerPool(this.module, this.memory);
      if (!this.pool.resize(this.threads - 1)) this.threads = 1;
    }
    return this.threads > 1 ? this.pool : null;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  private ensureBytes(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    this.memory.grow(Math.ceil((end - have) / PAGE));
    this.refreshViews();
  }

  gemm(args: GemmArgs): void {
    checkArgs(args);
    const { batch, m, n, k } = args;
    if (batch === 0 || m === 0 || n === 0) return;
    if (k === 0) {
      // An empty sum: C = 0, or C unchanged when accumulating.
      if (!args.accumulate) {
        for (let b = 0; b < batch; b++) args.c.fill(0, args.cOffset + b * args.cBatchStride, args.cOffset + b * args.cBatchStride + m * n);
      }
      return;
    }
    if (batch === 1) {
      this.run(args, 0, 1);
    } else if (args.cBatchStride === 0) {
      // Every product writes the same C: do them in order, as the reference does.
      for (let b = 0; b < batch; b++) this.run(args, b, 1);
    } else {
      const perBatch = this.layout(args, 2, 0).end - this.layout(args, 1, 0).end;
      const group = Math.max(1, Math.min(batch, Math.floor(SCRATCH_SOFT_LIMIT / perBatch)));
      for (let b = 0; b < batch; b += group) this.run(args, b, Math.min(group, batch - b));
    }
  }

  private layout(args: GemmArgs, count: number, chunks: number): Layout {
    const { m, n, k } = args;
    const size = args.dtype === 'float64' ? 8 : 4;
    const nr = args.dtype === 'float64' ? this.nr64 : this.nr32;
    // Every started worker owns its area, even while out of jobs: it warms its kernels up there at start.
    const workAreas = this.pool ? Math.max(this.threads, this.pool.size + 1) : 1;
    const aCount = args.aBatchStride === 0 ? Math.min(count, 1) : count;
    const bCount = args.bBatchStride === 0 ? Math.min(count, 1) : count;
    const aStride = align64(m * k * size);
    const bStride = align64(k * n * size);
    const bpStride = align64(k * roundUp(n, nr) * size);
    const cStride = align64(m * n * size);
    const flagsPtr = slot.SCRATCH_BASE + workAreas * align64(this.workBytesPerThread);
    const aPtr = flagsPtr + align64(chunks * 4);
    const bPtr = aPtr + aCount * aStride;
    const bpPtr = bPtr + bCount * bStride;
    const cPtr = bpPtr + bCount * bpStride;
    return { flagsPtr, aPtr, aStride, aCount, bPtr, bStride, bpPtr, bpStride, bCount, cPtr, cStride, end: cPtr + count * cStride };
  }

  /**
   * The chunk grid: row blocks of whole MR tiles, all columns. With several
   * threads, about CHUNKS_PER_THREAD chunks per thread so uneven cores still
   * balance, but none smaller than MIN_CHUNK_MACS (a chunk must outweigh the
   * cost of handing it over); columns are split too when rows are few.
   */
  private grid(m: number, n: number, k: number, count: number, mr: number, nr: number, threads: number): Grid {
    let rows = Math.min(ROWS_PER_CHUNK_ONE_THREAD, this.mcMax);
    let rowChunks = Math.ceil(m / rows);
    let cols = roundUp(n, nr);
    let colChunks = 1;
    if (threads > 1) {
      const wanted = Math.max(threads, Math.min(CHUNKS_PER_THREAD * threads, Math.floor((count * m * n * k) / MIN_CHUNK_MACS)));
      const perMatrix = Math.ceil(wanted / count);
      rowChunks = Math.min(Math.ceil(m / mr), Math.max(rowChunks, perMatrix));
      rows = roundUp(Math.ceil(m / rowChunks), mr);
      rowChunks = Math.ceil(m / rows);
      if (rowChunks < perMatrix) {
        colChunks = Math.min(Math.ceil(n / nr), Math.ceil(perMatrix / rowChunks));
        cols = roundUp(Math.ceil(n / colChunks), nr);
        colChunks = Math.ceil(n / cols);
      }
    }
    return { rows, rowChunks, cols, colChunks, chunks: count * rowChunks * colChunks };
  }

  /** Batch matrices first..first+count of the call. */
  private run(args: GemmArgs, first: number, count: number): void {
    const { m, n, k, transA, transB, accumulate } = args;
    const f64 = args.dtype === 'float64';
    const size = f64 ? 8 : 4;
    const mr = f64 ? this.mr64 : this.mr32;
    const nr = f64 ? this.nr64 : this.nr32;

    const macs = count * m * n * k;
    const pool = this.threads > 1 && macs >= PARALLEL_MIN_MACS ? this.ensurePool() : null;
    const grid = this.grid(m, n, k, count, mr, nr, pool ? this.threads : 1);
    const lay = this.layout(args, count, grid.chunks);
    this.ensureBytes(lay.end);
    const view: FloatArray = f64 ? this.f64 : this.f32;

    for (let i = 0; i < lay.aCount; i++) {
      copyIn(view, args.a, args.aOffset + (first + i) * args.aBatchStride, m * k, (lay.aPtr + i * lay.aStride) / size);
    }
    const pack = f64 ? this.kernels.packB64 : this.kernels.packB32;
    for (let i = 0; i < lay.bCount; i++) {
      const raw = lay.bPtr + i * lay.bStride;
      copyIn(view, args.b, args.bOffset + (first + i) * args.bBatchStride, k * n, raw / size);
      pack(raw, transB ? k : n, transB ? 1 : 0, k, n, lay.bpPtr + i * lay.bpStride);
    }
    if (accumulate) {
      for (let i = 0; i < count; i++) {
        copyIn(view, args.c, args.cOffset + (first + i) * args.cBatchStride, m * n, (lay.cPtr + i * lay.cStride) / size);
      }
    }

    const ctl = this.i32;
    const base = this.beginJob(0, grid.chunks, lay.flagsPtr);
    ctl[base + slot.DTYPE] = f64 ? 1 : 0;
    ctl[base + slot.M] = m;
    ctl[base + slot.N] = n;
    ctl[base + slot.K] = k;
    ctl[base + slot.A_PTR] = lay.aPtr;
    ctl[base + slot.A_BATCH_BYTES] = lay.aCount > 1 ? lay.aStride : 0;
    ctl[base + slot.LDA] = transA ? m : k;
    ctl[base + slot.TRANS_A] = transA ? 1 : 0;
    ctl[base + slot.BP_PTR] = lay.bpPtr;
    ctl[base + slot.BP_BATCH_BYTES] = lay.bCount > 1 ? lay.bpStride : 0;
    ctl[base + slot.C_PTR] = lay.cPtr;
    ctl[base + slot.C_BATCH_BYTES] = lay.cStride;
    ctl[base + slot.ACCUMULATE] = accumulate ? 1 : 0;
    ctl[base + slot.ROWS_PER_CHUNK] = grid.rows;
    ctl[base + slot.ROW_CHUNKS] = grid.rowChunks;
    ctl[base + slot.COLS_PER_CHUNK] = grid.cols;
    ctl[base + slot.COL_CHUNKS] = grid.colChunks;

    if (pool) {
      // The flags' memory held other data before; clear it so that no stale value reads as done.
      ctl.fill(0, lay.flagsPtr >> 2, (lay.flagsPtr >> 2) + grid.chunks);
      pool.open();
      this.kernels.work(slot.CONTROL_BASE, 0);
      // Copy C out chunk by chunk while the workers finish theirs.
      this.copyOutChunks(args, first, lay, grid, view, size);
      pool.finish();
    } else {
      this.kernels.work(slot.CONTROL_BASE, 0);
      for (let i = 0; i < count; i++) {
        const from = (lay.cPtr + i * lay.cStride) / size;
        args.c.set(view.subarray(from, from + m * n), args.cOffset + (first + i) * args.cBatchStride);
      }
    }
  }

  /**
   * Starts writing a job of `chunks` chunks into the control block (after the
   * previous job's stragglers have left it) and returns the block's i32 index;
   * the caller adds the kind's own slots, then runs it.
   */
  private beginJob(kind: number, chunks: number, flagsPtr: number): number {
    // Stragglers from the previous job may still read the control block: close the gate first.
    this.pool?.close();
    const ctl = this.i32;
    const base = this.control;
    this.jobId = this.jobId >= 0x3fffffff ? 1 : this.jobId + 1;
    ctl[base + slot.NEXT] = 0;
    ctl[base + slot.KIND] = kind;
    ctl[base + slot.NCHUNKS] = chunks;
    ctl[base + slot.WORK_PTR] = slot.SCRATCH_BASE;
    ctl[base + slot.WORK_BYTES] = align64(this.workBytesPerThread);
    ctl[base + slot.FLAGS_PTR] = flagsPtr;
    ctl[base + slot.JOB_ID] = this.jobId;
    return base;
  }

  /** Returns once the chunk whose flag is the i32 at `flagIndex` is done (spins briefly, then sleeps). */
  private awaitChunk(flagIndex: number): void {
    const ctl = this.i32;
    let flag: number;
    let polls = SPIN_POLLS;
    while ((flag = Atomics.load(ctl, flagIndex)) !== this.jobId) {
      if (this.blocking && --polls < 0) Atomics.wait(ctl, flagIndex, flag);
    }
  }

  /**
   * Float32 convolution passes (groups = 1) as one job of one chunk per
   * sample: the thread that claims a sample lowers it, packs it and runs the
   * GEMMs on it in its own scratch (asm/conv.ts). Null when the job does not
   * suit this path.
   */
  conv2dForward(g: ConvKernelGeometry, x: Float32Array, weight: Float32Array, bias: Float32Array | null, epilogue?: ConvEpilogue): ConvForwardResult | null {
    const pool = epilogue?.pool ?? null;
    const job = this.convJob(g, slot.CONV_FORWARD, true, true, pool !== null);
    if (!job) return null;
    checkLength('x', x, g.n * job.image);
    checkLength('weight', weight, g.o * job.depth);
    if (bias) checkLength('bias', bias, g.o);
    const outLength = g.n * (pool ? g.o * pool.ho * pool.wo : job.output);
    const xPtr = job.alloc(x.length * 4);
    const weightPtr = job.alloc(weight.length * 4);
    const biasPtr = bias ? job.alloc(g.o * 4) : 0;
    const yPtr = job.alloc(outLength * 4);
    const offsetsPtr = pool ? job.alloc(outLength * 4) : 0;
    this.ensureBytes(job.end());
    this.f32.set(x, xPtr >> 2);
    this.f32.set(weight, weightPtr >> 2);
    if (bias) this.f32.set(bias, biasPtr >> 2);
    this.runConvJob(job, [
      [slot.CV_X_PTR, xPtr], [slot.CV_WEIGHT_PTR, weightPtr], [slot.CV_Y_PTR, yPtr], [slot.CV_BIAS_PTR, biasPtr],
      [slot.CV_BLOCK_OUT_PTR, yPtr], [slot.CV_POOL_IDX_PTR, offsetsPtr], ...epilogueSlots(epilogue),
    ]);
    // slice(): a new array filled by the copy (faster than filling a zeroed one).
    return {
      y: this.f32.slice(yPtr >> 2, (yPtr >> 2) + outLength),
      offsets: pool ? this.i32.slice(offsetsPtr >> 2, (offsetsPtr >> 2) + outLength) : null,
    };
  }

  conv2dBackward(g: ConvKernelGeometry, args: ConvBackwardArgs): ConvGradients | null {
    const epilogue = args.epilogue;
    const pool = epilogue?.pool ?? null;
    const job = this.convJob(g, slot.CONV_BACKWARD, args.input, args.weights, epilogue !== undefined);
    if (!job) return null;
    const { n, o } = g;
    const blockOut = n * (pool ? o * pool.ho * pool.wo : job.output);
    checkLength('dy', args.dy, blockOut);
    const dyPtr = job.alloc(args.dy.length * 4);
    const blockOutPtr = epilogue ? job.alloc(blockOut * 4) : 0;
    const offsetsPtr = pool ? job.alloc(blockOut * 4) : 0;
    const xPtr = args.weights ? job.alloc(n * job.image * 4) : 0;
    const weightPtr = args.input ? job.alloc(o * job.depth * 4) : 0;
    const dxPtr = args.input ? job.alloc(n * job.image * 4) : 0;
    const dwPtr = args.weights ? job.alloc(n * o * job.depth * 4) : 0;
    const dwSumPtr = args.weights ? job.alloc(o * job.depth * 4) : 0;
    const dbPtr = args.bias ? job.alloc(n * o * 8) : 0;
    this.ensureBytes(job.end());
    this.f32.set(args.dy, dyPtr >> 2);
    if (epilogue) {
      checkLength('the block output', epilogue.y, blockOut);
      this.f32.set(epilogue.y, blockOutPtr >> 2);
      if (pool) {
        if (!epilogue.offsets || epilogue.offsets.length !== blockOut) throw new ValueError(`conv2d kernel: the pooling needs ${blockOut} arg-max offsets`);
        this.i32.set(epilogue.offsets, offsetsPtr >> 2);
      }
    }
    if (args.weights) {
      checkLength('x', args.x, n * job.image);
      this.f32.set(args.x, xPtr >> 2);
    }
    if (args.input) {
      checkLength('weight', args.weight, o * job.depth);
      this.f32.set(args.weight, weightPtr >> 2);
    }
    this.runConvJob(job, [
      [slot.CV_DY_PTR, dyPtr], [slot.CV_X_PTR, xPtr], [slot.CV_WEIGHT_PTR, weightPtr],
      [slot.CV_DX_PTR, dxPtr], [slot.CV_DW_PTR, dwPtr], [slot.CV_DB_PTR, dbPtr],
      [slot.CV_BLOCK_OUT_PTR, blockOutPtr], [slot.CV_POOL_IDX_PTR, offsetsPtr], ...epilogueSlots(epilogue),
    ]);
    let dw: Float32Array | null = null;
    let db: Float32Array | null = null;
    if (args.weights) {
      // The per-sample gradients summed in order of the sample, so the sum is the same on any number of threads.
      this.kernels.sumRowsF32(dwPtr, n, o * job.depth, dwSumPtr);
      dw = this.f32.slice(dwSumPtr >> 2, (dwSumPtr >> 2) + o * job.depth);
    }
    if (args.bias) {
      const sums = new Float64Array(o);
      const perSample = this.f64.subarray(dbPtr >> 3, (dbPtr >> 3) + n * o);
      for (let b = 0; b < n; b++) for (let ch = 0; ch < o; ch++) sums[ch] += perSample[b * o + ch];
      db = Float32Array.from(sums);
    }
    const dx = args.input ? this.f32.slice(dxPtr >> 2, (dxPtr >> 2) + n * job.image) : null;
    return { dx, dw, db };
  }

  /**
   * Plans a convolution job: null when it does not suit (empty, too large a
   * sample); otherwise its sizes and an allocator for its operands, placed
   * after the flags and every thread's scratch.
   */
  private convJob(g: ConvKernelGeometry, kind: number, needsColsB: boolean, needsColsT: boolean, needsOutputScratch: boolean) {
    const { n, c, o, kh, kw } = g;
    const plane = g.ho * g.wo, depth = c * kh * kw, image = c * g.h * g.w;
    if (n === 0 || plane === 0 || depth === 0 || o === 0) return null;
    const nr = this.nr32;
    // The packed operand: cols (K×P) forward, dy (O×P) for dx, colsᵀ (P×K) for dW.
    const packedFloats = Math.max(
      kind === slot.CONV_FORWARD ? depth * roundUp(plane, nr) : 0,
      kind === slot.CONV_BACKWARD && needsColsB ? o * roundUp(plane, nr) : 0,
      kind === slot.CONV_BACKWARD && needsColsT ? plane * roundUp(depth, nr) : 0,
    );
    const colsBytes = align64(depth * plane * 4);
    const packedBytes = align64(packedFloats * 4);
    // One sample's convolution output (or its gradient) for a block's epilogue.
    const outputScratchBytes = needsOutputScratch ? align64(o * plane * 4) : 0;
    const scratchBytes = colsBytes + packedBytes + outputScratchBytes;
    if (scratchBytes > CONV_SCRATCH_LIMIT) return null;
    const macs = n * o * depth * plane * (kind === slot.CONV_BACKWARD ? Number(needsColsB) + Number(needsColsT) : 1);
    const pool = this.threads > 1 && n > 1 && macs >= PARALLEL_MIN_MACS ? this.ensurePool() : null;
    const workAreas = this.pool ? Math.max(this.threads, this.pool.size + 1) : 1;
    const flagsPtr = slot.SCRATCH_BASE + workAreas * align64(this.workBytesPerThread);
    const scratchPtr = flagsPtr + align64(n * 4);
    let next = scratchPtr + workAreas * scratchBytes;
    return {
      g, kind, pool, n, flagsPtr, scratchPtr, scratchBytes, colsBytes, outputScratchAt: colsBytes + packedBytes, depth, image, output: o * plane,
      /** Reserves `bytes` (64-byte aligned) and returns its address. */
      alloc(bytes: number): number {
        const at = next;
        next = align64(next + bytes);
        return at;
      },
      end: (): number => next,
    };
  }

  /** Writes the job into the control block with its operand addresses, runs it on every thread and waits for all samples. */
  private runConvJob(job: NonNullable<ReturnType<WasmGemm['convJob']>>, operands: [number, number][]): void {
    const ctl = this.i32;
    const base = this.beginJob(job.kind, job.n, job.flagsPtr);
    const g = job.g;
    ctl[base + slot.CV_SCRATCH_PTR] = job.scratchPtr;
    ctl[base + slot.CV_SCRATCH_BYTES] = job.scratchBytes;
    ctl[base + slot.CV_COLS_BYTES] = job.colsBytes;
    ctl[base + slot.CV_Y_SCRATCH] = job.outputScratchAt;
    const geometry: [number, number][] = [
      [slot.CV_C, g.c], [slot.CV_H, g.h], [slot.CV_W, g.w], [slot.CV_O, g.o], [slot.CV_KH, g.kh], [slot.CV_KW, g.kw],
      [slot.CV_SH, g.sh], [slot.CV_SW, g.sw], [slot.CV_PH, g.ph], [slot.CV_PW, g.pw], [slot.CV_DH, g.dh], [slot.CV_DW, g.dw],
      [slot.CV_HO, g.ho], [slot.CV_WO, g.wo],
    ];
    for (const [index, value] of geometry) ctl[base + index] = value;
    for (const [index, value] of operands) ctl[base + index] = value;
    if (job.pool) {
      ctl.fill(0, job.flagsPtr >> 2, (job.flagsPtr >> 2) + job.n);
      job.pool.open();
      this.kernels.work(slot.CONTROL_BASE, 0);
      for (let b = 0; b < job.n; b++) this.awaitChunk((job.flagsPtr >> 2) + b);
      job.pool.finish();
    } else {
      this.kernels.work(slot.CONTROL_BASE, 0);
    }
  }

  // ---------------------------------------------------------- SVC training

  /**
   * All class pairs of a C-SVC fit as one job of one chunk per pair: the
   * thread that claims a pair runs the SMO solver on it (asm/svm.ts, a port
   * of src/models/svm/smo.ts with bit-identical results) in its own scratch,
   * reading kernel values from the class blocks. Blocks of dot products
   * given as rows are computed here first, by a job of GEMM row blocks
   * straight into place. Returns null where the job does not suit this
   * path: workers to wait for on a thread that may not block (a browser's
   * main thread; it would spin for the whole fit; on one thread nothing
   * waits), or blocks or solver scratch beyond the limits.
   */
  svcPairs(args: SvcPairsArgs): SvcPairsResult | null {
    const { classStart, classCount } = args;
    const k = classCount.length;
    if ((!this.blocking && this.threads > 1) || k < 2 || classStart.length !== k) return null;
    const n = classStart[k - 1] + classCount[k - 1];
    const given = typeof args.blocks === 'function' ? args.blocks : null;
    const rows = typeof args.blocks === 'function' ? null : args.blocks;
    if (rows && (args.mode !== 'rbfDots' || rows.rows.length !== n * rows.cols)) {
      throw new ValueError(`svcPairs: rows must be ${n}×${rows.cols} float32 values for 'rbfDots'`);
    }
    // block c: its samples × samples origin[c]..n−1; computed blocks start at a GEMM panel boundary
    const origin = new Int32Array(k);
    const blockAt = new Int32Array(k);
    let blockFloats = 0;
    for (let c = 0; c < k; c++) {
      if (classCount[c] === 0 || classStart[c] !== (c ? classStart[c - 1] + classCount[c - 1] : 0)) return null;
      origin[c] = rows ? classStart[c] - (classStart[c] % this.nr32) : classStart[c];
      blockAt[c] = blockFloats;
      blockFloats += align64(classCount[c] * (n - origin[c]) * 4) / 4;
    }
    if (args.diag.length !== n || args.C.length !== n || (args.mode === 'rbfDots' && args.sq.length !== n)) {
      throw new ValueError(`svcPairs: diag, C (and sq for 'rbfDots') need ${n} values`);
    }
    const nPairs = (k * (k - 1)) / 2;
    let maxL = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) maxL = Math.max(maxL, classCount[i] + classCount[j]);
    // (the l×l row slab bounds the scratch first: the kernel's i32 size would overflow for huge pairs)
    if (blockFloats * 4 > SVC_BLOCKS_LIMIT || maxL * maxL * 4 > SVC_SCRATCH_LIMIT) return null;
    const scratchBytes = align64(this.kernels.svcScratchBytes(maxL));
    if (scratchBytes > SVC_SCRATCH_LIMIT) return null;
    // before the layout: given blocks come from GEMMs, which use this memory's scratch (and may start the pool)
    const blocks = given ? given() : null;
    for (let c = 0; c < k && blocks; c++) {
      if (blocks[c]?.length !== classCount[c] * (n - classStart[c])) {
        throw new ValueError(`svcPairs: block ${c} has ${blocks[c]?.length} values, expected ${classCount[c]}×${n - classStart[c]}`);
      }
    }

    // row blocks of the dots job: about CHUNKS_PER_THREAD per thread, whole MR tiles
    const d = rows ? rows.cols : 0;
    const dotChunks: number[] = [];
    if (rows) {
      const rowsPer = roundUp(Math.max(this.mr32, Math.min(ROWS_PER_CHUNK_ONE_THREAD, Math.ceil(n / (CHUNKS_PER_THREAD * this.threads)))), this.mr32);
      for (let c = 0; c < k; c++) for (let r = 0; r < classCount[c]; r += rowsPer) dotChunks.push(c, r, Math.min(classCount[c], r + rowsPer), 0);
    }
    const pool = this.threads > 1 ? this.ensurePool() : null;
    const workAreas = this.pool ? Math.max(this.threads, this.pool.size + 1) : 1;
    const flagsPtr = slot.SCRATCH_BASE + workAreas * align64(this.workBytesPerThread);
    const scratchPtr = flagsPtr + align64(Math.max(nPairs, dotChunks.length / 4) * 4);
    const classPtr = scratchPtr + workAreas * scratchBytes;
    const pairPtr = classPtr + align64(k * 16);
    const blocksPtr = pairPtr + align64(nPairs * 16);
    const sqPtr = blocksPtr + blockFloats * 4;
    const diagPtr = sqPtr + align64(n * 8);
    const cPtr = diagPtr + align64(n * 8);
    const paramsPtr = cPtr + align64(n * 8);
    const xPtr = paramsPtr + align64((2 + args.fastExp.length) * 8);
    const bpPtr = xPtr + align64(n * d * 4);
    const dotChunkPtr = bpPtr + align64(roundUp(n, this.nr32) * d * 4);
    const outPtr = dotChunkPtr + align64(dotChunks.length * 4);
    const outAt = new Int32Array(nPairs);
    let end = outPtr;
    for (let i = 0, p = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        outAt[p] = end;
        end += align64((4 + classCount[i] + classCount[j]) * 8);
      }
    }
    this.ensureBytes(end);
    const { i32, f32, f64 } = this;
    for (let c = 0; c < k; c++) {
      i32.set([classStart[c], classCount[c], blockAt[c], origin[c]], (classPtr >> 2) + 4 * c);
      if (blocks) f32.set(blocks[c], (blocksPtr >> 2) + blockAt[c]);
    }
    // largest pairs first, so that the last pairs to be claimed are short ones and the threads finish together
    const pairs: [number, number, number][] = [];
    for (let i = 0, p = 0; i < k; i++) for (let j = i + 1; j < k; j++, p++) pairs.push([i, j, p]);
    pairs.sort((a, b) => classCount[b[0]] + classCount[b[1]] - (classCount[a[0]] + classCount[a[1]]) || a[2] - b[2]);
    pairs.forEach(([i, j, p], q) => i32.set([i, j, outAt[p], 0], (pairPtr >> 2) + 4 * q));
    if (args.mode === 'rbfDots') f64.set(args.sq, sqPtr >> 3);
    f64.set(args.diag, diagPtr >> 3);
    f64.set(args.C, cPtr >> 3);
    f64[paramsPtr >> 3] = args.eps;
    f64[(paramsPtr >> 3) + 1] = args.gamma;
    f64.set(args.fastExp, (paramsPtr >> 3) + 2);
    const fields: [number, number][] = [
      [slot.SV_N, n], [slot.SV_MODE, args.mode === 'rbfDots' ? slot.SV_MODE_RBF_DOTS : slot.SV_MODE_VALUES],
      [slot.SV_CLASS_PTR, classPtr], [slot.SV_PAIR_PTR, pairPtr], [slot.SV_BLOCKS_PTR, blocksPtr],
      [slot.SV_SQ_PTR, sqPtr], [slot.SV_DIAG_PTR, diagPtr], [slot.SV_C_PTR, cPtr], [slot.SV_PARAMS_PTR, paramsPtr],
      [slot.SV_SHRINKING, args.shrinking ? 1 : 0], [slot.SV_MAX_ITER, args.maxIter < 0 ? -1 : Math.min(args.maxIter, 0x7fffffff)],
      [slot.SV_SCRATCH_PTR, scratchPtr], [slot.SV_SCRATCH_BYTES, scratchBytes], [slot.SV_MAX_L, maxL],
      [slot.SV_X_PTR, xPtr], [slot.SV_D, d], [slot.SV_BP_PTR, bpPtr], [slot.SV_DOT_CHUNK_PTR, dotChunkPtr],
    ];
    if (rows) {
      f32.set(rows.rows, xPtr >> 2);
      this.kernels.packB32(xPtr, d, 1, d, n, bpPtr);
      i32.set(dotChunks, dotChunkPtr >> 2);
      this.runSvcJob(pool, slot.SVC_DOTS, dotChunks.length / 4, flagsPtr, fields);
    }
    this.runSvcJob(pool, slot.SVC_PAIRS, nPairs, flagsPtr, fields);

    const result: SvcPairsResult = { coef: [], rho: new Float64Array(nPairs), obj: new Float64Array(nPairs), iter: new Int32Array(nPairs), converged: [] };
    const out = this.f64;
    for (let i = 0, p = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const at = outAt[p] >> 3;
        result.rho[p] = out[at];
        result.obj[p] = out[at + 1];
        result.iter[p] = out[at + 2];
        result.converged.push(out[at + 3] !== 0);
        result.coef.push(out.slice(at + 4, at + 4 + classCount[i] + classCount[j]));
      }
    }
    return result;
  }

  /** Runs one job of an SVC fit (kind, chunk count, the SV_ slots) to completion. */
  private runSvcJob(pool: WorkerPool | null, kind: number, chunks: number, flagsPtr: number, fields: [number, number][]): void {
    const base = this.beginJob(kind, chunks, flagsPtr);
    const ctl = this.i32;
    for (const [index, value] of fields) ctl[base + index] = value;
    if (pool) {
      ctl.fill(0, flagsPtr >> 2, (flagsPtr >> 2) + chunks);
      pool.open();
      this.kernels.work(slot.CONTROL_BASE, 0);
      for (let c = 0; c < chunks; c++) this.awaitChunk((flagsPtr >> 2) + c);
      pool.finish();
    } else {
      this.kernels.work(slot.CONTROL_BASE, 0);
    }
  }

  /**
   * Start of a scratch area of `bytes` for the calling thread's element-wise
   * kernels: past every thread's work area (a starting worker warms its
   * kernels up in its own).
   */
  private callerScratch(bytes: number): number {
    const workAreas = this.pool ? Math.max(this.threads, this.pool.size + 1) : 1;
    const base = slot.SCRATCH_BASE + workAreas * align64(this.workBytesPerThread);
    this.ensureBytes(base + bytes);
    return base;
  }

  relu(x: Float32Array): Float32Array {
    const at = this.callerScratch(x.length * 4);
    this.f32.set(x, at >> 2);
    this.kernels.reluF32(at, at, x.length);
    return this.f32.slice(at >> 2, (at >> 2) + x.length);
  }

  reluGrad(out: Float32Array, g: Float32Array): Float32Array {
    const n = out.length;
    const at = this.callerScratch(2 * align64(n * 4));
    const gAt = at + align64(n * 4);
    this.f32.set(out, at >> 2);
    this.f32.set(g, gAt >> 2);
    this.kernels.reluGradF32(at, gAt, at, n);
    return this.f32.slice(at >> 2, (at >> 2) + n);
  }

  /**
   * Lays out a dense chain in the calling thread's scratch: descriptors,
   * each layer's weights, bias, input and output, and the packed-operand
   * area; `extra` more bytes per layer-sized need are asked by the backward.
   */
  private denseLayout(m: number, layers: readonly DenseChainLayer[], backward: boolean) {
    const slots = this.kernels.DENSE_DESCRIPTOR_SLOTS.value;
    const nr = this.nr32;
    let bytes = align64(layers.length * slots * 4) + align64(m * layers[0].k * 4);
    let packedFloats = 0, widest = layers[0].k;
    for (const { n, k } of layers) {
      bytes += align64(n * k * 4) + align64(n * 4) + align64(m * n * 4);
      if (backward) bytes += align64(n * k * 4) + align64(n * 8);
      packedFloats = Math.max(packedFloats, k * roundUp(n, nr), m * roundUp(k, nr), n * roundUp(k, nr));
      widest = Math.max(widest, n, k);
    }
    bytes += align64(packedFloats * 4) + (backward ? 3 * align64(m * widest * 4) + align64(m * layers[0].k * 4) : 0);
    let next = this.callerScratch(bytes);
    const alloc = (size: number): number => {
      const at = next;
      next += align64(size);
      return at;
    };
    const desc = alloc(layers.length * slots * 4);
    const x = alloc(m * layers[0].k * 4);
    const perLayer = layers.map(({ n, k }) => ({
      w: alloc(n * k * 4), b: alloc(n * 4), out: alloc(m * n * 4),
      dw: backward ? alloc(n * k * 4) : 0, db: backward ? alloc(n * 8) : 0,
    }));
    const packed = alloc(packedFloats * 4);
    const g = backward ? alloc(m * widest * 4) : 0, g2 = backward ? alloc(m * widest * 4) : 0;
    const dOut = backward ? alloc(m * widest * 4) : 0, dx = backward ? alloc(m * layers[0].k * 4) : 0;
    return { slots, desc, x, perLayer, packed, g, g2, dOut, dx };
  }

  /** Copies a chain's operands in and writes its descriptors (asm/dense.ts). */
  private denseSetUp(lay: ReturnType<WasmGemm['denseLayout']>, x: Float32Array, layers: readonly DenseChainLayer[], outputs: readonly Float32Array[] | null, wantDw: readonly boolean[] | null, wantDb: readonly boolean[] | null): void {
    const f32 = this.f32, i32 = this.i32;
    f32.set(x, lay.x >> 2);
    layers.forEach((layer, l) => {
      const at = lay.perLayer[l];
      f32.set(layer.w, at.w >> 2);
      if (layer.b) f32.set(layer.b, at.b >> 2);
      if (outputs) f32.set(outputs[l], at.out >> 2);
      const d = (lay.desc >> 2) + l * lay.slots;
      i32[d] = layer.k;
      i32[d + 1] = layer.n;
      i32[d + 2] = layer.relu ? 1 : 0;
      i32[d + 3] = at.w;
      i32[d + 4] = layer.b ? at.b : 0;
      i32[d + 5] = l === 0 ? lay.x : lay.perLayer[l - 1].out;
      i32[d + 6] = at.out;
      i32[d + 7] = wantDw?.[l] ? at.dw : 0;
      i32[d + 8] = wantDb?.[l] ? at.db : 0;
    });
  }

  denseChainForward(x: Float32Array, m: number, layers: readonly DenseChainLayer[]): Float32Array[] {
    checkChain(x, m, layers);
    const lay = this.denseLayout(m, layers, false);
    this.denseSetUp(lay, x, layers, null, null, null);
    this.kernels.denseForwardF32(lay.desc, layers.length, m, lay.packed, slot.SCRATCH_BASE);
    return layers.map((layer, l) => this.f32.slice(lay.perLayer[l].out >> 2, (lay.perLayer[l].out >> 2) + m * layer.n));
  }

  denseChainBackward(m: number, layers: readonly DenseChainLayer[], args: DenseChainBackwardArgs) {
    checkChain(args.x, m, layers);
    const last = layers[layers.length - 1];
    if (args.outputs.length !== layers.length || args.dOut.length !== m * last.n) throw new ValueError('dense chain: the outputs or dOut do not fit the layers');
    const lay = this.denseLayout(m, layers, true);
    this.denseSetUp(lay, args.x, layers, args.outputs, args.wantDw, args.wantDb);
    this.f32.set(args.dOut, lay.dOut >> 2);
    this.kernels.denseBackwardF32(lay.desc, layers.length, m, lay.dOut, args.wantDx ? lay.dx : 0, lay.g, lay.g2, lay.packed, slot.SCRATCH_BASE);
    const f32 = this.f32, f64 = this.f64;
    return {
      dx: args.wantDx ? f32.slice(lay.dx >> 2, (lay.dx >> 2) + m * layers[0].k) : null,
      dw: layers.map((layer, l) => (args.wantDw[l] ? f32.slice(lay.perLayer[l].dw >> 2, (lay.perLayer[l].dw >> 2) + layer.n * layer.k) : null)),
      // The float64 sums rounded once to float32.
      db: layers.map((layer, l) => (args.wantDb[l] ? Float32Array.from(f64.subarray(lay.perLayer[l].db >> 3, (lay.perLayer[l].db >> 3) + layer.n)) : null)),
    };
  }

  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamScalars): void {
    const n = p.length;
    if (g.length !== n || m.length !== n || v.length !== n) throw new ValueError(`adam kernel: p, g, m, v have ${n}, ${g.length}, ${m.length}, ${v.length} values`);
    const bytes = align64(n * 4);
    const at = this.callerScratch(4 * bytes);
    const [pAt, gAt, mAt, vAt] = [at, at + bytes, at + 2 * bytes, at + 3 * bytes];
    const f32 = this.f32;
    f32.set(p, pAt >> 2);
    f32.set(g, gAt >> 2);
    f32.set(m, mAt >> 2);
    f32.set(v, vAt >> 2);
    this.kernels.adamF32(pAt, gAt, mAt, vAt, n, k.sign, k.l2, k.shrink, k.mu, k.keep, k.lr, k.vScale, k.b2, k.c2, k.eps);
    p.set(f32.subarray(pAt >> 2, (pAt >> 2) + n));
    m.set(f32.subarray(mAt >> 2, (mAt >> 2) + n));
    v.set(f32.subarray(vAt >> 2, (vAt >> 2) + n));
  }

  maxPool2d(x: Float32Array, g: PoolKernelGeometry): { values: Float32Array; offsets: Int32Array } {
    const cells = g.n * g.c * g.ho * g.wo;
    const at = this.callerScratch(align64(x.length * 4) + 2 * align64(cells * 4));
    const valuesAt = at + align64(x.length * 4);
    const offsetsAt = valuesAt + align64(cells * 4);
    this.f32.set(x, at >> 2);
    this.kernels.maxPool2dF32(at, valuesAt, offsetsAt, g.n * g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.ho, g.wo);
    return {
      values: this.f32.slice(valuesAt >> 2, (valuesAt >> 2) + cells),
      offsets: this.i32.slice(offsetsAt >> 2, (offsetsAt >> 2) + cells),
    };
  }

  private copyOutChunks(args: GemmArgs, first: number, lay: Layout, grid: Grid, view: FloatArray, size: number): void {
    const { m, n } = args;
    const flags = lay.flagsPtr >> 2;
    const perBatch = grid.rowChunks * grid.colChunks;
    for (let chunk = 0; chunk < grid.chunks; chunk++) {
      this.awaitChunk(flags + chunk);
      const batch = Math.floor(chunk / perBatch);
      const inBatch = chunk - batch * perBatch;
      const rowChunk = Math.floor(inBatch / grid.colChunks);
      const colChunk = inBatch - rowChunk * grid.colChunks;
      const i0 = rowChunk * grid.rows, i1 = Math.min(m, i0 + grid.rows);
      const j0 = colChunk * grid.cols, j1 = Math.min(n, j0 + grid.cols);
      const from = (lay.cPtr + batch * lay.cStride) / size;
      const to = args.cOffset + (first + batch) * args.cBatchStride;
      if (j0 === 0 && j1 === n) {
        args.c.set(view.subarray(from + i0 * n, from + i1 * n), to + i0 * n);
      } else {
        for (let i = i0; i < i1; i++) args.c.set(view.subarray(from + i * n + j0, from + i * n + j1), to + i * n + j0);
      }
    }
  }
}

/** view[at..] = src[offset .. offset+length], without a subarray when src is exactly that range. */
function copyIn(view: FloatArray, src: FloatArray, offset: number, length: number, at: number): void {
  view.set(offset === 0 && src.length === length ? src : src.subarray(offset, offset + length), at);
}

/** The shapes of a dense chain must link up and its arrays must hold them. */
function checkChain(x: Float32Array, m: number, layers: readonly DenseChainLayer[]): void {
  if (layers.length === 0 || x.length !== m * layers[0].k) throw new ValueError(`dense chain: x has ${x.length} values for ${m} rows of ${layers[0]?.k}`);
  layers.forEach((layer, l) => {
    if (layer.w.length !== layer.n * layer.k || (layer.b && layer.b.length !== layer.n) || (l > 0 && layer.k !== layers[l - 1].n)) {
      throw new ValueError(`dense chain: layer ${l} (${layer.n}×${layer.k}) does not fit its weights or the layer before`);
    }
  });
}

/** Control slots of a block's epilogue (all zero for a bare convolution). */
function epilogueSlots(epilogue: ConvEpilogue | undefined): [number, number][] {
  const pool = epilogue?.pool;
  return [
    [slot.CV_RELU, epilogue?.relu ? 1 : 0],
    [slot.CV_POOL_KH, pool?.kh ?? 0], [slot.CV_POOL_KW, pool?.kw ?? 0], [slot.CV_POOL_SH, pool?.sh ?? 0],
    [slot.CV_POOL_SW, pool?.sw ?? 0], [slot.CV_POOL_HO, pool?.ho ?? 0], [slot.CV_POOL_WO, pool?.wo ?? 0],
  ];
}

function checkLength(name: string, array: Float32Array, expected: number): void {
  if (array.length !== expected) throw new ValueError(`conv2d kernel: ${name} has ${array.length} values, the geometry needs ${expected}`);
}

/** Cheap checks that the arrays hold what the arguments describe (a short copy would silently give wrong results). */
function checkArgs(args: GemmArgs): void {
  const { batch, m, n, k } = args;
  if (!(isCount(batch) && isCount(m) && isCount(n) && isCount(k))) {
    throw new ValueError(`gemm: batch, m, n, k must be non-negative integers, got ${batch}, ${m}, ${n}, ${k}`);
  }
  const Expected = args.dtype === 'float64' ? Float64Array : Float32Array;
  if (!(args.a instanceof Expected && args.b instanceof Expected && args.c instanceof Expected)) {
    throw new DTypeError(`gemm: dtype is ${args.dtype} but a, b, c are ${args.a.constructor.name}, ${args.b.constructor.name}, ${args.c.constructor.name}`);
  }
  if (batch === 0 || m === 0 || n === 0) return;
  if (!fits(args.a, args.aOffset, args.aBatchStride, batch, m * k)) throw tooShort('a', args.a, batch, m, k, args.aOffset, args.aBatchStride);
  if (!fits(args.b, args.bOffset, args.bBatchStride, batch, k * n)) throw tooShort('b', args.b, batch, k, n, args.bOffset, args.bBatchStride);
  if (!fits(args.c, args.cOffset, args.cBatchStride, batch, m * n)) throw tooShort('c', args.c, batch, m, n, args.cOffset, args.cBatchStride);
}

function isCount(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}

function fits(array: FloatArray, offset: number, stride: number, batch: number, size: number): boolean {
  return size === 0 || (isCount(offset) && isCount(stride) && offset + (batch - 1) * stride + size <= array.length);
}

function tooShort(name: string, array: FloatArray, batch: number, rows: number, cols: number, offset: number, stride: number): ValueError {
  return new ValueError(`gemm: ${name} (length ${array.length}) is too short for ${batch} matrices of ${rows}×${cols} from offset ${offset}, batch stride ${stride}`);
}

const engine: WasmGemm | null = kernels.module ? new WasmGemm(kernels.module, kernels.support === 'threads', kernels.maxPages) : null;

/** What this engine's WebAssembly offers: 'threads', 'simd' (one thread), or 'none' (the backend runs the JS reference). */
export const wasmSupport: KernelSupport = kernels.support;

export const wasmBackend: Backend = {
  name: 'wasm',
  gemm: engine ? (args) => engine.gemm(args) : jsBackend.gemm,
  conv2dForward: (g, x, weight, bias, epilogue) => (engine ? engine.conv2dForward(g, x, weight, bias, epilogue) : null),
  conv2dBackward: (g, args) => (engine ? engine.conv2dBackward(g, args) : null),
  denseChainForward: (x, m, layers) => (engine ? engine.denseChainForward(x, m, layers) : null),
  denseChainBackward: (m, layers, args) => (engine ? engine.denseChainBackward(m, layers, args) : null),
  svcPairs: (args) => (engine ? engine.svcPairs(args) : null),
  float32: engine ? float32Kernels(engine) : undefined,
  numThreads: () => (engine ? engine.numThreads() : 1),
  setNumThreads: (n) => {
    if (engine) engine.setNumThreads(n);
    else if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  },
};

function float32Kernels(engine: WasmGemm): Float32Kernels {
  return {
    relu: (x) => engine.relu(x),
    reluGrad: (out, g) => engine.reluGrad(out, g),
    maxPool2d: (x, g) => engine.maxPool2d(x, g),
    adam: (p, g, m, v, k) => engine.adam(p, g, m, v, k),
  };
}

/**
 * Starts the wasm backend's worker threads now (they otherwise start at the
 * first large GEMM, which then runs on fewer threads) and resolves to true
 * once they are ready.
 */
export function warmUpWasmThreads(): Promise<boolean> {
  return engine ? engine.warmUp() : Promise.resolve(false);
}
