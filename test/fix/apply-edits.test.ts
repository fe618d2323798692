/** Applying edits (pure) and the unified diff writer. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TextEdit } from '../../src/core/finding.js';
import { applyEdits, detectEol, EditSet, editsConflict } from '../../src/fix/apply-edits.js';
import { unifiedDiff, unifiedDiffs } from '../../src/fix/diff.js';

const e = (start: number, end: number, text: string, file = 'f'): TextEdit => ({ file, start, end, text });

describe('applyEdits', () => {
  test('applies edits in any input order, offsets referring to the original text', () => {
    const r = applyEdits('hello world', [e(6, 11, 'there'), e(0, 5, 'HELLO'), e(5, 6, ', ')]);
    assert.equal(r.text, 'HELLO, there');
    assert.deepEqual(r.applied.map((x) => x.start), [0, 5, 6]);
    assert.deepEqual(r.skipped, []);
  });

  test('drops an overlapping edit: the earlier one in the input wins', () => {
    const first = e(2, 6, 'X');
    const later = e(4, 8, 'Y');
    const r = applyEdits('0123456789', [first, later]);
    assert.equal(r.text, '01X6789');
    assert.deepEqual(r.skipped, [{ edit: later, conflict: first }]);
    // the other order keeps the other edit
    assert.equal(applyEdits('0123456789', [later, first]).text, '0123Y89');
  });

  test('an insertion touching another edit conflicts; adjacent replacements do not', () => {
    assert.ok(editsConflict(e(3, 3, 'a'), e(3, 3, 'b')));
    assert.ok(editsConflict(e(3, 3, 'a'), e(3, 5, 'b')));
    assert.ok(editsConflict(e(3, 3, 'a'), e(1, 3, 'b')));
    assert.ok(!editsConflict(e(1, 3, 'a'), e(3, 5, 'b')));
    assert.ok(!editsConflict(e(1, 3, 'a'), e(1, 3, 'a')), 'identical edits are one edit');
    assert.ok(!editsConflict(e(1, 3, 'a'), e(1, 3, 'a', 'other-file')));
    assert.equal(applyEdits('abcdef', [e(1, 3, 'X'), e(3, 5, 'Y')]).text, 'aXYf');
  });

  test('identical edits (one defect in several environments) apply once', () => {
    const r = applyEdits('a: b', [e(3, 4, '"b"'), e(3, 4, '"b"')]);
    assert.equal(r.text, 'a: "b"');
    assert.equal(r.applied.length, 1);
    assert.deepEqual(r.skipped, []);
  });

  test('edits outside the text are reported invalid, never applied', () => {
    const r = applyEdits('abc', [e(2, 9, 'x'), e(-1, 0, 'x'), e(2, 1, 'x'), e(0, 1, 'A')]);
    assert.equal(r.text, 'Abc');
    assert.equal(r.invalid.length, 3);
  });

  test('inserted line breaks follow the file: CRLF stays CRLF, LF stays LF', () => {
    assert.equal(detectEol('a\r\nb\r\nc\n'), '\r\n');
    assert.equal(detectEol('a\nb\r\n'), '\n');
    assert.equal(detectEol('no newline'), '\n');
    assert.equal(applyEdits('a: 1\r\nb: 2\r\n', [e(6, 6, 'x: 3\n')]).text, 'a: 1\r\nx: 3\r\nb: 2\r\n');
    assert.equal(applyEdits('a: 1\nb: 2\n', [e(5, 5, 'x: 3\r\n')]).text, 'a: 1\nx: 3\nb: 2\n');
    assert.equal(applyEdits('a\r\n', [e(0, 0, 'x\n')], { matchLineEndings: false }).text, 'x\na\r\n');
  });

  test('EditSet keeps edits sorted and names the conflicting one', () => {
    const s = new EditSet();
    for (const x of [e(10, 12, 'c'), e(0, 2, 'a'), e(5, 6, 'b')]) {
      assert.deepEqual(s.check(x), { ok: true, duplicate: false });
      s.add(x);
    }
    assert.deepEqual(s.edits.map((x) => x.text), ['a', 'b', 'c']);
    assert.deepEqual(s.check(e(11, 14, 'z')), { ok: false, conflict: e(10, 12, 'c') });
    assert.deepEqual(s.check(e(5, 6, 'b')), { ok: true, duplicate: true });
    assert.deepEqual(s.check(e(6, 10, 'between')), { ok: true, duplicate: false });
  });
});

describe('unifiedDiff', () => {
  test('a/ b/ headers, 3 lines of context, merged and separate hunks', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', '');
    assert.equal(
      unifiedDiff('dir/compose.yaml', before, after),
      [
        '--- a/dir/compose.yaml',
        '+++ b/dir/compose.yaml',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -15,6 +15,5 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
    assert.equal(unifiedDiff('x', before, before), '');
  });

  test('a missing final newline is marked, an empty side is -0,0', () => {
    assert.equal(unifiedDiff('f', 'a\nb', 'a\nc\n'), '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n');
    assert.equal(unifiedDiff('f', '', 'x\n'), '--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n');
  });

  test('several files are ordered by path', () => {
    const d = unifiedDiffs([
      { path: 'b', before: '1\n', after: '2\n' },
      { path: 'a', before: '1\n', after: '2\n' },
    ]);
    assert.ok(d.indexOf('--- a/a') < d.indexOf('--- a/b'));
  });

  test('patch -p1 applies every diff exactly (random edits, CRLF, missing final newlines)', (t) => {
    try {
      execFileSync('patch', ['--version'], { stdio: 'ignore' });
    } catch {
      t.skip('patch(1) is not installed');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'drydock-diff-'));
    try {
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let round = 0; round < 150; round++) {
        const eol = round % 5 === 0 ? '\r\n' : '\n';
        const a = Array.from({ length: Math.floor(rnd() * 25) }, () => `l${Math.floor(rnd() * 5)}`);
        const b = [...a];
        for (let k = Math.floor(rnd() * 5); k > 0; k--) {
          const p = Math.floor(rnd() * (b.length + 1));
          const r = rnd();
          if (r < 0.4) b.splice(p, 1);
          else if (r < 0.8) b.splice(p, 0, `new${Math.floor(rnd() * 3)}`);
          else if (p < b.length) b[p] = 'changed';
        }
        const before = a.join(eol) + (rnd() < 0.5 && a.length ? eol : '');
        const after = b.join(eol) + (rnd() < 0.5 && b.length ? eol : '');
        const diff = unifiedDiff('f.txt', before, after);
        if (!diff) {
          assert.equal(before, after);
          continue;
        }
        writeFileSync(join(dir, 'f.txt'), before);
        writeFileSync(join(dir, 'p.diff'), diff);
        execFileSync('patch', ['-s', '-p1', '--binary', '-d', dir, '-i', join(dir, 'p.diff')], { stdio: 'pipe' });
        assert.equal(readFileSync(join(dir, 'f.txt'), 'utf8'), after, diff);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
