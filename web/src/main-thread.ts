/**
 * Frugal on a page's main thread, which may not block: the kernels keep to
 * this one thread (rather than spin while waiting for workers) and say so on
 * the console. The Chromium test loads this page, cross-origin isolated.
 */
import { getNumThreads, randn, manualSeed } from 'frugal-ml';

manualSeed(0);
const a = randn([256, 256]);
const product = a.matmul(a);
let checksum = 0;
for (const value of product.data) checksum += value;
(document.getElementById('threads') as HTMLElement).textContent = String(getNumThreads());
(document.getElementById('checksum') as HTMLElement).textContent = checksum.toFixed(3);
