/**
 * The WebAssembly engine behind the 'wasm' backend: one instance of the
 * kernels (asm/) over a memory shared with a pool of workers, the views on
 * that memory, and the job protocol. A job is written into the control block
 * (beginJob), run by every thread that claims its chunks, and awaited chunk
 * by chunk (awaitChunk). The jobs themselves live beside this file:
 * gemm-job.ts, conv-job.ts, svm-job.ts, and caller-kernels.ts for the kernels
 * that run on the calling thread alone.
 *
 * Its fields are read by those modules; nothing outside backend/wasm/ uses
 * this class.
 */
import { FrugalError, LimitError } from '../../errors.js';
import { canBlock, canSpawnWorkers, crossOriginIsolated, hardwareConcurrency, isNode, noteOnce } from '../../platform/threads.js';
import type { KernelExports } from './module.js';
import * as slot from './layout.js';
import { WorkerPool } from './pool.js';

/**
 * Below this many multiply-adds (128³) a job stays on the calling thread:
 * waking a worker takes tens of microseconds, as long as such a product takes.
 */
export const PARALLEL_MIN_MACS = 1 << 21;
/** Polls of a chunk's flag before the caller sleeps on it: most chunks finish within microseconds of being awaited. */
const SPIN_POLLS = 2000;
const PAGE = 65536;
/** The operating system's page: the unit of a page fault. */
const OS_PAGE = 4096;
/** Growth below this is touched by whoever first writes it: a job would cost more than the faults it shares out. */
const PREFAULT_MIN_BYTES = 1 << 20;
/** Pages one chunk of the prefault job touches (512 KiB). */
const PREFAULT_PAGES_PER_CHUNK = 128;

export const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;
export const align64 = (x: number): number => roundUp(x, 64);

/** Byte addresses of consecutive areas of the given byte sizes from `at`, each 64-byte aligned, and the end of the last. */
export function layOut(at: number, sizes: readonly number[]): { ptrs: number[]; end: number } {
  const ptrs = sizes.map((size) => {
    const ptr = at;
    at += align64(size);
    return ptr;
  });
  return { ptrs, end: at };
}

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
  throw new FrugalError('wasm backend: cannot create a shared WebAssembly.Memory');
}

export class WasmEngine {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  /** Views on the memory (replaced when an ordinary memory grows: read them after ensureBytes). */
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  pool: WorkerPool | null = null;
  threads: number;
  readonly mr32: number;
  readonly nr32: number;
  readonly mr64: number;
  readonly nr64: number;
  readonly mcMax: number;
  readonly workBytesPerThread: number;
  /** i32 index of the control block. */
  readonly control = slot.CONTROL_BASE >> 2;
  /** Whether this thread may sleep in Atomics.wait (a browser main thread may not). */
  readonly blocking = canBlock();
  private jobId = 0;

  constructor(
    readonly module: WebAssembly.Module,
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
    this.explainOneThread();
    this.refreshViews();
  }

  /**
   * Infinity where workers can share this engine's memory, else 1. A thread
   * that may not block (a browser page's main thread) keeps to itself: it
   * would have to spin while waiting for workers, freezing the page.
   */
  private maxThreads(): number {
    return this.shared && canSpawnWorkers() && this.blocking ? Infinity : 1;
  }

  /** In a browser, says on the console why the kernels run on one thread (once). */
  private explainOneThread(): void {
    if (isNode || this.maxThreads() > 1) return;
    if (!crossOriginIsolated()) {
      noteOnce(
        'running on one thread: this page is not cross-origin isolated, so threads cannot share memory. Serve it with the headers ' +
          "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' to use every core.",
      );
    } else if (!this.blocking) {
      noteOnce("running on one thread: a page's main thread may not wait for workers. Run Frugal in a Web Worker to use every core.");
    }
  }

  numThreads(): number {
    return this.threads;
  }

  /** `n`: a positive integer (the backend checks it). */
  setNumThreads(n: number): void {
    this.threads = Math.min(n, this.maxThreads());
    if (this.pool && !this.pool.resize(this.threads - 1)) this.threads = 1;
  }

  /** Starts the workers now rather than at the first large job; resolves when they are ready. */
  startWorkers(): Promise<boolean> {
    const pool = this.ensurePool();
    return pool ? pool.ready() : Promise.resolve(this.threads === 1);
  }

  ensurePool(): WorkerPool | null {
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

  /**
   * Grows the memory to hold `end` bytes (and refreshes the views). The
   * memory never shrinks (WebAssembly cannot): it stays at the largest
   * size any call needed, so later calls of that size touch no new pages.
   */
  ensureBytes(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      throw new LimitError(`wasm engine: ${end} bytes of kernel memory are more than the WebAssembly memory can hold (${have} now)`);
    }
    this.refreshViews();
    if (this.threads > 1 && this.pool && this.memory.buffer.byteLength - have >= PREFAULT_MIN_BYTES) this.prefault(have, this.memory.buffer.byteLength);
  }

