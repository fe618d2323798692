/**
 * Python module resolution inside a service's image: does `pkg.mod` import, given the
 * directories on `sys.path` (the working directory a server puts there, `--chdir`,
 * `PYTHONPATH`, the script's own directory) and what the image holds at those paths.
 *
 * Import rules followed (Python reference, "The import system" §5.3–5.5 and PEP 420,
 * https://docs.python.org/3/reference/import.html, https://peps.python.org/pep-0420/): each
 * `sys.path` entry is searched in order; in one entry a directory with `__init__.py` (a regular
 * package) comes before `name.py`; a directory without `__init__.py` is only a namespace-package
 * portion, used when no entry has a regular package or module of that name. Submodules are then
 * looked up in the package's directories only (`__path__`), never on `sys.path` again.
 *
 * What the image holds comes from the compose mounts first (a bind mount shows the repository
 * directory it names, hiding the image), then the image filesystem model (`ImageModel.finalPath`)
 * and the COPY/ADD replay (`imageFileSource`) that maps image paths to repository files.
 * Everything is three-valued: when a base image we have no facts for, a RUN step we cannot
 * interpret, a volume or an installed distribution may provide the module, the answer is
 * `unknown` and rules stay silent. Installed distributions are only a weak signal (a name
 * match, KNOWLEDGE §3 import names): they make a missing module unknown, never found.
 */
import { posix } from 'node:path';
import { importRow, isStdlibModule } from '../../knowledge/python-imports.js';
import { CONSOLE_SCRIPTS } from '../../knowledge/python-packages.js';
import { normalizeDistName } from '../../parse/manifests/pep508.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import { imageFileSource, imagePathExistsFromCopies, type ImageFilesOptions } from '../image-files.js';
import type { BuildDeps } from '../deps/types.js';
import { invocationOf } from '../start/invocation.js';
import { parseOptions } from '../start/servers.js';
import type { DockerignoreModel, Mount, ProjectModel, RepoTree, ServerFact, ServiceModel, StageModel, StartStep } from '../types.js';

/** What a process (or a build step) sees of the filesystem. */
export interface ImageView {
  stage?: StageModel;
  stages?: readonly StageModel[];
  /** build context relative to the scanned root ('' = root); undefined when remote or unknown */
  contextDir?: string;
  tree: Pick<RepoTree, 'files' | 'dirs'>;
  dockerignore?: DockerignoreModel;
  /** compose mounts over the image (none for a build step) */
  mounts: readonly Mount[];
  /** a build step: the image as it is just before instruction `beforeStep` of `stage` */
  beforeStep?: number;
}

export type PathPresence =
  | { exists: true; kind: 'file' | 'dir'; repoPath?: string; via: 'copy' | 'bind' | 'image' }
  | { exists: false; via: 'bind' | 'image' }
  | { exists: undefined; reason: string };

/** Folders the repository walk skips: their contents are unknown to us. */
const WALK_SKIPPED = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.terraform', 'bower_components', '.next', '.cache', 'vendor', 'third_party']);

export function serviceImageView(model: { tree: ImageView['tree'] }, svc: ServiceModel): ImageView {
  const v: ImageView = { tree: model.tree, mounts: svc.mounts };
  const stage = svc.runtime.stage;
  if (stage) v.stage = stage;
  if (svc.runtime.dockerfile) v.stages = svc.runtime.dockerfile.stages;
  if (svc.build?.context !== undefined && !svc.build.context.startsWith('/') && !svc.build.context.startsWith('..')) v.contextDir = svc.build.context;
  if (svc.build?.dockerignore) v.dockerignore = svc.build.dockerignore;
  return v;
}

/** The view a RUN instruction of `stage` has: the image before it, no mounts. */
export function buildStepView(base: ImageView, stage: StageModel, instruction: DockerInstruction): ImageView {
  const i = stage.instructions.indexOf(instruction);
  return { ...base, stage, mounts: [], ...(i > 0 ? { beforeStep: i } : {}) };
}

const isUnder = (p: string, dir: string): boolean => p === dir || dir === '/' || p.startsWith(`${dir}/`);
const rel = (dir: string, p: string): string => (p === dir ? '' : dir === '/' ? p.slice(1) : p.slice(dir.length + 1));

