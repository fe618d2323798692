/**
 * Reading package-manager commands: which manifests a `pip` / `uv` / `poetry` / `npm` / `yarn` /
 * `pnpm` command installs and how it treats the lock, with paths still as the image sees them
 * (build-deps resolves them through the COPY steps to repository files).
 *
 * Semantics, from each tool's documentation:
 * - pip install: `-r` files, `-c` constraints, `-e`/paths/`.` install a project, other operands are
 *   PEP 508 requirements; `--no-deps` (https://pip.pypa.io/en/stable/cli/pip_install/).
 * - uv sync: installs the project's dependencies plus the default groups (`dev`, or
 *   `[tool.uv] default-groups`); `--locked` fails when uv.lock is out of date, `--frozen` installs
 *   uv.lock without checking it (https://docs.astral.sh/uv/concepts/projects/sync/).
 * - poetry install: main dependencies plus every non-optional group, from poetry.lock when present;
 *   Poetry ≥ 1.8 stops with "pyproject.toml changed significantly since poetry.lock was last
 *   generated" when they differ (https://python-poetry.org/docs/cli/#install).
 * - npm ci: needs package-lock.json and stops when it does not match package.json; npm install
 *   updates the lock instead (https://docs.npmjs.com/cli/commands/npm-ci).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import { normalizeDistName, parsePep508 } from '../../parse/manifests/pep508.js';
import type { PyRequirement } from '../../parse/manifests/requirements.js';
import type { RunCommand } from './run-commands.js';
import type { InstallTool, LockMode } from './types.js';

export interface GroupSelection {
  /** `uv sync` / `poetry install` flags, resolved against the pyproject later */
  tool: 'uv' | 'poetry' | 'pip';
  noDev?: boolean;
  onlyDev?: boolean;
  noDefaultGroups?: boolean;
  allGroups?: boolean;
  with: string[];
  without: string[];
  /** `--only` / `--only-group`: exactly these groups (`main` = the project dependencies) */
  only?: string[];
}

export interface InstallIntent {
  tool: InstallTool;
  command: string;
  loc: Location;
  cwd: string;
  requirementFiles: { imagePath: string; loc: Location }[];
  constraintFiles: string[];
  projectDirs: { imagePath: string; extras: string[]; editable: boolean; loc: Location }[];
  packages: PyRequirement[];
  /** wheel files or directories (`/wheels/*`, `dist/*.whl`) */
  artifacts: string[];
  /** a Python install that cannot be mapped: why */
  opaque?: string;
  noDeps: boolean;
  wheel: boolean;
  lockMode?: LockMode;
  groups?: GroupSelection;
  /** node installs */
  node?: { omitDev?: boolean; lockNames: string[] };
  /** `poetry export -o X` / `uv export -o X` / `pip-compile -o X`: X is generated from the project (image path) */
  exportTo?: string;
}

const PIP_VALUED = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-t', '--target', '--prefix', '--root', '-i', '--index-url',
  '--extra-index-url', '-f', '--find-links', '--platform', '--python-version', '--implementation', '--abi', '--src',
  '--upgrade-strategy', '--global-option', '--install-option', '-C', '--config-settings', '--progress-bar', '--log', '--cache-dir',
  '--trusted-host', '--proxy', '--retries', '--timeout', '--exists-action', '--cert', '--client-cert', '--no-binary',
  '--only-binary', '--report', '--root-user-action', '--python', '-p', '--keyring-provider', '--use-feature', '--use-deprecated',
  '--group', '--index-strategy', '--extra', '--link-mode', '--exclude-newer', '--prerelease', '--resolution', '--override',
  '--overrides', '--torch-backend', '-w', '--wheel-dir', '-d', '--dest', '--python-platform', '--build-constraint', '--index',
  '--default-index', '--build-constraints', '--no-binary-package', '--only-binary-package',
]);
const UV_SYNC_VALUED = new Set([
  '--group', '--no-group', '--only-group', '--extra', '--no-extra', '--directory', '--project', '--package', '--python', '-p',
  '--index', '--default-index', '--index-url', '-i', '--extra-index-url', '--find-links', '-f', '--index-strategy',
  '--keyring-provider', '--resolution', '--prerelease', '--link-mode', '--exclude-newer', '--config-file', '--cache-dir',
  '--python-platform', '--refresh-package', '--reinstall-package', '--upgrade-package', '-P', '--no-install-package',
  '--color', '--config-setting', '-C', '--script', '--output-format',
]);
const POETRY_VALUED = new Set(['--with', '--without', '--only', '-E', '--extras', '-C', '--directory', '-P', '--project']);
const NPM_VALUED = new Set(['--omit', '--include', '--only', '--prefix', '-w', '--workspace', '--cache', '--registry', '--loglevel', '--install-strategy']);

