/**
 * Typed errors thrown at Frugal's public boundary. Each says what was
 * expected and what came, so a user can fix the call without reading source.
 */
export class FrugalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op (names the op and the shapes). */
export class ShapeError extends FrugalError {}

/** A dtype an op cannot take, or two dtypes that do not match. */
export class DTypeError extends FrugalError {}

/** An axis outside a tensor's dimensions. */
export class AxisError extends FrugalError {}

/** A value that is not allowed: NaN, infinity, a negative size, an unknown option. */
export class ValueError extends FrugalError {}

/** A model used (predict, score, ...) before `fit`. */
export class NotFittedError extends FrugalError {}

/** Malformed input data: a file or stream, with where the problem is. */
export class ParseError extends FrugalError {
  constructor(
    message: string,
    /** 1-based line (or record) where the problem is, when known. */
    readonly line?: number,
    /** 1-based column (or field), when known. */
    readonly column?: number,
  ) {
    super(message);
  }
}

/** A computation met a non-finite number (NaN or ±Infinity) it cannot go on from: a diverging solver, overflowing features. */
export class NumericalError extends FrugalError {}

/** Input that would need more memory or work than a configured limit allows (a huge CSV record, a declared size larger than the bytes there). */
export class LimitError extends FrugalError {}

/** A long run (training, search) stopped by its AbortSignal. */
export class AbortError extends FrugalError {}
