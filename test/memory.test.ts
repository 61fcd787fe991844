import { it } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, randint, noGrad, tensor, type Tensor } from '../src/index.js';

// Users never call dispose(): a long training loop must hold steady memory.
it('a 20 000-step MLP training loop holds steady resident memory (< 50 MB growth after warm-up)', () => {
  manualSeed(0);
  const batch = 32,
    inputs = 64,
    hidden = 128,
    classes = 10;
  const X = randn([batch, inputs]);
  const labels = randint(0, classes, [batch]);
  const onehot = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) onehot[i * classes + labels.data[i]] = 1;
  const Y = tensor(onehot, { shape: [batch, classes] });
  const params = [
    randn([inputs, hidden]).mul(0.1),
    tensor(new Float32Array(hidden), { shape: [hidden] }),
    randn([hidden, classes]).mul(0.1),
    tensor(new Float32Array(classes), { shape: [classes] }),
  ];
  for (const p of params) p.requiresGrad = true;
  const [w1, b1, w2, b2] = params;
  const step = (): number => {
    const logits = X.matmul(w1).add(b1).relu().matmul(w2).add(b2);
    const loss = logits.logSoftmax(1).mul(Y).sum().div(-batch);
    for (const p of params) p.grad = null;
    loss.backward();
    noGrad(() => {
      for (const p of params) p.assign_(p.sub((p.grad as Tensor).mul(0.05)));
    });
    return loss.item();
  };
  const first = step();
  for (let i = 0; i < 2000; i++) step();
  const rssAfterWarmup = process.memoryUsage().rss;
  let peak = rssAfterWarmup;
  let last = first;
  for (let i = 0; i < 20000; i++) {
    last = step();
    if (i % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const growthMb = (peak - rssAfterWarmup) / 2 ** 20;
  assert.ok(last < first, `training made progress (${first} → ${last})`);
  assert.ok(growthMb < 50, `resident memory grew ${growthMb.toFixed(1)} MB after warm-up`);
});
