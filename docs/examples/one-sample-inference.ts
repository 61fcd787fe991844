// docs/examples/one-sample-inference.ts
import { manualSeed, nn, noGrad, Sequential, Tensor } from '../../src/index.js';

manualSeed(0);
const model = new Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
model.eval();

// One request at a time: a Float32Array of 64 features in, ten probabilities out.
const request = new Float32Array(64).map((_, i) => (i % 3 === 0 ? 0 : (i % 16) / 16));
const probabilities = noGrad(() => model.call(new Tensor(request, [1, 64])).softmax(1).data);
console.log('class:', probabilities.indexOf(Math.max(...probabilities)));

// The same row among many (the general path) gives the same values, to the bit.
const batch = new Float32Array(64 * 20);
batch.set(request, 64 * 7);
const together = noGrad(() => model.call(new Tensor(batch, [20, 64])).softmax(1).data.subarray(70, 80));
console.log('same as in a batch:', together.every((p, j) => p === probabilities[j]));

// Misuse still fails with a typed error on the fast path.
try {
  noGrad(() => model.call(new Tensor(new Float32Array(63), [1, 63])));
} catch (error) {
  console.log((error as Error).name);
}
