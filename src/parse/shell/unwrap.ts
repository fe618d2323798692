/**
 * Peeling process wrappers off a command line, so rules can see the program that really runs:
 * `tini -- gosu app gunicorn x` → `gunicorn x` (wrappers `tini`, `gosu`).
 *
 * Deliberately NOT unwrapped: `python -m module` (callers decide what the module means) and
 * `sh -c '…'` / `bash -c '…'` (parse-shell re-parses the string instead).
 *
 * Invariant relied on by parse-shell: wrappers are only ever peeled from the front, so the
 * result `[name, ...args]` is always a suffix of the input `[name, ...args]`. Any form that
 * would need rewriting (e.g. `env -S 'cmd args'`, `uv run -m mod`, `npx -c '…'`) is left alone.
 */

/** `/usr/local/bin/gunicorn` → `gunicorn` (no path → unchanged). */
export function commandBasename(name: string): string {
  const i = name.lastIndexOf('/');
  return i >= 0 && i < name.length - 1 ? name.slice(i + 1) : name;
}

export interface Unwrapped {
  name: string;
  args: string[];
  /** the wrappers peeled, outermost first (`exec`, `tini`, `gosu`, `uv run`, …) */
  wrappers: string[];
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Index of the first operand at or after `i`, skipping options. `--` is consumed and ends the
 * options. Options in `valued` take the next word as their value (`--opt=value` and `-pVALUE`
 * forms are one word, so they need no entry). Returns -1 when an option in `stop` is met: the
 * wrapper is then used in a form we do not peel.
 */
function skipOptions(w: string[], i: number, valued: ReadonlySet<string>, stop: ReadonlySet<string> = NONE): number {
  while (i < w.length) {
    const a = w[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (stop.has(a)) return -1;
    i += valued.has(a) ? 2 : 1;
  }
  return i;
}

/** Index of the command after a `<tool> [global options] <sub> [options]` prefix such as `uv run`, or -1. */
function afterSubcommand(w: string[], i: number, sub: string, valued: ReadonlySet<string>, stop?: ReadonlySet<string>): number {
  const j = skipOptions(w, i + 1, valued);
  if (j < 0 || w[j] !== sub) return -1;
  return skipOptions(w, j + 1, valued, stop);
}

const EXEC_VALUED = new Set(['-a']);
const TINI_VALUED = new Set(['-p', '-e']);
const DUMB_INIT_VALUED = new Set(['-r', '--rewrite']);
// util-linux setpriv options that take a separate value (getopt_long also accepts `--opt=value`)
const SETPRIV_VALUED = new Set([
  '--ruid', '--euid', '--reuid', '--rgid', '--egid', '--regid', '--groups', '--inh-caps', '--ambient-caps',
  '--bounding-set', '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile',
  '--landlock-access', '--landlock-rule', '--seccomp-filter',
]);
const NPX_VALUED = new Set(['-p', '--package']);
const NPX_STOP = new Set(['-c', '--call']); // runs a shell string, not a command
const PNPM_VALUED = new Set(['-C', '--dir', '-F', '--filter', '--workspace-dir', '--resume-from']);
const YARN_VALUED = new Set(['--cwd']);
// uv options that take a separate value, global or `uv run` (best effort: uv has many)
const UV_VALUED = new Set([
  '--directory', '--project', '--config-file', '--cache-dir', '--color', '--python', '-p', '--with',
  '--with-editable', '--with-requirements', '--env-file', '--package', '--extra', '--no-extra', '--group',
  '--no-group', '--only-group', '--index', '--default-index', '--index-url', '-i', '--extra-index-url',
  '--find-links', '-f', '--index-strategy', '--keyring-provider', '--resolution', '--prerelease',
  '--link-mode', '--python-platform', '--exclude-newer', '--refresh-package', '--reinstall-package',
  '--upgrade-package', '-P', '--no-binary-package', '--no-build-package', '--config-setting', '-C',
]);
const UV_STOP = new Set(['-m', '--module']); // `uv run -m mod` is `python -m mod`: left to the caller
const POETRY_VALUED = new Set(['-C', '--directory', '-P', '--project']);

/** `env [-i] [-u NAME] [VAR=x ...] cmd` → index of cmd, or -1 (no command, or `-S` which would need splitting). */
function afterEnv(w: string[], i: number): number {
  let j = i + 1;
  while (j < w.length) {
    const a = w[j]!;
    if (a === '--') {
      j++;
      break;
    }
    if (!a.startsWith('-')) break;
    if (a === '-S' || a.startsWith('--split-string') || /^-[i0v]*S/.test(a)) return -1;
    j += a === '-u' || a === '-C' || a === '--unset' || a === '--chdir' ? 2 : 1;
  }
  while (j < w.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[j]!)) j++;
  return j;
}

/**
 * Index of the wrapped command in `w` when `w[i]` is a wrapper we peel, with the wrapper's
 * label; undefined when `w[i]` is not a (peelable) wrapper.
 */
function peel(w: string[], i: number): { next: number; label: string } | undefined {
  const base = commandBasename(w[i]!);
  let next: number;
  let label = base;
  switch (base) {
    case 'exec':
      next = skipOptions(w, i + 1, EXEC_VALUED);
      break;
    case 'tini':
    case 'tini-static':
      next = skipOptions(w, i + 1, TINI_VALUED);
      label = 'tini';
      break;
    case 'dumb-init':
      next = skipOptions(w, i + 1, DUMB_INIT_VALUED);
      break;
    case 'gosu':
    case 'su-exec':
      // gosu USER[:GROUP] cmd…; `gosu --help` has no command and is left alone
      if (w[i + 1]?.startsWith('-')) return undefined;
      next = i + 2;
      break;
    case 'setpriv':
      next = skipOptions(w, i + 1, SETPRIV_VALUED);
      break;
    case 'env':
      next = afterEnv(w, i);
      break;
    case 'nohup':
      next = skipOptions(w, i + 1, NONE);
      break;
    case 'npx':
      next = skipOptions(w, i + 1, NPX_VALUED, NPX_STOP);
      break;
    case 'pnpm':
      next = afterSubcommand(w, i, 'exec', PNPM_VALUED);
      label = 'pnpm exec';
      break;
    case 'yarn':
      next = afterSubcommand(w, i, 'exec', YARN_VALUED);
      label = 'yarn exec';
      break;
    case 'uv':
      next = afterSubcommand(w, i, 'run', UV_VALUED, UV_STOP);
      label = 'uv run';
      break;
    case 'poetry':
      next = afterSubcommand(w, i, 'run', POETRY_VALUED);
      label = 'poetry run';
      break;
    case 'pipenv':
      next = afterSubcommand(w, i, 'run', NONE);
      label = 'pipenv run';
      break;
    default:
      return undefined;
  }
  // A wrapper with nothing left to run (`exec`, `env`, `nohup --`) is the command itself.
  if (next < 0 || next >= w.length) return undefined;
  return { next, label };
}

/** Peel every leading wrapper off `name args…`. */
export function unwrapCommand(name: string, args: string[]): Unwrapped {
  const w = [name, ...args];
  const wrappers: string[] = [];
  let i = 0;
  for (;;) {
    const p = peel(w, i);
    if (!p) break;
    wrappers.push(p.label);
    i = p.next; // always > i, so the loop ends
  }
  return { name: w[i]!, args: w.slice(i + 1), wrappers };
}
