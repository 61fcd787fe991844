// Shared by the semi-supervised training tests (FixMatch, noisy student): three 2-D blobs, a small MLP, accuracy.
import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { Generator } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { predict } from '../../src/train/index.js';

/** Three 2-D blobs (class k around centre k, standard deviation `spread`), `perClass` points each. */
export function blobs(perClass: number, seed: number, spread: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const centres = [
    [0, 3],
    [3, -2],
    [-3, -2],
  ];
  const n = perClass * 3;
  const x = new Float32Array(n * 2),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    x[2 * i] = centres[k][0] + spread * g.normal();
    x[2 * i + 1] = centres[k][1] + spread * g.normal();
    y[i] = k;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** 2 → 16 ReLU → 3. */
export function mlp(): Sequential {
  return new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
}

/** Fraction of `data`'s rows whose arg-max prediction is the label. */
export function accuracy(model: Sequential, data: { x: Tensor; y: Tensor }): number {
  const p = predict(model, data.x).argmax(1).data;
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === data.y.data[i]) ok++;
  return ok / p.length;
}
