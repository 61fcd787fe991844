/** Neural networks as scikit-learn-style estimators. */
export { MLPClassifier, MLPRegressor, MAX_MLP_WEIGHTS, type MLPParams, type Activation } from './mlp.js';
