/**
 * The README and the guides in docs/ tell the truth: each code example is the
 * content of a file that the build compiles (a block starting with
 * `// examples/x.ts` or `// docs/examples/x.ts`), each such file runs, and no
 * link leaves the repository.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/docs-examples.test.js → the repository root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The guides the README must link; every page under docs/ is checked for links and examples.
const GUIDES = [
  'classical',
  'neural-networks',
  'data',
  'performance',
  'security',
  'saving-models',
  'decomposition-and-clustering',
  'neighbours-and-naive-bayes',
  'trees',
  'gradient-boosting',
  'onnx',
  'gans',
  'few-labels',
  'transfer-learning',
  'distributed',
  'pruning-and-distillation',
  'scarce-data',
  'quantization',
];
const PAGES = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/${f}`);
const DOCUMENTS = ['README.md', ...PAGES];

interface Example {
  document: string;
  path: string;
  code: string;
}

/** The ```ts blocks that name their file on their first line. */
function examplesIn(document: string): Example[] {
  const text = readFileSync(join(root, document), 'utf8');
  const found: Example[] = [];
  for (const m of text.matchAll(/```ts\n(\/\/ ((?:docs\/)?examples\/[\w-]+\.ts)\n[\s\S]*?)```/g)) {
    found.push({ document, path: m[2], code: m[1] });
  }
  return found;
}

/** A file as a user would write it: the library imported by its package name. */
function asShown(source: string): string {
  return source.replace(/from '(\.\.\/)+src\/index\.js'/g, "from 'frugal-ml'");
}

/** Runs a compiled example in its own process (its worker threads end with it) and returns what it printed. */
function run(path: string): string {
  const compiled = join(root, 'dist', path.replace(/\.ts$/, '.js'));
  return execFileSync(process.execPath, [compiled], { cwd: root, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

const examples = DOCUMENTS.flatMap(examplesIn);

describe('documentation', () => {
  it('has a guide per area, and the README points to each', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const name of GUIDES) {
      assert.ok(existsSync(join(root, 'docs', `${name}.md`)), `docs/${name}.md is missing`);
      assert.ok(readme.includes(`(docs/${name}.md)`), `the README does not link docs/${name}.md`);
    }
  });

  it('links only to files inside the repository that exist', () => {
    for (const document of DOCUMENTS) {
      const text = readFileSync(join(root, document), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        assert.doesNotMatch(target, /^[a-z]+:/i, `${document} links outside the repository: ${m[1]}`);
        if (target === '') continue;
        const file = resolve(root, dirname(document), target);
        assert.ok(!relative(root, file).startsWith('..'), `${document} links outside the repository: ${m[1]}`);
        assert.ok(existsSync(file), `${document} links to a missing file: ${m[1]}`);
      }
      assert.doesNotMatch(text, /\.\.\/shared\//, `${document} refers to ../shared/, outside the repository`);
    }
  });

  it('shows each example file exactly as it is', () => {
    assert.ok(examples.length >= 7, `found only ${examples.length} examples`);
    for (const { document, path, code } of examples) {
      assert.equal(code, asShown(readFileSync(join(root, path), 'utf8')), `${document}: the block for ${path} differs from the file`);
    }
  });

  it('shows every docs example somewhere', () => {
    const shown = new Set(examples.map((e) => e.path));
    for (const file of readdirSync(join(root, 'docs', 'examples')).filter((f) => f.endsWith('.ts'))) {
      assert.ok(shown.has(`docs/examples/${file}`), `docs/examples/${file} is in no guide`);
    }
  });

  it("says the splits do not reproduce NumPy's row choice", () => {
    for (const document of ['README.md', 'docs/classical.md']) {
      assert.match(readFileSync(join(root, document), 'utf8').replace(/\s+/g, ' '), /not the rows NumPy|other rows than scikit-learn/, document);
    }
  });
});

describe('security and robustness', () => {
  it('says what the library promises about untrusted files, and what it does not', () => {
    const text = readFileSync(join(root, 'docs', 'security.md'), 'utf8').replace(/\s+/g, ' ');
    for (const promise of [
      /## What Frugal promises/,
      /## What Frugal does not promise/,
      /checked against the bytes before anything is allocated/,
      /`line` and `column`/,
      /Records have a size limit/,
      /Decompression is bounded/,
      /Model files are validated before anything changes/,
      /Solvers are bounded/,
      /typed errors/i,
      /unknown option|key the function does not know/,
    ]) {
      assert.match(text, promise);
    }
  });
});

describe('the examples run', () => {
  for (const { document, path } of examples) {
    it(`${path} (${document})`, () => {
      const output = run(path);
      // The README's classical example states its answer in a comment: keep it true.
      const stated = readFileSync(join(root, path), 'utf8').match(/console\.log\(.*\);\s*\/\/ (\d+\.\d+)/);
      if (stated) assert.equal(output.trim().split('\n').at(-1), stated[1]);
    });
  }
});
