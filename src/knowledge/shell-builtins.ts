/** Source: POSIX XCU 2.14 special built-ins and 1.6 regular built-ins, plus bash's builtins (bash(1) SHELL BUILTIN COMMANDS). */
/** Shell builtins and keywords: never looked up on PATH when a shell runs them. */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  '.', 'source', ':', 'true', 'false', 'exec', 'eval', 'exit', 'return', 'kill', 'pwd', 'wait', 'trap', 'jobs', 'times', 'umask', 'ulimit',
  'alias', 'unalias', 'getopts', 'hash', 'type', 'command', 'read', 'printf', 'echo', 'test', '[', '[[', 'cd', 'set', 'shift', 'export',
  'local', 'declare', 'typeset', 'readonly', 'unset', 'let', 'builtin', 'mapfile', 'readarray', 'shopt', 'enable', 'history', 'logout',
  'disown', 'suspend', 'caller', 'compgen', 'complete', 'fc', 'fg', 'bg', 'help', 'pushd', 'popd', 'dirs', 'break', 'continue', 'time',
]);
