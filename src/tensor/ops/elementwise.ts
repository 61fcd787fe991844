/** Element-wise ops with broadcasting, and their gradients. */
import { isGradEnabled, record } from '../../autograd/graph.js';
import { DTypeError, ValueError } from '../../errors.js';
import { relu32, reluGrad32, tanh32, tanhGrad32 } from '../../backend/routines/activation.js';
import { arrayFor, isFloat, promote, type DType } from '../dtype.js';
import { Binary, binaryKernel, Unary, unaryKernel } from '../loops/elementwise.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sumTo } from './reduce.js';

export type TensorLike = Tensor | number;

/** A number becomes a 0-d tensor of the other operand's dtype (floats stay floats). */
export function scalarLike(value: number, like: Tensor): Tensor {
  const dtype: DType = like.dtype === 'int32' && !Number.isInteger(value) ? 'float32' : like.dtype;
  const data = arrayFor(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}

function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor && typeof b === 'number') return [a, scalarLike(b, a)];
  if (typeof a === 'number' && b instanceof Tensor) return [scalarLike(a, b), b];
  throw new DTypeError(`${op}: expected tensors or numbers, got ${typeof a} and ${typeof b}`);
}

/** Raw unary op into a new tensor (no graph). Non-closed ops on int32 give float32. */
export function unaryRaw(op: Unary, x: Tensor, p = 0, q = 0, keepInt = false): Tensor {
  const dtype: DType = x.dtype === 'int32' && !keepInt ? 'float32' : x.dtype;
  const out = arrayFor(dtype, x.size);
  unaryKernel(op, x.data, out, p, q);
  return new Tensor(out, x.shape);
}

/** Raw binary op with broadcasting (no graph). Comparisons give int32 masks. */
export function binaryRaw(op: Binary, a: Tensor, b: Tensor, name: string): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, name);
  let dtype = promote(a.dtype, b.dtype);
  if (op >= Binary.Eq) dtype = 'int32';
  else if ((op === Binary.Div || op === Binary.Pow) && dtype === 'int32') dtype = 'float32';
  const out = arrayFor(
    dtype,
    shape.reduce((x, y) => x * y, 1),
  );
  binaryKernel(op, a.data, a.shape, b.data, b.shape, out, shape);
  return new Tensor(out, shape);
}

// ---------------------------------------------------------------- binary ---

export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'add');
  return record(binaryRaw(Binary.Add, x, y, 'add'), 'add', [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'sub');
  return record(binaryRaw(Binary.Sub, x, y, 'sub'), 'sub', [x, y], (g) => [sumTo(g, x.shape), sumTo(neg(g), y.shape)]);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'mul');
  return record(binaryRaw(Binary.Mul, x, y, 'mul'), 'mul', [x, y], (g) => [x.requiresGrad ? sumTo(mul(g, y), x.shape) : null, y.requiresGrad ? sumTo(mul(g, x), y.shape) : null]);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'div');
  return record(binaryRaw(Binary.Div, x, y, 'div'), 'div', [x, y], (g) => [
    x.requiresGrad ? sumTo(div(g, y), x.shape) : null,
    y.requiresGrad ? sumTo(neg(div(mul(g, x), mul(y, y))), y.shape) : null,
  ]);
}

/** x ** p, element-wise; p a number or a tensor. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return powScalar(a, b);
  const [x, y] = operands(a, b, 'pow');
  const out = binaryRaw(Binary.Pow, x, y, 'pow');
  return record(out, 'pow', [x, y], (g) => [
    x.requiresGrad ? sumTo(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    y.requiresGrad ? sumTo(mul(g, mul(out, log(x))), y.shape) : null,
  ]);
}

function powScalar(x: Tensor, p: number): Tensor {
  if (!Number.isFinite(p)) throw new ValueError(`pow: exponent must be finite, got ${p}`);
  const out = unaryRaw(Unary.PowScalar, x, p, 0, x.dtype === 'int32' && Number.isInteger(p) && p >= 0);
  return record(out, 'pow', [x], (g) => [mul(g, mul(powScalar(x, p - 1), p))]);
}

/** Gradient share of `a` where max/min picks it: 1 where it wins, 1/2 on ties. */
function winnerMask(x: Tensor, y: Tensor, op: Binary.Gt | Binary.Lt): Tensor {
  return add(binaryRaw(op, x, y, 'mask'), mul(binaryRaw(Binary.Eq, x, y, 'mask'), 0.5));
}

