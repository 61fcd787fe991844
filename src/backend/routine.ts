/**
 * Named routines: the work that does not reduce to the core GEMM (a
 * convolution block, a dense chain, an Adam step, ...). Each routine is one
 * file in routines/ with
 * - a plain TypeScript `reference`: the results every implementation must
 *   give, and what runs where no implementation takes the arguments;
 * - per backend, an implementation with a `supports` test (sizes, dtypes,
 *   limits) and `run`.
 * `run` takes the active backend's implementation where it supports the
 * arguments, else the reference. A new fast kernel (int8 GEMM, tree
 * histograms, ...) is one new routine file; tests run every registered
 * implementation against its reference (test/backend.test.ts).
 */
import type { BackendName } from './backend.js';
import { getBackend } from './index.js';

export interface Implementation<Args extends unknown[], Result> {
  /** Whether this implementation takes these arguments; where not, the reference runs. */
  supports(...args: Args): boolean;
  run(...args: Args): Result;
}

export class Routine<Args extends unknown[], Result> {
  /** Faster implementations by backend (registered by the routine's file). */
  readonly implementations: Partial<Record<BackendName, Implementation<Args, Result>>> = {};

  constructor(
    readonly name: string,
    /** Plain TypeScript: the results every implementation must give, and what runs where none takes the arguments. */
    readonly reference: (...args: Args) => Result,
  ) {}

  /** Registers a backend's implementation (none where it is null: e.g. no WebAssembly SIMD here). */
  register(backend: BackendName, implementation: Implementation<Args, Result> | null): this {
    if (implementation) this.implementations[backend] = implementation;
    return this;
  }

  /** Whether the active backend has an implementation of its own (which may still decline some arguments). */
  available(): boolean {
    return this.implementations[getBackend().name] !== undefined;
  }

  /** The active backend's implementation where it takes these arguments, else null. */
  implementation(...args: Args): Implementation<Args, Result> | null {
    const impl = this.implementations[getBackend().name];
    return impl?.supports(...args) ? impl : null;
  }

  /** Runs the active backend's implementation where it supports the arguments, else the reference. */
  run(...args: Args): Result {
    const impl = this.implementations[getBackend().name];
    return impl?.supports(...args) ? impl.run(...args) : this.reference(...args);
  }
}

/** Every routine defined so far (the cross-checking tests walk it). */
export const routines: Routine<never[], unknown>[] = [];

/** Defines and registers a routine by its name and reference; its file then registers the backends' implementations. */
export function defineRoutine<Args extends unknown[], Result>(name: string, reference: (...args: Args) => Result): Routine<Args, Result> {
  const routine = new Routine(name, reference);
  routines.push(routine as unknown as Routine<never[], unknown>);
  return routine;
}
