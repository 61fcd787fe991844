// docs/examples/classical.ts
import {
  loadIris, trainTestSplit, makePipeline, StandardScaler, LogisticRegression,
  StratifiedKFold, crossValScore, GridSearchCV, accuracyScore,
} from '../../src/index.js';

const { data, target } = loadIris({ dtype: 'float64' });

// A seeded split: the same seed gives the same rows on every run.
const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(data, target, { testSize: 0.25, stratify: target, randomState: 0 });

// Scale, then classify: fit() returns the estimator, as in scikit-learn.
const model = makePipeline(new StandardScaler(), new LogisticRegression({ C: 1, maxIter: 200 }));
model.fit(Xtrain, ytrain);
console.log('held-out accuracy', accuracyScore(ytest, model.predict(Xtest)));

// Five stratified folds, shuffled with a seed.
const cv = new StratifiedKFold({ nSplits: 5, shuffle: true, randomState: 0 });
const scores = crossValScore(makePipeline(new StandardScaler(), new LogisticRegression()), Xtrain, ytrain, { cv });
console.log('cross-validated accuracy', scores);

// A grid search over C clones the estimator for every candidate and fold.
const search = new GridSearchCV(new LogisticRegression({ maxIter: 500 }), { C: [0.1, 1, 10] }, { cv: 3 });
search.fit(Xtrain, ytrain);
console.log('best C', search.bestParams, 'score', search.bestScore);
