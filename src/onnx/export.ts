/**
 * Export of Frugal nn models to ONNX (opset 17, dynamic batch dimension).
 * The sample input is run through the model layer by layer, in eval mode, so
 * each layer is written knowing its input and output shapes.
 */
import { noGrad } from '../autograd/graph.js';
import { checkOptions } from '../utils/options.js';
import { ValueError } from '../errors.js';
import { Conv1d, Conv2d } from '../nn/layers/conv.js';
import { ConvTranspose2d } from '../nn/layers/conv-transpose.js';
import { Dropout, Dropout2d } from '../nn/layers/dropout.js';
import { Embedding } from '../nn/layers/embedding.js';
import { Flatten, Unflatten } from '../nn/layers/flatten.js';
import { Identity, Linear } from '../nn/layers/linear.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/layers/normalization.js';
import { AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, GlobalAvgPool2d, MaxPool1d, MaxPool2d } from '../nn/layers/pooling.js';
import { ELU, GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh } from '../nn/layers/activation.js';
import { GRU, LSTM } from '../nn/layers/recurrent.js';
import { Sequential } from '../nn/layers/sequential.js';
import { Upsample } from '../nn/layers/upsample.js';
import { Module as ModuleClass, type Module } from '../nn/module.js';
import { full, ones, zeros } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileBytes } from '../platform/files.js';
import { estimatorGraph, isExportableEstimator, type ExportableEstimator } from './export-estimators.js';
import type { EstimatorOutputs } from './export-svm.js';
import { exportRecurrent } from './export-recurrent.js';
import { traceModule } from './trace.js';
import { float, GraphBuilder, int, ints, ML_DOMAIN, str } from './graph-builder.js';
import { encodeModel, ONNX_DOUBLE, ONNX_FLOAT, ONNX_INT32, ONNX_INT64, ONNX_STRING } from './proto.js';

export const ONNX_OPSET = 17;

export interface ExportOnnxOptions {
  /** Key/value strings written as the model's metadata_props (what the input columns mean, ...). */
  metadata?: Record<string, string>;
}
/** The ai.onnx.ml opset written when an ONNX-ML operator is used (LabelEncoder 2 takes float keys). */
export const ONNX_ML_OPSET = 3;

/** Reshape that keeps the batch dimension (0 = copy) and fixes the rest to the traced shape. */
function reshapeKeepingBatch(g: GraphBuilder, x: string, outShape: readonly number[]): string {
  return g.node('Reshape', [x, g.int64s('shape', [0, ...outShape.slice(1)])]);
}

