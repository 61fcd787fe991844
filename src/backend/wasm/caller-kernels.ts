/**
 * Kernels that run on the calling thread alone, in its scratch area past
 * every thread's work area: relu and its gradient, max pooling, the Adam
 * step, and a chain of dense layers trained as one op (asm/elementwise.ts,
 * asm/dense.ts). Results come back in new arrays made by slice() (faster
 * than filling zeroed ones), or in place for Adam.
 */
import type { AdamScalars } from '../routines/adam.js';
import type { SgdScalars } from '../routines/sgd.js';
import type { DenseChainBackwardArgs, DenseChainLayer } from '../routines/dense-chain.js';
import type { PoolKernelGeometry } from '../routines/max-pool.js';
import { ValueError } from '../../errors.js';
import { align64, roundUp, type WasmEngine } from './engine.js';
import * as slot from './layout.js';

/** Below this many elements the JS loops beat a round trip through the wasm memory (relu, pooling, Adam). */
export const CALLER_KERNEL_MIN_ELEMENTS = 2048;

export type UnaryKernel = 'reluF32' | 'tanhF32';
export type GradKernel = 'reluGradF32' | 'tanhGradF32';

/** out = f(x) element-wise by the named float32 kernel, computed in place in the caller's scratch. */
export function unary(engine: WasmEngine, kernel: UnaryKernel, x: Float32Array): Float32Array {
  const at = engine.callerScratch(x.length * 4);
  engine.f32.set(x, at >> 2);
  engine.kernels[kernel](at, at, x.length);
  return engine.f32.slice(at >> 2, (at >> 2) + x.length);
}

/** dx from an activation's output and the gradient of it, by the named float32 kernel. */
export function unaryGrad(engine: WasmEngine, kernel: GradKernel, out: Float32Array, g: Float32Array): Float32Array {
  const n = out.length;
  const at = engine.callerScratch(2 * align64(n * 4));
  const gAt = at + align64(n * 4);
  engine.f32.set(out, at >> 2);
  engine.f32.set(g, gAt >> 2);
  engine.kernels[kernel](at, gAt, at, n);
  return engine.f32.slice(at >> 2, (at >> 2) + n);
}

/**
 * Lays out a dense chain in the calling thread's scratch: descriptors, each
 * layer's weights, bias, input and output, the packed-operand area, and for
 * the backward the gradients (per-layer dW and float64 db, two buffers
 * between layers, dOut and dx).
 */
function denseLayout(engine: WasmEngine, m: number, layers: readonly DenseChainLayer[], backward: boolean) {
  const slots = slot.DENSE_SLOTS;
  const nr = engine.nr32;
  let bytes = align64(layers.length * slots * 4) + align64(m * layers[0].k * 4);
  let packedFloats = 0,
    widest = layers[0].k;
  for (const { n, k } of layers) {
    bytes += align64(n * k * 4) + align64(n * 4) + align64(m * n * 4);
    if (backward) bytes += align64(n * k * 4) + align64(n * 8);
    packedFloats = Math.max(packedFloats, k * roundUp(n, nr), m * roundUp(k, nr), n * roundUp(k, nr));
    widest = Math.max(widest, n, k);
  }
  bytes += align64(packedFloats * 4) + (backward ? 3 * align64(m * widest * 4) + align64(m * layers[0].k * 4) : 0);
  let next = engine.callerScratch(bytes);
  const alloc = (size: number): number => {
    const at = next;
    next += align64(size);
    return at;
  };
  const desc = alloc(layers.length * slots * 4);
  const x = alloc(m * layers[0].k * 4);
  const perLayer = layers.map(({ n, k }) => ({
    w: alloc(n * k * 4),
    b: alloc(n * 4),
    out: alloc(m * n * 4),
    dw: backward ? alloc(n * k * 4) : 0,
    db: backward ? alloc(n * 8) : 0,
  }));
  const packed = alloc(packedFloats * 4);
  const g = backward ? alloc(m * widest * 4) : 0,
    g2 = backward ? alloc(m * widest * 4) : 0;
  const dOut = backward ? alloc(m * widest * 4) : 0,
    dx = backward ? alloc(m * layers[0].k * 4) : 0;
  return { slots, desc, x, perLayer, packed, g, g2, dOut, dx };
}