const isPython = (w: string): boolean => /^python(?:\d(?:\.\d+)?)?$/.test(posix.basename(w));
const isPip = (w: string): boolean => /^pip(?:\d(?:\.\d+)?)?$/.test(posix.basename(w));

/** Split `--opt=value` words and take values of valued options; returns operands and options in order. */
function options(words: string[], valued: ReadonlySet<string>): { opts: { name: string; value?: string; at: number }[]; operands: { w: string; at: number }[] } {
  const opts: { name: string; value?: string; at: number }[] = [];
  const operands: { w: string; at: number }[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      for (let j = i + 1; j < words.length; j++) operands.push({ w: words[j]!, at: j });
      break;
    }
    if (w.startsWith('--') && w.includes('=')) {
      opts.push({ name: w.slice(0, w.indexOf('=')), value: w.slice(w.indexOf('=') + 1), at: i });
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      // glued short options with a value: -rrequirements.txt, -e.
      const short = /^(-[rceitfpCwdEP])(.+)$/.exec(w);
      if (short && valued.has(short[1]!)) {
        opts.push({ name: short[1]!, value: short[2]!, at: i });
        continue;
      }
      if (valued.has(w)) {
        opts.push({ name: w, value: words[i + 1], at: i + 1 });
        i++;
      } else opts.push({ name: w, at: i });
      continue;
    }
    operands.push({ w, at: i });
  }
  return { opts, operands };
}

const PATHISH = /^(?:\.{1,2}(?:\/|$)|\/|~)|\.(?:whl|tar\.gz|zip)$|\*/;
const URLISH = /^(?:[a-z][a-z0-9+.-]*:\/\/|git\+)/i;

function baseIntent(tool: InstallTool, c: RunCommand, from: number): InstallIntent {
  const loc = c.wordLocs[from] ? spanLoc(c.wordLocs[from]!, c.wordLocs[c.wordLocs.length - 1]!) : c.loc;
  return { tool, command: c.words.slice(from).join(' '), loc, cwd: c.cwd, requirementFiles: [], constraintFiles: [], projectDirs: [], packages: [], artifacts: [], noDeps: false, wheel: false };
}

function spanLoc(a: Location, b: Location): Location {
  if (a.file !== b.file || a.startLine === undefined || b.endLine === undefined) return a;
  return { file: a.file, startLine: a.startLine, startColumn: a.startColumn, endLine: b.endLine, endColumn: b.endColumn };
}

const abs = (cwd: string, p: string): string => posix.resolve(cwd, p);

/** The install commands in one simple command (none when it is not a package manager). */
export function interpretCommand(c: RunCommand, env: { nodeEnv?: string }): InstallIntent[] {
  const w = c.words;
  if (!w.length) return [];
  let i = 0;
  // wrappers: `sudo`, `env X=1`, `python -m pip`, `uv pip`, `/opt/venv/bin/pip`
  while (w[i] === 'sudo' || w[i] === 'env' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i] ?? '')) i++;
  const name = w[i] ?? '';
  const base = posix.basename(name);
  if (isPython(name) && w[i + 1] === '-m') {
    const mod = w[i + 2] ?? '';
    if (mod === 'pip') return pip(c, i + 3, 'pip', i);
    if (mod === 'uv') return uv(c, i + 3, i, env);
    if (mod === 'poetry') return poetry(c, i + 3, i);
    return [];
  }
  if (isPip(name)) return pip(c, i + 1, 'pip', i);
  if (base === 'uv') return uv(c, i + 1, i, env);
  if (base === 'poetry') return poetry(c, i + 1, i);
  if (base === 'pip-sync') {
    const it = baseIntent('pip', c, i);
    const files = w.slice(i + 1).filter((x) => !x.startsWith('-'));
    (files.length ? files : ['requirements.txt']).forEach((f) => it.requirementFiles.push({ imagePath: abs(c.cwd, f), loc: it.loc }));
    return [it];
  }
  if (base === 'pip-compile') {
    const o = options(w.slice(i + 1), new Set(['-o', '--output-file']));
    const out = o.opts.find((x) => x.name === '-o' || x.name === '--output-file')?.value;
    const it = baseIntent('pip', c, i);
    if (out) it.exportTo = abs(c.cwd, out);
    return out ? [{ ...it, opaque: 'pip-compile output' }] : [];
  }
  if (base === 'pipenv' && ['install', 'sync'].includes(w[i + 1] ?? '')) return [{ ...baseIntent('pipenv', c, i), opaque: 'Pipfile is not read' }];
  if (base === 'pdm' && ['install', 'sync'].includes(w[i + 1] ?? '')) return [{ ...baseIntent('pdm', c, i), opaque: 'pdm.lock is not read' }];
  if (/^(?:conda|mamba|micromamba)$/.test(base) && ['install', 'create', 'env'].includes(w[i + 1] ?? '')) return [{ ...baseIntent('conda', c, i), opaque: 'conda installs are not read' }];
  if ((base === 'apt-get' || base === 'apt') && w.slice(i + 1).includes('install')) return osPackages(c, i, /^python3-(.+)$/);
  if (base === 'apk' && w[i + 1] === 'add') return osPackages(c, i, /^py3-(.+)$/);
  if (base === 'npm' || base === 'yarn' || base === 'pnpm') return node(c, i, base, env);
  if (base === 'setup.py' || (isPython(name) && /setup\.py$/.test(w[i + 1] ?? '') && w[i + 2] === 'install')) return [{ ...baseIntent('pip', c, i), opaque: 'setup.py install' }];
  // a script or build tool may install packages we cannot see
  const script = /^(?:sh|bash|dash|ash|zsh)$/.test(base) ? (w.slice(i + 1).some((x) => /^-\w*c/.test(x)) ? undefined : w.slice(i + 1).find((x) => !x.startsWith('-'))) : name.startsWith('./') || /\.sh$/.test(name) ? name : undefined;
  if (script || /^(?:make|just|task|invoke|nox|tox)$/.test(base)) return [{ ...baseIntent('script', c, i), opaque: `runs ${script ?? base}, which may install packages` }];
  return [];
}

