/**
 * Walk the scanned tree once: every file and directory (for existence checks), the kind of each
 * deployment file, and .gitignore decisions. Directory symlinks are recorded but never followed,
 * so a symlink loop cannot trap the walk.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { FileKind } from './types.js';
import { classify } from './classify.js';

/** Folders that never hold deployment files of the project itself. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.terraform', 'bower_components', '.next', '.cache', 'vendor', 'third_party']);
/** A bound that keeps a scan of a huge tree from exhausting memory. */
const MAX_ENTRIES = 500_000;

export interface WalkResult {
  files: Set<string>;
  dirs: Set<string>;
  /** symlinks that could not be resolved (loops, dangling) */
  brokenLinks: Map<string, string>;
  kinds: Map<string, FileKind>;
  /** classified files that .gitignore (or config paths) exclude from the scan */
  ignoredKinds: Map<string, FileKind>;
  gitignored(path: string): boolean;
  truncated: boolean;
}

export interface WalkOptions {
  /** extra path globs (gitignore syntax) that the scan skips, from the config file */
  skip?: string[];
}

export function walkTree(root: string, options: WalkOptions = {}): WalkResult {
  const files = new Set<string>();
  const dirs = new Set<string>(['']);
  const brokenLinks = new Map<string, string>();
  const kinds = new Map<string, FileKind>();
  const ignoredKinds = new Map<string, FileKind>();
  // nested .gitignore files, by directory; each applies to paths below its directory
  const ignores: { dir: string; ig: Ignore }[] = [];
  const skip = options.skip?.length ? ignore().add(options.skip) : null;
  let count = 0;
  let truncated = false;

  const isIgnored = (rel: string, isDir: boolean): boolean => {
    for (const { dir, ig } of ignores) {
      if (dir && !rel.startsWith(dir + '/')) continue;
      const sub = dir ? rel.slice(dir.length + 1) : rel;
      if (sub && ig.ignores(isDir ? sub + '/' : sub)) return true;
    }
    return false;
  };

  const visit = (rel: string, parentIgnored: boolean): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return; // unreadable directory: its files are simply unknown
    }
    // a virtualenv under any name (`.venv`, `env`, `py311`) is marked by its pyvenv.cfg
    if (rel && entries.some((e) => e.name === 'pyvenv.cfg')) return;
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        ignores.push({ dir: rel, ig: ignore().add(readFileSync(join(root, rel, '.gitignore'), 'utf8')) });
      } catch {
        /* unreadable .gitignore: nothing ignored */
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++count > MAX_ENTRIES) {
        truncated = true;
        return;
      }
      const path = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(join(root, path));
          isDir = st.isDirectory();
          isFile = st.isFile();
          if (isDir) {
            dirs.add(path); // recorded, not followed
            continue;
          }
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          brokenLinks.set(path, code === 'ELOOP' ? 'symbolic link loop' : 'dangling symbolic link');
          const kind = classify(path);
          if (kind !== 'other') kinds.set(path, kind);
          continue;
        }
      }
      if (isDir) {
        dirs.add(path);
        if (SKIP_DIRS.has(e.name)) continue;
        const ignored = parentIgnored || isIgnored(path, true) || (skip?.ignores(path + '/') ?? false);
        visit(path, ignored);
      } else if (isFile) {
        files.add(path);
        const kind = classify(path);
        if (kind === 'other') continue;
        const ignored = parentIgnored || isIgnored(path, false) || (skip?.ignores(path) ?? false);
        (ignored ? ignoredKinds : kinds).set(path, kind);
      }
    }
  };
  visit('', false);
  return {
    files,
    dirs,
    brokenLinks,
    kinds,
    ignoredKinds,
    gitignored: (p) => isIgnored(p, dirs.has(p)),
    truncated,
  };
}
