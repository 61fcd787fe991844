// docs/examples/transfer-learning.ts
import { Adam, nn, Sequential, Tensor, fit, loadDigits, manualSeed, noGrad, predict } from '../../src/index.js';

// Source task: digits 0-4, every image. Target task: digits 5-9 with only 5 labelled images per class.
const { data, target } = loadDigits();
const images = (rows: number[]): Tensor => new Tensor(Float32Array.from(rows.flatMap((i) => Array.from(data.data.subarray(i * 64, (i + 1) * 64), (v) => v / 16))), [rows.length, 1, 8, 8]);
const labels = (rows: number[], offset: number): Tensor => new Tensor(Int32Array.from(rows, (i) => target.data[i] - offset), [rows.length]);
const all = [...Array(target.size).keys()];
const sourceRows = all.filter((i) => target.data[i] < 5);
const count = [0, 0, 0, 0, 0];
const targetRows = all.filter((i) => target.data[i] >= 5 && count[target.data[i] - 5]++ < 5);
const testRows = all.filter((i) => target.data[i] >= 5 && !targetRows.includes(i));

const makeCnn = (): Sequential =>
  new Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8 * 4 * 4, 32), new nn.ReLU(), new nn.Linear(32, 5));
const accuracy = (model: Sequential): number => {
  const predicted = predict(model, images(testRows)).argmax(1).data;
  const truth = labels(testRows, 5).data;
  return testRows.filter((_, i) => predicted[i] === truth[i]).length / testRows.length;
};
const small = { x: images(targetRows), y: labels(targetRows, 5) };
const options = { loss: 'crossEntropy', epochs: 40, batchSize: 5, seed: 0, verbose: 0 } as const;

// 1. Pre-train on the source task.
manualSeed(0);
const pretrained = makeCnn();
await fit(pretrained, { x: images(sourceRows), y: labels(sourceRows, 0) }, { loss: 'crossEntropy', optimizer: new Adam(pretrained.parameters(), { lr: 3e-3 }), epochs: 3, batchSize: 32, seed: 0, verbose: 0 });

// 2. From scratch on the 25 labelled images: the baseline.
manualSeed(1);
const scratch = makeCnn();
await fit(scratch, small, { ...options, optimizer: new Adam(scratch.parameters(), { lr: 3e-3 }) });
console.log('from scratch', accuracy(scratch).toFixed(3));

// 3. Feature extraction: keep the pre-trained convolution block frozen, train new dense layers on top.
manualSeed(1);
const extractor = makeCnn();
extractor.loadStateDict(pretrained.stateDict());
extractor.set(4, new nn.Linear(8 * 4 * 4, 32)); // replace layers by position (a name works too)
extractor.set(-1, new nn.Linear(32, 5)); // a new head for the new classes
const backbone = extractor.slice(0, 4); // conv, relu, pool, flatten: the same modules, not copies
backbone.freeze();
await fit(extractor, small, { ...options, optimizer: new Adam(extractor.trainableParameters(), { lr: 3e-3 }) });
console.log('frozen pre-trained block + new layers', accuracy(extractor).toFixed(3));

// 4. Fine-tuning: the same, but the pre-trained block trains too, three times slower (one lr per parameter group).
manualSeed(1);
const tuned = makeCnn();
tuned.loadStateDict(pretrained.stateDict());
tuned.set(4, new nn.Linear(8 * 4 * 4, 32));
tuned.set(-1, new nn.Linear(32, 5));
const optimizer = new Adam(
  [
    { params: tuned.slice(0, 4).parameters(), lr: 1e-3 },
    { params: tuned.slice(4).parameters(), lr: 3e-3 },
  ],
  { lr: 3e-3 },
);
await fit(tuned, small, { ...options, optimizer });
console.log('fine-tuned', accuracy(tuned).toFixed(3));

// The frozen block alone is a feature extractor: 128 numbers per image.
const features = noGrad(() => backbone.forward(images(testRows.slice(0, 3))));
console.log('features', features.shape);
