/**
 * The ONNX operators the importer runs, each written with Frugal's
 * differentiable tensor ops (so an imported model fine-tunes) except the
 * integer shape arithmetic (Shape, Gather on shapes, Concat of shapes...),
 * which works on int32 tensors.
 */
import { LimitError, ShapeError, ValueError } from '../errors.js';
import { full } from '../tensor/creation.js';
import { conv2d, maxPool2d, avgPool2d } from '../tensor/ops/conv.js';
import { matmul } from '../tensor/ops/matmul.js';
import { concat, pad } from '../tensor/ops/shape.js';
import { softmax } from '../tensor/ops/reduce.js';
import { Tensor } from '../tensor/tensor.js';
import { convTranspose2d } from '../nn/layers/conv-transpose.js';
import { upsample, type UpsampleMode } from '../nn/layers/upsample.js';
import { ONNX_LIMITS, tensorFromProto, type TensorProto } from './proto.js';
import { GRU, LSTM } from './recurrent-ops.js';

/** A node's attributes, decoded: numbers, number lists, strings, tensors. */
export type Attributes = Record<string, number | number[] | string | TensorProto>;

/** One operator: inputs (null for an omitted optional input) → outputs. */
export type OpFn = (inputs: (Tensor | null)[], attrs: Attributes, where: string) => Tensor[];

function need(inputs: (Tensor | null)[], i: number, where: string): Tensor {
  const t = inputs[i];
  if (!t) throw new ValueError(`${where}: input ${i} is missing`);
  return t;
}

function intAttr(attrs: Attributes, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

function intsAttr(attrs: Attributes, name: string): number[] | null {
  const v = attrs[name];
  return Array.isArray(v) ? v : null;
}

/** The integer values of a small int tensor (shapes, axes). */
function intValues(t: Tensor): number[] {
  return Array.from(t.data, (v) => Math.trunc(v));
}

function intTensor(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  return new Tensor(Int32Array.from(values), shape);
}

function normAxis(axis: number, ndim: number, where: string): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new ShapeError(`${where}: axis ${axis} out of range for rank ${ndim}`);
  return a;
}

/** Conv/pool geometry, 1-D or 2-D, as 2-D (a 1-D op runs with height 1). */
function geometry(attrs: Attributes, spatial: number, where: string, kernelFromWeight?: readonly number[]) {
  const autoPad = attrs.auto_pad;
  if (typeof autoPad === 'string' && autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new ValueError(`${where}: auto_pad '${autoPad}' is not supported`);
  if (intAttr(attrs, 'ceil_mode', 0) !== 0) throw new ValueError(`${where}: ceil_mode 1 is not supported`);
  if (spatial !== 1 && spatial !== 2) throw new ShapeError(`${where}: only 1-D and 2-D inputs are supported, got ${spatial} spatial dimensions`);
  const kernel = intsAttr(attrs, 'kernel_shape') ?? (kernelFromWeight ? [...kernelFromWeight] : []);
  if (kernel.length !== spatial) throw new ValueError(`${where}: kernel_shape must have ${spatial} entries`);
  const strides = intsAttr(attrs, 'strides') ?? new Array(spatial).fill(1);
  const dilations = intsAttr(attrs, 'dilations') ?? new Array(spatial).fill(1);
  const pads = intsAttr(attrs, 'pads') ?? new Array(2 * spatial).fill(0);
  const two = (a: number[], fill: number): [number, number] => (spatial === 1 ? [fill, a[0]] : [a[0], a[1]]);
  // pads are [x1_begin, x2_begin, x1_end, x2_end]; as [top, bottom, left, right]:
  const tblr = spatial === 1 ? [0, 0, pads[0], pads[1]] : [pads[0], pads[2], pads[1], pads[3]];
  return { kernel: two(kernel, 1), stride: two(strides, 1), dilation: two(dilations, 1), tblr };
}

/** Pads x explicitly when the sides differ; returns the symmetric padding left to the kernel. */
function padFor(x: Tensor, tblr: number[], value: number): { input: Tensor; padding: [number, number] } {
  const [top, bottom, left, right] = tblr;
  if (top === bottom && left === right) return { input: x, padding: [top, left] };
  const input = pad(
    x,
    [
      [0, 0],
      [0, 0],
      [top, bottom],
      [left, right],
    ],
    value,
  );
  return { input, padding: [0, 0] };
}

/** Runs a 2-D kernel on a 1-D or 2-D input. */
function spatially(x: Tensor, where: string, run: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim === 3) return run(x.unsqueeze(2)).squeeze(2);
  if (x.ndim === 4) return run(x);
  throw new ShapeError(`${where}: expected [N, C, L] or [N, C, H, W], got rank ${x.ndim}`);
}

