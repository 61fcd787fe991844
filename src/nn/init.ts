/**
 * Parameter initialisation, in place (PyTorch's `nn.init`). Every draw goes
 * through a Generator (the global one unless `generator` is given), so
 * `manualSeed` makes initialisation repeatable.
 */
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { qr } from '../linalg/qr.js';
import { resolveGenerator, type Generator } from '../tensor/random.js';
import { shapeStr } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { markModified } from './module.js';

export interface InitOptions {
  /** A seed or generator for this draw; the global generator otherwise. */
  generator?: Generator | number;
}

export type Nonlinearity = 'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'selu';

export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

/** The array an initialiser fills (its owner is marked modified: the caller writes it before anything reads it). */
function target(t: Tensor, fn: string): Float32Array | Float64Array {
  if (t.dtype === 'int32') throw new DTypeError(`init.${fn}: needs a float tensor, got int32`);
  markModified(t);
  return t.data as Float32Array | Float64Array;
}

/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new ValueError(`calculateGain: negative slope must be a finite number, got ${slope}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/** fan_in and fan_out of a weight [out, in, ...kernel] (PyTorch's convention). */
export function computeFans(t: Tensor | readonly number[]): { fanIn: number; fanOut: number } {
  const shape = Array.isArray(t) ? (t as readonly number[]) : (t as Tensor).shape;
  if (shape.length < 2) throw new ShapeError(`init: fan in and fan out need a tensor of at least 2 dimensions, got shape ${shapeStr(shape)}`);
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/**
 * PyTorch's default for Linear and ConvNd (call it under noGrad): W Kaiming-uniform
 * with a = √5, that is U(±1/√fan_in), and b ~ U(±1/√fan_in), drawn in that order.
 */
export function affineDefault(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = computeFans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound);
  }
}

function fanFor(t: Tensor, mode: FanMode, fn: string): number {
  const { fanIn, fanOut } = computeFans(t);
  if (mode === 'fanIn' || mode === 'fan_in') return fanIn;
  if (mode === 'fanOut' || mode === 'fan_out') return fanOut;
  throw new ValueError(`init.${fn}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
}

/** Fills with U(low, high). */
export function uniform(t: Tensor, low = 0, high = 1, options: InitOptions = {}): Tensor {
  checkOptions('uniform', options, ['generator']);
  const d = target(t, 'uniform');
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) throw new ValueError(`init.uniform: need finite low <= high, got ${low} and ${high}`);
  const gen = resolveGenerator(options.generator);
  const span = high - low;
  for (let i = 0; i < d.length; i++) d[i] = low + span * gen.random();
  return t;
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  checkOptions('normal', options, ['generator']);
  const d = target(t, 'normal');
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new ValueError(`init.normal: need a finite mean and std >= 0, got ${mean} and ${std}`);
  const gen = resolveGenerator(options.generator);
  for (let i = 0; i < d.length; i++) d[i] = mean + std * gen.normal();
  return t;
}

/** Fills with N(mean, std²) redrawn until inside [a, b] (PyTorch's trunc_normal_). */
export function truncNormal(t: Tensor, mean = 0, std = 1, a = -2, b = 2, options: InitOptions = {}): Tensor {
  checkOptions('truncNormal', options, ['generator']);
  const d = target(t, 'truncNormal');
  if (!(std > 0 && a < b && mean + 6 * std > a && mean - 6 * std < b)) {
    throw new ValueError(`init.truncNormal: need std > 0 and [a, b] = [${a}, ${b}] near the mean ${mean}`);
  }
  const gen = resolveGenerator(options.generator);
  for (let i = 0; i < d.length; i++) {
    let v: number;
    do v = mean + std * gen.normal();
    while (v < a || v > b);
    d[i] = v;
  }
  return t;
}

export function constant(t: Tensor, value: number): Tensor {
  target(t, 'constant').fill(value);
  return t;
}

export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);

/** The identity matrix (a 2-D tensor; rectangular ones get ones on the diagonal). */
export function eye(t: Tensor): Tensor {
  const d = target(t, 'eye');
  if (t.ndim !== 2) throw new ShapeError(`init.eye: needs a 2-D tensor, got shape ${shapeStr(t.shape)}`);
  const [r, c] = t.shape;
  d.fill(0);
  for (let i = 0; i < Math.min(r, c); i++) d[i * c + i] = 1;
  return t;
}

export interface XavierOptions extends InitOptions {
  gain?: number;
}

/** Glorot: U(±gain·√(6 / (fan_in + fan_out))). */
export function xavierUniform(t: Tensor, options: XavierOptions = {}): Tensor {
  checkOptions('xavierUniform', options, ['generator', 'gain']);
  const { fanIn, fanOut } = computeFans(t);
  const bound = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, { generator: options.generator });
}

/** Glorot: N(0, gain²·2 / (fan_in + fan_out)). */
export function xavierNormal(t: Tensor, options: XavierOptions = {}): Tensor {
  checkOptions('xavierNormal', options, ['generator', 'gain']);
  const { fanIn, fanOut } = computeFans(t);
  return normal(t, 0, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), { generator: options.generator });
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (used with 'leakyRelu'). Default 0. */
  a?: number;
  /** 'fanIn' (default) keeps the forward variance, 'fanOut' the backward one. */
  mode?: FanMode;
  /** Default 'leakyRelu' (with a = 0 that is ReLU's gain √2), as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions, fn: string): number {
  const fan = fanFor(t, options.mode ?? 'fanIn', fn);
  const gain = calculateGain(options.nonlinearity ?? 'leakyRelu', options.a ?? 0);
  return fan === 0 ? 0 : gain / Math.sqrt(fan);
}

/** He: U(±gain·√(3 / fan)). Layers use a = √5, which gives U(±1/√fan_in). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkOptions('kaimingUniform', options, ['generator', 'a', 'mode', 'nonlinearity']);
  const bound = Math.sqrt(3) * kaimingStd(t, options, 'kaimingUniform');
  return uniform(t, -bound, bound, { generator: options.generator });
}

/** He: N(0, gain² / fan). */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkOptions('kaimingNormal', options, ['generator', 'a', 'mode', 'nonlinearity']);
  return normal(t, 0, kaimingStd(t, options, 'kaimingNormal'), { generator: options.generator });
}

/**
 * A (semi-)orthogonal matrix from the QR factorisation of a Gaussian one,
 * times `gain`; tensors of more than 2 dimensions are flattened to
 * [shape[0], rest] (PyTorch's orthogonal_).
 */
export function orthogonal(t: Tensor, options: XavierOptions = {}): Tensor {
  checkOptions('orthogonal', options, ['generator', 'gain']);
  const d = target(t, 'orthogonal');
  if (t.ndim < 2) throw new ShapeError(`init.orthogonal: needs at least 2 dimensions, got shape ${shapeStr(t.shape)}`);
  const rows = t.shape[0],
    cols = t.size / rows;
  if (t.size === 0) return t;
  const gen = resolveGenerator(options.generator);
  // Factor the tall orientation: A (m×n, m >= n) = QR, Q has orthonormal columns.
  const m = Math.max(rows, cols),
    n = Math.min(rows, cols);
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = gen.normal();
  const { q } = qr({ data: a, rows: m, cols: n }); // diag(R) >= 0 already, so Q is uniformly distributed
  const gain = options.gain ?? 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // rows >= cols: t = Q; otherwise t = Qᵀ.
      d[i * cols + j] = gain * (rows >= cols ? q.data[i * n + j] : q.data[j * n + i]);
    }
  }
  return t;
}
