/**
 * A convolution chain whose output, flattened, feeds a dense layer (a CNN's
 * feature extractor and its first fully connected layer), in training. The
 * chain's forward parks its output (conv-chain.ts) and the layer's product
 * reads it there; the layer's backward reads it there again for dW and
 * writes dX into the park's area for the chain's output gradient, where the
 * chain's backward reads it. The chain then the layer would copy the
 * chain's output out (a fresh array) and back in twice (forward, and for
 * dW), and dX out (a fresh array) and back in, each on the calling thread
 * alone while the workers wait. The products' B operands are packed into
 * the park while the workers run the job before (the weight both ways
 * during the chain's forward, the chain's output during the layer's
 * forward product), not before each product on the calling thread alone;
 * the backward reads the forward's packed weight while the weight's version
 * is the forward's. The backward's dW, which the chain's backward does not
 * read, is computed on the calling thread while the workers start on the
 * chain's backward (gemm-here.ts): one job hand-off fewer a step, its work
 * balanced by the samples the workers take meanwhile. The products are the
 * GEMM calls the layer makes (linear: x·Wᵀ onto the bias; backward gᵀ·x
 * and g·W), on the same operands packed the same way: the same bits.
 */
import type { ConvChainBlock, ConvChainGradients, ConvChainSaved, ConvChainWanted } from '../routines/conv-chain.js';
import { gemmArgs } from '../backend.js';
import { ValueError } from '../../errors.js';
import type { WasmEngine } from './engine.js';
import { gemmWith, packB, packedBBytes, type GemmExtras } from './gemm-job.js';
import { chainOutputLength, checkChain, keptChain, parkedBackward, parkedForward, parkedOutput, parkedTrainForward, type DuringBackward, type ParkedChain } from './conv-chain.js';
import { gemmHere, productHereBytes } from './gemm-here.js';
import { forwardParks as parks, type Park } from './parks.js';

/** The dense layer after the chain: y = x·Wᵀ + b on the flattened output x [N, K], W [outFeatures, K], b [outFeatures] or null. */
export interface DenseAfterChain {
  weight: Float32Array;
  bias: Float32Array | null;
  outFeatures: number;
  /**
   * The count of changes to the weight's values (a Parameter's version):
   * where the backward is given the forward's, it may read the forward's
   * copy of the weight. Absent: the backward copies the weight anew.
   */
  weightVersion?: number;
}

/** The training forward's state: the chain's park (with the areas of DenseAreas) and the weight's version then. */
interface ParkedChainDense extends ParkedChain {
  readonly weightVersion: number | undefined;
}

/** The areas the forward parks beside the chain's (byte addresses): the weight, packed for x·Wᵀ and for g·W, and the chain's output packed for gᵀ·x. */
interface DenseAreas {
  weight: number;
  forwardWeight: number;
  backwardWeight: number;
  backwardInput: number;
}

/** Byte sizes of DenseAreas' areas, in its order. */
function denseAreaSizes(engine: WasmEngine, rows: number, features: number, outFeatures: number): number[] {
  return [outFeatures * features * 4, packedBBytes(engine, features, outFeatures), packedBBytes(engine, outFeatures, features), packedBBytes(engine, rows, features)];
}

function denseAreas(park: Park, blocks: readonly ConvChainBlock[]): DenseAreas {
  const [weight, forwardWeight, backwardWeight, backwardInput] = parkedOutput(park, blocks).extra;
  return { weight, forwardWeight, backwardWeight, backwardInput };
}

/** What the backward computes: the chain's gradients (ConvChainWanted) and the dense layer's weight gradient. */
export interface ChainDenseWanted extends ConvChainWanted {
  denseWeight: boolean;
}

/** The chain's gradients (null where none is wanted) and the dense layer's weight gradient [outFeatures, K] (null where not wanted). */
export interface ChainDenseGradients {
  chain: ConvChainGradients | null;
  dw: Float32Array | null;
}

