/**
 * 2-D convolution (NCHW input, O×C/groups×kh×kw weight) on raw arrays:
 * - the lowering every backend shares: im2col, col2im and the three passes
 *   as batched products on the core GEMM (with groups; float32 or float64);
 * - the routines `conv2dForward` / `conv2dBackward`: float32 passes with
 *   groups = 1, optionally as a Conv → ReLU (→ MaxPool) block whose epilogue
 *   runs in the same pass. The wasm implementation does each pass as one job
 *   of one sample per chunk (im2col, GEMM and col2im fused per sample, only
 *   images, weights and outputs copied) and agrees with the reference, the
 *   lowering followed by the epilogue, to the bit.
 */
import { FrugalError, ValueError } from '../../errors.js';
import type { FloatArray } from '../backend.js';
import { gemm, type GemmCall } from '../index.js';
import { defineRoutine } from '../routine.js';
import { wasmEngine } from '../wasm/backend.js';
import { conv2dBackward as wasmBackward, conv2dFits, conv2dForward as wasmForward } from '../wasm/conv-job.js';
import { maxPool2d, type PoolKernelGeometry } from './max-pool.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** Shape of a 2-D convolution: NCHW input, O×(C/groups)×kh×kw weight, Ho×Wo output (the window geometry pooling shares, plus O and groups). */
export interface ConvKernelGeometry extends PoolKernelGeometry {
  o: number;
  /** Channel groups (1 when absent); the routines take groups = 1 only. */
  groups?: number;
}

/** What a Conv → ReLU (→ MaxPool) block applies to the convolution's output, in the same pass. */
export interface ConvEpilogue {
  relu: boolean;
  /** Max pooling (no padding, dilation 1) of the relu'd output, or null. */
  pool: { kh: number; kw: number; sh: number; sw: number; ho: number; wo: number } | null;
  /** False where no backward will run (inference): the forward then returns no arg-max offsets (default true). */
  argMax?: boolean;
  /**
   * Whether the backend may keep what the backward reads (the input, the
   * weight, the block's output and its arg-max offsets) in its own memory
   * instead of returning the offsets (default false): the result then has
   * `saved` and, where kept, no offsets.
   */
  keepForBackward?: boolean;
}

/**
 * The forward pass's result: the block's output and, with pooling (and argMax
 * not false), each output cell's arg-max offset within its sample, unless the
 * backend kept them (`saved`).
 */
export interface ConvForwardResult {
  y: Float32Array;
  offsets: Int32Array | null;
  /** The forward's inputs, given where the backend kept the forward's state (keepForBackward): a backward that finds it gone recomputes it from them. */
  saved?: ConvSavedForward;
}

/** The inputs of a forward whose state a backend kept for the backward (a backend extends it with where it kept that state). */
export interface ConvSavedForward {
  x: Float32Array;
  weight: Float32Array;
  bias: Float32Array | null;
}

export interface ConvBackwardArgs {
  /** The input (needed for the weight gradient). */
  x: Float32Array;
  /** dL/dy [N, O, Ho, Wo], or with an epilogue the gradient of the block's output. */
  dy: Float32Array;
  /** The block's epilogue with its forward result (relu's mask is out > 0). */
  epilogue?: ConvEpilogue & ConvForwardResult;
  /** The weight [O, C·kh·kw] (needed for the input gradient). */
  weight: Float32Array;
  /** Which gradients to compute. */
  input: boolean;
  weights: boolean;
  bias: boolean;
}

export interface ConvGradients {
  /** dL/dx [N, C, H, W], dL/dW [O, C·kh·kw] and dL/db [O] (float64 sums rounded once), or null where not asked for. */
  dx: Float32Array | null;
  dw: Float32Array | null;
  db: Float32Array | null;
}

const newLike = <F extends FloatArray>(a: F, n: number): F => new (a.constructor as new (n: number) => F)(n);

// ------------------------------------------------------------- lowering ---

/** cols[n][(c·kh + i)·kw + j][oh·wo + ow] = x[n, c, oh·sh − ph + i·dh, ow·sw − pw + j·dw] (0 outside). */
export function im2col<F extends FloatArray>(x: F, g: ConvKernelGeometry): F {
  const cols = newLike(x, g.n * g.c * g.kh * g.kw * g.ho * g.wo);
  lowering(x, cols, g, false);
  return cols;
}

/** The adjoint of im2col: adds each column entry back onto its input pixel. */
export function col2im<F extends FloatArray>(cols: F, g: ConvKernelGeometry): F {
  const x = newLike(cols, g.n * g.c * g.h * g.w);
  lowering(x, cols, g, true);
  return x;
}

