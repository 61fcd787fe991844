import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../src/index.js';
import { Tensor, tensor, grad, noGrad } from '../src/index.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';
import { tanhF32 } from '../src/backend/routines/fast-math.js';

const r = randomF64;
/** Values away from 0 so kinks (abs, relu, max) sit outside the finite-difference step. */
function awayFromZero(shape: number[]): Tensor {
  const t = r(shape, 0.2, 1.2);
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (i % 2) d[i] = -d[i];
  return t;
}

describe('gradients of element-wise ops match finite differences', () => {
  const unary: [string, (x: Tensor) => Tensor, Tensor][] = [
    ['neg', (x) => x.neg(), r([3, 4])],
    ['abs', (x) => x.abs(), awayFromZero([3, 4])],
    ['exp', (x) => x.exp(), r([3, 4])],
    ['log', (x) => x.log(), r([3, 4], 0.5, 2)],
    ['log1p', (x) => x.log1p(), r([3, 4], -0.5, 2)],
    ['sqrt', (x) => x.sqrt(), r([3, 4], 0.5, 2)],
    ['square', (x) => x.square(), r([3, 4])],
    ['pow scalar', (x) => x.pow(3), r([3, 4])],
    ['pow fractional', (x) => x.pow(1.7), r([3, 4], 0.5, 2)],
    ['sigmoid', (x) => x.sigmoid(), r([3, 4], -4, 4)],
    ['tanh', (x) => x.tanh(), r([3, 4], -2, 2)],
    ['relu', (x) => x.relu(), awayFromZero([3, 4])],
    ['leakyRelu', (x) => x.leakyRelu(0.2), awayFromZero([3, 4])],
    ['elu', (x) => x.elu(1.5), awayFromZero([3, 4])],
    ['gelu', (x) => x.gelu(), r([3, 4], -3, 3)],
    ['softplus', (x) => x.softplus(), r([3, 4], -5, 5)],
    ['sin', (x) => x.sin(), r([3, 4], -3, 3)],
    ['cos', (x) => x.cos(), r([3, 4], -3, 3)],
    ['erf', (x) => x.erf(), r([3, 4], -2, 2)],
    ['clip', (x) => x.clip(-0.5, 0.5), awayFromZero([3, 4]).mul(0.7).detach().add(0.01)],
  ];
  for (const [name, fn, x] of unary) {
    it(name, () => {
      const input = x.requiresGrad ? x : new Tensor(x.data, x.shape, { requiresGrad: true });
      gradcheck(name, fn, [input], { secondOrder: true });
    });
  }

  const binary: [string, (a: Tensor, b: Tensor) => Tensor, Tensor, Tensor][] = [
    ['add broadcast', (a, b) => a.add(b), r([2, 3, 4]), r([3, 1])],
    ['sub broadcast', (a, b) => a.sub(b), r([4]), r([2, 3, 4])],
    ['mul broadcast', (a, b) => a.mul(b), r([2, 1, 4]), r([3, 1])],
    ['div broadcast', (a, b) => a.div(b), r([2, 3]), r([3], 0.5, 2)],
    ['pow tensor', (a, b) => a.pow(b), r([2, 3], 0.5, 2), r([2, 3])],
    ['maximum', (a, b) => F.maximum(a, b), r([3, 4]), r([4])],
    ['minimum', (a, b) => F.minimum(a, b), r([3, 4]), r([3, 1])],
    ['where', (a, b) => F.where(a.gt(0), a, b), awayFromZero([3, 4]), r([4])],
  ];
  for (const [name, fn, a, b] of binary) {
    it(name, () => gradcheck(name, fn, [a, b], { secondOrder: true }));
  }
});

