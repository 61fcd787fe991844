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

// ------------------------------------------------------------------ LSTM ---
// One direction of an LSTM layer over a whole sequence (float32, H a multiple
// of 4), gates i, f, g, o as PyTorch orders them. The state before each step
// and the activated gates are saved for the backward, which runs here too.

/** e^x for 4 lanes (Cephes expf: |rel. error| < 2e-7 on [-87, 88]; clamped outside). */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh(x) = 2·σ(2x) − 1. */
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const two = f32x4.splat(2);
  return f32x4.sub(f32x4.mul(two, sigmoid4(f32x4.mul(two, x))), f32x4.splat(1));
}

/**
 * Forward over T steps. xp: T×B×G input projections (G = 4H, time-major,
 * b_ih included); wt: W_hhᵀ as H×G; bias: b_hh (G) or 0; h0, c0: B×H (c0 is
 * updated in place into the final cell state). Writes out: T×B×H hidden
 * states; hPrev, cPrev: T×B×H states before each step; acts: T×B×G gates
 * after activation; tanhC: T×B×H tanh of the new cell state; hh: B×G scratch.
 */
export function lstmForward32(
  xp: usize, wt: usize, bias: usize, h0: usize, c: usize, t: i32, b: i32, h: i32, reverse: i32,
  out: usize, hPrev: usize, cPrev: usize, acts: usize, tanhC: usize, hh: usize,
): void {
  const g = h << 2;
  const bh = <usize>(b * h) << 2, bg = <usize>(b * g) << 2;
  let src = h0;
  for (let s = 0; s < t; s++) {
    const ts = reverse ? t - 1 - s : s;
    const hp = hPrev + <usize>ts * bh, cp = cPrev + <usize>ts * bh;
    memory.copy(hp, src, bh);
    memory.copy(cp, c, bh);
    linear32(wt, bias, hp, h, hh, b, h, g, 0);
    const xs = xp + <usize>ts * bg, as = acts + <usize>ts * bg;
    const os = out + <usize>ts * bh, tcs = tanhC + <usize>ts * bh;
    for (let r = 0; r < b; r++) {
      const grow = <usize>(r * g) << 2, hrow = <usize>(r * h) << 2;
      for (let j = 0; j < h; j += 4) {
        const o4 = <usize>j << 2;
        const gi = grow + o4, gf = gi + (<usize>h << 2), gg = gf + (<usize>h << 2), go = gg + (<usize>h << 2);
        const i = sigmoid4(f32x4.add(v128.load(xs + gi), v128.load(hh + gi)));
        const f = sigmoid4(f32x4.add(v128.load(xs + gf), v128.load(hh + gf)));
        const gt = tanh4(f32x4.add(v128.load(xs + gg), v128.load(hh + gg)));
        const o = sigmoid4(f32x4.add(v128.load(xs + go), v128.load(hh + go)));
        const cn = f32x4.add(f32x4.mul(f, v128.load(c + hrow + o4)), f32x4.mul(i, gt));
        const tc = tanh4(cn);
        v128.store(as + gi, i); v128.store(as + gf, f); v128.store(as + gg, gt); v128.store(as + go, o);
        v128.store(c + hrow + o4, cn);
        v128.store(tcs + hrow + o4, tc);
        v128.store(os + hrow + o4, f32x4.mul(o, tc));
      }
    }
    src = os;
  }
}

/**
 * Backward through the T steps of lstmForward32. gOut: T×B×H gradient of the
 * hidden outputs; dc: B×H gradient of the final cell state, turned in place
 * into that of c0; w: W_hh as G×H. Writes dx: T×B×G gradient of the gate
 * pre-activations (= of xp and of hh); dh: B×H gradient of h0; db: the
 * sums of dx over steps and rows (the biases' gradient), G float64, or 0 for
 * none; dht: B×H scratch.
 */
export function lstmBackward32(
  gOut: usize, acts: usize, cPrev: usize, tanhC: usize, w: usize, t: i32, b: i32, h: i32, reverse: i32,
  dx: usize, dh: usize, dc: usize, db: usize, dht: usize,
): void {
  const g = h << 2;
  const bh = <usize>(b * h) << 2, bg = <usize>(b * g) << 2;
  const one = f32x4.splat(1);
  memory.fill(dh, 0, bh);
  if (db) memory.fill(db, 0, <usize>g << 3);
  for (let s = t - 1; s >= 0; s--) {
    const ts = reverse ? t - 1 - s : s;
    const gs = gOut + <usize>ts * bh, as = acts + <usize>ts * bg, ds = dx + <usize>ts * bg;
    const cps = cPrev + <usize>ts * bh, tcs = tanhC + <usize>ts * bh;
    for (let r = 0; r < b; r++) {
      const grow = <usize>(r * g) << 2, hrow = <usize>(r * h) << 2;
      for (let j = 0; j < h; j += 4) {
        const o4 = <usize>j << 2;
        const gi = grow + o4, gf = gi + (<usize>h << 2), gg = gf + (<usize>h << 2), go = gg + (<usize>h << 2);
        const i = v128.load(as + gi), f = v128.load(as + gf), gt = v128.load(as + gg), o = v128.load(as + go);
        const tc = v128.load(tcs + hrow + o4);
        const d = f32x4.add(v128.load(gs + hrow + o4), v128.load(dh + hrow + o4));
        const dcj = f32x4.add(v128.load(dc + hrow + o4), f32x4.mul(f32x4.mul(d, o), f32x4.sub(one, f32x4.mul(tc, tc))));
        v128.store(ds + gi, f32x4.mul(f32x4.mul(dcj, gt), f32x4.mul(i, f32x4.sub(one, i))));
        v128.store(ds + gf, f32x4.mul(f32x4.mul(dcj, v128.load(cps + hrow + o4)), f32x4.mul(f, f32x4.sub(one, f))));
        v128.store(ds + gg, f32x4.mul(f32x4.mul(dcj, i), f32x4.sub(one, f32x4.mul(gt, gt))));
        v128.store(ds + go, f32x4.mul(f32x4.mul(d, tc), f32x4.mul(o, f32x4.sub(one, o))));
        v128.store(dc + hrow + o4, f32x4.mul(dcj, f));
      }
      if (db) sumRowInto64(db, ds + grow, g);
    }
    // dh_prev = dx_t · W_hh (dht holds it while dh is still read above).
    linear32(w, 0, ds, g, dht, b, g, h, 0);
    memory.copy(dh, dht, bh);
  }
}

/** acc[0..n) (float64) += row[0..n) (float32); n a multiple of 4. */
// @ts-ignore: decorator
@inline function sumRowInto64(acc: usize, row: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const v = v128.load(row + (<usize>j << 2));
    const a = acc + (<usize>j << 3);
    v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
    v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
  }
}

/** acc[j] = Σ_r src[r, j] for a rows×cols float32 matrix, into float64 accumulators (a bias gradient). */
export function columnSums32(src: usize, rows: i32, cols: i32, acc: usize): void {
  memory.fill(acc, 0, <usize>cols << 3);
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = src + ((<usize>r * <usize>cols) << 2);
    sumRowInto64(acc, row, c4);
    for (let j = c4; j < cols; j++) {
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
    }
  }
}
