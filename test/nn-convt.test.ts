/**
 * ConvTranspose2d and its functional form: gradients against finite
 * differences (first and second order, float64), the float32 fast passes
 * against the float64 lowering, hostile shapes and options, the default
 * initialisation and saving/loading. Values against PyTorch are in
 * test/fixtures/torch-convt.json, run by nn-torch.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, grad, LimitError, modelFromBytes, modelToBytes, ShapeError, Tensor, ValueError } from '../src/index.js';
import { wasmEngine } from '../src/backend/wasm/backend.js';
import * as nn from '../src/nn/index.js';
import { assertCloseFloat32, withBackend } from './helpers/backends.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

const r = randomF64;

describe('convTranspose2d passes gradcheck to second order', () => {
  const cases: { name: string; x: number[]; w: number[]; bias: boolean; options: nn.ConvTranspose2dOpOptions }[] = [
    { name: 'plain', x: [2, 2, 3, 3], w: [2, 3, 2, 2], bias: true, options: {} },
    { name: 'stride 2 padding 1 (DCGAN)', x: [1, 2, 2, 3], w: [2, 2, 4, 4], bias: true, options: { stride: 2, padding: 1 } },
    { name: 'outputPadding', x: [1, 1, 3, 2], w: [1, 2, 3, 3], bias: true, options: { stride: 2, padding: 1, outputPadding: 1 } },
    { name: 'dilation with outputPadding ≥ stride', x: [1, 2, 2, 3], w: [2, 1, 2, 3], bias: false, options: { dilation: [2, 3], outputPadding: [1, 2] } },
    { name: 'groups', x: [2, 4, 2, 2], w: [4, 1, 3, 2], bias: true, options: { groups: 2, stride: [1, 2] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const inputs = [r(c.x), r(c.w)];
      if (c.bias) inputs.push(r([c.w[1] * (c.options.groups ?? 1)]));
      gradcheck(`convTranspose2d ${c.name}`, (x, w, b) => nn.convTranspose2d(x, w, b ?? null, c.options), inputs, { secondOrder: true });
    });
  }

  it('a gradient penalty through a ConvTranspose2d layer and a nonlinearity', () => {
    const layer = new nn.ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1, dtype: 'float64' });
    gradcheck(
      'penalty',
      (x) => {
        const [g] = grad(layer.call(x).tanh().sum(), [x], { createGraph: true });
        return g.square().sum();
      },
      [r([1, 2, 2, 2])],
    );
  });
});

/** Output and every gradient of Σ out·v, for the layer in the given dtype with the float64 weights copied. */
function runLayer(layer64: nn.ConvTranspose2d, x64: Tensor, dtype: 'float32' | 'float64'): Tensor[] {
  const config = { ...layer64.getConfig(), dtype } as nn.JsonObject;
  const layer = nn.ConvTranspose2d.fromConfig(config);
  layer.loadStateDict(new Map([...layer64.stateDict()].map(([k, v]) => [k, v.astype(dtype)])));
  const x = x64.astype(dtype).detach();
  x.requiresGrad = true;
  const out = layer.call(x);
  const v = new Tensor(
    Float64Array.from({ length: out.size }, (_, i) => Math.sin(i)),
    [...out.shape],
  ).astype(dtype);
  const params = layer.parameters();
  return [out, ...grad(out.mul(v).sum(), [x, ...params])];
}

describe('ConvTranspose2d float32 (fast passes) agrees with the float64 lowering', () => {
  const shapes: { name: string; cin: number; cout: number; k: number | [number, number]; x: number[]; options: nn.ConvTranspose2dOptions }[] = [
    { name: 'DCGAN 4×4 → 8×8', cin: 8, cout: 4, k: 4, x: [3, 8, 4, 4], options: { stride: 2, padding: 1 } },
    { name: '1×1 projection', cin: 6, cout: 5, k: 4, x: [2, 6, 1, 1], options: {} },
    { name: 'odd sizes, outputPadding', cin: 3, cout: 7, k: [3, 5], x: [2, 3, 5, 7], options: { stride: [2, 3], padding: [1, 2], outputPadding: [1, 2] } },
    { name: 'outputPadding ≥ stride (below the dilation)', cin: 2, cout: 3, k: 3, x: [2, 2, 4, 3], options: { dilation: 3, outputPadding: 2 } },
    { name: 'groups (lowered path)', cin: 4, cout: 6, k: 3, x: [2, 4, 3, 3], options: { groups: 2, stride: 2 } },
    { name: 'no bias, empty-ish batch of one', cin: 1, cout: 1, k: 1, x: [1, 1, 1, 1], options: { bias: false } },
  ];
  for (const s of shapes) {
    it(s.name, () => {
      const layer = new nn.ConvTranspose2d(s.cin, s.cout, s.k, { ...s.options, dtype: 'float64' });
      const x = r(s.x);
      const expected = runLayer(layer, x, 'float64');
      for (const backend of ['wasm', 'js'] as const) {
        const got = withBackend(backend, () => runLayer(layer, x, 'float32'));
        got.forEach((t, i) => {
          assert.deepEqual([...t.shape], [...expected[i].shape]);
          assertCloseFloat32(t.data, expected[i].data, `${backend} ${i === 0 ? 'output' : `gradient ${i - 1}`}`);
        });
      }
    });
  }
});

