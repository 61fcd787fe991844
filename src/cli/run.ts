/**
 * The `frugal` command's dispatch and exit codes: 0 success; 1 a user error
 * (a missing file, an unknown column, a CSV that cannot be parsed, a bad
 * option), reported as one line without a stack trace; 2 an internal error,
 * reported with its stack so that it can be filed as a bug.
 */
import { FrugalError, ParseError } from '../errors.js';
import type { Streams } from './output.js';

type Command = (argv: readonly string[], streams: Streams) => Promise<number>;

// Each command is loaded when it runs (so that `frugal --help` or a typo answers at once).
const COMMANDS: Readonly<Record<string, { load: () => Promise<Command>; summary: string }>> = {
  train: { load: async () => (await import('./train.js')).train, summary: 'train a model on a CSV file, save it with a report' },
  evaluate: { load: async () => (await import('./use-model.js')).evaluateCommand, summary: 'score a saved model on a labeled CSV file' },
  predict: { load: async () => (await import('./use-model.js')).predictCommand, summary: 'predict the target of every row of a CSV file' },
  info: { load: async () => (await import('./use-model.js')).infoCommand, summary: 'show what a saved model folder holds' },
  export: { load: async () => (await import('./export.js')).exportCommand, summary: 'write a saved model folder as an ONNX file' },
  demo: { load: async () => (await import('./demo.js')).demoCommand, summary: 'a tour on built-in data in about a minute, with a report' },
  bench: { load: async () => (await import('./bench.js')).benchCommand, summary: 'run the benchmark workloads (from a clone)' },
  worker: { load: async () => (await import('./worker.js')).workerCommand, summary: 'run search and cross-validation trials from Redis' },
};

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 2;

export const MAIN_HELP = `Usage: frugal COMMAND [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run 'frugal COMMAND --help' for a command's options and examples.

Examples:
  frugal train data.csv --target label --out my-model
  frugal predict my-model new-rows.csv --out predictions.csv
  frugal demo`;

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function runCli(argv: readonly string[], streams: Streams): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    streams.out(`${MAIN_HELP}\n`);
    return name === undefined ? EXIT_USER_ERROR : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    streams.out(`${await packageVersion()}\n`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    streams.err(`frugal: unknown command '${name}'; commands are ${Object.keys(COMMANDS).join(', ')} (see frugal --help)\n`);
    return EXIT_USER_ERROR;
  }
  try {
    return await (await command.load())(rest, streams);
  } catch (err) {
    streams.err(`frugal ${name}: ${errorReport(err)}\n`);
    return exitCodeOf(err);
  }
}

/** 1 for the library's typed errors (what the user gave is wrong), 2 for anything else (a bug). */
export function exitCodeOf(err: unknown): number {
  return err instanceof FrugalError ? EXIT_USER_ERROR : EXIT_INTERNAL_ERROR;
}

/** A user error on one line; an internal one with its stack, to be reported. */
export function errorReport(err: unknown): string {
  if (err instanceof FrugalError) return oneLine(err);
  return `internal error, please report it:\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

/** The error's message on one line (a parse error says where, when its message does not already). */
function oneLine(err: FrugalError): string {
  let message = err.message.replace(/\s*\n\s*/g, ' ');
  if (err instanceof ParseError && err.line !== undefined && !/line \d+/.test(message)) message += ` (line ${err.line}, column ${err.column})`;
  return message;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
