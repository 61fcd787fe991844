/**
 * Threads, the one place where the kernels touch Node.js built-ins: how many
 * cores there are, how to start a worker, how a worker receives its start-up
 * data, and whether the current thread may block. Under Node.js this uses
 * `node:worker_threads` and `node:os`; in a browser, Web Workers and
 * `navigator.hardwareConcurrency`. The choice is made at run time.
 *
 * Node's modules are loaded here with a top-level `await import(...)`, so that
 * starting a worker later can be synchronous (GEMM is a synchronous API) and
 * a browser bundle never evaluates them.
 */

type WorkerThreadsModule = typeof import('node:worker_threads');
type OsModule = typeof import('node:os');

interface NodeProcessLike {
  versions?: { node?: string };
}

/** True under Node.js. */
export const isNode: boolean = typeof (globalThis as { process?: NodeProcessLike }).process?.versions?.node === 'string';

const nodeThreads: WorkerThreadsModule | null = isNode ? await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads') : null;
const nodeOs: OsModule | null = isNode ? await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:os') : null;

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

export interface WorkerHandle {
  terminate(): void;
}

/**
 * Starts the worker script at `url` (an ES module) and hands it `data`
 * (structured-cloned: WebAssembly.Module and shared Memory are fine). The
 * worker reads it with `workerStartData()`. Under Node the worker does not
 * keep the process alive. `onError` is called if the worker fails.
 */
export function spawnWorker(url: URL, data: unknown, onError: (err: unknown) => void): WorkerHandle {
  if (nodeThreads) {
    const worker = new nodeThreads.Worker(url, { workerData: data });
    worker.unref();
    worker.on('error', onError);
    return { terminate: () => void worker.terminate() };
  }
  const worker = new Worker(url, { type: 'module' });
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

/** In a worker script: the data passed to `spawnWorker`. */
export function workerStartData(): Promise<unknown> {
  if (nodeThreads) return Promise.resolve(nodeThreads.workerData);
  if (browserStartData) return browserStartData;
  return Promise.reject(new Error('workerStartData: not running in a worker'));
}

let blockingAllowed: boolean | null = null;

/**
 * Whether this thread may block in `Atomics.wait` (false on a browser's main
 * thread, which must spin instead).
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
