/** Naive Bayes classifiers. */
export { GaussianNB, type GaussianNBParams } from './gaussian.js';
export { MultinomialNB, BernoulliNB, type DiscreteNBParams, type BernoulliNBParams } from './discrete.js';
export type { PartialFitOptions } from './base.js';