/** Writes one layer; returns the name of its output. */
function exportLayer(g: GraphBuilder, layer: Module, x: string, input: Tensor, output: Tensor): string {
  if (!isKnownLayer(layer)) return traceModule(g, layer, x, input, isKnownLayer, exportLayer);
  if (layer instanceof Sequential) return exportChain(g, [...layer], x, input);
  if (layer instanceof LSTM || layer instanceof GRU) return exportRecurrent(g, layer, x, input);
  if (layer instanceof Linear) {
    if (input.ndim === 2) {
      const w = g.constant('weight', layer.weight);
      return g.node('Gemm', layer.bias ? [x, w, g.constant('bias', layer.bias)] : [x, w], [int('transB', 1)]);
    }
    const y = g.node('MatMul', [x, g.constant('weightT', layer.weight.transpose(0, 1))]);
    return layer.bias ? g.node('Add', [y, g.constant('bias', layer.bias)]) : y;
  }
  if (layer instanceof Conv2d || layer instanceof Conv1d) {
    const is1d = layer instanceof Conv1d;
    const inputs = [x, g.constant('weight', layer.weight)];
    if (layer.bias) inputs.push(g.constant('bias', layer.bias));
    const [top, bottom, left, right] = conv2dPads(layer);
    const attrs = is1d
      ? [ints('kernel_shape', [layer.kernelSize]), ints('strides', [layer.stride]), ints('dilations', [layer.dilation]), ints('pads', [left, right])]
      : [ints('kernel_shape', layer.kernelSize), ints('strides', layer.stride), ints('dilations', layer.dilation), ints('pads', [top, left, bottom, right])];
    return g.node('Conv', inputs, [...attrs, int('group', layer.groups)]);
  }
  if (layer instanceof ConvTranspose2d) {
    const inputs = [x, g.constant('weight', layer.weight)];
    if (layer.bias) inputs.push(g.constant('bias', layer.bias));
    const [ph, pw] = layer.padding;
    const attrs = [ints('kernel_shape', layer.kernelSize), ints('strides', layer.stride), ints('dilations', layer.dilation), ints('pads', [ph, pw, ph, pw])];
    return g.node('ConvTranspose', inputs, [...attrs, ints('output_padding', layer.outputPadding), int('group', layer.groups)]);
  }
  if (layer instanceof Upsample) return exportUpsample(g, layer, x, input);
  if (layer instanceof MaxPool2d) {
    const [ph, pw] = layer.padding;
    return g.node('MaxPool', [x], [ints('kernel_shape', layer.kernelSize), ints('strides', layer.stride), ints('pads', [ph, pw, ph, pw]), ints('dilations', layer.dilation)]);
  }
  if (layer instanceof MaxPool1d) {
    const p = layer.padding;
    return g.node('MaxPool', [x], [ints('kernel_shape', [layer.kernelSize]), ints('strides', [layer.stride]), ints('pads', [p, p]), ints('dilations', [layer.dilation])]);
  }
  if (layer instanceof AvgPool2d) {
    const [ph, pw] = layer.padding;
    return g.node(
      'AveragePool',
      [x],
      [ints('kernel_shape', layer.kernelSize), ints('strides', layer.stride), ints('pads', [ph, pw, ph, pw]), int('count_include_pad', layer.countIncludePad ? 1 : 0)],
    );
  }
  if (layer instanceof AvgPool1d) {
    const p = layer.padding;
    return g.node(
      'AveragePool',
      [x],
      [ints('kernel_shape', [layer.kernelSize]), ints('strides', [layer.stride]), ints('pads', [p, p]), int('count_include_pad', layer.countIncludePad ? 1 : 0)],
    );
  }
  if (layer instanceof GlobalAvgPool2d || (layer instanceof AdaptiveAvgPool2d && output.shape[2] === 1 && output.shape[3] === 1)) {
    const y = g.node('GlobalAveragePool', [x]);
    return output.ndim === 4 ? y : reshapeKeepingBatch(g, y, output.shape);
  }
  if (layer instanceof BatchNorm1d || layer instanceof BatchNorm2d) {
    const c = layer.numFeatures;
    const dtype = { dtype: layer.dtype };
    const mean = layer.runningMean ?? zeros([c], dtype);
    const variance = layer.runningVar ?? ones([c], dtype);
    if (!layer.trackRunningStats) throw new ValueError('exportOnnx: BatchNorm without running statistics normalises with batch statistics, which ONNX inference cannot express');
    const scale = layer.weight ?? ones([c], dtype);
    const bias = layer.bias ?? zeros([c], dtype);
    const inputs = [x, g.constant('scale', scale), g.constant('bias', bias), g.constant('mean', mean), g.constant('var', variance)];
    return g.node('BatchNormalization', inputs, [float('epsilon', layer.eps)]);
  }
  if (layer instanceof Dropout || layer instanceof Dropout2d || layer instanceof Identity) return x;
  if (layer instanceof ReLU) return g.node('Relu', [x]);
  if (layer instanceof Sigmoid) return g.node('Sigmoid', [x]);
  if (layer instanceof Tanh) return g.node('Tanh', [x]);
  if (layer instanceof SiLU) return g.node('Mul', [x, g.node('Sigmoid', [x])]);
  if (layer instanceof LeakyReLU) return g.node('LeakyRelu', [x], [float('alpha', layer.negativeSlope)]);
  if (layer instanceof ELU) return g.node('Elu', [x], [float('alpha', layer.alpha)]);
  if (layer instanceof Softplus && layer.beta === 1) return g.node('Softplus', [x]);
  if (layer instanceof GELU && layer.approximate === 'none') {
    // Gelu is opset 20; at 17 it is 0.5·x·(1 + erf(x/√2)).
    const scalar = (v: number) => g.constant('c', full([], v, { dtype: input.dtype }));
    const erf = g.node('Erf', [g.node('Mul', [x, scalar(Math.SQRT1_2)])]);
    return g.node('Mul', [g.node('Mul', [x, scalar(0.5)]), g.node('Add', [erf, scalar(1)])]);
  }
  if (layer instanceof Softmax) return g.node('Softmax', [x], [int('axis', layer.dim)]);
  if (layer instanceof LogSoftmax) return g.node('LogSoftmax', [x], [int('axis', layer.dim)]);
  if (layer instanceof Flatten && normalise(layer.startDim, input.ndim) === 1 && normalise(layer.endDim, input.ndim) === input.ndim - 1)
    return g.node('Flatten', [x], [int('axis', 1)]);
  if ((layer instanceof Flatten || layer instanceof Unflatten) && output.ndim >= 1 && input.ndim >= 1 && output.shape[0] === input.shape[0])
    return reshapeKeepingBatch(g, x, output.shape);
  if (layer instanceof Embedding) return g.node('Gather', [g.constant('weight', layer.weight), x], [int('axis', 0)]);
  throw new ValueError(
    `exportOnnx: layer ${layer.constructor.name} with these settings is not supported (supported: Sequential, Linear, Conv1d, Conv2d, ConvTranspose2d, MaxPool1d/2d, AvgPool1d/2d, GlobalAvgPool2d, AdaptiveAvgPool2d(1), Upsample, BatchNorm1d/2d with running statistics, Dropout, activations (Softplus with beta 1, exact GELU), Softmax, LogSoftmax, Flatten, Unflatten, Embedding, LSTM, GRU, and Modules whose forward combines them with tensor ops)`,
  );
}

