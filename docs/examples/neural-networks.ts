// docs/examples/neural-networks.ts
import { nn, Sequential, Adam, fit, evaluate, predict, loadIris, manualSeed, modelToBytes, modelFromBytes } from '../../src/index.js';

manualSeed(0);                                       // one seed: initialisation, shuffling, the validation split
const { data, target } = loadIris();
const x = data.sub(data.mean(0)).div(data.std(0));   // standardise each feature

const model = new Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
const history = await fit(model, { x, y: target }, {
  loss: 'crossEntropy',
  optimizer: new Adam(model.parameters(), { lr: 1e-2 }),
  epochs: 20, batchSize: 16, validationSplit: 0.2, verbose: 0,
});
console.log('last validation loss', history.get('valLoss').at(-1));
console.log('loss over all rows', (await evaluate(model, { x, y: target }, { loss: 'crossEntropy' })).loss);

// Save the architecture and weights as safetensors bytes, and load them back.
const bytes = modelToBytes(model);
const restored = modelFromBytes(bytes);
const same = predict(restored, x).sub(predict(model, x)).abs().max().item();
console.log(`saved ${bytes.length} bytes; largest difference after loading: ${same}`);
