/**
 * Package managers in a RUN: OS packages (apt-get, apk, yum/dnf/microdnf) change which tools are
 * on PATH; pip/uv/poetry/npm record what Python and Node dependencies the image gets and where
 * console scripts land (shared KNOWLEDGE.md §2.2: posix_prefix → `<prefix>/bin`, `--user` →
 * `~/.local/bin`, `--target` → `<target>/bin` (pip moves the data dir there), venv → `<venv>/bin`).
 */
import { posix } from 'node:path';
import { packageTools, type PackageManager } from '../../knowledge/os-packages.js';
import { consoleScriptsOf, normalizeDistribution } from '../../knowledge/python-packages.js';
import type { StageCtx } from './context.js';
import { currentPath, ownedEntry, resolveIn, mkdirs } from './context.js';
import { normPath } from './state.js';
import type { PythonInstallMethod, PythonPackageInstall } from './types.js';

type Args = (string | undefined)[];

// ---------------------------------------------------------------- OS packages

const PKG_BIN_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

function installPackages(ctx: StageCtx, manager: PackageManager, names: Args): void {
  for (const raw of names) {
    if (raw === undefined || raw.includes('/') || /\.(deb|rpm|apk)$/.test(raw)) {
      // a package we cannot name (variable, local .deb): anything may now be on PATH
      for (const d of PKG_BIN_DIRS) ctx.state.zone(d, 'any');
      ctx.state.systemAccountsUnknown = true;
      ctx.state.packagesInstalled = true;
      ctx.state.unknownPackages = true;
      continue;
    }
    ctx.osPackages.push({ manager, name: raw, action: 'install', instruction: ctx.ins });
    ctx.state.systemAccountsUnknown = true; // packages may add system users (postgres, redis, www-data)
    ctx.state.packagesInstalled = true; // and bring in dependencies we do not list
    const known = packageTools(manager, raw);
    if (!known) {
      ctx.state.unknownPackages = true;
      continue;
    }
    for (const [tool, path] of Object.entries(known.tools)) {
      mkdirs(ctx, posix.dirname(path), 0o755, 'root');
      ctx.state.set(path, ownedEntry(ctx, { kind: 'file', mode: 0o755 }, 'root', 'root'));
      ctx.state.tools.set(tool, { present: true, path, via: 'package', pkg: raw, instruction: ctx.ins });
    }
  }
}

function removePackages(ctx: StageCtx, manager: PackageManager, names: string[]): void {
  for (const raw of names) {
    ctx.osPackages.push({ manager, name: raw, action: 'remove', instruction: ctx.ins });
    const known = packageTools(manager, raw);
    if (!known) continue;
    for (const [tool, path] of Object.entries(known.tools)) {
      ctx.state.remove(path);
      ctx.state.tools.set(tool, { present: false, path, via: 'package', pkg: raw, instruction: ctx.ins });
    }
  }
}