/** What is at `imagePath` when the container (or build step) runs. */
export function pathPresence(view: ImageView, imagePath: string): PathPresence {
  const p = posix.normalize(imagePath.startsWith('/') ? imagePath : `/${imagePath}`).replace(/(.)\/+$/, '$1');
  // mounts hide what the image has below their target; the deepest one wins
  const mount = [...view.mounts].filter((m) => m.target && isUnder(p, posix.normalize(m.target))).sort((a, b) => b.target.length - a.target.length)[0];
  if (mount) return mountPresence(view, mount, p);
  const stage = view.stage;
  if (!stage) return { exists: undefined, reason: 'the service runs an image that is not built here' };
  const img = stage.image;
  const copies = view.beforeStep === undefined ? stage : { ...stage, copies: stage.copies.filter((c) => stage.instructions.indexOf(c.instruction) < view.beforeStep!) };
  const opts: ImageFilesOptions = { tree: view.tree, ...(view.stages ? { stages: view.stages } : {}), ...(view.dockerignore ? { dockerignore: view.dockerignore } : {}) };
  if (!img) {
    const src = imageFileSource(copies, view.contextDir, p, opts);
    if (src) return { exists: true, kind: 'file', repoPath: src.repoPath, via: 'copy' };
    return imagePathExistsFromCopies(copies, view.contextDir, p, opts) ? { exists: true, kind: 'dir', via: 'copy' } : { exists: undefined, reason: 'no image model' };
  }
  const last = view.beforeStep === undefined ? stage.instructions.length - 1 : view.beforeStep - 1;
  const info = view.beforeStep === undefined ? img.finalPath(p) : img.pathAt(last, p);
  if (info.exists === true) {
    const repoPath = info.contextSource ?? imageFileSource(copies, view.contextDir, p, opts)?.repoPath;
    const kind = info.kind === 'dir' ? 'dir' : info.kind === 'file' || info.kind === 'symlink' ? 'file' : repoPath ? 'file' : 'dir';
    return { exists: true, kind, ...(repoPath ? { repoPath } : {}), via: info.contextSource ? 'copy' : 'image' };
  }
  if (info.exists === false) return { exists: false, via: 'image' };
  // unknown: decided by the last known state when only build-output steps (collectstatic, compileall) followed it
  let known: boolean | undefined;
  let from = -1;
  for (let i = last; i >= 0; i--) {
    const e = img.pathAt(i, p).exists;
    if (e !== undefined) {
      known = e;
      from = i;
      break;
    }
  }
  if (known === undefined) return { exists: undefined, reason: img.unknownBase ? `the base image ${stage.base.raw} may provide it` : 'the image model cannot tell' };
  for (let i = from + 1; i <= last; i++) {
    const ins = stage.instructions[i]!;
    if (img.pathAt(i, p).exists !== undefined || img.pathAt(i - 1, p).exists === undefined) continue;
    if (!writesOnlyBuildOutput(ins)) return { exists: undefined, reason: `\`${ins.keyword} ${ins.argsText.slice(0, 60)}\` (line ${ins.loc.startLine}) may create it` };
  }
  if (known) {
    const repoPath = imageFileSource(copies, view.contextDir, p, opts)?.repoPath;
    return { exists: true, kind: repoPath ? 'file' : 'dir', ...(repoPath ? { repoPath } : {}), via: 'image' };
  }
  return { exists: false, via: 'image' };
}

/** A RUN that only writes build output (collected static files, compiled messages, bytecode): it creates no Python packages. */
function writesOnlyBuildOutput(ins: DockerInstruction): boolean {
  if (ins.keyword !== 'RUN') return false;
  const t = ins.argsText + ins.heredocs.map((h) => `\n${h.body}`).join('');
  if (!/\b(?:manage\.py|django-admin)\b[^;&|\n]*\b(?:collectstatic|compilemessages|compress|check|migrate)\b|\bcompileall\b/.test(t)) return false;
  return !/\b(?:git|curl|wget|tar|unzip|cp|mv|rsync|ln|startproject|startapp|make|sh|bash)\b|(?:^|[\s;&|])\.\//.test(t.replace(/\bsh\s+-c\b/g, ''));
}

function mountPresence(view: ImageView, m: Mount, p: string): PathPresence {
  const target = posix.normalize(m.target);
  if (m.type !== 'bind') return { exists: undefined, reason: `${m.type === 'volume' ? `volume ${m.source ?? '(anonymous)'}` : m.type} mounted at ${target}` };
  const host = m.hostPath;
  if (host === undefined || host.startsWith('/') || host.startsWith('..') || host.startsWith('~')) return { exists: undefined, reason: `a host path outside the repository is mounted at ${target}` };
  const r = rel(target, p);
  const repo = posix.normalize(host === '' || host === '.' ? r || '.' : r ? `${host}/${r}` : host).replace(/^\.$/, '');
  if (repo.split('/').some((s) => WALK_SKIPPED.has(s))) return { exists: undefined, reason: `${repo} is in a folder drydock does not read` };
  if (view.tree.files.has(repo)) return { exists: true, kind: 'file', repoPath: repo, via: 'bind' };
  if (repo === '' || view.tree.dirs.has(repo)) return { exists: true, kind: 'dir', via: 'bind' };
  return { exists: false, via: 'bind' };
}

