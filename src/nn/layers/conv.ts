/** Convolution layers: Conv1d and Conv2d (through the core conv2d, im2col + GEMM). */
import { noGrad } from '../../autograd/graph.js';
import { ShapeError, ValueError } from '../../errors.js';
import { zeros } from '../../tensor/creation.js';
import { conv2d } from '../../tensor/ops/conv.js';
import { pad, reshape } from '../../tensor/ops/shape.js';
import { shapeStr } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkFloatInput, checkOptions, convConstructorArgs, floatDType, intPair, positiveInt, type DTypeOption, type FloatDType } from './common.js';

export type Padding2d = number | readonly [number, number] | 'same' | 'valid';
export type Padding1d = number | 'same' | 'valid';

export interface Conv2dOptions extends DTypeOption {
  stride?: number | readonly [number, number];
  /** Zeros added on each side: a number, [h, w], 'valid' (none) or 'same' (output size = input size; stride 1). */
  padding?: Padding2d;
  dilation?: number | readonly [number, number];
  /** Split channels into groups convolved separately (inChannels and outChannels must divide). */
  groups?: number;
  /** Learn a per-channel bias (default true). */
  bias?: boolean;
}

export interface Conv1dOptions extends DTypeOption {
  stride?: number;
  padding?: Padding1d;
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

const CONV_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'dtype'];

interface Geometry2d {
  stride: [number, number];
  dilation: [number, number];
  /** [top, bottom, left, right] */
  pads: [number, number, number, number];
  padding: Padding2d;
}

function resolvePadding(layer: string, padding: Padding2d, kernel: [number, number], stride: [number, number], dilation: [number, number]): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`${layer}: padding 'same' needs stride 1, got stride ${JSON.stringify(stride)}`);
    // As PyTorch: the total d·(k − 1) split with the extra zero (for an even extent) at the end.
    const th = dilation[0] * (kernel[0] - 1),
      tw = dilation[1] * (kernel[1] - 1);
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  if (typeof padding === 'string') throw new ValueError(`${layer}: padding must be a number, a pair, 'same' or 'valid', got '${padding}'`);
  const [ph, pw] = intPair(padding, 'padding', layer, 0);
  return [ph, ph, pw, pw];
}

/** Shared by Conv1d, Conv2d and ConvTranspose2d: parameters, init, and the 2-D forward. */
export abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly dtype: FloatDType;
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  protected readonly geo: Geometry2d;
  protected readonly kernel2d: [number, number];

  constructor(
    layer: string,
    inChannels: number,
    outChannels: number,
    kernel: [number, number],
    weightShape: number[],
    geo: Geometry2d,
    options: { groups?: number; bias?: boolean; dtype?: FloatDType },
  ) {
    super();
    this.inChannels = positiveInt(inChannels, 'inChannels', layer);
    this.outChannels = positiveInt(outChannels, 'outChannels', layer);
    this.groups = positiveInt(options.groups ?? 1, 'groups', layer);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new ValueError(`${layer}: groups=${this.groups} must divide inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    this.dtype = floatDType(options.dtype, layer);
    this.kernel2d = kernel;
    this.geo = geo;
    this.weight = this.registerParameter('weight', new Parameter(zeros(weightShape, { dtype: this.dtype })));
    this.bias = this.registerParameter('bias', options.bias === false ? null : new Parameter(zeros([outChannels], { dtype: this.dtype })));
    this.resetParameters();
  }

  /** PyTorch's default: W ~ U(±1/√fan_in) (Kaiming-uniform, a = √5), b ~ U(±1/√fan_in). */
  resetParameters(): void {
    noGrad(() => init.affineDefault(this.weight, this.bias));
  }

  protected abstract get label(): string;

  /** The layer's config: the channels, its window `geometry`, then groups, bias and dtype. */
  protected configWith(geometry: JsonObject): JsonObject {
    const { inChannels, outChannels, groups, dtype } = this;
    return { inChannels, outChannels, ...geometry, groups, bias: this.bias !== null, dtype };
  }

  /** Checks x as [N, inChannels, H, W] (or unbatched [inChannels, H, W]) and applies `op` to its batched form. */
  protected forward4d(x: Tensor, op: (x4: Tensor) => Tensor): Tensor {
    checkFloatInput(this.label, x, this.dtype);
    if (x.ndim === 3) return this.forward4d(x.unsqueeze(0), op).squeeze(0);
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.inChannels}, H, W], got ${shapeStr(x.shape)}`);
    }
    return op(x);
  }

  /** x [N, C, H, W], w [O, C/g, kH, kW] → [N, O, H', W'] with bias. */
  protected conv4d(x: Tensor, w: Tensor): Tensor {
    const { stride, dilation, pads } = this.geo;
    const [top, bottom, left, right] = pads;
    const [, , h, wd] = x.shape;
    const [kh, kw] = this.kernel2d;
    const ho = Math.floor((h + top + bottom - dilation[0] * (kh - 1) - 1) / stride[0]) + 1;
    const wo = Math.floor((wd + left + right - dilation[1] * (kw - 1) - 1) / stride[1]) + 1;
    if (ho <= 0 || wo <= 0) {
      throw new ShapeError(
        `${this.label}: input of shape ${shapeStr(x.shape)} is smaller than the kernel (padded size ${h + top + bottom}×${wd + left + right}, kernel extent ${dilation[0] * (kh - 1) + 1}×${dilation[1] * (kw - 1) + 1})`,
      );
    }
    let input = x;
    let padding: [number, number] = [top, left];
    if (top !== bottom || left !== right) {
      input = pad(x, [
        [0, 0],
        [0, 0],
        [top, bottom],
        [left, right],
      ]);
      padding = [0, 0];
    }
    return conv2d(input, w, this.bias, { stride, padding, dilation, groups: this.groups });
  }
}

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]); weight
 * [outChannels, inChannels/groups, kH, kW] as in PyTorch.
 */
