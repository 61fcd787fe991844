/**
 * Transposed convolution (PyTorch's ConvTranspose2d, "deconvolution"): the
 * adjoint of a convolution, so it runs on the convolution's own passes. Its
 * forward is a convolution's input gradient (GEMM + col2im), its input
 * gradient a convolution (im2col + GEMM), its weight gradient a
 * convolution's weight gradient with input and output swapped; each is the
 * recorded op the convolution's backward uses, so the fast float32 kernels,
 * threads and gradients of gradients come with them.
 */
import { record } from '../../autograd/graph.js';
import { addChannelBias } from '../../backend/routines/conv.js';
import { DTypeError, LimitError, ShapeError, ValueError } from '../../errors.js';
import { channelSum, convInputGrad, type ConvGeometry } from '../../tensor/ops/conv.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { ConvNd } from './conv.js';
import { checkOptions, convConstructorArgs, intPair, type DTypeOption, type Floats } from './common.js';

type Pair = number | readonly [number, number];

export interface ConvTranspose2dOptions extends DTypeOption {
  stride?: Pair;
  /** Rows and columns removed from each side of the full output: dilation·(kernel − 1) − padding zeros pad the convolution it inverts. */
  padding?: Pair;
  /** Extra rows/columns added to one side of the output (below stride or dilation), to pick among the input sizes a strided convolution maps to the same size. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  /** Learn a per-channel bias (default true). */
  bias?: boolean;
}

/** The functional form's options (the layer's without the parameter ones). */
export type ConvTranspose2dOpOptions = Omit<ConvTranspose2dOptions, 'dtype' | 'bias'>;

const OP_OPTIONS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'];
/** The most elements an output (or its column buffer) may have: 1 GiB of float32 (a large stride makes a huge output from a tiny input). */
const MAX_ELEMENTS = 2 ** 28;

/** As PyTorch: outputPadding picks among the sizes one stride (or dilation) step apart, so it stays below them. */
function checkOutputPadding(where: string, [oph, opw]: [number, number], [sh, sw]: [number, number], [dh, dw]: [number, number]): void {
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new ValueError(`${where}: outputPadding ${oph}×${opw} must be smaller than the stride ${sh}×${sw} or the dilation ${dh}×${dw}`);
  }
}

/**
 * The convolution that this transposed convolution is the adjoint of:
 * its input is our output [N, C_out, H_out, W_out], its output our input.
 */
