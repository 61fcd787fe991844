/** Flatten and Unflatten: reshapes as layers. */
import { ShapeError, ValueError } from '../../errors.js';
import { normAxis, shapeStr } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkOptions } from './common.js';

export interface FlattenOptions {
  /** First axis to merge (default 1: keep the batch axis). */
  startDim?: number;
  /** Last axis to merge (default -1). */
  endDim?: number;
}

/** Merges axes startDim..endDim into one: [N, C, H, W] → [N, C·H·W] by default. */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: FlattenOptions = {}) {
    super();
    checkOptions('Flatten', options, ['startDim', 'endDim']);
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
    for (const [k, v] of [
      ['startDim', this.startDim],
      ['endDim', this.endDim],
    ] as const) {
      if (!Number.isInteger(v)) throw new ValueError(`Flatten: ${k} must be an integer, got ${String(v)}`);
    }
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim === 0) return x.reshape([1]);
    const s = normAxis(this.startDim, x.ndim, 'Flatten');
    const e = normAxis(this.endDim, x.ndim, 'Flatten');
    if (s > e) throw new ShapeError(`Flatten(startDim ${this.startDim}, endDim ${this.endDim}): start comes after end for input of shape ${shapeStr(x.shape)}`);
    return x.flatten(s, e);
  }

  getConfig(): JsonObject {
    return { startDim: this.startDim, endDim: this.endDim };
  }

  static fromConfig(config: JsonObject): Flatten {
    return new Flatten(config as FlattenOptions);
  }
}

/** Splits axis `dim` into `sizes`: Unflatten(1, [C, H, W]) turns [N, C·H·W] into [N, C, H, W]. */
export class Unflatten extends Module {
  readonly dim: number;
  readonly sizes: readonly number[];

  constructor(dim: number, sizes: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new ValueError(`Unflatten: dim must be an integer, got ${String(dim)}`);
    if (!Array.isArray(sizes) || sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new ValueError(`Unflatten: sizes must be a non-empty list of positive integers, got ${JSON.stringify(sizes)}`);
    }
    this.dim = dim;
    this.sizes = [...sizes];
  }

  override forward(x: Tensor): Tensor {
    const d = normAxis(this.dim, x.ndim, 'Unflatten');
    const n = this.sizes.reduce((a, b) => a * b, 1);
    if (x.shape[d] !== n) {
      throw new ShapeError(`Unflatten(${this.dim}, ${shapeStr(this.sizes)}): expected axis ${this.dim} of size ${n}, got shape ${shapeStr(x.shape)}`);
    }
    return x.reshape([...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }

  getConfig(): JsonObject {
    return { dim: this.dim, sizes: [...this.sizes] };
  }

  static fromConfig(config: JsonObject): Unflatten {
    return new Unflatten(config.dim as number, config.sizes as number[]);
  }
}

registerLayer('Flatten', Flatten);
registerLayer('Unflatten', Unflatten);
