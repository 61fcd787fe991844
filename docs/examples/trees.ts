// docs/examples/trees.ts
import { loadIris, trainTestSplit, DecisionTreeClassifier, RandomForestClassifier, ExtraTreesRegressor, makeRegression } from '../../src/index.js';

const { data, target } = loadIris({ dtype: 'float64' });
const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(data, target, { testSize: 0.3, stratify: target, randomState: 0 });

// One CART tree, limited in depth; its structure is plain arrays.
const tree = new DecisionTreeClassifier({ maxDepth: 3, randomState: 0 }).fit(Xtrain, ytrain);
console.log('tree accuracy', tree.score(Xtest, ytest), 'depth', tree.getDepth(), 'leaves', tree.getNLeaves());
console.log('importances', Array.from(tree.featureImportances, (v) => v.toFixed(3)));

// Cost-complexity pruning: the path of effective alphas, then a pruned tree.
const path = new DecisionTreeClassifier({ randomState: 0 }).costComplexityPruningPath(Xtrain, ytrain);
const alpha = path.ccpAlphas[path.ccpAlphas.length - 3];
const pruned = new DecisionTreeClassifier({ ccpAlpha: alpha, randomState: 0 }).fit(Xtrain, ytrain);
console.log('pruned at alpha', alpha.toFixed(4), 'leaves', pruned.getNLeaves());

// A random forest on every core, with an out-of-bag estimate.
const forest = new RandomForestClassifier({ nEstimators: 100, oobScore: true, randomState: 0 }).fit(Xtrain, ytrain);
console.log('forest accuracy', forest.score(Xtest, ytest), 'out-of-bag', forest.oobScore!.toFixed(3));
console.log('probabilities of the first test row', Array.from(forest.predictProba(Xtest).data.subarray(0, 3)));

// Extra trees for regression.
const { X, y } = makeRegression({ nSamples: 300, nFeatures: 5, noise: 5, randomState: 0 });
const et = new ExtraTreesRegressor({ nEstimators: 50, randomState: 0 }).fit(X, y);
console.log('extra trees R² on the training set', et.score(X, y).toFixed(3));
