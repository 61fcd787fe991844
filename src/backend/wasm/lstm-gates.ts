/**
 * Lets an LSTM backward leave the gates' gradient (T·B·4H floats) in the
 * engine's memory, in a park of its own, where the weight-gradient products
 * read it in place: no copy out to JavaScript and back in (lstm-job.ts,
 * lstmBackwardJob). It is copied out instead where a view of the memory
 * would not outlive its growth (an ordinary memory's buffer is detached;
 * a shared one's is not) or the park would give up the others (the
 * stack's byte limit).
 *
 * Loading this module registers it (the Node entry and frugal-ml/all import
 * it; the browser's core entry goes without, within its size budget).
 */
import { registerGateParking } from './lstm-job.js';
import { align64, type WasmEngine } from './engine.js';
import { forwardParks, type Park } from './parks.js';

/** Parks `bytes` for the gates' gradient, or says null where it must be copied out instead. */
export function parkGatesInEngine(engine: WasmEngine, bytes: number): Park | null {
  // A view outlives a growth of a shared memory only (an ordinary one's buffer is detached).
  if (typeof SharedArrayBuffer === 'undefined' || !(engine.memory.buffer instanceof SharedArrayBuffer)) return null;
  // Past the stack's limit, parking would give up every park, the state this backward reads included.
  return forwardParks.fits(engine, align64(bytes)) ? forwardParks.park(engine, [bytes]) : null;
}

registerGateParking(parkGatesInEngine);
