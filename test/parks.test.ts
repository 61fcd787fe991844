// The park stack's byte limit (src/backend/wasm/parks.ts): `fits` says
// whether more can be parked without giving up the live parks, and `park`
// gives them all up exactly when it says no.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wasmEngine } from '../src/backend/wasm/backend.js';
import { ParkStack } from '../src/backend/wasm/parks.js';

describe('ParkStack byte limit', { skip: !wasmEngine && 'no wasm engine here' }, () => {
  it('fits says whether a park would stay within the limit; past it, park gives up every other park', () => {
    const engine = wasmEngine!;
    const stack = new ParkStack(4096);
    const first = stack.park(engine, [1024]);
    assert.equal(stack.fits(engine, 3072), true, 'up to the limit');
    assert.equal(stack.fits(engine, 3136), false, 'one aligned area past it');
    const second = stack.park(engine, [3072]);
    assert.ok(stack.holds(engine, first) && stack.holds(engine, second), 'within the limit both are held');
    assert.equal(stack.fits(engine, 64), false);
    const third = stack.park(engine, [64]);
    assert.ok(!stack.holds(engine, first) && !stack.holds(engine, second), 'past the limit the others are given up');
    assert.ok(stack.holds(engine, third));
    stack.release(engine, third);
    assert.equal(stack.fits(engine, 4096), true, 'an empty stack takes up to the limit');
  });
});
