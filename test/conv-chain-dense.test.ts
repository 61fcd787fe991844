// A convolution chain, Flatten and Linear in training (and in inference) as one op
// (src/backend/routines/conv-chain-dense.ts, src/nn/fused/conv-chain-dense.ts):
// the dense layer's products read the chain's output where its forward
// parked it, and the backward writes the chain's output gradient into the
// park. The output must be the reference's (the chain's reference, then the
// layer's GEMM calls) and the layers' one by one, bit for bit, and every
// gradient the reference's to float32 rounding (a pooled block's backward
// sums from the pooled cells: asm/conv-pooled.ts); each is the same bits on
// one and two threads, when the park was given up or other products ran
// between the forward and the backward; sizes that do not fit are rejected
// with typed errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grad, noGrad } from '../src/autograd/graph.js';
import { withResidentOperand } from '../src/backend/index.js';
import type { ConvChainBlock } from '../src/backend/routines/conv-chain.js';
import {
  convChainDenseBackward,
  convChainDenseForward,
  convChainDenseTrainForward,
  type ChainDenseGradients,
  type ChainDenseWanted,
  type DenseAfterChain,
} from '../src/backend/routines/conv-chain-dense.js';
import type { ConvKernelGeometry } from '../src/backend/routines/conv.js';
import { wasmEngine, wasmSupport } from '../src/backend/wasm/backend.js';
import { crossEntropy } from '../src/nn/losses/classification.js';
import { Adam } from '../src/optim/optimizers.js';
import { ValueError } from '../src/errors.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../src/nn/index.js';
import { fusedBlock } from '../src/nn/fused/plan.js';
// Registers the patterns (as frugal-ml's Node entry point does).
import { convChain } from '../src/nn/fused/conv-chain.js';
import { matmul } from '../src/tensor/ops/matmul.js';
import { randn } from '../src/tensor/creation.js';
import { Generator, manualSeed } from '../src/tensor/random.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';
import { assertCloseFloat32, withBackend, withThreads, assertSameBits } from './helpers/backends.js';

const noWasm = wasmSupport === 'none' && 'no WebAssembly SIMD here';

function floats(gen: Generator, n: number): Float32Array {
  return randn([n], { generator: gen }).data as Float32Array;
}

/** Conv (k×k, padding 1) → ReLU → 2×2 max pool blocks from the input [n, c, h, w], `outs` channels each. */
function chain(gen: Generator, input: number[], outs: number[], bias = true): ConvChainBlock[] {
  let [n, c, h, w] = input;
  return outs.map((o) => {
    const g: ConvKernelGeometry = { n, c, h, w, o, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: h, wo: w };
    const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: Math.floor(h / 2), wo: Math.floor(w / 2) };
    const b: ConvChainBlock = { g, weight: floats(gen, o * c * 9), bias: bias ? floats(gen, o) : null, epilogue: { relu: true, pool } };
    [c, h, w] = [o, pool.ho, pool.wo];
    return b;
  });
}

interface Case {
  x: Float32Array;
  blocks: ConvChainBlock[];
  dense: DenseAfterChain;
  dOut: Float32Array;
}

/** A chain from [n, c, h, w] and a dense layer of `outFeatures` on its flattened output. */
function makeCase(seed: number, input: number[], outs: number[], outFeatures: number, bias = true): Case {
  const gen = new Generator(seed);
  const blocks = chain(gen, input, outs, bias);
  const last = blocks[blocks.length - 1];
  const features = last.g.o * last.epilogue.pool!.ho * last.epilogue.pool!.wo;
  const x = floats(
    gen,
    input.reduce((a, b) => a * b, 1),
  );
  const dense = { weight: floats(gen, outFeatures * features), bias: bias ? floats(gen, outFeatures) : null, outFeatures };
  return { x, blocks, dense, dOut: floats(gen, input[0] * outFeatures) };
}

const CASES: [string, () => Case][] = [
  ['cnn-fashion (64 samples, 16 and 32 channels, 64 outputs)', () => makeCase(1, [64, 1, 28, 28], [16, 32], 64)],
  ['odd sizes, no biases', () => makeCase(2, [3, 2, 13, 11], [5, 3], 7, false)],
  ['one sample, three blocks', () => makeCase(3, [1, 3, 16, 16], [4, 6, 5], 3)],
];

