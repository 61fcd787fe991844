/** How the k neighbours of a query vote (scikit-learn's `weights`). */
import { ValueError } from '../../errors.js';

/** 'uniform': every neighbour counts the same; 'distance': by 1 / distance (a neighbour at distance 0 takes the whole vote, shared with any other at 0). */
export type NeighborsWeights = 'uniform' | 'distance';

export function checkWeights(where: string, weights: unknown): NeighborsWeights {
  if (weights !== 'uniform' && weights !== 'distance') throw new ValueError(`${where}: weights must be 'uniform' or 'distance'; got ${String(weights)}`);
  return weights;
}

/** The vote of each neighbour ([queries × k], like `distances`). */
export function neighborWeights(weights: NeighborsWeights, distances: Float64Array, k: number): Float64Array {
  if (weights === 'uniform') return new Float64Array(distances.length).fill(1);
  const w = new Float64Array(distances.length);
  for (let base = 0; base < distances.length; base += k) {
    let zeros = 0;
    for (let t = base; t < base + k; t++) if (distances[t] === 0) zeros++;
    for (let t = base; t < base + k; t++) w[t] = zeros > 0 ? (distances[t] === 0 ? 1 : 0) : 1 / distances[t];
  }
  return w;
}

/**
 * For each query row, the vote-weighted mean over its k neighbours of
 * `width` values per training point: `add(j, out, at, vote)` adds vote ×
 * point j's values to out[at, at + width). Class shares for a classifier
 * (one-hot values), the mean target for a regressor.
 */
export function weightedNeighborMean(
  indices: Int32Array,
  votes: Float64Array,
  k: number,
  width: number,
  add: (j: number, out: Float64Array, at: number, vote: number) => void,
): Float64Array {
  const rows = indices.length / k;
  const out = new Float64Array(rows * width);
  for (let q = 0; q < rows; q++) {
    let total = 0;
    for (let t = q * k; t < (q + 1) * k; t++) {
      add(indices[t], out, q * width, votes[t]);
      total += votes[t];
    }
    for (let c = q * width; c < (q + 1) * width; c++) out[c] /= total;
  }
  return out;
}
