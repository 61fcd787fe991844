/** Metrics: regression, classification and ranking scores (scikit-learn's definitions). */
export * from './regression.js';
export * from './classification.js';
export * from './classification-report.js';
export * from './ranking.js';
export * from './scorers.js';
