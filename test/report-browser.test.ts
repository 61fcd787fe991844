/**
 * The HTML report opened in a real browser (headless Chromium): every figure
 * (one of each kind, and all of `frugal demo --quick`'s) is in the rendered
 * DOM as an SVG with marks, hostile text stays text, the page has no script
 * and logs no JavaScript error. Skipped with a note where
 * Chromium is missing, except on CI (`CI` set), where that is a failure.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumOrSkip, openInChromium } from './helpers/browser.js';
import { runCli } from '../src/cli/run.js';
import {
  comparisonSpec,
  confusionMatrixSpec,
  imageGridSpec,
  learningCurveSpec,
  precisionRecallSpec,
  residualSpec,
  rocSpec,
  writeReport,
  type ReportFigure,
} from '../src/report/index.js';

const { chromium, skip } = chromiumOrSkip();
const work = mkdtempSync(join(tmpdir(), 'frugal-browser-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** One figure of each kind the report builders make. */
const FIGURES: ReportFigure[] = [
  { name: 'loss', spec: learningCurveSpec('Loss', 'loss', [{ name: 'train', values: [1, 0.5, 0.3] }]) },
  {
    name: 'confusion',
    spec: confusionMatrixSpec(
      ['cat', 'dog'],
      [
        [5, 1],
        [2, 7],
      ],
    ),
  },
  { name: 'roc', spec: rocSpec([0, 0, 0.5, 1], [0, 0.5, 1, 1], 0.875) },
  { name: 'precision-recall', spec: precisionRecallSpec([1, 0.5, 0], [0.5, 1, 1], 0.75) },
  { name: 'residuals', spec: residualSpec([1, 2, 3], [1.1, 1.9, 3.2]) },
  { name: 'comparison', spec: comparisonSpec('accuracy', [{ model: 'svc', mean: 0.9, std: 0.02 }]) },
  { name: 'samples', spec: imageGridSpec('digits', [Float64Array.from([0, 1, 1, 0])], 2, 2, ['7']) },
];

/** The ids of the <figure> elements in a DOM that hold an <svg> with at least one mark (path, rect, line, circle). */
function figuresWithMarks(dom: string): string[] {
  const found: string[] = [];
  for (const match of dom.matchAll(/<figure id="([^"]+)">([\s\S]*?)<\/figure>/g)) {
    if (/<svg[\s>]/.test(match[2]) && /<(path|rect|line|circle)[\s>]/.test(match[2])) found.push(match[1]);
  }
  return found;
}

describe('the HTML report in headless Chromium', { skip, concurrency: true }, () => {
  it('shows every figure, keeps hostile text as text, and runs no script', async () => {
    const { html } = await writeReport(work, {
      title: 'Report <script>console.error("injected")</script>',
      sections: [
        { heading: 'Numbers', paragraphs: ['<img src=x onerror="console.error(1)">'], table: { header: ['metric', 'value'], rows: [['r2', 0.9]] } },
        { heading: 'Figures', figures: FIGURES },
      ],
    });
    const page = await openInChromium(chromium, html);
    assert.deepEqual(
      figuresWithMarks(page.dom),
      FIGURES.map((f) => f.name),
    );
    assert.doesNotMatch(page.dom, /<script|<img/, 'no element made from hostile text');
    assert.match(page.dom, /&lt;script&gt;console\.error/);
    assert.deepEqual(page.console, [], 'no console output, no JavaScript error');
  });

  it("frugal demo --quick's report: every figure it wrote shows, no console output", async () => {
    const out = join(work, 'demo');
    const code = await runCli(['demo', '--quick', '--out', out], { out: () => {}, err: () => {}, interactive: false });
    assert.equal(code, 0);
    const written = readdirSync(join(out, 'figures'))
      .filter((f) => f.endsWith('.svg'))
      .map((f) => f.slice(0, -4));
    assert.ok(written.includes('cgan-samples') && written.length >= 8, written.join(', '));
    const page = await openInChromium(chromium, join(out, 'report.html'));
    assert.deepEqual(figuresWithMarks(page.dom).sort(), written.sort());
    assert.doesNotMatch(page.dom, /<script/);
    assert.deepEqual(page.console, []);
  });

  it('the check sees a JavaScript error and a figure without marks (so it can fail)', async () => {
    const path = join(work, 'broken.html');
    writeFileSync(
      path,
      '<!DOCTYPE html><body><figure id="empty"><svg></svg></figure><figure id="ok"><svg><rect width="1" height="1"/></svg></figure><script>notDefined()</script></body>',
    );
    const page = await openInChromium(chromium, path);
    assert.deepEqual(figuresWithMarks(page.dom), ['ok']);
    assert.equal(page.console.length, 1);
    assert.match(page.console[0], /Uncaught ReferenceError: notDefined/);
  });
});