/** Walks every (pixel, column entry) pair of the lowering: im2col copies the pixel into the entry, its adjoint (col2im) adds the entry onto the pixel. */
function lowering(x: FloatArray, cols: FloatArray, g: ConvKernelGeometry, adjoint: boolean): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo } = g;
  const plane = ho * wo;
  let row = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * h * w;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++, row += plane) {
          for (let oh = 0; oh < ho; oh++) {
            const ih = oh * sh - ph + i * dh;
            if (ih < 0 || ih >= h) continue; // entries in the padding stay zero
            const entry = row + oh * wo;
            const pixelRow = base + ih * w;
            const iw0 = j * dw - pw;
            for (let ow = 0; ow < wo; ow++) {
              const iw = iw0 + ow * sw;
              if (iw < 0 || iw >= w) continue;
              if (adjoint) x[pixelRow + iw] += cols[entry + ow];
              else cols[entry + ow] = x[pixelRow + iw];
            }
          }
        }
      }
    }
  }
}

/**
 * Groups, output plane, per group: output channels and the depth C/groups·kh·kw
 * of its products; per sample: the sizes of the im2col columns and of the output.
 */
function groupSizes(g: ConvKernelGeometry): { groups: number; plane: number; og: number; kg: number; colsSize: number; outSize: number } {
  const groups = g.groups ?? 1,
    plane = g.ho * g.wo;
  return { groups, plane, og: g.o / groups, kg: (g.c / groups) * g.kh * g.kw, colsSize: g.c * g.kh * g.kw * plane, outSize: g.o * plane };
}

/** The product of every channel group: `call` is group 0's; group gi reads and writes block gi of a, b and c (`block`: their sizes). */
function gemmPerGroup(groups: number, block: { a: number; b: number; c: number }, call: GemmCall): void {
  for (let gi = 0; gi < groups; gi++) gemm({ ...call, aOffset: gi * block.a, bOffset: gi * block.b, cOffset: gi * block.c });
}

/** y = conv(x, w) lowered to im2col and one batched GEMM per group (no bias). */
export function lowerForward<F extends FloatArray>(x: F, w: F, g: ConvKernelGeometry): F {
  const { groups, plane, og, kg, colsSize, outSize } = groupSizes(g);
  const cols = im2col(x, g);
  const out = newLike(x, g.n * outSize);
  // out[b, group rows] = W_g [og × kg] · cols[b, group rows] [kg × plane], for every b.
  gemmPerGroup(
    groups,
    { a: og * kg, b: kg * plane, c: og * plane },
    {
      batch: g.n,
      m: og,
      n: plane,
      k: kg,
      a: w,
      b: cols,
      bBatchStride: colsSize,
      c: out,
      cBatchStride: outSize,
    },
  );
  return out;
}

/** dL/dx lowered to one batched GEMM per group and col2im. */
export function lowerInputGrad<F extends FloatArray>(dy: F, w: F, g: ConvKernelGeometry): F {
  const { groups, plane, og, kg, colsSize, outSize } = groupSizes(g);
  const dcols = newLike(dy, g.n * colsSize);
  // dcols[b, group rows] = W_gᵀ [kg × og] · dy[b, group rows] [og × plane], for every b.
  gemmPerGroup(
    groups,
    { a: og * kg, b: og * plane, c: kg * plane },
    {
      batch: g.n,
      m: kg,
      n: plane,
      k: og,
      a: w,
      transA: true,
      b: dy,
      bBatchStride: outSize,
      c: dcols,
      cBatchStride: colsSize,
    },
  );
  return col2im(dcols, g);
}

/** dL/dW lowered to im2col, per-sample GEMMs and their sum over the batch (in order of the sample). */
export function lowerWeightGrad<F extends FloatArray>(x: F, dy: F, g: ConvKernelGeometry): F {
  const { n, o } = g;
  const { groups, plane, og, kg, colsSize, outSize } = groupSizes(g);
  const cols = im2col(x, g);
  const perSample = newLike(x, n * o * kg);
  // perSample[b, group rows] = dy[b, group rows] [og × plane] · cols[b, group rows]ᵀ [plane × kg], for every b.
  gemmPerGroup(
    groups,
    { a: og * plane, b: kg * plane, c: og * kg },
    {
      batch: n,
      m: og,
      n: kg,
      k: plane,
      a: dy,
      aBatchStride: outSize,
      b: cols,
      bBatchStride: colsSize,
      transB: true,
      c: perSample,
      cBatchStride: o * kg,
    },
  );
  const dw = newLike(x, o * kg);
  for (let b = 0; b < n; b++) {
    const base = b * o * kg;
    for (let i = 0; i < dw.length; i++) dw[i] += perSample[base + i];
  }
  return dw;
}

