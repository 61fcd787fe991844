/**
 * DCGAN-style generator and discriminator for small images (Radford et al.,
 * 2016): the generator projects a latent vector to a 4×4 (7×7 for 28×28)
 * map with a transposed convolution and doubles it with stride-2 transposed
 * convolutions (BatchNorm + ReLU between, Tanh at the end, so images are in
 * [−1, 1]); the discriminator mirrors it with stride-2 convolutions and
 * LeakyReLU 0.2 and ends in one logit per image. With `classes`, both are
 * conditional: the generator reads the one-hot label beside the latent
 * vector, the discriminator as extra constant input planes.
 *
 * Each is a Module with a config, so it saves and loads like any layer.
 */
import { ShapeError, ValueError } from '../errors.js';
import { Conv2d } from '../nn/layers/conv.js';
import { ConvTranspose2d } from '../nn/layers/conv-transpose.js';
import { LeakyReLU, ReLU, Tanh } from '../nn/layers/activation.js';
import { checkFloatInput, checkOptions, floatDType, positiveInt, type FloatDType } from '../nn/layers/common.js';
import { Flatten } from '../nn/layers/flatten.js';
import { BatchNorm2d } from '../nn/layers/normalization.js';
import { Sequential } from '../nn/layers/sequential.js';
import { Module } from '../nn/module.js';
import { registerLayer, type JsonObject } from '../nn/registry.js';
import { arrayFor } from '../tensor/dtype.js';
import { concat, reshape } from '../tensor/ops/shape.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** The image sizes the architecture is laid out for. */
export type DcganImageSize = 8 | 16 | 28 | 32;

interface DcganCommonOptions {
  /** Image channels (1 for greyscale, 3 for RGB; default 1). */
  channels?: number;
  /** Side of the square images: 8, 16, 28 or 32 (default 28). */
  imageSize?: DcganImageSize;
  /** Feature maps of the layer nearest the image; each layer further in has twice as many (default 32). */
  width?: number;
  /** Number of classes for a conditional model (forward then takes the labels too); absent: unconditional. */
  classes?: number;
  dtype?: FloatDType;
}

export interface DcganGeneratorOptions extends DcganCommonOptions {
  /** Length of the latent vector z (default 64). */
  latentDim?: number;
}

export interface DcganDiscriminatorOptions extends DcganCommonOptions {
  /** BatchNorm after every convolution but the first (default true; switch it off for a Wasserstein critic with gradient penalty, which is per sample). */
  batchNorm?: boolean;
}

/** The resolved layout: side of the first map, number of stride-2 steps, and the options with defaults. */
interface Layout {
  base: number;
  steps: number;
  channels: number;
  imageSize: DcganImageSize;
  width: number;
  classes: number | null;
  dtype: FloatDType;
}

const COMMON = ['channels', 'imageSize', 'width', 'classes', 'dtype'];

/** Checks a generator's or discriminator's options (the common ones plus `ownKey`) and reads the common ones. */
function layout(where: string, options: DcganCommonOptions, ownKey: string): Layout {
  checkOptions(where, options, [...COMMON, ownKey]);
  const imageSize = options.imageSize ?? 28;
  const bases: Record<number, [number, number]> = { 8: [4, 1], 16: [4, 2], 28: [7, 2], 32: [4, 3] };
  if (!(imageSize in bases)) throw new ValueError(`${where}: imageSize must be 8, 16, 28 or 32, got ${String(imageSize)}`);
  const [base, steps] = bases[imageSize];
  return {
    base,
    steps,
    imageSize,
    channels: positiveInt(options.channels ?? 1, 'channels', where),
    width: positiveInt(options.width ?? 32, 'width', where),
    classes: options.classes === undefined ? null : positiveInt(options.classes, 'classes', where),
    dtype: floatDType(options.dtype, where),
  };
}

/**
 * The labels as one-hot planes [N, classes, side, side] (side 0: [N, classes]),
 * in the input's dtype; labels must be an int32 [N] with values in [0, classes).
 */
function oneHot(where: string, labels: Tensor | undefined, n: number, classes: number, side: number, like: Tensor): Tensor {
  if (!(labels instanceof Tensor)) throw new ValueError(`${where}: a conditional model needs the labels: call(x, labels) with an int32 tensor [N]`);
  if (labels.dtype !== 'int32' || labels.ndim !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(`${where}: labels must be an int32 tensor [${n}], got ${labels.dtype} ${shapeStr(labels.shape)}`);
  }
  const plane = Math.max(side * side, 1);
  const data = arrayFor(like.dtype, n * classes * plane);
  for (let b = 0; b < n; b++) {
    const label = labels.data[b];
    if (!(label >= 0 && label < classes)) throw new ValueError(`${where}: label ${label} at ${b} is outside [0, ${classes})`);
    data.fill(1, (b * classes + label) * plane, (b * classes + label + 1) * plane);
  }
  return new Tensor(data, side > 0 ? [n, classes, side, side] : [n, classes]);
}

/** Shared by both: the layer stack, the options it was built from, and the optional labels. */
abstract class DcganModule extends Module {
  readonly net: Sequential;
  protected readonly layout: Layout;

  constructor(net: Sequential, layout: Layout) {
    super();
    this.net = net;
    this.layout = layout;
  }

  get classes(): number | null {
    return this.layout.classes;
  }

  protected commonConfig(): JsonObject {
    const { channels, imageSize, width, classes, dtype } = this.layout;
    return { channels, imageSize, width, ...(classes === null ? {} : { classes }), dtype };
  }

