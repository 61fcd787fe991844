/** Shape ops: views that share data (reshape) and copies (permute, slice, concat, ...), with gradients. */
import { record } from '../../autograd/graph.js';
import { AxisError, DTypeError, ShapeError, ValueError } from '../../errors.js';
import { arrayFor, promote, type TypedArray } from '../dtype.js';
import { permuteKernel } from '../loops/reduce.js';
import { broadcastShapes, checkShape, normAxes, normAxis, sameShape, shapeStr, sizeOf, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { expandRaw } from './elementwise.js';
import { sumTo } from './reduce.js';

/** Same data, new shape; one size may be -1 (inferred). Shares the underlying array. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const dims = [...shape];
  const free = dims.indexOf(-1);
  if (free !== -1) {
    if (dims.indexOf(-1, free + 1) !== -1) throw new ShapeError(`reshape: only one size may be -1, got ${shapeStr(shape)}`);
    const known = sizeOf(dims.filter((_d, i) => i !== free));
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
    dims[free] = x.size / known;
  }
  checkShape(dims, 'reshape');
  if (sizeOf(dims) !== x.size) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
  if (sameShape(dims, x.shape)) return x;
  return record(new Tensor(x.data, dims), 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis(startAxis, x.ndim, 'flatten');
  const e = normAxis(endAxis, x.ndim, 'flatten');
  if (s > e) throw new AxisError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Reorders axes: output axis i is input axis dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new AxisError(`permute: got ${dims.length} axes [${dims.join(', ')}] for a tensor of ${x.ndim} dimensions`);
  const perm = dims.map((d) => normAxis(d, x.ndim, 'permute'));
  if (new Set(perm).size !== perm.length) throw new AxisError(`permute: axes [${dims.join(', ')}] repeat an axis`);
  if (perm.every((p, i) => p === i)) return x;
  const out = arrayFor(x.dtype, x.size);
  permuteKernel(x.data, x.shape, perm, out);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return record(
    new Tensor(
      out,
      perm.map((p) => x.shape[p]),
    ),
    'permute',
    [x],
    (g) => [permute(g, inverse)],
  );
}

/** Swaps two axes (the last two by default: the matrix transpose). */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  if (x.ndim < 2 && axis0 === -2 && axis1 === -1) return x;
  const a = normAxis(axis0, x.ndim, 'transpose');
  const b = normAxis(axis1, x.ndim, 'transpose');
  const perm = [...x.shape.keys()];
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Broadcasts x to `shape` (a copy); the gradient sums back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes(x.shape, shape, 'expand');
  if (!sameShape(target, shape)) throw new ShapeError(`expand: cannot expand ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  return record(expandRaw(x, shape), 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const ax = axes === undefined ? [...x.shape.keys()].filter((i) => x.shape[i] === 1) : normAxes(axes, x.ndim, 'squeeze');
  for (const a of ax) if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} has size ${x.shape[a]}, not 1 (shape ${shapeStr(x.shape)})`);
  return reshape(
    x,
    x.shape.filter((_, i) => !ax.includes(i)),
  );
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** A range along one axis: [start, end) with step (negative indices count from the end). */
export type SliceRange = readonly [start?: number, end?: number, step?: number] | null | undefined;

interface ResolvedRange {
  start: number;
  count: number;
  step: number;
}

function resolveRanges(shape: readonly number[], ranges: readonly SliceRange[], op: string): ResolvedRange[] {
  if (ranges.length > shape.length) throw new AxisError(`${op}: ${ranges.length} ranges for a tensor of ${shape.length} dimensions`);
  return shape.map((size, axis) => {
    const r = ranges[axis];
    if (!r) return { start: 0, count: size, step: 1 };
    const step = r[2] ?? 1;
    if (!Number.isInteger(step) || step <= 0) throw new ValueError(`${op}: step must be a positive integer, got ${step} on axis ${axis}`);
    const clamp = (v: number | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v)) throw new ValueError(`${op}: index ${v} on axis ${axis} is not an integer`);
      const w = v < 0 ? v + size : v;
      return Math.min(Math.max(w, 0), size);
    };
    const start = clamp(r[0], 0);
    const end = clamp(r[1], size);
    return { start, count: Math.max(0, Math.ceil((end - start) / step)), step };
  });
}

