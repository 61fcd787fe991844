// docs/examples/data.ts
import { parseCsv, DataLoader, TensorDataset, loadDigits, manualSeed } from '../../src/index.js';

// parseCsv takes text; readCsv takes a path, text or bytes; streamCsv reads a large file in batches of rows.
const table = parseCsv('height,weight,species\n1.2,3.4,cat\n0.9,?,dog\n1.1,3.0,cat\n', { target: 'species' });
console.log(table.featureNames, table.classNames, 'missing weights:', table.column('weight').missingCount);
const features = table.toMatrix();                   // [3, 2] float32, NaN where a value is missing
const labels = table.toTarget();                     // class codes, in the order of classNames
console.log(features.shape, labels.toArray());

// Built-in data: no network needed.
manualSeed(0);
const { data, target } = loadDigits();
const loader = new DataLoader(new TensorDataset(data.div(16), target), { batchSize: 256, shuffle: true });
for (const [xb, yb] of loader) {
  console.log('first batch', xb.shape, yb.shape);
  break;
}
