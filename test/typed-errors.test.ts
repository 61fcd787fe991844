/**
 * Everything the library throws at its public boundary is a typed library
 * error (a FrugalError from src/errors.ts) whose message names what was wrong:
 * hostile arguments to tensor creation and ops, garbage bytes to the readers,
 * strings, NaN and ragged rows to estimators, bad sizes to layers, bad options
 * to DataLoader and the training loop. Never a bare TypeError or RangeError.
 *
 * Cases marked `todo` still throw a bare error (the comment says where); they
 * turn on once the owner of that file fixes it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../src/index.js';
import { FrugalError, ParseError } from '../src/index.js';

interface Case {
  /** What the hostile call is. */
  name: string;
  call: () => unknown;
  /** The message must say what was wrong. */
  says: RegExp;
  /** Where the bare error comes from, while it still does. */
  todo?: string;
}

// Hostile values, typed loosely on purpose: users in plain JavaScript can pass anything.
const anything = (v: unknown) => v as never;
const bytes = (...b: number[]) => new Uint8Array(b);

/** A safetensors file: 8-byte little-endian header length, the JSON header, then `dataBytes` zero bytes. */
function safetensors(header: string, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  return out;
}

const GROUPS: Record<string, Case[]> = {
  'tensor creation': [
    { name: 'tensor(null)', call: () => F.tensor(anything(null)), says: /expected a number/ },
    { name: 'tensor of strings', call: () => F.tensor(anything([['a', 'b']])), says: /string.*expected a number/ },
    { name: 'a ragged nested array', call: () => F.tensor([[1, 2], [3]]), says: /ragged/ },
    { name: 'data that does not fill the shape', call: () => F.tensor([1, 2, 3], { shape: [2, 2] }), says: /do not fill shape/ },
    { name: 'a negative size', call: () => F.zeros([-1]), says: /invalid size -1/ },
    { name: 'a NaN size', call: () => F.zeros([NaN]), says: /invalid size NaN/ },
    { name: 'a fractional size', call: () => F.zeros([2.5]), says: /invalid size 2.5/ },
    { name: 'a shape that is not an array', call: () => F.ones(anything('3')), says: /shape must be an array/ },
    { name: 'an unknown dtype', call: () => F.tensor([1, 2], { dtype: anything('float16') }), says: /unknown dtype 'float16'/ },
    { name: 'arange to Infinity', call: () => F.arange(0, Infinity), says: /Infinity/ },
    { name: 'zeros([1e6, 1e6]), more than a typed array holds', call: () => F.zeros([1e6, 1e6]), says: /1000000000000|too large|limit/i },
    { name: 'randn([2 ** 31, 4])', call: () => F.randn([2 ** 31, 4]), says: /too large|limit|8589934592/i },
  ],
  'tensor ops': [
    { name: 'matmul of misfit shapes', call: () => F.tensor([[1, 2]]).matmul(F.tensor([[1, 2]])), says: /matmul: shapes \[1, 2\] and \[1, 2\]/ },
    { name: 'matmul(null)', call: () => F.tensor([[1, 2]]).matmul(anything(null)), says: /matmul.*null|Tensor/ },
    { name: 'add of shapes that do not broadcast', call: () => F.tensor([1, 2]).add(F.tensor([1, 2, 3])), says: /cannot be broadcast/ },
    { name: 'add of a string', call: () => F.tensor([1, 2]).add(anything('x')), says: /expected tensors or numbers/ },
    { name: 'reshape to a wrong size', call: () => F.tensor([1, 2, 3]).reshape([2, 2]), says: /cannot reshape \[3\]/ },
    { name: 'reshape with two -1', call: () => F.tensor([1, 2, 3, 4]).reshape([-1, -1]), says: /only one size may be -1/ },
    { name: 'sum over a missing axis', call: () => F.tensor([1, 2]).sum(5), says: /axis 5 is out of range/ },
    { name: 'transpose of a missing axis', call: () => F.tensor([[1, 2]]).transpose(0, 3), says: /axis 3 is out of range/ },
    { name: 'split sizes that do not add up', call: () => F.tensor([1, 2, 3]).split([1, 1]), says: /do not add up/ },
    { name: 'item of two elements', call: () => F.tensor([1, 2]).item(), says: /2 elements, expected 1/ },
    { name: 'backward from a non-scalar', call: () => F.tensor([1, 2], { requiresGrad: true }).mul(2).backward(), says: /not a scalar/ },
    { name: 'inverse of a non-square matrix', call: () => F.linalg.inv(F.zeros([2, 3])), says: /must be square/ },
  ],
  'readers given garbage': [
    { name: 'parseCsv with a ragged row', call: () => F.parseCsv('a,b\n1,2\n3\n'), says: /line 3/ },
    { name: 'parseCsv with an unterminated quote', call: () => F.parseCsv('a,b\n"1,2\n'), says: /unterminated quoted field/ },
    { name: 'parseCsv(null)', call: () => F.parseCsv(anything(null)), says: /expected text/ },
    { name: 'readCsv(null)', call: () => F.readCsv(anything(null)), says: /expected a path, CSV text or bytes/ },
    { name: 'readCsv of a file that is not there', call: () => F.readCsv('/nonexistent/frugal/file.csv'), says: /no such file/ },
    { name: 'parseIdx of random bytes', call: () => F.parseIdx(bytes(1, 2, 3, 4, 5, 6, 7, 8)), says: /not an IDX file/ },
    { name: 'parseIdx whose header claims 2^96 bytes', call: () => F.parseIdx(bytes(0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)), says: /truncated/ },
    { name: 'parseIdx of no bytes', call: () => F.parseIdx(bytes()), says: /too short/ },
    { name: 'readIdx of corrupt gzip', call: () => F.readIdx(bytes(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3)), says: /gzip data is truncated or corrupt/ },
    { name: 'idxToTensor(null)', call: () => F.idxToTensor(anything(null), [2]), says: /idxToTensor|data/ },
    { name: 'readParquet of random bytes', call: () => F.readParquet(bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)), says: /not a valid Parquet file/ },
    {
      name: 'readParquet with a footer length past the end',
      call: () => F.readParquet(bytes(80, 65, 82, 49, 1, 2, 3, 4, 255, 255, 255, 127, 80, 65, 82, 49)),
      says: /not a valid Parquet file/,
    },
    { name: 'readParquet(null)', call: () => F.readParquet(anything(null)), says: /readParquet/ },
    { name: 'decodeSafetensors of 3 bytes', call: () => F.decodeSafetensors(bytes(1, 2, 3)), says: /too short/ },
    { name: 'decodeSafetensors with a header that is not JSON', call: () => F.decodeSafetensors(safetensors('{xxx')), says: /not valid JSON/ },
    {
      name: 'decodeSafetensors claiming 4 GB of data',
      call: () => F.decodeSafetensors(safetensors('{"w":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}')),
      says: /4000000000 bytes/,
    },
    {
      name: 'decodeSafetensors with a shape larger than its bytes',
      call: () => F.decodeSafetensors(safetensors('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,4]}}', 4)),
      says: /needs 12 bytes/,
    },
    { name: 'modelFromBytes of zeros', call: () => F.modelFromBytes(new Uint8Array(100)), says: /header/ },
    { name: 'modelFromBytes of a string', call: () => F.modelFromBytes(anything('abc')), says: /expected a Uint8Array/ },
    { name: 'checkpointFromBytes of zeros', call: () => F.checkpointFromBytes(new Uint8Array(50)), says: /header/ },
    {
      name: 'modelFromBytes whose architecture asks for Linear(1e9, 1e9)',
      call: () => F.modelFromBytes(F.encodeSafetensors({}, { 'frugal.architecture': '{"type":"Linear","config":{"inFeatures":1e9,"outFeatures":1e9}}' })),
      says: /too large|limit|1000000000/i,
    },
    {
      name: 'modelFromBytes naming an unknown layer',
      call: () => F.modelFromBytes(F.encodeSafetensors({}, { 'frugal.architecture': '{"type":"__proto__"}' })),
      says: /unknown layer type '__proto__'/,
    },
    { name: 'loadStateDict(null)', call: () => new F.nn.Linear(2, 2).loadStateDict(anything(null)), says: /loadStateDict|state/ },
  ],
  'estimators and model selection': [
    {
      name: 'strings as features',
      call: () =>
        new F.LinearRegression().fit(
          anything([
            ['a', 'b'],
            ['c', 'd'],
          ]),
          [1, 2],
        ),
      says: /is a string/,
    },
    {
      name: 'NaN as a feature',
      call: () =>
        new F.LinearRegression().fit(
          [
            [NaN, 1],
            [2, 3],
          ],
          [1, 2],
        ),
      says: /contains NaN at row 0, column 0/,
    },
    { name: 'Infinity as a feature', call: () => new F.Lasso().fit([[Infinity], [2]], [0, 1]), says: /contains infinity/ },
    { name: 'ragged rows', call: () => new F.LinearRegression().fit([[1, 2], [3]], [1, 2]), says: /ragged rows/ },
    { name: 'X null', call: () => new F.LinearRegression().fit(anything(null), anything(null)), says: /X is null/ },
    { name: 'X and y of different lengths', call: () => new F.LinearRegression().fit([[1], [2]], [1, 2, 3]), says: /inconsistent numbers of samples/ },
    { name: 'predict before fit', call: () => new F.LinearRegression().predict([[1]]), says: /not fitted/ },
    { name: 'a classifier given one class', call: () => new F.LogisticRegression().fit([[1], [2]], [0, 0]), says: /only one class/ },
    { name: 'C = -1', call: () => new F.LogisticRegression({ C: -1 }).fit([[1], [2]], [0, 1]), says: /C must be > 0/ },
    { name: 'C as a string', call: () => new F.LogisticRegression({ C: anything('x') }).fit([[1], [2]], [0, 1]), says: /C must be a number/ },
    { name: 'an unknown kernel', call: () => new F.SVC({ kernel: anything('nope') }).fit([[1], [2]], [0, 1]), says: /kernel must be/ },
    { name: 'alpha NaN', call: () => new F.Ridge({ alpha: NaN }).fit([[1], [2]], [0, 1]), says: /alpha/ },
    { name: 'a scaler fitted on no rows', call: () => new F.StandardScaler().fit([]), says: /empty/ },
    {
      name: 'PolynomialFeatures of degree 50 on 100 features',
      call: () => new F.PolynomialFeatures({ degree: 50 }).fit(F.zeros([2, 100])),
      says: /degree|features|too many|limit/i,
    },
    { name: 'minimizeLbfgs(null, [0])', call: () => F.minimizeLbfgs(anything(null), new Float64Array(1)), says: /function/ },
    { name: 'an unknown category', call: () => new F.OneHotEncoder().fit([['a'], ['b']]).transform([['c']]), says: /unknown categories/ },
    { name: 'testSize larger than the data', call: () => F.trainTestSplit([[1], [2]], [1, 2], { testSize: 5 }), says: /testSize=5/ },
    { name: 'trainTestSplit(null)', call: () => F.trainTestSplit(anything(null)), says: /null/ },
    { name: 'KFold.split(null)', call: () => [...new F.KFold().split(anything(null))], says: /null/ },
    { name: 'more folds than samples', call: () => [...new F.KFold({ nSplits: 5 }).split([[1], [2]])], says: /greater than the number of samples/ },
    { name: 'metric inputs of different lengths', call: () => F.accuracyScore([1, 2], [1]), says: /inconsistent numbers of samples/ },
    { name: 'a metric given NaN', call: () => F.meanSquaredError([NaN], [1]), says: /NaN/ },
    { name: 'an unknown scorer', call: () => F.getScorer('nope'), says: /not a valid scoring value/ },
    { name: 'makeRegression with a negative size', call: () => F.makeRegression({ nSamples: -5 }), says: /nSamples/ },
    { name: 'makeRegression with 10^18 values', call: () => F.makeRegression({ nSamples: 1e9, nFeatures: 1e9 }), says: /samples|features|limit|too large/i },
  ],
  'layers, losses and optimisers': [
    { name: 'Linear(0, 3)', call: () => new F.nn.Linear(0, 3), says: /inFeatures must be a positive integer/ },
    { name: 'Linear(NaN, 3)', call: () => new F.nn.Linear(NaN, 3), says: /inFeatures/ },
    { name: "Linear('4', 3)", call: () => new F.nn.Linear(anything('4'), 3), says: /inFeatures/ },
    { name: 'Linear(1e6, 1e6), a trillion weights', call: () => new F.nn.Linear(1e6, 1e6), says: /too large|limit|1000000000000/i },
    { name: 'Linear given the wrong width', call: () => new F.nn.Linear(4, 3).forward(F.zeros([2, 5])), says: /last dimension 4, got \[2, 5\]/ },
    { name: 'Linear.forward(null)', call: () => new F.nn.Linear(4, 3).forward(anything(null)), says: /Tensor|null/ },
    { name: 'Sequential.forward(null)', call: () => new F.Sequential(new F.nn.Linear(2, 2)).forward(anything(null)), says: /Tensor|null/ },
    { name: 'Conv2d with kernel 0', call: () => new F.nn.Conv2d(1, 2, 0), says: /kernelSize/ },
    { name: 'Conv2d given a 2-D input', call: () => new F.nn.Conv2d(1, 2, 3).forward(F.zeros([3, 3])), says: /expected input \[N, 1, H, W\]/ },
    { name: 'Dropout(2)', call: () => new F.nn.Dropout(2), says: /p must be a number in \[0, 1\]/ },
    { name: 'an Embedding index out of range', call: () => new F.nn.Embedding(3, 2).forward(F.tensor([5], { dtype: 'int32' })), says: /index 5/ },
    { name: 'LSTM(-1, 2)', call: () => new F.nn.LSTM(-1, 2), says: /inputSize/ },
    { name: 'BatchNorm1d(0)', call: () => new F.nn.BatchNorm1d(0), says: /numFeatures/ },
    { name: 'Sequential of a number', call: () => new F.Sequential(anything(5)), says: /expected a Module/ },
    { name: 'crossEntropy with a class out of range', call: () => F.nn.crossEntropy(F.zeros([2, 3]), F.tensor([5, 1], { dtype: 'int32' })), says: /class index 5/ },
    { name: 'mseLoss of different shapes', call: () => F.nn.mseLoss(F.zeros([2, 3]), F.zeros([4])), says: /same shape/ },
    { name: 'Adam with lr -1', call: () => new F.Adam([], { lr: -1 }), says: /lr must be/ },
    { name: 'Adam(null)', call: () => new F.Adam(anything(null)), says: /params/ },
    { name: 'SGD with lr NaN', call: () => new F.SGD(new F.nn.Linear(2, 2).parameters(), { lr: NaN }), says: /lr must be/ },
  ],
  'data loading and training': [
    { name: 'DataLoader batchSize 0', call: () => new F.DataLoader(new F.TensorDataset(F.zeros([4, 2])), { batchSize: 0 }), says: /batchSize must be an integer >= 1/ },
    { name: 'DataLoader batchSize NaN', call: () => new F.DataLoader(new F.TensorDataset(F.zeros([4, 2])), { batchSize: NaN }), says: /batchSize/ },
    { name: "DataLoader batchSize '8'", call: () => new F.DataLoader(new F.TensorDataset(F.zeros([4, 2])), { batchSize: anything('8') }), says: /batchSize/ },
    { name: 'DataLoader prefetch -1', call: () => new F.DataLoader(new F.TensorDataset(F.zeros([4, 2])), { prefetch: -1 }), says: /prefetch/ },
    { name: 'DataLoader(null)', call: () => new F.DataLoader(anything(null)), says: /dataset must have/ },
    { name: 'DataLoader with options that are a string', call: () => new F.DataLoader(new F.TensorDataset(F.zeros([4, 2])), anything('x')), says: /options must be an object/ },
    { name: 'TensorDataset of different lengths', call: () => new F.TensorDataset(F.zeros([4, 2]), F.zeros([3])), says: /different numbers of samples/ },
    { name: 'collate of no samples', call: () => F.collate([]), says: /no samples/ },
    { name: 'fit without a loss', call: () => F.fit(new F.nn.Linear(2, 1), { x: F.zeros([4, 2]), y: F.zeros([4, 1]) }, anything({})), says: /loss/ },
    { name: 'fit with epochs -1', call: () => F.fit(new F.nn.Linear(2, 1), { x: F.zeros([4, 2]), y: F.zeros([4, 1]) }, { loss: 'mse', epochs: -1 }), says: /epochs/ },
    { name: 'fit with x and y of different lengths', call: () => F.fit(new F.nn.Linear(2, 1), { x: F.zeros([4, 2]), y: F.zeros([3, 1]) }, { loss: 'mse' }), says: /4 samples.*3/ },
    { name: 'fit(null, ...)', call: () => F.fit(anything(null), { x: F.zeros([4, 2]), y: F.zeros([4, 1]) }, { loss: 'mse' }), says: /model must be a Module/ },
    { name: 'fit with data null', call: () => F.fit(new F.nn.Linear(2, 1), anything(null), { loss: 'mse' }), says: /data must be/ },
    { name: "loadIris({ dtype: 'int8' })", call: () => F.loadIris({ dtype: anything('int8') }), says: /dtype must be/ },
    { name: 'setNumThreads(-1)', call: () => F.setNumThreads(-1), says: /positive integer/ },
    { name: "setBackend('nope')", call: () => F.setBackend(anything('nope')), says: /unknown backend/ },
    { name: "manualSeed('x')", call: () => F.manualSeed(anything('x')), says: /seed must be a finite number/ },
  ],
};

