/** Data, models and temp folders shared by the training-loop tests (train-loop, train-trust). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, manualSeed, type Tensor, tensor } from '../../src/index.js';
import { Dropout, Linear, ReLU, Sequential, type Module } from '../../src/nn/index.js';

/** Two Gaussian blobs per class in 4-D: an easy 3-class problem. */
export function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 4),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = g.normal() * 0.5 + (j === c ? 2 : 0);
  }
  return { x: tensor(x, { shape: [n, 4] }), y: tensor(y) };
}

export function mlp(seed: number, dropout = 0): Sequential {
  manualSeed(seed);
  const layers: Module[] = [new Linear(4, 16), new ReLU()];
  if (dropout > 0) layers.push(new Dropout(dropout));
  layers.push(new Linear(16, 3));
  return new Sequential(...layers);
}

export function weights(m: Module): number[][] {
  return m.parameters().map((p) => [...p.data]);
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'frugal-train-'));
}
