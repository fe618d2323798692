/**
 * Replays each stage of a Dockerfile into an ImageState and wraps it as an ImageModel.
 *
 * WORKDIR: BuildKit creates a missing WORKDIR (and missing parents) 0755 owned by the current
 * USER (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go dispatchWorkdir:
 * `llb.Mkdir(wd, 0755, WithParents(true), WithUser(user))`; tonistiigi/fsutil copy/mkdir.go chowns
 * every directory it creates). The classic builder created it as root (moby/moby#36677, fixed in
 * BuildKit by moby/buildkit#1002); BuildKit is the default builder since Docker 23, so we model it.
 */
import { posix } from 'node:path';
import type { SourceFile } from '../../core/source-file.js';
import { basePath, DEFAULT_PATH, matchBaseImage } from '../../knowledge/base-images.js';
import { distributionsProviding } from '../../knowledge/python-packages.js';
import { processWord, type Lookup } from '../../parse/dockerfile/expand.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import type { ShellCommand } from '../../parse/shell/types.js';
import { commandBasename } from '../../parse/shell/unwrap.js';
import type { DockerfileModel, RepoTree, StageModel } from '../types.js';
import type { StageCtx } from './context.js';
import { mkdirs, resolveIn } from './context.js';
import { applyCopy } from './copy.js';
import { interpretRun } from './run.js';
import { ImageState, isUnder, normPath } from './state.js';
import type { ExecutableInfo, ImageModel, ImagePathInfo, ImageUser, OsPackageChange, ProjectInstall } from './types.js';
import { lookupUser, seedAccounts } from './users.js';

/** USER named through a variable we cannot expand */
export const UNKNOWN_USER = '\u0000unknown-user';

export interface ImageBuildOptions {
  /** build context relative to the scanned root ('' = root); undefined when unknown (remote URL) */
  contextDir?: string;
  tree?: RepoTree;
  ignore?: { excludes(relPathInContext: string): boolean };
  /** read a repository file (relative to the scanned root) */
  readText(path: string): string | undefined;
}

interface StageResult {
  state: ImageState;
  vars: Map<string, string | undefined>;
  user: string;
  group?: string;
  /** a USER was set somewhere in the chain (or the base's default is known) */
  userKnown: boolean;
  cwd: string;
  shellIsPosix: boolean;
  model: ImageModel;
}

export async function buildImageModels(df: DockerfileModel, opts: ImageBuildOptions): Promise<ImageModel[]> {
  const results: StageResult[] = [];
  const stageIndex = (ref: string): number | undefined => {
    const lower = ref.toLowerCase();
    const byName = df.stages.find((s) => s.name?.toLowerCase() === lower);
    if (byName) return byName.index;
    return /^\d+$/.test(ref) && Number(ref) < results.length ? Number(ref) : undefined;
  };
  for (const stage of df.stages) results.push(await buildStage(df, stage, results, stageIndex, opts));
  return results.map((r) => r.model);
}

