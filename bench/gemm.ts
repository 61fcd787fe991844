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
 *
 * The `gemm-fresh` workload (benchGemmFresh, or `node dist/bench/gemm.js
 * --fresh`) shows whether a size's speed depends on what the process ran
 * before: it times each size first in a process of its own (`_fresh`: the
 * median of FRESH_ROUNDS such processes, the sizes taken in turn), then
 * all sizes in one process in ascending (`_ascending`) and in descending
 * (`_descending`) order, each size's figure the median of repetitions
 * spanning a second at least (the host's speed moves in steps; see
 * GemmBenchOptions.minSeconds); each of these with the default kernels
 * (FRUGAL_WASM_RELAXED=0) and the relaxed-SIMD ones (`_relaxed`:
 * FRUGAL_WASM_RELAXED=1). `_fresh_reuse` times each
 * size first as `_fresh` does, writing every call into one output allocated
 * up front: the difference is what touching a fresh output's pages costs
 * (docs/performance.md, "GEMM speed and fresh outputs"). `_first` times the
 * very first product of each size in a fresh process (workers warmed up, no
 * warm-up product): its kernel memory grows in that call. Each figure comes
 * with `faults_n{N}_t{T}_...`, the process's page faults per timed call, and
 * `cores_n{N}_t{T}_...`, the process's CPU time over the wall-clock time of
 * the timed calls: about T when every thread had a core of its own, about 1
 * when the worker ran on the caller's core (docs/performance.md, "Two
 * threads on a busy machine"); GFLOP/s over it is GFLOP per CPU-second.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gemmArgs, getBackend, getNumThreads, setNumThreads, warmUpThreads } from '../src/backend/index.js';
import { hardwareConcurrency } from '../src/platform/threads.js';
import { median, type BenchLine } from './common.js';

export interface GemmBenchOptions {
  sizes?: number[];
  /** Thread counts to run (default: 1 and all cores). */
  threads?: number[];
  warmup?: number;
  repetitions?: number;
  /** Write every call into one output allocated up front (the kernel's speed without the cost of a fresh output's first touch). */
  reuseOutput?: boolean;
  /** Time only the first call of each size (no warm-up, one call): what a fresh process pays for its first product of that size. */
  firstCallOnly?: boolean;
  /**
   * Keep timing repetitions (at least `repetitions` of them) until they span
   * this many seconds, and take the median of them all. The host's speed
   * moves in steps of a third of a second or so (the same code runs up to
   * 1.6× slower in some windows than in others: docs/performance.md,
   * "Measuring"), so a figure timed in 16 ms (n = 256's five repetitions)
   * lands in one window or the other; over a second it is the typical speed.
   */
  minSeconds?: number;
  /** Also emit `faults_n{N}_t{T}`: the process's minor page faults per timed call (where fresh memory is touched; docs/performance.md). */
  countFaults?: boolean;
  /** Also emit `cores_n{N}_t{T}`: the process's CPU time over the wall-clock time of the timed calls (how many cores it had). */
  countCores?: boolean;
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
  const warmup = options.firstCallOnly ? 0 : (options.warmup ?? 2);
  const repetitions = options.firstCallOnly ? 1 : (options.repetitions ?? 5);
  const minSeconds = options.firstCallOnly ? 0 : (options.minSeconds ?? 0);
  const saved = getNumThreads();
  try {
    for (const threads of threadCounts) {
      setNumThreads(threads);
      await warmUpThreads();
      for (const n of sizes) {
        const a = randomMatrix(n * n, 1);
        const b = randomMatrix(n * n, 2);
        const calls = options.firstCallOnly ? 1 : Math.max(1, Math.floor(2 ** 27 / n ** 3));
        const backend = getBackend();
        const output = options.reuseOutput ? new Float32Array(n * n) : null;
        const call = (): Float32Array => {
          const c = output ?? new Float32Array(n * n);
          backend.gemm(gemmArgs({ m: n, n, k: n, a, b, c }));
          return c;
        };
        for (let i = 0; i < warmup; i++) call();
        const seconds: number[] = [];
        const faultsBefore = process.resourceUsage().minorPageFault;
        const cpuBefore = process.cpuUsage();
        let spent = 0;
        // Bounded: at most 10 000 repetitions, whatever minSeconds asks.
        for (let r = 0; r < 10_000 && (r < repetitions || spent < minSeconds); r++) {
          const t0 = performance.now();
          for (let j = 0; j < calls; j++) call();
          const elapsed = (performance.now() - t0) / 1e3;
          spent += elapsed;
          seconds.push(elapsed / calls);
        }
        const cpu = process.cpuUsage(cpuBefore);
        const faults = (process.resourceUsage().minorPageFault - faultsBefore) / (seconds.length * calls);
        const cores = (cpu.user + cpu.system) / 1e6 / spent;
        emit({ workload: 'gemm', impl: 'frugal', threads, metric: `gflops_n${n}_t${threads}`, value: (2 * n ** 3) / median(seconds) / 1e9 });
        if (options.countFaults) emit({ workload: 'gemm', impl: 'frugal', threads, metric: `faults_n${n}_t${threads}`, value: faults });
        if (options.countCores) emit({ workload: 'gemm', impl: 'frugal', threads, metric: `cores_n${n}_t${threads}`, value: cores });
      }
    }
  } finally {
    setNumThreads(saved);
  }
}

