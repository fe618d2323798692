/**
 * The build context as BuildKit sends it: which ignore file a build uses and which of its
 * pattern lines leaves a path out.
 *
 * - BuildKit (buildx, Compose) first looks for `<Dockerfile path>.dockerignore` next to the
 *   Dockerfile; when it exists it replaces `.dockerignore` at the context root
 *   (https://docs.docker.com/build/concepts/context/#filename-and-location).
 * - Matching is moby/patternmatcher's (`createDockerignore`): patterns apply in order, the last
 *   one that matches a path or one of its parents decides.
 */
import { posix } from 'node:path';
import type { SourceFile } from '../core/source-file.js';
import { createDockerignore } from '../discover/dockerignore.js';
import type { CopyStep, DockerfileModel, DockerignoreModel, EnvironmentModel, ProjectModel, RepoTree, ServiceModel, Sourced, StageModel } from './types.js';
import { globToRegExp } from '../core/glob.js';
import { pathsUnder } from './tree-index.js';

/** The ignore file for a build of `dockerfile` (relative path) with `context` ('' = root). */
export function dockerignoreFor(
  context: string,
  dockerfile: string | undefined,
  readText: (path: string) => SourceFile | undefined,
): DockerignoreModel | undefined {
  const candidates = [dockerfile ? `${dockerfile}.dockerignore` : undefined, context ? posix.join(context, '.dockerignore') : '.dockerignore'];
  for (const path of candidates) {
    if (!path) continue;
    const src = readText(path);
    if (src) return dockerignoreModel(path, src.text);
  }
  return undefined;
}

interface LineMatcher {
  exclusion: boolean;
  ignores(path: string): boolean;
  pattern: Sourced<string>;
}

export function dockerignoreModel(path: string, text: string): DockerignoreModel {
  const whole = createDockerignore(text);
  let lines: LineMatcher[] | undefined;
  // one matcher per pattern line, built on first use: enough to name the line that decides
  const lineMatchers = (): LineMatcher[] => {
    if (lines) return lines;
    lines = [];
    const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    raw.forEach((line, i) => {
      if (line.startsWith('#') || !line.trim()) return;
      const one = createDockerignore(line);
      const p = one.patterns[0];
      if (!p || one.errors.length) return;
      const exclusion = p.startsWith('!');
      const positive = exclusion ? createDockerignore(p.slice(1)) : one;
      lines!.push({
        exclusion,
        ignores: (rel) => positive.ignores(rel),
        pattern: { value: line.trim(), loc: { file: path, startLine: i + 1, startColumn: 1, endLine: i + 1, endColumn: line.length + 1 } },
      });
    });
    return lines;
  };
  return {
    path,
    excludes: (rel) => whole.ignores(rel),
    excludedBy: (rel) => {
      if (!whole.ignores(rel)) return undefined;
      let by: LineMatcher | undefined;
      for (const m of lineMatchers()) {
        if (m.exclusion !== (by !== undefined)) continue;
        if (m.ignores(rel)) by = m.exclusion ? undefined : m;
      }
      return by?.pattern;
    },
    errors: whole.errors,
  };
}

// ---------------------------------------------------------------- queries over builds (pure)

/** One image build: a compose service's `build`, or a Dockerfile no compose file builds. */
export interface BuildInput {
  environment?: EnvironmentModel;
  service?: ServiceModel;
  dockerfile: DockerfileModel;
  /** the build context relative to the scanned root ('' is the root) */
  context: string;
  dockerignore?: DockerignoreModel;
  /** the stages the build runs: the target (or last) stage and every stage it depends on */
  stages: StageModel[];
  /** build args given by compose (value null: taken from the shell) */
  args: ReadonlyMap<string, string | null>;
}

const outside = (p: string): boolean => p.startsWith('/') || p.startsWith('~') || p === '..' || p.startsWith('../');

/**
 * Every build in the project: one per enabled compose service that builds a local Dockerfile, and
 * one for each Dockerfile no service (in any environment) builds, with its own directory as the
 * context. A Dockerfile that compose builds is never also listed on its own.
 */
