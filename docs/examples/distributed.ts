// docs/examples/distributed.ts
import {
  loadIris, makePipeline, StandardScaler, LogisticRegression, GridSearchCV, crossValidate,
  inProcessExecutor, searchTrials, registerFunction, manualSeed, fit, Sequential, tensor,
} from '../../src/index.js';
import { Linear, ReLU } from '../../src/nn/index.js';

const { data, target } = loadIris({ dtype: 'float64' });
const pipe = makePipeline(new StandardScaler(), new LogisticRegression());
const grid = { logisticregression__C: [0.01, 0.1, 1, 10] };

// The default executor runs the (candidate, fold) trials here, one after another: fit stays synchronous.
const local = new GridSearchCV(pipe, grid, { cv: 5 }).fit(data, target);
console.log('best', local.bestParams, local.bestScore!.toFixed(4));

// The same executor option takes progress and cancellation (and, with redisExecutor, Redis workers).
const controller = new AbortController();
const executor = inProcessExecutor({ onProgress: (done, total) => done === total && console.log(`${done}/${total} trials`), signal: controller.signal });
const cv = crossValidate(pipe, data, target, { cv: 5, executor });
console.log('fold scores', Array.from(cv.testScore, (s) => s.toFixed(3)).join(' '));

// Neural-network trials: a function trains with `fit` under some settings and returns its scores.
async function trainNet(settings: Record<string, unknown>, d: { X: unknown; y: unknown }) {
  manualSeed(0);
  const hidden = settings.hidden as number;
  const model = new Sequential(new Linear(4, hidden), new ReLU(), new Linear(hidden, 3));
  const history = await fit(model, { x: tensor(d.X as number[][]), y: tensor(Int32Array.from(d.y as number[])) }, { loss: 'crossEntropy', lr: 0.05, epochs: 5, seed: 1, verbose: 0 });
  return { loss: history.get('loss').at(-1)! };
}
registerFunction(trainNet, 'docs.trainNet'); // workers find it by this name
const X = Array.from({ length: 150 }, (_, i) => Array.from(data.data.subarray(i * 4, i * 4 + 4)));
const y = Array.from(target.data);
const trials = await searchTrials(trainNet, [{ hidden: 4 }, { hidden: 16 }], { X, y });
console.log(trials.scores.map((s, i) => `hidden ${trials.settings[i].hidden}: loss ${s.loss.toFixed(3)}`).join(', '));
