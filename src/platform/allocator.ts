/**
 * glibc allocator settings for a Node process that makes and drops large
 * typed arrays (a layer's output, a GEMM's result, a batch).
 *
 * V8 hands each typed array's memory to the C allocator and frees it only
 * when the garbage collector finds the array dead. With glibc's defaults a
 * large block comes from a fresh `mmap` and is unmapped when freed, so the
 * next array of that size touches new pages: one page fault per 4 KiB,
 * 5–14 µs each in the virtual machines we measure on (a 4 MiB output: 1 024
 * faults, as long as the GEMM that fills it on two threads). These settings
 * keep freed blocks in the heap for reuse and back the heap with huge pages
 * where the kernel allows them (`madvise` mode), so a process in steady
 * state touches almost no new pages (docs/performance.md, "Allocator
 * settings"). The first three are the ones PyTorch's peer script runs with
 * (`../shared/bench/peers/torch_deep.py`); the fourth is glibc 2.35+'s
 * huge-page tunable.
 *
 * They are read by glibc when a process starts, so they take effect in a
 * child process (or a re-executed one), never in the running one. Other C
 * libraries and operating systems ignore them.
 */

/** The environment variables and their values (bytes). */
export const ALLOCATOR_TUNING: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20),
  MALLOC_TRIM_THRESHOLD_: String(2 ** 30),
  MALLOC_TOP_PAD_: String(256 * 2 ** 20),
});

/** glibc's tunable that makes malloc ask for transparent huge pages. */
export const HUGE_PAGE_TUNABLE = 'glibc.malloc.hugetlb=1';

/** Set (to anything but '' or '0') to keep the C library's default allocator settings. */
export const DEFAULT_MALLOC_VARIABLE = 'FRUGAL_DEFAULT_MALLOC';

/**
 * `env` with the allocator settings added: a value the caller already set
 * is kept, and GLIBC_TUNABLES gets the huge-page tunable appended unless it
 * already names one. Returned unchanged when FRUGAL_DEFAULT_MALLOC is set.
 */
export function withTunedAllocator(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const out = { ...env };
  const optOut = env[DEFAULT_MALLOC_VARIABLE];
  if (optOut !== undefined && optOut !== '' && optOut !== '0') return out;
  for (const [name, value] of Object.entries(ALLOCATOR_TUNING)) if (out[name] === undefined) out[name] = value;
  const tunables = out.GLIBC_TUNABLES;
  if (tunables === undefined || tunables === '') out.GLIBC_TUNABLES = HUGE_PAGE_TUNABLE;
  else if (!tunables.includes('glibc.malloc.hugetlb=')) out.GLIBC_TUNABLES = `${tunables}:${HUGE_PAGE_TUNABLE}`;
  return out;
}

/** Whether `env` already carries every setting withTunedAllocator adds (or opts out of them). */
export function allocatorTuned(env: Readonly<Record<string, string | undefined>>): boolean {
  const tuned = withTunedAllocator(env);
  return Object.keys(tuned).every((name) => tuned[name] === env[name]);
}
