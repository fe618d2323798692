/**
 * The dependency model of a project: for every image build (projectBuilds), the package installs
 * its RUN steps perform, the repository manifests and locks they read (resolved through the COPY
 * steps and RUN bind mounts that come before the RUN), what those manifests declare, and the
 * application's Python imports. Manifests are parsed on first use; a file that does not parse
 * becomes a ParseProblem.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { officialImageName } from '../../knowledge/image-healthchecks.js';
import { parseLock, type LockFile } from '../../parse/manifests/locks.js';
import { parsePackageJson, type PackageJsonFile } from '../../parse/manifests/package-json.js';
import { parsePyproject, type PyprojectFile } from '../../parse/manifests/pyproject.js';
import { parseRequirements, type PyRequirement, type RequirementsFile } from '../../parse/manifests/requirements.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import { contextSources, projectBuilds, type BuildInput } from '../build-context.js';
import { imageFileSource } from '../image-files.js';
import type { ParseProblem, ProjectModel, StageModel } from '../types.js';
import { moduleScanner, pythonAppFacts, type ModuleScanner } from './app.js';
import { interpretCommand, type GroupSelection, type InstallIntent } from './install-commands.js';
import { runCommands } from './run-commands.js';
import type { BuildDeps, DeclaredDist, DepsModel, InstallStep } from './types.js';

export interface DepsInput {
  model: Omit<ProjectModel, 'deps'>;
  /** reads a repository file through discovery (memoised); undefined when absent or unreadable */
  read: (path: string) => SourceFile | undefined;
  problem: (p: ParseProblem) => void;
}

const CLEAN_BASES = new Set(['python', 'debian', 'ubuntu', 'alpine', 'buildpack-deps']);

