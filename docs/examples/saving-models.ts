// docs/examples/saving-models.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadIris, makePipeline, StandardScaler, SVC, GridSearchCV, Ridge,
  save, load, estimatorToBytes, estimatorFromBytes, registerEstimator, type Classifier,
} from '../../src/index.js';

const { data, target } = loadIris({ dtype: 'float64' });
const labels = Array.from(target.data, (c) => ['setosa', 'versicolor', 'virginica'][c]);

// Fit a pipeline and save it: one safetensors file holds the steps, their params and fitted state.
const model = makePipeline(new StandardScaler(), new SVC({ probability: true, randomState: 0 })).fit(data, labels);
const file = join(mkdtempSync(join(tmpdir(), 'frugal-')), 'iris.safetensors');
await save(model, file);

// Load it (here or in another process): the same class, the same predictions, bit for bit.
const loaded = (await load(file)) as Classifier;
console.log(loaded.constructor.name, loaded.predict(data).slice(0, 3));
const [before, after] = [model.predictProba!(data).data, loaded.predictProba!(data).data];
console.log('same probabilities:', after.every((p, i) => Object.is(p, before[i])));

// Bytes instead of files (a browser, a worker, a database), and unfitted estimators too.
const search = new GridSearchCV(new Ridge(), { alpha: [0.1, 1, 10] }, { cv: 3 });
const copy = estimatorFromBytes(estimatorToBytes(search));
console.log(copy.constructor.name, copy.getParams({ deep: false }).paramGrid);

// A class of your own must be registered before it is saved or loaded.
class ShiftedRidge extends Ridge {}
registerEstimator(ShiftedRidge);
console.log(estimatorFromBytes(estimatorToBytes(new ShiftedRidge({ alpha: 2 }))).getParams().alpha);