function transposedGeometry(where: string, xShape: readonly number[], wShape: readonly number[], options: ConvTranspose2dOpOptions): ConvGeometry {
  if (xShape.length !== 4) throw new ShapeError(`${where}: input must be 4-D [N, C_in, H, W], got ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new ShapeError(`${where}: weight must be 4-D [C_in, C_out/groups, kH, kW], got ${shapeStr(wShape)}`);
  const [n, cin, hin, win] = xShape;
  const [wcin, coutPerGroup, kh, kw] = wShape;
  if (kh === 0 || kw === 0 || hin === 0 || win === 0) throw new ShapeError(`${where}: empty kernel or image: input ${shapeStr(xShape)}, weight ${shapeStr(wShape)}`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || cin % groups !== 0)
    throw new ValueError(`${where}: groups=${groups} must be a positive integer dividing the input channels ${cin}`);
  if (wcin !== cin) throw new ShapeError(`${where}: weight ${shapeStr(wShape)} expects ${wcin} input channels, input ${shapeStr(xShape)} has ${cin}`);
  const [sh, sw] = intPair(options.stride ?? 1, 'stride', where, 1);
  const [ph, pw] = intPair(options.padding ?? 0, 'padding', where, 0);
  const [dh, dw] = intPair(options.dilation ?? 1, 'dilation', where, 1);
  const [oph, opw] = intPair(options.outputPadding ?? 0, 'outputPadding', where, 0);
  checkOutputPadding(where, [oph, opw], [sh, sw], [dh, dw]);
  const h = (hin - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const w = (win - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (h <= 0 || w <= 0) {
    throw new ShapeError(`${where}: padding ${ph}×${pw} leaves no output for input ${shapeStr(xShape)} (output would be ${h}×${w})`);
  }
  // The output and the columns of its lowering, checked before anything is allocated.
  const c = coutPerGroup * groups;
  if (n * c * h * w > MAX_ELEMENTS || n * c * kh * kw * hin * win > MAX_ELEMENTS) {
    throw new LimitError(`${where}: output [${n}, ${c}, ${h}, ${w}] (or its ${n * c * kh * kw * hin * win} column entries) exceeds ${MAX_ELEMENTS} elements`);
  }
  // ho × wo is the input's size: with outputPadding ≥ stride (allowed below the dilation) the convolution
  // of the output would give one row more, which its passes (bounded by h and w) simply never visit.
  return { n, c, h, w, o: cin, kh, kw, sh, sw, ph, pw, dh, dw, groups, ho: hin, wo: win };
}

/**
 * Transposed 2-D convolution of x [N, C_in, H, W] with weight
 * [C_in, C_out/groups, kH, kW] (PyTorch's layout), plus a bias per output
 * channel: output [N, C_out, (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1, ...].
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOpOptions = {}): Tensor {
  const where = 'convTranspose2d';
  checkOptions(where, options, OP_OPTIONS);
  if (x.dtype === 'int32' || weight.dtype !== x.dtype || (bias && bias.dtype !== x.dtype)) {
    throw new DTypeError(`${where}: input, weight and bias must share a float dtype, got ${x.dtype}, ${weight.dtype}${bias ? ` and ${bias.dtype}` : ''}`);
  }
  const g = transposedGeometry(where, x.shape, weight.shape, options);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== g.c)) throw new ShapeError(`${where}: bias must have shape [${g.c}], got ${shapeStr(bias.shape)}`);
  const y = convInputGrad(x, weight, g);
  if (!bias) return y;
  // y is a fresh array that y's own gradient rule never reads: the bias goes into it in place.
  addChannelBias(y.data as Floats, bias.data as Floats, g.n, g.c, g.h * g.w);
  return record(new Tensor(y.data, y.shape), 'addChannelBias', [y, bias], (dy) => [dy, channelSum(dy)]);
}

const LAYER_OPTIONS = [...OP_OPTIONS, 'bias', 'dtype'];

/**
 * Transposed 2-D convolution over [N, C_in, H, W] (or unbatched [C_in, H, W]),
 * as PyTorch's ConvTranspose2d: weight [inChannels, outChannels/groups, kH, kW],
 * the same default initialisation, `outputPadding` to choose the output size.
 * A generator's upsampling step: kernel 4, stride 2, padding 1 doubles H and W.
 */
export class ConvTranspose2d extends ConvNd {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvTranspose2dOptions = {}) {
    const layer = 'ConvTranspose2d';
    checkOptions(layer, options, LAYER_OPTIONS);
    const kernel = intPair(kernelSize, 'kernelSize', layer, 1);
    const stride = intPair(options.stride ?? 1, 'stride', layer, 1);
    const dilation = intPair(options.dilation ?? 1, 'dilation', layer, 1);
    const padding = intPair(options.padding ?? 0, 'padding', layer, 0);
    const outputPadding = intPair(options.outputPadding ?? 0, 'outputPadding', layer, 0);
    checkOutputPadding(layer, outputPadding, stride, dilation);
    const groups = options.groups ?? 1;
    const perGroup = outChannels / (Number.isInteger(groups) && groups > 0 ? groups : 1);
    const pads: [number, number, number, number] = [padding[0], padding[0], padding[1], padding[1]];
    super(layer, inChannels, outChannels, kernel, [inChannels, perGroup, kernel[0], kernel[1]], { stride, dilation, pads, padding }, options);
    this.kernelSize = kernel;
    this.stride = stride;
    this.padding = padding;
    this.outputPadding = outputPadding;
    this.dilation = dilation;
  }

  protected get label(): string {
    return `ConvTranspose2d(${this.inChannels} → ${this.outChannels}, kernel ${this.kernelSize[0]}×${this.kernelSize[1]})`;
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, outputPadding, dilation, groups } = this;
    return this.forward4d(x, (x4) => convTranspose2d(x4, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups }));
  }

  getConfig(): JsonObject {
    const { kernelSize, stride, padding, outputPadding, dilation } = this;
    return this.configWith({ kernelSize: [...kernelSize], stride: [...stride], padding: [...padding], outputPadding: [...outputPadding], dilation: [...dilation] });
  }

  static fromConfig(config: JsonObject): ConvTranspose2d {
    return new ConvTranspose2d(...convConstructorArgs<[number, number], ConvTranspose2dOptions>(config));
  }
}

registerLayer('ConvTranspose2d', ConvTranspose2d);
