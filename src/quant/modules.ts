/**
 * Quantised inference layers: int8 weights (per output channel, symmetric)
 * and int8 activations, run by the int8 routines (src/backend/routines/int8.ts).
 * They take and return float32: the input is quantised as the kernel reads
 * it, and the epilogue gives float32 back with the bias, ReLU and max pooling
 * fused in (a Conv → ReLU → MaxPool block of the float model is one layer).
 *
 * State (buffers, so `stateDict`, `save` and `load` carry it): `weight`
 * (int8 values held as int32, saved as I8), `weightScale`, `bias`, and for
 * static quantisation the input's `inputScale` and `inputZero`. A dynamic
 * QuantizedLinear quantises each batch with that batch's own range.
 */
import { ShapeError, ValueError } from '../errors.js';
import { int8Conv2d, int8Linear, packConvLayerWeights, packLinearWeights, type Int8ChainLayer, type InputQuantisation } from '../backend/routines/int8.js';
import { Module } from '../nn/module.js';
import { registerLayer, type JsonObject } from '../nn/registry.js';
import { checkFloatInput, checkOptions, convConstructorArgs, intPair, positiveInt } from '../nn/layers/common.js';
import type { Conv2d } from '../nn/layers/conv.js';
import type { Linear } from '../nn/layers/linear.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { dynamicQParams, quantiseWeights } from './qparams.js';

/** How a tensor is stored in a safetensors file when narrower than its dtype. */
export type StorageDType = 'I8' | 'F16';

/**
 * The int8 weights' buffer: it counts the writes made through the library
 * (assign_, fill_: loadStateDict among them), so that the layer lays the
 * weights out for the kernel again only when they changed. Code that writes
 * into `data` directly must call `markModified()`.
 */
export class Int8Weights extends Tensor {
  version = 0;

  markModified(): void {
    this.version++;
  }

  override assign_(source: Tensor | ArrayLike<number>): this {
    super.assign_(source);
    this.version++;
    return this;
  }

  override fill_(value: number): this {
    super.fill_(value);
    this.version++;
    return this;
  }
}

/** Shared by both layers: the int8 state and the per-channel output scale. */
abstract class QuantizedBase extends Module {
  /** The weights in the kernel's layout, and the weights' version they were made from. */
  private packedCache: { version: number; packed: Int8Array } | null = null;

  protected constructor(weightShape: number[], outChannels: number, hasBias: boolean, dynamic: boolean) {
    super();
    this.training = false;
    this.registerBuffer('weight', new Int8Weights(new Int32Array(weightShape.reduce((a, b) => a * b, 1)), weightShape));
    this.registerBuffer('weightScale', new Tensor(new Float32Array(outChannels).fill(1), [outChannels]));
    if (hasBias) this.registerBuffer('bias', new Tensor(new Float32Array(outChannels), [outChannels]));
    if (!dynamic) {
      this.registerBuffer('inputScale', new Tensor(new Float32Array([1]), [1]));
      this.registerBuffer('inputZero', new Tensor(new Int32Array(1), [1]));
    }
  }

  /** Tensors stored narrower than their dtype by `save` (the int8 weights). */
  storageDTypes(): Record<string, StorageDType> {
    return { weight: 'I8' };
  }

  protected get hasBias(): boolean {
    return [...this.namedBuffers()].some(([name]) => name === 'bias');
  }

  /** Sets the weights, their scales and the bias from a float layer (and the input's quantisation, for static layers). */
  protected setFrom(weight: Tensor, bias: Tensor | null, input: InputQuantisation | null): void {
    const rows = weight.shape[0];
    const { q, scale } = quantiseWeights(weight.data, rows);
    this.buffer('weight').assign_(new Tensor(q, weight.shape));
    this.buffer('weightScale').assign_(new Tensor(scale, [rows]));
    if (bias) this.buffer('bias').assign_(bias.astype('float32'));
    if (input) {
      this.buffer('inputScale').assign_([input.scale]);
      this.buffer('inputZero').assign_([input.zero]);
    }
  }

