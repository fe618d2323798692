import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGitDir, gitPrefix, readGitIndex } from '../../src/discover/git-index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/git-index');

interface FakeEntry {
  path: string;
  mode: number;
  stage?: number;
  /** v3+ extended flags (0x4000 skip-worktree, 0x2000 intent-to-add) */
  extended?: number;
}

/** git varint.c encode_varint */
function varint(value: number): Buffer {
  const bytes = [value & 0x7f];
  while ((value = Math.floor(value / 128))) {
    value--;
    bytes.unshift(0x80 | (value & 0x7f));
  }
  return Buffer.from(bytes);
}

/** Build an index the way git writes it (gitformat-index.txt), with zeroed stat data. */
function buildIndex(version: 2 | 3 | 4, entries: FakeEntry[], hashSize = 20): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(version, 4);
  header.writeUInt32BE(entries.length, 8);
  parts.push(header);
  let prev = Buffer.alloc(0);
  for (const e of entries) {
    const path = Buffer.from(e.path, 'utf8');
    const fixed = Buffer.alloc(40 + hashSize + 2 + (e.extended !== undefined ? 2 : 0));
    fixed.writeUInt32BE(e.mode, 24);
    fixed.fill(0xab, 40, 40 + hashSize); // object id
    let flags = Math.min(path.length, 0xfff) | ((e.stage ?? 0) << 12);
    if (e.extended !== undefined) {
      flags |= 0x4000;
      fixed.writeUInt16BE(e.extended, 40 + hashSize + 2);
    }
    fixed.writeUInt16BE(flags, 40 + hashSize);
    if (version === 4) {
      let common = 0;
      while (common < prev.length && common < path.length && prev[common] === path[common]) common++;
      parts.push(fixed, varint(prev.length - common), path.subarray(common), Buffer.alloc(1));
    } else {
      const len = fixed.length + path.length;
      const padded = (len + 8) & ~7;
      parts.push(fixed, path, Buffer.alloc(padded - len));
    }
    prev = path;
  }
  parts.push(Buffer.alloc(hashSize, 0xcd)); // trailing checksum, not checked
  return Buffer.concat(parts);
}

const simple: FakeEntry[] = [
  { path: 'Dockerfile', mode: 0o100644 },
  { path: 'app/entrypoint.sh', mode: 0o100755 },
  { path: 'app/main.py', mode: 0o100644 },
];

test('v2: paths and modes, executable bit kept', () => {
  assert.deepEqual(readGitIndex(buildIndex(2, simple)), simple);
});

test('v2: a path whose entry is an exact multiple of 8 still gets its NUL padding', () => {
  // 62 fixed bytes + 10-byte path = 72: git writes 8 NULs after it
  const entries = [{ path: 'abcdefghij', mode: 0o100644 }, { path: 'next', mode: 0o100755 }];
  assert.deepEqual(readGitIndex(buildIndex(2, entries)), entries);
});

test('v3: extended flags add two bytes', () => {
  const entries = [
    { path: 'a.txt', mode: 0o100644 },
    { path: 'later.txt', mode: 0o100644, extended: 0x2000 },
    { path: 'z/run.sh', mode: 0o100755 },
  ];
  assert.deepEqual(readGitIndex(buildIndex(3, entries)), entries.map(({ path, mode }) => ({ path, mode })));
});

test('v4: prefix-compressed paths, including a multi-byte varint', () => {
  const long = 'deep/' + 'x'.repeat(200) + '/file';
  const entries = [
    { path: 'app/bin/entrypoint.sh', mode: 0o100755 },
    { path: 'app/bin/healthcheck.sh', mode: 0o100755 },
    { path: 'app/main.py', mode: 0o100644 },
    { path: long, mode: 0o100644 },
    { path: 'e', mode: 0o120000 },
  ];
  const buf = buildIndex(4, entries);
  assert.ok(buf.includes(varint(long.length)), 'the strip count of "e" needs two varint bytes');
  assert.deepEqual(readGitIndex(buf), entries);
});