  /** With classes, the input with the labels' one-hot columns (side 0) or planes appended along axis 1. */
  protected withLabels(where: string, x: Tensor, labels: Tensor | undefined, side: number): Tensor {
    const classes = this.layout.classes;
    if (classes === null) {
      if (labels !== undefined) throw new ValueError(`${where}: labels given to an unconditional model (build it with { classes })`);
      return x;
    }
    return concat([x, oneHot(where, labels, x.shape[0], classes, side, x)], 1);
  }
}

/** Generator: z [N, latentDim] (and labels [N] when conditional) → images [N, channels, imageSize, imageSize] in [−1, 1]. */
export class DcganGenerator extends DcganModule {
  readonly latentDim: number;

  constructor(options: DcganGeneratorOptions = {}) {
    const where = 'dcganGenerator';
    const l = layout(where, options, 'latentDim');
    const latentDim = positiveInt(options.latentDim ?? 64, 'latentDim', where);
    const { dtype } = l;
    let features = l.width * 2 ** (l.steps - 1);
    // Project z (as a 1×1 map) to base×base, then double the side at each step; the last step makes the image.
    const layers: Module[] = [new ConvTranspose2d(latentDim + (l.classes ?? 0), features, l.base, { bias: false, dtype }), new BatchNorm2d(features, { dtype }), new ReLU()];
    for (let step = 1; step < l.steps; step++) {
      layers.push(new ConvTranspose2d(features, features / 2, 4, { stride: 2, padding: 1, bias: false, dtype }), new BatchNorm2d(features / 2, { dtype }), new ReLU());
      features /= 2;
    }
    layers.push(new ConvTranspose2d(features, l.channels, 4, { stride: 2, padding: 1, dtype }), new Tanh());
    super(new Sequential(...layers), l);
    this.latentDim = latentDim;
  }

  override forward(z: Tensor, labels?: Tensor): Tensor {
    const where = 'DcganGenerator';
    checkFloatInput(where, z, this.layout.dtype);
    if (z.ndim !== 2 || z.shape[1] !== this.latentDim) throw new ShapeError(`${where}: expected z [N, ${this.latentDim}], got ${shapeStr(z.shape)}`);
    const input = this.withLabels(where, z, labels, 0);
    return this.net.call(reshape(input, [input.shape[0], input.shape[1], 1, 1]));
  }

  getConfig(): JsonObject {
    return { latentDim: this.latentDim, ...this.commonConfig() };
  }

  static fromConfig(config: JsonObject): DcganGenerator {
    return new DcganGenerator(config as DcganGeneratorOptions);
  }
}

/** Discriminator: images [N, channels, imageSize, imageSize] (and labels [N] when conditional) → logits [N, 1]. */
export class DcganDiscriminator extends DcganModule {
  readonly batchNorm: boolean;

  constructor(options: DcganDiscriminatorOptions = {}) {
    const where = 'dcganDiscriminator';
    const l = layout(where, options, 'batchNorm');
    const batchNorm = options.batchNorm ?? true;
    if (typeof batchNorm !== 'boolean') throw new ValueError(`${where}: batchNorm must be a boolean, got ${String(batchNorm)}`);
    const { dtype } = l;
    let features = l.width;
    // Halve the side at each step (no normalisation on the image itself), then one base×base convolution to the logit.
    const layers: Module[] = [new Conv2d(l.channels + (l.classes ?? 0), features, 4, { stride: 2, padding: 1, dtype }), new LeakyReLU(0.2)];
    for (let step = 1; step < l.steps; step++) {
      layers.push(new Conv2d(features, features * 2, 4, { stride: 2, padding: 1, bias: !batchNorm, dtype }));
      if (batchNorm) layers.push(new BatchNorm2d(features * 2, { dtype }));
      layers.push(new LeakyReLU(0.2));
      features *= 2;
    }
    layers.push(new Conv2d(features, 1, l.base, { dtype }), new Flatten());
    super(new Sequential(...layers), l);
    this.batchNorm = batchNorm;
  }

  override forward(x: Tensor, labels?: Tensor): Tensor {
    const where = 'DcganDiscriminator';
    checkFloatInput(where, x, this.layout.dtype);
    const { channels, imageSize } = this.layout;
    if (x.ndim !== 4 || x.shape[1] !== channels || x.shape[2] !== imageSize || x.shape[3] !== imageSize) {
      throw new ShapeError(`${where}: expected images [N, ${channels}, ${imageSize}, ${imageSize}], got ${shapeStr(x.shape)}`);
    }
    return this.net.call(this.withLabels(where, x, labels, imageSize));
  }

  getConfig(): JsonObject {
    return { ...this.commonConfig(), batchNorm: this.batchNorm };
  }

  static fromConfig(config: JsonObject): DcganDiscriminator {
    return new DcganDiscriminator(config as DcganDiscriminatorOptions);
  }
}

/** A DCGAN-style generator for small images (see DcganGenerator). */
export function dcganGenerator(options: DcganGeneratorOptions = {}): DcganGenerator {
  return new DcganGenerator(options);
}

/** A DCGAN-style discriminator for small images, one logit per image (see DcganDiscriminator). */
export function dcganDiscriminator(options: DcganDiscriminatorOptions = {}): DcganDiscriminator {
  return new DcganDiscriminator(options);
}

registerLayer('DcganGenerator', DcganGenerator);
registerLayer('DcganDiscriminator', DcganDiscriminator);
