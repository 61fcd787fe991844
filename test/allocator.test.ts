import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALLOCATOR_TUNING, allocatorTuned, HUGE_PAGE_TUNABLE, withTunedAllocator } from '../src/platform/allocator.js';

describe('withTunedAllocator', () => {
  it('adds the malloc settings and the huge-page tunable to an environment without them', () => {
    const env = withTunedAllocator({ PATH: '/bin' });
    assert.equal(env.PATH, '/bin');
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, '33554432');
    assert.equal(env.MALLOC_TRIM_THRESHOLD_, '1073741824');
    assert.equal(env.MALLOC_TOP_PAD_, '268435456');
    assert.equal(env.GLIBC_TUNABLES, HUGE_PAGE_TUNABLE);
    assert.equal(allocatorTuned(env), true);
    assert.equal(allocatorTuned({ PATH: '/bin' }), false);
  });

  it("keeps the caller's own values and tunables", () => {
    const env = withTunedAllocator({ MALLOC_TOP_PAD_: '0', GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' });
    assert.equal(env.MALLOC_TOP_PAD_, '0');
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, ALLOCATOR_TUNING.MALLOC_MMAP_THRESHOLD_);
    assert.equal(env.GLIBC_TUNABLES, `glibc.malloc.arena_max=2:${HUGE_PAGE_TUNABLE}`);
    const own = withTunedAllocator({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' });
    assert.equal(own.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=0');
  });

  it('changes nothing when FRUGAL_DEFAULT_MALLOC is set, and does not modify its argument', () => {
    const input = { FRUGAL_DEFAULT_MALLOC: '1', PATH: '/bin' };
    assert.deepEqual(withTunedAllocator(input), input);
    assert.equal(allocatorTuned(input), true);
    assert.equal(withTunedAllocator({ FRUGAL_DEFAULT_MALLOC: '0' }).GLIBC_TUNABLES, HUGE_PAGE_TUNABLE);
    const plain = { PATH: '/bin' };
    withTunedAllocator(plain);
    assert.deepEqual(plain, { PATH: '/bin' });
  });
});
