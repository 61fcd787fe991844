/**
 * The `frugal` command, run as a subprocess the way a user runs it: help on
 * every command, exit codes (0 success, 1 user error as one line without a
 * stack trace, 2 internal error), and the demo's summary and report.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSvg } from './helpers/svg.js';

// dist/test/cli.test.js → the repository root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'dist', 'src', 'cli', 'main.js');
const FIXTURES = join(root, 'test', 'fixtures', 'cli');
const work = mkdtempSync(join(tmpdir(), 'frugal-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `frugal ...args` in the work folder. */
export function frugal(...args: string[]): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string): string => join(FIXTURES, name);

/** A user error: exit code 1, one line on stderr naming `what`, no stack trace. */
function assertUserError(r: Run, what: RegExp): void {
  assert.equal(r.code, 1, `exit code ${r.code}; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], what);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace');
}

describe('frugal --help', () => {
  it('lists the commands, and exits 1 when no command is given', () => {
    const help = frugal('--help');
    assert.equal(help.code, 0);
    for (const command of ['train', 'evaluate', 'predict', 'info', 'demo', 'bench']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.equal(frugal().code, 1);
  });

  for (const command of ['train', 'evaluate', 'predict', 'info', 'demo', 'bench']) {
    it(`frugal ${command} --help: usage and examples`, () => {
      const r = frugal(command, '--help');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: frugal ${command}`));
      assert.match(r.stdout, /Examples?:\n {2}(frugal|npm) /);
    });
  }

  it('prints the package version', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
    assert.equal(frugal('--version').stdout.trim(), manifest.version);
    assert.equal(manifest.bin.frugal, './dist/src/cli/main.js');
    assert.match(readFileSync(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});

describe('user errors exit 1 with one line', () => {
  it('an unknown command or option', () => {
    assertUserError(frugal('trian'), /unknown command 'trian'/);
    assertUserError(frugal('train', fixture('prices.csv'), '--target', 'price', '--lr', '3'), /Unknown option '--lr'/);
    assertUserError(frugal('train', fixture('prices.csv'), '--target', 'price', '--test-size', '1.5'), /--test-size must be a number from 0\.01 to 0\.9, got '1\.5'/);
    assertUserError(frugal('train', fixture('prices.csv'), '--target', 'price', '--model', 'forest'), /unknown --model 'forest'/);
    assertUserError(frugal('train', fixture('prices.csv')), /--target COLUMN is required/);
    assertUserError(frugal('predict', 'dir-only'), /missing DATA\.csv/);
  });

  it('a missing file, and an unknown target column named with the real ones', () => {
    assertUserError(frugal('train', 'missing.csv', '--target', 'y'), /no such file or folder 'missing\.csv'/);
    assertUserError(frugal('train', fixture('customers.csv'), '--target', 'price'), /target 'price' is not a column; columns are "age", "income", "city", "bought"/);
  });

  it('a CSV that cannot be parsed: what and where', () => {
    assertUserError(frugal('train', fixture('broken-columns.csv'), '--target', 'y'), /line 4: 4 fields, expected 3/);
    assertUserError(frugal('train', fixture('broken-quote.csv'), '--target', 'y'), /unterminated quoted field/);
  });

  it('a model that does not do the task, before any work', () => {
    assertUserError(frugal('train', fixture('prices.csv'), '--target', 'price', '--model', 'logistic'), /'logistic' does not do regression/);
  });

  it('a folder that is not a model folder', () => {
    assertUserError(frugal('info', work), /is not a model folder \(no model\.json\)/);
    assertUserError(frugal('predict', join(work, 'nothing'), fixture('prices.csv')), /is not a model folder/);
  });
});

describe('frugal demo', () => {
  it('--quick: every part, a summary table and a report whose figures are valid SVG', () => {
    const out = join(work, 'demo');
    const r = frugal('demo', '--quick', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const table = r.stdout.split('\n');
    for (const model of ['LinearRegression', 'LogisticRegression', 'SVC', 'CNN', 'LSTM'])
      assert.ok(
        table.some((l) => l.startsWith(model)),
        `no ${model} row in\n${r.stdout}`,
      );
    // The linear-regression example reaches the noise floor (σ² = 0.01); the classical digits models are well above chance.
    const value = (model: string): number =>
      Number(
        table
          .find((l) => l.startsWith(model))!
          .trim()
          .split(/\s+/)
          .at(-2),
      );
    assert.ok(value('LinearRegression') < 0.02, `MSE ${value('LinearRegression')}`);
    assert.ok(value('LogisticRegression') > 0.9 && value('SVC') > 0.9);
    // Piped stderr: plain progress lines, no carriage returns.
    assert.match(r.stderr, /^demo 1\/5: linear regression/m);
    assert.doesNotMatch(r.stderr, /\r/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const figures = readdirSync(join(out, 'figures')).filter((f) => f.endsWith('.svg'));
    for (const name of ['linear-residuals', 'svc-confusion-matrix', 'cnn-loss', 'cnn-accuracy', 'cnn-samples', 'lstm-loss', 'lstm-accuracy']) {
      assert.ok(figures.includes(`${name}.svg`), `no ${name}.svg`);
      checkSvg(readFileSync(join(out, 'figures', `${name}.svg`), 'utf8'), name);
      assert.ok(html.includes(`<figure id="${name}">`), `${name} not inlined`);
    }
  });
});
