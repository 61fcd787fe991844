// docs/examples/gans.ts
import { CsvTable, GAN, ganCheckpointToBytes, loadIris, manualSeed, mlpDiscriminator, mlpGenerator, synthesize, Tensor, type CsvColumn } from '../../src/index.js';

manualSeed(0);
// Two classes in 2-D: class 0 around (-2, 0), class 1 around (2, 0).
const n = 400;
const x = new Tensor(Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0 : (i >> 1) % 2 ? 2 : -2) + 0.2 * Math.sin(i * 12.9898)), [n, 2]);
const y = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 2), [n]);

// A conditional GAN: the label's one-hot code goes into G (with the noise) and into D (with the sample).
const gan = new GAN({
  generator: mlpGenerator({ latentDim: 4, outFeatures: 2, hidden: [32], numClasses: 2, output: 'none' }),
  discriminator: mlpDiscriminator({ inFeatures: 2, hidden: [32], numClasses: 2 }),
  latentDim: 4,
  numClasses: 2,
  lr: 2e-3,
  seed: 1,
});
const checkpoints: Uint8Array[] = [];
const history = await gan.fit({ x, y }, { steps: 400, batchSize: 32, verbose: 0, checkpointEvery: 200, onCheckpoint: (c) => void checkpoints.push(ganCheckpointToBytes(c)) });
console.log(`after ${history.steps.at(-1)} steps: D(x) ${history.get('dReal').at(-1)?.toFixed(2)}, D(G(z)) ${history.get('dFake').at(-1)?.toFixed(2)}`);
console.log('class 1 samples are centred at x =', gan.sample(200, { label: 1, seed: 7 }).mean(0).data[0].toFixed(2));
console.log(`${checkpoints.length} checkpoints of ${checkpoints[0].length} bytes (resume with fit(..., { resumeFrom }))`);

// Tabular synthesis: new rows with the same columns and kinds, conditioned on the target.
const iris = loadIris();
const rows = iris.target.size;
const columns: CsvColumn[] = (iris.featureNames ?? []).map((name, j) => ({ name, kind: 'number', values: Float64Array.from({ length: rows }, (_, i) => iris.data.data[i * 4 + j]), missingCount: 0 }));
columns.push({ name: 'species', kind: 'category', categories: iris.targetNames, values: Float64Array.from(iris.target.data), missingCount: 0 });
const table = new CsvTable(columns, rows, new Int32Array(rows), 4);
const synthetic = await synthesize(table, 300, { seed: 1, steps: 300 });
console.log(synthetic.columnNames.join(', '), '—', synthetic.nRows, 'rows, kinds', Object.values(synthetic.dtypes).join(', '));
