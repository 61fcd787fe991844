/**
 * How a tensor prints. Small tensors show every element; above
 * {@link PRINT_THRESHOLD} elements each axis longer than 2 × {@link EDGE_ITEMS}
 * shows its first and last three entries around '...', as PyTorch prints.
 */
import type { TypedArray } from './dtype.js';

/** Tensors with more elements than this print elided (PyTorch's threshold). */
export const PRINT_THRESHOLD = 1000;
/** Entries shown at each end of an elided axis. */
export const EDGE_ITEMS = 3;

function element(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
}

/** The nested-array text of data shaped `shape`, elided when large. */
export function formatElements(data: TypedArray, shape: readonly number[]): string {
  if (shape.length === 0) return element(data[0]);
  const elide = data.length > PRINT_THRESHOLD;
  const strides: number[] = new Array(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d];
  }
  const format = (dim: number, offset: number): string => {
    const len = shape[dim];
    const part = (i: number): string => (dim === shape.length - 1 ? element(data[offset + i]) : format(dim + 1, offset + i * strides[dim]));
    const items: string[] = [];
    if (elide && len > 2 * EDGE_ITEMS) {
      for (let i = 0; i < EDGE_ITEMS; i++) items.push(part(i));
      items.push('...');
      for (let i = len - EDGE_ITEMS; i < len; i++) items.push(part(i));
    } else {
      for (let i = 0; i < len; i++) items.push(part(i));
    }
    return `[${items.join(',')}]`;
  };
  return format(0, 0);
}
