/**
 * A pool of workers that run the kernels over the caller's shared memory.
 *
 * A job is announced through the control block: the caller closes the gate
 * (SEQ = 0), waits for workers still inside the previous job to leave, writes
 * the job, then opens the gate with a new sequence number and wakes the
 * workers. Everyone, the caller included, claims chunks until none are left;
 * the caller copies each chunk of C out as soon as it is done, and returns
 * when all are. Workers that start late, or are busy elsewhere, simply find
 * fewer chunks, so the caller never depends on a worker being ready, and a
 * job on a loaded machine still balances.
 *
 * Gate protocol: a worker increments ACTIVE before it checks SEQ; the caller
 * sets SEQ = 0 before it checks ACTIVE (both sequentially consistent atomics),
 * so either the worker sees the gate closed or the caller waits for it.
 */
import { adoptWebWorker, canBlock, canSpawnWorkers, isNode, spawnNodeWorker, type WorkerHandle } from '../../platform/threads.js';
import { ACTIVE, CONTROL_BASE, CONTROL_SLOTS, LIVE_WORKERS, READY, SEQ } from './layout.js';

/** What a worker receives at start-up. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  control: number;
  /** 1-based worker index; selects the worker's scratch area (0 is the caller's). */
  tid: number;
}

/** The worker script's file name beside this module, for Node (bundlers only follow the browser form below). */
const WORKER_FILE = './worker.js';

/**
 * Starts one kernel worker. The browser form is spelled out literally, in
 * this one place, because that is the form Vite, webpack and esbuild
 * recognise: they bundle worker.js and its imports as a worker of its own.
 */
function startKernelWorker(start: WorkerStart, onError: (err: unknown) => void): WorkerHandle {
  if (isNode) return spawnNodeWorker(new URL(WORKER_FILE, import.meta.url), start, onError);
  return adoptWebWorker(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), start, onError);
}

export class WorkerPool {
  private readonly control: Int32Array;
  private readonly workers: WorkerHandle[] = [];
  private readonly blocking = canBlock();
  private sequence = 0;
  private failed = false;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
  ) {
    // Views on a SharedArrayBuffer stay valid when the memory grows.
    this.control = new Int32Array(memory.buffer, CONTROL_BASE, CONTROL_SLOTS);
  }

  /**
   * Makes `count` workers take part in jobs, starting more if needed. Workers
   * beyond `count` are kept, idle (a worker cannot be stopped safely mid-job,
   * and a later resize may want it back). Returns false if workers cannot be
   * started here.
   */
  resize(count: number): boolean {
    Atomics.store(this.control, LIVE_WORKERS, count);
    if (count <= this.workers.length) return true;
    if (this.failed || !canSpawnWorkers()) return false;
    while (this.workers.length < count) {
      const start: WorkerStart = { module: this.module, memory: this.memory, control: CONTROL_BASE, tid: this.workers.length + 1 };
      try {
        this.workers.push(
          startKernelWorker(start, () => {
            // A failed worker never joins a job, so jobs still complete; stop starting more.
            this.failed = true;
          }),
        );
      } catch {
        this.failed = true;
        return false;
      }
    }
    return true;
  }

  /** Workers started, idle ones included (each owns a scratch area, which it uses while it warms up). */
  get size(): number {
    return this.workers.length;
  }

  /** Resolves when every started worker is waiting for jobs (for benchmarks and tests). */
  async ready(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    const wanted = Math.min(Atomics.load(this.control, LIVE_WORKERS), this.workers.length);
    while (Atomics.load(this.control, READY) < wanted) {
      if (this.failed || Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return true;
  }

  /** Closes the gate and waits until no worker is inside a job: the control block may then be rewritten. */
  close(): void {
    Atomics.store(this.control, SEQ, 0);
    let active: number;
    while ((active = Atomics.load(this.control, ACTIVE)) !== 0) {
      if (this.blocking) Atomics.wait(this.control, ACTIVE, active, 1);
    }
  }

  /** Opens the gate for the job written in the control block and wakes the workers. */
  open(): void {
    this.sequence = this.sequence >= 0x3fffffff ? 1 : this.sequence + 1;
    Atomics.store(this.control, SEQ, this.sequence);
    Atomics.notify(this.control, SEQ);
  }

  /** Ends the open job: workers that wake late find the gate closed. (The caller has seen every chunk done.) */
  finish(): void {
    Atomics.store(this.control, SEQ, 0);
  }
}