describe('ConvTranspose2d shapes, options and errors', () => {
  it('gives PyTorch output sizes: kernel 4 stride 2 padding 1 doubles, outputPadding adds one', () => {
    const up = new nn.ConvTranspose2d(3, 2, 4, { stride: 2, padding: 1 });
    assert.deepEqual([...up.call(new Tensor(new Float32Array(2 * 3 * 5 * 7), [2, 3, 5, 7])).shape], [2, 2, 10, 14]);
    const odd = new nn.ConvTranspose2d(1, 1, 3, { stride: 2, padding: 1, outputPadding: [1, 0] });
    assert.deepEqual([...odd.call(new Tensor(new Float32Array(16), [1, 4, 4])).shape], [1, 8, 7]);
  });

  it('rejects bad inputs with errors that name what is wrong', () => {
    const layer = new nn.ConvTranspose2d(3, 2, 3);
    assert.throws(
      () => layer.call(new Tensor(new Float32Array(2 * 4 * 5 * 5), [2, 4, 5, 5])),
      (e: Error) => e instanceof ShapeError && /\[N, 3, H, W\].*\[2, 4, 5, 5\]/.test(e.message),
    );
    assert.throws(() => layer.call(new Tensor(new Float32Array(6), [2, 3])), ShapeError);
    assert.throws(() => layer.call(new Tensor(new Float64Array(27), [1, 3, 3, 3])), DTypeError);
    const x = r([1, 2, 3, 3]);
    assert.throws(
      () => nn.convTranspose2d(x, r([3, 2, 3, 3])),
      (e: Error) => e instanceof ShapeError && /expects 3 input channels/.test(e.message),
    );
    assert.throws(
      () => nn.convTranspose2d(x, r([2, 2, 3])),
      (e: Error) => e instanceof ShapeError && /weight must be 4-D/.test(e.message),
    );
    assert.throws(
      () => nn.convTranspose2d(r([2, 3, 3]), r([2, 2, 3, 3])),
      (e: Error) => e instanceof ShapeError && /input must be 4-D/.test(e.message),
    );
    assert.throws(
      () => nn.convTranspose2d(x, r([2, 2, 3, 3]), r([3])),
      (e: Error) => e instanceof ShapeError && /bias must have shape \[2\]/.test(e.message),
    );
    assert.throws(
      () => nn.convTranspose2d(x, r([2, 2, 1, 1]), null, { padding: 2 }),
      (e: Error) => e instanceof ShapeError && /leaves no output/.test(e.message),
    );
    assert.throws(() => nn.convTranspose2d(x, r([2, 2, 3, 3]).astype('float32')), DTypeError);
    assert.throws(() => nn.convTranspose2d(x, r([2, 2, 3, 3]), null, { groups: 3 }), ValueError);
    assert.throws(
      () => nn.convTranspose2d(x, new Tensor(new Float64Array(0), [2, 2, 0, 3])),
      (e: Error) => e instanceof ShapeError && /empty kernel/.test(e.message),
    );
    assert.throws(
      () => nn.convTranspose2d(new Tensor(new Float64Array(0), [1, 2, 0, 3]), r([2, 2, 3, 3])),
      (e: Error) => e instanceof ShapeError && /empty kernel or image/.test(e.message),
    );
  });

  it('refuses an output too large to allocate (a large stride on a tiny input) with a LimitError, before allocating', () => {
    const x = new Tensor(new Float32Array(2 * 2 * 2), [1, 2, 2, 2]);
    for (const stride of [1e6, 2e4]) {
      assert.throws(
        () => nn.convTranspose2d(x, new Tensor(new Float32Array(2 * 3 * 9), [2, 3, 3, 3]), null, { stride }),
        (e: Error) => e instanceof LimitError && /exceeds/.test(e.message),
      );
    }
  });

  it('the WebAssembly kernels refuse memory they cannot get with a LimitError', { skip: wasmEngine ? false : 'no WebAssembly SIMD' }, () => {
    assert.throws(() => wasmEngine!.ensureBytes(2 ** 40), LimitError);
  });

  it('rejects bad options', () => {
    assert.throws(
      () => new nn.ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 }),
      (e: Error) => e instanceof ValueError && /outputPadding/.test(e.message),
    );
    assert.throws(
      () => new nn.ConvTranspose2d(2, 2, 3, { output_padding: 1 } as never),
      (e: Error) => e instanceof ValueError && /outputPadding/.test(e.message),
    );
    assert.throws(() => new nn.ConvTranspose2d(2, 3, 3, { groups: 2 }), ValueError);
    assert.throws(() => new nn.ConvTranspose2d(2, 2, 0), ValueError);
    assert.throws(() => new nn.ConvTranspose2d(2, 2, 3, { padding: -1 }), ValueError);
    assert.throws(() => nn.convTranspose2d(r([1, 1, 2, 2]), r([1, 1, 2, 2]), null, { strides: 2 } as never), ValueError);
  });

  it('initialises as PyTorch: weight [in, out/groups, kH, kW], U(±1/√fan_in) with fan_in = out/groups·kH·kW', () => {
    const layer = new nn.ConvTranspose2d(16, 8, 3, { groups: 2 });
    assert.deepEqual([...layer.weight.shape], [16, 4, 3, 3]);
    const bound = 1 / Math.sqrt(4 * 9);
    for (const p of [layer.weight, layer.bias!]) {
      const largest = Math.max(...[...p.data].map(Math.abs));
      assert.ok(largest <= bound && largest > 0.8 * bound, `${largest} within ${bound}`);
    }
  });

  it('saves and loads through the layer registry and the model file', () => {
    const model = new nn.Sequential(new nn.ConvTranspose2d(3, 2, [4, 3], { stride: 2, padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2], bias: false }), new nn.Tanh());
    const back = modelFromBytes(modelToBytes(model));
    assert.equal(JSON.stringify(nn.moduleToConfig(back)), JSON.stringify(nn.moduleToConfig(model)));
    const x = new Tensor(
      Float32Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => Math.cos(i)),
      [2, 3, 3, 4],
    );
    assert.deepEqual([...back.call(x).data], [...model.call(x).data]);
  });
});