/** Runs `call` (sync or async) and returns what it threw; fails when it throws nothing. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  assert.fail('threw nothing');
}

for (const [group, cases] of Object.entries(GROUPS)) {
  describe(`typed errors: ${group}`, () => {
    for (const { name, call, says, todo } of cases) {
      it(name, todo === undefined ? {} : { todo }, async () => {
        const err = await thrown(call);
        assert.ok(err instanceof FrugalError, `threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
        assert.match(err.message, says);
      });
    }
  });
}

describe('typed errors: ParseError says where', () => {
  it('carries the line of a ragged CSV row', async () => {
    const err = await thrown(() => F.parseCsv('a,b\n1,2\n3,4\n5\n'));
    assert.ok(err instanceof ParseError);
    assert.equal(err.line, 4);
  });
});

// docs/security.md promises that a model file which does not fit is refused before any weight
// changes: a model loaded halfway would carry on silently with mixed weights.
describe('untrusted model files change nothing', () => {
  it('loadWeights with a file whose last layer does not fit leaves every weight as it was', async () => {
    F.manualSeed(0);
    const model = new F.Sequential(new F.nn.Linear(2, 3), new F.nn.ReLU(), new F.nn.Linear(3, 2));
    const snapshot = () => model.parameters().map((p) => p.toArray());
    const before = snapshot();
    F.manualSeed(1);
    const other = new F.Sequential(new F.nn.Linear(2, 3), new F.nn.ReLU(), new F.nn.Linear(3, 4));
    const err = await thrown(() => F.loadWeights(model, F.modelToBytes(other)));
    assert.ok(err instanceof FrugalError, String(err));
    assert.match(err.message, /shape \[4, 3\]/);
    assert.deepEqual(snapshot(), before);
  });

  it('loadStateDict with missing keys leaves every weight as it was', () => {
    const model = new F.nn.Linear(2, 3);
    const before = model.parameters().map((p) => p.toArray());
    const err = (() => {
      try {
        model.loadStateDict({ weight: F.ones([3, 2]) });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof FrugalError);
    assert.match(err.message, /missing keys \[bias\]/);
    assert.deepEqual(
      model.parameters().map((p) => p.toArray()),
      before,
    );
  });
});
