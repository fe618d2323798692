#!/usr/bin/env node
// The entry point stays tiny: `--version` answers without loading the parsers, rules and
// reporters, and everything else is one dynamic import (its own chunk in the bundle).
import { setFlagsFromString } from 'node:v8';
import { VERSION } from '../version.js';

// The tree-sitter grammars are WASM. V8 compiles them quickly (Liftoff), then re-optimises them
// in the background (TurboFan) and holds the process open until that is done: ~0.6 s on every
// scan for code that runs for milliseconds. Set before any WASM is compiled.
setFlagsFromString('--liftoff-only');

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { runCli } = await import('./cli.js');
  const code = await runCli(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
  });
  process.exitCode = code;
}
