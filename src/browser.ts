/**
 * The browser entry point of frugal-ml (the `browser` export condition of
 * `frugal-ml` in package.json): the core of the API, small enough for a page
 * to load up front (under 150 KB minified and gzipped without the
 * WebAssembly; `npm run size:browser` measures it). Everything else — trees
 * and boosting, neighbours, naive Bayes, decomposition and clustering,
 * GANs, ONNX, estimator persistence, the built-in digits and MNIST loaders,
 * Parquet, CSV and image files — is in `frugal-ml/all`, the whole API in
 * every environment (in Node.js the same module as `frugal-ml`); a bundler
 * keeps only what a page imports from it. docs/browser.md lists both.
 *
 * Nothing here reaches a Node.js built-in: the few functions that read or
 * write files by path throw a FrugalError in a browser (pass bytes instead),
 * and the kernels' workers are Web Workers, started in the form bundlers
 * follow (backend/wasm/pool.ts).
 */
export { crossOriginIsolated } from './platform/threads.js';

export * from './core.js';