/** Copies between a tensor and a strided window of another of shape `full` (both directions). */
function copyWindow(full: readonly number[], ranges: ResolvedRange[], src: ArrayLike<number>, dst: { [i: number]: number }, toWindow: boolean, accumulate = false): void {
  const strides = stridesOf(full);
  const counts = ranges.map((r) => r.count);
  const total = sizeOf(counts);
  if (total === 0) return;
  const nd = full.length;
  if (nd === 0) {
    dst[0] = src[0];
    return;
  }
  let base = 0;
  for (let d = 0; d < nd; d++) base += ranges[d].start * strides[d];
  const index = new Array<number>(nd).fill(0);
  const inner = counts[nd - 1];
  const innerStep = ranges[nd - 1].step * strides[nd - 1];
  let offset = base;
  for (let o = 0; o < total; o += inner) {
    if (toWindow) for (let i = 0; i < inner; i++) dst[o + i] = src[offset + i * innerStep];
    else if (accumulate) for (let i = 0; i < inner; i++) dst[offset + i * innerStep] += src[o + i];
    else for (let i = 0; i < inner; i++) dst[offset + i * innerStep] = src[o + i];
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      offset += ranges[d].step * strides[d];
      if (index[d] < counts[d]) break;
      offset -= ranges[d].step * strides[d] * counts[d];
      index[d] = 0;
    }
  }
}

/** A strided window: slice(x, [[0, 2], null, [1, -1, 2]]). Ranges left out take the whole axis. */
export function slice(x: Tensor, ranges: readonly SliceRange[]): Tensor {
  const rs = resolveRanges(x.shape, ranges, 'slice');
  const shape = rs.map((r) => r.count);
  const out = arrayFor(x.dtype, sizeOf(shape));
  copyWindow(x.shape, rs, x.data, out, true);
  return record(new Tensor(out, shape), 'slice', [x], (g) => [unslice(g, x.shape, rs)]);
}

/** The adjoint of slice: g placed into zeros of shape `full`. */
function unslice(g: Tensor, full: readonly number[], rs: ResolvedRange[]): Tensor {
  const out = arrayFor(g.dtype, sizeOf(full));
  copyWindow(full, rs, g.data, out, false);
  const ranges = rs.map((r) => [r.start, r.start + r.count * r.step, r.step] as const);
  return record(new Tensor(out, full), 'unslice', [g], (h) => [slice(h, ranges)]);
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('concat: needs at least one tensor');
  const first = tensors[0];
  const a = normAxis(axis, first.ndim, 'concat');
  let dtype = first.dtype;
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${tensors.map((u) => shapeStr(u.shape)).join(', ')} differ outside axis ${a}`);
    }
    dtype = promote(dtype, t.dtype);
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((n, t) => n + t.shape[a], 0);
  const out = arrayFor(dtype, sizeOf(shape));
  const outer = sizeOf(shape.slice(0, a));
  const inner = sizeOf(shape.slice(a + 1));
  const rowOut = shape[a] * inner;
  let offset = 0;
  for (const t of tensors) {
    const rowIn = t.shape[a] * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * rowIn, (o + 1) * rowIn), o * rowOut + offset);
    offset += rowIn;
  }
  const sizes = tensors.map((t) => t.shape[a]);
  return record(new Tensor(out, shape), 'concat', tensors, (g) => split(g, sizes, a));
}

/** Joins tensors of one shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack: needs at least one tensor');
  const a = normAxis(axis, tensors[0].ndim + 1, 'stack');
  for (const t of tensors) {
    if (!sameShape(t.shape, tensors[0].shape)) throw new ShapeError(`stack: shapes ${tensors.map((u) => shapeStr(u.shape)).join(', ')} differ`);
  }
  return concat(
    tensors.map((t) => unsqueeze(t, a)),
    a,
  );
}

/** Splits along an axis into pieces of the given sizes, or into n equal pieces. */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis(axis, x.ndim, 'split');
  const len = x.shape[a];
  let sizes: number[];
  if (typeof sizesOrCount === 'number') {
    if (!Number.isInteger(sizesOrCount) || sizesOrCount <= 0 || len % sizesOrCount !== 0) {
      throw new ShapeError(`split: axis ${a} of size ${len} cannot be split into ${sizesOrCount} equal pieces`);
    }
    sizes = new Array<number>(sizesOrCount).fill(len / sizesOrCount);
  } else {
    sizes = [...sizesOrCount];
    if (sizes.reduce((s, v) => s + v, 0) !== len) throw new ShapeError(`split: sizes [${sizes.join(', ')}] do not add up to axis ${a}'s size ${len}`);
  }
  let start = 0;
  return sizes.map((s) => {
    const ranges: SliceRange[] = x.shape.map(() => null);
    ranges[a] = [start, start + s];
    start += s;
    return slice(x, ranges);
  });
}

