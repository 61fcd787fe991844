// examples/network.ts
import { nn, Sequential, Adam, fit, loadDigits, manualSeed } from '../src/index.js';

manualSeed(0);
const { data, target } = loadDigits();             // shipped with the package
const model = new Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
const history = await fit(model, { x: data.div(16), y: target }, {
  loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
  epochs: 30, batchSize: 32, validationSplit: 0.2,
});
console.log(history.get('valLoss').at(-1));
