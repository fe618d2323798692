/**
 * Every rule fixture: invalid cases must produce exactly the findings in expected.json
 * (rule id, file and line), valid cases (near misses) none of their rule.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findRule } from '../../src/rules/index.js';
import { listFixtureCases, scanFixture, type ExpectedFinding } from '../helpers/fixtures.js';

const cases = listFixtureCases();

describe('rule fixtures', () => {
  test('fixtures exist', () => assert.ok(cases.length > 0));
  for (const c of cases) {
    test(`${c.ruleId} ${c.kind}/${c.name}`, async () => {
      assert.ok(findRule(c.ruleId), `fixture folder names an unknown rule ${c.ruleId}`);
      const out = await scanFixture(c.dir);
      assert.deepEqual(out.crashed.map((x) => x.error.stack), []);
      const got = out.result.findings.filter((f) => f.ruleId === c.ruleId);
      if (c.kind === 'valid') {
        assert.deepEqual(got.map((f) => `${f.location.file}:${f.location.startLine} ${f.message}`), [], 'a near miss must stay silent');
        return;
      }
      const expected = JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as ExpectedFinding[];
      assert.ok(expected.length > 0, 'expected.json must list at least one finding');
      const shape = (f: ExpectedFinding) => JSON.stringify(f);
      const actual = got.map((f) => {
        const e: ExpectedFinding = { file: f.location.file };
        const want = expected[0]!;
        if (f.location.startLine !== undefined || want.line !== undefined) e.line = f.location.startLine;
        if (want.environment !== undefined) e.environment = f.environment;
        if (want.service !== undefined) e.service = f.service;
        if (want.severity !== undefined) e.severity = f.severity;
        return e;
      });
      assert.deepEqual(actual.map(shape).sort(), expected.map(shape).sort(), got.map((f) => f.message).join('\n'));
    });
  }
});
