// examples/classical.ts
import { makeRegression, trainTestSplit, LinearRegression, meanSquaredError } from '../src/index.js';

const { X, y } = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 0 });
const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 });
const model = new LinearRegression().fit(Xtrain, ytrain);
console.log(meanSquaredError(ytest, model.predict(Xtest)).toFixed(5));   // 0.01545 (noise σ² = 0.01)
