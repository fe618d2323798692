/**
 * Read git history without running git: objects, refs and the first-parent chain from HEAD,
 * enough to say in which commit a file (or one line of it) last changed.
 *
 * Formats (git's Documentation/gitformat-pack.txt, gitrepository-layout.txt):
 *
 *   loose object   objects/ab/cdef...: zlib("<type> <size>\0<content>")
 *   pack index v2  "\377tOc", version 2, fan-out (256 x 32-bit), N object ids, N CRC32s,
 *                  N 32-bit offsets (MSB set: index into the 64-bit offset table), 64-bit offsets
 *   pack           "PACK", version 2/3, N; per object a header (type in bits 6-4 of the first
 *                  byte, size in 4 + 7n bits, MSB = more), then for OFS_DELTA a negative offset
 *                  (7-bit groups, each continuation adds 1) or for REF_DELTA the base's id, then
 *                  zlib data. A delta is two varints (base size, result size) and copy/insert ops.
 *   refs           HEAD -> `ref: refs/heads/x` -> loose ref file or `packed-refs`; worktrees keep
 *                  HEAD in their own git dir and everything else in `commondir`
 *   commit         `tree`, `parent`* and `committer <name> <email> <seconds> <tz>` header lines
 *   tree           entries "<octal mode> <name>\0<binary id>"
 *
 * Limits: the walk follows first parents only and stops after `maxCommits` commits; every
 * inflated byte counts against `maxBytes`, objects over `maxObjectBytes` are not read and delta
 * chains longer than 1000 are refused. Anything unreadable (missing or corrupt objects, a
 * reftable ref store, a truncated pack, a spent budget) makes the query give up: the public
 * methods return undefined (or `unreadable`) and never throw. Shallow clones end at their
 * boundary. Nothing is written and no fd outlives `close()`.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';

export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  type: GitObjectType;
  data: Buffer;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  /** parent ids in order; the first is the mainline */
  parents: string[];
  /** committer time, seconds since the epoch */
  time: number;
}

export interface TreeEntry {
  /** 0o100644, 0o100755, 0o120000 (symlink), 0o040000 (tree), 0o160000 (submodule) */
  mode: number;
  name: string;
  sha: string;
}

export interface HistoryChange {
  commit: string;
  /** committer time of that commit, seconds since the epoch */
  time: number;
  /** first-parent steps from HEAD (0 = HEAD itself): a smaller depth is a later commit */
  depth: number;
}

/**
 * - `changed`: the newest commit whose state differs from its first parent's
 * - `older`: no change among the `commits` read (the limit, a shallow boundary, or the path never
 *   existed): the last change, if any, is older than every commit read
 * - `absent`: (line queries) HEAD's version has no matching line
 * - `unreadable`: an object could not be read or the budget ran out
 */
export type ChangeScan =
  | { status: 'changed'; change: HistoryChange }
  | { status: 'older'; commits: number }
  | { status: 'absent' }
  | { status: 'unreadable' };

export interface GitHistoryOptions {
  /**
   * where the scanned root sits in the work tree (`services/api`, '' at the top): path
   * arguments are relative to it
   */
  prefix?: string;
  /** first-parent commits a query reads at most (default 500) */
  maxCommits?: number;
  /** inflated bytes the reader may produce over its life (default 64 MiB) */
  maxBytes?: number;
  /** a larger object is not read (default 16 MiB) */
  maxObjectBytes?: number;
}

class GitReadError extends Error {}

const TYPES: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
const MAX_DELTA_CHAIN = 1000;
/** a line query reads blobs up to this size; larger compose files are not plausible */
const MAX_LINE_BLOB = 1 << 20;
const CACHE_LIMIT = 4096;

/**
 * Open the repository whose git directory is `gitDir` (what findGitDir returns). Returns null
 * when it has no readable HEAD commit (fresh `git init`, reftable refs, garbage).
 */
export function openGitHistory(gitDir: string, options: GitHistoryOptions = {}): GitHistory | null {
  try {
    const h = new GitHistory(gitDir, options);
    if (!h.headCommit()) {
      h.close();
      return null;
    }
    return h;
  } catch {
    return null;
  }
}