/** Rows N and features K per row of the chain's flattened output, once the dense layer is checked to take them. */
export function checkDense(x: Float32Array, blocks: readonly ConvChainBlock[], dense: DenseAfterChain): { rows: number; features: number } {
  checkChain(x, blocks);
  const rows = blocks[0].g.n;
  const features = rows === 0 ? 0 : chainOutputLength(blocks) / rows;
  const { weight, bias, outFeatures } = dense;
  if (!Number.isInteger(outFeatures) || outFeatures < 1) throw new ValueError(`conv chain + dense: outFeatures must be a positive integer, got ${outFeatures}`);
  if (weight.length !== outFeatures * features)
    throw new ValueError(`conv chain + dense: the weight has ${weight.length} values, ${outFeatures} outputs of the chain's ${features} features need ${outFeatures * features}`);
  if (bias && bias.length !== outFeatures) throw new ValueError(`conv chain + dense: the bias has ${bias.length} values, the layer gives ${outFeatures}`);
  return { rows, features };
}

/** A view of `length` floats of the engine's memory from byte address `at` (made just before its use: a memory that grows replaces its views). */
function engineView(engine: WasmEngine, at: number, length: number): Float32Array {
  return engine.f32.subarray(at >> 2, (at >> 2) + length);
}

/**
 * The dense layer's output y = h·Wᵀ + b [rows, outFeatures] as linear
 * computes it (the bias in every row, the product added onto it), h the
 * chain's output parked at byte address `hAt`, W packed in the park
 * (`extras.packedB`; the args' `b` describes it).
 */
function denseOutput(engine: WasmEngine, hAt: number, rows: number, features: number, dense: DenseAfterChain, extras: GemmExtras): Float32Array {
  const { weight, bias, outFeatures } = dense;
  const y = new Float32Array(rows * outFeatures);
  if (bias) for (let r = 0; r < rows; r++) y.set(bias, r * outFeatures);
  const h = engineView(engine, hAt, rows * features);
  gemmWith(engine, gemmArgs({ m: rows, n: outFeatures, k: features, a: h, b: weight, transB: true, c: y, accumulate: bias !== null }), extras);
  return y;
}

/**
 * The dense layer's output [N, outFeatures] on the chain's output for x, in
 * inference: the chain's output parked for the layer's product, which reads
 * it there (not copied out into a fresh array and back in), the weight
 * packed while the workers run the chain; the park released after. Null
 * where the chain does not suit this path.
 */
export function convChainDenseForward(engine: WasmEngine, x: Float32Array, blocks: readonly ConvChainBlock[], dense: DenseAfterChain): Float32Array | null {
  const { rows, features } = checkDense(x, blocks, dense);
  const { weight, outFeatures } = dense;
  const sizes = [outFeatures * features * 4, packedBBytes(engine, features, outFeatures)];
  const parked = parkedForward(engine, x, blocks, sizes, ([weightAt, packedAt]) => {
    engine.f32.set(weight, weightAt >> 2);
    packB(engine, weightAt, features, outFeatures, true, packedAt);
  });
  if (!parked) return null;
  try {
    return denseOutput(engine, parked.out, rows, features, dense, { packedB: parked.extra[1] });
  } finally {
    parks.release(engine, parked.park);
  }
}

/**
 * The dense layer's output [N, outFeatures] on the chain's output for x,
 * and the chain's state parked for convChainDenseBackward; null where the
 * chain does not suit this path (its backward included).
 */