async function buildStage(
  df: DockerfileModel, stage: StageModel, earlier: StageResult[], stageIndex: (ref: string) => number | undefined, opts: ImageBuildOptions,
): Promise<StageResult> {
  const parent = stage.baseStage !== undefined ? earlier[stage.baseStage] : undefined;
  let state: ImageState;
  let vars: Map<string, string | undefined>;
  let user: string;
  let group: string | undefined;
  let userKnown: boolean;
  let cwd: string;
  let shellIsPosix: boolean;
  if (parent) {
    state = inherit(parent.state);
    vars = new Map(parent.vars);
    user = parent.user;
    group = parent.group;
    userKnown = parent.userKnown;
    cwd = parent.cwd;
    shellIsPosix = parent.shellIsPosix;
  } else {
    const facts = matchBaseImage(stage.base);
    state = new ImageState(facts, facts === undefined);
    state.step = 0;
    seedAccounts(state);
    for (const d of facts?.dirs ?? []) {
      state.set(d.path, { kind: 'dir', origin: 'base', ...(d.mode !== undefined ? { mode: d.mode } : {}), ...(d.owner !== undefined ? { owner: d.owner } : {}) });
      const uid = d.owner === undefined ? undefined : state.accounts.find((a) => a.name === d.owner)?.uid;
      if (uid !== undefined) state.set(d.path, { ...state.current.get(normPath(d.path))!, ownerUid: uid });
    }
    vars = new Map([['PATH', (facts ? basePath(facts) : DEFAULT_PATH).join(':')]]);
    user = facts?.defaultUser ?? 'root';
    userKnown = facts?.defaultUser !== undefined;
    cwd = facts?.workdir ?? '/';
    shellIsPosix = true;
  }
  const projectInstalls: ProjectInstall[] = [];
  const osPackages: OsPackageChange[] = [];
  const opaque: { instruction: DockerInstruction; reason: string }[] = [];
  const runCommands = new Map<number, ShellCommand[]>();
  const args = new Map<string, string | undefined>();
  const esc = df.ast.escape;
  let poetryNoVenv = false;

  for (let i = 1; i < stage.instructions.length; i++) {
    const ins = stage.instructions[i]!;
    state.step = i;
    const lookup: Lookup = (n) => (vars.has(n) ? vars.get(n) : args.get(n));
    const word = (w: string): string => processWord(w, lookup, esc);
    const ctx: StageCtx = {
      state, stageIndex: stage.index, ins, cwd, user, vars: new Map([...args, ...vars]),
      readText: opts.readText, projectInstalls, osPackages, poetryNoVenv,
      opaque: (reason) => {
        opaque.push({ instruction: ins, reason });
        state.opaque();
      },
    };
    if (group !== undefined) ctx.group = group;
    switch (ins.keyword) {
      case 'ARG':
        for (const a of ins.args) {
          const eq = a.value.indexOf('=');
          const name = eq < 0 ? a.value : a.value.slice(0, eq);
          args.set(name, eq < 0 ? df.globalArgs.get(name) : word(a.value.slice(eq + 1)));
        }
        break;
      case 'ENV':
        for (const [k, v] of envPairs(ins, word)) vars.set(k, v);
        break;
      case 'USER': {
        let missed = false;
        const spec = processWord(ins.argsText, (n) => {
          const v = lookup(n);
          if (v === undefined) missed = true;
          return v;
        }, esc).trim();
        const [u, g] = spec.split(':');
        // `USER $APP_USER` with a variable we do not know: the account is unknown
        const unknown = missed && !/\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]/.test(ins.argsText);
        user = unknown ? UNKNOWN_USER : u || 'root';
        group = unknown ? undefined : g || undefined;
        userKnown = !unknown;
        break;
      }
      case 'WORKDIR': {
        const dir = word(ins.argsText).trim();
        if (!dir) break;
        cwd = resolveIn(cwd, dir);
        ctx.cwd = cwd;
        mkdirs(ctx, cwd);
        break;
      }
      case 'SHELL':
        if (ins.exec?.length) shellIsPosix = ['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh'].includes(commandBasename(ins.exec[0]!));
        break;
      case 'COPY':
      case 'ADD': {
        const step = stage.copies.find((c) => c.instruction === ins);
        if (!step) break;
        const env = {
          stages: earlier.map((r) => r.state),
          stageIndex: (ref: string) => {
            const idx = stageIndex(ref);
            return idx !== undefined && idx < stage.index ? idx : undefined;
          },
          ...(opts.contextDir !== undefined ? { contextDir: opts.contextDir } : {}),
          ...(opts.tree ? { tree: opts.tree } : {}),
          ...(opts.ignore ? { ignore: opts.ignore } : {}),
        };
        applyCopy(ctx, step, env);
        break;
      }
      case 'RUN': {
        if (!ins.exec && !shellIsPosix) {
          ctx.opaque('RUN in a non-POSIX SHELL');
          break;
        }
        const cmds = await interpretRun(ctx, df.source);
        if (cmds) runCommands.set(i, cmds);
        poetryNoVenv = ctx.poetryNoVenv;
        break;
      }
      case 'ONBUILD':
        break;
    }
  }
  state.step = stage.instructions.length;
  const model = imageModel(stage, state, vars, user, userKnown, projectInstalls, osPackages, opaque, runCommands);
  return { state, vars, user, ...(group !== undefined ? { group } : {}), userKnown, cwd, shellIsPosix, model };
}

