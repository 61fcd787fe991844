// The geometry of the current convolution job (conv.ts, conv-pooled.ts),
// read from the control block per chunk. Globals are per instance, so each
// thread has its own copy (a heap object would sit at the same address of
// the shared memory in every thread).
import { slot } from './gemm';
import { CV_C, CV_DH, CV_DW, CV_H, CV_HO, CV_KH, CV_KW, CV_O, CV_PH, CV_PW, CV_SH, CV_SW, CV_W, CV_WO } from './layout';

export let gc: i32 = 0, gh: i32 = 0, gw: i32 = 0, go: i32 = 0;
export let gkh: i32 = 0, gkw: i32 = 0, gsh: i32 = 0, gsw: i32 = 0, gph: i32 = 0, gpw: i32 = 0, gdh: i32 = 0, gdw: i32 = 0;
export let gho: i32 = 0, gwo: i32 = 0;

export function readGeometry(ctl: usize): void {
  gc = slot(ctl, CV_C); gh = slot(ctl, CV_H); gw = slot(ctl, CV_W); go = slot(ctl, CV_O);
  gkh = slot(ctl, CV_KH); gkw = slot(ctl, CV_KW);
  gsh = slot(ctl, CV_SH); gsw = slot(ctl, CV_SW);
  gph = slot(ctl, CV_PH); gpw = slot(ctl, CV_PW);
  gdh = slot(ctl, CV_DH); gdw = slot(ctl, CV_DW);
  gho = slot(ctl, CV_HO); gwo = slot(ctl, CV_WO);
}
