/** Pooling layers: max, average, adaptive average and global average. */
import { record } from '../../autograd/graph.js';
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { arrayFor } from '../../tensor/dtype.js';
import { avgPool2d, globalAvgPool2d, maxPool2d, poolGeometry } from '../../tensor/ops/conv.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkOptions, intPair, positiveInt } from './common.js';

type Pair = [number, number];

export interface Pool2dOptions {
  /** Default: the kernel size. */
  stride?: number | readonly [number, number];
  /** Implicit padding on each side (at most half the kernel). */
  padding?: number | readonly [number, number];
}

function checkPoolInput(layer: string, x: Tensor): void {
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${layer}: expected a 4-D input [N, C, H, W] (or 3-D [C, H, W]), got shape ${shapeStr(x.shape)}`);
  if (x.dtype === 'int32') throw new DTypeError(`${layer}: expected a float input, got int32`);
}

/** Checks the window fits the input (the op's own checks, with the layer's name). */
function checkPoolFits(layer: string, x: Tensor, k: Pair, s: Pair, p: Pair, d: Pair): void {
  poolGeometry(layer, [1, 1, x.shape[x.ndim - 2], x.shape[x.ndim - 1]], k, { stride: s, padding: p, dilation: d });
}

/** Runs a 4-D op on a 3-D (unbatched) input too. */
function batched(x: Tensor, fn: (x4: Tensor) => Tensor): Tensor {
  return x.ndim === 3 ? fn(x.unsqueeze(0)).squeeze(0) : fn(x);
}

/** The base of the windowed pools: their config is the kernel size and the constructor's options. */
abstract class WindowPool extends Module {
  /** Builds the pool it is called on (MaxPool2d, AvgPool1d, …) from its config. */
  static fromConfig<T>(this: new (kernelSize: never, options: never) => T, config: JsonObject): T {
    const { kernelSize, ...options } = config;
    return new this(kernelSize as never, options as never);
  }
}

/** Max over each kH×kW window of [N, C, H, W]. */
export class MaxPool2d extends WindowPool {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;

  constructor(kernelSize: number | readonly [number, number], options: Pool2dOptions & { dilation?: number | readonly [number, number] } = {}) {
    super();
    checkOptions('MaxPool2d', options, ['stride', 'padding', 'dilation']);
    this.kernelSize = intPair(kernelSize, 'kernelSize', 'MaxPool2d', 1);
    this.stride = intPair(options.stride ?? this.kernelSize, 'stride', 'MaxPool2d', 1);
    this.padding = intPair(options.padding ?? 0, 'padding', 'MaxPool2d', 0);
    this.dilation = intPair(options.dilation ?? 1, 'dilation', 'MaxPool2d', 1);
  }

  override forward(x: Tensor): Tensor {
    const label = `MaxPool2d(${this.kernelSize[0]}×${this.kernelSize[1]})`;
    checkPoolInput(label, x);
    checkPoolFits(label, x, this.kernelSize, this.stride, this.padding, this.dilation);
    return batched(x, (x4) => maxPool2d(x4, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation }));
  }

  getConfig(): JsonObject {
    return { kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding], dilation: [...this.dilation] };
  }
}

/** Mean over each kH×kW window of [N, C, H, W]. */
export class AvgPool2d extends WindowPool {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly countIncludePad: boolean;

  constructor(kernelSize: number | readonly [number, number], options: Pool2dOptions & { countIncludePad?: boolean } = {}) {
    super();
    checkOptions('AvgPool2d', options, ['stride', 'padding', 'countIncludePad']);
    this.kernelSize = intPair(kernelSize, 'kernelSize', 'AvgPool2d', 1);
    this.stride = intPair(options.stride ?? this.kernelSize, 'stride', 'AvgPool2d', 1);
    this.padding = intPair(options.padding ?? 0, 'padding', 'AvgPool2d', 0);
    this.countIncludePad = options.countIncludePad ?? true;
  }

  override forward(x: Tensor): Tensor {
    const label = `AvgPool2d(${this.kernelSize[0]}×${this.kernelSize[1]})`;
    checkPoolInput(label, x);
    checkPoolFits(label, x, this.kernelSize, this.stride, this.padding, [1, 1]);
    return batched(x, (x4) => avgPool2d(x4, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad }));
  }

  getConfig(): JsonObject {
    return { kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding], countIncludePad: this.countIncludePad };
  }
}

export interface Pool1dOptions {
  stride?: number;
  padding?: number;
}

function checkPool1dInput(layer: string, x: Tensor): void {
  if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${layer}: expected a 3-D input [N, C, L] (or 2-D [C, L]), got shape ${shapeStr(x.shape)}`);
}