function operandsAfter(args: Args, valued: ReadonlySet<string>): Args {
  const out: Args = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== undefined && a.startsWith('-')) {
      if (valued.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

const APT_VALUED = new Set(['-o', '--option', '-t', '--target-release', '-c', '--config-file', '-a', '--host-architecture']);

export function aptGet(ctx: StageCtx, args: Args): void {
  const ops = operandsAfter(args, APT_VALUED);
  const sub = ops[0];
  const pkgs = ops.slice(1);
  if (sub === undefined) return ctx.opaque('apt-get with a subcommand we cannot expand');
  if (sub === 'install' || sub === 'reinstall') installPackages(ctx, 'apt', pkgs);
  else if (sub === 'purge' || sub === 'remove') removePackages(ctx, 'apt', pkgs.filter((p): p is string => p !== undefined));
  else if (sub === 'build-dep' || sub === 'source' || sub === 'dist-upgrade' || sub === 'upgrade' || sub === 'full-upgrade') return;
  // update, clean, dist-clean, autoremove, autoclean, check: no tool we track changes
}

/** `apt-mark auto '.*'` then `apt-get purge --auto-remove` (the official images' cleanup) can drop what this stage installed. */
export function aptMark(ctx: StageCtx, args: Args): void {
  if (args[0] !== 'auto') return;
  for (const t of ctx.state.tools.values()) if (t.via === 'package' && t.present) t.uncertain = true;
}

const APK_VALUED = new Set(['-t', '--virtual', '-X', '--repository', '--repositories-file', '-p', '--root', '--arch', '--cache-dir', '--keys-dir']);
/** `apk add --virtual .build-deps a b`: the virtual name stands for a and b in a later `apk del` */
const virtuals = new WeakMap<object, Map<string, string[]>>();

export function apk(ctx: StageCtx, args: Args): void {
  const ops = operandsAfter(args, APK_VALUED);
  const sub = ops[0];
  const pkgs = ops.slice(1);
  let v = virtuals.get(ctx.state);
  if (!v) virtuals.set(ctx.state, (v = new Map()));
  if (sub === 'add') {
    installPackages(ctx, 'apk', pkgs);
    const i = args.findIndex((a) => a === '-t' || a === '--virtual');
    const name = i >= 0 ? args[i + 1] : args.find((a) => a?.startsWith('--virtual='))?.slice(10);
    if (name) v.set(name, pkgs.filter((p): p is string => p !== undefined));
  } else if (sub === 'del') {
    const names = pkgs.filter((p): p is string => p !== undefined).flatMap((p) => v!.get(p) ?? [p]);
    removePackages(ctx, 'apk', names);
  } else if (sub === undefined) ctx.opaque('apk with a subcommand we cannot expand');
}

export function rpm(ctx: StageCtx, args: Args): void {
  const ops = operandsAfter(args, new Set(['--setopt', '--enablerepo', '--disablerepo', '--releasever', '--installroot', '-c', '--config']));
  const sub = ops[0];
  const pkgs = ops.slice(1);
  if (sub === 'install' || sub === 'reinstall') installPackages(ctx, 'rpm', pkgs);
  else if (sub === 'remove' || sub === 'erase' || sub === 'autoremove') removePackages(ctx, 'rpm', pkgs.filter((p): p is string => p !== undefined));
  else if (sub === undefined) ctx.opaque('yum/dnf with a subcommand we cannot expand');
}

// ---------------------------------------------------------------- Python

const PIP_VALUED = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links',
  '-t', '--target', '--prefix', '--root', '--platform', '--python-version', '--implementation', '--abi', '--src', '--upgrade-strategy',
  '--progress-bar', '--root-user-action', '--report', '--trusted-host', '--log', '--cache-dir', '--timeout', '--retries', '--exists-action',
  '--proxy', '--cert', '--client-cert', '--only-binary', '--no-binary', '-C', '--config-settings', '--global-option', '--python',
  '--keyring-provider', '--group', '--extra', '-p', '--index', '--default-index',
]);

interface PipTarget {
  method: PythonInstallMethod;
  target?: string;
  scriptsDir?: string;
  /** where the installed distributions' files go (for unknown-content zones) */
  libDir?: string;
}

/** The interpreter prefix a bare `pip`/`python` resolves to, from PATH and the venvs we saw. */
function interpreterPrefix(ctx: StageCtx, command: string): string | undefined {
  const st = ctx.state;
  if (command.includes('/')) {
    const dir = posix.dirname(resolveIn(ctx.cwd, command));
    return dir.endsWith('/bin') ? dir.slice(0, -4) || '/' : undefined;
  }
  const base = posix.basename(command);
  for (const dir of currentPath(ctx) ?? []) {
    const d = normPath(dir);
    if (st.venvs.has(d)) return d.slice(0, -4);
    if (st.lookup(`${d}/${base}`).exists === true) return d.endsWith('/bin') ? d.slice(0, -4) || '/' : undefined;
    const py = st.base?.python;
    if (py && !st.unknownBase && d === `${py.prefix}/bin` && st.baseTool(base) === true) return py.prefix;
  }
  return undefined;
}

function homeOf(ctx: StageCtx): string | undefined {
  const env = ctx.vars.get('HOME');
  if (env) return env;
  const u = /^\d+$/.test(ctx.user) ? ctx.state.accounts.find((a) => a.uid === Number(ctx.user)) : ctx.state.accounts.find((a) => a.name === ctx.user);
  if (u) return u.home;
  return undefined;
}