const everything = (blocks: ConvChainBlock[]): ChainDenseWanted => ({
  input: true,
  weights: blocks.map(() => true),
  bias: blocks.map((b) => b.bias !== null),
  denseWeight: true,
});

/** Every gradient in order: the dense weight's, the chain's input's, then per block its weight's and bias's. */
function arrays(grads: ChainDenseGradients): (Float32Array | null)[] {
  const chain = grads.chain;
  return [grads.dw, chain?.dx ?? null, ...(chain?.blocks.flatMap((b) => [b.dw, b.db]) ?? [])];
}

/**
 * The gradients to the bit (exact), or to float32 rounding: against the
 * reference, whose blocks' backwards multiply the dense gradient of the
 * convolution's output, where the chain's pooled blocks take theirs from the
 * pooled cells (asm/conv-pooled.ts: the same sums in another order).
 */
function sameGradients(actual: ChainDenseGradients, expected: ChainDenseGradients, what: string, exact = true): void {
  const a = arrays(actual),
    e = arrays(expected);
  assert.equal(a.length, e.length, `${what}: gradients`);
  e.forEach((expect, i) => {
    if (expect === null || a[i] === null) assert.equal(a[i], expect, `${what}: gradient ${i}`);
    else if (exact) assertSameBits(a[i]!, expect, `${what}: gradient ${i}`);
    else assertCloseFloat32(a[i]!, expect, `${what}: gradient ${i}`);
  });
}

/** The forward and backward by the wasm routines or their references (on the wasm backend's GEMM); `between` runs between the two. */
function step(backend: 'reference' | 'wasm', c: Case, wanted: ChainDenseWanted, between: (backward: () => ChainDenseGradients) => ChainDenseGradients = (b) => b()) {
  return withBackend('wasm', () => {
    const forward = backend === 'wasm' ? convChainDenseTrainForward.run : convChainDenseTrainForward.reference;
    const backward = backend === 'wasm' ? convChainDenseBackward.run : convChainDenseBackward.reference;
    const { y, saved } = forward.call(convChainDenseTrainForward, c.x, c.blocks, c.dense);
    return { y, grads: between(() => backward.call(convChainDenseBackward, saved, c.dense, c.dOut, wanted)) };
  });
}