describe('gradients of reductions', () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['sum all', (x) => x.sum()],
    ['sum axes [0, 2] keepDims', (x) => x.sum([0, 2], { keepDims: true })],
    ['sum axis -1', (x) => x.sum(-1)],
    ['mean axis 1', (x) => x.mean(1)],
    ['max axis 1', (x) => x.max(1)],
    ['min axes [0, 2]', (x) => x.min([0, 2])],
    ['var axis 2', (x) => x.var(2)],
    ['var all, correction 0', (x) => x.var(undefined, { correction: 0 })],
    ['std axis 0', (x) => x.std(0)],
    ['logSumExp axis 1', (x) => x.logSumExp(1)],
    ['softmax axis -1', (x) => x.softmax(-1)],
    ['softmax axis 0', (x) => x.softmax(0)],
    ['logSoftmax axis 1', (x) => x.logSoftmax(1)],
  ];
  for (const [name, fn] of cases) {
    it(name, () => gradcheck(name, fn, [r([2, 3, 4], -2, 2)], { secondOrder: !name.startsWith('m') }));
  }
});

describe('gradients of shape ops', () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['reshape', (x) => x.reshape(4, -1).mul(x.reshape(4, 6))],
    ['permute', (x) => x.permute(2, 0, 1)],
    ['transpose', (x) => x.transpose(0, 2)],
    ['expand', (x) => x.slice([null, [0, 1]]).expand([2, 5, 4])],
    [
      'squeeze/unsqueeze',
      (x) =>
        x
          .unsqueeze(1)
          .slice([null, null, [0, 1]])
          .squeeze([1, 2]),
    ],
    ['slice with step', (x) => x.slice([[1, 2], [0, 3, 2], [-3]])],
    ['concat', (x) => F.concat([x, x.mul(2), x.slice([null, [0, 1]])], 1)],
    ['stack', (x) => F.stack([x, x.square()], 1)],
    ['split', (x) => x.split([1, 2], 1)[1].mul(3)],
    [
      'pad',
      (x) =>
        x.pad(
          [
            [1, 0],
            [0, 2],
          ],
          1.5,
        ),
    ],
    ['flip', (x) => x.flip([0, 2])],
    [
      'gather',
      (x) =>
        x.gather(
          2,
          tensor(
            [
              [
                [0, 3],
                [1, 1],
                [2, 0],
              ],
              [
                [3, 3],
                [0, 1],
                [2, 2],
              ],
            ],
            { dtype: 'int32' },
          ),
        ),
    ],
    ['indexSelect', (x) => x.indexSelect(1, [2, 0, 2])],
    ['flatten', (x) => x.flatten(1)],
  ];
  for (const [name, fn] of cases) {
    it(name, () => gradcheck(name, fn, [r([2, 3, 4])], { secondOrder: true }));
  }
  it('scatterAdd', () => {
    const index = tensor(
      [
        [0, 2],
        [1, 0],
      ],
      { dtype: 'int32' },
    );
    gradcheck('scatterAdd', (b, s) => F.scatterAdd(b, 1, index, s), [r([2, 3]), r([2, 2])], { secondOrder: true });
  });
});

describe('gradients of matmul', () => {
  const cases: [string, number[], number[]][] = [
    ['2-D', [3, 4], [4, 5]],
    ['vector · matrix', [4], [4, 3]],
    ['matrix · vector', [3, 4], [4]],
    ['vector · vector', [4], [4]],
    ['batched', [2, 3, 4], [2, 4, 5]],
    ['broadcast batch', [2, 3, 4], [4, 5]],
    ['mixed broadcast', [2, 1, 3, 4], [1, 3, 4, 2]],
  ];
  for (const [name, sa, sb] of cases) {
    it(name, () => gradcheck(`matmul ${name}`, (a, b) => a.matmul(b), [r(sa), r(sb)], { secondOrder: true }));
  }
});

