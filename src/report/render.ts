/**
 * Vega-Lite specification → SVG (vega's headless renderer, no browser), and
 * SVG → PNG through sharp when it is installed (an optional dependency).
 */
import type { VegaLiteSpec } from './figures.js';

/** The figure as a standalone SVG document (vega is loaded on first use: it takes a second). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [{ compile }, { parse, View }] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new View(parse(compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

type Sharp = (input: Uint8Array) => { png(): { toBuffer(): Promise<Uint8Array> } };
let sharpModule: Promise<Sharp | null> | null = null;

/** sharp's default export, or null when it is not installed. */
function loadSharp(): Promise<Sharp | null> {
  const name = 'sharp';
  sharpModule ??= import(name).then(
    (m: { default: Sharp }) => m.default,
    () => null,
  );
  return sharpModule;
}

/** The SVG as PNG bytes, or null when sharp is not installed. */
export async function svgToPng(svg: string): Promise<Uint8Array | null> {
  const sharp = await loadSharp();
  if (!sharp) return null;
  return sharp(new TextEncoder().encode(svg)).png().toBuffer();
}
