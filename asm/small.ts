// Small-product kernels for frugal-ml (AssemblyScript, raw pointers), for a
// single-threaded instance with its own ordinary memory (src/backend/small/).
//
// `linear32` computes y = x·W + b for a few rows of x against a weight matrix
// kept resident in this memory, stored transposed (K×NP, NP = N rounded up to
// 4, zero-padded), so each output vector is built from contiguous loads with
// x[k] broadcast: no packing per call, no horizontal sums. Its output rows are
// NP wide (the padding comes out 0), so a chain of layers can run in place.
//
// Every output is summed in the order asm/gemm.ts uses (products added one
// by one from 0 over blocks of KC steps, each block's sum then added to the
// running value, which starts at the bias), so a row gives bit-identical
// results whether it goes through here or through the general GEMM.

/** The general GEMM's K blocking (asm/gemm.ts KC); sums are grouped the same way. */
const KC: i32 = 256;

/**
 * y[r, :] = relu?(bias + x[r, :k]·WT) for r < m. wt: K×np floats; bias: np
 * floats, or 0 for none; x: m rows of ldx floats; y: m×np.
 */
export function linear32(wt: usize, bias: usize, x: usize, ldx: i32, y: usize, m: i32, k: i32, np: i32, relu: i32): void {
  const rowBytes = <usize>np << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < m; r++) {
    const xr = x + ((<usize>r * <usize>ldx) << 2);
    const yr = y + <usize>r * rowBytes;
    let j = 0;
    // 32 outputs at a time: 8 independent accumulators hide the add latency.
    for (; j + 32 <= np; j += 32) {
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
      for (let pc = 0; pc < k; pc += KC) {
        const end = min(k, pc + KC);
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
        let p = wt + <usize>pc * rowBytes + (<usize>j << 2);
        for (let kk = pc; kk < end; kk++) {
          const xv = v128.load32_splat(xr + (<usize>kk << 2));
          a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(p)));
          a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(p, 16)));
          a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(p, 32)));
          a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(p, 48)));
          a4 = f32x4.add(a4, f32x4.mul(xv, v128.load(p, 64)));
          a5 = f32x4.add(a5, f32x4.mul(xv, v128.load(p, 80)));
          a6 = f32x4.add(a6, f32x4.mul(xv, v128.load(p, 96)));
          a7 = f32x4.add(a7, f32x4.mul(xv, v128.load(p, 112)));
          p += rowBytes;
        }
        if (pc == 0 && bias == 0) {
          c0 = a0; c1 = a1; c2 = a2; c3 = a3; c4 = a4; c5 = a5; c6 = a6; c7 = a7;
        } else {
          const bj = bias + (<usize>j << 2);
          if (pc == 0) {
            c0 = v128.load(bj); c1 = v128.load(bj, 16); c2 = v128.load(bj, 32); c3 = v128.load(bj, 48);
            c4 = v128.load(bj, 64); c5 = v128.load(bj, 80); c6 = v128.load(bj, 96); c7 = v128.load(bj, 112);
          }
          c0 = f32x4.add(a0, c0); c1 = f32x4.add(a1, c1); c2 = f32x4.add(a2, c2); c3 = f32x4.add(a3, c3);
          c4 = f32x4.add(a4, c4); c5 = f32x4.add(a5, c5); c6 = f32x4.add(a6, c6); c7 = f32x4.add(a7, c7);
        }
      }
      if (relu) {
        c0 = f32x4.max(c0, zero); c1 = f32x4.max(c1, zero); c2 = f32x4.max(c2, zero); c3 = f32x4.max(c3, zero);
        c4 = f32x4.max(c4, zero); c5 = f32x4.max(c5, zero); c6 = f32x4.max(c6, zero); c7 = f32x4.max(c7, zero);
      }
      const yj = yr + (<usize>j << 2);
      v128.store(yj, c0); v128.store(yj, c1, 16); v128.store(yj, c2, 32); v128.store(yj, c3, 48);
      v128.store(yj, c4, 64); v128.store(yj, c5, 80); v128.store(yj, c6, 96); v128.store(yj, c7, 112);
    }
    // The rest, 4 outputs at a time.
    for (; j < np; j += 4) {
      let c = zero;
      for (let pc = 0; pc < k; pc += KC) {
        const end = min(k, pc + KC);
        let a = zero;
        let p = wt + <usize>pc * rowBytes + (<usize>j << 2);
        for (let kk = pc; kk < end; kk++) {
          a = f32x4.add(a, f32x4.mul(v128.load32_splat(xr + (<usize>kk << 2)), v128.load(p)));
          p += rowBytes;
        }
        if (pc == 0) c = bias == 0 ? a : f32x4.add(a, v128.load(bias + (<usize>j << 2)));
        else c = f32x4.add(a, c);
      }
      if (relu) c = f32x4.max(c, zero);
      v128.store(yr + (<usize>j << 2), c);
    }
  }
}