export class GitHistory {
  private readonly gitDir: string;
  private readonly commonDir: string;
  private readonly prefix: string;
  private readonly maxCommits: number;
  private readonly maxObjectBytes: number;
  private budget: number;
  private readonly hashSize: 20 | 32;
  private readonly objectDirs: string[];
  private packs: Pack[] | undefined;
  private readonly shallow: Set<string>;
  private readonly commits = new Map<string, CommitInfo>();
  private readonly trees = new Map<string, TreeEntry[]>();
  private chain: { commits: CommitInfo[]; end: 'root' | 'limit' | 'shallow' } | undefined;
  private head: string | null | undefined;

  constructor(gitDir: string, options: GitHistoryOptions = {}) {
    this.gitDir = resolve(gitDir);
    this.commonDir = this.gitDir;
    const commondir = tryRead(join(this.gitDir, 'commondir'));
    if (commondir !== undefined && commondir.trim()) this.commonDir = resolve(this.gitDir, commondir.trim());
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.maxCommits = options.maxCommits ?? 500;
    this.budget = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxObjectBytes = options.maxObjectBytes ?? 16 * 1024 * 1024;
    const config = tryRead(join(this.commonDir, 'config')) ?? '';
    this.hashSize = /^\s*objectformat\s*=\s*sha256\s*$/im.test(config) ? 32 : 20;
    this.objectDirs = objectDirectories(join(this.commonDir, 'objects'));
    this.shallow = new Set((tryRead(join(this.commonDir, 'shallow')) ?? '').split('\n').map((l) => l.trim()).filter(Boolean));
  }

  /** Release the pack files' descriptors. The reader stays usable (they reopen on demand). */
  close(): void {
    for (const p of this.packs ?? []) p.close();
    this.packs = undefined;
  }

  /** The commit HEAD points at (through symbolic refs and packed-refs), or undefined. */
  headCommit(): string | undefined {
    if (this.head === undefined) {
      try {
        this.head = this.resolveRef('HEAD', 0) ?? null;
      } catch {
        this.head = null;
      }
    }
    return this.head ?? undefined;
  }

  readObject(sha: string): GitObject | undefined {
    return this.safely(() => this.object(sha));
  }

  readCommit(sha: string): CommitInfo | undefined {
    return this.safely(() => this.commit(sha));
  }

  readTree(sha: string): TreeEntry[] | undefined {
    return this.safely(() => this.tree(sha));
  }

  /** The blob id at `path` (relative to the prefix) in a commit; null when there is no file there. */
  blobAt(commit: string, path: string): string | null | undefined {
    return this.safely(() => this.blobIn(this.commit(commit).tree, this.repoPath(path)));
  }

  /** The newest first-parent commit in which the file at `path` differs from its parent's. */
  lastChange(path: string, maxCommits = this.maxCommits): HistoryChange | undefined {
    const r = this.scanChange(path, maxCommits);
    return r.status === 'changed' ? r.change : undefined;
  }

  /**
   * The newest first-parent commit that introduced a line matching `predicate` into `path`
   * (HEAD's version has one, the parent's has none): when that line was last edited.
   */
  lastChangeOfLine(path: string, predicate: (line: string) => boolean, maxCommits = this.maxCommits): HistoryChange | undefined {
    const r = this.scanLineChange(path, predicate, maxCommits);
    return r.status === 'changed' ? r.change : undefined;
  }

  scanChange(path: string, maxCommits = this.maxCommits): ChangeScan {
    const repoPath = this.repoPath(path);
    return this.scan<string | null>(maxCommits, (c) => this.blobIn(c.tree, repoPath), null);
  }

  scanLineChange(path: string, predicate: (line: string) => boolean, maxCommits = this.maxCommits): ChangeScan {
    const repoPath = this.repoPath(path);
    const memo = new Map<string, boolean>();
    const has = (c: CommitInfo): boolean => {
      const blob = this.blobIn(c.tree, repoPath);
      if (!blob) return false;
      let v = memo.get(blob);
      if (v === undefined) {
        const o = this.object(blob);
        if (o.type !== 'blob' || o.data.length > MAX_LINE_BLOB) throw new GitReadError(`not a readable text blob: ${blob}`);
        v = o.data.toString('utf8').split(/\r?\n/).some(predicate);
        memo.set(blob, v);
      }
      return v;
    };
    return this.scan(maxCommits, has, false, true);
  }

  // ------------------------------------------------------------------ internals

