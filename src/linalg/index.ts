/**
 * Dense float64 linear algebra on row-major `Float64Array` matrices
 * (`Matrix = {data, rows, cols}`; vectors are `Float64Array`s). The Tensor-level
 * `linalg.*` functions wrap these.
 */
export type { Matrix } from './matrix.js';
export { matrix, fromRows, toRows, zeros, identity, diag, copyMatrix, transpose, matmul, matvec } from './matrix.js';
export { solveTriangular, type TriangularOptions } from './triangular.js';
export { cholesky, choleskySolve } from './cholesky.js';
export { lu, luSolve, solve, inv, det, slogdet, type LU } from './lu.js';
export { qr, type QR, type QROptions } from './qr.js';
export { eigh, eigvalsh, type Eigh } from './eigh.js';
export { svd, svdvals, type SVD, type SVDOptions } from './svd.js';
export { pinv, type PinvOptions } from './pinv.js';
export { lstsq, type LstsqOptions, type LstsqResult } from './lstsq.js';
