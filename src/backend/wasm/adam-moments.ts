/**
 * Adam's moments (m and v) of one optimiser's float32 parameters kept in
 * WebAssembly memory between steps, so that a step copies the parameter and
 * its gradient in and the parameter out, instead of p, g, m, v in and p, m,
 * v out: asm/elementwise.ts's adamF32 on the same values, so the same bits.
 *
 * The memory is the optimiser's own (a second instance of the kernels on a
 * memory of its own, shared like the engine's where the kernels' build
 * imports a shared one, but seen by no worker): no job, worker or park ever
 * writes there, so a region once given to a parameter is never given up
 * behind its back. It is made at the first step the kernel takes and freed
 * with the optimiser.
 *
 * The optimiser's state arrays stay the moments' home: while a parameter's
 * moments are resident its arrays are stale, so the optimiser calls `read`
 * before it copies them (stateDict), `release` before any other loop reads
 * or writes them, and `forget` when it replaces them (loadStateDict).
 *
 * Loading this module registers it with routines/adam.ts (the Node entry
 * and frugal-ml/all import it; the browser's core entry goes without, its
 * optimisers copying the moments in and out every step).
 */
import { LimitError, ValueError } from '../../errors.js';
import { registerResidentAdamMoments, type AdamScalars } from '../routines/adam.js';
import { wasmEngine } from './backend.js';
import { align64, WasmEngine } from './engine.js';
import * as slot from './layout.js';

/** The pages every engine's memory starts with (engine.ts's createMemory): its maximum may not be less. */
const INITIAL_PAGES = 32;

export class ResidentAdamMoments {
  private engine: WasmEngine | null = null;
  /** The first free byte past every region handed out, and the largest region's bytes per moment (a step's scratch for p and g, twice that, lies past `end`). */
  private end = slot.SCRATCH_BASE;
  private largest = 0;
  /** Each resident parameter's region and v array, by its m array. */
  private readonly regions = new Map<Float32Array, { at: number; v: Float32Array }>();

  /** `sizes` gives the sizes of the optimiser's parameters when the memory is made (a shared memory reserves its maximum up front, so this sizes it). */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly shared: boolean,
    private readonly sizes: () => number[],
  ) {}

  /** One Adam step in place on p with its moments resident (placed at the first); false, with nothing done, where the memory cannot hold them. */
  step(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamScalars): boolean {
    const n = p.length;
    if (g.length !== n || m.length !== n || v.length !== n) throw new ValueError(`adam moments: p, g, m, v have ${n}, ${g.length}, ${m.length}, ${v.length} values`);
    const bytes = align64(n * 4);
    let region = this.regions.get(m);
    if (!region) {
      const at = this.place(bytes);
      if (at < 0) return false;
      region = { at, v };
      this.regions.set(m, region);
      this.engine!.f32.set(m, at >> 2);
      this.engine!.f32.set(v, (at + bytes) >> 2);
    }
    const { f32, kernels } = this.engine!;
    const pAt = this.end;
    const gAt = pAt + bytes;
    f32.set(p, pAt >> 2);
    f32.set(g, gAt >> 2);
    kernels.adamF32(pAt, gAt, region.at, region.at + bytes, n, k.sign, k.l2, k.shrink, k.mu, k.keep, k.lr, k.vScale, k.b2, k.c2, k.eps);
    p.set(f32.subarray(pAt >> 2, (pAt >> 2) + n));
    return true;
  }

  /** A region for two moments of `bytes` each (and room past it for a step's scratch); -1 where the memory cannot hold it. */
  private place(bytes: number): number {
    if (!this.engine) {
      const regions = this.sizes().reduce((sum, n) => sum + 2 * align64(n * 4), 0);
      const scratch = 2 * align64(Math.max(0, ...this.sizes()) * 4);
      this.engine = new WasmEngine(this.module, this.shared, Math.max(INITIAL_PAGES, Math.ceil((slot.SCRATCH_BASE + regions + scratch) / 65536) + 1));
    }
    const at = this.end;
    const largest = Math.max(this.largest, bytes);
    try {
      this.engine.ensureBytes(at + 2 * bytes + 2 * largest);
    } catch (err) {
      if (err instanceof LimitError) return -1;
      throw err;
    }
    this.end = at + 2 * bytes;
    this.largest = largest;
    return at;
  }

  /** Brings a parameter's moment arrays (m and its v) up to date; they stay resident. */
  read(m: unknown): void {
    const region = this.regions.get(m as Float32Array);
    if (!region) return;
    const f32 = this.engine!.f32;
    const at = region.at >> 2;
    const vAt = (region.at + align64(region.v.length * 4)) >> 2;
    (m as Float32Array).set(f32.subarray(at, at + region.v.length));
    region.v.set(f32.subarray(vAt, vAt + region.v.length));
  }

  /**
   * Before another loop reads or writes a parameter's moment arrays (m and
   * its v): brings every resident parameter's arrays up to date and ends
   * every residency, handing the memory back whole (a switch of
   * configuration or backend is rare; the next steps the kernel takes place
   * the moments again).
   */
  release(m: unknown): void {
    if (!this.regions.has(m as Float32Array)) return;
    for (const held of this.regions.keys()) this.read(held);
    this.forget();
  }

  /** Forgets every resident moment (the optimiser has replaced its arrays). */
  forget(): void {
    this.regions.clear();
    this.end = slot.SCRATCH_BASE;
    this.largest = 0;
  }
}

const engine = wasmEngine;
if (engine) {
  const shared = typeof SharedArrayBuffer !== 'undefined' && engine.memory.buffer instanceof SharedArrayBuffer;
  registerResidentAdamMoments((sizes) => new ResidentAdamMoments(engine.module, shared, sizes));
}