function unary(f: (x: Tensor) => Tensor): OpFn {
  return (inputs, _attrs, where) => [f(need(inputs, 0, where))];
}

function binary(f: (a: Tensor, b: Tensor) => Tensor): OpFn {
  return (inputs, _attrs, where) => [f(need(inputs, 0, where), need(inputs, 1, where))];
}

/** The output shape of Reshape: 0 copies the input's dimension, one -1 is inferred. */
function reshapeTarget(input: readonly number[], requested: readonly number[], where: string): number[] {
  const shape = requested.map((d, i) => (d === 0 ? input[i] : d));
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const size = input.reduce((p, d) => p * d, 1);
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => d === undefined || d < -1)) throw new ShapeError(`${where}: invalid shape ${JSON.stringify(requested)}`);
  if (unknown === 1) {
    if (known === 0 || size % known !== 0) throw new ShapeError(`${where}: cannot reshape ${JSON.stringify(input)} to ${JSON.stringify(requested)}`);
    return shape.map((d) => (d === -1 ? size / known : d));
  }
  return shape;
}

function axesOf(inputs: (Tensor | null)[], attrs: Attributes): number[] | null {
  return inputs[1] ? intValues(inputs[1]) : intsAttr(attrs, 'axes');
}

/**
 * Resize on [N, C, H, W] as Frugal's upsample: nearest with PyTorch's
 * coordinates (asymmetric, floor) and bilinear (half_pixel or align_corners),
 * the forms PyTorch's exporter and exportOnnx write.
 */
const Resize: OpFn = (inputs, attrs, where) => {
  const x = need(inputs, 0, where);
  if (x.ndim !== 4) throw new ShapeError(`${where}: only 4-D inputs [N, C, H, W] are supported, got rank ${x.ndim}`);
  const mode = typeof attrs.mode === 'string' ? attrs.mode : 'nearest';
  const transform = typeof attrs.coordinate_transformation_mode === 'string' ? attrs.coordinate_transformation_mode : 'half_pixel';
  const nearestMode = typeof attrs.nearest_mode === 'string' ? attrs.nearest_mode : 'round_prefer_floor';
  let frugalMode: UpsampleMode;
  let alignCorners: boolean | undefined;
  if (mode === 'nearest' && transform === 'asymmetric' && nearestMode === 'floor') frugalMode = 'nearest';
  else if (mode === 'linear' && (transform === 'half_pixel' || transform === 'pytorch_half_pixel' || transform === 'align_corners')) {
    frugalMode = 'bilinear';
    alignCorners = transform === 'align_corners';
  } else throw new ValueError(`${where}: mode '${mode}' with coordinate_transformation_mode '${transform}' and nearest_mode '${nearestMode}' is not supported`);
  if (intAttr(attrs, 'antialias', 0) !== 0) throw new ValueError(`${where}: antialias is not supported`);
  const scales = inputs[2] && inputs[2].size > 0 ? Array.from(inputs[2].data) : null;
  const sizes = inputs[3] && inputs[3].size > 0 ? intValues(inputs[3]) : null;
  if ((scales === null) === (sizes === null)) throw new ValueError(`${where}: give exactly one of scales and sizes`);
  const kept = scales ? scales[0] === 1 && scales[1] === 1 : sizes![0] === x.shape[0] && sizes![1] === x.shape[1];
  if ((scales ?? sizes)!.length !== 4 || !kept) throw new ShapeError(`${where}: only H and W may be resized (scales/sizes of 4 entries, N and C kept)`);
  const target = scales ? { scaleFactor: [scales[2], scales[3]] as [number, number] } : { size: [sizes![2], sizes![3]] as [number, number] };
  return [upsample(x, { ...target, mode: frugalMode, ...(alignCorners === undefined ? {} : { alignCorners }) })];
};

