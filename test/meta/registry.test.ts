/**
 * Registry invariants (ESLint's checkRuleFiles, Biome's rules_check): every rule file is
 * registered once, its id matches its path, its docs are complete, and it has fixtures.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { SEVERITIES } from '../../src/core/severity.js';
import { RULES } from '../../src/rules/index.js';
import { VERSION } from '../../src/version.js';
import { listFixtureCases } from '../helpers/fixtures.js';

const RULES_DIR = join(import.meta.dirname, '..', '..', 'src', 'rules');
const NOT_RULES = new Set(['index.ts', 'define-rule.ts', 'run-rules.ts', 'suppressions.ts', 'redirects.ts']);

function ruleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith('_') ? [] : ruleFiles(p);
    return e.name.endsWith('.ts') && !NOT_RULES.has(e.name) && !(dir !== RULES_DIR && e.name.startsWith('_')) ? [p] : [];
  });
}

test('every rule file is registered exactly once, with the id of its path', () => {
  const ids = RULES.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
  const fromFiles = ruleFiles(RULES_DIR)
    .map((f) => relative(RULES_DIR, f).replace(/\.ts$/, '').split('\\').join('/'))
    .filter((id) => !id.includes('/_') && !id.startsWith('_'));
  assert.deepEqual([...ids].sort(), fromFiles.sort());
});

test('rule metadata is complete', () => {
  for (const { meta } of RULES) {
    assert.match(meta.id, /^(?:[a-z]+\/)?[a-z0-9]+(?:-[a-z0-9]+)*$/, meta.id);
    assert.ok(SEVERITIES.includes(meta.severity), `${meta.id}: severity`);
    for (const k of ['summary', 'why', 'fix', 'verify'] as const) assert.ok(meta.docs[k].trim().length > 20, `${meta.id}: docs.${k} too short`);
    assert.ok(meta.docs.references.length > 0, `${meta.id}: needs a reference for its mechanism`);
    for (const r of meta.docs.references) assert.match(r.url, /^https:\/\//, `${meta.id}: reference url`);
    if (meta.fixable !== 'none') assert.ok(meta.docs.fixSafety, `${meta.id}: fixable rules explain their fix safety`);
    assert.ok(meta.title.length > 5 && !meta.title.endsWith('.'), `${meta.id}: title`);
  }
});

test('every rule has a firing fixture and a near-miss fixture', () => {
  const cases = listFixtureCases();
  for (const { meta } of RULES) {
    assert.ok(cases.some((c) => c.ruleId === meta.id && c.kind === 'invalid'), `${meta.id}: no invalid fixture`);
    assert.ok(cases.some((c) => c.ruleId === meta.id && c.kind === 'valid'), `${meta.id}: no valid fixture`);
  }
});

test('version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});
