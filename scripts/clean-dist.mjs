// Removes dist/ before a build, so files of modules that were moved or deleted
// are neither tested nor packed from a stale copy.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