/** A stage FROM an earlier stage starts with that stage's final filesystem. */
function inherit(p: ImageState): ImageState {
  const s = new ImageState(p.base, p.unknownBase);
  s.step = 0;
  s.importFrom(p);
  for (const [k, t] of p.tools) s.tools.set(k, { ...t });
  s.toolsUnknown = p.toolsUnknown;
  s.packagesInstalled = p.packagesInstalled;
  s.unknownPackages = p.unknownPackages;
  for (const a of p.accounts) s.accounts.push({ ...a });
  for (const g of p.groups) s.groups.push({ ...g });
  s.accountsUnknown = p.accountsUnknown;
  s.systemAccountsUnknown = p.systemAccountsUnknown;
  for (const r of p.python) s.python.push({ ...r });
  for (const v of p.venvs) s.venvs.add(v);
  return s;
}

/** `ENV K=V K2="v 2"` or the legacy `ENV K value with spaces`, expanded with the values before it. */
function envPairs(ins: DockerInstruction, word: (w: string) => string): [string, string][] {
  const [first] = ins.args;
  if (!first) return [];
  if (!first.value.includes('=')) return [[first.value, word(ins.argsText.replace(/^\S+[ \t]*/, ''))]];
  const values = ins.args.map((a): [string, string] => {
    const eq = a.value.indexOf('=');
    return [eq < 0 ? a.value : a.value.slice(0, eq), eq < 0 ? '' : word(a.value.slice(eq + 1))];
  });
  return values;
}

// ---------------------------------------------------------------- the public model

function imageModel(
  stage: StageModel, state: ImageState, vars: Map<string, string | undefined>, user: string, userKnown: boolean,
  projectInstalls: ProjectInstall[], osPackages: OsPackageChange[], opaque: { instruction: DockerInstruction; reason: string }[],
  runCommands: ReadonlyMap<number, ShellCommand[]>,
): ImageModel {
  const pathValue = vars.get('PATH');
  const path = (pathValue ?? DEFAULT_PATH.join(':')).split(':').filter(Boolean).map(normPath);
  const onPath = (dir: string | undefined): boolean | undefined => (dir === undefined ? undefined : path.includes(normPath(dir)));

  const findExecutable = (name: string): ExecutableInfo => {
    if (name.includes('/')) return fileExecutable(state, resolveIn(stage.workdir, name));
    let undecided = false;
    for (const dir of path) {
      const r = state.lookup(`${dir}/${name}`);
      if (r.exists === true) {
        const e = r.entry;
        if (!e || e.kind === 'dir') continue; // no entry: a base-image top-level directory (`.` resolves to one)
        const info = fileExecutable(state, `${dir}/${name}`);
        if (info.found !== false) return info;
        continue;
      }
      if (r.exists === undefined && r.zone !== undefined && state.unknownExecutablesIn(dir, name)) undecided = true;
    }
    const tool = state.tools.get(name);
    if (tool && !tool.present && !tool.uncertain) return undecided ? { found: undefined } : { found: false, via: tool.via, ...(tool.instruction ? { instruction: tool.instruction } : {}) };
    if (tool?.uncertain) return { found: undefined };
    if (undecided || state.toolsUnknown) return { found: undefined };
    const base = state.baseTool(name) ?? pythonScriptInBase(state, name);
    if (base === true) {
      const at = state.base?.toolPaths?.[name];
      return { found: true, via: 'base', ...(at ? { path: at } : {}) };
    }
    return base === false ? { found: false, via: 'base' } : { found: undefined };
  };

  const finalUser = userKnown ? lookupUser(state, user) : ({ query: '', exists: undefined, homeExists: undefined } as ImageUser);

  const writableBy = (p: string, who: string): boolean | undefined => {
    const u = lookupUser(state, who);
    if (u.uid === 0 || who === 'root') return true;
    let info: ImagePathInfo = state.info(p);
    // a path that does not exist is writable when its nearest existing ancestor is
    while (info.exists === false && info.path !== '/') info = state.info(posix.dirname(info.path));
    if (info.exists !== true || info.mode === undefined || info.owner === undefined) return undefined;
    const uid = u.uid ?? (/^\d+$/.test(who) ? Number(who) : undefined);
    const ownerIsUser =
      info.ownerUid !== undefined && uid !== undefined
        ? info.ownerUid === uid
        : info.owner === who || (u.name !== undefined && info.owner === u.name) || (uid !== undefined && info.owner === String(uid));
    if (ownerIsUser) return (info.mode & 0o200) !== 0;
    // is the owner certainly someone else? (a name we cannot map to a uid is not)
    const ownerIsOther =
      (info.ownerUid !== undefined && uid !== undefined) ||
      (info.owner === 'root' && uid !== 0) ||
      (/^\d+$/.test(info.owner) && uid !== undefined) ||
      (!/^\d+$/.test(info.owner) && u.name !== undefined && u.exists === true && state.accounts.some((a) => a.name === info.owner && a.uid !== undefined));
    if (!ownerIsOther) return undefined;
    if ((info.mode & 0o002) !== 0) return true;
    if ((info.mode & 0o020) !== 0) {
      // group write counts when the file's group is the user's primary group; other memberships are unknown
      const gname = u.gid === undefined ? undefined : state.groups.find((g) => g.gid === u.gid)?.name;
      if (info.group !== undefined && u.gid !== undefined && (info.group === String(u.gid) || info.group === gname)) return true;
      return undefined;
    }
    return false;
  };

  const pythonPackages = state.python.map((r) => ({ ...r, scriptsOnPath: onPath(r.scriptsDir) }));

  const model: ImageModel = {
    stage: stage.index,
    unknownBase: state.unknownBase,
    path,
    hasExecutable: (name) => findExecutable(name).found,
    findExecutable,
    pathAt: (step, p) => state.info(p, step),
    finalPath: (p) => state.info(p),
    writableBy,
    user: (q) => lookupUser(state, q),
    finalUser,
    pythonPackages,
    projectInstalls,
    osPackages,
    opaque,
    runCommands: (step) => runCommands.get(step),
  };
  if (state.base) model.base = state.base;
  return model;
}

