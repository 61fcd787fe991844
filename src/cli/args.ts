/** Command-line arguments through Node's `util.parseArgs`, with its errors turned into the library's typed ones. */
import { parseArgs } from 'node:util';
import { ValueError } from '../errors.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean; multiple?: boolean }>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `argv` for `command`; an unknown option or a missing value is a ValueError naming it. */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec): ParsedArgs {
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new ValueError(`${command}: ${message} (see frugal ${command} --help)`);
  }
}

/** A numeric option: a finite number in [min, max] (an integer when asked). */
export function numberOption(command: string, name: string, raw: string | boolean | undefined, fallback: number, range: { min: number; max: number; integer?: boolean }): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || v < range.min || v > range.max || (range.integer && !Number.isInteger(v))) {
    throw new ValueError(`${command}: --${name} must be ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}, got '${String(raw)}'`);
  }
  return v;
}

/** Exactly `names.length` positional arguments, or a ValueError saying which are missing. */
export function positionals(command: string, args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positionals.length < names.length) throw new ValueError(`${command}: missing ${names.slice(args.positionals.length).join(' and ')} (see frugal ${command} --help)`);
  if (args.positionals.length > names.length) throw new ValueError(`${command}: unexpected argument '${args.positionals[names.length]}' (see frugal ${command} --help)`);
  return args.positionals;
}
