/**
 * Growing a forest's trees on worker threads, synchronously.
 *
 * The training set goes once into shared memory; each worker (and the
 * calling thread) claims tree indices from a shared counter and grows them
 * with `growForestTree`. A worker writes a finished tree into its own
 * shared slot, raises its state to (tree + 1) and waits; the calling thread
 * copies the tree out, sets the state back to 0 and, between copies, grows
 * trees itself. A worker that fails, or grows a tree too large for its
 * slot, hands the tree back (state −(tree + 1)) and stops; the calling
 * thread grows that tree. Which thread grew a tree never changes
 * it (it depends on its seed only).
 *
 * Without SharedArrayBuffer, without workers, or where the calling thread
 * may not block (a browser's main thread), every tree is grown here.
 */
import { adoptWebWorker, canBlock, canSpawnWorkers, isNode, spawnNodeWorker, type WorkerHandle } from '../../platform/threads.js';

/** Starts one tree worker: under Node from its file, in a page in the form bundlers follow (`new Worker(new URL(...))` written out). */
function startForestWorker(start: ForestWorkerStart): WorkerHandle {
  if (isNode) return spawnNodeWorker(new URL('./forest-worker.js', import.meta.url), start, () => undefined);
  return adoptWebWorker(new Worker(new URL('./forest-worker.js', import.meta.url), { type: 'module' }), start, () => undefined);
}
import { growForestTree, type ForestJob } from './forest-tree.js';
import type { TrainingSet } from './training-set.js';
import type { TreeData } from './tree-data.js';

/** Control words: the next unclaimed tree, a counter bumped on every worker report, an abort flag, then one state per worker. */
const NEXT = 0;
const SIGNAL = 1;
const ABORT = 2;
const STATES = 3;
/** Bytes of one worker's slot at most (a tree of 1e6 samples could need 200 MB; typical trees need far less). */
const SLOT_BYTES = 32 << 20;

/** What a forest worker receives at start-up. */
export interface ForestWorkerStart {
  job: ForestJob;
  nTrees: number;
  control: Int32Array;
  worker: number;
  /** The worker's slot: [nodeCount, maxDepth, then left, right, feature, nNodeSamples per node]. */
  slotInts: Int32Array;
  /** [threshold, impurity, weightedNNodeSamples, value × nValues] per node. */
  slotFloats: Float64Array;
}

/** Int32 words of a slot for `capacity` nodes. */
const slotIntWords = (capacity: number): number => 2 + 4 * capacity;
/** Float64 words of a slot for `capacity` nodes of `nValues` values. */
const slotFloatWords = (capacity: number, nValues: number): number => (3 + nValues) * capacity;

/** Writes a tree into a slot (workers). */
export function writeSlot(tree: TreeData, ints: Int32Array, floats: Float64Array): void {
  const c = tree.nodeCount;
  ints[0] = c;
  ints[1] = tree.maxDepth;
  ints.set(tree.childrenLeft, 2);
  ints.set(tree.childrenRight, 2 + c);
  ints.set(tree.feature, 2 + 2 * c);
  ints.set(tree.nNodeSamples, 2 + 3 * c);
  floats.set(tree.threshold, 0);
  floats.set(tree.impurity, c);
  floats.set(tree.weightedNNodeSamples, 2 * c);
  floats.set(tree.value, 3 * c);
}

/** Copies a tree out of a slot. */
function readSlot(ints: Int32Array, floats: Float64Array, nValues: number): TreeData {
  const c = ints[0];
  return {
    nodeCount: c,
    nValues,
    maxDepth: ints[1],
    childrenLeft: ints.slice(2, 2 + c),
    childrenRight: ints.slice(2 + c, 2 + 2 * c),
    feature: ints.slice(2 + 2 * c, 2 + 3 * c),
    nNodeSamples: ints.slice(2 + 3 * c, 2 + 4 * c),
    threshold: floats.slice(0, c),
    impurity: floats.slice(c, 2 * c),
    weightedNNodeSamples: floats.slice(2 * c, 3 * c),
    value: floats.slice(3 * c, 3 * c + c * nValues),
  };
}

/** A typed array of the same kind and contents over shared memory. */
function shared<T extends Float32Array | Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  (out as unknown as { set(src: T): void }).set(a);
  return out;
}

function sharedTrainingSet(data: TrainingSet): TrainingSet {
  return {
    ...data,
    columns: shared(data.columns),
    ranks: data.ranks && shared(data.ranks),
    distinct: data.distinct && shared(data.distinct),
    rankValues: data.rankValues && shared(data.rankValues),
    classes: data.classes && shared(data.classes),
    targets: data.targets && shared(data.targets),
  };
}