function pip(c: RunCommand, at: number, tool: 'pip' | 'uv-pip', start: number): InstallIntent[] {
  const w = c.words;
  const sub = w[at];
  if (sub !== 'install' && sub !== 'wheel' && sub !== 'sync') return [];
  const it = baseIntent(tool, c, start);
  it.wheel = sub === 'wheel';
  const { opts, operands } = options(w.slice(at + 1), PIP_VALUED);
  const locOf = (idx: number): Location => c.wordLocs[at + 1 + idx] ?? it.loc;
  for (const o of opts) {
    if (o.value?.includes('$') && ['-r', '--requirement', '-c', '--constraint', '-e', '--editable'].includes(o.name)) {
      it.opaque ??= `an unexpanded variable in "${o.name} ${o.value}"`;
      continue;
    }
    if ((o.name === '-r' || o.name === '--requirement') && o.value !== undefined) it.requirementFiles.push({ imagePath: abs(c.cwd, o.value), loc: locOf(o.at) });
    else if ((o.name === '-c' || o.name === '--constraint') && o.value !== undefined) it.constraintFiles.push(abs(c.cwd, o.value));
    else if ((o.name === '-e' || o.name === '--editable') && o.value !== undefined) target(it, c.cwd, o.value, true, locOf(o.at));
    else if (o.name === '--no-deps') it.noDeps = true;
  }
  if (tool === 'uv-pip' && sub === 'sync') {
    for (const op of operands) it.requirementFiles.push({ imagePath: abs(c.cwd, op.w), loc: locOf(op.at) });
    return [it];
  }
  for (const op of operands) target(it, c.cwd, op.w, false, locOf(op.at));
  return it.requirementFiles.length || it.projectDirs.length || it.packages.length || it.artifacts.length || it.opaque ? [it] : [];
}

/** One operand of pip install: a requirement, a project directory, a wheel, or something opaque. */
function target(it: InstallIntent, cwd: string, word: string, editable: boolean, loc: Location): void {
  if (word.includes('$')) {
    // `gunicorn==$VERSION` still names its distribution; a variable path does not
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:[=<>!~]|$)/.exec(word)?.[1];
    if (name && !PATHISH.test(word) && !word.startsWith('$')) {
      it.packages.push({ name, key: normalizeDistName(name), extras: [], specifier: null, loc, section: 'command-line' });
      return;
    }
    it.opaque ??= `an unexpanded variable in "${word}"`;
    return;
  }
  const ex = /\[([^\]]*)\]$/.exec(word);
  const bare = ex ? word.slice(0, ex.index) : word;
  if (URLISH.test(bare)) {
    const egg = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(bare)?.[1];
    if (egg) it.packages.push({ name: egg, key: normalizeDistName(egg), extras: [], specifier: '', url: bare, loc, section: 'command-line' });
    else it.opaque ??= `a URL requirement without a name (${word})`;
    return;
  }
  if (/\.(?:whl|tar\.gz|zip)$/.test(bare) || bare.includes('*')) {
    it.artifacts.push(abs(cwd, bare));
    return;
  }
  if (PATHISH.test(bare) || editable) {
    it.projectDirs.push({ imagePath: abs(cwd, bare), extras: ex ? ex[1]!.split(',').map((s) => s.trim()).filter(Boolean) : [], editable, loc });
    return;
  }
  const r = parsePep508(word);
  if (!r) {
    it.opaque ??= `cannot read requirement "${word}"`;
    return;
  }
  const req: PyRequirement = { name: r.name, key: normalizeDistName(r.name), extras: r.extras, specifier: r.specifier, loc, section: 'command-line' };
  if (r.url) req.url = r.url;
  if (r.marker) req.marker = r.marker;
  it.packages.push(req);
}

