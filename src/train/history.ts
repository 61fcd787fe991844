/** What a fit logged, epoch by epoch. */
import { ValueError } from '../errors.js';
import type { Logs } from './callbacks.js';
import type { HistoryData } from './checkpoint.js';

/** Per-epoch record of a fit (Keras's History). */
export class History implements HistoryData {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  record(epoch: number, logs: Logs): void {
    const row = this.epoch.length;
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      const list = (this.history[k] ??= new Array<number>(row).fill(NaN));
      list.push(v);
    }
    for (const list of Object.values(this.history)) if (list.length < row + 1) list.push(NaN);
  }

  /** The values of one logged quantity, one per epoch. */
  get(name: string): number[] {
    const v = this.history[name];
    if (!v) throw new ValueError(`History: nothing logged as '${name}' (logged: ${Object.keys(this.history).join(', ')})`);
    return v;
  }
}
