/**
 * Brute-force neighbour search. Euclidean distances go through the GEMM:
 * ||x - y||² = ||x||² - 2 x·y + ||y||², in blocks of query and training
 * rows so memory stays bounded whatever the sizes (the product runs on the
 * backend's threads). Candidates are ranked by ||y||² - 2 x·y (adding the
 * query's ||x||² does not change the order), the k best of each row kept in
 * a sorted buffer. The k nearest are found with a float32 product and
 * decided in float64 (see `euclideanKNeighbors`); radius queries use the
 * float64 product. Other metrics compare coordinates directly.
 */
import { gemm, withResidentOperand } from '../../backend/index.js';
import { fromReduced, reducedDistance } from './metric.js';
import { beatsWorst, insertTopK, resetTopK } from './top-k.js';

/** Row-major points: `rows` × `cols` in `data`. */
export interface Points {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** The k nearest of each query: `distances` and `indices` are [queries × k], nearest first. */
export interface KNeighborsResult {
  distances: Float64Array;
  indices: Int32Array;
}

/**
 * Query rows and training rows per block: 2048 × 2048 products (16 MiB in
 * float32, 32 MiB in float64). Blocks this large keep the GEMM near its
 * best speed (about 1.7× that of 256 × 4096 blocks, measured) while memory
 * stays bounded whatever the data size.
 */
const QUERY_BLOCK = 2048;
const TRAIN_BLOCK = 2048;

/** The product buffer for the largest block these points need, and the training rows per block. */
function productBuffer<T extends Float32Array | Float64Array>(Ctor: new (n: number) => T, train: Points, query: Points): { buffer: T; trainBlock: number } {
  const trainBlock = Math.max(1, Math.min(train.rows, TRAIN_BLOCK));
  return { buffer: new Ctor(Math.min(QUERY_BLOCK, query.rows) * trainBlock), trainBlock };
}

function squaredNorms(P: Points, start: number, end: number): Float64Array {
  const out = new Float64Array(end - start);
  for (let i = start; i < end; i++) {
    let s = 0;
    for (let f = 0, o = i * P.cols; f < P.cols; f++) s += P.data[o + f] * P.data[o + f];
    out[i - start] = s;
  }
  return out;
}

/** The k nearest training rows of every query row, by brute force (`p` the Minkowski exponent). */
export function bruteKNeighbors(train: Points, query: Points, k: number, p: number): KNeighborsResult {
  const distances = new Float64Array(query.rows * k);
  const indices = new Int32Array(query.rows * k);
  resetTopK(distances, indices);
  if (p === 2) euclideanKNeighbors(train, query, k, distances, indices);
  else directKNeighbors(train, query, k, p, distances, indices);
  return { distances, indices };
}

/** Above this magnitude the float32 screen is skipped: products of 784-long rows could leave float32's range. */
const SCREEN_MAX_ABS = 1e15;
/** Smallest normal float32: inputs below it lose relative precision. */
const FLOAT32_MIN_NORMAL = 2 ** -126;

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Euclidean k nearest by a float32 screen and a float64 decision. The
 * float32 product (twice the GEMM speed of float64) gives each candidate
 * an interval certain to hold its float64 score ||y||² - 2 x·y: the error
 * of a float32 dot product of length d is at most (d + 4)·2⁻²⁴·||x||·||y||
 * (rounding of the inputs, the products and the sums, in any order), plus
 * 2⁻¹²⁶·(||x|| + ||y||) per term for inputs below float32's normal range.
 * A row keeps every candidate whose interval starts below the k-th smallest
 * interval end; only those (a few per row on real data) get their score
 * recomputed in float64, which decides the neighbours. The answer is thus
 * the float64 one, whatever the float32 rounding.
 */
function euclideanKNeighbors(train: Points, query: Points, k: number, distances: Float64Array, indices: Int32Array): void {
  const d = train.cols;
  if (maxAbs(train.data) > SCREEN_MAX_ABS || maxAbs(query.data) > SCREEN_MAX_ABS) {
    directKNeighbors(train, query, k, 2, distances, indices);
    return;
  }
  const trainNorms = squaredNorms(train, 0, train.rows);
  const trainLengths = trainNorms.map(Math.sqrt);
  const train32 = Float32Array.from(train.data);
  const { buffer: products, trainBlock } = productBuffer(Float32Array, train, query);
  const blockRows = Math.min(QUERY_BLOCK, query.rows);
  const query32 = new Float32Array(blockRows * d);
  const relative = (d + 4) * 2 ** -24;
  const underflow = d * FLOAT32_MIN_NORMAL;
  // per query row of the block: the k smallest interval ends, sorted, and the candidates with their interval starts
  const upper = new Float64Array(blockRows * k);
  const candidates = Array.from({ length: blockRows }, () => ({ j: [] as number[], lower: [] as number[] }));
  // Every query block multiplies by the same training rows: keep them in the backend's memory meanwhile.
  withResidentOperand(train32, () => {
    for (let q0 = 0; q0 < query.rows; q0 += QUERY_BLOCK) {
      const qn = Math.min(QUERY_BLOCK, query.rows - q0);
      query32.set(query.data.subarray(q0 * d, (q0 + qn) * d));
      const queryNorms = squaredNorms(query, q0, q0 + qn);
      upper.fill(Number.POSITIVE_INFINITY);
      for (const c of candidates) {
        c.j.length = 0;
        c.lower.length = 0;
      }
      for (let t0 = 0; t0 < train.rows; t0 += trainBlock) {
        const tn = Math.min(trainBlock, train.rows - t0);
        gemm({ m: qn, n: tn, k: d, a: query32, b: train32, bOffset: t0 * d, transB: true, c: products });
        for (let r = 0; r < qn; r++) {
          const queryLength = Math.sqrt(queryNorms[r]);
          // margin = slope·||y|| + offset: twice the dot product's error bound
          const slope = 2 * (relative * queryLength + underflow);
          const offset = 2 * underflow * queryLength;
          const last = r * k + k - 1;
          let end = upper[last];
          const { j: list, lower } = candidates[r];
          const row = r * tn;
          for (let j = 0; j < tn; j++) {
            const margin = slope * trainLengths[t0 + j] + offset;
            const score = trainNorms[t0 + j] - 2 * products[row + j];
            if (score - margin > end) continue;
            list.push(t0 + j);
            lower.push(score - margin);
            const u = score + margin;
            if (u < end) {
              let pos = last;
              while (pos > r * k && upper[pos - 1] > u) {
                upper[pos] = upper[pos - 1];
                pos--;
              }
              upper[pos] = u;
              end = upper[last];
            }
          }
        }
      }
      for (let r = 0; r < qn; r++) {
        const q = q0 + r;
        const base = q * k;
        const last = base + k - 1;
        const end = upper[r * k + k - 1];
        const { j: list, lower } = candidates[r];
        for (let c = 0; c < list.length; c++) {
          if (lower[c] > end) continue;
          const j = list[c];
          let dot = 0;
          for (let f = 0, qo = q * d, to = j * d; f < d; f++) dot += query.data[qo + f] * train.data[to + f];
          const score = trainNorms[j] - 2 * dot;
          if (beatsWorst(distances, indices, last, score, j)) insertTopK(distances, indices, base, k, score, j);
        }
        for (let t = base; t <= last; t++) distances[t] = Math.sqrt(Math.max(distances[t] + queryNorms[r], 0));
      }
    }
  });
}

/** Every pair compared coordinate by coordinate (metrics other than euclidean, and euclidean on huge values). */
function directKNeighbors(train: Points, query: Points, k: number, p: number, distances: Float64Array, indices: Int32Array): void {
  for (let q = 0; q < query.rows; q++) {
    const base = q * k;
    const last = base + k - 1;
    for (let j = 0; j < train.rows; j++) {
      const r = reducedDistance(query.data, q, train.data, j, train.cols, p);
      if (beatsWorst(distances, indices, last, r, j)) insertTopK(distances, indices, base, k, r, j);
    }
    for (let t = base; t <= last; t++) distances[t] = fromReduced(distances[t], p);
  }
}

/**
 * Calls `accept(q, j, distance)` for every training row j within `radius`
 * (inclusive) of query row q; for each q, in ascending j.
 */
export function bruteRadius(train: Points, query: Points, radius: number, p: number, accept: (q: number, j: number, dist: number) => void): void {
  const d = train.cols;
  if (p !== 2) {
    for (let q = 0; q < query.rows; q++) {
      for (let j = 0; j < train.rows; j++) {
        const dist = fromReduced(reducedDistance(query.data, q, train.data, j, d, p), p);
        if (dist <= radius) accept(q, j, dist);
      }
    }
    return;
  }
  const trainNorms = squaredNorms(train, 0, train.rows);
  const { buffer: products, trainBlock } = productBuffer(Float64Array, train, query);
  for (let q0 = 0; q0 < query.rows; q0 += QUERY_BLOCK) {
    const qn = Math.min(QUERY_BLOCK, query.rows - q0);
    const queryNorms = squaredNorms(query, q0, q0 + qn);
    for (let t0 = 0; t0 < train.rows; t0 += trainBlock) {
      const tn = Math.min(trainBlock, train.rows - t0);
      gemm({ m: qn, n: tn, k: d, a: query.data, aOffset: q0 * d, b: train.data, bOffset: t0 * d, transB: true, c: products });
      for (let r = 0; r < qn; r++) {
        for (let j = 0; j < tn; j++) {
          const dist = Math.sqrt(Math.max(queryNorms[r] + trainNorms[t0 + j] - 2 * products[r * tn + j], 0));
          if (dist <= radius) accept(q0 + r, t0 + j, dist);
        }
      }
    }
  }
}
