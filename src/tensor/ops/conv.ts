/**
 * 2-D convolution and pooling on NCHW tensors. Convolution lowers to GEMM
 * through im2col; its two backward products are themselves recorded ops,
 * each differentiable through the other two, so gradients of gradients
 * work (a gradient penalty on a convolutional critic needs that).
 */
import { fusedOp } from '../../autograd/fused.js';
import { isGradEnabled, needsGrad, record } from '../../autograd/graph.js';
import {
  addChannelBias,
  channelSums,
  conv2dBackward,
  conv2dForward,
  lowerForward,
  lowerInputGrad,
  lowerWeightGrad,
  type ConvGradients,
  type ConvKernelGeometry,
} from '../../backend/routines/conv.js';
import { maxPool2d as maxPoolRoutine, type PoolKernelGeometry, windowCells } from '../../backend/routines/max-pool.js';
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { checkOptions } from '../../utils/options.js';
import { arrayFor, type TypedArray } from '../dtype.js';
import { shapeStr } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sum } from './reduce.js';
import { relu } from './elementwise.js';
import { expand, reshape, takeFlat } from './shape.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding on each side, or 'same' (stride 1) / 'valid'. */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}

/** The backend's convolution geometry with the channel groups always resolved. */
export interface ConvGeometry extends ConvKernelGeometry {
  groups: number;
}

function pair(v: Pair, what: string, op: string, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  for (const x of p) {
    if (!Number.isInteger(x) || x < min) throw new ValueError(`${op}: ${what} must be integer(s) >= ${min}, got ${String(v)}`);
  }
  return p;
}

