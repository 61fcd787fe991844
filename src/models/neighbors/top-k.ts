/**
 * The k best (smallest distance, then smallest index) candidates of each
 * query row, kept sorted in a slice of two flat arrays. Ties are broken by
 * index, so every search (brute force in index order, the KD-tree in tree
 * order) returns the same neighbours for the same distances.
 */

/** An unfilled slot: beaten by any finite candidate. */
export const EMPTY_INDEX = 2 ** 31 - 1;

/** Fills the slots of `count` rows with empty entries. */
export function resetTopK(dist: Float64Array, idx: Int32Array): void {
  dist.fill(Number.POSITIVE_INFINITY);
  idx.fill(EMPTY_INDEX);
}

/** Whether (d, j) beats the worst kept entry, in the slot at `last`. */
export function beatsWorst(dist: Float64Array, idx: Int32Array, last: number, d: number, j: number): boolean {
  return d < dist[last] || (d === dist[last] && j < idx[last]);
}

/** Inserts (d, j) into the sorted slot [base, base + k), dropping the worst; call only when `beatsWorst`. */
export function insertTopK(dist: Float64Array, idx: Int32Array, base: number, k: number, d: number, j: number): void {
  let pos = base + k - 1;
  while (pos > base && (dist[pos - 1] > d || (dist[pos - 1] === d && idx[pos - 1] > j))) {
    dist[pos] = dist[pos - 1];
    idx[pos] = idx[pos - 1];
    pos--;
  }
  dist[pos] = d;
  idx[pos] = j;
}
