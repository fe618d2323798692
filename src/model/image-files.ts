/**
 * Which repository file provides a path inside an image: the COPY/ADD steps of the stage are
 * replayed backwards (the last step that writes a path wins), into the stage it builds FROM and
 * through `COPY --from=<stage>` into earlier stages.
 *
 * Docker's destination rules (Dockerfile reference, COPY):
 * - a relative destination is relative to WORKDIR (already resolved in `CopyStep.dest`);
 * - a source directory is not copied itself, only its contents: `COPY app ./app` puts
 *   `<context>/app/main.py` at `<workdir>/app/main.py`; `COPY . .` copies the whole context;
 * - a source file lands at `<dest>/<basename>` when the destination ends with `/` (or there are
 *   several sources / a wildcard), else the destination is the file's new name;
 * - `COPY --from=<stage> <src>` reads `<src>` from the root of that stage's filesystem.
 *
 * Only copies are modelled: a path that a RUN step creates, moves or deletes is not seen here
 * (the image filesystem model does that), and ADD's remote URLs and local archives (which ADD
 * unpacks) provide no repository file.
 */
import { posix } from 'node:path';
import type { CopyStep, DockerignoreModel, StageModel } from './types.js';
import { globToRegExp, hasGlob } from '../core/glob.js';

export interface ImageFilesOptions {
  /** every stage of the Dockerfile, to follow `FROM <stage>` and `COPY --from=<stage>` */
  stages?: readonly StageModel[];
  /**
   * The scanned tree. With it a candidate is only accepted when the repository has that file
   * (so a later directory copy that lacks the file does not hide an earlier one), wildcards are
   * expanded, and a source is known to be a file or a directory. Without it the first plausible
   * candidate is returned.
   */
  tree?: { files: ReadonlySet<string>; dirs: ReadonlySet<string> };
  /** the build's ignore file: a path it leaves out of the context is not copied */
  dockerignore?: Pick<DockerignoreModel, 'excludes'>;
}

export interface ImageFileSource {
  /** the repository file (relative to the scanned root) */
  repoPath: string;
  /** the step of the asked stage (or of a stage it builds FROM) that put the file there */
  step: CopyStep;
  /** every step followed, `step` first, then the steps of earlier stages reached through `--from` */
  chain: CopyStep[];
}

const MAX_DEPTH = 16;

/** The repository file that provides `imagePath` in the image `stage` builds, if a COPY/ADD brings one. */
export function imageFileSource(
  stage: StageModel,
  contextDir: string | undefined,
  imagePath: string,
  options: ImageFilesOptions = {},
): ImageFileSource | undefined {
  if (contextDir === undefined) return undefined;
  const r = lookup(stage, absolute(imagePath, stage.workdir), contextDir, options, 0);
  return r && r !== 'foreign' ? r : undefined;
}

/**
 * True when a COPY/ADD step of the stage (or of a stage it builds FROM) puts a file or a directory
 * at `imagePath`, or creates `imagePath` as a parent directory of what it copies. False means "no
 * copy we can see provides it": the base image or a RUN step still may.
 */
export function imagePathExistsFromCopies(
  stage: StageModel,
  contextDir: string | undefined,
  imagePath: string,
  options: ImageFilesOptions = {},
): boolean {
  return exists(stage, absolute(imagePath, stage.workdir), contextDir, options, 0);
}

// ---------------------------------------------------------------------------------------------

type Found = ImageFileSource | 'foreign';

/** A place a step may have taken `imagePath` from: a context path, or a path in another stage. */
interface Candidate {
  /** context-relative path ('' is the context root), or an absolute path in the `--from` stage */
  path: string;
  /** `exact`: the source itself lands at imagePath; `inside`: imagePath is inside a copied directory */
  how: 'exact' | 'inside';
}

function lookup(stage: StageModel, imagePath: string, contextDir: string, o: ImageFilesOptions, depth: number): Found | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (let i = stage.copies.length - 1; i >= 0; i--) {
    const step = stage.copies[i]!;
    const found = fromStep(step, imagePath, contextDir, o, depth);
    if (found) return found;
  }
  const base = stage.baseStage === undefined ? undefined : o.stages?.[stage.baseStage];
  return base && base !== stage ? lookup(base, imagePath, contextDir, o, depth + 1) : undefined;
}

