import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../src/index.js';
import { tensor, Tensor } from '../src/index.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void => {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
  }
};

describe('creation', () => {
  it('from nested arrays, typed arrays and numbers', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const u = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    assert.equal(u.dtype, 'float64');
    assert.equal(tensor(3).item(), 3);
    assert.deepEqual(tensor([1.7, -1.7], { dtype: 'int32' }).toArray(), [1, -1]);
  });
  it('rejects ragged arrays and wrong sizes with a ShapeError', () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array at \[1\]/);
    assert.throws(() => new Tensor(new Float32Array(5), [2, 3]), F.ShapeError);
    assert.throws(() => tensor([1, 2], { dtype: 'float16' as never }), F.DTypeError);
  });
  it('zeros, ones, full, arange, linspace, eye', () => {
    assert.deepEqual(F.zeros([2, 2]).toArray(), [
      [0, 0],
      [0, 0],
    ]);
    assert.deepEqual(F.ones([3], { dtype: 'int32' }).toArray(), [1, 1, 1]);
    assert.deepEqual(F.full([2], 7).toArray(), [7, 7]);
    assert.deepEqual(F.arange(5).toArray(), [0, 1, 2, 3, 4]);
    assert.equal(F.arange(5).dtype, 'int32');
    close(F.arange(0, 1, 0.25).data, [0, 0.25, 0.5, 0.75]);
    close(F.linspace(0, 1, 5).data, [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(F.eye(2, 3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });
  it('manualSeed makes random draws repeatable', () => {
    F.manualSeed(7);
    const a = [F.rand([5]), F.randn([5]), F.randint(0, 10, [5])];
    F.manualSeed(7);
    const b = [F.rand([5]), F.randn([5]), F.randint(0, 10, [5])];
    for (let i = 0; i < 3; i++) assert.deepEqual([...a[i].data], [...b[i].data]);
    F.manualSeed(8);
    assert.notDeepEqual([...F.rand([5]).data], [...a[0].data]);
  });
  it('random draws have the right distribution', () => {
    const x = F.randn([20000], { generator: 3 });
    assert.ok(Math.abs(x.mean().item()) < 0.03);
    assert.ok(Math.abs(x.std().item() - 1) < 0.03);
    const u = F.rand([20000], { generator: 4 });
    assert.ok(u.min().item() >= 0 && u.max().item() < 1);
    assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
  });
});

describe('element-wise ops and broadcasting', () => {
  it('broadcasts like NumPy', () => {
    const a = tensor([[1], [2], [3]]);
    const b = tensor([10, 20]);
    assert.deepEqual(a.add(b).toArray(), [
      [11, 21],
      [12, 22],
      [13, 23],
    ]);
    assert.deepEqual(a.mul(2).shape, [3, 1]);
  });
  it('names the op and both shapes when shapes do not broadcast', () => {
    assert.throws(() => tensor([1, 2, 3]).add(tensor([1, 2])), /add: shapes \[3\] and \[2\] cannot be broadcast/);
  });
  it('computes the unary functions', () => {
    const x = tensor([-2, -0.5, 0, 0.5, 2], { dtype: 'float64' });
    close(x.relu().data, [0, 0, 0, 0.5, 2]);
    close(
      x.sigmoid().data,
      [-2, -0.5, 0, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))),
    );
    close(x.leakyRelu(0.1).data, [-0.2, -0.05, 0, 0.5, 2]);
    close(x.elu().data, [Math.expm1(-2), Math.expm1(-0.5), 0, 0.5, 2]);
    // GELU and erf against known values (PyTorch: gelu(1) = 0.8413447460685429).
    close(tensor([1], { dtype: 'float64' }).gelu().data, [0.8413447460685429], 1e-12);
    close(
      tensor([0.5, 1, 2, 3.5, -4], { dtype: 'float64' }).erf().data,
      [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999992569016276, -0.9999999845827421],
      1e-13,
    );
    close(
      x.softplus().data,
      [-2, -0.5, 0, 0.5, 2].map((v) => Math.log1p(Math.exp(v))),
    );
    close(tensor([800, -800], { dtype: 'float64' }).softplus().data, [800, 0]);
    close(x.sign().data, [-1, -1, 0, 1, 1]);
    close(x.clip(-1, 1).data, [-1, -0.5, 0, 0.5, 1]);
  });
  it('comparisons give int32 masks and where selects', () => {
    const x = tensor([1, 5, 3]);
    const m = x.gt(2);
    assert.equal(m.dtype, 'int32');
    assert.deepEqual(m.toArray(), [0, 1, 1]);
    assert.deepEqual(F.where(m, x, tensor(0)).toArray(), [0, 5, 3]);
    assert.deepEqual(F.maximum(x, tensor([2, 2, 4])).toArray(), [2, 5, 4]);
  });
  it('promotes dtypes like PyTorch', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    assert.equal(i.add(1).dtype, 'int32');
    assert.equal(i.add(0.5).dtype, 'float32');
    assert.equal(i.div(2).dtype, 'float32');
    assert.equal(tensor([1], { dtype: 'float64' }).add(tensor([1])).dtype, 'float64');
  });
});

