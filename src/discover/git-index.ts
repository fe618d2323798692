/**
 * Read `.git/index` without running git: which paths are tracked and with which mode (the exec
 * bit a build copies). The format is git's Documentation/gitformat-index.txt:
 *
 *   header   "DIRC", version (2, 3 or 4), entry count        (32-bit big-endian each)
 *   entry    ctime, mtime (s, ns), dev, ino, mode, uid, gid, size   (10 x 32 bits)
 *            object id (20 bytes SHA-1, 32 bytes SHA-256), flags (16 bits:
 *            assume-valid, extended, 2-bit stage, 12-bit name length)
 *            v3+: 16 more flag bits when the extended bit is set (skip-worktree, intent-to-add)
 *            v2/v3: NUL-terminated path, then NULs up to a multiple of 8 bytes
 *            v4: varint N + NUL-terminated suffix; the path is the previous entry's path minus
 *                its last N bytes, plus the suffix; no padding
 *   extensions and the trailing checksum follow; we ignore them.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface GitIndexEntry {
  /** path from the top of the work tree, forward slashes */
  path: string;
  /**
   * git's mode: 0o100644 or 0o100755 (file), 0o120000 (symlink), 0o160000 (submodule), or
   * 0o040000 for a sparse-index directory entry (its path ends in `/` and stands for every
   * tracked file under it)
   */
  mode: number;
}

export interface ReadGitIndexOptions {
  /** bytes per object id; by default SHA-1 (20) is tried first, then SHA-256 (32) */
  hashSize?: 20 | 32;
}

const EXTENDED = 0x4000;
const NAME_MASK = 0x0fff;

/**
 * Parse an index file. One entry per path: for a path in a merge conflict (stages 1-3, no stage
 * 0) the "ours" entry (stage 2) is returned, else the first one. Throws an Error on a bad
 * signature, an unsupported version or a truncated/inconsistent file.
 */
export function readGitIndex(buf: Buffer, options: ReadGitIndexOptions = {}): GitIndexEntry[] {
  if (buf.length < 12) throw new Error(`not a git index: ${buf.length} bytes is shorter than the header`);
  const signature = buf.toString('latin1', 0, 4);
  if (signature !== 'DIRC') throw new Error(`not a git index: bad signature ${JSON.stringify(signature)} (expected "DIRC")`);
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) throw new Error(`unsupported git index version ${version}`);
  if (options.hashSize) return parseEntries(buf, version, options.hashSize);
  // The index does not record the hash algorithm (the repository config does). With the wrong
  // size the flags land on hash bytes and the name lengths stop matching, so trying is safe.
  try {
    return parseEntries(buf, version, 20);
  } catch (sha1Error) {
    try {
      return parseEntries(buf, version, 32);
    } catch {
      throw sha1Error;
    }
  }
}

function parseEntries(buf: Buffer, version: number, hashSize: number): GitIndexEntry[] {
  const count = buf.readUInt32BE(8);
  const best = new Map<string, { mode: number; stage: number }>();
  let pos = 12;
  let prev: Buffer = Buffer.alloc(0);
  for (let n = 0; n < count; n++) {
    const start = pos;
    const flagsAt = start + 40 + hashSize;
    if (flagsAt + 2 > buf.length) throw truncated(n);
    const mode = buf.readUInt32BE(start + 24);
    const flags = buf.readUInt16BE(flagsAt);
    pos = flagsAt + 2;
    if (flags & EXTENDED) {
      if (version < 3) throw new Error(`git index entry ${n} has extended flags in a version ${version} index`);
      pos += 2;
    }
    let path: Buffer;
    if (version === 4) {
      const [strip, after] = readVarint(buf, pos, n);
      if (strip > prev.length) throw new Error(`git index entry ${n} strips ${strip} bytes from a ${prev.length}-byte path`);
      const nul = buf.indexOf(0, after);
      if (nul < 0) throw truncated(n);
      path = Buffer.concat([prev.subarray(0, prev.length - strip), buf.subarray(after, nul)]);
      pos = nul + 1;
    } else {
      const nul = buf.indexOf(0, pos);
      if (nul < 0) throw truncated(n);
      path = buf.subarray(pos, nul);
      // 1 to 8 NULs pad the entry to a multiple of 8 bytes (git's ondisk_ce_size)
      pos = start + ((nul - start + 8) & ~7);
      if (pos > buf.length) throw truncated(n);
    }
    const nameLength = flags & NAME_MASK;
    if (nameLength !== NAME_MASK && nameLength !== path.length) {
      throw new Error(`git index entry ${n}: name length ${nameLength} in the flags does not match the ${path.length}-byte path`);
    }
    prev = path;

    const name = path.toString('utf8');
    const stage = (flags >> 12) & 3;
    const seen = best.get(name);
    if (!seen || rank(stage) < rank(seen.stage)) best.set(name, { mode, stage });
  }
  return [...best].map(([path, e]) => ({ path, mode: e.mode }));
}

/** stage 0 (merged) first, then "ours" (2), "base" (1), "theirs" (3) */
const rank = (stage: number): number => [0, 2, 1, 3].indexOf(stage);

const truncated = (n: number): Error => new Error(`git index is truncated in entry ${n}`);

/** git's varint.c: 7 bits per byte, high bit = more, and each continuation adds 1 first. */
function readVarint(buf: Buffer, pos: number, n: number): [number, number] {
  if (pos >= buf.length) throw truncated(n);
  let c = buf[pos++]!;
  let value = c & 0x7f;
  while (c & 0x80) {
    if (pos >= buf.length) throw truncated(n);
    c = buf[pos++]!;
    value = (value + 1) * 128 + (c & 0x7f);
  }
  return [value, pos];
}

interface Repo {
  gitDir: string;
  /** the directory holding `.git` */
  workTree: string;
}

/**
 * Walk up from `root` to the repository, as git's discovery does: a `.git` directory (with a
 * HEAD file), or a `.git` file saying `gitdir: <path>` (worktrees, submodules). Returns the
 * absolute git directory, whose `index` file is this work tree's index, or null.
 */
export function findGitDir(root: string): string | null {
  return findRepo(root)?.gitDir ?? null;
}

function findRepo(root: string): Repo | null {
  let dir = resolve(root);
  for (;;) {
    const gitDir = dotGit(dir);
    if (gitDir) return { gitDir, workTree: dir };
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function dotGit(dir: string): string | null {
  const p = join(dir, '.git');
  try {
    const st = statSync(p);
    if (st.isDirectory()) return existsSync(join(p, 'HEAD')) ? p : null;
    if (st.isFile()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(p, 'utf8'));
      return m ? resolve(dir, m[1]!) : null;
    }
  } catch {
    // no .git here
  }
  return null;
}

/**
 * Where `root` sits inside the work tree of `gitDir`, with forward slashes and no trailing
 * slash: '' at the top, `services/api` below it. Index paths that start with `prefix + '/'`
 * are under the scanned root. Never throws: when the work tree cannot be placed, returns ''.
 */
export function gitPrefix(root: string, gitDir: string): string {
  const want = real(gitDir);
  let top: string | undefined;
  // the nearest directory above root whose .git leads to gitDir (a worktree's .git is a file,
  // so the top is not always dirname(gitDir))
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const g = dotGit(dir);
    if (g && real(g) === want) {
      top = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  if (top === undefined && basename(gitDir) === '.git') top = dirname(gitDir);
  if (top === undefined) return '';
  const rel = relative(real(top), real(root));
  if (!rel || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) return '';
  return rel.split(sep).join('/');
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}
