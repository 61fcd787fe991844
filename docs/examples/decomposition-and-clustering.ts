// docs/examples/decomposition-and-clustering.ts
import { loadDigits, makeBlobs, PCA, TruncatedSVD, KMeans, MiniBatchKMeans, makePipeline, StandardScaler } from '../../src/index.js';

// PCA: 64 pixel features of the digits down to the components explaining 90 % of the variance.
const { data: digits } = loadDigits({ dtype: 'float64' });
const pca = new PCA({ nComponents: 0.9, svdSolver: 'full' }).fit(digits);
console.log('components for 90 %:', pca.nComponents);
console.log('first ratios:', Array.from(pca.explainedVarianceRatio!.slice(0, 3), (r) => r.toFixed(4)));

// The randomized solver: a few components of large data, seeded.
const fast = new PCA({ nComponents: 10, svdSolver: 'randomized', randomState: 0 }).fit(digits);
const projected = fast.transform(digits); // Tensor [1797, 10]
const restored = fast.inverseTransform(projected); // back to 64 pixels
console.log('projected', projected.shape, 'restored', restored.shape);

// TruncatedSVD does not centre the data (suits counts and other sparse-like data).
const svd = new TruncatedSVD({ nComponents: 5, randomState: 0 }).fit(digits);
console.log('TruncatedSVD singular values:', Array.from(svd.singularValues!, (s) => Math.round(s)));

// KMeans: k-means++ and 3 initialisations; 'elkan' skips samples the bounds settle.
const { X } = makeBlobs({ nSamples: 600, centers: 4, nFeatures: 2, clusterStd: 1, randomState: 1 });
const kmeans = new KMeans({ nClusters: 4, nInit: 3, randomState: 0, algorithm: 'elkan' }).fit(X);
console.log('inertia', kmeans.inertia!.toFixed(1), 'iterations', kmeans.nIter);
console.log('clusters of the first five samples:', Array.from(kmeans.predict(X).slice(0, 5)));

// Clustering after scaling, in a pipeline: the pipeline's transform gives the distances to the centres.
const pipe = makePipeline(new StandardScaler(), new KMeans({ nClusters: 4, randomState: 0 })).fit(X);
console.log('distances to the centres:', pipe.transform!(X).shape);

// MiniBatchKMeans learns from batches, e.g. data read in chunks.
const online = new MiniBatchKMeans({ nClusters: 4, randomState: 0 });
for (let epoch = 0; epoch < 3; epoch++) {
  for (let start = 0; start < 600; start += 100) online.partialFit({ data: X.data.subarray(start * 2, (start + 100) * 2), shape: [100, 2] });
}
console.log('mini-batch score (minus inertia):', online.score(X).toFixed(1));
