/**
 * Support vector machines: `SVC` and `SVR` (libsvm's SMO with WSS3
 * working-set selection, shrinking and a kernel cache; one-vs-one
 * multi-class; Platt probabilities) and `LinearSVC` (liblinear's dual
 * coordinate descent, trust-region Newton and L1 coordinate descent).
 */
export { SVC, SVR, type SVCParams, type SVRParams } from './svc.js';
export { LinearSVC, type LinearSVCParams } from './linear-svc.js';
export type { KernelName, KernelCallable, KernelParam, GammaParam } from './kernel-functions.js';
