import { it } from 'node:test';
import assert from 'node:assert/strict';
import { makeRegression, trainTestSplit, LinearRegression, meanSquaredError } from '../src/index.js';

// The README's classical example, as written there: it must keep running and keep its answer.
it('README example: makeRegression → trainTestSplit → LinearRegression → meanSquaredError', () => {
  const { X, y } = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 0 });
  const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 });
  assert.equal(Xtrain.shape[0], 80);
  assert.equal(Xtest.shape[0], 20);
  const model = new LinearRegression().fit(Xtrain, ytrain);
  const mse = meanSquaredError(ytest, model.predict(Xtest));
  // Noise σ = 0.1: the held-out MSE sits near σ² = 0.01.
  assert.ok(mse > 0.002 && mse < 0.03, `MSE ${mse}`);
});
