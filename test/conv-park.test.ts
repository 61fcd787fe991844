// A Conv → ReLU → MaxPool block's forward may keep its state (x, the weight,
// the block's output and its arg-max offsets) in the wasm engine's memory for
// the backward (keepForBackward): the gradients must be those of the copy
// path bit for bit, whether the state is still there, was given up (something
// else took that memory), is read twice, or the backward runs on another
// backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withResidentOperand } from '../src/backend/index.js';
import { conv2dBackward, conv2dForward, type ConvEpilogue, type ConvForwardResult, type ConvGradients, type ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { wasmEngine, wasmSupport } from '../src/backend/wasm/backend.js';
import { forwardParks, type Park } from '../src/backend/wasm/parks.js';
import { lstmStatesParked } from '../src/backend/routines/lstm.js';
import { ValueError } from '../src/errors.js';
import { manualSeed, randn } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { rng, withBackend, withThreads } from './helpers/backends.js';

/** 16 samples of 8×16×16, 16 output channels, 3×3 padding 1 (large enough for the worker threads), then 2×2 pooling. */
const g: ConvKernelGeometry = { n: 16, c: 8, h: 16, w: 16, o: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: 16, wo: 16 };
/** The second block of a small CNN: its input is the first block's output. */
const g2: ConvKernelGeometry = { ...g, c: 16, h: 8, w: 8, o: 12, ho: 8, wo: 8 };
const pool = (geometry: ConvKernelGeometry): ConvEpilogue['pool'] => ({ kh: 2, kw: 2, sh: 2, sw: 2, ho: geometry.ho / 2, wo: geometry.wo / 2 });

function floats(next: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

interface Block {
  g: ConvKernelGeometry;
  weight: Float32Array;
  bias: Float32Array;
  epilogue: ConvEpilogue;
}

function block(next: () => number, geometry: ConvKernelGeometry, keep: boolean): Block {
  const depth = geometry.c * geometry.kh * geometry.kw;
  return { g: geometry, weight: floats(next, geometry.o * depth), bias: floats(next, geometry.o), epilogue: { relu: true, pool: pool(geometry), keepForBackward: keep } };
}

const forward = (b: Block, x: Float32Array): ConvForwardResult => conv2dForward.run(b.g, x, b.weight, b.bias, b.epilogue);
const backward = (b: Block, x: Float32Array, dy: Float32Array, result: ConvForwardResult): ConvGradients =>
  conv2dBackward.run(b.g, { x, dy, weight: b.weight, input: true, weights: true, bias: true, epilogue: { ...b.epilogue, ...result } });

/**
 * Two blocks' forwards, then their backwards in reverse order (as a
 * training step runs them); `between` runs each backward (it may give the
 * kept state up around it). Returns the output and every gradient.
 */
function step(keep: boolean, between: (run: () => ConvGradients) => ConvGradients = (run) => run()): Float32Array[] {
  const next = rng(5);
  const first = block(next, g, keep),
    second = block(next, g2, keep);
  const x = floats(next, g.n * g.c * g.h * g.w);
  const out1 = forward(first, x);
  const out2 = forward(second, out1.y);
  if (keep) assert.equal(out2.offsets, null, 'the offsets stay in the engine');
  const dy2 = floats(next, out2.y.length);
  const grads2 = between(() => backward(second, out1.y, dy2, out2));
  const grads1 = between(() => backward(first, x, grads2.dx!, out1));
  return [out2.y, grads2.dx!, grads2.dw!, grads2.db!, grads1.dx!, grads1.dw!, grads1.db!];
}

describe('a conv block forward keeping its state for the backward (wasm)', { skip: wasmSupport === 'none' && 'no wasm SIMD here' }, () => {
  const copied = withBackend('wasm', () => step(false));

  it('gives the gradients of the copy path bit for bit', () => {
    assert.deepEqual(
      withBackend('wasm', () => step(true)),
      copied,
    );
  });

  it('recomputes the state where it was given up (a resident GEMM operand took the memory), the same bits', () => {
    const operand = new Float32Array(1000).fill(1);
    assert.deepEqual(
      withBackend('wasm', () => step(true, (run) => withResidentOperand(operand, run))),
      copied,
    );
  });

  it('a second backward of the same forward (its state released by the first) gives the same bits', () => {
    const twice = withBackend('wasm', () =>
      step(true, (run) => {
        run();
        return run();
      }),
    );
    assert.deepEqual(twice, copied);
  });

  it('gives the same bits on one thread and on two', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
    assert.deepEqual(
      withThreads(1, () => withBackend('wasm', () => step(true))),
      copied,
    );
    assert.deepEqual(
      withThreads(2, () => withBackend('wasm', () => step(true))),
      copied,
    );
  });

  it("keeps its state on one stack with an LSTM's: neither layer's forward gives the other's state up", () => {
    withBackend('wasm', () => {
      const next = rng(5);
      const first = block(next, g, true);
      const x = floats(next, g.n * g.c * g.h * g.w);
      const out = forward(first, x);
      manualSeed(3);
      const pending = new nn.LSTM(3, 8).run(randn([4, 2, 3])).output.sum(); // an LSTM forward parks its state above the block's
      assert.equal(lstmStatesParked(), true);
      const park = (out.saved as { park?: Park } | undefined)?.park;
      assert.ok(wasmEngine && park && forwardParks.holds(wasmEngine, park), "the block's state is still parked");
      const dy = floats(next, out.y.length);
      const kept = backward(first, x, dy, out);
      assert.equal(lstmStatesParked(), true, "the block's backward leaves the LSTM's state parked");
      pending.backward();
      assert.equal(lstmStatesParked(), false);
      const copiedPath = block(rng(5), g, false);
      const reference = backward(copiedPath, x, dy, forward(copiedPath, x));
      assert.deepEqual(kept, reference);
    });
  });

  it('a backward on the js backend recomputes the arg-max offsets from the saved inputs', () => {
    const next = rng(9);
    const b = block(next, g2, true);
    const x = floats(next, g2.n * g2.c * g2.h * g2.w);
    const kept = withBackend('wasm', () => forward(b, x));
    const dy = floats(next, kept.y.length);
    const onJs = withBackend('js', () => backward(b, x, dy, kept));
    const reference = withBackend('js', () => backward(b, x, dy, forward(b, x)));
    assert.deepEqual(onJs, reference);
  });

  it('a pooled backward with neither offsets nor saved inputs is refused with a typed error', () => {
    const next = rng(11);
    const b = block(next, g2, false);
    const x = floats(next, g2.n * g2.c * g2.h * g2.w);
    const result = withBackend('js', () => forward(b, x));
    const dy = floats(next, result.y.length);
    assert.throws(
      () => withBackend('js', () => backward(b, x, dy, { y: result.y, offsets: null })),
      (e: unknown) => e instanceof ValueError,
    );
  });
});