const SLOPE_BITS = new Float64Array(1);
const SLOPE_WORDS = new Int32Array(SLOPE_BITS.buffer);

/** Copies a chain's operands in and writes its descriptors (asm/dense.ts). */
function denseSetUp(
  engine: WasmEngine,
  lay: ReturnType<typeof denseLayout>,
  x: Float32Array,
  layers: readonly DenseChainLayer[],
  outputs: readonly Float32Array[] | null,
  wantDw: readonly boolean[] | null,
  wantDb: readonly boolean[] | null,
): void {
  const f32 = engine.f32,
    i32 = engine.i32;
  f32.set(x, lay.x >> 2);
  layers.forEach((layer, l) => {
    const at = lay.perLayer[l];
    f32.set(layer.w, at.w >> 2);
    if (layer.b) f32.set(layer.b, at.b >> 2);
    if (outputs) f32.set(outputs[l], at.out >> 2);
    const d = (lay.desc >> 2) + l * lay.slots;
    i32[d + slot.D_K] = layer.k;
    i32[d + slot.D_N] = layer.n;
    const leaky = layer.relu && layer.negativeSlope !== undefined;
    i32[d + slot.D_RELU] = leaky ? 2 : layer.relu ? 1 : 0;
    if (leaky) {
      // The slope as a float64 across two i32 slots (both little-endian).
      SLOPE_BITS[0] = layer.negativeSlope as number;
      i32[d + slot.D_SLOPE] = SLOPE_WORDS[0];
      i32[d + slot.D_SLOPE + 1] = SLOPE_WORDS[1];
    }
    i32[d + slot.D_W] = at.w;
    i32[d + slot.D_B] = layer.b ? at.b : 0;
    i32[d + slot.D_IN] = l === 0 ? lay.x : lay.perLayer[l - 1].out;
    i32[d + slot.D_OUT] = at.out;
    i32[d + slot.D_DW] = wantDw?.[l] ? at.dw : 0;
    i32[d + slot.D_DB] = wantDb?.[l] ? at.db : 0;
  });
}

export function denseChainForward(engine: WasmEngine, x: Float32Array, m: number, layers: readonly DenseChainLayer[]): Float32Array[] {
  checkChain(x, m, layers);
  const lay = denseLayout(engine, m, layers, false);
  denseSetUp(engine, lay, x, layers, null, null, null);
  engine.kernels.denseForwardF32(lay.desc, layers.length, m, lay.packed, slot.SCRATCH_BASE);
  return layers.map((layer, l) => engine.f32.slice(lay.perLayer[l].out >> 2, (lay.perLayer[l].out >> 2) + m * layer.n));
}

export function denseChainBackward(engine: WasmEngine, m: number, layers: readonly DenseChainLayer[], args: DenseChainBackwardArgs) {
  checkChain(args.x, m, layers);
  const lay = denseLayout(engine, m, layers, true);
  denseSetUp(engine, lay, args.x, layers, args.outputs, args.wantDw, args.wantDb);
  engine.f32.set(args.dOut, lay.dOut >> 2);
  engine.kernels.denseBackwardF32(lay.desc, layers.length, m, lay.dOut, args.wantDx ? lay.dx : 0, lay.g, lay.g2, lay.packed, slot.SCRATCH_BASE);
  const f32 = engine.f32,
    f64 = engine.f64;
  return {
    dx: args.wantDx ? f32.slice(lay.dx >> 2, (lay.dx >> 2) + m * layers[0].k) : null,
    dw: layers.map((layer, l) => (args.wantDw[l] ? f32.slice(lay.perLayer[l].dw >> 2, (lay.perLayer[l].dw >> 2) + layer.n * layer.k) : null)),
    // The float64 sums rounded once to float32.
    db: layers.map((layer, l) => (args.wantDb[l] ? Float32Array.from(f64.subarray(lay.perLayer[l].db >> 3, (lay.perLayer[l].db >> 3) + layer.n)) : null)),
  };
}

