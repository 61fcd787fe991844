/**
 * Upsample (PyTorch's nn.Upsample / F.interpolate on [N, C, H, W]): nearest
 * or bilinear resampling to a size or by a scale factor. Every output pixel
 * reads one (nearest) or four (bilinear) input pixels with fixed weights, so
 * the op is linear: its gradient is its adjoint (the weights scattered back)
 * and the adjoint's gradient is the op again, both recorded, so gradients of
 * gradients work.
 */
import { record } from '../../autograd/graph.js';
import { DTypeError, LimitError, ShapeError, ValueError } from '../../errors.js';
import { arrayFor, type TypedArray } from '../../tensor/dtype.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkOptions, positiveInt } from './common.js';

export type UpsampleMode = 'nearest' | 'bilinear';

export interface UpsampleOptions {
  /** Output H and W (give this or scaleFactor). */
  size?: number | readonly [number, number];
  /** Output size = ⌊input size × factor⌋ per axis (give this or size). */
  scaleFactor?: number | readonly [number, number];
  /** 'nearest' (default) or 'bilinear'. */
  mode?: UpsampleMode;
  /** Bilinear only: align the corner pixels' centres of input and output (PyTorch's align_corners; default false). */
  alignCorners?: boolean;
}

const OPTIONS = ['size', 'scaleFactor', 'mode', 'alignCorners'];
/** The most output elements (of one plane at least) an upsampling may produce, 1 GiB of float32: checked before any table is built. */
const MAX_ELEMENTS = 2 ** 28;

/** Where each output index of one axis reads: indices `first`/`second` with weights (bilinear), or `first` alone (nearest). */
interface AxisTaps {
  first: Int32Array;
  second: Int32Array;
  firstWeight: Float64Array | null;
  secondWeight: Float64Array | null;
}

interface ResamplePlan {
  n: number;
  c: number;
  h: number;
  w: number;
  ho: number;
  wo: number;
  rows: AxisTaps;
  cols: AxisTaps;
}

/** PyTorch's nearest source index (upsample nearest kernels): float32 arithmetic, with the exact cases for equal and double sizes. */
function nearestTaps(inSize: number, outSize: number, factor: number | null): AxisTaps {
  const first = new Int32Array(outSize);
  const scale = Math.fround(factor !== null ? 1 / factor : inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) first[i] = i;
    else if (outSize === 2 * inSize) first[i] = i >> 1;
    else first[i] = Math.min(Math.floor(Math.fround(i * scale)), inSize - 1);
  }
  return { first, second: first, firstWeight: null, secondWeight: null };
}

/** PyTorch's linear source index and weights (area_pixel_compute_source_index), in float64. */
function linearTaps(inSize: number, outSize: number, factor: number | null, alignCorners: boolean): AxisTaps {
  const first = new Int32Array(outSize),
    second = new Int32Array(outSize);
  const firstWeight = new Float64Array(outSize),
    secondWeight = new Float64Array(outSize);
  let scale: number;
  if (alignCorners) scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  else scale = factor !== null ? 1 / factor : inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const source = alignCorners ? scale * i : Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(source), inSize - 1);
    const lambda = Math.min(Math.max(source - i0, 0), 1);
    first[i] = i0;
    second[i] = i0 < inSize - 1 ? i0 + 1 : i0;
    firstWeight[i] = 1 - lambda;
    secondWeight[i] = lambda;
  }
  return { first, second, firstWeight, secondWeight };
}

/** The op (adjoint = false: input → output) or its adjoint (output gradient → input gradient), nearest. */
function resampleNearest(src: TypedArray, out: TypedArray, p: ResamplePlan, adjoint: boolean): void {
  const { h, w, ho, wo } = p;
  const rows = p.rows.first,
    cols = p.cols.first;
  for (let plane = 0; plane < p.n * p.c; plane++) {
    const inBase = plane * h * w;
    let o = plane * ho * wo;
    for (let oh = 0; oh < ho; oh++) {
      const row = inBase + rows[oh] * w;
      if (adjoint) for (let ow = 0; ow < wo; ow++, o++) out[row + cols[ow]] += src[o];
      else for (let ow = 0; ow < wo; ow++, o++) out[o] = src[row + cols[ow]];
    }
  }
}

