import { AxisError, ShapeError, ValueError } from '../errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  // Indexed, not for-of, which cost V8 about twice as much here (every tensor made pays it).
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides (in elements). */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function checkShape(shape: Shape, what = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${what} must be an array of sizes, got ${String(shape)}`);
  // Copied by index (not [...shape]): Tensor freezes the copy, which costs V8 half as much for such an array (every tensor made pays it).
  const dims = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what} [${shape.join(', ')}] has an invalid size ${d}; sizes are integers >= 0`);
    dims[i] = d + 0; // -0 as 0
  }
  return dims;
}

/**
 * Frozen two-dimensional shapes, shared by the tensors made with them: a
 * frozen array cannot change, so sharing it is safe, and freezing a new array
 * costs V8 about as much as the rest of making a small tensor (a model
 * answering one sample at a time makes the same few shapes again and again:
 * sharing them made such a call 6–10 % faster). A table of 256 slots, each
 * holding the last shape whose sizes hash to it.
 */
const sharedShapes: Shape[] = [];
/** The sizes of the shape in each slot (comparing the frozen arrays' own elements instead gained about half as much). */
const sharedSizes = new Float64Array(512);

/** `shape` checked (checkShape) and frozen: the shared array of a two-dimensional shape where its slot holds it, else a frozen copy (kept in the slot). */
export function frozenShape(shape: Shape): Shape {
  const dims = checkShape(shape);
  if (dims.length !== 2) return Object.freeze(dims);
  const d0 = dims[0],
    d1 = dims[1];
  const slot = (d0 * 31 + d1) & 255;
  const shared = sharedShapes[slot];
  if (shared && sharedSizes[2 * slot] === d0 && sharedSizes[2 * slot + 1] === d1) return shared;
  sharedSizes[2 * slot] = d0;
  sharedSizes[2 * slot + 1] = d1;
  return (sharedShapes[slot] = Object.freeze(dims));
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis; throws AxisError naming the op. */
export function normAxis(axis: number, ndim: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new AxisError(`${op}: axis ${axis} is out of range for a tensor of ${ndim} dimension${ndim === 1 ? '' : 's'} (valid: ${-ndim}..${ndim - 1})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalises an axis list (undefined means all axes), sorted and without repeats. */
export function normAxes(axes: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => normAxis(a, ndim, op));
  if (new Set(out).size !== out.length) throw new AxisError(`${op}: axes [${list.join(', ')}] repeat an axis`);
  return out.sort((x, y) => x - y);
}

export function checkFinitePositiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${what} must be a positive integer, got ${value}`);
  return value;
}
