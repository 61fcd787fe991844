/**
 * The routines of a float32 convolution chain (conv-chain.ts) whose output,
 * flattened to [N, K], feeds a dense layer y = x·Wᵀ + b:
 * - `convChainDenseForward`: the layer's output, in inference;
 * - `convChainDenseTrainForward`: the layer's output and what the backward reads;
 * - `convChainDenseBackward`: the layer's weight gradient and, through the
 *   gradient of the chain's output, the chain's gradients.
 * The references are the chain's routines' references and the layer's GEMM
 * calls as linear makes them; the wasm implementations leave the chain's
 * output and its gradient in the engine's memory between the two, and
 * agree with them to the bit. The bias gradient is the caller's (the rows'
 * sum of dOut, as the layer computes it).
 */
import { defineRoutine } from '../routine.js';
import { gemm } from '../index.js';
import { wasmEngine } from '../wasm/backend.js';
import {
  checkDense,
  convChainDenseBackward as wasmBackward,
  convChainDenseForward as wasmInference,
  convChainDenseTrainForward as wasmForward,
  type ChainDenseGradients,
  type ChainDenseWanted,
  type DenseAfterChain,
} from '../wasm/conv-chain-dense.js';
import { convChainFits } from '../wasm/conv-chain.js';
import { ValueError } from '../../errors.js';
import { convChainBackward, convChainForward, convChainTrainForward, refused, type ConvChainBlock, type ConvChainSaved } from './conv-chain.js';

export type { ChainDenseGradients, ChainDenseWanted, DenseAfterChain } from '../wasm/conv-chain-dense.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** The dense layer's output y = h·Wᵀ + b as linear computes it, h [rows, features] the chain's output. */
function denseOutput(h: Float32Array, rows: number, features: number, dense: DenseAfterChain): Float32Array {
  const { weight, bias, outFeatures } = dense;
  const y = new Float32Array(rows * outFeatures);
  if (bias) for (let r = 0; r < rows; r++) y.set(bias, r * outFeatures);
  gemm({ m: rows, n: outFeatures, k: features, a: h, b: weight, transB: true, c: y, accumulate: bias !== null });
  return y;
}

export const convChainDenseForward = defineRoutine(
  'convChainDenseForward',
  function reference(x: Float32Array, blocks: readonly ConvChainBlock[], dense: DenseAfterChain): Float32Array {
    const { rows, features } = checkDense(x, blocks, dense);
    return denseOutput(convChainForward.reference(x, blocks), rows, features, dense);
  },
);

convChainDenseForward.register(
  'wasm',
  engine && {
    supports: (_x, blocks) => convChainFits(engine, blocks) && blocks[0].g.n > 0,
    run: (x, blocks, dense) => wasmInference(engine, x, blocks, dense) ?? refused('convChainDenseForward'),
  },
);

export const convChainDenseTrainForward = defineRoutine(
  'convChainDenseTrainForward',
  function reference(x: Float32Array, blocks: readonly ConvChainBlock[], dense: DenseAfterChain): { y: Float32Array; saved: ConvChainSaved } {
    const { rows, features } = checkDense(x, blocks, dense);
    const { y: h, saved } = convChainTrainForward.reference(x, blocks);
    return { y: denseOutput(h, rows, features, dense), saved };
  },
);

convChainDenseTrainForward.register(
  'wasm',
  engine && {
    supports: (_x, blocks) => convChainFits(engine, blocks, true) && blocks[0].g.n > 0,
    run: (x, blocks, dense) => wasmForward(engine, x, blocks, dense) ?? refused('convChainDenseTrainForward'),
  },
);

export const convChainDenseBackward = defineRoutine(
  'convChainDenseBackward',
  function reference(saved: ConvChainSaved, dense: DenseAfterChain, dOut: Float32Array, wanted: ChainDenseWanted): ChainDenseGradients {
    const { rows, features } = checkDense(saved.x, saved.blocks, dense);
    const { weight, outFeatures } = dense;
    if (dOut.length !== rows * outFeatures) throw new ValueError(`conv chain + dense: dOut has ${dOut.length} values, the layer gives ${rows * outFeatures}`);
    // A forward that kept its state elsewhere (another backend) is computed again.
    const results = saved.results ?? convChainTrainForward.reference(saved.x, saved.blocks).saved.results!;
    const chainSaved = { ...saved, results };
    const h = results[results.length - 1].y;
    let dw: Float32Array | null = null;
    if (wanted.denseWeight) {
      dw = new Float32Array(outFeatures * features);
      gemm({ m: outFeatures, n: features, k: rows, a: dOut, transA: true, b: h, c: dw });
    }
    if (!(wanted.input || wanted.weights.some(Boolean) || wanted.bias.some(Boolean))) return { chain: null, dw };
    const dx = new Float32Array(rows * features);
    gemm({ m: rows, n: features, k: outFeatures, a: dOut, b: weight, c: dx });
    return { chain: convChainBackward.reference(chainSaved, dx, wanted), dw };
  },
);

convChainDenseBackward.register(
  'wasm',
  engine && {
    supports: (saved) => convChainFits(engine, saved.blocks, true) && saved.blocks[0].g.n > 0,
    run: (saved, dense, dOut, wanted) => wasmBackward(engine, saved, dense, dOut, wanted) ?? refused('convChainDenseBackward'),
  },
);
