/**
 * Wall and CPU time of one call. CPU time (process.cpuUsage: every thread of
 * the process, user and system) is the less load-sensitive figure on a
 * shared machine; the peers report it as Python's time.process_time.
 */

export function timedWithCpu<T>(fn: () => T): { seconds: number; cpu: number; out: T } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const seconds = (performance.now() - t0) / 1e3;
  const used = process.cpuUsage(cpu0);
  return { seconds, cpu: (used.user + used.system) / 1e6, out };
}

/** The note a bench line carries for the CPU seconds of its timed call. */
export function cpuNote(cpu: number): string {
  return `cpu_s=${cpu.toFixed(3)} (all threads)`;
}
