import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, createDockerignore } from '../../src/discover/dockerignore.js';

const ignored = (patterns: string[], path: string): boolean => createDockerignore(patterns.join('\n')).ignores(path);

test('reading: comments, trimming, cleaning, leading slash, negation (moby ignorefile.ReadAll)', () => {
  const d = createDockerignore('\uFEFFtest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n  # not a comment  \n./x/../y/\ndir//sub/.\r\n');
  assert.deepEqual(d.patterns, ['test1', 'test2', 'a/file/here', 'lastfile', '!inverted/abs/path', '# not a comment', 'y', 'dir/sub']);
  assert.deepEqual(d.errors, []);
});

test('Go filepath.Clean', () => {
  const cases: [string, string][] = [
    ['', '.'],
    ['a/b/', 'a/b'],
    ['a//b', 'a/b'],
    ['./a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['../a', '../a'],
    ['/../a', '/a'],
    ['/', '/'],
    ['a/..', '.'],
  ];
  for (const [input, out] of cases) assert.equal(cleanPath(input), out, input);
});

test('patterns are anchored at the context root, unlike .gitignore', () => {
  assert.equal(ignored(['foo'], 'foo'), true);
  assert.equal(ignored(['foo'], 'a/foo'), false);
  assert.equal(ignored(['*.md'], 'README.md'), true);
  assert.equal(ignored(['*.md'], 'docs/README.md'), false);
  assert.equal(ignored(['**/*.md'], 'docs/README.md'), true);
  assert.equal(ignored(['*/*.md'], 'docs/README.md'), true);
});

test('a parent directory match excludes everything below it', () => {
  assert.equal(ignored(['node_modules'], 'node_modules/x/y.js'), true);
  assert.equal(ignored(['node_modules/'], 'node_modules/x/y.js'), true);
  assert.equal(ignored(['docs/*'], 'docs/a/b/c.md'), true);
  assert.equal(ignored(['.git'], '.git/HEAD'), true);
  assert.equal(ignored(['build'], 'src/build/x'), false);
});

test('the last matching pattern wins and negation re-includes', () => {
  assert.equal(ignored(['*.go', '!fileutils.go'], 'fileutils.go'), false);
  assert.equal(ignored(['!fileutils.go', '*.go'], 'fileutils.go'), true);
  assert.equal(ignored(['docs', '!docs/README.md'], 'docs/README.md'), false);
  assert.equal(ignored(['docs', '!docs/README.md'], 'docs/other.md'), true);
  assert.equal(ignored(['node_modules', '!node_modules/keep'], 'node_modules/keep/index.js'), false);
  assert.equal(ignored(['*', '!src', '!package.json'], 'src/app/main.ts'), false);
  assert.equal(ignored(['*', '!src', '!package.json'], 'package.json'), false);
  assert.equal(ignored(['*', '!src', '!package.json'], 'README.md'), true);
  assert.equal(ignored(['**', '!util/docker/web'], 'util/docker/web/foo'), false);
  assert.equal(ignored(['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo'), true);
  assert.equal(ignored(['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'), false);
});

test('wildcards, ** and classes (cases from moby/patternmatcher)', () => {
  const cases: [string, string, boolean][] = [
    ['**', 'file', true],
    ['**', 'dir/file', true],
    ['**/', 'file', true],
    ['**/**', 'dir/file', true],
    ['dir/**', 'dir/file', true],
    ['dir/**', 'dir/dir2/file', true],
    ['abc/**', 'abc', false],
    ['**/dir', 'dir', true],
    ['**/dir', 'dir/file', true],
    ['**/dir2/*', 'dir/dir2/file', true],
    ['**/dir2/**', 'dir/dir2/dir3/file', true],
    ['**file', 'dir/dir/file', true],
    ['**/file*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt2', 'dir/dir/file.txt', false],
    ['**/*.txt', 'file.txt', true],
    ['a**/*.txt', 'a/dir/dir/file.txt', true],
    ['a/*.txt', 'a/dir/file.txt', false],
    ['a/*.txt**', 'a/file.txt', true],
    ['a[b-d]e', 'ace', true],
    ['a[b-d]e', 'aae', false],
    ['a[^b-d]e', 'aze', true],
    ['.*', '.foo', true],
    ['.*', 'foo', false],
    ['abc.def', 'abcdef', false],
    ['abc?def', 'abcZdef', true],
    ['abc?def', 'abcdef', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['a?b', 'a☺b', true],
    ['**/foo/bar', 'dir/dir2/foo/bar', true],
    ['**/.foo', '.foo', true],
    ['**/.foo', 'bar.foo', false],
    ['a(b)c/def', 'a(b)c/def', true],
    ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['[\\]a]', ']', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ];
  for (const [pattern, path, want] of cases) assert.equal(ignored([pattern], path), want, `${pattern} vs ${path}`);
});

test('paths are cleaned before matching; the context itself is never excluded', () => {
  assert.equal(ignored(['secrets'], './secrets/key.pem'), true);
  assert.equal(ignored(['secrets'], '/secrets'), true);
  assert.equal(ignored(['secrets'], 'secrets/'), true);
  assert.equal(ignored(['*'], '.'), false);
  assert.equal(ignored(['*'], ''), false);
});

test('malformed patterns are reported (Docker refuses the build) and skipped', () => {
  const d = createDockerignore('ok\n!\n[\na[\n[]a]\n[x-]\n[a-b-c]\ntrailing\\\nalso-ok\n');
  assert.deepEqual(d.patterns, ['ok', '!', '[', 'a[', '[]a]', '[x-]', '[a-b-c]', 'trailing\\', 'also-ok']);
  assert.equal(d.errors.length, 7);
  assert.equal(d.errors[0], 'illegal exclusion pattern: "!"');
  assert.ok(d.errors.slice(1).every((e) => e.startsWith('syntax error in pattern')));
  assert.equal(d.ignores('ok'), true);
  assert.equal(d.ignores('also-ok'), true);
  assert.equal(d.ignores('a'), false);
});