export function adam(engine: WasmEngine, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamScalars): void {
  const n = p.length;
  if (g.length !== n || m.length !== n || v.length !== n) throw new ValueError(`adam kernel: p, g, m, v have ${n}, ${g.length}, ${m.length}, ${v.length} values`);
  const bytes = align64(n * 4);
  const at = engine.callerScratch(4 * bytes);
  const [pAt, gAt, mAt, vAt] = [at, at + bytes, at + 2 * bytes, at + 3 * bytes];
  const f32 = engine.f32;
  f32.set(p, pAt >> 2);
  f32.set(g, gAt >> 2);
  f32.set(m, mAt >> 2);
  f32.set(v, vAt >> 2);
  engine.kernels.adamF32(pAt, gAt, mAt, vAt, n, k.sign, k.l2, k.shrink, k.mu, k.keep, k.lr, k.vScale, k.b2, k.c2, k.eps);
  p.set(f32.subarray(pAt >> 2, (pAt >> 2) + n));
  m.set(f32.subarray(mAt >> 2, (mAt >> 2) + n));
  v.set(f32.subarray(vAt >> 2, (vAt >> 2) + n));
}

/** One SGD step in place on p (and the momentum m, when given): asm/elementwise.ts's sgdF32. */
export function sgd(engine: WasmEngine, p: Float32Array, g: Float32Array, m: Float32Array | null, k: SgdScalars, nesterov: boolean): void {
  const n = p.length;
  if (g.length !== n || (m && m.length !== n)) throw new ValueError(`sgd kernel: p, g, m have ${n}, ${g.length}, ${m?.length} values`);
  const bytes = align64(n * 4);
  const at = engine.callerScratch((m ? 3 : 2) * bytes);
  const [pAt, gAt, mAt] = [at, at + bytes, m ? at + 2 * bytes : 0];
  const f32 = engine.f32;
  f32.set(p, pAt >> 2);
  f32.set(g, gAt >> 2);
  if (m) f32.set(m, mAt >> 2);
  engine.kernels.sgdF32(pAt, gAt, mAt, n, k.sign, k.l2, k.shrink, k.mu, k.keep, k.lr, nesterov ? 1 : 0, nesterov ? k.mu : 1, k.firstTerm ? 1 : 0);
  p.set(f32.subarray(pAt >> 2, (pAt >> 2) + n));
  if (m) m.set(f32.subarray(mAt >> 2, (mAt >> 2) + n));
}

export function maxPool2d(engine: WasmEngine, x: Float32Array, g: PoolKernelGeometry): { values: Float32Array; offsets: Int32Array } {
  const cells = g.n * g.c * g.ho * g.wo;
  const at = engine.callerScratch(align64(x.length * 4) + 2 * align64(cells * 4));
  const valuesAt = at + align64(x.length * 4);
  const offsetsAt = valuesAt + align64(cells * 4);
  engine.f32.set(x, at >> 2);
  engine.kernels.maxPool2dF32(at, valuesAt, offsetsAt, g.n * g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.ho, g.wo);
  return {
    values: engine.f32.slice(valuesAt >> 2, (valuesAt >> 2) + cells),
    offsets: engine.i32.slice(offsetsAt >> 2, (offsetsAt >> 2) + cells),
  };
}

/** The shapes of a dense chain must link up and its arrays must hold them. */
export function checkChain(x: Float32Array, m: number, layers: readonly DenseChainLayer[]): void {
  if (layers.length === 0 || x.length !== m * layers[0].k) throw new ValueError(`dense chain: x has ${x.length} values for ${m} rows of ${layers[0]?.k}`);
  layers.forEach((layer, l) => {
    if (layer.w.length !== layer.n * layer.k || (layer.b && layer.b.length !== layer.n) || (l > 0 && layer.k !== layers[l - 1].n)) {
      throw new ValueError(`dense chain: layer ${l} (${layer.n}×${layer.k}) does not fit its weights or the layer before`);
    }
    // The backward masks on the output, which has the input's sign only for a slope >= 0.
    const slope = layer.negativeSlope;
    if (slope !== undefined && !(slope >= 0 && Number.isFinite(slope))) throw new ValueError(`dense chain: layer ${l}'s LeakyReLU slope must be finite and >= 0, got ${slope}`);
  });
}
