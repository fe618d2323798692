/**
 * discover: walk the tree, classify and read deployment files, load the config, find git facts
 * and group compose files into environments. The only layer besides `fix` that touches disk.
 */
import { posix, resolve } from 'node:path';
import type { SourceFile } from '../core/source-file.js';
import type { FileKind, GitFacts } from './types.js';
import { EAGER_KINDS } from './classify.js';
import { loadConfig, type DrydockConfig } from './config.js';
import { groupEnvironments, isProductionName, composeSuffix, environmentNameFor, type EnvironmentSpec } from './environments.js';
import { loadGitFacts } from './git.js';
import { readSource, type ReadOutcome } from './read-file.js';
import { walkTree, type WalkResult } from './walk.js';

/**
 * 'auto' reads .git/index; 'off' ignores git; a map (path → mode) stands in for the index
 * (tests); `{ facts }` reuses facts read elsewhere (the fix engine's scratch copy of a tree).
 */
export type GitOption = 'auto' | 'off' | ReadonlyMap<string, number> | { facts: GitFacts };

export interface DiscoverOptions {
  /** explicit compose files (`-f`), relative to the root or absolute: one environment */
  composeFiles?: string[];
  configFile?: string;
  /** 'auto' reads .git/index; 'off' ignores git; a map (path → mode) stands in for the index (tests) */
  git?: GitOption;
}

export interface ReadProblem {
  path: string;
  kind: FileKind;
  reason: string;
}

export interface Discovery {
  root: string;
  walk: WalkResult;
  config: DrydockConfig;
  git: GitFacts | null;
  /** deployment files read up front */
  sources: Map<string, SourceFile>;
  problems: ReadProblem[];
  environments: EnvironmentSpec[];
  /** memoised reader for files the model needs later (env_files, scripts, Python modules) */
  read(path: string): ReadOutcome;
}

export function discover(rootDir: string, options: DiscoverOptions = {}): Discovery {
  const root = resolve(rootDir);
  const config = loadConfig(root, options.configFile);
  const walk = walkTree(root, { skip: config.skip });
  const gitOpt = options.git ?? 'auto';
  const git =
    gitOpt === 'off'
      ? null
      : gitOpt === 'auto'
        ? loadGitFacts(root, walk.gitignored)
        : gitOpt instanceof Map
          ? { tracked: new Set(gitOpt.keys()), modes: gitOpt, ignored: walk.gitignored }
          : { ...(gitOpt as { facts: GitFacts }).facts, ignored: walk.gitignored };
  const cache = new Map<string, ReadOutcome>();
  const read = (path: string): ReadOutcome => {
    let r = cache.get(path);
    if (!r) {
      const broken = walk.brokenLinks.get(path);
      r = broken ? { ok: false, reason: `${broken}; cannot read` } : readSource(root, path);
      cache.set(path, r);
    }
    return r;
  };
  const sources = new Map<string, SourceFile>();
  const problems: ReadProblem[] = [];
  // dotenv files are read even when git ignores them: compose reads them at `up` time
  const candidates = [...walk.kinds, ...[...walk.ignoredKinds].filter(([, k]) => k === 'dotenv')];
  for (const [path, kind] of candidates.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!EAGER_KINDS.has(kind) || kind === 'config') continue;
    const r = read(path);
    if (r.ok) sources.set(path, r.source);
    else problems.push({ path, kind, reason: r.reason });
  }
  const environments = options.composeFiles?.length
    ? [commandLineEnvironment(root, options.composeFiles)]
    : config.environments
      ? Object.entries(config.environments).map(([name, e]) => ({
          name,
          composeFiles: e.composeFiles.map((f) => posix.normalize(f)),
          envFiles: e.envFiles,
          production: e.production ?? isProductionName(name),
          origin: 'config' as const,
        }))
      : groupEnvironments([...walk.kinds].filter(([, k]) => k === 'compose').map(([p]) => p));
  return { root, walk, config, git, sources, problems, environments, read };
}

function commandLineEnvironment(root: string, files: string[]): EnvironmentSpec {
  const rel = files.map((f) => posix.normalize(posix.relative(root.split('\\').join('/'), resolve(root, f).split('\\').join('/'))));
  const suffix = composeSuffix(rel[rel.length - 1]!);
  const name = suffix ? environmentNameFor(suffix) : 'default';
  return { name, composeFiles: rel, production: isProductionName(name), origin: 'command-line' };
}
