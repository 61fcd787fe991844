/**
 * Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm. Training
 * mode runs as one fused op with a hand-written backward (see fused.ts).
 */
import { noGrad } from '../../autograd/graph.js';
import { ShapeError, ValueError } from '../../errors.js';
import { ones, zeros } from '../../tensor/creation.js';
import { arrayFor } from '../../tensor/dtype.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module, Parameter } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkFloatInput, checkOptions, floatDType, positiveInt, type DTypeOption, type FloatDType, type Floats } from './common.js';
import { fusedOp } from '../../autograd/fused.js';

/**
 * (x − mean)/√(var + eps)·γ + β with statistics over every axis but 1 of
 * x [N, C, ...] (biased variance). Returns the output and the batch
 * statistics (mean, biased variance) per channel.
 */
export function batchNormTrain(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps: number): { y: Tensor; mean: Float64Array; variance: Float64Array } {
  const [n, c] = x.shape;
  const inner = x.size / (n * c || 1);
  const count = n * inner;
  const xd = x.data as Floats;
  const mean = new Float64Array(c),
    variance = new Float64Array(c),
    invStd = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) s += xd[base + i];
    }
    const m = s / count;
    let v = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        const d = xd[base + i] - m;
        v += d * d;
      }
    }
    mean[ch] = m;
    variance[ch] = v / count;
    invStd[ch] = 1 / Math.sqrt(v / count + eps);
  }
  const out = arrayFor(x.dtype, x.size) as Floats;
  const gd = gamma?.data,
    bd = beta?.data;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * inner;
      const scale = invStd[ch] * (gd ? gd[ch] : 1);
      const shift = (bd ? bd[ch] : 0) - mean[ch] * scale;
      for (let i = 0; i < inner; i++) out[base + i] = xd[base + i] * scale + shift;
    }
  }
  const inputs = [x];
  if (gamma) inputs.push(gamma);
  if (beta) inputs.push(beta);
  const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const reference = (...ins: Tensor[]): Tensor => {
    const [xi] = ins;
    const mu = xi.mean(axes, { keepDims: true });
    const xc = xi.sub(mu);
    let y = xc.div(xc.square().mean(axes, { keepDims: true }).add(eps).sqrt());
    let k = 1;
    if (gamma) y = y.mul(ins[k++].reshape(bshape));
    if (beta) y = y.add(ins[k++].reshape(bshape));
    return y;
  };
  const fast = (g: Tensor): (Tensor | null)[] => {
    const gdat = g.data;
    const sdy = new Float64Array(c),
      sdyx = new Float64Array(c);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        const base = (b * c + ch) * inner,
          m = mean[ch],
          is = invStd[ch];
        let s1 = 0,
          s2 = 0;
        for (let i = 0; i < inner; i++) {
          const gv = gdat[base + i];
          s1 += gv;
          s2 += gv * (xd[base + i] - m) * is;
        }
        sdy[ch] += s1;
        sdyx[ch] += s2;
      }
    }
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const dxd = arrayFor(x.dtype, x.size);
      for (let b = 0; b < n; b++) {
        for (let ch = 0; ch < c; ch++) {
          const base = (b * c + ch) * inner,
            m = mean[ch],
            is = invStd[ch];
          const k = (gd ? gd[ch] : 1) * is;
          const a1 = sdy[ch] / count,
            a2 = sdyx[ch] / count;
          for (let i = 0; i < inner; i++) dxd[base + i] = k * (gdat[base + i] - a1 - (xd[base + i] - m) * is * a2);
        }
      }
      dx = new Tensor(dxd, x.shape);
    }
    const grads: (Tensor | null)[] = [dx];
    const vec = (v: Float64Array): Tensor => {
      const a = arrayFor(x.dtype, c);
      a.set(v);
      return new Tensor(a, [c]);
    };
    if (gamma) grads.push(gamma.requiresGrad ? vec(sdyx) : null);
    if (beta) grads.push(beta.requiresGrad ? vec(sdy) : null);
    return grads;
  };
  return { y: fusedOp(new Tensor(out, x.shape), 'batchNorm', inputs, fast, reference), mean, variance };
}

export interface BatchNormOptions extends DTypeOption {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
}