/** What `step` contributes at imagePath: a repository file, 'foreign' (something not from the repository), or nothing. */
function fromStep(step: CopyStep, imagePath: string, contextDir: string, o: ImageFilesOptions, depth: number): Found | undefined {
  if (step.heredoc) return destCovers(step, imagePath) ? 'foreign' : undefined;
  if (step.from !== undefined) {
    const cands = candidates(step, imagePath, undefined);
    if (!cands.length) return undefined;
    const from = findStage(step.from, o.stages, step);
    if (!from) return 'foreign'; // an external image: whatever it holds is not a repository file
    for (const c of cands) {
      const r = lookup(from, posix.resolve('/', c.path), contextDir, o, depth + 1);
      if (r && r !== 'foreign') return { ...r, step, chain: [step, ...r.chain] };
    }
    // the source stage made it with RUN (or it is absent and the build fails): not a repository file
    return 'foreign';
  }
  const cands = candidates(step, imagePath, { contextDir, o });
  if (!cands.length) return undefined;
  if (step.keyword === 'ADD' && step.sources.some((s) => isRemote(s.value) || isArchive(s.value))) {
    // ADD unpacks local archives and fetches URLs: what lands there is unknown
    if (cands.some((c) => c.how === 'inside') || step.sources.every((s) => isRemote(s.value) || isArchive(s.value))) return 'foreign';
  }
  for (const c of cands) {
    const repoPath = joinRepo(contextDir, c.path);
    if (repoPath === undefined) continue;
    if (o.dockerignore?.excludes(c.path)) continue;
    if (o.tree && !o.tree.files.has(repoPath)) continue;
    return { repoPath, step, chain: [step] };
  }
  return undefined;
}

/** Source paths (context-relative, or absolute in the `--from` stage) that would land at imagePath. */
function candidates(step: CopyStep, imagePath: string, ctx: { contextDir: string; o: ImageFilesOptions } | undefined): Candidate[] {
  const dest = step.dest;
  if (!dest) return [];
  const srcs = step.sources.map((s) => s.value).filter((s) => !(step.keyword === 'ADD' && isRemote(s)));
  const destIsDir = dest.endsWith('/') || step.sources.length > 1 || srcs.some(hasGlob);
  const destNorm = dest === '/' ? '/' : dest.replace(/\/+$/, '');
  const rel = relativeInside(destNorm, imagePath); // '' when imagePath === destNorm
  if (rel === undefined) return [];
  const out: Candidate[] = [];
  const tree = ctx?.o.tree;
  const isDir = (p: string): boolean | undefined => {
    if (!ctx || !tree) return undefined;
    const repo = joinRepo(ctx.contextDir, p);
    return repo === undefined ? undefined : repo === '' || tree.dirs.has(repo);
  };
  for (const raw of srcs) {
    const src = ctx ? normaliseContextPath(raw) : posix.resolve('/', raw);
    if (src === undefined) continue;
    if (hasGlob(src)) {
      out.push(...globCandidates(src, rel, ctx));
      continue;
    }
    // without the tree, a name with an extension is taken for a file (`COPY gunicorn.conf.py ./`)
    const dir = isDir(src) ?? (ctx && !ctx.o.tree && /\.[A-Za-z0-9]+$/.test(posix.basename(src)) ? false : undefined);
    if (rel === '') {
      // the destination itself: a file copied under that name (or a directory's root)
      if (!destIsDir && dir !== true) out.push({ path: src, how: 'exact' });
      continue;
    }
    // inside the destination: a file copied into a destination directory under its own name ...
    if (dir !== true && rel === posix.basename(src)) out.push({ path: src, how: 'exact' });
    // ... or the contents of a copied directory
    if (dir !== false) out.push({ path: joinPath(src, rel), how: 'inside' });
  }
  return out;
}

function globCandidates(pattern: string, rel: string, ctx: { contextDir: string; o: ImageFilesOptions } | undefined): Candidate[] {
  if (rel === '') return [];
  const re = globToRegExp(pattern);
  const parent = posix.dirname(pattern) === '.' ? '' : posix.dirname(pattern);
  const [first, ...rest] = rel.split('/');
  const out: Candidate[] = [];
  const tree = ctx?.o.tree;
  if (!ctx || !tree) {
    // without the tree: a matching file lands under its own name; a matching directory spills its contents
    const own = joinPath(parent, first!);
    if (re.test(own)) out.push({ path: joinPath(parent, rel), how: rest.length ? 'inside' : 'exact' });
    return out;
  }
  const own = joinPath(parent, first!);
  if (!rest.length && re.test(own)) out.push({ path: own, how: 'exact' });
  const prefix = ctx.contextDir ? `${ctx.contextDir}/` : '';
  for (const d of tree.dirs) {
    if (ctx.contextDir && !d.startsWith(prefix)) continue;
    const inCtx = d.slice(prefix.length);
    if (inCtx && re.test(inCtx)) out.push({ path: joinPath(inCtx, rel), how: 'inside' });
  }
  return out;
}