function uv(c: RunCommand, at: number, start: number, env: { nodeEnv?: string }): InstallIntent[] {
  void env;
  const w = c.words;
  // global options before the subcommand
  let j = at;
  const globals = new Set(['--directory', '--project', '--cache-dir', '--config-file', '--color', '--python', '-p']);
  let dir = c.cwd;
  while (j < w.length && w[j]!.startsWith('-')) {
    if ((w[j] === '--directory' || w[j] === '--project') && w[j + 1]) dir = abs(c.cwd, w[j + 1]!);
    j += globals.has(w[j]!) ? 2 : 1;
  }
  const sub = w[j];
  if (sub === 'pip') {
    const r = pip({ ...c, cwd: dir }, j + 1, 'uv-pip', start);
    return r;
  }
  if (sub === 'export') {
    const o = options(w.slice(j + 1), new Set(['-o', '--output-file', ...UV_SYNC_VALUED]));
    const out = o.opts.find((x) => x.name === '-o' || x.name === '--output-file')?.value;
    if (!out) return [];
    const it = baseIntent('uv', c, start);
    it.exportTo = abs(dir, out);
    it.projectDirs.push({ imagePath: dir, extras: [], editable: false, loc: it.loc });
    it.lockMode = o.opts.some((x) => x.name === '--locked') ? 'strict' : o.opts.some((x) => x.name === '--frozen') ? 'frozen' : 'update';
    it.groups = uvGroups(o.opts);
    return [it];
  }
  if (sub !== 'sync') return sub === 'add' || sub === 'run' || sub === 'tool' ? [] : [];
  const it = baseIntent('uv', c, start);
  const { opts } = options(w.slice(j + 1), UV_SYNC_VALUED);
  for (const o of opts) if ((o.name === '--directory' || o.name === '--project') && o.value) dir = abs(c.cwd, o.value);
  it.lockMode = opts.some((o) => o.name === '--locked') ? 'strict' : opts.some((o) => o.name === '--frozen') ? 'frozen' : 'update';
  it.groups = uvGroups(opts);
  const extras = opts.filter((o) => o.name === '--extra' && o.value).map((o) => o.value!);
  if (opts.some((o) => o.name === '--all-extras')) extras.push('*');
  it.projectDirs.push({ imagePath: dir, extras, editable: false, loc: it.loc });
  return [it];
}

function uvGroups(opts: { name: string; value?: string }[]): GroupSelection {
  const g: GroupSelection = { tool: 'uv', with: [], without: [] };
  for (const o of opts) {
    if (o.name === '--no-dev') g.noDev = true;
    else if (o.name === '--only-dev') g.onlyDev = true;
    else if (o.name === '--no-default-groups') g.noDefaultGroups = true;
    else if (o.name === '--all-groups') g.allGroups = true;
    else if (o.name === '--group' && o.value) g.with.push(o.value);
    else if (o.name === '--no-group' && o.value) g.without.push(o.value);
    else if (o.name === '--only-group' && o.value) (g.only ??= []).push(o.value);
  }
  return g;
}