export function convChainDenseTrainForward(
  engine: WasmEngine,
  x: Float32Array,
  blocks: readonly ConvChainBlock[],
  dense: DenseAfterChain,
): { y: Float32Array; saved: ConvChainSaved } | null {
  const { rows, features } = checkDense(x, blocks, dense);
  const { weight, outFeatures } = dense;
  const parked = parkedTrainForward(engine, x, blocks, denseAreaSizes(engine, rows, features, outFeatures), (park) => {
    // While the workers start on the chain: the weight copied in and packed for the forward's and the backward's products.
    const at = denseAreas(park, blocks);
    engine.f32.set(weight, at.weight >> 2);
    packB(engine, at.weight, features, outFeatures, true, at.forwardWeight);
    packB(engine, at.weight, outFeatures, features, false, at.backwardWeight);
  });
  if (!parked) return null;
  const saved: ParkedChainDense = { ...parked, weightVersion: dense.weightVersion };
  const at = denseAreas(saved.park, blocks);
  const hAt = parkedOutput(saved.park, blocks).y;
  const y = denseOutput(engine, hAt, rows, features, dense, {
    packedB: at.forwardWeight,
    // While the workers start on the product: the chain's output packed for the backward's gᵀ·x.
    meanwhile: () => packB(engine, hAt, rows, features, false, at.backwardInput),
  });
  return { y, saved };
}

/**
 * The gradients for dOut [N, outFeatures], the gradient of the dense
 * layer's output: its weight's (gᵀ·x, x the chain's parked output) and,
 * through dX = g·W written into the chain's park, the chain's. Null where
 * the chain does not suit this path.
 */
export function convChainDenseBackward(
  engine: WasmEngine,
  saved: ConvChainSaved,
  dense: DenseAfterChain,
  dOut: Float32Array,
  wanted: ChainDenseWanted,
): ChainDenseGradients | null {
  const { blocks } = saved;
  const { rows, features } = checkDense(saved.x, blocks, dense);
  const { weight, outFeatures } = dense;
  if (dOut.length !== rows * outFeatures) throw new ValueError(`conv chain + dense: dOut has ${dOut.length} values, the layer gives ${rows * outFeatures}`);
  let dw: Float32Array | null = null;
  // The forward's packed operands, where its park is still the one found (not parked anew by a forward run again).
  const forwards = (park: Park): DenseAreas | null => (park === (saved as Partial<ParkedChainDense>).park ? denseAreas(park, blocks) : null);
  // dW = gᵀ·x: its arguments (B the chain's output where it is parked: a view made just before its use).
  const weightGradArgs = (park: Park, c: Float32Array) =>
    gemmArgs({ m: outFeatures, n: features, k: rows, a: dOut, transA: true, b: engineView(engine, parkedOutput(park, blocks).y, rows * features), c });
  if (!(wanted.input || wanted.weights.some(Boolean) || wanted.bias.some(Boolean))) {
    // Nothing below the layer learns: its weight's gradient only.
    const park = keptChain(engine, saved);
    if (!park) return null;
    if (wanted.denseWeight) {
      dw = new Float32Array(outFeatures * features);
      gemmWith(engine, weightGradArgs(park, dw), { packedB: forwards(park)?.backwardInput });
    }
    parks.release(engine, park);
    return { chain: null, dw };
  }
  let found: Park | null = null;
  // dW on this thread while the workers start on the chain's backward (which does not read it): no job of its own.
  const weightGrad: DuringBackward | undefined = wanted.denseWeight
    ? {
        bytes: productHereBytes(engine, outFeatures, features, rows),
        run: (at) => {
          dw = new Float32Array(outFeatures * features);
          gemmHere(engine, weightGradArgs(found!, dw), at, forwards(found!)?.backwardInput);
        },
      }
    : undefined;
  const chain = parkedBackward(
    engine,
    saved,
    wanted,
    (park) => {
      found = park;
      const dx = engineView(engine, parkedOutput(park, blocks).dy, rows * features);
      // The forward's packed weight while the weight's version is the forward's.
      const { weightVersion } = saved as Partial<ParkedChainDense>;
      const packed = weightVersion !== undefined && weightVersion === dense.weightVersion ? forwards(park)?.backwardWeight : undefined;
      gemmWith(engine, gemmArgs({ m: rows, n: features, k: outFeatures, a: dOut, b: weight, c: dx }), { packedB: packed });
    },
    weightGrad,
  );
  return chain && { chain, dw };
}
