// The README's classical example, runnable: `node dist/examples/classical.js`.
import { makeRegression, trainTestSplit, LinearRegression, meanSquaredError } from '../src/index.js';

const { X, y } = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 0 });
const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 });
const model = new LinearRegression().fit(Xtrain, ytrain);
console.log('test MSE', meanSquaredError(ytest, model.predict(Xtest)).toFixed(5));
console.log('coef', model.coef, 'intercept', model.intercept);