export function projectBuilds(model: ProjectModel): BuildInput[] {
  const builds: BuildInput[] = [];
  const referenced = new Set<string>();
  for (const env of model.environments)
    for (const svc of env.services) {
      const b = svc.build;
      if (b?.dockerfile) referenced.add(b.dockerfile);
      const df = svc.runtime.dockerfile;
      const target = svc.runtime.stage;
      if (!svc.enabled || !b || b.context === undefined || outside(b.context) || !df || !target) continue;
      if (!model.tree.dirs.has(b.context)) continue; // compose/dockerfile-missing says so
      builds.push({ environment: env, service: svc, dockerfile: df, context: b.context, dockerignore: b.dockerignore, stages: stagesBuilt(df, target), args: b.args });
    }
  for (const [path, df] of model.dockerfiles) {
    if (referenced.has(path) || !df.stages.length) continue;
    const context = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const build: BuildInput = { dockerfile: df, context, dockerignore: df.dockerignore, stages: stagesBuilt(df, df.stages[df.stages.length - 1]!), args: new Map() };
    if (!fitsAncestorBetter(model.tree, build)) builds.push(build);
  }
  return builds;
}

/**
 * A Dockerfile nobody builds in compose is assumed to use its own directory as the context; when
 * its sources are missing there but all exist from a parent directory (`docker build -f
 * docker/Dockerfile .` in CI), the assumption is wrong and we know nothing about the context.
 */
function fitsAncestorBetter(tree: RepoTree, build: BuildInput): boolean {
  const rels = contextSources(build)
    .filter((s) => !s.glob && s.rel !== '.')
    .map((s) => s.rel);
  const existsFrom = (dir: string): boolean => rels.every((r) => treeEntry(tree, dir ? `${dir}/${r}` : r) !== 'missing');
  if (!rels.length || existsFrom(build.context)) return false;
  for (let dir = parentOf(build.context); dir !== undefined; dir = parentOf(dir)) if (existsFrom(dir)) return true;
  return false;
}