/** The layers written as themselves; any other Module is traced through its forward. */
const KNOWN_LAYERS = [
  Sequential,
  LSTM,
  GRU,
  Linear,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Upsample,
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  GlobalAvgPool2d,
  AdaptiveAvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Dropout,
  Dropout2d,
  Identity,
  ReLU,
  Sigmoid,
  Tanh,
  SiLU,
  LeakyReLU,
  ELU,
  Softplus,
  GELU,
  Softmax,
  LogSoftmax,
  Flatten,
  Unflatten,
  Embedding,
];

function isKnownLayer(layer: Module): boolean {
  return KNOWN_LAYERS.some((cls) => layer.constructor === cls);
}

/**
 * Upsample as Resize, with the coordinate transforms PyTorch's exporter
 * writes: nearest = asymmetric + floor, bilinear = half_pixel (align_corners
 * when asked). A scale factor is written as scales; a size as sizes [N, C, h, w],
 * with N and C read from the input so the batch stays dynamic.
 */
function exportUpsample(g: GraphBuilder, layer: Upsample, x: string, input: Tensor): string {
  const bilinear = layer.mode === 'bilinear';
  const attrs = bilinear
    ? [str('mode', 'linear'), str('coordinate_transformation_mode', layer.alignCorners ? 'align_corners' : 'half_pixel')]
    : [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')];
  if (layer.scaleFactor) {
    const scales = g.constant('scales', new Tensor(Float32Array.from([1, 1, ...layer.scaleFactor]), [4]));
    return g.node('Resize', [x, '', scales], attrs);
  }
  const batchAndChannels = g.node('Shape', [x], [int('start', 0), int('end', 2)]);
  const sizes = g.node('Concat', [batchAndChannels, g.int64s('size', layer.size ?? input.shape.slice(2))], [int('axis', 0)]);
  return g.node('Resize', [x, '', '', sizes], attrs);
}

function normalise(axis: number, ndim: number): number {
  return axis < 0 ? axis + ndim : axis;
}

/** [top, bottom, left, right] as the layer resolved them (Conv1d: left/right along its one axis). */
function conv2dPads(layer: Conv1d | Conv2d): readonly [number, number, number, number] {
  return (layer as unknown as { geo: { pads: [number, number, number, number] } }).geo.pads;
}

function exportChain(g: GraphBuilder, layers: readonly Module[], x: string, input: Tensor): string {
  let name = x;
  let value = input;
  for (const layer of layers) {
    const output = layer.forward(value);
    name = exportLayer(g, layer, name, value, output);
    value = output;
  }
  return name;
}

function elemType(t: Tensor): number {
  return t.dtype === 'float32' ? ONNX_FLOAT : t.dtype === 'float64' ? ONNX_DOUBLE : ONNX_INT32;
}

function valueInfo(name: string, t: Tensor) {
  const dim = t.shape.map((d, i) => (i === 0 ? { dim_param: 'batch' } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: elemType(t), shape: { dim } } } };
}