  /** `state` of each commit from HEAD down; a root commit's parent is in state `none`. */
  private scan<T>(maxCommits: number, state: (c: CommitInfo) => T, none: T, needAtHead = false): ChangeScan {
    try {
      const { commits, end } = this.firstParents(maxCommits);
      if (!commits.length) return { status: 'unreadable' };
      let current = state(commits[0]!);
      if (needAtHead && current === none) return { status: 'absent' };
      for (let i = 0; i < commits.length; i++) {
        let parent: T;
        if (i + 1 < commits.length) parent = state(commits[i + 1]!);
        else if (end === 'root') parent = none;
        else return { status: 'older', commits: commits.length };
        if (parent !== current) {
          const c = commits[i]!;
          return { status: 'changed', change: { commit: c.sha, time: c.time, depth: i } };
        }
        current = parent;
      }
      return { status: 'older', commits: commits.length };
    } catch {
      return { status: 'unreadable' };
    }
  }

  /** HEAD and its first parents, at most `max` commits; cached for the longest walk asked. */
  private firstParents(max: number): { commits: CommitInfo[]; end: 'root' | 'limit' | 'shallow' } {
    const have = this.chain;
    if (have && (have.commits.length >= max || have.end !== 'limit')) {
      return have.commits.length > max ? { commits: have.commits.slice(0, max), end: 'limit' } : have;
    }
    const head = this.headCommit();
    if (!head) throw new GitReadError('no HEAD commit');
    const commits: CommitInfo[] = [];
    let end: 'root' | 'limit' | 'shallow' = 'limit';
    for (let sha: string | undefined = head; commits.length < max; ) {
      const c = this.commit(sha);
      commits.push(c);
      if (this.shallow.has(c.sha)) {
        end = 'shallow';
        break;
      }
      sha = c.parents[0];
      if (!sha) {
        end = 'root';
        break;
      }
    }
    this.chain = { commits, end };
    return this.chain;
  }

