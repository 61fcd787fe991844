// docs/examples/onnx.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, Sequential, SGD, exportOnnx, importOnnx, manualSeed, randn } from '../../src/index.js';

manualSeed(0);
const model = new Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3));
const path = join(mkdtempSync(join(tmpdir(), 'frugal-')), 'model.onnx');
await exportOnnx(model, randn([1, 1, 8, 8]), path);   // opset 17; the batch dimension stays dynamic

// Any ONNX Runtime can serve model.onnx now; Frugal can also load it (or a file PyTorch wrote) back.
const imported = await importOnnx(path);
const x = randn([5, 1, 8, 8]);
console.log('largest difference', imported.forward(x).sub(model.forward(x)).abs().max().item());

// The imported weights are Parameters: fine-tune them like any Module.
imported.train();
const optimizer = new SGD(imported.parameters(), { lr: 0.1 });
const target = randn([5, 3]);
for (let step = 0; step < 3; step++) {
  optimizer.zeroGrad();
  const loss = imported.forward(x).sub(target).square().mean();
  loss.backward();
  optimizer.step();
  console.log('loss', loss.item());
}
