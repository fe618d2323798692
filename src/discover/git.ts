/**
 * Git facts without running git: the index gives tracked paths and their modes (the exec bit
 * Docker will copy), and the walk's .gitignore matcher says what a clean checkout lacks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitFacts } from './types.js';
import { findGitDir, gitPrefix, readGitIndex } from './git-index.js';
import { openGitHistory, type GitHistory } from './git-history.js';

export function loadGitFacts(root: string, gitignored: (path: string) => boolean): GitFacts | null {
  const gitDir = findGitDir(root);
  if (!gitDir) return null;
  let entries: { path: string; mode: number }[];
  try {
    entries = readGitIndex(readFileSync(join(gitDir, 'index')));
  } catch {
    // a fresh `git init` has no index yet: nothing is tracked
    entries = [];
  }
  const prefix = gitPrefix(root, gitDir);
  const tracked = new Set<string>();
  const modes = new Map<string, number>();
  for (const e of entries) {
    if (prefix && !e.path.startsWith(prefix + '/')) continue;
    const rel = prefix ? e.path.slice(prefix.length + 1) : e.path;
    tracked.add(rel);
    modes.set(rel, e.mode);
  }
  let history: GitHistory | null | undefined;
  return { tracked, modes, ignored: gitignored, history: () => (history === undefined ? (history = openGitHistory(gitDir, { prefix })) : history) };
}
