/**
 * The models `frugal train --model NAME` knows, for each task, and the
 * preprocessing in front of them: numeric columns imputed with the mean and
 * standardised, categorical columns imputed with the most frequent code and
 * one-hot encoded (a category unseen in training encodes as all zeros).
 */
import { ValueError } from '../errors.js';
import type { Estimator } from '../models/base.js';
import { Lasso } from '../models/linear/coordinate-descent.js';
import { LinearRegression } from '../models/linear/least-squares.js';
import { LogisticRegression } from '../models/linear/logistic.js';
import { Ridge } from '../models/linear/ridge.js';
import { SGDClassifier, SGDRegressor } from '../models/linear/sgd.js';
import { MLPClassifier, MLPRegressor } from '../models/neural_network/mlp.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from '../models/ensemble/index.js';
import { GaussianNB } from '../models/naive_bayes/index.js';
import { KNeighborsClassifier, KNeighborsRegressor } from '../models/neighbors/index.js';
import { DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor } from '../models/tree/index.js';
import { LinearSVC } from '../models/svm/linear-svc.js';
import { SVC, SVR } from '../models/svm/svc.js';
import { ColumnTransformer, type ColumnTransformerEntry } from '../preprocessing/compose.js';
import { OneHotEncoder } from '../preprocessing/encoders.js';
import { SimpleImputer } from '../preprocessing/imputer.js';
import { Pipeline } from '../preprocessing/pipeline.js';
import { StandardScaler } from '../preprocessing/scalers.js';
import type { FeatureSpec, Task } from './dataset.js';

type Factory = (seed: number) => Estimator;

/** The MLP for small tables: one hidden layer, a larger step than sklearn's default, stopped on held-out rows. */
const MLP_SETTINGS = { hiddenLayerSizes: [32], learningRateInit: 0.01, maxIter: 300, earlyStopping: true, nIterNoChange: 20 } as const;

interface ModelChoice {
  /** What the model is, for --help and the report. */
  readonly summary: string;
  readonly classification?: Factory;
  readonly regression?: Factory;
}

/** Every `--model` name; `auto` tries {@link AUTO_CANDIDATES}. */
export const MODELS: Readonly<Record<string, ModelChoice>> = {
  linear: {
    summary: 'least squares (regression) or logistic regression (classification)',
    classification: () => new LogisticRegression({ maxIter: 500 }),
    regression: () => new LinearRegression(),
  },
  ridge: { summary: 'least squares with an L2 penalty', regression: () => new Ridge() },
  lasso: { summary: 'least squares with an L1 penalty (sparse coefficients)', regression: () => new Lasso({ alpha: 0.01 }) },
  logistic: { summary: 'logistic regression, L2 penalty', classification: () => new LogisticRegression({ maxIter: 500 }) },
  svc: {
    summary: 'kernel support vector machine (RBF)',
    classification: (seed) => new SVC({ probability: true, randomState: seed }),
    regression: () => new SVR(),
  },
  'linear-svc': { summary: 'linear support vector machine', classification: (seed) => new LinearSVC({ randomState: seed }) },
  sgd: {
    summary: 'linear model fitted by stochastic gradient descent',
    classification: (seed) => new SGDClassifier({ loss: 'log_loss', randomState: seed }),
    regression: (seed) => new SGDRegressor({ randomState: seed }),
  },
  tree: {
    summary: 'one decision tree (CART), at most 8 levels deep',
    classification: (seed) => new DecisionTreeClassifier({ maxDepth: 8, randomState: seed }),
    regression: (seed) => new DecisionTreeRegressor({ maxDepth: 8, randomState: seed }),
  },
  forest: {
    summary: 'random forest of 100 trees, on all cores',
    classification: (seed) => new RandomForestClassifier({ randomState: seed }),
    regression: (seed) => new RandomForestRegressor({ randomState: seed }),
  },
  hgb: {
    summary: 'histogram gradient boosting (the first choice on tabular data)',
    classification: (seed) => new HistGradientBoostingClassifier({ randomState: seed }),
    regression: (seed) => new HistGradientBoostingRegressor({ randomState: seed }),
  },
  knn: {
    summary: 'k nearest neighbours (5, distance-weighted)',
    classification: () => new KNeighborsClassifier({ weights: 'distance' }),
    regression: () => new KNeighborsRegressor({ weights: 'distance' }),
  },
  'naive-bayes': { summary: 'Gaussian naive Bayes', classification: () => new GaussianNB() },
  mlp: {
    summary: 'multi-layer perceptron (one hidden layer of 32, Adam, early stopping)',
    classification: (seed) => new MLPClassifier({ ...MLP_SETTINGS, randomState: seed }),
    regression: (seed) => new MLPRegressor({ ...MLP_SETTINGS, randomState: seed }),
  },
};

/** The candidates `--model auto` cross-validates, cheapest first (the time budget may stop before the last). */
export const AUTO_CANDIDATES: Readonly<Record<Task, readonly string[]>> = {
  classification: ['logistic', 'naive-bayes', 'knn', 'linear-svc', 'svc', 'hgb', 'forest', 'mlp'],
  regression: ['linear', 'ridge', 'lasso', 'knn', 'svc', 'hgb', 'forest', 'mlp'],
};

/** The names `--model` accepts. */
export const MODEL_NAMES: readonly string[] = ['auto', ...Object.keys(MODELS)];

/** A fresh, unfitted estimator for a model name and task. */
export function makeModel(name: string, task: Task, seed: number): Estimator {
  const choice = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (!choice) throw new ValueError(`unknown model '${name}'; choose one of ${MODEL_NAMES.join(', ')}`);
  const factory = choice[task];
  if (!factory) {
    const fits = Object.keys(MODELS).filter((m) => MODELS[m][task]);
    throw new ValueError(`model '${name}' does not do ${task}; for ${task} choose one of auto, ${fits.join(', ')}`);
  }
  return factory(seed);
}

/** Imputation, scaling and one-hot encoding in front of `model`. */
export function makePipeline(features: readonly FeatureSpec[], model: Estimator): Pipeline {
  const numeric: number[] = [];
  const categorical: number[] = [];
  features.forEach((f, j) => (f.kind === 'category' ? categorical : numeric).push(j));
  const steps: ColumnTransformerEntry[] = [];
  if (numeric.length > 0) {
    steps.push([
      'numeric',
      new Pipeline([
        ['impute', new SimpleImputer({ strategy: 'mean', keepEmptyFeatures: true })],
        ['scale', new StandardScaler()],
      ]),
      numeric,
    ]);
  }
  if (categorical.length > 0) {
    steps.push([
      'categorical',
      new Pipeline([
        ['impute', new SimpleImputer({ strategy: 'most_frequent', keepEmptyFeatures: true })],
        ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
      ]),
      categorical,
    ]);
  }
  return new Pipeline([
    ['preprocess', new ColumnTransformer(steps)],
    ['model', model],
  ]);
}
