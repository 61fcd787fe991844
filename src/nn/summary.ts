/**
 * `summary(model, inputShape)`: every layer's output shape and parameter
 * count for one input, as torchinfo / Keras print them.
 *
 * ```ts
 * console.log(String(summary(model, [1, 784])));
 * ```
 */
import { noGrad } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { Sequential } from './layers/sequential.js';
import { Module } from './module.js';

export interface SummaryRow {
  /** Dotted path ('' for the model itself). */
  name: string;
  /** The class name. */
  type: string;
  /** Depth below the model (0 for the model). */
  depth: number;
  /** Shape of the output of its last call, or null when it was not called. */
  outputShape: number[] | null;
  /** Parameters of this module alone (not its children). */
  parameters: number;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParameters: number;
  trainableParameters: number;
  /** A table: one line per module, indented by depth. */
  toString(): string;
}

export interface SummaryOptions {
  /** dtype of the zeros fed in (default float32; int32 for an Embedding first). */
  dtype?: DType;
}

function table(rows: SummaryRow[], total: number, trainable: number): string {
  const lines = rows.map((r) => [
    `${'  '.repeat(r.depth)}${r.name === '' ? r.type : `${r.name.split('.').pop()} (${r.type})`}`,
    r.outputShape ? shapeStr(r.outputShape) : '-',
    String(r.parameters),
  ]);
  const head = ['Layer (type)', 'Output shape', 'Params'];
  const widths = head.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j].length)));
  const fmt = (cells: string[]): string => cells.map((c, j) => (j === 2 ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [fmt(head), rule, ...lines.map(fmt), rule, `Total params: ${total}`, `Trainable params: ${trainable}`].join('\n');
}

/** Runs `model` once on zeros of `inputShape` (eval mode, no graph) and reports each layer. */
export function summary(model: Module, inputShape: readonly number[], options: SummaryOptions = {}): ModelSummary {
  if (!(model instanceof Module)) throw new ValueError('summary: expected a Module');
  checkOptions('summary', options, ['dtype']);
  if (!Array.isArray(inputShape)) throw new ValueError('summary: inputShape must be an array of sizes, e.g. [1, 784]');
  const modules = [...model.namedModules()];
  const rows: SummaryRow[] = modules.map(([name, m]) => ({
    name,
    type: m.constructor.name,
    depth: name === '' ? 0 : name.split('.').length,
    outputShape: null,
    parameters: [...m.namedParameters()].filter(([n]) => !n.includes('.')).reduce((s, [, p]) => s + p.size, 0),
  }));
  // Each module's forward records its output shape; Sequential runs its children one by one (its fused blocks would skip them).
  const patched: Module[] = [];
  modules.forEach(([, m], i) => {
    const own = m.forward;
    const run = m instanceof Sequential ? (x: Tensor) => [...m].reduce((y, child) => child.call(y), x) : own.bind(m);
    Object.defineProperty(m, 'forward', {
      configurable: true,
      writable: true,
      value: (...inputs: Tensor[]) => {
        const out = (run as (...xs: Tensor[]) => Tensor)(...inputs);
        if (out instanceof Tensor) rows[i].outputShape = [...out.shape];
        return out;
      },
    });
    patched.push(m);
  });
  const wasTraining = model.training;
  try {
    model.eval();
    noGrad(() => model.call(zeros(inputShape, { dtype: options.dtype ?? 'float32' })));
  } finally {
    for (const m of patched) delete (m as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
  const params = model.parameters();
  const totalParameters = params.reduce((s, p) => s + p.size, 0);
  const trainableParameters = params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0);
  return { rows, totalParameters, trainableParameters, toString: () => table(rows, totalParameters, trainableParameters) };
}