export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'maximum');
  return record(binaryRaw(Binary.Maximum, x, y, 'maximum'), 'maximum', [x, y], (g) => [
    sumTo(mul(g, winnerMask(x, y, Binary.Gt)), x.shape),
    sumTo(mul(g, winnerMask(y, x, Binary.Gt)), y.shape),
  ]);
}

export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'minimum');
  return record(binaryRaw(Binary.Minimum, x, y, 'minimum'), 'minimum', [x, y], (g) => [
    sumTo(mul(g, winnerMask(x, y, Binary.Lt)), x.shape),
    sumTo(mul(g, winnerMask(y, x, Binary.Lt)), y.shape),
  ]);
}

export const eq = (a: TensorLike, b: TensorLike): Tensor => binaryRaw(Binary.Eq, ...operands(a, b, 'eq'), 'eq');
export const ne = (a: TensorLike, b: TensorLike): Tensor => binaryRaw(Binary.Ne, ...operands(a, b, 'ne'), 'ne');
export const lt = (a: TensorLike, b: TensorLike): Tensor => binaryRaw(Binary.Lt, ...operands(a, b, 'lt'), 'lt');
export const le = (a: TensorLike, b: TensorLike): Tensor => binaryRaw(Binary.Le, ...operands(a, b, 'le'), 'le');
export const gt = (a: TensorLike, b: TensorLike): Tensor => binaryRaw(Binary.Gt, ...operands(a, b, 'gt'), 'gt');
export const ge = (a: TensorLike, b: TensorLike): Tensor => binaryRaw(Binary.Ge, ...operands(a, b, 'ge'), 'ge');

/** Picks a where cond is non-zero, else b (broadcasting all three). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'where');
  const mask = ne(cond, 0);
  // where = b + mask·(a − b) would lose precision and break on infinities; select directly.
  const shape = broadcastShapes(broadcastShapes(mask.shape, x.shape, 'where'), y.shape, 'where');
  const dtype = promote(x.dtype, y.dtype);
  const m = expandRaw(mask, shape),
    xa = expandRaw(x, shape),
    ya = expandRaw(y, shape);
  const out = arrayFor(dtype, m.size);
  for (let i = 0; i < out.length; i++) out[i] = m.data[i] ? xa.data[i] : ya.data[i];
  const inverse = sub(1, mask);
  return record(new Tensor(out, shape), 'where', [x, y], (g) => [x.requiresGrad ? sumTo(mul(g, mask), x.shape) : null, y.requiresGrad ? sumTo(mul(g, inverse), y.shape) : null]);
}

/** A copy of x broadcast to shape (no graph); x itself when it already has that shape. */
export function expandRaw(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const target = broadcastShapes(x.shape, shape, 'expand');
  const out = arrayFor(
    x.dtype,
    target.reduce((p, d) => p * d, 1),
  );
  binaryKernel(Binary.Add, x.data, x.shape, arrayFor(x.dtype, 1), [], out, target);
  return new Tensor(out, target);
}

// ----------------------------------------------------------------- unary ---

function floatOnly(x: Tensor, op: string): void {
  if (!isFloat(x.dtype) && x.requiresGrad) throw new DTypeError(`${op}: needs a float tensor`);
}

export function neg(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Neg, x, 0, 0, true), 'neg', [x], (g) => [neg(g)]);
}

export function abs(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Abs, x, 0, 0, true), 'abs', [x], (g) => [mul(g, sign(x))]);
}

export function sign(x: Tensor): Tensor {
  return unaryRaw(Unary.Sign, x, 0, 0, true);
}

export function exp(x: Tensor): Tensor {
  const out = unaryRaw(Unary.Exp, x);
  return record(out, 'exp', [x], (g) => [mul(g, out)]);
}

