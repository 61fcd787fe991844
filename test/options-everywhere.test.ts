/**
 * Every public function and class that takes an options object rejects a key
 * it does not know with a ValueError that lists the valid keys and, for a
 * snake_case key, suggests the camelCase name ("test_size: did you mean
 * testSize?"), so a mistyped option is never silently ignored.
 *
 * Cases marked `todo` do not check their options yet (the comment says
 * where); they turn on as their owners adopt checkOptions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../src/index.js';
import { ValueError } from '../src/index.js';

interface Case {
  /** The function or class, as a user names it. */
  name: string;
  /** The unknown key passed. */
  key: string;
  /** The valid key it should suggest (when there is one). */
  suggests?: string;
  call: (options: never) => unknown;
  todo?: string;
}

const X = [
  [0, 1],
  [1, 0],
  [1, 1],
  [0, 0],
  [2, 1],
  [1, 2],
];
const y = [0, 1, 1, 0, 1, 0];
const params = () => new F.nn.Linear(2, 2).parameters();
const optimizer = () => new F.SGD(params(), { lr: 0.1 });
const xy = () => ({ x: F.zeros([4, 2]), y: F.zeros([4, 1]) });
const csv = 'a,b\n1,2\n3,4\n';

const CASES: Case[] = [
  // The format every case expects, as the shared checker writes it.
  {
    name: 'checkOptions',
    key: 'test_size',
    suggests: 'testSize',
    call: (o) => F.checkOptions('trainTestSplit', o, ['testSize', 'trainSize', 'randomState', 'shuffle', 'stratify']),
  },
  // Estimators.
  { name: 'LinearRegression', key: 'fit_intercept', suggests: 'fitIntercept', call: (o) => new F.LinearRegression(o) },
  { name: 'Ridge', key: 'fit_intercept', suggests: 'fitIntercept', call: (o) => new F.Ridge(o) },
  { name: 'RidgeCV', key: 'fit_intercept', suggests: 'fitIntercept', call: (o) => new F.RidgeCV(o) },
  { name: 'Lasso', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.Lasso(o) },
  { name: 'ElasticNet', key: 'l1_ratio', suggests: 'l1Ratio', call: (o) => new F.ElasticNet(o) },
  { name: 'LogisticRegression', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.LogisticRegression(o) },
  { name: 'SGDClassifier', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.SGDClassifier(o) },
  { name: 'SGDRegressor', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.SGDRegressor(o) },
  { name: 'SVC', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.SVC(o) },
  { name: 'SVR', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.SVR(o) },
  { name: 'LinearSVC', key: 'max_iter', suggests: 'maxIter', call: (o) => new F.LinearSVC(o) },
  // Preprocessing.
  { name: 'StandardScaler', key: 'with_mean', suggests: 'withMean', call: (o) => new F.StandardScaler(o) },
  { name: 'MinMaxScaler', key: 'feature_range', suggests: 'featureRange', call: (o) => new F.MinMaxScaler(o) },
  { name: 'OneHotEncoder', key: 'handle_unknown', suggests: 'handleUnknown', call: (o) => new F.OneHotEncoder(o) },
  { name: 'SimpleImputer', key: 'fill_value', suggests: 'fillValue', call: (o) => new F.SimpleImputer(o) },
  { name: 'PolynomialFeatures', key: 'include_bias', suggests: 'includeBias', call: (o) => new F.PolynomialFeatures(o) },
  // Splitters and model selection.
  { name: 'trainTestSplit', key: 'test_size', suggests: 'testSize', call: (o) => F.trainTestSplit(X, y, o) },
  { name: 'KFold', key: 'n_splits', suggests: 'nSplits', call: (o) => new F.KFold(o) },
  { name: 'StratifiedKFold', key: 'n_splits', suggests: 'nSplits', call: (o) => new F.StratifiedKFold(o) },
  { name: 'RepeatedKFold', key: 'n_repeats', suggests: 'nRepeats', call: (o) => new F.RepeatedKFold(o) },
  { name: 'RepeatedStratifiedKFold', key: 'n_repeats', suggests: 'nRepeats', call: (o) => new F.RepeatedStratifiedKFold(o) },
  { name: 'ShuffleSplit', key: 'test_size', suggests: 'testSize', call: (o) => new F.ShuffleSplit(o) },
  { name: 'StratifiedShuffleSplit', key: 'test_size', suggests: 'testSize', call: (o) => new F.StratifiedShuffleSplit(o) },
  { name: 'crossValidate', key: 'return_train_score', suggests: 'returnTrainScore', call: (o) => F.crossValidate(new F.Ridge(), X, y, o) },
  { name: 'crossValScore', key: 'error_score', suggests: 'errorScore', call: (o) => F.crossValScore(new F.Ridge(), X, y, o) },
  { name: 'crossValPredict', key: 'fit_params', suggests: 'fitParams', call: (o) => F.crossValPredict(new F.Ridge(), X, y, o) },
  { name: 'learningCurve', key: 'train_sizes', suggests: 'trainSizes', call: (o) => F.learningCurve(new F.Ridge(), X, y, o) },
  { name: 'GridSearchCV', key: 'return_train_score', suggests: 'returnTrainScore', call: (o) => new F.GridSearchCV(new F.Ridge(), { alpha: [1] }, o) },
  { name: 'RandomizedSearchCV', key: 'n_iter', suggests: 'nIter', call: (o) => new F.RandomizedSearchCV(new F.Ridge(), { alpha: [1, 2] }, o) },
  // Metrics.
  { name: 'accuracyScore', key: 'sample_weight', suggests: 'sampleWeight', call: (o) => F.accuracyScore(y, y, o) },
  { name: 'f1Score', key: 'pos_label', suggests: 'posLabel', call: (o) => F.f1Score(y, y, o) },
  { name: 'precisionScore', key: 'zero_division', suggests: 'zeroDivision', call: (o) => F.precisionScore(y, y, o) },
  { name: 'confusionMatrix', key: 'sample_weight', suggests: 'sampleWeight', call: (o) => F.confusionMatrix(y, y, o) },
  { name: 'meanSquaredError', key: 'sample_weight', suggests: 'sampleWeight', call: (o) => F.meanSquaredError(y, y, o) },
  { name: 'r2Score', key: 'sample_weight', suggests: 'sampleWeight', call: (o) => F.r2Score(y, y, o) },
  { name: 'rocAucScore', key: 'max_fpr', suggests: 'maxFpr', call: (o) => F.rocAucScore(y, y, o) },
  // Losses.
  { name: 'nn.crossEntropy', key: 'label_smoothing', suggests: 'labelSmoothing', call: (o) => F.nn.crossEntropy(F.zeros([2, 3]), F.tensor([0, 1], { dtype: 'int32' }), o) },
  { name: 'nn.nllLoss', key: 'ignore_index', suggests: 'ignoreIndex', call: (o) => F.nn.nllLoss(F.zeros([2, 3]), F.tensor([0, 1], { dtype: 'int32' }), o) },
  { name: 'nn.bceWithLogits', key: 'pos_weight', suggests: 'posWeight', call: (o) => F.nn.bceWithLogits(F.zeros([2]), F.zeros([2]), o) },
  { name: 'nn.CrossEntropyLoss', key: 'label_smoothing', suggests: 'labelSmoothing', call: (o) => new F.nn.CrossEntropyLoss(o) },
  { name: 'nn.BCEWithLogitsLoss', key: 'pos_weight', suggests: 'posWeight', call: (o) => new F.nn.BCEWithLogitsLoss(o) },
  // Optimisers, schedules, clipping.
  { name: 'SGD', key: 'weight_decay', suggests: 'weightDecay', call: (o) => new F.SGD(params(), o) },
  { name: 'Adam', key: 'weight_decay', suggests: 'weightDecay', call: (o) => new F.Adam(params(), o) },
  { name: 'AdamW', key: 'weight_decay', suggests: 'weightDecay', call: (o) => new F.AdamW(params(), o) },
  { name: 'RMSprop', key: 'weight_decay', suggests: 'weightDecay', call: (o) => new F.RMSprop(params(), o) },
  { name: 'Adagrad', key: 'lr_decay', suggests: 'lrDecay', call: (o) => new F.Adagrad(params(), o) },
  { name: 'StepLR', key: 'step_size', suggests: 'stepSize', call: (o) => new F.StepLR(optimizer(), { stepSize: 1, ...(o as object) }) },
  { name: 'CosineAnnealingLR', key: 'eta_min', suggests: 'etaMin', call: (o) => new F.CosineAnnealingLR(optimizer(), { tMax: 2, ...(o as object) }) },
  { name: 'OneCycleLR', key: 'max_lr', suggests: 'maxLr', call: (o) => new F.OneCycleLR(optimizer(), { maxLr: 1, totalSteps: 10, ...(o as object) }) },
  { name: 'ReduceLROnPlateau', key: 'min_lr', suggests: 'minLr', call: (o) => new F.ReduceLROnPlateau(optimizer(), o) },
  { name: 'clipGradNorm', key: 'norm_type', suggests: 'normType', call: (o) => F.clipGradNorm(params(), 1, o) },
  // Layers.
  { name: 'nn.Linear', key: 'use_bias', call: (o) => new F.nn.Linear(2, 2, o) },
  { name: 'nn.Conv2d', key: 'padding_mode', call: (o) => new F.nn.Conv2d(1, 1, 3, o) },
  { name: 'nn.BatchNorm1d', key: 'track_running_stats', suggests: 'trackRunningStats', call: (o) => new F.nn.BatchNorm1d(4, o) },
  { name: 'nn.LSTM', key: 'batch_first', suggests: 'batchFirst', call: (o) => new F.nn.LSTM(2, 3, o) },
  { name: 'nn.Embedding', key: 'padding_idx', suggests: 'paddingIdx', call: (o) => new F.nn.Embedding(5, 2, o) },
  { name: 'nn.Dropout', key: 'in_place', call: (o) => new F.nn.Dropout(o) },
  // Data, training and files.
  { name: 'DataLoader', key: 'batch_size', suggests: 'batchSize', call: (o) => new F.DataLoader(new F.TensorDataset(F.zeros([4, 2])), o) },
  { name: 'ArrayDataset', key: 'target_dtype', suggests: 'targetDtype', call: (o) => new F.ArrayDataset([[1, 2]], [0], o) },
  { name: 'readParquet', key: 'select_columns', call: (o) => F.readParquet(new Uint8Array(0), o) },
  { name: 'loadMnist', key: 'data_split', call: (o) => F.loadMnist('/nonexistent/mnist', o) },
  { name: 'parseCsv', key: 'target_column', call: (o) => F.parseCsv(csv, o) },
  { name: 'readCsv', key: 'target_column', call: (o) => F.readCsv(csv, o) },
  { name: 'streamCsv', key: 'batch_size', suggests: 'batchSize', call: (o) => F.streamCsv([csv], o).next() },
  { name: 'fit', key: 'batch_size', suggests: 'batchSize', call: (o) => F.fit(new F.nn.Linear(2, 1), xy(), { loss: 'mse', ...(o as object) }) },
  { name: 'evaluate', key: 'batch_size', suggests: 'batchSize', call: (o) => F.evaluate(new F.nn.Linear(2, 1), xy(), { loss: 'mse', ...(o as object) }) },
  { name: 'EarlyStopping', key: 'min_delta', suggests: 'minDelta', call: (o) => new F.EarlyStopping(o) },
  { name: 'ModelCheckpoint', key: 'save_best_only', suggests: 'saveBestOnly', call: (o) => new F.ModelCheckpoint({ path: '/tmp/never-written.safetensors', ...(o as object) }) },
  { name: 'makeRegression', key: 'n_samples', suggests: 'nSamples', call: (o) => F.makeRegression(o) },
  { name: 'makeClassification', key: 'n_classes', suggests: 'nClasses', call: (o) => F.makeClassification(o) },
  { name: 'tensor', key: 'requires_grad', suggests: 'requiresGrad', call: (o) => F.tensor([1, 2], o) },
  { name: 'decodeSafetensors', key: 'max_header_bytes', suggests: 'maxHeaderBytes', call: (o) => F.decodeSafetensors(F.encodeSafetensors({ w: F.zeros([2]) }), o) },
  { name: 'modelToBytes', key: 'weights_only', suggests: 'weightsOnly', call: (o) => F.modelToBytes(new F.nn.Linear(2, 2), o) },
];

/** Runs `call` (sync or async) and returns what it threw; fails when it throws nothing. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  assert.fail('accepted the unknown option silently');
}

describe('every options object rejects unknown keys', () => {
  for (const { name, key, suggests, call, todo } of CASES) {
    it(`${name}({ ${key} })`, todo === undefined ? {} : { todo }, async () => {
      const err = await thrown(() => call({ [key]: 1 } as never));
      assert.ok(err instanceof ValueError, `threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
      assert.ok(err.message.includes(`'${key}'`), `the message does not name '${key}': ${err.message}`);
      assert.match(err.message, /valid (options|parameters) are: /i, 'the message does not list the valid options');
      if (suggests !== undefined) assert.ok(err.message.includes(`did you mean '${suggests}'?`), `no suggestion of '${suggests}': ${err.message}`);
    });
  }
});
