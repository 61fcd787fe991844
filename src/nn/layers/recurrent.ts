/**
 * Recurrent layers: RNN, LSTM and GRU (multi-layer, bidirectional), and
 * their single-step cells. Layout, gate order, parameter names and
 * initialisation follow PyTorch, so torch weights load as they are.
 *
 * Input is time-major [T, B, inputSize] unless `batchFirst: true` gives
 * [B, T, inputSize] (PyTorch's default is time-major, and so is ours); an
 * unbatched [T, inputSize] works too. `forward(x)` returns the output
 * sequence; `run(x, { h, c })` also returns the final states.
 */
import { isGradEnabled, noGrad, record } from '../../autograd/graph.js';
import { ShapeError, ValueError } from '../../errors.js';
import { zeros } from '../../tensor/creation.js';
import { arrayFor } from '../../tensor/dtype.js';
import { concat, split } from '../../tensor/ops/shape.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import { registerLayer, type JsonObject } from '../registry.js';
import { checkFloatInput, checkOptions, floatDType, positiveInt, probability, type DTypeOption, type FloatDType } from './common.js';
import { dropout } from './dropout.js';
import { gateCount, recurrentScan, type CellMode } from './recurrent-scan.js';

export interface RecurrentOptions extends DTypeOption {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [B, T, F] instead of [T, B, F] (default false, as PyTorch). States stay [layers·directions, B, H]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, while training (default 0). */
  dropout?: number;
  /** Also run each layer backwards in time and concatenate both outputs (default false). */
  bidirectional?: boolean;
}

export interface RNNOptions extends RecurrentOptions {
  /** Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Initial states: h (and c for LSTM) of shape [numLayers·directions, B, H] ([numLayers·directions, H] unbatched); zeros when left out. */
export interface RecurrentState {
  h?: Tensor | null;
  c?: Tensor | null;
}

export interface RecurrentResult {
  /** The last layer's hidden state at every step: [T, B, directions·H] (or batch-first / unbatched like the input). */
  output: Tensor;
  /** Final hidden state of every layer and direction: [numLayers·directions, B, H]. */
  h: Tensor;
}

export interface LSTMResult extends RecurrentResult {
  /** Final cell state of every layer and direction: [numLayers·directions, B, H]. */
  c: Tensor;
}

interface CellParams {
  wIh: Parameter;
  wHh: Parameter;
  bIh: Parameter | null;
  bHh: Parameter | null;
}

/**
 * Rows [from, to) of x along its first axis, sharing x's data (the scan's
 * packed result is split into outputs and final states without copying
 * them). The gradient goes back into zeros of x's shape.
 */
function rowsOf(x: Tensor, from: number, to: number): Tensor {
  const n = x.shape[0],
    rest = x.shape.slice(1),
    row = x.size / n;
  const view = new Tensor(x.data.subarray(from * row, to * row), [to - from, ...rest]);
  return record(view, 'slice', [x], (g) => {
    if (!isGradEnabled()) {
      const full = arrayFor(g.dtype, x.size);
      full.set(g.data, from * row);
      return [new Tensor(full, x.shape)];
    }
    // Recorded (gradients of gradients): with tensor ops.
    const parts = [g];
    if (from > 0) parts.unshift(zeros([from, ...rest], { dtype: g.dtype as FloatDType }));
    if (to < n) parts.push(zeros([n - to, ...rest], { dtype: g.dtype as FloatDType }));
    return [parts.length === 1 ? g : concat(parts, 0)];
  });
}

/**
 * x [A, B, F] as [B, A, F]: a batch-first sequence as time-major, or back.
 * A plain copy of whole rows (the general permute walks every element
 * through its strides, which costs as much as a small LSTM's step); its
 * gradient is the same swap, recorded, so gradients of gradients work.
 */
function swapLeadingAxes(x: Tensor): Tensor {
  const [a, b, f] = x.shape;
  const src = x.data,
    out = arrayFor(x.dtype, x.size);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++) {
      const from = (i * b + j) * f;
      out.set(src.subarray(from, from + f), (j * a + i) * f);
    }
  return record(new Tensor(out, [b, a, f]), 'swapLeadingAxes', [x], (g) => [swapLeadingAxes(g)]);
}

const RECURRENT_OPTIONS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'dtype'];

abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly dtype: FloatDType;
  protected readonly mode: CellMode;
  /** The class name that labels messages: 'RNN', 'LSTM' or 'GRU'. */
  private readonly layer: string;
  private readonly cells: CellParams[] = [];

  /** `extraOptions`: the keys a subclass takes besides RECURRENT_OPTIONS. */
  constructor(layer: string, mode: CellMode, inputSize: number, hiddenSize: number, options: RecurrentOptions, extraOptions: readonly string[] = []) {
    super();
    checkOptions(layer, options, [...RECURRENT_OPTIONS, ...extraOptions]);
    this.layer = layer;
    this.mode = mode;
    this.inputSize = positiveInt(inputSize, 'inputSize', layer);
    this.hiddenSize = positiveInt(hiddenSize, 'hiddenSize', layer);
    this.numLayers = positiveInt(options.numLayers ?? 1, 'numLayers', layer);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = probability(options.dropout ?? 0, 'dropout', layer);
    this.bidirectional = options.bidirectional ?? false;
    this.dtype = floatDType(options.dtype, layer);
    const gh = gateCount(mode) * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const dt = { dtype: this.dtype };
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? inputSize : hiddenSize * dirs;
      for (let d = 0; d < dirs; d++) {
        const sfx = `l${l}${d === 1 ? '_reverse' : ''}`;
        const wIh = this.registerParameter(`weight_ih_${sfx}`, new Parameter(zeros([gh, inF], dt)));
        const wHh = this.registerParameter(`weight_hh_${sfx}`, new Parameter(zeros([gh, hiddenSize], dt)));
        const bIh = this.registerParameter(`bias_ih_${sfx}`, this.bias ? new Parameter(zeros([gh], dt)) : null);
        const bHh = this.registerParameter(`bias_hh_${sfx}`, this.bias ? new Parameter(zeros([gh], dt)) : null);
        this.cells.push({ wIh, wHh, bIh, bHh });
      }
    }
    this.resetParameters();
  }

  /** PyTorch's default: every weight and bias ~ U(±1/√hiddenSize). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    noGrad(() => {
      for (const p of this.parameters()) init.uniform(p, -bound, bound);
    });
  }

  protected get label(): string {
    const extra = [this.numLayers > 1 ? `${this.numLayers} layers` : '', this.bidirectional ? 'bidirectional' : ''].filter(Boolean).join(', ');
    return `${this.layer}(${this.inputSize} → ${this.hiddenSize}${extra ? `, ${extra}` : ''})`;
  }

  /** Output sequence and final hidden state. */
  run(x: Tensor, state: RecurrentState = {}): RecurrentResult {
    return this.runLayers(x, state);
  }

  /** The output sequence; `h0` is the initial hidden state. */
  override forward(x: Tensor, h0?: Tensor): Tensor {
    return this.runLayers(x, { h: h0 }).output;
  }

  /** Builds the layer subclass it is called on (RNN, LSTM or GRU) from its config. */
  static fromConfig<T>(this: new (inputSize: number, hiddenSize: number, options: RNNOptions) => T, config: JsonObject): T {
    const { inputSize, hiddenSize, ...options } = config as unknown as { inputSize: number; hiddenSize: number } & RNNOptions;
    return new this(inputSize, hiddenSize, options);
  }

  protected get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Splits an initial state into one [B, H] tensor per layer and direction. */
  private initialStates(state: Tensor | null | undefined, name: string, batch: number, batched: boolean): Tensor[] {
    const n = this.numLayers * this.directions,
      H = this.hiddenSize;
    if (!state) {
      const z = zeros([batch, H], { dtype: this.dtype });
      return new Array<Tensor>(n).fill(z);
    }
    checkFloatInput(`${this.label} initial ${name}`, state, this.dtype);
    const expected = batched ? [n, batch, H] : [n, H];
    if (state.ndim !== expected.length || state.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `${this.label}: initial ${name} must have shape ${shapeStr(expected)} (layers·directions, ${batched ? 'batch, ' : ''}hidden), got ${shapeStr(state.shape)}`,
      );
    }
    const full = batched ? state : state.unsqueeze(1);
    return n === 1 ? [full.reshape([batch, H])] : split(full, n, 0).map((s) => s.reshape([batch, H]));
  }

  protected runLayers(x: Tensor, state: RecurrentState): LSTMResult | RecurrentResult {
    const label = this.label;
    checkFloatInput(label, x, this.dtype);
    const layout = this.batchFirst ? '[B, T, F]' : '[T, B, F]';
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${label}: expected input ${layout.replace('F', String(this.inputSize))} (or unbatched [T, ${this.inputSize}]), got ${shapeStr(x.shape)}`);
    }
    const lstm = this.mode === 'lstm';
    if (!lstm && state.c) throw new ValueError(`${label}: only an LSTM takes an initial cell state c`);
    const batched = x.ndim === 3;
    let seq = batched ? x : x.unsqueeze(1);
    if (batched && this.batchFirst) seq = swapLeadingAxes(seq);
    const [T, B] = seq.shape;
    if (T === 0) throw new ShapeError(`${label}: the input sequence is empty (shape ${shapeStr(x.shape)})`);
    const h0 = this.initialStates(state.h, 'h', B, batched);
    const c0 = lstm ? this.initialStates(state.c, 'c', B, batched) : null;
    const D = this.directions;
    const hN: Tensor[] = [],
      cN: Tensor[] = [];
    let layerInput = seq;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const { wIh, wHh, bIh, bHh } = this.cells[k];
        const packed = recurrentScan(this.mode, { x: layerInput, wIh, bIh }, wHh, bHh, h0[k], c0 ? c0[k] : null, d === 1);
        const last = d === 1 ? 0 : T - 1;
        hN.push(rowsOf(packed, last, last + 1));
        if (lstm) {
          cN.push(rowsOf(packed, T, T + 1));
          outs.push(rowsOf(packed, 0, T));
        } else outs.push(packed);
      }
      layerInput = D === 2 ? concat(outs, 2) : outs[0];
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) layerInput = dropout(layerInput, this.dropout, true);
    }
    let output = layerInput;
    if (!batched) output = output.squeeze(1);
    else if (this.batchFirst) output = swapLeadingAxes(output);
    const finish = (states: Tensor[]): Tensor => {
      const s = states.length === 1 ? states[0] : concat(states, 0);
      return batched ? s : s.squeeze(1);
    };
    return lstm ? { output, h: finish(hN), c: finish(cN) } : { output, h: finish(hN) };
  }

  getConfig(): JsonObject {
    return {
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      bias: this.bias,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      bidirectional: this.bidirectional,
      dtype: this.dtype,
    };
  }
}

/** The cell mode of an Elman RNN (or RNNCell) with this nonlinearity: tanh unless 'relu' is asked for. */
function elmanMode(layer: string, nonlinearity: 'tanh' | 'relu' = 'tanh'): 'rnnTanh' | 'rnnRelu' {
  if (nonlinearity === 'tanh') return 'rnnTanh';
  if (nonlinearity === 'relu') return 'rnnRelu';
  throw new ValueError(`${layer}: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
}

