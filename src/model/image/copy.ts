/**
 * COPY and ADD. BuildKit semantics (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go
 * dispatchCopy; tonistiigi/fsutil copy):
 * - missing destination directories are created 0755, owned by `--chown` or root;
 * - files from the build context are owned by root (or `--chown`), "All new files and
 *   directories are created with a UID and GID of 0" (Dockerfile reference, COPY);
 * - `COPY --from` keeps the source's owners and modes unless `--chown`/`--chmod` (moby/moby#38599);
 * - a source directory's *contents* are copied, not the directory itself (moby/buildkit#1941);
 * - existing directories keep their metadata; `--chmod` applies to what is copied;
 * - `ADD` of a remote URL gives mode 600; `ADD` of a local tar archive extracts it.
 */
import { posix } from 'node:path';
import type { CopyStep, RepoTree } from '../types.js';
import type { StageCtx } from './context.js';
import { mkdirs, uidOf } from './context.js';
import { isUnder, normPath, type Entry, type ImageState } from './state.js';
import { parseMode } from './run.js';
import { globToRegExp, hasGlob } from './words.js';
import { pathsUnder } from '../tree-index.js';

export interface CopyEnv {
  /** build context, relative to the scanned root ('' = root); undefined when unknown (remote) */
  contextDir?: string;
  tree?: RepoTree;
  /** the build's ignore file: paths relative to the context */
  ignore?: { excludes(relPathInContext: string): boolean };
  /** final states of earlier stages */
  stages: (ImageState | undefined)[];
  /** index of the stage a `--from` names, undefined when it names an external image */
  stageIndex(ref: string): number | undefined;
}

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

