/**
 * Lets a long computation share the thread: after about
 * {@link YIELD_EVERY_MS} of work it hands control back to the event loop
 * with a macrotask, so timers, I/O and (in a browser) rendering run while a
 * model trains. Checking costs one clock read; yielding happens at most
 * every ~10 ms, never every step. Beside it: the AbortSignal checks of
 * long runs.
 */
import { AbortError, ValueError } from '../errors.js';

export const YIELD_EVERY_MS = 10;

type Schedule = (resume: () => void) => void;

/** The cheapest macrotask the platform has: setImmediate (Node), else a MessageChannel message, else setTimeout. */
function macrotaskScheduler(): Schedule {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return (resume) => void setImmediate(resume);
  }
  if (typeof g.MessageChannel === 'function') {
    // setTimeout(0) is clamped to 4 ms in browsers; a message is not.
    const channel = new g.MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return (resume) => {
      waiting.push(resume);
      channel.port2.postMessage(null);
    };
  }
  return (resume) => void setTimeout(resume, 0);
}

let schedule: Schedule | null = null;

export class Yielder {
  private last = performance.now();

  /** True when ~10 ms of work have passed since the last yield. */
  due(): boolean {
    return performance.now() - this.last >= YIELD_EVERY_MS;
  }

  /** Gives the event loop a turn. */
  async yield(): Promise<void> {
    schedule ??= macrotaskScheduler();
    await new Promise<void>((resume) => schedule!(resume));
    this.last = performance.now();
  }
}

/** The AbortSignal option of a long run, checked. */
export function checkSignal(signal: unknown, who: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean') {
    throw new ValueError(`${who}: signal must be an AbortSignal (from an AbortController)`);
  }
  return signal as AbortSignal;
}

/** The error for a run stopped by `signal`; `where` says at which point ('before batch 4 of epoch 1'). */
export function abortError(signal: AbortSignal, who: string, where: string): AbortError {
  const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason === undefined ? '' : String(signal.reason);
  return new AbortError(`${who}: aborted ${where}${reason ? ` (${reason})` : ''}`);
}
