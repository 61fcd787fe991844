/**
 * The backward of cnn-fashion's two Conv → ReLU → MaxPool blocks on their
 * own (batch 64): median milliseconds per call of the fused forward (which
 * parks its state, as in training) and of the backward that reads it.
 *
 * Run: `node dist/bench/run.js --workloads conv-backward [--quick]`, or alone
 * `node dist/bench/conv-backward.js [--quick] [--threads T]`.
 */
import { pathToFileURL } from 'node:url';
import { median, type BenchLine } from './common.js';
import { getNumThreads, setNumThreads } from '../src/backend/index.js';
import { conv2dBackward, conv2dForward, type ConvEpilogue, type ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { warmUpWasmThreads } from '../src/backend/wasm/backend.js';

interface Block {
  name: string;
  g: ConvKernelGeometry;
  /** Whether the block's input needs a gradient (not the first block's). */
  input: boolean;
}

const n = 64;
const blocks: Block[] = [
  { name: 'conv1', input: false, g: { n, c: 1, h: 28, w: 28, o: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: 28, wo: 28 } },
  { name: 'conv2', input: true, g: { n, c: 16, h: 14, w: 14, o: 32, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: 14, wo: 14 } },
];

function filled(length: number, seed: number): Float32Array {
  const a = new Float32Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 0.5;
  }
  return a;
}

export async function benchConvBackward(emit: (line: BenchLine) => void, quick: boolean): Promise<void> {
  await warmUpWasmThreads();
  const threads = getNumThreads();
  const repeats = quick ? 20 : 300;
  for (const { name, g, input } of blocks) {
    const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: g.ho / 2, wo: g.wo / 2 };
    const epilogue: ConvEpilogue = { relu: true, pool, argMax: true, keepForBackward: true };
    const x = filled(g.n * g.c * g.h * g.w, 1);
    const weight = filled(g.o * g.c * g.kh * g.kw, 2);
    const bias = filled(g.o, 3);
    const dy = filled(g.n * g.o * pool.ho * pool.wo, 4);
    const forwardMs: number[] = [],
      backwardMs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const result = conv2dForward.run(g, x, weight, bias, epilogue);
      const t1 = performance.now();
      conv2dBackward.run(g, { dy, x, weight, input, weights: true, bias: true, epilogue: { ...epilogue, ...result } });
      const t2 = performance.now();
      forwardMs.push(t1 - t0);
      backwardMs.push(t2 - t1);
    }
    const extra = quick ? { quick: true } : {};
    emit({ workload: 'conv-backward', impl: 'frugal', threads, metric: `${name}_forward_ms`, value: median(forwardMs), ...extra });
    emit({ workload: 'conv-backward', impl: 'frugal', threads, metric: `${name}_backward_ms`, value: median(backwardMs), ...extra });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--threads');
  if (at >= 0) setNumThreads(Number(args[at + 1]));
  await benchConvBackward((line) => console.log(JSON.stringify(line)), args.includes('--quick'));
}
