import type { Location } from '../../core/location.js';

/** One word of a simple command (the name or an argument). */
export interface ShellWord {
  /**
   * Best-effort unquoted value: quotes removed and backslash escapes resolved, but `$VAR`,
   * `${VAR:-x}`, `$(...)` and backticks are left exactly as written (nothing is expanded).
   */
  text: string;
  /** the word exactly as written in the source, quotes included */
  raw: string;
  loc: Location;
}

export interface ShellCommandContext {
  /** set when the command is inside the body of this function (the innermost one) */
  functionName?: string;
  /** in the condition list of `if`/`elif`/`while`/`until` (its failure does not trip `set -e`) */
  inCondition: boolean;
  /** inside a loop: its condition or body (`for` includes `select` and C-style `for ((…))`) */
  loop?: 'while' | 'until' | 'for';
  /** the enclosing statement ends with `&` (runs in the background) */
  background: boolean;
  /**
   * `|` when the command is a member of a pipeline (any position), otherwise the `&&` / `||`
   * operator written just before it. The first command of a list has none.
   */
  connector?: '&&' | '||' | '|';
  /** preceded by `!` */
  negated: boolean;
  /** inside `( … )`, `$( … )`, backticks or `<( … )` */
  subshell: boolean;
  /**
   * Found by re-parsing the string argument of `sh -c '…'` / `bash -c "…"` (or of a nested one).
   * Optional extra beyond the base contract: absent means the command is in the script itself.
   */
  inShellString?: boolean;
}

export interface ShellCommand {
  /**
   * The command name as written but unquoted, after unwrapping `exec` (e.g. `gunicorn`,
   * `/usr/local/bin/gunicorn`). Other wrappers (tini, gosu, …) are NOT peeled: use
   * `unwrapCommand`. Empty when the statement is only assignments (`FOO=bar`). A bare `exec`
   * with only redirections (`exec >log 2>&1`) has name `exec` and `exec: false`.
   * Declaration builtins (`export`, `local`, `declare`, `readonly`, `typeset`) are listed too,
   * with the keyword as name and the rest as args.
   */
  name: string;
  args: ShellWord[];
  /** the word that gave `name` (absent for assignment-only statements) */
  nameWord?: ShellWord;
  /** started with `exec` and names a program to exec */
  exec: boolean;
  /** prefix assignments, `FOO=bar cmd` (values unquoted like ShellWord.text) */
  assignments: { name: string; value: string }[];
  loc: Location;
  /** offsets into the file (baseOffset added), end exclusive */
  range: [number, number];
  context: ShellCommandContext;
}

export interface ShellScript {
  file: string;
  /** the `#!` line without `#!`, trimmed (e.g. `/bin/sh -e`); only when the text starts with `#!` */
  shebang?: string;
  /** in source order (by start offset), including commands inside `sh -c` strings */
  commands: ShellCommand[];
  /**
   * errexit is switched on at the top level of the script at some point (`set -e`, `set -eu`,
   * `set -o errexit`, `set -euo pipefail`, …), or by the shebang (`#!/bin/sh -e`). A later
   * `set +e` does not reset it.
   */
  errexit: boolean;
  /** reserved */
  cdTargets?: never;
  hasErrors: boolean;
  errors: { message: string; loc: Location }[];
  /** names of all function definitions, in source order */
  functions: string[];
}