/** An absolute path: an executable file? */
function fileExecutable(state: ImageState, p: string, depth = 0): ExecutableInfo {
  const r = state.lookup(p);
  if (r.exists === false) {
    // a base tool at a path the facts name
    const base = state.base;
    if (base && !state.unknownBase) for (const [tool, at] of Object.entries(base.toolPaths ?? {})) if (at === p && state.tools.get(tool)?.present !== false) return { found: true, path: p, via: 'base' };
    return { found: false };
  }
  if (r.exists === undefined) {
    const base = state.base;
    if (base && !state.unknownBase && r.zone === undefined) {
      for (const [tool, at] of Object.entries(base.toolPaths ?? {})) if (at === p) return { found: state.tools.get(tool)?.present === false ? false : true, path: p, via: 'base' };
      // a tool the base lacks, asked for in a PATH directory of the base
      const name = posix.basename(p);
      if (basePath(base).includes(posix.dirname(p)) && state.baseTool(name) === false && !state.tools.get(name)?.present) return { found: false };
    }
    return { found: undefined };
  }
  const e = r.entry;
  if (!e) return { found: false, path: p, via: 'base' }; // a base-image top-level directory
  const via = e.origin === 'base' ? 'base' : state.tools.get(posix.basename(p))?.path === p ? 'package' : state.python.some((x) => x.scriptsDir && isUnder(p, x.scriptsDir)) ? 'pip' : 'file';
  const info: ExecutableInfo = { found: undefined, path: p, via, ...(e.changedBy ? { instruction: e.changedBy } : {}) };
  if (e.kind === 'dir') return { ...info, found: false };
  if (e.kind === 'symlink') {
    if (!e.target || depth > 8) return info;
    return { ...fileExecutable(state, resolveIn(posix.dirname(p), e.target), depth + 1), path: p };
  }
  const exec = e.mode !== undefined ? (e.mode & 0o111) !== 0 : e.exec;
  return { ...info, found: exec };
}

/**
 * A Python console script (a name some distribution in knowledge/python-packages installs) in a
 * base image: absent when the base has no Python at all, or is an official python image (they
 * preinstall only pip, and setuptools/wheel on 3.10-3.11: shared KNOWLEDGE.md §1.4).
 */
function pythonScriptInBase(state: ImageState, name: string): boolean | undefined {
  if (state.unknownBase || !state.base) return undefined;
  const dists = distributionsProviding(name);
  if (dists.length === 0 || dists.includes('pip')) return undefined;
  if (state.baseTool('python3') === false) return false;
  if (['python', 'python-slim', 'python-alpine'].includes(state.base.id)) return false;
  return undefined;
}