export class Conv2d extends ConvNd {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: number | [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options: Conv2dOptions = {}) {
    checkOptions('Conv2d', options, CONV_OPTIONS);
    const kernel = intPair(kernelSize, 'kernelSize', 'Conv2d', 1);
    const stride = intPair(options.stride ?? 1, 'stride', 'Conv2d', 1);
    const dilation = intPair(options.dilation ?? 1, 'dilation', 'Conv2d', 1);
    const padding = options.padding ?? 0;
    const pads = resolvePadding('Conv2d', padding, kernel, stride, dilation);
    const groups = options.groups ?? 1;
    super(
      'Conv2d',
      inChannels,
      outChannels,
      kernel,
      [outChannels, inChannels / (Number.isInteger(groups) && groups > 0 ? groups : 1), kernel[0], kernel[1]],
      { stride, dilation, pads, padding },
      options,
    );
    this.kernelSize = kernel;
    this.stride = stride;
    this.dilation = dilation;
    this.padding = typeof padding === 'string' || typeof padding === 'number' ? padding : [padding[0], padding[1]];
  }

  protected get label(): string {
    return `Conv2d(${this.inChannels} → ${this.outChannels}, kernel ${this.kernelSize[0]}×${this.kernelSize[1]})`;
  }

  override forward(x: Tensor): Tensor {
    return this.forward4d(x, (x4) => this.conv4d(x4, this.weight));
  }

  /** The padding of each side, [top, bottom, left, right], as resolved from `padding`. */
  get pads(): readonly [number, number, number, number] {
    return this.geo.pads;
  }

  getConfig(): JsonObject {
    const padding = typeof this.padding === 'object' ? [...this.padding] : this.padding;
    return this.configWith({ kernelSize: [...this.kernelSize], stride: [...this.stride], padding, dilation: [...this.dilation] });
  }

  static fromConfig(config: JsonObject): Conv2d {
    return new Conv2d(...convConstructorArgs<[number, number], Conv2dOptions>(config));
  }
}

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]); weight
 * [outChannels, inChannels/groups, k]. Runs as a 2-D convolution with H = 1.
 */
export class Conv1d extends ConvNd {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv1dOptions = {}) {
    checkOptions('Conv1d', options, CONV_OPTIONS);
    const k = positiveInt(kernelSize, 'kernelSize', 'Conv1d');
    const s = positiveInt(options.stride ?? 1, 'stride', 'Conv1d');
    const d = positiveInt(options.dilation ?? 1, 'dilation', 'Conv1d');
    const padding = options.padding ?? 0;
    if (typeof padding === 'number' && (!Number.isInteger(padding) || padding < 0)) {
      throw new ValueError(`Conv1d: padding must be an integer >= 0, 'same' or 'valid', got ${padding}`);
    }
    const pads = resolvePadding('Conv1d', typeof padding === 'number' ? [0, padding] : padding, [1, k], [1, s], [1, d]);
    const groups = options.groups ?? 1;
    super(
      'Conv1d',
      inChannels,
      outChannels,
      [1, k],
      [outChannels, inChannels / (Number.isInteger(groups) && groups > 0 ? groups : 1), k],
      { stride: [1, s], dilation: [1, d], pads, padding },
      options,
    );
    this.kernelSize = k;
    this.stride = s;
    this.dilation = d;
    this.padding = padding;
  }

  protected get label(): string {
    return `Conv1d(${this.inChannels} → ${this.outChannels}, kernel ${this.kernelSize})`;
  }

  override forward(x: Tensor): Tensor {
    checkFloatInput(this.label, x, this.dtype);
    if (x.ndim === 2) return this.forward(x.unsqueeze(0)).squeeze(0);
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.inChannels}, L], got ${shapeStr(x.shape)}`);
    }
    const [o, cg, k] = this.weight.shape;
    const y = this.conv4d(x.unsqueeze(2), reshape(this.weight, [o, cg, 1, k]));
    return y.squeeze(2);
  }

  getConfig(): JsonObject {
    return this.configWith({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  static fromConfig(config: JsonObject): Conv1d {
    return new Conv1d(...convConstructorArgs<number, Conv1dOptions>(config));
  }
}

registerLayer('Conv2d', Conv2d);
registerLayer('Conv1d', Conv1d);
