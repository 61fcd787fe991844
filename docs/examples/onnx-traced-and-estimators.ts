// docs/examples/onnx-traced-and-estimators.ts
import * as ort from 'onnxruntime-node';
import { type Tensor, ColumnTransformer, OneHotEncoder, Pipeline, SVC, StandardScaler, exportOnnxBytes, manualSeed, nn, randn } from '../../src/index.js';

manualSeed(0);

// A Module with its own forward: the layers and the tensor ops between them are traced.
class Residual extends nn.Module {
  body = new nn.Sequential(new nn.Linear(8, 8), new nn.ReLU(), new nn.Linear(8, 8));
  override forward(x: Tensor): Tensor {
    return x.add(this.body.forward(x)).relu();
  }
}
const net = new Residual().eval();
const netFile = exportOnnxBytes(net, randn([1, 8]));
const x = randn([4, 8]);
const netSession = await ort.InferenceSession.create(netFile);
const { output } = await netSession.run({ input: new ort.Tensor('float32', x.data as Float32Array, [4, 8]) });
console.log('residual block, largest difference', Math.max(...Array.from(output.data as Float32Array, (v, i) => Math.abs(v - net.forward(x).data[i]))));

// A fitted Pipeline: scaling of two columns, one-hot codes of the third, then an SVC with probabilities.
const X = randn([60, 3]);
for (let i = 0; i < 60; i++) X.data[i * 3 + 2] = i % 3;
const y = Array.from({ length: 60 }, (_, i) => (X.data[i * 3] + (i % 3 === 2 ? 1 : 0) > 0.5 ? 'high' : 'low'));
const pipeline = new Pipeline([
  [
    'columns',
    new ColumnTransformer([
      ['numbers', new StandardScaler(), [0, 1]],
      ['codes', new OneHotEncoder({ handleUnknown: 'ignore' }), [2]],
    ]),
  ],
  ['svc', new SVC({ probability: true, randomState: 0 })],
]).fit(X, y);
const session = await ort.InferenceSession.create(exportOnnxBytes(pipeline, X));
const rows = X.slice([[0, 3]]);
const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.data), [3, 3]) });
console.log('labels from ONNX Runtime', Array.from(result.label.data as string[]), 'from Frugal', pipeline.predict(rows));