  /** The input's quantisation: the calibrated one, or the batch's own range for a dynamic layer. */
  protected inputQuantisation(x: Tensor | null, dynamic: boolean, label: string): InputQuantisation {
    if (dynamic && x) return dynamicQParams(x.data);
    const scale = this.buffer('inputScale').data[0];
    const zero = this.buffer('inputZero').data[0];
    if (!(scale > 0 && Number.isFinite(scale)) || !Number.isInteger(zero) || zero < 0 || zero > 127) {
      throw new ValueError(`${label}: the input scale must be positive and finite and the zero point an integer in [0, 127] (got ${scale}, ${zero})`);
    }
    return { scale, zero };
  }

  /** inputScale · weightScale per output channel (float32), as the kernels take it. */
  protected outputScale(input: InputQuantisation): Float32Array {
    const ws = this.buffer('weightScale').data;
    return Float32Array.from(ws, (s) => input.scale * s);
  }

  protected biasData(): Float32Array | null {
    return this.hasBias ? (this.buffer('bias').data as Float32Array) : null;
  }

  protected weightData(): Int32Array {
    return this.buffer('weight').data as Int32Array;
  }

  /** The weights laid out by `pack` (made again when they changed). */
  protected packedWeights(pack: (weight: Int32Array) => Int8Array): Int8Array {
    const weights = this.buffer('weight') as Int8Weights;
    if (this.packedCache?.version !== weights.version) this.packedCache = { version: weights.version, packed: pack(this.weightData()) };
    return this.packedCache.packed;
  }
}

export interface QuantizedLinearOptions {
  bias?: boolean;
  /** ReLU fused after the layer (default false). */
  relu?: boolean;
  /** Quantise each batch with its own range instead of a calibrated one (default false). */
  dynamic?: boolean;
}

/** An int8 Linear: [*, inFeatures] float32 → [*, outFeatures] float32. */
export class QuantizedLinear extends QuantizedBase {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly relu: boolean;
  readonly dynamic: boolean;

  constructor(inFeatures: number, outFeatures: number, options: QuantizedLinearOptions = {}) {
    checkOptions('QuantizedLinear', options, ['bias', 'relu', 'dynamic']);
    const inF = positiveInt(inFeatures, 'inFeatures', 'QuantizedLinear');
    const outF = positiveInt(outFeatures, 'outFeatures', 'QuantizedLinear');
    super([outF, inF], outF, options.bias ?? true, options.dynamic ?? false);
    this.inFeatures = inF;
    this.outFeatures = outF;
    this.relu = options.relu ?? false;
    this.dynamic = options.dynamic ?? false;
  }

  /** The quantised form of a float Linear; `input` null makes it dynamic. */
  static fromFloat(linear: Linear, input: InputQuantisation | null, relu = false): QuantizedLinear {
    const q = new QuantizedLinear(linear.inFeatures, linear.outFeatures, { bias: linear.bias !== null, relu, dynamic: input === null });
    q.setFrom(linear.weight, linear.bias, input);
    return q;
  }

  get label(): string {
    return `QuantizedLinear(${this.inFeatures} → ${this.outFeatures})`;
  }

  override forward(x: Tensor): Tensor {
    checkFloatInput(this.label, x, 'float32');
    const k = this.inFeatures;
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== k) throw new ShapeError(`${this.label}: expected input with last dimension ${k}, got ${shapeStr(x.shape)}`);
    const y = int8Linear.run({ ...this.kernelLayer(this.inputQuantisation(x, this.dynamic, this.label)), x: x.data as Float32Array, m: x.size / k });
    return new Tensor(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }

  /** The layer as the int8 kernels take it (all but its input), with the input's quantisation. */
  kernelLayer(input: InputQuantisation): Int8ChainLayer & { kind: 'dense' } {
    return {
      kind: 'dense',
      k: this.inFeatures,
      n: this.outFeatures,
      weight: this.weightData(),
      scale: this.outputScale(input),
      bias: this.biasData(),
      input,
      relu: this.relu,
      packed: this.packedWeights((w) => packLinearWeights(w, this.outFeatures, this.inFeatures)),
    };
  }

