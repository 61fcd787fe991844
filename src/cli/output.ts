/**
 * What the command prints: aligned tables on stdout, and progress on
 * stderr (a redrawn bar on a terminal, one plain line per step when piped,
 * so that logs stay readable and stdout stays clean for --json).
 */
import { formatSeconds } from '../train/progress.js';

/** A text table: the header, a rule, then the rows; columns of numbers (blanks allowed) right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((r) => (r[j] ?? '').length)));
  const numeric = header.map((_, j) => rows.some((r) => typeof r[j] === 'number') && rows.every((r) => typeof r[j] === 'number' || r[j] === ''));
  const line = (r: readonly string[]): string =>
    r
      .map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Four significant decimals, or exponent notation for very small or large values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4);
}

/** Where the command writes: stdout for results, stderr for progress and errors. */
export interface Streams {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars redraw there). */
  readonly interactive: boolean;
}

export const processStreams: Streams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};

/**
 * Progress through `total` steps: a bar redrawn in place on a terminal once
 * the work has lasted a second, a plain line per step otherwise.
 */
export class StepProgress {
  readonly #started = performance.now();
  #done = 0;
  #drawn = false;

  constructor(
    private readonly streams: Streams,
    private readonly title: string,
    private readonly total: number,
  ) {}

  /** Marks one more step done; `label` says which. */
  step(label: string): void {
    this.#done++;
    const elapsed = (performance.now() - this.#started) / 1000;
    if (!this.streams.interactive) {
      this.streams.err(`${this.title} ${this.#done}/${this.total}: ${label} (${formatSeconds(elapsed)})\n`);
      return;
    }
    if (elapsed < 1 && this.#done < this.total) return;
    const width = 24;
    const filled = Math.round((width * this.#done) / this.total);
    const eta = (elapsed / this.#done) * (this.total - this.#done);
    this.streams.err(`\r\x1b[2K${this.title} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${this.#done}/${this.total} ${label}  ETA ${formatSeconds(eta)}`);
    this.#drawn = true;
    if (this.#done === this.total) this.finish();
  }

  /** Ends the bar's line (a no-op when piped or never drawn). */
  finish(): void {
    if (this.#drawn) this.streams.err('\n');
    this.#drawn = false;
  }
}