/** The target stage and the stages it needs (FROM <stage>, COPY --from, RUN --mount from=): BuildKit skips the rest. */
export function stagesBuilt(df: DockerfileModel, target: StageModel): StageModel[] {
  const seen = new Set<number>();
  const byRef = (ref: string): StageModel | undefined => {
    const lower = ref.toLowerCase();
    return df.stages.find((s) => s.name?.toLowerCase() === lower) ?? (/^\d+$/.test(ref) ? df.stages[Number(ref)] : undefined);
  };
  const visit = (s: StageModel): void => {
    if (seen.has(s.index)) return;
    seen.add(s.index);
    if (s.baseStage !== undefined && df.stages[s.baseStage]) visit(df.stages[s.baseStage]!);
    for (const c of s.copies) {
      const dep = c.from !== undefined ? byRef(c.from) : undefined;
      if (dep && dep.index < s.index) visit(dep);
    }
    for (const ins of s.instructions)
      for (const f of ins.flags) {
        if (f.name !== 'mount' || !f.value) continue;
        const from = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1];
        const dep = from ? byRef(from.replace(/^["']|["']$/g, '')) : undefined;
        if (dep && dep.index < s.index) visit(dep);
      }
  };
  visit(target);
  return df.stages.filter((s) => seen.has(s.index));
}

/** A COPY/ADD source that names a path of the build context. */
export interface ContextSource {
  step: CopyStep;
  stage: StageModel;
  source: Sourced<string>;
  /** the path relative to the context, cleaned ('.' is the context itself); a glob when `glob` */
  rel: string;
  /** the path relative to the scanned root */
  path: string;
  /** holds Go filepath.Match wildcards (`*`, `?`, `[`) */
  glob: boolean;
}

const URL_SOURCE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i;
const GLOB_CHARS = /[*?[]/;

/**
 * The context sources of the build's COPY/ADD steps. Left out: `--from` (another stage or image),
 * heredoc bodies, ADD URLs and git sources, `--parents`, sources with a variable we cannot resolve,
 * and sources that climb out of the context with `..`.
 */
export function contextSources(build: BuildInput): ContextSource[] {
  const out: ContextSource[] = [];
  for (const stage of build.stages)
    for (const step of stage.copies) {
      if (step.from !== undefined || step.heredoc) continue;
      if (step.instruction.flags.some((f) => f.name === 'parents' || f.name === 'checksum' || f.name === 'keep-git-dir')) continue;
      step.sources.forEach((source, i) => {
        const raw = step.instruction.exec ? step.instruction.exec[i] : step.instruction.args[i]?.value;
        if (raw === undefined || source.value === '' || URL_SOURCE.test(source.value)) return;
        if (raw.includes('$') && !variablesKnown(raw, step, stage, build)) return;
        if (source.value.includes('\\')) return; // escapes in a pattern: not worth guessing
        const cleaned = posix.normalize(source.value.replace(/^\/+/, '') || '.').replace(/\/+$/, '') || '.';
        if (cleaned === '..' || cleaned.startsWith('../')) return;
        const path = cleaned === '.' ? build.context : build.context ? `${build.context}/${cleaned}` : cleaned;
        out.push({ step, stage, source, rel: cleaned, path, glob: GLOB_CHARS.test(cleaned) });
      });
    }
  return out;
}

/**
 * True when every variable the raw source names has a value we know at that step: an ENV of the
 * stage (or its base stage), or an ARG with a default (or a value compose passes).
 */
function variablesKnown(raw: string, step: CopyStep, stage: StageModel, build: BuildInput): boolean {
  const names = [...raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  if (!names.length) return false;
  const known = new Set<string>();
  const base = stage.baseStage !== undefined ? build.dockerfile.stages[stage.baseStage] : undefined;
  for (const k of base?.env.keys() ?? []) known.add(k);
  for (const ins of stage.instructions) {
    if (ins === step.instruction) break;
    if (ins.keyword === 'ENV') {
      const first = ins.args[0]?.value ?? '';
      if (!first.includes('=')) known.add(first);
      else for (const a of ins.args) known.add(a.value.split('=')[0]!);
    } else if (ins.keyword === 'ARG') {
      for (const a of ins.args) {
        const eq = a.value.indexOf('=');
        const name = eq < 0 ? a.value : a.value.slice(0, eq);
        const given = build.args.get(name);
        if (given !== undefined) {
          if (given !== null) known.add(name);
          else known.delete(name);
        } else if (eq >= 0 || build.dockerfile.globalArgs.get(name) !== undefined) known.add(name);
      }
    }
  }
  return names.every((n) => known.has(n));
}

/** Facts about the scanned tree that several queries need, computed once per tree. */
interface TreeIndex {
  /** directories that hold at least one file or directory the walk saw */
  nonEmpty: Set<string>;
  /** lower-cased path → paths, for "did you mean" hints */
  lower: Map<string, string[]>;
  /** every directory above a tracked path (and the tracked paths themselves) */
  trackedDirs: Set<string>;
  /** tracked gitlinks (submodules): their content is not in the index */
  submodules: Set<string>;
}

const indexes = new WeakMap<RepoTree, TreeIndex>();

function treeIndex(tree: RepoTree): TreeIndex {
  let ix = indexes.get(tree);
  if (ix) return ix;
  const nonEmpty = new Set<string>();
  const lower = new Map<string, string[]>();
  for (const p of [...tree.files, ...tree.dirs]) {
    if (!p) continue;
    nonEmpty.add(p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
    const l = p.toLowerCase();
    lower.set(l, [...(lower.get(l) ?? []), p]);
  }
  const trackedDirs = new Set<string>();
  const submodules = new Set<string>();
  for (const p of tree.git?.tracked ?? []) {
    trackedDirs.add(p);
    if (tree.git?.modes.get(p) === 0o160000) submodules.add(p);
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) trackedDirs.add(p.slice(0, i));
  }
  ix = { nonEmpty, lower, trackedDirs, submodules };
  indexes.set(tree, ix);
  return ix;
}

/**
 * Whether a path exists in the scanned tree: 'unknown' when its nearest existing parent is a
 * directory the walk did not enter (node_modules, .venv, a directory symlink).
 */
export function treeEntry(tree: RepoTree, path: string): 'file' | 'dir' | 'missing' | 'unknown' {
  if (tree.files.has(path)) return 'file';
  if (tree.dirs.has(path)) return 'dir';
  const ix = treeIndex(tree);
  for (let p = parentOf(path); p !== undefined; p = parentOf(p)) {
    if (tree.files.has(p)) return 'missing';
    if (tree.dirs.has(p)) return p === '' || ix.nonEmpty.has(p) ? 'missing' : 'unknown';
  }
  return 'missing';
}

function parentOf(p: string): string | undefined {
  if (p === '') return undefined;
  return p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
}

/** Paths of the tree that differ from `path` only in letter case. */
export function caseVariants(tree: RepoTree, path: string): string[] {
  return (treeIndex(tree).lower.get(path.toLowerCase()) ?? []).filter((p) => p !== path);
}

/** The file paths of the tree at or below `path` ('' is the root). */
export function filesUnder(tree: RepoTree, path: string): string[] {
  if (tree.files.has(path)) return [path];
  return [...pathsUnder(tree.files, path)];
}

/**
 * Whether the build context lacks this existing path because the ignore file excludes it. A
 * directory counts as excluded only when no file below it is brought back by a `!` pattern.
 */
export function excludedFromContext(build: BuildInput, tree: RepoTree, rel: string, path: string): boolean {
  const ig = build.dockerignore;
  if (!ig || rel === '.' || !ig.excludes(rel)) return false;
  if (!tree.dirs.has(path)) return true;
  const base = build.context ? build.context.length + 1 : 0;
  return filesUnder(tree, path).every((f) => ig.excludes(f.slice(base)));
}

/** Tree entries (files and directories) of the context that the glob `rel` matches and the context keeps. */
export function globMatches(build: BuildInput, tree: RepoTree, rel: string): string[] {
  const re = globToRegExp(rel);
  const prefix = build.context ? `${build.context}/` : '';
  const out: string[] = [];
  for (const p of [...tree.files, ...tree.dirs]) {
    if (!p || !p.startsWith(prefix)) continue;
    const r = p.slice(prefix.length);
    if (re.test(r) && !excludedFromContext(build, tree, r, p)) out.push(p);
  }
  return out.sort();
}

/** The directory part of a glob before its first wildcard segment ('.' when it starts with one). */
export function globBase(rel: string): string {
  const segs = rel.split('/');
  const i = segs.findIndex((s) => GLOB_CHARS.test(s));
  return segs.slice(0, i).join('/') || '.';
}


/** Whether git tracks the path (a file, or a directory with a tracked path below it, or inside a submodule). */
export function isTracked(tree: RepoTree, path: string): boolean {
  if (!tree.git) return true;
  const ix = treeIndex(tree);
  if (path === '' || ix.trackedDirs.has(path)) return true;
  for (let p = parentOf(path); p !== undefined && p !== ''; p = parentOf(p)) if (ix.submodules.has(p)) return true;
  return false;
}

/**
 * Paths a CI job usually generates before `docker build` (and rightly keeps out of git): their
 * absence from a working copy or from git is not a defect we can be sure of.
 */
const BUILD_OUTPUT_DIRS = new Set(['dist', 'build', 'target', 'out', 'bin', 'obj', '_build', '.next', '.nuxt', '.output', '.svelte-kit', 'coverage', 'vendor', 'node_modules', '.venv', 'venv', 'wheels', 'wheelhouse', 'artifacts']);
const BUILD_OUTPUT_FILE = /\.(?:jar|war|ear|whl|egg|tgz|tar\.gz|zip|so|dll|exe)$/i;

export function isBuildOutput(rel: string): boolean {
  return rel.split('/').some((seg) => BUILD_OUTPUT_DIRS.has(seg)) || BUILD_OUTPUT_FILE.test(rel);
}