function exists(stage: StageModel, imagePath: string, contextDir: string | undefined, o: ImageFilesOptions, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  for (let i = stage.copies.length - 1; i >= 0; i--) {
    const step = stage.copies[i]!;
    const destNorm = step.dest === '/' ? '/' : step.dest.replace(/\/+$/, '');
    if (!destNorm) continue;
    // a parent directory of the destination is created by the copy
    if (relativeInside(imagePath, destNorm) !== undefined) return true;
    const rel = relativeInside(destNorm, imagePath);
    if (rel === undefined) continue;
    if (step.heredoc) return rel === '' || step.dest.endsWith('/');
    if (step.from !== undefined) {
      const from = findStage(step.from, o.stages, step);
      if (!from) continue; // an external image: unknown
      for (const c of candidates(step, imagePath, undefined)) {
        const p = posix.resolve('/', c.path);
        if (exists(from, p, contextDir, o, depth + 1) || imageFileSource(from, contextDir, p, o)) return true;
      }
      continue;
    }
    if (contextDir === undefined) continue;
    if (step.keyword === 'ADD' && step.sources.some((s) => isRemote(s.value) || isArchive(s.value))) continue;
    for (const c of candidates(step, imagePath, { contextDir, o })) {
      const repo = joinRepo(contextDir, c.path);
      if (repo === undefined || o.dockerignore?.excludes(c.path)) continue;
      if (!o.tree || o.tree.files.has(repo) || o.tree.dirs.has(repo) || repo === '') return true;
    }
  }
  const base = stage.baseStage === undefined ? undefined : o.stages?.[stage.baseStage];
  return base && base !== stage ? exists(base, imagePath, contextDir, o, depth + 1) : false;
}

/** The copy step's destination is imagePath, or imagePath is inside it. */
function destCovers(step: CopyStep, imagePath: string): boolean {
  const destNorm = step.dest === '/' ? '/' : step.dest.replace(/\/+$/, '');
  const rel = relativeInside(destNorm, imagePath);
  if (rel === undefined) return false;
  return rel === '' ? !step.dest.endsWith('/') : true;
}

// ---------------------------------------------------------------------------------------------
// helpers

/** An earlier stage named (case-insensitively) or numbered by `ref`, before the step's own stage. */
function findStage(ref: string, stages: readonly StageModel[] | undefined, step: CopyStep): StageModel | undefined {
  if (!stages) return undefined;
  const own = step.instruction.stage;
  const limit = own >= 0 ? own : stages.length;
  const lower = ref.toLowerCase();
  const byName = stages.find((s) => s.index < limit && s.name?.toLowerCase() === lower);
  if (byName) return byName;
  if (/^\d+$/.test(ref) && Number(ref) < limit) return stages[Number(ref)];
  return undefined;
}

function absolute(p: string, workdir: string): string {
  return posix.resolve(workdir || '/', p);
}

/** `rel` such that `base/rel === path` ('' when equal), or undefined when path is not under base. */
function relativeInside(base: string, path: string): string | undefined {
  if (path === base) return '';
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

/** A COPY source as a path relative to the context root; undefined when it leaves the context. */
function normaliseContextPath(src: string): string | undefined {
  const n = posix.normalize(`/${src}`); // a leading `/` is the context root too
  if (n.startsWith('/..')) return undefined;
  return n.replace(/^\/+/, '').replace(/\/+$/, '');
}

function joinPath(a: string, b: string): string {
  return a ? (b ? `${a}/${b}` : a) : b;
}

function joinRepo(contextDir: string, rel: string): string | undefined {
  const j = posix.normalize(joinPath(contextDir, rel) || '.');
  if (j === '..' || j.startsWith('../') || j.startsWith('/')) return undefined;
  return j === '.' ? '' : j.replace(/\/+$/, '');
}


function isRemote(src: string): boolean {
  return /^(?:https?:\/\/|git@|git:\/\/)/.test(src);
}

function isArchive(src: string): boolean {
  return /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i.test(src);
}