describe('reductions', () => {
  const x = tensor(
    [
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10, 11, 12],
      ],
      [
        [0, -1, -2, -3],
        [4, 4, 4, 4],
        [1, 0, 1, 0],
      ],
    ],
    { dtype: 'float64' },
  );
  it('sum and mean over any axes, with keepDims', () => {
    assert.equal(x.sum().item(), 78 - 6 + 16 + 2);
    assert.deepEqual(x.sum(1).toArray(), [
      [15, 18, 21, 24],
      [5, 3, 3, 1],
    ]);
    assert.deepEqual(x.sum([0, 2]).toArray(), [4, 26 + 16, 42 + 2]);
    assert.deepEqual(x.sum([0, 2], { keepDims: true }).shape, [1, 3, 1]);
    assert.deepEqual(x.mean(-1).toArray(), [
      [2.5, 6.5, 10.5],
      [-1.5, 4, 0.5],
    ]);
  });
  it('max, min, argmax, argmin', () => {
    assert.deepEqual(x.max(2).toArray(), [
      [4, 8, 12],
      [0, 4, 1],
    ]);
    assert.deepEqual(x.min([1, 2]).toArray(), [1, -3]);
    assert.deepEqual(x.argmax(1).toArray(), [
      [2, 2, 2, 2],
      [1, 1, 1, 1],
    ]);
    assert.equal(x.argmin().item(), 15);
    assert.deepEqual(
      tensor([[3, 1, 2]])
        .argmax(-1, { keepDims: true })
        .toArray(),
      [[0]],
    );
  });
  it('var and std (correction 1 by default, 0 like NumPy)', () => {
    const v = tensor([1, 2, 3, 4], { dtype: 'float64' });
    close(v.var().data, [5 / 3]);
    close(v.var(0, { correction: 0 }).data, [1.25]);
    close(v.std().data, [Math.sqrt(5 / 3)]);
  });
  it('softmax, logSoftmax and logSumExp are stable', () => {
    const z = tensor(
      [
        [1000, 1001, 1002],
        [-1000, -1000, -1000],
      ],
      { dtype: 'float64' },
    );
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const s = e[0] + e[1] + e[2];
    close(z.softmax().data, [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3]);
    close(z.logSumExp(1).data, [1002 + Math.log(s), -1000 + Math.log(3)]);
    close(z.logSoftmax(1).sum(1).data, [Math.log(e[0] / s) + Math.log(e[1] / s) + Math.log(1 / s), 3 * Math.log(1 / 3)]);
  });
  it('rejects axes out of range with an AxisError', () => {
    assert.throws(() => x.sum(3), F.AxisError);
    assert.throws(() => x.sum(3), /sum: axis 3 is out of range for a tensor of 3 dimensions/);
    assert.throws(() => x.softmax(-4), F.AxisError);
  });
});

describe('shape ops', () => {
  const x = F.arange(24).reshape(2, 3, 4);
  it('reshape infers -1 and shares data', () => {
    assert.deepEqual(x.reshape(4, -1).shape, [4, 6]);
    assert.equal(x.reshape(6, 4).data, x.data);
    assert.throws(() => x.reshape(5, 5), /cannot reshape \[2, 3, 4\]/);
  });
  it('permute, transpose, T', () => {
    assert.deepEqual(x.permute(2, 0, 1).shape, [4, 2, 3]);
    assert.equal((x.permute(2, 0, 1).toArray() as number[][][])[3][1][2], 23);
    assert.deepEqual(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]).T.toArray(),
      [
        [1, 4],
        [2, 5],
        [3, 6],
      ],
    );
  });
  it('expand, squeeze, unsqueeze', () => {
    assert.deepEqual(
      tensor([[1], [2]])
        .expand([2, 3])
        .toArray(),
      [
        [1, 1, 1],
        [2, 2, 2],
      ],
    );
    assert.throws(() => tensor([1, 2]).expand([3]), F.ShapeError);
    assert.deepEqual(F.zeros([1, 3, 1]).squeeze().shape, [3]);
    assert.deepEqual(F.zeros([3]).unsqueeze(-1).shape, [3, 1]);
  });
  it('slice, split, concat, stack, pad, flip', () => {
    assert.deepEqual(x.slice([[1], [0, 3, 2], [-1]]).toArray(), [[[15], [23]]]);
    const [a, b] = x.split([1, 2], 1);
    assert.deepEqual(a.shape, [2, 1, 4]);
    assert.deepEqual(F.concat([a, b], 1).toArray(), x.toArray());
    assert.deepEqual(F.stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(), [
      [1, 3],
      [2, 4],
    ]);
    assert.deepEqual(
      tensor([[1, 2]])
        .pad(
          [
            [1, 0],
            [0, 1],
          ],
          9,
        )
        .toArray(),
      [
        [9, 9, 9],
        [1, 2, 9],
      ],
    );
    assert.deepEqual(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .flip(1)
        .toArray(),
      [
        [2, 1],
        [4, 3],
      ],
    );
    assert.throws(() => F.concat([F.zeros([2, 3]), F.zeros([3, 3])], 1), /differ outside axis 1/);
  });
  it('gather and indexSelect', () => {
    const m = tensor([
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(
      m
        .gather(
          1,
          tensor(
            [
              [0, 0],
              [1, 0],
            ],
            { dtype: 'int32' },
          ),
        )
        .toArray(),
      [
        [1, 1],
        [4, 3],
      ],
    );
    assert.deepEqual(m.indexSelect(0, [1, 1, 0]).toArray(), [
      [3, 4],
      [3, 4],
      [1, 2],
    ]);
    assert.throws(() => m.indexSelect(0, [2]), /out of range/);
    assert.throws(() => m.gather(1, tensor([[0]])), F.DTypeError);
  });
  it('handles empty dimensions', () => {
    const e = F.zeros([0, 3]);
    assert.deepEqual(e.sum(0).toArray(), [0, 0, 0]);
    assert.deepEqual(F.concat([e, F.ones([1, 3])]).shape, [1, 3]);
    assert.deepEqual(e.matmul(F.ones([3, 2])).shape, [0, 2]);
    assert.deepEqual(
      F.zeros([2, 0])
        .matmul(F.zeros([0, 3]))
        .toArray(),
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
    );
  });
});

