/**
 * A GEMM worker: instantiates the kernels over the caller's shared memory and
 * waits for jobs announced in the control block (see pool.ts for the gate
 * protocol). It blocks in Atomics.wait between jobs and never returns to its
 * event loop.
 */
import { workerStartData } from '../../platform/threads.js';
import { ACTIVE, CONTROL_SLOTS, LIVE_WORKERS, READY, SEQ } from './layout.js';
import type { KernelExports } from './kernels.js';
import type { WorkerStart } from './pool.js';

const start = (await workerStartData()) as WorkerStart;
const instance = new WebAssembly.Instance(start.module, { env: { memory: start.memory } });
const { work } = instance.exports as unknown as KernelExports;
const control = new Int32Array(start.memory.buffer, start.control, CONTROL_SLOTS);
const { tid } = start;

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
