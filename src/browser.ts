/**
 * The browser entry point of frugal-ml (the `browser` export condition in
 * package.json): the same API as the Node entry point, src/index.ts. Nothing
 * it imports reaches a Node.js built-in: the few functions that read or write
 * files by path throw a FrugalError in a browser (pass bytes or text instead),
 * and the kernels' workers are Web Workers, started in the form bundlers
 * follow (backend/wasm/pool.ts). See docs/browser.md.
 */
export * from './index.js';
export { crossOriginIsolated } from './platform/threads.js';
