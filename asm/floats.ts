// Short runs of float32 values copied, zeroed or added, for the convolution
// kernels (conv.ts, conv-pooled.ts). Row pieces there are a few dozen floats:
// plain SIMD loops beat memory.copy / memory.fill, which V8 runs as
// out-of-line calls.

/** count floats from src to dst. */
// @ts-ignore: decorator
@inline export function copyFloats(dst: usize, src: usize, count: i32): void {
  const bytes = <usize>count << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

/** count zeros at dst. */
// @ts-ignore: decorator
@inline export function zeroFloats(dst: usize, count: i32): void {
  const bytes = <usize>count << 2;
  const zero = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, zero);
  for (; i < bytes; i += 4) store<f32>(dst + i, 0);
}

/** dst[0..count] += src[0..count]. */
// @ts-ignore: decorator
@inline export function addFloats(dst: usize, src: usize, count: i32): void {
  const bytes = <usize>count << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, f32x4.add(v128.load(dst + i), v128.load(src + i)));
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(src + i));
}