test('a conflicted path is listed once, with the "ours" stage', () => {
  const entries = [
    { path: 'a', mode: 0o100644 },
    { path: 'c', mode: 0o100644, stage: 1 },
    { path: 'c', mode: 0o100755, stage: 2 },
    { path: 'c', mode: 0o100644, stage: 3 },
  ];
  assert.deepEqual(readGitIndex(buildIndex(2, entries)), [
    { path: 'a', mode: 0o100644 },
    { path: 'c', mode: 0o100755 },
  ]);
});

test('SHA-256 repositories (32-byte object ids) are detected', () => {
  assert.deepEqual(readGitIndex(buildIndex(2, simple, 32)), simple);
  assert.deepEqual(readGitIndex(buildIndex(4, simple, 32)), simple);
  assert.deepEqual(readGitIndex(buildIndex(2, simple, 32), { hashSize: 32 }), simple);
});

test('bad input throws a clear Error', () => {
  assert.throws(() => readGitIndex(Buffer.from('PACK\0\0\0\x02\0\0\0\0')), /bad signature "PACK"/);
  assert.throws(() => readGitIndex(Buffer.from('DIR')), /shorter than the header/);
  const v9 = buildIndex(2, []);
  v9.writeUInt32BE(9, 4);
  assert.throws(() => readGitIndex(v9), /unsupported git index version 9/);
  const full = buildIndex(2, simple);
  assert.throws(() => readGitIndex(full.subarray(0, 100)), /truncated|name length/);
  assert.deepEqual(readGitIndex(buildIndex(2, [])), []);
});

test('indexes written by git itself (fixtures made with git 2.39)', () => {
  const expected = [
    { path: 'Dockerfile', mode: 0o100644 },
    { path: 'app/bin/entrypoint.sh', mode: 0o100755 },
    { path: 'app/main.py', mode: 0o100644 },
    { path: 'docs/ünïcode name.md', mode: 0o100644 },
    { path: 'link.py', mode: 0o120000 },
  ];
  const read = (name: string) => readGitIndex(readFileSync(join(FIXTURES, name)));
  assert.deepEqual(read('index-v2'), expected);
  assert.deepEqual(read('index-v4'), expected);
  // `git add -N later.txt` makes git write version 3 with an intent-to-add entry
  assert.deepEqual(read('index-v3'), [...expected.slice(0, 4), { path: 'later.txt', mode: 0o100644 }, expected[4]]);
  // `git init --object-format=sha256`
  assert.deepEqual(read('index-sha256-v2'), [
    { path: 'README.md', mode: 0o100644 },
    { path: 'app/run.sh', mode: 0o100755 },
  ]);
});

test('findGitDir and gitPrefix: a .git directory above the scanned root', (t) => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'drydock-git-')));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const repo = join(tmp, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  mkdirSync(join(repo, 'services', 'api'), { recursive: true });

  assert.equal(findGitDir(repo), join(repo, '.git'));
  assert.equal(gitPrefix(repo, join(repo, '.git')), '');
  const sub = join(repo, 'services', 'api');
  assert.equal(findGitDir(sub), join(repo, '.git'));
  assert.equal(gitPrefix(sub, join(repo, '.git')), 'services/api');

  // a nested directory called .git without HEAD is not a repository: keep walking up
  mkdirSync(join(sub, 'x', '.git'), { recursive: true });
  assert.equal(findGitDir(join(sub, 'x')), join(repo, '.git'));
});

test('findGitDir and gitPrefix: a worktree whose .git is a file', (t) => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'drydock-git-')));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const gitDir = join(tmp, 'main', '.git', 'worktrees', 'feature');
  mkdirSync(gitDir, { recursive: true });
  const wt = join(tmp, 'feature');
  mkdirSync(join(wt, 'deploy'), { recursive: true });
  writeFileSync(join(wt, '.git'), 'gitdir: ../main/.git/worktrees/feature\n');

  assert.equal(findGitDir(join(wt, 'deploy')), gitDir);
  assert.equal(gitPrefix(join(wt, 'deploy'), gitDir), 'deploy');
  assert.equal(gitPrefix(wt, gitDir), '');
});

test('findGitDir returns null outside any repository', (t) => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'drydock-git-')));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  // only meaningful when the temp dir itself is not inside a repository
  if (findGitDir(dirname(tmp)) !== null) return t.skip('tmpdir is inside a git repository');
  assert.equal(findGitDir(tmp), null);
});
