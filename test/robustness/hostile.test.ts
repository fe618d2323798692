/**
 * Bad input gets a finding, not a crash: a tree of hostile files is scanned, each yields a
 * parse-error finding, and the scan stays within time and memory bounds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { audit } from '../../src/audit.js';

let root = '';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'drydock-hostile-'));
  const put = (p: string, text: string | Buffer) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  put('invalid-yaml/compose.yaml', 'services:\n  web:\n    image: [unclosed\n  db: {\n');
  put('binary/Dockerfile', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0xff]));
  put('huge/docker-compose.yml', 'services:\n' + '  # padding\n'.repeat(2_000_000)); // ~24 MB
  mkdirSync(join(root, 'loop'), { recursive: true });
  symlinkSync('Dockerfile.b', join(root, 'loop', 'Dockerfile.a'));
  symlinkSync('Dockerfile.a', join(root, 'loop', 'Dockerfile.b'));
  symlinkSync('..', join(root, 'loop', 'parent')); // a directory loop: never followed
  put('unreadable/Dockerfile', 'FROM alpine\n');
  chmodSync(join(root, 'unreadable', 'Dockerfile'), 0o000);
  mkdirSync(join(root, 'fifo'), { recursive: true });
  try {
    execFileSync('mkfifo', [join(root, 'fifo', 'Dockerfile')]);
  } catch {
    /* no mkfifo: that case is skipped */
  }
  put('deep/compose.yaml', 'services:\n  x:\n    labels: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n');
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  put('bomb/compose.yaml', bomb.join('\n') + '\nservices:\n  web:\n    image: nginx\n    labels: *l\n');
  put('bad-env/.env', 'GOOD=1\nthis line is not valid\n"unterminated=1\n');
  put('bad-env/compose.yaml', 'services:\n  web:\n    image: nginx:1.27\n');
});

after(() => {
  try {
    chmodSync(join(root, 'unreadable', 'Dockerfile'), 0o644);
  } catch {
    /* already gone */
  }
  rmSync(root, { recursive: true, force: true });
});

test('a tree of hostile inputs yields findings, not a crash, in bounded time and memory', async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const out = await audit({ root, git: 'off' });
  const seconds = (performance.now() - started) / 1000;
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
  assert.deepEqual(out.crashed, []);
  const errors = out.result.findings.filter((f) => f.ruleId === 'parse-error');
  const files = new Set(errors.map((f) => f.location.file));
  for (const f of ['invalid-yaml/compose.yaml', 'binary/Dockerfile', 'huge/docker-compose.yml', 'loop/Dockerfile.a', 'loop/Dockerfile.b', 'deep/compose.yaml', 'bomb/compose.yaml', 'bad-env/.env'])
    assert.ok(files.has(f), `expected a parse-error for ${f}; got ${[...files].join(', ')}`);
  if (process.getuid?.() !== 0) assert.ok(files.has('unreadable/Dockerfile'), 'unreadable file reported');
  const invalid = errors.find((f) => f.location.file === 'invalid-yaml/compose.yaml')!;
  assert.ok(invalid.location.startLine && invalid.location.startLine >= 3, 'YAML error has a position');
  // generous bounds: the point is "bounded", not a benchmark (see npm run bench)
  assert.ok(seconds < 30, `scan took ${seconds.toFixed(1)} s`);
  assert.ok(heapGrowthMb < 1024, `heap grew ${heapGrowthMb.toFixed(0)} MB`);
});