/** Pads with a constant: pads[i] = [before, after] for axis i (missing axes: none). */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  if (pads.length > x.ndim) throw new AxisError(`pad: ${pads.length} pad pairs for a tensor of ${x.ndim} dimensions`);
  const full = x.shape.map((d, i) => {
    const [before, after] = pads[i] ?? [0, 0];
    if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
      throw new ValueError(`pad: pads on axis ${i} must be non-negative integers, got [${before}, ${after}]`);
    }
    return d + before + after;
  });
  const out = arrayFor(x.dtype, sizeOf(full));
  if (value !== 0) out.fill(value);
  const rs = x.shape.map((d, i) => ({ start: (pads[i] ?? [0, 0])[0], count: d, step: 1 }));
  copyWindow(full, rs, x.data, out, false);
  const ranges = rs.map((r) => [r.start, r.start + r.count] as const);
  return record(new Tensor(out, full), 'pad', [x], (g) => [slice(g, ranges)]);
}

/** Reverses the order of elements along the given axes. */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  const ax = normAxes(axes, x.ndim, 'flip');
  const out = arrayFor(x.dtype, x.size);
  const strides = stridesOf(x.shape);
  const nd = x.ndim;
  const index = new Array<number>(nd).fill(0);
  for (let i = 0; i < x.size; i++) {
    let src = 0;
    for (let d = 0; d < nd; d++) src += (ax.includes(d) ? x.shape[d] - 1 - index[d] : index[d]) * strides[d];
    out[i] = x.data[src];
    for (let d = nd - 1; d >= 0; d--) {
      if (++index[d] < x.shape[d]) break;
      index[d] = 0;
    }
  }
  return record(new Tensor(out, x.shape), 'flip', [x], (g) => [flip(g, ax)]);
}

