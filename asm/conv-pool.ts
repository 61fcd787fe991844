// The max pooling of a Conv → ReLU → MaxPool block where no arg-max is
// wanted (inference): the pooling runs on the convolution's output before
// the bias and relu, which then touch a quarter as many values (2×2 windows).
// The values are those of relu then pooling: adding the bias (rounded) and
// relu are non-decreasing, so the window's largest value stays the largest;
// relu turns every zero into +0, and a NaN anywhere in a window gives NaN
// either way (f32.max propagates it, as the pooling's NaN rule does).

/**
 * values[p][oh][ow] = the largest of the window (kh×kw at stride sh×sw, no
 * padding, dilation 1) over plane p (h×w) of x, NaN if any is NaN.
 */
export function maxPoolValuesF32(x: usize, values: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ho: i32, wo: i32): void {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && wo >= 4) {
    maxPool2x2Values(x, values, planes, h, w, ho, wo);
    return;
  }
  let o = values;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const corner = plane + (<usize>(oh * sh * w + ow * sw) << 2);
        let best = load<f32>(corner);
        for (let i = 0; i < kh; i++) {
          const row = corner + (<usize>(i * w) << 2);
          for (let j = 0; j < kw; j++) best = max<f32>(best, load<f32>(row + (<usize>j << 2)));
        }
        store<f32>(o, best);
        o += 4;
      }
    }
  }
}

/**
 * The 2×2, stride 2 case, four windows at a time (wo ≥ 4); a row whose width
 * is not a multiple of four ends with four windows that overlap the ones
 * before (written alike either time).
 */
function maxPool2x2Values(x: usize, values: usize, planes: i32, h: i32, w: i32, ho: i32, wo: i32): void {
  const rowBytes = <usize>w << 2;
  let o = values;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < ho; oh++) {
      const top = x + (<usize>((p * h + 2 * oh) * w) << 2);
      const bottom = top + rowBytes;
      for (let ow = 0; ; ow = min(ow + 4, wo - 4)) {
        const off = <usize>ow << 3; // 2·ow floats
        const t0 = v128.load(top + off), t1 = v128.load(top + off, 16);
        const b0 = v128.load(bottom + off), b1 = v128.load(bottom + off, 16);
        const topMax = f32x4.max(v128.shuffle<f32>(t0, t1, 0, 2, 4, 6), v128.shuffle<f32>(t0, t1, 1, 3, 5, 7));
        const bottomMax = f32x4.max(v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), v128.shuffle<f32>(b0, b1, 1, 3, 5, 7));
        v128.store(o + (<usize>ow << 2), f32x4.max(topMax, bottomMax));
        if (ow + 4 >= wo) break;
      }
      o += <usize>wo << 2;
    }
  }
}
