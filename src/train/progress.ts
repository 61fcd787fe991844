/**
 * fit's progress output: a redrawn bar with the running loss and ETA on an
 * interactive terminal, one plain line per epoch otherwise (logs, CI,
 * browsers), nothing with verbose 0.
 */
import { isInteractiveOutput, outputColumns, writeOutput } from '../platform/files.js';
import type { Logs } from './callbacks.js';

export type Verbosity = 0 | 1 | 2;

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k} ${formatValue(v)}`)
    .join('  ');
}

export class Progress {
  private readonly bar: boolean;
  private epochStart = 0;
  private lastDraw = 0;
  private width = 0;

  constructor(
    private readonly verbose: Verbosity,
    private readonly epochs: number,
    private readonly now: () => number = () => performance.now(),
    /** What one round of the bar is called ('Epoch' for fit). */
    private readonly unit = 'Epoch',
  ) {
    this.bar = verbose === 1 && isInteractiveOutput();
  }

  private label(epoch: number): string {
    const w = String(this.epochs).length;
    return `${this.unit} ${String(epoch + 1).padStart(w)}/${this.epochs}`;
  }

  epochBegin(): void {
    this.epochStart = this.now();
    this.lastDraw = 0;
  }

  /** After a batch: redraws the bar at most ~10 times a second. */
  batch(epoch: number, done: number, total: number | null, meanLoss: number): void {
    if (!this.bar) return;
    const t = this.now();
    if (t - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    let text: string;
    if (total) {
      const cols = Math.max(10, Math.min(30, outputColumns() - 60));
      const filled = Math.round((cols * done) / total);
      const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (done === total ? '=' : '>') : '') + '.'.repeat(cols - filled);
      const eta = (elapsed / done) * (total - done);
      text = `${this.label(epoch)} [${bar}] ${done}/${total}  loss ${formatValue(meanLoss)}  ETA ${formatSeconds(eta)}`;
    } else {
      text = `${this.label(epoch)} ${done} batches  loss ${formatValue(meanLoss)}  ${formatSeconds(elapsed)}`;
    }
    this.width = Math.max(this.width, text.length);
    writeOutput(`\r${text.padEnd(this.width)}`);
  }

  epochEnd(epoch: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const elapsed = (this.now() - this.epochStart) / 1000;
    const text = `${this.label(epoch)}  ${formatSeconds(elapsed)}  ${formatLogs(logs)}`;
    writeOutput(this.bar ? `\r${text.padEnd(this.width)}\n` : `${text}\n`);
    this.width = 0;
  }
}