  private safely<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch {
      return undefined;
    }
  }

  private repoPath(path: string): string {
    const p = path.replace(/^\/+|\/+$/g, '');
    return this.prefix ? (p ? `${this.prefix}/${p}` : this.prefix) : p;
  }

  private blobIn(rootTree: string, repoPath: string): string | null {
    if (!repoPath) return null;
    const parts = repoPath.split('/');
    let tree = rootTree;
    for (let i = 0; i < parts.length; i++) {
      const e = this.tree(tree).find((x) => x.name === parts[i]);
      if (!e) return null;
      const isTree = e.mode === 0o040000;
      if (i === parts.length - 1) return isTree || e.mode === 0o160000 ? null : e.sha;
      if (!isTree) return null;
      tree = e.sha;
    }
    return null;
  }

  private commit(sha: string): CommitInfo {
    const cached = this.commits.get(sha);
    if (cached) return cached;
    const o = this.object(sha);
    if (o.type !== 'commit') throw new GitReadError(`${sha} is a ${o.type}, not a commit`);
    const text = o.data.toString('utf8');
    const headerEnd = text.indexOf('\n\n');
    const lines = (headerEnd < 0 ? text : text.slice(0, headerEnd)).split('\n');
    let tree: string | undefined;
    const parents: string[] = [];
    let time: number | undefined;
    for (const line of lines) {
      if (line.startsWith('tree ')) tree ??= line.slice(5).trim();
      else if (line.startsWith('parent ')) parents.push(line.slice(7).trim());
      else if (line.startsWith('committer ')) {
        const m = /> (\d+) [+-]\d{4}\s*$/.exec(line);
        if (m) time = Number(m[1]);
      }
    }
    if (!tree || !this.isId(tree) || !parents.every((p) => this.isId(p))) throw new GitReadError(`malformed commit ${sha}`);
    const info: CommitInfo = { sha, tree, parents, time: time ?? 0 };
    remember(this.commits, sha, info);
    return info;
  }

  private tree(sha: string): TreeEntry[] {
    const cached = this.trees.get(sha);
    if (cached) return cached;
    const o = this.object(sha);
    if (o.type !== 'tree') throw new GitReadError(`${sha} is a ${o.type}, not a tree`);
    const entries: TreeEntry[] = [];
    const d = o.data;
    let pos = 0;
    while (pos < d.length) {
      const space = d.indexOf(0x20, pos);
      const nul = space < 0 ? -1 : d.indexOf(0, space);
      if (space < 0 || nul < 0 || nul + 1 + this.hashSize > d.length) throw new GitReadError(`malformed tree ${sha}`);
      const mode = parseInt(d.toString('latin1', pos, space), 8);
      if (!Number.isFinite(mode)) throw new GitReadError(`malformed tree ${sha}`);
      entries.push({ mode, name: d.toString('utf8', space + 1, nul), sha: d.toString('hex', nul + 1, nul + 1 + this.hashSize) });
      pos = nul + 1 + this.hashSize;
    }
    remember(this.trees, sha, entries);
    return entries;
  }

  private isId(s: string): boolean {
    return s.length === this.hashSize * 2 && /^[0-9a-f]+$/.test(s);
  }

  /** A loose object, else a packed one, in this repository or its alternates. */
  private object(sha: string): GitObject {
    const id = sha.toLowerCase();
    if (!this.isId(id)) throw new GitReadError(`not an object id: ${sha}`);
    for (const dir of this.objectDirs) {
      const loose = join(dir, id.slice(0, 2), id.slice(2));
      let raw: Buffer;
      try {
        raw = readFileSync(loose);
      } catch {
        continue;
      }
      return this.parseLoose(raw, id);
    }
    const key = Buffer.from(id, 'hex');
    for (const pack of this.packList()) {
      const offset = pack.find(key);
      if (offset !== undefined) return pack.read(offset);
    }
    throw new GitReadError(`object ${id} not found`);
  }

  private parseLoose(raw: Buffer, id: string): GitObject {
    let data: Buffer;
    try {
      data = inflateSync(raw, { maxOutputLength: this.maxObjectBytes + 64 });
    } catch {
      throw new GitReadError(`corrupt or oversized loose object ${id}`);
    }
    this.spend(data.length);
    const nul = data.indexOf(0);
    const m = nul > 0 ? /^(commit|tree|blob|tag) (\d+)$/.exec(data.toString('latin1', 0, nul)) : null;
    if (!m || Number(m[2]) !== data.length - nul - 1) throw new GitReadError(`corrupt loose object ${id}`);
    return { type: m[1] as GitObjectType, data: data.subarray(nul + 1) };
  }

  private packList(): Pack[] {
    if (this.packs) return this.packs;
    const packs: Pack[] = [];
    for (const dir of this.objectDirs) {
      const packDir = join(dir, 'pack');
      let names: string[];
      try {
        names = readdirSync(packDir).filter((n) => n.endsWith('.idx')).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const packPath = join(packDir, n.slice(0, -4) + '.pack');
        if (!existsSync(packPath)) continue;
        packs.push(new Pack(join(packDir, n), packPath, this.hashSize, {
          spend: (n) => this.spend(n),
          maxObjectBytes: this.maxObjectBytes,
          external: (sha) => this.object(sha),
        }));
      }
    }
    this.packs = packs;
    return packs;
  }

  private spend(bytes: number): void {
    this.budget -= bytes;
    if (this.budget < 0) throw new GitReadError('byte budget spent');
  }

  private resolveRef(name: string, depth: number): string | undefined {
    if (depth > 5) return undefined;
    const dirs = name === 'HEAD' || !name.startsWith('refs/') ? [this.gitDir] : [this.gitDir, this.commonDir];
    for (const dir of [...new Set(dirs)]) {
      const text = tryRead(join(dir, ...name.split('/')));
      if (text === undefined) continue;
      const t = text.trim();
      if (t.startsWith('ref:')) return this.resolveRef(t.slice(4).trim(), depth + 1);
      return this.isId(t) ? t : undefined;
    }
    const packed = tryRead(join(this.commonDir, 'packed-refs'));
    if (packed === undefined) return undefined;
    for (const line of packed.split('\n')) {
      if (!line || line.startsWith('#') || line.startsWith('^')) continue;
      const sp = line.indexOf(' ');
      if (sp > 0 && line.slice(sp + 1).trim() === name) {
        const sha = line.slice(0, sp);
        return this.isId(sha) ? sha : undefined;
      }
    }
    return undefined;
  }
}

interface PackHost {
  spend(bytes: number): void;
  maxObjectBytes: number;
  /** a REF_DELTA base that is not in this pack (thin packs are not kept, but be lenient) */
  external(sha: string): GitObject;
}

/** One `.idx` + `.pack` pair, read through file descriptors (never loaded whole). */
class Pack {
  private idxFd: number | undefined;
  private packFd: number | undefined;
  private count = 0;
  private packSize = 0;
  private fanout: number[] | undefined;
  private readonly bases = new Map<number, GitObject>();
  private baseBytes = 0;

