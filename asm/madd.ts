// Multiply-add helpers shared by the kernels: a·b + c lane-wise.
//
// scripts/build-wasm.mjs builds the kernels twice from the same sources: once
// with relaxed SIMD enabled, where these are `relaxed_madd` (one fused
// multiply-add instruction on x86 with FMA and on ARM: a·b + c rounded once),
// and once without, where they are a multiplication and an addition (rounded
// twice). The two builds' results differ by rounding only; within one build
// every element is computed by the same sequence of operations whichever
// thread computes it. (relaxed_madd may also be unfused where the hardware
// lacks FMA; the engine picks one of the two per process.)

/** a·b + c on four float32 lanes (fused in the relaxed build). */
// @ts-ignore: decorator
@inline export function maddF32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** a·b + c on two float64 lanes (fused in the relaxed build). */
// @ts-ignore: decorator
@inline export function maddF64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}
