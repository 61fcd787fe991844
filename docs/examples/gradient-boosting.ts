// docs/examples/gradient-boosting.ts
import { loadDigits, trainTestSplit, HistGradientBoostingClassifier, HistGradientBoostingRegressor, accuracyScore } from '../../src/index.js';

// Digits: 64 pixel features, 10 classes (a multinomial model: one tree per class and iteration).
const { data, target } = loadDigits({ dtype: 'float64' });
const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(data, target, { testSize: 0.2, stratify: target, randomState: 0 });

const clf = new HistGradientBoostingClassifier({ maxIter: 30, learningRate: 0.1, maxLeafNodes: 31, earlyStopping: false });
clf.fit(Xtrain, ytrain);
console.log('iterations', clf.nIter, 'test accuracy', clf.score(Xtest, ytest));

// The accuracy after each iteration, without refitting.
const staged = [...clf.stagedPredict(Xtest)].map((labels) => accuracyScore(ytest, labels));
console.log('after 1, 10, 30 iterations', staged[0], staged[9], staged[29]);

// Missing values need no imputation: NaN has a bin of its own, and each split learns where it goes.
// Feature 1 is categorical (integer categories in [0, maxBins)).
const X: number[][] = [];
const y: number[] = [];
for (let i = 0; i < 400; i++) {
  const x0 = Math.sin(i) * 3;
  const category = i % 4;
  X.push([i % 7 === 0 ? Number.NaN : x0, category]);
  y.push(x0 * 2 + (category === 2 ? 5 : 0));
}
const reg = new HistGradientBoostingRegressor({ categoricalFeatures: [1], earlyStopping: true, validationFraction: 0.2, randomState: 0 });
reg.fit(X, y);
console.log('stopped after', reg.nIter, 'iterations; R² on the training data', reg.score(X, y).toFixed(3));
console.log('prediction with a missing value', reg.predict([[Number.NaN, 2]])[0].toFixed(2));

// Sample weights: rows of category 3 count ten times as much in the gradients (not in the binning).
const weights = X.map(([, category]) => (category === 3 ? 10 : 1));
const weighted = new HistGradientBoostingRegressor({ maxIter: 20, categoricalFeatures: [1] }).fit(X, y, weights);
console.log('weighted fit, prediction for category 3', weighted.predict([[1, 3]])[0].toFixed(2));
