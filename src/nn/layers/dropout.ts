/** Dropout: random zeroing while training, the identity in eval mode. */
import { ShapeError } from '../../errors.js';
import { arrayFor } from '../../tensor/dtype.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkOptions, probability } from './common.js';

/**
 * Inverted dropout: each element is zeroed with probability p and the
 * survivors are scaled by 1/(1 − p), so nothing changes at inference.
 * The mask is drawn from `generator` (the global one by default).
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator | number): Tensor {
  probability(p, 'p', 'dropout');
  if (!training || p === 0) return x;
  return x.mul(dropoutMask(x, x.shape, p, generator));
}

/** Values 0 (dropped) or 1/(1 − p), of x's float dtype. */
function dropoutMask(x: Tensor, shape: readonly number[], p: number, generator?: Generator | number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const mask = arrayFor(x.dtype === 'float64' ? 'float64' : 'float32', size);
  if (p < 1) {
    const gen = resolveGenerator(generator);
    const scale = 1 / (1 - p);
    for (let i = 0; i < size; i++) mask[i] = gen.random() < p ? 0 : scale;
  }
  return new Tensor(mask, shape);
}

export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** A seed or generator for the masks; the global generator otherwise (not saved in the config). */
  generator?: Generator | number;
}

/** What every dropout layer holds: its probability and, when seeded, its own generator. */
abstract class DropoutLayer extends Module {
  readonly p: number;
  private readonly generator?: Generator;

  constructor(layer: string, options: number | DropoutOptions) {
    super();
    const o = typeof options === 'number' ? { p: options } : options;
    checkOptions(layer, o, ['p', 'generator']);
    this.p = probability(o.p ?? 0.5, 'p', layer);
    if (o.generator !== undefined) this.generator = resolveGenerator(o.generator);
  }

  /** The generator masks are drawn from (the global one unless seeded). */
  protected get maskGenerator(): Generator | undefined {
    return this.generator;
  }

  getConfig(): JsonObject {
    return { p: this.p };
  }

  /** Builds the subclass it is called on (Dropout.fromConfig gives a Dropout). */
  static fromConfig<T>(this: new (options: DropoutOptions) => T, config: JsonObject): T {
    return new this({ p: config.p as number });
  }
}

/** Zeroes elements with probability p while training (inverted dropout); identity after `eval()`. */
export class Dropout extends DropoutLayer {
  constructor(options: number | DropoutOptions = {}) {
    super('Dropout', options);
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.maskGenerator);
  }
}

/** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p while training. */
export class Dropout2d extends DropoutLayer {
  constructor(options: number | DropoutOptions = {}) {
    super('Dropout2d', options);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`Dropout2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${shapeStr(x.shape)}`);
    if (!this.training || this.p === 0) return x;
    const maskShape = x.shape.map((d, i) => (i < x.ndim - 2 ? d : 1));
    return x.mul(dropoutMask(x, maskShape, this.p, this.maskGenerator));
  }
}

registerLayer('Dropout', Dropout);
registerLayer('Dropout2d', Dropout2d);