/**
 * The model as ONNX bytes (opset 17). `sampleInput` is one batch of the
 * input the model takes ([N, ...]); its first dimension is written as the
 * dynamic `batch`. A Module is put in eval mode (dropout removed, batch norm
 * with running statistics) and left there. A fitted linear estimator gives
 * its `predict` (regressors) or `predictProba` (LogisticRegression) output.
 */
export function exportOnnxBytes(model: Module | ExportableEstimator, sampleInput: Tensor, options: ExportOnnxOptions = {}): Uint8Array {
  checkOptions('exportOnnx', options, ['metadata']);
  const metadata = Object.entries(options.metadata ?? {});
  if (metadata.some(([, v]) => typeof v !== 'string')) throw new ValueError('exportOnnx: metadata values must be strings');
  if (sampleInput.ndim < 1) throw new ValueError('exportOnnx: sampleInput must have a batch dimension');
  const g = new GraphBuilder();
  let graph: EstimatorOutputs;
  if (isExportableEstimator(model)) graph = estimatorGraph(g, model, 'input', sampleInput);
  else if (isModule(model)) {
    model.eval();
    graph = noGrad(() => ({ output: model.forward(sampleInput), outputName: exportChain(g, [model], 'input', sampleInput) }));
  } else throw new ValueError(`exportOnnx: cannot export ${describe(model)}: expected an nn Module or a fitted linear estimator or SVM`);
  g.nodes.push({ op_type: 'Identity', input: [graph.outputName], output: ['output'], name: 'output' });
  const outputs = [valueInfo('output', graph.output)];
  if (graph.label) {
    g.nodes.push({ op_type: 'Identity', input: [graph.label.name], output: ['label'], name: 'label' });
    outputs.push({ name: 'label', type: { tensor_type: { elem_type: graph.label.strings ? ONNX_STRING : ONNX_INT64, shape: { dim: [{ dim_param: 'batch' }] } } } });
  }
  const opsets = [{ domain: '', version: ONNX_OPSET }];
  if (g.usesMl) opsets.push({ domain: ML_DOMAIN, version: ONNX_ML_OPSET });
  return encodeModel({
    ir_version: 8,
    producer_name: 'frugal-ml',
    opset_import: opsets,
    metadata_props: metadata.map(([key, value]) => ({ key, value })),
    graph: {
      name: model.constructor.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', sampleInput)],
      output: outputs,
    },
  });
}

function isModule(x: unknown): x is Module {
  return x instanceof ModuleClass;
}

function describe(x: unknown): string {
  return x !== null && typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;
}

/** Writes the model to an .onnx file (see exportOnnxBytes). */
export async function exportOnnx(model: Module | ExportableEstimator, sampleInput: Tensor, path: string, options: ExportOnnxOptions = {}): Promise<void> {
  await writeFileBytes(path, exportOnnxBytes(model, sampleInput, options));
}