function pipTarget(ctx: StageCtx, command: string, opts: Map<string, string | undefined>, venvFromEnv?: string): PipTarget {
  const val = (k: string, ...more: string[]): string | undefined => {
    for (const n of [k, ...more]) if (opts.has(n)) return opts.get(n);
    return undefined;
  };
  const env = (n: string): string | undefined => ctx.vars.get(n);
  const target = val('--target', '-t') ?? env('PIP_TARGET');
  if (target !== undefined || opts.has('--target') || opts.has('-t')) {
    const t = target === undefined ? undefined : resolveIn(ctx.cwd, target);
    return t ? { method: 'pip-target', target: t, scriptsDir: `${t}/bin`, libDir: t } : { method: 'pip-target' };
  }
  const prefix = val('--prefix') ?? env('PIP_PREFIX');
  if (prefix !== undefined || opts.has('--prefix')) {
    const p = prefix === undefined ? undefined : resolveIn(ctx.cwd, prefix);
    return p ? { method: 'pip-prefix', target: p, scriptsDir: `${p}/bin`, libDir: `${p}/lib` } : { method: 'pip-prefix' };
  }
  if (opts.has('--user') || /^(1|true|yes|on)$/i.test(env('PIP_USER') ?? '')) {
    const userBase = env('PYTHONUSERBASE') ?? (homeOf(ctx) !== undefined ? `${homeOf(ctx)}/.local` : undefined);
    return userBase ? { method: 'pip-user', target: userBase, scriptsDir: `${normPath(userBase)}/bin`, libDir: `${normPath(userBase)}/lib` } : { method: 'pip-user' };
  }
  const interp = venvFromEnv ?? interpreterPrefix(ctx, command);
  const isVenv = interp !== undefined && ctx.state.venvs.has(`${interp}/bin`);
  const root = val('--root');
  if (root !== undefined || opts.has('--root')) {
    const r = root === undefined ? undefined : resolveIn(ctx.cwd, root);
    return r && interp ? { method: 'pip-root', target: r, scriptsDir: normPath(`${r}/${interp}/bin`), libDir: normPath(`${r}/${interp}/lib`) } : { method: 'pip-root' };
  }
  if (interp === undefined) return { method: 'pip' };
  return isVenv
    ? { method: 'pip-venv', target: interp, scriptsDir: `${interp}/bin`, libDir: `${interp}/lib` }
    : { method: 'pip', scriptsDir: normPath(`${interp}/bin`), libDir: normPath(`${interp}/lib`) };
}

/** Distribution name of a requirement line or argument; undefined for paths, URLs without #egg, options. */
export function requirementName(spec: string): string | undefined {
  const s = spec.trim();
  const egg = /#egg=([A-Za-z0-9._-]+)/.exec(s);
  if (egg) return normalizeDistribution(egg[1]!);
  const at = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@/.exec(s);
  if (at) return normalizeDistribution(at[1]!);
  if (/^[.~/]|^[a-z+]+:\/\//i.test(s) || /\.(whl|tar\.gz|zip)$/i.test(s)) return undefined;
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(s);
  return m ? normalizeDistribution(m[1]!) : undefined;
}

interface ReqFile {
  /** requirement specs */
  specs: string[];
  /** nested files / editable paths we could not expand */
  unresolved: boolean;
  /** local projects (`-e .`, `./pkg`) */
  local: string[];
}

/** Read a requirements file that a COPY brought into the image; undefined when we cannot. */
function readRequirements(ctx: StageCtx, imagePath: string, depth = 0): ReqFile | undefined {
  const entry = ctx.state.lookup(imagePath).entry;
  const repoPath = entry?.contextSource;
  if (!repoPath || depth > 5) return undefined;
  const text = ctx.readText(repoPath);
  if (text === undefined) return undefined;
  const out: ReqFile = { specs: [], unresolved: false, local: [] };
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const inc = /^(?:-r|--requirement)(?:\s+|=)(\S+)/.exec(line);
    if (inc) {
      const nested = readRequirements(ctx, resolveIn(posix.dirname(imagePath), inc[1]!), depth + 1);
      if (!nested) out.unresolved = true;
      else {
        out.specs.push(...nested.specs);
        out.local.push(...nested.local);
        out.unresolved ||= nested.unresolved;
      }
      continue;
    }
    const ed = /^(?:-e|--editable)(?:\s+|=)(\S+)/.exec(line);
    if (ed) {
      const name = requirementName(ed[1]!);
      if (name) out.specs.push(ed[1]!);
      else out.local.push(ed[1]!);
      continue;
    }
    if (line.startsWith('-')) continue; // --index-url, -c constraints, --hash lines
    if (requirementName(line)) out.specs.push(line.replace(/\s+--hash=\S+/g, ''));
    else out.local.push(line);
  }
  return out;
}

