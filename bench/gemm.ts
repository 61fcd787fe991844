/**
 * The `gemm` workload of bench/SPEC.md: float32 C = A·B for square n in
 * {64, 256, 1024}, on 1 thread and on all cores; 2 warm-up calls, then the
 * median of 5 repetitions, each repetition timing k = max(1, floor(2^27 / n^3))
 * back-to-back calls (as the peers do).
 *
 * Each call is what a user's matmul pays: the active backend's `gemm` on
 * Float32Arrays with a freshly allocated output, copies in and out included.
 *
 * Run alone: `node dist/bench/gemm.js [--sizes 64,256] [--threads 1,2]`.
 */
import { pathToFileURL } from 'node:url';
import { getBackend, getNumThreads, setNumThreads, warmUpThreads } from '../src/backend/index.js';
import { hardwareConcurrency } from '../src/platform/threads.js';
import { median, type BenchLine } from './common.js';

export interface GemmBenchOptions {
  sizes?: number[];
  /** Thread counts to run (default: 1 and all cores). */
  threads?: number[];
  warmup?: number;
  repetitions?: number;
}

/** Fills with a fixed pseudo-random sequence in [-1, 1). */
function randomMatrix(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs the workload and passes one line per (n, threads) to `emit`. */
export async function benchGemm(emit: (line: BenchLine) => void, options: GemmBenchOptions = {}): Promise<void> {
  const cores = hardwareConcurrency();
  const sizes = options.sizes ?? [64, 256, 1024];
  const threadCounts = options.threads ?? [...new Set([1, cores])];
  const warmup = options.warmup ?? 2;
  const repetitions = options.repetitions ?? 5;
  const saved = getNumThreads();
  try {
    for (const threads of threadCounts) {
      setNumThreads(threads);
      await warmUpThreads();
      for (const n of sizes) {
        const a = randomMatrix(n * n, 1);
        const b = randomMatrix(n * n, 2);
        const calls = Math.max(1, Math.floor(2 ** 27 / n ** 3));
        const backend = getBackend();
        const call = (): Float32Array => {
          const c = new Float32Array(n * n);
          backend.gemm({
            dtype: 'float32',
            batch: 1,
            m: n,
            n,
            k: n,
            a,
            aOffset: 0,
            aBatchStride: 0,
            transA: false,
            b,
            bOffset: 0,
            bBatchStride: 0,
            transB: false,
            c,
            cOffset: 0,
            cBatchStride: 0,
            accumulate: false,
          });
          return c;
        };
        for (let i = 0; i < warmup; i++) call();
        const seconds: number[] = [];
        for (let r = 0; r < repetitions; r++) {
          const t0 = performance.now();
          for (let j = 0; j < calls; j++) call();
          seconds.push((performance.now() - t0) / 1e3 / calls);
        }
        emit({ workload: 'gemm', impl: 'frugal', threads, metric: `gflops_n${n}_t${threads}`, value: (2 * n ** 3) / median(seconds) / 1e9 });
      }
    }
  } finally {
    setNumThreads(saved);
  }
}

function parseList(flag: string): number[] | undefined {
  const i = process.argv.indexOf(flag);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1].split(',').map(Number) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchGemm((line) => console.log(JSON.stringify(line)), { sizes: parseList('--sizes'), threads: parseList('--threads') });
}