export async function buildDepsModel(input: DepsInput): Promise<DepsModel> {
  const { model, read, problem } = input;
  const tree = model.tree;
  const deps: DepsModel = { requirements: new Map(), pyprojects: new Map(), packageJsons: new Map(), locks: new Map(), builds: [] };

  const parsed = <T extends { errors: { message: string; loc: Location }[] }>(
    map: Map<string, T>,
    path: string,
    parse: (s: SourceFile) => T | undefined,
    kind: string,
  ): T | undefined => {
    if (map.has(path)) return map.get(path);
    if (!tree.files.has(path)) return undefined;
    const src = read(path);
    if (!src) return undefined;
    const r = parse(src);
    if (!r) return undefined;
    map.set(path, r);
    for (const e of r.errors) problem({ message: e.message, loc: e.loc, kind });
    return r;
  };
  const requirements = (p: string): RequirementsFile | undefined => parsed(deps.requirements, p, parseRequirements, 'requirements file');
  const pyproject = (p: string): PyprojectFile | undefined => parsed(deps.pyprojects, p, parsePyproject, 'pyproject.toml');
  const packageJson = (p: string): PackageJsonFile | undefined => parsed(deps.packageJsons, p, parsePackageJson, 'package.json');
  const lock = (p: string): LockFile | undefined => parsed(deps.locks, p, parseLock, 'lock file');
  const scan: ModuleScanner = moduleScanner((p) => (tree.files.has(p) ? read(p) : undefined));
  const sortedFiles = [...tree.files].sort();
  const under = (context: string): string[] => filesUnder(sortedFiles, context);

  const cache = new Map<string, Omit<BuildDeps, 'environment' | 'service'>>();
  const appCache = new Map<string, Promise<BuildDeps['app']>>();
  for (const build of projectBuilds(model as ProjectModel)) {
    const target = build.stages[build.stages.length - 1]!;
    const key = `${build.dockerfile.path}\0${build.context}\0${target.index}\0${JSON.stringify([...build.args].sort())}`;
    let core = cache.get(key);
    if (!core) {
      core = await buildCore(build, target);
      cache.set(key, core);
    }
    const b: BuildDeps = { ...core };
    if (build.environment) b.environment = build.environment.name;
    if (build.service) b.service = build.service.name;
    const sources = contextSources(build);
    const appKey = `${build.context}\0${build.dockerignore?.path ?? ''}\0${sources.map((s) => s.rel).sort().join('\n')}`;
    let app = appCache.get(appKey);
    if (!app) {
      app = pythonAppFacts(under(build.context), build.context, sources, build.dockerignore, scan, (p) => (tree.files.has(p) ? read(p) : undefined));
      appCache.set(appKey, app);
    }
    const facts = await app;
    if (facts) b.app = facts;
    deps.builds.push(b);
  }
  return deps;

  async function buildCore(build: BuildInput, target: StageModel): Promise<Omit<BuildDeps, 'environment' | 'service'>> {
    const df = build.dockerfile;
    const installs: InstallStep[] = [];
    const declared: DeclaredDist[] = [];
    const lockedPython: LockFile[] = [];
    const incomplete: string[] = [];
    let exact = true;
    /** image paths generated by `poetry export` / `uv export`, per stage */
    const generated = new Map<string, InstallIntent>();

    for (const stage of build.stages) {
      let workdir = stage.baseStage !== undefined ? (df.stages[stage.baseStage]?.workdir ?? '/') : '/';
      const vars = (n: string): string | undefined => stage.env.get(n)?.value ?? build.args.get(n) ?? df.globalArgs.get(n) ?? undefined;
      const expand = (w: string): string =>
        w.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a: string | undefined, b: string | undefined) => vars((a ?? b)!) ?? m);
      const nodeEnv = stage.env.get('NODE_ENV')?.value;
      for (const [step, ins] of stage.instructions.entries()) {
        if (ins.keyword === 'WORKDIR') {
          const dir = expand(ins.argsText.trim());
          if (dir && !dir.includes('$')) workdir = posix.resolve(workdir, dir);
          continue;
        }
        if (ins.keyword !== 'RUN') continue;
        // the image model (built first, for every stage a build runs) holds the parse; a RUN it
        // did not read as shell (a non-POSIX SHELL, a heredoc fed to another program) has none
        const cmds = runCommands(stage.image?.runCommands(step) ?? [], workdir, expand);
        for (const c of cmds)
          for (const intent of interpretCommand(c, nodeEnv !== undefined ? { nodeEnv } : {})) {
            const steps = resolveIntent(intent, stage, ins);
            installs.push(...steps);
          }
      }
    }

    // artifacts (`pip install /wheels/*`) are covered when the build also runs `pip wheel`
    const hasWheelBuild = installs.some((s) => s.wheel);
    for (const s of installs) {
      if (s.tool === 'npm' || s.tool === 'yarn' || s.tool === 'pnpm') continue;
      if (s.tool === 'script') {
        incomplete.push(s.unresolved ?? s.command);
        continue;
      }
      if (s.kind === 'other') {
        if (s.unresolved === 'wheel files' && hasWheelBuild) continue;
        incomplete.push(s.unresolved ?? s.command);
        continue;
      }
      if (s.unresolved) incomplete.push(s.unresolved);
      const lockFile = s.honoursLock && s.lock ? lock(s.lock) : undefined;
      if (lockFile && !lockedPython.includes(lockFile)) lockedPython.push(lockFile);
      const reqs = declaredBy(s);
      const tooling = /^(?:pip|setuptools|wheel|uv|poetry|pipenv|virtualenv)$/;
      if (!lockFile) {
        const pinned = reqs.every((r) => tooling.test(r.key) || r.url !== undefined || /^===?[^,*]+$/.test(r.specifier ?? ''));
        if (!pinned || s.kind === 'project') exact = false;
      }
      for (const r of reqs) {
        const d: DeclaredDist = { key: r.key, requirement: r, install: s };
        const m = manifestOf(r, s);
        if (m) d.manifest = m;
        declared.push(d);
      }
    }
    const pythonInstalls = installs.filter((s) => s.tool !== 'npm' && s.tool !== 'yarn' && s.tool !== 'pnpm' && s.tool !== 'script');
    const base = rootBase(df.stages, target);
    const pyStagesClean = build.stages.every((st) => !pythonInstalls.some((s) => s.stage === st.index) || isClean(rootBase(df.stages, st)));
    const core: Omit<BuildDeps, 'environment' | 'service'> = {
      dockerfile: df.path,
      context: build.context,
      target: target.index,
      stages: build.stages.map((s) => s.index),
      installs,
      cleanBase: isClean(base) && pyStagesClean,
      declared,
      lockedPython,
      pythonComplete: pythonInstalls.length > 0 && incomplete.length === 0,
      exactSet: pythonInstalls.length > 0 && incomplete.length === 0 && exact,
      contextRequirements: under(build.context).filter((f) => /^(?:requirements(?:[.-][\w.-]*)?\.txt|requirements\/[\w.-]+\.txt)$/.test(build.context ? f.slice(build.context.length + 1) : f)),
    };
    const pv = pythonVersionOf(base);
    if (pv) core.pythonVersion = pv;
    if (incomplete.length) core.incompleteReason = incomplete[0]!;
    else if (!pythonInstalls.length) core.incompleteReason = 'no Python install step';
    const ctxPy = build.context ? `${build.context}/pyproject.toml` : 'pyproject.toml';
    if (pyproject(ctxPy)) core.contextPyproject = ctxPy;
    for (const r of core.contextRequirements) requirements(r);
    return core;

    // ------------------------------------------------------------ helpers over this build

    function resolveIntent(intent: InstallIntent, stage: StageModel, ins: DockerInstruction): InstallStep[] {
      const before = truncated(df.stages, stage, ins);
      const mounts = bindMounts(ins, intent.cwd);
      const file = (imagePath: string): string | undefined => {
        for (const m of mounts) {
          const rel = imagePath === m.target ? '' : imagePath.startsWith(`${m.target}/`) ? imagePath.slice(m.target.length + 1) : undefined;
          if (rel === undefined) continue;
          const p = joinRepo(build.context, m.source, rel);
          if (p !== undefined && tree.files.has(p) && !build.dockerignore?.excludes(p.slice(build.context ? build.context.length + 1 : 0))) return p;
        }
        return imageFileSource(before, build.context, imagePath, { stages: before.stagesView, tree, dockerignore: build.dockerignore })?.repoPath;
      };
      const step = (kind: InstallStep['kind'], extra: Partial<InstallStep> = {}): InstallStep => ({
        tool: intent.tool,
        kind,
        command: intent.command,
        honoursLock: false,
        noDeps: intent.noDeps,
        packages: [],
        extras: [],
        groups: [],
        constraints: [],
        stage: stage.index,
        loc: intent.loc,
        instruction: ins,
        ...(intent.wheel ? { wheel: true } : {}),
        ...extra,
      });
      const constraints = intent.constraintFiles.map(file).filter((x): x is string => x !== undefined);
      if (intent.exportTo) {
        generated.set(intent.exportTo, intent);
        return [];
      }
      if (intent.opaque) return [step('other', { unresolved: intent.opaque })];
      if (intent.node) {
        const manifestImage = posix.join(intent.cwd, 'package.json');
        const manifest = file(manifestImage);
        const s = step('node', { imagePath: manifestImage, lockMode: intent.lockMode!, omitDev: intent.node.omitDev ?? false });
        if (manifest) {
          s.manifest = manifest;
          packageJson(manifest);
        } else s.unresolved = `${manifestImage} is not copied from the build context`;
        for (const name of intent.node.lockNames) {
          const l = file(posix.join(intent.cwd, name));
          if (l) {
            s.lock = l;
            s.honoursLock = true;
            lock(l);
            break;
          }
        }
        return [s];
      }
      const out: InstallStep[] = [];
      for (const r of intent.requirementFiles) {
        const gen = generated.get(r.imagePath);
        if (gen) {
          // a requirements file exported from the project (and its lock) earlier in the build
          out.push(...projectSteps(gen, gen.projectDirs[0]!, stage, ins, file, step, { loc: r.loc, command: intent.command }));
          continue;
        }
        const repo = file(r.imagePath);
        const s = step('requirements', { imagePath: r.imagePath, loc: r.loc, constraints });
        if (repo) {
          s.manifest = repo;
          const missing = expandRequirements(repo, new Set()).missing;
          if (missing) s.unresolved = missing;
        } else s.unresolved = `${r.imagePath} is not copied from the build context`;
        out.push(s);
      }
      for (const d of intent.projectDirs) out.push(...projectSteps(intent, d, stage, ins, file, step, {}));
      if (intent.packages.length) out.push(step('packages', { packages: intent.packages, constraints }));
      if (intent.artifacts.length) out.push(step('other', { unresolved: 'wheel files' }));
      return out;
    }

    function projectSteps(
      intent: InstallIntent,
      d: InstallIntent['projectDirs'][number],
      _stage: StageModel,
      _ins: DockerInstruction,
      file: (p: string) => string | undefined,
      step: (kind: InstallStep['kind'], extra?: Partial<InstallStep>) => InstallStep,
      over: Partial<InstallStep>,
    ): InstallStep[] {
      const pyImage = posix.join(d.imagePath, 'pyproject.toml');
      const repo = file(pyImage);
      const s = step('project', { imagePath: pyImage, loc: d.loc, ...over });
      if (intent.lockMode) s.lockMode = intent.lockMode;
      if (!repo) {
        const setup = file(posix.join(d.imagePath, 'setup.py')) ?? file(posix.join(d.imagePath, 'setup.cfg'));
        return [step('other', { unresolved: setup ? `${setup}: setup.py dependencies are not read` : `${pyImage} is not copied from the build context`, loc: d.loc })];
      }
      s.manifest = repo;
      const py = pyproject(repo);
      if (!py || py.errors.length) return [{ ...s, kind: 'other', unresolved: `${repo} does not parse` }];
      if (py.dynamicDependencies) return [{ ...s, kind: 'other', unresolved: `${repo} declares its dependencies as dynamic` }];
      if (!py.isProject) return [{ ...s, kind: 'other', unresolved: `${repo} has no [project] or [tool.poetry] table (setup.py/setup.cfg dependencies are not read)` }];
      if (py.workspace) return [{ ...s, kind: 'other', unresolved: `${repo} is a uv workspace (members' dependencies are not read)` }];
      s.extras = d.extras;
      const sel = selectedGroups(py, intent.groups);
      s.groups = sel.groups;
      if (sel.only) s.groupsOnly = true;
      const lockName = intent.tool === 'poetry' ? 'poetry.lock' : intent.tool === 'uv' ? 'uv.lock' : undefined;
      if (lockName) {
        const l = file(posix.join(d.imagePath, lockName));
        if (l) {
          s.lock = l;
          s.honoursLock = true;
          lock(l);
        } else if (intent.tool === 'poetry') delete s.lockMode; // no lock in the image: Poetry resolves afresh
        else if (intent.lockMode === 'update') delete s.lockMode;
      }
      return [s];
    }

    /** Requirements of a requirements file with its `-r` includes; names the first include we cannot read. */
    function expandRequirements(path: string, seen: Set<string>): { reqs: PyRequirement[]; missing?: string; unnamed: string[] } {
      if (seen.has(path)) return { reqs: [], unnamed: [] };
      seen.add(path);
      const f = requirements(path);
      if (!f) return { reqs: [], missing: `${path} cannot be read`, unnamed: [] };
      const reqs = [...f.requirements];
      const unnamed = f.unnamed.map((u) => u.target);
      let missing: string | undefined;
      for (const inc of f.includes) {
        if (inc.kind !== 'requirement') continue;
        if (!inc.path || !tree.files.has(inc.path)) {
          missing ??= `${path} includes ${inc.written}, which is not in the repository`;
          continue;
        }
        const r = expandRequirements(inc.path, seen);
        reqs.push(...r.reqs);
        unnamed.push(...r.unnamed);
        missing ??= r.missing;
      }
      if (unnamed.length) missing ??= `${path} installs ${unnamed[0]} (a path or URL whose dependencies are not read)`;
      return missing !== undefined ? { reqs, missing, unnamed } : { reqs, unnamed };
    }

    function declaredBy(s: InstallStep): PyRequirement[] {
      if (s.kind === 'packages') return s.packages;
      if (s.kind === 'requirements' && s.manifest) return expandRequirements(s.manifest, new Set()).reqs;
      if (s.kind === 'project' && s.manifest) {
        const py = deps.pyprojects.get(s.manifest);
        if (!py) return [];
        const out: PyRequirement[] = s.groupsOnly ? [] : py.dependencies.filter((r) => !r.optional || s.extras.length > 0);
        for (const e of s.extras) {
          if (e === '*') out.push(...[...py.optional.values()].flat());
          else out.push(...(py.optional.get(e) ?? []));
        }
        for (const g of s.groups) out.push(...(py.groups.get(g) ?? []));
        // a group may name the project itself (`app[extra]`): its extras
        return out.flatMap((r) => (py.name && r.key === py.name ? r.extras.flatMap((e) => py.optional.get(e) ?? []) : [r]));
      }
      return [];
    }

    function manifestOf(r: PyRequirement, s: InstallStep): string | undefined {
      if (s.kind === 'packages') return undefined;
      return r.loc.file;
    }
  }
}

