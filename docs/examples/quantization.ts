// docs/examples/quantization.ts
import { Adam, fit, loadDigits, manualSeed, modelFromBytes, modelToBytes, nn, noGrad, quant, Tensor, type Module } from '../../src/index.js';

manualSeed(0);
const digits = loadDigits();
const n = digits.data.shape[0];
const x = new Tensor(Float32Array.from(digits.data.data, (v) => v / 16), [n, 1, 8, 8]);
const y = digits.target;

const model = new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(8 * 4 * 4, 32),
  new nn.ReLU(),
  new nn.Linear(32, 10),
);
await fit(model, { x, y }, { loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 3e-3 }), epochs: 2, batchSize: 32, verbose: 0 });

const accuracy = (m: Module): string => {
  const logits = noGrad(() => m.eval().call(x));
  let right = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.data.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === y.data[i]) right++;
  }
  return (right / n).toFixed(3);
};

// Post-training static int8: observe a few batches, then convert.
const batches = [0, 1, 2, 3].map((b) => new Tensor(x.data.slice(b * 4096, (b + 1) * 4096), [64, 1, 8, 8]));
const int8 = quant.convert(quant.calibrate(quant.prepare(model, { observer: 'minmax' }), batches));
console.log(String(int8).split('\n').slice(0, 3).join('\n')); // Conv2d → ReLU → MaxPool2d is one QuantizedConv2d

// Dynamic int8 (Linear layers only, no calibration), and float16 storage.
const dynamic = quant.quantizeDynamic(model);
const f32Bytes = modelToBytes(model);
const int8Bytes = modelToBytes(int8);
const f16Bytes = modelToBytes(model, { float16: true });
const reloaded = modelFromBytes(int8Bytes); // the int8 weights come back from I8 tensors
console.log(`accuracy: float32 ${accuracy(model)}, int8 ${accuracy(int8)}, reloaded int8 ${accuracy(reloaded)}, dynamic ${accuracy(dynamic)}, float16 ${accuracy(modelFromBytes(f16Bytes))}`);
console.log(`bytes: float32 ${f32Bytes.length}, int8 ${int8Bytes.length}, float16 ${f16Bytes.length}`);

// Quantisation-aware training: fake-quantised training, then convert.
const qat = quant.prepareQat(model);
await fit(qat, { x, y }, { loss: 'crossEntropy', optimizer: new Adam(qat.parameters(), { lr: 1e-3 }), epochs: 1, batchSize: 32, verbose: 0 });
console.log(`QAT int8 accuracy ${accuracy(quant.convert(qat))}`);
