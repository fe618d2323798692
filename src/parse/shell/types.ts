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
  /**
   * Nothing in it is expanded by the shell (no `$`, backticks, unquoted glob characters
   * `* ? [`, leading `~` or `{`): `text` is exactly what the program receives. Optional
   * because words built outside the parser may not say; absent means "not known to be literal".
   */
  literal?: boolean;
}

/** A redirection of a simple command (`> out`, `2>/dev/null`, `2>&1`, `< in`, `<<< str`, `<<EOF`). */
export interface ShellRedirect {
  /** the operator as written: `>`, `>>`, `>|`, `&>`, `&>>`, `<`, `<>`, `>&`, `<&`, `<<`, `<<-`, `<<<` */
  op: string;
  /** the file descriptor written before the operator (`2>`) */
  fd?: number;
  /** the file, or the descriptor of a duplication (`>&2`) or the here-string; absent for a heredoc */
  target?: ShellWord;
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
  /**
   * Which `sh -c` string the command was found in: 1, 2, … in the order the strings were met
   * (a string inside another counts after it). Set exactly when inShellString is.
   */
  shellString?: number;
  /**
   * How the command joins the one before it, set only when the text it belongs to (the script,
   * or one `sh -c` string) is at its top level a plain list: statements made of simple commands
   * (tests `[ ]`/`[[ ]]` included, listed as commands named `[`/`[[`) joined by `&&`, `||` and
   * `|`, with no compound command (`{ }`, `( )`, `if`, `case`, loops, `(( ))`), function, heredoc
   * or syntax error among them. `;` when the command starts a statement (the first one, or
   * after `;`, `&` or a newline), `&&`/`||` when it starts a pipeline after that operator, `|`
   * when it follows another member of its pipeline. Commands inside `$( )` or backticks of such
   * a text do not get it (they are `subshell`), nor do the commands of a `sh -c` string in it
   * unless that string is itself such a list.
   */
  joinedBy?: ';' | '&&' | '||' | '|';
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
  /**
   * Its redirections, in source order, including those tree-sitter hangs on an enclosing list or
   * pipeline (`a && b > f` redirects `b`). Optional: absent when there are none.
   */
  redirects?: ShellRedirect[];
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
