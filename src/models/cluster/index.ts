/** Clustering: KMeans and MiniBatchKMeans (scikit-learn's `sklearn.cluster`). */
export { KMeans, type KMeansParams } from './kmeans.js';
export { MiniBatchKMeans, type MiniBatchKMeansParams } from './minibatch-kmeans.js';
export type { KMeansInit, KMeansCommonParams } from './kmeans-base.js';