export function convGeometry(xShape: readonly number[], wShape: readonly number[], options: Conv2dOptions): ConvGeometry {
  if (xShape.length !== 4) throw new ShapeError(`conv2d: input must be 4-D [N, C, H, W], got ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new ShapeError(`conv2d: weight must be 4-D [O, C/groups, kH, kW], got ${shapeStr(wShape)}`);
  const [n, c, h, w] = xShape;
  const [o, cg, kh, kw] = wShape;
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || o % groups !== 0) {
    throw new ValueError(`conv2d: groups=${groups} must divide input channels ${c} and output channels ${o}`);
  }
  if (cg !== c / groups) throw new ShapeError(`conv2d: weight ${shapeStr(wShape)} expects ${cg * groups} input channels, input ${shapeStr(xShape)} has ${c}`);
  const [sh, sw] = pair(options.stride ?? 1, 'stride', 'conv2d', 1);
  const [dh, dw] = pair(options.dilation ?? 1, 'dilation', 'conv2d', 1);
  let ph: number, pw: number;
  const padding = options.padding ?? 0;
  if (padding === 'valid') [ph, pw] = [0, 0];
  else if (padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new ValueError("conv2d: padding 'same' needs stride 1");
    const th = dh * (kh - 1),
      tw = dw * (kw - 1);
    if (th % 2 !== 0 || tw % 2 !== 0) throw new ValueError("conv2d: padding 'same' with an even kernel extent is asymmetric; pad explicitly");
    [ph, pw] = [th / 2, tw / 2];
  } else [ph, pw] = pair(padding, 'padding', 'conv2d', 0);
  return { n, c, o, groups, ...windows('conv2d', h, w, kh, kw, sh, sw, ph, pw, dh, dw) };
}

/** The window geometry of a convolution or pooling over an h×w plane: ho×wo windows (at least one, else a ShapeError). */
function windows(op: string, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number) {
  const ho = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const wo = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (ho <= 0 || wo <= 0) throw new ShapeError(`${op}: kernel ${kh}×${kw} (dilation ${dh}×${dw}) is larger than the padded input ${h + 2 * ph}×${w + 2 * pw}`);
  return { h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo };
}

type Floats = Float32Array | Float64Array;

function floatPair(x: Tensor, w: Tensor, op: string): 'float32' | 'float64' {
  if (x.dtype === 'int32' || w.dtype !== x.dtype) {
    throw new DTypeError(`${op}: input and weight must share a float dtype, got ${x.dtype} and ${w.dtype}`);
  }
  return x.dtype;
}

/** Whether a pass is one the conv2d routines take (float32, ungrouped); the routine then runs the backend's implementation where it has one. */
function routineTakes(g: ConvGeometry, ...arrays: (TypedArray | undefined)[]): boolean {
  return g.groups === 1 && arrays.every((a) => a === undefined || a instanceof Float32Array);
}

/**
 * The backend's fused backward pass, or null (then each gradient is lowered
 * on its own): dx when given w, dW when given x, db when asked.
 */
function fusedBackward(g: ConvGeometry, dy: Tensor, x: Tensor | null, w: Tensor | null, bias: boolean): ConvGradients | null {
  if (!routineTakes(g, dy.data, x?.data, w?.data)) return null;
  const none = new Float32Array(0);
  const args = {
    dy: dy.data as Float32Array,
    x: (x?.data as Float32Array) ?? none,
    weight: (w?.data as Float32Array) ?? none,
    input: w !== null,
    weights: x !== null,
    bias,
  };
  return conv2dBackward.implementation(g, args)?.run(g, args) ?? null;
}

/** y = conv(x, w) (+ bias per output channel), as a recorded op. */
function convForward(x: Tensor, w: Tensor, g: ConvGeometry, bias: Tensor | null = null): Tensor {
  const dtype = floatPair(x, w, 'conv2d');
  if (bias && bias.dtype !== dtype) throw new DTypeError(`conv2d: bias must be ${dtype} like the input, got ${bias.dtype}`);
  const { n, o, ho, wo } = g;
  const xs = x.data as Float32Array,
    ws = w.data as Float32Array,
    bs = (bias?.data as Float32Array) ?? null;
  let out: TypedArray | null = routineTakes(g, x.data, w.data, bias?.data) ? (conv2dForward.implementation(g, xs, ws, bs)?.run(g, xs, ws, bs).y ?? null) : null;
  if (!out) {
    out = lowerForward(x.data as Floats, w.data as Floats, g);
    if (bias) addChannelBias(out, bias.data as Floats, n, o, ho * wo);
  }
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(new Tensor(out, [n, o, ho, wo]), 'conv2d', inputs, (dy) => {
    const wantX = x.requiresGrad,
      wantW = w.requiresGrad,
      wantB = bias?.requiresGrad ?? false;
    // A plain backward (no graph of the gradients): all gradients in one fused pass, which reads dy once.
    const fused = isGradEnabled() ? null : fusedBackward(g, dy, wantW ? x : null, wantX ? w : null, wantB);
    if (fused) return gradientTensors(fused, x, w, g);
    return [wantX ? convInputGrad(dy, w, g) : null, wantW ? convWeightGrad(x, dy, g) : null, wantB ? channelSum(dy) : null];
  });
}

export interface ConvBlockPool {
  kernelSize: Pair;
  /** Defaults to the kernel size. */
  stride?: Pair;
}

/**
 * maxPool2d(relu(conv2d(x, w, bias))) (or relu(conv2d(...)) without `pool`)
 * as one recorded op, computed in one fused pass by the backend: only the
 * block's output leaves the kernels, and the backward turns its gradient back
 * into the convolution's per sample. Returns null where the backend has no
 * fused convolution or the block does not suit it (the caller then applies
 * the three ops); results are those of the three ops. The pooling here has no
 * padding and dilation 1.
 */
export function convReluMaxPool(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, pool: ConvBlockPool | null): Tensor | null {
  const g = convGeometry(x.shape, weight.shape, options);
  checkBias(bias, g);
  const pg = pool ? poolGeometry('maxPool2d', [g.n, g.o, g.ho, g.wo], pool.kernelSize, { stride: pool.stride }) : null;
  const inputs = bias ? [x, weight, bias] : [x, weight];
  // Without a backward to come (inference), the pooling's arg-max offsets are not copied out of the kernels;
  // with one, the backend may keep them, x, the weight and the output where the backward reads them.
  const training = needsGrad(inputs);
  const epilogue = { relu: true, pool: pg, argMax: training, keepForBackward: training };
  const xs = x.data as Float32Array,
    ws = weight.data as Float32Array,
    bs = (bias?.data as Float32Array) ?? null;
  const fused = routineTakes(g, x.data, weight.data, bias?.data) ? conv2dForward.implementation(g, xs, ws, bs, epilogue) : null;
  if (!fused) return null;
  const result = fused.run(g, xs, ws, bs, epilogue);
  const shape = pg ? [g.n, g.o, pg.ho, pg.wo] : [g.n, g.o, g.ho, g.wo];
  const fast = (dOut: Tensor): (Tensor | null)[] => {
    // The forward ran only where the backward fits too (the routine's supports test), so this runs the same backend.
    const grads = conv2dBackward.run(g, {
      dy: dOut.data as Float32Array,
      x: xs,
      weight: ws,
      input: x.requiresGrad,
      weights: weight.requiresGrad,
      bias: bias?.requiresGrad ?? false,
      epilogue: { ...epilogue, ...result },
    });
    return gradientTensors(grads, x, weight, g);
  };
  // Gradients of gradients differentiate the block's three recorded ops.
  const reference = (xx: Tensor, ww: Tensor, bb?: Tensor): Tensor => {
    const y = relu(convForward(xx, ww, g, bb ?? null));
    return pool ? maxPool2d(y, pool.kernelSize, { stride: pool.stride }) : y;
  };
  return fusedOp(new Tensor(result.y, shape), 'convReluMaxPool', inputs, fast, reference);
}

/** A fused backward pass's arrays as gradient tensors of x, w and the bias. */
function gradientTensors(grads: ConvGradients, x: Tensor, w: Tensor, g: ConvGeometry): (Tensor | null)[] {
  return [grads.dx ? new Tensor(grads.dx, x.shape) : null, grads.dw ? new Tensor(grads.dw, w.shape) : null, grads.db ? new Tensor(grads.db, [g.o]) : null];
}

function checkBias(bias: Tensor | null | undefined, g: ConvGeometry): void {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.o)) throw new ShapeError(`conv2d: bias must have shape [${g.o}], got ${shapeStr(bias.shape)}`);
}

/** Σ over every axis but 1: [N, C, ...] → [C] (the adjoint of a per-channel broadcast, e.g. a bias). */
export function channelSum(g: Tensor): Tensor {
  const [n, c] = g.shape;
  const inner = g.size / (n * c || 1);
  const acc = channelSums(g.data, n, c, inner);
  const out = arrayFor(g.dtype, c);
  out.set(acc);
  const bshape = g.shape.map((dim, i) => (i === 1 ? dim : 1));
  return record(new Tensor(out, [c]), 'channelSum', [g], (h) => [expand(reshape(h, bshape), g.shape)]);
}

/** dL/dx of conv, given dL/dy (a transposed convolution), as a recorded op. */
export function convInputGrad(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  floatPair(dy, w, 'conv2d backward');
  const fused = fusedBackward(g, dy, null, w, false)?.dx;
  const dx = new Tensor(fused ?? lowerInputGrad(dy.data as Floats, w.data as Floats, g), [g.n, g.c, g.h, g.w]);
  return record(dx, 'conv2dInputGrad', [dy, w], (h) => [dy.requiresGrad ? convForward(h, w, g) : null, w.requiresGrad ? convWeightGrad(h, dy, g) : null]);
}

/** dL/dw of conv, given x and dL/dy, as a recorded op. */
function convWeightGrad(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  floatPair(x, dy, 'conv2d backward');
  const cg = g.c / g.groups;
  const dw: TypedArray = fusedBackward(g, dy, x, null, false)?.dw ?? lowerWeightGrad(x.data as Floats, dy.data as Floats, g);
  return record(new Tensor(dw, [g.o, cg, g.kh, g.kw]), 'conv2dWeightGrad', [x, dy], (h) => [
    x.requiresGrad ? convInputGrad(dy, h, g) : null,
    dy.requiresGrad ? convForward(x, h, g) : null,
  ]);
}

/** 2-D convolution (cross-correlation, as in PyTorch) of x [N, C, H, W] with w [O, C/groups, kH, kW]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', options, ['stride', 'padding', 'dilation', 'groups']);
  const g = convGeometry(x.shape, weight.shape, options);
  checkBias(bias, g);
  return convForward(x, weight, g, bias ?? null);
}

export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

/** The window geometry of a 2-D pooling of `shape` (checked: the padding at most half the kernel, a window that fits). */
export function poolGeometry(op: string, shape: readonly number[], kernel: Pair, options: Pool2dOptions): PoolKernelGeometry {
  if (shape.length !== 4) throw new ShapeError(`${op}: input must be 4-D [N, C, H, W], got ${shapeStr(shape)}`);
  const [n, c, h, w] = shape;
  const [kh, kw] = pair(kernel, 'kernel size', op, 1);
  const [sh, sw] = pair(options.stride ?? [kh, kw], 'stride', op, 1);
  const [ph, pw] = pair(options.padding ?? 0, 'padding', op, 0);
  const [dh, dw] = pair(options.dilation ?? 1, 'dilation', op, 1);
  if (ph > kh / 2 || pw > kw / 2) throw new ValueError(`${op}: padding ${ph}×${pw} must be at most half the kernel ${kh}×${kw}`);
  return { n, c, ...windows(op, h, w, kh, kw, sh, sw, ph, pw, dh, dw) };
}

/** Max over each window (padding never wins); the gradient goes to the arg-max. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  checkOptions('maxPool2d', options, ['stride', 'padding', 'dilation']);
  const g = poolGeometry('maxPool2d', x.shape, kernelSize, options);
  const shape = [g.n, g.c, g.ho, g.wo];
  const found = maxPoolRoutine.run(x.data, g);
  return takeFlat(x, found.offsets, shape, found.values);
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Count padded zeros in the average (PyTorch's default: true). */
  countIncludePad?: boolean;
}

/** Divisor of each output window: all kernel cells, or only those inside the input. */
function avgDivisors(g: PoolKernelGeometry, countIncludePad: boolean): Float64Array {
  const div = new Float64Array(g.ho * g.wo);
  for (let oh = 0; oh < g.ho; oh++) {
    for (let ow = 0; ow < g.wo; ow++) {
      let count = 0;
      for (let i = 0; i < g.kh; i++) {
        const ih = oh * g.sh - g.ph + i * g.dh;
        for (let j = 0; j < g.kw; j++) {
          const iw = ow * g.sw - g.pw + j * g.dw;
          const inside = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
          // PyTorch counts padding cells but not cells past the padded edge.
          const inPadded = ih >= -g.ph && ih < g.h + g.ph && iw >= -g.pw && iw < g.w + g.pw;
          if (inside || (countIncludePad && inPadded)) count++;
        }
      }
      div[oh * g.wo + ow] = count;
    }
  }
  return div;
}

/** The average pool (adjoint = false) or its adjoint, spreading each output back over its window. */
function avgPoolKernel(src: TypedArray, g: PoolKernelGeometry, div: Float64Array, adjoint: boolean): TypedArray {
  const { n, c, h, w, ho, wo } = g;
  const dtype = src instanceof Float64Array ? 'float64' : 'float32';
  const out = arrayFor(dtype, adjoint ? n * c * h * w : n * c * ho * wo);
  const cells = new Int32Array(g.kh * g.kw);
  for (let p = 0; p < n * c; p++) {
    const inBase = p * h * w,
      outBase = p * ho * wo;
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = outBase + oh * wo + ow;
        const scale = 1 / div[oh * wo + ow];
        let acc = 0;
        const share = adjoint ? src[o] * scale : 0;
        const count = windowCells(g, oh, ow, cells);
        for (let t = 0; t < count; t++) {
          if (adjoint) out[inBase + cells[t]] += share;
          else acc += src[inBase + cells[t]];
        }
        if (!adjoint) out[o] = acc * scale;
      }
    }
  }
  return out;
}

function avgPoolOp(x: Tensor, g: PoolKernelGeometry, div: Float64Array, adjoint: boolean): Tensor {
  const shape = adjoint ? [g.n, g.c, g.h, g.w] : [g.n, g.c, g.ho, g.wo];
  const out = new Tensor(avgPoolKernel(x.data, g, div, adjoint), shape);
  return record(out, adjoint ? 'avgPool2dAdjoint' : 'avgPool2d', [x], (dy) => [avgPoolOp(dy, g, div, !adjoint)]);
}

export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  checkOptions('avgPool2d', options, ['stride', 'padding', 'dilation', 'countIncludePad']);
  if (x.dtype === 'int32') throw new DTypeError('avgPool2d: needs a float tensor');
  const g = poolGeometry('avgPool2d', x.shape, kernelSize, options);
  return avgPoolOp(x, g, avgDivisors(g, options.countIncludePad ?? true), false);
}

/** Mean over H and W for each channel: [N, C, H, W] → [N, C, 1, 1]. */
export function globalAvgPool2d(x: Tensor): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`globalAvgPool2d: input must be 4-D [N, C, H, W], got ${shapeStr(x.shape)}`);
  return sum(x, [2, 3], { keepDims: true }).div(x.shape[2] * x.shape[3]);
}