/** A pool over windows of [N, C, L]: its kernel size, stride and padding, checked once for both kinds. */
abstract class Pool1d extends WindowPool {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;

  constructor(layer: string, kernelSize: number, options: Pool1dOptions, extraOption: string) {
    super();
    checkOptions(layer, options, ['stride', 'padding', extraOption]);
    this.kernelSize = positiveInt(kernelSize, 'kernelSize', layer);
    this.stride = positiveInt(options.stride ?? kernelSize, 'stride', layer);
    this.padding = intPair(options.padding ?? 0, 'padding', layer, 0)[0];
  }
}

/** Max over windows of [N, C, L]. */
export class MaxPool1d extends Pool1d {
  readonly dilation: number;

  constructor(kernelSize: number, options: Pool1dOptions & { dilation?: number } = {}) {
    super('MaxPool1d', kernelSize, options, 'dilation');
    this.dilation = positiveInt(options.dilation ?? 1, 'dilation', 'MaxPool1d');
  }

  override forward(x: Tensor): Tensor {
    const label = `MaxPool1d(${this.kernelSize})`;
    checkPool1dInput(label, x);
    const x4 = x.unsqueeze(-2);
    checkPoolFits(label, x4, [1, this.kernelSize], [1, this.stride], [0, this.padding], [1, this.dilation]);
    const y = batched(x4, (t) => maxPool2d(t, [1, this.kernelSize], { stride: [1, this.stride], padding: [0, this.padding], dilation: [1, this.dilation] }));
    return y.squeeze(-2);
  }

  getConfig(): JsonObject {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation };
  }
}

/** Mean over windows of [N, C, L]. */
export class AvgPool1d extends Pool1d {
  readonly countIncludePad: boolean;

  constructor(kernelSize: number, options: Pool1dOptions & { countIncludePad?: boolean } = {}) {
    super('AvgPool1d', kernelSize, options, 'countIncludePad');
    this.countIncludePad = options.countIncludePad ?? true;
  }

  override forward(x: Tensor): Tensor {
    const label = `AvgPool1d(${this.kernelSize})`;
    checkPool1dInput(label, x);
    const x4 = x.unsqueeze(-2);
    checkPoolFits(label, x4, [1, this.kernelSize], [1, this.stride], [0, this.padding], [1, 1]);
    const y = batched(x4, (t) => avgPool2d(t, [1, this.kernelSize], { stride: [1, this.stride], padding: [0, this.padding], countIncludePad: this.countIncludePad }));
    return y.squeeze(-2);
  }

  getConfig(): JsonObject {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad };
  }
}

/** Bin i of n over a length of `size`: [⌊i·size/n⌋, ⌈(i+1)·size/n⌉) (PyTorch's adaptive bins). */
function bins(size: number, n: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(n),
    end = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    start[i] = Math.floor((i * size) / n);
    end[i] = Math.ceil(((i + 1) * size) / n);
  }
  return { start, end };
}

interface AdaptiveGeometry {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  rows: { start: Int32Array; end: Int32Array };
  cols: { start: Int32Array; end: Int32Array };
  inShape: readonly number[];
  outShape: readonly number[];
}