/** Shared by BatchNorm1d and BatchNorm2d; parameter and buffer names follow PyTorch. */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly dtype: FloatDType;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  /** The class name that labels messages: 'BatchNorm1d' or 'BatchNorm2d'. */
  private readonly layer: string;

  constructor(layer: string, numFeatures: number, options: BatchNormOptions) {
    super();
    this.layer = layer;
    checkOptions(layer, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype']);
    this.numFeatures = positiveInt(numFeatures, 'numFeatures', layer);
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new ValueError(`${layer}: eps must be >= 0, got ${this.eps}`);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) throw new ValueError(`${layer}: momentum must be in [0, 1] or null, got ${momentum}`);
    this.momentum = momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.dtype = floatDType(options.dtype, layer);
    const dt = { dtype: this.dtype };
    this.weight = this.registerParameter('weight', this.affine ? new Parameter(ones([numFeatures], dt)) : null);
    this.bias = this.registerParameter('bias', this.affine ? new Parameter(zeros([numFeatures], dt)) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], dt));
      this.registerBuffer('running_var', ones([numFeatures], dt));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    }
  }

  /** The running mean (null without trackRunningStats). */
  get runningMean(): Tensor | null {
    return this.trackRunningStats ? this.buffer('running_mean') : null;
  }

  get runningVar(): Tensor | null {
    return this.trackRunningStats ? this.buffer('running_var') : null;
  }

  get numBatchesTracked(): number {
    return this.trackRunningStats ? this.buffer('num_batches_tracked').data[0] : 0;
  }

  /** Running statistics back to mean 0, variance 1. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.buffer('running_mean').data.fill(0);
    this.buffer('running_var').data.fill(1);
    this.buffer('num_batches_tracked').data.fill(0);
  }

  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.fill_(0);
    });
  }

  protected get label(): string {
    return `${this.layer}(${this.numFeatures})`;
  }

  /** Builds the subclass it is called on (BatchNorm1d or BatchNorm2d) from its config. */
  static fromConfig<T>(this: new (numFeatures: number, options: BatchNormOptions) => T, config: JsonObject): T {
    const { numFeatures, ...options } = config as unknown as { numFeatures: number } & BatchNormOptions;
    return new this(numFeatures, options);
  }

  protected normalize(x: Tensor): Tensor {
    checkFloatInput(this.label, x, this.dtype);
    const useBatchStats = this.training || !this.trackRunningStats;
    if (!useBatchStats) return this.evalForward(x);
    const count = x.size / x.shape[1];
    if (count <= 1 && this.training) {
      throw new ValueError(`${this.label}: expected more than 1 value per channel when training, got input of shape ${shapeStr(x.shape)}`);
    }
    const { y, mean, variance } = batchNormTrain(x, this.weight, this.bias, this.eps);
    if (this.training && this.trackRunningStats) {
      const nbt = this.buffer('num_batches_tracked');
      nbt.data[0] += 1;
      const f = this.momentum ?? 1 / nbt.data[0];
      const rm = this.buffer('running_mean').data,
        rv = this.buffer('running_var').data;
      const unbias = count / (count - 1);
      for (let c = 0; c < this.numFeatures; c++) {
        rm[c] = (1 - f) * rm[c] + f * mean[c];
        rv[c] = (1 - f) * rv[c] + f * variance[c] * unbias;
      }
    }
    return y;
  }

  /** y = x·scale + shift per channel, from the running statistics. */
  private evalForward(x: Tensor): Tensor {
    const c = this.numFeatures;
    const rm = this.buffer('running_mean').data,
      rv = this.buffer('running_var').data;
    const inv = arrayFor(this.dtype, c),
      negMean = arrayFor(this.dtype, c);
    for (let i = 0; i < c; i++) {
      inv[i] = 1 / Math.sqrt(rv[i] + this.eps);
      negMean[i] = -rm[i];
    }
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    let scale = new Tensor(inv, [c]);
    let shift = new Tensor(negMean, [c]).mul(scale);
    if (this.weight && this.bias) {
      scale = this.weight.mul(scale);
      shift = this.bias.add(shift.mul(this.weight));
    }
    return x.mul(scale.reshape(bshape)).add(shift.reshape(bshape));
  }

  getConfig(): JsonObject {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats, dtype: this.dtype };
  }
}