/** The files under a directory ('' = all), from the sorted file list, by binary search. */
function filesUnder(sorted: readonly string[], dir: string): string[] {
  if (!dir) return sorted as string[];
  const prefix = `${dir}/`;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!);
  return out;
}

/** Which dependency groups a `uv sync` / `poetry install` installs; `only`: without the project's own dependencies. */
function selectedGroups(py: PyprojectFile, sel: GroupSelection | undefined): { groups: string[]; only: boolean } {
  if (!sel || sel.tool === 'pip') return { groups: [], only: false };
  const all = [...py.groups.keys()];
  const known = (gs: string[]): string[] => [...new Set(gs)].filter((g) => py.groups.has(g));
  if (sel.tool === 'uv') {
    if (sel.only) return { groups: known(sel.only), only: true };
    if (sel.onlyDev) return { groups: known(['dev']), only: true };
    let groups = sel.allGroups ? all : sel.noDefaultGroups ? [] : (py.uvDefaultGroups ?? ['dev']);
    if (sel.noDev) groups = groups.filter((g) => g !== 'dev');
    return { groups: known([...groups, ...sel.with].filter((g) => !sel.without.includes(g))), only: false };
  }
  // poetry: main + every non-optional group
  if (sel.only) return { groups: known(sel.only.filter((g) => g !== 'main')), only: !sel.only.includes('main') };
  const groups = sel.allGroups ? all : all.filter((g) => !py.optionalGroups.has(g));
  return { groups: known([...groups, ...sel.with].filter((g) => !sel.without.includes(g) && !(sel.noDev && g === 'dev'))), only: false };
}

