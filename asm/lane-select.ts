// Lane selection by a comparison's mask (every lane all ones or all zeros).
//
// v128.bitselect is three instructions under V8 on x64 (and, andnot, or);
// relaxed SIMD's laneselect is one blend (vblendvps), which reads each
// lane's top bit. On a mask whose lanes are all ones or all zeros both give
// the same lanes, so the two builds (scripts/build-wasm.mjs) agree to the
// bit wherever the mask comes from a comparison.

/** Lanes of `a` where `mask` (a comparison's: all ones or all zeros per 32-bit lane) is set, else of `b`. */
// @ts-ignore: decorator
@inline export function selectLanes32(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}