// ---------------------------------------------------------------------------------------------
// sys.path

export interface SearchEntry {
  /** absolute image path; undefined when the entry cannot be expanded */
  dir?: string;
  /** why it is on sys.path: `working directory /app`, `--chdir`, `PYTHONPATH` */
  why: string;
}

/**
 * The directories a Python process searches for the modules a start command names, before
 * site-packages. `first` are the entries the tool itself puts first (gunicorn's `--chdir` or
 * working directory, uvicorn's `--app-dir`, the script's directory for `python script.py`,
 * the working directory for `python -m` and celery); PYTHONPATH follows.
 */
export function searchPath(first: SearchEntry[], pythonPath: string | null | undefined, cwd: string): SearchEntry[] {
  const out = [...first];
  if (pythonPath === null) out.push({ why: 'PYTHONPATH (set from the deploying shell)' });
  else if (pythonPath)
    for (const raw of pythonPath.split(':')) {
      if (!raw) continue;
      if (raw.includes('$')) out.push({ why: `PYTHONPATH entry ${raw}` });
      else out.push({ dir: posix.resolve(cwd, raw), why: 'PYTHONPATH' });
    }
  return out;
}

/**
 * sys.path for an app server (gunicorn/uvicorn/hypercorn/daphne/flask/runserver): its working
 * directory (`--chdir`, `--app-dir`), gunicorn's `--pythonpath`, then PYTHONPATH.
 */
export function serverSearchPath(server: ServerFact, step: StartStep, pythonPath: string | null | undefined): { cwd: string; search: SearchEntry[] } {
  const cwd = server.chdir ?? step.cwd;
  const first: SearchEntry[] = [{ dir: cwd, why: server.chdir ? (server.kind === 'gunicorn' ? '--chdir' : '--app-dir') : 'the working directory' }];
  if (server.kind === 'gunicorn') {
    const o = parseOptions(invocationOf(step).args, new Set(['--pythonpath', '--chdir', '-b', '--bind', '-c', '--config', '-w', '--workers', '-k', '--worker-class']), {});
    for (const p of o.opts.get('--pythonpath') ?? []) for (const d of p.split(',')) if (d) first.push({ dir: posix.resolve(cwd, d), why: '--pythonpath' });
  }
  return { cwd, search: searchPath(first, pythonPath, cwd) };
}

/** No installed-distribution signal: a module no repository file provides is `unknown`, never `missing`. */
export const NO_INSTALLED: InstalledNames = { complete: false, reason: 'the installed packages are not consulted', mayProvide: () => undefined };

// ---------------------------------------------------------------------------------------------
// installed distributions (a weak signal)

export interface InstalledNames {
  /** every Python install of the image was read and the base ships nothing extra */
  complete: boolean;
  /** why not complete */
  reason?: string;
  /** a distribution the image installs may provide this top-level module */
  mayProvide(top: string): string | undefined;
}

const strip = (s: string): string => s.toLowerCase().replace(/[-_.]+/g, '-').replace(/^(?:python-|py-|django-|flask-)/, '').replace(/(?:-python|-binary|-py)$/, '');

