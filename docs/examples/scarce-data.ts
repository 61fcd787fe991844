// docs/examples/scarce-data.ts
import {
  compose,
  concat,
  cutout,
  DataLoader,
  fit,
  fitFixMatch,
  loadDigits,
  manualSeed,
  mixup,
  nn,
  predict,
  predictTTA,
  pseudoLabel,
  randAugment,
  randomTranslate,
  Sequential,
  Tensor,
  TensorDataset,
} from '../../src/index.js';

manualSeed(0);
// Digits as 8×8 images in [0, 1]; only the first 5 images of each class keep their label.
const digits = loadDigits();
const n = digits.target.size;
const images = digits.data.div(16).reshape([n, 1, 8, 8]);
const labelledRows: number[] = [];
const seen = new Array(10).fill(0);
for (let i = 0; i < 1500; i++) if (seen[digits.target.data[i]]++ < 5) labelledRows.push(i);
const pick = (t: Tensor, rows: number[]): Tensor => {
  const size = t.size / t.shape[0];
  const out = t.dtype === 'int32' ? new Int32Array(rows.length * size) : new Float32Array(rows.length * size);
  rows.forEach((r, j) => out.set(t.data.subarray(r * size, (r + 1) * size), j * size));
  return new Tensor(out, [rows.length, ...t.shape.slice(1)]);
};
const xl = pick(images, labelledRows),
  yl = pick(digits.target, labelledRows);
const unlabelled = pick(images, Array.from({ length: 1500 }, (_, i) => i)); // labels not used
const testRows = Array.from({ length: n - 1500 }, (_, i) => 1500 + i);
const xTest = pick(images, testRows),
  yTest = pick(digits.target, testRows);
const accuracy = (model: Sequential): string => {
  const p = predict(model, xTest).argmax(1).data;
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === yTest.data[i]) ok++;
  return (ok / p.length).toFixed(3);
};
const cnn = (): Sequential => new Sequential(new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(16 * 64, 10));

// 1. Augmentation as a DataLoader batchTransform: shifts, then mixup with soft labels (crossEntropy takes them).
const weak = randomTranslate({ maxShift: 1, seed: 1 });
const loader = new DataLoader(new TensorDataset(xl, yl), { batchSize: 25, shuffle: true, seed: 2, batchTransform: (batch) => mixup({ numClasses: 10, alpha: 0.2, seed: 3 })(weak(batch)) });
const augmented = cnn();
await fit(augmented, loader, { loss: 'crossEntropy', lr: 3e-3, epochs: 60, verbose: 0 });
console.log(`50 labels, shifts + mixup: test accuracy ${accuracy(augmented)}`);

// 2. FixMatch: the same 50 labels plus 1 500 unlabelled images.
const strong = compose(weak, randAugment({ n: 2, magnitude: 1, randomMagnitude: true, seed: 4 }), cutout({ size: 3, seed: 5 }));
const model = cnn();
const history = await fitFixMatch(model, { x: xl, y: yl }, unlabelled, { weak, strong, batchSize: 25, mu: 4, lr: 3e-3, epochs: 8, seed: 6, verbose: 0 });
console.log(`FixMatch: ${(100 * history.history.maskRate.at(-1)!).toFixed(0)} % of unlabelled images pseudo-labelled in the last epoch, test accuracy ${accuracy(model)}`);

// 3. A student: the FixMatch model labels the 1 500 images; a fresh CNN learns from the 50 labels and the confident pseudo-labels.
const pseudo = pseudoLabel(model, unlabelled, { maxPerClass: 150 });
const studentData = new TensorDataset(concat([xl, pseudo.x]), concat([yl, pseudo.y]));
const student = cnn();
await fit(student, new DataLoader(studentData, { batchSize: 50, shuffle: true, seed: 7, batchTransform: weak }), { loss: 'crossEntropy', lr: 3e-3, epochs: 15, verbose: 0 });
console.log(`student on ${pseudo.indices.length} pseudo-labels: test accuracy ${accuracy(student)}`);

// 4. Test-time augmentation: the FixMatch model's probabilities averaged over each test image and two seeded random shifts of it.
const views = [(x: Tensor) => x, randomTranslate({ maxShift: 1, seed: 8 }), randomTranslate({ maxShift: 1, seed: 9 })];
const averaged = predictTTA(model, xTest, { views }).argmax(1).data;
console.log(`FixMatch with test-time augmentation: test accuracy ${(averaged.filter((c, i) => c === yTest.data[i]).length / averaged.length).toFixed(3)}`);