export interface GemmFreshOptions {
  sizes?: number[];
  /** Thread counts (default: all cores). */
  threads?: number[];
  /** Run the `_relaxed` variants too (default true). */
  both?: boolean;
}

/** Seconds each gemm-fresh figure is timed over, at least. */
const FRESH_MIN_SECONDS = 1;
/**
 * Fresh processes per size for the `_fresh` and `_fresh_reuse` figures, the
 * sizes taken in turn round after round; each figure is the median of its
 * rounds. The host runs everything up to 1.6× slower for stretches of
 * seconds (docs/performance.md, "Measuring"): one process per size put a
 * size that fell in such a stretch at 0.53 of the best and another at 0.94
 * within one run.
 */
const FRESH_ROUNDS = 3;

/** Each size first in a fresh process, FRESH_ROUNDS rounds over the sizes in turn: per size and metric, the median of the rounds. */
function medianOfFreshRounds(sizes: number[], threads: number, relaxed: boolean, mode: '' | '--reuse-output'): BenchLine[] {
  const rounds = new Map<string, BenchLine[]>();
  for (let round = 0; round < FRESH_ROUNDS; round++) {
    for (const n of sizes) {
      for (const line of timeInFreshProcess([n], threads, relaxed, mode)) rounds.set(line.metric, [...(rounds.get(line.metric) ?? []), line]);
    }
  }
  return [...rounds.values()].map((lines) => ({ ...lines[0], value: median(lines.map((line) => line.value)) }));
}

/** Runs this file in a new Node process on `sizes`, in that order, and returns its lines. */
function timeInFreshProcess(sizes: number[], threads: number, relaxed: boolean, mode: '' | '--reuse-output' | '--first-call' = ''): BenchLine[] {
  // Each figure timed over a second at least (GemmBenchOptions.minSeconds); a first call is one call.
  const span = mode === '--first-call' ? [] : ['--min-seconds', String(FRESH_MIN_SECONDS)];
  const args = [fileURLToPath(import.meta.url), '--sizes', sizes.join(','), '--threads', String(threads), '--count-faults', '--count-cores', ...span, ...(mode ? [mode] : [])];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, FRUGAL_WASM_RELAXED: relaxed ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as BenchLine);
}

/** The `gemm-fresh` workload (see the file's comment). */
export async function benchGemmFresh(emit: (line: BenchLine) => void, options: GemmFreshOptions = {}): Promise<void> {
  const sizes = options.sizes ?? [128, 256, 512, 1024, 2048];
  const threadCounts = options.threads ?? [hardwareConcurrency()];
  const builds = options.both === false ? [false] : [false, true];
  for (const relaxed of builds) {
    const suffix = relaxed ? '_relaxed' : '';
    for (const threads of threadCounts) {
      const tag = (line: BenchLine, order: string): BenchLine => ({ ...line, workload: 'gemm-fresh', metric: `${line.metric}_${order}${suffix}` });
      for (const line of medianOfFreshRounds(sizes, threads, relaxed, '')) emit(tag(line, 'fresh'));
      for (const line of medianOfFreshRounds(sizes, threads, relaxed, '--reuse-output')) emit(tag(line, 'fresh_reuse'));
      for (const n of sizes) for (const line of timeInFreshProcess([n], threads, relaxed, '--first-call')) emit(tag(line, 'first'));
      for (const line of timeInFreshProcess(sizes, threads, relaxed)) emit(tag(line, 'ascending'));
      for (const line of timeInFreshProcess([...sizes].reverse(), threads, relaxed)) emit(tag(line, 'descending'));
    }
  }
}

function parseList(flag: string): number[] | undefined {
  const i = process.argv.indexOf(flag);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1].split(',').map(Number) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const print = (line: BenchLine): void => console.log(JSON.stringify(line));
  if (process.argv.includes('--fresh')) await benchGemmFresh(print, { sizes: parseList('--sizes'), threads: parseList('--threads') });
  else {
    const flag = (name: string): boolean => process.argv.includes(name);
    await benchGemm(print, {
      sizes: parseList('--sizes'),
      threads: parseList('--threads'),
      reuseOutput: flag('--reuse-output'),
      firstCallOnly: flag('--first-call'),
      countFaults: flag('--count-faults'),
      countCores: flag('--count-cores'),
      minSeconds: parseList('--min-seconds')?.[0],
    });
  }
}
