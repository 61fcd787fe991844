// Every linear model passes the shared conformance suite.
import { checkEstimator } from './helpers/check-estimator.js';
import { LinearRegression } from '../src/models/linear/least-squares.js';
import { Ridge, RidgeCV } from '../src/models/linear/ridge.js';
import { ElasticNet, Lasso } from '../src/models/linear/coordinate-descent.js';
import { ElasticNetCV, LassoCV } from '../src/models/linear/coordinate-descent-cv.js';
import { LogisticRegression } from '../src/models/linear/logistic.js';
import { SGDClassifier, SGDRegressor } from '../src/models/linear/sgd.js';

checkEstimator(() => new LinearRegression(), { kind: 'regressor' });
checkEstimator(() => new LinearRegression({ positive: true }), { kind: 'regressor', name: 'LinearRegression(positive)' });
checkEstimator(() => new Ridge({ alpha: 0.5 }), { kind: 'regressor' });
checkEstimator(() => new Ridge({ solver: 'svd' }), { kind: 'regressor', name: 'Ridge(svd)' });
checkEstimator(() => new Ridge({ solver: 'lsqr' }), { kind: 'regressor', name: 'Ridge(lsqr)', tolerance: 1e-9 });
checkEstimator(() => new RidgeCV(), { kind: 'regressor' });
checkEstimator(() => new RidgeCV({ cv: 3 }), { kind: 'regressor', name: 'RidgeCV(cv=3)' });
checkEstimator(() => new Lasso({ alpha: 0.1 }), { kind: 'regressor' });
checkEstimator(() => new ElasticNet({ alpha: 0.1, selection: 'random', randomState: 0 }), { kind: 'regressor' });
checkEstimator(() => new LassoCV({ nAlphas: 10, cv: 3 }), { kind: 'regressor' });
checkEstimator(() => new ElasticNetCV({ nAlphas: 10, cv: 3, l1Ratio: [0.3, 0.8] }), { kind: 'regressor' });
checkEstimator(() => new SGDRegressor({ randomState: 0 }), { kind: 'regressor' });
checkEstimator(() => new LogisticRegression(), { kind: 'classifier' });
checkEstimator(() => new LogisticRegression(), { kind: 'classifier', nClasses: 2, name: 'LogisticRegression(binary)' });
checkEstimator(() => new LogisticRegression({ multiClass: 'ovr', classWeight: 'balanced' }), { kind: 'classifier', name: 'LogisticRegression(ovr)' });
checkEstimator(() => new LogisticRegression({ penalty: 'l1', solver: 'saga', randomState: 0 }), { kind: 'classifier', name: 'LogisticRegression(saga l1)' });
checkEstimator(() => new SGDClassifier({ randomState: 0 }), { kind: 'classifier' });
checkEstimator(() => new SGDClassifier({ loss: 'log_loss', randomState: 0 }), { kind: 'classifier', name: 'SGDClassifier(log_loss)' });