describe('convChainDenseTrainForward and convChainDenseBackward', { skip: noWasm }, () => {
  for (const [name, make] of CASES) {
    it(`${name}: the wasm routines give the reference's output (to the bit) and gradients (to float32 rounding)`, () => {
      const c = make();
      assert.ok(convChainDenseTrainForward.implementations.wasm?.supports(c.x, c.blocks, c.dense), 'the wasm routine takes it');
      const all = everything(c.blocks);
      const wantedCases: ChainDenseWanted[] = [
        all,
        // A frozen first block, no input gradient.
        { ...all, input: false, weights: c.blocks.map((_, l) => l > 0), bias: c.blocks.map(() => false) },
        // The chain frozen: the dense weight's gradient alone.
        { input: false, weights: c.blocks.map(() => false), bias: c.blocks.map(() => false), denseWeight: true },
        // The dense weight frozen.
        { ...all, denseWeight: false },
      ];
      for (const wanted of wantedCases) {
        const reference = step('reference', c, wanted);
        const fast = step('wasm', c, wanted);
        assertSameBits(fast.y, reference.y, `${name}: output`);
        sameGradients(fast.grads, reference.grads, `${name}: ${JSON.stringify(wanted)}`, false);
      }
    });
  }

  it('one thread and two threads give the same bits', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
    const c = CASES[0][1]();
    const one = withThreads(1, () => step('wasm', c, everything(c.blocks)));
    const two = withThreads(2, () => step('wasm', c, everything(c.blocks)));
    assertSameBits(two.y, one.y, 'output');
    sameGradients(two.grads, one.grads, 'two threads');
  });

  it('gives the same bits where the park was given up or other products reused the memory in between', () => {
    const c = CASES[0][1]();
    const wanted = everything(c.blocks);
    const kept = step('wasm', c, wanted);
    // A resident operand gives every park up: the backward runs the chain's forward again.
    const operand = new Float32Array(1000).fill(1);
    sameGradients(step('wasm', c, wanted, (backward) => withResidentOperand(operand, backward)).grads, kept.grads, 'given up');
    // Large products between the two reuse (and grow) the scratch past the park.
    const other = () => {
      const a = randn([300, 700], { generator: new Generator(9) });
      matmul(a, randn([700, 500], { generator: new Generator(10) }));
    };
    sameGradients(
      step('wasm', c, wanted, (backward) => {
        other();
        return backward();
      }).grads,
      kept.grads,
      'products in between',
    );
    // A second backward of the same forward (its park released by the first) runs the forward again.
    const twice = withBackend('wasm', () => {
      const { saved } = convChainDenseTrainForward.run(c.x, c.blocks, c.dense);
      convChainDenseBackward.run(saved, c.dense, c.dOut, wanted);
      return convChainDenseBackward.run(saved, c.dense, c.dOut, wanted);
    });
    sameGradients(twice, kept.grads, 'twice');
    if (wasmSupport === 'threads') {
      // More threads for the backward than for the forward: their work areas grow over the park, which is given up.
      const moreThreads = withBackend('wasm', () => {
        const { saved } = withThreads(1, () => convChainDenseTrainForward.run(c.x, c.blocks, c.dense));
        return withThreads(3, () => convChainDenseBackward.run(saved, c.dense, c.dOut, wanted));
      });
      sameGradients(moreThreads, kept.grads, 'more threads for the backward');
    }
  });

  it("reads the forward's copy of the weight only while the weight's version is the forward's", () => {
    const c = CASES[1][1]();
    const wanted = everything(c.blocks);
    const before = { ...c.dense, weight: c.dense.weight.slice(), weightVersion: 1 };
    const changed = { ...before, weight: before.weight.map((v) => v * 0.5), weightVersion: 2 };
    const gradients = (backend: 'reference' | 'wasm', backwardDense: DenseAfterChain): ChainDenseGradients =>
      withBackend('wasm', () => {
        const forward = backend === 'wasm' ? convChainDenseTrainForward.run : convChainDenseTrainForward.reference;
        const backward = backend === 'wasm' ? convChainDenseBackward.run : convChainDenseBackward.reference;
        const { saved } = forward.call(convChainDenseTrainForward, c.x, c.blocks, before);
        return backward.call(convChainDenseBackward, saved, backwardDense, c.dOut, wanted);
      });
    // A weight changed (and its version bumped) between the two: the backward reads the new values, as the layer's would.
    sameGradients(gradients('wasm', changed), gradients('reference', changed), 'a changed weight', false);
    // No version given: the backward copies the weight.
    const unversioned = { ...changed, weightVersion: undefined };
    sameGradients(gradients('wasm', unversioned), gradients('reference', unversioned), 'no version', false);
    // The same version: the forward's copy (values written without markModified() are not seen).
    sameGradients(gradients('wasm', { ...changed, weightVersion: 1 }), gradients('reference', before), 'the same version', false);
  });

  it('rejects a dense layer or a gradient that does not fit the chain', () => {
    const c = CASES[1][1]();
    const { weight, outFeatures } = c.dense;
    const wrong: [string, Partial<DenseAfterChain>][] = [
      ['a short weight', { weight: weight.subarray(1) }],
      ['a long weight', { weight: new Float32Array(weight.length + outFeatures) }],
      ['a bias of the wrong size', { bias: new Float32Array(outFeatures + 1) }],
      ['no outputs', { outFeatures: 0, weight: new Float32Array(0) }],
      ['a fractional output count', { outFeatures: 1.5 }],
    ];
    for (const backend of ['wasm', 'js'] as const) {
      withBackend(backend, () => {
        for (const [what, change] of wrong) {
          assert.throws(() => convChainDenseTrainForward.run(c.x, c.blocks, { ...c.dense, ...change }), ValueError, `${backend}: ${what}`);
        }
        const { saved } = convChainDenseTrainForward.run(c.x, c.blocks, c.dense);
        const wanted = everything(c.blocks);
        assert.throws(() => convChainDenseBackward.run(saved, c.dense, c.dOut.subarray(1), wanted), ValueError, `${backend}: dOut too short`);
        assert.throws(() => convChainDenseBackward.run(saved, { ...c.dense, weight: weight.subarray(2) }, c.dOut, wanted), ValueError, `${backend}: backward weight`);
      });
    }
  });
});