describe('matmul', () => {
  it('multiplies matrices, vectors and batches', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(a.matmul(tensor([[5], [6]])).toArray(), [[17], [39]]);
    assert.deepEqual(a.matmul(tensor([1, 1])).toArray(), [3, 7]);
    assert.deepEqual(tensor([1, 1]).matmul(a).toArray(), [4, 6]);
    assert.equal(
      tensor([1, 2])
        .matmul(tensor([3, 4]))
        .item(),
      11,
    );
    const batch = F.stack([a, a.mul(2)]);
    assert.deepEqual(batch.matmul(F.eye(2)).toArray(), batch.toArray());
  });
  it('names both shapes on a mismatch', () => {
    assert.throws(() => F.ones([2, 3]).matmul(F.ones([2, 3])), /matmul: shapes \[2, 3\] and \[2, 3\] do not fit/);
  });
});

describe('convolution and pooling (forward values)', () => {
  it('conv2d matches a direct computation', () => {
    const x = F.arange(16, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
    const w = tensor([
      [
        [
          [1, 0],
          [0, -1],
        ],
      ],
    ]);
    // y[i][j] = x[i][j] − x[i+1][j+1] = −5 everywhere.
    assert.deepEqual(F.conv2d(x, w).toArray(), [
      [
        [
          [-5, -5, -5],
          [-5, -5, -5],
          [-5, -5, -5],
        ],
      ],
    ]);
    const y = F.conv2d(x, w, tensor([1]), { padding: 1, stride: 2 });
    assert.deepEqual(y.shape, [1, 1, 3, 3]);
    // The corner window covers padding and x[0][0] (weight −1): 0 − 0 + bias 1.
    assert.equal((y.toArray() as number[][][][])[0][0][0][0], 1);
  });
  it('pools', () => {
    const x = F.arange(16, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
    assert.deepEqual(F.maxPool2d(x, 2).toArray(), [
      [
        [
          [5, 7],
          [13, 15],
        ],
      ],
    ]);
    assert.deepEqual(F.avgPool2d(x, 2).toArray(), [
      [
        [
          [2.5, 4.5],
          [10.5, 12.5],
        ],
      ],
    ]);
    assert.deepEqual(F.globalAvgPool2d(x).toArray(), [[[[7.5]]]]);
    assert.throws(() => F.maxPool2d(F.zeros([1, 4, 4]), 2), /input must be 4-D/);
  });
});

describe('printing', () => {
  it('prints small tensors whole and large ones elided like PyTorch (first/last 3 per axis)', () => {
    assert.equal(
      String(
        tensor([
          [1, 2],
          [3, 4.5],
        ]),
      ),
      'Tensor([[1,2],[3,4.5]], shape=[2, 2], dtype=float32)',
    );
    assert.equal(String(tensor([Number.NaN, -Infinity])), 'Tensor([NaN,-Infinity], shape=[2], dtype=float32)');
    assert.equal(String(F.arange(2000).reshape(2, 1000)), 'Tensor([[0,1,2,...,997,998,999],[1000,1001,1002,...,1997,1998,1999]], shape=[2, 1000], dtype=int32)');
    const big = String(F.arange(100 * 100 * 100).reshape(100, 100, 100));
    // 3-D: the first axis elided too, and the text stays short.
    assert.ok(big.startsWith('Tensor([[[0,1,2,...,97,98,99],[100,101,102,...,197,198,199],[200,201,202,...,297,298,299],...,'), big.slice(0, 120));
    assert.ok(big.length < 2000, `${big.length} characters`);
    assert.equal(String(F.zeros([1001])), 'Tensor([0,0,0,...,0,0,0], shape=[1001], dtype=float32)');
    assert.equal(String(F.zeros([1000])).split(',').length, 1000 + 2);
  });
});
