/** Preprocessing: scalers, encoders, imputation, polynomial features, column transformer and pipelines. */
export * from './scalers.js';
export * from './encoders.js';
export * from './imputer.js';
export * from './polynomial.js';
export * from './function-transformer.js';
export * from './compose.js';
export * from './pipeline.js';