export function log(x: Tensor): Tensor {
  floatOnly(x, 'log');
  return record(unaryRaw(Unary.Log, x), 'log', [x], (g) => [div(g, x)]);
}

export function log1p(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Log1p, x), 'log1p', [x], (g) => [div(g, add(x, 1))]);
}

export function sqrt(x: Tensor): Tensor {
  const out = unaryRaw(Unary.Sqrt, x);
  return record(out, 'sqrt', [x], (g) => [div(g, mul(out, 2))]);
}

export function square(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Square, x, 0, 0, true), 'square', [x], (g) => [mul(g, mul(x, 2))]);
}

export function sigmoid(x: Tensor): Tensor {
  const out = unaryRaw(Unary.Sigmoid, x);
  return record(out, 'sigmoid', [x], (g) => [mul(g, mul(out, sub(1, out)))]);
}

export function tanh(x: Tensor): Tensor {
  const out = x.data instanceof Float32Array ? new Tensor(tanh32.run(x.data), x.shape) : unaryRaw(Unary.Tanh, x);
  return record(out, 'tanh', [x], (g) => {
    // Recorded (createGraph): stays differentiable. Otherwise one pass, rounded as the three ops round.
    const gd = g.data,
      od = out.data;
    if (!isGradEnabled() && od instanceof Float32Array && gd instanceof Float32Array) return [new Tensor(tanhGrad32.run(od, gd), x.shape)];
    return [mul(g, sub(1, square(out)))];
  });
}

export function relu(x: Tensor): Tensor {
  const out = x.data instanceof Float32Array ? new Tensor(relu32.run(x.data), x.shape) : unaryRaw(Unary.Relu, x, 0, 0, true);
  return record(out, 'relu', [x], (g) => {
    // Recorded (createGraph): g·mask stays differentiable in g. Otherwise one raw pass.
    if (isGradEnabled()) return [mul(g, gt(x, 0))];
    const gd = g.data,
      od = out.data;
    if (od instanceof Float32Array && gd instanceof Float32Array) return [new Tensor(reluGrad32.run(od, gd), x.shape)];
    const d = arrayFor(g.dtype, gd.length);
    for (let i = 0; i < d.length; i++) d[i] = od[i] > 0 ? gd[i] : 0;
    return [new Tensor(d, x.shape)];
  });
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const out = unaryRaw(Unary.LeakyRelu, x, negativeSlope);
  return record(out, 'leakyRelu', [x], (g) => [mul(g, add(mul(gt(x, 0).astype(x.dtype), 1 - negativeSlope), negativeSlope))]);
}

export function elu(x: Tensor, alpha = 1): Tensor {
  const out = unaryRaw(Unary.Elu, x, alpha);
  // d/dx = 1 for x > 0, α·eˣ = out + α otherwise.
  return record(out, 'elu', [x], (g) => [mul(g, where(gt(x, 0), 1, add(out, alpha)))]);
}

export function erf(x: Tensor): Tensor {
  const out = unaryRaw(Unary.Erf, x);
  return record(out, 'erf', [x], (g) => [mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI)))]);
}

/** GELU with the exact normal CDF (PyTorch's default): x·Φ(x). */
export function gelu(x: Tensor): Tensor {
  return mul(x, mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5));
}

export function softplus(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Softplus, x), 'softplus', [x], (g) => [mul(g, sigmoid(x))]);
}

export function sin(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Sin, x), 'sin', [x], (g) => [mul(g, cos(x))]);
}

export function cos(x: Tensor): Tensor {
  return record(unaryRaw(Unary.Cos, x), 'cos', [x], (g) => [neg(mul(g, sin(x)))]);
}

/** Limits values to [min, max]; the gradient passes where x is inside. */
export function clip(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  if (min > max) throw new ValueError(`clip: min (${min}) is greater than max (${max})`);
  const out = unaryRaw(Unary.Clip, x, min, max, true);
  return record(out, 'clip', [x], (g) => [mul(g, mul(ge(x, min), le(x, max)))]);
}

export function isnan(x: Tensor): Tensor {
  return unaryRaw(Unary.IsNaN, x, 0, 0, true).astype('int32');
}
