/** Size thresholds shared by the routines. */

/** Below this many elements the JS loops beat a round trip through the wasm memory of the calling thread's kernels. */
export const CALLER_KERNEL_MIN_ELEMENTS = 2048;
