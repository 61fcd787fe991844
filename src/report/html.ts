/**
 * The report: one self-contained HTML file (figures inlined as SVG, no
 * script, no network) and each figure beside it as SVG and, where sharp is
 * installed, PNG.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../errors.js';
import type { VegaLiteSpec } from './figures.js';
import { renderSvg, svgToPng } from './render.js';

export interface ReportFigure {
  /** File name without extension: letters, digits, '-' and '_'. */
  name: string;
  spec: VegaLiteSpec;
}

export interface ReportSection {
  heading: string;
  paragraphs?: readonly string[];
  table?: { header: readonly string[]; rows: readonly (readonly (string | number)[])[] };
  figures?: readonly ReportFigure[];
}

export interface ReportDocument {
  title: string;
  sections: readonly ReportSection[];
}

export interface WrittenReport {
  /** Path of report.html. */
  html: string;
  /** Paths of the figure files written (SVG, then PNG where sharp is there). */
  files: string[];
  /** Why PNGs were not written, when they were not. */
  note?: string;
}

const FIGURE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cell(v: string | number): string {
  if (typeof v === 'number') return `<td class="num">${escapeHtml(Number.isInteger(v) ? String(v) : v.toFixed(4))}</td>`;
  return `<td>${escapeHtml(v)}</td>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .8rem;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}figure{display:inline-block;margin:.5rem 1rem .5rem 0}
figcaption{font-size:.8rem;color:#666}`;

/** Renders every figure and writes report.html and figures/ into `dir`. */
export async function writeReport(dir: string, doc: ReportDocument): Promise<WrittenReport> {
  const figureDir = join(dir, 'figures');
  await mkdir(figureDir, { recursive: true });
  const files: string[] = [];
  let pngMissing = false;
  const parts: string[] = [`<h1>${escapeHtml(doc.title)}</h1>`];
  for (const section of doc.sections) {
    parts.push(`<h2>${escapeHtml(section.heading)}</h2>`);
    for (const p of section.paragraphs ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
    if (section.table) {
      const head = section.table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
      const rows = section.table.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n');
      parts.push(`<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`);
    }
    for (const figure of section.figures ?? []) {
      if (!FIGURE_NAME.test(figure.name)) throw new ValueError(`report figure name '${figure.name}' is not a plain file name`);
      const svg = await renderSvg(figure.spec);
      const svgPath = join(figureDir, `${figure.name}.svg`);
      await writeFile(svgPath, svg);
      files.push(svgPath);
      const png = await svgToPng(svg);
      if (png) {
        const pngPath = join(figureDir, `${figure.name}.png`);
        await writeFile(pngPath, png);
        files.push(pngPath);
      } else {
        pngMissing = true;
      }
      parts.push(`<figure id="${figure.name}">${svg.replace(/^<\?xml[^>]*>\s*/, '')}<figcaption>figures/${figure.name}.svg</figcaption></figure>`);
    }
  }
  const html = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>\n<body>\n${parts.join('\n')}\n</body></html>\n`;
  const htmlPath = join(dir, 'report.html');
  await writeFile(htmlPath, html);
  return { html: htmlPath, files, note: pngMissing ? 'PNG figures skipped: sharp is not installed (npm install sharp)' : undefined };
}