/** Batch normalisation of [N, C] or [N, C, L] over N (and L), per channel C. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  override forward(x: Tensor): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${shapeStr(x.shape)}`);
    }
    return this.normalize(x);
  }
}

/** Batch normalisation of [N, C, H, W] over N, H and W, per channel C. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.label}: expected input [N, ${this.numFeatures}, H, W], got ${shapeStr(x.shape)}`);
    }
    return this.normalize(x);
  }
}

/**
 * (x − mean)/√(var + eps)·γ + β over the trailing `size` elements of each
 * row (biased variance), as one fused op.
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], gamma: Tensor | null, beta: Tensor | null, eps: number): Tensor {
  const d = normalizedShape.reduce((a, b) => a * b, 1);
  const rows = x.size / d;
  const xd = x.data as Floats;
  const mean = new Float64Array(rows),
    invStd = new Float64Array(rows);
  const out = arrayFor(x.dtype, x.size) as Floats;
  const gd = gamma?.data,
    bd = beta?.data;
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += xd[base + i];
    const m = s / d;
    let v = 0;
    for (let i = 0; i < d; i++) {
      const t = xd[base + i] - m;
      v += t * t;
    }
    const is = 1 / Math.sqrt(v / d + eps);
    mean[r] = m;
    invStd[r] = is;
    for (let i = 0; i < d; i++) {
      const xh = (xd[base + i] - m) * is;
      out[base + i] = (gd ? xh * gd[i] : xh) + (bd ? bd[i] : 0);
    }
  }
  const inputs = [x];
  if (gamma) inputs.push(gamma);
  if (beta) inputs.push(beta);
  const axes = normalizedShape.map((_, i) => x.ndim - normalizedShape.length + i);
  const reference = (...ins: Tensor[]): Tensor => {
    const [xi] = ins;
    const xc = xi.sub(xi.mean(axes, { keepDims: true }));
    let y = xc.div(xc.square().mean(axes, { keepDims: true }).add(eps).sqrt());
    let k = 1;
    if (gamma) y = y.mul(ins[k++]);
    if (beta) y = y.add(ins[k++]);
    return y;
  };
  const fast = (g: Tensor): (Tensor | null)[] => {
    const gdat = g.data;
    const dgamma = new Float64Array(d),
      dbeta = new Float64Array(d);
    const dxd = x.requiresGrad ? arrayFor(x.dtype, x.size) : null;
    for (let r = 0; r < rows; r++) {
      const base = r * d,
        m = mean[r],
        is = invStd[r];
      let s1 = 0,
        s2 = 0;
      for (let i = 0; i < d; i++) {
        const gv = gdat[base + i],
          xh = (xd[base + i] - m) * is;
        dgamma[i] += gv * xh;
        dbeta[i] += gv;
        const dxh = gd ? gv * gd[i] : gv;
        s1 += dxh;
        s2 += dxh * xh;
      }
      if (dxd) {
        const a1 = s1 / d,
          a2 = s2 / d;
        for (let i = 0; i < d; i++) {
          const gv = gdat[base + i],
            xh = (xd[base + i] - m) * is;
          const dxh = gd ? gv * gd[i] : gv;
          dxd[base + i] = is * (dxh - a1 - xh * a2);
        }
      }
    }
    const vec = (v: Float64Array): Tensor => {
      const a = arrayFor(x.dtype, d);
      a.set(v);
      return new Tensor(a, normalizedShape);
    };
    const grads: (Tensor | null)[] = [dxd ? new Tensor(dxd, x.shape) : null];
    if (gamma) grads.push(gamma.requiresGrad ? vec(dgamma) : null);
    if (beta) grads.push(beta.requiresGrad ? vec(dbeta) : null);
    return grads;
  };
  return fusedOp(new Tensor(out, x.shape), 'layerNorm', inputs, fast, reference);
}

export interface LayerNormOptions extends DTypeOption {
  eps?: number;
  /** Learn γ and β of the normalised shape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine: also learn β (default true). */
  bias?: boolean;
}

/** Normalises the trailing `normalizedShape` axes of each sample (statistics per sample, in train and eval alike). */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly dtype: FloatDType;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'bias', 'dtype']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new ValueError('LayerNorm: normalizedShape must have at least one size');
    shape.forEach((s) => positiveInt(s, 'normalizedShape', 'LayerNorm'));
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new ValueError(`LayerNorm: eps must be >= 0, got ${this.eps}`);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.dtype = floatDType(options.dtype, 'LayerNorm');
    const dt = { dtype: this.dtype };
    this.weight = this.registerParameter('weight', this.elementwiseAffine ? new Parameter(ones(shape, dt)) : null);
    this.bias = this.registerParameter('bias', this.elementwiseAffine && options.bias !== false ? new Parameter(zeros(shape, dt)) : null);
  }

  resetParameters(): void {
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.fill_(0);
    });
  }

  override forward(x: Tensor): Tensor {
    const label = `LayerNorm(${shapeStr(this.normalizedShape)})`;
    checkFloatInput(label, x, this.dtype);
    const k = this.normalizedShape.length;
    if (x.ndim < k || this.normalizedShape.some((s, i) => x.shape[x.ndim - k + i] !== s)) {
      throw new ShapeError(`${label}: expected input ending in ${shapeStr(this.normalizedShape)}, got ${shapeStr(x.shape)}`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  getConfig(): JsonObject {
    return {
      normalizedShape: [...this.normalizedShape],
      eps: this.eps,
      elementwiseAffine: this.elementwiseAffine,
      bias: this.bias !== null || !this.elementwiseAffine,
      dtype: this.dtype,
    };
  }

  static fromConfig(config: JsonObject): LayerNorm {
    const { normalizedShape, ...options } = config as unknown as { normalizedShape: number[] } & LayerNormOptions;
    return new LayerNorm(normalizedShape, options);
  }
}

registerLayer('BatchNorm1d', BatchNorm1d);
registerLayer('BatchNorm2d', BatchNorm2d);
registerLayer('LayerNorm', LayerNorm);
