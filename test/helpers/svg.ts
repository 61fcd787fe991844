/**
 * A structural check of an SVG document, for the report's figures: one
 * <svg> root with a width, a height and a viewBox, every tag closed in
 * order, attributes quoted, no script, and the drawing elements it holds.
 */
import assert from 'node:assert/strict';

export interface SvgSummary {
  width: number;
  height: number;
  /** How many elements of each name. */
  elements: Record<string, number>;
  /** The text of every <text> element. */
  texts: string[];
}

const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;

export function checkSvg(svg: string, where = 'svg'): SvgSummary {
  const body = svg.replace(/^\s*<\?xml[^>]*>\s*/, '');
  assert.match(body, /^<svg[\s>]/, `${where}: does not start with <svg`);
  assert.doesNotMatch(body, /<script|javascript:|on[a-z]+\s*=/i, `${where}: holds script`);
  const stack: string[] = [];
  const elements: Record<string, number> = {};
  const texts: string[] = [];
  let last = 0;
  for (const m of body.matchAll(TAG)) {
    const between = body.slice(last, m.index);
    assert.doesNotMatch(between, /[<>]/, `${where}: stray '<' or '>' near offset ${last}: ${between.slice(0, 60)}`);
    last = m.index + m[0].length;
    if (!m[2]) continue; // comment or processing instruction
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      assert.equal(stack.pop(), name, `${where}: </${name}> closes the wrong element at offset ${m.index}`);
      continue;
    }
    if (stack.at(-1) === 'text') texts.push(between);
    elements[name] = (elements[name] ?? 0) + 1;
    if (!selfClosing) stack.push(name);
    if (stack.length === 0) assert.equal(name, 'svg');
  }
  assert.equal(stack.length, 0, `${where}: unclosed ${stack.join(' > ')}`);
  assert.doesNotMatch(body.slice(last), /[<>]/, `${where}: text after the root element`);
  for (const m of body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) texts.push(m[1]);
  const root = /^<svg([^>]*)>/.exec(body)![1];
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  assert.ok(width > 0 && height > 0, `${where}: root has no positive width and height`);
  assert.match(root, /viewBox="[\d. -]+"/, `${where}: root has no viewBox`);
  return { width, height, elements, texts };
}

/** PNG files start with this signature. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