function recordPython(ctx: StageCtx, specs: string[], t: PipTarget, requirementsFile?: string): void {
  for (const spec of specs) {
    const name = requirementName(spec);
    if (!name) continue;
    const scripts = consoleScriptsOf(name);
    const rec: PythonPackageInstall = { name, spec, method: t.method, scriptsOnPath: undefined, instruction: ctx.ins };
    if (t.target) rec.target = t.target;
    if (t.scriptsDir) rec.scriptsDir = t.scriptsDir;
    if (scripts) rec.scripts = scripts;
    if (requirementsFile) rec.requirementsFile = requirementsFile;
    ctx.state.python.push(rec);
    if (t.scriptsDir && scripts) {
      mkdirs(ctx, t.scriptsDir);
      for (const s of scripts) ctx.state.set(`${t.scriptsDir}/${s}`, ownedEntry(ctx, { kind: 'file', mode: 0o755 }));
    }
    if (!scripts) scriptsZone(ctx, t);
  }
}

/** Console scripts we cannot list may be in the scripts dir (or anywhere, when we do not know it). */
function scriptsZone(ctx: StageCtx, t: PipTarget): void {
  ctx.state.zone(t.scriptsDir ?? '/', 'python-scripts');
}

function libZone(ctx: StageCtx, t: PipTarget): void {
  if (t.libDir) {
    mkdirs(ctx, t.libDir);
    ctx.state.zone(t.libDir, 'files');
  } else ctx.state.zone('/', 'files');
}

/** `pip install ...` (also `python -m pip install`, `uv pip install`). `command` is the pip or python word. */
export function pipInstall(ctx: StageCtx, command: string, args: Args, uv = false): void {
  const opts = new Map<string, string | undefined>();
  const specs: string[] = [];
  const reqFiles: (string | undefined)[] = [];
  const editables: (string | undefined)[] = [];
  let unknownSpec = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) {
      unknownSpec = true;
      continue;
    }
    if (a.startsWith('-')) {
      const eq = a.indexOf('=');
      const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
      let value: string | undefined;
      if (a.startsWith('--') && eq > 0) value = a.slice(eq + 1);
      else if (PIP_VALUED.has(name)) value = args[++i];
      else if (/^-[rtec]./.test(a) && PIP_VALUED.has(a.slice(0, 2))) {
        opts.set(a.slice(0, 2), a.slice(2));
        if (a.startsWith('-r')) reqFiles.push(a.slice(2));
        continue;
      }
      opts.set(name, value);
      if (name === '-r' || name === '--requirement') reqFiles.push(value);
      if (name === '-e' || name === '--editable') editables.push(value);
      continue;
    }
    specs.push(a);
  }
  let t: PipTarget;
  if (!uv) t = pipTarget(ctx, command, opts);
  else if (opts.has('--system') || opts.has('--target') || opts.has('--prefix')) {
    t = pipTarget(ctx, 'python', opts);
    if (t.method === 'pip') t.method = 'uv-pip';
  } else {
    // uv installs into the active virtualenv (VIRTUAL_ENV) or a .venv it finds; otherwise it refuses
    const venvDir = ctx.vars.get('VIRTUAL_ENV');
    const v = venvDir ? normPath(venvDir) : undefined;
    t = v ? { method: 'uv-pip', target: v, scriptsDir: `${v}/bin`, libDir: `${v}/lib` } : { method: 'uv-pip' };
  }
  libZone(ctx, t);
  if (unknownSpec) scriptsZone(ctx, t);

  const direct = specs.filter((s) => requirementName(s) !== undefined);
  recordPython(ctx, direct, t);
  for (const s of specs) if (requirementName(s) === undefined) projectInstall(ctx, 'pip', `${uv ? 'uv pip' : 'pip'} install ${s}`, resolveIn(ctx.cwd, s), t);
  for (const e of editables) {
    if (e === undefined) scriptsZone(ctx, t);
    else if (requirementName(e)) recordPython(ctx, [e], t);
    else projectInstall(ctx, 'pip', `${uv ? 'uv pip' : 'pip'} install -e ${e}`, resolveIn(ctx.cwd, e), t);
  }
  for (const f of reqFiles) {
    if (f === undefined) {
      scriptsZone(ctx, t);
      continue;
    }
    const path = resolveIn(ctx.cwd, f);
    const req = readRequirements(ctx, path);
    if (!req) {
      projectInstall(ctx, uv ? 'uv' : 'pip', `${uv ? 'uv pip' : 'pip'} install -r ${f}`, path, t);
      continue;
    }
    recordPython(ctx, req.specs, t, path);
    if (req.unresolved || req.local.length) scriptsZone(ctx, t);
  }
}

