/**
 * A GEMM worker: instantiates the kernels over the caller's shared memory and
 * waits for jobs announced in the control block (see pool.ts for the gate
 * protocol). It blocks in Atomics.wait between jobs and never returns to its
 * event loop.
 */
import { workerStartData } from '../../platform/threads.js';
import * as slot from './layout.js';
import { ACTIVE, CONTROL_SLOTS, LIVE_WORKERS, READY, SEQ } from './layout.js';
import type { KernelExports } from './module.js';
import type { WorkerStart } from './pool.js';

const start = (await workerStartData()) as WorkerStart;
const instance = new WebAssembly.Instance(start.module, { env: { memory: start.memory } });
const { work } = instance.exports as unknown as KernelExports;
const control = new Int32Array(start.memory.buffer, start.control, CONTROL_SLOTS);
const { tid } = start;

/**
 * Runs the kernels on a small private job until V8 has tiered them up in this
 * worker. V8 starts wasm on its baseline compiler and a worker's instance
 * tiered up late (after tens of large GEMMs): until then it ran at a fraction
 * of the caller's speed and two threads were no faster than one (1024³
 * float32: 60 ms on 2 threads, 55 ms on 1; 31 ms once both run optimized
 * code). The job (32×600 by 600×32, float32 and float64, both layouts of A)
 * lives in this worker's own scratch area above the first 64 KiB (all the
 * packed-A block of such a product needs); the caller leaves the area of
 * every started worker alone (backend.ts, layout()).
 */
function warmKernels(): void {
  const k = instance.exports as unknown as KernelExports;
  const areaBytes = Math.ceil(k.WORK_BYTES_PER_THREAD.value / 64) * 64;
  const area = slot.SCRATCH_BASE + tid * areaBytes;
  if (area + areaBytes > start.memory.buffer.byteLength) return;
  // Two KC steps and a partial one, as large products run.
  const n = 32;
  const depth = 600;
  const ctlAt = area + (1 << 16);
  const flagsAt = ctlAt + slot.CONTROL_SLOTS * 4;
  const aAt = flagsAt + 256;
  const bpAt = aAt + n * depth * 8;
  const cAt = bpAt + n * depth * 8;
  if (cAt + n * n * 8 > area + areaBytes - 256) return;
  const bytes = new Uint8Array(start.memory.buffer, ctlAt, cAt + n * n * 8 - ctlAt);
  bytes.fill(0);
  const ctl = new Int32Array(start.memory.buffer, ctlAt, CONTROL_SLOTS);
  const until = performance.now() + 200;
  for (let rep = 0; performance.now() < until && rep < 100000; rep++) {
    const f64 = rep & 1;
    ctl[slot.NEXT] = 0;
    ctl[slot.NCHUNKS] = 1;
    ctl[slot.DTYPE] = f64;
    ctl[slot.M] = n;
    ctl[slot.N] = n;
    ctl[slot.K] = depth;
    ctl[slot.A_PTR] = aAt;
    ctl[slot.A_BATCH_BYTES] = 0;
    ctl[slot.LDA] = (rep >> 1) & 1 ? n : depth;
    ctl[slot.TRANS_A] = (rep >> 1) & 1;
    ctl[slot.BP_PTR] = bpAt;
    ctl[slot.BP_BATCH_BYTES] = 0;
    ctl[slot.C_PTR] = cAt;
    ctl[slot.C_BATCH_BYTES] = 0;
    ctl[slot.ACCUMULATE] = (rep >> 2) & 1;
    ctl[slot.ROWS_PER_CHUNK] = n;
    ctl[slot.ROW_CHUNKS] = 1;
    ctl[slot.COLS_PER_CHUNK] = n;
    ctl[slot.COL_CHUNKS] = 1;
    ctl[slot.WORK_PTR] = area;
    ctl[slot.WORK_BYTES] = 0;
    ctl[slot.FLAGS_PTR] = flagsAt;
    ctl[slot.JOB_ID] = 1;
    work(ctlAt, 0);
  }
}
warmKernels();

Atomics.add(control, READY, 1);
let seen = 0;
for (;;) {
  const seq = Atomics.load(control, SEQ);
  if (seq === 0 || seq === seen || tid > Atomics.load(control, LIVE_WORKERS)) {
    // Sleep, not spin: on a machine shared with other work a spinning worker steals a core (measured: 2× slower).
    Atomics.wait(control, SEQ, seq);
    continue;
  }
  seen = seq;
  Atomics.add(control, ACTIVE, 1);
  if (Atomics.load(control, SEQ) === seq) work(start.control, tid);
  if (Atomics.sub(control, ACTIVE, 1) === 1) Atomics.notify(control, ACTIVE);
}
