/**
 * Opening an HTML file in headless Chromium (a subprocess, no driver
 * library): the DOM after the page loaded, and what the page wrote to the
 * console (uncaught JavaScript errors included), from Chromium's own log.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** /usr/bin/chromium, else `chromium` on PATH, else null. */
export function findChromium(): string | null {
  const candidates = [
    '/usr/bin/chromium',
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'chromium')),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

/**
 * How a browser test runs without Chromium: on CI (`CI` set) it must fail with
 * a message saying what to install; elsewhere it is skipped with that note.
 */
export function chromiumOrSkip(): { chromium: string | null; skip: string | false } {
  const chromium = findChromium();
  if (chromium || process.env.CI) return { chromium, skip: false };
  return { chromium, skip: 'Chromium is not installed (apt-get install chromium): the browser check is skipped' };
}

export interface RenderedPage {
  /** The serialised DOM after load. */
  dom: string;
  /** Console messages of the page, e.g. `"Uncaught ReferenceError: f is not defined", source: file:///…`. */
  console: string[];
}

/** Loads `htmlPath` in headless Chromium and returns its DOM and console messages. */
export function openInChromium(chromium: string | null, htmlPath: string, timeoutMs = 90_000): Promise<RenderedPage> {
  if (!chromium) return Promise.reject(new Error('Chromium is not installed but CI is set: install it (apt-get install -y chromium) for the browser tests'));
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--dump-dom', pathToFileURL(htmlPath).href];
  return new Promise((resolve, reject) => {
    const child = spawn(chromium, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let dom = '';
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => void (dom += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => void (log += t));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`chromium exited with ${code ?? signal}:\n${log.slice(-2000)}`));
      // Chromium logs page console output as `[…:INFO:CONSOLE(line)] "message", source: url (line)`.
      const console = log.split('\n').filter((line) => /:CONSOLE[:(]/.test(line));
      resolve({ dom, console });
    });
  });
}