/** Adaptive average pooling (adjoint = false) or its adjoint (spreads each output over its bin). */
function adaptiveAvgOp(src: Tensor, g: AdaptiveGeometry, adjoint: boolean): Tensor {
  const { planes, h, w, oh, ow, rows, cols } = g;
  const out = arrayFor(src.dtype, adjoint ? planes * h * w : planes * oh * ow);
  const s = src.data;
  for (let p = 0; p < planes; p++) {
    const inBase = p * h * w,
      outBase = p * oh * ow;
    for (let i = 0; i < oh; i++) {
      const r0 = rows.start[i],
        r1 = rows.end[i];
      for (let j = 0; j < ow; j++) {
        const c0 = cols.start[j],
          c1 = cols.end[j];
        const scale = 1 / ((r1 - r0) * (c1 - c0));
        const o = outBase + i * ow + j;
        if (adjoint) {
          const share = s[o] * scale;
          for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[inBase + r * w + c] += share;
        } else {
          let acc = 0;
          for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) acc += s[inBase + r * w + c];
          out[o] = acc * scale;
        }
      }
    }
  }
  const result = new Tensor(out, adjoint ? g.inShape : g.outShape);
  return record(result, adjoint ? 'adaptiveAvgPool2dAdjoint' : 'adaptiveAvgPool2d', [src], (dy) => [adaptiveAvgOp(dy, g, !adjoint)]);
}

/** Average pooling to a fixed output size [oH, oW] whatever the input size (null keeps that input size). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  checkPoolInput('adaptiveAvgPool2d', x);
  const h = x.shape[x.ndim - 2],
    w = x.shape[x.ndim - 1];
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0] ?? h, outputSize[1] ?? w];
  if (h === 0 || w === 0) throw new ShapeError(`adaptiveAvgPool2d: input of shape ${shapeStr(x.shape)} has an empty spatial size`);
  if (oh === 1 && ow === 1 && x.ndim === 4) return globalAvgPool2d(x);
  const planes = x.size / (h * w);
  const outShape = [...x.shape.slice(0, -2), oh, ow];
  return adaptiveAvgOp(x, { planes, h, w, oh, ow, rows: bins(h, oh), cols: bins(w, ow), inShape: x.shape, outShape }, false);
}

/** Average pooling to a fixed output size (PyTorch's AdaptiveAvgPool2d); bins may overlap when sizes do not divide. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number | null, number | null];

  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    const o = typeof outputSize === 'number' ? [outputSize, outputSize] : [...outputSize];
    if (o.length !== 2 || o.some((v) => v !== null && (!Number.isInteger(v) || (v as number) < 1))) {
      throw new ValueError(`AdaptiveAvgPool2d: outputSize must be a positive integer or a pair of them (null keeps the input size), got ${JSON.stringify(outputSize)}`);
    }
    this.outputSize = [o[0], o[1]];
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  getConfig(): JsonObject {
    return { outputSize: [...this.outputSize] };
  }

  static fromConfig(config: JsonObject): AdaptiveAvgPool2d {
    return new AdaptiveAvgPool2d(config.outputSize as [number | null, number | null]);
  }
}

/**
 * Mean over H and W: [N, C, H, W] → [N, C] (Keras' GlobalAveragePooling2D;
 * `keepDims: true` gives [N, C, 1, 1] like AdaptiveAvgPool2d(1)).
 */
export class GlobalAvgPool2d extends Module {
  readonly keepDims: boolean;

  constructor(options: { keepDims?: boolean } = {}) {
    super();
    checkOptions('GlobalAvgPool2d', options, ['keepDims']);
    this.keepDims = options.keepDims ?? false;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new ShapeError(`GlobalAvgPool2d: expected a 4-D input [N, C, H, W], got shape ${shapeStr(x.shape)}`);
    const y = globalAvgPool2d(x);
    return this.keepDims ? y : y.reshape([x.shape[0], x.shape[1]]);
  }

  getConfig(): JsonObject {
    return { keepDims: this.keepDims };
  }

  static fromConfig(config: JsonObject): GlobalAvgPool2d {
    return new GlobalAvgPool2d(config as { keepDims?: boolean });
  }
}

registerLayer('MaxPool2d', MaxPool2d);
registerLayer('AvgPool2d', AvgPool2d);
registerLayer('MaxPool1d', MaxPool1d);
registerLayer('AvgPool1d', AvgPool1d);
registerLayer('AdaptiveAvgPool2d', AdaptiveAvgPool2d);
registerLayer('GlobalAvgPool2d', GlobalAvgPool2d);
