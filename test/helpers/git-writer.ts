/**
 * Build a real `.git` directory without the git binary: loose objects (zlib of
 * "<type> <size>\0<content>"), trees, commits, refs and a version 2 index. Enough for the
 * history reader and the index reader to see a repository exactly as git would have written it.
 *
 * Rule fixtures describe their history in `git-history.json`:
 *
 *   { "commits": [
 *       { "message": "initial", "date": "2024-01-05T10:00:00Z",
 *         "files": { "api/Dockerfile": "FROM python:3.11\n", "old.txt": null },
 *         "worktree": ["docker-compose.yml", "api/requirements.txt"] },
 *       ...
 *   ] }
 *
 * Commits apply in order on one branch (`main`), each on top of the previous tree: `files` sets
 * (string) or deletes (null) paths, `worktree` takes the fixture's current file. `"mode": {"x.sh":
 * "100755"}` sets a mode. The index lists the last commit's files.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export function writeObject(gitDir: string, type: ObjectType, content: Buffer | string): string {
  const body = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  const raw = Buffer.concat([Buffer.from(`${type} ${body.length}\0`, 'latin1'), body]);
  const sha = createHash('sha1').update(raw).digest('hex');
  const dir = join(gitDir, 'objects', sha.slice(0, 2));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, sha.slice(2)), deflateSync(raw));
  return sha;
}

export interface FileEntry {
  content: Buffer | string;
  /** 0o100644 by default */
  mode?: number;
}

/** Write blobs and trees for a set of files (path → entry); returns the root tree id. */
export function writeTree(gitDir: string, files: ReadonlyMap<string, FileEntry>): string {
  interface Dir {
    files: Map<string, { sha: string; mode: number }>;
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const [path, entry] of files) {
    const parts = path.split('/');
    let d = root;
    for (const p of parts.slice(0, -1)) {
      let next = d.dirs.get(p);
      if (!next) d.dirs.set(p, (next = { files: new Map(), dirs: new Map() }));
      d = next;
    }
    d.files.set(parts[parts.length - 1]!, { sha: writeObject(gitDir, 'blob', entry.content), mode: entry.mode ?? 0o100644 });
  }
  const write = (d: Dir): string => {
    const entries: { name: string; mode: number; sha: string; sortKey: string }[] = [];
    for (const [name, f] of d.files) entries.push({ name, mode: f.mode, sha: f.sha, sortKey: name });
    // git sorts a tree's entries by name, with directories compared as if they ended in '/'
    for (const [name, sub] of d.dirs) entries.push({ name, mode: 0o40000, sha: write(sub), sortKey: `${name}/` });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    const body = Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from(`${e.mode.toString(8)} ${e.name}\0`, 'utf8'), Buffer.from(e.sha, 'hex')])));
    return writeObject(gitDir, 'tree', body);
  };
  return write(root);
}

export interface CommitSpec {
  tree: string;
  parents?: string[];
  /** seconds since the epoch */
  time: number;
  message?: string;
}

export function writeCommit(gitDir: string, c: CommitSpec): string {
  const who = `Fixture <fixture@example.com> ${c.time} +0000`;
  const lines = [`tree ${c.tree}`, ...(c.parents ?? []).map((p) => `parent ${p}`), `author ${who}`, `committer ${who}`, '', c.message ?? 'commit', ''];
  return writeObject(gitDir, 'commit', lines.join('\n'));
}

/** HEAD → refs/heads/<branch>, an empty objects store and a config. */
export function initGitDir(gitDir: string, branch = 'main'): void {
  mkdirSync(join(gitDir, 'objects', 'pack'), { recursive: true });
  mkdirSync(join(gitDir, 'refs', 'heads'), { recursive: true });
  mkdirSync(join(gitDir, 'refs', 'tags'), { recursive: true });
  writeFileSync(join(gitDir, 'HEAD'), `ref: refs/heads/${branch}\n`);
  writeFileSync(join(gitDir, 'config'), '[core]\n\trepositoryformatversion = 0\n\tbare = false\n');
}

export function setRef(gitDir: string, ref: string, sha: string): void {
  const parts = ref.split('/');
  mkdirSync(join(gitDir, ...parts.slice(0, -1)), { recursive: true });
  writeFileSync(join(gitDir, ...parts), `${sha}\n`);
}

/** A version 2 index listing these paths (sorted), with zeroed stat data. */
export function writeIndex(gitDir: string, entries: { path: string; sha: string; mode: number }[]): void {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(sorted.length, 8);
  parts.push(header);
  for (const e of sorted) {
    const name = Buffer.from(e.path, 'utf8');
    const size = (62 + name.length + 8) & ~7;
    const b = Buffer.alloc(size);
    b.writeUInt32BE(e.mode, 24);
    Buffer.from(e.sha, 'hex').copy(b, 40);
    b.writeUInt16BE(Math.min(name.length, 0xfff), 60);
    name.copy(b, 62);
    parts.push(b);
  }
  const body = Buffer.concat(parts);
  writeFileSync(join(gitDir, 'index'), Buffer.concat([body, createHash('sha1').update(body).digest()]));
}

export interface HistoryCommitSpec {
  message?: string;
  /** ISO date; by default one day after the previous commit (2024-01-01 for the first) */
  date?: string;
  files?: Record<string, string | null>;
  /** paths whose content is the work tree's current file */
  worktree?: string[];
  /** octal modes, e.g. { "entrypoint.sh": "100755" } */
  mode?: Record<string, string>;
}

export interface HistorySpec {
  commits: HistoryCommitSpec[];
}

/**
 * Create `<workTree>/.git` holding the commits of `spec` on `main` (HEAD) and an index of the
 * last commit's files. Returns the commit ids, oldest first.
 */
export function buildRepository(workTree: string, spec: HistorySpec): string[] {
  const gitDir = join(workTree, '.git');
  initGitDir(gitDir);
  const files = new Map<string, FileEntry>();
  const ids: string[] = [];
  let time = Date.parse('2024-01-01T00:00:00Z') / 1000;
  for (const [i, c] of spec.commits.entries()) {
    for (const [path, content] of Object.entries(c.files ?? {})) {
      if (content === null) files.delete(path);
      else files.set(path, { content, mode: files.get(path)?.mode });
    }
    for (const path of c.worktree ?? []) files.set(path, { content: readFileSync(join(workTree, path)), mode: files.get(path)?.mode });
    for (const [path, mode] of Object.entries(c.mode ?? {})) {
      const f = files.get(path);
      if (f) files.set(path, { ...f, mode: parseInt(mode, 8) });
    }
    time = c.date ? Date.parse(c.date) / 1000 : i === 0 ? time : time + 86400;
    if (!Number.isFinite(time)) throw new Error(`git-history.json: bad date ${c.date}`);
    const tree = writeTree(gitDir, files);
    ids.push(writeCommit(gitDir, { tree, parents: ids.length ? [ids[ids.length - 1]!] : [], time, message: c.message ?? `commit ${i + 1}` }));
  }
  if (ids.length) setRef(gitDir, 'refs/heads/main', ids[ids.length - 1]!);
  writeIndex(
    gitDir,
    [...files].map(([path, f]) => ({ path, mode: f.mode ?? 0o100644, sha: writeObject(gitDir, 'blob', f.content) })),
  );
  return ids;
}