describe('convChainDenseForward (inference)', { skip: noWasm }, () => {
  it("the wasm routine gives the reference's output, to the bit, and gives its park back", () => {
    const engine = wasmEngine!;
    for (const [name, make] of CASES) {
      const c = make();
      assert.ok(convChainDenseForward.implementations.wasm?.supports(c.x, c.blocks, c.dense), `${name}: the wasm routine takes it`);
      withBackend('wasm', () => {
        const reference = convChainDenseForward.reference(c.x, c.blocks, c.dense);
        const held = engine.reservedEnd;
        assertSameBits(convChainDenseForward.run(c.x, c.blocks, c.dense), reference, name);
        assert.equal(engine.reservedEnd, held, `${name}: the park given back`);
        // Between a training forward and its backward: the forward's park is kept, the backward gives the same gradients.
        const wanted = everything(c.blocks);
        const kept = step('wasm', c, wanted).grads;
        const between = step('wasm', c, wanted, (backward) => {
          assertSameBits(convChainDenseForward.run(c.x, c.blocks, c.dense), reference, `${name}: between`);
          return backward();
        }).grads;
        sameGradients(between, kept, `${name}: an inference between forward and backward`);
      });
    }
  });

  it('one thread and two threads give the same bits', { skip: wasmSupport !== 'threads' && 'no threads here' }, () => {
    const c = CASES[0][1]();
    const one = withBackend('wasm', () => withThreads(1, () => convChainDenseForward.run(c.x, c.blocks, c.dense)));
    const two = withBackend('wasm', () => withThreads(2, () => convChainDenseForward.run(c.x, c.blocks, c.dense)));
    assertSameBits(two, one, 'two threads');
  });

  it('rejects a dense layer that does not fit the chain', () => {
    const c = CASES[1][1]();
    for (const backend of ['wasm', 'js'] as const) {
      withBackend(backend, () => {
        assert.throws(() => convChainDenseForward.run(c.x, c.blocks, { ...c.dense, weight: c.dense.weight.subarray(1) }), ValueError, `${backend}: a short weight`);
        assert.throws(() => convChainDenseForward.run(c.x, c.blocks, { ...c.dense, bias: new Float32Array(1) }), ValueError, `${backend}: a wrong bias`);
        assert.throws(() => convChainDenseForward.run(c.x.subarray(1), c.blocks, c.dense), ValueError, `${backend}: a short x`);
      });
    }
  });
});