/** The installed-distribution signal for a service's image, from the dependency model. */
export function installedNames(model: ProjectModel, envName: string | undefined, svc: ServiceModel | undefined, stage: StageModel | undefined): InstalledNames {
  const builds = model.deps?.builds ?? [];
  const b: BuildDeps | undefined =
    builds.find((x) => x.environment === envName && x.service === svc?.name) ??
    builds.find((x) => svc?.runtime.dockerfile !== undefined && x.dockerfile === svc.runtime.dockerfile.path && stage !== undefined && x.target === stage.index);
  const dists = new Set<string>();
  for (const d of b?.declared ?? []) dists.add(normalizeDistName(d.key));
  for (const p of stage?.image?.pythonPackages ?? []) dists.add(normalizeDistName(p.name));
  const projectInstall = b?.installs.some((i) => i.kind === 'project') ?? false;
  const localTops = b?.app?.localModules;
  let complete = !!b && b.pythonComplete && b.cleanBase && !b.installs.some((i) => i.kind === 'other' || i.tool === 'script' || i.tool === 'conda');
  let reason: string | undefined;
  if (!b) reason = 'the image build is not modelled';
  else if (!b.pythonComplete) reason = b.incompleteReason ?? 'an install could not be read';
  else if (!b.cleanBase) reason = 'the base image may ship Python packages';
  else if (!complete) reason = 'an install step may install anything';
  if (stage?.image?.unknownBase) {
    complete = false;
    reason ??= 'the base image is unknown';
  }
  const stripped = new Map<string, string>();
  for (const d of dists) stripped.set(strip(d), d);
  return {
    complete,
    ...(reason ? { reason } : {}),
    mayProvide(top: string): string | undefined {
      const norm = normalizeDistName(top);
      if (dists.has(norm)) return norm;
      const s = stripped.get(strip(top));
      if (s) return s;
      const row = importRow(top)?.row;
      if (row) for (const d of [...row.dists, ...(row.unverified ?? [])]) if (dists.has(normalizeDistName(d))) return normalizeDistName(d);
      // `pip install .` installs the project's own packages into site-packages
      if (projectInstall && localTops?.has(top)) return 'the project itself (installed by a project install)';
      return undefined;
    },
  };
}

/** A third-party name drydock knows (a console-script distribution or an import-table row): not the app's own module. */
export function knownThirdParty(top: string): boolean {
  return importRow(top) !== undefined || Object.prototype.hasOwnProperty.call(CONSOLE_SCRIPTS, normalizeDistName(top));
}

// ---------------------------------------------------------------------------------------------
// modules

export type ModuleStatus = 'found' | 'missing' | 'unknown';

export interface ModuleResolution {
  status: ModuleStatus;
  module: string;
  /** found in the image: the module file (`pkg/mod.py`, `pkg/__init__.py`); a namespace package has none */
  imagePath?: string;
  repoPath?: string;
  /** found: the package directories (`__path__`) when the module is a package */
  packageDirs?: string[];
  namespace?: boolean;
  provider?: 'image' | 'stdlib';
  /** missing: the first dotted prefix that does not import (`blogapp` for `blogapp.celery`) */
  missingPrefix?: string;
  /** missing: the top-level names the first search directory does hold, for "did you mean" */
  available?: string[];
  /** missing: repository places that do hold it, off the search path */
  elsewhere?: string[];
  /** unknown: why */
  reason?: string;
  searched: SearchEntry[];
}

interface Candidate {
  kind: 'package' | 'module' | 'namespace';
  dir: string;
  file?: string;
  repoPath?: string;
}

/** Find one name in a list of directories, following the import system's per-entry order. */
function findIn(view: ImageView, dirs: (string | undefined)[], name: string): { found?: Candidate; portions: string[]; unknown?: string } {
  const portions: string[] = [];
  let unknown: string | undefined;
  for (const d of dirs) {
    if (d === undefined) {
      unknown ??= 'a search directory is not known';
      continue;
    }
    const pkgDir = posix.join(d, name);
    const init = pathPresence(view, posix.join(pkgDir, '__init__.py'));
    if (init.exists === true) return unknown ? { portions, unknown } : { found: { kind: 'package', dir: pkgDir, file: posix.join(pkgDir, '__init__.py'), ...(init.repoPath ? { repoPath: init.repoPath } : {}) }, portions };
    const mod = pathPresence(view, posix.join(d, `${name}.py`));
    if (mod.exists === true && mod.kind === 'file') return unknown ? { portions, unknown } : { found: { kind: 'module', dir: d, file: posix.join(d, `${name}.py`), ...(mod.repoPath ? { repoPath: mod.repoPath } : {}) }, portions };
    const dir = pathPresence(view, pkgDir);
    if (dir.exists === true && dir.kind === 'dir') portions.push(pkgDir);
    if (init.exists === undefined) unknown ??= init.reason;
    else if (mod.exists === undefined) unknown ??= mod.reason;
    else if (dir.exists === undefined) unknown ??= dir.reason;
  }
  return unknown ? { portions, unknown } : { portions };
}

