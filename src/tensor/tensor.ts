import { ShapeError, ValueError } from '../errors.js';
import { arrayFor, checkDType, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { frozenShape, sameShape, shapeStr, sizeOf, type Shape } from './shape.js';
import { backward, isGradEnabled, record, type GradNode, type GradOptions } from '../autograd/graph.js';
import { FrugalError } from '../errors.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';
import * as ix from './ops/indexing.js';
import { formatElements } from './format.js';
import { checkOptions } from '../utils/options.js';
import { matmul } from './ops/matmul.js';

export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array of float32, float64 or int32, stored contiguously
 * in row-major order in a JavaScript typed array (so the garbage collector
 * owns it: nobody calls dispose()).
 *
 * A tensor is immutable once made, except through the explicit in-place
 * helpers optimisers use (`assign_`, `sub_`, ...), which refuse tensors that
 * are part of a recorded graph.
 */
export class Tensor {
  /** The elements, row-major. Length equals `size`. */
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Gradient accumulated by `backward()`; null until then. */
  grad: Tensor | null = null;
  /** @internal How this tensor was computed, when it needs a gradient. */
  gradNode: GradNode | null = null;
  private _requiresGrad = false;

  constructor(data: TypedArray, shape: Shape, options: { requiresGrad?: boolean } = {}) {
    const dims = frozenShape(shape);
    const n = sizeOf(dims);
    if (data.length !== n) {
      throw new ShapeError(`Tensor: ${data.length} elements do not fill shape ${shapeStr(dims)} (${n} elements)`);
    }
    this.data = data;
    this.shape = dims;
    this.dtype = dtypeOf(data);
    if (options.requiresGrad) this.requiresGrad = true;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True for parameters that asked for gradients and for results computed from them. */
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradNode !== null;
  }

  /** Leaf tensors (parameters) ask for gradients with this flag. */
  set requiresGrad(value: boolean) {
    if (this.gradNode) throw new FrugalError('requiresGrad: can only be set on leaf tensors; use detach() to make a new leaf');
    if (value && this.dtype === 'int32') throw new ValueError('requiresGrad: only float tensors can require gradients (this one is int32)');
    this._requiresGrad = value;
  }

  /** A tensor not computed by a recorded op (a parameter or an input). */
  get isLeaf(): boolean {
    return this.gradNode === null;
  }

  /** The single element of a one-element tensor, as a number. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** Nested JavaScript arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const { data, shape } = this;
    if (shape.length === 0) return data[0];
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const len = shape[dim];
      const inner = stride / (len || 1);
      const out: NestedArray[] = new Array(len);
      if (dim === shape.length - 1) {
        for (let i = 0; i < len; i++) out[i] = data[offset + i];
      } else {
        for (let i = 0; i < len; i++) out[i] = build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  // ------------------------------------------------------------- autograd ---

  /** Accumulates the gradient of this (scalar) tensor into every leaf's `.grad`. */
  backward(gradient?: Tensor | null, options: GradOptions = {}): void {
    backward(this, gradient, options);
  }

  /** The same data, cut off from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy of the data; gradients flow through it. */
  clone(): Tensor {
    return record(new Tensor(this.data.slice() as TypedArray, this.shape), 'clone', [this], (g) => [g]);
  }

  /** A copy converted to another dtype (float → int truncates toward zero). */
  astype(dtype: DType): Tensor {
    checkDType(dtype);
    if (dtype === this.dtype) return this;
    const out = new Tensor(copyAs(this.data, dtype), this.shape);
    if (dtype === 'int32') return out;
    return record(out, 'astype', [this], (g) => [g.astype(this.dtype)]);
  }

  zerosLike(): Tensor {
    return new Tensor(arrayFor(this.dtype, this.size), this.shape);
  }

  onesLike(): Tensor {
    return new Tensor(arrayFor(this.dtype, this.size).fill(1), this.shape);
  }

  // ------------------------------------------------------------ in place ---
  // For optimisers and initialisers: they change a parameter's data without
  // recording a graph, so they are refused while recording would need them.

  private checkInPlace(op: string): void {
    if (this.requiresGrad && isGradEnabled()) {
      throw new FrugalError(`${op}: in-place change of a tensor that requires a gradient; wrap it in noGrad(() => ...)`);
    }
  }

  /** Copies `source` (same shape) into this tensor's data. */
  assign_(source: Tensor | ArrayLike<number>): this {
    this.checkInPlace('assign_');
    const values = source instanceof Tensor ? source.data : source;
    if (source instanceof Tensor && !sameShape(source.shape, this.shape)) {
      throw new ShapeError(`assign_: source shape ${shapeStr(source.shape)} differs from ${shapeStr(this.shape)}`);
    }
    if (values.length !== this.size) throw new ShapeError(`assign_: ${values.length} values for a tensor of ${this.size}`);
    this.data.set(values);
    return this;
  }

  fill_(value: number): this {
    this.checkInPlace('fill_');
    this.data.fill(value);
    return this;
  }

  // ------------------------------------------------------------ element-wise ---

  add(other: Tensor | number): Tensor {
    return ew.add(this, other);
  }
  sub(other: Tensor | number): Tensor {
    return ew.sub(this, other);
  }
  mul(other: Tensor | number): Tensor {
    return ew.mul(this, other);
  }
  div(other: Tensor | number): Tensor {
    return ew.div(this, other);
  }
  pow(exponent: Tensor | number): Tensor {
    return ew.pow(this, exponent);
  }
  maximum(other: Tensor | number): Tensor {
    return ew.maximum(this, other);
  }
  minimum(other: Tensor | number): Tensor {
    return ew.minimum(this, other);
  }
  eq(other: Tensor | number): Tensor {
    return ew.eq(this, other);
  }
  ne(other: Tensor | number): Tensor {
    return ew.ne(this, other);
  }
  lt(other: Tensor | number): Tensor {
    return ew.lt(this, other);
  }
  le(other: Tensor | number): Tensor {
    return ew.le(this, other);
  }
  gt(other: Tensor | number): Tensor {
    return ew.gt(this, other);
  }
  ge(other: Tensor | number): Tensor {
    return ew.ge(this, other);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  sign(): Tensor {
    return ew.sign(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  log1p(): Tensor {
    return ew.log1p(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  square(): Tensor {
    return ew.square(this);
  }
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  tanh(): Tensor {
    return ew.tanh(this);
  }
  relu(): Tensor {
    return ew.relu(this);
  }
  leakyRelu(negativeSlope = 0.01): Tensor {
    return ew.leakyRelu(this, negativeSlope);
  }
  elu(alpha = 1): Tensor {
    return ew.elu(this, alpha);
  }
  gelu(): Tensor {
    return ew.gelu(this);
  }
  softplus(): Tensor {
    return ew.softplus(this);
  }
  sin(): Tensor {
    return ew.sin(this);
  }
  cos(): Tensor {
    return ew.cos(this);
  }
  erf(): Tensor {
    return ew.erf(this);
  }
  clip(min?: number, max?: number): Tensor {
    return ew.clip(this, min, max);
  }

  // -------------------------------------------------------------- reductions ---

  sum(axes?: red.Axes, options?: red.ReduceOptions): Tensor {
    return red.sum(this, axes, options);
  }
  mean(axes?: red.Axes, options?: red.ReduceOptions): Tensor {
    return red.mean(this, axes, options);
  }
  max(axes?: red.Axes, options?: red.ReduceOptions): Tensor {
    return red.max(this, axes, options);
  }
  min(axes?: red.Axes, options?: red.ReduceOptions): Tensor {
    return red.min(this, axes, options);
  }
  argmax(axis?: number, options?: red.ReduceOptions): Tensor {
    return red.argmax(this, axis, options);
  }
  argmin(axis?: number, options?: red.ReduceOptions): Tensor {
    return red.argmin(this, axis, options);
  }
  var(axes?: red.Axes, options?: red.VarOptions): Tensor {
    return red.variance(this, axes, options);
  }
  std(axes?: red.Axes, options?: red.VarOptions): Tensor {
    return red.std(this, axes, options);
  }
  logSumExp(axes?: red.Axes, options?: red.ReduceOptions): Tensor {
    return red.logSumExp(this, axes, options);
  }
  softmax(axis = -1): Tensor {
    return red.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return red.logSoftmax(this, axis);
  }

  // ------------------------------------------------------------------- shape ---

  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return sh.reshape(this, Array.isArray(shape[0]) ? (shape[0] as number[]) : (shape as number[]));
  }
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return sh.flatten(this, startAxis, endAxis);
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return sh.permute(this, Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]));
  }
  transpose(axis0 = -2, axis1 = -1): Tensor {
    return sh.transpose(this, axis0, axis1);
  }
  /** The matrix transpose of a 2-D tensor (last two axes otherwise). */
  get T(): Tensor {
    return sh.transpose(this);
  }
  expand(shape: readonly number[]): Tensor {
    return sh.expand(this, shape);
  }
  squeeze(axes?: number | readonly number[]): Tensor {
    return sh.squeeze(this, axes);
  }
  unsqueeze(axis: number): Tensor {
    return sh.unsqueeze(this, axis);
  }
  slice(ranges: readonly sh.SliceRange[]): Tensor {
    return sh.slice(this, ranges);
  }
  split(sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
    return sh.split(this, sizesOrCount, axis);
  }
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor {
    return sh.pad(this, pads, value);
  }
  flip(axes: number | readonly number[]): Tensor {
    return sh.flip(this, axes);
  }
  gather(axis: number, index: Tensor): Tensor {
    return sh.gather(this, axis, index);
  }
  indexSelect(axis: number, indices: Tensor | readonly number[]): Tensor {
    return sh.indexSelect(this, axis, indices);
  }

  // ---------------------------------------------------- indexing and order ---

  /** The slice at position i of `axis`, that axis removed (x.select(0, -1) is x[-1]). */
  select(axis: number, i: number): Tensor {
    return ix.select(this, axis, i);
  }
  /** Integer indexing of the leading axes: x.index(1, -1) is PyTorch's x[1, -1]. */
  index(...indices: number[]): Tensor {
    return ix.index(this, ...indices);
  }
  /** Sorted values along `axis` and their positions (stable). */
  sort(axis = -1, options?: ix.SortOptions): ix.SortResult {
    return ix.sort(this, axis, options);
  }
  /** The k largest (or smallest) values along `axis` with their positions. */
  topk(k: number, axis = -1, options?: ix.TopkOptions): ix.SortResult {
    return ix.topk(this, k, axis, options);
  }
  cumsum(axis: number): Tensor {
    return ix.cumsum(this, axis);
  }
  /** The p-norm ('fro'/2 default, 1, Infinity, -Infinity, 0, any p) over `axes` (default all). */
  norm(p?: ix.NormOrder, axes?: number | readonly number[], options?: ix.NormOptions): Tensor {
    return ix.norm(this, p, axes, options);
  }

  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  /** `Tensor([[1,2],[3,4]], shape=[2, 2], dtype=float32)`; above 1000 elements each long axis shows its first and last 3 entries around '...'. */
  toString(): string {
    return `Tensor(${formatElements(this.data, this.shape)}, shape=${shapeStr(this.shape)}, dtype=${this.dtype})`;
  }
}

function inferShape(values: NestedArray, path: number[] = []): number[] {
  if (!Array.isArray(values)) return [];
  const shape = [values.length];
  if (values.length > 0) shape.push(...inferShape(values[0], [...path, 0]));
  return shape;
}

function flattenInto(values: NestedArray, shape: number[], dim: number, out: TypedArray, pos: { i: number }, path: number[]): void {
  if (dim === shape.length) {
    if (Array.isArray(values)) throw new ShapeError(`tensor: ragged nested array at [${path.join('][')}]: expected a number, found an array`);
    const v = typeof values === 'boolean' ? (values ? 1 : 0) : values;
    if (typeof v !== 'number') throw new ValueError(`tensor: element at [${path.join('][')}] is ${typeof v} (${String(v)}), expected a number`);
    out[pos.i++] = v;
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    const got = Array.isArray(values) ? `length ${values.length}` : 'a number';
    throw new ShapeError(`tensor: ragged nested array at [${path.join('][')}]: expected length ${shape[dim]}, found ${got}`);
  }
  for (let i = 0; i < values.length; i++) flattenInto(values[i], shape, dim + 1, out, pos, [...path, i]);
}

export interface TensorOptions {
  dtype?: DType;
  shape?: Shape;
  requiresGrad?: boolean;
}

/**
 * Makes a tensor from nested arrays, a typed array (with `shape`), or a
 * number. Typed arrays are used as they are, without a copy, when their
 * type already matches `dtype`.
 */
export function tensor(values: NestedArray | TypedArray | readonly number[], options: TensorOptions = {}): Tensor {
  checkOptions('tensor', options, ['dtype', 'shape', 'requiresGrad']);
  if (ArrayBuffer.isView(values)) {
    const data = values as TypedArray;
    const dtype = options.dtype ? checkDType(options.dtype) : dtypeOf(data);
    const shape = options.shape ?? [data.length];
    const arr = dtypeOf(data) === dtype ? data : copyAs(data, dtype);
    return new Tensor(arr, shape, options);
  }
  const dtype = checkDType(options.dtype ?? 'float32');
  const inferred = inferShape(values as NestedArray);
  const out = arrayFor(dtype, sizeOf(inferred));
  flattenInto(values as NestedArray, inferred, 0, out, { i: 0 }, []);
  const shape = options.shape ?? inferred;
  return new Tensor(out, shape, options);
}

export function copyAs(data: TypedArray, dtype: DType): TypedArray {
  const out = arrayFor(dtype, data.length);
  if (dtype === 'int32') {
    for (let i = 0; i < data.length; i++) out[i] = Math.trunc(data[i]);
  } else {
    out.set(data);
  }
  return out;
}

/** Throws a ValueError naming `where` unless `value` is a Tensor (null, a plain array, …). */
export function assertTensor(value: unknown, where: string, what: string): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new ValueError(`${where}: ${what} must be a Tensor, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
}
