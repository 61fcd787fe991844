/**
 * Threads, the one place where the kernels touch Node.js built-ins: how many
 * cores there are, how a started worker receives its start-up data, and
 * whether the current thread may block. Under Node.js this uses
 * `node:worker_threads` and `node:os`; in a browser, Web Workers and
 * `navigator.hardwareConcurrency`. The choice is made at run time.
 *
 * The worker itself is created where its script lives (backend/wasm/pool.ts),
 * with `new Worker(new URL('./worker.js', import.meta.url), ...)` written out,
 * the one form that bundlers follow; this module then hands it its data.
 *
 * Node's modules are loaded here with a top-level `await`, so that starting a
 * worker later can be synchronous (GEMM is a synchronous API) and a browser
 * bundle never evaluates them.
 */
import { FrugalError } from '../errors.js';
import { importUnbundled } from './dynamic-import.js';

type WorkerThreadsModule = typeof import('node:worker_threads');
type OsModule = typeof import('node:os');

interface NodeProcessLike {
  versions?: { node?: string };
}

/** True under Node.js. */
export const isNode: boolean = typeof (globalThis as { process?: NodeProcessLike }).process?.versions?.node === 'string';

const nodeThreads: WorkerThreadsModule | null = isNode ? await importUnbundled<WorkerThreadsModule>('node:worker_threads') : null;
const nodeOs: OsModule | null = isNode ? await importUnbundled<OsModule>('node:os') : null;

/** Logical cores available to this process (at least 1). */
export function hardwareConcurrency(): number {
  if (nodeOs) {
    const n = typeof nodeOs.availableParallelism === 'function' ? nodeOs.availableParallelism() : nodeOs.cpus().length;
    return Math.max(1, n);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** Whether workers can be started here (worker_threads under Node, `Worker` in a browser). */
export function canSpawnWorkers(): boolean {
  return nodeThreads !== null || typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

/**
 * Whether threads may share memory here: always under Node; in a browser only
 * when the page is cross-origin isolated (served with
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`), which is what makes
 * SharedArrayBuffer available.
 */
export function crossOriginIsolated(): boolean {
  if (isNode) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
}

const notesGiven = new Set<string>();

/** Writes `message` to the console once per process (why Frugal runs on one thread, for instance). */
export function noteOnce(message: string): void {
  if (notesGiven.has(message)) return;
  notesGiven.add(message);
  console.info(`frugal-ml: ${message}`);
}

export interface WorkerHandle {
  terminate(): void;
}

/**
 * Under Node: starts the worker script at `url` (an ES module) with `data` as
 * its start-up data. The worker does not keep the process alive. `onError`
 * is called if the worker fails.
 */
export function spawnNodeWorker(url: URL, data: unknown, onError: (err: unknown) => void): WorkerHandle {
  if (!nodeThreads) throw new FrugalError('spawnNodeWorker: not running under Node.js');
  const worker = new nodeThreads.Worker(url, { workerData: data });
  worker.unref();
  worker.on('error', onError);
  return { terminate: () => void worker.terminate() };
}

/**
 * In a browser: hands a Web Worker just created its start-up data (its first
 * message; structured-cloned: WebAssembly.Module and shared Memory are fine).
 * `onError` is called if the worker fails.
 */
export function adoptWebWorker(worker: Worker, data: unknown, onError: (err: unknown) => void): WorkerHandle {
  worker.addEventListener('error', (event) => onError(event));
  worker.postMessage(data);
  return { terminate: () => worker.terminate() };
}

/**
 * In a browser worker, the first message is its start-up data. Listen from the
 * moment this module is evaluated, so the message cannot arrive before the
 * worker script asks for it.
 */
const browserStartData: Promise<unknown> | null =
  !isNode && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'
    ? new Promise((resolve) => {
        globalThis.addEventListener('message', (event) => resolve((event as MessageEvent).data), { once: true });
      })
    : null;

/** In a worker script: the data passed to `spawnNodeWorker` or `adoptWebWorker`. */
export function workerStartData(): Promise<unknown> {
  if (nodeThreads && !nodeThreads.isMainThread) return Promise.resolve(nodeThreads.workerData);
  if (browserStartData) return browserStartData;
  return Promise.reject(new FrugalError('workerStartData: not running in a worker'));
}

let blockingAllowed: boolean | null = null;

/**
 * Whether this thread may block in `Atomics.wait` (false on a browser's main
 * thread, where the kernels then run on that thread alone rather than spin
 * while waiting for workers).
 */
export function canBlock(): boolean {
  if (blockingAllowed === null) {
    if (typeof SharedArrayBuffer === 'undefined') {
      blockingAllowed = false;
    } else {
      try {
        // A value that does not match returns at once, or throws where waiting is forbidden.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
        blockingAllowed = true;
      } catch {
        blockingAllowed = false;
      }
    }
  }
  return blockingAllowed;
}