function projectInstall(ctx: StageCtx, tool: 'pip' | 'uv' | 'poetry' | 'pipenv' | 'pdm', command: string, manifest: string, t?: PipTarget): void {
  const rec = {
    tool, command, manifest,
    description: `installs project dependencies from ${manifest}`,
    instruction: ctx.ins,
  } as Parameters<StageCtx['projectInstalls']['push']>[0];
  const src = ctx.state.lookup(manifest).entry?.contextSource;
  if (src) rec.contextSource = src;
  ctx.projectInstalls.push(rec);
  // what it installs is unknown: console scripts may land in the scripts dir
  if (t) scriptsZone(ctx, t);
}

/** `python -m venv DIR`, `virtualenv DIR`, `uv venv [DIR]`. */
export function venv(ctx: StageCtx, dir: string | undefined): void {
  if (dir === undefined) return ctx.opaque('a virtualenv path we cannot expand');
  const d = resolveIn(ctx.cwd, dir);
  mkdirs(ctx, `${d}/bin`);
  ctx.state.venvs.add(`${d}/bin`);
  for (const s of ['python', 'python3', 'pip', 'pip3', 'activate']) ctx.state.set(`${d}/bin/${s}`, ownedEntry(ctx, { kind: 'file', mode: s === 'activate' ? 0o644 : 0o755 }));
  ctx.state.zone(`${d}/lib`, 'files');
}

/** `uv sync`, `poetry install`, `pipenv install`, `pdm install|sync`: dependencies from the project manifest. */
export function projectSync(ctx: StageCtx, tool: 'uv' | 'poetry' | 'pipenv' | 'pdm', command: string, manifestName: string): void {
  const manifest = resolveIn(ctx.cwd, manifestName);
  let t: PipTarget | undefined;
  if (tool === 'uv') {
    const env = ctx.vars.get('UV_PROJECT_ENVIRONMENT');
    t = env ? { method: 'pip-venv', scriptsDir: `${resolveIn(ctx.cwd, env)}/bin` } : undefined;
  } else if (tool === 'poetry' && (ctx.poetryNoVenv || /^(0|false|no)$/i.test(ctx.vars.get('POETRY_VIRTUALENVS_CREATE') ?? ''))) {
    const prefix = interpreterPrefix(ctx, 'python');
    t = prefix ? { method: 'pip', scriptsDir: `${prefix}/bin` } : undefined;
  } else if (tool === 'poetry' && /^(1|true|yes)$/i.test(ctx.vars.get('POETRY_VIRTUALENVS_IN_PROJECT') ?? '')) {
    t = { method: 'pip-venv', scriptsDir: `${ctx.cwd === '/' ? '' : ctx.cwd}/.venv/bin` };
  }
  projectInstall(ctx, tool, command, manifest, t ?? { method: 'pip' });
}

// ---------------------------------------------------------------- Node

export function npmInstall(ctx: StageCtx, tool: 'npm' | 'yarn' | 'pnpm', command: string, args: Args): void {
  if (args.includes('-g') || args.includes('--global')) {
    ctx.state.zone('/usr/local/bin', 'any');
    ctx.state.zone('/usr/local/lib/node_modules', 'any');
    return;
  }
  const manifest = resolveIn(ctx.cwd, 'package.json');
  let omitDev: boolean | undefined;
  const nodeEnv = ctx.vars.get('NODE_ENV');
  if (args.some((a) => a === '--omit=dev' || a === '--production' || a === '--only=prod' || a === '--only=production' || a === '--prod')) omitDev = true;
  else if (args.some((a) => a === '--include=dev' || a === '--production=false')) omitDev = false;
  else if (nodeEnv !== undefined) omitDev = nodeEnv === 'production';
  else if (!ctx.vars.has('NODE_ENV')) omitDev = false;
  const rec: Parameters<StageCtx['projectInstalls']['push']>[0] = {
    tool, command, manifest, description: `installs project dependencies from ${manifest}`, instruction: ctx.ins,
  };
  if (omitDev !== undefined) rec.omitDev = omitDev;
  const src = ctx.state.lookup(manifest).entry?.contextSource;
  if (src) rec.contextSource = src;
  ctx.projectInstalls.push(rec);
  const nm = resolveIn(ctx.cwd, 'node_modules');
  mkdirs(ctx, nm);
  ctx.state.zone(nm, 'any');
}
