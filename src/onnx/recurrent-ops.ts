/**
 * ONNX's LSTM and GRU operators (layout 0: X [T, B, I]; forward, reverse or
 * bidirectional), unrolled over time with Frugal's differentiable ops.
 * Gate order as ONNX writes it: LSTM i, o, f, c; GRU z, r, h.
 */
import { ShapeError, ValueError } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { matmul } from '../tensor/ops/matmul.js';
import { stack } from '../tensor/ops/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Attributes, OpFn } from './ops.js';

interface Setup {
  x: Tensor;
  directions: number;
  hidden: number;
  batch: number;
  steps: number;
}

function setup(inputs: (Tensor | null)[], attrs: Attributes, where: string): Setup {
  const x = inputs[0];
  if (x?.ndim !== 3) throw new ShapeError(`${where}: X must be [T, B, I]`);
  if ((attrs.layout ?? 0) !== 0) throw new ValueError(`${where}: layout 1 is not supported`);
  if (inputs[4]) throw new ValueError(`${where}: sequence_lens is not supported`);
  if (attrs.activations !== undefined) throw new ValueError(`${where}: custom activations are not supported`);
  if (attrs.clip !== undefined) throw new ValueError(`${where}: clip is not supported`);
  const direction = typeof attrs.direction === 'string' ? attrs.direction : 'forward';
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw new ValueError(`${where}: unknown direction '${direction}'`);
  const hidden = attrs.hidden_size;
  if (typeof hidden !== 'number' || hidden <= 0) throw new ValueError(`${where}: hidden_size is required`);
  return { x, directions: direction === 'bidirectional' ? 2 : 1, hidden, batch: x.shape[1], steps: x.shape[0] };
}

/** Direction d's slice [rows, cols] of a [dirs, rows, cols] weight, or its bias halves. */
function weights(inputs: (Tensor | null)[], d: number, gates: number, s: Setup, where: string) {
  const w = inputs[1];
  const r = inputs[2];
  if (!w || !r || w.shape[0] !== s.directions || r.shape[0] !== s.directions || w.shape[1] !== gates * s.hidden || r.shape[1] !== gates * s.hidden) {
    throw new ShapeError(`${where}: W and R must be [${s.directions}, ${gates}·${s.hidden}, ·]`);
  }
  const b = inputs[3];
  const bias = b ? b.select(0, d) : null;
  return {
    wT: w.select(0, d).transpose(0, 1),
    rT: r.select(0, d).transpose(0, 1),
    wb: bias ? bias.slice([[0, gates * s.hidden]]) : null,
    rb: bias ? bias.slice([[gates * s.hidden, 2 * gates * s.hidden]]) : null,
  };
}

function initial(t: Tensor | null, d: number, s: Setup): Tensor {
  return t ? t.select(0, d) : zeros([s.batch, s.hidden], { dtype: s.x.dtype === 'float64' ? 'float64' : 'float32' });
}

function affine(x: Tensor, wT: Tensor, b: Tensor | null): Tensor {
  const y = matmul(x, wT);
  return b ? y.add(b) : y;
}

/** Runs one direction per `step`, then assembles Y [T, dirs, B, H] and the final states [dirs, B, H]. */
function unroll(s: Setup, reverse: (d: number) => boolean, step: (d: number, xt: Tensor) => Tensor[], finals: (d: number) => Tensor[]): Tensor[] {
  const perDirection: Tensor[] = [];
  const lastStates: Tensor[][] = [];
  for (let d = 0; d < s.directions; d++) {
    const outs: Tensor[] = new Array(s.steps);
    for (let k = 0; k < s.steps; k++) {
      const t = reverse(d) ? s.steps - 1 - k : k;
      outs[t] = step(d, s.x.select(0, t))[0];
    }
    perDirection.push(stack(outs, 0));
    lastStates.push(finals(d));
  }
  const y = stack(perDirection, 1);
  const stateCount = lastStates[0].length;
  const states = Array.from({ length: stateCount }, (_, i) =>
    stack(
      lastStates.map((st) => st[i]),
      0,
    ),
  );
  return [y, ...states];
}

export const LSTM: OpFn = (inputs, attrs, where) => {
  if (inputs[7]) throw new ValueError(`${where}: peepholes (P) are not supported`);
  const s = setup(inputs, attrs, where);
  const reverse = (d: number) => d === 1 || attrs.direction === 'reverse';
  const state = Array.from({ length: s.directions }, (_, d) => ({ w: weights(inputs, d, 4, s, where), h: initial(inputs[5], d, s), c: initial(inputs[6], d, s) }));
  return unroll(
    s,
    reverse,
    (d, xt) => {
      const st = state[d];
      const gates = affine(xt, st.w.wT, st.w.wb).add(affine(st.h, st.w.rT, st.w.rb));
      const [i, o, f, c] = gates.split(4, 1);
      st.c = f.sigmoid().mul(st.c).add(i.sigmoid().mul(c.tanh()));
      st.h = o.sigmoid().mul(st.c.tanh());
      return [st.h];
    },
    (d) => [state[d].h, state[d].c],
  );
};

export const GRU: OpFn = (inputs, attrs, where) => {
  const s = setup(inputs, attrs, where);
  const linearBeforeReset = attrs.linear_before_reset === 1;
  const reverse = (d: number) => d === 1 || attrs.direction === 'reverse';
  const state = Array.from({ length: s.directions }, (_, d) => ({ w: weights(inputs, d, 3, s, where), h: initial(inputs[5], d, s) }));
  const H = s.hidden;
  return unroll(
    s,
    reverse,
    (d, xt) => {
      const st = state[d];
      const [xz, xr, xh] = affine(xt, st.w.wT, st.w.wb).split(3, 1);
      const rT = st.w.rT;
      const rb = st.w.rb;
      const [hz, hr] = affine(st.h, rT.slice([null, [0, 2 * H]]), rb ? rb.slice([[0, 2 * H]]) : null).split(2, 1);
      const z = xz.add(hz).sigmoid();
      const r = xr.add(hr).sigmoid();
      const rhT = rT.slice([null, [2 * H, 3 * H]]);
      const rbh = rb ? rb.slice([[2 * H, 3 * H]]) : null;
      const candidate = linearBeforeReset ? xh.add(r.mul(affine(st.h, rhT, rbh))).tanh() : xh.add(affine(r.mul(st.h), rhT, rbh)).tanh();
      // h = (1 − z)·candidate + z·h
      st.h = candidate.sub(z.mul(candidate)).add(z.mul(st.h));
      return [st.h];
    },
    (d) => [state[d].h],
  );
};
