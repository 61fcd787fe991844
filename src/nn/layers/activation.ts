/** Activation functions as modules (they have no parameters). */
import { ValueError } from '../../errors.js';
import { normAxis } from '../../tensor/shape.js';
import { isGradEnabled, record } from '../../autograd/graph.js';
import { arrayFor } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { softmax } from '../../tensor/ops/reduce.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkOptions, finiteNumber } from './common.js';

/** max(x, 0); NaN propagates (as in PyTorch) so divergence reaches the loss. */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/** The base of the activations without settings: their config is empty. */
abstract class PlainActivation extends Module {
  getConfig(): JsonObject {
    return {};
  }
  static fromConfig<T>(this: new () => T): T {
    return new this();
  }
}

export class ReLU extends PlainActivation {
  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Sigmoid extends PlainActivation {
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class Tanh extends PlainActivation {
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** x·σ(x) (also called swish). */
export class SiLU extends PlainActivation {
  override forward(x: Tensor): Tensor {
    return x.mul(x.sigmoid());
  }
}

/** A layer's one setting, given as a number or as `{ [key]: number }`: `LeakyReLU(0.2)` is `LeakyReLU({ negativeSlope: 0.2 })`. */
function numberOrOption(layer: string, options: number | Partial<Record<string, number>> | null, key: string): number | undefined {
  if (typeof options === 'number') return options;
  checkOptions(layer, options, [key]);
  return options?.[key];
}

/**
 * Leaky ReLU whose gradient keeps the input's precision (the slope factor
 * is built in x's dtype; Tensor.leakyRelu's backward currently rounds the
 * slope to float32).
 */
export function leakyRelu(x: Tensor, slope: number): Tensor {
  if (x.dtype === 'int32') return x.leakyRelu(slope);
  const xd = x.data;
  const out = arrayFor(x.dtype, x.size);
  for (let i = 0; i < out.length; i++) {
    const v = xd[i];
    out[i] = v > 0 ? v : slope * v;
  }
  return record(new Tensor(out, x.shape), 'leakyRelu', [x], (g) => {
    const f = arrayFor(x.dtype, x.size);
    if (!isGradEnabled() && g.dtype === x.dtype) {
      // The product g·(1 or slope) of the recorded path below in one pass (slope rounded to x's dtype as there).
      const s = f instanceof Float32Array ? Math.fround(slope) : slope;
      const gd = g.data;
      for (let i = 0; i < f.length; i++) f[i] = xd[i] > 0 ? gd[i] : gd[i] * s;
      return [new Tensor(f, x.shape)];
    }
    for (let i = 0; i < f.length; i++) f[i] = xd[i] > 0 ? 1 : slope;
    return [g.mul(new Tensor(f, x.shape))];
  });
}

/** max(x, 0) + negativeSlope·min(x, 0); default slope 0.01. */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(options: number | { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = finiteNumber(numberOrOption('LeakyReLU', options, 'negativeSlope') ?? 0.01, 'negativeSlope', 'LeakyReLU');
  }
  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  getConfig(): JsonObject {
    return { negativeSlope: this.negativeSlope };
  }
  static fromConfig(config: JsonObject): LeakyReLU {
    return new LeakyReLU(config as { negativeSlope?: number });
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise; default alpha 1. */
export class ELU extends Module {
  readonly alpha: number;
  constructor(options: number | { alpha?: number } = {}) {
    super();
    this.alpha = finiteNumber(numberOrOption('ELU', options, 'alpha') ?? 1, 'alpha', 'ELU');
  }
  override forward(x: Tensor): Tensor {
    return x.elu(this.alpha);
  }
  getConfig(): JsonObject {
    return { alpha: this.alpha };
  }
  static fromConfig(config: JsonObject): ELU {
    return new ELU(config as { alpha?: number });
  }
}

/** x·Φ(x) with the exact normal CDF, or PyTorch's tanh approximation with `approximate: 'tanh'`. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    checkOptions('GELU', options, ['approximate']);
    const a = options.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new ValueError(`GELU: approximate must be 'none' or 'tanh', got '${String(a)}'`);
    this.approximate = a;
  }
  override forward(x: Tensor): Tensor {
    if (this.approximate === 'none') return x.gelu();
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(inner.tanh().add(1)).mul(0.5);
  }
  getConfig(): JsonObject {
    return { approximate: this.approximate };
  }
  static fromConfig(config: JsonObject): GELU {
    return new GELU(config as { approximate?: 'none' | 'tanh' });
  }
}

/**
 * log(1 + e^(beta·x)) / beta, computed without overflow; with `threshold`
 * (PyTorch's default 20) it is x itself where beta·x > threshold.
 */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(options: { beta?: number; threshold?: number } = {}) {
    super();
    checkOptions('Softplus', options, ['beta', 'threshold']);
    this.beta = finiteNumber(options.beta ?? 1, 'beta', 'Softplus');
    if (this.beta === 0) throw new ValueError('Softplus: beta must be non-zero');
    this.threshold = options.threshold ?? 20;
    if (typeof this.threshold !== 'number' || Number.isNaN(this.threshold)) throw new ValueError(`Softplus: threshold must be a number, got ${String(options.threshold)}`);
  }
  override forward(x: Tensor): Tensor {
    const bx = this.beta === 1 ? x : x.mul(this.beta);
    const sp = this.beta === 1 ? bx.softplus() : bx.softplus().div(this.beta);
    if (!Number.isFinite(this.threshold)) return sp;
    // Above the threshold PyTorch returns x exactly (there log1p(e^-bx) is below float precision anyway).
    let over = false;
    for (let i = 0; i < bx.size && !over; i++) over = bx.data[i] > this.threshold;
    return over ? bx.gt(this.threshold).astype(x.dtype).mul(x.sub(sp)).add(sp) : sp;
  }
  getConfig(): JsonObject {
    return { beta: this.beta, threshold: Number.isFinite(this.threshold) ? this.threshold : null };
  }
  static fromConfig(config: JsonObject): Softplus {
    return new Softplus({ beta: config.beta as number, threshold: config.threshold === null ? Infinity : (config.threshold as number) });
  }
}

/** Softmax and LogSoftmax: one setting, the axis `dim` (default -1, the last). */
abstract class AlongDim extends Module {
  readonly dim: number;
  constructor(layer: string, options: number | { dim?: number }) {
    super();
    const dim = numberOrOption(layer, options, 'dim') ?? -1;
    if (!Number.isInteger(dim)) throw new ValueError(`${layer}: dim must be an integer, got ${String(dim)}`);
    this.dim = dim;
  }
  getConfig(): JsonObject {
    return { dim: this.dim };
  }
  static fromConfig<T>(this: new (options: { dim?: number }) => T, config: JsonObject): T {
    return new this(config as { dim?: number });
  }
}

/** Softmax along `dim` (default -1, the last axis). */
export class Softmax extends AlongDim {
  constructor(options: number | { dim?: number } = {}) {
    super('Softmax', options);
  }
  override forward(x: Tensor): Tensor {
    return softmax(x, normAxis(this.dim, x.ndim, 'Softmax'));
  }
}

/** log(softmax(x)) along `dim` (default -1), computed stably. */
export class LogSoftmax extends AlongDim {
  constructor(options: number | { dim?: number } = {}) {
    super('LogSoftmax', options);
  }
  override forward(x: Tensor): Tensor {
    return x.logSoftmax(normAxis(this.dim, x.ndim, 'LogSoftmax'));
  }
}

registerLayer('ReLU', ReLU);
registerLayer('Sigmoid', Sigmoid);
registerLayer('Tanh', Tanh);
registerLayer('SiLU', SiLU);
registerLayer('LeakyReLU', LeakyReLU);
registerLayer('ELU', ELU);
registerLayer('GELU', GELU);
registerLayer('Softplus', Softplus);
registerLayer('Softmax', Softmax);
registerLayer('LogSoftmax', LogSoftmax);