  /** The calibrated input quantisation (throws for a dynamic layer, which has none). */
  staticInputQuantisation(): InputQuantisation {
    if (this.dynamic) throw new ValueError(`${this.label}: a dynamic layer quantises each batch with its own range`);
    return this.inputQuantisation(null, false, this.label);
  }

  getConfig(): JsonObject {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.hasBias, relu: this.relu, dynamic: this.dynamic, activationBits: ACTIVATION_BITS };
  }

  static fromConfig(config: JsonObject): QuantizedLinear {
    const checked = configWithoutActivationBits('QuantizedLinear', config, config.dynamic === true);
    const { inFeatures, outFeatures, ...options } = checked as unknown as { inFeatures: number; outFeatures: number } & QuantizedLinearOptions;
    return new QuantizedLinear(inFeatures, outFeatures, options);
  }
}

export interface QuantizedConv2dOptions {
  stride?: number | [number, number];
  /** Zero padding, the same on both sides of each axis. */
  padding?: number | [number, number];
  dilation?: number | [number, number];
  bias?: boolean;
  /** ReLU fused after the convolution (default false). */
  relu?: boolean;
  /** Max pooling fused after it (no padding, dilation 1), or null. */
  pool?: { kernelSize: [number, number]; stride: [number, number] } | null;
}

