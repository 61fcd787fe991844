/**
 * Imports a module by a name that bundlers cannot see. The name is a
 * parameter, not a string literal, so no bundler (Vite, Rollup, rolldown,
 * webpack, esbuild) follows the import into a browser bundle: the browser
 * entry point reaches no Node.js built-in and no Node-only package (sharp).
 * Call it only where the module can exist (under Node.js: see `isNode` in
 * threads.ts).
 */
export function importUnbundled<T>(name: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name) as Promise<T>;
}
