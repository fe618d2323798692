/**
 * The only code that writes into a scanned tree. Every write is atomic (a temporary file in the
 * same directory, fsynced, given the original's mode, then renamed over the original), checks that
 * the file still holds exactly the bytes drydock read, and never leaves the scanned root: paths
 * are resolved through symbolic links and must land inside the root's real path.
 */
import { accessSync, chmodSync, chownSync, constants, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';

export class WriteError extends Error {}

function inside(realRoot: string, abs: string): boolean {
  const rel = relative(realRoot, abs);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/** A relative path as findings spell it: forward slashes, normalised, below the root. */
export function checkRelativePath(rel: string): string | null {
  if (!rel || rel.includes('\0')) return 'empty path';
  if (isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || rel.includes('\\')) return `not a relative path: ${rel}`;
  const n = posix.normalize(rel);
  if (n !== rel || n === '.' || n === '..' || n.startsWith('../')) return `not a normalised path inside the root: ${rel}`;
  return null;
}

export interface FileTarget {
  /** real path of the file that will be replaced (symbolic links resolved) */
  abs: string;
  mode: number;
  uid: number;
  gid: number;
}

/** The file a relative path names, or why drydock will not rewrite it. */
export function resolveFile(root: string, rel: string): FileTarget | { error: string } {
  const bad = checkRelativePath(rel);
  if (bad) return { error: bad };
  let realRoot: string;
  let abs: string;
  try {
    realRoot = realpathSync(root);
    abs = realpathSync(join(root, rel));
  } catch (e) {
    return { error: `${rel} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (!inside(realRoot, abs)) return { error: `${rel} resolves outside the scanned root (${abs})` };
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    return { error: `${rel} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (!st.isFile()) return { error: `${rel} is not a regular file` };
  // a rename would split hard links: the other names would keep the old content
  if (st.nlink > 1) return { error: `${rel} has ${st.nlink} hard links; rewriting it would split them` };
  try {
    accessSync(dirname(abs), constants.W_OK); // the temporary file goes beside the original
  } catch {
    return { error: `${rel}: its directory is not writable` };
  }
  return { abs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/**
 * Replace `target.abs` with `text` atomically, provided it still holds `expected` byte for byte
 * (a file changed by someone else since the audit, or one whose bytes do not survive a UTF-8
 * round trip, is never overwritten).
 */
export function writeFileAtomic(target: FileTarget, expected: string, text: string): void {
  let onDisk: Buffer;
  try {
    onDisk = readFileSync(target.abs);
  } catch (e) {
    throw new WriteError(`cannot read ${target.abs} before writing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!onDisk.equals(Buffer.from(expected, 'utf8')))
    throw new WriteError(`${target.abs} changed on disk since it was read, or is not valid UTF-8; not rewritten`);
  const tmp = `${target.abs}.drydock-tmp-${process.pid}`;
  try {
    let fd: number;
    try {
      fd = openSync(tmp, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      rmSync(tmp, { force: true }); // left over by a killed run of this same pid
      fd = openSync(tmp, 'wx', 0o600);
    }
    try {
      writeSync(fd, text, null, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, target.mode);
    const st = statSync(tmp);
    if (st.uid !== target.uid || st.gid !== target.gid) {
      try {
        chownSync(tmp, target.uid, target.gid);
      } catch {
        /* only root may give a file away: the new file keeps the writer's owner */
      }
    }
    renameSync(tmp, target.abs);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof WriteError) throw e;
    throw new WriteError(`cannot write ${target.abs} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * What creating `rel` would create: the missing directories, outermost first ([] when it exists),
 * or why it cannot be created (a file or a link in the way, a path leaving the root).
 */
export function plannedDirectories(root: string, rel: string): string[] | { error: string } {
  const bad = checkRelativePath(rel);
  if (bad) return { error: bad };
  const realRoot = realpathSync(root);
  const parts = rel.split('/');
  const missing: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const r = parts.slice(0, i).join('/');
    const abs = join(root, r);
    if (missing.length) {
      missing.push(r);
      continue;
    }
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      if (!inside(realRoot, realpathSync(dirname(abs)))) return { error: `${r} would be created outside the scanned root` };
      missing.push(r);
      continue;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(abs);
      } catch {
        return { error: `${r} is a broken symbolic link` };
      }
      if (!inside(realRoot, real)) return { error: `${r} leads outside the scanned root` };
      if (!statSync(real).isDirectory()) return { error: `${r} exists and is not a directory` };
    } else if (!st.isDirectory()) return { error: `${r} exists and is not a directory` };
  }
  return missing;
}

/**
 * Create a directory (and missing parents) below the root; never touches an existing path.
 * Returns the relative directories it created, outermost first ([] when it already existed).
 */
export function createDirectory(root: string, rel: string): string[] {
  const plan = plannedDirectories(root, rel);
  if (!Array.isArray(plan)) throw new WriteError(plan.error);
  const created: string[] = [];
  for (const r of plan) {
    try {
      mkdirSync(join(root, r)); // fails rather than reuse a path that appeared meanwhile
    } catch (e) {
      removeCreatedDirectories(root, created);
      throw new WriteError(`cannot create ${r} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    created.push(r);
  }
  return created;
}

/** Undo createDirectory: remove directories drydock created, innermost first, only while empty. */
export function removeCreatedDirectories(root: string, created: readonly string[]): void {
  for (const r of [...created].reverse()) {
    try {
      rmdirSync(join(root, r));
    } catch {
      /* not empty any more (someone else wrote into it): leave it */
    }
  }
}