/** y[b, ch, ...] += bias[ch] over `plane` values per channel. */
export function addChannelBias(y: FloatArray, bias: FloatArray, n: number, channels: number, plane: number): void {
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < channels; ch++) {
      const base = (s * channels + ch) * plane,
        v = bias[ch];
      for (let i = 0; i < plane; i++) y[base + i] += v;
    }
  }
}

/** Σ over samples and each channel's `inner` values, in float64 (four partial sums per channel and sample, then in order of the sample). */
export function channelSums(d: ArrayLike<number>, n: number, channels: number, inner: number): Float64Array {
  const acc = new Float64Array(channels);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < channels; ch++) {
      const base = (b * channels + ch) * inner,
        end = base + inner;
      // Four partial sums: one chain of dependent adds would wait on each add's latency.
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        i = base;
      for (; i + 4 <= end; i += 4) {
        s0 += d[i];
        s1 += d[i + 1];
        s2 += d[i + 2];
        s3 += d[i + 3];
      }
      for (; i < end; i++) s0 += d[i];
      acc[ch] += s0 + s1 + (s2 + s3);
    }
  }
  return acc;
}

// ------------------------------------------------------------- routines ---

export const conv2dForward = defineRoutine(
  'conv2dForward',
  function reference(g: ConvKernelGeometry, x: Float32Array, weight: Float32Array, bias: Float32Array | null, epilogue?: ConvEpilogue): ConvForwardResult {
    const plane = g.ho * g.wo;
    const y = lowerForward(x, weight, g);
    if (bias) addChannelBias(y, bias, g.n, g.o, plane);
    if (epilogue?.relu) for (let i = 0; i < y.length; i++) y[i] = y[i] > 0 || y[i] !== y[i] ? y[i] : 0;
    const pool = epilogue?.pool;
    if (!pool) return { y, offsets: null };
    const found = maxPool2d.reference(y, { ...pool, n: g.n, c: g.o, h: g.ho, w: g.wo, ph: 0, pw: 0, dh: 1, dw: 1 });
    // Offsets within the sample, as the block's backward reads them.
    const cells = g.o * pool.ho * pool.wo;
    for (let k = 0; k < found.offsets.length; k++) found.offsets[k] -= Math.floor(k / cells) * g.o * plane;
    return { y: found.values as Float32Array, offsets: epilogue.argMax === false ? null : found.offsets };
  },
);

conv2dForward.register(
  'wasm',
  engine && {
    supports: (g, _x, _weight, _bias, epilogue) => (g.groups ?? 1) === 1 && conv2dFits(engine, g, 'forward', epilogue),
    run: (g, x, weight, bias, epilogue) => wasmForward(engine, g, x, weight, bias, epilogue) ?? refused('conv2dForward'),
  },
);

export const conv2dBackward = defineRoutine('conv2dBackward', function reference(g: ConvKernelGeometry, args: ConvBackwardArgs): ConvGradients {
  const { n, o } = g,
    plane = g.ho * g.wo;
  const epilogue = args.epilogue;
  let dy = args.dy;
  if (epilogue?.pool) {
    // The pooled gradient goes to each window's arg-max, where relu let the value through.
    const cells = o * epilogue.pool.ho * epilogue.pool.wo;
    // Offsets the wasm kernels kept are computed again from the forward's inputs (the forward ran on another backend).
    const saved = epilogue.saved;
    const offsets = epilogue.offsets ?? (saved && conv2dForward.reference(g, saved.x, saved.weight, saved.bias, epilogue).offsets);
    if (!offsets) throw new ValueError(`conv2d kernel: the pooling needs ${args.dy.length} arg-max offsets`);
    dy = new Float32Array(n * o * plane);
    for (let k = 0; k < args.dy.length; k++) {
      if (!epilogue.relu || epilogue.y[k] > 0) dy[Math.floor(k / cells) * o * plane + offsets[k]] += args.dy[k];
    }
  } else if (epilogue?.relu) {
    dy = new Float32Array(args.dy.length);
    for (let i = 0; i < dy.length; i++) dy[i] = epilogue.y[i] > 0 ? args.dy[i] : 0;
  }
  return {
    dx: args.input ? lowerInputGrad(dy, args.weight, g) : null,
    dw: args.weights ? lowerWeightGrad(args.x, dy, g) : null,
    db: args.bias ? Float32Array.from(channelSums(dy, n, o, plane)) : null,
  };
});

conv2dBackward.register(
  'wasm',
  engine && {
    supports: (g, args) => (g.groups ?? 1) === 1 && conv2dFits(engine, g, 'backward', args.epilogue, args),
    run: (g, args) => wasmBackward(engine, g, args) ?? refused('conv2dBackward'),
  },
);

function refused(name: string): never {
  throw new FrugalError(`${name}: the wasm kernels refused a job their supports test accepted`);
}