/** Elman RNN: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU). */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('RNN', elmanMode('RNN', options.nonlinearity), inputSize, hiddenSize, options, ['nonlinearity']);
    this.nonlinearity = this.mode === 'rnnTanh' ? 'tanh' : 'relu';
  }

  override getConfig(): JsonObject {
    return { ...super.getConfig(), nonlinearity: this.nonlinearity };
  }
}

/**
 * Long short-term memory. Gates i, f, g, o (in that order in the weights):
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', 'lstm', inputSize, hiddenSize, options);
  }

  /** Output sequence and final hidden and cell states. */
  override run(x: Tensor, state: RecurrentState = {}): LSTMResult {
    return this.runLayers(x, state) as LSTMResult;
  }

  /** The output sequence; `h0`, `c0` are the initial states. */
  override forward(x: Tensor, h0?: Tensor, c0?: Tensor): Tensor {
    return this.runLayers(x, { h: h0, c: c0 }).output;
  }
}

/**
 * Gated recurrent unit. Gates r, z, n: r = σ(·), z = σ(·),
 * n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ + b_hn)), h' = (1 − z)·n + z·h.
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 'gru', inputSize, hiddenSize, options);
  }
}

// ------------------------------------------------------------------ cells ---

export interface CellOptions extends DTypeOption {
  bias?: boolean;
}

/** One step of a recurrent cell on [B, inputSize] (or unbatched [inputSize]). */
abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly dtype: FloatDType;
  protected readonly mode: CellMode;
  readonly weight_ih: Parameter;
  readonly weight_hh: Parameter;
  readonly bias_ih: Parameter | null;
  readonly bias_hh: Parameter | null;
  /** The class name that labels messages: 'RNNCell', 'LSTMCell' or 'GRUCell'. */
  private readonly layer: string;

  /** `extraOptions`: the keys a subclass takes besides bias and dtype. */
  constructor(layer: string, mode: CellMode, inputSize: number, hiddenSize: number, options: CellOptions, extraOptions: readonly string[] = []) {
    super();
    checkOptions(layer, options, ['bias', 'dtype', ...extraOptions]);
    this.layer = layer;
    this.mode = mode;
    this.inputSize = positiveInt(inputSize, 'inputSize', layer);
    this.hiddenSize = positiveInt(hiddenSize, 'hiddenSize', layer);
    this.bias = options.bias ?? true;
    this.dtype = floatDType(options.dtype, layer);
    const gh = gateCount(mode) * hiddenSize,
      dt = { dtype: this.dtype };
    this.weight_ih = this.registerParameter('weight_ih', new Parameter(zeros([gh, inputSize], dt)));
    this.weight_hh = this.registerParameter('weight_hh', new Parameter(zeros([gh, hiddenSize], dt)));
    this.bias_ih = this.registerParameter('bias_ih', this.bias ? new Parameter(zeros([gh], dt)) : null);
    this.bias_hh = this.registerParameter('bias_hh', this.bias ? new Parameter(zeros([gh], dt)) : null);
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    noGrad(() => {
      for (const p of this.parameters()) init.uniform(p, -bound, bound);
    });
  }

  protected get label(): string {
    return `${this.layer}(${this.inputSize} → ${this.hiddenSize})`;
  }

  /** The next hidden state. */
  override forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, { h }).h;
  }

  /** Builds the cell subclass it is called on (RNNCell, LSTMCell or GRUCell) from its config. */
  static fromConfig<T>(this: new (inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: 'tanh' | 'relu' }) => T, config: JsonObject): T {
    const { inputSize, hiddenSize, ...options } = config as unknown as { inputSize: number; hiddenSize: number } & CellOptions & { nonlinearity?: 'tanh' | 'relu' };
    return new this(inputSize, hiddenSize, options);
  }

  private checkState(s: Tensor | null | undefined, name: string, batch: number, batched: boolean): Tensor {
    const H = this.hiddenSize;
    if (!s) return zeros([batch, H], { dtype: this.dtype });
    checkFloatInput(`${this.label} ${name}`, s, this.dtype);
    const expected = batched ? [batch, H] : [H];
    if (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(`${this.label}: ${name} must have shape ${shapeStr(expected)}, got ${shapeStr(s.shape)}`);
    }
    return batched ? s : s.unsqueeze(0);
  }

  protected step(x: Tensor, state: RecurrentState): { h: Tensor; c?: Tensor } {
    checkFloatInput(this.label, x, this.dtype);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.label}: expected input [B, ${this.inputSize}] (or [${this.inputSize}]), got ${shapeStr(x.shape)}`);
    }
    const batched = x.ndim === 2;
    const x2 = batched ? x : x.unsqueeze(0);
    const B = x2.shape[0],
      H = this.hiddenSize;
    const lstm = this.mode === 'lstm';
    if (!lstm && state.c) throw new ValueError(`${this.label}: only an LSTM cell takes a cell state c`);
    const h0 = this.checkState(state.h, 'h', B, batched);
    const c0 = lstm ? this.checkState(state.c, 'c', B, batched) : null;
    const input = { x: x2.reshape([1, B, this.inputSize]), wIh: this.weight_ih, bIh: this.bias_ih };
    const packed = recurrentScan(this.mode, input, this.weight_hh, this.bias_hh, h0, c0, false);
    const unbatch = (t: Tensor): Tensor => (batched ? t.reshape([B, H]) : t.reshape([H]));
    if (!lstm) return { h: unbatch(packed) };
    const [h, c] = split(packed, 2, 0);
    return { h: unbatch(h), c: unbatch(c) };
  }

  getConfig(): JsonObject {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, dtype: this.dtype };
  }
}

/** One Elman RNN step: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU). */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    super('RNNCell', elmanMode('RNNCell', options.nonlinearity), inputSize, hiddenSize, options, ['nonlinearity']);
    this.nonlinearity = this.mode === 'rnnTanh' ? 'tanh' : 'relu';
  }

  override getConfig(): JsonObject {
    return { ...super.getConfig(), nonlinearity: this.nonlinearity };
  }
}

/** One LSTM step. `run(x, { h, c })` gives both new states; `forward(x, h, c)` the new h. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('LSTMCell', 'lstm', inputSize, hiddenSize, options);
  }

  run(x: Tensor, state: RecurrentState = {}): { h: Tensor; c: Tensor } {
    return this.step(x, state) as { h: Tensor; c: Tensor };
  }

  override forward(x: Tensor, h?: Tensor, c?: Tensor): Tensor {
    return this.step(x, { h, c }).h;
  }
}

/** One GRU step: the new hidden state. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('GRUCell', 'gru', inputSize, hiddenSize, options);
  }
}

registerLayer('RNN', RNN);
registerLayer('LSTM', LSTM);
registerLayer('GRU', GRU);
registerLayer('RNNCell', RNNCell);
registerLayer('LSTMCell', LSTMCell);
registerLayer('GRUCell', GRUCell);