/** The stage as it is when `ins` runs: only the COPY steps before it (earlier stages whole). */
function truncated(stages: readonly StageModel[], stage: StageModel, ins: DockerInstruction): StageModel & { stagesView: StageModel[] } {
  const copies = stage.copies.filter((c) => c.instruction.range[0] < ins.range[0]);
  const cut: StageModel = { ...stage, copies };
  const view = stages.map((s) => (s.index === stage.index ? cut : s));
  return Object.assign(cut, { stagesView: view });
}

/** `RUN --mount=type=bind,source=x,target=/y` (bind is the default type; `from=` mounts another stage or image). */
function bindMounts(ins: DockerInstruction, cwd: string): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const kv = new Map<string, string>();
    for (const part of f.value.split(',')) {
      const eq = part.indexOf('=');
      kv.set((eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), eq < 0 ? 'true' : part.slice(eq + 1).trim().replace(/^["']|["']$/g, ''));
    }
    if ((kv.get('type') ?? 'bind') !== 'bind' || kv.has('from')) continue;
    const target = kv.get('target') ?? kv.get('dst') ?? kv.get('destination');
    if (!target) continue;
    out.push({ source: kv.get('source') ?? kv.get('src') ?? '.', target: posix.resolve(cwd, target) });
  }
  return out;
}

function joinRepo(context: string, source: string, rel: string): string | undefined {
  const n = posix.normalize(`/${source}/${rel}`).replace(/^\/+/, '').replace(/\/+$/, '');
  if (n.startsWith('..')) return undefined;
  return context ? (n ? `${context}/${n}` : context) : n;
}

/** The external image at the root of a stage's FROM chain. */
function rootBase(stages: readonly StageModel[], stage: StageModel): StageModel['base'] {
  let s = stage;
  for (let i = 0; i < 32 && s.baseStage !== undefined && stages[s.baseStage]; i++) s = stages[s.baseStage]!;
  return s.base;
}

function isClean(base: StageModel['base']): boolean {
  const name = officialImageName(base.repository);
  if (name && CLEAN_BASES.has(name)) return true;
  return /^gcr\.io\/distroless\/python3/.test(base.repository) || base.repository === 'ghcr.io/astral-sh/uv';
}

/** `python:3.12-slim` → `3.12`; `ghcr.io/astral-sh/uv:python3.12-bookworm` → `3.12`. */
function pythonVersionOf(base: StageModel['base']): string | undefined {
  const name = officialImageName(base.repository);
  const tag = base.tag ?? '';
  if (name === 'python') return /^(3\.\d+)/.exec(tag)?.[1];
  if (base.repository === 'ghcr.io/astral-sh/uv') return /python(3\.\d+)/.exec(tag)?.[1];
  return undefined;
}