/** An int8 Conv2d (groups 1) with its ReLU and max pooling fused: [N, C, H, W] float32 → [N, O, H', W'] float32. */
export class QuantizedConv2d extends QuantizedBase {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly relu: boolean;
  readonly pool: { kernelSize: [number, number]; stride: [number, number] } | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: QuantizedConv2dOptions = {}) {
    const where = 'QuantizedConv2d';
    checkOptions(where, options, ['stride', 'padding', 'dilation', 'bias', 'relu', 'pool']);
    const c = positiveInt(inChannels, 'inChannels', where);
    const o = positiveInt(outChannels, 'outChannels', where);
    const kernel = intPair(kernelSize, 'kernelSize', where, 1);
    super([o, c, kernel[0], kernel[1]], o, options.bias ?? true, false);
    this.inChannels = c;
    this.outChannels = o;
    this.kernelSize = kernel;
    this.stride = intPair(options.stride ?? 1, 'stride', where, 1);
    this.padding = intPair(options.padding ?? 0, 'padding', where, 0);
    this.dilation = intPair(options.dilation ?? 1, 'dilation', where, 1);
    this.relu = options.relu ?? false;
    const pool = options.pool ?? null;
    this.pool = pool && { kernelSize: intPair(pool.kernelSize, 'pool kernelSize', where, 1), stride: intPair(pool.stride, 'pool stride', where, 1) };
  }

  /** The quantised form of a float Conv2d (groups 1, the same padding on both sides) with the ReLU and pooling that follow it. */
  static fromFloat(conv: Conv2d, input: InputQuantisation, relu = false, pool: QuantizedConv2dOptions['pool'] = null): QuantizedConv2d {
    const [top, bottom, left, right] = conv.pads;
    if (conv.groups !== 1 || top !== bottom || left !== right) throw new ValueError('QuantizedConv2d.fromFloat: only groups 1 and the same padding on both sides are supported');
    const q = new QuantizedConv2d(conv.inChannels, conv.outChannels, conv.kernelSize, {
      stride: conv.stride,
      padding: [top, left],
      dilation: conv.dilation,
      bias: conv.bias !== null,
      relu,
      pool,
    });
    q.setFrom(conv.weight, conv.bias, input);
    return q;
  }

  get label(): string {
    return `QuantizedConv2d(${this.inChannels} → ${this.outChannels}, kernel ${this.kernelSize[0]}×${this.kernelSize[1]})`;
  }

  override forward(x: Tensor): Tensor {
    checkFloatInput(this.label, x, 'float32');
    if (x.ndim === 3) return this.forward(x.unsqueeze(0)).squeeze(0);
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) throw new ShapeError(`${this.label}: expected input [N, ${this.inChannels}, H, W], got ${shapeStr(x.shape)}`);
    const [n, , h, w] = x.shape;
    const layer = this.kernelLayer(h, w, this.inputQuantisation(x, false, this.label));
    const y = int8Conv2d.run({ ...layer, x: x.data as Float32Array, g: { ...layer.g, n } });
    return new Tensor(y, [n, ...QuantizedConv2d.outputShape(layer)]);
  }

  /** A sample's output shape [O, H', W'] (after the pooling) of a kernel layer. */
  static outputShape(layer: Int8ChainLayer & { kind: 'conv' }): number[] {
    const { g, epilogue } = layer;
    return epilogue.pool ? [g.o, epilogue.pool.ho, epilogue.pool.wo] : [g.o, g.ho, g.wo];
  }

  /** The layer as the int8 kernels take it for H × W inputs (all but the input; g.n is 0), with the input's quantisation. */
  kernelLayer(h: number, w: number, input: InputQuantisation): Int8ChainLayer & { kind: 'conv' } {
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    const [ph, pw] = this.padding;
    const [dh, dw] = this.dilation;
    const ho = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
    const wo = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
    if (ho <= 0 || wo <= 0) throw new ShapeError(`${this.label}: a ${h}×${w} input is smaller than the kernel`);
    let pool = null;
    if (this.pool) {
      const [pkh, pkw] = this.pool.kernelSize;
      const [psh, psw] = this.pool.stride;
      pool = { kh: pkh, kw: pkw, sh: psh, sw: psw, ho: Math.floor((ho - pkh) / psh) + 1, wo: Math.floor((wo - pkw) / psw) + 1 };
      if (pool.ho <= 0 || pool.wo <= 0) throw new ShapeError(`${this.label}: the ${ho}×${wo} output is smaller than the pooling window`);
    }
    const g = { n: 0, c: this.inChannels, h, w, o: this.outChannels, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo };
    return {
      kind: 'conv',
      g,
      weight: this.weightData(),
      scale: this.outputScale(input),
      bias: this.biasData(),
      input,
      epilogue: { relu: this.relu, pool },
      // The layout depends on the channels, stride and pooling only (not h × w): fixed for the layer.
      packed: this.packedWeights((wt) => packConvLayerWeights(wt, g, pool)),
    };
  }

  /** The calibrated input quantisation. */
  staticInputQuantisation(): InputQuantisation {
    return this.inputQuantisation(null, false, this.label);
  }

  getConfig(): JsonObject {
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: [...this.kernelSize],
      stride: [...this.stride],
      padding: [...this.padding],
      dilation: [...this.dilation],
      bias: this.hasBias,
      relu: this.relu,
      pool: this.pool && { kernelSize: [...this.pool.kernelSize], stride: [...this.pool.stride] },
      activationBits: ACTIVATION_BITS,
    };
  }

  static fromConfig(config: JsonObject): QuantizedConv2d {
    const checked = configWithoutActivationBits('QuantizedConv2d', config, false);
    return new QuantizedConv2d(...convConstructorArgs<[number, number], QuantizedConv2dOptions>(checked));
  }
}

/**
 * Activation codes are 7 bits ([0, 127], qparams.ts). Files written before
 * that held 8-bit input scales and zero points, which would run here without
 * error but clip every activation past half the calibrated range: refuse
 * them. A dynamic layer saves no input quantisation, so its old files load.
 */
const ACTIVATION_BITS = 7;

function configWithoutActivationBits(label: string, config: JsonObject, dynamic: boolean): JsonObject {
  const { activationBits, ...rest } = config;
  if (!dynamic && activationBits !== ACTIVATION_BITS) {
    throw new ValueError(
      `${label}: this file holds 8-bit activation quantisation from an earlier Frugal (activationBits ${JSON.stringify(activationBits ?? null)}); the kernels now take 7-bit codes — quantise the float model again`,
    );
  }
  return rest;
}

registerLayer('QuantizedLinear', QuantizedLinear);
registerLayer('QuantizedConv2d', QuantizedConv2d);