/** Whether `threads` threads can be used here. */
function threadsAvailable(threads: number): boolean {
  return threads > 1 && typeof SharedArrayBuffer !== 'undefined' && canSpawnWorkers() && canBlock();
}

/** The trees of `job`, grown on up to `threads` threads (the calling thread included). */
export function growForest(job: ForestJob, nTrees: number, threads: number): TreeData[] {
  const workers = Math.min(threads, nTrees) - 1;
  if (workers < 1 || !threadsAvailable(threads)) return Array.from({ length: nTrees }, (_, t) => growForestTree(job, t));
  const sharedJob: ForestJob = { ...job, data: sharedTrainingSet(job.data), baseWeights: shared(job.baseWeights), seeds: shared(job.seeds) };
  const nValues = job.data.classes ? job.data.nClasses : 1;
  // Room for the largest possible tree (2n − 1 nodes), within SLOT_BYTES; a tree that does not fit is grown again here.
  const capacity = Math.max(1, Math.min(2 * job.data.nSamples - 1, Math.floor(SLOT_BYTES / (16 + 8 * (3 + nValues)))));
  const control = new Int32Array(new SharedArrayBuffer(4 * (STATES + workers)));
  const slots = Array.from({ length: workers }, () => ({
    ints: new Int32Array(new SharedArrayBuffer(4 * slotIntWords(capacity))),
    floats: new Float64Array(new SharedArrayBuffer(8 * slotFloatWords(capacity, nValues))),
  }));
  const handles: WorkerHandle[] = [];
  for (let w = 0; w < workers; w++) {
    const start: ForestWorkerStart = { job: sharedJob, nTrees, control, worker: w, slotInts: slots[w].ints, slotFloats: slots[w].floats };
    try {
      // A worker that fails to start claims no tree; the others (and this thread) grow them all.
      handles.push(startForestWorker(start));
    } catch {
      break;
    }
  }
  const trees: (TreeData | undefined)[] = new Array(nTrees);
  let collected = 0;
  try {
    while (collected < nTrees) {
      const signal = Atomics.load(control, SIGNAL);
      let reported = false;
      for (let w = 0; w < workers; w++) {
        const state = Atomics.load(control, STATES + w);
        if (state > 0) {
          trees[state - 1] = readSlot(slots[w].ints, slots[w].floats, nValues);
          Atomics.store(control, STATES + w, 0);
          Atomics.notify(control, STATES + w);
          collected++;
          reported = true;
        } else if (state < 0) {
          // The worker failed on this tree and stopped: grow it here (a real error then surfaces here).
          Atomics.store(control, STATES + w, 0);
          trees[-state - 1] = growForestTree(job, -state - 1);
          collected++;
          reported = true;
        }
      }
      if (reported) continue;
      const t = Atomics.add(control, NEXT, 1);
      if (t < nTrees) {
        trees[t] = growForestTree(job, t);
        collected++;
        continue;
      }
      // Every tree is claimed: wait for a worker's report.
      Atomics.wait(control, SIGNAL, signal, 100);
    }
  } finally {
    Atomics.store(control, NEXT, nTrees);
    Atomics.store(control, ABORT, 1);
    for (let w = 0; w < workers; w++) Atomics.notify(control, STATES + w);
  }
  return trees as TreeData[];
}

/** The loop of a forest worker (forest-worker.ts): claim, grow, report, wait until copied. */
export function runForestWorker(start: ForestWorkerStart): void {
  const { job, nTrees, control, worker, slotInts, slotFloats } = start;
  const state = STATES + worker;
  for (;;) {
    if (Atomics.load(control, ABORT)) return;
    const t = Atomics.add(control, NEXT, 1);
    if (t >= nTrees) return;
    let tree: TreeData | undefined;
    try {
      tree = growForestTree(job, t);
    } catch {
      tree = undefined;
    }
    if (tree === undefined || slotIntWords(tree.nodeCount) > slotInts.length) {
      // Hand the tree back: the calling thread grows it (and reports a real error itself).
      Atomics.store(control, state, -(t + 1));
      Atomics.add(control, SIGNAL, 1);
      Atomics.notify(control, SIGNAL);
      return;
    }
    writeSlot(tree, slotInts, slotFloats);
    Atomics.store(control, state, t + 1);
    Atomics.add(control, SIGNAL, 1);
    Atomics.notify(control, SIGNAL);
    // Wait until the tree is copied out (or the fit ended).
    while (Atomics.load(control, state) !== 0 && !Atomics.load(control, ABORT)) Atomics.wait(control, state, t + 1, 100);
  }
}
