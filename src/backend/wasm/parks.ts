/**
 * Regions of the engine's memory "parked" for a later job: what a forward
 * leaves behind for its backward (a block's output, its arg-max offsets, its
 * input), so that it is neither copied out to JS nor copied back in.
 *
 * Parks stack up (several layers run their forwards before the backwards)
 * just past the threads' work areas, held out of every other job's scratch
 * through `engine.reservedEnd`; a backward releases its own (the room of one
 * released below the top is reused once those above it are released too).
 * The backward may come much later, or never: past the stack's byte limit
 * every park is given up, and so is every park when something else has moved
 * `reservedEnd` (a resident GEMM operand, another stack) or the work areas
 * have grown over them (more workers). Whoever finds its park gone
 * recomputes what it held. One stack (`forwardParks`) serves every job
 * that parks (convolution blocks, LSTM layers), so parks of different
 * layers of one model do not give each other up.
 */
import { layOut, type WasmEngine } from './engine.js';

/** A parked region [start, end) in bytes, and the addresses of the areas it was asked for (0 for an empty one). */
export interface Park {
  readonly start: number;
  readonly end: number;
  readonly ptrs: number[];
}

export class ParkStack {
  /** The live parks, oldest first. */
  private parks: Park[] = [];
  /** `engine.reservedEnd` as this stack last set it (the end of the top park), and as it was before the first park. */
  private top = 0;
  private floor = 0;

  constructor(private readonly limitBytes: number) {}

  /** Parks areas of these byte sizes (each 64-byte aligned) past the work areas and every live park (giving up every park past the limit); the memory is grown to hold them. */
  park(engine: WasmEngine, sizes: number[]): Park {
    const { ptrs: offsets, end: bytes } = layOut(0, sizes);
    if (!this.fits(engine, bytes)) this.clear(engine);
    if (this.parks.length === 0) this.floor = engine.reservedEnd;
    const start = engine.pastWorkAreas();
    engine.ensureBytes(start + bytes);
    const parked = { start, end: start + bytes, ptrs: offsets.map((at, i) => (sizes[i] > 0 ? start + at : 0)) };
    this.parks.push(parked);
    this.top = engine.reservedEnd = parked.end;
    return parked;
  }

  /** Whether `bytes` more (64-byte aligned) can be parked without giving up the live parks (the stack's byte limit). */
  fits(engine: WasmEngine, bytes: number): boolean {
    this.dropStale(engine);
    return this.parks.length === 0 || this.top + bytes - this.parks[0].start <= this.limitBytes;
  }

  /** Whether `parked` is still held in the engine's memory. */
  holds(engine: WasmEngine, parked: Park): boolean {
    this.dropStale(engine);
    return this.parks.includes(parked);
  }

  /** Gives up a park (its reader has run). */
  release(engine: WasmEngine, parked: Park): void {
    if (!this.holds(engine, parked)) return;
    this.parks.splice(this.parks.indexOf(parked), 1);
    const top = this.parks.at(-1);
    if (top) this.top = engine.reservedEnd = top.end;
    else this.clear(engine);
  }

  /** Whether any park is held (a resident GEMM operand would make them be given up). */
  any(engine: WasmEngine): boolean {
    this.dropStale(engine);
    return this.parks.length > 0;
  }

  /** Gives up every park, handing their region back. */
  private clear(engine: WasmEngine): void {
    this.parks = [];
    engine.reservedEnd = this.floor;
  }

  /** Forgets every park if their region is no longer held for them. */
  private dropStale(engine: WasmEngine): void {
    if (this.parks.length > 0 && (engine.reservedEnd !== this.top || engine.workAreasEnd() > this.parks[0].start)) this.parks = [];
  }
}

/** The forwards' parks (most 64 MiB before they are all given up: forwards whose backwards never came). */
export const forwardParks = new ParkStack(64 * 2 ** 20);
