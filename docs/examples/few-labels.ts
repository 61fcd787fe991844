// docs/examples/few-labels.ts
import { LabelSpreading, LogisticRegression, RandomOverSampler, SelfTrainingClassifier, SMOTE, accuracyScore, tabularNoise, loadDigits } from '../../src/index.js';

// Digits: the first 1 500 rows for training, 5 labels per class, the rest of them unlabelled (-1).
const { data, target } = loadDigits({ dtype: 'float64' });
const X = (data.toArray() as number[][]).map((row) => row.map((v) => v / 16));
const y = Array.from(target.data);
const [Xtrain, ytrain, Xtest, ytest] = [X.slice(0, 1500), y.slice(0, 1500), X.slice(1500), y.slice(1500)];
const seen = new Map<number, number>();
const partial = ytrain.map((label) => {
  seen.set(label, (seen.get(label) ?? 0) + 1);
  return seen.get(label)! <= 5 ? label : -1;
});
const labelled = partial.flatMap((label, i) => (label === -1 ? [] : [i]));
const Xlabelled = labelled.map((i) => Xtrain[i]);
const ylabelled = labelled.map((i) => partial[i]);

// 1. The baseline: a classifier on the 50 labelled rows only.
const supervised = new LogisticRegression({ C: 10, maxIter: 1000 }).fit(Xlabelled, ylabelled);
console.log('supervised on 50 labels', accuracyScore(ytest, supervised.predict(Xtest)).toFixed(3));

// 2. Label spreading over a k-NN graph of every training row, labelled or not.
const spreading = new LabelSpreading({ kernel: 'knn', nNeighbors: 7, alpha: 0.2, maxIter: 100 }).fit(Xtrain, partial);
console.log('label spreading', accuracyScore(ytest, spreading.predict(Xtest)).toFixed(3));
console.log('labels it gave the training rows', accuracyScore(ytrain, spreading.transduction!).toFixed(3));

// 3. Self-training: the classifier labels the rows it is sure of, then trains again.
const selfTraining = new SelfTrainingClassifier({ baseEstimator: new LogisticRegression({ C: 10, maxIter: 1000 }), threshold: 0.7 }).fit(Xtrain, partial);
console.log('self-training', accuracyScore(ytest, selfTraining.predict(Xtest)).toFixed(3), selfTraining.terminationCondition);

// Imbalanced classes: 40 rows of ones, 5 of zeros. SMOTE adds zeros between a zero and one of its 3 nearest zeros.
const ones = Xtrain.filter((_, i) => ytrain[i] === 1).slice(0, 40);
const zeros = Xlabelled.filter((_, i) => ylabelled[i] === 0);
const [Xsmote, ysmote] = new SMOTE({ kNeighbors: 3, randomState: 0 }).fitResample([...ones, ...zeros], [...ones.map(() => 1), ...zeros.map(() => 0)]);
console.log('after SMOTE', Xsmote.shape, 'zeros', ysmote.filter((label) => label === 0).length);
// Or repeat rows at random (per-class counts wanted after resampling), and add a little noise to a copy.
const [, yover] = new RandomOverSampler({ samplingStrategy: { 0: 20 }, randomState: 0 }).fitResample([...ones, ...zeros], [...ones.map(() => 1), ...zeros.map(() => 0)]);
console.log('after over-sampling', yover.length, 'rows');
console.log('noisy copy', tabularNoise(zeros, { std: 0.05, randomState: 0 }).shape);