export const OPS: Record<string, OpFn> = {
  Identity: unary((x) => x),
  Dropout: unary((x) => x),
  Relu: unary((x) => x.relu()),
  Sigmoid: unary((x) => x.sigmoid()),
  Tanh: unary((x) => x.tanh()),
  Erf: unary((x) => x.erf()),
  Exp: unary((x) => x.exp()),
  Log: unary((x) => x.log()),
  Sqrt: unary((x) => x.sqrt()),
  Neg: unary((x) => x.neg()),
  Softplus: unary((x) => x.softplus()),
  Add: binary((a, b) => a.add(b)),
  Sub: binary((a, b) => a.sub(b)),
  Mul: binary((a, b) => a.mul(b)),
  Div: binary((a, b) => a.div(b)),
  Pow: binary((a, b) => a.pow(b)),
  MatMul: binary((a, b) => matmul(a, b)),
  LeakyRelu: (inputs, attrs, where) => [need(inputs, 0, where).leakyRelu(attrs.alpha === undefined ? 0.01 : (attrs.alpha as number))],
  Elu: (inputs, attrs, where) => [need(inputs, 0, where).elu(attrs.alpha === undefined ? 1 : (attrs.alpha as number))],
  Softmax: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    return [softmax(x, normAxis(intAttr(attrs, 'axis', -1), x.ndim, where))];
  },
  LogSoftmax: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    return [x.logSoftmax(normAxis(intAttr(attrs, 'axis', -1), x.ndim, where))];
  },
  Gemm: (inputs, attrs, where) => {
    let a = need(inputs, 0, where);
    let b = need(inputs, 1, where);
    if (intAttr(attrs, 'transA', 0)) a = a.transpose(0, 1);
    if (intAttr(attrs, 'transB', 0)) b = b.transpose(0, 1);
    let y = matmul(a, b);
    const alpha = attrs.alpha === undefined ? 1 : (attrs.alpha as number);
    if (alpha !== 1) y = y.mul(alpha);
    const c = inputs[2];
    if (c) {
      const beta = attrs.beta === undefined ? 1 : (attrs.beta as number);
      y = y.add(beta === 1 ? c : c.mul(beta));
    }
    return [y];
  },
  Conv: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const w = need(inputs, 1, where);
    const spatial = x.ndim - 2;
    const geo = geometry(attrs, spatial, where, w.shape.slice(2));
    const groups = intAttr(attrs, 'group', 1);
    const w4 = spatial === 1 ? w.unsqueeze(2) : w;
    return [
      spatially(x, where, (x4) => {
        const { input, padding } = padFor(x4, geo.tblr, 0);
        return conv2d(input, w4, inputs[2] ?? null, { stride: geo.stride, padding, dilation: geo.dilation, groups });
      }),
    ];
  },
  ConvTranspose: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const w = need(inputs, 1, where);
    const spatial = x.ndim - 2;
    if (attrs.output_shape !== undefined) throw new ValueError(`${where}: output_shape is not supported; give pads and output_padding`);
    const geo = geometry(attrs, spatial, where, w.shape.slice(2));
    const [top, bottom, left, right] = geo.tblr;
    if (top !== bottom || left !== right) throw new ValueError(`${where}: asymmetric pads are not supported`);
    const outputPadding = intsAttr(attrs, 'output_padding') ?? new Array(spatial).fill(0);
    if (outputPadding.length !== spatial) throw new ValueError(`${where}: output_padding must have ${spatial} entries`);
    const options = {
      stride: geo.stride,
      dilation: geo.dilation,
      padding: [top, left] as [number, number],
      outputPadding: (spatial === 1 ? [0, outputPadding[0]] : outputPadding) as [number, number],
      groups: intAttr(attrs, 'group', 1),
    };
    const w4 = spatial === 1 ? w.unsqueeze(2) : w;
    return [spatially(x, where, (x4) => convTranspose2d(x4, w4, inputs[2] ?? null, options))];
  },
  Resize,
  Slice: (inputs, _attrs, where) => {
    const x = need(inputs, 0, where);
    const starts = intValues(need(inputs, 1, where));
    const ends = intValues(need(inputs, 2, where));
    const axes = inputs[3] ? intValues(inputs[3]) : starts.map((_, i) => i);
    const steps = inputs[4] ? intValues(inputs[4]) : starts.map(() => 1);
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
      throw new ShapeError(`${where}: starts, ends, axes and steps must have the same length`);
    if (steps.some((step) => step <= 0)) throw new ValueError(`${where}: only positive steps are supported, got ${JSON.stringify(steps)}`);
    const ranges: ([number, number, number] | null)[] = x.shape.map(() => null);
    axes.forEach((axis, i) => {
      ranges[normAxis(axis, x.ndim, where)] = [starts[i], ends[i], steps[i]];
    });
    return [x.slice(ranges)];
  },
  MaxPool: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const geo = geometry(attrs, x.ndim - 2, where);
    return [
      spatially(x, where, (x4) => {
        const { input, padding } = padFor(x4, geo.tblr, Number.NEGATIVE_INFINITY);
        return maxPool2d(input, geo.kernel, { stride: geo.stride, padding, dilation: geo.dilation });
      }),
    ];
  },
  AveragePool: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const geo = geometry(attrs, x.ndim - 2, where);
    const [top, bottom, left, right] = geo.tblr;
    if (top !== bottom || left !== right) throw new ValueError(`${where}: asymmetric pads are not supported`);
    const countIncludePad = intAttr(attrs, 'count_include_pad', 0) === 1;
    return [spatially(x, where, (x4) => avgPool2d(x4, geo.kernel, { stride: geo.stride, padding: [top, left], countIncludePad }))];
  },
  GlobalAveragePool: (inputs, _attrs, where) => {
    const x = need(inputs, 0, where);
    if (x.ndim < 3) throw new ShapeError(`${where}: expected [N, C, ...], got rank ${x.ndim}`);
    const axes = Array.from({ length: x.ndim - 2 }, (_, i) => i + 2);
    return [x.mean(axes, { keepDims: true })];
  },
  BatchNormalization: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => need(inputs, i, where));
    const eps = attrs.epsilon === undefined ? 1e-5 : (attrs.epsilon as number);
    // Per-channel vectors shaped [C, 1, ...] to broadcast over [N, C, ...].
    const shape = [x.shape[1], ...new Array(Math.max(0, x.ndim - 2)).fill(1)];
    const inv = variance.add(eps).sqrt().reshape(shape);
    return [x.sub(mean.reshape(shape)).div(inv).mul(scale.reshape(shape)).add(bias.reshape(shape))];
  },
  Flatten: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const axis = intAttr(attrs, 'axis', 1);
    const a = axis < 0 ? axis + x.ndim : axis;
    if (a < 0 || a > x.ndim) throw new ShapeError(`${where}: axis ${axis} out of range for rank ${x.ndim}`);
    const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
    return [x.reshape([outer, x.size / Math.max(outer, 1) || 0])];
  },
  Reshape: (inputs, _attrs, where) => {
    const x = need(inputs, 0, where);
    return [x.reshape(reshapeTarget(x.shape, intValues(need(inputs, 1, where)), where))];
  },
  Transpose: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const perm = intsAttr(attrs, 'perm') ?? Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i);
    return [x.permute(perm)];
  },
  Unsqueeze: (inputs, attrs, where) => {
    let x = need(inputs, 0, where);
    const axes = axesOf(inputs, attrs) ?? [];
    const rank = x.ndim + axes.length;
    for (const a of axes.map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q)) x = x.unsqueeze(a);
    return [x];
  },
  Squeeze: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const axes = axesOf(inputs, attrs);
    return [axes ? x.squeeze(axes.map((a) => normAxis(a, x.ndim, where))) : x.squeeze()];
  },
  Concat: (inputs, attrs, where) => {
    const parts = inputs.map((_, i) => need(inputs, i, where));
    return [concat(parts, normAxis(intAttr(attrs, 'axis', 0), parts[0].ndim, where))];
  },
  Shape: (inputs, attrs, where) => {
    const shape = need(inputs, 0, where).shape;
    const start = intAttr(attrs, 'start', 0);
    const end = attrs.end === undefined ? shape.length : (attrs.end as number);
    return [intTensor(shape.slice(start, end))];
  },
  Gather: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const index = need(inputs, 1, where);
    const axis = normAxis(intAttr(attrs, 'axis', 0), x.ndim, where);
    const n = x.shape[axis];
    const flat = intValues(index).map((i) => {
      const j = i < 0 ? i + n : i;
      if (j < 0 || j >= n) throw new ShapeError(`${where}: index ${i} out of range for dimension ${n}`);
      return j;
    });
    const picked = x.indexSelect(axis, flat);
    return [picked.reshape([...x.shape.slice(0, axis), ...index.shape, ...x.shape.slice(axis + 1)])];
  },
  Cast: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const to = intAttr(attrs, 'to', 1);
    return [to === 1 ? x.astype('float32') : to === 11 ? x.astype('float64') : to === 6 || to === 7 ? x.astype('int32') : x];
  },
  LSTM,
  GRU,
  Pad: (inputs, attrs, where) => {
    const x = need(inputs, 0, where);
    const mode = typeof attrs.mode === 'string' ? attrs.mode : 'constant';
    if (mode !== 'constant') throw new ValueError(`${where}: mode '${mode}' is not supported`);
    if (inputs[3]) throw new ValueError(`${where}: the axes input is not supported`);
    const pads = inputs[1] ? intValues(inputs[1]) : (intsAttr(attrs, 'pads') ?? []);
    if (pads.length !== 2 * x.ndim || pads.some((p) => p < 0)) throw new ShapeError(`${where}: pads must be ${2 * x.ndim} non-negative numbers, got ${JSON.stringify(pads)}`);
    const value = inputs[2] ? inputs[2].data[0] : 0;
    return [
      pad(
        x,
        x.shape.map((_, i) => [pads[i], pads[i + x.ndim]] as [number, number]),
        value,
      ),
    ];
  },
  ConstantOfShape: (inputs, attrs, where) => {
    const shape = intValues(need(inputs, 0, where));
    const proto = attrs.value;
    const value = proto !== undefined && typeof proto === 'object' && !Array.isArray(proto) ? tensorFromProto(proto, where) : full([1], 0);
    if (shape.some((d) => d < 0)) throw new ShapeError(`${where}: negative dimension in ${JSON.stringify(shape)}`);
    // The output is as large as its (computed) shape says: bounded like any tensor the file asks for.
    if (shape.reduce((p, d) => p * d, 1) > ONNX_LIMITS.maxTensorElements) throw new LimitError(`${where}: shape ${JSON.stringify(shape)} exceeds the element limit`);
    return [full(shape, value.data[0] ?? 0, { dtype: value.dtype })];
  },
  Constant: (_inputs, attrs, where) => {
    if (attrs.value !== undefined && typeof attrs.value === 'object' && !Array.isArray(attrs.value)) return [tensorFromProto(attrs.value, where)];
    if (typeof attrs.value_float === 'number') return [full([], attrs.value_float)];
    if (typeof attrs.value_int === 'number') return [intTensor([attrs.value_int], [])];
    const ints = intsAttr(attrs, 'value_ints');
    if (ints) return [intTensor(ints)];
    const floats = intsAttr(attrs, 'value_floats');
    if (floats) return [new Tensor(Float32Array.from(floats), [floats.length])];
    throw new ValueError(`${where}: Constant without a supported value`);
  },
};
