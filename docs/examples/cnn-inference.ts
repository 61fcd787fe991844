// docs/examples/cnn-inference.ts
import { manualSeed, nn, predict, randn, Sequential } from '../../src/index.js';

manualSeed(0);
// Two Conv → ReLU → MaxPool blocks in a row: predict runs them as one chain.
const model = new Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Conv2d(8, 16, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(16 * 7 * 7, 10),
);
const images = randn([300, 1, 28, 28]);
const logits = predict(model, images, { batchSize: 100 });

// The same values, to the bit, as the forward that training records.
const recorded = model.call(images);
console.log(logits.shape, logits.data.every((v, i) => v === recorded.data[i]));