  /**
   * Touches every OS page of the fresh memory [from, to) on all threads, so
   * that the caller's copies into it do not take one page fault per 4 KiB
   * alone (each costs microseconds, in a virtual machine tens:
   * docs/performance.md, "GEMM speed and fresh outputs"). The job is a GEMM
   * of zeros that the kernels already know: C is the fresh memory seen as
   * rows of one OS page (1024 float32 columns), and each chunk computes only
   * the first NR columns of its rows, one 32-byte store per page; A and B
   * are zeros (A's rows all read the same float: LDA = 0). Fresh memory
   * reads as zeros, so writing zeros over it changes nothing. The job's
   * flags (cleared after it) and zeros lie in the first pages, which C
   * starts past; a started worker's work area (where it may still be
   * warming up) is left alone.
   */
  private prefault(grownFrom: number, to: number): void {
    const from = Math.max(grownFrom, this.workAreasEnd());
    const rowsPerChunk = Math.min(PREFAULT_PAGES_PER_CHUNK, this.mcMax);
    const chunks = Math.ceil((to - from) / OS_PAGE / rowsPerChunk);
    const flagsPtr = align64(from);
    const zerosPtr = flagsPtr + align64(chunks * 4);
    const cPtr = roundUp(zerosPtr + 64, OS_PAGE);
    const pages = Math.floor((to - cPtr) / OS_PAGE);
    if (pages <= 0) return;
    const used = Math.ceil(pages / rowsPerChunk);
    const ctl = this.i32;
    const base = this.beginJob(slot.GEMM_JOB, used, flagsPtr);
    ctl[base + slot.DTYPE] = 0;
    ctl[base + slot.M] = pages;
    ctl[base + slot.N] = OS_PAGE / 4;
    ctl[base + slot.K] = 1;
    ctl[base + slot.A_PTR] = zerosPtr;
    ctl[base + slot.A_BATCH_BYTES] = 0;
    ctl[base + slot.LDA] = 0;
    ctl[base + slot.TRANS_A] = 0;
    ctl[base + slot.BP_PTR] = zerosPtr;
    ctl[base + slot.BP_BATCH_BYTES] = 0;
    ctl[base + slot.C_PTR] = cPtr;
    ctl[base + slot.C_BATCH_BYTES] = 0;
    ctl[base + slot.ACCUMULATE] = 0;
    ctl[base + slot.ROWS_PER_CHUNK] = rowsPerChunk;
    ctl[base + slot.ROW_CHUNKS] = used;
    ctl[base + slot.COLS_PER_CHUNK] = this.nr32;
    ctl[base + slot.COL_CHUNKS] = 1;
    this.runJob(this.pool, used, flagsPtr);
    // Every chunk has flagged itself done: clear the flags, so the grown memory reads as zeros again.
    this.i32.fill(0, flagsPtr >> 2, (flagsPtr >> 2) + used);
  }

  /**
   * Starts writing a job of `chunks` chunks into the control block (after the
   * previous job's stragglers have left it) and returns the block's i32 index;
   * the caller adds the kind's own slots, then runs it.
   */
  beginJob(kind: number, chunks: number, flagsPtr: number): number {
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

  /**
   * Runs the job written since beginJob on this thread and, given the pool,
   * on its workers too; returns when every chunk is done. `meanwhile` runs
   * on this thread once the workers have the job, before it joins them
   * (work of its own that must not touch the job's memory).
   */
  runJob(pool: WorkerPool | null, chunks: number, flagsPtr: number, meanwhile?: () => void): void {
    if (pool) {
      // The flags' memory held other data before; clear it so that no stale value reads as done.
      this.i32.fill(0, flagsPtr >> 2, (flagsPtr >> 2) + chunks);
      pool.open();
      meanwhile?.();
      this.kernels.work(slot.CONTROL_BASE, 0);
      for (let c = 0; c < chunks; c++) this.awaitChunk((flagsPtr >> 2) + c);
      pool.finish();
    } else {
      meanwhile?.();
      this.kernels.work(slot.CONTROL_BASE, 0);
    }
  }

  /** Whether the chunk whose flag is the i32 at `flagIndex` is done. */
  chunkDone(flagIndex: number): boolean {
    return Atomics.load(this.i32, flagIndex) === this.jobId;
  }

  /** Returns once the chunk whose flag is the i32 at `flagIndex` is done (spins briefly, then sleeps). */
  awaitChunk(flagIndex: number): void {
    const ctl = this.i32;
    let flag: number;
    let polls = SPIN_POLLS;
    while ((flag = Atomics.load(ctl, flagIndex)) !== this.jobId) {
      if (this.blocking && --polls < 0) Atomics.wait(ctl, flagIndex, flag);
    }
  }

  /** Threads with a work area (every started worker owns one, even while out of jobs: it warms its kernels up there). */
  workAreas(): number {
    return this.pool ? Math.max(this.threads, this.pool.size + 1) : 1;
  }

  /** The first byte past every thread's work area: where a job's own operands and flags may start. */
  pastWorkAreas(): number {
    return Math.max(this.workAreasEnd(), this.reservedEnd);
  }

  /** The first byte past every thread's work area. */
  workAreasEnd(): number {
    return slot.SCRATCH_BASE + this.workAreas() * align64(this.workBytesPerThread);
  }

  /** End of a region kept out of every job's scratch (a resident GEMM operand); 0 when none. */
  reservedEnd = 0;

  /**
   * Start of a scratch area of `bytes` for the calling thread's own kernels:
   * past every thread's work area (a starting worker warms its kernels up in
   * its own).
   */
  callerScratch(bytes: number): number {
    const base = this.pastWorkAreas();
    this.ensureBytes(base + bytes);
    return base;
  }
}
