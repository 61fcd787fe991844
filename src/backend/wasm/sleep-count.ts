/**
 * What the control block's SLEEPING slot holds, for the pool (pool.ts) and
 * its workers (worker.ts): two counts in one i32, workers asleep now (the
 * low 16 bits) and sleeps begun (the bits above, wrapping). A worker adds
 * SLEEP_BEGUN before it waits and subtracts SLEEPER once it runs again.
 */
export const SLEEPER = 1;
export const SLEEPS_SHIFT = 16;
export const SLEEP_BEGUN = SLEEPER + (1 << SLEEPS_SHIFT);
export const SLEEPERS_MASK = (1 << SLEEPS_SHIFT) - 1;