/** The same for bilinear: four taps per output, in PyTorch's order of products. */
function resampleBilinear(src: TypedArray, out: TypedArray, p: ResamplePlan, adjoint: boolean): void {
  const { h, w, ho, wo, rows, cols } = p;
  const rw0 = rows.firstWeight!,
    rw1 = rows.secondWeight!,
    cw0 = cols.firstWeight!,
    cw1 = cols.secondWeight!;
  for (let plane = 0; plane < p.n * p.c; plane++) {
    const inBase = plane * h * w;
    let o = plane * ho * wo;
    for (let oh = 0; oh < ho; oh++) {
      const r0 = inBase + rows.first[oh] * w,
        r1 = inBase + rows.second[oh] * w,
        a0 = rw0[oh],
        a1 = rw1[oh];
      for (let ow = 0; ow < wo; ow++, o++) {
        const c0 = cols.first[ow],
          c1 = cols.second[ow],
          b0 = cw0[ow],
          b1 = cw1[ow];
        if (adjoint) {
          const g = src[o];
          out[r0 + c0] += a0 * b0 * g;
          out[r0 + c1] += a0 * b1 * g;
          out[r1 + c0] += a1 * b0 * g;
          out[r1 + c1] += a1 * b1 * g;
        } else {
          out[o] = (src[r0 + c0] * b0 + src[r0 + c1] * b1) * a0 + (src[r1 + c0] * b0 + src[r1 + c1] * b1) * a1;
        }
      }
    }
  }
}

/** The resampling (or its adjoint) as a recorded op whose gradient is the other one. */
function resampleOp(x: Tensor, plan: ResamplePlan, adjoint: boolean): Tensor {
  const { n, c, h, w, ho, wo } = plan;
  const shape = adjoint ? [n, c, h, w] : [n, c, ho, wo];
  const out = arrayFor(x.dtype, n * c * shape[2] * shape[3], shape);
  if (plan.rows.firstWeight) resampleBilinear(x.data, out, plan, adjoint);
  else resampleNearest(x.data, out, plan, adjoint);
  return record(new Tensor(out, shape), adjoint ? 'upsampleAdjoint' : 'upsample', [x], (dy) => [resampleOp(dy, plan, !adjoint)]);
}

/** Options checked and normalised: the mode, and per axis the output size and the factor (null when sized). */
interface ResolvedUpsample {
  mode: UpsampleMode;
  alignCorners: boolean;
  size: [number, number] | null;
  factor: [number, number] | null;
}

function resolve(where: string, options: UpsampleOptions): ResolvedUpsample {
  checkOptions(where, options, OPTIONS);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new ValueError(`${where}: mode must be 'nearest' or 'bilinear', got ${JSON.stringify(mode)}`);
  if (options.alignCorners !== undefined) {
    if (mode === 'nearest') throw new ValueError(`${where}: alignCorners applies to mode 'bilinear' only, not 'nearest'`);
    if (typeof options.alignCorners !== 'boolean') throw new ValueError(`${where}: alignCorners must be a boolean, got ${String(options.alignCorners)}`);
  }
  const alignCorners = options.alignCorners ?? false;
  if ((options.size === undefined) === (options.scaleFactor === undefined)) throw new ValueError(`${where}: give exactly one of size and scaleFactor`);
  const pairOf = <T>(v: T | readonly T[], what: string): [T, T] => {
    const p = Array.isArray(v) ? [...(v as readonly T[])] : [v as T, v as T];
    if (p.length !== 2) throw new ValueError(`${where}: ${what} must be a number or a pair [h, w], got ${JSON.stringify(v)}`);
    return [p[0], p[1]];
  };
  if (options.size !== undefined) {
    const [sh, sw] = pairOf(options.size, 'size');
    return { mode, alignCorners, size: [positiveInt(sh, 'size', where), positiveInt(sw, 'size', where)], factor: null };
  }
  const factor = pairOf(options.scaleFactor!, 'scaleFactor');
  for (const f of factor) {
    if (typeof f !== 'number' || !(Number.isFinite(f) && f > 0))
      throw new ValueError(`${where}: scaleFactor must be a finite number > 0 or a pair of them, got ${JSON.stringify(options.scaleFactor)}`);
  }
  return { mode, alignCorners, size: null, factor };
}