/** Resolve a dotted module name against the search path, then inside each package. */
export function resolveModule(view: ImageView, module: string, searched: SearchEntry[], installed: InstalledNames): ModuleResolution {
  const parts = module.split('.');
  const base = { module, searched };
  if (!parts.length || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return { ...base, status: 'unknown', reason: 'not a plain dotted module name' };
  const top = parts[0]!;
  let dirs: (string | undefined)[] = searched.map((s) => s.dir);
  let topNamespace = false;
  let last: Candidate | undefined;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    const prefix = parts.slice(0, i + 1).join('.');
    const r = findIn(view, dirs, name);
    let found = r.found;
    if (!found && r.portions.length && !r.unknown) found = { kind: 'namespace', dir: r.portions[0]! };
    if (!found) {
      if (i === 0 && isStdlibModule(top)) return { ...base, status: 'found', provider: 'stdlib' };
      if (r.unknown) return { ...base, status: 'unknown', reason: r.unknown };
      if (i === 0 || topNamespace) {
        const dist = installed.mayProvide(top);
        if (dist) return { ...base, status: 'unknown', reason: `installed distribution ${dist} may provide ${top}` };
        if (!installed.complete) return { ...base, status: 'unknown', reason: installed.reason ?? 'the installed packages are not known' };
      }
      const out: ModuleResolution = { ...base, status: 'missing', missingPrefix: prefix };
      if (i === 0) {
        const first = searched.find((s) => s.dir !== undefined)?.dir;
        if (first) out.available = topLevelNames(view, first);
        const elsewhere = repoPlaces(view, top);
        if (elsewhere.length) out.elsewhere = elsewhere;
      } else if (last?.kind !== 'module') {
        const names = dirs.flatMap((d) => (d ? topLevelNames(view, d) : []));
        if (names.length) out.available = [...new Set(names)];
      }
      return out;
    }
    if (i === 0 && found.kind === 'namespace') topNamespace = true;
    last = found;
    if (i < parts.length - 1) {
      if (found.kind === 'module') return { ...base, status: 'missing', missingPrefix: parts.slice(0, i + 2).join('.'), reason: `${prefix} is a module, not a package` };
      dirs = found.kind === 'namespace' ? r.portions : [found.dir];
    }
  }
  const f = last!;
  const out: ModuleResolution = { ...base, status: 'found', provider: 'image' };
  if (f.file) out.imagePath = f.file;
  if (f.repoPath) out.repoPath = f.repoPath;
  if (f.kind !== 'module') out.packageDirs = [f.dir];
  if (f.kind === 'namespace') out.namespace = true;
  return out;
}

/** Script-like modules that are never what a start command means to import. */
const NOT_APP_MODULES = new Set(['__init__', '__main__', 'manage', 'setup', 'conftest', 'noxfile', 'fabfile', 'tasks_test']);

/** Packages and modules directly in an image directory, from the repository files that provide it. */
export function topLevelNames(view: ImageView, imageDir: string): string[] {
  const names = new Set<string>();
  const ctx = view.contextDir;
  if (ctx === undefined) return [];
  const prefix = ctx ? `${ctx}/` : '';
  const candidates = new Set<string>();
  for (const f of view.tree.files) {
    if (!f.startsWith(prefix) || !f.endsWith('.py')) continue;
    const r = f.slice(prefix.length).split('/');
    if (r.some((s) => WALK_SKIPPED.has(s))) continue;
    for (let i = 0; i < r.length; i++) candidates.add(i === r.length - 1 ? r[i]!.replace(/\.py$/, '') : r[i]!);
    if (candidates.size > 400) break;
  }
  for (const c of candidates) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c) || NOT_APP_MODULES.has(c) || names.size >= 12) continue;
    const init = pathPresence(view, posix.join(imageDir, c, '__init__.py'));
    const mod = init.exists === true ? init : pathPresence(view, posix.join(imageDir, `${c}.py`));
    if (mod.exists === true && mod.kind === 'file') names.add(c);
  }
  return [...names].sort();
}

/** Repository directories or files named like the module, inside the build context (at most 3). */
function repoPlaces(view: ImageView, top: string): string[] {
  const ctx = view.contextDir;
  if (ctx === undefined) return [];
  const prefix = ctx ? `${ctx}/` : '';
  const out = new Set<string>();
  for (const f of view.tree.files) {
    if (!f.startsWith(prefix)) continue;
    const segs = f.slice(prefix.length).split('/');
    if (segs.some((s) => WALK_SKIPPED.has(s))) continue;
    const i = segs.indexOf(top);
    if (i >= 0 && i < segs.length - 1 && f.endsWith('.py')) out.add(prefix + segs.slice(0, i + 1).join('/'));
    else if (segs[segs.length - 1] === `${top}.py`) out.add(f);
    if (out.size >= 3) break;
  }
  return [...out].sort();
}