function poetry(c: RunCommand, at: number, start: number): InstallIntent[] {
  const w = c.words;
  let j = at;
  let dir = c.cwd;
  while (j < w.length && w[j]!.startsWith('-')) {
    if ((w[j] === '-C' || w[j] === '--directory' || w[j] === '-P' || w[j] === '--project') && w[j + 1]) {
      dir = abs(c.cwd, w[j + 1]!);
      j += 2;
    } else j++;
  }
  const sub = w[j];
  const { opts } = options(w.slice(j + 1), new Set([...POETRY_VALUED, '-f', '--format', '-o', '--output', '--with', '--without', '--only']));
  for (const o of opts) if ((o.name === '-C' || o.name === '--directory' || o.name === '-P' || o.name === '--project') && o.value) dir = abs(c.cwd, o.value);
  const list = (names: string[]): string[] => opts.filter((o) => names.includes(o.name) && o.value).flatMap((o) => o.value!.split(',').map((s) => s.trim()).filter(Boolean));
  const groups: GroupSelection = { tool: 'poetry', with: list(['--with']), without: list(['--without']) };
  if (opts.some((o) => o.name === '--no-dev')) groups.noDev = true;
  const only = list(['--only']);
  if (only.length) groups.only = only;
  if (opts.some((o) => o.name === '--only-root')) groups.only = [];
  if (opts.some((o) => o.name === '--all-groups')) groups.allGroups = true;
  const extras = list(['-E', '--extras']).flatMap((e) => e.split(/\s+/));
  if (opts.some((o) => o.name === '--all-extras')) extras.push('*');
  if (sub === 'install' || sub === 'sync') {
    const it = baseIntent('poetry', c, start);
    it.groups = groups;
    it.lockMode = 'strict';
    it.projectDirs.push({ imagePath: dir, extras, editable: false, loc: it.loc });
    return [it];
  }
  if (sub === 'export') {
    const out = opts.find((o) => o.name === '-o' || o.name === '--output')?.value;
    if (!out) return [];
    const it = baseIntent('poetry', c, start);
    it.exportTo = abs(dir, out);
    it.groups = groups;
    it.lockMode = 'strict';
    it.projectDirs.push({ imagePath: dir, extras, editable: false, loc: it.loc });
    return [it];
  }
  return [];
}

function osPackages(c: RunCommand, start: number, pattern: RegExp): InstallIntent[] {
  const it = baseIntent('os', c, start);
  c.words.slice(start + 1).forEach((w, k) => {
    const m = pattern.exec(w.replace(/[=<>].*$/, ''));
    if (m && m[1] !== 'pip' && m[1] !== 'venv' && m[1] !== 'dev' && m[1] !== 'minimal' && m[1] !== 'full') {
      it.packages.push({ name: m[1]!, key: normalizeDistName(m[1]!), extras: [], specifier: null, loc: c.wordLocs[start + 1 + k] ?? it.loc, section: 'os-package' });
    }
  });
  return it.packages.length ? [it] : [];
}

function node(c: RunCommand, start: number, tool: 'npm' | 'yarn' | 'pnpm', env: { nodeEnv?: string }): InstallIntent[] {
  const w = c.words;
  const sub = w[start + 1];
  const { opts, operands } = options(w.slice(start + 2), NPM_VALUED);
  const has = (n: string): boolean => opts.some((o) => o.name === n);
  const prodEnv = (c.assignments.get('NODE_ENV') ?? env.nodeEnv) === 'production';
  const it = baseIntent(tool, c, start);
  if (tool === 'npm') {
    if (sub !== 'ci' && sub !== 'install' && sub !== 'i' && sub !== 'clean-install' && sub !== 'ic') return [];
    if (sub !== 'ci' && sub !== 'clean-install' && sub !== 'ic' && operands.length) return []; // `npm install pkg`: not the manifest
    const omit = opts.filter((o) => o.name === '--omit').map((o) => o.value);
    const include = opts.filter((o) => o.name === '--include').map((o) => o.value);
    it.node = {
      omitDev: omit.includes('dev') || has('--production') || opts.some((o) => o.name === '--only' && /^prod/.test(o.value ?? '')) || (prodEnv && !include.includes('dev')),
      lockNames: ['npm-shrinkwrap.json', 'package-lock.json'],
    };
    it.lockMode = sub === 'ci' || sub === 'clean-install' || sub === 'ic' ? 'strict' : 'update';
  } else if (tool === 'yarn') {
    if (sub !== undefined && sub !== 'install' && !sub.startsWith('-')) return [];
    const flags = sub?.startsWith('-') ? [...opts, { name: sub }] : opts;
    const frozen = flags.some((o) => o.name === '--frozen-lockfile' || o.name === '--immutable');
    it.node = { omitDev: flags.some((o) => o.name === '--production') || prodEnv, lockNames: ['yarn.lock'] };
    it.lockMode = frozen ? 'strict' : 'update';
  } else {
    if (sub !== 'install' && sub !== 'i') return [];
    if (operands.length) return [];
    it.node = { omitDev: has('--prod') || has('-P') || has('--production') || prodEnv, lockNames: ['pnpm-lock.yaml'] };
    it.lockMode = has('--frozen-lockfile') ? 'strict' : 'update';
  }
  return [it];
}