export function applyCopy(ctx: StageCtx, step: CopyStep, env: CopyEnv): void {
  const st = ctx.state;
  const chown = step.chown;
  const owner = chown !== undefined ? chown.split(':')[0]! : 'root';
  const group = chown !== undefined ? chown.split(':')[1] : 'root';
  const chmod = step.chmod !== undefined ? parseMode(step.chmod, undefined, false) : undefined;
  const dest = step.dest;
  if (!dest) return;
  const destDir = dest.endsWith('/');
  const destPath = normPath(dest);

  const make = (e: Omit<Entry, 'origin' | 'owner' | 'ownerUid' | 'group'>, keep?: Entry): Entry => {
    const out: Entry = { ...e, origin: 'instruction', createdBy: ctx.ins, changedBy: ctx.ins };
    if (keep && chown === undefined) {
      if (keep.owner !== undefined) out.owner = keep.owner;
      if (keep.ownerUid !== undefined) out.ownerUid = keep.ownerUid;
      if (keep.group !== undefined) out.group = keep.group;
    } else if (!keep || chown !== undefined) {
      out.owner = owner;
      const uid = uidOf(ctx, owner);
      if (uid !== undefined) out.ownerUid = uid;
      if (group !== undefined) out.group = group;
    }
    if (chmod !== undefined && out.kind !== 'dir') {
      out.mode = chmod;
      delete out.exec;
    }
    return out;
  };
  const ensureDir = (dir: string): void => mkdirs(ctx, dir, 0o755, owner, group);
  const putFile = (path: string, e: Entry): void => {
    ensureDir(posix.dirname(path));
    st.set(path, e);
  };
  /** a directory inside the copied tree: created with the copy's owner, an existing one is kept */
  const putDir = (path: string, keep?: Entry): void => {
    const r = st.lookup(path);
    if (r.exists === true) return;
    ensureDir(posix.dirname(path));
    st.set(path, make({ kind: 'dir', ...(keep?.mode !== undefined ? { mode: keep.mode } : {}) }, keep));
  };

  // ------------------------------------------------------------ COPY --from
  if (step.from !== undefined) {
    const idx = env.stageIndex(step.from);
    const src = idx === undefined ? undefined : env.stages[idx];
    if (!src) {
      // an external image or a stage we could not model: something lands at the destination
      ensureDir(destDir || step.sources.length > 1 ? destPath : posix.dirname(destPath));
      st.zone(destPath, 'any');
      return;
    }
    const many = step.sources.length > 1;
    for (const s of step.sources) {
      const sources = hasGlob(s.value) ? [...src.current.keys()].filter((k) => globToRegExp(normPath(s.value)).test(k)) : [normPath(s.value)];
      const multi = many || sources.length > 1 || hasGlob(s.value);
      for (const from of sources) copyFromStage(ctx, src, idx!, from, destPath, destDir || multi, make, ensureDir, putFile, putDir);
      if (hasGlob(s.value)) {
        const lit = normPath(s.value.slice(0, s.value.search(/[*?[]/)));
        if (src.lookup(`${lit}/\u0000`).exists === undefined) st.zone(destPath, 'any');
      }
    }
    return;
  }

  // ------------------------------------------------------------ heredoc, URL, context
  const contextKnown = env.contextDir !== undefined && env.tree !== undefined;
  const many = step.sources.length > 1;
  for (const s of step.sources) {
    const v = s.value;
    const heredoc = /^<<-?["']?([A-Za-z0-9_.-]+)["']?$/.exec(v);
    if (heredoc && step.heredoc) {
      const path = destDir ? `${destPath}/${heredoc[1]}` : destPath;
      putFile(path, make({ kind: 'file', mode: 0o644 }));
      continue;
    }
    if (/^https?:\/\//i.test(v)) {
      if (step.keyword !== 'ADD') continue;
      const name = posix.basename(v.replace(/[?#].*$/, '')) || '__unnamed__';
      putFile(destDir || many ? `${destPath}/${name}` : destPath, make({ kind: 'file', mode: 0o600 }));
      continue;
    }
    if (/^(git@|git:\/\/|ssh:\/\/)|\.git(#.*)?$/.test(v)) {
      ensureDir(destPath);
      st.zone(destPath, 'any');
      continue;
    }
    if (!contextKnown) {
      ensureDir(destDir || many ? destPath : posix.dirname(destPath));
      st.zone(destPath, 'any');
      continue;
    }
    copyFromContext(ctx, env, v, destPath, destDir || many, step.keyword === 'ADD', make, ensureDir, putFile, putDir);
  }
}

type Make = (e: Omit<Entry, 'origin' | 'owner' | 'ownerUid' | 'group'>, keep?: Entry) => Entry;

function copyFromContext(
  ctx: StageCtx, env: CopyEnv, src: string, dest: string, intoDir: boolean, add: boolean,
  make: Make, ensureDir: (d: string) => void, putFile: (p: string, e: Entry) => void, putDir: (p: string, keep?: Entry) => void,
): void {
  const tree = env.tree!;
  const base = env.contextDir!;
  const rel = normPath(src).slice(1); // '' = the context root
  const repo = (r: string): string => (base ? (r ? `${base}/${r}` : base) : r);
  const ignored = (r: string): boolean => r !== '' && (env.ignore?.excludes(r) ?? false);
  const gitMode = (p: string): number | undefined => {
    const m = tree.git?.modes.get(p);
    if (m === undefined) return undefined;
    return (m & 0o170000) === 0o120000 ? undefined : m & 0o777;
  };

  // matches: context-relative paths of files or directories
  let matches: string[];
  if (hasGlob(rel)) {
    const re = globToRegExp(rel);
    const prefix = base ? `${base}/` : '';
    const cands = new Set<string>();
    for (const f of [...tree.files, ...tree.dirs]) {
      if (base && !f.startsWith(prefix)) continue;
      const r = base ? f.slice(prefix.length) : f;
      if (r && re.test(r)) cands.add(r);
    }
    matches = [...cands].filter((m) => !ignored(m)).sort();
    intoDir = intoDir || matches.length > 1;
  } else matches = [rel];

  for (const m of matches) {
    const repoPath = repo(m);
    if (tree.files.has(repoPath) && !ignored(m)) {
      const to = intoDir || ctx.state.lookup(dest).entry?.kind === 'dir' ? `${dest}/${posix.basename(m)}` : dest;
      if (add && ARCHIVE.test(m)) {
        ensureDir(dest);
        ctx.state.zone(dest, 'any');
        continue;
      }
      const mode = gitMode(repoPath);
      putFile(to, { ...make({ kind: 'file', ...(mode !== undefined ? { mode } : {}) }), contextSource: repoPath });
      continue;
    }
    if (m === '' || tree.dirs.has(repoPath)) {
      // the directory's contents go into dest
      ensureDir(dest);
      const prefix = repoPath ? `${repoPath}/` : '';
      for (const d of pathsUnder(tree.dirs, repoPath)) {
        const r = d.slice(prefix.length);
        if (!r) continue; // the root itself
        if (ignored(m ? `${m}/${r}` : r)) continue;
        putDir(`${dest}/${r}`);
      }
      for (const f of pathsUnder(tree.files, repoPath)) {
        const r = f.slice(prefix.length);
        if (ignored(m ? `${m}/${r}` : r)) continue;
        const mode = gitMode(f);
        putFile(`${dest}/${r}`, { ...make({ kind: 'file', ...(mode !== undefined ? { mode } : {}) }), contextSource: f });
      }
      // folders the repository walk skips (node_modules, .venv, ...) may be in the context too
      ctx.state.zone(dest, 'context');
    }
    // a source that is not in the context fails the build; nothing to add
  }
}

function copyFromStage(
  ctx: StageCtx, src: ImageState, srcIndex: number, from: string, dest: string, intoDir: boolean,
  make: Make, ensureDir: (d: string) => void, putFile: (p: string, e: Entry) => void, putDir: (p: string, keep?: Entry) => void,
): void {
  const st = ctx.state;
  const r = src.lookup(from);
  if (r.exists === false) return; // the build fails
  const tree = src.subtree(from);
  const isDir = r.entry?.kind === 'dir' || tree.length > 1 || (r.exists === undefined && tree.length > 0);
  if (!isDir && r.exists === true) {
    const to = intoDir || st.lookup(dest).entry?.kind === 'dir' ? `${dest}/${posix.basename(from)}` : dest;
    const e = r.entry!;
    putFile(to, make({ ...(e.kind ? { kind: e.kind } : {}), ...(e.mode !== undefined ? { mode: e.mode } : {}), ...(e.exec !== undefined ? { exec: e.exec } : {}), ...(e.target ? { target: e.target } : {}) }, e));
    return;
  }
  ensureDir(dest);
  for (const [rel, e] of tree) {
    if (!rel) continue; // the directory itself is not copied, only its contents
    const to = `${dest}/${rel}`;
    if (e.kind === 'dir') putDir(to, e);
    else putFile(to, make({ ...(e.kind ? { kind: e.kind } : {}), ...(e.mode !== undefined ? { mode: e.mode } : {}), ...(e.exec !== undefined ? { exec: e.exec } : {}), ...(e.target ? { target: e.target } : {}) }, e));
  }
  for (const z of src.unknownUnder(from)) st.zone(z.rel ? `${dest}/${z.rel}` : dest, z.zone);
  // Python installs whose scripts were under the copied tree move with it
  for (const rec of src.python) {
    if (!rec.scriptsDir || !isUnder(rec.scriptsDir, from)) continue;
    const moved = { ...rec, scriptsDir: normPath(dest + rec.scriptsDir.slice(from.length)), copiedFromStage: rec.copiedFromStage ?? srcIndex };
    if (rec.target && isUnder(rec.target, from)) moved.target = normPath(dest + rec.target.slice(from.length));
    st.python.push(moved);
  }
  for (const v of src.venvs) if (isUnder(v, from)) st.venvs.add(normPath(dest + v.slice(from.length)));
}
