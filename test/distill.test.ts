/**
 * Distillation: the soft-target loss against PyTorch (values and gradients,
 * fixture from scripts/make-distill-fixtures.py) and finite differences,
 * and the trainer: the teacher stays frozen, alpha = 0 is plain
 * cross-entropy training, hostile options are typed errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { distill, distillationLoss, softTargetLoss, fit, grad, manualSeed, predict, randn, Tensor, ShapeError, ValueError } from '../src/index.js';
import { Dropout, Linear, ReLU, Sequential } from '../src/nn/index.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';
import { gradcheck, randomF64 } from './helpers/gradcheck.js';

interface DistillCase {
  n: number;
  c: number;
  temperature: number;
  alpha: number;
  s: number[];
  t: number[];
  y: number[];
  soft: number;
  total: number;
  grad_s: number[];
}

const fixture = loadFixture<{ cases: DistillCase[] }>('torch-distill');

describe('distillation loss', () => {
  it('matches PyTorch: kl_div(log_softmax(s/T), softmax(t/T), batchmean)·T² and alpha·soft + (1 − alpha)·CE, with the gradient', () => {
    for (const c of fixture.cases) {
      const s = new Tensor(Float64Array.from(c.s), [c.n, c.c], { requiresGrad: true });
      const t = new Tensor(Float64Array.from(c.t), [c.n, c.c]);
      const y = new Tensor(Int32Array.from(c.y), [c.n]);
      assertClose(softTargetLoss(s, t, c.temperature).item(), c.soft, 1e-12, `soft T=${c.temperature}`);
      const total = distillationLoss(s, t, y, { temperature: c.temperature, alpha: c.alpha });
      assertClose(total.item(), c.total, 1e-12, `total T=${c.temperature} alpha=${c.alpha}`);
      const [g] = grad(total, [s]);
      assertClose(Array.from(g.data), c.grad_s, 1e-12, `grad T=${c.temperature} alpha=${c.alpha}`);
    }
  });

  it('has the gradient of finite differences (float64)', () => {
    const t = randomF64([4, 5], -3, 3).detach();
    const y = new Tensor(Int32Array.from([0, 4, 2, 2]), [4]);
    gradcheck('softTargetLoss T=3', (s) => softTargetLoss(s, t, 3), [randomF64([4, 5], -3, 3)]);
    gradcheck('distillationLoss T=2 alpha=0.7', (s) => distillationLoss(s, t, y, { temperature: 2, alpha: 0.7 }), [randomF64([4, 5], -3, 3)]);
  });

  it('sends no gradient to the teacher logits', () => {
    const s = randomF64([3, 4]);
    const t = randomF64([3, 4]);
    const loss = softTargetLoss(s, t, 2);
    const [gs, gt] = grad(loss, [s, t], { allowUnused: true });
    assert.ok(gs.abs().sum().item() > 0);
    assert.ok(gt === null || gt.abs().sum().item() === 0);
  });

  it('rejects a bad temperature, alpha or shapes with typed errors', () => {
    const s = randomF64([3, 4]).detach();
    const y = new Tensor(Int32Array.from([0, 1, 2]), [3]);
    for (const temperature of [0, -1, Number.NaN, Infinity]) assert.throws(() => softTargetLoss(s, s, temperature), ValueError);
    for (const alpha of [-0.1, 1.5, Number.NaN]) assert.throws(() => distillationLoss(s, s, y, { alpha }), ValueError);
    assert.throws(() => softTargetLoss(s, randomF64([3, 5]), 1), ShapeError);
    assert.throws(() => softTargetLoss(s.reshape([12]), s.reshape([12]), 1), ShapeError);
  });
});

/** Two Gaussian blobs per class in 6 dimensions, labels 0..2. */
function toyData(n: number, seed: number): { x: Tensor; y: Tensor } {
  manualSeed(seed);
  const x = randn([n, 6]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    x.data[i * 6 + y[i]] += 2.5;
  }
  return { x, y: new Tensor(y, [n]) };
}

function accuracy(model: Sequential, x: Tensor, y: Tensor): number {
  const p = predict(model, x).argmax(1);
  let ok = 0;
  for (let i = 0; i < y.size; i++) if (p.data[i] === y.data[i]) ok++;
  return ok / y.size;
}

describe('distill', () => {
  it('trains the student from a frozen teacher kept in eval mode', async () => {
    const data = toyData(240, 1);
    const teacher = new Sequential(new Linear(6, 32), new ReLU(), new Dropout({ p: 0.5 }), new Linear(32, 3));
    await fit(teacher, data, { loss: 'crossEntropy', epochs: 15, lr: 1e-2, verbose: 0 });
    teacher.zeroGrad();
    const before = [...teacher.stateDict()].map(([k, v]) => [k, Array.from(v.data)]);
    teacher.train();
    const student = new Sequential(new Linear(6, 4), new ReLU(), new Linear(4, 3));
    const seen: boolean[] = [];
    const history = await distill({
      teacher,
      student,
      data,
      temperature: 3,
      alpha: 0.8,
      epochs: 20,
      lr: 1e-2,
      verbose: 0,
      metrics: ['accuracy'],
      callbacks: [{ onBatchEnd: () => void seen.push(teacher.training) }],
    });
    assert.ok(seen.length > 0 && seen.every((t) => t === false), 'the teacher runs in eval mode');
    assert.equal(teacher.training, true, "the teacher's mode is restored");
    assert.deepEqual(
      [...teacher.stateDict()].map(([k, v]) => [k, Array.from(v.data)]),
      before,
      'the teacher is not changed',
    );
    assert.ok(
      teacher.parameters().every((p) => p.grad === null),
      'no gradient reaches the teacher',
    );
    const losses = history.history.loss;
    assert.ok(losses[losses.length - 1] < losses[0], 'the distillation loss falls');
    assert.ok(accuracy(student, data.x, data.y) > 0.8);
  });

  it('with alpha = 0 is exactly fit with cross-entropy', async () => {
    const data = toyData(90, 2);
    const teacher = new Sequential(new Linear(6, 3));
    manualSeed(5);
    const a = new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3));
    manualSeed(5);
    const b = new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3));
    await distill({ teacher, student: a, data, alpha: 0, epochs: 2, seed: 9, verbose: 0 });
    await fit(b, data, { loss: 'crossEntropy', epochs: 2, seed: 9, verbose: 0 });
    for (const [k, v] of a.stateDict()) assert.deepEqual(Array.from(v.data), Array.from(b.stateDict().get(k)!.data), k);
  });

  it('rejects hostile options with typed errors', async () => {
    const data = toyData(30, 3);
    const teacher = new Sequential(new Linear(6, 3));
    const student = new Sequential(new Linear(6, 3));
    const base = { teacher, student, data, verbose: 0 as const };
    await assert.rejects(distill({ ...base, temprature: 2 } as never), /temperature/);
    await assert.rejects(distill({ ...base, loss: 'mse' } as never), ValueError);
    await assert.rejects(distill({ ...base, alpha: 2 }), ValueError);
    await assert.rejects(distill({ ...base, temperature: -1 }), ValueError);
    await assert.rejects(distill({ ...base, teacher: {} as never }), ValueError);
    await assert.rejects(distill({ ...base, student: teacher }), ValueError);
    await assert.rejects(distill(null as never), ValueError);
    await assert.rejects(distill({ ...base, student: new Sequential(new Linear(6, 4)) }), ShapeError);
  });
});
