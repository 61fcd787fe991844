#!/usr/bin/env node
/** The `frugal` command (package.json "bin"). See run.ts for the commands and exit codes. */
import { processStreams } from './output.js';
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), processStreams);
// Exit explicitly once output is flushed: kernel worker threads would otherwise keep the process alive.
process.stdout.write('', () => process.exit(code));