/** A small CNN: two conv blocks, Flatten, Linear, ReLU, Linear. */
function cnn(): Module[] {
  return [
    new Conv2d(1, 6, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 8, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(8 * 5 * 5, 12),
    new ReLU(),
    new Linear(12, 3),
  ];
}

describe('Sequential trains the chain, Flatten and Linear as one op', { skip: noWasm }, () => {
  it('covers them while gradients are recorded, declines while nothing is', () => {
    const layers = cnn();
    const x = randn([3, 1, 20, 20]);
    assert.equal(
      withBackend('wasm', () => fusedBlock(layers, 0, x)?.layers),
      8,
    );
    assert.equal(
      withBackend('wasm', () => noGrad(() => fusedBlock(layers, 0, x)?.layers)),
      6,
      'inference on a few rows: the chain alone (the Linear keeps its resident-weights path)',
    );
    assert.equal(
      withBackend('wasm', () => noGrad(() => fusedBlock(layers, 0, randn([9, 1, 20, 20]))?.layers)),
      8,
      'inference on more rows: the chain and the Linear',
    );
    const mismatched = [...layers.slice(0, 7), new Linear(7, 12)];
    assert.equal(
      withBackend('wasm', () => fusedBlock(mismatched, 0, x)?.layers),
      6,
      'a Linear that does not take the features: the chain alone',
    );
    const partial = [...layers.slice(0, 6), new Flatten({ startDim: 2 }), new Linear(25, 12)];
    assert.equal(
      withBackend('wasm', () => fusedBlock(partial, 0, x)?.layers),
      6,
      'a Flatten that keeps the channels: the chain alone',
    );
  });

  /** The output and every parameter's gradient (and x's) for sum(output · w), by the plan or with the chain then the layers one by one. */
  function gradients(fused: boolean, threads: number): Float32Array[] {
    manualSeed(31);
    const layers = cnn();
    const model = new Sequential(...layers);
    const x = randn([9, 1, 20, 20], { generator: new Generator(32) });
    x.requiresGrad = true;
    return withThreads(threads, () =>
      withBackend('wasm', () => {
        let y: Tensor;
        if (fused) y = model.call(x);
        else {
          y = convChain.match(layers, 0)!.run(x)!;
          for (let i = 6; i < layers.length; i++) y = layers[i].call(y);
        }
        const w = randn(y.shape, { generator: new Generator(33) });
        y.mul(w).sum().backward();
        return [y.data as Float32Array, x.grad!.data as Float32Array, ...model.parameters().map((p) => p.grad!.data as Float32Array)];
      }),
    );
  }

  for (const threads of wasmSupport === 'threads' ? [1, 2] : [1]) {
    it(`${threads} thread(s): the output and gradients of the chain then the layers, to the bit`, () => {
      const fused = gradients(true, threads);
      const apart = gradients(false, threads);
      assert.equal(fused.length, apart.length);
      fused.forEach((a, i) => assertSameBits(a, apart[i], `array ${i}`));
    });
  }

  for (const threads of wasmSupport === 'threads' ? [1, 2] : [1]) {
    it(`${threads} thread(s): inference gives the output of the chain then the layers, to the bit`, () => {
      manualSeed(38);
      const layers = cnn();
      const model = new Sequential(...layers);
      const x = randn([9, 1, 20, 20], { generator: new Generator(39) });
      withThreads(threads, () =>
        withBackend('wasm', () =>
          noGrad(() => {
            const held = wasmEngine!.reservedEnd;
            const fused = model.call(x).data as Float32Array;
            assert.equal(wasmEngine!.reservedEnd, held, 'the park given back');
            let y = convChain.match(layers, 0)!.run(x)!;
            for (let i = 6; i < layers.length; i++) y = layers[i].call(y);
            assertSameBits(fused, y.data as Float32Array, 'output');
          }),
        ),
      );
    });
  }

  it('training steps give back their parks: the engine holds steady memory', () => {
    manualSeed(36);
    const model = new Sequential(...cnn());
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    const x = randn([16, 1, 20, 20], { generator: new Generator(37) });
    const labels = tensor(
      Array.from({ length: 16 }, (_, i) => i % 3),
      { dtype: 'int32' },
    );
    const engine = wasmEngine!;
    // What the engine holds out of every job's scratch (the parks held) and its memory's size, after `steps` more steps.
    const heldAfter = (steps: number): number[] => {
      for (let s = 0; s < steps; s++) {
        optimizer.zeroGrad();
        crossEntropy(model.call(x), labels).backward();
        optimizer.step();
      }
      return [engine.reservedEnd, engine.f32.byteLength];
    };
    withBackend('wasm', () => {
      const first = heldAfter(2);
      assert.deepEqual(heldAfter(20), first, 'no park held and no memory grown over 20 more steps');
    });
  });

  it('gradients of gradients go through the layers as ordinary ops', () => {
    manualSeed(34);
    const model = new Sequential(...cnn());
    const x = randn([2, 1, 20, 20], { generator: new Generator(35) });
    x.requiresGrad = true;
    const penalty = (y: Tensor): Float32Array[] => {
      const [gx] = grad(y.sum(), [x], { createGraph: true });
      return grad(gx.mul(gx).sum(), model.parameters(), { allowUnused: true }).map((g) => g.data as Float32Array);
    };
    const fused = withBackend('wasm', () => penalty(model.call(x)));
    const plain = withBackend('js', () => penalty(model.call(x)));
    fused.forEach((g, i) => assertCloseFloat32(g, plain[i], `parameter ${i}`));
  });
});