describe('gradients of convolution and pooling', () => {
  const convCases: [string, number[], number[], F.Conv2dOptions][] = [
    ['3×3 padding 1', [2, 3, 5, 5], [4, 3, 3, 3], { padding: 1 }],
    ['stride 2', [1, 2, 7, 6], [3, 2, 3, 2], { stride: 2 }],
    ['dilation 2, same', [1, 2, 6, 6], [2, 2, 3, 3], { dilation: 2, padding: 'same' }],
    ['groups 2', [2, 4, 5, 4], [6, 2, 3, 3], { groups: 2, padding: [1, 0] }],
    ['1×1', [2, 3, 4, 4], [5, 3, 1, 1], {}],
  ];
  for (const [name, xs, ws, opts] of convCases) {
    it(`conv2d ${name}`, () => {
      const bias = r([ws[0]]);
      gradcheck(`conv2d ${name}`, (x, w, b) => F.conv2d(x, w, b, opts), [r(xs), r(ws), bias], { secondOrder: true });
    });
  }
  it('maxPool2d 2×2', () => gradcheck('maxPool2d', (x) => F.maxPool2d(x, 2), [r([2, 2, 5, 6])], { secondOrder: true }));
  it('maxPool2d 3×3 stride 2 padding 1', () => gradcheck('maxPool2d', (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), [r([1, 2, 7, 7])]));
  it('avgPool2d 2×2', () => gradcheck('avgPool2d', (x) => F.avgPool2d(x, 2), [r([2, 2, 4, 6])], { secondOrder: true }));
  it('avgPool2d 3×3 stride 2 padding 1, count_include_pad false', () =>
    gradcheck('avgPool2d', (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [r([1, 2, 6, 7])]));
});

describe('autograd engine', () => {
  it('accumulates gradients across backward calls and through reuse', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    assert.deepEqual([...x.grad!.data], [2, 4, 6]);
    x.mul(3).sum().backward();
    assert.deepEqual([...x.grad!.data], [5, 7, 9]);
  });
  it('noGrad records nothing and detach cuts the graph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(x.mul(2).detach().requiresGrad, false);
  });
  it('backward on a non-scalar needs an explicit gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), F.ShapeError);
    x.mul(2).backward(tensor([1, 1]));
    assert.deepEqual([...x.grad!.data], [2, 2]);
  });
  it('grad() of an intermediate and a gradient penalty (second order)', () => {
    const w = tensor(
      [
        [0.5, -1],
        [2, 0.25],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const x = tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
    const out = x.matmul(w).tanh().sum();
    const [gx] = grad(out, [x], { createGraph: true });
    const penalty = gx.square().sum();
    penalty.backward();
    assert.ok(w.grad, 'penalty reaches the weights');
    // Compare with a finite difference on w[0][0].
    const f = (): number => {
      const xx = new Tensor(x.data, x.shape, { requiresGrad: true });
      const [g] = grad(xx.matmul(w.detach()).tanh().sum(), [xx]);
      return g.square().sum().item();
    };
    const eps = 1e-6;
    w.data[0] += eps;
    const plus = f();
    w.data[0] -= 2 * eps;
    const minus = f();
    w.data[0] += eps;
    assert.ok(Math.abs(w.grad!.data[0] - (plus - minus) / (2 * eps)) < 1e-6);
  });
  it('deep graphs do not overflow the stack', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1.0001);
    y.sum().backward();
    assert.ok(Math.abs(x.grad!.item() - Math.pow(1.0001, 20000)) < 1e-6);
  });
  it('in-place changes of tensors that need gradients are refused outside noGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => w.fill_(0), F.FrugalError);
    noGrad(() => w.fill_(0));
    assert.deepEqual([...w.data], [0, 0]);
  });
});

describe('float32 tanh: the one-pass gradient routine', () => {
  it('forward is the float32 tanh (within an ulp of Math.tanh); the gradient equals the three float32 ops to the bit, on a size that takes the wasm kernel', () => {
    const n = 4099;
    const data = new Float32Array(n).map((_, i) => Math.sin(i * 0.37) * 4);
    const x = new Tensor(data, [n], { requiresGrad: true });
    const g = new Tensor(
      new Float32Array(n).map((_, i) => Math.cos(i * 0.11)),
      [n],
    );
    const y = x.tanh();
    y.backward(g);
    const expectedY = new Float32Array(n).map((_, i) => tanhF32(data[i]));
    assert.deepEqual(Array.from(y.data), Array.from(expectedY));
    // g·(1 − y²) by the three float32 ops the rule used before it became one pass
    const composed = noGrad(() => g.mul(F.sub(1, y.detach().square())));
    assert.deepEqual(Array.from(x.grad!.data), Array.from(composed.data));
  });
});