  constructor(
    private readonly idxPath: string,
    private readonly packPath: string,
    private readonly hashSize: number,
    private readonly host: PackHost,
  ) {}

  close(): void {
    if (this.idxFd !== undefined) closeSync(this.idxFd);
    if (this.packFd !== undefined) closeSync(this.packFd);
    this.idxFd = this.packFd = undefined;
    this.fanout = undefined;
  }

  /** The object's offset in the pack, or undefined when the pack does not hold it. */
  find(id: Buffer): number | undefined {
    const fanout = this.open();
    const first = id[0]!;
    let lo = first === 0 ? 0 : fanout[first - 1]!;
    let hi = fanout[first]!;
    const hs = this.hashSize;
    const namesAt = 8 + 1024;
    const name = Buffer.alloc(hs);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      this.readIdx(name, namesAt + mid * hs);
      const c = name.compare(id);
      if (c === 0) return this.offsetOf(mid);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  read(offset: number, depth = 0): GitObject {
    const cached = this.bases.get(offset);
    if (cached) return cached;
    if (depth > MAX_DELTA_CHAIN) throw new GitReadError('delta chain too long');
    const head = Buffer.alloc(16 + this.hashSize);
    const got = readSync(this.packFd!, head, 0, head.length, offset);
    let pos = 0;
    if (got < 1) throw new GitReadError('truncated pack');
    let c = head[pos++]!;
    const type = (c >> 4) & 7;
    let size = c & 0x0f;
    let shift = 4;
    while (c & 0x80) {
      if (pos >= got || shift > 49) throw new GitReadError('bad pack object header');
      c = head[pos++]!;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    let base: GitObject | undefined;
    if (type === OFS_DELTA) {
      if (pos >= got) throw new GitReadError('bad delta offset');
      c = head[pos++]!;
      let back = c & 0x7f;
      while (c & 0x80) {
        if (pos >= got || back > 2 ** 45) throw new GitReadError('bad delta offset');
        c = head[pos++]!;
        back = (back + 1) * 128 + (c & 0x7f);
      }
      if (back <= 0 || back > offset) throw new GitReadError('delta base outside the pack');
      base = this.read(offset - back, depth + 1);
    } else if (type === REF_DELTA) {
      if (pos + this.hashSize > got) throw new GitReadError('truncated delta base id');
      const baseId = head.subarray(pos, pos + this.hashSize);
      pos += this.hashSize;
      const at = this.find(baseId);
      base = at !== undefined ? this.read(at, depth + 1) : this.host.external(baseId.toString('hex'));
    } else if (!TYPES[type]) throw new GitReadError(`unknown pack object type ${type}`);
    const data = this.inflate(offset + pos, size);
    const obj: GitObject = base ? { type: base.type, data: applyDelta(base.data, data, this.host.maxObjectBytes) } : { type: TYPES[type]!, data };
    if (base) this.host.spend(obj.data.length);
    this.cacheBase(offset, obj);
    return obj;
  }

  private inflate(at: number, size: number): Buffer {
    if (size > this.host.maxObjectBytes) throw new GitReadError('object too large');
    // zlib never grows data by more than a few bytes per 16 KiB block plus its header and trailer
    const window = Math.min(this.packSize - at, size + Math.ceil(size / 256) + 64);
    if (window <= 0) throw new GitReadError('truncated pack');
    const buf = Buffer.alloc(window);
    const n = readSync(this.packFd!, buf, 0, window, at);
    let out: Buffer;
    try {
      out = inflateSync(buf.subarray(0, n), { maxOutputLength: Math.max(1, size) });
    } catch {
      throw new GitReadError('corrupt pack data');
    }
    if (out.length !== size) throw new GitReadError('pack object size mismatch');
    this.host.spend(out.length);
    return out;
  }

  /** Keep recently read objects (delta bases are read again and again), up to 16 MiB. */
  private cacheBase(offset: number, obj: GitObject): void {
    if (obj.data.length > 4 * 1024 * 1024) return;
    this.bases.set(offset, obj);
    this.baseBytes += obj.data.length;
    for (const [k, v] of this.bases) {
      if (this.baseBytes <= 16 * 1024 * 1024 && this.bases.size <= CACHE_LIMIT) break;
      this.bases.delete(k);
      this.baseBytes -= v.data.length;
    }
  }

  private open(): number[] {
    if (this.fanout) return this.fanout;
    try {
      return this.openFiles();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private openFiles(): number[] {
    this.idxFd = openSync(this.idxPath, 'r');
    this.packFd = openSync(this.packPath, 'r');
    this.packSize = fstatSync(this.packFd).size;
    const header = Buffer.alloc(8 + 1024);
    this.readIdx(header, 0);
    if (header.readUInt32BE(0) !== 0xff744f63 || header.readUInt32BE(4) !== 2) throw new GitReadError(`unsupported pack index ${this.idxPath}`);
    const fanout: number[] = [];
    for (let i = 0; i < 256; i++) fanout.push(header.readUInt32BE(8 + i * 4));
    for (let i = 1; i < 256; i++) if (fanout[i]! < fanout[i - 1]!) throw new GitReadError('bad pack index fan-out');
    this.count = fanout[255]!;
    const packHead = Buffer.alloc(12);
    if (readSync(this.packFd, packHead, 0, 12, 0) !== 12 || packHead.toString('latin1', 0, 4) !== 'PACK') throw new GitReadError(`not a pack: ${this.packPath}`);
    const version = packHead.readUInt32BE(4);
    if ((version !== 2 && version !== 3) || packHead.readUInt32BE(8) !== this.count) throw new GitReadError('pack does not match its index');
    this.fanout = fanout;
    return fanout;
  }

  private offsetOf(i: number): number {
    const hs = this.hashSize;
    const offsetsAt = 8 + 1024 + this.count * (hs + 4);
    const b = Buffer.alloc(8);
    this.readIdx(b.subarray(0, 4), offsetsAt + i * 4);
    const small = b.readUInt32BE(0);
    if (!(small & 0x80000000)) return small;
    const largeAt = offsetsAt + this.count * 4 + (small & 0x7fffffff) * 8;
    this.readIdx(b, largeAt);
    const big = Number(b.readBigUInt64BE(0));
    if (!Number.isSafeInteger(big)) throw new GitReadError('pack offset out of range');
    return big;
  }

  private readIdx(buf: Buffer, at: number): void {
    if (readSync(this.idxFd!, buf, 0, buf.length, at) !== buf.length) throw new GitReadError('truncated pack index');
  }
}

/** git's patch-delta.c: base size, result size, then copy (MSB set) and insert (1-127) ops. */
export function applyDelta(base: Buffer, delta: Buffer, maxSize = Infinity): Buffer {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= delta.length || shift > 49) throw new GitReadError('truncated delta');
      const c = delta[pos++]!;
      value += (c & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(c & 0x80)) return value;
    }
  };
  const byte = (): number => {
    if (pos >= delta.length) throw new GitReadError('truncated delta');
    return delta[pos++]!;
  };
  if (varint() !== base.length) throw new GitReadError('delta base size mismatch');
  const size = varint();
  if (size > maxSize) throw new GitReadError('delta result too large');
  const out = Buffer.alloc(size);
  let o = 0;
  while (pos < delta.length) {
    const cmd = delta[pos++]!;
    if (cmd & 0x80) {
      let off = 0;
      let len = 0;
      if (cmd & 0x01) off += byte();
      if (cmd & 0x02) off += byte() * 0x100;
      if (cmd & 0x04) off += byte() * 0x10000;
      if (cmd & 0x08) off += byte() * 0x1000000;
      if (cmd & 0x10) len += byte();
      if (cmd & 0x20) len += byte() * 0x100;
      if (cmd & 0x40) len += byte() * 0x10000;
      if (len === 0) len = 0x10000;
      if (off + len > base.length || o + len > size) throw new GitReadError('delta copy out of range');
      base.copy(out, o, off, off + len);
      o += len;
    } else if (cmd) {
      if (pos + cmd > delta.length || o + cmd > size) throw new GitReadError('delta insert out of range');
      delta.copy(out, o, pos, pos + cmd);
      pos += cmd;
      o += cmd;
    } else throw new GitReadError('delta opcode 0 is reserved');
  }
  if (o !== size) throw new GitReadError('delta result size mismatch');
  return out;
}

/** `objects` and the object directories `objects/info/alternates` lists (recursively, 5 deep). */
function objectDirectories(objects: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number): void => {
    const abs = resolve(dir);
    if (out.includes(abs) || depth > 5) return;
    out.push(abs);
    for (const line of (tryRead(join(abs, 'info', 'alternates')) ?? '').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#') && !t.startsWith('"')) visit(resolve(abs, t), depth + 1);
    }
  };
  visit(objects, 0);
  return out;
}

function tryRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
