/** Matrix decompositions: PCA and TruncatedSVD (scikit-learn's `sklearn.decomposition`). */
export { PCA, type PCAParams, type PCASolver, type PowerIterationNormalizer } from './pca.js';
export { TruncatedSVD, type TruncatedSVDParams } from './truncated-svd.js';
