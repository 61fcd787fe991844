// The fewlabel-fashion bench's experiment options and its two-process method (bench/fewlabel.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { benchFewLabelFashion, parseOverrides } from '../bench/fewlabel.js';
import type { BenchLine } from '../bench/common.js';
import { ValueError } from '../src/errors.js';
import { Tensor } from '../src/tensor/tensor.js';
import { SHARED_DATA, skipNoShared } from './helpers/data.js';

describe('fewlabel-fashion bench', () => {
  it('--set parses numbers, booleans, names and named views; rejects what it cannot read', () => {
    const o = parseOverrides('threshold=0.9,weightDecay=0.001,distributionAlignment=true,pseudoLabelWith=ema,pseudoLabelViews=mirror');
    assert.equal(o.threshold, 0.9);
    assert.equal(o.weightDecay, 0.001);
    assert.equal(o.distributionAlignment, true);
    assert.equal(o.pseudoLabelWith, 'ema');
    assert.equal(o.pseudoLabelViews?.length, 1);
    const x = new Tensor(Float32Array.from([1, 2, 3, 4]), [1, 1, 1, 4]);
    assert.deepEqual(Array.from(o.pseudoLabelViews![0](x).data), [4, 3, 2, 1], 'mirror: the image flipped left to right');
    assert.throws(() => parseOverrides('threshold'), ValueError);
    assert.throws(() => parseOverrides('pseudoLabelViews=sideways'), /unknown view 'sideways'/);
  });

  it('fixmatch-pair trains its two members in two processes and scores their average', {
    skip: skipNoShared('fashion-mnist/train-images-idx3-ubyte.gz'),
    timeout: 120_000,
  }, async () => {
    const lines: BenchLine[] = [];
    const log: string[] = [];
    await benchFewLabelFashion({ emit: (l) => lines.push(l), dataDir: SHARED_DATA, quick: true, methods: ['fixmatch-pair'], log: (m) => log.push(m) });
    const acc = lines.find((l) => l.impl === 'frugal-fixmatch-pair' && l.metric === 'test_acc');
    assert.ok(acc && acc.value >= 0 && acc.value <= 1);
    assert.ok(lines.some((l) => l.impl === 'frugal-fixmatch-pair' && l.metric === 'train_s' && l.value > 0));
    for (const m of [1, 2]) {
      assert.ok(
        log.some((line) => line.startsWith(`[member ${m}] fixmatch epoch 2/2`)),
        `member ${m} logged its epochs`,
      );
      assert.ok(log.some((line) => line.startsWith(`fixmatch-pair: member ${m} alone scores`)));
    }
  });
});
