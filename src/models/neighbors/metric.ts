/**
 * The Minkowski family of distances the neighbour searches use, by their
 * exponent p: 1 (manhattan), 2 (euclidean), any p >= 1, Infinity
 * (chebyshev). Searches compare "reduced" distances (the sum of |d|^p,
 * without the final root), which order points the same way and are cheaper.
 */
import { ValueError } from '../../errors.js';

export type NeighborsMetric = 'euclidean' | 'manhattan' | 'chebyshev' | 'minkowski';

const METRICS: readonly NeighborsMetric[] = ['euclidean', 'manhattan', 'chebyshev', 'minkowski'];

/** The exponent p of `metric` (`p` is read only for 'minkowski', like scikit-learn). */
export function metricExponent(where: string, metric: unknown, p: unknown): number {
  if (!METRICS.includes(metric as NeighborsMetric)) throw new ValueError(`${where}: metric must be one of ${METRICS.join(', ')}; got ${String(metric)}`);
  if (metric === 'euclidean') return 2;
  if (metric === 'manhattan') return 1;
  if (metric === 'chebyshev') return Number.POSITIVE_INFINITY;
  if (typeof p !== 'number' || Number.isNaN(p) || p < 1) throw new ValueError(`${where}: p must be a number >= 1 (Infinity for chebyshev); got ${String(p)}`);
  return p;
}

/** Reduced distance between row `a` of A and row `b` of B (both with `d` columns). */
export function reducedDistance(A: Float64Array, a: number, B: Float64Array, b: number, d: number, p: number): number {
  let s = 0;
  const ao = a * d;
  const bo = b * d;
  if (p === 2) {
    for (let f = 0; f < d; f++) {
      const t = A[ao + f] - B[bo + f];
      s += t * t;
    }
  } else if (p === 1) {
    for (let f = 0; f < d; f++) s += Math.abs(A[ao + f] - B[bo + f]);
  } else if (p === Number.POSITIVE_INFINITY) {
    for (let f = 0; f < d; f++) s = Math.max(s, Math.abs(A[ao + f] - B[bo + f]));
  } else {
    for (let f = 0; f < d; f++) s += Math.abs(A[ao + f] - B[bo + f]) ** p;
  }
  return s;
}

/** Reduced distance of one coordinate gap `t >= 0` (for the KD-tree's box bounds). */
export function reducedGap(t: number, p: number): number {
  return p === 2 ? t * t : p === 1 || p === Number.POSITIVE_INFINITY ? t : t ** p;
}

/** Accumulates one coordinate's reduced gap into a running reduced distance. */
export function addReduced(sum: number, gap: number, p: number): number {
  return p === Number.POSITIVE_INFINITY ? Math.max(sum, gap) : sum + gap;
}

/** The distance of a reduced distance. */
export function fromReduced(r: number, p: number): number {
  return p === 2 ? Math.sqrt(r) : p === 1 || p === Number.POSITIVE_INFINITY ? r : r ** (1 / p);
}

/** The reduced distance of a distance. */
export function toReduced(dist: number, p: number): number {
  return p === 2 ? dist * dist : p === 1 || p === Number.POSITIVE_INFINITY ? dist : dist ** p;
}
