// docs/examples/neighbours.ts
import {
  loadIris, trainTestSplit, makePipeline, StandardScaler, KNeighborsClassifier, NearestNeighbors,
  GaussianNB, MultinomialNB, SelectKBest, fClassif, GroupKFold, TimeSeriesSplit, crossValScore,
  permutationImportance, accuracyScore,
} from '../../src/index.js';

const { data, target } = loadIris({ dtype: 'float64' });
const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(data, target, { testSize: 0.3, stratify: target, randomState: 0 });

// k nearest neighbours: 4 features, so 'auto' builds a KD-tree.
const knn = makePipeline(new StandardScaler(), new KNeighborsClassifier({ nNeighbors: 5, weights: 'distance' }));
knn.fit(Xtrain, ytrain);
console.log('kNN accuracy', accuracyScore(ytest, knn.predict(Xtest)));

// The neighbours themselves: distances and indices, nearest first.
const nn = new NearestNeighbors({ nNeighbors: 3 }).fit(Xtrain);
const { distances, indices } = nn.kneighbors(Xtest);
console.log('first test flower: neighbours', Array.from(indices.data.slice(0, 3)), 'at', Array.from(distances.data.slice(0, 3), (d) => d.toFixed(2)));
console.log('within 0.3 of it:', Array.from(nn.radiusNeighbors(Xtest, { radius: 0.3 }).indices[0]));

// Naive Bayes: Gaussian for measurements, multinomial for counts.
const gnb = new GaussianNB().fit(Xtrain, ytrain);
console.log('GaussianNB accuracy', gnb.score(Xtest, ytest), 'P(class | first flower)', Array.from(gnb.predictProba(Xtest).data.slice(0, 3), (p) => p.toFixed(3)));
const counts = [[3, 0, 1], [2, 0, 0], [0, 4, 1], [0, 3, 2]];
console.log('MultinomialNB', new MultinomialNB().fit(counts, ['sport', 'sport', 'news', 'news']).predict([[1, 0, 0], [0, 2, 1]]));

// Keep the two features with the highest ANOVA F-value.
const selector = new SelectKBest({ scoreFunc: fClassif, k: 2 }).fit(Xtrain, ytrain);
console.log('selected features', Array.from(selector.getSupport({ indices: true })), 'p-values', Array.from(selector.pvalues!, (p) => p.toExponential(1)));

// Group-aware folds: no group is in both training and test sets.
const groups = Array.from({ length: 150 }, (_, i) => Math.floor(i / 10));
console.log('GroupKFold scores', crossValScore(new KNeighborsClassifier(), data, target, { cv: new GroupKFold({ nSplits: 3 }), groups }));
for (const [train, test] of new TimeSeriesSplit({ nSplits: 3 }).split(new Array(8).fill(0))) console.log('train', Array.from(train), 'test', Array.from(test));

// How much the score drops when each feature is shuffled.
const importance = permutationImportance(gnb, Xtest, ytest, { nRepeats: 5, randomState: 0 });
console.log('permutation importance', Array.from(importance.importancesMean, (v) => v.toFixed(3)));