function checkIndex(index: Tensor, op: string): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: indices must be an int32 tensor, got ${index.dtype}`);
}

/** Rows (or slices) of x along `axis` at the given indices (torch.index_select). */
export function indexSelect(x: Tensor, axis: number, indices: Tensor | readonly number[]): Tensor {
  const idx = indices instanceof Tensor ? indices : new Tensor(Int32Array.from(indices), [indices.length]);
  checkIndex(idx, 'indexSelect');
  if (idx.ndim !== 1) throw new ShapeError(`indexSelect: indices must be 1-D, got shape ${shapeStr(idx.shape)}`);
  const a = normAxis(axis, x.ndim, 'indexSelect');
  const len = x.shape[a];
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const n = idx.size;
  const shape = [...x.shape];
  shape[a] = n;
  const out = arrayFor(x.dtype, sizeOf(shape));
  for (let j = 0; j < n; j++) {
    const k = idx.data[j];
    if (k < -len || k >= len) throw new ValueError(`indexSelect: index ${k} is out of range for axis ${a} of size ${len}`);
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const k = idx.data[j] < 0 ? idx.data[j] + len : idx.data[j];
      out.set(x.data.subarray((o * len + k) * inner, (o * len + k + 1) * inner), (o * n + j) * inner);
    }
  }
  return record(new Tensor(out, shape), 'indexSelect', [x], (g) => [indexAdd(g, a, idx, x.shape)]);
}

/** Adjoint of indexSelect: zeros of `shape` with g's slices added at the indices. */
function indexAdd(g: Tensor, a: number, idx: Tensor, shape: readonly number[]): Tensor {
  const len = shape[a];
  const outer = sizeOf(shape.slice(0, a));
  const inner = sizeOf(shape.slice(a + 1));
  const n = idx.size;
  const out = arrayFor(g.dtype, sizeOf(shape));
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const k = idx.data[j] < 0 ? idx.data[j] + len : idx.data[j];
      const dst = (o * len + k) * inner,
        src = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += g.data[src + i];
    }
  }
  return record(new Tensor(out, shape), 'indexAdd', [g], (h) => [indexSelect(h, a, idx)]);
}

/** torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for axis 1, and likewise for any axis. */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkIndex(index, 'gather');
  const a = normAxis(axis, x.ndim, 'gather');
  if (index.ndim !== x.ndim) throw new ShapeError(`gather: index of shape ${shapeStr(index.shape)} must have as many dimensions as input ${shapeStr(x.shape)}`);
  for (let d = 0; d < x.ndim; d++) {
    if (d !== a && index.shape[d] > x.shape[d]) throw new ShapeError(`gather: index shape ${shapeStr(index.shape)} exceeds input shape ${shapeStr(x.shape)} on axis ${d}`);
  }
  return takeFlat(x, gatherOffsets(x.shape, a, index), index.shape);
}

/** For each element of index, the flat offset into x it reads. */
function gatherOffsets(shape: readonly number[], a: number, index: Tensor): Int32Array {
  const strides = stridesOf(shape);
  const nd = shape.length;
  const pos = new Array<number>(nd).fill(0);
  const map = new Int32Array(index.size);
  for (let i = 0; i < index.size; i++) {
    let k = index.data[i];
    if (k < -shape[a] || k >= shape[a]) throw new ValueError(`gather: index ${k} is out of range for axis ${a} of size ${shape[a]}`);
    if (k < 0) k += shape[a];
    let off = 0;
    for (let d = 0; d < nd; d++) off += (d === a ? k : pos[d]) * strides[d];
    map[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d] < index.shape[d]) break;
      pos[d] = 0;
    }
  }
  return map;
}

/**
 * out[i] = x.flat[offsets[i]], shaped `shape`. With putAddFlat (its adjoint)
 * this pair carries gather, scatterAdd and max pooling, gradients of
 * gradients included.
 */
export function takeFlat(x: Tensor, offsets: Int32Array, shape: readonly number[], gathered?: TypedArray): Tensor {
  // `gathered`: the values at the offsets, when the kernel that found them also read them.
  let out = gathered;
  if (!out) {
    out = arrayFor(x.dtype, offsets.length);
    for (let i = 0; i < offsets.length; i++) out[i] = x.data[offsets[i]];
  }
  return record(new Tensor(out, shape), 'takeFlat', [x], (g) => [putAddFlat(g, offsets, x.shape)]);
}

/** Zeros of `fullShape` with g.flat[i] added at offsets[i]. */
export function putAddFlat(g: Tensor, offsets: Int32Array, fullShape: readonly number[]): Tensor {
  const out = arrayFor(g.dtype, sizeOf(fullShape));
  for (let i = 0; i < offsets.length; i++) out[offsets[i]] += g.data[i];
  return record(new Tensor(out, fullShape), 'putAddFlat', [g], (h) => [takeFlat(h, offsets, g.shape)]);
}

/** Adds src into zeros of `shape` (or into `base`) at index along axis (torch.scatter_add). */
export function scatterAdd(base: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  checkIndex(index, 'scatterAdd');
  const a = normAxis(axis, base.ndim, 'scatterAdd');
  if (!sameShape(index.shape, src.shape)) throw new ShapeError(`scatterAdd: index ${shapeStr(index.shape)} and src ${shapeStr(src.shape)} must have one shape`);
  return base.add(putAddFlat(src, gatherOffsets(base.shape, a, index), base.shape));
}
