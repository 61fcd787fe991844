// Gradient histograms of histogram gradient boosting (the HISTOGRAM_JOB kind;
// src/backend/routines/histogram.ts has the reference and the layout): each
// chunk fills the slots of its own group of features, so threads never write
// the same slot. Every slot receives the same float64 additions in the same
// order (the node's rows in partition order) as the reference: the sums are
// the same to the bit.

import { HG_BINNED_PTR, HG_CHUNK_START_PTR, HG_COUNT, HG_FEATURES_PTR, HG_GRADIENTS_PTR, HG_HESSIANS_PTR, HG_N_ROWS, HG_OUT_PTR, HG_ROWS_PTR, HG_SLOT_START_PTR } from './layout';
import { slot } from './gemm';

/** Bytes per histogram slot: three f64 (Σ gradient, Σ hessian, count). */
const SLOT_BYTES: usize = 24;

// @ts-ignore: decorator
@inline
function addToSlot(at: usize, gradient: f64, hessian: f64): void {
  store<f64>(at, load<f64>(at) + gradient);
  store<f64>(at, load<f64>(at, 8) + hessian, 8);
  store<f64>(at, load<f64>(at, 16) + 1.0, 16);
}

/** The first slot (byte address in out) and column (byte address of its codes) of feature features[j]. */
// @ts-ignore: decorator
@inline
function slotBase(ctl: usize, j: i32): usize {
  const f = load<i32>(<usize>slot(ctl, HG_FEATURES_PTR) + (<usize>j << 2));
  return <usize>slot(ctl, HG_OUT_PTR) + <usize>load<i32>(<usize>slot(ctl, HG_SLOT_START_PTR) + (<usize>f << 2)) * SLOT_BYTES;
}

// @ts-ignore: decorator
@inline
function column(ctl: usize, j: i32): usize {
  const f = load<i32>(<usize>slot(ctl, HG_FEATURES_PTR) + (<usize>j << 2));
  return <usize>slot(ctl, HG_BINNED_PTR) + <usize>f * <usize>slot(ctl, HG_N_ROWS);
}

/** Chunk `chunk`: the histograms of its features, four at a time in one pass over the rows (each row's index, gradient and hessian loaded once per four). */
export function histogramChunk(ctl: usize, chunk: i32): void {
  const starts = <usize>slot(ctl, HG_CHUNK_START_PTR) + (<usize>chunk << 2);
  const first = load<i32>(starts);
  const last = load<i32>(starts, 4);
  const rows = <usize>slot(ctl, HG_ROWS_PTR);
  const count = slot(ctl, HG_COUNT);
  const g = <usize>slot(ctl, HG_GRADIENTS_PTR);
  const h = <usize>slot(ctl, HG_HESSIANS_PTR);
  let j = first;
  for (; j + 4 <= last; j += 4) {
    const c0 = column(ctl, j);
    const c1 = column(ctl, j + 1);
    const c2 = column(ctl, j + 2);
    const c3 = column(ctl, j + 3);
    const b0 = slotBase(ctl, j);
    const b1 = slotBase(ctl, j + 1);
    const b2 = slotBase(ctl, j + 2);
    const b3 = slotBase(ctl, j + 3);
    for (let i = 0; i < count; i++) {
      const row = <usize>load<i32>(rows + (<usize>i << 2));
      const gi = <f64>load<f32>(g + (<usize>i << 2));
      const hi = <f64>load<f32>(h + (<usize>i << 2));
      addToSlot(b0 + <usize>load<u8>(c0 + row) * SLOT_BYTES, gi, hi);
      addToSlot(b1 + <usize>load<u8>(c1 + row) * SLOT_BYTES, gi, hi);
      addToSlot(b2 + <usize>load<u8>(c2 + row) * SLOT_BYTES, gi, hi);
      addToSlot(b3 + <usize>load<u8>(c3 + row) * SLOT_BYTES, gi, hi);
    }
  }
  for (; j < last; j++) {
    const c0 = column(ctl, j);
    const b0 = slotBase(ctl, j);
    for (let i = 0; i < count; i++) {
      const row = <usize>load<i32>(rows + (<usize>i << 2));
      addToSlot(b0 + <usize>load<u8>(c0 + row) * SLOT_BYTES, <f64>load<f32>(g + (<usize>i << 2)), <f64>load<f32>(h + (<usize>i << 2)));
    }
  }
}