function upsampleResolved(where: string, x: Tensor, r: ResolvedUpsample): Tensor {
  if (x.dtype === 'int32') throw new DTypeError(`${where}: needs a float tensor, got int32`);
  if (x.ndim !== 4) throw new ShapeError(`${where}: expected a 4-D input [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  const [n, c, h, w] = x.shape;
  const ho = r.size ? r.size[0] : Math.floor(h * r.factor![0]);
  const wo = r.size ? r.size[1] : Math.floor(w * r.factor![1]);
  if (h === 0 || w === 0 || ho === 0 || wo === 0) throw new ShapeError(`${where}: input ${shapeStr(x.shape)} gives an empty output ${ho}×${wo}; sizes must be > 0`);
  if (Math.max(n * c, 1) * ho * wo > MAX_ELEMENTS) throw new LimitError(`${where}: output [${n}, ${c}, ${ho}, ${wo}] exceeds ${MAX_ELEMENTS} elements`);
  // Sizes come from the alignCorners scale when it is set, as in PyTorch (the factor only sets the size then).
  const factor = r.alignCorners ? null : r.factor;
  const taps = (inSize: number, outSize: number, f: number | null): AxisTaps =>
    r.mode === 'nearest' ? nearestTaps(inSize, outSize, f) : linearTaps(inSize, outSize, f, r.alignCorners);
  const plan: ResamplePlan = { n, c, h, w, ho, wo, rows: taps(h, ho, factor?.[0] ?? null), cols: taps(w, wo, factor?.[1] ?? null) };
  return resampleOp(x, plan, false);
}

/** Resamples x [N, C, H, W] to a size or by a scale factor (nearest or bilinear, as PyTorch's F.interpolate). */
export function upsample(x: Tensor, options: UpsampleOptions): Tensor {
  return upsampleResolved('upsample', x, resolve('upsample', options));
}

/** Upsampling as a layer: `new Upsample({ scaleFactor: 2 })`, `new Upsample({ size: [28, 28], mode: 'bilinear' })`. */
export class Upsample extends Module {
  readonly size: [number, number] | null;
  readonly scaleFactor: [number, number] | null;
  readonly mode: UpsampleMode;
  readonly alignCorners: boolean;

  constructor(options: UpsampleOptions) {
    super();
    const r = resolve('Upsample', options ?? {});
    this.size = r.size;
    this.scaleFactor = r.factor;
    this.mode = r.mode;
    this.alignCorners = r.alignCorners;
  }

  override forward(x: Tensor): Tensor {
    const { size, mode, alignCorners } = this;
    return upsampleResolved('Upsample', x, { size, factor: this.scaleFactor, mode, alignCorners });
  }

  getConfig(): JsonObject {
    const config: JsonObject = this.size ? { size: [...this.size] } : { scaleFactor: [...this.scaleFactor!] };
    config.mode = this.mode;
    if (this.mode === 'bilinear') config.alignCorners = this.alignCorners;
    return config;
  }

  static fromConfig(config: JsonObject): Upsample {
    return new Upsample(config as unknown as UpsampleOptions);
  }
}

registerLayer('Upsample', Upsample);
